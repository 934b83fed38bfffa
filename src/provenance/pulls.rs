//! Pull-request numbers, as the history shows them: a squash merge's subject ends `(#N)`
//! (GitHub's default), a merge commit's subject is `Merge pull request #N from …`, and every
//! commit of the merged branch belongs to that pull request.

use std::collections::HashMap;

use git2::{Oid, Repository};

use super::Commit;

/// The `N` of a subject ending with `(#N)`.
pub(crate) fn squashed(subject: &str) -> Option<u64> {
    let inner = subject.trim_end().strip_suffix(')')?;
    let (_, number) = inner.rsplit_once("(#")?;
    number.parse().ok()
}

/// The `N` of `Merge pull request #N from …`.
pub(crate) fn merged(subject: &str) -> Option<u64> {
    let rest = subject.strip_prefix("Merge pull request #")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Gives each commit of a merged branch the number of the pull request that merged it (a
/// commit's own `(#N)` wins; the first merge to bring a commit in wins over later ones).
pub(crate) fn assign(repo: &Repository, oids: &[Oid], index_of: &HashMap<Oid, u32>, commits: &mut [Commit]) {
    for (i, oid) in oids.iter().enumerate() {
        let Some(number) = merged(&commits[i].subject) else { continue };
        commits[i].pull_request.get_or_insert(number);
        let Ok(merge) = repo.find_commit(*oid) else { continue };
        let parents: Vec<Oid> = merge.parent_ids().collect();
        let Some((first, branches)) = parents.split_first() else { continue };
        let Ok(mut walk) = repo.revwalk() else { continue };
        if branches.iter().any(|b| walk.push(*b).is_err()) || walk.hide(*first).is_err() {
            continue;
        }
        for branch_commit in walk.flatten() {
            if let Some(&index) = index_of.get(&branch_commit) {
                commits[index as usize].pull_request.get_or_insert(number);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_request_numbers_are_read_from_subjects() {
        assert_eq!(squashed("Add APT99 report (#42)"), Some(42));
        assert_eq!(squashed("Add APT99 report (#42) "), Some(42));
        assert_eq!(squashed("Add APT99 (see #42)"), None);
        assert_eq!(squashed("ATT&CK v18.0 Enterprise"), None);
        assert_eq!(merged("Merge pull request #7 from someone/branch"), Some(7));
        assert_eq!(merged("Merge branch 'main'"), None);
    }
}
