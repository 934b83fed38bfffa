//! Git history and prose go through the View: a repository whose history holds withheld work
//! (an AMBER-only commit with canaries in its author, subject and body; a version that was
//! AMBER and later CLEAR; a commit that changed only an AMBER object in a file a CLEAR object
//! shares; a marking changed without a new `modified`; CLEAR prose naming withheld ids escaped,
//! in upper case, as a bare UUID and percent-encoded) publishes none of it to the public, and
//! all of it to the members.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command as Process;

use common::{bundle, readable_tree, traces, Repo};
use serde_json::{json, Value};

const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

fn id(object_type: &str, n: u32) -> String {
    format!("{object_type}--a11ce000-0000-4000-8000-{n:012}")
}

fn object(object_type: &str, n: u32, modified: &str, marking: &str, extra: Value) -> Value {
    let mut o = json!({
        "type": object_type,
        "spec_version": "2.1",
        "id": id(object_type, n),
        "created": "2025-01-01T00:00:00.000Z",
        "modified": modified,
        "object_marking_refs": [marking],
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        o[k] = v;
    }
    o
}

fn malware(n: u32, modified: &str, marking: &str, name: &str) -> Value {
    object("malware", n, modified, marking, json!({"name": name, "is_family": true}))
}

fn note(n: u32, content: &str) -> Value {
    object(
        "note",
        n,
        "2025-01-01T00:00:00.000Z",
        CLEAR,
        json!({"content": content, "object_refs": [id("malware", 2)], "abstract": format!("CANARY-PROSE-{n}")}),
    )
}

struct Author {
    name: &'static str,
    email: &'static str,
}

const PUBLIC: Author = Author { name: "Pat Public", email: "pat@example.org" };

/// Commits everything as `author` on `date`; returns the commit's sha.
fn commit(dir: &Path, author: &Author, date: &str, message: &str) -> String {
    let git = |args: &[&str]| {
        let output = Process::new("git")
            .current_dir(dir)
            .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"])
            .args(args)
            .env("GIT_AUTHOR_NAME", author.name)
            .env("GIT_AUTHOR_EMAIL", author.email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_NAME", author.name)
            .env("GIT_COMMITTER_EMAIL", author.email)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    if !dir.join(".git").exists() {
        git(&["init", "-q"]);
    }
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", message]);
    git(&["rev-parse", "HEAD"])
}

struct Scenario {
    repo: Repo,
    /// Strings only withheld objects, versions and commits hold (shas included).
    secrets: Vec<String>,
    /// Ids (and so UUIDs) the public must never see.
    withheld: Vec<String>,
    /// The commit that added Public Four, and the one that made Six CLEAR.
    four_added: String,
    six_published: String,
    /// The commit that gave the report its second version, which no longer names Amber One.
    report_reworded: String,
}

fn scenario() -> Scenario {
    let repo = Repo::new();
    let dir = repo.path();
    repo.write(
        "stixpress.toml",
        r#"[site]
title = "History leaks"
repository_url = "https://git.example.org/intel"

[audiences.public]
tlp = ["clear"]

[audiences.members]
tlp = ["clear", "green", "amber"]

[audiences.quiet]
tlp = ["clear"]
commit_messages = "none"

[audiences.partners]
tlp = ["clear"]
redact_refs = true
"#,
    );
    let mut secrets = Vec::new();
    let canary_author = |n: &str| Author {
        name: Box::leak(format!("Canary Author {n}").into_boxed_str()),
        email: "canary@example.org",
    };

    // 1. An AMBER-only commit: its author, subject and body describe restricted work.
    repo.write("content/amber.json", bundle(&[malware(1, "2025-01-01T00:00:00.000Z", AMBER, "CANARY-NAME-1")]));
    secrets.push(commit(
        dir,
        &canary_author("One"),
        "2025-01-02T00:00:00Z",
        "CANARY-SUBJECT-ONE\n\nCANARY-BODY-ONE about the restricted case",
    ));
    repo.write("content/public.json", bundle(&[malware(3, "2025-01-01T00:00:00.000Z", CLEAR, "Public Three")]));
    commit(dir, &PUBLIC, "2025-01-03T00:00:00Z", "Add Public Three\n\nPUBLIC-BODY visible");

    // 2. A version that was AMBER, then replaced by a CLEAR one.
    repo.write("content/m2.json", bundle(&[malware(2, "2025-01-01T00:00:00.000Z", AMBER, "CANARY-OLD-NAME-2")]));
    secrets.push(commit(dir, &canary_author("Two"), "2025-01-04T00:00:00Z", "CANARY-SUBJECT-TWO"));
    repo.write("content/m2.json", bundle(&[malware(2, "2025-02-01T00:00:00.000Z", CLEAR, "Public Two")]));
    commit(dir, &PUBLIC, "2025-02-02T00:00:00Z", "Publish Two");

    // 3. One file, a CLEAR and an AMBER object; a commit changes only the AMBER one.
    let clear_four = malware(4, "2025-01-01T00:00:00.000Z", CLEAR, "Public Four");
    repo.write("content/mixed.json", bundle(std::slice::from_ref(&clear_four)));
    let four_added = commit(dir, &PUBLIC, "2025-02-03T00:00:00Z", "Add Public Four");
    let amber_five = malware(5, "2025-01-01T00:00:00.000Z", AMBER, "CANARY-NAME-5");
    repo.write("content/mixed.json", bundle(&[clear_four, amber_five]));
    secrets.push(commit(dir, &canary_author("Three"), "2025-02-04T00:00:00Z", "CANARY-SUBJECT-THREE"));

    // 4. A marking changed without a new `modified`: AMBER first, then CLEAR.
    repo.write("content/m6.json", bundle(&[malware(6, "2025-01-01T00:00:00.000Z", AMBER, "Six")]));
    secrets.push(commit(dir, &canary_author("Four"), "2025-02-05T00:00:00Z", "CANARY-SUBJECT-FOUR"));
    repo.write("content/m6.json", bundle(&[malware(6, "2025-01-01T00:00:00.000Z", CLEAR, "Six")]));
    let six_published = commit(dir, &PUBLIC, "2025-02-06T00:00:00Z", "Clear Six for everyone");

    // 5. CLEAR prose naming withheld objects in every spelling a reader recognises.
    let amber_id = id("malware", 1);
    let uuid = amber_id.split("--").nth(1).unwrap().to_owned();
    let notes = [
        note(11, &format!("see {}", amber_id.replace('-', "\\u002d"))),
        note(12, &format!("see {}", amber_id.to_uppercase())),
        note(13, &format!("see the case {uuid}")),
        note(14, &format!("see malware%2D%2D{}", uuid.replace('-', "%2D"))),
    ];
    // Written by hand so that the escapes reach the file as the contributor typed them.
    let text = bundle(&notes).replace("\\\\u002d", "\\u002d");
    repo.write("content/notes.json", text);
    commit(dir, &PUBLIC, "2025-02-07T00:00:00Z", "Add notes");

    // 6. A CLEAR report listing an AMBER object: its first version also names it in prose, so
    // an audience that redacts references may get the second version only, without the
    // reference, and nothing of the first (neither its text nor its commit).
    let report = |modified: &str, description: &str| {
        let refs = json!([id("malware", 1), id("malware", 3)]);
        let extra = json!({"name": "Public Report", "published": modified, "description": description,
            "report_types": ["threat-report"], "object_refs": refs});
        object("report", 20, modified, CLEAR, extra)
    };
    repo.write(
        "content/report.json",
        bundle(&[report("2025-02-08T00:00:00.000Z", &format!("CANARY-REPORT-PROSE about {amber_id}"))]),
    );
    secrets.push(commit(dir, &canary_author("Five"), "2025-02-08T00:00:00Z", "CANARY-SUBJECT-FIVE"));
    repo.write("content/report.json", bundle(&[report("2025-02-09T00:00:00.000Z", "PUBLIC-REPORT-PROSE")]));
    let report_reworded = commit(dir, &PUBLIC, "2025-02-09T00:00:00Z", "Reword the report");

    let withheld: Vec<String> =
        [id("malware", 1), id("malware", 5)].into_iter().chain((11..=14).map(|n| id("note", n))).collect();
    secrets.extend(["CANARY".to_owned()]);
    Scenario { repo, secrets, withheld, four_added, six_published, report_reworded }
}

fn needles(scenario: &Scenario) -> Vec<String> {
    let uuids = scenario.withheld.iter().map(|id| id.split("--").nth(1).unwrap().to_owned());
    scenario.secrets.iter().cloned().chain(scenario.withheld.iter().cloned()).chain(uuids).collect()
}

/// Every needle found in `tree`, with the files that hold it.
fn leaks(scenario: &Scenario, tree: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Vec<String>)> {
    needles(scenario)
        .into_iter()
        .map(|needle| {
            let found = traces(tree, &needle);
            (needle, found)
        })
        .filter(|(_, found)| !found.is_empty())
        .collect()
}

/// Builds `audience` of the scenario; returns its folder and every file in it, readable.
fn built(scenario: &Scenario, audience: &str) -> (std::path::PathBuf, BTreeMap<String, Vec<u8>>) {
    let (code, out) = scenario.repo.build(&["--audience", audience, "--now", "2025-03-01T00:00:00Z"]);
    assert_eq!(code, 0, "{out}");
    let folder = scenario.repo.path().join(audience);
    let tree = readable_tree(&folder);
    (folder, tree)
}

fn page(dir: &Path, id: &str) -> String {
    std::fs::read_to_string(dir.join(format!("objects/{id}/index.html"))).expect("object page")
}

#[test]
fn the_public_output_holds_no_trace_of_withheld_history_or_prose() {
    let scenario = scenario();
    let (code, out) = scenario.repo.build(&["--now", "2025-03-01T00:00:00Z"]);
    assert_eq!(code, 0, "{out}");
    let public = scenario.repo.path().join("public");
    let tree = readable_tree(&public);
    let leaks = leaks(&scenario, &tree);
    assert!(leaks.is_empty(), "the public output leaks: {leaks:#?}");
    // The report lists Amber One, and the public does not redact.
    assert!(traces(&tree, &id("report", 20)).is_empty());

    // Not a vacuous pass: the public objects and their own commits are there.
    let two = page(&public, &id("malware", 2));
    assert!(two.contains("Publish Two") && two.contains("Pat Public"), "{two}");
    let four = page(&public, &id("malware", 4));
    let commit = |sha: &str| format!("https://git.example.org/intel/commit/{sha}");
    assert!(four.contains(&format!("Last changed by <a href=\"{}\"", commit(&scenario.four_added))), "{four}");
    // The version CLEAR since a later commit came, for the public, with that commit.
    let six = page(&public, &id("malware", 6));
    assert!(six.contains("Clear Six for everyone") && six.contains(&commit(&scenario.six_published)), "{six}");
    let contributors = std::fs::read_to_string(public.join("contributors/index.html")).unwrap();
    assert!(contributors.contains("Pat Public"));
}

#[test]
fn the_members_output_holds_the_history_the_public_does_not_get() {
    let scenario = scenario();
    let (members, tree) = built(&scenario, "members");
    let missing: Vec<String> = needles(&scenario).into_iter().filter(|n| traces(&tree, n).is_empty()).collect();
    assert!(missing.is_empty(), "the members' output lacks: {missing:?}");
    let six = page(&members, &id("malware", 6));
    assert!(six.contains("CANARY-SUBJECT-FOUR"), "members see where Six came from: {six}");
}

#[test]
fn a_redacting_audience_gets_the_report_s_clean_version_and_nothing_of_the_one_naming_the_withheld() {
    let scenario = scenario();
    let (partners, tree) = built(&scenario, "partners");
    let leaks = leaks(&scenario, &tree);
    assert!(leaks.is_empty(), "the partners' output leaks: {leaks:#?}");
    // Not a vacuous pass: the second version is there, redacted, with its commit.
    let report = page(&partners, &id("report", 20));
    assert!(report.contains("PUBLIC-REPORT-PROSE") && report.contains(&id("malware", 3)), "{report}");
    assert!(report.contains(&scenario.report_reworded), "{report}");
    assert!(!report.contains("class=\"versions\""), "one version for partners: {report}");
}

#[test]
fn an_audience_can_keep_commit_messages_out() {
    let scenario = scenario();
    let (code, out) = scenario.repo.build(&["--audience", "quiet", "--now", "2025-03-01T00:00:00Z"]);
    assert_eq!(code, 0, "{out}");
    let quiet = scenario.repo.path().join("quiet");
    let three = page(&quiet, &id("malware", 3));
    assert!(three.contains("Pat Public"), "commits still show their author: {three}");
    let tree = readable_tree(&quiet);
    for message in ["Add Public Three", "PUBLIC-BODY", "Publish Two"] {
        assert!(traces(&tree, message).is_empty(), "`{message}` is shown");
    }
}

#[test]
fn check_warns_about_clear_prose_that_names_a_withheld_object_in_any_spelling() {
    let scenario = scenario();
    let (_, report) = scenario.repo.check_json(&[]);
    let warned: Vec<&str> =
        common::with_code(&report, "marking-inconsistent").iter().filter_map(|d| d["object_id"].as_str()).collect();
    for n in 11..=14 {
        assert!(warned.contains(&id("note", n).as_str()), "note {n} is not warned about: {warned:?}");
    }
}

#[test]
fn an_object_taking_the_community_identity_s_uuid_withholds_neither_its_objects_nor_their_history() {
    // An AMBER object with the identity's UUID: references to the identity spell its id whole,
    // so they name the identity, not the squatter, in the content and in every state git holds.
    let repo = Repo::new();
    let dir = repo.path();
    repo.write("stixpress.toml", "[site]\ntitle = \"Squat\"\n\n[audiences.public]\ntlp = [\"clear\"]\n");
    let identity = id("identity", 30);
    let community = json!({"name": "Community", "identity_class": "organization"});
    repo.write(
        "content/identity.json",
        bundle(&[object("identity", 30, "2025-01-01T00:00:00.000Z", CLEAR, community)]),
    );
    let made = json!({"name": "Thirty-One", "is_family": true, "created_by_ref": identity});
    repo.write("content/m31.json", bundle(&[object("malware", 31, "2025-01-01T00:00:00.000Z", CLEAR, made)]));
    let added = commit(dir, &PUBLIC, "2025-01-02T00:00:00Z", "Add Thirty-One");
    let uuid = identity.split_once("--").unwrap().1;
    let squatter = json!({"type": "x-squat", "spec_version": "2.1", "id": format!("x-squat--{uuid}"),
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z", "name": "CANARY-SQUAT",
        "object_marking_refs": [AMBER]});
    repo.write("content/squat.json", bundle(&[squatter]));
    commit(
        dir,
        &Author { name: "Canary Squatter", email: "canary@example.org" },
        "2025-01-03T00:00:00Z",
        "CANARY-SUBJECT",
    );
    let (code, out) = repo.build(&["--now", "2025-03-01T00:00:00Z"]);
    assert_eq!(code, 0, "{out}");
    let public = dir.join("public");
    let page = page(&public, &id("malware", 31));
    assert!(page.contains("Add Thirty-One") && page.contains(&added[..10]), "the malware keeps its commit: {page}");
    assert!(std::fs::metadata(public.join(format!("objects/{identity}/index.html"))).is_ok());
    let tree = readable_tree(&public);
    for needle in ["CANARY", "x-squat"] {
        assert!(traces(&tree, needle).is_empty(), "`{needle}` is published: {:?}", traces(&tree, needle));
    }
    let (_, report) = repo.check_json(&[]);
    assert!(common::with_code(&report, "marking-inconsistent").is_empty(), "{report}");
    let shared: Vec<&str> =
        common::with_code(&report, "uuid-shared").iter().filter_map(|d| d["object_id"].as_str()).collect();
    assert_eq!(shared.len(), 2, "both holders are warned about: {report}");
    assert!(shared.contains(&format!("x-squat--{uuid}").as_str()), "{report}");
}
