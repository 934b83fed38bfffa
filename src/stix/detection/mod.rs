//! Detection rules carried by indicators whose `pattern_type` names an engine: YARA, Snort,
//! Suricata and Sigma. Each engine's grammar is read here, strictly, so that `check` can say
//! where a rule is wrong and the feeds can leave out any rule its engine would refuse (one
//! refused rule makes YARA and Suricata refuse the whole file they are in).
//!
//! This module parses and judges rule text; it never reports diagnostics (that is `validate`)
//! and never writes feeds (that is `publish::feeds`).

use std::collections::BTreeSet;

pub mod ids;
pub mod sigma;
pub mod yara;

/// What makes a rule unusable, at a byte offset inside the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
}

impl Problem {
    pub fn at(offset: usize, message: impl Into<String>) -> Problem {
        Problem { offset, message: message.into() }
    }

    /// `line L, column C of the pattern: message` (the pattern is a JSON string, so its own
    /// lines are not the file's).
    pub fn located(&self, text: &str) -> String {
        let (line, column) = line_column(text, self.offset);
        format!("line {line}, column {column} of the pattern: {}", self.message)
    }
}

/// One-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The engines whose rules stixpress checks and publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Yara,
    Snort,
    Suricata,
    Sigma,
}

impl Engine {
    pub fn of_pattern_type(pattern_type: &str) -> Option<Engine> {
        match pattern_type {
            "yara" => Some(Engine::Yara),
            "snort" => Some(Engine::Snort),
            "suricata" => Some(Engine::Suricata),
            "sigma" => Some(Engine::Sigma),
            _ => None,
        }
    }

    /// The feed file an engine's rules are joined into (Sigma rules get a file each).
    pub fn feed_file(self) -> &'static str {
        match self {
            Engine::Yara => "yara.yar",
            Engine::Snort => "snort.rules",
            Engine::Suricata => "suricata.rules",
            Engine::Sigma => "sigma/",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Yara => "YARA",
            Engine::Snort => "Snort",
            Engine::Suricata => "Suricata",
            Engine::Sigma => "Sigma",
        }
    }
}

/// What one indicator's rule is known by in its feed file: the YARA rule name or the `sid`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKey {
    YaraName(String),
    Sid(u64),
    None,
}

/// Checks one pattern by its engine's grammar: the key it would take in the feed, or why the
/// engine would refuse it.
pub fn check(engine: Engine, text: &str) -> Result<RuleKey, Problem> {
    match engine {
        Engine::Yara => yara::check(text).map(|rule| RuleKey::YaraName(rule.name)),
        Engine::Snort | Engine::Suricata => ids::check(text, engine).map(|rule| RuleKey::Sid(rule.sid)),
        Engine::Sigma => sigma::check(text).map(|()| RuleKey::None),
    }
}

/// Whether a name in `names` starts with `prefix` (a rule's `$a*`, a condition's `filter_*`):
/// the names that do sort together, from `prefix` on, so the first name not before it says.
fn any_starts_with(names: &BTreeSet<&str>, prefix: &str) -> bool {
    names.range::<&str, _>(prefix..).next().is_some_and(|name| name.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_found_among_sorted_names() {
        let names: BTreeSet<&str> = ["a1", "b", "b2", "c"].into_iter().collect();
        for (prefix, found) in [("a", true), ("a1", true), ("a10", false), ("b", true), ("b1", false), ("", true)] {
            assert_eq!(any_starts_with(&names, prefix), found, "{prefix}");
        }
        assert!(!any_starts_with(&BTreeSet::new(), ""));
    }

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(line_column("ab\ncdé f", 0), (1, 1));
        assert_eq!(line_column("ab\ncdé f", 3), (2, 1));
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
