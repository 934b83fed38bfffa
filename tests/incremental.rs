//! A rebuild into an existing output folder gives the same files, byte for byte, as a fresh
//! build of the same content: after additions, new versions, removals, marking changes and
//! configuration changes, on the example, on real data (the Unit 42 playbooks) and on the
//! synthetic repository the benches build (made by scripts/test, `STIXPRESS_SYNTHETIC`). The rebuild
//! compares with the previous build's manifest instead of reading files back, so this is what
//! proves the manifest right.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{read_tree, Repo};

/// The folder's files, without the build's own bookkeeping (the manifest holds modification
/// times, which differ between any two builds).
fn output(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = read_tree(dir);
    files.remove(".stixpress-manifest");
    files
}

/// Rebuilds into `site/` (built before) and builds afresh into a new folder; the two must hold
/// the same files. Returns the rebuild's summary line.
fn rebuild_matches_fresh(repo: &Repo, args: &[&str], step: &str) -> String {
    let (code, out) = repo.build(&[args, &["--output", "site"]].concat());
    assert_eq!(code, 0, "{step}: {out}");
    let fresh = format!("fresh-{}", step.replace(' ', "-"));
    let (code, fresh_out) = repo.build(&[args, &["--output", &fresh]].concat());
    assert_eq!(code, 0, "{step}: {fresh_out}");
    let (rebuilt, fresh) = (output(&repo.path().join("site")), output(&repo.path().join(&fresh)));
    let only_rebuilt: Vec<&String> = rebuilt.keys().filter(|k| !fresh.contains_key(*k)).collect();
    let only_fresh: Vec<&String> = fresh.keys().filter(|k| !rebuilt.contains_key(*k)).collect();
    assert!(
        only_rebuilt.is_empty() && only_fresh.is_empty(),
        "{step}: only in the rebuild {only_rebuilt:?}, only fresh {only_fresh:?}"
    );
    let differ: Vec<&String> = rebuilt.iter().filter(|(k, v)| fresh[*k] != **v).map(|(k, _)| k).collect();
    assert!(differ.is_empty(), "{step}: files differ from a fresh build: {differ:?}");
    out.lines().find(|l| l.starts_with("built ")).unwrap_or_default().to_owned()
}

/// Each object page of a built site and when it was last written.
fn object_page_times(site: &Path) -> BTreeMap<String, std::time::SystemTime> {
    let pages = std::fs::read_dir(site.join("objects")).expect("objects/").flatten();
    pages
        .filter_map(|entry| {
            let modified = std::fs::metadata(entry.path().join("index.html")).and_then(|m| m.modified()).ok()?;
            Some((entry.file_name().to_string_lossy().into_owned(), modified))
        })
        .collect()
}

fn edit(repo: &Repo, relative: &str, from: &str, to: &str) {
    let path = repo.path().join(relative);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{relative} holds {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

const PUBLIC: &[&str] = &["--audience", "public", "--no-history", "--now", "2026-06-01T00:00:00Z"];

#[test]
fn the_example_rebuilt_after_each_kind_of_change_equals_a_fresh_build() {
    let repo = Repo::example();
    let (code, out) = repo.build(&[PUBLIC, &["--output", "site"]].concat());
    assert_eq!(code, 0, "{out}");
    let unchanged = rebuild_matches_fresh(&repo, PUBLIC, "unchanged");
    assert!(unchanged.contains("(0 written"), "nothing changed, nothing written: {unchanged}");

    // An addition: a new tool that a new relationship joins to an existing malware.
    let malware = "malware--32b8226e-f483-4460-a55d-6a7d9d458572";
    let tool = "tool--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e01";
    let added = serde_json::json!({"type": "bundle", "id": "bundle--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e02", "objects": [
        {"type": "tool", "spec_version": "2.1", "id": tool, "created": "2026-01-02T00:00:00.000Z",
         "modified": "2026-01-02T00:00:00.000Z", "name": "Bench Flasher",
         "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e03",
         "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
         "relationship_type": "uses", "source_ref": malware, "target_ref": tool,
         "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]}
    ]});
    repo.write("content/tools/bench-flasher.json", serde_json::to_string_pretty(&added).unwrap());
    let before = object_page_times(&repo.path().join("site"));
    let summary = rebuild_matches_fresh(&repo, PUBLIC, "addition");
    assert!(!summary.contains("(0 written"), "{summary}");
    // Only the pages the addition reaches are written again: the new objects', the malware's
    // and the tool's neighbours' (no count or list on other object pages changes with it).
    let after = object_page_times(&repo.path().join("site"));
    let rewritten: Vec<&String> =
        before.iter().filter(|(page, time)| after.get(*page) != Some(*time)).map(|(p, _)| p).collect();
    assert!(rewritten.len() <= 3, "{} of {} object pages written again: {rewritten:?}", rewritten.len(), before.len());
    let page = std::fs::read_to_string(repo.path().join(format!("site/objects/{malware}/index.html"))).unwrap();
    assert!(page.contains("Bench Flasher"), "the neighbour's page shows the new tool");

    // A new version of an existing object, renamed.
    edit(&repo, "content/tools/bench-flasher.json", "\"Bench Flasher\"", "\"Bench Flasher Pro\"");
    edit(
        &repo,
        "content/tools/bench-flasher.json",
        "\"modified\": \"2026-01-02T00:00:00.000Z\",\n      \"name\"",
        "\"modified\": \"2026-02-01T00:00:00.000Z\",\n      \"name\"",
    );
    rebuild_matches_fresh(&repo, PUBLIC, "new version");
    let page = std::fs::read_to_string(repo.path().join(format!("site/objects/{malware}/index.html"))).unwrap();
    assert!(page.contains("Bench Flasher Pro"));

    // A marking change: the malware becomes TLP:AMBER, which the public does not see.
    edit(
        &repo,
        "content/malware/canjector.json",
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    );
    let summary = rebuild_matches_fresh(&repo, PUBLIC, "marking change");
    assert!(!summary.contains(", 0 removed"), "its page and what showed it go: {summary}");
    assert!(!repo.path().join(format!("site/objects/{malware}")).exists());

    // A removal: the new tool's file goes.
    std::fs::remove_file(repo.path().join("content/tools/bench-flasher.json")).unwrap();
    rebuild_matches_fresh(&repo, PUBLIC, "removal");
    assert!(!repo.path().join(format!("site/objects/{tool}")).exists());

    // A configuration change: the site's title is on every page.
    edit(
        &repo,
        "stixpress.toml",
        "title = \"Vehicle Security Sharing Circle (example)\"",
        "title = \"Renamed circle\"",
    );
    rebuild_matches_fresh(&repo, PUBLIC, "config change");
}

/// Each MISP event of a built site (by file name) and when it was last written.
fn misp_event_times(site: &Path) -> BTreeMap<String, std::time::SystemTime> {
    let files = std::fs::read_dir(site.join("feeds/misp")).expect("feeds/misp/").flatten();
    files
        .filter(|entry| entry.file_name() != "manifest.json" && entry.file_name() != "hashes.csv")
        .filter_map(|entry| {
            let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
            Some((entry.file_name().to_string_lossy().into_owned(), modified))
        })
        .collect()
}

#[test]
fn misp_events_are_made_again_only_for_reports_whose_objects_changed_or_began_to_apply() {
    let repo = Repo::example();
    let (code, out) = repo.build(&[PUBLIC, &["--output", "site"]].concat());
    assert_eq!(code, 0, "{out}");
    let keyless = "441e5fbd-b6a4-4ddd-82eb-9dd7320e05ea.json";
    let dongle = "42faf58c-585b-49d4-b7bd-2903674a05d6.json";
    let before = misp_event_times(&repo.path().join("site"));
    assert!(before.contains_key(keyless) && before.contains_key(dongle), "{before:?}");

    // An indicator the keyless-theft report lists is renamed: its attribute's comment changes.
    edit(
        &repo,
        "content/indicators/night-relay-crew.json",
        "\"Relay box seller domain\"",
        "\"Relay box seller domain (renamed)\"",
    );
    rebuild_matches_fresh(&repo, PUBLIC, "indicator renamed");
    let renamed = misp_event_times(&repo.path().join("site"));
    assert_ne!(before[keyless], renamed[keyless], "the report listing the indicator: made again");
    assert_eq!(before[dongle], renamed[dongle], "the other report: kept as it was");
    let event = std::fs::read_to_string(repo.path().join("site/feeds/misp").join(keyless)).unwrap();
    assert!(event.contains("Relay box seller domain (renamed)"), "{event}");

    // The build time moves before the DiagDongle indicators apply (valid from 2026-01-20): their
    // values are no longer for detection, in that report's event alone.
    let earlier_now = ["--audience", "public", "--no-history", "--now", "2026-01-10T00:00:00Z"];
    rebuild_matches_fresh(&repo, &earlier_now, "earlier build time");
    let earlier = misp_event_times(&repo.path().join("site"));
    assert_eq!(renamed[keyless], earlier[keyless]);
    assert_ne!(renamed[dongle], earlier[dongle]);

    // The renamed indicator becomes TLP:AMBER, which the public does not see, and so does the
    // report that lists it (the public's policy withholds what references the withheld): its
    // event goes, the other is kept, and no file of the rebuilt site (the MISP manifest and
    // hashes, taken in part from the build before, included) names the indicator.
    edit(
        &repo,
        "content/indicators/night-relay-crew.json",
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    );
    rebuild_matches_fresh(&repo, &earlier_now, "indicator withheld");
    let withheld = misp_event_times(&repo.path().join("site"));
    assert!(!withheld.contains_key(keyless), "{withheld:?}");
    for listing in ["manifest.json", "hashes.csv"] {
        let text = std::fs::read_to_string(repo.path().join("site/feeds/misp").join(listing)).unwrap();
        assert!(!text.contains("441e5fbd-b6a4-4ddd-82eb-9dd7320e05ea"), "{listing} still lists the withheld report");
    }
    assert_eq!(earlier[dongle], withheld[dongle]);
    for (path, bytes) in read_tree(&repo.path().join("site")) {
        let canary = "Relay box seller domain (renamed)";
        assert!(!String::from_utf8_lossy(&bytes).contains(canary), "{path} names the withheld indicator");
    }
}

#[test]
fn a_rebuild_that_publishes_again_without_a_refused_page_equals_a_fresh_build() {
    // A page named like a generated section is refused after a first pass linked it from every
    // page's navigation: the second pass writes every page again, over the first pass's files.
    let repo = Repo::example();
    repo.write("content/pages/about.md", "+++\ntitle = \"About us\"\n+++\nours");
    repo.write("content/pages/objects.md", "+++\ntitle = \"Mine\"\n+++\nrefused");
    let (code, out) = repo.build(&[PUBLIC, &["--output", "site"]].concat());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("page-name-reserved"), "{out}");
    rebuild_matches_fresh(&repo, PUBLIC, "unchanged with a refused page");
    edit(&repo, "content/pages/about.md", "ours", "ours, edited");
    rebuild_matches_fresh(&repo, PUBLIC, "a page edited beside a refused one");
    let index = std::fs::read_to_string(repo.path().join("site/index.html")).unwrap();
    assert!(index.contains("About us") && !index.contains("Mine"), "the navigation lists the kept page only");
}

#[test]
fn unit42_rebuilt_after_a_removal_and_a_new_version_equals_a_fresh_build() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/unit42-playbooks/playbook_json");
    assert!(data.is_dir(), "../shared/data/unit42-playbooks is missing");
    let repo = Repo::new();
    common::copy_dir(&data, &repo.path().join("content"));
    let args = ["--allow-errors", "--no-history", "--now", "2026-06-01T00:00:00Z"];
    let (code, out) = repo.build(&[&args[..], &["--output", "site"]].concat());
    assert_eq!(code, 0, "{out}");
    std::fs::remove_file(repo.path().join("content/IcedID_Unit42_Intel.json")).unwrap();
    rebuild_matches_fresh(&repo, &args, "removal");
    // A published object's new version, renamed: in the first playbook (by name) that has one.
    let published = |o: &serde_json::Value| {
        o["name"].is_string() && repo.path().join(format!("site/objects/{}", o["id"].as_str().unwrap())).is_dir()
    };
    let (file, mut bundle, at) = first_object(&repo.path().join("content"), published);
    let object = &mut bundle["objects"][at];
    object["name"] = serde_json::json!("Pikabot, revised");
    object["modified"] = serde_json::json!("2026-05-01T00:00:00.000Z");
    std::fs::write(&file, serde_json::to_string(&bundle).unwrap()).unwrap();
    let summary = rebuild_matches_fresh(&repo, &args, "new version");
    assert!(!summary.contains("(0 written"), "{summary}");
}

/// The JSON files under `content`, sorted, each with its bundle.
fn bundles(content: &Path) -> Vec<(std::path::PathBuf, serde_json::Value)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(content)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| (path.clone(), serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()))
        .collect()
}

/// In the first bundle holding one, the first object `wanted` picks: its file, the bundle and
/// the object's place in it.
fn first_object(
    content: &Path,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> (std::path::PathBuf, serde_json::Value, usize) {
    bundles(content)
        .into_iter()
        .find_map(|(path, bundle)| {
            let at = bundle["objects"].as_array()?.iter().position(&wanted)?;
            Some((path, bundle, at))
        })
        .expect("an object as wanted")
}

#[test]
fn the_synthetic_repository_rebuilt_after_each_kind_of_change_equals_a_fresh_build() {
    const WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
    const AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    let Some(synthetic) = std::env::var_os("STIXPRESS_SYNTHETIC") else {
        assert!(!common::peers_required(), "scripts/test makes the synthetic repository: STIXPRESS_SYNTHETIC is unset");
        return;
    };
    let repo = Repo::new();
    common::copy_dir(Path::new(&synthetic), &repo.path().join("content"));
    let content = repo.path().join("content");
    let (code, out) = repo.build(&[PUBLIC, &["--output", "site"]].concat());
    assert_eq!(code, 0, "{out}");
    let unchanged = rebuild_matches_fresh(&repo, PUBLIC, "unchanged");
    assert!(unchanged.contains("(0 written"), "nothing changed, nothing written: {unchanged}");
    let site = repo.path().join("site");
    let published = |o: &serde_json::Value| {
        let versioned = o["type"] != "identity" && o["type"] != "marking-definition";
        o["name"].is_string() && versioned && site.join(format!("objects/{}", o["id"].as_str().unwrap())).is_dir()
    };

    // An addition: a tool, and a relationship from a published malware to it.
    let (_, bundle, at) = first_object(&content, |o| o["type"] == "malware" && published(o));
    let malware = bundle["objects"][at]["id"].as_str().unwrap().to_owned();
    let tool = "tool--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e01";
    let added = serde_json::json!({"type": "bundle", "id": "bundle--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e02", "objects": [
        {"type": "tool", "spec_version": "2.1", "id": tool, "created": "2026-01-02T00:00:00.000Z",
         "modified": "2026-01-02T00:00:00.000Z", "name": "Bench Flasher", "object_marking_refs": [WHITE]},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e03",
         "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
         "relationship_type": "uses", "source_ref": malware, "target_ref": tool, "object_marking_refs": [WHITE]}
    ]});
    repo.write("content/zz-added.json", serde_json::to_string_pretty(&added).unwrap());
    let summary = rebuild_matches_fresh(&repo, PUBLIC, "addition");
    assert!(!summary.contains("(0 written"), "{summary}");

    // A new version of a published object, renamed, in a file of its own.
    let (_, bundle, at) = first_object(&content, |o| o["type"] != "malware" && published(o));
    let mut renamed = bundle["objects"][at].clone();
    renamed["name"] = serde_json::json!("Renamed by the test");
    renamed["modified"] = serde_json::json!("2026-05-01T00:00:00.000Z");
    let bundle_of = |object| serde_json::json!({"type": "bundle", "id": "bundle--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e04", "objects": [object]});
    repo.write("content/zz-new-version.json", serde_json::to_string_pretty(&bundle_of(renamed)).unwrap());
    rebuild_matches_fresh(&repo, PUBLIC, "new version");

    // A marking change in place: the malware becomes TLP:AMBER, which the public does not see.
    let (file, mut bundle, at) = first_object(&content, |o| o["id"] == malware.as_str());
    bundle["objects"][at]["object_marking_refs"] = serde_json::json!([AMBER]);
    std::fs::write(&file, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    let summary = rebuild_matches_fresh(&repo, PUBLIC, "marking change");
    assert!(!site.join(format!("objects/{malware}")).exists(), "{summary}");

    // A removal: the first file, and the objects only it held.
    let (first, _) = bundles(&content).into_iter().next().unwrap();
    std::fs::remove_file(first).unwrap();
    let summary = rebuild_matches_fresh(&repo, PUBLIC, "removal");
    assert!(!summary.contains(", 0 removed"), "{summary}");

    // A configuration change: the site's title, on every page.
    repo.write("stixpress.toml", "[site]\ntitle = \"Renamed circle\"\n");
    rebuild_matches_fresh(&repo, PUBLIC, "config change");
}

/// Indicators with a paragraph each, enough for `all.json.gz` to hold several members; the
/// one numbered `canary` names `CANARY-GZIP-MEMBER` and is marked `marking`.
fn indicators_with_a_canary(count: u32, canary: u32, marking: &str) -> String {
    const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
    let objects: Vec<serde_json::Value> = (0..count)
        .map(|n| {
            let words = if n == canary { "CANARY-GZIP-MEMBER".to_owned() } else { format!("ordinary {n}") };
            common::object(
                "indicator",
                n,
                serde_json::json!({
                    "name": format!("indicator {n}"),
                    "description": format!("{words} {}", "lorem ipsum dolor sit amet ".repeat(40)),
                    "pattern": format!("[ipv4-addr:value = '10.{}.{}.{}']", n / 65536, n / 256 % 256, n % 256),
                    "pattern_type": "stix",
                    "valid_from": "2025-01-01T00:00:00.000Z",
                    "object_marking_refs": [if n == canary { marking } else { CLEAR }],
                }),
            )
        })
        .collect();
    common::bundle(&objects)
}

#[test]
fn a_rebuild_copies_unchanged_gzip_members_but_none_that_held_what_is_now_withheld() {
    const AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
    let repo = Repo::new();
    repo.write("content/indicators.json", indicators_with_a_canary(12_000, 6_000, CLEAR));
    let (code, out) = repo.build(&[PUBLIC, &["--output", "site"]].concat());
    assert_eq!(code, 0, "{out}");
    let site = repo.path().join("site");
    assert!(!common::traces(&common::readable_tree(&site), "CANARY-GZIP-MEMBER").is_empty(), "published at first");

    // The same version, now TLP:AMBER: withheld from the public, and so from its gzip.
    repo.write("content/indicators.json", indicators_with_a_canary(12_000, 6_000, AMBER));
    let rebuilt = repo
        .stixpress()
        .env("STIXPRESS_TIMINGS", "1")
        .arg("build")
        .args(PUBLIC)
        .args(["--output", "site"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&rebuilt.stderr);
    assert!(rebuilt.status.success(), "{stderr}");
    let figures = stderr.lines().find(|l| l.starts_with("[figures] all.json.gz:")).expect("the gzip's figures");
    let (members, copied) = figures
        .trim_start_matches("[figures] all.json.gz: ")
        .split_once(" members, ")
        .map(|(m, rest)| (m.parse::<usize>().unwrap(), rest.split(' ').next().unwrap().parse::<usize>().unwrap()))
        .expect(figures);
    assert!(members >= 3 && copied >= 1 && copied < members, "{figures}");
    assert_eq!(common::traces(&common::readable_tree(&site), "CANARY-GZIP-MEMBER"), Vec::<String>::new());
    rebuild_matches_fresh(&repo, PUBLIC, "withheld after a gzip with members");
}

/// Builds into `site/` with the stage figures on, and returns how many object pages the build
/// kept by their reads, of how many, as the figures say.
fn object_pages_kept(repo: &Repo, args: &[&str]) -> (usize, usize) {
    let output =
        repo.stixpress().arg("build").args(args).args(["--output", "site"]).env("STIXPRESS_TIMINGS", "1").output();
    let output = output.expect("run");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{err}");
    let line = err.lines().find_map(|l| l.strip_prefix("[figures] object pages: ")).expect("the object pages' figures");
    let mut numbers = line.split(' ').filter_map(|word| word.parse::<usize>().ok());
    (numbers.next().unwrap(), numbers.next().unwrap())
}

#[test]
fn object_pages_whose_reads_answer_as_before_are_kept_and_the_others_made_again() {
    let repo = Repo::example();
    let (kept, pages) = object_pages_kept(&repo, PUBLIC);
    assert_eq!(kept, 0, "a first build makes every page");
    assert_eq!(object_pages_kept(&repo, PUBLIC), (pages, pages), "nothing changed: every page is kept");

    // The malware becomes TLP:AMBER: its page goes, and every page that showed it (its
    // relationships, its neighbours) is made again, without it.
    edit(
        &repo,
        "content/malware/canjector.json",
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    );
    let (kept, now) = object_pages_kept(&repo, PUBLIC);
    assert!(now < pages && kept > 0 && kept + 2 < now, "{kept} of {now} kept");
    // A build into the same folder afterwards keeps everything again, so what the build above
    // made or kept must already be what a fresh build makes.
    rebuild_matches_fresh(&repo, PUBLIC, "after a marking change");
    let withheld = "malware--32b8226e-f483-4460-a55d-6a7d9d458572";
    let mentions: Vec<String> = output(&repo.path().join("site"))
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(withheld))
        .map(|(path, _)| path)
        .collect();
    assert!(mentions.is_empty(), "the withheld malware is named in {mentions:?}");

    // A removal: the pages of what the file held go, the pages that showed them are made
    // again, and the notes still keep the rest.
    std::fs::remove_file(repo.path().join("content/translations/relay-attack.json")).unwrap();
    let (kept, after_removal) = object_pages_kept(&repo, PUBLIC);
    assert!(kept > 0 && kept < after_removal, "{kept} of {after_removal} kept after a removal");
    rebuild_matches_fresh(&repo, PUBLIC, "after a removal");
    let now = after_removal;

    // Notes that cannot be read are set aside: every page is made again, and right.
    std::fs::write(repo.path().join("site/.stixpress-pages"), b"stixpress-pages 1\n\xff\xff\xff\xff").unwrap();
    assert_eq!(object_pages_kept(&repo, PUBLIC), (0, now));
    rebuild_matches_fresh(&repo, PUBLIC, "after unreadable notes");
}

/// The `[figures] load cache` line's files read from the cache, of all files.
fn read_from_cache(stderr: &str) -> (usize, usize) {
    let line = stderr.lines().find_map(|l| l.strip_prefix("[figures] load cache: ")).expect("the cache's figures");
    let numbers: Vec<usize> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
    (numbers[0], numbers[1])
}

#[test]
fn builds_and_checks_with_a_load_cache_equal_those_without_after_each_change() {
    let repo = Repo::example();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = cache_dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let step = |name: &str| {
        let with = |args: &[&str]| {
            let output = repo.stixpress().env("STIXPRESS_TIMINGS", "1").args(args).output().unwrap();
            (output.stdout, String::from_utf8_lossy(&output.stderr).into_owned())
        };
        let (_, built) = with(&[&["build"], PUBLIC, &["--output", "cached", "--cache", cache]].concat());
        let (code, out) = repo.build(&[PUBLIC, &["--output", "plain"]].concat());
        assert_eq!(code, 0, "{name}: {out}");
        let (cached, plain) = (output(&repo.path().join("cached")), output(&repo.path().join("plain")));
        let differ: Vec<&String> = plain.iter().filter(|(k, v)| cached.get(*k) != Some(*v)).map(|(k, _)| k).collect();
        assert!(differ.is_empty() && cached.len() == plain.len(), "{name}: {differ:?}");
        let (checked, _) = with(&["check", "--format", "json", "--cache", cache]);
        let plain = repo.stixpress().args(["check", "--format", "json"]).output().unwrap().stdout;
        assert_eq!(String::from_utf8_lossy(&checked), String::from_utf8_lossy(&plain), "{name}");
        read_from_cache(&built)
    };
    let (read, files) = step("first");
    assert_eq!(read, 0);
    assert_eq!(step("unchanged"), (files, files), "every file read from the cache");

    // A new version with a property no STIX type has (a warning the entry must not keep), and
    // a file added.
    let file = "content/malware/canjector.json";
    edit(&repo, file, "\"name\": \"CANjector (example)\"", "\"name\": \"CANjector 2\", \"colour\": 1");
    edit(&repo, file, "\"modified\": \"2025-10-06T08:00:00.000Z\"", "\"modified\": \"2026-03-01T08:00:00.000Z\"");
    let report = repo.stixpress().args(["check", "--format", "json"]).output().unwrap().stdout;
    assert!(String::from_utf8_lossy(&report).contains("canjector.json"), "the edit brings a diagnostic");
    let tool = serde_json::json!({"type": "bundle", "id": "bundle--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e04", "objects": [
        {"type": "tool", "spec_version": "2.1", "id": "tool--0d7a4a6e-4cf1-4f8b-9d55-1b1f0c1b0e05",
         "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "name": "Cached Flasher"}
    ]});
    repo.write("content/tools/cached-flasher.json", tool.to_string());
    assert_eq!(step("edited"), (files - 1, files + 1), "only the edited and the new file are read");
    std::fs::remove_file(repo.path().join("content/tools/cached-flasher.json")).unwrap();
    assert_eq!(step("removed"), (files, files));

    // Damaged entries are made again, not believed.
    for entry in std::fs::read_dir(Path::new(cache).join("load-1")).unwrap() {
        std::fs::write(entry.unwrap().path(), b"damaged").unwrap();
    }
    assert_eq!(step("damaged").0, 0);

    // A cache inside the repository could hold entries a pull request planted.
    let (code, out) = repo.build(&[PUBLIC, &["--output", "inside", "--cache", "content/.cache"]].concat());
    assert_ne!(code, 0);
    assert!(out.contains("inside the repository"), "{out}");
}
