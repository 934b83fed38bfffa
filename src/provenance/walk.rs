//! Walking the commits, oldest first, and reading what each one changed in the content folder.
//!
//! Tree diffs are cheap (libgit2 compares ids and skips unchanged folders); reading and parsing
//! the changed blobs is the cost, so each distinct blob is read once, in parallel, with one
//! repository handle per worker, and only its objects' ids and version keys are kept.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::Path;

use git2::{Delta, DiffOptions, Oid, Repository, Sort};
use rayon::prelude::*;
use serde::Deserialize;

use super::{pulls, Commit, History};
use crate::load::git_tree::{is_json, GitContent};

/// A content file a commit added or changed.
struct Change {
    commit: u32,
    path: String,
    /// The new blob (None: the file was deleted).
    blob: Option<Oid>,
}

pub fn read(content: &GitContent, rev: &str) -> Result<History, String> {
    let repo = &content.repo;
    let tip = content.commit(rev).map_err(|e| e.to_string())?;
    let mut walk = repo.revwalk().map_err(|e| e.message().to_owned())?;
    walk.push(tip.id()).map_err(|e| e.message().to_owned())?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).map_err(|e| e.message().to_owned())?;
    let oids: Vec<Oid> = walk.collect::<Result<_, _>>().map_err(|e| e.message().to_owned())?;
    let index_of: HashMap<Oid, u32> = oids.iter().enumerate().map(|(i, oid)| (*oid, i as u32)).collect();
    let mut commits = Vec::with_capacity(oids.len());
    let mut changes = Vec::new();
    for (i, oid) in oids.iter().enumerate() {
        let commit = repo.find_commit(*oid).map_err(|e| e.message().to_owned())?;
        commits.push(describe(&commit));
        changes.extend(changed_files(content, &commit, i as u32)?);
    }
    pulls::assign(repo, &oids, &index_of, &mut commits);
    let mut history = History { commits, ..History::default() };
    for change in &changes {
        history.last_changes.insert(change.path.as_str().into(), change.commit);
    }
    for (commit, versions) in versions_of(repo.path(), &changes) {
        for (id, key) in versions {
            let known = history.origins.entry(id.into()).or_default();
            if !known.iter().any(|(k, _)| **k == *key) {
                known.push((key.into(), commit));
            }
        }
    }
    Ok(history)
}

fn describe(commit: &git2::Commit<'_>) -> Commit {
    let author = commit.author();
    Commit {
        sha: commit.id().to_string(),
        author: author.name().unwrap_or("(unknown)").to_owned(),
        email: author.email().unwrap_or_default().to_owned(),
        time: author.when().seconds(),
        subject: commit.summary().unwrap_or_default().to_owned(),
        body: commit.body().unwrap_or_default().trim().to_owned(),
        pull_request: pulls::squashed(commit.summary().unwrap_or_default()),
    }
}

/// The content files `commit` changed against its first parent. For a merge, only what differs
/// from every parent is the merge's own (a conflict resolved); the rest came with the branch,
/// whose commits are walked too.
fn changed_files(content: &GitContent, commit: &git2::Commit<'_>, index: u32) -> Result<Vec<Change>, String> {
    let tree = content.content_tree(commit);
    let parents: Vec<Option<git2::Tree<'_>>> = commit.parents().map(|parent| content.content_tree(&parent)).collect();
    let first = parents.first().and_then(Option::as_ref);
    if let (Some(a), Some(b)) = (first, tree.as_ref()) {
        if a.id() == b.id() {
            return Ok(Vec::new());
        }
    }
    let mut options = DiffOptions::new();
    options.skip_binary_check(true);
    let diff =
        content.repo.diff_tree_to_tree(first, tree.as_ref(), Some(&mut options)).map_err(|e| e.message().to_owned())?;
    let prefix = if content.prefix.is_empty() { String::new() } else { format!("{}/", content.prefix) };
    let mut changes = Vec::new();
    for delta in diff.deltas() {
        let file = if delta.status() == Delta::Deleted { delta.old_file() } else { delta.new_file() };
        let Some(path) = file.path().and_then(Path::to_str) else { continue };
        if !is_json(path) || path.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let blob = (delta.status() != Delta::Deleted && file.mode() != git2::FileMode::Link).then(|| file.id());
        let from_branch = parents.iter().skip(1).any(|other| {
            let at = other.as_ref().and_then(|t| t.get_path(Path::new(path)).ok()).map(|e| e.id());
            at == blob
        });
        if !from_branch {
            changes.push(Change { commit: index, path: format!("{prefix}{path}"), blob });
        }
    }
    Ok(changes)
}

/// The (id, version key) pairs of each changed blob, with the commit that brought it; a blob
/// seen twice is read once, for its first commit.
fn versions_of(repo_path: &Path, changes: &[Change]) -> Vec<(u32, Vec<(String, String)>)> {
    let mut seen = HashSet::new();
    let blobs: Vec<(u32, Oid)> =
        changes.iter().filter_map(|c| Some((c.commit, c.blob?))).filter(|(_, blob)| seen.insert(*blob)).collect();
    blobs
        .par_iter()
        .map_init(
            || Repository::open(repo_path).ok(),
            |repo, (commit, blob)| {
                let versions = repo
                    .as_ref()
                    .and_then(|r| r.find_blob(*blob).ok())
                    .map(|b| versions_in(b.content()))
                    .unwrap_or_default();
                (*commit, versions)
            },
        )
        .collect()
}

#[derive(Deserialize)]
struct FileShape<'a> {
    #[serde(borrow, default)]
    objects: Option<Vec<VersionShape<'a>>>,
    /// A lone object's own members (a bundle's id is not an object's).
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    modified: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct VersionShape<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    modified: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created: Option<Cow<'a, str>>,
}

/// The versions a bundle (or a lone object) holds; nothing when it is not that shape (history
/// is a record, not a check: `check` reports bad files).
pub fn versions_in(bytes: &[u8]) -> Vec<(String, String)> {
    let Ok(file) = serde_json::from_slice::<FileShape<'_>>(bytes) else {
        return Vec::new();
    };
    let key = |id: &Option<Cow<'_, str>>, modified: &Option<Cow<'_, str>>, created: &Option<Cow<'_, str>>| {
        let version = modified.as_deref().or(created.as_deref()).unwrap_or("");
        Some((id.as_deref()?.to_owned(), version.to_owned()))
    };
    match &file.objects {
        Some(objects) => objects.iter().filter_map(|v| key(&v.id, &v.modified, &v.created)).collect(),
        None => key(&file.id, &file.modified, &file.created).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::versions_in;

    #[test]
    fn versions_are_read_from_bundles_and_lone_objects() {
        let bundle = br#"{"type":"bundle","id":"bundle--1","objects":[{"id":"malware--a","created":"2020-01-01T00:00:00Z","modified":"2021-01-01T00:00:00Z","x":[1]},{"id":"identity--b","created":"2020-01-01T00:00:00Z"}]}"#;
        assert_eq!(
            versions_in(bundle),
            vec![
                ("malware--a".into(), "2021-01-01T00:00:00Z".into()),
                ("identity--b".into(), "2020-01-01T00:00:00Z".into())
            ]
        );
        assert_eq!(versions_in(br#"{"id":"tool--c","modified":"2022-01-01T00:00:00Z"}"#).len(), 1);
        assert!(versions_in(b"{not json").is_empty());
        assert!(versions_in(br#"{"objects":[1,2]}"#).is_empty());
    }
}
