//! Indicator values and the things they are built from: addresses, domain names, URLs, file
//! names and digests, and the STIX patterns that match them. Values given an ordinal are
//! distinct per ordinal (they become cyber-observables, whose ids derive from the value);
//! random ones may repeat, as indicator values do in real feeds.

use super::model::{Kind, Plan};
use super::rng::{mix, Rng};
use super::words;

/// First octets of publicly routed IPv4 space.
const PUBLIC_FIRST_OCTETS: &[u8] = &[
    5, 23, 31, 37, 45, 46, 62, 77, 78, 79, 80, 82, 85, 89, 91, 93, 94, 103, 104, 107, 109, 119, 141, 146, 149, 151,
    154, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217,
];

const DOMAIN_PARTS: &[&str] = &[
    "account", "app", "auth", "cdn", "cloud", "data", "docs", "files", "host", "login", "mail", "online", "portal",
    "secure", "service", "support", "sync", "update", "verify", "web",
];

/// A distinct public IPv4 address per ordinal (below 2^24).
pub fn ipv4(ordinal: u32) -> String {
    let low = ordinal.wrapping_mul(0x9e37_79b1) & 0x00ff_ffff;
    let first = PUBLIC_FIRST_OCTETS[(mix(u64::from(ordinal)) % PUBLIC_FIRST_OCTETS.len() as u64) as usize];
    format!("{first}.{}.{}.{}", low >> 16, (low >> 8) & 0xff, low & 0xff)
}

pub fn random_ipv4(rng: &mut Rng) -> String {
    let first = rng.pick(PUBLIC_FIRST_OCTETS);
    format!("{first}.{}.{}.{}", rng.below(256), rng.below(256), rng.between(1, 254))
}

/// A distinct domain name per ordinal.
pub fn domain(ordinal: u32) -> String {
    let (syllables, parts, tlds) = (words::SYLLABLES.len() as u32, DOMAIN_PARTS.len() as u32, words::TLDS.len() as u32);
    let a = words::SYLLABLES[(ordinal % syllables) as usize].to_lowercase();
    let b = DOMAIN_PARTS[(ordinal / syllables % parts) as usize];
    let tld = words::TLDS[(ordinal / syllables / parts % tlds) as usize];
    match ordinal / syllables / parts / tlds {
        0 => format!("{a}-{b}.{tld}"),
        n => format!("{a}-{b}{n}.{tld}"),
    }
}

pub fn random_domain(rng: &mut Rng) -> String {
    let a = rng.pick(words::SYLLABLES).to_lowercase();
    let b = rng.pick(DOMAIN_PARTS);
    format!("{a}{b}{}.{}", rng.below(1000), rng.pick(words::TLDS))
}

/// A distinct URL per ordinal.
pub fn url(ordinal: u32) -> String {
    let host = domain(ordinal.wrapping_mul(7) % 100_000);
    let token = ordinal.wrapping_mul(0x2545_f491);
    let mut rng = Rng::keyed(u64::from(ordinal), 0, super::rng::Stream::Name);
    format!("https://{host}/{}/{token:08x}/{}.php", rng.pick(words::PATHS), rng.pick(words::FILE_NAMES))
}

pub fn random_url(rng: &mut Rng) -> String {
    let scheme = if rng.per_mille(600) { "https" } else { "http" };
    let host = if rng.per_mille(200) { random_ipv4(rng) } else { random_domain(rng) };
    format!(
        "{scheme}://{host}/{}/{}.{}",
        rng.pick(words::PATHS),
        rng.pick(words::FILE_NAMES),
        rng.pick(&["php", "exe", "zip", "js"])
    )
}

pub fn file_name(rng: &mut Rng) -> String {
    let stem = rng.pick(words::FILE_NAMES);
    let ext = rng.pick(words::EXTENSIONS);
    if rng.per_mille(500) {
        format!("{stem}_{}.{ext}", rng.between(1, 9999))
    } else {
        format!("{stem}.{ext}")
    }
}

/// An indicator's name and STIX pattern (pattern strings never contain quotes or backslashes).
pub fn indicator_pattern(plan: &Plan, rng: &mut Rng) -> (String, String) {
    match rng.below(1000) {
        0..=249 => {
            let ip =
                if rng.per_mille(300) { ipv4(plan.ordinal(plan.pick(Kind::Ipv4Addr, rng))) } else { random_ipv4(rng) };
            (format!("C2 server {ip}"), format!("[ipv4-addr:value = '{ip}']"))
        }
        250..=449 => {
            let name = if rng.per_mille(300) {
                domain(plan.ordinal(plan.pick(Kind::DomainName, rng)))
            } else {
                random_domain(rng)
            };
            (format!("Malicious domain {name}"), format!("[domain-name:value = '{name}']"))
        }
        450..=579 => {
            let url = if rng.per_mille(300) { url(plan.ordinal(plan.pick(Kind::Url, rng))) } else { random_url(rng) };
            (format!("Malicious URL {url}"), format!("[url:value = '{url}']"))
        }
        580..=779 => {
            let sha256 = rng.hex(64);
            (sha256.clone(), format!("[file:hashes.'SHA-256' = '{sha256}']"))
        }
        780..=849 => {
            let (md5, name) = (rng.hex(32), file_name(rng));
            (format!("Malicious file {name}"), format!("[file:hashes.MD5 = '{md5}'] OR [file:name = '{name}']"))
        }
        850..=899 => {
            let (name, sha256) = (file_name(rng), rng.hex(64));
            (format!("Dropped file {name}"), format!("[file:name = '{name}' AND file:hashes.'SHA-256' = '{sha256}']"))
        }
        900..=939 => {
            let (ip, port) = (random_ipv4(rng), rng.pick(&[443, 8080, 8443, 4444, 53, 80]));
            let pattern = format!(
                "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '{ip}' AND network-traffic:dst_port = {port}]"
            );
            (format!("Beacon to {ip}:{port}"), pattern)
        }
        940..=969 => {
            let (sender, number) = (format!("billing@{}", random_domain(rng)), rng.between(1000, 99_999));
            let pattern =
                format!("[email-message:from_ref.value = '{sender}' AND email-message:subject = 'Invoice {number}']");
            (format!("Phishing email from {sender}"), pattern)
        }
        _ => {
            let (a, b) = (random_domain(rng), random_domain(rng));
            (format!("Domains {a} and {b}"), format!("[domain-name:value = '{a}'] OR [domain-name:value = '{b}']"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ordinal_values_are_distinct() {
        let n = 300_000;
        assert_eq!((0..n).map(ipv4).collect::<HashSet<_>>().len(), n as usize);
        assert_eq!((0..n).map(domain).collect::<HashSet<_>>().len(), n as usize);
        assert_eq!((0..n).map(url).collect::<HashSet<_>>().len(), n as usize);
    }
}
