//! Object pages as analysts read them: reports grouped by type with an indicator table (Unit 42),
//! technique pages with their detection inline and entity pages with a table of contents in
//! analysts' order (ATT&CK enterprise), the provenance of imported objects, and hostile text in
//! the new tables kept as text.

mod common;

use std::path::{Path, PathBuf};

use common::{bundle, id, object, Repo};
use scraper::{Html, Selector};
use serde_json::json;

fn page(site: &Path, id: &str) -> (String, Html) {
    let path = site.join("objects").join(id).join("index.html");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = Html::parse_document(&text);
    (text, parsed)
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(selector).unwrap_or_else(|e| panic!("{selector}: {e:?}"));
    html.select(&selector).collect()
}

fn text(element: &scraper::ElementRef<'_>) -> String {
    element.text().collect::<String>()
}

/// The page's HTML without its raw STIX JSON (`<details class="raw">`).
fn without_raw_json(text: &str) -> &str {
    text.split("<details class=\"raw\"").next().unwrap_or(text)
}

fn shared_data(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    assert!(path.is_dir(), "{} is missing", path.display());
    path
}

const TRICKBOT_ANCHOR: &str = "report--a3630e01-c350-426a-9987-de6fb2957454";
/// The marking every Unit 42 object carries: published when the audience names it.
const UNIT42_MARKING: &str = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168";

#[test]
fn unit42_trickbot_anchor_report_reads_as_groups_and_an_indicator_table_under_300_kb() {
    let repo = Repo::new();
    common::copy_dir(&shared_data("unit42-playbooks/playbook_json"), &repo.path().join("content"));
    repo.write(
        "stixpress.toml",
        format!(
            "content = \"content\"\n[audiences.public]\ntlp = [\"clear\", \"white\"]\nunmarked = true\nmarkings = [\"{UNIT42_MARKING}\"]\noutput = \"public\"\n"
        ),
    );
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");
    let (raw, html) = page(&site, TRICKBOT_ANCHOR);
    assert!(raw.len() < 300_000, "the Trickbot Anchor report page is {} bytes", raw.len());

    // Grouped by type with counts; the large groups start collapsed.
    let groups = select(&html, "#contents details.content-group");
    let summary =
        |id: &str| groups.iter().find(|g| g.value().id() == Some(id)).map(|g| (text(g), g.value().attr("open")));
    let (patterns, open) = summary("contents-attack-pattern").expect("an attack-pattern group");
    assert!(patterns.contains("Attack Patterns 22"), "{patterns}");
    assert!(open.is_none(), "22 techniques start collapsed");
    assert!(summary("contents-course-of-action").expect("courses of action").0.contains("35"));

    // Indicators as a table: value, kind, valid from/until, confidence, linked to the blocklists.
    let heads: Vec<String> = select(&html, "table.indicator-table thead th").iter().map(text).collect();
    assert_eq!(heads, ["Value", "Kind", "Valid from", "Valid until", "Confidence"]);
    let rows = select(&html, "table.indicator-table tbody tr");
    assert_eq!(rows.len(), 717);
    let kinds: std::collections::BTreeSet<String> =
        select(&html, "table.indicator-table tbody td:nth-child(2)").iter().map(text).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["domain", "sha256"]);
    let first_value = text(&select(&html, "table.indicator-table tbody td.value")[0]);
    assert!(first_value.len() == 64 && first_value.chars().all(|c| c.is_ascii_hexdigit()), "{first_value}");
    let feeds: Vec<&str> = select(&html, ".feeds-note a").iter().filter_map(|a| a.value().attr("href")).collect();
    assert!(feeds.contains(&"../../feeds/blocklists/sha256.txt"), "{feeds:?}");
    assert!(site.join("feeds/blocklists/sha256.txt").is_file());

    // Relationships under the objects they join, the indicators' ones counted in one row.
    let clusters = select(&html, "#contents-relationship details.cluster");
    let trickbot = clusters.iter().map(text).find(|c| c.starts_with("Malware Trickbot")).expect("a Trickbot cluster");
    assert!(trickbot.contains("695 Indicators indicates Trickbot"), "{trickbot}");
    assert!(select(&html, "#contents-relationship li").len() < 400, "not one row per relationship");
    // The report's own technique matrix.
    assert!(!select(&html, "#contents .entity-matrix .matrix .cell").is_empty());
    // Its JSON (thousands of ids) is linked, not repeated.
    assert_eq!(select(&html, "details.raw a.json-file").len(), 1);
    assert!(!raw.contains("<pre class=\"json\">"));
}

const T1059_001: &str = "attack-pattern--970a3432-3237-47ad-bcca-7d8cbb217736";
const APT29: &str = "intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542";

#[test]
fn attack_technique_pages_show_detection_and_group_pages_lead_with_software_and_a_toc() {
    let repo = Repo::new();
    common::copy_dir(&shared_data("mitre-cti/enterprise-attack"), &repo.path().join("content/enterprise-attack"));
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");

    let (raw, html) = page(&site, T1059_001);
    // ATT&CK is STIX 2.0: the page says it goes out as 2.1, and links that JSON.
    assert_eq!(select(&html, "details.raw p.upgraded").len(), 1);
    assert_eq!(select(&html, "details.raw a.json-file").len(), 1);
    let strategies = select(&html, "section#detection .strategy");
    assert!(!strategies.is_empty(), "T1059.001 has a Detection section");
    assert!(!select(&html, "#detection .analytic").is_empty());
    let log_heads: Vec<String> = select(&html, "#detection table.log-sources thead th").iter().map(text).collect();
    assert_eq!(&log_heads[..3], ["Data component", "Name", "Channel"]);
    let components = select(&html, "#detection table.log-sources td a");
    assert!(components.iter().all(|a| a.value().attr("href").is_some_and(|h| h.contains("x-mitre-data-component--"))));
    assert!(!components.is_empty());
    assert!(!select(&html, "#detection table.mutable-elements tbody tr").is_empty());
    let body = without_raw_json(&raw);
    assert!(!body.contains("x_mitre_log_source_references") && !body.contains("x_mitre_mutable_elements"));
    let labels: Vec<String> = select(&html, "dl.fields dt").iter().map(text).collect();
    assert!(!labels.iter().any(|l| l == "Detection"), "no empty Detection row: {labels:?}");
    let strategy_tables = select(&html, "section[id^='rel-in-detects-x-mitre-detection-strategy']");
    assert!(strategy_tables.is_empty(), "the strategies are listed once, in the Detection section");

    // The analytic's own page: its structured properties as tables, not JSON.
    let analytic = select(&html, "#detection .analytic h4 a")[0].value().attr("href").unwrap().to_owned();
    let analytic_id =
        analytic.trim_end_matches("index.html").trim_end_matches('/').rsplit('/').next().unwrap().to_owned();
    let (analytic_raw, analytic_html) = page(&site, &analytic_id);
    assert!(!select(&analytic_html, ".field-table table.data").is_empty());
    assert!(!without_raw_json(&analytic_raw).contains("<pre"), "no JSON among the properties");

    // A group: summary, then a table of contents, software before techniques.
    let (raw, html) = page(&site, APT29);
    let toc: Vec<String> =
        select(&html, "nav.toc a").iter().filter_map(|a| a.value().attr("href").map(str::to_owned)).collect();
    assert!(toc.len() > 3, "{toc:?}");
    for anchor in &toc {
        let id = anchor.trim_start_matches('#');
        assert!(raw.contains(&format!("id=\"{id}\"")), "the contents point at #{id}");
    }
    let at = |id: &str| raw.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    assert!(raw.find("class=\"description").unwrap() < raw.find("<nav class=\"toc\"").unwrap());
    assert!(
        at("rel-out-uses-malware") < at("rel-out-uses-tool") || at("rel-out-uses-tool") < at("rel-out-uses-malware")
    );
    assert!(at("rel-out-uses-malware") < at("rel-out-uses-attack-pattern"));
    assert!(at("rel-out-uses-tool") < at("rel-out-uses-attack-pattern"));
    assert!(at("matrix") < at("rel-out-uses-attack-pattern"), "the matrix heads the techniques");
}

const PROVENANCE: &str = "extension-definition--a9db0e09-1110-4882-a095-613c6d202fa2";

#[test]
fn imported_objects_say_where_they_came_from_and_hostile_table_text_stays_text() {
    let repo = Repo::new();
    let imported = |n: u32, source: &str| {
        object(
            "indicator",
            n,
            json!({"name": format!("imported {n}"), "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
                "valid_from": "2025-01-01T00:00:00Z",
                "extensions": {PROVENANCE: {"extension_type": "property-extension", "source": source,
                    "importer": "stixpress 9.9.9", "rule": "ipv4 address", "location": "line 42"}}}),
        )
    };
    let hostile = "<script>alert(1)</script>";
    let objects = vec![
        imported(1, "https://example.org/feed.csv"),
        imported(2, &format!("notes {hostile}.txt")),
        imported(3, "javascript:alert(1)"),
        object(
            "malware",
            4,
            json!({"name": "Hostile tables", "is_family": true,
                "x_acme_steps": [{"step": hostile, "tool_ref": id("indicator", 1)}, {"step": "two", "extra": {"nested": hostile}}],
                "x_acme_settings": {"<b>key</b>": hostile}}),
        ),
        object(
            "report",
            5,
            json!({"name": "A report", "published": "2025-01-01T00:00:00Z",
                "object_refs": [id("indicator", 1), id("indicator", 6), id("malware", 4), id("relationship", 7)]}),
        ),
        object(
            "indicator",
            6,
            json!({"name": "hostile url", "pattern": format!("[url:value = 'http://example.org/{hostile}']"),
                "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z", "confidence": 80}),
        ),
        object(
            "relationship",
            7,
            json!({"relationship_type": "indicates", "source_ref": id("indicator", 6), "target_ref": id("malware", 4)}),
        ),
    ];
    repo.write("content/bundle.json", bundle(&objects));
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");

    let imported_line = |n: u32| {
        let (raw, html) = page(&site, &id("indicator", n));
        let dd = select(&html, ".facts .imported dd");
        assert_eq!(dd.len(), 1, "one provenance line on indicator {n}");
        (
            raw,
            text(&dd[0]),
            select(&html, ".facts .imported dd a")
                .iter()
                .filter_map(|a| a.value().attr("href").map(str::to_owned))
                .collect::<Vec<_>>(),
        )
    };
    let (_, line, links) = imported_line(1);
    assert_eq!(line, "from https://example.org/feed.csv by stixpress 9.9.9, ipv4 address, line 42");
    assert_eq!(links, ["https://example.org/feed.csv"]);
    let (raw, line, links) = imported_line(2);
    assert_eq!(line, format!("from notes {hostile}.txt by stixpress 9.9.9, ipv4 address, line 42"));
    assert!(links.is_empty());
    assert!(!raw.contains(hostile), "the source stays text");
    let (_, _, links) = imported_line(3);
    assert!(links.is_empty(), "a javascript: source is not a link");

    for id in [id("malware", 4), id("report", 5), id("indicator", 6)] {
        let (raw, _) = page(&site, &id);
        assert!(!raw.contains(hostile) && !raw.contains("<b>key</b>"), "{id} lets contributed markup through");
    }
    let (_, html) = page(&site, &id("malware", 4));
    let steps = select(&html, ".field-table table.data");
    assert_eq!(steps.len(), 2, "a list of objects and a dictionary, each a table");
    let heads: Vec<String> = select(&html, ".field-table th").iter().map(text).collect();
    assert_eq!(heads, ["Key", "Value", "Tool", "Step", "Extra"], "references, then names, then the rest");
    let cells: Vec<String> = select(&html, ".field-table td").iter().map(text).collect();
    assert!(cells.contains(&hostile.to_owned()), "{cells:?}");
    assert!(cells.contains(&format!("{{\"nested\":\"{hostile}\"}}")), "nested values as one line: {cells:?}");
    assert!(!select(&html, ".field-table td a[href*='indicator--']").is_empty(), "references link");
    let (_, html) = page(&site, &id("report", 5));
    let values: Vec<String> = select(&html, "table.indicator-table td.value").iter().map(text).collect();
    assert!(values.iter().any(|v| v.contains(hostile)), "{values:?}");
    let confidence: Vec<String> = select(&html, "table.indicator-table td:nth-child(5)").iter().map(text).collect();
    assert!(confidence.contains(&"80".to_owned()));
}

/// Every object page links the object's JSON as TAXII publishes it, instead of repeating it:
/// the link resolves, from the page, to the TAXII file of that object, whose latest version
/// is the one the page shows.
#[test]
fn every_object_page_links_its_own_taxii_file_for_its_json() {
    let repo = Repo::new();
    let site = repo.build_example();
    let mut checked = 0;
    for entry in std::fs::read_dir(site.join("objects")).unwrap() {
        let id = entry.unwrap().file_name().to_string_lossy().into_owned();
        let (raw, html) = page(&site, &id);
        assert!(!raw.contains("<pre class=\"json\">"), "{id}: the JSON is linked, not repeated");
        let links = select(&html, "details.raw a.json-file");
        assert_eq!(links.len(), 1, "{id}: one link to its JSON");
        let href = links[0].value().attr("href").unwrap();
        let file = site.join("objects").join(&id).join(href);
        let envelope: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap_or_else(|e| panic!("{id}: {href}: {e}"))).unwrap();
        let object = &envelope["objects"][0];
        assert_eq!(object["id"], id.as_str(), "{id}: {href}");
        assert_eq!(object["spec_version"], "2.1", "{id}: TAXII publishes 2.1");
        let shown = select(&html, ".facts time").get(1).map(|t| t.value().attr("datetime").unwrap().to_owned());
        if let (Some(shown), Some(modified)) = (shown, object["modified"].as_str()) {
            assert_eq!(&shown[..19], &modified[..19], "{id}: the page and the file show one version");
        }
        checked += 1;
    }
    assert!(checked > 100, "{checked} pages");
}
