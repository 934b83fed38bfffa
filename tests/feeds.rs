//! The feeds of `build` (`feeds/`): blocklists, the CSV, rule files, bundles, Atom, Navigator
//! layers and the MISP feed, checked against what the example's bundles say, against hostile
//! input, and (with STIXPRESS_PEERS, set by scripts/test) read back by the real consumers'
//! libraries in tests/feeds/check_feeds.py: stix2, PyMISP, feedparser, yara-python, pySigma.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use common::{bundle, object, peer_script_json, peers_required, Repo};
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T00:00:00Z";
const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";

fn example_repo() -> Repo {
    Repo::example()
}

fn lines(repo: &Repo, path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().map(str::to_owned).collect()
}

fn json_file(repo: &Repo, path: &str) -> Value {
    let text = std::fs::read(repo.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The ids of the objects an audience got a page for (the site's own verdict on visibility).
fn published(repo: &Repo, audience: &str) -> BTreeSet<String> {
    std::fs::read_dir(repo.path().join(audience).join("objects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every object of every bundle under content/, by id: the latest version.
fn latest_objects(content: &Path) -> BTreeMap<String, Value> {
    let mut latest: BTreeMap<String, Value> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(content) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|x| x != "json") {
            continue;
        }
        let file: Value = serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
        let objects = file["objects"].as_array().cloned().unwrap_or_else(|| vec![file.clone()]);
        for o in objects {
            let id = o["id"].as_str().unwrap().to_owned();
            let newer = latest.get(&id).is_none_or(|old| o["modified"].as_str() > old["modified"].as_str());
            if newer {
                latest.insert(id, o);
            }
        }
    }
    latest
}

#[test]
fn the_example_blocklists_hold_the_values_of_the_indicators_that_apply() {
    let repo = example_repo();
    let (code, stderr) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{stderr}");
    // Read off the public indicators' patterns by hand (content/indicators/).
    let expected: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("asn", vec!["64511"]),
        ("cidr", vec!["198.51.100.0/25"]),
        ("domain", vec!["dongle-sync.example", "relay-boost.example.net"]),
        ("email", vec!["uploads@dongle-sync.example"]),
        ("filename", vec!["DongleSync.exe"]),
        ("md5", vec!["0badc0de0badc0de0badc0de0badc0de"]),
        ("mutex", vec!["Global\\DongleSyncOnce"]),
        (
            "sha256",
            vec![
                "0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de",
                "a5d0e2d9f08e8b5c56c1f0b3c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0",
            ],
        ),
        ("url", vec!["https://dongle-sync.example/api/v2/upload"]),
        ("user-agent", vec!["DongleSync/2.4"]),
    ]);
    for kind in [
        "ipv4",
        "ipv6",
        "cidr",
        "domain",
        "url",
        "email",
        "md5",
        "sha1",
        "sha256",
        "sha512",
        "ssdeep",
        "filename",
        "mac",
        "mutex",
        "registry-key",
        "asn",
        "user-agent",
    ] {
        let got = lines(&repo, &format!("public/feeds/blocklists/{kind}.txt"));
        let want: Vec<String> = expected.get(kind).cloned().unwrap_or_default().iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{kind}.txt");
    }
    // The CSV: a row per value and indicator, tied to the report that lists the indicator.
    let csv = lines(&repo, "public/feeds/blocklists/indicators.csv");
    assert_eq!(csv[0], "value,kind,indicator_id,indicator_name,confidence,valid_from,valid_until,labels,kill_chain_phases,created_by,report_ids,report_names");
    assert_eq!(csv.len(), 1 + 12);
    let url_row = csv.iter().find(|l| l.starts_with("https://dongle-sync.example/api/v2/upload,url,")).unwrap();
    assert!(url_row.contains("indicator--38dba5dc-b0c3-4696-bda9-0c13ae489711"), "{url_row}");
    assert!(url_row.contains("report--42faf58c-585b-49d4-b7bd-2903674a05d6"), "{url_row}");
    assert!(url_row.contains("mitre-attack:exfiltration"), "{url_row}");
}

#[test]
fn validity_is_judged_at_the_build_time_and_withheld_values_stay_out() {
    let repo = example_repo();
    // CANjector's update server (TLP:GREEN, members only) was valid until 2026-01-01.
    let (code, stderr) = repo.build(&["--now", "2025-12-01T00:00:00Z"]);
    assert_eq!(code, 0, "{stderr}");
    let members = lines(&repo, "members/feeds/blocklists/ipv4.txt");
    assert!(members.contains(&"203.0.113.45".to_owned()), "{members:?}");
    assert!(lines(&repo, "public/feeds/blocklists/ipv4.txt").is_empty());
    assert_eq!(repo.build(&["--now", NOW]).0, 0);
    let members = lines(&repo, "members/feeds/blocklists/ipv4.txt");
    assert!(!members.contains(&"203.0.113.45".to_owned()), "expired, still listed: {members:?}");
    assert!(members.contains(&"203.0.113.46".to_owned()), "{members:?}");
    // SOURCE_DATE_EPOCH is the clock when --now is not given (2025-12-01 again).
    let output = repo.stixpress().arg("build").env("SOURCE_DATE_EPOCH", "1764547200").output().unwrap();
    assert!(output.status.success());
    assert!(lines(&repo, "members/feeds/blocklists/ipv4.txt").contains(&"203.0.113.45".to_owned()));
    let (code, stderr) = repo.build(&["--now", "yesterday"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--now"), "{stderr}");
}

#[test]
fn bundles_hold_every_published_object_once() {
    let repo = example_repo();
    assert_eq!(repo.build(&["--now", NOW]).0, 0);
    let published = published(&repo, "public");
    let all = json_file(&repo, "public/feeds/bundles/all.json");
    assert_eq!(all["type"], "bundle");
    let ids: Vec<&str> = all["objects"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(ids.len(), unique.len(), "an object twice");
    assert_eq!(unique, published);
    // Each object is its latest version, as contributed.
    let latest = latest_objects(&repo.path().join("content"));
    for o in all["objects"].as_array().unwrap() {
        let id = o["id"].as_str().unwrap();
        assert_eq!(o, &latest[id], "{id}");
    }
    // The per-type bundles split it; the gzip holds the same bytes.
    let mut from_types = BTreeSet::new();
    for entry in std::fs::read_dir(repo.path().join("public/feeds/bundles")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(object_type) = name.strip_suffix(".json").filter(|t| *t != "all") else { continue };
        let one = json_file(&repo, &format!("public/feeds/bundles/{name}"));
        for o in one["objects"].as_array().unwrap() {
            assert_eq!(o["type"], object_type);
            from_types.insert(o["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(from_types, published);
    let gz = std::fs::read(repo.path().join("public/feeds/bundles/all.json.gz")).unwrap();
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..]).read_to_end(&mut plain).unwrap();
    assert_eq!(plain, std::fs::read(repo.path().join("public/feeds/bundles/all.json")).unwrap());
}

#[test]
fn navigator_layers_score_the_techniques_each_object_uses() {
    let repo = example_repo();
    assert_eq!(repo.build(&["--now", NOW]).0, 0);
    let malware = "malware--71d6c484-3881-4fb6-8342-a834f5851b39";
    let layer = json_file(&repo, &format!("public/feeds/navigator/{malware}.json"));
    assert_eq!(layer["domain"], "enterprise-attack");
    assert_eq!(layer["versions"]["layer"], "4.5");
    let scores: BTreeMap<&str, u64> = layer["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["techniqueID"].as_str().unwrap(), t["score"].as_u64().unwrap()))
        .collect();
    assert_eq!(scores, BTreeMap::from([("T1041", 1), ("T1071.001", 1)]));
    // The report lists both `uses` relationships; the heat layer counts malware, report and the
    // intrusion set that uses the malware.
    let report = json_file(&repo, "public/feeds/navigator/report--42faf58c-585b-49d4-b7bd-2903674a05d6.json");
    assert_eq!(report["techniques"].as_array().unwrap().len(), 2);
    let heat = json_file(&repo, "public/feeds/navigator/enterprise-attack.json");
    let heat_scores: Vec<u64> =
        heat["techniques"].as_array().unwrap().iter().map(|t| t["score"].as_u64().unwrap()).collect();
    assert_eq!(heat_scores, vec![3, 3], "{heat}");
    // Pages link to them.
    let page = std::fs::read_to_string(repo.path().join(format!("public/objects/{malware}/index.html"))).unwrap();
    assert!(page.contains(&format!("../../feeds/navigator/{malware}.json")), "no layer link on the page");
    let matrix = std::fs::read_to_string(repo.path().join("public/matrix/mitre-attack/index.html")).unwrap();
    assert!(matrix.contains("../../feeds/navigator/enterprise-attack.json"));
}

#[test]
fn the_misp_feed_has_an_event_per_report_with_its_indicator_values() {
    let repo = example_repo();
    assert_eq!(repo.build(&["--now", NOW]).0, 0);
    let reports: BTreeSet<String> = published(&repo, "public")
        .into_iter()
        .filter_map(|id| id.strip_prefix("report--").map(str::to_owned))
        .collect();
    let manifest = json_file(&repo, "public/feeds/misp/manifest.json");
    let events: BTreeSet<String> = manifest.as_object().unwrap().keys().cloned().collect();
    assert_eq!(events, reports);
    let event = &json_file(&repo, "public/feeds/misp/42faf58c-585b-49d4-b7bd-2903674a05d6.json")["Event"];
    assert_eq!(event["Tag"][0]["name"], "tlp:clear");
    let attributes = event["Attribute"].as_array().unwrap();
    let by_value: BTreeMap<&str, &Value> = attributes.iter().map(|a| (a["value"].as_str().unwrap(), a)).collect();
    let url = by_value["https://dongle-sync.example/api/v2/upload"];
    assert_eq!(
        (url["type"].as_str(), url["category"].as_str(), url["to_ids"].as_bool()),
        (Some("url"), Some("Network activity"), Some(true))
    );
    assert_eq!(by_value["198.51.100.0/25"]["type"], "ip-dst");
    assert_eq!(by_value["Global\\DongleSyncOnce"]["type"], "mutex");
    let hashes = lines(&repo, "public/feeds/misp/hashes.csv");
    let total: usize = events
        .iter()
        .map(|uuid| {
            json_file(&repo, &format!("public/feeds/misp/{uuid}.json"))["Event"]["Attribute"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(hashes.len(), total);
}

#[test]
fn rules_and_atom_feeds_trace_back_to_their_objects() {
    let repo = example_repo();
    assert_eq!(repo.build(&["--now", NOW]).0, 0);
    let yara = std::fs::read_to_string(repo.path().join("public/feeds/rules/yara.yar")).unwrap();
    assert!(
        yara.starts_with("// indicator--a0e4c7d2-5b19-4e3a-8f6c-7d2e9b1a0c52: DongleSync updater binary (YARA)\nrule ")
    );
    let sigma = "public/feeds/rules/sigma/3f6b2f0e-8a64-4c1d-9b7e-52d1c0a4e611.yml";
    assert!(lines(&repo, sigma)[0].starts_with("# indicator--3f6b2f0e-8a64-4c1d-9b7e-52d1c0a4e611: "));
    for (engine, sid) in [("snort", "sid:9000101"), ("suricata", "sid:9000102")] {
        let rules = lines(&repo, &format!("public/feeds/rules/{engine}.rules"));
        assert_eq!(rules.len(), 2, "{rules:?}");
        assert!(rules[0].starts_with("# indicator--") && rules[1].contains(sid), "{rules:?}");
    }
    let atom = std::fs::read_to_string(repo.path().join("public/feeds/atom/reports.xml")).unwrap();
    assert_eq!(atom.matches("<entry>").count(), 2);
    assert!(atom.contains("href=\"../../objects/report--42faf58c-585b-49d4-b7bd-2903674a05d6/\""));
    let indicators = std::fs::read_to_string(repo.path().join("public/feeds/atom/indicators.xml")).unwrap();
    let public_indicators = published(&repo, "public").iter().filter(|id| id.starts_with("indicator--")).count();
    assert_eq!(indicators.matches("<entry>").count(), public_indicators);
    let page = std::fs::read_to_string(repo.path().join("public/feeds/index.html")).unwrap();
    for file in [
        "blocklists/domain.txt",
        "blocklists/indicators.csv",
        "rules/yara.yar",
        "bundles/all.json.gz",
        "misp/manifest.json",
        "atom/changes.xml",
    ] {
        assert!(page.contains(&format!("feeds/{file}")), "the feeds page does not list {file}");
    }
}

/// Indicators written to break the files consumers load: line breaks and control characters
/// inside values, script URLs, spreadsheet formulas in names, XML-breaking text, two YARA
/// rules with one name.
fn hostile_repo() -> Repo {
    let repo = Repo::new();
    let indicator = |n: u32, name: &str, pattern_type: &str, pattern: &str, description: &str| {
        object(
            "indicator",
            n,
            json!({
                "name": name, "description": description, "pattern_type": pattern_type, "pattern": pattern,
                "valid_from": "2025-01-01T00:00:00Z", "object_marking_refs": [TLP_CLEAR],
            }),
        )
    };
    let objects = vec![
        indicator(1, "=HYPERLINK(\"http://evil.example\",\"x\")", "stix", "[domain-name:value = 'a.example\nevil.example'] OR [domain-name:value = 'fine.example']", "<script>alert(1)</script> ]]> \u{1} &nbsp;"),
        indicator(2, "@SUM(1+1)", "stix", "[url:value = 'javascript:alert(1)'] OR [url:value = 'http://ok.example/\u{7f}'] OR [url:value = 'https://ok.example/a']", "text"),
        indicator(3, "first\nrule", "yara", "rule Dup { condition: true }", ""),
        indicator(4, "second", "yara", "rule Dup { condition: false }", ""),
        indicator(5, "expired", "stix", "[domain-name:value = 'expired.example']", ""),
        indicator(6, "../../etc/passwd", "sigma", "title: t\nlogsource:\n    product: windows\ndetection:\n    sel:\n        a: b\n    condition: sel\n", ""),
    ];
    let mut objects = objects;
    objects[4]["valid_until"] = json!("2025-06-01T00:00:00Z");
    repo.write("content/hostile.json", bundle(&objects));
    repo
}

#[test]
fn hostile_indicators_cannot_break_a_feed() {
    let repo = hostile_repo();
    let (code, stderr) = repo.build(&["--now", NOW, "--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines(&repo, "public/feeds/blocklists/domain.txt"), vec!["fine.example"]);
    assert_eq!(lines(&repo, "public/feeds/blocklists/url.txt"), vec!["https://ok.example/a"]);
    for entry in std::fs::read_dir(repo.path().join("public/feeds/blocklists")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\r'), "a control character: {text:?}");
    }
    let csv = std::fs::read_to_string(repo.path().join("public/feeds/blocklists/indicators.csv")).unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""), "{csv}");
    let yara = std::fs::read_to_string(repo.path().join("public/feeds/rules/yara.yar")).unwrap();
    assert_eq!(yara.matches("rule Dup").count(), 1, "{yara}");
    assert!(yara.contains("first rule"), "the name's line break must not end the comment: {yara}");
    let page = std::fs::read_to_string(repo.path().join("public/feeds/index.html")).unwrap();
    assert!(page.contains("YARA rule name Dup is already used by indicator--"), "the left-out rule is not reported");
    let atom = std::fs::read_to_string(repo.path().join("public/feeds/atom/indicators.xml")).unwrap();
    assert!(!atom.contains("<script>") && !atom.contains('\u{1}') && atom.contains("&lt;script&gt;"));
    assert_eq!(atom.matches("<entry>").count(), 6);
    if peers_required() {
        check_feeds(&repo.path().join("public/feeds"));
    }
}

/// Indicators written to subvert the rule files and the MISP, CSV and Navigator feeds, beside
/// legitimate ones: a YARA pattern ending in an open comment and a name that would close it, a
/// second rule hidden after `/**/`, a Suricata `pass` rule after an `alert`, two rules with one
/// `sid`, an unknown option, a Snort `drop`, two Sigma documents; a CSV value that is a formula;
/// report labels that are TLP and galaxy tags; a group whose name no Excel sheet takes.
fn hostile_rules_repo() -> Repo {
    let repo = Repo::new();
    let indicator = |n: u32, name: &str, pattern_type: &str, pattern: &str| {
        object(
            "indicator",
            n,
            json!({"name": name, "pattern_type": pattern_type, "pattern": pattern, "valid_from": "2025-01-01T00:00:00Z"}),
        )
    };
    let technique = |n: u32, attack_id: &str| {
        object(
            "attack-pattern",
            n,
            json!({"name": attack_id, "external_references": [{"source_name": "mitre-attack", "external_id": attack_id}]}),
        )
    };
    let uses = |n: u32, from: &str, to: &str| {
        object("relationship", n, json!({"relationship_type": "uses", "source_ref": from, "target_ref": to}))
    };
    let objects = vec![
        indicator(1, "open comment", "yara", "rule a_open { condition: true } /*"),
        indicator(2, "legit", "yara", "rule legit_b { strings: $s = \"x\" condition: $s }"),
        indicator(3, "x */ rule match_everything { condition: true } /*", "yara", "rule c_named { condition: false }"),
        indicator(4, "hidden", "yara", "rule d_hidden { condition: true } /**/ rule legit_b { condition: true }"),
        indicator(
            5,
            "pass",
            "suricata",
            "alert ip any any -> any any (msg:\"a\"; sid:9000005;)\npass ip any any -> any any (sid:9000006;)",
        ),
        indicator(6, "first sid", "suricata", "alert tcp any any -> any any (msg:\"six\"; sid:9000007;)"),
        indicator(7, "same sid", "suricata", "alert tcp any any -> any any (msg:\"seven\"; sid:9000007;)"),
        indicator(
            8,
            "unknown option",
            "suricata",
            "alert tcp any any -> any any (msg:\"x\"; frobnicate:1; sid:9000008;)",
        ),
        indicator(
            9,
            "legit ids",
            "suricata",
            "alert tcp any any -> any any (msg:\"ok\"; content:\"x\"; sid:9000009; rev:1;)",
        ),
        indicator(10, "drop", "snort", "drop tcp any any -> any any (msg:\"x\"; sid:9000010;)"),
        indicator(
            11,
            "two sigma",
            "sigma",
            "title: a\nlogsource:\n    product: x\ndetection:\n    s:\n        a: b\n    condition: s\n---\ntitle: b\n",
        ),
        indicator(12, "formula", "stix", "[file:name = '=calc.exe']"),
        object(
            "report",
            13,
            json!({"name": "r", "published": "2025-01-01T00:00:00Z", "labels": ["tlp:red", "misp-galaxy:threat-actor=\"Sofacy\"", "PAP:RED", "ransomware"], "object_refs": [common::id("indicator", 12)]}),
        ),
        object("intrusion-set", 14, json!({"name": "APT: one/two?*[x]"})),
        object("malware", 15, json!({"name": "Kit", "is_family": true})),
        technique(16, "T1001"),
        technique(17, "T1002"),
        uses(18, &common::id("intrusion-set", 14), &common::id("attack-pattern", 16)),
        uses(19, &common::id("intrusion-set", 14), &common::id("malware", 15)),
        uses(20, &common::id("malware", 15), &common::id("attack-pattern", 17)),
        indicator(
            21,
            "bad escape",
            "suricata",
            "alert tcp any any -> any any (msg:\"x\"; content:\"a\\qb\"; sid:9000021;)",
        ),
        indicator(
            22,
            "depth and distance",
            "suricata",
            "alert tcp any any -> any any (msg:\"x\"; content:\"a\"; depth:4; distance:1; sid:9000022;)",
        ),
    ];
    repo.write("content/hostile.json", bundle(&objects));
    repo
}

/// The text of a file at a one-based line and column (in characters).
fn text_at(file: &str, line: u64, column: u64) -> String {
    let line = file.lines().nth(line as usize - 1).unwrap_or_default();
    line.chars().skip(column as usize - 1).take(12).collect()
}

#[test]
fn check_names_each_hostile_rule_and_where_it_goes_wrong() {
    let repo = hostile_rules_repo();
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1, "{report}");
    let file = std::fs::read_to_string(repo.path().join("content/hostile.json")).unwrap();
    let expect = [
        (1, "yara-rule", "/*"),
        (4, "yara-rule", "legit_b { co"),
        (5, "suricata-rule", "\\npass ip an"),
        (7, "duplicate-rule", ""),
        (8, "suricata-rule", "frobnicate:1"),
        (10, "snort-rule", "drop tcp any"),
        (11, "sigma-rule", "---\\ntitle: "),
        (21, "suricata-rule", "\\\"a\\\\qb"),
        (22, "suricata-rule", "distance:1;"),
    ];
    let errors: Vec<&Value> =
        report["diagnostics"].as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect();
    for (n, code, at) in expect {
        let id = common::id("indicator", n);
        let found = errors.iter().find(|d| d["object_id"] == id.as_str()).unwrap_or_else(|| panic!("{id}: {report}"));
        assert_eq!(found["code"], code, "{found}");
        let here = text_at(&file, found["line"].as_u64().unwrap(), found["column"].as_u64().unwrap());
        assert!(here.starts_with(at), "{id} placed at {here:?}, not {at:?}: {found}");
    }
    let clash = errors.iter().find(|d| d["code"] == "duplicate-rule").unwrap();
    assert!(clash["message"].as_str().unwrap().contains(&common::id("indicator", 6)), "{clash}");
    assert_eq!(errors.len(), expect.len(), "{report}");
}

#[test]
fn hostile_rules_are_left_out_and_the_rest_still_loads() {
    let repo = hostile_rules_repo();
    let (code, stderr) = repo.build(&["--now", NOW, "--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    let yara = std::fs::read_to_string(repo.path().join("public/feeds/rules/yara.yar")).unwrap();
    assert!(!yara.contains("a_open") && !yara.contains("d_hidden") && !yara.contains("*/"), "{yara}");
    let suricata = lines(&repo, "public/feeds/rules/suricata.rules");
    let rules: Vec<&String> = suricata.iter().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rules.len(), 2, "{suricata:?}");
    assert!(rules[0].contains("msg:\"six\"") && rules[1].contains("sid:9000009"), "{suricata:?}");
    assert!(lines(&repo, "public/feeds/rules/snort.rules").is_empty());
    assert!(!repo.path().join("public/feeds/rules/sigma").exists());
    let csv = std::fs::read_to_string(repo.path().join("public/feeds/blocklists/indicators.csv")).unwrap();
    assert!(csv.contains("\r\n\"'=calc.exe\",filename,"), "{csv}");
    let event = &json_file(&repo, "public/feeds/misp/6f0e6f4c-1c39-4b5a-9f8e-000000000013.json")["Event"];
    let tags: Vec<&str> = event["Tag"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tags, vec!["ransomware"], "{event}");
    let page = std::fs::read_to_string(repo.path().join("public/feeds/index.html")).unwrap();
    assert!(page.contains("MISP tags"), "the left-out labels are not counted");
    let layer = json_file(&repo, &format!("public/feeds/navigator/{}.json", common::id("intrusion-set", 14)));
    assert_eq!(layer["name"], "APT- one-two---x-");
    let techniques = layer["techniques"].as_array().unwrap();
    assert_eq!(techniques[0]["techniqueID"], "T1001");
    assert_eq!(techniques[0]["score"], 1);
    assert_eq!(techniques[1]["techniqueID"], "T1002");
    assert!(techniques[1].get("score").is_none() && techniques[1]["comment"] == "via its software Kit", "{layer}");
    assert_eq!(layer["legendItems"].as_array().unwrap().len(), 2, "{layer}");
    if peers_required() {
        let summary = check_feeds(&repo.path().join("public/feeds"));
        assert_eq!(summary["yara_rule_names"], json!(["legit_b", "c_named"]), "{summary}");
        assert_eq!(summary["suricata_rules"], 2, "{summary}");
    }
}

/// Suricata 7 (`suricata -T`) loads the published `suricata.rules` of the hostile repository
/// and of the example: every rule loads, none fails. One refused rule, a duplicate `sid` or an
/// unknown option would make it refuse the whole file.
#[test]
fn suricata_loads_every_published_rule() {
    if !peers_required() {
        return;
    }
    let hostile = hostile_rules_repo();
    assert_eq!(hostile.build(&["--now", NOW, "--allow-errors"]).0, 0);
    let example = example_repo();
    assert_eq!(example.build(&["--now", NOW]).0, 0);
    for (repo, expected) in [(&hostile, 2), (&example, 1)] {
        let rules = repo.path().join("public/feeds/rules/suricata.rules");
        let log = tempfile::tempdir().unwrap();
        let output = std::process::Command::new("suricata")
            .args(["-T", "-v", "-c", "/etc/suricata/suricata.yaml", "-S"])
            .arg(&rules)
            .arg("-l")
            .arg(log.path())
            .output()
            .expect("suricata runs (scripts/test installs it from bookworm-backports)");
        let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "suricata -T refused {}:\n{said}", rules.display());
        let loaded = format!("{expected} rules successfully loaded, 0 rules failed");
        assert!(said.contains(&loaded), "not `{loaded}`:\n{said}");
    }
}

/// Runs tests/feeds/check_feeds.py (stix2, PyMISP, feedparser, yara-python, pySigma) on a
/// feeds folder; returns its summary.
fn check_feeds(feeds: &Path) -> Value {
    let what = format!("the consumers' libraries refused {}", feeds.display());
    peer_script_json("feeds/check_feeds.py", &[feeds.as_os_str()], &what)
}

#[test]
fn consumers_libraries_read_every_feed_of_every_example_audience() {
    if !peers_required() {
        eprintln!(
            "STIXPRESS_PEERS is not set: the feeds are not read by their consumers' libraries (scripts/test does)"
        );
        return;
    }
    let repo = example_repo();
    assert_eq!(repo.build(&["--now", NOW]).0, 0);
    for audience in ["public", "members"] {
        let summary = check_feeds(&repo.path().join(audience).join("feeds"));
        assert_eq!(summary["bundle_objects"].as_u64().unwrap() as usize, published(&repo, audience).len());
        for key in ["yara_rules", "sigma_rules", "snort_rules", "suricata_rules"] {
            assert_eq!(summary[key], 1, "{audience}: {key}");
        }
        assert!(summary["misp_attributes"].as_u64().unwrap() > 10, "{summary}");
    }
}

/// Unit 42's playbooks, published with ATT&CK's copyright statement (which the data lacks)
/// allowed: the blocklists its indicators give, read back by the consumers' libraries.
#[test]
fn consumers_libraries_read_the_unit42_feeds() {
    if !peers_required() {
        return;
    }
    let data: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/unit42-playbooks");
    assert!(data.is_dir(), "../shared/data/unit42-playbooks is missing");
    let repo = Repo::new();
    let statement = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168";
    repo.write(
        "stixpress.toml",
        format!("content = {:?}\n[audiences.public]\nmarkings = [\"{statement}\"]\n", data.display().to_string()),
    );
    let (code, stderr) = repo.build(&["--now", NOW, "--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    let summary = check_feeds(&repo.path().join("public/feeds"));
    eprintln!("unit42 blocklists: {}", summary["blocklists"]);
    for kind in ["sha256", "domain", "url", "ipv4"] {
        assert!(summary["blocklists"][kind].as_u64().unwrap() > 100, "{kind}: {}", summary["blocklists"]);
    }
}

/// An indicator for every kind of value, and hostile names (a tab, a line break, a formula).
fn siem_repo() -> Repo {
    let repo = Repo::new();
    let indicator = |n: u32, name: &str, pattern: &str| {
        object(
            "indicator",
            n,
            json!({
                "name": name, "pattern_type": "stix", "pattern": pattern, "confidence": 80,
                "valid_from": "2025-01-01T00:00:00Z", "object_marking_refs": [TLP_CLEAR], "labels": ["malicious-activity"],
            }),
        )
    };
    let objects = vec![
        indicator(1, "tab\there\nand a line", "[ipv4-addr:value = '203.0.113.7'] OR [ipv6-addr:value = '2001:DB8::7'] OR [ipv4-addr:value = '198.51.100.0/24']"),
        indicator(2, "=cmd|' /C calc'!A0", "[domain-name:value = 'Evil.Example.'] OR [url:value = 'https://evil.example/a?b=1'] OR [email-addr:value = 'x@evil.example']"),
        indicator(3, "-", "[file:hashes.MD5 = '0123456789abcdef0123456789ABCDEF'] OR [file:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567'] OR [file:hashes.'SHA-256' = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'] OR [file:name = 'dropper.exe']"),
        indicator(4, "ua", "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Evil Agent/1.0'] OR [autonomous-system:number = 64500] OR [mutex:name = 'Global\\\\m']"),
    ];
    repo.write("content/siem.json", bundle(&objects));
    repo
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits: Vec<u8> = Vec::new();
    let (mut acc, mut count) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64 character") as u32;
        acc = (acc << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            bits.push((acc >> count) as u8);
            acc &= (1 << count) - 1;
        }
    }
    bits
}

/// RFC 4180 fields of one line (the Splunk lookups keep every row on one line).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[test]
fn siem_feeds_hold_every_value_and_read_back() {
    let repo = siem_repo();
    let (code, stderr) = repo.build(&["--now", NOW, "--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    let feeds = repo.path().join("public/feeds");
    // Zeek: five tab-separated fields on every line, whatever the names hold.
    let zeek = lines(&repo, "public/feeds/zeek/intel.dat");
    assert_eq!(zeek[0], "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url");
    let zeek: BTreeMap<String, Vec<String>> = zeek[1..]
        .iter()
        .map(|line| {
            let fields: Vec<String> = line.split('\t').map(str::to_owned).collect();
            assert_eq!(fields.len(), 5, "{line:?}");
            (fields[0].clone(), fields)
        })
        .collect();
    let expected = [
        ("203.0.113.7", "Intel::ADDR"),
        ("2001:db8::7", "Intel::ADDR"),
        ("198.51.100.0/24", "Intel::SUBNET"),
        ("evil.example", "Intel::DOMAIN"),
        ("evil.example/a?b=1", "Intel::URL"),
        ("x@evil.example", "Intel::EMAIL"),
        ("0123456789abcdef0123456789abcdef", "Intel::FILE_HASH"),
        ("0123456789abcdef0123456789abcdef01234567", "Intel::FILE_HASH"),
        (&"a".repeat(64), "Intel::FILE_HASH"),
        ("dropper.exe", "Intel::FILE_NAME"),
        ("Evil Agent/1.0", "Intel::SOFTWARE"),
    ];
    for (value, intel_type) in expected {
        assert_eq!(zeek.get(value).map(|f| f[1].as_str()), Some(intel_type), "{value} in {zeek:?}");
    }
    assert_eq!(zeek.len(), expected.len(), "AS numbers and mutexes have no Zeek type");
    assert!(!zeek["203.0.113.7"][3].contains(['\t', '\n']), "{:?}", zeek["203.0.113.7"]);
    assert_eq!(zeek["0123456789abcdef0123456789abcdef"][3], "\\x2d");
    assert!(zeek["evil.example"][2].starts_with("indicator--"));
    // Suricata: base64 strings, plain addresses and hex digests.
    let list = |kind: &str| lines(&repo, &format!("public/feeds/suricata/datasets/{kind}.lst"));
    let decoded: Vec<String> = list("domain").iter().map(|l| String::from_utf8(base64_decode(l)).unwrap()).collect();
    assert_eq!(decoded, ["evil.example"]);
    assert_eq!(String::from_utf8(base64_decode(&list("user-agent")[0])).unwrap(), "Evil Agent/1.0");
    assert_eq!(list("ipv4"), ["203.0.113.7"]);
    assert_eq!(list("ipv6"), ["2001:db8::7"]);
    assert_eq!(list("sha256"), ["a".repeat(64)]);
    let rules = lines(&repo, "public/feeds/suricata/datasets.rules");
    let sids: BTreeSet<&str> = rules.iter().filter_map(|l| l.split("sid:").nth(1)).collect();
    assert_eq!(sids.len(), rules.len() - 1, "one sid per rule: {rules:?}");
    // Elastic: one JSON document per line, the value in its ECS field.
    let ndjson = std::fs::read_to_string(feeds.join("elastic/indicators.ndjson")).unwrap();
    let documents: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let find = |field: &[&str], value: &Value| {
        documents.iter().find(|d| field.iter().fold(&d["threat"]["indicator"], |v, k| &v[k]) == value).cloned()
    };
    let ip = find(&["ip"], &json!("203.0.113.7")).expect("the address");
    assert_eq!(ip["threat"]["indicator"]["type"], "ipv4-addr");
    assert_eq!(ip["threat"]["indicator"]["marking"]["tlp"], "CLEAR");
    assert_eq!(ip["threat"]["indicator"]["confidence"], "High");
    assert!(ip["threat"]["indicator"]["description"].as_str().unwrap().starts_with("tab"));
    assert_eq!(ip["event"]["kind"], "enrichment");
    assert!(find(&["url", "domain"], &json!("evil.example")).is_some());
    assert!(find(&["url", "full"], &json!("https://evil.example/a?b=1")).is_some());
    assert!(find(&["file", "hash", "sha256"], &json!("a".repeat(64))).is_some());
    assert!(find(&["as", "number"], &json!(64500)).is_some());
    assert!(find(&["email", "address"], &json!("x@evil.example")).is_some());
    // Splunk: one row per line, the formula defused.
    let domains = lines(&repo, "public/feeds/splunk/domain_intel.csv");
    assert_eq!(csv_fields(&domains[0]), ["description", "domain", "threat_key", "time", "weight"]);
    let row = csv_fields(&domains[1]);
    assert_eq!(
        (row[0].as_str(), row[1].as_str(), row[3].as_str()),
        ("'=cmd|' /C calc'!A0", "evil.example", "1735689600")
    );
    let ips = lines(&repo, "public/feeds/splunk/ip_intel.csv");
    assert_eq!(ips.len(), 4, "{ips:?}");
    assert!(ips.iter().skip(1).all(|l| csv_fields(l).len() == 5 && l.contains("tab here and a line")));
    // The feeds page lists each format.
    let page = std::fs::read_to_string(feeds.join("index.html")).unwrap();
    for path in [
        "feeds/zeek/intel.dat",
        "feeds/suricata/datasets.rules",
        "feeds/elastic/indicators.ndjson",
        "feeds/splunk/ip_intel.csv",
    ] {
        assert!(page.contains(path), "the feeds page does not list {path}");
    }
    // And counts, per format, the values of the kinds it cannot carry.
    for (kind, format) in [
        ("mutex", "Zeek Intel framework"),
        ("asn", "Zeek Intel framework"),
        ("cidr", "Suricata datasets"),
        ("url", "Suricata datasets"),
        ("email", "Suricata datasets"),
        ("mutex", "Elastic threat indicators"),
        ("asn", "Splunk lookups"),
    ] {
        let row = format!("<td><code>{kind}</code></td><td>not in the {format} feed, which has no type for this kind</td><td class=\"count\">1</td>");
        assert!(page.contains(&row), "the feeds page does not count {kind} left out of {format}");
    }
}

/// Suricata 7 (`suricata -T`) loads `datasets.rules` with its lists, from the example and from
/// the repository with every kind: every rule loads, none fails.
#[test]
fn suricata_loads_the_dataset_rules_with_their_lists() {
    if !peers_required() {
        return;
    }
    let siem = siem_repo();
    assert_eq!(siem.build(&["--now", NOW, "--allow-errors"]).0, 0);
    let example = example_repo();
    assert_eq!(example.build(&["--now", NOW]).0, 0);
    for repo in [&siem, &example] {
        let folder = repo.path().join("public/feeds/suricata");
        let expected = lines(repo, "public/feeds/suricata/datasets.rules").len() - 1;
        let log = tempfile::tempdir().unwrap();
        let config = log.path().join("suricata.yaml");
        let yaml = format!(
            "%YAML 1.1\n---\ndefault-rule-path: {}\nrule-files:\n  - datasets.rules\nclassification-file: /etc/suricata/classification.config\nreference-config-file: /etc/suricata/reference.config\n",
            folder.display()
        );
        std::fs::write(&config, yaml).unwrap();
        let output = std::process::Command::new("suricata")
            .args(["-T", "-v", "-c"])
            .arg(&config)
            .arg("-l")
            .arg(log.path())
            .output()
            .expect("suricata runs (scripts/test installs it from bookworm-backports)");
        let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "suricata -T refused {}:\n{said}", folder.display());
        let loaded = format!("{expected} rules successfully loaded, 0 rules failed");
        assert!(said.contains(&loaded), "not `{loaded}`:\n{said}");
    }
}
