//! Provenance from git, `diff` and `check --changed-since`: on small repositories committed by
//! the test with fixed authors and dates, and on the five ATT&CK releases of
//! ../shared/data/mitre-cti-history.bundle, whose expected figures the test computes itself from
//! the two trees with git and serde_json.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::{bundle, id, object, Repo};
use serde_json::{json, Value};

/// Runs git in `dir` with a fixed author and date, failing the test on error.
fn git(dir: &Path, args: &[&str]) -> String {
    git_as(dir, args, "Ada Analyst", "ada@example.org", "2026-03-01T10:00:00Z")
}

fn git_as(dir: &Path, args: &[&str], name: &str, email: &str, date: &str) -> String {
    let output = Process::new("git")
        .current_dir(dir)
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"])
        .args(args)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn commit_all(dir: &Path, message: &str, name: &str, date: &str) -> String {
    git_as(dir, &["add", "-A"], name, "x@example.org", date);
    git_as(
        dir,
        &["commit", "-q", "-m", message],
        name,
        &format!("{}@example.org", name.to_lowercase().replace(' ', ".")),
        date,
    );
    git(dir, &["rev-parse", "HEAD"])
}

fn malware(n: u32, modified: &str, extra: Value) -> Value {
    let mut o = object("malware", n, json!({"name": format!("Malware {n}"), "is_family": true}));
    o["modified"] = json!(modified);
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        o[k] = v;
    }
    o
}

fn page(repo: &Repo, id: &str) -> String {
    std::fs::read_to_string(repo.path().join(format!("public/objects/{id}/index.html"))).expect("object page")
}

/// A repository grown by two pull requests (one merged, one squashed) and a direct commit.
fn grown_repository() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    repo.write(
        "stixpress.toml",
        "[site]\ntitle = \"History test\"\nrepository_url = \"https://github.com/example/intel\"\n",
    );
    repo.write("content/m1.json", bundle(&[malware(1, "2026-01-01T00:00:00.000Z", json!({}))]));
    let first = commit_all(dir, "Initial content", "Ada Analyst", "2026-01-02T09:00:00Z");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    repo.write("content/m2.json", bundle(&[malware(2, "2026-02-01T00:00:00.000Z", json!({}))]));
    let branch =
        commit_all(dir, "Add Malware 2\n\nSeen in the February campaign.", "Bo Reviewer", "2026-02-02T09:00:00Z");
    git(dir, &["checkout", "-q", "main"]);
    git_as(
        dir,
        &["merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #12 from bo/feature"],
        "Ada Analyst",
        "ada@example.org",
        "2026-02-03T09:00:00Z",
    );
    let merge = git(dir, &["rev-parse", "HEAD"]);
    repo.write(
        "content/m1.json",
        bundle(&[malware(1, "2026-03-01T00:00:00.000Z", json!({"description": "<script>alert(1)</script> new"}))]),
    );
    let squash = commit_all(dir, "Describe Malware 1 (#13)", "Cy Contributor", "2026-03-02T09:00:00Z");
    (repo, vec![first, branch, merge, squash])
}

#[test]
fn pages_show_the_commit_author_date_and_pull_request_of_each_version() {
    let (repo, commits) = grown_repository();
    let (code, out) = repo.build(&["--now", "2026-03-05T00:00:00Z"]);
    assert_eq!(code, 0, "{out}");
    // The dashboard counts versions by commit date: 7 days back reaches the squash (Malware 1's
    // new version), 30 days stops after the branch commit of 2026-02-02, 90 reaches both.
    let home = std::fs::read_to_string(repo.path().join("public/index.html")).unwrap();
    let windows = &home[home.find("class=\"windows\"").expect("the windows table")..];
    let committed: Vec<&str> = windows
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| row.split("<td>").nth(3).and_then(|c| c.split("</td>").next()).unwrap_or(""))
        .collect();
    assert_eq!(committed, ["1", "1", "2"], "{windows}");
    let m2 = page(&repo, &id("malware", 2));
    // The version came with the branch commit, which pull request #12 merged.
    assert!(m2.contains(&format!("https://github.com/example/intel/commit/{}", commits[1])), "{m2}");
    assert!(m2.contains("https://github.com/example/intel/pull/12"));
    assert!(m2.contains("Bo Reviewer") && m2.contains("2026-02-02"));
    assert!(m2.contains("Seen in the February campaign."));
    let m1 = page(&repo, &id("malware", 1));
    assert!(m1.contains(&format!("commit/{}", commits[3])) && m1.contains("pull/13"), "{m1}");
    // The earlier version lives on in git history only, with its own commit.
    assert!(m1.contains("earlier version") && m1.contains(&format!("commit/{}", commits[0])));
    assert!(
        m1.contains(&format!("Last changed by <a href=\"https://github.com/example/intel/commit/{}", commits[3])),
        "{m1}"
    );
    // Contributor pages per git author and per identity.
    let index = std::fs::read_to_string(repo.path().join("public/contributors/index.html")).unwrap();
    for name in ["Ada Analyst", "Bo Reviewer", "Cy Contributor"] {
        assert!(index.contains(name), "{name} missing from the contributors page");
    }
    let bo = std::fs::read_to_string(repo.path().join("public/contributors/bo-reviewer/index.html")).unwrap();
    assert!(bo.contains(&format!("objects/{}/", id("malware", 2))) && !bo.contains(&id("malware", 1)));
    assert!(!m1.contains("<script>alert"), "contributed text is escaped");
}

#[test]
fn an_uncommitted_version_says_so_and_a_revision_builds_its_own_tree() {
    let (repo, commits) = grown_repository();
    repo.write("content/m3.json", bundle(&[malware(3, "2026-04-01T00:00:00.000Z", json!({}))]));
    let (code, out) = repo.build(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(page(&repo, &id("malware", 3)).contains("not committed yet"));
    // --rev: the tree of the first commit, whatever the working tree holds.
    let (code, out) = repo.build(&["--rev", &commits[0]]);
    assert_eq!(code, 0, "{out}");
    assert!(repo.path().join(format!("public/objects/{}/index.html", id("malware", 1))).is_file());
    assert!(!repo.path().join(format!("public/objects/{}/index.html", id("malware", 2))).exists());
    assert!(!page(&repo, &id("malware", 1)).contains("<script>"), "the first version has no description");
    // --no-history: no History section and no claim about it.
    let (code, _) = repo.build(&["--no-history"]);
    assert_eq!(code, 0);
    let m1 = page(&repo, &id("malware", 1));
    assert!(!m1.contains("class=\"history") && !m1.contains("History is unavailable"));
}

#[test]
fn outside_git_and_in_a_shallow_clone_the_site_builds_and_says_history_is_unavailable() {
    let plain = Repo::new();
    plain.write("content/m1.json", bundle(&[malware(1, "2026-01-01T00:00:00.000Z", json!({}))]));
    let (code, out) = plain.build(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(page(&plain, &id("malware", 1)).contains("History is unavailable: the content is not in a git repository"));

    let (origin, _) = grown_repository();
    let shallow = Repo::new();
    let url = format!("file://{}", origin.path().display());
    let clone = shallow.path().join("clone");
    git(shallow.path(), &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()]);
    let output = Repo::stixpress_in(&clone).args(["build"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let m1 = std::fs::read_to_string(clone.join(format!("public/objects/{}/index.html", id("malware", 1)))).unwrap();
    assert!(m1.contains("History is unavailable: the repository is a shallow clone"), "{m1}");
}

#[test]
fn check_changed_since_reports_only_on_changed_objects_and_the_rules_the_change_breaks() {
    let repo = Repo::new();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    // An old problem (a malware without is_family) that the change does not touch.
    let mut old_problem = object("malware", 1, json!({"name": "Old"}));
    old_problem.as_object_mut().unwrap().remove("is_family");
    let target = malware(2, "2026-01-01T00:00:00.000Z", json!({}));
    let rel = object(
        "relationship",
        3,
        json!({"relationship_type": "uses", "source_ref": id("malware", 4), "target_ref": id("malware", 2)}),
    );
    repo.write("content/old.json", bundle(&[old_problem]));
    repo.write("content/target.json", bundle(&[target]));
    repo.write("content/rel.json", bundle(&[rel, malware(4, "2026-01-01T00:00:00.000Z", json!({}))]));
    repo.write("content/fine.json", bundle(&[malware(5, "2026-01-01T00:00:00.000Z", json!({}))]));
    commit_all(dir, "Base", "Ada Analyst", "2026-01-02T09:00:00Z");
    let (_, full) = repo.check_json(&[]);
    assert!(!common::with_code(&full, "missing-property").is_empty(), "{full}");

    // The change: a new problem on a changed object, a broken file, and a removed object that
    // an unchanged relationship still points at.
    let mut changed = malware(5, "2026-02-01T00:00:00.000Z", json!({}));
    changed.as_object_mut().unwrap().remove("name");
    repo.write("content/fine.json", bundle(&[changed]));
    repo.write("content/broken.json", "{\"type\": \"bundle\",");
    std::fs::remove_file(dir.join("content/target.json")).unwrap();

    let (code, report) = repo.check_json(&["--changed-since", "HEAD"]);
    assert_eq!(code, 1);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let on = |needle: &str| diagnostics.iter().any(|d| d.to_string().contains(needle));
    assert!(on(&id("malware", 5)), "the changed object's problem: {report}");
    assert!(on("broken.json"), "the new broken file: {report}");
    assert!(on(&id("malware", 2)), "the reference to the removed object: {report}");
    assert!(!on(&id("malware", 1)), "an old problem on an unchanged object: {report}");
}

#[test]
fn diff_sees_a_version_rewritten_in_place_to_hash_like_the_one_before() {
    // The same indicator version, its pattern changed and a custom text padded so that both
    // texts collide under the 64-bit hash `diff` once compared contents by
    // (tests/fixtures/collision/README.md): a reviewer must be told.
    let repo = Repo::new();
    let fixture = common::fixture_path("collision");
    let dir = repo.path();
    repo.write("content/iocs.json", std::fs::read(fixture.join("a.json")).unwrap());
    git(dir, &["init", "-q"]);
    let base = commit_all(dir, "indicators", "Ada Analyst", "2026-03-01T10:00:00Z");
    repo.write("content/iocs.json", std::fs::read(fixture.join("b.json")).unwrap());
    let output = repo.stixpress().args(["diff", &base, "--format", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["counts"]["modified"], 1, "{report}");
    let changed = &report["changes"][0];
    assert_eq!(changed["properties"], json!(["pattern", "x_note"]), "{report}");
}

#[test]
fn diff_lists_what_a_change_does_as_markdown_and_json() {
    let (repo, commits) = grown_repository();
    std::fs::remove_file(repo.path().join("content/m2.json")).unwrap();
    repo.write(
        "content/m9.json",
        bundle(&[malware(9, "2026-05-01T00:00:00.000Z", json!({"name": "**Bold** @someone"}))]),
    );
    let output = repo.stixpress().args(["diff", &commits[2], "--format", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["counts"], json!({"added": 1, "modified": 1, "revoked": 0, "deprecated": 0, "removed": 1}));
    let modified = report["changes"].as_array().unwrap().iter().find(|c| c["kind"] == "modified").unwrap();
    assert_eq!(modified["properties"], json!(["description"]));
    let output = repo.stixpress().args(["diff", &commits[2]]).output().unwrap();
    let markdown = String::from_utf8(output.stdout).unwrap();
    assert!(markdown.contains("| removed | 1 |") && markdown.contains("[!WARNING]"), "{markdown}");
    assert!(markdown.contains("\\*\\*Bold\\*\\* \\@someone"), "contributed names are escaped: {markdown}");
    // Between two revisions, the working tree does not count.
    let output = repo.stixpress().args(["diff", &commits[0], &commits[1], "--format", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["counts"]["added"], 1);
    assert_eq!(report["counts"]["removed"], 0);
}

// ---- The five ATT&CK releases --------------------------------------------------------------

fn attack_history() -> Repo {
    let bundle_path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mitre-cti-history.bundle");
    assert!(bundle_path.is_file(), "../shared/data/mitre-cti-history.bundle is missing");
    let repo = Repo::new();
    let clone = repo.path().join("attack");
    git(repo.path(), &["clone", "-q", bundle_path.to_str().unwrap(), clone.to_str().unwrap()]);
    repo
}

/// The commit of each release, by its subject.
fn release_commits(clone: &Path) -> HashMap<String, String> {
    git(clone, &["log", "--format=%H %s"])
        .lines()
        .filter_map(|line| line.split_once(' ').map(|(sha, subject)| (subject.to_owned(), sha.to_owned())))
        .collect()
}

/// Every object of a revision's tree, read with git itself: id → latest object.
fn objects_at(clone: &Path, rev: &str) -> HashMap<String, Value> {
    // Blob ids, not `rev:path` names: git looks a path up by scanning its folder, and one
    // folder holds 20,000 relationships.
    let listing = git(clone, &["ls-tree", "-r", rev, "enterprise-attack"]);
    let mut input = String::new();
    for line in listing.lines().filter(|l| l.ends_with(".json")) {
        let blob = line.split_whitespace().nth(2).expect("mode type blob\tpath");
        input.push_str(blob);
        input.push('\n');
    }
    let mut child = Process::new("git")
        .current_dir(clone)
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let mut objects: HashMap<String, Value> = HashMap::new();
    let mut rest = &output.stdout[..];
    while let Some(newline) = rest.iter().position(|b| *b == b'\n') {
        let header = std::str::from_utf8(&rest[..newline]).unwrap();
        let size: usize = header.rsplit(' ').next().unwrap().parse().unwrap();
        let body = &rest[newline + 1..newline + 1 + size];
        rest = &rest[newline + 2 + size..];
        let file: Value = serde_json::from_slice(body).unwrap();
        for o in file["objects"].as_array().unwrap() {
            let id = o["id"].as_str().unwrap().to_owned();
            let newer = objects.get(&id).is_none_or(|known| o["modified"].as_str() >= known["modified"].as_str());
            if newer {
                objects.insert(id, o.clone());
            }
        }
    }
    objects
}

/// The counts the diff must report, by the rule: revoked, else deprecated, else modified.
fn expected_counts(base: &HashMap<String, Value>, head: &HashMap<String, Value>) -> BTreeMap<&'static str, usize> {
    let without_spec = |o: &Value| {
        let mut o = o.clone();
        o.as_object_mut().unwrap().remove("spec_version");
        o
    };
    let flag = |o: &Value, key: &str| o.get(key) == Some(&Value::Bool(true));
    let mut counts: BTreeMap<&'static str, usize> =
        ["added", "modified", "revoked", "deprecated", "removed"].into_iter().map(|k| (k, 0)).collect();
    for (id, new) in head {
        let kind = match base.get(id) {
            None => "added",
            Some(old) if without_spec(old) == without_spec(new) => continue,
            Some(old) if flag(new, "revoked") && !flag(old, "revoked") => "revoked",
            Some(old) if flag(new, "x_mitre_deprecated") && !flag(old, "x_mitre_deprecated") => "deprecated",
            Some(_) => "modified",
        };
        *counts.get_mut(kind).unwrap() += 1;
    }
    *counts.get_mut("removed").unwrap() = base.keys().filter(|id| !head.contains_key(*id)).count();
    counts
}

#[test]
fn attack_diff_between_v17_1_and_v18_0_counts_what_the_trees_hold() {
    let repo = attack_history();
    let clone = repo.path().join("attack");
    let releases = release_commits(&clone);
    let (v17_1, v18_0) = (&releases["ATT&CK v17.1 Enterprise"], &releases["ATT&CK v18.0 Enterprise"]);
    let expected = expected_counts(&objects_at(&clone, v17_1), &objects_at(&clone, v18_0));
    let output = Repo::stixpress_in(&clone)
        .args(["--content", "enterprise-attack", "diff", v17_1, v18_0, "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let counted: BTreeMap<&str, usize> =
        expected.keys().map(|k| (*k, report["counts"][*k].as_u64().unwrap() as usize)).collect();
    assert_eq!(counted, expected);
    assert!(expected["added"] > 0 && expected["modified"] > 0 && expected["removed"] > 0, "{expected:?}");
    assert_eq!(report["base"]["commit"], json!(v17_1));
}

#[test]
fn attack_technique_modified_in_v18_0_names_that_commit_its_author_and_date() {
    let repo = attack_history();
    let clone = repo.path().join("attack");
    let releases = release_commits(&clone);
    let (v17_1, v18_0, v18_1) = (
        &releases["ATT&CK v17.1 Enterprise"],
        &releases["ATT&CK v18.0 Enterprise"],
        &releases["ATT&CK v18.1 Enterprise"],
    );
    let (before, at, after) = (objects_at(&clone, v17_1), objects_at(&clone, v18_0), objects_at(&clone, v18_1));
    // A technique whose version v18.0 brought and v18.1 kept.
    let mut candidates: Vec<&String> = at
        .iter()
        .filter(|(id, o)| {
            id.starts_with("attack-pattern--")
                && before.get(*id).is_some_and(|old| old["modified"] != o["modified"])
                && after.get(*id).is_some_and(|new| new["modified"] == o["modified"])
        })
        .map(|(id, _)| id)
        .collect();
    candidates.sort();
    let technique = candidates.first().expect("a technique modified in v18.0");
    let author = git(&clone, &["log", "-1", "--format=%an", v18_0]);
    let date = git(&clone, &["log", "-1", "--format=%aI", v18_0]);
    let day = chrono_free_utc_day(&date);
    let output = Repo::stixpress_in(&clone)
        .args(["--content", "enterprise-attack", "build", "--allow-errors", "--output"])
        .arg(repo.path().join("out"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let html = std::fs::read_to_string(repo.path().join(format!("out/objects/{technique}/index.html"))).unwrap();
    let history = &html[html.find("class=\"history\"").expect("a History section")..];
    let history = &history[history.find("<tbody>").expect("rows")..];
    let row = &history[..history.find("</tr>").unwrap()];
    assert!(row.contains(&v18_0[..10]), "the v18.0 commit: {row}");
    assert!(row.contains(&author), "its author {author}: {row}");
    assert!(row.contains(&day), "its date {day}: {row}");
    assert!(row.contains("ATT&amp;CK v18.0 Enterprise"), "{row}");
}

/// The UTC day of an ISO 8601 time with an offset (`2025-10-27T14:37:15-04:00` → `2025-10-27`),
/// computed without the code under test.
fn chrono_free_utc_day(iso: &str) -> String {
    let output = Process::new("date").args(["-u", "-d", iso, "+%Y-%m-%d"]).output().expect("date runs");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The manifest entries of the static "All objects" collection, by object id.
fn manifest_dates(repo: &Repo) -> BTreeMap<String, String> {
    let all = repo.path().join("public/taxii2/api/collections/53cc8462-778d-5082-8f0a-1f0bdda37ed7/manifest");
    let page: Value = serde_json::from_slice(&std::fs::read(all.join("index.json")).expect("manifest")).unwrap();
    let entries = page["objects"].as_array().cloned().unwrap_or_default();
    let dates: Vec<&str> = entries.iter().map(|e| e["date_added"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "sorted by date_added: {dates:?}");
    entries
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e["date_added"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn a_branch_merged_after_later_work_is_added_when_merged_so_added_after_polling_receives_it() {
    let repo = Repo::new();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    repo.write("stixpress.toml", "[site]\ntitle = \"Merge test\"\n");
    repo.write("content/m1.json", bundle(&[malware(1, "2026-01-01T00:00:00.000Z", json!({}))]));
    commit_all(dir, "First", "Ada Analyst", "2026-01-01T09:00:00Z");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    repo.write("content/m2.json", bundle(&[malware(2, "2026-01-05T00:00:00.000Z", json!({}))]));
    commit_all(dir, "Authored on the 5th", "Bo Reviewer", "2026-01-05T09:00:00Z");
    git(dir, &["checkout", "-q", "main"]);
    repo.write("content/m3.json", bundle(&[malware(3, "2026-01-10T00:00:00.000Z", json!({}))]));
    commit_all(dir, "Published on the 10th", "Ada Analyst", "2026-01-10T09:00:00Z");
    git_as(
        dir,
        &["merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #4 from bo/feature"],
        "Ada Analyst",
        "ada@example.org",
        "2026-01-20T09:00:00Z",
    );
    let (code, out) = repo.build(&[]);
    assert_eq!(code, 0, "{out}");
    let dates = manifest_dates(&repo);
    assert_eq!(dates[&id("malware", 3)], "2026-01-10T09:00:00.000Z");
    // Authored on the 5th, but a client that polled on the 15th had not seen it: it was added
    // by the merge on the 20th, so `added_after` the 15th brings it.
    assert_eq!(dates[&id("malware", 2)], "2026-01-20T09:00:00.000Z");
    let after_poll: Vec<&String> = dates.iter().filter(|(_, d)| d.as_str() > "2026-01-15").map(|(id, _)| id).collect();
    assert_eq!(after_poll, [&id("malware", 2)]);
    // The page still says when it was authored.
    assert!(page(&repo, &id("malware", 2)).contains("2026-01-05"));
}

#[test]
fn diff_names_relationships_by_their_ends_and_keeps_revisions_literal() {
    let (repo, _) = grown_repository();
    let uses = object(
        "relationship",
        7,
        json!({"relationship_type": "uses", "source_ref": id("malware", 1), "target_ref": id("malware", 2)}),
    );
    repo.write("content/rel.json", bundle(&[uses]));
    commit_all(repo.path(), "Relate them", "Ada Analyst", "2026-03-03T09:00:00Z");
    let output = repo.stixpress().args(["diff", "HEAD~1", "HEAD"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let markdown = String::from_utf8(output.stdout).unwrap();
    assert!(markdown.contains("**Malware 1 uses Malware 2**"), "{markdown}");
    assert!(markdown.contains("`HEAD~1` ("), "{markdown}");
    assert!(!markdown.contains("HEAD\\~1"), "{markdown}");
}
