//! What identifies the running program, for what a run keeps for the next (object pages' notes,
//! the load cache): a program that reads or checks differently never takes what an older one
//! made as its own.

use std::sync::OnceLock;

/// A BLAKE3 hash of the program's own file, read once a run. A program that cannot read itself
/// gets a random fingerprint, so nothing kept from another run is taken as its own.
pub(crate) fn fingerprint() -> &'static [u8; 32] {
    static FINGERPRINT: OnceLock<[u8; 32]> = OnceLock::new();
    FINGERPRINT.get_or_init(|| match std::env::current_exe().and_then(std::fs::read) {
        Ok(program) => *blake3::hash(&program).as_bytes(),
        Err(_) => {
            let mut random = [0; 32];
            let _ = getrandom::fill(&mut random);
            random
        }
    })
}
