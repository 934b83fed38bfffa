//! The STIX patterning language (STIX 2.1 section 9; STIX 2.0 part 5): parse, lint, extract.
//!
//! - [`parse`] reads a pattern in a [`Dialect`] and either returns a [`Pattern`] or the first
//!   syntax error with its byte offset and column. It accepts what the OASIS grammar accepts
//!   (see `tests/conformance/patterns/` for the cases where it deliberately differs).
//! - [`Pattern::lint`] finds what is grammatical but wrong: unknown object types and
//!   properties, malformed addresses and digests, qualifiers that can never match.
//! - [`Pattern::extract`] lists the equality tests and says whether the pattern is a plain
//!   blocklist.
//!
//! Standard library only, and nothing here may panic or recurse without bound on hostile
//! input: nesting is capped at [`MAX_DEPTH`]. A one-comparison pattern parses in well under a
//! microsecond; the lexer works on slices and allocates nothing.

mod ast;
mod extract;
mod lexer;
mod lint;
mod model;
mod parser;
mod values;

#[cfg(test)]
mod conformance;

use std::fmt;

pub use ast::{
    Comparison, ComparisonExpr, Literal, LiteralKind, ObjectPath, ObservationExpr, ObservationOp, Operator, PathStep,
    Pattern, Qualifier, QualifierKind, Span, Value,
};
pub use extract::{EqualityTest, Extraction};
pub use parser::MAX_DEPTH;
pub use values::{hash_problem, normalise_algorithm};

/// Which version of the patterning language to read. They differ in a few places: 2.1 adds
/// `EXISTS` and forbids repeating a qualifier kind on one observation; 2.0 also accepts a
/// START/STOP timestamp written as a plain string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Stix20,
    Stix21,
}

impl Dialect {
    /// The dialect for an object's `spec_version` (`"2.0"`, `"2.1"`).
    pub fn from_spec_version(version: &str) -> Option<Dialect> {
        match version {
            "2.0" => Some(Dialect::Stix20),
            "2.1" => Some(Dialect::Stix21),
            _ => None,
        }
    }
}

/// Why a pattern does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Byte offset into the pattern.
    pub offset: usize,
    /// 1-based character column in the pattern (a pattern is one string, so no lines).
    pub column: usize,
    /// For example "expected ']' or a boolean operator (AND, OR), found 'FOO'".
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for PatternError {}

/// Something a parsed pattern says that the STIX model or common sense disagrees with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternIssue {
    pub offset: usize,
    pub column: usize,
    pub kind: IssueKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// Not a STIX cyber-observable type and not a custom `x-` one.
    UnknownObjectType,
    /// Not a property of the object (or extension, or nested type) it is applied to.
    UnknownProperty,
    /// A constant that cannot be right for its property or qualifier.
    InvalidValue,
}

/// Parses one pattern.
pub fn parse(pattern: &str, dialect: Dialect) -> Result<Pattern, PatternError> {
    match parser::parse(pattern, dialect) {
        Ok(root) => Ok(Pattern { source: pattern.to_string(), dialect, root }),
        Err(failure) => Err(PatternError {
            offset: failure.offset,
            column: column_of(pattern, failure.offset),
            message: failure.message,
        }),
    }
}

impl Pattern {
    /// Every finding, in the order they occur in the pattern.
    pub fn lint(&self) -> Vec<PatternIssue> {
        lint::lint(self)
    }

    /// The equality tests, and whether the pattern is a plain blocklist.
    pub fn extract(&self) -> Extraction {
        extract::extract(self)
    }
}

/// Whether `pattern_type` is in the STIX 2.1 pattern-type vocabulary (`stix`, `pcre`, `sigma`,
/// `snort`, `suricata`, `yara`) or one of the common extras (`spl`, `eql`).
pub fn is_known_pattern_type(pattern_type: &str) -> bool {
    matches!(pattern_type, "stix" | "pcre" | "sigma" | "snort" | "suricata" | "yara" | "spl" | "eql")
}

/// The 1-based character column of a byte offset.
pub(crate) fn column_of(text: &str, offset: usize) -> usize {
    let prefix = text.get(..offset).unwrap_or(text);
    prefix.chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &str) -> Pattern {
        parse(p, Dialect::Stix21).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn err(p: &str, dialect: Dialect) -> PatternError {
        parse(p, dialect).expect_err(p)
    }

    #[test]
    fn the_spec_examples_parse() {
        for p in [
            "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
            "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
            "([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 SECONDS",
            "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
            "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
            "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
            "([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
            "[network-traffic:dst_port IN (443, 6443, 8443) AND NOT EXISTS network-traffic:src_ref]",
            "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q='] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'",
        ] {
            ok(p);
        }
    }

    #[test]
    fn observation_operators_bind_and_over_or_over_followedby() {
        let p = ok("[a:b = 1] FOLLOWEDBY [a:b = 2] OR [a:b = 3] AND [a:b = 4]");
        let ObservationExpr::Combined { op, operands } = p.root() else { panic!("not combined") };
        assert_eq!(*op, ObservationOp::FollowedBy);
        let ObservationExpr::Combined { op, operands } = &operands[1] else { panic!("right side not combined") };
        assert_eq!(*op, ObservationOp::Or);
        assert!(matches!(&operands[1], ObservationExpr::Combined { op: ObservationOp::And, .. }));
    }

    #[test]
    fn comparison_and_binds_tighter_than_or() {
        let p = ok("[a:b = 1 OR a:c = 2 AND a:d = 3]");
        let ObservationExpr::Observation { body, .. } = p.root() else { panic!() };
        let ComparisonExpr::Or(list) = body else { panic!() };
        assert!(matches!(&list[1], ComparisonExpr::And(and) if and.len() == 2));
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        let e = err("[file:name = 'a' FOO]", Dialect::Stix21);
        assert_eq!(e.message, "expected ']' or a boolean operator (AND, OR), found 'FOO'");
        assert_eq!((e.offset, e.column), (17, 18));
        let e = err("[file:hashes.SHA-256 = 'x']", Dialect::Stix21);
        assert!(e.message.contains("must be quoted"), "{}", e.message);
        let e = err("[é:x = 1] FOO", Dialect::Stix21);
        assert_eq!(e.offset, 1);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = err("[file:name = 'é'] FOO", Dialect::Stix21);
        assert_eq!(e.offset, 19);
        assert_eq!(e.column, 19);
    }

    #[test]
    fn dialects_differ_where_the_specs_do() {
        let exists = "[EXISTS file:name]";
        assert!(parse(exists, Dialect::Stix21).is_ok());
        assert!(parse(exists, Dialect::Stix20).is_err());
        let twice = "[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS";
        assert!(parse(twice, Dialect::Stix20).is_ok());
        assert!(err(twice, Dialect::Stix21).message.contains("already has a WITHIN"));
        let string_start = "[a:b = 1] START '2016-06-01T00:00:00Z' STOP '2016-07-01T00:00:00Z'";
        assert!(parse(string_start, Dialect::Stix20).is_ok());
        assert!(parse(string_start, Dialect::Stix21).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}[a:b = 1]{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(err(&deep, Dialect::Stix21).message.contains("nest deeper"));
        let deep = format!("[{}a:b = 1{}]", "(".repeat(100_000), ")".repeat(100_000));
        assert!(err(&deep, Dialect::Stix21).message.contains("nest deeper"));
        let fine = format!("{}[a:b = 1]{}", "(".repeat(60), ")".repeat(60));
        ok(&fine);
    }

    #[test]
    fn qualifiers_count_as_nesting_so_a_long_chain_is_an_error_not_a_crash() {
        // Each qualifier wraps the expression once more; 100,000 of them overflowed the stack.
        let chained = format!("([a:b = 1]){}", " REPEATS 2 TIMES".repeat(100_000));
        assert!(err(&chained, Dialect::Stix21).message.contains("qualifiers nest deeper"));
        assert!(err(&chained, Dialect::Stix20).message.contains("qualifiers nest deeper"));
        // Inside brackets that already nest, fewer are left.
        let nested = format!("{}([a:b = 1]){}{}", "(".repeat(40), " REPEATS 2 TIMES".repeat(30), ")".repeat(40));
        assert!(err(&nested, Dialect::Stix21).message.contains("nest deeper"));
        ok(&format!("([a:b = 1]){}", " REPEATS 2 TIMES".repeat(20)));
        ok("([a:b = 1] AND [c:d = 2]) REPEATS 2 TIMES WITHIN 5 SECONDS");
    }

    #[test]
    fn hostile_input_never_panics() {
        let pieces = [
            "[", "]", "(", ")", "a", ":", "b", "=", "'x'", "'", "\\", "AND", "OR", "NOT", "IN", "EXISTS", "WITHIN",
            "5", "SECONDS", "t'", "h'", "b'", "-", "+", ".", "*", "é", "/*", "//", "\n", " ", ",", "START", "STOP",
            "REPEATS", "TIMES", "<>", "!",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut p = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                p.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for dialect in [Dialect::Stix20, Dialect::Stix21] {
                if let Ok(parsed) = parse(&p, dialect) {
                    parsed.lint();
                    parsed.extract();
                }
            }
        }
    }

    #[test]
    fn whitespace_and_comments_are_allowed_between_tokens() {
        ok(" [ file : name = 'a' ] /* trailing */");
        ok("[file:name = 'a']\u{3000}// line comment");
        ok("( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])");
    }

    #[test]
    fn pattern_types() {
        assert!(is_known_pattern_type("stix"));
        assert!(is_known_pattern_type("eql"));
        assert!(!is_known_pattern_type("STIX"));
        assert!(!is_known_pattern_type("regex"));
    }

    #[test]
    fn spec_versions_name_dialects() {
        assert_eq!(Dialect::from_spec_version("2.0"), Some(Dialect::Stix20));
        assert_eq!(Dialect::from_spec_version("2.2"), None);
    }
}
