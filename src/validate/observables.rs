//! Rules for cyber-observables (STIX 2.1 section 6): value formats and the properties that
//! must or must not appear together.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::Value;

use super::checker::Checker;
use super::properties::clip;
use crate::stix::schema::Category;

pub(crate) fn check(c: &mut Checker) {
    if c.category != Category::Observable || c.spec.is_none() {
        return;
    }
    match c.type_name {
        "ipv4-addr" => check_address(c, |v| address_or_cidr::<Ipv4Addr>(v, 32), "an IPv4 address or CIDR block"),
        "ipv6-addr" => check_address(c, |v| address_or_cidr::<Ipv6Addr>(v, 128), "an IPv6 address or CIDR block"),
        "mac-addr" => check_address(c, is_mac, "a lowercase, colon-separated MAC-48 address (00:1a:2b:3c:4d:5e)"),
        "file" if !c.has("hashes") && !c.has("name") => {
            c.error("missing-property", "", "a file needs `hashes` or `name`")
        }
        "url" => check_address(c, is_url, "an RFC 3986 URL (scheme:rest)"),
        "domain-name" => check_address(c, is_domain_name, "a domain name (letters, digits, hyphens and dots)"),
        "software" => check_software(c),
        "windows-registry-key" => check_registry_key(c),
        "artifact" => check_artifact(c),
        "email-message" => check_email_message(c),
        "network-traffic" => check_network_traffic(c),
        _ => {}
    }
    if matches!(c.type_name, "process" | "user-account" | "windows-registry-key" | "x509-certificate") {
        at_least_one(c);
    }
    check_id_contributions(c);
}

/// STIX 2.1 §2.9 and section 6: an SCO's id is a UUIDv5 of its ID contributing properties;
/// with none of them present (a process never has any), it MUST be a UUIDv4.
fn check_id_contributions(c: &mut Checker) {
    let contributing: &[&str] = match c.type_name {
        "artifact" => &["hashes", "payload_bin"],
        "autonomous-system" => &["number"],
        "directory" => &["path"],
        "domain-name" | "email-addr" | "ipv4-addr" | "ipv6-addr" | "mac-addr" | "url" => &["value"],
        "email-message" => &["from_ref", "subject", "body"],
        "file" => &["hashes", "name", "extensions", "parent_directory_ref"],
        "mutex" => &["name"],
        "network-traffic" => &["start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"],
        "software" => &["name", "cpe", "swid", "vendor", "version"],
        "user-account" => &["account_type", "user_id", "account_login"],
        "windows-registry-key" => &["key", "values"],
        "x509-certificate" => &["hashes", "serial_number"],
        _ => &[],
    };
    let version = c.str("id").and_then(|id| crate::stix::parse_id(id, c.version).ok()).map(|p| p.uuid_version());
    if version.is_some_and(|v| v != 4) && !contributing.iter().any(|p| c.has(p)) {
        c.error(
            "uuid-version",
            "/id",
            format!(
                "{} has none of its ID contributing properties, so its id must be a UUIDv4 (STIX 2.1 §2.9)",
                c.what()
            ),
        );
    }
}

fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else { return false };
    !rest.is_empty()
        && scheme.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !value.chars().any(|ch| ch.is_whitespace() || ch.is_control())
}

/// Letters (any script, for internationalised names), digits, hyphens, underscores and dots.
fn is_domain_name(value: &str) -> bool {
    let name = value.strip_suffix('.').unwrap_or(value);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')
        })
}

/// `cpe` is a CPE 2.3 formatted string; `languages` are ISO 639-2 codes (three letters).
fn check_software(c: &mut Checker) {
    if let Some(cpe) = c.str("cpe") {
        if !cpe.starts_with("cpe:2.3:") || cpe.split(':').count() != 13 {
            c.error(
                "invalid-value",
                "/cpe",
                format!("\"{}\" is not a CPE 2.3 name (cpe:2.3:part:vendor:product:…, 13 fields)", clip(cpe)),
            );
        }
    }
    let Some(languages) = c.get("languages").and_then(Value::as_array) else { return };
    for (i, language) in languages.iter().enumerate() {
        if let Some(code) = language.as_str().filter(|l| !(l.len() == 3 && l.bytes().all(|b| b.is_ascii_lowercase()))) {
            c.error(
                "invalid-value",
                format!("/languages/{i}"),
                format!("\"{}\" is not an ISO 639-2 language code (three lowercase letters)", clip(code)),
            );
        }
    }
}

/// STIX 2.1 §6.17: the hive is written out in full; each value's `data_type` is from the
/// windows-registry-datatype enumeration.
fn check_registry_key(c: &mut Checker) {
    if let Some(key) = c.str("key") {
        let hive = key.split('\\').next().unwrap_or_default().to_ascii_uppercase();
        if matches!(hive.as_str(), "HKLM" | "HKCU" | "HKCR" | "HKU" | "HKCC") {
            c.error("invalid-value", "/key", format!("write the hive `{hive}` out in full (e.g. HKEY_LOCAL_MACHINE)"));
        }
    }
    let Some(values) = c.get("values").and_then(Value::as_array) else { return };
    for (i, item) in values.iter().enumerate() {
        if let Some(kind) = item.get("data_type") {
            super::properties::check_value(
                c,
                &format!("/values/{i}/data_type"),
                "data_type",
                crate::stix::schema::Kind::Enum(crate::stix::vocab::WINDOWS_REGISTRY_DATATYPE),
                kind,
            );
        }
    }
}

fn check_address(c: &mut Checker, valid: fn(&str) -> bool, what: &str) {
    if let Some(value) = c.str("value") {
        if !valid(value) {
            c.error("invalid-value", "/value", format!("\"{}\" is not {what}", clip(value)));
        }
    }
}

pub(crate) fn address_or_cidr<T: std::str::FromStr>(value: &str, bits: u8) -> bool {
    match value.split_once('/') {
        Some((address, prefix)) => {
            address.parse::<T>().is_ok() && prefix.parse::<u8>().is_ok_and(|p| p <= bits) && !prefix.starts_with('+')
        }
        None => value.parse::<T>().is_ok(),
    }
}

fn is_mac(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    parts.len() == 6
        && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// An artifact has its bytes inline or a URL to them (with hashes to check them), not both.
fn check_artifact(c: &mut Checker) {
    let (payload, url) = (c.has("payload_bin"), c.has("url"));
    if payload && url {
        c.error("artifact-content", "/url", "an artifact has `payload_bin` or `url`, not both");
    }
    if !payload && !url {
        c.error("missing-property", "", "an artifact needs `payload_bin` or `url`");
    }
    if url && !c.has("hashes") {
        c.error("missing-property", "", "an artifact with `url` needs `hashes`");
    }
    if c.has("decryption_key") && !c.has("encryption_algorithm") {
        c.error("artifact-content", "/decryption_key", "`decryption_key` needs `encryption_algorithm`");
    }
}

fn check_email_message(c: &mut Checker) {
    match c.get("is_multipart").and_then(Value::as_bool) {
        Some(true) if c.has("body") => {
            c.error("email-body", "/body", "a multipart message carries `body_multipart`, not `body`")
        }
        Some(false) if c.has("body_multipart") => {
            c.error("email-body", "/body_multipart", "`body_multipart` needs `is_multipart: true`")
        }
        _ => {}
    }
    let Some(parts) = c.get("body_multipart").and_then(Value::as_array) else { return };
    for (i, part) in parts.iter().enumerate() {
        let (body, raw) = (part.get("body").is_some(), part.get("body_raw_ref").is_some());
        if body == raw {
            c.error(
                "email-body",
                format!("/body_multipart/{i}"),
                "a MIME part has exactly one of `body` and `body_raw_ref`",
            );
        }
    }
}

fn check_network_traffic(c: &mut Checker) {
    if !c.has("src_ref") && !c.has("dst_ref") {
        c.error("missing-property", "", "network-traffic needs `src_ref` or `dst_ref`");
    }
    if c.get("is_active") == Some(&Value::Bool(true)) && c.has("end") {
        c.error("network-traffic-time", "/end", "active traffic (`is_active: true`) has no `end`");
    }
    let parse = |key: &str| c.str(key).and_then(|s| crate::stix::Timestamp::parse(s).ok());
    if let (Some(start), Some(end)) = (parse("start"), parse("end")) {
        if end < start {
            c.error("timestamp-order", "/end", "`end` must not be earlier than `start`");
        }
    }
}

/// Objects with only optional properties must still say something.
fn at_least_one(c: &mut Checker) {
    let common = ["type", "id", "spec_version", "object_marking_refs", "granular_markings", "defanged"];
    if c.members.keys().all(|k| common.contains(&k.as_str())) {
        c.error("missing-property", "", format!("{} needs at least one of its own properties", c.what()));
    }
}
