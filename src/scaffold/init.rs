//! `stixpress init DIR`: a new intelligence repository that checks and builds as it is:
//! `stixpress.toml` with comments, `content/` with the organisation's identity (which `new` then
//! names as `created_by_ref`) and an About page, a CONTRIBUTING guide, GitHub Actions workflows
//! (check every pull request with annotations; build and deploy `main` to GitHub Pages; import
//! the `[[import]]` sources nightly into a pull request), and a
//! `.gitignore` for the built sites.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{now_text, random_uuid};
use crate::error::Error;
use crate::write::pretty_json;

pub struct InitOptions {
    pub dir: PathBuf,
    /// The organisation or community: the identity's name and the site's title.
    pub name: String,
}

const CONFIG: &str = include_str!("files/stixpress.toml");
const CONTRIBUTING: &str = include_str!("files/CONTRIBUTING.md");
const ABOUT: &str = include_str!("files/about.md");
const CHECK_WORKFLOW: &str = include_str!("files/workflows/check.yml");
const PUBLISH_WORKFLOW: &str = include_str!("files/workflows/publish.yml");
const IMPORT_WORKFLOW: &str = include_str!("files/workflows/import.yml");
const GITIGNORE: &str = "# Sites written by `stixpress build`\n/public/\n/members/\n";

/// Creates the repository; returns the files written, relative to it.
pub fn init(options: &InitOptions) -> Result<Vec<String>, Error> {
    let dir = &options.dir;
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::Usage(format!("refusing to create a repository in `{}`: it is not empty", dir.display())));
    }
    let name = options.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Error::Usage("--name must be a non-empty name on one line".into()));
    }
    let identity_id = format!("identity--{}", random_uuid()?);
    let now = now_text();
    let identity = json!({
        "type": "bundle",
        "id": format!("bundle--{}", random_uuid()?),
        "objects": [{
            "type": "identity",
            "spec_version": "2.1",
            "id": identity_id,
            "created": now,
            "modified": now,
            "name": name,
            "identity_class": "organization",
            "description": format!("{name}: the community that publishes this repository."),
            "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"],
        }],
    });
    let toml_title = toml::Value::String(name.to_owned()).to_string();
    // Markdown pages are escaped when rendered; the name goes in as text.
    let files: Vec<(&str, String)> = vec![
        ("stixpress.toml", CONFIG.replace("__TITLE__", &toml_title).replace("__IDENTITY__", &identity_id)),
        ("content/identities/organisation.json", pretty_json(&identity)),
        ("content/pages/about.md", ABOUT.replace("__NAME__", &markdown_text(name))),
        ("CONTRIBUTING.md", CONTRIBUTING.replace("__NAME__", &markdown_text(name))),
        (".github/workflows/check.yml", CHECK_WORKFLOW.to_owned()),
        (".github/workflows/publish.yml", PUBLISH_WORKFLOW.to_owned()),
        (".github/workflows/import.yml", IMPORT_WORKFLOW.to_owned()),
        (".gitignore", GITIGNORE.to_owned()),
    ];
    for (path, text) in &files {
        write(dir, path, text)?;
    }
    Ok(files.into_iter().map(|(path, _)| path.to_owned()).collect())
}

fn write(dir: &Path, relative: &str, text: &str) -> Result<(), Error> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    std::fs::write(&path, text).map_err(|e| Error::write(&path, e))
}

/// A name as literal Markdown text: characters Markdown would read as markup are escaped.
fn markdown_text(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if "\\`*_{}[]()#+-.!<>|&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_ends_with_a_line_break() {
        let dir = std::env::temp_dir().join(format!("stixpress-init-newlines-{}", std::process::id()));
        let written = init(&InitOptions { dir: dir.clone(), name: "Ex".into() }).unwrap();
        for file in written {
            let text = std::fs::read_to_string(dir.join(&file)).unwrap();
            assert!(text.ends_with('\n'), "{file} has no final line break");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_are_literal_in_markdown() {
        assert_eq!(markdown_text("A*B <x>"), "A\\*B \\<x\\>");
    }
}
