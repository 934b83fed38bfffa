//! Sub-technique names: ATT&CK calls a sub-technique "Parent: Child" ("Valid Accounts: Cloud
//! Accounts"), since many children share a name ("Cloud Accounts" is T1078.004 and T1586.003).
//!
//! The parent is the target of the child's `subtechnique-of` relationship, else the technique
//! whose ATT&CK id is the child's before the dot (T1078.004 → T1078). The names are made once
//! here, for the latest versions; whether a page may show one (its parent visible to the
//! audience) is for the View to decide, never this module.

use rayon::prelude::*;

use super::{ObjectIndex, Store};

/// Each sub-technique (by index, sorted) with its parent and its "Parent: Child" name (none
/// when its own name already says what it is).
#[derive(Default)]
pub(crate) struct Subtechniques {
    entries: Vec<(ObjectIndex, ObjectIndex, Option<Box<str>>)>,
}

impl Subtechniques {
    pub(crate) fn build(store: &Store) -> Subtechniques {
        let mut parents: Vec<(ObjectIndex, ObjectIndex)> = store
            .indices()
            .collect::<Vec<_>>()
            .into_par_iter()
            .filter_map(|index| {
                let object = store.latest(index);
                (object.object_type == "relationship"
                    && object.relationship_type.as_deref() == Some("subtechnique-of")
                    && !object.revoked
                    && !object.deprecated)
                    .then(|| Some((end(store, index, "source_ref")?, end(store, index, "target_ref")?)))
                    .flatten()
            })
            .filter(|(child, parent)| child != parent && is_technique(store, *child) && is_technique(store, *parent))
            .collect();
        parents.par_sort_unstable();
        parents.dedup_by_key(|(child, _)| *child);
        let mut by_prefix: Vec<(Box<str>, ObjectIndex)> = store
            .indices()
            .collect::<Vec<_>>()
            .into_par_iter()
            .filter(|child| is_technique(store, *child))
            .filter(|child| parents.binary_search_by_key(child, |(c, _)| *c).is_err())
            .filter_map(|child| Some((parent_id(store, child)?.to_uppercase().into(), child)))
            .collect();
        by_prefix.par_sort_unstable();
        // Each parent id looked up once, however many children name it (thousands of objects
        // carrying one id, looked through for each child, took seconds).
        for children in by_prefix.chunk_by(|a, b| a.0 == b.0) {
            let techniques = store.names().with_external_id(&children[0].0).iter().copied();
            // Three tell "exactly one besides the child" from "more" for every child.
            let techniques: Vec<ObjectIndex> = techniques.filter(|p| is_technique(store, *p)).take(3).collect();
            for &(_, child) in children {
                let mut others = techniques.iter().filter(|p| **p != child);
                if let (Some(&parent), None) = (others.next(), others.next()) {
                    parents.push((child, parent));
                }
            }
        }
        parents.par_sort_unstable();
        let entries =
            parents.into_par_iter().map(|(child, parent)| (child, parent, qualified(store, child, parent))).collect();
        Subtechniques { entries }
    }

    /// The parent of a sub-technique and its "Parent: Child" name.
    pub(crate) fn get(&self, index: ObjectIndex) -> Option<(ObjectIndex, Option<&str>)> {
        let at = self.entries.binary_search_by_key(&index, |(child, _, _)| *child).ok()?;
        let (_, parent, name) = &self.entries[at];
        Some((*parent, name.as_deref()))
    }
}

fn is_technique(store: &Store, index: ObjectIndex) -> bool {
    store.latest(index).object_type == "attack-pattern"
}

/// The object at one end of a relationship.
fn end(store: &Store, relationship: ObjectIndex, property: &str) -> Option<ObjectIndex> {
    let target = &store.latest(relationship).refs.iter().find(|r| r.property == property)?.target;
    store.find(target)
}

/// The ATT&CK id a sub-technique's parent has: the child's before the dot (the parent is the
/// technique that has it, when exactly one besides the child does).
fn parent_id(store: &Store, child: ObjectIndex) -> Option<&str> {
    let object = store.latest(child);
    let (_, id) = object.external_ids.iter().find(|(source, id)| is_attack_source(source) && is_sub_id(id))?;
    id.split('.').next()
}

fn is_attack_source(source: &str) -> bool {
    matches!(source, "mitre-attack" | "mitre-mobile-attack" | "mitre-ics-attack")
}

/// `T1078.004`: a technique id, a dot, digits.
pub(crate) fn is_sub_id(id: &str) -> bool {
    let Some((parent, child)) = id.split_once('.') else { return false };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    parent.strip_prefix('T').is_some_and(digits) && digits(child)
}

/// "Parent: Child", unless the child's name already says its parent or starts with its own
/// ATT&CK id ("T1059.001: PowerShell", as some producers name them); only for named objects.
fn qualified(store: &Store, child: ObjectIndex, parent: ObjectIndex) -> Option<Box<str>> {
    let child_name = store.latest(child).name.as_deref()?;
    let parent_name = store.latest(parent).name.as_deref()?;
    let names_an_id = child_name.strip_prefix('T').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    if names_an_id || child_name.starts_with(&format!("{parent_name}:")) {
        return None;
    }
    Some(format!("{parent_name}: {child_name}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_technique_ids_are_a_technique_a_dot_and_digits() {
        assert!(is_sub_id("T1078.004"));
        assert!(!is_sub_id("T1078"));
        assert!(!is_sub_id("T1078."));
        assert!(!is_sub_id("TA0001.1"));
        assert!(!is_sub_id("CAPEC-1.2"));
    }
}
