//! Provenance from git: for every object version, the commit that first contained it, and for
//! every content file, the last commit that changed it. In a repository grown by pull requests
//! this is the record of who added what, when and why.
//!
//! Reading never fails a build: outside git, in a shallow clone or without commits, history is
//! "unavailable" with the reason, and pages say so.

mod pulls;
mod walk;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::load::git_tree::GitContent;
use crate::stix::StixObject;

/// One commit, as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    pub sha: String,
    pub author: String,
    pub email: String,
    /// Seconds since 1970 (UTC).
    pub time: i64,
    pub subject: String,
    pub body: String,
    /// The pull request that brought it in: its own `(#N)` (a squash merge) or the
    /// `Merge pull request #N` that merged its branch.
    pub pull_request: Option<u64>,
}

impl Commit {
    pub fn short(&self) -> &str {
        &self.sha[..self.sha.len().min(10)]
    }
}

/// What git says about the content, or why it says nothing.
#[derive(Default)]
pub struct History {
    pub commits: Vec<Commit>,
    /// Why there is no history (None: there is).
    pub unavailable: Option<String>,
    /// id → (version key, commit index) for every version a commit contained.
    origins: HashMap<Box<str>, Vec<(Box<str>, u32)>>,
    /// Path relative to the repository's top folder → the last commit that changed the file.
    last_changes: HashMap<Box<str>, u32>,
    /// Loaded file path → path relative to the top folder (for `last_change`).
    repo_paths: HashMap<std::path::PathBuf, Box<str>>,
}

/// What to read.
pub struct HistoryOptions<'a> {
    pub content_dir: &'a Path,
    /// The revision whose history is read (default: HEAD).
    pub rev: Option<&'a str>,
}

impl History {
    /// History that was not asked for (`--no-history`).
    pub fn off() -> History {
        History { unavailable: Some("history was not read for this build (--no-history)".into()), ..History::default() }
    }

    pub fn is_available(&self) -> bool {
        self.unavailable.is_none()
    }

    /// Reads the history of the content folder up to `rev`, and notes the repository path of
    /// each loaded object's file.
    pub fn read(options: &HistoryOptions<'_>, objects: &[StixObject], cwd: &Path) -> History {
        let unavailable = |reason: String| History { unavailable: Some(reason), ..History::default() };
        let content = match GitContent::open(options.content_dir) {
            Ok(content) => content,
            Err(reason) => return unavailable(reason),
        };
        if content.repo.is_shallow() {
            return unavailable(
                "the repository is a shallow clone (fetch its full history, e.g. `fetch-depth: 0`)".into(),
            );
        }
        let mut history = match walk::read(&content, options.rev.unwrap_or("HEAD")) {
            Ok(history) => history,
            Err(reason) => return unavailable(reason),
        };
        for object in objects {
            if !history.repo_paths.contains_key(object.file.as_path()) {
                if let Some(path) = content.repo_path(&object.file, cwd) {
                    history.repo_paths.insert(object.file.to_path_buf(), path.into());
                }
            }
        }
        history
    }

    /// The commit that first contained this version of the object (None: not committed yet).
    pub fn origin(&self, version: &StixObject) -> Option<&Commit> {
        self.origin_of(&version.id, version.version_key())
    }

    pub fn origin_of(&self, id: &str, version_key: &str) -> Option<&Commit> {
        let versions = self.origins.get(id)?;
        let (_, index) = versions.iter().find(|(key, _)| &**key == version_key)?;
        self.commits.get(*index as usize)
    }

    /// Every version of `id` a commit contained, with that commit, in commit order.
    pub fn versions_of(&self, id: &str) -> impl Iterator<Item = (&str, &Commit)> {
        let versions = self.origins.get(id).map_or(&[][..], Vec::as_slice);
        versions.iter().filter_map(|(key, index)| Some((&**key, self.commits.get(*index as usize)?)))
    }

    /// The last commit that changed the file this version was loaded from.
    pub fn last_change(&self, version: &StixObject) -> Option<&Commit> {
        let path = self.repo_paths.get(version.file.as_path())?;
        self.commits.get(*self.last_changes.get(path)? as usize)
    }

    /// How many object versions the history places in a commit.
    pub fn version_count(&self) -> usize {
        self.origins.values().map(Vec::len).sum()
    }
}

/// Links to a commit and a pull request on the repository's web site (GitHub, GitLab, Gitea
/// and Forgejo share the `/commit/<sha>` form; pull requests are GitHub's `/pull/<n>`).
pub fn commit_url(repository_url: &str, sha: &str) -> String {
    format!("{}/commit/{sha}", repository_url.trim_end_matches('/'))
}

pub fn pull_url(repository_url: &str, number: u64) -> String {
    format!("{}/pull/{number}", repository_url.trim_end_matches('/'))
}
