//! Rule keys across the repository: two indicators whose YARA rules share a name, or whose Snort
//! or Suricata rules share a `sid`, and whose validity overlaps, would land in one feed file,
//! which YARA and Suricata then refuse whole. Each clash is an error on the later indicator (by
//! id) naming the earlier one. Only the latest version of each indicator counts; a rule that
//! replaces an expired one may keep its name or `sid`. An invalid rule is `check_object`'s to report.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::Value;

use super::repository::{Anchored, VersionIndex};
use crate::diag::Diagnostic;
use crate::stix::detection::{self, Engine, RuleKey};
use crate::stix::{StixObject, Timestamp};

/// One indicator's rule: where it goes, what it is known by, and when it applies.
struct Keyed<'a> {
    file: &'static str,
    key: RuleKey,
    object: &'a StixObject,
    from: Option<Timestamp>,
    until: Option<Timestamp>,
}

/// A validity window, `[valid_from, valid_until)`; an end that is not given never comes.
type Window = (Option<Timestamp>, Option<Timestamp>);

/// Whether two indicators apply at some moment together (and so share a feed).
fn overlap(a: Window, b: Window) -> bool {
    let ends_before =
        |until: Option<Timestamp>, from: Option<Timestamp>| matches!((until, from), (Some(u), Some(f)) if u <= f);
    !ends_before(a.1, b.0) && !ends_before(b.1, a.0)
}

pub(super) fn check<'a>(index: &VersionIndex<'a>, found: &mut Vec<Anchored<'a>>) {
    let keyed: Vec<Keyed<'a>> = (0..index.objects.len())
        .into_par_iter()
        .filter(|&i| index.is_latest(i))
        .filter_map(|i| keyed(&index.objects[i]))
        .collect();
    let mut groups: BTreeMap<(&str, &RuleKey), Vec<&Keyed<'a>>> = BTreeMap::new();
    for rule in &keyed {
        groups.entry((rule.file, &rule.key)).or_default().push(rule);
    }
    for ((file, key), mut rules) in groups {
        rules.sort_by(|a, b| a.object.id.cmp(&b.object.id));
        for (at, later) in rules.iter().enumerate() {
            let Some(earlier) = rules[..at]
                .iter()
                .find(|e| overlap((e.from, e.until), (later.from, later.until)) && e.object.id != later.object.id)
            else {
                continue;
            };
            let what = match key {
                RuleKey::YaraName(name) => format!("YARA rule name `{name}`"),
                RuleKey::Sid(sid) => format!("sid {sid}"),
                RuleKey::None => continue,
            };
            let message = format!(
                "{what} is also used by {} ({}): {file} would hold it twice, and its engine refuses such a file",
                earlier.object.id,
                earlier.object.file.display()
            );
            let diagnostic = Diagnostic::error("duplicate-rule", message)
                .with_help("give each rule its own name or sid; the feed keeps the indicator first by id");
            found.push(Anchored { diagnostic, object: later.object, pointer: "/pattern".into() });
        }
    }
}

/// Whether an indicator's JSON may hold a rule these keys concern (it names an engine, in any
/// case): the cheap test before it is parsed, which the loader also uses to keep its JSON.
pub(crate) fn may_hold_a_rule(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    ["yara", "snort", "suricata"].iter().any(|name| lower.contains(name))
}

/// An indicator's rule with its key; `None` for other objects, other pattern types and rules
/// the engine would refuse anyway.
fn keyed(object: &StixObject) -> Option<Keyed<'_>> {
    if object.object_type != "indicator" || object.revoked {
        return None;
    }
    if !may_hold_a_rule(&object.raw) {
        return None;
    }
    let json: Value = serde_json::from_str(&object.raw).ok()?;
    let text = |key: &str| json.get(key).and_then(Value::as_str);
    let engine = Engine::of_pattern_type(&text("pattern_type")?.to_ascii_lowercase())?;
    let key = detection::check(engine, text("pattern")?).ok()?;
    let time = |key: &str| text(key).and_then(|t| Timestamp::parse(t).ok());
    let (from, until) = (time("valid_from"), time("valid_until"));
    (key != RuleKey::None).then_some(Keyed { file: engine.feed_file(), key, object, from, until })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_that_never_apply_together_do_not_clash() {
        let at = |s: &str| Timestamp::parse(s).ok();
        let old = (at("2024-01-01T00:00:00Z"), at("2025-01-01T00:00:00Z"));
        let new = (at("2025-01-01T00:00:00Z"), None);
        let overlapping = (at("2024-06-01T00:00:00Z"), None);
        assert!(!overlap(old, new) && !overlap(new, old));
        assert!(overlap(old, overlapping) && overlap(new, overlapping));
        assert!(overlap((None, None), old));
    }
}
