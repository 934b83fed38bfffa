//! Git history as one audience may see it.
//!
//! A commit reaches an audience's output only through a version that audience sees, in the
//! state that commit gave it: the first commit holding a version in a state the audience may
//! read is where it "came from" for that audience. A version marked TLP:AMBER by one commit and
//! TLP:CLEAR by the next (with the same `modified`) came, for the public, from the second; the
//! first leaves no sha, author, message or count. A version only git still holds is judged by
//! its own markings and by the objects it names, like any other. "Last changed" is the last
//! commit that changed the object in a state the audience may see.

use std::collections::HashMap;

use crate::config::CommitMessages;
use crate::provenance::{Commit, Gate, History};

/// The history one audience may see.
pub(crate) struct AudienceHistory<'s> {
    unavailable: Option<&'s str>,
    /// By commit index: the commit as this audience is shown it, or None when it never appears.
    commits: Vec<Option<Commit>>,
    /// Visible object id → its shown versions and last change.
    objects: HashMap<&'s str, ObjectHistory<'s>>,
}

#[derive(Default)]
struct ObjectHistory<'s> {
    /// Version key → the commit that brought it to this audience, in commit order.
    versions: Vec<(&'s str, u32)>,
    last_change: Option<u32>,
}

/// A visible object, with the version keys the content holds of it and those the View shows
/// (a key the content holds and the View hides stays hidden, whatever git held).
pub(super) struct VisibleObject<'s> {
    pub(crate) id: &'s str,
    pub(crate) in_content: Vec<&'s str>,
    pub(crate) shown: Vec<&'s str>,
}

impl<'s> AudienceHistory<'s> {
    /// No history: not read, or unavailable.
    pub(super) fn empty(history: &'s History) -> AudienceHistory<'s> {
        AudienceHistory { unavailable: history.unavailable.as_deref(), commits: Vec::new(), objects: HashMap::new() }
    }

    /// `allows` tells whether a gate's markings and named objects let this audience see a state.
    pub(super) fn new(
        history: &'s History,
        visible: impl Iterator<Item = VisibleObject<'s>>,
        allows: &(dyn Fn(&Gate) -> bool + Sync),
        messages: CommitMessages,
    ) -> AudienceHistory<'s> {
        if !history.is_available() {
            return AudienceHistory::empty(history);
        }
        let allowed: Vec<bool> = {
            use rayon::prelude::*;
            history.gates().par_iter().map(allows).collect()
        };
        let mut shown = vec![false; history.commits.len()];
        let mut objects = HashMap::new();
        for visible in visible {
            let id = visible.id;
            let object = object_history(history, &visible, &allowed);
            for commit in object.versions.iter().map(|(_, c)| *c).chain(object.last_change) {
                shown[commit as usize] = true;
            }
            if !object.versions.is_empty() {
                objects.insert(id, object);
            }
        }
        let commits = history
            .commits
            .iter()
            .zip(shown)
            .map(|(commit, shown)| shown.then(|| with_message(commit, messages)))
            .collect();
        AudienceHistory { unavailable: None, commits, objects }
    }

    /// Why there is no history (None: there is).
    pub(crate) fn unavailable(&self) -> Option<&str> {
        self.unavailable
    }

    pub(crate) fn is_available(&self) -> bool {
        self.unavailable.is_none()
    }

    fn commit(&self, index: u32) -> Option<&Commit> {
        self.commits.get(index as usize)?.as_ref()
    }

    /// The commit that brought this version of `id` to this audience (None: not committed in
    /// a state it may see, e.g. a working-tree change).
    pub(crate) fn origin(&self, id: &str, version_key: &str) -> Option<&Commit> {
        let object = self.objects.get(id)?;
        let (_, commit) = object.versions.iter().find(|(key, _)| *key == version_key)?;
        self.commit(*commit)
    }

    /// Every version of `id` this audience may see that a commit brought, with that commit, in
    /// commit order: the content's and those only git still holds.
    pub(crate) fn versions(&self, id: &str) -> impl Iterator<Item = (&str, &Commit)> {
        let versions = self.objects.get(id).map_or(&[][..], |o| o.versions.as_slice());
        versions.iter().filter_map(|(key, commit)| Some((*key, self.commit(*commit)?)))
    }

    /// The last commit that changed `id` in a state this audience may see.
    pub(crate) fn last_change(&self, id: &str) -> Option<&Commit> {
        self.commit(self.objects.get(id)?.last_change?)
    }

    /// Every commit this audience is shown, in commit order.
    pub(crate) fn commits(&self) -> impl Iterator<Item = &Commit> {
        self.commits.iter().flatten()
    }
}

/// The versions of one visible object this audience is shown, each with its first allowed
/// state's commit, and the last commit among the allowed states of those versions.
fn object_history<'s>(history: &'s History, visible: &VisibleObject<'s>, allowed: &[bool]) -> ObjectHistory<'s> {
    let mut object = ObjectHistory::default();
    for version in history.versions_of(visible.id) {
        let key: &str = &version.key;
        if visible.in_content.contains(&key) && !visible.shown.contains(&key) {
            continue;
        }
        let mut states = version.states.iter().filter(|state| allowed[state.gate as usize]);
        let Some(first) = states.next() else { continue };
        object.versions.push((key, first.commit));
        let last = states.next_back().map_or(first.commit, |state| state.commit);
        object.last_change = object.last_change.max(Some(last));
    }
    object
}

fn with_message(commit: &Commit, messages: CommitMessages) -> Commit {
    let mut shown = commit.clone();
    match messages {
        CommitMessages::Full => {}
        CommitMessages::Subject => shown.body.clear(),
        CommitMessages::None => {
            shown.subject.clear();
            shown.body.clear();
        }
    }
    shown
}
