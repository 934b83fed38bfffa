//! Scaffolds for contributors: `stixpress new` prints a fresh object to fill in, `stixpress
//! init` creates a new intelligence repository ready for pull requests.

mod init;
mod new;

pub use init::{init, InitOptions};
pub use new::{new_object, NewObject};

use crate::error::Error;

/// A random (version 4) UUID, from the operating system's generator.
pub fn random_uuid() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Usage(format!("no random numbers from the system: {e}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]))
}

/// Now, to the millisecond, as STIX writes `created` and `modified`.
pub fn now_text() -> String {
    crate::stix::Timestamp::now().to_millis_text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stix::{parse_id, SpecVersion, Timestamp};

    #[test]
    fn random_uuids_are_version_4_and_differ() {
        let a = random_uuid().unwrap();
        let b = random_uuid().unwrap();
        assert_ne!(a, b);
        let id = format!("malware--{a}");
        let parts = parse_id(&id, SpecVersion::V20).expect("a valid version 4 id");
        assert_eq!(parts.uuid_version(), 4);
    }

    #[test]
    fn now_is_a_stix_timestamp_with_milliseconds() {
        let now = now_text();
        assert_eq!(Timestamp::parse(&now).unwrap().fraction_digits, 3, "{now}");
    }
}
