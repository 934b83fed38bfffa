//! Walking the commits, oldest first, and reading what each one changed in the content folder.
//!
//! Tree diffs are cheap (libgit2 compares ids and skips unchanged folders); reading and parsing
//! the changed blobs is the cost, so each distinct blob is read once, in parallel, with one
//! repository handle per worker, and only its objects' ids and version keys are kept.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Delta, DiffOptions, Oid, Repository, Sort};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{published, pulls, type_key, Commit, Gate, History, State, VersionStates, WholeId};
use crate::audience::redactable;
use crate::load::git_tree::{is_json, GitContent};
use crate::stix::mentions::{names, uuid_number};

/// A content file a commit added or changed.
struct Change {
    commit: u32,
    /// The new blob (None: the file was deleted).
    blob: Option<Oid>,
}

pub(crate) fn read(content: &GitContent, rev: &str, redaction: bool) -> Result<History, String> {
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
    published::assign(repo, tip.id(), &index_of, &mut commits);
    let mut history = History { commits, ..History::default() };
    let mut gates: HashMap<Gate, u32> = HashMap::new();
    // A chunk of blobs at a time: the versions of every blob at once held ATT&CK's five
    // releases' whole history in memory before a gate was shared.
    for blobs in distinct_blobs(&changes).chunks(BLOBS_AT_ONCE) {
        for versions in versions_of(repo.path(), blobs, redaction) {
            join(&mut history, &mut gates, versions);
        }
    }
    history.gates = vec![Gate::default(); gates.len()];
    for (gate, i) in gates {
        history.gates[i as usize] = gate;
    }
    Ok(history)
}

/// How many blobs are read in parallel before their versions join the history.
const BLOBS_AT_ONCE: usize = 4096;

/// The versions a commit's blob holds join their objects' states, each gate shared with equal ones.
fn join(history: &mut History, gates: &mut HashMap<Gate, u32>, (commit, versions): (u32, Vec<VersionText>)) {
    for version in versions {
        let next = gates.len() as u32;
        let gate = *gates.entry(version.gate).or_insert(next);
        let state = State { commit, content: version.content, gate };
        let known = history.origins.entry(version.id.into()).or_default();
        match known.iter_mut().find(|v| *v.key == *version.key) {
            // A commit that left this version's text as it was changed nothing about it.
            Some(v) if v.states.last().is_some_and(|last| last.content == state.content) => {}
            Some(v) => v.states.push(state),
            None => known.push(VersionStates { key: version.key.into(), states: vec![state] }),
        }
    }
}

/// Each blob the changes name, once, with the first commit that has it, in commit order.
fn distinct_blobs(changes: &[Change]) -> Vec<(u32, Oid)> {
    let mut seen = HashSet::new();
    changes.iter().filter_map(|c| Some((c.commit, c.blob?))).filter(|(_, blob)| seen.insert(*blob)).collect()
}

fn describe(commit: &git2::Commit<'_>) -> Commit {
    let author = commit.author();
    Commit {
        sha: commit.id().to_string(),
        author: author.name().unwrap_or("(unknown)").to_owned(),
        email: author.email().unwrap_or_default().to_owned(),
        time: author.when().seconds(),
        published: commit.committer().when().seconds(),
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
            changes.push(Change { commit: index, blob });
        }
    }
    Ok(changes)
}

/// The object versions of each changed blob, with the commit that brought it, in commit order;
/// a blob seen twice is read once, for its first commit.
fn versions_of(repo_path: &Path, blobs: &[(u32, Oid)], redaction: bool) -> Vec<(u32, Vec<VersionText>)> {
    blobs
        .par_iter()
        .map_init(
            || Repository::open(repo_path).ok(),
            |repo, (commit, blob)| {
                let versions = repo
                    .as_ref()
                    .and_then(|r| r.find_blob(*blob).ok())
                    .map(|b| versions_in(b.content(), redaction))
                    .unwrap_or_default();
                (*commit, versions)
            },
        )
        .collect()
}

#[derive(Deserialize)]
struct FileShape<'a> {
    #[serde(borrow, default)]
    objects: Option<Vec<&'a RawValue>>,
    /// A lone object's own members (a bundle's id is not an object's).
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct VersionShape<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    modified: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    object_marking_refs: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    granular_markings: Option<Vec<GranularShape<'a>>>,
}

#[derive(Deserialize)]
struct GranularShape<'a> {
    #[serde(borrow, default)]
    marking_ref: Option<Cow<'a, str>>,
}

/// One object version as a commit held it.
pub(super) struct VersionText {
    pub(crate) id: String,
    pub(crate) key: String,
    /// A digest of its text, to tell whether a later commit changed it (`State::content`).
    pub(crate) content: [u8; 16],
    pub(crate) gate: Gate,
}

/// The versions a bundle (or a lone object) holds; nothing when it is not that shape (history
/// is a record, not a check: `check` reports bad files).
/// With `redaction`, each state also says what an audience that redacts could remove of it
/// (`Gate::redactable`).
pub(super) fn versions_in(bytes: &[u8], redaction: bool) -> Vec<VersionText> {
    let Ok(file) = serde_json::from_slice::<FileShape<'_>>(bytes) else {
        return Vec::new();
    };
    match &file.objects {
        Some(objects) => objects.iter().filter_map(|raw| version_of(raw.get(), redaction)).collect(),
        None if file.id.is_some() => {
            std::str::from_utf8(bytes).ok().and_then(|raw| version_of(raw, redaction)).into_iter().collect()
        }
        None => Vec::new(),
    }
}

fn version_of(raw: &str, redaction: bool) -> Option<VersionText> {
    let shape: VersionShape<'_> = serde_json::from_str(raw).ok()?;
    let id = shape.id?.into_owned();
    let key = shape.modified.or(shape.created).unwrap_or_default().into_owned();
    let granular = shape.granular_markings.unwrap_or_default().into_iter().filter_map(|g| g.marking_ref);
    let mut markings: Vec<Box<str>> =
        shape.object_marking_refs.unwrap_or_default().into_iter().chain(granular).map(|m| m.as_ref().into()).collect();
    markings.sort_unstable();
    markings.dedup();
    // Markings are judged as markings, not as objects named.
    let marking_uuids: Vec<u128> = markings.iter().filter_map(|m| uuid_number(m)).collect();
    let (mut named, mut named_whole) = (Vec::new(), Vec::new());
    let type_of = |whole: &str| whole.rsplit_once("--").map(|(object_type, _)| type_key(object_type));
    for name in names(raw, &id, type_of) {
        match name.only_as {
            _ if marking_uuids.contains(&name.uuid) => {}
            Some(type_key) => named_whole.push(WholeId { uuid: name.uuid, type_key }),
            None => named.push(name.uuid),
        }
    }
    let marking_definition = id.starts_with("marking-definition--");
    let redactable = redaction.then(|| redactable(raw, &id)).flatten().map(Box::new);
    let gate = Gate { id: id.as_str().into(), marking_definition, markings, named, named_whole, redactable };
    Some(VersionText { id, key, content: crate::digest::of(raw.as_bytes()), gate })
}

#[cfg(test)]
mod tests {
    use super::versions_in;

    #[test]
    fn versions_are_read_from_bundles_and_lone_objects() {
        let bundle = br#"{"type":"bundle","id":"bundle--1","objects":[{"id":"malware--a","created":"2020-01-01T00:00:00Z","modified":"2021-01-01T00:00:00Z","x":[1]},{"id":"identity--b","created":"2020-01-01T00:00:00Z"}]}"#;
        let keys: Vec<(String, String)> = versions_in(bundle, false).into_iter().map(|v| (v.id, v.key)).collect();
        assert_eq!(
            keys,
            vec![
                ("malware--a".into(), "2021-01-01T00:00:00Z".into()),
                ("identity--b".into(), "2020-01-01T00:00:00Z".into())
            ]
        );
        assert_eq!(versions_in(br#"{"id":"tool--c","modified":"2022-01-01T00:00:00Z"}"#, false).len(), 1);
        assert!(versions_in(b"{not json", false).is_empty());
        assert!(versions_in(br#"{"objects":[1,2]}"#, false).is_empty());
    }

    #[test]
    fn a_state_names_an_id_spelled_whole_by_its_type_and_a_uuid_alone_as_such() {
        let state = br#"{"id":"note--0a000000-0000-4000-8000-000000000001","modified":"2021-01-01T00:00:00Z","object_marking_refs":["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"],"created_by_ref":"identity--0b000000-0000-4000-8000-000000000002","content":"see 0c000000-0000-4000-8000-000000000003"}"#;
        let gate = versions_in(state, false).remove(0).gate;
        let uuid = |id: &str| super::uuid_number(id).unwrap();
        let identity = "identity--0b000000-0000-4000-8000-000000000002";
        let whole = super::WholeId { uuid: uuid(identity), type_key: super::type_key("identity") };
        assert_eq!(gate.named_whole, [whole], "the marking is judged as a marking");
        assert_eq!(gate.named, [uuid("x--0c000000-0000-4000-8000-000000000003")]);
    }

    #[test]
    fn a_state_says_what_redaction_would_remove_only_when_an_audience_redacts() {
        let report = br#"{"id":"report--0a000000-0000-4000-8000-000000000001","modified":"2021-01-01T00:00:00Z","object_refs":["malware--0b000000-0000-4000-8000-000000000002"]}"#;
        let gate = |redaction| versions_in(report, redaction).remove(0).gate;
        let redactable = gate(true).redactable.expect("an object_refs entry may be removed");
        assert_eq!(&*redactable.references[0].0, "malware--0b000000-0000-4000-8000-000000000002");
        assert!(gate(false).redactable.is_none());
        assert_eq!(gate(false).named, gate(true).named);
    }
}
