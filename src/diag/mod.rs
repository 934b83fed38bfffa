//! Diagnostics: problems found in the *content* (a file, a bundle, an object).
//!
//! Every stage collects them and the run goes on; the command decides at the end what they
//! mean for the exit code. A diagnostic names its file and, when the input is JSON, the line
//! and column of the offending value, so a contributor lands on the exact spot. Printers for
//! the four output formats live in the sub-modules; they never decide severity.

mod github;
mod human;
pub(crate) mod json;
mod lines;
mod printable;
mod sarif;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

pub use github::print_github;
pub use human::{print_check_human, print_diagnostics_human, print_human, HumanOptions};
pub use json::{print_json, Summary};
pub use lines::LineIndex;
pub use printable::{is_hostile, printable, printable_path};
pub use sarif::print_sarif;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where a diagnostic points: a file and, for JSON input, a 1-based line and column
/// (columns count characters, not bytes, as editors do).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case, documented in `docs/diagnostics.md`; tools may match on it.
    pub code: &'static str,
    pub message: String,
    pub location: Location,
    pub object_id: Option<String>,
    /// RFC 6901 pointer from the root of the file's JSON document.
    pub pointer: Option<String>,
    /// One line telling the contributor what to do.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: Location::default(),
            object_id: None,
            pointer: None,
            help: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.location.file = file.into();
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.location.line = Some(line);
        self.location.column = Some(column);
        self
    }

    pub fn for_object(mut self, id: Option<&str>) -> Self {
        self.object_id = id.map(str::to_owned);
        self
    }

    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order diagnostics are printed in: by file, then position, then code.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.location.file.as_os_str(),
            self.location.line.unwrap_or(0),
            self.location.column.unwrap_or(0),
            self.code,
            &self.message,
        )
    }
}

/// A problem found inside one object, before it is placed in its file: the pointer is relative
/// to the object (`/created`, `/external_references/2/url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub pointer: String,
    pub help: Option<String>,
    /// For a finding inside a string value (a pattern), the byte offset in the decoded string,
    /// so the column can land on the very character.
    pub inner_offset: Option<usize>,
}

impl Finding {
    pub fn error(code: &'static str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Error,
            code,
            message: message.into(),
            pointer: pointer.into(),
            help: None,
            inner_offset: None,
        }
    }

    pub fn warning(code: &'static str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            code,
            message: message.into(),
            pointer: pointer.into(),
            help: None,
            inner_offset: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn inside_string_at(mut self, offset: usize) -> Self {
        self.inner_offset = Some(offset);
        self
    }
}

/// Sorts diagnostics for output and removes exact repeats (the same file can be named twice
/// on the command line).
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// The JSON pointer (RFC 6901) of member `key` below `parent` (`""` for the top): `~` and `/`
/// in the key are escaped as `~0` and `~1`. Made for every property of every object, mostly for
/// nothing (it is read when a finding is placed): one allocation, escapes only where needed.
pub(crate) fn json_pointer(parent: &str, key: &str) -> String {
    let mut pointer = String::with_capacity(parent.len() + key.len() + 1);
    pointer.push_str(parent);
    pointer.push('/');
    match key.contains(['~', '/']) {
        false => pointer.push_str(key),
        true => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
    }
    pointer
}

/// The output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
    Sarif,
}

#[cfg(test)]
mod tests {
    use super::json_pointer;

    #[test]
    fn a_pointer_escapes_tildes_and_slashes_in_its_key() {
        assert_eq!(json_pointer("", "name"), "/name");
        assert_eq!(json_pointer("", "x_a/b~c"), "/x_a~1b~0c");
        assert_eq!(json_pointer("", "~1"), "/~01");
        assert_eq!(json_pointer("", ""), "/");
        assert_eq!(json_pointer("/hashes", "SHA/256"), "/hashes/SHA~1256");
    }
}
