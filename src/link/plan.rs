//! What linking can work out while the objects are still borrowed: the order the Store keeps
//! them in, which it leaves out, the ids and UUIDs it will find them by, and the edges between
//! them. `check` and `build` work this out on one core while the repository rules read the same
//! objects, in file order, on the other; the Store then only moves the objects into place.
//!
//! The sort runs on the plan's own thread: beside the rules, whose parallel parts keep rayon's
//! threads busy, a parallel sort waited behind their tasks and took longer than this one (a
//! million objects: 1.4 s against 2.0 s; the whole `check` 11.9 s against 13.4 s on average, on
//! 2 cores). Finding the edges' targets, the longer part, does go in parallel (`edges`): the
//! rules end first, and their threads then help.

use super::edges::{Graph, Targets};
use super::ids::{self, IdIndex};
use crate::stix::mentions::{shared_uuids, uuid_number, uuids_held_by_more_than};
use crate::stix::StixObject;

pub(crate) struct LinkPlan {
    /// Positions of the objects the Store keeps, in the Store's order, then of those it leaves
    /// out (every position once, so moving the objects is a permutation).
    pub(super) order: Vec<u32>,
    /// How many positions at the start of `order` are kept.
    pub(super) kept: usize,
    /// For each id in order: where its versions start among the kept ones (plus one final end).
    pub(super) version_start: Vec<u32>,
    pub(super) ids: IdIndex,
    /// The UUID of every id, sorted, with the id's position.
    pub(super) uuids: Vec<(u128, u32)>,
    pub(super) crowded_uuids: Vec<u128>,
    /// The references and mentions of the latest versions, by position in the Store.
    pub(super) graph: Graph,
}

impl LinkPlan {
    /// The plan for a Store of the valid objects among `objects`: what `check`, `build` and
    /// matching link (an invalid object is left out, and named in each audience's report).
    pub(crate) fn of_valid(objects: &[StixObject]) -> LinkPlan {
        LinkPlan::of(objects, |o| !o.invalid)
    }

    /// The plan for a Store of `objects` that `keep` accepts. Of copies of one version (same id
    /// and version time), the first in file order is kept.
    pub(crate) fn of(objects: &[StixObject], keep: impl Fn(&StixObject) -> bool + Sync) -> LinkPlan {
        let started = std::time::Instant::now();
        let (types, sorted) = version_order(objects, &keep);
        crate::timing::log_timing("link: sort", started);
        let mut order = Vec::with_capacity(objects.len());
        let mut version_start = Vec::new();
        // Where each distinct id's entry is in `sorted`: ids are compared, numbered and their
        // UUIDs read from their keys there, not from their text again.
        let mut first_at: Vec<u32> = Vec::new();
        let mut left_out: Vec<u32> = Vec::new();
        for (k, entry) in sorted.iter().enumerate() {
            let object = &objects[entry.at as usize];
            let same_id = |last: &StixObject| match (first_at.last().map(|&k| sorted[k as usize].key()), entry.key()) {
                (Some(Some(last_key)), Some(key)) => last_key == key,
                (Some(None), None) => last.id == object.id,
                _ => false,
            };
            match order.last().map(|&last| &objects[last as usize]) {
                Some(last) if same_id(last) => {
                    if last.version_time() == object.version_time() {
                        left_out.push(entry.at);
                        continue;
                    }
                }
                _ => {
                    version_start.push(order.len() as u32);
                    first_at.push(k as u32);
                }
            }
            order.push(entry.at);
        }
        let kept = order.len();
        version_start.push(kept as u32);
        let id_of = |i: usize| objects[order[version_start[i] as usize] as usize].id.as_str();
        let distinct = version_start.len() - 1;
        let key_of = |i: usize| sorted[first_at[i] as usize].key();
        let ids = IdIndex::build_keyed(&types, distinct, key_of, id_of);
        let uuid_of = |i: usize| match key_of(i) {
            Some((_, [high, low])) => Some(u128::from(high) << 64 | u128::from(low)),
            None => uuid_number(id_of(i)),
        };
        let mut uuids: Vec<(u128, u32)> = (0..distinct).filter_map(|i| Some((uuid_of(i)?, i as u32))).collect();
        drop((sorted, first_at));
        uuids.sort_unstable();
        let shared_uuids = shared_uuids(&uuids);
        let crowded_uuids = uuids_held_by_more_than(&uuids, super::CROWDED);
        crate::timing::log_timing("link: ids", started);
        let latest = |i: u32| &objects[order[version_start[i as usize + 1] as usize - 1] as usize];
        let targets = Targets { ids: &ids, uuids: &uuids, shared_uuids: &shared_uuids, crowded_uuids: &crowded_uuids };
        let graph = Graph::link(distinct, latest, &targets);
        crate::timing::log_timing("link: edges", started);
        order.extend(left_out);
        order.extend((0..objects.len() as u32).filter(|&i| !keep(&objects[i as usize])));
        debug_assert_eq!(order.len(), objects.len());
        LinkPlan { order, kept, version_start, ids, uuids, crowded_uuids, graph }
    }
}

/// An object in the sort: its position, and its id's key (`ids::order_key`) as its type's rank
/// and its UUID's halves (a `u128`'s alignment of 16 would make the entry twice the size), the
/// rank `NO_KEY` when the id has none.
struct Sorted {
    rank: u32,
    at: u32,
    uuid: [u64; 2],
}

const NO_KEY: u32 = u32::MAX;

impl Sorted {
    fn key(&self) -> Option<(u32, [u64; 2])> {
        (self.rank != NO_KEY).then_some((self.rank, self.uuid))
    }
}

/// The objects `keep` accepts, sorted by id, then version time, and the type names their keys
/// rank. Stable: among copies of one version, file order decides which one is kept. Positions
/// are sorted, not the objects (a few hundred bytes each, which a merge sort would move some
/// twenty times over at a million objects); the Store moves each object once, into its place.
/// Ids are compared by their type's rank and their UUID where both have one, the same order as
/// their text's without reading it from the heap, a cache miss per comparison (a third of the
/// sort's time).
fn version_order<'o>(
    objects: &'o [StixObject],
    keep: &(impl Fn(&StixObject) -> bool + Sync),
) -> (Vec<&'o str>, Vec<Sorted>) {
    let keys: Vec<Option<(&str, [u64; 2])>> = objects.iter().map(|o| ids::order_key(&o.id)).collect();
    let mut types: Vec<&str> = keys.iter().flatten().map(|(type_name, _)| *type_name).collect();
    types.sort_unstable();
    types.dedup();
    let rank = |type_name: &str| types.binary_search(&type_name).map_or(NO_KEY, |r| r as u32);
    let mut order: Vec<Sorted> = keys
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(&objects[*i]))
        .map(|(i, key)| match *key {
            Some((type_name, uuid)) => Sorted { rank: rank(type_name), at: i as u32, uuid },
            None => Sorted { rank: NO_KEY, at: i as u32, uuid: [0; 2] },
        })
        .collect();
    drop(keys);
    order.sort_by(|a, b| {
        let (a_object, b_object) = (&objects[a.at as usize], &objects[b.at as usize]);
        let by_id = match (a.key(), b.key()) {
            (Some(a_key), Some(b_key)) => a_key.cmp(&b_key),
            _ => a_object.id.cmp(&b_object.id),
        };
        by_id.then_with(|| a_object.version_time().cmp(&b_object.version_time()))
    });
    (types, order)
}

/// Puts what was at `order[k]` at position `k`, for every `k`, in place: each cycle of the
/// permutation is followed once with swaps. `order` is left as the identity.
pub(super) fn apply_permutation<T>(items: &mut [T], order: &mut [u32]) {
    for start in 0..items.len() {
        let mut k = start;
        // A position already placed (or in place) points at itself.
        while order[k] as usize != k {
            let from = order[k] as usize;
            order[k] = k as u32;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}
