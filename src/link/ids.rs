//! Finding an object of the Store by its id. A binary search over the sorted ids touched about
//! twenty ids scattered over the heap per lookup. A table of 64-bit hashes then found the slot
//! in one probe, but had to read the object's id to rule out a collision: three more cache
//! misses, a tenth of a million-object `check`. Here the table's key is the id itself, as
//! numbers: the type's number and the UUID's 128 bits, which together spell exactly one id.
//! (The repository rules' map keyed by the id's text, which it borrows, stays quicker there.)

use std::collections::hash_map::Entry;

use crate::stix::keyed_hash::KeyedHashMap;

/// A number for each id, in the order ids were first given. Ids are written by contributors:
/// the tables hash with a random seed (`keyed_hash`), so no set of ids can be chosen to collide.
#[derive(Default)]
pub(crate) struct IdIndex {
    /// Ids of the usual form, `type--uuid` with the UUID in lower case, by `Key`.
    usual: KeyedHashMap<Key, u32>,
    /// The number of each type name in `usual`'s keys.
    types: KeyedHashMap<Box<str>, u32>,
    /// Every other id (upper-case or malformed UUIDs, no `--`), whole.
    others: KeyedHashMap<Box<str>, u32>,
}

/// A type's number and a UUID's two halves (not a `u128`, whose alignment of 16 would pad
/// every slot of the table to 48 bytes).
pub(crate) type Key = (u32, [u64; 2]);

impl IdIndex {
    /// Numbers distinct `ids`: the id at position i gets number i.
    #[cfg(test)]
    pub(crate) fn build<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> IdIndex {
        let mut index = IdIndex::with_capacity(ids.len());
        for id in ids {
            let (_, new) = index.number(id);
            debug_assert!(new, "{id} is given twice");
        }
        index
    }

    /// `build` for `count` ids whose usual form the caller has already read: `key(i)` is the id
    /// at position i as its type's position in `types` and its UUID (`order_key`), or None, and
    /// `id(i)` is its text, read only for ids without a key. A million ids are then numbered
    /// without reading their text again.
    pub(crate) fn build_keyed<'a>(
        types: &[&str],
        count: usize,
        key: impl Fn(usize) -> Option<Key>,
        id: impl Fn(usize) -> &'a str,
    ) -> IdIndex {
        let mut index = IdIndex::with_capacity(count);
        index.types.extend(types.iter().enumerate().map(|(rank, name)| (Box::from(*name), rank as u32)));
        for i in 0..count {
            let (_, new) = match key(i) {
                Some(key) => index.number_usual(key),
                None => index.number(id(i)),
            };
            debug_assert!(new, "{} is given twice", id(i));
        }
        index
    }

    fn with_capacity(ids: usize) -> IdIndex {
        let mut index = IdIndex::default();
        index.usual.reserve(ids);
        index
    }

    /// How many ids have a number.
    fn len(&self) -> usize {
        self.usual.len() + self.others.len()
    }

    /// The number of `id`, and whether it is new: an id given before keeps its number, a new
    /// one gets the next.
    fn number(&mut self, id: &str) -> (u32, bool) {
        let Some((type_name, uuid)) = usual_form(id) else {
            let next = self.len() as u32;
            return match self.others.get(id) {
                Some(&known) => (known, false),
                None => {
                    self.others.insert(id.into(), next);
                    (next, true)
                }
            };
        };
        let type_number = match self.types.get(type_name) {
            Some(&known) => known,
            None => {
                let number = self.types.len() as u32;
                *self.types.entry(type_name.into()).or_insert(number)
            }
        };
        self.number_usual((type_number, uuid))
    }

    /// `number` for an id of the usual form, as its key.
    fn number_usual(&mut self, key: Key) -> (u32, bool) {
        let next = self.len() as u32;
        match self.usual.entry(key) {
            Entry::Occupied(known) => (*known.get(), false),
            Entry::Vacant(slot) => (*slot.insert(next), true),
        }
    }

    /// The number of `id`, if it has one.
    pub(crate) fn find(&self, id: &str) -> Option<u32> {
        match usual_form(id) {
            Some((type_name, uuid)) => self.usual.get(&(*self.types.get(type_name)?, uuid)).copied(),
            None => self.others.get(id).copied(),
        }
    }
}

/// The type and the UUID of an id of the form `type--uuid`, the UUID in canonical lower case
/// (`8-4-4-4-12` hex digits) and the type all that comes before: the form in which one id is
/// one pair, and back. (Found from the end: `split_once` searched for `--` with a general
/// substring search, a third of the time of a lookup.)
fn usual_form(id: &str) -> Option<(&str, [u64; 2])> {
    let at = id.len().checked_sub(38)?;
    let (type_name, rest) = (id.get(..at)?, &id.as_bytes()[at..]);
    let uuid = rest.strip_prefix(b"--")?;
    if [8, 13, 18, 23].iter().any(|&i| uuid[i] != b'-') {
        return None;
    }
    // Without a branch per digit: a digit that is not one sets the high bit of `wrong`.
    let (mut value, mut wrong) = (0u128, 0u8);
    for &i in &DIGIT_AT {
        let digit = LOWER_HEX[uuid[i] as usize];
        wrong |= digit;
        value = value << 4 | u128::from(digit & 0xf);
    }
    (wrong & 0x80 == 0).then_some((type_name, [(value >> 64) as u64, value as u64]))
}

/// What orders an id of the usual form whose type is written as the specification's grammar
/// has it (`[a-z0-9]+(-[a-z0-9]+)*`): its type, then its UUID as a number. Between two such
/// ids this is the order of their text, found without reading the text again: where a type is
/// the start of another, the longer goes on with a letter, a digit, or `-` and one of them, and
/// the shorter with `--`, whose `-` sorts first; lower-case hex digits sort as their values
/// (the UUID's halves, compared in turn, as the number).
pub(super) fn order_key(id: &str) -> Option<(&str, [u64; 2])> {
    let (type_name, uuid) = usual_form(id)?;
    let segments_ok =
        type_name.split('-').all(|s| !s.is_empty() && s.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9')));
    segments_ok.then_some((type_name, uuid))
}

/// Where the 32 hex digits of a UUID are, between its four hyphens.
const DIGIT_AT: [usize; 32] = {
    let mut at = [0; 32];
    let (mut i, mut k) = (0, 0);
    while i < 36 {
        if !matches!(i, 8 | 13 | 18 | 23) {
            at[k] = i;
            k += 1;
        }
        i += 1;
    }
    at
};

/// The value of each lower-case hex digit; 0x80 for every other byte.
const LOWER_HEX: [u8; 256] = {
    let mut table = [0x80; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = match c as u8 {
            b'0'..=b'9' => c as u8 - b'0',
            b'a'..=b'f' => c as u8 - b'a' + 10,
            _ => 0x80,
        };
        c += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_and_strangers_are_not() {
        let ids = [
            "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "tool--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "malware--ffffffff-0000-4000-8000-000000000001",
            "x-odd--NOT-A-UUID",
            "MALWARE--0C7B5B88-8FF7-4A4D-AA9D-FEB398CD0061",
            "no-separator",
        ];
        let index = IdIndex::build(ids.iter().copied());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.find(id), Some(i as u32), "{id}");
        }
        // Same UUID, other type; other case; a type never seen; one digit off.
        for stranger in [
            "indicator--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "malware--0C7B5B88-8FF7-4A4D-AA9D-FEB398CD0061",
            "campaign--ffffffff-0000-4000-8000-000000000001",
            "malware--ffffffff-0000-4000-8000-000000000002",
            "malware--ffffffff-0000-4000-8000-00000000001",
            "",
        ] {
            assert_eq!(index.find(stranger), None, "{stranger}");
        }
    }

    #[test]
    fn ids_numbered_from_their_keys_are_found_as_ids_numbered_from_their_text() {
        let ids = [
            "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "x-odd--NOT-A-UUID",
            "tool--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "A--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "MALWARE--0C7B5B88-8FF7-4A4D-AA9D-FEB398CD0061",
            "malware--ffffffff-0000-4000-8000-000000000001",
            "a--b---0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
        ];
        let keys: Vec<Option<(&str, [u64; 2])>> = ids.iter().map(|id| order_key(id)).collect();
        let mut types: Vec<&str> = keys.iter().flatten().map(|(t, _)| *t).collect();
        types.sort_unstable();
        types.dedup();
        let rank = |t: &str| types.binary_search(&t).unwrap() as u32;
        let key = |i: usize| keys[i].map(|(t, uuid)| (rank(t), uuid));
        let keyed = IdIndex::build_keyed(&types, ids.len(), key, |i| ids[i]);
        let from_text = IdIndex::build(ids.iter().copied());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!((keyed.find(id), from_text.find(id)), (Some(i as u32), Some(i as u32)), "{id}");
        }
        for stranger in ["indicator--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061", "a--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"] {
            assert_eq!(keyed.find(stranger), None, "{stranger}");
        }
    }

    #[test]
    fn an_id_given_again_keeps_its_number() {
        let mut index = IdIndex::default();
        let ids =
            ["tool--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061", "x--odd", "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"];
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.number(id), (i as u32, true));
        }
        for (i, id) in ids.iter().enumerate().rev() {
            assert_eq!(index.number(id), (i as u32, false));
        }
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn ids_ordered_by_their_keys_are_in_the_order_of_their_text() {
        let uuids = [
            "00000000-0000-4000-8000-000000000000",
            "0fffffff-0000-4000-8000-000000000000",
            "a0000000-0000-4000-8000-000000000000",
            "ffffffff-ffff-4fff-bfff-ffffffffffff",
        ];
        let types =
            ["a", "a0", "a-b", "a-b-c", "ab", "b", "x-mitre-tactic", "x-mitre-tactic2", "x-mitre-tactics", "z9"];
        let ids: Vec<String> = types.iter().flat_map(|t| uuids.iter().map(move |u| format!("{t}--{u}"))).collect();
        for a in &ids {
            for b in &ids {
                let (ka, kb) = (order_key(a).unwrap(), order_key(b).unwrap());
                assert_eq!(ka.cmp(&kb), a.cmp(b), "{a} against {b}");
            }
        }
        // Types outside the grammar keep no key: their text decides.
        for odd in [
            "a--b--00000000-0000-4000-8000-000000000000",
            "a---00000000-0000-4000-8000-000000000000",
            "A--00000000-0000-4000-8000-000000000000",
            "a!--00000000-0000-4000-8000-000000000000",
            "--00000000-0000-4000-8000-000000000000",
        ] {
            assert_eq!(order_key(odd), None, "{odd}");
        }
    }

    #[test]
    fn only_lower_case_canonical_uuids_take_the_usual_form() {
        let usual = usual_form("malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
        assert_eq!(usual, Some(("malware", [0x0c7b_5b88_8ff7_4a4d, 0xaa9d_feb3_98cd_0061])));
        // The type is all before the UUID's `--`, whatever it holds: still one id, one pair.
        let odd = usual_form("a--b---0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
        assert_eq!(odd, Some(("a--b-", [0x0c7b_5b88_8ff7_4a4d, 0xaa9d_feb3_98cd_0061])));
        for other in [
            "malware--0C7B5B88-8FF7-4A4D-AA9D-FEB398CD0061",
            "malware--0c7b5b888ff7-4a4d-aa9d-feb398cd0061-",
            "malware-0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd006g",
            "malware--{0c7b5b88-8ff7-4a4d-aa9d-feb398cd00}",
        ] {
            assert_eq!(usual_form(other), None, "{other}");
        }
    }
}
