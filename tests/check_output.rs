//! What `check` prints for a reviewer, whatever a contributor sends: linear cost on one huge
//! line and in wide arrays, at most N diagnostics per code with a summary per code, ATT&CK's
//! relationship types known, timestamps judged against the build time, and control characters
//! from contributors escaped in every format.

mod common;

use common::{bundle, id, object, with_code, Repo};
use serde_json::json;

/// A one-line bundle of `n` empty objects.
fn one_line(n: usize) -> String {
    format!(
        "{{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\"objects\":[{}]}}",
        vec!["{}"; n].join(",")
    )
}

fn listed(text: &str, code: &str) -> usize {
    text.lines().filter(|l| l.starts_with(&format!("error[{code}]:"))).count()
}

fn human(repo: &Repo, extra: &[&str]) -> String {
    let output = repo.stixpress().arg("check").args(extra).output().expect("run");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn many_diagnostics_on_one_line_cost_linear_time_with_their_columns() {
    let repo = Repo::new();
    repo.write("content/one-line.json", one_line(100_000));
    let started = std::time::Instant::now();
    let (code, report) = repo.check_json(&[]);
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
    assert_eq!(code, 1);
    let found = with_code(&report, "missing-property");
    assert_eq!(found.len(), 100_000);
    let last = found.iter().find(|d| d["pointer"] == "/objects/99999").expect("the last object");
    assert_eq!((last["line"].as_u64(), last["column"].as_u64()), (Some(1), Some(81 + 3 * 99_999)));
    let text = human(&repo, &[]);
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 400, "the human format copied a whole line ({longest} characters)");
}

#[test]
fn a_million_references_from_one_report_are_placed_in_one_pass() {
    let refs: Vec<String> = (0..200_000).map(|i| id("indicator", 100_000 + i)).collect();
    let report =
        object("report", 1, json!({"name": "wide", "published": "2025-01-01T00:00:00.000Z", "object_refs": refs}));
    let repo = Repo::new();
    repo.write(
        "content/wide.json",
        serde_json::to_string(
            &json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [report]}),
        )
        .unwrap(),
    );
    let started = std::time::Instant::now();
    let (_, out) = repo.check_json(&[]);
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
    let missing = with_code(&out, "missing-reference");
    assert_eq!(missing.len(), 200_000);
    let last = missing.iter().find(|d| d["pointer"] == "/objects/0/object_refs/199999").expect("the last one");
    let text = std::fs::read_to_string(repo.path().join("content/wide.json")).unwrap();
    let at = text.find(&format!("\"{}\"", refs[199_999])).unwrap();
    assert_eq!(last["column"].as_u64(), Some(at as u64 + 1));
}

#[test]
fn the_human_format_lists_n_per_code_then_a_summary_and_all_lists_everything() {
    let repo = Repo::new();
    repo.write("content/one-line.json", one_line(30));
    let text = human(&repo, &[]);
    assert_eq!(listed(&text, "missing-property"), 10, "{text}");
    assert!(text.contains("summary by code:"), "{text}");
    assert!(text.contains("30 error[missing-property]: e.g. content/one-line.json:1:"), "{text}");
    assert!(text.contains("20 more diagnostics not shown (at most 10 per code): `stixpress check --all`"), "{text}");
    assert!(text.trim_end().ends_with("checked 1 file, 0 objects: 30 errors, 0 warnings"), "{text}");

    let all = human(&repo, &["--all"]);
    assert_eq!(listed(&all, "missing-property"), 30);
    assert!(!all.contains("not shown"));

    repo.write("stixpress.toml", "[check]\nmax_per_code = 3\n");
    let text = human(&repo, &[]);
    assert_eq!(listed(&text, "missing-property"), 3, "{text}");
    assert!(text.contains("27 more diagnostics not shown (at most 3 per code)"));
}

fn relationship(n: u32, kind: &str, source: &str, target: &str) -> serde_json::Value {
    object("relationship", n, json!({"relationship_type": kind, "source_ref": source, "target_ref": target}))
}

#[test]
fn attack_relationship_types_and_the_community_s_own_are_known() {
    let technique = |n| object("attack-pattern", n, json!({"name": format!("technique {n}")}));
    let (parent, child) = (id("attack-pattern", 1), id("attack-pattern", 2));
    let malware = object("malware", 3, json!({"name": "m", "is_family": true}));
    let objects = vec![
        technique(1),
        technique(2),
        malware,
        relationship(10, "subtechnique-of", &child, &parent),
        relationship(11, "revoked-by", &id("malware", 3), &parent),
        relationship(12, "detects", &child, &parent),
        relationship(13, "exploits-weakly", &id("malware", 3), &parent),
    ];
    let repo = Repo::new();
    repo.write("content/attack.json", bundle(&objects));
    let (_, report) = repo.check_json(&[]);
    let pairs = with_code(&report, "relationship-pair");
    assert_eq!(pairs.len(), 1, "{report}");
    assert!(pairs[0]["message"].as_str().unwrap().contains("exploits-weakly"));

    repo.write("stixpress.toml", "[check]\nrelationship_types = [\"exploits-weakly\"]\n");
    let (_, report) = repo.check_json(&[]);
    assert!(with_code(&report, "relationship-pair").is_empty(), "{report}");

    repo.write("stixpress.toml", "[check]\nrelationship_types = [\"Not Valid\"]\n");
    let output = repo.stixpress().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Not Valid"));
}

#[test]
fn timestamps_after_the_build_time_or_before_1970_are_warnings() {
    let report = |n, published: &str| {
        object("report", n, json!({"name": "r", "published": published, "object_refs": [id("report", 1)]}))
    };
    let repo = Repo::new();
    let mut far = report(2, "9999-12-31T00:00:00.000Z");
    far["created"] = json!("9999-12-31T00:00:00.000Z");
    far["modified"] = json!("9999-12-31T00:00:00.000Z");
    let objects = vec![
        report(1, "2025-06-01T00:00:00.000Z"),
        far,
        report(3, "1969-12-31T23:59:59.000Z"),
        report(4, "2026-01-01T20:00:00.000Z"),
    ];
    repo.write("content/times.json", bundle(&objects));
    let check = |extra: &[(&str, &str)]| {
        let mut command = repo.stixpress();
        command.args(["check", "--format", "json"]).env("SOURCE_DATE_EPOCH", "1767225600"); // 2026-01-01
        for (k, v) in extra {
            command.env(k, v);
        }
        serde_json::from_slice::<serde_json::Value>(&command.output().unwrap().stdout).unwrap()
    };
    let out = check(&[]);
    let future = with_code(&out, "timestamp-in-future");
    let pointers: Vec<&str> = future.iter().map(|d| d["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/objects/1/created", "/objects/1/modified", "/objects/1/published"], "{out}");
    let early = with_code(&out, "timestamp-before-1970");
    assert_eq!(early.len(), 1);
    assert_eq!(early[0]["pointer"], "/objects/2/published");

    repo.write("stixpress.toml", "[check]\nfuture_tolerance_hours = 0\n");
    let out = check(&[]);
    assert_eq!(with_code(&out, "timestamp-in-future").len(), 4, "{out}");
}

#[test]
fn control_characters_from_contributors_are_escaped_in_every_format() {
    let repo = Repo::new();
    let hostile =
        object("malware", 1, json!({"name": "x", "is_family": true, "first_seen": "\u{1b}[2J\u{7}\u{9b}now\u{202e}"}));
    repo.write("content/evil\u{1b}]0;title\u{7}\u{202e}.json", bundle(&[hostile]));
    for format in ["human", "github", "sarif", "json"] {
        let output = repo.stixpress().args(["check", "--format", format]).output().unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("evil") && text.contains("now"), "{format}: {text}");
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(c), "{format} printed {c:?} raw: {text}");
        }
    }
}
