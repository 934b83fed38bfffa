use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::stix::SpecVersion;

const BUNDLE: &str = r#"{"type": "bundle", "id": "bundle--6b7a5b52-3d0b-4c8e-9a51-2b0f3f1f7e01", "extra": 1, "objects": [
  {"type": "malware", "spec_version": "2.1", "id": "malware--1a2b3c4d-0000-4000-8000-000000000001", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-02T00:00:00Z", "name": "Wiper", "aliases": ["W", "Wipe"], "is_family": true,
   "created_by_ref": "identity--1a2b3c4d-0000-4000-8000-000000000002", "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"],
   "external_references": [{"source_name": "acme", "external_id": "ACME-1"}], "description": "Seen with tool--1a2b3c4d-0000-4000-8000-000000000003."},
  {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000004", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z", "revoked": true, "bogus_property": "é"},
  {"type": "relationship", "spec_version": "2.1", "id": "relationship--1a2b3c4d-0000-4000-8000-000000000005", "created": "2026-01-01T00:00:00Z", "modified": "2030-06-01T00:00:00Z", "relationship_type": "indicates", "source_ref": "indicator--1a2b3c4d-0000-4000-8000-000000000004", "target_ref": "malware--1a2b3c4d-0000-4000-8000-000000000001"},
  {"type": "malware", "id": "malware--nope"},
  17
]}"#;

/// 2027-01-01T00:00:00Z and 2031-01-01T00:00:00Z, in seconds: before and after the record time
/// in 2030 that `BUNDLE` holds.
const BEFORE_2030: i64 = 1_798_761_600;
const AFTER_2030: i64 = 1_924_992_000;

fn source(text: &str) -> Source {
    Source::new(Arc::new(PathBuf::from("content/b.json")), text.to_owned())
}

fn check_at(threshold: i64) -> impl Fn(&Value, SpecVersion) -> Vec<crate::diag::Finding> + Sync {
    let clock = crate::validate::Clock { now: threshold, tolerance_seconds: 0 };
    move |value: &Value, version| crate::validate::check_object_at(value, version, Some(clock))
}

/// Everything a load yields, to compare two (the objects have no `PartialEq`).
fn shown(loaded: &LoadedFile) -> String {
    format!("{:?}\n{:?}", loaded.objects, loaded.diagnostics)
}

#[test]
fn an_entry_reads_back_as_what_parsing_the_file_yields() {
    let source = source(BUNDLE);
    let parsed = bundle::parse_bundle(&source, &check_at(AFTER_2030));
    assert_eq!(parsed.objects.len(), 3);
    assert!(parsed.diagnostics.iter().any(|d| d.code == "bundle-property"), "{:?}", parsed.diagnostics);
    assert!(parsed.objects.iter().any(|o| !o.refs.is_empty() && !o.named.is_empty() && !o.aliases.is_empty()));
    assert!(parsed.objects.iter().any(|o| o.referenced_only > 0), "some UUIDs are named as references only");
    let bytes = entry::encode(&parsed, &source, AFTER_2030, 0).expect("kept");
    let read = entry::decode(&bytes, &source, AFTER_2030, KeepJson::AsWritten).expect("read back");
    assert_eq!(shown(&read), shown(&parsed));
    assert!(read.objects.iter().all(|o| Arc::ptr_eq(&o.file, &source.path)));
}

#[test]
fn a_damaged_or_cut_entry_is_passed_over() {
    let source = source(BUNDLE);
    let parsed = bundle::parse_bundle(&source, &check_at(AFTER_2030));
    let bytes = entry::encode(&parsed, &source, AFTER_2030, 0).unwrap();
    for at in (0..bytes.len()).step_by(7) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x20;
        assert!(entry::decode(&damaged, &source, AFTER_2030, KeepJson::AsWritten).is_none(), "byte {at}");
    }
    for len in (0..bytes.len()).step_by(5) {
        assert!(entry::decode(&bytes[..len], &source, AFTER_2030, KeepJson::AsWritten).is_none(), "cut at {len}");
    }
    // An entry of another text (offsets that fall elsewhere) is not taken for this one.
    let shorter = self::source(&BUNDLE[..BUNDLE.len() / 2]);
    assert!(entry::decode(&bytes, &shorter, AFTER_2030, KeepJson::AsWritten).is_none());
}

#[test]
fn an_entry_holds_at_another_build_time_unless_a_record_time_lies_between() {
    let dir = tempfile::tempdir().unwrap();
    let source = source(BUNDLE);
    let fresh = |threshold| bundle::parse_bundle(&source, &check_at(threshold));
    let through_cache = |threshold| {
        let cache = LoadCache::open(dir.path(), threshold).unwrap();
        let loaded = cache.parse(&source, &check_at(threshold), KeepJson::AsWritten);
        (loaded, cache.read())
    };
    let future = |loaded: &LoadedFile| loaded.diagnostics.iter().filter(|d| d.code == "timestamp-in-future").count();
    // Checked in 2027, the relationship's 2030 `modified` is in the future.
    let (first, read) = through_cache(BEFORE_2030);
    assert_eq!((future(&first), read), (1, 0));
    assert_eq!(shown(&first), shown(&fresh(BEFORE_2030)));
    let (again, read) = through_cache(BEFORE_2030);
    assert_eq!((shown(&again), read), (shown(&first), 1));
    // In 2031 it is not: the entry is not taken, and a new one is made.
    let (later, read) = through_cache(AFTER_2030);
    assert_eq!((future(&later), read), (0, 0));
    assert_eq!(shown(&later), shown(&fresh(AFTER_2030)));
    // A file whose record times are all before both times keeps its entry.
    let old = self::source(&BUNDLE.replace("2030-06-01", "2026-06-01"));
    let cache = LoadCache::open(dir.path(), BEFORE_2030).unwrap();
    cache.parse(&old, &check_at(BEFORE_2030), KeepJson::AsWritten);
    let cache = LoadCache::open(dir.path(), AFTER_2030).unwrap();
    let loaded = cache.parse(&old, &check_at(AFTER_2030), KeepJson::AsWritten);
    assert_eq!((cache.read(), shown(&loaded)), (1, shown(&bundle::parse_bundle(&old, &check_at(AFTER_2030)))));
}

#[test]
fn entries_no_file_of_the_run_used_are_removed_and_others_are_left() {
    let dir = tempfile::tempdir().unwrap();
    let cache = LoadCache::open(dir.path(), BEFORE_2030).unwrap();
    cache.parse(&source(BUNDLE), &check_at(BEFORE_2030), KeepJson::AsWritten);
    cache.parse(&source(&BUNDLE.replace("Wiper", "Eraser")), &check_at(BEFORE_2030), KeepJson::AsWritten);
    let entries = dir.path().join(FOLDER);
    std::fs::write(entries.join("notes.txt"), "kept").unwrap();
    std::fs::write(entries.join("0a.123.4.part"), "half").unwrap();
    let next = LoadCache::open(dir.path(), BEFORE_2030).unwrap();
    next.parse(&source(BUNDLE), &check_at(BEFORE_2030), KeepJson::AsWritten);
    assert_eq!((next.read(), next.prune()), (1, 2));
    let mut left: Vec<String> =
        std::fs::read_dir(&entries).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.contains(&"notes.txt".to_owned()));
}

#[test]
fn an_entry_is_keyed_by_the_path_as_well_as_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let cache = LoadCache::open(dir.path(), BEFORE_2030).unwrap();
    cache.parse(&source(BUNDLE), &check_at(BEFORE_2030), KeepJson::AsWritten);
    let moved = Source::new(Arc::new(PathBuf::from("content/moved.json")), BUNDLE.to_owned());
    let loaded = cache.parse(&moved, &check_at(BEFORE_2030), KeepJson::AsWritten);
    assert_eq!(cache.read(), 0);
    assert!(loaded.diagnostics.iter().all(|d| d.location.file == Path::new("content/moved.json")));
}

#[test]
fn an_entry_keeps_of_each_object_json_what_a_parse_keeps_in_every_mode() {
    // The indicator names an engine, so the rules read its JSON again.
    let text = BUNDLE.replace("\"pattern_type\": \"stix\"", "\"pattern_type\": \"yara\"");
    let source = source(&text);
    for json in [KeepJson::AsWritten, KeepJson::Compact, KeepJson::ReadByRules, KeepJson::ReadByRulesAndRedaction] {
        let dir = tempfile::tempdir().unwrap();
        let parsed = keep_what_is_read(bundle::parse_bundle(&source, &check_at(BEFORE_2030)), json);
        let cache = LoadCache::open(dir.path(), BEFORE_2030).unwrap();
        let first = cache.parse(&source, &check_at(BEFORE_2030), json);
        let again = cache.parse(&source, &check_at(BEFORE_2030), json);
        assert_eq!(cache.read(), 1, "{json:?}");
        assert_eq!(shown(&first), shown(&parsed), "{json:?}");
        assert_eq!(shown(&again), shown(&parsed), "{json:?}");
        let kept: Vec<bool> = again.objects.iter().map(|o| !o.raw.is_empty()).collect();
        // The malware has a `created_by_ref`, which an audience may redact.
        let expected = match json {
            KeepJson::ReadByRules => [false, true, false],
            KeepJson::ReadByRulesAndRedaction => [true, true, false],
            _ => [true; 3],
        };
        assert_eq!(kept, expected, "{json:?}");
    }
}
