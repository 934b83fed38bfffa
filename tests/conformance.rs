//! Agreement with the OASIS reference validator (`stix2-validator` 3.2.0) on a corpus of
//! objects of every type, valid and broken one way each (tests/conformance/objects/).
//!
//! Plain `cargo test` compares against the verdicts recorded in `reference.json`; with
//! `STIXPRESS_PEERS=1` (set by scripts/test) the validator is also run live through
//! `compare.py`, and a missing Python or validator is a failure.

use std::collections::BTreeMap;
use std::path::Path;

const CORPUS: &str = "tests/conformance/objects";
const REPOSITORY_CODES: &[&str] = &[
    "conflicting-versions",
    "created-changed",
    "creator-changed",
    "missing-reference",
    "revoked-reference",
    "relationship-pair",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn known_differences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join(CORPUS).join("known-differences.txt")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t').map(|(case, reason)| (case.trim().to_owned(), reason.trim().to_owned())))
        .collect()
}

/// stixpress's verdict per case file: valid unless an error names the file.
fn stixpress_verdicts() -> BTreeMap<String, bool> {
    let output = assert_cmd::Command::cargo_bin("stixpress")
        .unwrap()
        .current_dir(root())
        .args(["--root", CORPUS, "check", "--format", "json", &format!("{CORPUS}/corpus")])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    let mut verdicts = BTreeMap::new();
    for entry in std::fs::read_dir(root().join(CORPUS).join("corpus")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(case) = name.strip_suffix(".json") {
            verdicts.insert(case.to_owned(), true);
        }
    }
    for d in report["diagnostics"].as_array().unwrap() {
        // Repository rules look across files (every case reuses the same TLP ids); the
        // reference validator checks one file at a time.
        let repository_rule = REPOSITORY_CODES.iter().any(|c| d["code"] == *c);
        if d["severity"] == "error" && !repository_rule {
            let file = d["file"].as_str().unwrap_or_default();
            let case = Path::new(file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            verdicts.insert(case, false);
        }
    }
    verdicts
}

#[test]
fn stixpress_agrees_with_the_recorded_reference_verdicts() {
    let reference: BTreeMap<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(root().join(CORPUS).join("reference.json")).expect("reference.json"),
    )
    .expect("reference json");
    assert!(reference.len() >= 300, "the corpus has at least 300 cases");
    let ours = stixpress_verdicts();
    let known = known_differences();
    let mut disagreements = Vec::new();
    for (case, verdict) in &reference {
        let theirs = verdict["valid"].as_bool().expect("valid flag");
        let mine = *ours.get(case).unwrap_or_else(|| panic!("case {case} missing from the corpus folder"));
        if mine != theirs && !known.contains_key(case) {
            disagreements.push(format!("{case}: stix2-validator says {theirs}, stixpress says {mine}"));
        }
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn stixpress_agrees_with_the_live_reference_validator() {
    if std::env::var_os("STIXPRESS_PEERS").is_none() {
        return;
    }
    let python = std::env::var("STIXPRESS_PYTHON")
        .expect("STIXPRESS_PEERS is set: STIXPRESS_PYTHON must name the peers' python");
    let binary = assert_cmd::cargo::cargo_bin("stixpress");
    let status = std::process::Command::new(python)
        .current_dir(root())
        .arg(format!("{CORPUS}/compare.py"))
        .arg(binary)
        .arg("--quiet")
        .status()
        .expect("compare.py runs (python with stix2-validator installed)");
    assert!(status.success(), "compare.py found disagreements with stix2-validator (see its output above)");
}
