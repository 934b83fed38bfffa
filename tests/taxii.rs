//! TAXII 2.1: the static tree `build` writes, the queries `serve` answers, and (with
//! STIXPRESS_PEERS, set by scripts/test) the OASIS taxii2-client reading both `serve` and nginx
//! serving the static output, compared with the objects computed from the bundles.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{bundle, fixture_path, object, peer_script_json, peers_required, Repo};
use serde_json::{json, Value};

const ALL: &str = "53cc8462-778d-5082-8f0a-1f0bdda37ed7";
const INDICATORS: &str = "b6be0ca8-8c2d-574a-aaa7-495374f1268f";
const TAXII_TYPE: &str = "application/taxii+json;version=2.1";

/// Every object id of the bundles under a content folder, read with serde_json.
fn bundle_ids(content: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in walkdir::WalkDir::new(content) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "json") {
            let value: Value = serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
            for o in value["objects"].as_array().into_iter().flatten() {
                ids.insert(o["id"].as_str().unwrap().to_owned());
            }
        }
    }
    ids
}

/// The ids the public audience of the audiences fixture may see, from its expected.json.
fn audiences_public_ids() -> BTreeSet<String> {
    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixture_path("audiences").join("expected.json")).unwrap()).unwrap();
    let withheld: BTreeSet<String> =
        expected["withheld_from_public"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    let all = bundle_ids(&fixture_path("audiences").join("content"));
    assert!(withheld.is_subset(&all));
    all.difference(&withheld).cloned().collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The objects of a static listing, page file after page file, as (id, date_added).
fn static_listing(collection: &Path, listing: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut page = read_json(&collection.join(listing).join("index.json"));
    loop {
        entries.extend(page["objects"].as_array().cloned().unwrap_or_default());
        match page["more"].as_bool() {
            Some(true) => {
                let next = page["next"].as_str().expect("a page with more names the next");
                page = read_json(&collection.join(listing).join("next").join(format!("{next}.json")));
            }
            _ => return entries,
        }
    }
}

/// An indicator whose version is `minutes` after 2025-01-01.
fn indicator_at(n: u32, minutes: u32) -> Value {
    let at = format!("2025-01-{:02}T{:02}:{:02}:00.000Z", 1 + minutes / 1440, minutes / 60 % 24, minutes % 60);
    object(
        "indicator",
        n,
        json!({
            "created": at, "modified": at, "name": format!("indicator {n}"), "pattern_type": "stix",
            "pattern": format!("[ipv4-addr:value = '198.51.{}.{}']", n / 256, n % 256), "valid_from": at,
        }),
    )
}

#[test]
fn a_version_added_mid_list_changes_a_few_page_files_not_every_later_one() {
    let repo = Repo::new();
    repo.write("stixpress.toml", "[taxii]\npage_size = 10\n");
    let old: Vec<Value> = (0..400).map(|n| indicator_at(n, n * 10)).collect();
    repo.write("content/old.json", bundle(&old));
    let args = ["--no-history", "--now", "2026-01-01T00:00:00Z"];
    assert_eq!(repo.build(&args).0, 0);
    let pages = |repo: &Repo| {
        let mut pages = BTreeMap::new();
        for listing in ["objects", "manifest"] {
            pages.extend(
                repo.tree(&format!("public/taxii2/api/collections/{ALL}/{listing}"))
                    .into_iter()
                    .map(|(path, bytes)| (format!("{listing}/{path}"), bytes)),
            );
        }
        pages
    };
    let before = pages(&repo);
    assert!(before.len() > 80, "pages of at most 10 of 400 objects, twice: {}", before.len());

    // Between the 200th and the 201st, so about half the pages come after it.
    repo.write("content/new.json", bundle(&[indicator_at(1000, 1995)]));
    assert_eq!(repo.build(&args).0, 0);
    let after = pages(&repo);
    let changed: BTreeSet<&String> =
        before.keys().chain(after.keys()).filter(|path| before.get(*path) != after.get(*path)).collect();
    // The page that holds it and the one before (its `next`), in each listing: numbered by
    // position, every page after it would change (about half of them).
    eprintln!("{} of {} page files changed", changed.len(), before.len());
    assert!(changed.len() <= 6, "{} page files changed of {}: {changed:?}", changed.len(), before.len());

    let all = repo.path().join("public/taxii2/api/collections").join(ALL);
    let ids: Vec<String> =
        static_listing(&all, "objects").iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 401);
    assert_eq!(ids[200], common::id("indicator", 1000));
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 401, "an object listed twice");
}

#[test]
fn the_static_tree_holds_every_public_object_once_and_nothing_withheld() {
    let repo = Repo::from_fixture("audiences");
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let root = repo.path().join("public/taxii2");
    assert_eq!(read_json(&root.join("index.json"))["api_roots"][0], "api/");
    assert_eq!(read_json(&root.join("api/index.json"))["versions"][0], TAXII_TYPE);
    let titles: Vec<Value> = read_json(&root.join("api/collections/index.json"))["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(titles, [ALL, INDICATORS]);

    let all = root.join("api/collections").join(ALL);
    let objects = static_listing(&all, "objects");
    let ids: Vec<String> = objects.iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "an object listed twice");
    assert_eq!(unique, audiences_public_ids());

    let manifest = static_listing(&all, "manifest");
    let manifest_ids: Vec<&str> = manifest.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(manifest_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let dates: Vec<&str> = manifest.iter().map(|m| m["date_added"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "manifest not sorted by date_added: {dates:?}");

    for id in &unique {
        let file = read_json(&root.join("api/objects").join(format!("{id}.json")));
        assert_eq!(file["objects"][0]["id"], id.as_str());
        assert_eq!(file["objects"].as_array().unwrap().len(), 1);
        let versions = file["versions"].as_array().unwrap();
        let latest = file["objects"][0]["modified"].as_str().or(file["objects"][0]["created"].as_str());
        if let Some(latest) = latest {
            assert_eq!(versions.last().unwrap(), latest, "{id}");
        }
    }

    let indicators = static_listing(&root.join("api/collections").join(INDICATORS), "objects");
    assert!(indicators.iter().all(|o| o["type"] == "indicator"));
    let public_indicators = unique.iter().filter(|id| id.starts_with("indicator--")).count();
    assert_eq!(indicators.len(), public_indicators);
}

/// A STIX 2.0 bundle (ATT&CK's shape): an indicator, a malware and a report.
fn stix_20_repo() -> Repo {
    let repo = Repo::new();
    let at = "2017-05-31T21:30:19Z";
    let indicator = json!({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": at, "modified": at, "labels": ["malicious-activity"], "name": "bad address",
        "pattern": "[ipv4-addr:value = '198.51.100.1']", "valid_from": at});
    let malware = json!({"type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc",
        "created": at, "modified": "2017-06-01T00:00:00.5Z", "name": "Example", "labels": ["trojan"]});
    let report = json!({"type": "report", "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
        "created": at, "modified": at, "name": "A report", "published": at, "labels": ["threat-report"],
        "object_refs": ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc"]});
    let bundle = json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "spec_version": "2.0",
        "objects": [indicator, malware, report]});
    repo.write("content/a.json", serde_json::to_string_pretty(&bundle).unwrap());
    repo
}

#[test]
fn stix_20_content_reaches_taxii_and_the_bundles_as_stix_21_with_its_id_and_version() {
    let repo = stix_20_repo();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let public = repo.path().join("public");
    let all = public.join("taxii2/api/collections").join(ALL);
    let listed = static_listing(&all, "objects");
    let bundled = read_json(&public.join("feeds/bundles/all.json"));
    let shared = read_json(&public.join("taxii2/api/objects/malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc.json"));
    let forms = [listed, bundled["objects"].as_array().unwrap().clone(), shared["objects"].as_array().unwrap().clone()];
    for form in &forms {
        for object in form {
            assert_eq!(object["spec_version"], "2.1", "{object}");
            assert!(object["created"].as_str().unwrap().ends_with(".000Z"), "millisecond precision: {object}");
            match object["type"].as_str().unwrap() {
                "indicator" => {
                    assert_eq!(object["pattern_type"], "stix");
                    assert_eq!(object["indicator_types"], json!(["malicious-activity"]));
                    assert_eq!(object["valid_from"], "2017-05-31T21:30:19Z");
                }
                "malware" => {
                    assert_eq!((&object["is_family"], &object["malware_types"]), (&json!(true), &json!(["trojan"])));
                    assert_eq!(object["modified"], "2017-06-01T00:00:00.500Z", "the same version, in milliseconds");
                }
                "report" => assert_eq!(object["report_types"], json!(["threat-report"])),
                other => panic!("{other}"),
            }
        }
    }
    assert_eq!(shared["versions"], json!(["2017-06-01T00:00:00.500Z"]));
    let collection = read_json(&all.join("index.json"));
    assert_eq!(collection["media_types"], json!(["application/stix+json;version=2.1"]));
    for entry in static_listing(&all, "manifest") {
        assert_eq!(entry["media_type"], "application/stix+json;version=2.1", "{entry}");
    }
    // The page shows the JSON as contributed, and says that the published form differs.
    let page = std::fs::read_to_string(public.join("objects/malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc/index.html"))
        .unwrap();
    assert!(page.contains("class=\"upgraded\""), "the page says the published form differs");
    assert!(!page.contains("\"is_family\""), "the page's JSON is the contributed 2.0 object");
    assert!(page.contains("2017-06-01T00:00:00.5Z"), "the contributed JSON is shown as it is");
}

#[test]
fn serve_answers_stix_20_content_as_stix_21() {
    let repo = stix_20_repo();
    let serve = Serve::start(repo.path(), &["--no-watch"]);
    let base = format!("/taxii2/api/collections/{ALL}");
    let objects = taxii(&serve.base, &format!("{base}/objects/")).json();
    assert!(objects["objects"].as_array().unwrap().iter().all(|o| o["spec_version"] == "2.1"), "{objects}");
    let only_21 = taxii(&serve.base, &format!("{base}/objects/?match[spec_version]=2.1")).json();
    assert_eq!(ids_of(&only_21).len(), 3);
    let only_20 = taxii(&serve.base, &format!("{base}/objects/?match[spec_version]=2.0")).json();
    assert_eq!(only_20, json!({"more": false}), "nothing is published as 2.0; no empty list");
}

#[test]
fn host_configs_are_written_beside_the_site() {
    let repo = Repo::from_fixture("audiences");
    assert_eq!(repo.build(&["--audience", "public"]).0, 0);
    let read = |name: &str| std::fs::read_to_string(repo.path().join("public").join(name)).unwrap();
    assert!(read("nginx.conf").contains(&format!("default_type \"{TAXII_TYPE}\"")));
    assert!(read("_headers").contains(&format!("Content-Type: {TAXII_TYPE}")));
    assert!(read("_redirects").contains("next=:next"));
}

/// A repository whose objects arrive over time, with a malware in two versions.
fn versioned_repo(config: &str) -> Repo {
    let repo = Repo::new();
    let at = |day: u32| format!("2025-01-{day:02}T00:00:00.000Z");
    let mut objects = Vec::new();
    for n in 1..=5 {
        objects.push(object(
            "indicator",
            n,
            json!({
                "created": at(n), "modified": at(n), "name": format!("indicator {n}"),
                "pattern": format!("[ipv4-addr:value = '198.51.100.{n}']"), "pattern_type": "stix",
                "valid_from": at(n), "labels": if n % 2 == 0 { json!(["even"]) } else { json!(["odd"]) },
            }),
        ));
    }
    for modified in [10, 20] {
        objects.push(object(
            "malware",
            1,
            json!({"created": at(10), "modified": at(modified), "name": format!("malware as of day {modified}"), "is_family": true}),
        ));
    }
    repo.write("content/objects.json", bundle(&objects));
    repo.write("stixpress.toml", config);
    repo
}

/// `stixpress serve` on a free port, stopped when dropped.
struct Serve {
    child: Child,
    base: String,
    /// What it printed after it started listening, line by line.
    printed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Serve {
    fn start(repo: &Path, args: &[&str]) -> Serve {
        Serve::start_with(repo, args, &[])
    }

    fn start_with(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("stixpress"))
            .args(["serve", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .current_dir(repo)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        let base = loop {
            let Some(Ok(line)) = lines.next() else { panic!("serve stopped before listening:\n{seen}") };
            if let Some(rest) = line.split(" at http://").nth(1) {
                break format!("http://{}", rest.split('/').next().unwrap());
            }
            seen.push_str(&line);
            seen.push('\n');
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        let printed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = printed.clone();
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|line| kept.lock().unwrap().push(line)));
        Serve { child, base, printed }
    }

    /// The lines it printed that start with `start`, once there are `count` of them (or after
    /// ten seconds): serve prints before it moves the generation, but the thread draining its
    /// stderr may not have read the line yet when a request sees the new generation.
    fn printed(&self, start: &str, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines: Vec<String> =
                self.printed.lock().unwrap().iter().filter(|line| line.starts_with(start)).cloned().collect();
            if lines.len() >= count || Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A GET over a plain socket (HTTP/1.1, one request per connection).
fn get(base: &str, path: &str, accept: &str) -> Reply {
    let text = String::from_utf8(get_raw(base, path, accept)).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply { status, headers, body: body.to_owned() }
}

/// The whole answer to a GET, head and body, as bytes (a body may not be text).
fn get_raw(base: &str, path: &str, accept: &str) -> Vec<u8> {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    raw
}

fn taxii(base: &str, path: &str) -> Reply {
    let reply = get(base, path, TAXII_TYPE);
    assert_eq!(reply.headers.get("content-type").map(String::as_str), Some(TAXII_TYPE), "{path}");
    reply
}

fn ids_of(envelope: &Value) -> Vec<String> {
    envelope["objects"].as_array().into_iter().flatten().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn serve_answers_taxii_queries() {
    let repo = versioned_repo("[site]\ntitle = \"Versions\"\n");
    let serve = Serve::start(repo.path(), &["--no-watch"]);
    let base = &serve.base;
    let objects = format!("/taxii2/api/collections/{ALL}/objects/");
    let malware = common::id("malware", 1);
    let indicator = |n| common::id("indicator", n);

    assert_eq!(taxii(base, "/taxii2/").json()["title"], "Versions");
    assert_eq!(taxii(base, "/taxii2/api/collections/").json()["collections"].as_array().unwrap().len(), 2);

    // The default: the last version of each object, by date_added.
    let listing = taxii(base, &objects);
    assert_eq!(listing.status, 200);
    let mut expected: Vec<String> = (1..=5).map(indicator).collect();
    expected.push(malware.clone());
    assert_eq!(ids_of(&listing.json()), expected);
    assert_eq!(listing.json()["objects"][5]["modified"], "2025-01-20T00:00:00.000Z");
    assert_eq!(listing.headers["x-taxii-date-added-first"], "2025-01-01T00:00:00.000Z");
    assert_eq!(listing.headers["x-taxii-date-added-last"], "2025-01-20T00:00:00.000Z");

    // Paging with limit and next reaches every object once.
    let mut paged = Vec::new();
    let mut next = String::new();
    loop {
        let page = taxii(base, &format!("{objects}?limit=2{next}")).json();
        paged.extend(ids_of(&page));
        match page["next"].as_str() {
            Some(token) if page["more"] == true => next = format!("&next={token}"),
            _ => break,
        }
    }
    assert_eq!(paged, expected);

    let query = |q: &str| ids_of(&taxii(base, &format!("{objects}?{q}")).json());
    assert_eq!(query("added_after=2025-01-03T00:00:00.000Z"), [indicator(4), indicator(5), malware.clone()]);
    assert_eq!(query("match[type]=malware"), std::slice::from_ref(&malware));
    assert_eq!(
        query("match[type]=malware,indicator&added_after=2025-01-04T00:00:00Z"),
        [indicator(5), malware.clone()]
    );
    assert_eq!(query(&format!("match[id]={}", indicator(2))), [indicator(2)]);
    assert_eq!(query("match[version]=all&match[type]=malware"), [malware.clone(), malware.clone()]);
    let first = taxii(base, &format!("{objects}?match[version]=first&match[type]=malware")).json();
    assert_eq!(first["objects"][0]["modified"], "2025-01-10T00:00:00.000Z");
    assert_eq!(query("match[version]=2025-01-10T00:00:00Z").len(), 1);
    assert_eq!(query("match[spec_version]=2.0"), Vec::<String>::new());
    assert_eq!(taxii(base, &format!("{objects}?added_after=2030-01-01T00:00:00Z")).json(), json!({"more": false}));

    // One object, its versions.
    let one = taxii(base, &format!("{objects}{malware}/")).json();
    assert_eq!(one["objects"].as_array().unwrap().len(), 1);
    assert_eq!(one["objects"][0]["modified"], "2025-01-20T00:00:00.000Z");
    let versions = taxii(base, &format!("{objects}{malware}/versions/")).json();
    assert_eq!(versions["versions"], json!(["2025-01-10T00:00:00.000Z", "2025-01-20T00:00:00.000Z"]));
    let manifest = taxii(base, &format!("/taxii2/api/collections/{ALL}/manifest/?match[type]=malware")).json();
    assert_eq!(manifest["objects"][0]["version"], "2025-01-20T00:00:00.000Z");
    assert_eq!(manifest["objects"][0]["media_type"], "application/stix+json;version=2.1");

    // The indicators collection holds no malware.
    let in_indicators = format!("/taxii2/api/collections/{INDICATORS}/objects/{malware}/");
    assert_eq!(taxii(base, &in_indicators).status, 404);

    // Errors are TAXII error messages.
    for (path, status) in [
        (format!("{objects}?added_after=yesterday"), 400),
        (format!("{objects}?limit=0"), 400),
        ("/taxii2/api/collections/00000000-0000-4000-8000-000000000000/".to_owned(), 404),
        (format!("{objects}indicator--00000000-0000-4000-8000-000000000000/"), 404),
        ("/taxii2/elsewhere/".to_owned(), 404),
    ] {
        let reply = taxii(base, &path);
        assert_eq!(reply.status, status, "{path}");
        assert!(reply.json()["title"].is_string(), "{path}");
    }
    let refused = get(base, &objects, "text/html");
    assert_eq!(refused.status, 406);
    assert_eq!(refused.json()["http_status"], "406");

    // The site itself, with the reload script in its pages.
    let home = get(base, "/", "text/html");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("/_stixpress/reload"));
    assert_eq!(get(base, "/../../etc/passwd", "*/*").status, 404);
}

/// `kill`, a service manager and a container's stop send SIGTERM, not Ctrl-C: serve must still
/// remove its workspace (two whole builds) from the temporary folder.
#[cfg(unix)]
#[test]
fn serve_stopped_by_sigterm_removes_its_workspace() {
    let repo = versioned_repo("");
    let temp = tempfile::tempdir().unwrap();
    let tmpdir = temp.path().to_str().unwrap().to_owned();
    let mut serve = Serve::start_with(repo.path(), &[], &[("TMPDIR", &tmpdir)]);
    let workspaces = || std::fs::read_dir(temp.path()).unwrap().count();
    assert_eq!(workspaces(), 1, "serve builds in a workspace in TMPDIR");
    let pid = serve.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop within 20 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "serve stopped by SIGTERM exits cleanly: {status:?}");
    assert_eq!(workspaces(), 0, "the workspace is removed");
}

#[test]
fn serve_rebuilds_after_a_change_and_tells_open_pages() {
    let repo = versioned_repo("");
    let serve = Serve::start(repo.path(), &[]);
    let base = serve.base.clone();
    let waiting = std::thread::spawn(move || get(&base, "/_stixpress/reload?since=0", "*/*").body);
    std::thread::sleep(Duration::from_millis(300));
    let added = object(
        "indicator",
        6,
        json!({
            "name": "indicator 6", "pattern": "[ipv4-addr:value = '198.51.100.6']", "pattern_type": "stix",
            "valid_from": "2025-01-06T00:00:00Z",
        }),
    );
    repo.write("content/added.json", bundle(&[added]));
    assert_eq!(waiting.join().unwrap().trim(), "1", "the page was not told about the rebuild");
    let listing = taxii(&serve.base, &format!("/taxii2/api/collections/{INDICATORS}/objects/")).json();
    assert!(ids_of(&listing).contains(&common::id("indicator", 6)));
    let page = get(&serve.base, &format!("/objects/{}/", common::id("indicator", 6)), "text/html");
    assert_eq!(page.status, 200);
}

/// Rewrites `content/notes.json` `rebuilds` times, each time waiting until `serve` has rebuilt.
fn change_a_note_and_wait_for_each_rebuild(repo: &Repo, serve: &Serve, rebuilds: u32) {
    for generation in 0..rebuilds {
        let note = object(
            "note",
            100 + generation,
            json!({"content": format!("rebuild {generation}"), "object_refs": [common::id("indicator", 1)]}),
        );
        repo.write("content/notes.json", bundle(&[note]));
        let seen = get(&serve.base, &format!("/_stixpress/reload?since={generation}"), "*/*").body;
        assert_eq!(seen.trim(), (generation + 1).to_string(), "rebuild {generation} was not served");
    }
}

#[test]
fn serve_rebuilds_into_the_build_before_last_writing_only_what_changed_and_serves_what_build_makes() {
    let epoch = [("SOURCE_DATE_EPOCH", "1767225600")];
    let repo = versioned_repo("");
    let serve = Serve::start_with(repo.path(), &[], &epoch);
    change_a_note_and_wait_for_each_rebuild(&repo, &serve, 4);
    // The first rebuild starts from nothing (the first build is being served); the ones after
    // update the folder of the build before last (no request was reading it).
    let builds = serve.printed("built ", 4);
    assert_eq!(builds.len(), 4, "one line per rebuild: {builds:?}");
    let files = |line: &str| -> (usize, usize) {
        let counts = line.split('(').nth(1).unwrap();
        let number = |after: &str| counts.split(after).next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
        (number(" files written"), number(" unchanged"))
    };
    assert_eq!(files(&builds[0]).1, 0, "a build from nothing: {}", builds[0]);
    for line in &builds[1..] {
        let (written, unchanged) = files(line);
        assert!(unchanged > 0 && written < unchanged, "a rebuild wrote everything: {line}");
    }

    // What it serves is what `build` makes of the same content, file by file (pages but for
    // the reload script serve adds; TAXII is answered from the build's index, not its files).
    let (code, out) = repo.stixpress().arg("build").envs(epoch).output().map(|o| (o.status, o.stderr)).unwrap();
    assert!(code.success(), "{}", String::from_utf8_lossy(&out));
    let built = repo.tree("public");
    let without_reload_script = |mut page: Vec<u8>| {
        let start = page.windows(23).position(|w| w == b"<script>(async()=>{for(").expect("the reload script");
        let end = start + page[start..].windows(9).position(|w| w == b"</script>").unwrap() + 9;
        page.drain(start..end);
        page
    };
    let served = built.iter().filter(|(path, _)| !path.starts_with('.') && !path.starts_with("taxii2/"));
    for (path, bytes) in served {
        let raw = get_raw(&serve.base, &format!("/{path}"), "*/*");
        let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert!(raw.starts_with(b"HTTP/1.1 200"), "{path}");
        let body = raw[at..].to_vec();
        let body = if path.ends_with(".html") { without_reload_script(body) } else { body };
        assert!(&body == bytes, "{path} differs from what build wrote");
    }
}

#[test]
fn configured_collections_select_by_type_label_and_marking() {
    let config = r#"
[taxii]
title = "Selected"
api_root = "intel"

[[taxii.collections]]
id = "11111111-1111-4111-8111-111111111111"
title = "Even indicators"
types = ["indicator"]
labels = ["even"]

[[taxii.collections]]
id = "22222222-2222-4222-8222-222222222222"
title = "Malware"
types = ["malware"]
"#;
    let repo = versioned_repo(config);
    assert_eq!(repo.build(&[]).0, 0);
    let collection = |id: &str| repo.path().join("public/taxii2/intel/collections").join(id);
    let ids = |id: &str| -> Vec<String> {
        static_listing(&collection(id), "objects").iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids("11111111-1111-4111-8111-111111111111"), [common::id("indicator", 2), common::id("indicator", 4)]);
    assert_eq!(ids("22222222-2222-4222-8222-222222222222"), [common::id("malware", 1)]);
    assert_eq!(read_json(&repo.path().join("public/taxii2/index.json"))["title"], "Selected");

    repo.write("stixpress.toml", "[[taxii.collections]]\nid = \"not-a-uuid\"\ntitle = \"x\"\n");
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not-a-uuid"), "{stderr}");
}

// ---- With the real peers: taxii2-client against `serve` and against nginx ----

/// Runs tests/taxii/read_all.py (taxii2-client, stix2) on a discovery URL; returns the ids
/// read from each collection, by collection id.
fn read_with_taxii2_client(discovery: &str) -> BTreeMap<String, BTreeSet<String>> {
    let report =
        peer_script_json("taxii/read_all.py", &[discovery.as_ref()], &format!("taxii2-client failed on {discovery}"));
    let mut read = BTreeMap::new();
    for root in report["api_roots"].as_array().unwrap() {
        for collection in root["collections"].as_array().unwrap() {
            let ids = collection["objects"].as_object().unwrap().keys().cloned().collect();
            read.insert(collection["id"].as_str().unwrap().to_owned(), ids);
        }
    }
    read
}

/// nginx serving a folder with the generated include, on a free port; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(site: &Path) -> Nginx {
        let binary = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("STIXPRESS_PEERS is set: nginx must be installed (scripts/test installs it)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             server {{\n    listen 127.0.0.1:{port};\n    root {site};\n    include {site}/nginx.conf;\n  }}\n}}\n",
            site = site.display()
        );
        std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
        let child = Command::new(binary)
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .spawn()
            .expect("nginx starts");
        let nginx = Nginx { child, port, _dir: dir };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "nginx did not listen on {port}: {}",
            std::fs::read_to_string(nginx._dir.path().join("error.log")).unwrap_or_default()
        );
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_collections(read: &BTreeMap<String, BTreeSet<String>>, expected: &BTreeSet<String>, from: &str) {
    assert_eq!(&read[ALL], expected, "{from}: the objects read differ from the audience's");
    let indicators: BTreeSet<String> = expected.iter().filter(|id| id.starts_with("indicator--")).cloned().collect();
    assert_eq!(read[INDICATORS], indicators, "{from}: indicators");
}

#[test]
fn taxii2_client_reads_every_object_from_serve_and_from_nginx() {
    if !peers_required() {
        eprintln!("STIXPRESS_PEERS is not set: taxii2-client and nginx are not run (scripts/test runs them)");
        return;
    }
    let repo = Repo::from_fixture("audiences");
    assert_eq!(repo.build(&["--audience", "public"]).0, 0);
    let expected = audiences_public_ids();

    let serve = Serve::start(repo.path(), &["--audience", "public", "--no-watch"]);
    assert_collections(&read_with_taxii2_client(&format!("{}/taxii2/", serve.base)), &expected, "serve");

    let nginx = Nginx::start(&repo.path().join("public"));
    assert_collections(
        &read_with_taxii2_client(&format!("http://127.0.0.1:{}/taxii2/", nginx.port)),
        &expected,
        "nginx",
    );
    // A `next` no page was written for is not found, rather than the first page again.
    let base = format!("http://127.0.0.1:{}", nginx.port);
    for next in ["0-indicator--x-0", "..%2F..%2Findex", "%3Cscript%3E"] {
        let reply = get(&base, &format!("/taxii2/api/collections/{ALL}/objects/?next={next}"), TAXII_TYPE);
        assert_eq!(reply.status, 404, "next={next}");
    }
}

/// The example's content built with TAXII pages of 10 objects, and the ids it published.
fn example_in_pages_of_ten() -> (Repo, BTreeSet<String>) {
    let repo = Repo::new();
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &repo.path().join("content"));
    repo.write("stixpress.toml", "[taxii]\npage_size = 10\n");
    assert_eq!(repo.build(&[]).0, 0);
    let published: BTreeSet<String> = std::fs::read_dir(repo.path().join("public/objects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    (repo, published)
}

#[test]
fn taxii2_client_pages_through_the_example_on_nginx() {
    if !peers_required() {
        return;
    }
    let (repo, published) = example_in_pages_of_ten();
    assert!(published.len() > 100);
    let nginx = Nginx::start(&repo.path().join("public"));
    let read = read_with_taxii2_client(&format!("http://127.0.0.1:{}/taxii2/", nginx.port));
    assert_collections(&read, &published, "nginx, pages of 10");
}

/// Polls every collection the way OpenCTI's TAXII connector does (`tests/taxii/opencti_poll.py`
/// reproduces its logic): the ids each collection delivered. The script fails when an object
/// arrives twice or the paging does not end.
fn poll_like_opencti(discovery: &str) -> BTreeMap<String, BTreeSet<String>> {
    let report = peer_script_json(
        "taxii/opencti_poll.py",
        &[discovery.as_ref()],
        &format!("polling as OpenCTI does failed on {discovery}"),
    );
    let collections = report["collections"].as_object().expect("collections");
    collections
        .iter()
        .map(|(id, polled)| {
            // The first object's spec_version decides: 2.1 pages by `next`, anything else by
            // `added_after` (which a static host ignores).
            // An empty collection answers `{}` (no empty list), and the connector stops there.
            if polled["received"] != 0 {
                assert_eq!(polled["version"], "2.1", "{discovery} {id}: {polled}");
            }
            assert_eq!(polled["received"], polled["distinct"], "{discovery} {id}");
            let ids = polled["ids"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_owned()).collect();
            (id.clone(), ids)
        })
        .collect()
}

#[test]
fn opencti_style_polling_receives_every_object_once_from_serve_and_from_nginx() {
    if !peers_required() {
        return;
    }
    let (repo, published) = example_in_pages_of_ten();
    let serve = Serve::start(repo.path(), &["--no-watch"]);
    assert_collections(&poll_like_opencti(&format!("{}/taxii2/", serve.base)), &published, "serve, as OpenCTI polls");
    let nginx = Nginx::start(&repo.path().join("public"));
    let polled = poll_like_opencti(&format!("http://127.0.0.1:{}/taxii2/", nginx.port));
    assert_collections(&polled, &published, "nginx, as OpenCTI polls");
}

// ---- What consumers receive is STIX 2.1: the example, ATT&CK enterprise and Unit 42 ----

/// The real data the peer tests build (`../shared/data`).
fn shared_data(name: &str) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(name);
    assert!(data.is_dir(), "{} is missing", data.display());
    data
}

/// A repository whose content is `data` (read in place), built into `public/` with `config`.
fn build_shared(data: &Path, config: &str) -> Repo {
    let repo = Repo::new();
    repo.write("stixpress.toml", format!("content = {:?}\n{config}", data.display().to_string()));
    let (code, out) = repo.build(&["--allow-errors", "--no-history", "--now", "2026-01-01T00:00:00Z"]);
    assert_eq!(code, 0, "{out}");
    repo
}

/// Runs `tests/taxii/published_21.py` on a built site: every object of its TAXII tree and
/// bundles carries `spec_version` 2.1 and is accepted by `stix2.parse(version="2.1",
/// allow_custom=True)`; stix2-validator (about 320 objects a second) checks a deterministic
/// sample of 3,000 of them plus the first of every type, as STIX 2.1. Returns the object count.
fn assert_published_as_21(site: &Path, label: &str) -> u64 {
    let report = peer_script_json(
        "taxii/published_21.py",
        &[site.as_os_str()],
        &format!("{label}: published objects that are not STIX 2.1 for stix2 or stix2-validator"),
    );
    eprintln!("{label}: {} objects, {} validated by stix2-validator", report["objects"], report["validated"]);
    report["objects"].as_u64().unwrap()
}

#[test]
fn the_example_publishes_stix_21_that_the_reference_tools_accept() {
    if !peers_required() {
        return;
    }
    let repo = Repo::new();
    let site = repo.build_example();
    assert!(assert_published_as_21(&site, "example") > 100);
}

#[test]
fn attack_enterprise_is_published_as_stix_21_and_polled_whole_as_opencti_polls() {
    if !peers_required() {
        return;
    }
    let repo = build_shared(&shared_data("mitre-cti/enterprise-attack"), "");
    let site = repo.path().join("public");
    let published = assert_published_as_21(&site, "ATT&CK enterprise");
    assert!(published > 20_000, "{published}");
    let ids: BTreeSet<String> = std::fs::read_dir(site.join("objects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Its 2.0 objects now read as 2.1, so the connector pages by `next` instead of by a
    // `date_added` that all of them share.
    let serve = Serve::start(repo.path(), &["--allow-errors", "--no-watch"]);
    assert_eq!(poll_like_opencti(&format!("{}/taxii2/", serve.base))[ALL], ids, "serve");
    let nginx = Nginx::start(&site);
    assert_eq!(poll_like_opencti(&format!("http://127.0.0.1:{}/taxii2/", nginx.port))[ALL], ids, "nginx");
}

#[test]
fn unit42_built_alone_with_one_config_line_publishes_every_valid_object_as_stix_21() {
    if !peers_required() {
        return;
    }
    // The line the build's withholding summary prints (README, "Audiences and markings").
    let line = "[audiences.public]\nmarkings = [\"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168\"]\n";
    let repo = build_shared(&shared_data("unit42-playbooks"), line);
    let published = assert_published_as_21(&repo.path().join("public"), "Unit 42");
    assert_eq!(published, 38_098, "every object of the playbooks but the invalid ones");
}

#[test]
fn serve_never_answers_with_a_partial_file_during_rebuilds_nor_touches_the_built_site() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let repo = versioned_repo("");
    assert_eq!(repo.build(&[]).0, 0);
    let built = repo.tree("public");
    let serve = Serve::start(repo.path(), &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let page = format!("/objects/{}/", common::id("indicator", 1));
    let hammers: Vec<_> = (0..4)
        .map(|n| {
            let (base, stop, requests, page) = (serve.base.clone(), stop.clone(), requests.clone(), page.clone());
            std::thread::spawn(move || {
                let paths = ["/", "/assets/style.css", page.as_str(), "/types/"];
                let mut i = n;
                while !stop.load(Ordering::Relaxed) {
                    let path = paths[i % paths.len()];
                    let reply = get(&base, path, "*/*");
                    assert_eq!(reply.status, 200, "{path}");
                    assert!(!reply.body.is_empty(), "{path}: an empty body");
                    if path.ends_with('/') {
                        assert!(reply.body.trim_end().ends_with("</html>"), "{path}: a partial page");
                    }
                    requests.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    change_a_note_and_wait_for_each_rebuild(&repo, &serve, 4);
    stop.store(true, Ordering::Relaxed);
    for hammer in hammers {
        hammer.join().expect("no request saw a partial file");
    }
    assert!(requests.load(Ordering::Relaxed) > 20);
    assert_eq!(repo.tree("public"), built, "serve wrote into the folder `build` made");
}
