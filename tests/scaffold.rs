//! `stixpress init` makes a repository that checks and builds as it is; `stixpress new` prints
//! objects that name its identity and marking, with placeholders `check` then points at.

mod common;

use std::path::Path;

use common::Repo;
use serde_json::Value;

/// `stixpress init site --name …` in a fresh folder; returns the repository folder.
fn init(repo: &Repo, name: &str) -> std::path::PathBuf {
    let output = repo.stixpress().args(["init", "site", "--name", name]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    repo.path().join("site")
}

fn in_dir(repo: &Repo, dir: &Path, args: &[&str]) -> std::process::Output {
    repo.stixpress().current_dir(dir).args(args).output().unwrap()
}

#[test]
fn a_new_repository_checks_and_builds_as_it_is() {
    let repo = Repo::new();
    let site = init(&repo, "Auto <ISAC> *test*");
    for file in [
        "stixpress.toml",
        "content/identities/organisation.json",
        "content/pages/about.md",
        "CONTRIBUTING.md",
        ".github/workflows/check.yml",
        ".github/workflows/publish.yml",
        ".github/workflows/import.yml",
        ".gitignore",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }
    let check = in_dir(&repo, &site, &["check", "--format", "json"]);
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(check.status.success());
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["warnings"], 0, "{report}");
    let build = in_dir(&repo, &site, &["build"]);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let about = std::fs::read_to_string(site.join("public/about/index.html")).unwrap();
    assert!(about.contains("Auto &lt;ISAC&gt; *test*"), "the name is shown as text: {about}");
    let title: toml::Value = toml::from_str(&std::fs::read_to_string(site.join("stixpress.toml")).unwrap()).unwrap();
    assert_eq!(title["site"]["title"].as_str(), Some("Auto <ISAC> *test*"));
    // A folder with something in it is never written into.
    let again = repo.stixpress().args(["init", "site"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stderr));
}

#[test]
fn new_objects_name_the_repository_identity_and_marking() {
    let repo = Repo::new();
    let site = init(&repo, "Auto ISAC");
    let identity: Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("content/identities/organisation.json")).unwrap())
            .unwrap();
    let identity_id = identity["objects"][0]["id"].as_str().unwrap();
    let new = |args: &[&str]| -> Value {
        let output = in_dir(&repo, &site, args);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let first = new(&["new", "malware", "--name", "DongleStealer", "--bundle"]);
    let second = new(&["new", "malware", "--name", "DongleStealer"]);
    let malware = &first["objects"][0];
    assert_ne!(malware["id"], second["id"], "ids must be fresh");
    assert_eq!(malware["created_by_ref"], identity_id);
    assert_eq!(malware["object_marking_refs"][0], "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    assert_eq!(malware["is_family"], false);
    // A complete object checks clean; placeholders are what check then reports.
    std::fs::write(site.join("content/malware.json"), serde_json::to_string_pretty(&first).unwrap()).unwrap();
    let relationship = new(&["new", "relationship", "--bundle"]);
    std::fs::write(site.join("content/relationship.json"), serde_json::to_string_pretty(&relationship).unwrap())
        .unwrap();
    let check = in_dir(&repo, &site, &["check", "--format", "json"]);
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    let errors: Vec<&Value> =
        report["diagnostics"].as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect();
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|d| d["file"].as_str().is_some_and(|f| f.ends_with("relationship.json"))), "{errors:?}");
    assert!(errors.iter().any(|d| d["message"].as_str().unwrap().contains("TODO")), "{errors:?}");
    let unknown = in_dir(&repo, &site, &["new", "ipv4-addr"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Cyber-observables"));
}

#[test]
fn new_defaults_in_the_config_are_checked() {
    let repo = Repo::new();
    repo.write("stixpress.toml", "[new]\ncreated_by_ref = \"identity--nope\"\n");
    let output = repo.stixpress().args(["new", "malware", "--name", "x"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("new.created_by_ref"));
    repo.write("stixpress.toml", "[new]\nobject_marking_refs = [\"amber+strict\"]\n");
    let output = repo.stixpress().args(["new", "indicator", "--name", "x"]).output().unwrap();
    let object: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(object["object_marking_refs"][0], "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
    assert!(object.get("created_by_ref").is_none());
}

/// The workflows are YAML GitHub Actions reads: parsed with PyYAML (in the peers' venv).
#[test]
fn the_workflows_are_yaml_with_jobs() {
    if !common::peers_required() {
        return;
    }
    let repo = Repo::new();
    let site = init(&repo, "Auto ISAC");
    let script = "import sys, yaml\nfor path in sys.argv[1:]:\n    w = yaml.safe_load(open(path))\n    assert w['jobs'] and w[True], path\n    for job in w['jobs'].values():\n        assert job['runs-on'] == 'ubuntu-latest' and job['steps'], path\n";
    let output = common::peer_python()
        .args(["-c", script])
        .arg(site.join(".github/workflows/check.yml"))
        .arg(site.join(".github/workflows/publish.yml"))
        .arg(site.join(".github/workflows/import.yml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// What the check workflow runs on a pull request works on a new repository: a contributor
/// adds an object made by `new`, and `check --changed-since` and `diff` see just that.
#[test]
fn the_pull_request_commands_of_the_workflow_work_on_a_new_repository() {
    let repo = Repo::new();
    let site = init(&repo, "Auto ISAC");
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .current_dir(&site)
            .args(["-c", "init.defaultBranch=main", "-c", "user.name=Ada", "-c", "user.email=ada@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "Initial repository"]);
    let output = in_dir(&repo, &site, &["new", "malware", "--name", "DongleRAT", "--bundle"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap().replace("\"TODO", "\"filled in");
    std::fs::write(site.join("content/donglerat.json"), text).unwrap();
    let checked = in_dir(&repo, &site, &["check", "--format", "github", "--changed-since", "HEAD"]);
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stdout));
    let diff = in_dir(&repo, &site, &["diff", "HEAD"]);
    assert!(diff.status.success(), "{}", String::from_utf8_lossy(&diff.stderr));
    let markdown = String::from_utf8(diff.stdout).unwrap();
    assert!(markdown.contains("| added | 1 |") && markdown.contains("DongleRAT"), "{markdown}");
}

/// The scheduled import workflow: YAML (read with yaml-rust2) with a cron schedule whose one job
/// imports, checks, and opens a pull request described by `stixpress diff`.
#[test]
fn the_import_workflow_is_scheduled_and_imports_checks_and_opens_a_pull_request() {
    let repo = Repo::new();
    let site = init(&repo, "Auto ISAC");
    let text = std::fs::read_to_string(site.join(".github/workflows/import.yml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("the workflow is YAML");
    let workflow = &docs[0];
    let cron = workflow["on"]["schedule"][0]["cron"].as_str().expect("a cron schedule");
    assert_eq!(cron.split_whitespace().count(), 5, "{cron}");
    assert_eq!(workflow["permissions"]["pull-requests"].as_str(), Some("write"));
    let steps = workflow["jobs"]["import"]["steps"].as_vec().expect("steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let position = |command: &str| runs.iter().position(|r| r.contains(command)).unwrap_or_else(|| panic!("{command}"));
    assert!(position("stixpress import") < position("stixpress check"));
    assert!(position("stixpress check") < position("stixpress diff"));
    assert!(runs[position("stixpress diff")].contains("gh pr create"));
    let output = in_dir(&repo, &site, &["import"]);
    assert_eq!(output.status.code(), Some(2), "a new repository lists no [[import]] yet; the workflow skips then");
    assert!(runs[position("stixpress import")].contains("grep -q '^\\[\\[import\\]\\]' stixpress.toml"));
}
