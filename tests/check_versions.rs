//! STIX 2.0 and 2.1 content side by side: each object is checked by its own version's rules.

mod common;

use common::{with_code, Repo};
use serde_json::json;

fn bundle_20(objects: &[serde_json::Value]) -> String {
    json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "spec_version": "2.0", "objects": objects})
        .to_string()
}

fn malware_20() -> serde_json::Value {
    json!({
        "type": "malware",
        "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc",
        "created": "2017-05-31T21:30:19.735Z",
        "modified": "2017-05-31T21:30:19.735Z",
        "name": "Example",
        "labels": ["trojan"]
    })
}

#[test]
fn a_stix_20_object_in_a_20_bundle_needs_no_spec_version_or_is_family() {
    let repo = Repo::new();
    repo.write("content/a.json", bundle_20(&[malware_20()]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn stix_20_requires_labels_on_malware() {
    let repo = Repo::new();
    let mut malware = malware_20();
    malware.as_object_mut().unwrap().remove("labels");
    repo.write("content/a.json", bundle_20(&[malware]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let missing = with_code(&report, "missing-property");
    assert!(missing[0]["message"].as_str().unwrap().contains("labels"), "{report}");
}

#[test]
fn stix_20_ids_are_version_4_uuids() {
    let repo = Repo::new();
    let mut malware = malware_20();
    malware["id"] = "malware--31b940d4-6f7f-159a-80ea-9c1f17b58abc".into();
    repo.write("content/a.json", bundle_20(&[malware]));
    let (_, report) = repo.check_json(&[]);
    assert_eq!(with_code(&report, "invalid-id").len(), 1, "{report}");
}

#[test]
fn the_same_malware_in_a_bundle_without_spec_version_is_read_as_20_as_the_reference_validator_does() {
    let repo = Repo::new();
    let text =
        json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [malware_20()]});
    repo.write("content/a.json", text.to_string());
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 0, "stix2-validator: a 2.0 object (it has `created`) in a 2.1 bundle: {report}");
    let inferred = with_code(&report, "spec-version-inferred");
    assert_eq!(inferred.len(), 1, "{report}");
    assert!(inferred[0]["message"].as_str().unwrap().contains("STIX 2.0"), "{report}");
}

#[test]
fn the_same_malware_alone_in_its_file_is_checked_as_21() {
    let repo = Repo::new();
    repo.write("content/a.json", malware_20().to_string());
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let messages: Vec<_> =
        with_code(&report, "missing-property").iter().map(|d| d["message"].as_str().unwrap().to_owned()).collect();
    assert!(messages.iter().any(|m| m.contains("spec_version")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("is_family")), "{messages:?}");
}

#[test]
fn a_21_indicator_with_a_broken_pattern_points_into_the_pattern() {
    let repo = Repo::new();
    let mut indicator = common::indicator("cd3f");
    let pattern = "[ipv4-addr:value = '198.51.100.7' FOO]";
    indicator["pattern"] = pattern.into();
    let text = common::bundle(&[indicator]);
    repo.write("content/a.json", &text);
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let d = with_code(&report, "pattern-syntax");
    assert!(d[0]["message"].as_str().unwrap().contains("FOO"), "{report}");
    assert_eq!(d[0]["pointer"], "/objects/0/pattern");
    // The column lands on `FOO` in the file, not on the start of the string.
    let line = text.lines().find(|l| l.contains("FOO")).unwrap();
    assert_eq!(d[0]["column"].as_u64(), Some(line.find("FOO").unwrap() as u64 + 1));
}

#[test]
fn a_bad_address_in_a_pattern_is_an_error_and_an_unknown_type_a_warning() {
    let repo = Repo::new();
    let mut bad = common::indicator("cd3f");
    bad["pattern"] = "[ipv4-addr:value = '999.1.1.1']".into();
    let mut unknown = common::indicator("cd40");
    unknown["pattern"] = "[car-key:value = 'x']".into();
    repo.write("content/a.json", common::bundle(&[bad, unknown]));
    let (_, report) = repo.check_json(&[]);
    assert_eq!(with_code(&report, "pattern-invalid-value").len(), 1, "{report}");
    assert_eq!(with_code(&report, "pattern-unknown-object").len(), 1, "{report}");
}

#[test]
fn a_sigma_rule_is_kept_as_it_is() {
    let repo = Repo::new();
    let mut sigma = common::indicator("cd3f");
    sigma["pattern_type"] = "sigma".into();
    sigma["pattern"] =
        "title: Example\nlogsource:\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\\\relay.exe'\n  condition: selection".into();
    repo.write("content/a.json", common::bundle(&[sigma]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 0, "{report}");
}
