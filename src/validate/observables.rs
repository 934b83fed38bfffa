//! Rules for cyber-observables (STIX 2.1 section 6): value formats and the properties that
//! must or must not appear together.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::Value;

use super::checker::Checker;
use super::properties::clip;
use crate::stix::schema::Category;

pub fn check(c: &mut Checker) {
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
        "artifact" => check_artifact(c),
        "email-message" => check_email_message(c),
        "network-traffic" => check_network_traffic(c),
        "process" | "user-account" | "windows-registry-key" | "x509-certificate" => at_least_one(c),
        _ => {}
    }
}

fn check_address(c: &mut Checker, valid: fn(&str) -> bool, what: &str) {
    if let Some(value) = c.str("value") {
        if !valid(value) {
            c.error("invalid-value", "/value", format!("\"{}\" is not {what}", clip(value)));
        }
    }
}

pub fn address_or_cidr<T: std::str::FromStr>(value: &str, bits: u8) -> bool {
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
