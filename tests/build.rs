//! `stixpress build`: the website a community member browses.

mod common;

use common::{bundle, id, object, read_tree, Repo};
use serde_json::json;

const TLP_AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
const TLP_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";

/// A small repository: a crew, what it uses, a report, and an AMBER sighting.
fn crew_repo() -> Repo {
    let repo = Repo::new();
    let crew = object(
        "intrusion-set",
        1,
        json!({"name": "Night Relay Crew", "aliases": ["NRC"],
        "description": "Steals cars with **relay boxes** (Citation: Vendor blog).",
        "external_references": [{"source_name": "Vendor blog", "url": "https://blog.example/relay"}],
        "object_marking_refs": [TLP_WHITE]}),
    );
    let pattern = object(
        "attack-pattern",
        2,
        json!({"name": "Relay attack",
        "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}],
        "external_references": [{"source_name": "capec", "external_id": "CAPEC-94"}]}),
    );
    let uses = object(
        "relationship",
        3,
        json!({"relationship_type": "uses", "source_ref": id("intrusion-set", 1),
        "target_ref": id("attack-pattern", 2), "description": "The crew relays the key fob signal."}),
    );
    let report = object(
        "report",
        4,
        json!({"name": "Spring theft wave", "published": "2025-01-02T00:00:00Z",
        "object_refs": [id("intrusion-set", 1), id("attack-pattern", 2), id("relationship", 3)]}),
    );
    let secret = object(
        "indicator",
        5,
        json!({"name": "Secret member-only beacon", "pattern_type": "stix",
        "pattern": "[domain-name:value = 'amber-only.example']", "valid_from": "2025-01-01T00:00:00Z",
        "object_marking_refs": [TLP_AMBER]}),
    );
    let secret_link = object(
        "relationship",
        6,
        json!({"relationship_type": "indicates",
        "source_ref": id("indicator", 5), "target_ref": id("intrusion-set", 1)}),
    );
    repo.write("content/actors.json", bundle(&[crew, pattern, uses]));
    repo.write("content/reports.json", bundle(&[report]));
    repo.write("content/member-only.json", bundle(&[secret, secret_link]));
    repo
}

fn page(repo: &Repo, id: &str) -> String {
    std::fs::read_to_string(repo.path().join(format!("public/objects/{id}/index.html"))).expect("page exists")
}

#[test]
fn every_published_object_gets_a_page_listing_what_it_says_and_what_connects_to_it() {
    let repo = crew_repo();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let crew = page(&repo, &id("intrusion-set", 1));
    assert!(crew.contains("<h1>Night Relay Crew</h1>"));
    assert!(crew.contains("NRC"), "aliases are shown");
    assert!(crew.contains("<strong>relay boxes</strong>"), "the description is Markdown");
    assert!(crew.contains(r##"<sup><a href="#ref-1">[1]</a></sup>"##), "the citation links to the reference list");
    assert!(crew.contains(r#"<a href="https://blog.example/relay" rel="nofollow noopener">Vendor blog</a>"#));
    assert!(crew.contains("<h2>Uses <span"), "relationships are grouped by type");
    assert!(crew.contains("The crew relays the key fob signal."), "with the relationship's description");
    assert!(crew.contains("Spring theft wave"), "reports that list it are shown");
    assert!(crew.contains("TLP:WHITE"));
    // One neighbour: the table says it all, and a drawing of two dots would add bytes, not sense.
    assert!(!crew.contains("<svg"), "no relationship graph for a single neighbour");
    let pattern = page(&repo, &id("attack-pattern", 2));
    assert!(pattern.contains("<h2>Used by <span"));
    assert!(pattern.contains("https://capec.mitre.org/data/definitions/94.html"));
    assert!(pattern.contains(r#"href="../../matrix/mitre-attack/index.html#initial-access""#));
    let list = std::fs::read_to_string(repo.path().join("public/types/intrusion-set/index.html")).unwrap();
    assert!(list.contains("Night Relay Crew"));
}

#[test]
fn withheld_objects_leave_no_trace_in_the_public_site() {
    let repo = crew_repo();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    for (path, bytes) in repo.tree("public") {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [id("indicator", 5), id("relationship", 6), "Secret member-only".into(), "amber-only".into()] {
            assert!(!text.contains(&secret), "{path} mentions {secret}");
        }
        assert!(!path.contains(&id("indicator", 5)));
    }
    let types = std::fs::read_to_string(repo.path().join("public/types/index.html")).unwrap();
    assert!(!types.contains("/indicator/"), "no list for a type whose only object is withheld");
}

#[test]
fn building_twice_gives_identical_bytes_and_rewrites_nothing() {
    let repo = crew_repo();
    assert_eq!(repo.build(&[]).0, 0);
    let first = repo.tree("public");
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0);
    assert!(stderr.contains("(0 written"), "{stderr}");
    assert_eq!(first, repo.tree("public"));
}

#[test]
fn a_page_whose_object_is_gone_is_removed_on_the_next_build() {
    let repo = crew_repo();
    assert_eq!(repo.build(&[]).0, 0);
    std::fs::remove_file(repo.path().join("content/reports.json")).unwrap();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!repo.path().join(format!("public/objects/{}", id("report", 4))).exists());
    assert!(!repo.path().join("public/types/report").exists());
}

#[test]
fn errors_stop_the_build_unless_allowed_and_then_the_invalid_object_is_left_out() {
    let repo = crew_repo();
    let broken = object("malware", 7, json!({"name": "Broken", "is_family": "yes"}));
    repo.write("content/broken.json", bundle(&[broken]));
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not published"), "{stderr}");
    assert!(!repo.path().join("public").exists());
    let (code, stderr) = repo.build(&["--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&format!("left out 1 invalid objects: {}", id("malware", 7))), "{stderr}");
    assert!(!repo.path().join(format!("public/objects/{}", id("malware", 7))).exists());
    assert!(repo.path().join(format!("public/objects/{}", id("intrusion-set", 1))).exists());
}

#[test]
fn a_folder_that_is_not_stixpress_output_is_never_cleaned() {
    let repo = crew_repo();
    repo.write("notes/todo.txt", "keep me");
    let (code, stderr) = repo.build(&["--output", "notes"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(repo.path().join("notes/todo.txt").exists());
    let (code, _) = repo.build(&["--output", "."]);
    assert_eq!(code, 2);
    let (code, _) = repo.build(&["--output", "content"]);
    assert_eq!(code, 2);
}

/// `stixpress build` with `args` started in `repo`, and its stderr line by line.
fn spawn_build(repo: &Repo, args: &[&str]) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("stixpress"))
        .arg("build")
        .args(args)
        .current_dir(repo.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, said) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        std::io::BufReader::new(stderr).lines().map_while(Result::ok).for_each(|l| drop(lines.send(l)))
    });
    (child, said)
}

/// Waits until the build says it waits for another, and checks that it does.
fn waits_for_the_folder(child: &mut std::process::Child, said: &std::sync::mpsc::Receiver<String>) {
    let waiting = std::iter::from_fn(|| said.recv_timeout(std::time::Duration::from_secs(60)).ok())
        .find(|line| line.starts_with("waiting for another build writing into"));
    assert!(waiting.is_some(), "the build did not say it waits");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "the build went on while the folder was held");
}

#[test]
fn a_build_waits_while_another_writes_into_the_same_folder() {
    let repo = crew_repo();
    let (code, stderr) = repo.build(&["--output", "public"]);
    assert_eq!(code, 0, "{stderr}");
    // Another build holds the folder, as a build does: by locking its marker.
    let marker = std::fs::File::open(repo.path().join("public/.stixpress-output")).unwrap();
    marker.lock().unwrap();
    let (mut child, said) = spawn_build(&repo, &["--output", "public"]);
    waits_for_the_folder(&mut child, &said);
    drop(marker);
    let status = child.wait().unwrap();
    let rest: Vec<String> = said.iter().collect();
    assert!(status.success(), "{rest:?}");
    assert!(rest.iter().any(|l| l.starts_with("built ")), "{rest:?}");
}

#[test]
fn a_build_that_waited_refuses_a_folder_the_other_filled_for_another_audience() {
    let repo = Repo::example();
    // A new folder another build has just locked, for the members: the marker it made is empty.
    let marker_path = repo.write("site/.stixpress-output", "");
    let marker = std::fs::OpenOptions::new().write(true).open(&marker_path).unwrap();
    marker.lock().unwrap();
    let (mut child, said) = spawn_build(&repo, &["--audience", "public", "--output", "site"]);
    waits_for_the_folder(&mut child, &said);
    // The other build names its audience and writes the members' pages.
    std::fs::write(&marker_path, "audience: members\n").unwrap();
    repo.write("site/objects/withheld/index.html", "members only");
    drop(marker);
    let status = child.wait().unwrap();
    let rest: Vec<String> = said.iter().collect();
    assert_eq!(status.code(), Some(2), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("holds the output of audience `members`")), "{rest:?}");
    assert_eq!(std::fs::read_to_string(repo.path().join("site/objects/withheld/index.html")).unwrap(), "members only");
}

#[test]
fn a_file_that_cannot_be_written_is_named_with_the_system_s_reason() {
    let repo = crew_repo();
    let (code, stderr) = repo.build(&["--output", "public"]);
    assert_eq!(code, 0, "{stderr}");
    // A file where the object pages' folder was: every page under it fails to be written.
    std::fs::remove_dir_all(repo.path().join("public/objects")).unwrap();
    repo.write("public/objects", "in the way");
    let (code, stderr) = repo.build(&["--output", "public"]);
    assert_eq!(code, 2, "{stderr}");
    let line = stderr.lines().find(|l| l.contains("cannot write")).unwrap_or_else(|| panic!("{stderr}"));
    let cause = std::io::Error::from_raw_os_error(20).to_string();
    assert!(stderr.contains(&cause) && !cause.is_empty(), "the cause (`{cause}`) is missing: {line}\n{stderr}");
}

#[test]
fn a_site_template_overrides_the_embedded_one() {
    let repo = crew_repo();
    repo.write("templates/list.html", "<p>custom list of {{ list.total }} {{ list.plural }}</p>");
    assert_eq!(repo.build(&[]).0, 0);
    let list = std::fs::read_to_string(repo.path().join("public/types/intrusion-set/index.html")).unwrap();
    assert_eq!(list, "<p>custom list of 1 Intrusion Sets</p>");
}

#[test]
fn a_broken_template_names_the_template_its_line_and_the_object() {
    let repo = crew_repo();
    repo.write("templates/object.html", "<h1>{{ o.name }}</h1>\n{{ o.name | no_such_filter }}");
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("object.html, line 2"), "{stderr}");
    assert!(stderr.contains("while rendering object "), "{stderr}");
}

#[test]
fn pages_from_markdown_are_published_and_listed_in_the_navigation() {
    let repo = crew_repo();
    repo.write("content/pages/about.md", "+++\ntitle = \"About us\"\n+++\nWe share **vehicle** intelligence.");
    assert_eq!(repo.build(&[]).0, 0);
    let about = std::fs::read_to_string(repo.path().join("public/about/index.html")).unwrap();
    assert!(about.contains("<strong>vehicle</strong>"));
    let home = std::fs::read_to_string(repo.path().join("public/index.html")).unwrap();
    assert!(home.contains(r#"<a href="./about/index.html">About us</a>"#), "{home}");
}

#[test]
fn the_example_repository_builds_a_page_for_every_object_each_audience_may_see() {
    for audience in ["public", "members"] {
        every_object_has_a_page_or_is_withheld(audience);
    }
}

/// Builds one audience of the example repository into a temporary folder: the folder (kept
/// while the guard lives), the site inside it, and stderr.
fn build_example(audience: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let result = assert_cmd::Command::cargo_bin("stixpress")
        .unwrap()
        .current_dir(root)
        .args(["build", "--audience", audience, "--output"])
        .arg(&site)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "{stderr}");
    (out, site, stderr)
}

fn every_object_has_a_page_or_is_withheld(audience: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_out, output, stderr) = build_example(audience);
    let ids = ids_in(&root.join("content"));
    let pages = std::fs::read_dir(output.join("objects")).unwrap().count();
    let withheld: usize = stderr
        .split(" withheld)")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert_eq!(pages + withheld, ids.len(), "{stderr}");
    for entry in std::fs::read_dir(output.join("objects")).unwrap() {
        let id = entry.unwrap().file_name().into_string().unwrap();
        assert!(ids.contains(&id), "a page for {id}, which is not in content/");
        assert!(output.join("objects").join(&id).join("index.html").is_file());
    }
}

/// Every distinct STIX id in the bundles under `dir`, read independently of stixpress.
fn ids_in(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ids.extend(ids_in(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let objects =
                value.get("objects").and_then(|o| o.as_array()).cloned().unwrap_or_else(|| vec![value.clone()]);
            ids.extend(objects.iter().filter_map(|o| o["id"].as_str().map(str::to_owned)));
        }
    }
    ids
}

/// A link checker over the built example site: every relative link leads to a file of the site,
/// and every fragment to an element with that id.
#[test]
fn every_internal_link_of_the_example_sites_resolves() {
    for audience in ["public", "members"] {
        every_internal_link_resolves(audience);
    }
}

fn every_internal_link_resolves(audience: &str) {
    let (_out, site, _) = build_example(audience);
    let tree = read_tree(&site);
    let ids_of = |html: &str| -> std::collections::HashSet<String> {
        let document = scraper::Html::parse_document(html);
        let selector = scraper::Selector::parse("[id]").unwrap();
        document.select(&selector).filter_map(|e| e.value().attr("id").map(str::to_owned)).collect()
    };
    let link = scraper::Selector::parse("a[href], link[href]").unwrap();
    let mut broken = Vec::new();
    for (path, bytes) in tree.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let document = scraper::Html::parse_document(&html);
        for element in document.select(&link) {
            let href = element.value().attr("href").unwrap();
            if href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:") {
                continue;
            }
            let (target, fragment) = href.split_once('#').unwrap_or((href, ""));
            let mut resolved: Vec<&str> = path.split('/').collect();
            resolved.pop();
            for part in target.split('/') {
                match part {
                    "" | "." => {}
                    ".." => {
                        resolved.pop();
                    }
                    other => resolved.push(other),
                }
            }
            let mut file = resolved.join("/");
            if target.is_empty() {
                file = path.clone();
            } else if target.ends_with('/') || file.is_empty() {
                file = if file.is_empty() { "index.html".into() } else { format!("{file}/index.html") };
            }
            let Some(content) = tree.get(&file) else {
                broken.push(format!("{path}: {href} (no {file})"));
                continue;
            };
            if !fragment.is_empty()
                && file.ends_with(".html")
                && !ids_of(&String::from_utf8_lossy(content)).contains(fragment)
            {
                broken.push(format!("{path}: {href} (no #{fragment} in {file})"));
            }
        }
    }
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn a_page_named_like_a_generated_section_is_an_error_and_the_generated_page_stays() {
    let repo = crew_repo();
    for slug in ["reports", "trending", "contributors", "objects", "feeds", "taxii2"] {
        repo.write(&format!("content/pages/{slug}.md"), format!("+++\ntitle = \"Mine {slug}\"\n+++\nreplaced"));
    }
    repo.write("content/pages/about.md", "+++\ntitle = \"About us\"\n+++\nours");
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    for slug in ["reports", "trending", "contributors", "objects", "feeds", "taxii2"] {
        assert!(
            stderr.contains(&format!("error[page-name-reserved]: page `{slug}` would replace `{slug}/`")),
            "{stderr}"
        );
    }
    let site = repo.tree("public");
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("replaced") && !text.contains("Mine "), "{path} holds a refused page");
    }
    assert!(String::from_utf8_lossy(&site["reports/index.html"]).contains("Spring theft wave"));
    assert!(String::from_utf8_lossy(&site["about/index.html"]).contains("ours"));
    assert!(String::from_utf8_lossy(&site["index.html"]).contains(r#"<a href="./about/index.html">About us</a>"#));
}

#[test]
fn dates_after_the_build_time_do_not_move_the_charts_or_the_latest_reports() {
    let repo = crew_repo();
    let far = object(
        "report",
        9,
        json!({"name": "From the far future", "published": "9999-12-31T00:00:00Z", "created": "9999-12-31T00:00:00.000Z",
        "modified": "9999-12-31T00:00:00.000Z", "object_refs": [id("intrusion-set", 1)]}),
    );
    repo.write("content/future.json", bundle(&[far]));
    let output = repo.stixpress().args(["build", "--now", "2026-01-01T00:00:00Z"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let home = std::fs::read_to_string(repo.path().join("public/index.html")).unwrap();
    for year in ["9999", "9997"] {
        let at = home.find(year).map(|i| &home[i.saturating_sub(200)..(i + 100).min(home.len())]);
        assert!(at.is_none(), "the future date reached the dashboard: {at:?}");
    }
    assert!(home.contains("2025-01"), "the charts end with the real data");
    assert!(home.contains("Spring theft wave"));
    let latest = home.split("From the far future").count() - 1;
    assert_eq!(latest, 0, "the future report is not among the latest");
}

#[test]
fn a_misp_timestamp_is_never_zero() {
    let repo = Repo::new();
    let ancient = object(
        "report",
        1,
        json!({"name": "Year zero", "published": "0000-01-01T00:00:00Z", "created": "0000-01-01T00:00:00.000Z",
        "modified": "0000-01-01T00:00:00.000Z", "object_refs": [id("report", 1)]}),
    );
    repo.write("content/r.json", bundle(&[ancient]));
    let (code, stderr) = repo.build(&["--now", "2026-01-01T00:00:00Z"]);
    assert_eq!(code, 0, "{stderr}");
    let uuid = id("report", 1).trim_start_matches("report--").to_owned();
    let event: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.path().join(format!("public/feeds/misp/{uuid}.json"))).unwrap())
            .unwrap();
    assert_eq!(event["Event"]["timestamp"], "1");
    assert_eq!(event["Event"]["publish_timestamp"], "1");
}

#[test]
fn theme_and_template_entries_that_are_not_files_get_a_warning() {
    let repo = crew_repo();
    std::fs::create_dir_all(repo.path().join("theme")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", repo.path().join("theme/style.css")).unwrap();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning[theme-file-skipped]: this is a symlink"), "{stderr}");
}

#[test]
fn a_hostile_one_line_bundle_builds_with_allow_errors_in_bounded_output() {
    let repo = Repo::new();
    let objects = vec!["{}"; 50_000].join(",");
    repo.write(
        "content/one-line.json",
        format!(
            "{{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\"objects\":[{objects}]}}"
        ),
    );
    let started = std::time::Instant::now();
    let (code, stderr) = repo.build(&["--allow-errors", "--no-history"]);
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    assert_eq!(code, 0, "{}", &stderr[..stderr.len().min(2000)]);
    assert!(stderr.len() < 20_000, "stderr is {} bytes", stderr.len());
    assert!(stderr.contains("50000 error[missing-property]"), "{stderr}");
}
