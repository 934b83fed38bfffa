//! A small deterministic random number generator (SplitMix64) and the UUIDs made from it.
//!
//! Every value in a generated repository comes from a stream keyed by the seed, an object's
//! index and a purpose, so any object can be rebuilt on its own: by its writer, or by another
//! object that needs its id, its timestamps or its TLP level. Never share one stream between
//! two purposes: adding a draw to one must not shift the values of the other.

/// What a stream is used for; part of its key.
#[derive(Clone, Copy)]
pub enum Stream {
    Id = 1,
    Time,
    Level,
    Shape,
    Content,
    Name,
    Author,
    Revision,
    Bundle,
    Plan,
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 finaliser: a good 64-bit mixing function.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// The stream for one `purpose` of the object (or file, or version) `key`.
    pub fn keyed(seed: u64, key: u64, purpose: Stream) -> Rng {
        Rng(mix(seed ^ mix(key.wrapping_mul(GOLDEN) ^ purpose as u64)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A number in `0..n` (`n` > 0), without modulo bias worth speaking of.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True `p` times in a thousand.
    pub fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// `len` lowercase hexadecimal digits.
    pub fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(len);
        out
    }

    /// A random (version 4) UUID.
    pub fn uuid4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        format_uuid(bytes, 4)
    }
}

/// Sets the version and RFC 4122 variant bits and writes the usual 8-4-4-4-12 form.
pub fn format_uuid(mut bytes: [u8; 16], version: u8) -> String {
    bytes[6] = (bytes[6] & 0x0f) | (version << 4);
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = Rng::keyed(7, 42, Stream::Id).uuid4();
        assert_eq!(a, Rng::keyed(7, 42, Stream::Id).uuid4());
        assert_ne!(a, Rng::keyed(7, 43, Stream::Id).uuid4());
        assert_ne!(a, Rng::keyed(7, 42, Stream::Name).uuid4());
        assert_eq!(&a[14..15], "4");
    }
}
