//! Search: the static index under `search/`, read here the way `search.js` reads it (manifest,
//! term shard, document shard), and (with STIXPRESS_PEERS) typed into the real page in Debian's
//! chromium by tests/browser/search.cjs, on the example site and on ATT&CK plus Unit 42.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{bundle, id, object, Repo};
use serde_json::{json, Value};

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// The shard an exact term is in: the longest listed prefix of it, following `{"m": p}`
/// entries into the manifests they stand for (what `search.js` does).
fn shard_of(site: &Path, term: &str) -> Option<String> {
    let mut manifest: String = term.chars().take(1).collect();
    let mut own: Option<String> = None;
    loop {
        let entries = read_json(&site.join(format!("search/m/{}.json", hex(&manifest))))?;
        let mut sub = None;
        for entry in entries.as_array()? {
            match entry {
                Value::String(p) if term.starts_with(p.as_str()) && own.as_ref().is_none_or(|o| p.len() > o.len()) => {
                    own = Some(p.clone())
                }
                Value::Object(m) => {
                    let p = m["m"].as_str()?;
                    if term.starts_with(p) {
                        sub = Some(p.to_owned());
                    }
                }
                _ => {}
            }
        }
        match sub {
            Some(next) => manifest = next,
            None => return own,
        }
    }
}

/// The documents an exact term finds, with their scores.
fn lookup(site: &Path, term: &str) -> Vec<(u64, u64)> {
    let Some(prefix) = shard_of(site, term) else { return Vec::new() };
    let shard = read_json(&site.join(format!("search/t/{}.json", hex(&prefix)))).expect("the listed shard");
    let row = shard.as_array().unwrap().iter().find(|row| row[0] == term);
    let postings = row.map(|r| r[1].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect::<Vec<_>>());
    postings.unwrap_or_default().chunks(2).map(|pair| (pair[0], pair[1])).collect()
}

fn document(site: &Path, number: u64) -> Value {
    let shard = read_json(&site.join(format!("search/d/{}.json", number / 16))).expect("document shard");
    shard[(number % 16) as usize].clone()
}

/// The path of the best document for `term`.
fn first_hit(site: &Path, term: &str) -> Option<String> {
    let hits = lookup(site, term);
    let best = hits.iter().max_by_key(|(doc, score)| (*score, std::cmp::Reverse(*doc)))?;
    document(site, best.0)[4].as_str().map(str::to_owned)
}

#[test]
fn names_aliases_ids_and_values_find_their_object_and_nothing_withheld_is_indexed() {
    let repo = Repo::new();
    let secret = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"; // TLP:RED
    let group = object(
        "intrusion-set",
        1,
        json!({"name": "Night Relay Crew", "aliases": ["Keyless Collective"], "description": "Steals cars <script>alert(1)</script> (Citation: X)",
               "external_references": [{"source_name": "mitre-attack", "external_id": "G9001"}]}),
    );
    let indicator = object(
        "indicator",
        2,
        json!({"name": "Relay box C2", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
               "pattern": "[domain-name:value = 'Relay-Box.Example.'] OR [file:hashes.'SHA-256' = 'AB00000000000000000000000000000000000000000000000000000000000001']"}),
    );
    let mut hidden = object("malware", 3, json!({"name": "Unreleased Secret Tool", "is_family": true}));
    hidden["object_marking_refs"] = json!([secret]);
    repo.write("content/b.json", bundle(&[group, indicator, hidden]));
    let (code, out) = repo.build(&[]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");
    let group_page = format!("objects/{}/", id("intrusion-set", 1));
    let indicator_page = format!("objects/{}/", id("indicator", 2));
    for term in ["night relay crew", "keyless collective", "night", "collective", "g9001", &id("intrusion-set", 1)] {
        assert_eq!(first_hit(&site, term).as_deref(), Some(group_page.as_str()), "{term}");
    }
    for term in ["relay-box.example", "ab00000000000000000000000000000000000000000000000000000000000001"] {
        assert_eq!(first_hit(&site, term).as_deref(), Some(indicator_page.as_str()), "{term}");
    }
    assert_eq!(first_hit(&site, "steals").as_deref(), Some(group_page.as_str()), "description words");
    assert!(first_hit(&site, "the").is_none(), "stop words are not indexed");
    // Nothing of the withheld malware, in any search file.
    for (path, bytes) in common::read_tree(&site.join("search")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Unreleased") && !text.contains("unreleased"), "{path} names the withheld malware");
        assert!(!text.contains(&id("malware", 3)), "{path} holds the withheld id");
    }
    // The snippet is plain text; the page escapes it when it shows it.
    let doc = document(&site, lookup(&site, "night relay crew")[0].0);
    assert_eq!(doc[5], "Steals cars <script>alert(1)</script>");
    let page = std::fs::read_to_string(site.join("search/index.html")).unwrap();
    assert!(page.contains("<noscript>") && page.contains("types/"), "without JavaScript the page says so");
}

#[test]
fn a_common_word_costs_no_more_than_the_capped_postings() {
    let repo = Repo::new();
    let objects: Vec<Value> = (1..=300)
        .map(|n| {
            object(
                "malware",
                n,
                json!({"name": format!("Family {n}"), "is_family": true, "description": "common word"}),
            )
        })
        .collect();
    repo.write("content/many.json", bundle(&objects));
    let (code, out) = repo.build(&[]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");
    assert_eq!(lookup(&site, "common").len(), 50);
    assert_eq!(lookup(&site, "family").len(), 50);
    assert_eq!(first_hit(&site, "family 123").as_deref(), Some(format!("objects/{}/", id("malware", 123)).as_str()));
}

#[test]
fn thousands_of_ids_sharing_a_prefix_are_found_through_nested_manifests() {
    let repo = Repo::new();
    let objects: Vec<Value> =
        (1..=20000).map(|n| object("malware", n, json!({"name": format!("M{n}"), "is_family": true}))).collect();
    repo.write("content/many.json", bundle(&objects));
    let (code, out) = repo.build(&[]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");
    let nested = std::fs::read_to_string(site.join(format!("search/m/{}.json", hex("m")))).unwrap();
    assert!(nested.contains("{\"m\":"), "the manifest of `m` hands the ids on: {nested}");
    for (path, bytes) in common::read_tree(&site.join("search/m")) {
        assert!(bytes.len() <= 4200, "manifest {path} is {} bytes", bytes.len());
    }
    for n in [1, 777, 20000] {
        assert_eq!(
            first_hit(&site, &id("malware", n)).as_deref(),
            Some(format!("objects/{}/", id("malware", n)).as_str())
        );
    }
}

// ---- In a browser --------------------------------------------------------------------------

#[test]
fn typing_in_the_example_site_shows_the_right_object_first_and_opens_it() {
    if !common::peers_required() {
        return;
    }
    let repo = Repo::new();
    let site = repo.build_example();
    let group = "objects/intrusion-set--3437680e-277d-4e76-a1ea-65403ac948e0/";
    let cases = json!([
        {"name": "group name", "query": "Night Relay Crew", "expect": group},
        {"name": "prefix", "query": "Night Rel", "expect": group},
        {"name": "alias", "query": "Keyless Collective", "expect": group},
        {"name": "technique", "query": "T1071.001", "expect": "objects/attack-pattern--6a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3/"},
        {"name": "identifier", "query": "VSC-EXAMPLE-2026-0001", "expect": "objects/vulnerability--e73c28a5-1949-4ce3-a13f-f6cca1833847/"},
        {"name": "cve", "query": "CVE-2022-27254", "expect": "objects/vulnerability--66455116-1393-468f-a712-8fb36f1a8e48/"},
    ]);
    common::browser_test("search.cjs", &site, &cases, "example");
}

/// A SHA-256 that exactly one Unit 42 indicator's pattern holds, and that indicator's id.
fn unique_unit42_sha256(data: &Path) -> (String, String) {
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let file: Value = read_json(&entry.unwrap().path()).unwrap_or(Value::Null);
        for o in file["objects"].as_array().into_iter().flatten() {
            let (Some(pattern), Some(id)) = (o["pattern"].as_str(), o["id"].as_str()) else { continue };
            if let Some(at) = pattern.find("SHA-256' = '") {
                let value = &pattern[at + 12..];
                let value = &value[..value.find('\'').unwrap_or(0)];
                if value.len() == 64 {
                    let ids = seen.entry(value.to_lowercase()).or_default();
                    if !ids.contains(&id.to_owned()) {
                        ids.push(id.to_owned());
                    }
                }
            }
        }
    }
    let mut unique: Vec<(String, String)> =
        seen.into_iter().filter(|(_, ids)| ids.len() == 1).map(|(hash, ids)| (hash, ids[0].clone())).collect();
    unique.sort();
    unique.into_iter().next().expect("a SHA-256 in one indicator")
}

#[test]
fn typing_in_attack_plus_unit42_shows_the_right_object_first_and_opens_it() {
    if !common::peers_required() {
        return;
    }
    let data: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    assert!(data.join("mitre-cti").is_dir(), "../shared/data/mitre-cti is missing");
    let repo = Repo::new();
    common::copy_dir(&data.join("mitre-cti"), &repo.path().join("content/mitre-cti"));
    common::copy_dir(&data.join("unit42-playbooks/playbook_json"), &repo.path().join("content/unit42"));
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert!(code == 0, "{out}");
    let (sha256, indicator) = unique_unit42_sha256(&data.join("unit42-playbooks/playbook_json"));
    let lazarus = "objects/intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a/";
    let cases = json!([
        {"name": "group name", "query": "Lazarus Group", "expect": lazarus},
        {"name": "prefix", "query": "Lazarus Gr", "expect": lazarus},
        {"name": "alias", "query": "HIDDEN COBRA", "expect": lazarus},
        {"name": "technique", "query": "T1059", "expect": "objects/attack-pattern--7385dfaf-6886-4229-9ecd-6fd678040830/"},
        {"name": "sha256", "query": sha256.to_uppercase(), "expect": format!("objects/{indicator}/")},
    ]);
    common::browser_test("search.cjs", &repo.path().join("public"), &cases, "attack-unit42");
}
