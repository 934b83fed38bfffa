//! Pulls the equality tests out of a pattern and decides whether the pattern is a plain
//! blocklist.
//!
//! A blocklist is a pattern that matches any one of a set of values: equality tests (or `IN`
//! lists) joined only by OR, within and across observations, with no qualifier. Feeds may turn
//! such a pattern into lines of a blocklist. One condition of an AND is never a blocklist entry
//! on its own, though it is still listed among the tests, with one exception: a digest of the
//! one object a single observation describes (`[file:hashes.MD5 = '…' AND file:name = '…']`)
//! finds every object the pattern finds, since the other conditions only narrow it.

use super::ast::{Comparison, ComparisonExpr, ObservationExpr, ObservationOp, Operator, PathStep, Pattern, Value};
use super::lint::key_text;

/// What [`Pattern::extract`](super::Pattern::extract) finds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extraction {
    /// Every `path = value` and every member of `path IN (…)`, not negated, in pattern order.
    pub tests: Vec<EqualityTest>,
    /// True when the whole pattern is an OR of such tests and nothing else.
    pub blocklist: bool,
    /// True when the pattern is one observation whose conditions are all joined by AND and one
    /// of them is a `hashes.*` equality: that digest is then a blocklist entry by itself.
    pub identifying_hash: bool,
}

impl Extraction {
    /// The tests a blocklist may take: all of them for a plain OR, else an identifying digest.
    pub fn blocklist_entries(&self) -> impl Iterator<Item = &EqualityTest> + '_ {
        let hash_only = !self.blocklist && self.identifying_hash;
        self.tests.iter().filter(move |t| self.blocklist || (hash_only && t.path.starts_with("hashes.")))
    }
}

/// One equality test: `object_type:path = value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EqualityTest {
    pub object_type: String,
    /// The property path in canonical form: `value`, `hashes.'SHA-256'`, `values[*].data`.
    /// Keys are quoted only when they must be.
    pub path: String,
    /// The constant: a string unescaped, other constants as written.
    pub value: String,
}

pub(crate) fn extract(pattern: &Pattern) -> Extraction {
    let mut tests = Vec::new();
    for comparison in pattern.comparisons() {
        if comparison.negated {
            continue;
        }
        let literals = match (&comparison.operator, &comparison.value) {
            (Operator::Eq, Value::One(lit)) => std::slice::from_ref(lit),
            (Operator::In, Value::Set(items)) => items.as_slice(),
            _ => continue,
        };
        let object_type = pattern.text(&comparison.path.object_type).to_string();
        let path = canonical_path(pattern, comparison);
        for lit in literals {
            tests.push(EqualityTest {
                object_type: object_type.clone(),
                path: path.clone(),
                value: lit.value(&pattern.source),
            });
        }
    }
    let blocklist = !tests.is_empty() && is_plain_or(&pattern.root);
    let identifying_hash = !blocklist && is_one_conjunction_with_a_hash(pattern, &pattern.root);
    Extraction { tests, blocklist, identifying_hash }
}

/// `[a AND b AND …]`, no qualifier, one object type, with a `hashes.*` equality among the terms.
fn is_one_conjunction_with_a_hash(pattern: &Pattern, expr: &ObservationExpr) -> bool {
    let body = match expr {
        ObservationExpr::Observation { body, .. } => body,
        ObservationExpr::Group(inner) => return is_one_conjunction_with_a_hash(pattern, inner),
        _ => return false,
    };
    let mut terms = Vec::new();
    if !flatten_and(body, &mut terms) {
        return false;
    }
    let first_type = terms.first().map(|c| pattern.text(&c.path.object_type));
    let one_object = terms.iter().all(|c| Some(pattern.text(&c.path.object_type)) == first_type);
    let has_hash = terms
        .iter()
        .any(|c| !c.negated && c.operator == Operator::Eq && canonical_path(pattern, c).starts_with("hashes."));
    one_object && has_hash
}

/// The comparisons of an expression made only of ANDs; false when it holds an OR.
fn flatten_and<'p>(expr: &'p ComparisonExpr, into: &mut Vec<&'p Comparison>) -> bool {
    match expr {
        ComparisonExpr::Test(c) => {
            into.push(c);
            true
        }
        ComparisonExpr::And(list) => list.iter().all(|e| flatten_and(e, into)),
        ComparisonExpr::Or(_) => false,
    }
}

/// OR of observations, each an OR of plain equality tests; parentheses allowed.
fn is_plain_or(expr: &ObservationExpr) -> bool {
    match expr {
        ObservationExpr::Observation { body, .. } => is_plain_or_body(body),
        ObservationExpr::Combined { op, operands } => *op == ObservationOp::Or && operands.iter().all(is_plain_or),
        ObservationExpr::Group(inner) => is_plain_or(inner),
        ObservationExpr::Qualified { .. } => false,
    }
}

fn is_plain_or_body(expr: &ComparisonExpr) -> bool {
    match expr {
        ComparisonExpr::Test(c) => is_plain_equality(c),
        ComparisonExpr::Or(list) => list.iter().all(is_plain_or_body),
        ComparisonExpr::And(_) => false,
    }
}

fn is_plain_equality(c: &Comparison) -> bool {
    !c.negated && matches!(c.operator, Operator::Eq | Operator::In)
}

/// `hashes.'SHA-256'`, `values[*].data`, `extensions.'windows-pebinary-ext'.imphash`.
pub(crate) fn canonical_path(pattern: &Pattern, comparison: &Comparison) -> String {
    let mut out = String::new();
    for (i, step) in comparison.path.steps.iter().enumerate() {
        match step {
            PathStep::Key { span, quoted } => {
                if i > 0 {
                    out.push('.');
                }
                push_key(&mut out, &key_text(pattern, span, *quoted));
            }
            PathStep::Index(span) => {
                out.push('[');
                out.push_str(pattern.text(span));
                out.push(']');
            }
            PathStep::AnyIndex => out.push_str("[*]"),
        }
    }
    out
}

fn push_key(out: &mut String, key: &str) {
    if is_bare_key(key) {
        out.push_str(key);
        return;
    }
    out.push('\'');
    for c in key.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// Whether a key can be written without quotes: an identifier that is not a reserved word.
fn is_bare_key(key: &str) -> bool {
    const RESERVED: &[&str] = &[
        "AND",
        "OR",
        "NOT",
        "FOLLOWEDBY",
        "LIKE",
        "MATCHES",
        "ISSUPERSET",
        "ISSUBSET",
        "EXISTS",
        "LAST",
        "IN",
        "START",
        "STOP",
        "SECONDS",
        "WITHIN",
        "REPEATS",
        "TIMES",
        "true",
        "false",
    ];
    let mut bytes = key.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_') && !RESERVED.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Dialect};
    use super::*;

    fn extract21(p: &str) -> Extraction {
        parse(p, Dialect::Stix21).expect(p).extract()
    }

    fn test(t: &str, path: &str, value: &str) -> EqualityTest {
        EqualityTest { object_type: t.to_string(), path: path.to_string(), value: value.to_string() }
    }

    #[test]
    fn a_single_indicator_value_is_a_blocklist_entry() {
        let x = extract21("[ipv4-addr:value = '198.51.100.1']");
        assert_eq!(x.tests, vec![test("ipv4-addr", "value", "198.51.100.1")]);
        assert!(x.blocklist);
    }

    #[test]
    fn ors_across_and_within_observations_stay_a_blocklist() {
        let x = extract21(
            "([url:value = 'http://a.example/' OR url:value = 'http://b.example/'] OR [domain-name:value IN ('c.example', 'd.example')])",
        );
        assert_eq!(x.tests.len(), 4);
        assert!(x.blocklist);
    }

    #[test]
    fn a_condition_of_an_and_is_a_test_but_not_a_blocklist() {
        let x = extract21("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']");
        assert_eq!(x.tests.len(), 2);
        assert_eq!(x.tests[0].path, "hashes.'SHA-256'");
        assert!(!x.blocklist);
        // ... but the digest of the one file it describes finds every file it finds.
        assert!(x.identifying_hash);
        let entries: Vec<&str> = x.blocklist_entries().map(|t| t.path.as_str()).collect();
        assert_eq!(entries, vec!["hashes.'SHA-256'"]);
    }

    #[test]
    fn a_digest_among_other_objects_or_alternatives_identifies_nothing() {
        for p in [
            "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' AND process:name = 'x.exe']",
            "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' AND file:name = 'a' OR file:size = 3]",
            "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' AND file:name = 'a'] WITHIN 5 SECONDS",
            "[file:hashes.MD5 != 'cead3f77f6cda6ec00f57d76c9a6879f' AND file:name = 'a']",
            "[file:name = 'a' AND file:size = 3]",
        ] {
            let x = extract21(p);
            assert!(!x.identifying_hash, "{p}");
            assert_eq!(x.blocklist_entries().count(), 0, "{p}");
        }
    }

    #[test]
    fn qualifiers_other_operators_and_negation_end_a_blocklist() {
        for p in [
            "[url:value = 'http://a.example/'] WITHIN 5 SECONDS",
            "[url:value = 'http://a.example/'] FOLLOWEDBY [url:value = 'http://b.example/']",
            "[url:value = 'http://a.example/'] AND [url:value = 'http://b.example/']",
            "[url:value = 'http://a.example/' OR url:value LIKE 'http://b%']",
            "[url:value = 'http://a.example/' OR url:value NOT = 'http://b.example/']",
            "[url:value != 'http://a.example/']",
        ] {
            assert!(!extract21(p).blocklist, "{p}");
        }
    }

    #[test]
    fn paths_are_canonical_and_values_unescaped() {
        let x = extract21(
            r"[windows-registry-key:values[*].data = 'C:\\x' OR file:hashes.'MD5' = 'cead3f77f6cda6ec00f57d76c9a6879f' OR file:'AND' = 1]",
        );
        let paths: Vec<&str> = x.tests.iter().map(|t| t.path.as_str()).collect();
        assert_eq!(paths, vec!["values[*].data", "hashes.MD5", "'AND'"]);
        assert_eq!(x.tests[0].value, r"C:\x");
    }

    #[test]
    fn nothing_to_extract_is_not_a_blocklist() {
        let x = extract21("[file:size > 100]");
        assert_eq!(x, Extraction::default());
    }
}
