//! Provenance from git: for every object version, the commit that first contained it, and for
//! every content file, the last commit that changed it. In a repository grown by pull requests
//! this is the record of who added what, when and why.
//!
//! Reading never fails a build: outside git, in a shallow clone or without commits, history is
//! "unavailable" with the reason, and pages say so.

mod published;
mod pulls;
mod walk;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::audience::Redactable;
use crate::load::git_tree::GitContent;

/// One commit, as pages show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    pub(crate) author: String,
    pub(crate) email: String,
    /// When it was authored: seconds since 1970 (UTC).
    pub(crate) time: i64,
    /// When the published branch first held it (its merge, for a branch commit), never before
    /// what that branch published earlier: what TAXII calls `date_added`.
    pub(crate) published: i64,
    pub(crate) subject: String,
    pub(crate) body: String,
    /// The pull request that brought it in: its own `(#N)` (a squash merge) or the
    /// `Merge pull request #N` that merged its branch.
    pub(crate) pull_request: Option<u64>,
}

impl Commit {
    pub(crate) fn short(&self) -> &str {
        &self.sha[..self.sha.len().min(10)]
    }
}

/// What git says about the content, or why it says nothing.
///
/// It says it per object version, as each commit held it: a version's markings can change
/// without a new `modified`, so which commit brought it depends on who asks. The View decides
/// that (`audience::history`); nothing that publishes reads this directly.
#[derive(Default)]
pub(crate) struct History {
    pub(crate) commits: Vec<Commit>,
    /// Why there is no history (None: there is).
    pub(crate) unavailable: Option<String>,
    /// id → each version key a commit held, with the states it went through.
    origins: HashMap<Box<str>, Vec<VersionStates>>,
    /// What decides whether an audience may see a state: its markings and the objects it names.
    gates: Vec<Gate>,
}

/// One version of an object (by its version key) and the texts commits gave it, in commit order.
pub(crate) struct VersionStates {
    pub(crate) key: Box<str>,
    pub(crate) states: Vec<State>,
}

/// The text a version had from one commit on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct State {
    /// Index into `History::commits`.
    pub(crate) commit: u32,
    /// A digest of the version's text: a later commit that changes it starts a new state.
    /// BLAKE3, 128 bits kept: a change made to digest like the text before would otherwise
    /// leave no trace in the history.
    pub(crate) content: [u8; 16],
    /// Index into the gates (`History::gate`).
    pub(crate) gate: u32,
}

/// What an audience must be allowed for a state to be shown: the marking definitions on it
/// (object-level and granular), and the UUIDs its text names (references included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Gate {
    /// The object's own id (its UUID names itself).
    pub(crate) id: Box<str>,
    /// Marking definitions count as marked (they are the vocabulary of markings).
    pub(crate) marking_definition: bool,
    pub(crate) markings: Vec<Box<str>>,
    /// The UUIDs its text names other than as one id whole (in prose, in another spelling):
    /// each names every object holding it.
    pub(crate) named: Vec<u128>,
    /// The ids its text names whole, each the only way it names its UUID (as references are
    /// written): each names that object, or, when the content has none, every object holding
    /// its UUID. (States are judged from their text alone, so an id named whole in prose counts
    /// here too; a version's prose mention does not, see `StixObject::mentioned_uuids`. Both
    /// are sound: a UUID named as the id of a visible object is visible already.)
    pub(crate) named_whole: Vec<WholeId>,
    /// What an audience that redacts references could remove, when the state has any and an
    /// audience redacts (`HistoryOptions::redaction`); without it the state is judged by all
    /// it names.
    pub(crate) redactable: Option<Box<Redactable>>,
}

/// An id a state names whole: its UUID, and its type as a key (`type_key`). Held for every
/// reference of every state git holds, so not as text: ATT&CK's five releases peaked 30 MB
/// higher with each id a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct WholeId {
    pub(crate) uuid: u128,
    pub(crate) type_key: u64,
}

/// A key for an object type: equal types have equal keys, and as it is keyed with a secret
/// chosen once per run, a contributor cannot pick a type whose key is another type's.
pub(crate) fn type_key(object_type: &str) -> u64 {
    use std::hash::BuildHasher;
    static KEYS: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    KEYS.get_or_init(std::collections::hash_map::RandomState::new).hash_one(object_type)
}

/// What to read.
pub(crate) struct HistoryOptions<'a> {
    pub(crate) content_dir: &'a Path,
    /// The revision whose history is read (default: HEAD).
    pub(crate) rev: Option<&'a str>,
    /// Whether an audience redacts references (`redact_refs`): only then do states carry what
    /// redaction would remove of them (`Gate::redactable`), which costs ATT&CK's history 10%
    /// more memory.
    pub(crate) redaction: bool,
}

impl History {
    /// History that was not asked for (`--no-history`).
    pub(crate) fn off() -> History {
        History { unavailable: Some("history was not read for this build (--no-history)".into()), ..History::default() }
    }

    pub(crate) fn is_available(&self) -> bool {
        self.unavailable.is_none()
    }

    /// Reads the history of the content folder up to `rev`.
    pub(crate) fn read(options: &HistoryOptions<'_>) -> History {
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
        walk::read(&content, options.rev.unwrap_or("HEAD"), options.redaction).unwrap_or_else(unavailable)
    }

    /// Every version of `id` a commit held, in the order commits first held them.
    pub(crate) fn versions_of(&self, id: &str) -> &[VersionStates] {
        self.origins.get(id).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn gates(&self) -> &[Gate] {
        &self.gates
    }
}
