//! HTML validity: the W3C Nu HTML checker (npm `vnu-jar`, on the machine's Java) reads every page
//! of the example site and of the hostile fixture — pages of every template — plus the theme's CSS
//! and SVG, and must report no error.
//!
//! Runs when STIXPRESS_PEERS is set (scripts/test sets it and installs the checker); then a missing
//! Java or checker is a failure.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, peers_required, Repo};

fn vnu_jar() -> PathBuf {
    let jar = std::env::var_os("STIXPRESS_VNU_JAR").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers-npm/node_modules/vnu-jar/build/dist/vnu.jar")
    });
    assert!(jar.is_file(), "the Nu HTML checker is missing at {} (scripts/test installs it)", jar.display());
    jar
}

fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.expect("walk").into_path())
        .filter(|path| path.extension().is_some_and(|e| extensions.iter().any(|x| e == *x)))
        .collect()
}

/// Runs the checker on the files; returns its error lines (GNU format, one per error).
fn vnu_errors(files: &[PathBuf]) -> Vec<String> {
    let output = std::process::Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "gnu", "--also-check-css", "--also-check-svg", "--exit-zero-always"])
        .args(files)
        .output()
        .expect("java runs (install a Java runtime: scripts/test needs one)");
    assert!(output.status.success(), "the checker failed to run: {}", String::from_utf8_lossy(&output.stderr));
    // vnu writes its report to stderr.
    String::from_utf8_lossy(&output.stderr).lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

fn assert_valid(site: &Path) {
    let pages = files_under(site, &["html"]);
    let templates = ["objects/", "types/", "matrix/", "index.html"];
    for template in templates {
        let rel = |p: &PathBuf| p.strip_prefix(site).unwrap().to_string_lossy().into_owned();
        assert!(
            pages.iter().any(|p| rel(p).starts_with(template)),
            "no {template} page was built in {}",
            site.display()
        );
    }
    let mut files = pages;
    files.extend(files_under(&site.join("assets"), &["css", "svg"]));
    let errors = vnu_errors(&files);
    assert!(errors.is_empty(), "{} HTML errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn every_page_of_the_example_site_is_valid_html() {
    if !peers_required() {
        eprintln!("STIXPRESS_PEERS is not set: the Nu HTML checker is not run (scripts/test runs it)");
        return;
    }
    let repo = Repo::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("content"), &repo.path().join("content"));
    std::fs::copy(root.join("stixpress.toml"), repo.path().join("stixpress.toml")).unwrap();
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(repo.path().join("public/about/index.html").is_file(), "the Markdown pages were built");
    assert_valid(&repo.path().join("public"));
    assert_valid(&repo.path().join("members"));
}

#[test]
fn every_page_of_the_audiences_fixture_is_valid_html() {
    if !peers_required() {
        return;
    }
    let repo = Repo::from_fixture("audiences");
    let (code, stderr) = repo.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    for audience in ["public", "partners", "members"] {
        assert_valid(&repo.path().join(audience));
    }
}

#[test]
fn every_page_of_the_hostile_fixture_is_valid_html() {
    if !peers_required() {
        return;
    }
    let repo = Repo::from_fixture("hostile");
    let (code, stderr) = repo.build(&["--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    assert_valid(&repo.path().join("public"));
}
