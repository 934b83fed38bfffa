//! `View`: the only way renderers see objects. Every accessor filters by visibility, so a
//! renderer cannot reach a withheld object even by following an edge.

use std::collections::BTreeMap;

use super::{MarkingPolicy, MARKING_PROPERTIES};
use crate::link::{display_name, ObjectIndex, Store};
use crate::stix::StixObject;

pub struct View<'s> {
    store: &'s Store,
    visible: Vec<bool>,
    policy: MarkingPolicy,
    count: usize,
}

/// A visible object: its latest version and where it sits in the View.
#[derive(Clone, Copy)]
pub struct Entry<'v> {
    pub index: ObjectIndex,
    pub object: &'v StixObject,
}

impl<'v> Entry<'v> {
    pub fn id(&self) -> &'v str {
        &self.object.id
    }

    pub fn object_type(&self) -> &'v str {
        &self.object.object_type
    }

    /// The name to show: the label, else the id.
    pub fn display_name(&self) -> &'v str {
        display_name(self.object)
    }
}

impl<'s> View<'s> {
    pub(super) fn new(store: &'s Store, visible: Vec<bool>, policy: MarkingPolicy) -> View<'s> {
        let count = visible.iter().filter(|v| **v).count();
        View { store, visible, policy, count }
    }

    pub fn audience(&self) -> &str {
        &self.policy.name
    }

    /// How many objects this audience sees.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many objects were withheld from this audience.
    pub fn withheld(&self) -> usize {
        self.store.len() - self.count
    }

    fn is_visible(&self, index: ObjectIndex) -> bool {
        self.visible[index.0 as usize]
    }

    fn entry(&self, index: ObjectIndex) -> Option<Entry<'s>> {
        self.is_visible(index).then(|| Entry { index, object: self.store.latest(index) })
    }

    /// Every visible object, in id order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'s>> + '_ {
        self.store.indices().filter_map(|index| self.entry(index))
    }

    pub fn get(&self, id: &str) -> Option<Entry<'s>> {
        self.store.find(id).and_then(|index| self.entry(index))
    }

    /// The versions of an object this audience may see, oldest first: an older version can carry
    /// a stricter marking, or point at something withheld, even when the latest does not.
    pub fn versions(&self, entry: Entry<'s>) -> Vec<&'s StixObject> {
        let allowed = |version: &&StixObject| {
            self.policy.allows_markings_of(version, self.store)
                && version
                    .refs
                    .iter()
                    .filter(|r| !MARKING_PROPERTIES.contains(&r.property.as_str()))
                    .all(|r| self.store.find(&r.target).is_none_or(|target| self.is_visible(target)))
        };
        self.store.versions(entry.index).iter().filter(allowed).collect()
    }

    /// What this object references, with the property it does so by.
    pub fn outgoing(&self, entry: Entry<'s>) -> impl Iterator<Item = (&'s str, Entry<'s>)> + '_ {
        let store = self.store;
        store
            .outgoing(entry.index)
            .iter()
            .filter_map(move |edge| Some((store.property(edge), self.entry(edge.target)?)))
    }

    /// What references this object, with the property it does so by.
    pub fn incoming(&self, entry: Entry<'s>) -> impl Iterator<Item = (&'s str, Entry<'s>)> + '_ {
        let store = self.store;
        store.incoming(entry.index).filter_map(move |edge| Some((store.property(edge), self.entry(edge.source)?)))
    }

    /// The visible objects whose external references carry `external_id` (case ignored).
    pub fn with_external_id(&self, external_id: &str) -> impl Iterator<Item = Entry<'s>> + '_ {
        self.store.names().with_external_id(external_id).iter().filter_map(|&index| self.entry(index))
    }

    /// How many visible objects there are of each type.
    pub fn type_counts(&self) -> BTreeMap<&'s str, usize> {
        let mut counts = BTreeMap::new();
        for entry in self.entries() {
            *counts.entry(entry.object.object_type.as_str()).or_default() += 1;
        }
        counts
    }
}
