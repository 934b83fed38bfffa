//! The hash for maps keyed by what contributors write (ids, type names), where lookups are
//! counted in millions: foldhash's fast hash, seeded from the system's random numbers.
//!
//! SipHash was used first, since a pull request that could choose ids colliding in one table
//! would make a check quadratic. It cost a tenth of a million-object `check`. foldhash mixes a
//! secret seed into every word with a folded multiply: ids that collide would have to be chosen
//! without knowing the seed, and nothing a run prints or writes (no order, no output) shows a
//! hash. foldhash seeds itself from addresses and the time, as it does not claim to resist
//! chosen keys; here both its seeds come from the operating system instead. Nothing decides
//! whether two contents are the same by this hash (that is BLAKE3).

use std::hash::BuildHasher;
use std::sync::OnceLock;

use foldhash::fast::{FoldHasher, SeedableRandomState};
use foldhash::SharedSeed;

/// Builds hashers with a seed of the process's and one of the map's own.
#[derive(Clone)]
pub(crate) struct KeyedState(SeedableRandomState);

impl Default for KeyedState {
    fn default() -> Self {
        static SHARED: OnceLock<SharedSeed> = OnceLock::new();
        let shared = SHARED.get_or_init(|| SharedSeed::from_u64(random_u64()));
        KeyedState(SeedableRandomState::with_seed(random_u64(), shared))
    }
}

impl BuildHasher for KeyedState {
    type Hasher = FoldHasher<'static>;

    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

pub(crate) type KeyedHashMap<K, V> = std::collections::HashMap<K, V, KeyedState>;

pub(crate) type KeyedHashSet<K> = std::collections::HashSet<K, KeyedState>;

/// 64 random bits from the operating system. Without them (no such source), std's own random
/// keys, which the standard library gets from the same place or panics.
fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => std::collections::hash_map::RandomState::new().hash_one(0u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_maps_hash_one_id_differently() {
        let id = "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061";
        let (a, b) = (KeyedState::default(), KeyedState::default());
        assert_eq!(a.hash_one(id), a.hash_one(id));
        assert_ne!(a.hash_one(id), b.hash_one(id));
    }
}
