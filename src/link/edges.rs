//! The graph: every edge of the latest versions whose target is in the Store, as compressed
//! rows, with the reverse. It is worked out from borrowed objects and the ids the Store will
//! hold (see `plan`), so `check` and `build` link while the repository rules run.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::ids::IdIndex;
use super::{Edge, ObjectIndex, MENTIONS};
use crate::stix::mentions::{holding, uuid_number};
use crate::stix::StixObject;

pub(super) struct Graph {
    /// The property names edges refer to, interned in the order edges first use them.
    pub(super) properties: Vec<String>,
    /// Outgoing edges, sorted by source, with `out_start` per object.
    pub(super) edges: Vec<Edge>,
    pub(super) out_start: Vec<u32>,
    /// Indices into `edges`, sorted by target, with `in_start` per object.
    pub(super) incoming: Vec<u32>,
    pub(super) in_start: Vec<u32>,
    /// Each object naming a crowded UUID, as (UUID, object), sorted (see `link::CROWDED`).
    pub(super) crowd_mentions: Vec<(u128, u32)>,
}

/// Where references lead: the ids and UUIDs of the Store to be, each UUID with the position of
/// the id holding it.
pub(super) struct Targets<'t> {
    pub(super) ids: &'t IdIndex,
    pub(super) uuids: &'t [(u128, u32)],
    /// The UUIDs more than one id has, sorted.
    pub(super) shared_uuids: &'t [u128],
    /// The UUIDs more than `link::CROWDED` ids have, sorted.
    pub(super) crowded_uuids: &'t [u128],
}

/// An edge found, before its property has a number: (source, target, property).
type Found<'o> = (u32, ObjectIndex, &'o str);

/// What a block of objects names: its edges, and the crowded UUIDs (with the object naming each).
type Block<'o> = (Vec<Found<'o>>, Vec<(u128, u32)>);

impl Graph {
    /// The edges of `count` objects, `latest(i)` being the latest version of the i-th. Targets
    /// are found a block of objects at a time in parallel; properties are then numbered in
    /// order, so the numbers are the same every run.
    pub(super) fn link<'o>(count: usize, latest: impl Fn(u32) -> &'o StixObject + Sync, targets: &Targets) -> Graph {
        const BLOCK: usize = 8192;
        let blocks: Vec<Block<'o>> = (0..count.div_ceil(BLOCK))
            .into_par_iter()
            .map(|block| {
                let (mut found, mut crowd) = (Vec::new(), Vec::new());
                let mut resolver =
                    Resolver { latest: &latest, targets, referenced: Vec::new(), found_uuids: Vec::new() };
                for source in block * BLOCK..count.min((block + 1) * BLOCK) {
                    resolver.resolve(source as u32, &mut found, &mut crowd);
                }
                (found, crowd)
            })
            .collect();
        let mut interned: BTreeMap<&str, u32> = BTreeMap::new();
        let mut edges: Vec<Edge> = Vec::with_capacity(blocks.iter().map(|(found, _)| found.len()).sum());
        let mut out_start = Vec::with_capacity(count + 1);
        let mut crowd_mentions = Vec::new();
        for (found, crowd) in blocks {
            crowd_mentions.extend(crowd);
            for (source, target, property) in found {
                // Every object up to this source starts its row here (one without edges too).
                while out_start.len() <= source as usize {
                    out_start.push(edges.len() as u32);
                }
                let next = interned.len() as u32;
                let property = *interned.entry(property).or_insert(next);
                edges.push(Edge { source: ObjectIndex(source), target, property });
            }
        }
        out_start.resize(count + 1, edges.len() as u32);
        let (incoming, in_start) = reversed(&edges, count);
        let mut properties = vec![String::new(); interned.len()];
        for (name, i) in interned {
            properties[i as usize] = name.to_owned();
        }
        crowd_mentions.sort_unstable();
        Graph { properties, edges, out_start, incoming, in_start, crowd_mentions }
    }
}

/// Finds the targets of one object's references and mentions, with lists kept from one object
/// to the next.
struct Resolver<'r, 'o, L: Fn(u32) -> &'o StixObject> {
    latest: &'r L,
    targets: &'r Targets<'r>,
    referenced: Vec<ObjectIndex>,
    found_uuids: Vec<u128>,
}

impl<'o, L: Fn(u32) -> &'o StixObject> Resolver<'_, 'o, L> {
    /// Adds the edges of `source` to `found`, and the crowded UUIDs it names to `crowd`.
    fn resolve(&mut self, source: u32, found: &mut Vec<Found<'o>>, crowd: &mut Vec<(u128, u32)>) {
        let targets = self.targets;
        let find = |id: &str| targets.ids.find(id).map(ObjectIndex);
        let object = (self.latest)(source);
        let first = found.len();
        for reference in object.refs.iter() {
            if let Some(target) = find(&reference.target) {
                found.push((source, target, &reference.property));
            }
        }
        let mentioned = match found.len() - first == object.refs.len() {
            true => Cow::Borrowed(object.mentioned_uuids()),
            false => object.mentions_among(|at| find(&object.refs[at].target).is_some()),
        };
        if mentioned.is_empty() {
            return;
        }
        // The UUIDs of the targets found: a UUID that only one object holds, named by a
        // reference to it, is no mention, and a search of every UUID need not say so.
        // Sorted: a report may reference a million objects.
        let referenced = &mut self.referenced;
        referenced.clear();
        referenced.extend(found[first..].iter().map(|&(_, target, _)| target));
        referenced.sort_unstable();
        self.found_uuids.clear();
        self.found_uuids.extend(referenced.iter().filter_map(|target| uuid_number(&(self.latest)(target.0).id)));
        self.found_uuids.sort_unstable();
        for &uuid in mentioned.iter() {
            if self.found_uuids.binary_search(&uuid).is_ok() && targets.shared_uuids.binary_search(&uuid).is_err() {
                continue;
            }
            if targets.crowded_uuids.binary_search(&uuid).is_ok() {
                crowd.push((uuid, source));
                continue;
            }
            let named = holding(targets.uuids, uuid).iter().map(|&(_, at)| ObjectIndex(at));
            for target in named.filter(|t| t.0 != source && referenced.binary_search(t).is_err()) {
                found.push((source, target, MENTIONS));
            }
        }
    }
}

/// The edges by target, as indices into `edges` with each target's start: by counting, the
/// counts per target give each target's row, and filling the rows in edge order keeps each row
/// in edge order. No sort needed.
fn reversed(edges: &[Edge], count: usize) -> (Vec<u32>, Vec<u32>) {
    let mut in_start = vec![0u32; count + 1];
    for edge in edges {
        in_start[edge.target.0 as usize + 1] += 1;
    }
    for i in 1..in_start.len() {
        in_start[i] += in_start[i - 1];
    }
    let mut incoming = vec![0u32; edges.len()];
    let mut next_slot = in_start.clone();
    for (e, edge) in edges.iter().enumerate() {
        let slot = &mut next_slot[edge.target.0 as usize];
        incoming[*slot as usize] = e as u32;
        *slot += 1;
    }
    (incoming, in_start)
}
