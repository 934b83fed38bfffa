//! One file's JSON → the objects in it. Knows the bundle envelope (STIX 2.1 section 8, 2.0
//! section 5) and the lone-object shorthand, and places every finding at its line and column.

use std::collections::HashSet;

use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::Value;

use super::json::{content_hash, parse_strict, Member, TopLevel};
use super::source::Locator;
use super::{LoadedFile, ObjectCheck, Source};
use crate::diag::{Diagnostic, Finding};
use crate::exact::exact_len;
use crate::stix::{id, Reference, SpecVersion, StixObject};

/// Objects per file above which a file's objects are checked in parallel too.
const PARALLEL_OBJECTS: usize = 64;

pub(crate) fn parse_bundle(source: &Source, check: &ObjectCheck) -> LoadedFile {
    let members = match serde_json::from_str::<TopLevel>(&source.text) {
        Ok(TopLevel::Object(members)) => members,
        Ok(TopLevel::Other(kind)) => {
            return only(
                file_error(source, "not-a-bundle", 0, format!("the file holds {kind}, not a STIX bundle")).with_help(
                    "a bundle is a JSON object: {\"type\": \"bundle\", \"id\": \"bundle--…\", \"objects\": […]}",
                ),
            );
        }
        Err(err) => return only(json_error(source, &err, 0)),
    };
    let get = |key: &str| match members.iter().find(|(k, _)| k == key).map(|(_, v)| v) {
        Some(Member::Raw(raw)) => Some(*raw),
        _ => None,
    };
    let type_name = get("type").and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
    if type_name.as_deref() != Some("bundle") {
        return lone_object(source, type_name, check);
    }
    let diagnostics = envelope_diagnostics(source, &members);
    let declared = get("spec_version").and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
    let bundle_version = declared.as_deref().and_then(SpecVersion::parse);
    elements_of(source, &members, Envelope::Bundle(bundle_version), diagnostics, check)
}

/// A TAXII 2.1 envelope (`{"more": …, "next": …, "objects": […]}`, section 3.7), as a
/// collection's objects endpoint answers: its objects checked as a bundle's, located in the
/// page's text; an envelope without `objects` is an empty page.
pub(crate) fn parse_envelope(source: &Source, check: &ObjectCheck) -> LoadedFile {
    let members = match serde_json::from_str::<TopLevel>(&source.text) {
        Ok(TopLevel::Object(members)) => members,
        Ok(TopLevel::Other(kind)) => {
            return only(file_error(
                source,
                "taxii-envelope",
                0,
                format!("the page holds {kind}, not a TAXII envelope"),
            ));
        }
        Err(err) => return only(json_error(source, &err, 0)),
    };
    match members.iter().find(|(k, _)| k == "objects").map(|(_, v)| v) {
        None => return LoadedFile::default(),
        Some(Member::Elements(elements)) if elements.is_empty() => return LoadedFile::default(),
        Some(_) => {}
    }
    elements_of(source, &members, Envelope::Bundle(None), Vec::new(), check)
}

/// The objects of an envelope's `objects` member, each parsed and checked (in parallel when
/// there are many), after the envelope's own `diagnostics`.
fn elements_of(
    source: &Source,
    members: &[(String, Member)],
    envelope: Envelope,
    mut diagnostics: Vec<Diagnostic>,
    check: &ObjectCheck,
) -> LoadedFile {
    let objects_at = || source.locate(0, "/objects");
    let elements = match members.iter().find(|(k, _)| k == "objects").map(|(_, v)| v) {
        None => {
            diagnostics.push(file_warning(source, "empty-bundle", 0, "bundle has no `objects`".into()));
            return LoadedFile { objects: Vec::new(), diagnostics };
        }
        Some(Member::Elements(elements)) => elements,
        Some(_) => {
            diagnostics.push(
                file_error(
                    source,
                    "bundle-objects-not-array",
                    objects_at(),
                    "`objects` must be an array of STIX objects".into(),
                )
                .with_pointer("/objects"),
            );
            return LoadedFile { objects: Vec::new(), diagnostics };
        }
    };
    if elements.is_empty() {
        diagnostics.push(file_warning(source, "empty-bundle", objects_at(), "`objects` is empty".into()));
    }
    let parse_one = |(index, raw): (usize, &&RawValue)| parse_object(source, raw, Some(index as u32), envelope, check);
    let results: Vec<LoadedFile> = if elements.len() > PARALLEL_OBJECTS {
        elements.par_iter().enumerate().map(parse_one).collect()
    } else {
        elements.iter().enumerate().map(parse_one).collect()
    };
    // Sized once: a hostile file can yield a million diagnostics, and growing by doubling
    // would hold two copies of them.
    let found: usize = results.iter().map(|r| r.diagnostics.len()).sum();
    diagnostics.reserve_exact(found);
    let mut loaded = LoadedFile { objects: Vec::with_capacity(elements.len()), diagnostics };
    for mut result in results {
        loaded.objects.append(&mut result.objects);
        loaded.diagnostics.append(&mut result.diagnostics);
    }
    loaded
}

/// A file holding one object instead of a bundle: accepted, with a warning.
fn lone_object(source: &Source, type_name: Option<String>, check: &ObjectCheck) -> LoadedFile {
    let Some(type_name) = type_name else {
        return only(
            file_error(
                source,
                "not-a-bundle",
                0,
                "the file is a JSON object without a `type`: not a STIX bundle or object".into(),
            )
            .with_help(
                "wrap STIX objects in a bundle: {\"type\": \"bundle\", \"id\": \"bundle--…\", \"objects\": […]}",
            ),
        );
    };
    let raw: &RawValue = match serde_json::from_str(&source.text) {
        Ok(raw) => raw,
        Err(err) => return only(json_error(source, &err, 0)),
    };
    let mut loaded = parse_object(source, raw, None, Envelope::Lone, check);
    let start = offset_of(source, raw);
    loaded.diagnostics.insert(
        0,
        file_warning(
            source,
            "lone-object",
            start,
            format!("the file holds a single `{type_name}` object, not a bundle"),
        )
        .with_help("wrap it in a bundle so every STIX tool reads it"),
    );
    loaded
}

/// Checks the bundle's own properties.
fn envelope_diagnostics(source: &Source, members: &[(String, Member)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (key, member) in members {
        let Member::Raw(raw) = member else { continue };
        let at = offset_of(source, raw);
        let pointer = crate::diag::json_pointer("", key);
        let text = serde_json::from_str::<String>(raw.get()).ok();
        match key.as_str() {
            "type" | "objects" => {}
            "id" => {
                let valid = text.as_deref().is_some_and(|id| {
                    id.strip_prefix("bundle--").is_some_and(id::is_uuid) && id::parse_id(id, SpecVersion::V21).is_ok()
                });
                if !valid {
                    out.push(
                        file_error(source, "bundle-id", at, "bundle `id` must be `bundle--` followed by a UUID".into())
                            .with_pointer(pointer),
                    );
                }
            }
            "spec_version" => {
                if text.as_deref() != Some("2.0") {
                    out.push(
                        file_warning(
                            source,
                            "bundle-spec-version",
                            at,
                            "only STIX 2.0 bundles carry `spec_version` (and it is \"2.0\")".into(),
                        )
                        .with_pointer(pointer)
                        .with_help("in STIX 2.1 each object carries its own `spec_version`; remove it from the bundle"),
                    );
                }
            }
            _ => out.push(
                file_warning(
                    source,
                    "bundle-property",
                    at,
                    format!("bundles have no property `{key}`; consumers will drop it"),
                )
                .with_pointer(pointer),
            ),
        }
    }
    if !members.iter().any(|(k, _)| k == "id") {
        out.push(file_error(source, "bundle-id", 0, "bundle has no `id`".into()));
    }
    out
}

/// Where an object was found: alone in its file, or in a bundle (with the bundle's
/// `spec_version`, which only STIX 2.0 bundles carry).
#[derive(Clone, Copy)]
enum Envelope {
    Lone,
    Bundle(Option<SpecVersion>),
}

/// Parses one object, runs the per-object check and reduces it to a `StixObject`.
fn parse_object(
    source: &Source,
    raw: &RawValue,
    member: Option<u32>,
    envelope: Envelope,
    check: &ObjectCheck,
) -> LoadedFile {
    let start = offset_of(source, raw);
    let pointer = crate::stix::object::member_pointer(member);
    let value = match parse_strict(raw.get()) {
        Ok(value) => value,
        Err(err) => return only(json_error(source, &err, start).with_pointer(pointer)),
    };
    let Some(members) = value.as_object() else {
        return only(
            file_error(source, "object-not-json-object", start, "each entry of `objects` must be a JSON object".into())
                .with_pointer(pointer),
        );
    };
    let str_of = |key: &str| members.get(key).and_then(Value::as_str);
    let version = object_version(str_of("spec_version"), envelope, members.contains_key("created"));
    let mut findings = check(&value, version);
    if version == SpecVersion::V20
        && !members.contains_key("spec_version")
        && matches!(envelope, Envelope::Bundle(None))
    {
        findings.insert(0, read_as_20());
    }
    let object_id = str_of("id").map(str::to_owned);
    let invalid = findings.iter().any(|f| f.severity == crate::diag::Severity::Error);
    let locator = Locator::new(&source.text);
    let diagnostics = findings
        .into_iter()
        .map(|finding| place(source, &locator, start, &pointer, object_id.as_deref(), finding))
        .collect();
    let objects = to_record(&value, version, source, (start, raw.get()), member, invalid).into_iter().collect();
    LoadedFile { objects, diagnostics }
}

/// The version an object is checked by, as stix2-validator decides it (`find_version`): its
/// own `spec_version`, else its bundle's; in a bundle without one, an object with `created` is
/// a STIX 2.0 object in a 2.1 bundle (2.1 allows 2.0 objects there; 2.1 observables have no
/// `created`); else 2.1 (where a missing `spec_version` on a domain object is then reported).
fn object_version(own: Option<&str>, envelope: Envelope, has_created: bool) -> SpecVersion {
    let inferred = match envelope {
        Envelope::Bundle(Some(bundle)) => Some(bundle),
        Envelope::Bundle(None) if has_created => Some(SpecVersion::V20),
        Envelope::Bundle(None) | Envelope::Lone => None,
    };
    own.and_then(SpecVersion::parse).or(inferred).unwrap_or(SpecVersion::V21)
}

/// Says that an object without `spec_version` is read as STIX 2.0, in case it was meant as 2.1.
fn read_as_20() -> Finding {
    Finding::warning(
        "spec-version-inferred",
        "",
        "no `spec_version`, in a bundle without one: read as a STIX 2.0 object (it has `created`), as stix2-validator reads it",
    )
    .help("STIX 2.1 objects carry \"spec_version\": \"2.1\"; add it if this object is STIX 2.1")
}

/// The fields later stages need; `None` when the object has no usable id or type.
fn to_record(
    value: &Value,
    version: SpecVersion,
    source: &Source,
    (offset, raw): (usize, &str),
    member: Option<u32>,
    invalid: bool,
) -> Option<StixObject> {
    let members = value.as_object()?;
    let str_of = |key: &str| members.get(key).and_then(Value::as_str).map(str::to_owned);
    let id = str_of("id")?;
    let object_type = str_of("type")?;
    if id::parse_id(&id, SpecVersion::V21).map(|p| p.object_type) != Ok(object_type.as_str()) {
        return None;
    }
    let refs: Box<[crate::stix::Reference]> = references(members);
    let (named, referenced_only) = crate::stix::object::named_in(raw, &id, &refs);
    Some(StixObject {
        refs,
        content_hash: content_hash(value),
        spec_version: version,
        created: str_of("created"),
        modified: str_of("modified"),
        label: crate::stix::label::label_of(&object_type, members),
        aliases: exact_len(aliases(members)).into_boxed_slice(),
        external_ids: exact_len(external_ids(members)).into_boxed_slice(),
        named,
        referenced_only,
        raw: raw.into(),
        invalid,
        name: str_of("name"),
        revoked: members.get("revoked").and_then(Value::as_bool).unwrap_or(false),
        deprecated: members.get("x_mitre_deprecated").and_then(Value::as_bool).unwrap_or(false),
        relationship_type: str_of("relationship_type"),
        file: source.path.clone(),
        offset,
        member,
        id,
        object_type: crate::stix::object::type_name(object_type),
    })
}

/// `aliases` and ATT&CK's `x_mitre_aliases`, without repeats, each where it first appears.
fn aliases(members: &serde_json::Map<String, Value>) -> Vec<String> {
    let listed = ["aliases", "x_mitre_aliases"]
        .into_iter()
        .flat_map(|key| members.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str));
    // Hashed, not searched: an object may list any number of aliases, and they are contributed
    // (SipHash, which they cannot make collide).
    let mut seen: HashSet<&str> = HashSet::new();
    listed.filter(|alias| seen.insert(*alias)).map(str::to_owned).collect()
}

fn external_ids(members: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    let references = members.get("external_references").and_then(Value::as_array);
    let pair = |reference: &Value| {
        let source = reference.get("source_name")?.as_str()?;
        let id = reference.get("external_id")?.as_str()?;
        Some((source.to_owned(), id.to_owned()))
    };
    references.into_iter().flatten().filter_map(pair).collect()
}

/// Every `*_ref` and `*_refs` property at the top level, and granular markings' `marking_ref`.
fn references(members: &serde_json::Map<String, Value>) -> Box<[Reference]> {
    let mut refs = Vec::new();
    let mut push = |property: &str, index: Option<usize>, target: &Value| {
        if let Some(target) = target.as_str().filter(|t| id::is_identifier(t)) {
            let index = index.map(|i| i as u32);
            let property = crate::stix::object::property_name(property);
            refs.push(Reference { property, index, target: target.to_owned() });
        }
    };
    for (key, value) in members {
        if key.ends_with("_ref") {
            push(key, None, value);
        } else if key.ends_with("_refs") {
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                push(key, Some(i), item);
            }
        }
    }
    if let Some(markings) = members.get("granular_markings").and_then(Value::as_array) {
        for (i, marking) in markings.iter().enumerate() {
            if let Some(target) = marking.get("marking_ref") {
                push("granular_markings", Some(i), target);
            }
        }
    }
    // Held by the Store for the whole build: without the room it grew.
    exact_len(refs).into_boxed_slice()
}

/// Turns an object-relative finding into a diagnostic at its line and column.
pub(crate) fn place(
    source: &Source,
    locator: &Locator,
    object_start: usize,
    object_pointer: &str,
    id: Option<&str>,
    f: Finding,
) -> Diagnostic {
    let mut at = locator.locate(object_start, &f.pointer);
    if let Some(inner) = f.inner_offset {
        at = inside_string(&source.text, at, inner);
    }
    let (line, column) = source.line_column(at);
    let mut diagnostic = Diagnostic::new(f.severity, f.code, f.message)
        .in_file(source.path.as_path())
        .at(line, column)
        .for_object(id)
        .with_pointer(format!("{object_pointer}{}", f.pointer));
    diagnostic.help = f.help;
    diagnostic
}

/// The file offset of byte `inner` of the decoded string value starting at `at` (its opening
/// quote), reading the JSON escapes between them (`\n` is one byte decoded, two in the file).
/// When the value is not a string there, its start is the best we can say.
fn inside_string(text: &str, at: usize, inner: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return at;
    }
    let (mut raw, mut decoded) = (at + 1, 0);
    while decoded < inner {
        match bytes.get(raw) {
            None | Some(b'"') => return at,
            Some(b'\\') if bytes.get(raw + 1) == Some(&b'u') => {
                let (raw_len, decoded_len) = unicode_escape(&text[raw..]);
                raw += raw_len;
                decoded += decoded_len;
            }
            Some(b'\\') => {
                raw += 2;
                decoded += 1;
            }
            Some(_) => {
                raw += 1;
                decoded += 1;
            }
        }
    }
    raw
}

/// A `\uXXXX` escape (or a surrogate pair of two): its length in the file and in UTF-8.
fn unicode_escape(text: &str) -> (usize, usize) {
    let code = |at: usize| text.get(at + 2..at + 6).and_then(|h| u32::from_str_radix(h, 16).ok());
    match code(0) {
        Some(0xD800..=0xDBFF)
            if text.get(6..8) == Some("\\u") && code(6).is_some_and(|l| (0xDC00..=0xDFFF).contains(&l)) =>
        {
            (12, 4)
        }
        Some(c) => (6, char::from_u32(c).map_or(3, char::len_utf8)),
        None => (2, 1),
    }
}

fn offset_of(source: &Source, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(source.text.as_ptr() as usize)
}

fn only(diagnostic: Diagnostic) -> LoadedFile {
    LoadedFile { objects: Vec::new(), diagnostics: vec![diagnostic] }
}

fn file_error(source: &Source, code: &'static str, offset: usize, message: String) -> Diagnostic {
    let (line, column) = source.line_column(offset);
    Diagnostic::error(code, message).in_file(source.path.as_path()).at(line, column)
}

fn file_warning(source: &Source, code: &'static str, offset: usize, message: String) -> Diagnostic {
    let (line, column) = source.line_column(offset);
    Diagnostic::warning(code, message).in_file(source.path.as_path()).at(line, column)
}

/// A serde_json error at a position relative to `base`, with a code saying what kind it is.
fn json_error(source: &Source, err: &serde_json::Error, base: usize) -> Diagnostic {
    let text = err.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text).to_owned();
    let (code, help) = if message.contains("recursion limit") {
        ("json-too-deep", "STIX objects are shallow; this nesting is too deep to be a STIX object")
    } else if message.starts_with("duplicate property") {
        ("duplicate-property", "a property may appear once per object; readers disagree about which copy wins")
    } else if err.is_eof() {
        ("json-syntax", "the file ends in the middle of a value: is it truncated?")
    } else {
        ("json-syntax", "fix the JSON syntax at this position")
    };
    let offset = offset_at(&source.text, base, err.line(), err.column());
    let (line, column) = source.line_column(offset);
    Diagnostic::error(code, format!("invalid JSON: {message}"))
        .in_file(source.path.as_path())
        .at(line, column)
        .with_help(help)
}

/// Byte offset of serde_json's (line, column) — column counts bytes, 1-based — in the slice
/// of `text` starting at `base`.
fn offset_at(text: &str, base: usize, line: usize, column: usize) -> usize {
    let slice = &text.as_bytes()[base..];
    let mut offset = 0;
    for _ in 1..line {
        match slice[offset..].iter().position(|&b| b == b'\n') {
            Some(i) => offset += i + 1,
            None => break,
        }
    }
    let mut at = (base + offset + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::{aliases, inside_string};
    use serde_json::Value;

    fn members(json: Value) -> serde_json::Map<String, Value> {
        json.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn aliases_are_listed_once_each_where_they_first_appear() {
        let object = members(serde_json::json!({
            "aliases": ["APT1", "Comment Crew", "APT1", 7],
            "x_mitre_aliases": ["Comment Panda", "Comment Crew", "APT1"],
        }));
        assert_eq!(aliases(&object), ["APT1", "Comment Crew", "Comment Panda"]);
        assert!(aliases(&members(serde_json::json!({"aliases": "APT1"}))).is_empty());
    }

    #[test]
    fn a_hundred_thousand_aliases_are_read_at_once() {
        // Each alias compared with every one kept before it, this took seconds.
        let listed: Vec<String> = (0..100_000).map(|i| format!("alias {i}")).collect();
        let object = members(serde_json::json!({"aliases": listed, "x_mitre_aliases": listed}));
        assert_eq!(aliases(&object), listed);
    }

    #[test]
    fn offsets_inside_a_string_read_its_escapes() {
        let text = r#"{"p": "a\nb\"c\u00e9\ud83d\ude00d"}"#;
        let at = text.find("\"a").unwrap_or_default();
        // Decoded: a \n b " c é(2) 😀(4) d
        assert_eq!(&text[inside_string(text, at, 2)..][..1], "b");
        assert_eq!(&text[inside_string(text, at, 4)..][..1], "c");
        assert_eq!(&text[inside_string(text, at, 11)..][..1], "d");
        assert_eq!(inside_string(text, at, 99), at);
        assert_eq!(inside_string(text, 0, 1), 0);
    }
}
