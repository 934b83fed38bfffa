//! Which kind of blocklist value a pattern's equality test (or an observable's property) gives,
//! in the normal form a firewall, a proxy or a SIEM lookup table compares against.
//!
//! A value that does not fit its kind is left out, with the reason: a line in a blocklist that
//! a firewall cannot read can make it reject the whole file. Control characters are refused in
//! every kind, since a newline inside a value would add a line of the contributor's choosing.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::stix::pattern::EqualityTest;

/// The kinds, in the order the feeds list them. Each has its own text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Ipv4,
    Ipv6,
    Cidr,
    Domain,
    Url,
    Email,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Ssdeep,
    FileName,
    Mac,
    Mutex,
    RegistryKey,
    Asn,
    UserAgent,
}

impl Kind {
    pub const ALL: [Kind; 17] = [
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Cidr,
        Kind::Domain,
        Kind::Url,
        Kind::Email,
        Kind::Md5,
        Kind::Sha1,
        Kind::Sha256,
        Kind::Sha512,
        Kind::Ssdeep,
        Kind::FileName,
        Kind::Mac,
        Kind::Mutex,
        Kind::RegistryKey,
        Kind::Asn,
        Kind::UserAgent,
    ];

    /// The name in file names and in the CSV's `kind` column.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Cidr => "cidr",
            Kind::Domain => "domain",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::Md5 => "md5",
            Kind::Sha1 => "sha1",
            Kind::Sha256 => "sha256",
            Kind::Sha512 => "sha512",
            Kind::Ssdeep => "ssdeep",
            Kind::FileName => "filename",
            Kind::Mac => "mac",
            Kind::Mutex => "mutex",
            Kind::RegistryKey => "registry-key",
            Kind::Asn => "asn",
            Kind::UserAgent => "user-agent",
        }
    }

    /// What a line holds, for the feeds' index page.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Ipv4 => "IPv4 addresses in dotted decimal (a /32 block is written as its address)",
            Kind::Ipv6 => "IPv6 addresses in RFC 5952 form: lower case, shortest (a /128 block as its address)",
            Kind::Cidr => "IPv4 and IPv6 blocks as address/prefix, the address in the same form as above",
            Kind::Domain => "domain names in lower case, without a trailing dot (internationalised names in xn-- form)",
            Kind::Url => "URLs with scheme and host in lower case, the rest as given",
            Kind::Email => "e-mail addresses in lower case",
            Kind::Md5 => "MD5 digests, lower-case hex",
            Kind::Sha1 => "SHA-1 digests, lower-case hex",
            Kind::Sha256 => "SHA-256 digests, lower-case hex",
            Kind::Sha512 => "SHA-512 digests, lower-case hex",
            Kind::Ssdeep => "ssdeep fuzzy hashes (blocksize:hash:hash), as given",
            Kind::FileName => "file names, as given (case kept)",
            Kind::Mac => "MAC addresses, lower case with colons",
            Kind::Mutex => "mutex names, as given",
            Kind::RegistryKey => "Windows registry keys, as given",
            Kind::Asn => "autonomous system numbers, decimal",
            Kind::UserAgent => "HTTP User-Agent header values, as given",
        }
    }

    /// MISP's attribute type and category for a value of this kind.
    pub fn misp(self) -> (&'static str, &'static str) {
        match self {
            Kind::Ipv4 | Kind::Ipv6 | Kind::Cidr => ("ip-dst", "Network activity"),
            Kind::Domain => ("domain", "Network activity"),
            Kind::Url => ("url", "Network activity"),
            Kind::Email => ("email", "Network activity"),
            Kind::Md5 => ("md5", "Payload delivery"),
            Kind::Sha1 => ("sha1", "Payload delivery"),
            Kind::Sha256 => ("sha256", "Payload delivery"),
            Kind::Sha512 => ("sha512", "Payload delivery"),
            Kind::Ssdeep => ("ssdeep", "Payload delivery"),
            Kind::FileName => ("filename", "Payload delivery"),
            Kind::Mac => ("mac-address", "Network activity"),
            Kind::Mutex => ("mutex", "Artifacts dropped"),
            Kind::RegistryKey => ("regkey", "Persistence mechanism"),
            Kind::Asn => ("AS", "Network activity"),
            Kind::UserAgent => ("user-agent", "Network activity"),
        }
    }
}

/// A value ready for a blocklist.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Observable {
    pub kind: Kind,
    pub value: String,
}

/// A value of a known kind that cannot be published as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub kind: Kind,
    pub reason: &'static str,
}

/// `values` without repeats, each where it first appears (a pattern's values, as a blocklist
/// takes them). Hashed, not searched: a pattern may OR any number of values, and they are
/// contributed (SipHash, which they cannot make collide).
pub(crate) fn first_of_each(values: impl IntoIterator<Item = Observable>) -> Vec<Observable> {
    let values: Vec<Observable> = values.into_iter().collect();
    let mut seen: HashSet<&Observable> = HashSet::with_capacity(values.len());
    let first: Vec<bool> = values.iter().map(|value| seen.insert(value)).collect();
    drop(seen);
    values.into_iter().zip(first).filter_map(|(value, first)| first.then_some(value)).collect()
}

/// Longer than any real indicator value; a bigger one is a mistake or an attack on consumers.
const MAX_VALUE_BYTES: usize = 8192;

/// The kind of value an equality test compares against, if it is one a blocklist holds.
pub fn from_test(test: &EqualityTest) -> Option<Result<Observable, Rejected>> {
    let kind = kind_of(&test.object_type, &test.path, &test.value)?;
    Some(normalise(kind, &test.value))
}

/// The kind of the value at `path` (canonical pattern path) of an object of `object_type`.
pub fn kind_of(object_type: &str, path: &str, value: &str) -> Option<Kind> {
    if let Some(algorithm) = path.strip_prefix("hashes.") {
        return matches!(object_type, "file" | "artifact").then(|| hash_kind(algorithm)).flatten();
    }
    Some(match (object_type, path) {
        ("ipv4-addr", "value") => Kind::Ipv4,
        ("ipv6-addr", "value") => Kind::Ipv6,
        ("domain-name", "value") => Kind::Domain,
        ("url", "value") => Kind::Url,
        ("email-addr", "value") | ("email-message", "from_ref.value" | "sender_ref.value") => Kind::Email,
        ("file", "name") => Kind::FileName,
        ("mac-addr", "value") => Kind::Mac,
        ("mutex", "name") => Kind::Mutex,
        ("windows-registry-key", "key") => Kind::RegistryKey,
        ("autonomous-system", "number") => Kind::Asn,
        ("network-traffic", "src_ref.value" | "dst_ref.value") => address_kind(value),
        ("network-traffic", "extensions.'http-request-ext'.request_header.'User-Agent'") => Kind::UserAgent,
        _ => return None,
    })
}

/// `MD5`, `'SHA-256'`, `SHA256` → the kind; other algorithms have no list.
fn hash_kind(algorithm: &str) -> Option<Kind> {
    let name = algorithm.trim_matches('\'');
    match crate::stix::pattern::normalise_algorithm(name).as_str() {
        "MD5" => Some(Kind::Md5),
        "SHA1" => Some(Kind::Sha1),
        "SHA256" => Some(Kind::Sha256),
        "SHA512" => Some(Kind::Sha512),
        "SSDEEP" => Some(Kind::Ssdeep),
        _ => None,
    }
}

/// A network-traffic end may be an address of either family, or a name.
fn address_kind(value: &str) -> Kind {
    let address = value.split('/').next().unwrap_or(value);
    if address.parse::<Ipv4Addr>().is_ok() {
        Kind::Ipv4
    } else if address.contains(':') {
        Kind::Ipv6
    } else {
        Kind::Domain
    }
}

/// The value in its kind's normal form, or why it cannot be listed.
pub fn normalise(kind: Kind, value: &str) -> Result<Observable, Rejected> {
    let reject = |reason| Rejected { kind, reason };
    if value.len() > MAX_VALUE_BYTES {
        return Err(reject("longer than 8 KiB"));
    }
    if value.chars().any(char::is_control) {
        return Err(reject("contains a control character (a line break would add a line to the list)"));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(reject("empty"));
    }
    let normal = match kind {
        Kind::Ipv4 | Kind::Ipv6 | Kind::Cidr => return ip(kind, value),
        Kind::Domain => {
            domain(value).ok_or(reject("not a domain name (letters, digits, - and _ in dot-separated labels)"))?
        }
        Kind::Url => url(value).ok_or(reject(url_problem(value)))?,
        Kind::Email => email(value).ok_or(reject("not an e-mail address (local part @ domain name)"))?,
        Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => {
            let digits = match kind {
                Kind::Md5 => 32,
                Kind::Sha1 => 40,
                Kind::Sha256 => 64,
                _ => 128,
            };
            let hex = value.len() == digits && value.bytes().all(|b| b.is_ascii_hexdigit());
            if !hex {
                return Err(reject("not a hex digest of the algorithm's length"));
            }
            value.to_ascii_lowercase()
        }
        Kind::Ssdeep => {
            if crate::stix::pattern::hash_problem("SSDEEP", value).is_some() {
                return Err(reject("not an ssdeep hash (blocksize:hash:hash)"));
            }
            value.to_owned()
        }
        Kind::FileName => {
            if value.contains('/') {
                return Err(reject("a file name cannot contain a slash"));
            }
            value.to_owned()
        }
        Kind::Mac => mac(value).ok_or(reject("not a MAC address (six hex octets)"))?,
        Kind::Asn => match value.parse::<u32>() {
            Ok(number) => number.to_string(),
            Err(_) => return Err(reject("not an autonomous system number (0 to 4294967295)")),
        },
        Kind::Mutex | Kind::RegistryKey | Kind::UserAgent => value.to_owned(),
    };
    Ok(Observable { kind, value: normal })
}

/// Addresses and blocks of either family: a full-length prefix is the address itself, and a
/// block keeps the address as given (a host inside a block is how some feeds write it).
fn ip(kind: Kind, value: &str) -> Result<Observable, Rejected> {
    let (address, prefix) = match value.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (value, None),
    };
    let (text, bits) = if let Ok(v4) = address.parse::<Ipv4Addr>() {
        (v4.to_string(), 32)
    } else if let Ok(v6) = address.parse::<Ipv6Addr>() {
        // `::ffff:a.b.c.d` is an IPv4 address: list it as one (tools disagree on how to print it).
        match v6.to_ipv4_mapped() {
            Some(v4) if prefix.is_none() => return Ok(Observable { kind: Kind::Ipv4, value: v4.to_string() }),
            _ => (v6.to_string(), 128),
        }
    } else {
        return Err(Rejected { kind, reason: "not an IP address or CIDR block" });
    };
    let plain_kind = if bits == 32 { Kind::Ipv4 } else { Kind::Ipv6 };
    let Some(prefix) = prefix else { return Ok(Observable { kind: plain_kind, value: text }) };
    let length = match prefix.parse::<u32>() {
        Ok(n) if n <= bits && !prefix.is_empty() && prefix.len() <= 3 && prefix.bytes().all(|b| b.is_ascii_digit()) => {
            n
        }
        _ => return Err(Rejected { kind, reason: "a CIDR prefix length out of range" }),
    };
    if length == bits {
        return Ok(Observable { kind: plain_kind, value: text });
    }
    Ok(Observable { kind: Kind::Cidr, value: format!("{text}/{length}") })
}

/// Lower case, no trailing dot; ASCII labels (internationalised names must come as xn--).
fn domain(value: &str) -> Option<String> {
    let lower = value.strip_suffix('.').unwrap_or(value).to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    (labels.len() >= 2 && lower.len() <= 253 && labels.iter().all(label_ok)).then_some(lower)
}

/// `scheme://host[:port]/rest` with scheme and authority in lower case; the host a domain name or
/// an IP address, so a defanged value (`hxxp://evil[.]example`) is not listed as if it were real.
fn url(value: &str) -> Option<String> {
    let (scheme, rest) = value.split_once("://")?;
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !DEFANGED_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str());
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if !scheme_ok || !is_host_and_port(host_port) || value.chars().any(char::is_whitespace) {
        return None;
    }
    Some(format!("{}://{}{path}", scheme.to_ascii_lowercase(), authority.to_lowercase()))
}

/// Why [`url`] refused a value, in the words the feeds page shows.
fn url_problem(value: &str) -> &'static str {
    match value.split_once("://") {
        None => "no scheme: STIX wants an absolute URL (RFC 3986), and a list cannot guess http or https",
        Some((scheme, _)) if DEFANGED_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) => {
            "defanged (hxxp://…): not the real URL"
        }
        _ => "not a URL with a valid host (a domain name or IP address) and no spaces",
    }
}

/// How analysts write a URL so that nobody clicks it.
const DEFANGED_SCHEMES: &[&str] = &["hxxp", "hxxps", "hxxxp", "fxp", "meow"];

/// `example.com`, `198.51.100.7:8080`, `[2001:db8::1]:443`.
fn is_host_and_port(text: &str) -> bool {
    let (host_ok, rest) = match text.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((v6, rest)) => (v6.parse::<Ipv6Addr>().is_ok(), rest),
            None => return false,
        },
        None => {
            let (host, rest) = text.split_at(text.find(':').unwrap_or(text.len()));
            (host.parse::<Ipv4Addr>().is_ok() || domain(host).is_some(), rest)
        }
    };
    let port = |p: &str| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    host_ok && (rest.is_empty() || rest.strip_prefix(':').is_some_and(port))
}

fn email(value: &str) -> Option<String> {
    let (local, host) = value.split_once('@')?;
    if local.is_empty() || host.contains('@') || value.chars().any(char::is_whitespace) {
        return None;
    }
    let host = domain(host)?;
    Some(format!("{}@{host}", local.to_lowercase()))
}

/// Six hex octets separated by `:` or `-`, written lower case with colons.
fn mac(value: &str) -> Option<String> {
    let octets: Vec<&str> = value.split([':', '-']).collect();
    let ok = octets.len() == 6 && octets.iter().all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()));
    ok.then(|| octets.join(":").to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_values_are_kept_once_where_they_first_appear() {
        let value = |kind: Kind, value: &str| Observable { kind, value: value.to_owned() };
        let listed = [
            value(Kind::Domain, "b.example"),
            value(Kind::Domain, "a.example"),
            value(Kind::FileName, "a.example"),
            value(Kind::Domain, "b.example"),
            value(Kind::Domain, "a.example"),
        ];
        assert_eq!(first_of_each(listed.clone()), listed[..3]);
        let many: Vec<Observable> = (0..100_000).map(|i| value(Kind::Domain, &format!("{i}.example"))).collect();
        assert_eq!(first_of_each(many.iter().chain(&many).cloned()), many, "a hundred thousand, at once");
    }

    fn listed(kind: Kind, value: &str) -> Result<(Kind, String), &'static str> {
        normalise(kind, value).map(|o| (o.kind, o.value)).map_err(|r| r.reason)
    }

    #[test]
    fn addresses_take_their_normal_form_and_kind() {
        assert_eq!(listed(Kind::Ipv4, "198.51.100.7"), Ok((Kind::Ipv4, "198.51.100.7".into())));
        assert_eq!(listed(Kind::Ipv4, "198.51.100.7/32"), Ok((Kind::Ipv4, "198.51.100.7".into())));
        assert_eq!(listed(Kind::Ipv4, "203.0.113.0/24"), Ok((Kind::Cidr, "203.0.113.0/24".into())));
        assert_eq!(listed(Kind::Ipv6, "2001:DB8:0:0::1"), Ok((Kind::Ipv6, "2001:db8::1".into())));
        assert_eq!(listed(Kind::Ipv6, "2001:db8::/32"), Ok((Kind::Cidr, "2001:db8::/32".into())));
        assert_eq!(listed(Kind::Ipv6, "::ffff:198.51.100.7"), Ok((Kind::Ipv4, "198.51.100.7".into())));
        assert!(listed(Kind::Ipv4, "198.51.100.256").is_err());
        assert!(listed(Kind::Ipv4, "10.0.0.0/33").is_err());
        assert!(listed(Kind::Ipv4, "10.0.0.0/+8").is_err());
        assert!(listed(Kind::Ipv4, "010.0.0.1").is_err());
    }

    #[test]
    fn names_and_urls_are_lower_cased_where_case_means_nothing() {
        assert_eq!(listed(Kind::Domain, "Evil.Example.COM."), Ok((Kind::Domain, "evil.example.com".into())));
        assert!(listed(Kind::Domain, "localhost").is_err());
        assert!(listed(Kind::Domain, "bad-.example").is_err());
        assert!(listed(Kind::Domain, "exämple.com").is_err());
        assert_eq!(
            listed(Kind::Url, "HTTP://Evil.Example/Path?Q=1"),
            Ok((Kind::Url, "http://evil.example/Path?Q=1".into()))
        );
        assert!(listed(Kind::Url, "hxxp[:]//evil").is_err());
        assert!(listed(Kind::Url, "hxxp://evil[.]example/a.php").is_err());
        assert!(listed(Kind::Url, "http://evil[.]example/a.php").is_err());
        assert!(listed(Kind::Url, "http://evil.example:80a/").is_err());
        assert!(listed(Kind::Url, "http://198.51.100.7:8080/x").is_ok());
        assert!(listed(Kind::Url, "https://[2001:db8::1]:443/").is_ok());
        assert!(listed(Kind::Url, "https://user@evil.example/").is_ok());
        assert!(listed(Kind::Url, "http://evil.example/a b").is_err());
        assert_eq!(listed(Kind::Email, "Boss@Example.ORG"), Ok((Kind::Email, "boss@example.org".into())));
        assert!(listed(Kind::Email, "nobody").is_err());
    }

    #[test]
    fn digests_and_the_rest() {
        let md5 = "CEAD3F77F6CDA6EC00F57D76C9A6879F";
        assert_eq!(listed(Kind::Md5, md5), Ok((Kind::Md5, md5.to_ascii_lowercase())));
        assert!(listed(Kind::Sha256, md5).is_err());
        assert_eq!(listed(Kind::Mac, "00-1A-2B-3C-4D-5E"), Ok((Kind::Mac, "00:1a:2b:3c:4d:5e".into())));
        assert_eq!(listed(Kind::Asn, "64512"), Ok((Kind::Asn, "64512".into())));
        assert!(listed(Kind::Asn, "AS64512").is_err());
        assert!(listed(Kind::FileName, "a/b.exe").is_err());
    }

    #[test]
    fn a_line_break_never_reaches_a_list() {
        for kind in Kind::ALL {
            assert!(normalise(kind, "a.example\nevil.example").is_err(), "{kind:?}");
            assert!(normalise(kind, "").is_err(), "{kind:?}");
        }
    }

    #[test]
    fn tests_map_to_kinds_by_type_and_path() {
        let test = |t: &str, p: &str, v: &str| EqualityTest { object_type: t.into(), path: p.into(), value: v.into() };
        let kind = |t: &str, p: &str, v: &str| from_test(&test(t, p, v)).and_then(Result::ok).map(|o| o.kind);
        assert_eq!(kind("file", "hashes.'SHA-256'", &"a".repeat(64)), Some(Kind::Sha256));
        assert_eq!(kind("file", "hashes.MD5", &"a".repeat(32)), Some(Kind::Md5));
        assert_eq!(kind("file", "hashes.'SHA3-256'", &"a".repeat(64)), None);
        assert_eq!(kind("network-traffic", "dst_ref.value", "198.51.100.1"), Some(Kind::Ipv4));
        assert_eq!(kind("network-traffic", "dst_ref.value", "evil.example"), Some(Kind::Domain));
        assert_eq!(kind("process", "command_line", "cmd.exe"), None);
    }
}
