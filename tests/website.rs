//! The website in a browser: a page of every kind from the example, ATT&CK enterprise and the
//! Unit 42 playbooks, opened in Chromium at 390, 768 and 1400 px in light and dark mode
//! (`tests/browser/pages.cjs`): no page scrolls sideways, axe-core finds no serious or critical
//! violation (colour contrast included; axe at every width), and screenshots of each are
//! kept in `target/test-output/screenshots/website-*`. The pages are samples: opening all
//! 25,000 of ATT&CK would take far longer than what it would add; of Unit 42, the playbook with
//! its largest report is built with ATT&CK enterprise.
//!
//! Also, without a browser: links between pages name `index.html`, so the site browses from
//! disk, and the search page says it needs a web server there.

mod common;

use std::path::{Path, PathBuf};

use common::Repo;
use serde_json::{json, Value};

/// The first published object of `object_type` (by id), as a page path.
fn first_object(site: &Path, object_type: &str) -> String {
    let mut ids: Vec<String> = std::fs::read_dir(site.join("objects"))
        .expect("objects/ was written")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|id| id.starts_with(&format!("{object_type}--")))
        .collect();
    ids.sort();
    let id = ids.first().unwrap_or_else(|| panic!("no {object_type} page"));
    format!("objects/{id}/")
}

/// The matrix page, when the site has one (`matrix/`, else the first kill chain's).
fn matrix_page(site: &Path) -> Option<String> {
    if site.join("matrix/index.html").is_file() {
        return Some("matrix/".into());
    }
    let mut chains: Vec<String> = std::fs::read_dir(site.join("matrix"))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| site.join("matrix").join(name).join("index.html").is_file())
        .collect();
    chains.sort();
    chains.first().map(|chain| format!("matrix/{chain}/"))
}

/// The pages every site is tried with, then `own`; a page whose path is None is left out.
fn pages(site: &Path, own: Vec<(&str, Option<String>, &str)>) -> Value {
    let mut all: Vec<(&str, Option<String>, &str)> = vec![
        ("dashboard", Some(String::new()), "main h1"),
        ("matrix", matrix_page(site), "main"),
        ("search", Some("search/?q=relay".into()), "#search-results"),
        ("feeds", Some("feeds/".into()), "main h1"),
        ("contributors", Some("contributors/".into()), "main h1"),
    ];
    all.extend(own);
    Value::Array(
        all.into_iter()
            .filter_map(|(name, path, expect)| Some(json!({"name": name, "path": path?, "expect": expect})))
            .collect(),
    )
}

#[test]
fn links_between_pages_name_index_html_and_search_says_it_needs_a_server_from_disk() {
    let repo = Repo::new();
    let site = repo.build_example();
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains(r#"href="./types/index.html""#), "{home}");
    let document = scraper::Html::parse_document(&home);
    let links = scraper::Selector::parse("a[href], form[action]").unwrap();
    for element in document.select(&links) {
        let target = element.value().attr("href").or(element.value().attr("action")).unwrap();
        let path = target.split(['#', '?']).next().unwrap_or_default();
        let external = path.starts_with("http://") || path.starts_with("https://");
        assert!(external || !path.ends_with('/'), "a link to a folder does not open from disk: {target}");
    }
    let search = std::fs::read_to_string(site.join("search/index.html")).unwrap();
    assert!(search.contains("id=\"search-from-disk\"") && search.contains("stixpress serve"), "{search}");
    let noscript = &search[search.find("<noscript>").unwrap()..search.find("</noscript>").unwrap()];
    assert!(noscript.contains("stixpress serve"), "{noscript}");
    let script = std::fs::read_to_string(site.join("assets/search.js")).unwrap();
    assert!(script.contains(r#"window.location.protocol === "file:""#));
}

#[test]
fn object_pages_read_the_types_the_other_pages_list_from_one_file() {
    let repo = Repo::new();
    let site = repo.build_example();
    let read = |path: &str| std::fs::read_to_string(site.join(path)).unwrap();
    let nav: Value = serde_json::from_str(&read("types/nav.json")).unwrap();
    let mut from_file = Vec::new();
    for group in nav["groups"].as_array().unwrap() {
        from_file.push(format!("{}:", group["label"].as_str().unwrap()));
        for t in group["types"].as_array().unwrap() {
            let (name, plural, count) = (t["name"].as_str().unwrap(), t["plural"].as_str().unwrap(), &t["count"]);
            from_file.push(format!("./types/{name}/index.html {plural} {count}"));
        }
    }
    // What the home page's sidebar lists, in its order: the group headings and each type's link.
    let home = scraper::Html::parse_document(&read("index.html"));
    let items = scraper::Selector::parse(".types-nav h2, .types-nav a").unwrap();
    let sidebar: Vec<String> = home
        .select(&items)
        .map(|e| match e.value().attr("href") {
            Some(href) => format!("{href} {}", e.text().collect::<String>()),
            None => format!("{}:", e.text().collect::<String>()),
        })
        .collect();
    assert!(from_file.len() > 10, "{from_file:?}");
    assert_eq!(sidebar, from_file);
    let page = read(&format!("{}index.html", first_object(&site, "indicator")));
    let nav = r#"<nav class="types-nav" aria-label="Object types" data-type="indicator"><p><a href="../../types/index.html">All types</a></p></nav>"#;
    assert!(page.contains(nav), "{page}");
}

#[test]
fn the_example_site_fits_every_screen_in_both_colour_schemes() {
    if !common::peers_required() {
        return;
    }
    let repo = Repo::new();
    let site = repo.build_example();
    let own = vec![
        ("type-list", Some("types/indicator/".into()), "main table"),
        ("entity", Some("objects/intrusion-set--3437680e-277d-4e76-a1ea-65403ac948e0/".into()), "main h1"),
        ("technique", Some(first_object(&site, "attack-pattern")), "main h1"),
        ("report", Some(first_object(&site, "report")), "main h1"),
        // An object page's types come from types/nav.json, the page's own type marked.
        (
            "indicator",
            Some(first_object(&site, "indicator")),
            ".types-nav a[aria-current][href$='types/indicator/index.html']",
        ),
        ("relationship", Some(first_object(&site, "relationship")), "main h1"),
    ];
    common::browser_test("pages.cjs", &site, &pages(&site, own), "website-example");
}

#[test]
fn attack_and_unit42_pages_fit_every_screen_in_both_colour_schemes() {
    if !common::peers_required() {
        return;
    }
    let data: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    assert!(data.join("mitre-cti/enterprise-attack").is_dir(), "../shared/data/mitre-cti is missing");
    let repo = Repo::new();
    common::copy_dir(&data.join("mitre-cti/enterprise-attack"), &repo.path().join("content/enterprise-attack"));
    // Of Unit 42, the playbook with its largest report: the whole set would triple the build.
    let trickbot = data.join("unit42-playbooks/playbook_json/trickbot.json");
    std::fs::create_dir_all(repo.path().join("content/unit42")).unwrap();
    std::fs::copy(trickbot, repo.path().join("content/unit42/trickbot.json")).unwrap();
    let (code, out) = repo.build(&["--allow-errors", "--no-history"]);
    assert!(code == 0, "{out}");
    let site = repo.path().join("public");
    let own = vec![
        ("type-list", Some("types/attack-pattern/".into()), "main table"),
        // The group that uses the most techniques (109 in ATT&CK v18).
        ("entity", Some("objects/intrusion-set--0ec2f388-bf0f-4b5c-97b1-fc736d26c25f/".into()), "main h1"),
        // T1059 Command and Scripting Interpreter and its sub-technique T1059.001 PowerShell.
        ("technique", Some("objects/attack-pattern--7385dfaf-6886-4229-9ecd-6fd678040830/".into()), "main h1"),
        ("sub-technique", Some("objects/attack-pattern--970a3432-3237-47ad-bcca-7d8cbb217736/".into()), "main h1"),
        // Unit 42's largest report: "Trickbot Anchor Malware", 3,046 entries.
        ("report", Some("objects/report--a3630e01-c350-426a-9987-de6fb2957454/".into()), "main h1"),
        // An object page's types come from types/nav.json, the page's own type marked.
        (
            "indicator",
            Some(first_object(&site, "indicator")),
            ".types-nav a[aria-current][href$='types/indicator/index.html']",
        ),
        ("relationship", Some("objects/relationship--8544d4c3-e2e5-44c6-b57d-a169143f49eb/".into()), "main h1"),
    ];
    common::browser_test("pages.cjs", &site, &pages(&site, own), "website-attack-unit42");
}
