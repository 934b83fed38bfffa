use std::path::Path;

use super::*;
use crate::load::load_text;

fn objects(bundle: &str) -> Vec<StixObject> {
    load_text(Path::new("t.json"), bundle.to_owned(), &|_, _| Vec::new()).objects
}

fn malware(id: &str, modified: &str, extra: &str) -> String {
    format!(
        r#"{{"type":"malware","spec_version":"2.1","id":"malware--{id}","created":"2020-01-01T00:00:00Z","modified":"{modified}","name":"M{id}","is_family":true{extra}}}"#
    )
}

fn bundle(items: &[String]) -> String {
    format!(
        r#"{{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[{}]}}"#,
        items.join(",")
    )
}

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";
const D: &str = "00000000-0000-4000-8000-00000000000d";
const E: &str = "00000000-0000-4000-8000-00000000000e";

#[test]
fn each_changed_object_is_counted_once_by_what_its_new_version_does() {
    let t1 = "2021-01-01T00:00:00Z";
    let t2 = "2022-01-01T00:00:00Z";
    let base = objects(&bundle(&[malware(A, t1, ""), malware(B, t1, ""), malware(C, t1, ""), malware(D, t1, "")]));
    let head = objects(&bundle(&[
        malware(A, t1, ""),
        malware(B, t2, r#","description":"new""#),
        malware(C, t2, r#","revoked":true"#),
        malware(D, t2, r#","x_mitre_deprecated":true"#),
        malware(E, t1, ""),
    ]));
    let changes = Changes::between(&base, &head);
    let counted: Vec<usize> = Kind::ALL.iter().map(|k| changes.count(*k)).collect();
    assert_eq!(counted, [1, 1, 1, 1, 0]);
    assert_eq!(changes.unchanged, 1);
    let modified = changes.of(Kind::Modified).next().unwrap();
    assert_eq!(modified.properties, ["description"]);
    assert!(!modified.same_version);

    let removed = Changes::between(&head, &base);
    assert_eq!(removed.count(Kind::Removed), 1);
}

#[test]
fn a_change_without_a_new_modified_is_flagged() {
    let t1 = "2021-01-01T00:00:00Z";
    let base = objects(&bundle(&[malware(A, t1, "")]));
    let head = objects(&bundle(&[malware(A, t1, r#","description":"edited in place""#)]));
    let changes = Changes::between(&base, &head);
    assert!(changes.items[0].same_version);
}

#[test]
fn the_latest_version_is_compared_when_a_file_holds_several() {
    let (t1, t2) = ("2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z");
    let base = objects(&bundle(&[malware(A, t2, ""), malware(A, t1, "")]));
    let head = objects(&bundle(&[malware(A, t1, ""), malware(A, t2, "")]));
    assert!(Changes::between(&base, &head).items.is_empty());
}

#[test]
fn markdown_escapes_contributor_text() {
    assert_eq!(markdown::escape("<img src=x onerror=alert(1)>"), "\\<img src=x onerror=alert(1)\\>");
    assert_eq!(markdown::escape("a\nb | c"), "a b \\| c");
}
