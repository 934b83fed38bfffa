//! STIX identifiers: `object-type--UUID`.
//!
//! An id is validated once, here, before anything uses it as part of a path or a link: the
//! type part is a STIX type name and the UUID part is hex in 8-4-4-4-12 form, so an id can
//! never carry `/`, `.`, `%` or anything else a file name or URL would interpret.

use std::fmt;

use super::SpecVersion;

/// Why a string is not a STIX identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    MissingSeparator,
    BadTypePart,
    BadUuid,
    /// RFC 4122 UUIDs have the variant bits `10`: the first digit of the fourth group is 8-b.
    NotRfc4122,
    /// STIX 2.0 requires version 4 UUIDs.
    NotVersion4,
}

impl fmt::Display for IdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdProblem::MissingSeparator => "an identifier has the form `object-type--UUID`",
            IdProblem::BadTypePart => "the part before `--` is not a valid object type name",
            IdProblem::BadUuid => "the part after `--` is not a UUID (8-4-4-4-12 hexadecimal digits)",
            IdProblem::NotRfc4122 => {
                "the UUID is not an RFC 4122 UUID (version 1-5, and the variant digit 8, 9, a or b)"
            }
            IdProblem::NotVersion4 => "STIX 2.0 identifiers must use version 4 UUIDs",
        })
    }
}

/// The two halves of a syntactically valid identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdParts<'a> {
    pub object_type: &'a str,
    pub uuid: &'a str,
}

impl IdParts<'_> {
    /// The UUID version digit (1-8), from the first digit of the third group.
    pub fn uuid_version(&self) -> u8 {
        hex_value(self.uuid.as_bytes()[14])
    }
}

/// Splits and checks an identifier by the rules of `version`.
pub fn parse_id(id: &str, version: SpecVersion) -> Result<IdParts<'_>, IdProblem> {
    let (object_type, uuid) = split_at_separator(id).ok_or(IdProblem::MissingSeparator)?;
    // The type part may itself contain `--`? No: type names forbid consecutive hyphens in 2.1,
    // and the split is at the first `--`, so a UUID part with `--` fails the UUID check.
    if !is_type_name(object_type) {
        return Err(IdProblem::BadTypePart);
    }
    if !is_uuid(uuid) {
        return Err(IdProblem::BadUuid);
    }
    if !matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B') {
        return Err(IdProblem::NotRfc4122);
    }
    let parts = IdParts { object_type, uuid };
    if !(1..=5).contains(&parts.uuid_version()) {
        return Err(IdProblem::NotRfc4122);
    }
    if version == SpecVersion::V20 && parts.uuid_version() != 4 {
        return Err(IdProblem::NotVersion4);
    }
    Ok(parts)
}

/// `id` split at its first `--` (what `split_once("--")` does, without building a searcher for
/// each of the millions of ids a repository holds).
fn split_at_separator(id: &str) -> Option<(&str, &str)> {
    let bytes = id.as_bytes();
    let at = memchr::memchr_iter(b'-', bytes).find(|&i| bytes.get(i + 1) == Some(&b'-'))?;
    Some((&id[..at], &id[at + 2..]))
}

/// The UUID part of an identifier (`report--<uuid>` → `<uuid>`); empty when it has none.
pub fn uuid_of(id: &str) -> &str {
    id.split_once("--").map_or("", |(_, uuid)| uuid)
}

/// A cheap syntactic check, for references whose own version is unknown.
pub fn is_identifier(id: &str) -> bool {
    parse_id(id, SpecVersion::V21).is_ok()
}

/// Every string in `text` shaped like an identifier (`type--uuid`), wherever it sits: in a
/// reference, nested in an extension, or in prose. Where the type could start at several
/// hyphens ("see-indicator--…"), each candidate is given, longest first; callers look them up.
pub fn ids_in(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    text.match_indices("--").flat_map(move |(at, _)| {
        let end = at + 2 + 36;
        let uuid_ok = text.get(at + 2..end).is_some_and(is_uuid);
        let mut start = at;
        while uuid_ok && start > 0 && at - start < 250 {
            let c = bytes[start - 1];
            if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') {
                break;
            }
            start -= 1;
        }
        let starts = (start..at)
            .filter(move |&s| uuid_ok && bytes[s].is_ascii_lowercase() && (s == start || bytes[s - 1] == b'-'));
        starts.map(move |s| &text[s..end])
    })
}

/// Whether `text` may hold identifiers besides `known` of them: every identifier has exactly
/// one `--`, so when the count of `--` is no more than that, there is nothing else to find and
/// the costlier `ids_in` scan can be skipped.
pub fn may_hold_more_ids(text: &str, known: usize) -> bool {
    text.match_indices("--").nth(known).is_some()
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && [b[8], b[13], b[18], b[23]] == [b'-'; 4]
        && [&b[..8], &b[9..13], &b[14..18], &b[19..23], &b[24..]]
            .iter()
            .all(|group| group.iter().all(u8::is_ascii_hexdigit))
}

/// Object type names: ASCII lowercase letters, digits and hyphens, 3 to 250 characters
/// (the custom-object naming rules of the specification; every predefined name obeys them).
pub fn is_type_name(s: &str) -> bool {
    let b = s.as_bytes();
    (3..=250).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !b.windows(2).any(|pair| pair == b"--")
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        let parts = parse_id("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", SpecVersion::V21).unwrap();
        assert_eq!(parts.object_type, "indicator");
        assert_eq!(parts.uuid_version(), 4);
        assert!(parse_id("x-mitre-tactic--4ca45d45-df4d-4613-8980-bac22d278fa5", SpecVersion::V20).is_ok());
    }

    #[test]
    fn an_id_that_looks_like_a_path_is_rejected() {
        assert_eq!(parse_id("indicator--../../x", SpecVersion::V21), Err(IdProblem::BadUuid));
        assert_eq!(
            parse_id("../etc--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", SpecVersion::V21),
            Err(IdProblem::BadTypePart)
        );
        assert_eq!(parse_id("indicator", SpecVersion::V21), Err(IdProblem::MissingSeparator));
    }

    #[test]
    fn version_rules_differ() {
        let v5 = "domain-name--dd686e37-6889-53bd-8ae1-b1a503452613";
        assert!(parse_id(v5, SpecVersion::V21).is_ok());
        assert_eq!(parse_id(v5, SpecVersion::V20), Err(IdProblem::NotVersion4));
        let bad_variant = "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f";
        assert_eq!(parse_id(bad_variant, SpecVersion::V21), Err(IdProblem::NotRfc4122));
    }

    #[test]
    fn a_text_with_no_more_double_hyphens_than_known_ids_names_nothing_else() {
        let text = r#"{"id":"tool--1","created_by_ref":"identity--2"}"#;
        assert!(!may_hold_more_ids(text, 2));
        assert!(may_hold_more_ids(text, 1));
    }

    #[test]
    fn identifiers_are_found_in_references_and_in_prose() {
        let uuid = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
        let text =
            format!("{{\"object_refs\":[\"x-mitre-tactic--{uuid}\"],\"d\":\"see-indicator--{uuid}. -- --{uuid}\"}}");
        let found: Vec<&str> = ids_in(&text).collect();
        assert_eq!(
            found,
            [
                format!("x-mitre-tactic--{uuid}"),
                format!("mitre-tactic--{uuid}"),
                format!("tactic--{uuid}"),
                format!("see-indicator--{uuid}"),
                format!("indicator--{uuid}"),
            ]
        );
    }
}
