//! The graph: every edge of the latest versions whose target is in the Store, as compressed
//! rows, with the reverse. It is worked out from borrowed objects and the ids the Store will
//! hold (see `plan`), so `check` and `build` link while the repository rules run.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::ids::IdIndex;
use super::{Edge, ObjectIndex, MENTIONS};
use crate::stix::mentions::{holding, uuid_number};
use crate::stix::StixObject;

#[derive(Default)]
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

impl Graph {
    /// The edges of `count` objects, `latest(i)` being the latest version of the i-th. On one
    /// thread, for the reason `plan` gives; and so each edge goes straight into its row, where
    /// the lookups in parallel made a list per object first (a million small lists).
    pub(super) fn link<'o>(count: usize, latest: impl Fn(u32) -> &'o StixObject, targets: &Targets) -> Graph {
        let find = |id: &str| targets.ids.find(id).map(ObjectIndex);
        let mut interned: BTreeMap<String, u16> = BTreeMap::new();
        let mut intern = |property: &str| {
            let next = interned.len() as u16;
            match interned.get(property) {
                Some(&known) => known,
                None => *interned.entry(property.to_owned()).or_insert(next),
            }
        };
        let mut edges: Vec<Edge> = Vec::new();
        let mut out_start = Vec::with_capacity(count + 1);
        let mut crowd_mentions = Vec::new();
        // Kept from one object to the next, to allocate once.
        let (mut referenced, mut found_uuids): (Vec<ObjectIndex>, Vec<u128>) = (Vec::new(), Vec::new());
        for source in 0..count as u32 {
            let object = latest(source);
            let first = edges.len();
            out_start.push(first as u32);
            for reference in object.refs.iter() {
                if let Some(target) = find(&reference.target) {
                    edges.push(Edge { source: ObjectIndex(source), target, property: intern(&reference.property) });
                }
            }
            let mentioned = match edges.len() - first == object.refs.len() {
                true => Cow::Borrowed(object.mentioned_uuids()),
                false => object.mentions_among(|id| find(id).is_some()),
            };
            if mentioned.is_empty() {
                continue;
            }
            // The UUIDs of the targets found: a UUID that only one object holds, named by a
            // reference to it, is no mention, and a search of every UUID need not say so.
            // Sorted: a report may reference a million objects.
            referenced.clear();
            referenced.extend(edges[first..].iter().map(|edge| edge.target));
            referenced.sort_unstable();
            found_uuids.clear();
            found_uuids.extend(referenced.iter().filter_map(|target| uuid_number(&latest(target.0).id)));
            found_uuids.sort_unstable();
            for &uuid in mentioned.iter() {
                if found_uuids.binary_search(&uuid).is_ok() && targets.shared_uuids.binary_search(&uuid).is_err() {
                    continue;
                }
                if targets.crowded_uuids.binary_search(&uuid).is_ok() {
                    crowd_mentions.push((uuid, source));
                    continue;
                }
                let named = holding(targets.uuids, uuid).iter().map(|&(_, at)| ObjectIndex(at));
                for target in named.filter(|t| t.0 != source && referenced.binary_search(t).is_err()) {
                    edges.push(Edge { source: ObjectIndex(source), target, property: intern(MENTIONS) });
                }
            }
        }
        out_start.push(edges.len() as u32);
        let (incoming, in_start) = reversed(&edges, count);
        let mut properties = vec![String::new(); interned.len()];
        for (name, i) in interned {
            properties[i as usize] = name;
        }
        crowd_mentions.sort_unstable();
        Graph { properties, edges, out_start, incoming, in_start, crowd_mentions }
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
