//! Loading: bundle files → objects with their locations, plus diagnostics for everything that
//! keeps a file or an object from being read.
//!
//! Every file is read and parsed on its own (in parallel); a file that is not JSON, not UTF-8,
//! too large or too deep gets a diagnostic and the others go on. Each object's JSON is parsed
//! once, handed to the caller's per-object check while it is in memory, reduced to a
//! `StixObject`, and dropped.

pub(crate) mod cache;
pub(crate) mod discover;
pub(crate) mod git_tree;
pub(crate) mod json;
pub(crate) mod source;

mod bundle;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::diag::{Diagnostic, Finding};
use crate::stix::{SpecVersion, StixObject};
pub(crate) use discover::{discover, Discovered};
pub(crate) use source::Source;

/// Limits that protect the run from hostile files, and what to keep of each object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoadOptions {
    pub(crate) max_file_size: u64,
    pub(crate) json: KeepJson,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { max_file_size: 100 * 1024 * 1024, json: KeepJson::AsWritten }
    }
}

/// What the loader keeps of each object's JSON once the object is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum KeepJson {
    /// All of it, byte for byte: `import` keeps a publisher's objects as they were written.
    AsWritten,
    /// All of it, without the whitespace between tokens (`json::compact`): what publishing
    /// reads, in the form every output publishes; an indented bundle's objects take a quarter
    /// less memory, and nothing shown depends on a file's layout.
    Compact,
    /// Only the JSON the repository rules read again (marking definitions, indicators): a
    /// `check` that publishes nothing holds a million objects in two thirds of the memory.
    ReadByRules,
    /// That, and the JSON (compact) of objects with a reference an audience may redact
    /// (`redact_refs`): whether such an object names its target elsewhere too, which withholds
    /// it rather than redacting it, is read from its JSON.
    ReadByRulesAndRedaction,
}

/// Whether the repository rules parse this object's JSON again: a marking definition (what it
/// marks) or an indicator that may hold a YARA, Snort or Suricata rule (its name and sid).
fn read_by_rules(object_type: &str, raw: &str) -> bool {
    match object_type {
        "marking-definition" => true,
        "indicator" => crate::validate::may_hold_a_rule(raw),
        _ => false,
    }
}

/// What is kept of the JSON `raw` of an object of `object_type` with references `refs` (see
/// `KeepJson`): borrowed when it is `raw` itself, so a file read from the load cache is copied
/// once, as kept.
fn kept_json<'r>(
    object_type: &str,
    raw: &'r str,
    refs: &[crate::stix::Reference],
    json: KeepJson,
) -> std::borrow::Cow<'r, str> {
    let redactable = || refs.iter().any(|r| crate::audience::redaction(&r.property) != crate::audience::Redaction::No);
    match json {
        KeepJson::AsWritten => raw.into(),
        KeepJson::Compact => json::compact(raw),
        KeepJson::ReadByRules | KeepJson::ReadByRulesAndRedaction if read_by_rules(object_type, raw) => raw.into(),
        KeepJson::ReadByRulesAndRedaction if redactable() => json::compact(raw),
        KeepJson::ReadByRules | KeepJson::ReadByRulesAndRedaction => "".into(),
    }
}

/// Keeps of each object's JSON what `json` asks for (see `KeepJson`).
fn keep_what_is_read(mut loaded: LoadedFile, json: KeepJson) -> LoadedFile {
    if json == KeepJson::AsWritten {
        return loaded;
    }
    for object in &mut loaded.objects {
        let kept: Box<str> = match kept_json(&object.object_type, &object.raw, &object.refs, json) {
            // All of it, as it is: nothing to replace.
            std::borrow::Cow::Borrowed(text) if text.len() == object.raw.len() => continue,
            kept => kept.into(),
        };
        object.raw = kept;
    }
    loaded
}

/// The per-object check run while the object's JSON is parsed: it sees the object and the
/// version it is to be checked by.
pub(crate) type ObjectCheck<'a> = dyn Fn(&Value, SpecVersion) -> Vec<Finding> + Sync + 'a;

/// What one file yielded.
#[derive(Default)]
pub(crate) struct LoadedFile {
    pub(crate) objects: Vec<StixObject>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Everything loaded, objects in file order.
#[derive(Default)]
pub(crate) struct Loaded {
    pub(crate) files: usize,
    pub(crate) objects: Vec<StixObject>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Loads every file in parallel and checks each object with `check`; with a `cache`, a file
/// whose entry holds is not parsed again (`cache`).
pub(crate) fn load_all(
    files: &[PathBuf],
    options: &LoadOptions,
    check: &ObjectCheck,
    cache: Option<&cache::LoadCache>,
) -> Loaded {
    let load = |path: &PathBuf| {
        let path = Arc::new(path.clone());
        parse_read(read_text(&path, options), check, cache, options.json)
    };
    let per_file: Vec<LoadedFile> = files.par_iter().map(load).collect();
    gather(files.len(), per_file)
}

/// One list of objects and one of diagnostics, each allocated once at its final size.
fn gather(files: usize, per_file: Vec<LoadedFile>) -> Loaded {
    let objects: usize = per_file.iter().map(|f| f.objects.len()).sum();
    let diagnostics: usize = per_file.iter().map(|f| f.diagnostics.len()).sum();
    let mut per_file = per_file.into_iter();
    // A single file (the hostile case: one file, a million findings) is moved, not copied.
    let Some(first) = per_file.next() else { return Loaded { files, ..Loaded::default() } };
    let (mut first_objects, mut first_diagnostics) = (first.objects, first.diagnostics);
    first_objects.reserve_exact(objects - first_objects.len());
    first_diagnostics.reserve_exact(diagnostics - first_diagnostics.len());
    let mut loaded = Loaded { files, objects: first_objects, diagnostics: first_diagnostics };
    for file in per_file {
        loaded.objects.extend(file.objects);
        loaded.diagnostics.extend(file.diagnostics);
    }
    loaded
}

/// Loads the files of a git revision (`git_tree::GitContent::files`) the way `load_all` loads
/// a working tree's.
pub(crate) fn load_tree(files: Vec<git_tree::TreeFile>, options: &LoadOptions, check: &ObjectCheck) -> Loaded {
    let count = files.len();
    let per_file: Vec<LoadedFile> = files
        .into_par_iter()
        .map(|file| {
            let path = Arc::new(file.path);
            let read = check_size(&path, file.bytes.len() as u64, options).and_then(|()| decode(&path, file.bytes));
            parse_read(read, check, None, options.json)
        })
        .collect();
    gather(count, per_file)
}

type Read = Result<(Source, Vec<Diagnostic>), Box<Diagnostic>>;

/// What a file read yields: its objects (with what `json` asks of their JSON) and diagnostics,
/// parsed (or from the cache's entry), after what reading it found. Never fails: every problem
/// becomes a diagnostic.
fn parse_read(read: Read, check: &ObjectCheck, cache: Option<&cache::LoadCache>, json: KeepJson) -> LoadedFile {
    match read {
        Ok((source, mut diagnostics)) => {
            let mut loaded = match cache {
                Some(cache) => cache.parse(&source, check, json),
                None => keep_what_is_read(bundle::parse_bundle(&source, check), json),
            };
            diagnostics.append(&mut loaded.diagnostics);
            loaded.diagnostics = diagnostics;
            loaded
        }
        Err(diagnostic) => LoadedFile { objects: Vec::new(), diagnostics: vec![*diagnostic] },
    }
}

/// Parses `text` as if it were the file `path` (for tests and in-memory sources).
#[cfg(test)]
pub(crate) fn load_text(path: &std::path::Path, text: String, check: &ObjectCheck) -> LoadedFile {
    bundle::parse_bundle(&Source::new(Arc::new(path.to_path_buf()), text), check)
}

/// Parses a TAXII envelope's text (a page of a collection's objects) fetched from `url`.
pub(crate) fn load_envelope(url: &str, text: String, check: &ObjectCheck) -> LoadedFile {
    bundle::parse_envelope(&Source::new(Arc::new(PathBuf::from(url)), text), check)
}

/// Reads a file as UTF-8 text, refusing what is too large or not UTF-8. A byte-order mark is an
/// error (RFC 8259 forbids it) but the rest of the file is still checked.
fn read_text(path: &Arc<PathBuf>, options: &LoadOptions) -> Read {
    let unreadable = |e: std::io::Error| {
        Box::new(
            Diagnostic::error("unreadable-file", format!("cannot read this file: {e}"))
                .in_file(path.as_path())
                .with_help("check that the file exists and is readable"),
        )
    };
    // One open and one fstat per file: at tens of thousands of small files, system calls are
    // most of the cost of loading.
    let mut file = std::fs::File::open(path.as_path()).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    check_size(path, size, options)?;
    let mut bytes = Vec::with_capacity(size as usize + 1);
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(unreadable)?;
    decode(path, bytes)
}

fn check_size(path: &Arc<PathBuf>, size: u64, options: &LoadOptions) -> Result<(), Box<Diagnostic>> {
    if size <= options.max_file_size {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            "file-too-large",
            format!("file is {} MiB, over the limit of {} MiB", size >> 20, options.max_file_size >> 20),
        )
        .in_file(path.as_path())
        .with_help("split the bundle into smaller files, or raise `check.max_file_size_mib` in stixpress.toml"),
    ))
}

/// A file's bytes as UTF-8 text (a byte-order mark reported and skipped).
fn decode(path: &Arc<PathBuf>, bytes: Vec<u8>) -> Read {
    let mut diagnostics = Vec::new();
    let skipped = if bytes.starts_with(b"\xEF\xBB\xBF") {
        diagnostics.push(
            Diagnostic::error(
                "utf8-bom",
                "file starts with a UTF-8 byte-order mark, which JSON forbids (RFC 8259 §8.1)",
            )
            .in_file(path.as_path())
            .at(1, 1)
            .with_help("save the file as UTF-8 without a BOM"),
        );
        3
    } else {
        0
    };
    let text = match String::from_utf8(bytes[skipped..].to_vec()) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let prefix = std::str::from_utf8(&bytes[skipped..skipped + valid]).unwrap_or_default();
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(Box::new(
                Diagnostic::error("invalid-utf8", format!("invalid UTF-8 at byte {}", skipped + valid))
                    .in_file(path.as_path())
                    .at(line, column)
                    .with_help("STIX content must be UTF-8; re-encode the file"),
            ));
        }
    };
    Ok((Source::new(path.clone(), text), diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_by_rules_keeps_only_the_json_rules_read_and_named_uuids_are_found_first() {
        let text = r#"{"type": "bundle", "id": "bundle--6b7a5b52-3d0b-4c8e-9a51-2b0f3f1f7e01", "objects": [
            {"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--1a2b3c4d-0000-4000-8000-000000000001", "created": "2026-01-01T00:00:00Z", "definition_type": "statement", "definition": {"statement": "Ours"}},
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000002", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "pattern": "rule a { condition: true }", "pattern_type": "yara", "valid_from": "2026-01-01T00:00:00Z"},
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000003", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"},
            {"type": "note", "spec_version": "2.1", "id": "note--1a2b3c4d-0000-4000-8000-000000000004", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "content": "See malware--1a2b3c4d-0000-4000-8000-000000000009.", "object_refs": ["indicator--1a2b3c4d-0000-4000-8000-000000000003"]}
        ]}"#;
        let loaded = load_text(std::path::Path::new("b.json"), text.to_owned(), &|_, _| Vec::new());
        let options = LoadOptions { json: KeepJson::ReadByRules, ..LoadOptions::default() };
        let kept = keep_what_is_read(loaded, options.json);
        let raw_kept: Vec<bool> = kept.objects.iter().map(|o| !o.raw.is_empty()).collect();
        assert_eq!(raw_kept, [true, true, false, false]);
        let note = &kept.objects[3];
        let named: Vec<u128> = ["9", "3"]
            .iter()
            .map(|n| crate::stix::mentions::uuid_number(&format!("x--1a2b3c4d-0000-4000-8000-00000000000{n}")).unwrap())
            .collect();
        assert_eq!(note.named_uuids(), named.as_slice(), "found while the JSON was there");
    }

    #[test]
    fn compact_keeps_every_object_without_the_layout_and_as_written_keeps_the_bytes() {
        let text = "{\"type\": \"bundle\", \"id\": \"bundle--6b7a5b52-3d0b-4c8e-9a51-2b0f3f1f7e01\", \"objects\": [\n  {\n    \"type\": \"note\",\n    \"spec_version\": \"2.1\",\n    \"id\": \"note--1a2b3c4d-0000-4000-8000-000000000004\",\n    \"created\": \"2026-01-01T00:00:00Z\",\n    \"modified\": \"2026-01-01T00:00:00Z\",\n    \"content\": \"two  spaces, kept\",\n    \"object_refs\": [ \"indicator--1a2b3c4d-0000-4000-8000-000000000003\" ]\n  }\n]}";
        let load = |json| {
            let loaded = load_text(std::path::Path::new("b.json"), text.to_owned(), &|_, _| Vec::new());
            keep_what_is_read(loaded, json).objects.remove(0)
        };
        let written = load(KeepJson::AsWritten);
        assert!(written.raw.starts_with("{\n    \"type\": \"note\""), "{}", written.raw);
        let compact = load(KeepJson::Compact);
        assert!(compact.raw.starts_with("{\"type\":\"note\",\"spec_version\":\"2.1\""), "{}", compact.raw);
        assert!(compact.raw.contains("\"two  spaces, kept\""));
        assert_eq!(compact.content_hash, written.content_hash);
        assert_eq!(compact.named_uuids(), written.named_uuids());
    }

    #[test]
    fn each_reference_knows_its_json_pointer() {
        let text = r#"{"type": "note", "spec_version": "2.1", "id": "note--1a2b3c4d-0000-4000-8000-000000000004", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "content": "x", "created_by_ref": "identity--1a2b3c4d-0000-4000-8000-000000000001", "object_refs": ["indicator--1a2b3c4d-0000-4000-8000-000000000002", "indicator--1a2b3c4d-0000-4000-8000-000000000003"], "granular_markings": [{"selectors": ["content"], "marking_ref": "marking-definition--1a2b3c4d-0000-4000-8000-000000000005"}]}"#;
        let loaded = load_text(std::path::Path::new("n.json"), text.to_owned(), &|_, _| Vec::new());
        let mut pointers: Vec<String> = loaded.objects[0].refs.iter().map(|r| r.pointer()).collect();
        pointers.sort();
        assert_eq!(
            pointers,
            ["/created_by_ref", "/granular_markings/0/marking_ref", "/object_refs/0", "/object_refs/1"]
        );
    }
}
