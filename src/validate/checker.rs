//! The state of checking one object: its members, its version, and what was found so far.

use serde_json::{Map, Value};

use crate::diag::Finding;
use crate::stix::schema::{self, Category, TypeSpec};
use crate::stix::SpecVersion;

pub(crate) struct Checker<'a> {
    pub(crate) version: SpecVersion,
    pub(crate) members: &'a Map<String, Value>,
    /// The object's `type` when it is a string.
    pub(crate) type_name: &'a str,
    /// The predefined type's table entry; `None` for a custom type.
    pub(crate) spec: Option<&'static TypeSpec>,
    pub(crate) category: Category,
    /// The build time timestamps are judged by; `None` judges none by it.
    pub(crate) clock: Option<Clock>,
    findings: Vec<Finding>,
}

/// The build time, and how far after it a timestamp may be before it is a warning (clocks
/// differ; a report written this evening in another time zone is not from the future).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    pub(crate) now: i64,
    pub(crate) tolerance_seconds: i64,
}

impl Clock {
    /// The latest record time that is not a warning: the build time plus the tolerance.
    pub(crate) fn threshold(self) -> i64 {
        self.now.saturating_add(self.tolerance_seconds)
    }
}

impl<'a> Checker<'a> {
    pub(crate) fn new(version: SpecVersion, members: &'a Map<String, Value>) -> Checker<'a> {
        let type_name = members.get("type").and_then(Value::as_str).unwrap_or("");
        let spec = schema::type_spec(version, type_name);
        let category = spec.map_or_else(|| custom_category(members), |s| s.category);
        Checker { version, members, type_name, spec, category, clock: None, findings: Vec::new() }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.members.get(key)
    }

    pub(crate) fn str(&self, key: &str) -> Option<&'a str> {
        self.members.get(key).and_then(Value::as_str)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.members.contains_key(key)
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub(crate) fn error(&mut self, code: &'static str, pointer: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding::error(code, pointer, message));
    }

    pub(crate) fn warning(&mut self, code: &'static str, pointer: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding::warning(code, pointer, message));
    }

    /// How many findings there are so far (see `soften_since`).
    pub(crate) fn mark(&self) -> usize {
        self.findings.len()
    }

    /// Turns the errors found since `mark` into warnings with `code`: what the specification's
    /// rules say of a value that no rule binds (a custom property's) is advice, not a verdict.
    pub(crate) fn soften_since(&mut self, mark: usize, code: &'static str, help: &str) {
        for finding in self.findings.iter_mut().skip(mark) {
            if finding.severity == crate::diag::Severity::Error {
                finding.severity = crate::diag::Severity::Warning;
                finding.code = code;
                finding.help = Some(help.to_owned());
            }
        }
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The human name of the object's type, for messages.
    pub(crate) fn what(&self) -> String {
        if self.type_name.is_empty() {
            "object".to_owned()
        } else {
            format!("`{}`", self.type_name)
        }
    }
}

/// A custom object is an observable when an extension definition declares it `new-sco`
/// (STIX 2.1 section 7.3); otherwise it carries the domain-object common properties.
fn custom_category(members: &Map<String, Value>) -> Category {
    let declares_sco = members
        .get("extensions")
        .and_then(Value::as_object)
        .is_some_and(|exts| exts.values().any(|e| e.get("extension_type").and_then(Value::as_str) == Some("new-sco")));
    if declares_sco {
        Category::Observable
    } else {
        Category::Domain
    }
}
