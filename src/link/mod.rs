//! Linking: the Store, one knowledge graph of every loaded object.
//!
//! It keeps every distinct version of every object (identical copies once), knows the latest
//! version of each id, every reference edge of the latest versions (any `*_ref` / `*_refs`
//! property, so relationships' and sightings' ends too, and `mentions` for any other place an
//! object's JSON names another's id) with its reverse, and indexes names, aliases and
//! external ids. Relationships and sightings get labels made from their ends.
//!
//! The Store is never handed to a renderer: `audience` wraps it in a `View` of what one
//! audience may see, and renderers only ever get the View.

mod edges;
mod ids;
mod names;
mod plan;
mod subtechniques;

use rayon::prelude::*;

use crate::stix::mentions::{holding, uuid_number};
use crate::stix::StixObject;
use edges::Graph;
use ids::IdIndex;
pub(crate) use names::{is_attack_source, NameIndex};
use plan::apply_permutation;
pub(crate) use plan::LinkPlan;
use subtechniques::Subtechniques;

pub(crate) use crate::stix::object::MENTIONS;

/// How many ids may share a UUID before the Store stops keeping a mention edge from each object
/// naming it to each of them. Types may share a UUID (an SCO's UUIDv5 is made from its values,
/// so `ipv4-addr` and `url` of one value can), but only a hostile repository makes hundreds of
/// types of one UUID: K such objects and K notes naming it made K² edges (8 GB at 16,000), and
/// a page for every holder listing every note. Past this many, an object naming the UUID is
/// recorded once (`crowd_mentions`) and taken to mention every holder: what withholds one
/// holder withholds it (see `audience`), and pages do not list such mentions.
pub(crate) const CROWDED: usize = 8;

/// The position of an id in the Store (ids are kept sorted, so this is also its rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ObjectIndex(pub u32);

/// A reference from the latest version of one object to another object in the Store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) source: ObjectIndex,
    pub(crate) target: ObjectIndex,
    /// Index into `Store::properties` (`object_refs`, `source_ref`, …). 32 bits, as the
    /// edge's size is the same: with 16, the 65,537th custom `*_ref` property a repository named
    /// was numbered as the first, and its edges read as that property's.
    pub(crate) property: u32,
}

pub(crate) struct Store {
    /// Every distinct version, sorted by id and then by version time.
    versions: Vec<StixObject>,
    /// For each id in order: where its versions start in `versions` (plus one final end).
    version_start: Vec<u32>,
    /// The property names edges refer to, interned.
    properties: Vec<String>,
    /// Outgoing edges, sorted by source, with `out_start` per object.
    edges: Vec<Edge>,
    out_start: Vec<u32>,
    /// Indices into `edges`, sorted by target, with `in_start` per object.
    incoming: Vec<u32>,
    in_start: Vec<u32>,
    ids: IdIndex,
    /// The UUID of every id, sorted, with its object: prose names objects by UUID too.
    uuids: Vec<(u128, u32)>,
    /// The UUIDs more than `CROWDED` ids have, sorted: none in any real repository.
    crowded_uuids: Vec<u128>,
    /// Each object naming a crowded UUID, as (UUID, object), sorted: its mentions of the ids
    /// holding that UUID, kept once rather than once per id (see `CROWDED`).
    crowd_mentions: Vec<(u128, u32)>,
    names: NameIndex,
    subtechniques: Subtechniques,
    /// Whether every version's JSON is known to be compact (loaded with `KeepJson::Compact`):
    /// the STIX outputs then publish it as it is, without reading it through again.
    compact_json: bool,
}

impl Store {
    /// Links loaded objects, every one of them (the pipeline leaves invalid ones out through its
    /// plan). Copies of one version (same id and version key) are kept once, the first in file
    /// order: the same copy `check` reports conflicts against.
    #[cfg(test)]
    pub(crate) fn build(objects: Vec<StixObject>) -> Store {
        let plan = LinkPlan::of(&objects, |_| true);
        Store::built_as_planned(objects, plan)
    }

    /// The Store of `objects` as `plan` (`LinkPlan::of` the same objects, in the same order) says,
    /// with what pages read besides the links: labels, the name index, sub-technique names.
    pub(crate) fn built_as_planned(objects: Vec<StixObject>, plan: LinkPlan) -> Store {
        let started = std::time::Instant::now();
        let mut store = Store::linked_as_planned(objects, plan);
        store.label_connections();
        crate::timing::log_timing("link: labels", started);
        store.names = NameIndex::build(&store);
        crate::timing::log_timing("link: names", started);
        store.subtechniques = Subtechniques::build(&store);
        crate::timing::log_timing("link: sub-technique names", started);
        store
    }

    /// The objects sorted, found by id and linked by their references, as `plan` (`LinkPlan::of`
    /// the same objects, in the same order) says; the objects it leaves out are dropped. Without
    /// what only pages read (the labels of relationships and sightings, the name index,
    /// sub-technique names): enough to tell what an audience may see, which is all `check` asks.
    pub(crate) fn linked_as_planned(mut objects: Vec<StixObject>, plan: LinkPlan) -> Store {
        let started = std::time::Instant::now();
        let LinkPlan { mut order, kept, version_start, ids, uuids, crowded_uuids, graph } = plan;
        assert_eq!(order.len(), objects.len(), "a link plan is for the objects it was made of");
        // In place: moving them into a vector of slots and then into a third held a million
        // objects two or three times over.
        apply_permutation(&mut objects, &mut order);
        objects.truncate(kept);
        crate::timing::log_timing("link: placed", started);
        let Graph { properties, edges, out_start, incoming, in_start, crowd_mentions } = graph;
        Store {
            versions: objects,
            version_start,
            properties,
            edges,
            out_start,
            incoming,
            in_start,
            ids,
            uuids,
            crowded_uuids,
            crowd_mentions,
            names: NameIndex::default(),
            subtechniques: Subtechniques::default(),
            compact_json: false,
        }
    }

    /// How many ids (not versions) the Store holds.
    pub(crate) fn len(&self) -> usize {
        self.version_start.len() - 1
    }

    pub(crate) fn indices(&self) -> impl Iterator<Item = ObjectIndex> + '_ {
        (0..self.len() as u32).map(ObjectIndex)
    }

    /// The latest version of an object.
    pub(crate) fn latest(&self, index: ObjectIndex) -> &StixObject {
        let end = self.version_start[index.0 as usize + 1] as usize;
        &self.versions[end - 1]
    }

    /// How many versions the Store holds, of every object.
    pub(crate) fn version_count(&self) -> usize {
        self.versions.len()
    }

    /// Where `version`, one of the Store's, is among all versions (by its address: versions
    /// handed out are borrowed from the Store); None for an object held elsewhere.
    pub(crate) fn version_position(&self, version: &StixObject) -> Option<usize> {
        let offset = (version as *const StixObject as usize).checked_sub(self.versions.as_ptr() as usize)?;
        let at = offset / std::mem::size_of::<StixObject>().max(1);
        self.versions.get(at).filter(|held| std::ptr::eq(*held, version)).map(|_| at)
    }

    /// Every version of an object, oldest first.
    pub(crate) fn versions(&self, index: ObjectIndex) -> &[StixObject] {
        let i = index.0 as usize;
        &self.versions[self.version_start[i] as usize..self.version_start[i + 1] as usize]
    }

    /// Drops the JSON of every version of the objects `keep` refuses, marking definitions
    /// excepted (every audience's policy reads what they define): once the audiences' views are
    /// known, what none of them publishes is never read again.
    pub(crate) fn forget_json(&mut self, keep: impl Fn(ObjectIndex) -> bool) {
        for i in 0..self.len() {
            if keep(ObjectIndex(i as u32)) {
                continue;
            }
            let range = self.version_start[i] as usize..self.version_start[i + 1] as usize;
            for version in self.versions[range].iter_mut().filter(|v| v.object_type != "marking-definition") {
                version.raw = Box::default();
            }
        }
    }

    /// The Store of objects whose JSON the loader made compact (`load::KeepJson::Compact`).
    pub(crate) fn holding_compact_json(mut self) -> Store {
        self.compact_json = true;
        self
    }

    /// Whether the JSON is known to be compact (`holding_compact_json`).
    pub(crate) fn has_compact_json(&self) -> bool {
        self.compact_json
    }

    pub(crate) fn find(&self, id: &str) -> Option<ObjectIndex> {
        self.ids.find(id).map(ObjectIndex)
    }

    /// The objects whose id has this UUID (one, unless types share a UUID).
    pub(crate) fn with_uuid(&self, uuid: u128) -> impl Iterator<Item = ObjectIndex> + '_ {
        holding(&self.uuids, uuid).iter().map(|(_, i)| ObjectIndex(*i))
    }

    /// Whether any UUID is crowded (see `CROWDED`): in real repositories none is.
    pub(crate) fn has_crowded_uuids(&self) -> bool {
        !self.crowded_uuids.is_empty()
    }

    /// Whether more than `CROWDED` ids have this UUID.
    pub(crate) fn is_crowded(&self, uuid: u128) -> bool {
        self.crowded_uuids.binary_search(&uuid).is_ok()
    }

    /// The crowded UUID the object at `index` holds, if its UUID is one (see `CROWDED`).
    pub(crate) fn crowd_of(&self, index: ObjectIndex) -> Option<u128> {
        if !self.has_crowded_uuids() {
            return None;
        }
        uuid_number(&self.latest(index).id).filter(|&uuid| self.is_crowded(uuid))
    }

    /// The objects that name a crowded UUID (see `CROWDED`), each once, in index order: each is
    /// taken to mention every id holding it but itself.
    pub(crate) fn crowd_mentioners(&self, uuid: u128) -> impl Iterator<Item = ObjectIndex> + '_ {
        holding(&self.crowd_mentions, uuid).iter().map(|(_, i)| ObjectIndex(*i))
    }

    pub(crate) fn outgoing(&self, index: ObjectIndex) -> &[Edge] {
        let i = index.0 as usize;
        &self.edges[self.out_start[i] as usize..self.out_start[i + 1] as usize]
    }

    pub(crate) fn incoming(&self, index: ObjectIndex) -> impl Iterator<Item = &Edge> + '_ {
        let i = index.0 as usize;
        self.incoming[self.in_start[i] as usize..self.in_start[i + 1] as usize].iter().map(|&e| &self.edges[e as usize])
    }

    pub(crate) fn property(&self, edge: &Edge) -> &str {
        &self.properties[edge.property as usize]
    }

    pub(crate) fn names(&self) -> &NameIndex {
        &self.names
    }

    /// A sub-technique's parent and its "Parent: Child" name (see `subtechniques`).
    pub(crate) fn subtechnique(&self, index: ObjectIndex) -> Option<(ObjectIndex, Option<&str>)> {
        self.subtechniques.get(index)
    }

    /// Relationships and sightings have no name: call them by their ends, the way an analyst
    /// reads them ("Night Relay Crew uses Relay Attack").
    fn label_connections(&mut self) {
        let labels: Vec<(usize, String)> = (0..self.len() as u32)
            .into_par_iter()
            .filter_map(|index| {
                let index = ObjectIndex(index);
                let object = self.latest(index);
                let label = match &*object.object_type {
                    "relationship" => {
                        let kind = object.relationship_type.as_deref().unwrap_or("related-to");
                        format!(
                            "{} {kind} {}",
                            self.end_label(object, "source_ref"),
                            self.end_label(object, "target_ref")
                        )
                    }
                    "sighting" => format!("Sighting of {}", self.end_label(object, "sighting_of_ref")),
                    _ => return None,
                };
                Some((self.version_start[index.0 as usize + 1] as usize - 1, label))
            })
            .collect();
        for (at, label) in labels {
            self.versions[at].label = Some(label);
        }
    }

    fn end_label(&self, object: &StixObject, property: &str) -> String {
        let Some(target) = object.refs.iter().find(|r| r.property == property).map(|r| r.target.as_str()) else {
            return "(nothing)".to_owned();
        };
        match self.find(target) {
            Some(index) => self.latest(index).display_name().to_owned(),
            None => target.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
