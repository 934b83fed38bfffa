//! Checks on the constants a pattern compares against: IP addresses and CIDR blocks, MAC
//! addresses, hash digests by algorithm, real calendar dates.
//!
//! Each check returns `None` when the value is fine, or a short sentence saying what is wrong.
//! They look at values only; which property a value belongs to is the linter's business.

use std::net::{Ipv4Addr, Ipv6Addr};

/// An IPv4 address, optionally with a `/0`–`/32` prefix.
pub fn ipv4_problem(value: &str) -> Option<String> {
    let (addr, prefix) = split_prefix(value);
    if addr.parse::<Ipv4Addr>().is_err() {
        return Some(format!("'{value}' is not an IPv4 address or CIDR block"));
    }
    prefix_problem(value, prefix, 32)
}

/// An IPv6 address, optionally with a `/0`–`/128` prefix.
pub fn ipv6_problem(value: &str) -> Option<String> {
    let (addr, prefix) = split_prefix(value);
    if addr.parse::<Ipv6Addr>().is_err() {
        return Some(format!("'{value}' is not an IPv6 address or CIDR block"));
    }
    prefix_problem(value, prefix, 128)
}

/// For ISSUBSET / ISSUPERSET on a path of unknown address family: either kind will do.
pub fn ip_problem(value: &str) -> Option<String> {
    if ipv4_problem(value).is_none() || ipv6_problem(value).is_none() {
        return None;
    }
    Some(format!("'{value}' is not an IP address or CIDR block"))
}

fn split_prefix(value: &str) -> (&str, Option<&str>) {
    match value.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (value, None),
    }
}

fn prefix_problem(value: &str, prefix: Option<&str>, max: u32) -> Option<String> {
    let prefix = prefix?;
    let digits_ok = !prefix.is_empty() && prefix.len() <= 3 && prefix.bytes().all(|b| b.is_ascii_digit());
    match prefix.parse::<u32>() {
        Ok(n) if digits_ok && n <= max => None,
        _ => Some(format!("'{value}' has a prefix length outside /0–/{max}")),
    }
}

/// MAC-48 as STIX wants it: six lower-case, zero-padded, colon-separated octets.
pub fn mac_problem(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let ok = b.len() == 17
        && b.iter().enumerate().all(|(i, &c)| {
            if i % 3 == 2 {
                c == b':'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
            }
        });
    if ok {
        None
    } else {
        Some(format!("'{value}' is not a MAC address of the form 00:1a:2b:3c:4d:5e (lower case, colons)"))
    }
}

/// Hex digest lengths of the fixed-length algorithms, keyed by the algorithm name in upper
/// case without hyphens.
const HEX_DIGESTS: &[(&str, &[usize])] = &[
    ("MD5", &[32]),
    ("SHA1", &[40]),
    ("SHA224", &[56]),
    ("SHA256", &[64]),
    ("SHA384", &[96]),
    ("SHA512", &[128]),
    ("SHA3224", &[56]),
    ("SHA3256", &[64]),
    ("SHA3384", &[96]),
    ("SHA3512", &[128]),
    ("RIPEMD160", &[40]),
    ("WHIRLPOOL", &[128]),
    ("MD6", &[32, 40, 56, 64, 96, 128]),
];

/// The normalised name the tables use: `'SHA-256'`, `sha256` → `SHA256`.
pub fn normalise_algorithm(name: &str) -> String {
    name.chars().filter(|&c| c != '-').map(|c| c.to_ascii_uppercase()).collect()
}

/// Whether `algorithm` is one whose digests are fixed-length hex (MD5, SHA-*, SHA3-*, …).
#[cfg(test)]
pub fn is_fixed_length_algorithm(algorithm: &str) -> bool {
    let key = normalise_algorithm(algorithm);
    HEX_DIGESTS.iter().any(|(name, _)| *name == key)
}

/// Whether [`hash_problem`] knows the shape of `algorithm`'s digests.
pub fn is_known_algorithm(algorithm: &str) -> bool {
    let key = normalise_algorithm(algorithm);
    HEX_DIGESTS.iter().any(|(name, _)| *name == key) || key == "SSDEEP" || key == "TLSH"
}

/// A digest for `algorithm`; algorithms this module does not know pass.
pub fn hash_problem(algorithm: &str, value: &str) -> Option<String> {
    let key = normalise_algorithm(algorithm);
    if let Some((_, lengths)) = HEX_DIGESTS.iter().find(|(name, _)| *name == key) {
        return hex_digest_problem(algorithm, value, lengths);
    }
    match key.as_str() {
        "SSDEEP" => ssdeep_problem(value),
        "TLSH" => tlsh_problem(value),
        _ => None,
    }
}

fn hex_digest_problem(algorithm: &str, value: &str, lengths: &[usize]) -> Option<String> {
    if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(format!("'{value}' is not a valid {algorithm} hash: not hexadecimal"));
    }
    if lengths.contains(&value.len()) {
        return None;
    }
    let wanted: Vec<String> = lengths.iter().map(usize::to_string).collect();
    Some(format!(
        "'{value}' is not a valid {algorithm} hash: {} hex digits, expected {}",
        value.len(),
        wanted.join(" or ")
    ))
}

/// `blocksize:chunk:double_chunk`, each chunk base64 characters.
fn ssdeep_problem(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, ':');
    let (block, first, second) = (parts.next()?, parts.next(), parts.next());
    let b64 =
        |s: &str, max: usize| s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
    let ok = !block.is_empty()
        && block.bytes().all(|b| b.is_ascii_digit())
        && first.is_some_and(|s| b64(s, 64))
        && second.is_some_and(|s| b64(s, 64));
    if ok {
        None
    } else {
        Some(format!("'{value}' is not a valid SSDEEP hash: expected blocksize:hash:hash"))
    }
}

/// 70 or 134 hex digits, optionally after a `T1` version prefix.
fn tlsh_problem(value: &str) -> Option<String> {
    let digits = value.strip_prefix("T1").or_else(|| value.strip_prefix("t1")).unwrap_or(value);
    let ok = (digits.len() == 70 || digits.len() == 134) && digits.bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        None
    } else {
        Some(format!("'{value}' is not a valid TLSH hash: expected 70 or 134 hex digits, optionally after 'T1'"))
    }
}

/// A timestamp whose fields are in range but whose day does not exist (2023-02-29).
pub fn calendar_problem(timestamp: &str) -> Option<String> {
    let b = timestamp.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| timestamp.get(r)?.parse::<u32>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (day > days).then(|| format!("'{timestamp}' is not a real date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_blocks() {
        assert_eq!(ipv4_problem("198.51.100.1"), None);
        assert_eq!(ipv4_problem("203.0.113.0/24"), None);
        assert!(ipv4_problem("198.51.100.256").is_some());
        assert!(ipv4_problem("10.0.0.0/33").is_some());
        assert!(ipv4_problem("10.0.0.0/").is_some());
        assert!(ipv4_problem("example.com").is_some());
        assert_eq!(ipv6_problem("2001:db8::1"), None);
        assert_eq!(ipv6_problem("2001:0db8:dead:beef:0000:0000:0000:0000/64"), None);
        assert!(ipv6_problem("2001:db8::/129").is_some());
        assert!(ipv6_problem("198.51.100.1").is_some());
        assert_eq!(ip_problem("10.0.0.0/8"), None);
    }

    #[test]
    fn digests_by_algorithm() {
        assert_eq!(hash_problem("MD5", "cead3f77f6cda6ec00f57d76c9a6879f"), None);
        assert!(hash_problem("SHA-256", "f00").is_some());
        assert!(hash_problem("sha-1", "zz3f77f6cda6ec00f57d76c9a6879f0000000000").is_some());
        assert_eq!(hash_problem("SHA3-256", &"a".repeat(64)), None);
        assert_eq!(hash_problem("SSDEEP", "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"), None);
        assert!(hash_problem("SSDEEP", "not a digest").is_some());
        assert_eq!(hash_problem("TLSH", &format!("T1{}", "A".repeat(70))), None);
        assert!(hash_problem("TLSH", "abc").is_some());
        assert_eq!(hash_problem("x-custom", "anything"), None);
    }

    #[test]
    fn mac_and_calendar() {
        assert_eq!(mac_problem("00:1a:2b:3c:4d:5e"), None);
        assert!(mac_problem("00-1A-2B-3C-4D-5E").is_some());
        assert!(calendar_problem("2023-02-29T00:00:00Z").is_some());
        assert_eq!(calendar_problem("2024-02-29T00:00:00Z"), None);
    }
}
