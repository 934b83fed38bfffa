//! Hostile and broken files: each gets a clear diagnostic at its location, the run exits 1,
//! the other files are still checked, and nothing panics.

mod common;

use common::{bundle, indicator, with_code, Repo};

/// A repository with one good file and one bad one; returns the bad file's diagnostics.
fn check_with_bad_file(name: &str, contents: &[u8]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    repo.write("content/good.json", bundle(&[indicator("cd3f")]));
    repo.write(&format!("content/{name}"), contents);
    let (code, report) = repo.check_json(&[]);
    assert_eq!(report["files"], 2, "both files are looked at: {report}");
    assert_eq!(report["objects"], 1, "the good file's object is still loaded: {report}");
    (code, report)
}

fn only_diagnostic<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    let found = with_code(report, code);
    assert_eq!(found.len(), 1, "expected one `{code}` in {report}");
    assert!(found[0]["file"].as_str().unwrap().ends_with(".json"));
    found[0]
}

#[test]
fn a_file_that_is_not_json_is_reported_at_its_first_bad_character() {
    let (code, report) = check_with_bad_file("bad.json", b"{\n  \"type\": \"bundle\",\n  oops\n}");
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "json-syntax");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(3)));
}

#[test]
fn truncated_json_says_the_file_ends_early() {
    let (code, report) = check_with_bad_file("cut.json", &bundle(&[indicator("cd40")]).as_bytes()[..200]);
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "json-syntax");
    assert!(d["help"].as_str().unwrap().contains("truncated"), "{d}");
}

#[test]
fn a_byte_order_mark_is_an_error_but_the_file_is_still_checked() {
    let text = format!("\u{feff}{}", bundle(&[indicator("cd41")]));
    let repo = Repo::new();
    repo.write("content/bom.json", text);
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "utf8-bom");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(1), Some(1)));
    assert_eq!(report["objects"], 1);
}

#[test]
fn invalid_utf8_is_located() {
    let mut bytes = b"{\n  \"type\": \"bundle\", \"x\": \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\"}");
    let (code, report) = check_with_bad_file("latin1.json", &bytes);
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "invalid-utf8");
    assert_eq!(d["line"], 2);
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it() {
    let repo = Repo::new();
    repo.write("content/good.json", bundle(&[indicator("cd3f")]));
    let big = repo.path().join("content/huge.json");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(200 * 1024 * 1024).unwrap();
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "file-too-large");
    assert!(d["message"].as_str().unwrap().contains("200 MiB"), "{d}");
    assert_eq!(report["objects"], 1);
}

#[test]
fn ten_thousand_levels_of_nesting_are_an_error_not_a_crash() {
    let deep = format!(
        "{{\"type\": \"bundle\", \"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\", \"objects\": [{{\"type\": \"note\", \"x_deep\": {}{}}}]}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (code, report) = check_with_bad_file("deep.json", deep.as_bytes());
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "json-too-deep");
    assert_eq!(d["line"], 1);
}

#[test]
fn objects_that_is_not_an_array_is_reported_where_it_is() {
    let text = "{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\n  \"objects\": {\"a\": 1}\n}";
    let (code, report) = check_with_bad_file("shape.json", text.as_bytes());
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "bundle-objects-not-array");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(4), Some(14)));
}

#[test]
fn an_id_that_looks_like_a_path_is_rejected_and_never_used() {
    let mut object = indicator("cd42");
    object["id"] = "indicator--../../x".into();
    let text = bundle(&[object]);
    let line = text.lines().position(|l| l.contains("indicator--../../x")).unwrap() + 1;
    let (code, report) = check_with_bad_file("path.json", text.as_bytes());
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "invalid-id");
    assert_eq!(d["pointer"], "/objects/0/id");
    assert_eq!(d["line"].as_u64(), Some(line as u64));
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_reported_and_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.json");
    std::fs::write(&secret, bundle(&[indicator("cd43")])).unwrap();
    let repo = Repo::new();
    repo.write("content/good.json", bundle(&[indicator("cd3f")]));
    std::os::unix::fs::symlink(&secret, repo.path().join("content/link.json")).unwrap();
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "symlink-outside-repository");
    assert!(d["file"].as_str().unwrap().ends_with("link.json"));
    assert_eq!(report["objects"], 1, "the linked file is not read");
}

#[test]
fn duplicate_properties_are_an_error() {
    let text = "{\"type\": \"bundle\", \"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\", \"objects\": [\n {\"type\": \"note\", \"type\": \"report\"}]}";
    let (code, report) = check_with_bad_file("dup.json", text.as_bytes());
    assert_eq!(code, 1);
    let d = only_diagnostic(&report, "duplicate-property");
    assert_eq!(d["line"], 2);
}

#[test]
fn a_lone_object_is_accepted_with_a_warning() {
    let repo = Repo::new();
    repo.write("content/lone.json", serde_json::to_string_pretty(&indicator("cd44")).unwrap());
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(with_code(&report, "lone-object").len(), 1);
    assert_eq!(report["objects"], 1);
}

#[test]
fn a_top_level_array_is_not_a_bundle() {
    let (code, report) = check_with_bad_file("array.json", b"[1, 2]");
    assert_eq!(code, 1);
    only_diagnostic(&report, "not-a-bundle");
}

#[test]
fn a_pattern_of_a_hundred_thousand_qualifiers_is_an_error_not_a_crash() {
    // Each qualifier wraps the expression once more: walking so deep a tree overflowed the stack.
    let mut hostile = indicator("0bad");
    let pattern = format!("([ipv4-addr:value = '198.51.100.7']){}", " REPEATS 2 TIMES".repeat(100_000));
    hostile["pattern"] = serde_json::Value::String(pattern);
    let repo = Repo::new();
    repo.write("content/good.json", bundle(&[indicator("cd3f")]));
    repo.write("content/hostile.json", bundle(&[hostile]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1, "{report}");
    let d = only_diagnostic(&report, "pattern-syntax");
    assert!(d["message"].as_str().unwrap().contains("nest deeper"), "{d}");
    assert_eq!(report["objects"], 2, "both indicators are loaded: {report}");
}

#[test]
fn a_new_version_under_another_creator_is_an_error() {
    // One pull request "versions" the community's indicator as another identity: the spec lets
    // only the creator version an object, so the rewrite cannot pass as the same object.
    let identity = |n: u32, name: &str| {
        common::object("identity", n, serde_json::json!({"name": name, "identity_class": "organization"}))
    };
    let version = |modified: &str, creator: Option<&str>, pattern: &str| {
        let mut object = common::indicator("cd3f");
        object["modified"] = modified.into();
        object["pattern"] = pattern.into();
        if let Some(creator) = creator {
            object["created_by_ref"] = creator.into();
        }
        object
    };
    let (community, other) = (common::id("identity", 1), common::id("identity", 2));
    let repo = Repo::new();
    let first = version("2025-01-01T00:00:00.000Z", Some(&community), "[ipv4-addr:value = '198.51.100.1']");
    let own = version("2025-02-01T00:00:00.000Z", Some(&community), "[ipv4-addr:value = '198.51.100.2']");
    repo.write("content/a.json", bundle(&[identity(1, "Community"), identity(2, "Other"), first, own]));
    let (code, report) = repo.check_json(&[]);
    assert!(with_code(&report, "creator-changed").is_empty(), "the creator versions its own object: {report}");
    assert_eq!(code, 0, "{report}");
    for (creator, pointer) in [(Some(other.as_str()), "/created_by_ref"), (None, "")] {
        let rewrite = version("2025-03-01T00:00:00.000Z", creator, "[ipv4-addr:value = '10.0.0.1']");
        repo.write("content/pull.json", bundle(&[rewrite]));
        let (code, report) = repo.check_json(&[]);
        assert_eq!(code, 1, "{report}");
        let error = only_diagnostic(&report, "creator-changed");
        assert!(error["file"].as_str().unwrap().ends_with("pull.json"), "{error}");
        assert_eq!(error["pointer"].as_str().unwrap(), format!("/objects/0{pointer}"), "{error}");
        assert!(error["message"].as_str().unwrap().contains(&format!("`{community}` in its first version")), "{error}");
    }
}
