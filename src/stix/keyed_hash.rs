//! The hash for maps keyed by what contributors write (ids, type names), where lookups are
//! counted in millions: foldhash's fast hash, seeded at random per map.
//!
//! SipHash was used first, since a pull request that could choose ids colliding in one table
//! would make a check quadratic. It cost a tenth of a million-object `check`. foldhash mixes a
//! secret random seed into every word with a folded multiply: ids that collide would have to be
//! chosen without knowing the seed, and nothing a build writes (no order, no output) shows a
//! hash. Nothing decides whether two contents are the same by it (that is BLAKE3).

pub(crate) type KeyedState = foldhash::fast::RandomState;

pub(crate) type KeyedHashMap<K, V> = std::collections::HashMap<K, V, KeyedState>;
