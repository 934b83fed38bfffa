//! One indicator value: refanged (`hxxp`, `[.]`, `(.)`, `[:]`, `[@]`), recognised as one of the
//! blocklists' kinds and put in their normal form, then written as a STIX pattern (quotes and
//! backslashes escaped) or as a cyber-observable with the specification's UUIDv5 id.
//!
//! Nothing here guesses from context; the written-report extractor adds its own guards.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{json, Map, Value};

use crate::stix::observables::{normalise, Kind, Observable};
use crate::stix::uuid::uuid_v5;

/// The namespace of cyber-observable ids (STIX 2.1 section 2.9).
pub(crate) const SCO_NAMESPACE: [u8; 16] =
    [0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7];

/// The defangings in common use and what they stand for, longest first.
const DEFANGS: &[(&str, &str)] = &[
    ("[://]", "://"),
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("(dot)", "."),
    ("[:]", ":"),
    ("[@]", "@"),
    ("[at]", "@"),
    ("(at)", "@"),
];

/// The value with its defangings undone, and whether it had any.
pub(crate) fn refang(text: &str) -> (Cow<'_, str>, bool) {
    let lower_start = text.get(..4).map(str::to_ascii_lowercase);
    let scheme = matches!(lower_start.as_deref(), Some("hxxp" | "fxp:"));
    if !scheme && !DEFANGS.iter().any(|(from, _)| text.contains(from)) {
        return (Cow::Borrowed(text), false);
    }
    let mut out = text.to_owned();
    if scheme {
        out.replace_range(..4, if out[..4].eq_ignore_ascii_case("fxp:") { "ftp:" } else { "http" });
    }
    for (from, to) in DEFANGS {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    (Cow::Owned(out), true)
}

/// The kind a bare value looks like, in its normal form; None when it is none of them.
pub(crate) fn recognise(value: &str) -> Option<Observable> {
    let kind = guess_kind(value)?;
    normalise(kind, value).ok()
}

fn guess_kind(value: &str) -> Option<Kind> {
    let hex = value.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        return match value.len() {
            32 => Some(Kind::Md5),
            40 => Some(Kind::Sha1),
            64 => Some(Kind::Sha256),
            128 => Some(Kind::Sha512),
            _ => None,
        };
    }
    let address = value.split_once('/').map_or(value, |(a, _)| a);
    if address.parse::<Ipv4Addr>().is_ok() || (address.contains(':') && address.parse::<Ipv6Addr>().is_ok()) {
        return Some(Kind::Ipv4);
    }
    if let Some((scheme, rest)) = value.split_once("://") {
        let known = ["http", "https", "ftp", "ftps", "sftp", "ws", "wss"];
        return (known.iter().any(|s| s.eq_ignore_ascii_case(scheme)) && !rest.is_empty()).then_some(Kind::Url);
    }
    if let Some((local, host)) = value.split_once('@') {
        return (!local.is_empty() && looks_like_domain(host)).then_some(Kind::Email);
    }
    if looks_like_domain(value) {
        return Some(Kind::Domain);
    }
    if crate::stix::pattern::hash_problem("SSDEEP", value).is_none() && value.matches(':').count() == 2 {
        return Some(Kind::Ssdeep);
    }
    None
}

/// Dot-separated labels of letters, digits and hyphens, ending in an alphabetic top-level label.
pub(crate) fn looks_like_domain(value: &str) -> bool {
    let value = value.strip_suffix('.').unwrap_or(value);
    let mut labels = value.split('.');
    let Some(tld) = labels.next_back() else { return false };
    let tld_ok = tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--");
    let mut count = 1;
    for label in labels {
        count += 1;
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return false;
        }
    }
    count >= 2 && tld_ok && value.len() <= 253
}

/// A value as it goes inside a STIX pattern's quotes (STIX 2.1 section 9.2: `\'` and `\\`).
pub(crate) fn pattern_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The object type and property path a value of this kind is compared at.
fn pattern_target(observable: &Observable) -> (&'static str, &'static str) {
    let v6 = observable.value.contains(':');
    match observable.kind {
        Kind::Ipv4 => ("ipv4-addr", "value"),
        Kind::Ipv6 => ("ipv6-addr", "value"),
        Kind::Cidr if v6 => ("ipv6-addr", "value"),
        Kind::Cidr => ("ipv4-addr", "value"),
        Kind::Domain => ("domain-name", "value"),
        Kind::Url => ("url", "value"),
        Kind::Email => ("email-addr", "value"),
        Kind::Md5 => ("file", "hashes.MD5"),
        Kind::Sha1 => ("file", "hashes.'SHA-1'"),
        Kind::Sha256 => ("file", "hashes.'SHA-256'"),
        Kind::Sha512 => ("file", "hashes.'SHA-512'"),
        Kind::Ssdeep => ("file", "hashes.SSDEEP"),
        Kind::FileName => ("file", "name"),
        Kind::Mac => ("mac-addr", "value"),
        Kind::Mutex => ("mutex", "name"),
        Kind::RegistryKey => ("windows-registry-key", "key"),
        Kind::Asn => ("autonomous-system", "number"),
        Kind::UserAgent => ("network-traffic", "extensions.'http-request-ext'.request_header.'User-Agent'"),
    }
}

/// The comparison `type:path = value` (numbers unquoted), without brackets.
pub(crate) fn comparison(observable: &Observable) -> String {
    let (object_type, path) = pattern_target(observable);
    let constant = match observable.kind {
        Kind::Asn => observable.value.clone(),
        _ => pattern_string(&observable.value),
    };
    format!("{object_type}:{path} = {constant}")
}

/// A pattern of one observation with one comparison.
pub(crate) fn pattern(observable: &Observable) -> String {
    format!("[{}]", comparison(observable))
}

/// The hash algorithm name a `hashes` dictionary uses for a digest kind.
pub(crate) fn hash_name(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Md5 => "MD5",
        Kind::Sha1 => "SHA-1",
        Kind::Sha256 => "SHA-256",
        Kind::Sha512 => "SHA-512",
        Kind::Ssdeep => "SSDEEP",
        _ => return None,
    })
}

/// The cyber-observable of a value with its deterministic id, when the kind has one on its own
/// (a User-Agent needs a whole network-traffic object, so it has none).
pub(crate) fn observable_object(observable: &Observable) -> Option<Value> {
    let (object_type, _) = pattern_target(observable);
    let value = &observable.value;
    let contributing = match observable.kind {
        Kind::UserAgent => return None,
        Kind::Asn => json!({ "number": value.parse::<u64>().ok()? }),
        Kind::FileName => json!({ "name": value }),
        Kind::Mutex => json!({ "name": value }),
        Kind::RegistryKey => json!({ "key": value }),
        kind => match hash_name(kind) {
            Some(algorithm) => json!({ "hashes": { algorithm: value } }),
            None => json!({ "value": value }),
        },
    };
    // serde_json writes keys sorted and without spaces: RFC 8785's form for these values.
    let canonical = serde_json::to_string(&contributing).ok()?;
    let id = format!("{object_type}--{}", uuid_v5(&SCO_NAMESPACE, canonical.as_bytes()));
    let mut object = Map::new();
    object.insert("type".into(), json!(object_type));
    object.insert("spec_version".into(), json!("2.1"));
    object.insert("id".into(), json!(id));
    if let Value::Object(properties) = contributing {
        object.extend(properties);
    }
    Some(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defanged_values_are_refanged() {
        assert_eq!(refang("hxxps://evil[.]example[.]net/a").0, "https://evil.example.net/a");
        assert_eq!(refang("bad(.)site").0, "bad.site");
        assert_eq!(refang("user[@]mail[.]ru").0, "user@mail.ru");
        assert_eq!(refang("2001:db8[:]1").0, "2001:db8:1");
        assert!(!refang("plain.site").1);
    }

    #[test]
    fn values_are_recognised_in_normal_form() {
        let kind = |v: &str| recognise(v).map(|o| (o.kind, o.value));
        assert_eq!(kind("Evil.Example.NET"), Some((Kind::Domain, "evil.example.net".into())));
        assert_eq!(kind("203.0.113.7"), Some((Kind::Ipv4, "203.0.113.7".into())));
        assert_eq!(kind("2001:DB8::1"), Some((Kind::Ipv6, "2001:db8::1".into())));
        assert_eq!(kind("198.51.100.0/24"), Some((Kind::Cidr, "198.51.100.0/24".into())));
        assert_eq!(kind(&"A".repeat(64)), Some((Kind::Sha256, "a".repeat(64))));
        assert_eq!(kind("a@b.example.org").map(|k| k.0), Some(Kind::Email));
        assert_eq!(kind("HTTP://Evil.net/X").map(|k| k.1), Some("http://evil.net/X".into()));
        assert_eq!(kind("hello"), None);
        assert_eq!(kind("1.2"), None);
    }

    #[test]
    fn patterns_escape_quotes_and_backslashes() {
        let key = Observable { kind: Kind::RegistryKey, value: r"HKLM\Run\it's".into() };
        assert_eq!(pattern(&key), r"[windows-registry-key:key = 'HKLM\\Run\\it\'s']");
        let asn = Observable { kind: Kind::Asn, value: "64500".into() };
        assert_eq!(pattern(&asn), "[autonomous-system:number = 64500]");
    }

    #[test]
    fn observables_get_the_specifications_ids() {
        // stix2.DomainName(value="example.com").id
        let domain = Observable { kind: Kind::Domain, value: "example.com".into() };
        let object = observable_object(&domain).unwrap();
        assert_eq!(object["id"], "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
    }
}
