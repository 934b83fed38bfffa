//! Audiences: one repository, one output per audience, and nothing withheld from an audience
//! anywhere in its output. The fixture (tests/fixtures/audiences) gives every object withheld
//! from the public canary strings in its name, aliases, description, pattern, kill-chain phases
//! and external references, and points at them from public reports, relationships, sightings,
//! groupings, notes and opinions.

mod common;

use std::collections::BTreeMap;

use common::{fixture_path, traces, with_code, Repo};

/// What tests/fixtures/audiences/expected.json says, written with the fixture.
struct Expected {
    /// Ids the public output must not name.
    withheld_from_public: Vec<String>,
    /// The same for partners, who get redacted copies of reports, groupings, notes, opinions.
    withheld_from_partners: Vec<String>,
    /// Strings only withheld objects hold.
    canaries: Vec<String>,
    /// Strings only an older, more strictly marked version holds (no page shows old text).
    older_version_canaries: Vec<String>,
}

fn fixture() -> (Repo, Expected) {
    let repo = Repo::from_fixture("audiences");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture_path("audiences").join("expected.json")).unwrap()).unwrap();
    let list = |key: &str| -> Vec<String> {
        expected[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    let expected = Expected {
        withheld_from_public: list("withheld_from_public"),
        withheld_from_partners: list("withheld_from_partners"),
        canaries: list("canaries"),
        older_version_canaries: list("older_version_canaries"),
    };
    (repo, expected)
}

/// Every file of an audience's output, decompressed where it is gzip.
fn readable_tree(repo: &Repo, audience: &str) -> BTreeMap<String, Vec<u8>> {
    common::readable_tree(&repo.path().join(audience))
}

/// Every canary, every withheld id, and its UUID alone (an id may be cut or encoded).
fn secrets(canaries: &[String], withheld: &[String]) -> Vec<String> {
    let uuids = withheld.iter().map(|id| id.split("--").nth(1).unwrap().to_owned());
    canaries.iter().cloned().chain(withheld.iter().cloned()).chain(uuids).collect()
}

#[test]
fn nothing_withheld_from_the_public_appears_anywhere_in_its_output() {
    let (repo, expected) = fixture();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let canaries: Vec<String> = [&expected.canaries[..], &expected.older_version_canaries[..]].concat();
    for (audience, withheld) in
        [("public", &expected.withheld_from_public), ("partners", &expected.withheld_from_partners)]
    {
        let tree = readable_tree(&repo, audience);
        let leaks: Vec<(String, Vec<String>)> = secrets(&canaries, withheld)
            .into_iter()
            .map(|secret| {
                let found = traces(&tree, &secret);
                (secret, found)
            })
            .filter(|(_, found)| !found.is_empty())
            .collect();
        assert!(leaks.is_empty(), "audience {audience} leaks: {leaks:#?}");
        // Not a vacuous pass: what the public may see is there.
        let malware = "malware--5e1ec7ed-0000-4000-8000-000000000010";
        assert!(!traces(&tree, malware).is_empty(), "{audience} lacks the public malware");
        assert!(!traces(&tree, "report--5e1ec7ed-0000-4000-8000-000000000031").is_empty());
    }
}

#[test]
fn the_members_output_holds_every_object_the_public_does_not_get() {
    let (repo, expected) = fixture();
    assert_eq!(repo.build(&["--audience", "members"]).0, 0);
    let tree = readable_tree(&repo, "members");
    let missing: Vec<String> = secrets(&expected.canaries, &expected.withheld_from_public)
        .into_iter()
        .filter(|s| traces(&tree, s).is_empty())
        .collect();
    assert!(missing.is_empty(), "members lack: {missing:?}");
    for id in &expected.withheld_from_public {
        assert!(tree.contains_key(&format!("objects/{id}/index.html")), "no members' page for {id}");
    }
}

#[test]
fn an_older_version_under_a_stricter_marking_stays_with_the_members() {
    let (repo, _) = fixture();
    assert_eq!(repo.build(&[]).0, 0);
    let page = |audience: &str| {
        std::fs::read_to_string(
            repo.path().join(audience).join("objects/malware--5e1ec7ed-0000-4000-8000-000000000010/index.html"),
        )
        .unwrap()
    };
    assert!(!page("public").contains("class=\"versions\""), "one version for the public");
    assert!(page("members").contains("class=\"versions\""));
}

#[test]
fn a_redacting_audience_gets_the_report_without_the_withheld_objects_and_is_told() {
    let (repo, _) = fixture();
    assert_eq!(repo.build(&["--audience", "partners"]).0, 0);
    let page = std::fs::read_to_string(
        repo.path().join("partners/objects/report--5e1ec7ed-0000-4000-8000-000000000030/index.html"),
    )
    .expect("the report is published to partners");
    assert!(page.contains("leaves out 2 references to objects not available to this audience"), "{page}");
    assert!(page.contains("malware--5e1ec7ed-0000-4000-8000-000000000010"));
    // A report that also names a withheld object in its description cannot be redacted: it is
    // withheld (removing the reference would leave the id in the prose).
    assert!(!repo.path().join("partners/objects/report--5e1ec7ed-0000-4000-8000-000000000041").exists());
    // One whose older version did: the newer version is published, redacted, and alone.
    let page = std::fs::read_to_string(
        repo.path().join("partners/objects/report--5e1ec7ed-0000-4000-8000-000000000042/index.html"),
    )
    .expect("the report's newer version is published to partners");
    assert!(page.contains("Second draft") && !page.contains("class=\"versions\""), "{page}");
    // The public, which does not redact, gets no such report at all.
    assert!(repo.build(&["--audience", "public"]).0 == 0);
    assert!(!repo.path().join("public/objects/report--5e1ec7ed-0000-4000-8000-000000000030").exists());
}

#[test]
fn check_names_the_markings_that_withhold_public_objects() {
    let (repo, _) = fixture();
    let (_, report) = repo.check_json(&[]);
    let inconsistent = with_code(&report, "marking-inconsistent");
    let about_report = inconsistent
        .iter()
        .filter(|d| d["object_id"] == "report--5e1ec7ed-0000-4000-8000-000000000030")
        .map(|d| d["message"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert!(
        about_report.iter().any(|m| m.contains("TLP:CLEAR")
            && m.contains("(TLP:AMBER)")
            && m.ends_with("withheld from public as well")),
        "{about_report:?}"
    );
    assert!(inconsistent.iter().any(|d| d["message"].as_str().unwrap().contains("names `intrusion-set--")));
}

#[test]
fn an_unresolvable_marking_withholds_what_it_marks_with_a_warning() {
    let repo = Repo::new();
    let marking = "marking-definition--0bad0bad-0000-4000-8000-000000000000";
    let tool = common::object("tool", 1, serde_json::json!({"name": "Mystery", "object_marking_refs": [marking]}));
    repo.write("content/tool.json", common::bundle(&[tool]));
    let (_, report) = repo.check_json(&[]);
    let warnings = with_code(&report, "marking-unresolved");
    assert_eq!(warnings.len(), 1, "{report:#}");
    assert!(warnings[0]["message"].as_str().unwrap().contains("the 1 objects it marks"));
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 0 objects for audience `public` (1 withheld)"), "{stderr}");
}

#[test]
fn building_one_audience_into_another_s_folder_is_refused() {
    let (repo, _) = fixture();
    assert_eq!(repo.build(&["--audience", "public"]).0, 0);
    let (code, stderr) = repo.build(&["--audience", "members", "--output", "public"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds the output of audience `public`"), "{stderr}");
    let (code, stderr) = repo.build(&["--output", "site"]);
    assert_eq!(code, 2, "--output with several audiences needs --audience: {stderr}");
}

#[test]
fn a_page_for_members_is_not_published_to_the_public() {
    let (repo, _) = fixture();
    repo.write(
        "content/pages/handbook.md",
        "+++\ntitle = \"Handbook\"\naudiences = [\"members\", \"memebrs\"]\n+++\nFor members.",
    );
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(repo.path().join("members/handbook/index.html").is_file());
    assert!(!repo.path().join("public/handbook").exists());
    assert!(!String::from_utf8_lossy(&repo.tree("public")["index.html"]).contains("Handbook"));
    assert!(stderr.contains("page-audience") && stderr.contains("`memebrs`"), "{stderr}");
}

#[test]
fn a_statement_marking_is_shown_on_the_page_and_restricts_nothing() {
    let repo = Repo::new();
    let statement = serde_json::json!({
        "type": "marking-definition", "spec_version": "2.1",
        "id": "marking-definition--5a7e0000-0000-4000-8000-000000000001",
        "created": "2026-01-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "Copyright 2026, the <b>circle</b>. Share with attribution."}
    });
    let tool = common::object(
        "tool",
        1,
        serde_json::json!({"name": "Key programmer", "object_marking_refs": ["marking-definition--5a7e0000-0000-4000-8000-000000000001"]}),
    );
    repo.write("content/tool.json", common::bundle(&[statement, tool]));
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let page = String::from_utf8(repo.tree("public")[&format!("objects/{}/index.html", common::id("tool", 1))].clone())
        .unwrap();
    assert!(
        page.contains(
            "<p class=\"statement\">Copyright 2026, the &lt;b&gt;circle&lt;/b&gt;. Share with attribution.</p>"
        ),
        "{page}"
    );
}

#[test]
fn two_audiences_writing_into_one_folder_is_refused_before_anything_is_written() {
    let (repo, _) = fixture();
    let config = std::fs::read_to_string(repo.path().join("stixpress.toml")).unwrap();
    let nested = config.replace("[audiences.partners]\n", "[audiences.partners]\noutput = \"public/partners\"\n");
    repo.write("stixpress.toml", nested);
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("would write into the same folder"), "{stderr}");
    assert!(!repo.path().join("public").exists());
}

#[test]
fn a_build_and_check_say_what_they_withhold_and_the_line_that_would_publish_it() {
    let repo = Repo::new();
    let marking = "marking-definition--1d7f7f9c-0a8c-4b0e-9a55-3f3c2b1a0e99";
    let mut marked = common::indicator("0001");
    marked["object_marking_refs"] = serde_json::json!([marking]);
    let report = common::object(
        "report",
        1,
        serde_json::json!({"name": "A report", "published": "2025-01-01T00:00:00Z", "object_refs": [marked["id"]]}),
    );
    repo.write("content/a.json", common::bundle(&[marked, report, common::indicator("0002")]));
    let cause = format!(
        "1: marked {marking}, a marking the repository does not define, and 1 that point at them; to publish them, \
         put `markings = [\"{marking}\"]` under [audiences.public] in stixpress.toml"
    );
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("withheld from `public`: 2 objects\n"), "{stderr}");
    assert!(stderr.contains(&cause), "{stderr}");
    let check = repo.stixpress().arg("check").output().unwrap();
    let summary = String::from_utf8_lossy(&check.stdout);
    assert!(summary.contains("withheld from `public`: 2 objects\n") && summary.contains(&cause), "{summary}");

    // The line it names publishes everything.
    repo.write("stixpress.toml", format!("[audiences.public]\nmarkings = [\"{marking}\"]\n"));
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("withheld from"), "{stderr}");
    assert!(stderr.contains("built 3 objects for audience `public` (0 withheld)"), "{stderr}");
}

#[test]
fn objects_naming_a_uuid_hundreds_of_types_share_go_with_the_withheld_one_and_are_warned_about_once() {
    // A hostile shape: K objects of K custom types with one UUID, K notes naming it in prose.
    // Kept as one mention per note rather than K, it still withholds every note for the public.
    const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
    const AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    let uuid = "5e1ec7ed-0000-4000-8000-0000000c0c0c";
    let holder = |k: usize| {
        let marking = if k == 150 { AMBER } else { CLEAR };
        serde_json::json!({"type": format!("x-kind-{k}"), "spec_version": "2.1", "id": format!("x-kind-{k}--{uuid}"),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "name": format!("Kind {k}"), "object_marking_refs": [marking]})
    };
    let malware = common::object(
        "malware",
        1,
        serde_json::json!({"name": "Public", "is_family": true, "object_marking_refs": [CLEAR]}),
    );
    let note = |n: u32| {
        let extra = serde_json::json!({"content": format!("See {uuid}."), "object_refs": [malware["id"]],
            "object_marking_refs": [CLEAR]});
        common::object("note", 100 + n, extra)
    };
    let mut objects: Vec<serde_json::Value> = (0..200).map(holder).collect();
    objects.push(malware.clone());
    objects.extend((0..50).map(note));
    let repo = common::Repo::new();
    repo.write("stixpress.toml", "[site]\ntitle = \"Crowd\"\n[audiences.public]\ntlp = [\"clear\"]\n");
    repo.write("content/crowd.json", common::bundle(&objects));
    let (_, report) = repo.check_json(&[]);
    let warned = with_code(&report, "marking-inconsistent");
    assert_eq!(warned.len(), 50, "one warning per note, not one per holder: {report}");
    assert!(warned.iter().all(|w| w["message"].as_str().unwrap().contains(&format!("x-kind-150--{uuid}"))));
    assert_eq!(repo.build(&["--audience", "public"]).0, 0);
    let tree = common::readable_tree(&repo.path().join("public"));
    assert!(traces(&tree, &format!("x-kind-150--{uuid}")).is_empty());
    for n in [0, 49] {
        assert!(traces(&tree, &common::id("note", 100 + n)).is_empty(), "note {n} is published");
    }
    assert!(!traces(&tree, &format!("x-kind-149--{uuid}")).is_empty(), "the CLEAR holders are");
    let list = String::from_utf8(tree["types/x-kind-0/index.html"].clone()).unwrap();
    assert!(list.contains(">175 more types</a>"), "the navigation lists 24 of the 199 types published: {list}");
}

#[test]
fn check_and_build_withhold_the_same_from_a_redacting_audience() {
    // Report 41 lists an AMBER indicator and names it in its description: partners, who get
    // reports without withheld references, cannot get this one, and check must say so too.
    let (repo, _) = fixture();
    let (code, stderr) = repo.build(&["--no-history"]);
    assert_eq!(code, 0, "{stderr}");
    let check = repo.stixpress().args(["check", "--all"]).output().unwrap();
    let summary = String::from_utf8_lossy(&check.stdout);
    for audience in ["partners", "public", "members"] {
        let line = |text: &str| {
            text.lines().find(|l| l.starts_with(&format!("withheld from `{audience}`"))).map(str::to_owned)
        };
        assert_eq!(line(&summary), line(&stderr), "{audience}: check says\n{summary}\nbuild says\n{stderr}");
    }
    assert!(summary.contains("withheld from `partners`: 15 objects"), "{summary}");
    let (_, report) = repo.check_json(&[]);
    let warned = with_code(&report, "marking-inconsistent");
    let report_41 = warned
        .iter()
        .find(|d| d["object_id"] == "report--5e1ec7ed-0000-4000-8000-000000000041")
        .expect("report 41 is warned about");
    let message = report_41["message"].as_str().unwrap();
    assert!(
        message.contains("and its text names it too") && message.contains("withheld from partners, public"),
        "{message}"
    );
}

#[test]
fn an_object_taking_tlp_clear_s_uuid_is_an_error_and_cannot_withhold_what_is_marked_clear() {
    // Every object marked TLP:CLEAR names the marking's UUID: an AMBER object holding that UUID
    // would otherwise take everything marked TLP:CLEAR out of the public's output with it.
    const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
    const AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    let public = common::object(
        "malware",
        1,
        serde_json::json!({"name": "Public", "is_family": true, "object_marking_refs": [CLEAR]}),
    );
    let squatter = serde_json::json!({"type": "x-squatter", "spec_version": "2.1", "id": "x-squatter--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Squatter", "object_marking_refs": [AMBER]});
    let repo = common::Repo::new();
    repo.write("content/a.json", common::bundle(&[public.clone(), squatter]));
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 1, "{report}");
    let error = &with_code(&report, "id-uses-a-marking-uuid")[0];
    assert_eq!(error["object_id"], "x-squatter--94868c89-83c2-464b-929b-a1a8aa3c8487");
    assert!(error["message"].as_str().unwrap().contains("TLP:CLEAR"), "{error}");
    assert_ne!(repo.build(&[]).0, 0, "build refuses");
    let (code, stderr) = repo.build(&["--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    let tree = common::readable_tree(&repo.path().join("public"));
    assert!(!traces(&tree, public["id"].as_str().unwrap()).is_empty(), "the CLEAR malware is published: {stderr}");
    assert!(traces(&tree, "x-squatter").is_empty());
}
