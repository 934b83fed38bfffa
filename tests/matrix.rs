//! The matrix and names as ATT&CK users read them: on ATT&CK enterprise (a copy of
//! ../shared/data/mitre-cti/enterprise-attack) the matrix is named after its `x-mitre-matrix`,
//! its columns are the 14 tactics by name in the matrix's order, sub-techniques fold under their
//! technique, no cell repeats its id, sub-techniques read "Parent: Child" and the revoked T1086
//! is marked and comes last among the "PowerShell" results; on small repositories, the column
//! order without a matrix and the marks in lists and relationship tables.

mod common;

use std::path::{Path, PathBuf};

use common::{bundle, id, object, Repo};
use scraper::{Html, Selector};
use serde_json::{json, Value};

fn read(site: &Path, path: &str) -> String {
    std::fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn select_texts(html: &str, selector: &str) -> Vec<String> {
    let page = Html::parse_document(html);
    let selector = Selector::parse(selector).unwrap();
    page.select(&selector)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// The postings of an exact term, found the way `search.js` finds them (tests/search.rs).
fn postings(site: &Path, term: &str) -> Vec<(u64, u64)> {
    let mut manifest: String = term.chars().take(1).collect();
    let mut own: Option<String> = None;
    loop {
        let entries = read_json(&site.join(format!("search/m/{}.json", hex(&manifest)))).expect("manifest");
        let mut sub = None;
        for entry in entries.as_array().unwrap() {
            match entry {
                Value::String(p) if term.starts_with(p.as_str()) && own.as_ref().is_none_or(|o| p.len() > o.len()) => {
                    own = Some(p.clone())
                }
                Value::Object(m) if term.starts_with(m["m"].as_str().unwrap()) => {
                    sub = Some(m["m"].as_str().unwrap().to_owned())
                }
                _ => {}
            }
        }
        match sub {
            Some(next) => manifest = next,
            None => break,
        }
    }
    let shard = read_json(&site.join(format!("search/t/{}.json", hex(&own.expect("a shard"))))).unwrap();
    let row = shard.as_array().unwrap().iter().find(|row| row[0] == term).expect("the term");
    let numbers: Vec<u64> = row[1].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    numbers.chunks(2).map(|pair| (pair[0], pair[1])).collect()
}

fn document(site: &Path, number: u64) -> Value {
    let shard = read_json(&site.join(format!("search/d/{}.json", number / 16))).expect("document shard");
    shard[(number % 16) as usize].clone()
}

/// Whether every `needle` in `html` sits inside a `<details>` element.
fn all_inside_details(html: &str, needle: &str) -> bool {
    let mut depth = 0i32;
    let mut rest = html;
    loop {
        let next = [rest.find("<details"), rest.find("</details>"), rest.find(needle)];
        let Some((which, at)) = next.iter().enumerate().filter_map(|(i, p)| Some((i, (*p)?))).min_by_key(|(_, p)| *p)
        else {
            return true;
        };
        match which {
            0 => depth += 1,
            1 => depth -= 1,
            _ if depth == 0 => return false,
            _ => {}
        }
        rest = &rest[at + 1..];
    }
}

#[test]
fn attack_enterprise_reads_as_attack_users_expect() {
    let data: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mitre-cti/enterprise-attack");
    assert!(data.is_dir(), "../shared/data/mitre-cti/enterprise-attack is missing");
    let repo = Repo::new();
    common::copy_dir(&data, &repo.path().join("content/enterprise-attack"));
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");

    // Named after its matrix, reached from the navigation, the dashboard and matrix/.
    let matrix = read(&site, "matrix/mitre-attack/index.html");
    assert_eq!(select_texts(&matrix, "h1"), ["Enterprise ATT&CK"]);
    assert!(select_texts(&matrix, "title")[0].starts_with("Enterprise ATT&CK"));
    let home = read(&site, "index.html");
    assert!(
        home.contains(r#"<a href="./matrix/mitre-attack/index.html">Matrix</a>"#),
        "the navigation leads to the matrix"
    );
    assert!(select_texts(&home, ".matrix-card a")[0].contains("Enterprise ATT&CK"));
    assert!(read(&site, "matrix/index.html").contains(r#"href="mitre-attack/index.html""#));

    // The 14 tactics by name, in the matrix's order, each with its technique count.
    let heads = select_texts(&matrix, ".matrix-column h2 a");
    let tactics = [
        "Reconnaissance",
        "Resource Development",
        "Initial Access",
        "Execution",
        "Persistence",
        "Privilege Escalation",
        "Defense Evasion",
        "Credential Access",
        "Discovery",
        "Lateral Movement",
        "Collection",
        "Command and Control",
        "Exfiltration",
        "Impact",
    ];
    assert_eq!(heads, tactics);
    let counts = select_texts(&matrix, ".matrix-column h2 .count");
    assert!(
        counts.iter().all(|c| c.ends_with("technique") || c.ends_with("techniques"))
            && counts.iter().all(|c| c.split(' ').next().unwrap().parse::<u32>().is_ok())
    );

    // Sub-techniques folded under their technique, collapsed (no `open`), counted.
    assert!(all_inside_details(&matrix, r#"class="cell sub"#) && matrix.contains(r#"class="cell sub"#));
    assert!(!matrix.contains("<details open"));
    let valid_accounts = &matrix[matrix.find(">T1078</span>").unwrap()..];
    let valid_accounts = &valid_accounts[..valid_accounts.find("</details>").unwrap()];
    assert!(valid_accounts.contains("<summary>4 sub-techniques</summary>"), "{valid_accounts}");
    assert!(valid_accounts.contains(r#"title="Valid Accounts: Cloud Accounts""#));

    // Ids once: no cell names its id again.
    let cells = select_texts(&matrix, ".cell-head a");
    assert!(cells.len() > 600);
    for cell in &cells {
        let id = cell.split(' ').next().unwrap();
        assert!(!cell[id.len()..].contains(id), "{cell}");
    }

    // Filtered copies: by platform and by use, from the matrix page.
    assert!(matrix.contains(r#"href="platform/windows/index.html""#));
    let used = read(&site, "matrix/mitre-attack/used/index.html");
    assert!(select_texts(&used, "h1")[0].contains("used here"));
    assert!(site.join("matrix/mitre-attack/platform/linux/index.html").is_file());

    // "Parent: Child" names on the technique's page, in lists and in search documents.
    let cloud_accounts = "attack-pattern--f232fa7a-025c-4d43-abc7-318e81a73d65";
    let page = read(&site, &format!("objects/{cloud_accounts}/index.html"));
    assert_eq!(select_texts(&page, "h1"), ["Valid Accounts: Cloud Accounts"]);
    let lists: String = std::fs::read_dir(site.join("types/attack-pattern/page"))
        .unwrap()
        .map(|e| read(&e.unwrap().path(), "index.html"))
        .chain([read(&site, "types/attack-pattern/index.html")])
        .collect();
    assert!(lists.contains(">Valid Accounts: Cloud Accounts</a>"));
    assert!(lists.contains(">Compromise Accounts: Cloud Accounts</a>"));

    // The revoked T1086 "PowerShell": marked, and after T1059.001 among the exact matches.
    let powershell_hits: Vec<(u64, u64, Value)> =
        postings(&site, "powershell").into_iter().map(|(doc, score)| (doc, score, document(&site, doc))).collect();
    let by_path = |path: &str| powershell_hits.iter().find(|(_, _, d)| d[4] == path).expect(path);
    let revoked = by_path("objects/attack-pattern--f4882e23-8aa7-4b12-b28a-b349c12ee9e0/");
    assert_eq!(revoked.2[6], "revoked");
    let (sub_doc, sub_score, sub) = by_path("objects/attack-pattern--970a3432-3237-47ad-bcca-7d8cbb217736/");
    assert_eq!(sub[0], "Command and Scripting Interpreter: PowerShell", "T1059.001 is found by its own name");
    assert!(*sub_score >= revoked.1, "T1059.001 scores no less than the revoked T1086");
    assert!(*sub_doc < revoked.0, "of equal matches, the current one is first");
    // search.js lists retired results after the current ones, in rank order.
    let mut ranked = powershell_hits.clone();
    ranked.sort_by_key(|(doc, score, d)| (d[6] != "", std::cmp::Reverse(*score), *doc));
    let at = ranked.iter().position(|(_, _, d)| d[4] == revoked.2[4]).unwrap();
    assert!(ranked[at..].iter().all(|(_, _, d)| d[6] != ""), "only retired results follow T1086: {ranked:?}");
    assert!(ranked[..at].iter().any(|(_, _, d)| d[6] == ""));

    // Revoked and deprecated techniques are marked in lists, after the current ones.
    let pages = std::fs::read_dir(site.join("types/attack-pattern/page")).unwrap();
    let last = pages.filter_map(|e| e.unwrap().file_name().to_str()?.parse::<u32>().ok()).max().unwrap();
    let last_page = read(&site, &format!("types/attack-pattern/page/{last}/index.html"));
    assert!(last_page.contains(r#"<span class="chip retired">revoked</span>"#));
    let first_page = read(&site, "types/attack-pattern/index.html");
    assert!(!first_page.contains("chip retired"), "the first page lists current techniques");

    // A group's own matrix is not cut after 8 tactics.
    let lazarus = read(&site, "objects/intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a/index.html");
    let own = &lazarus[lazarus.find("entity-matrix").unwrap()..];
    assert!(select_texts(own, ".matrix-column").len() > 8);
}

#[test]
fn without_a_matrix_columns_follow_the_data_or_the_configuration_and_marks_show() {
    let phase = |name: &str| json!({"kill_chain_name": "heist", "phase_name": name});
    let technique = |n: u32, name: &str, ext: &str, phases: Vec<Value>, extra: Value| {
        let mut o = object(
            "attack-pattern",
            n,
            json!({"name": name, "kill_chain_phases": phases,
                   "external_references": [{"source_name": "mitre-attack", "external_id": ext}]}),
        );
        o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        o
    };
    let objects = vec![
        // Written first, but an object lists "case-the-joint" before "getaway".
        technique(1, "Drive off", "T9001", vec![phase("getaway")], json!({})),
        technique(2, "Watch the bank", "T9002", vec![phase("case-the-joint"), phase("getaway")], json!({})),
        technique(3, "Cloud Things", "T9002.001", vec![phase("case-the-joint")], json!({})),
        technique(4, "Old Trick", "T9003", vec![phase("getaway")], json!({"revoked": true})),
        object("intrusion-set", 5, json!({"name": "Crew"})),
        object(
            "relationship",
            6,
            json!({"relationship_type": "subtechnique-of", "source_ref": id("attack-pattern", 3), "target_ref": id("attack-pattern", 2)}),
        ),
        object(
            "relationship",
            7,
            json!({"relationship_type": "uses", "source_ref": id("intrusion-set", 5), "target_ref": id("attack-pattern", 4)}),
        ),
        object(
            "relationship",
            8,
            json!({"relationship_type": "uses", "source_ref": id("intrusion-set", 5), "target_ref": id("attack-pattern", 3)}),
        ),
        // An indicator naming a phase of a chain with techniques stays out of its cells; a
        // chain only incidents use still has its matrix.
        object(
            "indicator",
            9,
            json!({"name": "Getaway car plate", "pattern": "[x-plate:value = 'B-AD 123']", "pattern_type": "stix",
                   "valid_from": "2025-01-01T00:00:00Z", "kill_chain_phases": [phase("getaway")]}),
        ),
        object(
            "incident",
            10,
            json!({"name": "Night at the depot",
                   "kill_chain_phases": [{"kill_chain_name": "depot-chain", "phase_name": "break-in"}]}),
        ),
    ];
    let repo = Repo::new();
    repo.write("content/heist.json", bundle(&objects));
    let (code, out) = repo.build(&["--no-history"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");
    let matrix = read(&site, "matrix/heist/index.html");
    assert_eq!(select_texts(&matrix, "h1"), ["Heist"]);
    assert_eq!(select_texts(&matrix, ".matrix-column h2"), ["Case the Joint 1 technique", "Getaway 2 techniques"]);
    assert!(!matrix.contains("Old Trick"), "revoked techniques stay out of the matrix");
    assert!(matrix.contains(r#"title="Watch the bank: Cloud Things""#));
    assert!(!matrix.contains("Getaway car plate"), "an indicator is not a technique");
    let depot = read(&site, "matrix/depot-chain/index.html");
    assert!(depot.contains("Night at the depot"), "a chain without techniques shows what uses it");

    // The group's relationships: "Parent: Child", the revoked technique marked and last.
    let group = read(&site, &format!("objects/{}/index.html", id("intrusion-set", 5)));
    let cloud = group.find(" Watch the bank: Cloud Things</a>").expect("the sub-technique by its full name");
    let old = group.find(r#"Old Trick</a> <span class="chip retired">revoked</span>"#).expect("the revoked mark");
    assert!(cloud < old, "the revoked technique comes after the current one");

    // A configured order wins over the data's.
    repo.write("stixpress.toml", "[site.matrix]\norder = [\"getaway\", \"case-the-joint\"]\n");
    let (code, out) = repo.build(&["--no-history"]);
    assert_eq!(code, 0, "{out}");
    let matrix = read(&site, "matrix/heist/index.html");
    assert_eq!(select_texts(&matrix, ".matrix-column h2"), ["Getaway 2 techniques", "Case the Joint 1 technique"]);
}
