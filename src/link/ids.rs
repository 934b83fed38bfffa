//! Finding an object by its id. A binary search over the sorted ids touches about twenty ids
//! scattered over the heap per lookup; with a million objects and several references each,
//! that was most of the link stage. Here an id is hashed once and found in one probe.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

/// The position of each id, by a 64-bit hash of it. Two ids with the same hash (never seen in
/// practice, but possible) are both kept: the second in `overflow`, searched after the table.
#[derive(Default)]
pub(crate) struct IdIndex {
    slots: HashMap<u64, u32, BuildHasherDefault<PassThrough>>,
    overflow: Vec<u32>,
}

impl IdIndex {
    /// Indexes `ids` (position i holds the id of object i).
    pub(crate) fn build<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> IdIndex {
        let mut index = IdIndex {
            slots: HashMap::with_capacity_and_hasher(ids.len(), BuildHasherDefault::default()),
            overflow: Vec::new(),
        };
        for (i, id) in ids.enumerate() {
            if let Some(first) = index.slots.insert(key(id), i as u32) {
                index.slots.insert(key(id), first);
                index.overflow.push(i as u32);
            }
        }
        index
    }

    /// The position of `id`; `id_at` gives the id at a position, to rule out a hash collision.
    pub(crate) fn find<'a>(&self, id: &str, id_at: impl Fn(u32) -> &'a str) -> Option<u32> {
        if let Some(&i) = self.slots.get(&key(id)) {
            if id_at(i) == id {
                return Some(i);
            }
        }
        self.overflow.iter().copied().find(|&i| id_at(i) == id)
    }
}

/// SipHash with fixed keys: the same on every run.
fn key(id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// The table's keys are hashes already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_and_strangers_are_not() {
        let ids = ["a--1", "b--2", "c--3"];
        let index = IdIndex::build(ids.iter().copied());
        let at = |i: u32| ids[i as usize];
        assert_eq!(index.find("b--2", at), Some(1));
        assert_eq!(index.find("d--4", at), None);
    }

    #[test]
    fn a_hash_collision_still_finds_both() {
        let ids = ["x--1", "x--1-twin"];
        let mut index = IdIndex::default();
        // Force both ids under one slot, as a collision would.
        index.slots.insert(key("x--1"), 0);
        index.slots.insert(key("x--1-twin"), 0);
        index.overflow.push(1);
        let at = |i: u32| ids[i as usize];
        assert_eq!(index.find("x--1", at), Some(0));
        assert_eq!(index.find("x--1-twin", at), Some(1));
    }
}
