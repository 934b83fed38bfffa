//! The command line as a contributor and a CI job meet it: formats, exit codes, config.

mod common;

use common::{bundle, indicator, Repo};

fn broken_repo() -> Repo {
    let repo = Repo::new();
    let mut object = indicator("cd3f");
    object["modified"] = "2023-01-01T00:00:00.000Z".into();
    repo.write("content/a.json", bundle(&[object]));
    repo
}

#[test]
fn a_clean_repository_exits_zero_and_says_so() {
    let repo = Repo::new();
    repo.write("content/a.json", bundle(&[indicator("cd3f")]));
    let out = repo.stixpress().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("checked 1 file, 1 object: 0 errors, 0 warnings"), "{text}");
}

#[test]
fn human_output_shows_the_line_and_a_caret() {
    let repo = broken_repo();
    let out = repo.stixpress().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("error[modified-before-created]"), "{text}");
    assert!(text.contains("--> content/a.json:"), "{text}");
    assert!(text.contains("\"modified\": \"2023-01-01T00:00:00.000Z\""), "{text}");
    assert!(text.contains('^'), "{text}");
}

#[test]
fn json_output_follows_the_documented_schema() {
    let (code, report) = broken_repo().check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(report["errors"], 1);
    let d = &report["diagnostics"][0];
    for key in ["severity", "code", "message", "file", "line", "column", "object_id", "pointer"] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!(d["pointer"], "/objects/0/modified");
    assert_eq!(d["object_id"], "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
}

#[test]
fn github_output_is_one_annotation_per_diagnostic() {
    let out = broken_repo().stixpress().args(["check", "--format", "github"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().next().unwrap();
    assert!(line.starts_with("::error file=content/a.json,line="), "{line}");
    assert!(line.contains("title=modified-before-created::"), "{line}");
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let out = broken_repo().stixpress().args(["check", "--format", "sarif"]).output().unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "modified-before-created");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "content/a.json");
}

#[test]
fn paths_on_the_command_line_need_no_config() {
    let repo = broken_repo();
    let (code, report) = repo.check_json(&["content/a.json"]);
    assert_eq!((code, report["files"].as_u64()), (1, Some(1)));
}

#[test]
fn an_unknown_config_key_stops_the_run_with_exit_2_naming_it() {
    let repo = broken_repo();
    repo.write("stixpress.toml", "[check]\nmissing_refs = \"error\"\n");
    let out = repo.stixpress().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("missing_refs"), "{err}");
}

#[test]
fn a_path_that_does_not_exist_is_exit_2() {
    let out = Repo::new().stixpress().args(["check", "nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_arguments_are_exit_2() {
    let out = Repo::new().stixpress().args(["check", "--format", "xml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_references_can_be_made_errors() {
    let repo = Repo::new();
    let mut object = indicator("cd3f");
    object["created_by_ref"] = "identity--0b5b5a8a-8c31-4f6b-a3b5-43a3cbbd1e8f".into();
    repo.write("content/a.json", bundle(&[object]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!((code, report["warnings"].as_u64()), (0, Some(1)));
    repo.write("stixpress.toml", "[check]\nmissing_references = \"error\"\n");
    let (code, report) = repo.check_json(&[]);
    assert_eq!((code, report["errors"].as_u64()), (1, Some(1)));
}

#[test]
fn the_same_version_with_different_content_names_both_files() {
    let repo = Repo::new();
    repo.write("content/a.json", bundle(&[indicator("cd3f")]));
    let mut changed = indicator("cd3f");
    changed["name"] = "changed without a new modified".into();
    repo.write("content/b.json", bundle(&[changed]));
    repo.write("content/c.json", bundle(&[indicator("cd3f")]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let conflicts = common::with_code(&report, "conflicting-versions");
    assert_eq!(conflicts.len(), 1, "identical copies are fine: {report}");
    assert_eq!(conflicts[0]["file"], "content/b.json");
    assert!(conflicts[0]["message"].as_str().unwrap().contains("content/a.json"));
}

#[test]
fn copies_made_to_hash_alike_under_a_fast_hash_still_conflict() {
    // Two copies of one indicator version with different patterns, padded to collide under the
    // 64-bit hash copies were once told apart by (tests/fixtures/collision/README.md).
    let repo = Repo::new();
    for name in ["a.json", "b.json"] {
        repo.write(&format!("content/{name}"), std::fs::read(common::fixture_path("collision").join(name)).unwrap());
    }
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1, "{report}");
    let conflicts = common::with_code(&report, "conflicting-versions");
    assert_eq!(conflicts.len(), 1, "{report}");
}

#[test]
fn the_example_content_checks_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = assert_cmd::Command::cargo_bin("stixpress")
        .unwrap()
        .current_dir(root)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["warnings"], 0, "{report}");
}

#[test]
fn the_report_is_the_same_bytes_every_run() {
    let repo = Repo::new();
    for i in 0..40 {
        let mut object = indicator(&format!("{:04x}", 0xa000 + i));
        object["created_by_ref"] = "identity--0b5b5a8a-8c31-4f6b-a3b5-43a3cbbd1e8f".into();
        object["pattern"] = format!("[ipv4-addr:value = '198.51.100.{i}'] AND [car-key:value = 'x']").into();
        repo.write(&format!("content/{}/{i}.json", i % 7), bundle(&[object]));
    }
    let run = || repo.stixpress().args(["check", "--format", "json"]).output().unwrap().stdout;
    let first = run();
    assert!(first.len() > 1000);
    for _ in 0..3 {
        assert_eq!(run(), first, "parallel loading must not change the report");
    }
}
