//! The name index: names, aliases and external ids (ATT&CK `T1059`, `CVE-2024-…`, `CAPEC-94`)
//! to the objects that carry them. Lookups ignore case, as analysts type them.
//!
//! Each index is a sorted list of (key, object) pairs, built in parallel and searched by
//! bisection: a million names inserted one by one into a tree cost seconds.

use rayon::prelude::*;

use super::{ObjectIndex, Store};

#[derive(Default)]
pub(crate) struct NameIndex {
    by_external_id: Keyed,
    /// Objects by the ATT&CK id of their first external reference: the id is theirs, the page
    /// an ATT&CK link to it leads to on this site.
    attack_owners: Keyed,
}

/// The sources of ATT&CK's ids (enterprise, mobile, ICS, and the retired PRE-ATT&CK).
pub(crate) fn is_attack_source(source: &str) -> bool {
    matches!(source, "mitre-attack" | "mitre-mobile-attack" | "mitre-ics-attack" | "mitre-pre-attack")
}

/// Keys in order, and beside each the object it leads to (objects of one key in id order).
#[derive(Default)]
struct Keyed {
    keys: Vec<Box<str>>,
    objects: Vec<ObjectIndex>,
}

impl Keyed {
    fn build(mut pairs: Vec<(Box<str>, ObjectIndex)>) -> Keyed {
        pairs.par_sort_unstable();
        pairs.dedup();
        let (keys, objects) = pairs.into_iter().unzip();
        Keyed { keys, objects }
    }

    fn get(&self, key: &str) -> &[ObjectIndex] {
        let start = self.keys.partition_point(|k| k.as_ref() < key);
        let end = start + self.keys[start..].partition_point(|k| k.as_ref() == key);
        &self.objects[start..end]
    }
}

impl NameIndex {
    pub(crate) fn build(store: &Store) -> NameIndex {
        let per_object = |index: u32| {
            let index = ObjectIndex(index);
            let ids = store.latest(index).external_ids.iter().map(move |(_, id)| (id.to_uppercase().into(), index));
            ids.collect::<Vec<_>>()
        };
        let ids: Vec<Vec<_>> = (0..store.len() as u32).into_par_iter().map(per_object).collect();
        let owners: Vec<(Box<str>, ObjectIndex)> = (0..store.len() as u32)
            .into_par_iter()
            .filter_map(|index| {
                let (source, id) = store.latest(ObjectIndex(index)).external_ids.first()?;
                is_attack_source(source).then(|| (id.to_uppercase().into(), ObjectIndex(index)))
            })
            .collect();
        NameIndex {
            by_external_id: Keyed::build(ids.into_iter().flatten().collect()),
            attack_owners: Keyed::build(owners),
        }
    }

    /// The objects whose first external reference is ATT&CK's and carries `external_id`.
    pub(crate) fn attack_owners(&self, external_id: &str) -> &[ObjectIndex] {
        self.attack_owners.get(&external_id.to_uppercase())
    }

    /// The objects whose external references carry `external_id`, in id order.
    pub(crate) fn with_external_id(&self, external_id: &str) -> &[ObjectIndex] {
        self.by_external_id.get(&external_id.to_uppercase())
    }
}
