//! When each commit was published: the moment the published branch's first-parent line first
//! held it. A branch commit authored on the 5th and merged on the 20th was published on the
//! 20th, by its merge; and no commit on that line is published before the one before it, so a
//! client polling with `added_after` receives every version once, in order.

use std::collections::HashMap;

use git2::{Oid, Repository};

use super::Commit;

/// Sets `published` of every commit reachable from `tip`, walking its first-parent line from the
/// root up: each commit on the line publishes itself and everything it merged, at its committer
/// time (or the time before it on the line, when its clock was behind).
pub(crate) fn assign(repo: &Repository, tip: Oid, index_of: &HashMap<Oid, u32>, commits: &mut [Commit]) {
    let mut line = Vec::new();
    let mut at = repo.find_commit(tip).ok();
    while let Some(commit) = at {
        line.push((commit.id(), commit.committer().when().seconds()));
        at = commit.parent(0).ok();
    }
    let mut floor = i64::MIN;
    let mut previous: Option<Oid> = None;
    for (oid, committed) in line.into_iter().rev() {
        let published = committed.max(floor);
        floor = published;
        let Ok(mut walk) = repo.revwalk() else { continue };
        let hidden = previous.is_some_and(|p| walk.hide(p).is_err());
        if walk.push(oid).is_err() || hidden {
            continue;
        }
        for reached in walk.flatten() {
            if let Some(&index) = index_of.get(&reached) {
                commits[index as usize].published = published;
            }
        }
        previous = Some(oid);
    }
}
