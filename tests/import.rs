//! `stixpress import`: indicator lists, CSV, written reports and MISP events become a bundle
//! that `check` accepts, that is byte-identical when imported again, that references what the
//! repository already holds, and whose indicators reach the feeds' blocklists. Hostile sources
//! give located diagnostics, never a panic. With STIXPRESS_PEERS, events made by PyMISP are
//! also converted by MISP's own misp-stix (the same values and patterns) and the bundle is
//! read by the OASIS validator (tests/import/misp_peer.py).

mod common;
#[path = "common/pdf.rs"]
mod pdf;

use std::path::Path;

use common::{peer_script_json, peers_required, Repo};
use serde_json::Value;

const NOW: &str = "2026-12-01T00:00:00Z";
const PROVENANCE: &str = "extension-definition--a9db0e09-1110-4882-a095-613c6d202fa2";
const STIXPRESS: &str = "identity--993b8ae1-515d-4b75-b545-6726573ce36c";
/// Objects of the example repository that imports reference.
const T1071_001: &str = "attack-pattern--6a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3";
const CAPEC_94: &str = "attack-pattern--1d2d9bc5-a120-4b55-8c5d-2769a359bb67";
const EXISTING_SHA256: &str = "a5d0e2d9f08e8b5c56c1f0b3c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0";
const EXISTING_INDICATOR: &str = "indicator--848ed22f-0045-4365-a97f-63580adf07c6";

fn example_repo() -> Repo {
    Repo::example()
}

/// Runs `stixpress import ARGS --now NOW`: exit code, stdout, stderr.
fn import(repo: &Repo, args: &[&str]) -> (i32, String, String) {
    let output = repo.stixpress().arg("import").args(args).args(["--now", NOW]).output().expect("run");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn read_json(repo: &Repo, relative: &str) -> Value {
    serde_json::from_slice(&std::fs::read(repo.path().join(relative)).unwrap()).unwrap()
}

fn of_type<'a>(bundle: &'a Value, object_type: &str) -> Vec<&'a Value> {
    bundle["objects"].as_array().unwrap().iter().filter(|o| o["type"] == object_type).collect()
}

/// The ids (sorted) of the objects a bundle kept as their publisher published them, after
/// checking that the one grouping the import made lists exactly them and names their source.
fn kept_ids(bundle: &Value, source: &str) -> Vec<String> {
    let made = |o: &Value| o["type"] == "grouping" || o["id"] == PROVENANCE || o["id"] == STIXPRESS;
    let objects = bundle["objects"].as_array().unwrap();
    let mut kept: Vec<String> =
        objects.iter().filter(|o| !made(o)).map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    kept.sort();
    let groupings = of_type(bundle, "grouping");
    assert_eq!(groupings.len(), 1, "one grouping says where the objects came from");
    let mut listed: Vec<String> =
        groupings[0]["object_refs"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    listed.sort();
    assert_eq!(listed, kept);
    let provenance = &groupings[0]["extensions"][PROVENANCE];
    assert!(provenance["rule"].as_str().unwrap().ends_with("kept as published"), "{provenance}");
    assert!(provenance["source"].as_str().unwrap().contains(source), "{provenance}");
    kept
}

fn assert_check_passes(repo: &Repo) {
    let (code, report) = repo.check_json(&[]);
    let errors: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| format!("{} {} {}", d["code"], d["message"], d["file"]))
        .collect();
    assert_eq!(code, 0, "check found errors in the imported bundle: {errors:#?}");
}

fn blocklist(repo: &Repo, kind: &str) -> Vec<String> {
    let path = repo.path().join("public/feeds/blocklists").join(format!("{kind}.txt"));
    std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_owned).collect()
}

#[test]
fn a_list_imports_as_checked_reproducible_indicators_that_reach_the_feeds() {
    let repo = example_repo();
    repo.write(
        "sources/bad-hosts.txt",
        format!(
            "# bad hosts seen this week\nrelay-c2[.]net\nhxxps://dl.bad-updates(.)com/x.apk\n203.0.113[.]77\n\n// already known\n{EXISTING_SHA256}\n"
        ),
    );
    let (code, printed, stderr) = import(&repo, &["sources/bad-hosts.txt"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = import(&repo, &["sources/bad-hosts.txt", "--to", "content/imports/bad-hosts.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "with --to nothing is printed: {stdout}");
    let first = std::fs::read_to_string(repo.path().join("content/imports/bad-hosts.json")).unwrap();
    assert!(printed == first, "standard output holds the same bundle as the file");
    let bundle: Value = serde_json::from_str(&first).unwrap();
    let patterns: Vec<&str> = of_type(&bundle, "indicator").iter().map(|i| i["pattern"].as_str().unwrap()).collect();
    assert_eq!(
        patterns,
        [
            "[domain-name:value = 'relay-c2.net']",
            "[url:value = 'https://dl.bad-updates.com/x.apk']",
            "[ipv4-addr:value = '203.0.113.77']"
        ],
        "the known digest is not written again"
    );
    let indicator = of_type(&bundle, "indicator")[0];
    assert_eq!(indicator["extensions"][PROVENANCE]["location"], "line 2");
    assert_eq!(indicator["extensions"][PROVENANCE]["source"], "bad-hosts.txt");
    assert_eq!(indicator["created"], "2026-12-01T00:00:00.000Z");
    assert_eq!(of_type(&bundle, "extension-definition").len(), 1);
    assert_check_passes(&repo);

    let (code, _, stderr) = import(&repo, &["sources/bad-hosts.txt", "--to", "content/imports/bad-hosts.json"]);
    assert_eq!(code, 0, "{stderr}");
    let again = std::fs::read_to_string(repo.path().join("content/imports/bad-hosts.json")).unwrap();
    assert!(again == first, "importing again gives the same bytes");
    let (code, stdout, _) = import(&repo, &["sources/bad-hosts.txt"]);
    assert_eq!(code, 0);
    let bundle: Value = serde_json::from_str(&stdout).unwrap();
    assert!(of_type(&bundle, "indicator").is_empty(), "what the repository now holds is not written again");

    let (code, output) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{output}");
    assert!(blocklist(&repo, "domain").contains(&"relay-c2.net".to_owned()));
    assert!(blocklist(&repo, "url").contains(&"https://dl.bad-updates.com/x.apk".to_owned()));
    assert!(blocklist(&repo, "ipv4").contains(&"203.0.113.77".to_owned()));
}

#[test]
fn a_named_list_becomes_a_report_that_references_known_indicators() {
    let repo = example_repo();
    repo.write("sources/hashes.txt", format!("{EXISTING_SHA256}\nrelay-c2.net\n"));
    let (code, stdout, stderr) = import(&repo, &["sources/hashes.txt", "--format", "csv", "--name", "Week 48 hashes"]);
    assert_eq!(code, 0, "{stderr}");
    let bundle: Value = serde_json::from_str(&stdout).unwrap();
    let report = of_type(&bundle, "report")[0];
    assert_eq!(report["name"], "Week 48 hashes");
    assert_eq!(report["object_refs"][0], EXISTING_INDICATOR);
}

#[test]
fn csv_columns_come_from_the_header_and_bad_rows_are_located() {
    let repo = example_repo();
    repo.write(
        "sources/iocs.csv",
        "type,value,comment\nip-dst,198.51.100[.]66,relay gateway\nsha256,not-a-digest,broken\nregkey,HKLM\\Software\\it's,run key\n",
    );
    let (code, stdout, stderr) = import(&repo, &["sources/iocs.csv"]);
    assert_eq!(code, 1, "a bad row is a problem of the source: {stderr}");
    assert!(stderr.contains("error[import-invalid-value]"), "{stderr}");
    assert!(stderr.contains("sources/iocs.csv:3:1"), "{stderr}");
    let bundle: Value = serde_json::from_str(&stdout).expect("what could be imported is written");
    let indicators = of_type(&bundle, "indicator");
    assert_eq!(indicators.len(), 2);
    assert_eq!(indicators[0]["description"], "relay gateway");
    assert_eq!(indicators[1]["pattern"], r"[windows-registry-key:key = 'HKLM\\Software\\it\'s']");
}

#[test]
fn a_written_report_references_what_the_repository_holds() {
    let repo = example_repo();
    let text = "# Night relay crew returns\n\n\
        The crew talks to relay-c2[.]org over HTTPS (T1071.001) after CAPEC-94, exploiting CVE-2099-0001.\n\
        Payload: hxxp://198.51.100[.]23/p.bin, dropped as invoice.pdf; see https://example.com/advisory.\n\
        Fixed in firmware version 2.4.1.7; contact soc@example.org. Also T1999 (not held).\n";
    repo.write("sources/night-relay.md", text);
    let (code, stdout, stderr) = import(&repo, &["sources/night-relay.md", "--to", "content/imports/night-relay.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("warning[import-unknown-reference]: T1999"), "{stderr}");
    let bundle = read_json(&repo, "content/imports/night-relay.json");
    let patterns: Vec<&str> = of_type(&bundle, "indicator").iter().map(|i| i["pattern"].as_str().unwrap()).collect();
    assert_eq!(patterns, ["[domain-name:value = 'relay-c2.org']", "[url:value = 'http://198.51.100.23/p.bin']"]);
    let vulnerability = of_type(&bundle, "vulnerability")[0];
    assert_eq!(vulnerability["name"], "CVE-2099-0001");
    let report = of_type(&bundle, "report")[0];
    assert_eq!(report["name"], "Night relay crew returns");
    let refs: Vec<&str> = report["object_refs"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(refs.contains(&T1071_001) && refs.contains(&CAPEC_94), "{refs:?}");
    assert!(refs.contains(&vulnerability["id"].as_str().unwrap()));
    let reference = &report["external_references"][0];
    assert_eq!(reference["source_name"], "night-relay.md");
    assert_eq!(reference["hashes"]["SHA-256"].as_str().map(str::len), Some(64));
    assert_check_passes(&repo);
}

#[test]
fn a_written_report_relates_what_it_cites_to_the_actor_it_names_most() {
    let repo = example_repo();
    let night_relay_crew = "intrusion-set--3437680e-277d-4e76-a1ea-65403ac948e0";
    let relay_box = "tool--76a78f7c-c3d5-498c-8504-522deca87180";
    let canjector = "malware--32b8226e-f483-4460-a55d-6a7d9d458572";
    let keymaster = "threat-actor--425ce5eb-84d2-40d4-a760-296c492ed244";
    let text = "# Keyless Collective is back\n\n\
        The Keyless Collective relays key fobs with the Signal Booster Pro and starts cars with the\n\
        Emergency Start Kit (CAPEC-94), then calls home over HTTPS (T1071.001) to relay-c2[.]org,\n\
        exploiting CVE-2099-0001. The Locksmith was not involved; keyless collectives and\n\
        Keyless Collectives are words, not names. Keyless Collective again.\n";
    repo.write("sources/keyless.md", text);
    let (code, _, stderr) = import(&repo, &["sources/keyless.md", "--to", "content/imports/keyless.json"]);
    assert_eq!(code, 0, "{stderr}");
    let bundle = read_json(&repo, "content/imports/keyless.json");
    let indicator = of_type(&bundle, "indicator")[0]["id"].as_str().unwrap().to_owned();
    let vulnerability = of_type(&bundle, "vulnerability")[0]["id"].as_str().unwrap().to_owned();
    let made: Vec<(String, String, String)> = of_type(&bundle, "relationship")
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap().to_owned();
            (text("source_ref"), text("relationship_type"), text("target_ref"))
        })
        .collect();
    let triple = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    // What the repository did not say yet is said by new relationships...
    assert_eq!(
        made,
        [
            triple(night_relay_crew, "uses", T1071_001),
            triple(night_relay_crew, "targets", &vulnerability),
            triple(&indicator, "indicates", night_relay_crew),
        ]
    );
    for relationship in of_type(&bundle, "relationship") {
        let provenance = &relationship["extensions"][PROVENANCE];
        assert_eq!(provenance["rule"], "text relationship");
        assert!(provenance["location"].as_str().unwrap().starts_with("line "), "{provenance}");
    }
    // ...what it says already (the crew uses CAPEC-94, the relay box and CANjector) is referenced.
    let report = of_type(&bundle, "report")[0];
    let refs: Vec<&str> = report["object_refs"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    for existing in [
        "relationship--ea10347c-ae0f-493b-9663-4198b0b2cee5",
        "relationship--6c86bb18-e1fd-452a-9e55-56536fe0edda",
        "relationship--c1c48743-e2b8-4d95-b629-c821d61116ed",
    ] {
        assert!(refs.contains(&existing), "{existing} in {refs:?}");
    }
    for named in [night_relay_crew, relay_box, canjector, keymaster] {
        assert!(refs.contains(&named), "{named} is named in the report");
    }
    assert_check_passes(&repo);
    let before = std::fs::read(repo.path().join("content/imports/keyless.json")).unwrap();
    import(&repo, &["sources/keyless.md", "--to", "content/imports/keyless.json"]);
    assert_eq!(before, std::fs::read(repo.path().join("content/imports/keyless.json")).unwrap());
}

#[test]
fn pdf_reports_are_read_page_by_page_and_an_unreadable_one_is_reported() {
    let repo = example_repo();
    let pages = [
        "Keyless Collective: the spring wave\nA summary for the fleet owners.",
        "Indicators\nC2: relay-c2[.]org over HTTPS (T1071.001)\npayload hxxp://198.51.100[.]23/p.bin",
    ];
    repo.write("sources/spring-wave.pdf", pdf::sample_pdf(&pages, true));
    repo.write("sources/damaged.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R");
    let (code, _, stderr) =
        import(&repo, &["sources/spring-wave.pdf", "sources/damaged.pdf", "--to", "content/imports/spring.json"]);
    assert_eq!(code, 1, "the damaged PDF is a problem of the run: {stderr}");
    assert!(stderr.contains("error[import-unreadable]") && stderr.contains("damaged.pdf"), "{stderr}");
    let bundle = read_json(&repo, "content/imports/spring.json");
    let report = of_type(&bundle, "report")[0];
    assert_eq!(report["name"], "Keyless Collective: the spring wave");
    assert_eq!(report["extensions"][PROVENANCE]["rule"], "pdf report");
    let indicators = of_type(&bundle, "indicator");
    let patterns: Vec<&str> = indicators.iter().map(|i| i["pattern"].as_str().unwrap()).collect();
    assert_eq!(patterns, ["[domain-name:value = 'relay-c2.org']", "[url:value = 'http://198.51.100.23/p.bin']"]);
    assert_eq!(indicators[0]["extensions"][PROVENANCE]["location"], "page 2, line 2");
    let relationships = of_type(&bundle, "relationship");
    assert!(relationships.iter().any(|r| r["relationship_type"] == "uses" && r["target_ref"] == T1071_001));
    assert_check_passes(&repo);
}

#[test]
fn html_reports_are_read_as_text_without_their_scripts() {
    let repo = example_repo();
    let html = "<!DOCTYPE html><html><head><title>Relay &amp; theft</title><script>fetch('https://tracker-cdn.net/x')</script></head>\n<body><p>C2: <b>relay-c2[.]org</b></p></body></html>\n";
    repo.write("sources/advisory.html", html);
    let (code, stdout, stderr) = import(&repo, &["sources/advisory.html"]);
    assert_eq!(code, 0, "{stderr}");
    let bundle: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(of_type(&bundle, "report")[0]["name"], "Relay & theft");
    assert!(!stdout.contains("tracker-cdn.net"));
    assert_eq!(of_type(&bundle, "indicator")[0]["extensions"][PROVENANCE]["location"], "line 2");
}

fn misp_event() -> String {
    serde_json::json!({"Event": {
        "uuid": "5f7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b",
        "info": "Relay crew infrastructure",
        "date": "2026-11-20",
        "timestamp": "1795000000",
        "Orgc": {"name": "CERT Example", "uuid": "11111111-2222-4333-8444-555555555555"},
        "Tag": [
            {"name": "tlp:green"},
            {"name": "misp-galaxy:mitre-attack-pattern=\"Web Protocols - T1071.001\""},
            {"name": "kill-chain:command-and-control"}
        ],
        "Attribute": [
            {"type": "domain", "value": "relay-c2.net", "to_ids": true, "timestamp": "1795000000", "comment": "c2"},
            {"type": "domain", "value": "seen-only.net", "to_ids": false},
            {"type": "sha256", "value": EXISTING_SHA256, "to_ids": true},
            {"type": "vulnerability", "value": "CVE-2099-0001", "to_ids": false},
            {"type": "named pipe", "value": "\\\\.\\pipe\\relay", "to_ids": true}
        ],
        "Object": [{"name": "file", "timestamp": "1795000000", "Attribute": [
            {"type": "filename", "object_relation": "filename", "value": "relay.apk", "to_ids": true},
            {"type": "md5", "object_relation": "md5", "value": "cccccccccccccccccccccccccccccccc", "to_ids": true},
            {"type": "size-in-bytes", "object_relation": "size-in-bytes", "value": "1024"}
        ]}]
    }})
    .to_string()
}

#[test]
fn a_misp_event_becomes_a_report_with_markings_relationships_and_its_organisation() {
    let repo = example_repo();
    repo.write("sources/event.json", misp_event());
    let (code, _, stderr) = import(&repo, &["sources/event.json", "--to", "content/imports/event.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning[import-misp-unsupported]"), "{stderr}");
    let bundle = read_json(&repo, "content/imports/event.json");
    let report = of_type(&bundle, "report")[0];
    assert_eq!(report["name"], "Relay crew infrastructure");
    assert_eq!(report["published"], "2026-11-20T00:00:00.000Z");
    assert_eq!(report["created"], "2026-11-18T11:06:40.000Z");
    assert_eq!(report["labels"], serde_json::json!(["kill-chain:command-and-control"]));
    let green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
    assert_eq!(report["object_marking_refs"], serde_json::json!([green]));
    let patterns: Vec<&str> = of_type(&bundle, "indicator").iter().map(|i| i["pattern"].as_str().unwrap()).collect();
    assert_eq!(
        patterns,
        [
            "[domain-name:value = 'relay-c2.net']",
            "[file:hashes.MD5 = 'cccccccccccccccccccccccccccccccc' AND file:name = 'relay.apk']"
        ]
    );
    assert_eq!(of_type(&bundle, "domain-name")[0]["value"], "seen-only.net");
    assert_eq!(of_type(&bundle, "vulnerability")[0]["name"], "CVE-2099-0001");
    let refs = report["object_refs"].as_array().unwrap();
    assert!(refs.iter().any(|r| r == EXISTING_INDICATOR), "the known digest is referenced");
    let relationships = of_type(&bundle, "relationship");
    // The two new indicators and the known one the event tags with the technique.
    assert_eq!(relationships.len(), 3);
    assert!(relationships.iter().any(|r| r["source_ref"] == EXISTING_INDICATOR));
    assert!(relationships.iter().all(|r| r["relationship_type"] == "indicates" && r["target_ref"] == T1071_001));
    assert_eq!(of_type(&bundle, "identity").iter().filter(|i| i["name"] == "CERT Example").count(), 1);
    assert_check_passes(&repo);

    let first = std::fs::read_to_string(repo.path().join("content/imports/event.json")).unwrap();
    let (code, _, _) = import(&repo, &["sources/event.json", "--to", "content/imports/event.json"]);
    assert_eq!(code, 0);
    assert!(
        std::fs::read_to_string(repo.path().join("content/imports/event.json")).unwrap() == first,
        "same bytes again"
    );
    let (code, output) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{output}");
    assert!(
        blocklist(&repo, "domain").is_empty() || !blocklist(&repo, "domain").contains(&"relay-c2.net".into()),
        "a TLP:GREEN indicator stays out of the public feeds"
    );
    let members = std::fs::read_to_string(repo.path().join("members/feeds/blocklists/domain.txt")).unwrap();
    assert!(members.lines().any(|l| l == "relay-c2.net"), "{members}");
}

#[test]
fn hostile_misp_input_gives_located_diagnostics_and_never_a_panic() {
    let repo = example_repo();
    let event = r#"{"Event": {
  "info": ["not", "text"],
  "timestamp": {"no": 1},
  "Tag": "tlp:red",
  "Attribute": [
    {"type": "domain", "value": ["relay-c2.net"], "to_ids": true},
    {"type": "ip-dst", "value": "999.1.1.1", "to_ids": "1"},
    {"type": "domain", "value": "ok-domain.net", "to_ids": 1},
    17
  ],
  "Object": "file"
}}"#;
    repo.write("sources/hostile.json", event);
    let (code, stdout, stderr) = import(&repo, &["sources/hostile.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("sources/hostile.json:6:"), "the wrong value type is located: {stderr}");
    assert!(stderr.contains("sources/hostile.json:7:"), "the bad address is located: {stderr}");
    assert!(stderr.contains("sources/hostile.json:11:"), "the wrong `Object` is located: {stderr}");
    let bundle: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(of_type(&bundle, "indicator").len(), 1);

    repo.write("sources/broken.json", "{\"Event\": {\"Attribute\": [");
    let (code, _, stderr) = import(&repo, &["sources/broken.json", "--format", "misp"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("import-misp-shape"), "{stderr}");
}

#[test]
fn huge_lines_and_millions_of_tokens_cost_linear_time() {
    let repo = example_repo();
    let mut text = String::from("Dump\n");
    text.push_str(&"x".repeat(3_000_000));
    text.push('\n');
    text.push_str(&"word 1.2 a.b v1.2.3 ".repeat(250_000));
    text.push_str("\nrelay-c2[.]org\n");
    repo.write("sources/dump.txt", text);
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = import(&repo, &["sources/dump.txt", "--format", "text"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    let bundle: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(of_type(&bundle, "indicator").len(), 1);
}

#[test]
fn the_target_must_be_inside_the_content_folder() {
    let repo = example_repo();
    repo.write("sources/list.txt", "relay-c2.net\n");
    for to in ["out.json", "content/../out.json", "/tmp/out.json", "content/imports/list.txt"] {
        let (code, _, stderr) = import(&repo, &["sources/list.txt", "--to", to]);
        assert_eq!(code, 2, "{to}: {stderr}");
    }
    let (code, _, _) = import(&repo, &["sources/missing.txt"]);
    assert_eq!(code, 2);
}

/// A MISP event PyMISP writes (`misp_peer.py event` or `types`) at `relative` in the repository.
fn pymisp_event(repo: &Repo, command: &str, relative: &str) -> std::path::PathBuf {
    let event = repo.path().join(relative);
    std::fs::create_dir_all(event.parent().unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/misp_peer.py");
    let status = common::peer_python().arg(&script).arg(command).arg(&event).status().unwrap();
    assert!(status.success(), "PyMISP makes the event");
    event
}

#[test]
fn misp_events_from_pymisp_match_misp_stix_and_pass_the_validator() {
    if !peers_required() {
        eprintln!("skipped: set STIXPRESS_PEERS=1 (scripts/test does) to compare with misp-stix and stix2-validator");
        return;
    }
    let repo = example_repo();
    let event = pymisp_event(&repo, "event", "sources/pymisp-event.json");
    let (code, _, stderr) = import(&repo, &["sources/pymisp-event.json", "--to", "content/imports/pymisp.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_check_passes(&repo);
    let bundle_path = repo.path().join("content/imports/pymisp.json");
    let validated =
        peer_script_json("import/misp_peer.py", &["validate".as_ref(), bundle_path.as_os_str()], "stix2-validator");
    assert_eq!(validated["valid"], true, "{validated}");

    let theirs = peer_script_json("import/misp_peer.py", &["misp-stix".as_ref(), event.as_os_str()], "misp-stix");
    let bundle = read_json(&repo, "content/imports/pymisp.json");
    let ours: Vec<String> =
        of_type(&bundle, "indicator").iter().map(|i| i["pattern"].as_str().unwrap().to_owned()).collect();
    let their_patterns: Vec<&str> =
        theirs["patterns"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    for pattern in &their_patterns {
        // misp-stix writes an ip-dst as a network-traffic destination; stixpress writes the
        // address itself, which blocklists and the repository's index can use.
        let expected = match pattern
            .strip_prefix("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = ")
        {
            Some(rest) => format!("[ipv4-addr:value = {rest}"),
            None => pattern.to_string(),
        };
        assert!(ours.contains(&expected), "misp-stix has {pattern}; stixpress has {ours:#?}");
    }
    assert_eq!(ours.len(), their_patterns.len());
    let mut values: Vec<String> = Vec::new();
    for object in bundle["objects"].as_array().unwrap() {
        if let Some(value) = object.get("value").and_then(Value::as_str) {
            values.push(value.to_owned());
        }
    }
    for value in theirs["values"].as_array().unwrap() {
        let value = value.as_str().unwrap();
        let in_pattern = ours.iter().any(|p| p.contains(&value.replace('\\', "\\\\").replace('\'', "\\'")));
        assert!(values.iter().any(|v| v == value) || in_pattern, "misp-stix has the value {value}");
    }
}

#[test]
fn misp_types_that_are_not_one_value_match_misp_stix_where_it_writes_valid_stix() {
    if !peers_required() {
        eprintln!("skipped: set STIXPRESS_PEERS=1 (scripts/test does) to compare with misp-stix and stix2-validator");
        return;
    }
    let repo = example_repo();
    let event = pymisp_event(&repo, "types", "sources/types.json");
    let (code, _, stderr) = import(&repo, &["sources/types.json", "--to", "content/imports/types.json"]);
    // One attribute (a port that is not `to_ids`) has no observable and is reported.
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("import-misp-not-observable"), "{stderr}");
    assert_check_passes(&repo);
    let bundle_path = repo.path().join("content/imports/types.json");
    let validated =
        peer_script_json("import/misp_peer.py", &["validate".as_ref(), bundle_path.as_os_str()], "stix2-validator");
    assert_eq!(validated["valid"], true, "{validated}");

    let bundle = read_json(&repo, "content/imports/types.json");
    let ours: Vec<String> =
        of_type(&bundle, "indicator").iter().map(|i| i["pattern"].as_str().unwrap().to_owned()).collect();
    let theirs = peer_script_json("import/misp_peer.py", &["misp-stix".as_ref(), event.as_os_str()], "misp-stix");
    for pattern in theirs["patterns"].as_array().unwrap() {
        let expected = as_valid_stix(pattern.as_str().unwrap());
        assert!(ours.contains(&expected), "misp-stix has {pattern} (valid: {expected}); stixpress has {ours:#?}");
    }
    // Where misp-stix writes a custom object, stixpress writes STIX.
    for expected in
        ["[file:mime_type = 'application/zip']", "[process:extensions.'windows-service-ext'.service_name = 'RelaySvc']"]
    {
        assert!(ours.iter().any(|p| p == expected), "{expected} in {ours:#?}");
    }
    let yara = of_type(&bundle, "indicator").into_iter().find(|i| i["pattern_type"] == "yara").expect("a YARA rule");
    assert_eq!(yara["name"], "relay_loader");
    assert!(yara.get("pattern_version").is_none());
    assert_eq!(of_type(&bundle, "vulnerability")[0]["name"], "CVE-2024-3094");
    assert_eq!(of_type(&bundle, "campaign")[0]["name"], "Relay wave");
    assert_eq!(of_type(&bundle, "threat-actor")[0]["name"], "Relay crew");
    let note = of_type(&bundle, "note")[0];
    assert_eq!(note["object_refs"][0], of_type(&bundle, "report")[0]["id"]);
    // Not `to_ids`: observed, with the ids stix2 gives them.
    let mut values: Vec<String> = Vec::new();
    for object in bundle["objects"].as_array().unwrap() {
        if let Some(value) = object.get("value").and_then(Value::as_str) {
            values.push(value.to_owned());
        }
    }
    for value in ["seen.relay-c2.net", "198.51.100.4"] {
        assert!(values.iter().any(|v| v == value), "{value} observed in {values:?}");
    }
    assert_eq!(of_type(&bundle, "x509-certificate").len(), 1);
    // Imported again: the same bytes.
    let before = std::fs::read(&bundle_path).unwrap();
    import(&repo, &["sources/types.json", "--to", "content/imports/types.json"]);
    assert_eq!(before, std::fs::read(&bundle_path).unwrap());
}

/// A misp-stix pattern in the valid form stixpress writes: integers unquoted, a registry value
/// one of a list, a header under its name, a YARA rule without brackets.
fn as_valid_stix(pattern: &str) -> String {
    if pattern.starts_with("[rule ") {
        return pattern[1..pattern.len() - 1].to_owned();
    }
    let mut out = pattern
        .replace("windows-registry-key:values.data", "windows-registry-key:values[*].data")
        .replace("additional_header_fields.reply_to", "additional_header_fields.'Reply-To'");
    for property in ["dst_port = '", "size = '", "number = '"] {
        while let Some(at) = out.find(property) {
            let start = at + property.len();
            let end = start + out[start..].find('\'').unwrap();
            let number = out[start..end].to_owned();
            out.replace_range(at..end + 1, &format!("{}{number}", &property[..property.len() - 1]));
        }
    }
    out
}

#[test]
fn objects_carry_the_importing_identity_and_markings_from_the_configuration() {
    let repo = example_repo();
    let identity = "identity--cbb9da9e-9dbd-4fde-a418-1b3d3a729ed2";
    let mut config = std::fs::read_to_string(repo.path().join("stixpress.toml")).unwrap();
    config.push_str(&format!("\n[import]\ncreated_by_ref = \"{identity}\"\nobject_marking_refs = [\"clear\"]\n"));
    std::fs::write(repo.path().join("stixpress.toml"), config).unwrap();
    repo.write("sources/list.txt", "relay-c2.net\n");
    let (code, _, stderr) =
        import(&repo, &["sources/list.txt", "--to", "content/imports/list.json", "--name", "Week 48"]);
    assert_eq!(code, 0, "{stderr}");
    let bundle = read_json(&repo, "content/imports/list.json");
    for object in of_type(&bundle, "indicator").into_iter().chain(of_type(&bundle, "report")) {
        assert_eq!(object["created_by_ref"], identity);
        assert_eq!(
            object["object_marking_refs"],
            serde_json::json!(["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"])
        );
    }
    assert_check_passes(&repo);
}

// ---- STIX bundles and folders from elsewhere ----

/// A partner's STIX 2.0 bundle (bundle `spec_version`, no object `spec_version`), written the
/// way their tool writes it: its own indentation and property order.
const PARTNER_20: &str = r#"{"type": "bundle", "id": "bundle--0b6a3f5e-4c1d-4a2e-9b7f-1d2c3b4a5f60", "spec_version": "2.0",
 "objects": [
  {"id": "identity--0b6a3f5e-4c1d-4a2e-9b7f-000000000001", "type": "identity", "created": "2024-03-01T10:00:00.000Z",
   "modified": "2024-03-01T10:00:00.000Z", "name": "Partner CERT", "identity_class": "organization"},
  {"type": "indicator", "id": "indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000002",
   "created_by_ref": "identity--0b6a3f5e-4c1d-4a2e-9b7f-000000000001",
   "created": "2024-03-02T10:00:00.000Z", "modified": "2024-03-02T10:00:00.000Z",
   "labels": ["malicious-activity"], "pattern": "[domain-name:value = 'partner-c2.example.org']",
   "valid_from": "2024-03-02T10:00:00Z"}
 ]}"#;

fn partner_21() -> String {
    let identity = "identity--0b6a3f5e-4c1d-4a2e-9b7f-000000000001";
    let indicator = serde_json::json!({
        "type": "indicator", "spec_version": "2.1", "id": "indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000003",
        "created_by_ref": identity, "created": "2024-04-01T10:00:00.000Z", "modified": "2024-04-01T10:00:00.000Z",
        "indicator_types": ["malicious-activity"], "pattern": "[ipv4-addr:value = '198.51.100.23']",
        "pattern_type": "stix", "valid_from": "2024-04-01T10:00:00Z",
    });
    let bad_type = serde_json::json!({
        "type": "malware", "spec_version": "2.1", "id": "malware--0b6a3f5e-4c1d-4a2e-9b7f-000000000004",
        "created": "2024-04-01T10:00:00.000Z", "modified": "2024-04-01T10:00:00.000Z",
        "name": ["not", "a", "string"], "is_family": "yes",
    });
    let pointing_at_bad = serde_json::json!({
        "type": "relationship", "spec_version": "2.1", "id": "relationship--0b6a3f5e-4c1d-4a2e-9b7f-000000000005",
        "created": "2024-04-01T10:00:00.000Z", "modified": "2024-04-01T10:00:00.000Z",
        "relationship_type": "indicates", "source_ref": "indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000003",
        "target_ref": "malware--0b6a3f5e-4c1d-4a2e-9b7f-000000000004",
    });
    common::bundle(&[indicator, bad_type, pointing_at_bad])
}

#[test]
fn stix_20_and_21_bundles_are_kept_as_published_and_checked_where_they_come_from() {
    let repo = example_repo();
    repo.write("partner/2024-03.json", PARTNER_20);
    let (code, _, stderr) = import(&repo, &["partner/2024-03.json", "--to", "content/imports/partner-20.json"]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(repo.path().join("content/imports/partner-20.json")).unwrap();
    let bundle: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(bundle["spec_version"], "2.0", "a STIX 2.0 bundle stays 2.0: {written}");
    let published: Value = serde_json::from_str(PARTNER_20).unwrap();
    assert_eq!(bundle["objects"], published["objects"]);
    let start = PARTNER_20.find("{\"type\": \"indicator\"").unwrap();
    let end = PARTNER_20.find("2024-03-02T10:00:00Z\"}").unwrap() + 22;
    assert!(written.contains(&PARTNER_20[start..end]), "the indicator keeps its bytes:\n{written}");
    assert!(of_type(&bundle, "extension-definition").is_empty(), "third-party objects are never rewritten");
    assert_check_passes(&repo);

    repo.write("partner/2024-04/new.json", partner_21());
    repo.write("partner/2024-04/again.json", PARTNER_20);
    let (code, stdout, stderr) =
        import(&repo, &["partner", "--format", "stix", "--to", "content/imports/partner.json"]);
    assert_eq!(code, 1, "the source had an object with errors: {stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("partner/2024-04/new.json") && stderr.contains("`name` must be a string"), "{stderr}");
    assert!(stderr.contains("malware--0b6a3f5e-4c1d-4a2e-9b7f-000000000004"), "{stderr}");
    let bundle = read_json(&repo, "content/imports/partner.json");
    let ids = kept_ids(&bundle, "partner");
    assert_eq!(
        ids,
        ["indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000003"],
        "what the repository holds is not written again; the invalid malware and what points at it are left out"
    );
    assert!(bundle.get("spec_version").is_none(), "a 2.1 object makes a 2.1 bundle");
    let first = std::fs::read(repo.path().join("content/imports/partner.json")).unwrap();
    let (code, _, _) = import(&repo, &["partner", "--to", "content/imports/partner.json"]);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(repo.path().join("content/imports/partner.json")).unwrap(), first, "same bytes again");
    assert_check_passes(&repo);

    let (code, output) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{output}");
    assert!(
        blocklist(&repo, "domain").contains(&"partner-c2.example.org".to_owned()),
        "2.0 indicators reach the feeds"
    );
    assert!(blocklist(&repo, "ipv4").contains(&"198.51.100.23".to_owned()));
    // The kept indicator's page says where it came from, as the grouping does.
    let page = ["public", "members"]
        .iter()
        .map(|a| repo.path().join(a).join("objects/indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000003/index.html"))
        .find(|p| p.is_file())
        .expect("the kept indicator has a page");
    let html = std::fs::read_to_string(page).unwrap();
    let imported = html.split("<dt>Imported</dt>").nth(1).expect("an Imported row").split("</dd>").next().unwrap();
    assert!(imported.contains("partner") && imported.contains("stix bundle kept as published"), "{imported}");
}

#[test]
fn where_kept_objects_came_from_is_shown_only_to_audiences_that_see_the_grouping() {
    let repo = example_repo();
    let indicator_id = "indicator--0b6a3f5e-4c1d-4a2e-9b7f-0000000000a1";
    let indicator = serde_json::json!({
        "type": "indicator", "spec_version": "2.1", "id": indicator_id,
        "created": "2024-04-01T10:00:00.000Z", "modified": "2024-04-01T10:00:00.000Z",
        "indicator_types": ["malicious-activity"], "pattern": "[ipv4-addr:value = '198.51.100.77']",
        "pattern_type": "stix", "valid_from": "2024-04-01T10:00:00Z",
    });
    repo.write("partner/feed.json", common::bundle(&[indicator]));
    let (code, _, stderr) = import(&repo, &["partner/feed.json", "--to", "content/imports/partner.json"]);
    assert_eq!(code, 0, "{stderr}");
    // The grouping is marked TLP:AMBER and names a source only members may know.
    let path = repo.path().join("content/imports/partner.json");
    let mut bundle: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    for object in bundle["objects"].as_array_mut().unwrap().iter_mut().filter(|o| o["type"] == "grouping") {
        object["object_marking_refs"] = serde_json::json!([amber]);
        object["extensions"][PROVENANCE]["source"] = "CANARY-partner-source".into();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    assert_check_passes(&repo);
    let (code, output) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{output}");
    let page = format!("objects/{indicator_id}/index.html");
    let public = common::read_tree(&repo.path().join("public"));
    assert!(public.contains_key(&page), "the unmarked indicator is public");
    let leaks: Vec<&String> = public
        .iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("CANARY-partner-source"))
        .map(|(p, _)| p)
        .collect();
    assert!(leaks.is_empty(), "the withheld grouping's source reached the public site: {leaks:?}");
    let members = std::fs::read_to_string(repo.path().join("members").join(&page)).unwrap();
    assert!(members.contains("CANARY-partner-source"), "members see where it came from");
}

#[test]
fn hostile_stix_folders_give_check_diagnostics_and_follow_no_symlink() {
    let repo = example_repo();
    repo.write("drop/deep.json", format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)));
    repo.write("drop/array.json", "[1, 2, 3]");
    repo.write("drop/not-json.json", "{\"type\": \"bundle\", \"objects\": [");
    repo.write("drop/ok.json", PARTNER_20);
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join("drop/passwd.json")).unwrap();
    let (code, _, stderr) = import(&repo, &["drop", "--to", "content/imports/drop.json"]);
    assert_eq!(code, 1, "{stderr}");
    for file in ["drop/deep.json", "drop/array.json", "drop/not-json.json"] {
        assert!(stderr.contains(file), "{file} is reported: {stderr}");
    }
    #[cfg(unix)]
    assert!(stderr.contains("symlink-outside-repository"), "{stderr}");
    assert!(!stderr.contains("root:"), "the link is never read");
    let bundle = read_json(&repo, "content/imports/drop.json");
    assert_eq!(bundle["objects"].as_array().map(Vec::len), Some(2), "what could be imported is written");
    assert_check_passes(&repo);
}

#[test]
fn imported_stix_bundles_pass_the_validator() {
    if !peers_required() {
        eprintln!("skipped: set STIXPRESS_PEERS=1 (scripts/test does) to run stix2-validator");
        return;
    }
    let repo = example_repo();
    repo.write("partner/2024-03.json", PARTNER_20);
    repo.write("partner/2024-04.json", partner_21());
    for (source, target) in
        [("partner/2024-03.json", "content/imports/p20.json"), ("partner/2024-04.json", "content/imports/p21.json")]
    {
        let (code, _, stderr) = import(&repo, &[source, "--to", target]);
        assert!(code <= 1, "{stderr}");
        let path = repo.path().join(target);
        let validated =
            peer_script_json("import/misp_peer.py", &["validate".as_ref(), path.as_os_str()], "stix2-validator");
        assert_eq!(validated["valid"], true, "{target}: {validated}");
    }
}

// ---- TAXII 2.1 pulls ----

/// The example's collection of every public object, on `stixpress serve`.
const EXAMPLE_ALL: &str = "53cc8462-778d-5082-8f0a-1f0bdda37ed7";

/// A TAXII server (`stixpress serve`, or medallion) on a free port, stopped when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Server {
    /// Starts `command` and waits for the stderr line that names `http://…` it listens at.
    fn start(mut command: std::process::Command) -> Server {
        use std::io::BufRead;
        let mut child = command
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the server starts");
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        let base = loop {
            let Some(Ok(line)) = lines.next() else { panic!("the server stopped before listening:\n{seen}") };
            if let Some(rest) = line.split(" at http://").nth(1) {
                break format!("http://{}", rest.split('/').next().unwrap());
            }
            seen.push_str(&line);
            seen.push('\n');
        };
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(repo: &Repo) -> Server {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("stixpress"));
    command.args(["serve", "--port", "0", "--no-watch"]).current_dir(repo.path());
    Server::start(command)
}

/// An empty repository to import into.
fn empty_repo() -> Repo {
    let repo = Repo::new();
    repo.write("stixpress.toml", "");
    repo.write("content/README.md", "imports land here\n");
    repo
}

#[test]
fn a_taxii_pull_from_serve_pages_remembers_where_it_stopped_and_changes_nothing_again() {
    let partner = example_repo();
    let server = serve(&partner);
    let repo = empty_repo();
    let api_root = format!("{}/taxii2/api/", server.base);
    let pull = |extra: &[&str]| {
        let mut args = vec![api_root.as_str(), "--collection", EXAMPLE_ALL, "--limit", "7"];
        args.extend_from_slice(&["--to", "content/imports/partner.json"]);
        args.extend_from_slice(extra);
        import(&repo, &args)
    };
    let (code, _, stderr) = pull(&[]);
    assert_eq!(code, 0, "{stderr}");
    let bundle = read_json(&repo, "content/imports/partner.json");
    let pulled = bundle["objects"].as_array().unwrap().len();
    assert!(pulled > 20, "every page is pulled: {pulled} objects");
    let state_path = repo.path().join("content/imports/partner.json.taxii-state");
    let state: Value = serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    let key = format!("{}/taxii2/api/collections/{EXAMPLE_ALL}/objects/", server.base);
    assert!(state["added_after"][&key].is_string(), "{state}");
    assert_check_passes(&repo);

    let first = std::fs::read(repo.path().join("content/imports/partner.json")).unwrap();
    let state_before = std::fs::read(&state_path).unwrap();
    let (code, _, stderr) = pull(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read(repo.path().join("content/imports/partner.json")).unwrap(), first, "nothing changes");
    assert_eq!(std::fs::read(&state_path).unwrap(), state_before);

    let (code, _, stderr) = pull(&["--since", "2000-01-01T00:00:00Z"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read(repo.path().join("content/imports/partner.json")).unwrap(),
        first,
        "pulled again whole, the same"
    );

    let (code, output) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{output}");
    let partner_indicators: Vec<Value> = of_type(&bundle, "indicator").into_iter().cloned().collect();
    assert!(!partner_indicators.is_empty());
    let domains = blocklist(&repo, "domain");
    let ipv4 = blocklist(&repo, "ipv4");
    assert!(!domains.is_empty() || !ipv4.is_empty(), "pulled indicators reach the feeds");
}

#[test]
fn taxii_failures_are_located_diagnostics() {
    let partner = example_repo();
    let server = serve(&partner);
    let repo = empty_repo();
    let missing = format!("{}/taxii2/api/collections/00000000-0000-4000-8000-000000000000/", server.base);
    let (code, _, stderr) = import(&repo, &[&missing, "--to", "content/imports/x.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("HTTP 404") && stderr.contains(&missing), "{stderr}");
    assert!(!repo.path().join("content/imports/x.json.taxii-state").exists(), "a failed pull remembers nothing");
    let html = format!("{}/collections/x/", server.base);
    let (code, _, stderr) = import(&repo, &[&html, "--format", "taxii"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("import-http"), "{stderr}");
    let (code, _, stderr) = import(&repo, &["http://127.0.0.1:9/taxii2/api/", "--collection", "c"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the request failed"), "{stderr}");
    let (code, _, stderr) = import(&repo, &["http://127.0.0.1:9/taxii2/api/", "--format", "taxii"]);
    assert_eq!(code, 2, "no collection named: {stderr}");
}

#[test]
fn a_taxii_pull_from_medallion_pages_small_with_basic_authentication_and_passes_the_validator() {
    if !peers_required() {
        eprintln!("skipped: set STIXPRESS_PEERS=1 (scripts/test does) to pull from medallion");
        return;
    }
    let repo = empty_repo();
    repo.write("partner/2024-03.json", PARTNER_20);
    repo.write("partner/2024-04.json", partner_21());
    let data = repo.path().join("medallion.json");
    let taxii = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/taxii");
    let status = common::peer_python()
        .arg(taxii.join("medallion_data.py"))
        .arg(repo.path().join("partner"))
        .arg("--out")
        .arg(&data)
        .status()
        .unwrap();
    assert!(status.success(), "medallion_data.py writes the data file");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = common::peer_python();
    command.arg(taxii.join("medallion_run.py")).arg(&data).arg(port.to_string()).args(["--max-page-size", "2"]);
    let server = Server::start(command);
    wait_for_port(port);
    let collection = format!("{}/api/collections/e41c49b8-49a8-44e5-9643-e2b380b93dd9/", server.base);
    let pull = |auth: &str| {
        let output = repo
            .stixpress()
            .args(["import", &collection, "--auth-env", "PARTNER_TAXII", "--to", "content/imports/medallion.json"])
            .args(["--now", NOW])
            .env("PARTNER_TAXII", auth)
            .output()
            .unwrap();
        (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (code, stderr) = pull("reader:wrong");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    let (code, stderr) = pull("reader:reader");
    assert_eq!(code, 1, "the invalid malware is reported: {stderr}");
    let bundle = read_json(&repo, "content/imports/medallion.json");
    let ids = kept_ids(&bundle, "/collections/");
    assert_eq!(
        ids,
        [
            "identity--0b6a3f5e-4c1d-4a2e-9b7f-000000000001",
            "indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000002",
            "indicator--0b6a3f5e-4c1d-4a2e-9b7f-000000000003"
        ],
        "every page of two, without the invalid malware and what points at it"
    );
    assert_check_passes(&repo);
    let path = repo.path().join("content/imports/medallion.json");
    let validated =
        peer_script_json("import/misp_peer.py", &["validate".as_ref(), path.as_os_str()], "stix2-validator");
    assert_eq!(validated["valid"], true, "{validated}");
    let state = std::fs::read_to_string(repo.path().join("content/imports/medallion.json.taxii-state"));
    assert!(state.is_err(), "an import with errors remembers nothing");
}

fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nothing listens on port {port}");
}

// ---- MISP feeds ----

#[test]
fn a_misp_feed_folder_imports_every_event_its_manifest_lists() {
    let repo = example_repo();
    let event = serde_json::json!({"Event": {
        "uuid": "0a9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c", "info": "Phishing wave", "date": "2026-11-25",
        "timestamp": "1795400000", "Tag": [{"name": "tlp:clear"}],
        "Attribute": [{"type": "url", "value": "http://phish-login.net/verify", "to_ids": true}]
    }});
    repo.write("feed/0a9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c.json", event.to_string());
    repo.write("feed/5f7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b.json", misp_event());
    repo.write(
        "feed/manifest.json",
        r#"{"5f7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b": {"info": "a"}, "0a9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c": {"info": "b"},
            "11111111-2222-4333-8444-555555555555": {"info": "gone"}, "../../secrets": {}}"#,
    );
    let (code, _, stderr) = import(&repo, &["feed", "--to", "content/imports/feed.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("11111111-2222-4333-8444-555555555555.json") && stderr.contains("missing"), "{stderr}");
    assert!(stderr.contains("../../secrets"), "{stderr}");
    let bundle = read_json(&repo, "content/imports/feed.json");
    let reports: Vec<&str> = of_type(&bundle, "report").iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports.contains(&"Phishing wave"));
    assert_check_passes(&repo);
    let first = std::fs::read(repo.path().join("content/imports/feed.json")).unwrap();
    import(&repo, &["feed", "--to", "content/imports/feed.json"]);
    assert_eq!(std::fs::read(repo.path().join("content/imports/feed.json")).unwrap(), first, "same bytes again");
    let (code, output) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{output}");
    assert!(blocklist(&repo, "url").contains(&"http://phish-login.net/verify".to_owned()));
}

#[test]
fn misp_feeds_written_by_pymisp_import_from_a_folder_and_a_url_and_pass_the_validator() {
    if !peers_required() {
        eprintln!("skipped: set STIXPRESS_PEERS=1 (scripts/test does) to write a feed with PyMISP");
        return;
    }
    let repo = example_repo();
    let feed = repo.path().join("feed");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/misp_peer.py");
    let status = common::peer_python().arg(&script).arg("feed").arg(&feed).status().unwrap();
    assert!(status.success(), "PyMISP writes the feed");
    let (code, _, stderr) = import(&repo, &["feed", "--to", "content/imports/feed.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_check_passes(&repo);
    let path = repo.path().join("content/imports/feed.json");
    let validated =
        peer_script_json("import/misp_peer.py", &["validate".as_ref(), path.as_os_str()], "stix2-validator");
    assert_eq!(validated["valid"], true, "{validated}");
    let patterns = |bundle: &Value| -> Vec<String> {
        let mut p: Vec<String> =
            of_type(bundle, "indicator").iter().map(|i| i["pattern"].as_str().unwrap().to_owned()).collect();
        p.sort();
        p
    };
    let from_folder = patterns(&read_json(&repo, "content/imports/feed.json"));
    assert!(from_folder.contains(&"[url:value = 'http://phish-login.net/verify']".to_owned()), "{from_folder:?}");
    assert!(from_folder.contains(&"[domain-name:value = 'relay-c2.net']".to_owned()), "{from_folder:?}");

    let server = common::static_server(&feed);
    std::fs::remove_file(&path).unwrap();
    for address in [server.url.clone(), format!("{}manifest.json", server.url)] {
        let (code, stdout, stderr) = import(&repo, &[&address]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(patterns(&serde_json::from_str(&stdout).unwrap()), from_folder, "the same feed over HTTP");
    }
    let (code, _, stderr) = import(&repo, &[&format!("{}nothing/", server.url)]);
    assert_eq!(code, 1);
    assert!(stderr.contains("HTTP 404"), "{stderr}");
}

// ---- [[import]] tables ----

#[test]
fn import_without_source_runs_every_import_table_into_its_own_target() {
    let repo = example_repo();
    let config = std::fs::read_to_string(repo.path().join("stixpress.toml")).unwrap();
    repo.write(
        "stixpress.toml",
        format!(
            "{config}\n[[import]]\nname = \"hosts\"\nsource = \"sources/hosts.txt\"\nto = \"content/imports/hosts.json\"\nreport = \"Bad hosts\"\n\n\
             [[import]]\nname = \"partner\"\nsource = \"partner\"\nformat = \"stix\"\nto = \"content/imports/partner.json\"\n"
        ),
    );
    repo.write("sources/hosts.txt", "relay-c2[.]net\n");
    repo.write("partner/2024-03.json", PARTNER_20);
    let output = repo.stixpress().args(["import", "--now", NOW]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("import `hosts`") && stderr.contains("import `partner`"), "{stderr}");
    let hosts = read_json(&repo, "content/imports/hosts.json");
    assert_eq!(of_type(&hosts, "report")[0]["name"], "Bad hosts");
    assert_eq!(of_type(&read_json(&repo, "content/imports/partner.json"), "indicator").len(), 1);
    assert_check_passes(&repo);

    repo.write("partner/2024-04.json", partner_21());
    let output = repo.stixpress().args(["import", "--now", NOW]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "the worst exit code: {}", String::from_utf8_lossy(&output.stderr));
    std::fs::remove_dir_all(repo.path().join("partner")).unwrap();
    let output = repo.stixpress().args(["import", "--now", NOW]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a source that is gone cannot run");
    assert!(String::from_utf8_lossy(&output.stderr).contains("import `hosts`"), "the others still run");

    repo.write(
        "stixpress.toml",
        "[[import]]\nname = \"x\"\nsource = \"a\"\nto = \"content/a.json\"\nwhen = \"daily\"\n",
    );
    let output = repo.stixpress().args(["import"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("when"), "the unknown key is named");
}
