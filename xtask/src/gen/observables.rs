//! Cyber-observables (ipv4-addr, domain-name, url, file) and their deterministic ids: a UUIDv5
//! of the canonical JSON of the ID-contributing properties (STIX 2.1 section 2.9), so the same
//! value always has the same id, as the specification asks.

use super::json::Json;
use super::model::{Kind, Plan};
use super::rng::{Rng, Stream};
use super::sha1::stix_uuid5;
use super::values;

/// The properties of a file observable.
pub struct FileFacts {
    pub md5: Option<String>,
    pub sha256: String,
    pub name: String,
    pub size: u64,
}

pub fn file_facts(plan: &Plan, index: u32) -> FileFacts {
    let mut rng = Rng::keyed(plan.seed, index.into(), Stream::Content);
    let md5 = rng.per_mille(500).then(|| rng.hex(32));
    FileFacts { md5, sha256: rng.hex(64), name: values::file_name(&mut rng), size: rng.between(2_000, 30_000_000) }
}

/// The `value` of an ipv4-addr, domain-name or url observable.
pub fn value(plan: &Plan, index: u32) -> String {
    let ordinal = plan.ordinal(index);
    match plan.kind_of(index) {
        Kind::Ipv4Addr => values::ipv4(ordinal),
        Kind::DomainName => values::domain(ordinal),
        _ => values::url(ordinal),
    }
}

pub fn id(plan: &Plan, index: u32) -> String {
    let kind = plan.kind_of(index);
    let contributing = if kind == Kind::File {
        // Only one hash contributes, the first present of MD5, SHA-1, SHA-256, SHA-512.
        let facts = file_facts(plan, index);
        let (algorithm, digest) = match &facts.md5 {
            Some(md5) => ("MD5", md5),
            None => ("SHA-256", &facts.sha256),
        };
        format!(r#"{{"hashes":{{"{algorithm}":"{digest}"}},"name":"{}"}}"#, facts.name)
    } else {
        format!(r#"{{"value":"{}"}}"#, value(plan, index))
    };
    format!("{}--{}", kind.type_name(), stix_uuid5(&contributing))
}

/// Writes the observable (without its closing brace: the caller adds markings and closes it).
pub fn write(plan: &Plan, index: u32, json: &mut Json) {
    let kind = plan.kind_of(index);
    json.begin_object();
    json.str_field("type", kind.type_name());
    json.str_field("spec_version", "2.1");
    json.str_field("id", &id(plan, index));
    if kind != Kind::File {
        json.str_field("value", &value(plan, index));
        return;
    }
    let facts = file_facts(plan, index);
    json.key("hashes");
    json.begin_object();
    if let Some(md5) = &facts.md5 {
        json.str_field("MD5", md5);
    }
    json.str_field("SHA-256", &facts.sha256);
    json.end_object();
    json.literal_field("size", facts.size);
    json.str_field("name", &facts.name);
}
