//! BLAKE3 cut to 128 bits: the digest by which the project tells contents apart (object
//! versions, the history's texts, output files). Contributors write what is digested, so the
//! digest must be one whose collisions cannot be made on purpose.

/// The digest of `bytes`.
pub(crate) fn of(bytes: &[u8]) -> [u8; 16] {
    let mut out = [0; 16];
    out.copy_from_slice(&blake3::hash(bytes).as_bytes()[..16]);
    out
}

/// Adds `text` to bytes that will be digested, length first, so that no two sequences of
/// texts give the same bytes (as `audience::reads::text` feeds a hasher).
pub(crate) fn push_text(out: &mut Vec<u8>, text: &str) {
    push_bytes(out, text.as_bytes());
}

/// Adds `bytes` to bytes that will be digested, length first, as `push_text` a text.
pub(crate) fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}
