//! Dashboards: the numbers the charts, tables and matrix show are counted again here from the
//! bundles, without stixpress; and (with STIXPRESS_PEERS) the dashboard, a matrix, a trend
//! histogram, an entity page and a list page open in Debian's chromium without console errors
//! and without serious or critical axe-core violations, on the example site and on Unit 42.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use common::{bundle, id, object, Repo};
use scraper::{Html, Selector};
use serde_json::{json, Value};

const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

fn html(path: &Path) -> Html {
    Html::parse_document(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The rows of a chart's table: label → value.
fn chart_rows(page: &Html, chart: &str) -> BTreeMap<String, u64> {
    let rows = Selector::parse(&format!("figure#{chart} tbody tr")).unwrap();
    let cell = Selector::parse("td").unwrap();
    page.select(&rows)
        .map(|row| {
            let cells: Vec<String> = row.select(&cell).map(|c| c.text().collect::<String>()).collect();
            (cells[0].clone(), cells[1].parse().unwrap())
        })
        .collect()
}

fn with_time(mut o: Value, created: &str, extra: Value) -> Value {
    o["created"] = json!(created);
    o["modified"] = json!(created);
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        o[k] = v;
    }
    o
}

#[test]
fn charts_and_the_matrix_show_what_the_bundles_hold() {
    let repo = Repo::new();
    let technique = with_time(
        object(
            "attack-pattern",
            1,
            json!({"name": "Relay the key fob", "kill_chain_phases": [{"kill_chain_name": "vehicle-theft", "phase_name": "entry"}],
            "external_references": [{"source_name": "mitre-attack", "external_id": "T9001"}]}),
        ),
        "2026-01-05T00:00:00.000Z",
        json!({"object_marking_refs": [CLEAR]}),
    );
    let group =
        with_time(object("intrusion-set", 2, json!({"name": "Night Crew"})), "2026-01-10T00:00:00.000Z", json!({}));
    let campaign =
        with_time(object("campaign", 3, json!({"name": "Cold Start"})), "2026-02-10T00:00:00.000Z", json!({}));
    let uses = |n: u32, source: String, created: &str, extra: Value| {
        with_time(
            object(
                "relationship",
                n,
                json!({"relationship_type": "uses", "source_ref": source, "target_ref": id("attack-pattern", 1)}),
            ),
            created,
            extra,
        )
    };
    let r1 = uses(10, id("intrusion-set", 2), "2026-02-03T00:00:00.000Z", json!({}));
    let r2 = uses(11, id("campaign", 3), "2026-03-01T00:00:00.000Z", json!({}));
    let secret_malware = with_time(
        object("malware", 4, json!({"name": "Secret Dongle", "is_family": true})),
        "2026-03-01T00:00:00.000Z",
        json!({"object_marking_refs": [RED]}),
    );
    let r3 = uses(12, id("malware", 4), "2026-03-02T00:00:00.000Z", json!({"object_marking_refs": [RED]}));
    let report = |n: u32, published: &str, refs: Vec<String>, label: &str| {
        with_time(
            object(
                "report",
                n,
                json!({"name": format!("Report {n}"), "published": published, "object_refs": refs, "report_types": ["threat-report"], "labels": [label]}),
            ),
            published,
            json!({}),
        )
    };
    let rep1 = report(20, "2026-02-15T00:00:00.000Z", vec![id("attack-pattern", 1), id("intrusion-set", 2)], "fleet");
    let rep2 = report(21, "2026-03-20T00:00:00.000Z", vec![id("attack-pattern", 1)], "<b>odd label</b>");
    let objects = vec![technique, group, campaign, r1, r2, secret_malware, r3, rep1, rep2];
    repo.write("content/all.json", bundle(&objects));
    let (code, out) = repo.build(&["--now", "2026-03-25T00:00:00.000Z"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");

    // Counted again from the objects above: what the public sees (not RED).
    let visible: Vec<&Value> = objects.iter().filter(|o| !o["object_marking_refs"].to_string().contains(RED)).collect();
    let month = |t: &Value| t.as_str().unwrap()[..7].to_owned();
    let mut created: BTreeMap<String, u64> = BTreeMap::new();
    let mut tlp: BTreeMap<String, u64> = BTreeMap::new();
    let mut published: BTreeMap<String, u64> = BTreeMap::new();
    let mut mentions: BTreeMap<String, u64> = BTreeMap::new();
    let technique_id = id("attack-pattern", 1);
    for o in &visible {
        let kind = o["type"].as_str().unwrap();
        let marked = if o["object_marking_refs"].to_string().contains(CLEAR) { "TLP:CLEAR" } else { "no TLP marking" };
        *tlp.entry(marked.into()).or_default() += 1;
        if kind != "relationship" {
            *created.entry(month(&o["created"])).or_default() += 1;
        }
        if kind == "report" {
            *published.entry(month(&o["published"])).or_default() += 1;
            if o["object_refs"].to_string().contains(&technique_id) {
                *mentions.entry(month(&o["published"])).or_default() += 1;
            }
        }
        if kind == "relationship" && o["target_ref"] == json!(technique_id) {
            *mentions.entry(month(&o["created"])).or_default() += 1;
        }
    }
    let nonzero =
        |rows: BTreeMap<String, u64>| -> BTreeMap<String, u64> { rows.into_iter().filter(|(_, v)| *v > 0).collect() };
    let home = html(&site.join("index.html"));
    assert_eq!(nonzero(chart_rows(&home, "activity")), created);
    assert_eq!(nonzero(chart_rows(&home, "reports")), published);
    assert_eq!(chart_rows(&home, "tlp"), tlp);
    let page = html(&site.join(format!("objects/{technique_id}/index.html")));
    assert_eq!(nonzero(chart_rows(&page, "mentions")), mentions);
    // The last 30 days before 2026-03-25: added by created.
    let windows = Selector::parse("table.windows tbody tr").unwrap();
    let row30: Vec<String> = home.select(&windows).nth(1).unwrap().text().map(str::to_owned).collect();
    let added_30 = visible.iter().filter(|o| o["created"].as_str().unwrap() >= "2026-02-23").count();
    assert_eq!(row30[1], added_30.to_string(), "{row30:?}");
    // The matrix: two visible users and two reports; the withheld malware's use is not counted.
    let matrix = html(&site.join("matrix/vehicle-theft/index.html"));
    let uses = Selector::parse("li.cell .uses").unwrap();
    assert_eq!(matrix.select(&uses).next().unwrap().text().collect::<String>(), "4");
    // Timeline pages per label; the odd label is escaped and has a safe address.
    let timeline = std::fs::read_to_string(site.join("reports/index.html")).unwrap();
    assert!(timeline.contains("&lt;b&gt;odd label&lt;/b&gt;") && !timeline.contains("<b>odd"));
    assert!(site.join("reports/label/666c656574/index.html").is_file(), "the `fleet` label's page");
    // The group's own matrix: the technique it uses, under its phase.
    let group_page =
        std::fs::read_to_string(site.join(format!("objects/{}/index.html", id("intrusion-set", 2)))).unwrap();
    let own = &group_page[group_page.find("entity-matrix").expect("the group's matrix")..];
    assert!(own.contains("id=\"tactic-entry\"") && own.contains("Relay the key fob"));
    let trending = std::fs::read_to_string(site.join("trending/index.html")).unwrap();
    assert!(trending.contains("Relay the key fob"));
    for (path, bytes) in common::read_tree(&site) {
        if path.ends_with(".html") {
            assert!(!String::from_utf8_lossy(&bytes).contains("Secret Dongle"), "{path} names the withheld malware");
        }
    }
}

#[test]
fn a_label_s_timeline_lists_its_own_reports_and_the_most_used_labels() {
    // Sixty reports, each with a label of its own and "common"; every tenth also "tenth".
    let repo = Repo::new();
    repo.write("stixpress.toml", "[site]\ntitle = \"Labels\"\n[audiences.public]\ntlp = [\"clear\"]\n");
    let malware = object("malware", 1, json!({"name": "M", "is_family": true, "object_marking_refs": [CLEAR]}));
    let mut objects = vec![malware.clone()];
    for n in 0..60u32 {
        let mut labels = vec![format!("own-{n:02}"), "common".to_owned()];
        if n % 10 == 0 {
            labels.push("tenth".to_owned());
        }
        let published = format!("2026-01-{:02}T00:00:00.000Z", 1 + n % 28);
        objects.push(with_time(
            object(
                "report",
                100 + n,
                json!({"name": format!("Report {n}"), "published": published,
                "object_refs": [malware["id"]], "labels": labels, "object_marking_refs": [CLEAR]}),
            ),
            &published,
            json!({}),
        ));
    }
    repo.write("content/reports.json", bundle(&objects));
    assert_eq!(repo.build(&["--audience", "public"]).0, 0);
    let page = |label: &str| {
        let hex: String = label.bytes().map(|b| format!("{b:02x}")).collect();
        std::fs::read_to_string(repo.path().join(format!("public/reports/label/{hex}/index.html"))).unwrap()
    };
    let links = Selector::parse("nav ul.labels li").unwrap();
    let rows = Selector::parse("ul.timeline li").unwrap();
    let tenth = Html::parse_document(&page("tenth"));
    assert_eq!(tenth.select(&rows).count(), 6, "its own reports");
    let listed: Vec<String> = tenth.select(&links).map(|li| li.text().collect::<String>()).collect();
    // "all", the 24 most used (common, tenth, then own-00 … own-21 by name), and the rest.
    assert_eq!(listed.len(), 1 + 24 + 1, "{listed:?}");
    assert!(listed[1].starts_with("common") && listed[2].starts_with("own-00"), "{listed:?}");
    assert_eq!(listed.last().unwrap(), "38 more labels");
    // A label outside the most used is listed on its own page, in its place by name.
    let late = Html::parse_document(&page("own-59"));
    let listed: Vec<String> = late.select(&links).map(|li| li.text().collect::<String>()).collect();
    assert_eq!(listed.len(), 1 + 25 + 1);
    assert!(listed[24].starts_with("own-59") && listed[23].starts_with("own-21"), "{listed:?}");
    assert_eq!(listed.last().unwrap(), "37 more labels");
    // The page of all reports lists every label.
    let all = std::fs::read_to_string(repo.path().join("public/reports/index.html")).unwrap();
    let all = Html::parse_document(&all);
    assert_eq!(all.select(&links).count(), 1 + 62);
    assert_eq!(all.select(&rows).count(), 60);
}

/// Unit 42: distinct objects per type and reports per month, counted from the bundles, without
/// the objects the build left out as invalid (`left_out`, from its report).
fn unit42_counts(data: &Path, left_out: &HashSet<String>) -> (BTreeMap<String, u64>, BTreeMap<String, u64>, String) {
    let mut latest: HashMap<String, Value> = HashMap::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let file: Value = serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap_or(Value::Null);
        for o in file["objects"].as_array().into_iter().flatten() {
            let id = o["id"].as_str().unwrap().to_owned();
            let time = |o: &Value| o["modified"].as_str().or(o["created"].as_str()).unwrap_or("").to_owned();
            if latest.get(&id).is_none_or(|known| time(o) >= time(known)) {
                latest.insert(id, o.clone());
            }
        }
    }
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    let mut reports: BTreeMap<String, u64> = BTreeMap::new();
    let mut last = String::new();
    let withheld = withheld_from_public(&latest);
    let shown = |o: &&Value| {
        let id = o["id"].as_str().unwrap();
        !left_out.contains(id) && !withheld.contains(id)
    };
    for o in latest.values().filter(shown) {
        *types.entry(o["type"].as_str().unwrap().to_owned()).or_default() += 1;
        let time = o["modified"].as_str().or(o["created"].as_str()).unwrap_or("");
        if time > last.as_str() {
            last = time.to_owned();
        }
        if o["type"] == "report" {
            let when = o["published"].as_str().or(o["created"].as_str()).unwrap();
            *reports.entry(when[..7].to_owned()).or_default() += 1;
        }
    }
    (types, reports, last[..7].to_owned())
}

/// What the public may not see, by the README's rule, computed here: an object with a marking
/// other than TLP:CLEAR, TLP:WHITE or a statement defined in the data, and then, transitively,
/// every object whose JSON names a withheld id anywhere.
fn withheld_from_public(objects: &HashMap<String, Value>) -> HashSet<String> {
    let public: HashSet<String> = objects
        .values()
        .filter(|o| o["type"] == "marking-definition" && o["definition_type"] == "statement")
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .chain([CLEAR.to_owned(), "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9".to_owned()])
        .collect();
    fn ids_in(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if s.len() > 38 && s.contains("--") => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| ids_in(v, out)),
            Value::Object(members) => members.iter().filter(|(k, _)| *k != "id").for_each(|(_, v)| ids_in(v, out)),
            _ => {}
        }
    }
    let mut pointed_at_by: HashMap<String, Vec<String>> = HashMap::new();
    let mut withheld: Vec<String> = Vec::new();
    for (id, o) in objects {
        let mut named = Vec::new();
        ids_in(o, &mut named);
        let markings: Vec<&str> =
            o["object_marking_refs"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if markings.iter().any(|m| !public.contains(*m)) {
            withheld.push(id.clone());
        }
        for target in named {
            pointed_at_by.entry(target).or_default().push(id.clone());
        }
    }
    let mut seen: HashSet<String> = withheld.iter().cloned().collect();
    while let Some(id) = withheld.pop() {
        for source in pointed_at_by.get(&id).into_iter().flatten() {
            if seen.insert(source.clone()) {
                withheld.push(source.clone());
            }
        }
    }
    seen
}

#[test]
fn unit42_dashboard_counts_match_the_bundles_and_its_pages_pass_in_a_browser() {
    let data: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/unit42-playbooks/playbook_json");
    assert!(data.is_dir(), "../shared/data/unit42-playbooks is missing");
    let repo = Repo::new();
    common::copy_dir(&data, &repo.path().join("content"));
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("public");
    // Unit 42 publishes objects whose versions disagree (`created-changed`): the build leaves
    // them out and names them.
    // (The build names at most 20 of them; `check` lists every error with its object, and the
    // objects with errors of their own, not of the repository rules, are the ones left out.)
    let repository_rules =
        ["conflicting-versions", "created-changed", "creator-changed", "missing-reference", "revoked-reference"];
    let (_, report) = repo.check_json(&[]);
    let left_out: HashSet<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error" && !repository_rules.contains(&d["code"].as_str().unwrap_or("")))
        .filter_map(|d| d["object_id"].as_str().map(str::to_owned))
        .collect();
    assert!(out.contains(&format!("left out {} invalid objects", left_out.len())), "{out}");
    let (types, reports, last_month) = unit42_counts(&data, &left_out);
    let home = html(&site.join("index.html"));
    // The counts by type are the sidebar's (the dashboard does not repeat them).
    let cards = Selector::parse(".types-nav a").unwrap();
    let count = Selector::parse(".count").unwrap();
    let shown: BTreeMap<String, u64> = home
        .select(&cards)
        .map(|a| {
            let href = a.value().attr("href").unwrap();
            let kind = href.trim_start_matches("./types/").trim_end_matches("/index.html").to_owned();
            let n = a.select(&count).next().unwrap().text().collect::<String>().trim().parse().unwrap();
            (kind, n)
        })
        .collect();
    let expected: BTreeMap<String, u64> =
        types.into_iter().filter(|(t, _)| t != "marking-definition" || shown.contains_key(t)).collect();
    assert_eq!(shown, expected);
    let charted = chart_rows(&home, "reports");
    let axis: HashSet<&String> = charted.keys().collect();
    let in_axis: BTreeMap<String, u64> = reports.into_iter().filter(|(m, _)| axis.contains(m)).collect();
    assert_eq!(charted.into_iter().filter(|(_, v)| *v > 0).collect::<BTreeMap<_, _>>(), in_axis);
    assert!(home.root_element().html().contains(&format!("to {last_month}")));

    if !common::peers_required() {
        return;
    }
    let (chain, technique, mentions) = first_matrix_and_technique(&site);
    let pages = json!([
        {"name": "dashboard", "path": "", "expect": "figure#activity svg"},
        {"name": "matrix", "path": format!("matrix/{chain}/"), "expect": ".matrix .cell"},
        {"name": "trend", "path": format!("objects/{technique}/"), "expect": mentions},
        {"name": "entity", "path": "objects/intrusion-set--a6373715-e2d7-4f51-abde-319a0700693e/", "expect": "h1"},
        {"name": "list", "path": "types/indicator/", "expect": "main"},
        {"name": "reports", "path": "reports/", "expect": "main h1"},
        {"name": "trending", "path": "trending/", "expect": "h1"},
    ]);
    common::browser_test("pages.cjs", &site, &pages, "dashboards-unit42");
}

/// A matrix page and a technique whose page says how often it was mentioned, from the built
/// site, with what shows it: a histogram where one has two months or more (the page says it in
/// a sentence otherwise, as on Unit 42, whose reports each come at once).
fn first_matrix_and_technique(site: &Path) -> (String, String, &'static str) {
    let mut chains = std::fs::read_dir(site.join("matrix")).unwrap().map(|e| e.unwrap().path());
    let chain = chains.find(|p| p.is_dir()).unwrap().file_name().unwrap().to_string_lossy().into_owned();
    let matrix = html(&site.join(format!("matrix/{chain}/index.html")));
    let cells = Selector::parse("li.cell a").unwrap();
    let pages: Vec<(String, String)> = matrix
        .select(&cells)
        .map(|cell| {
            let href = cell.value().attr("href").unwrap();
            let id = href.trim_end_matches("index.html").trim_end_matches('/').rsplit('/').next().unwrap().to_owned();
            let page = std::fs::read_to_string(site.join(format!("objects/{id}/index.html"))).unwrap();
            (id, page)
        })
        .collect();
    for (marker, expect) in [("id=\"mentions\"", "figure#mentions svg"), ("id=\"mentions-note\"", "p#mentions-note")] {
        if let Some((id, _)) = pages.iter().find(|(_, page)| page.contains(marker)) {
            return (chain, id.clone(), expect);
        }
    }
    panic!("no technique with mentions in matrix/{chain}/");
}

#[test]
fn the_example_site_pages_pass_in_a_browser() {
    if !common::peers_required() {
        return;
    }
    let repo = Repo::new();
    let site = repo.build_example();
    let (chain, technique, mentions) = first_matrix_and_technique(&site);
    let pages = json!([
        {"name": "dashboard", "path": "", "expect": "figure#activity svg"},
        {"name": "matrix", "path": format!("matrix/{chain}/"), "expect": ".matrix .cell"},
        {"name": "trend", "path": format!("objects/{technique}/"), "expect": mentions},
        {"name": "entity", "path": "objects/intrusion-set--3437680e-277d-4e76-a1ea-65403ac948e0/", "expect": "h1"},
        // The page links its JSON (the object's TAXII file) and shows it when opened.
        {"name": "json", "path": "objects/intrusion-set--3437680e-277d-4e76-a1ea-65403ac948e0/", "open": "details.raw",
         "expect": "details.raw pre.json"},
        {"name": "list", "path": "types/indicator/", "expect": "main"},
        {"name": "reports", "path": "reports/", "expect": "main"},
        {"name": "trending", "path": "trending/", "expect": "h1"},
        {"name": "search", "path": "search/?q=relay", "expect": "#search-results"},
    ]);
    common::browser_test("pages.cjs", &site, &pages, "dashboards-example");
}
