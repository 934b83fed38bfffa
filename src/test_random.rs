//! Numbers for tests that try many random cases: xorshift64 from a fixed seed, so every run
//! tries the same cases and a failure can be replayed.

/// A generator of numbers below `n`, from `seed` (not zero).
pub(crate) fn below(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}
