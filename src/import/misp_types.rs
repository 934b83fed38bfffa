//! MISP attribute types that are not one blocklist value: pairs with a relation between their
//! parts (`domain|ip`, `regkey|value`), values of other cyber-observables (certificates, e-mail
//! subjects, ports), objects named by the value (a CVE, a campaign, a threat actor), detection
//! rules in other languages (YARA, Sigma, Snort) and prose (`text`, `comment`).
//!
//! The patterns follow MISP's own converter (misp-stix) where it writes valid STIX; where it
//! does not, the valid form: a port or a size is an integer (misp-stix quotes it), a registry
//! value is one of a list (`values[*].data`), and a YARA rule is the rule (misp-stix wraps it in
//! brackets, which YARA refuses).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{json, Map, Value};

use super::values::{observable_object, pattern_string};
use crate::stix::observables::{normalise, Kind, Observable};

/// What one attribute becomes.
pub(crate) enum Mapping {
    /// Tested by this pattern when `to_ids`; else observed as these objects (none when the
    /// type has no cyber-observable of its own, such as a port without its connection).
    Pattern { pattern: String, observed: Vec<Value> },
    /// An object of this type named by the value.
    Named(&'static str),
    /// A detection rule written in this `pattern_type`.
    Rule(&'static str),
    /// Prose about the event: a note on its report.
    Note,
}

/// The mapping of an attribute of type `misp_type` with this value; `None` when the type is
/// not one of these, `Err` (why) when the value is not one of its type.
pub(crate) fn map(misp_type: &str, value: &str) -> Option<Result<Mapping, String>> {
    let value = value.trim();
    Some(match misp_type {
        "domain|ip" => domain_ip(value),
        "hostname|port" => hostname_port(value),
        "regkey|value" => registry_value(value),
        "x509-fingerprint-md5" => certificate("MD5", Kind::Md5, value),
        "x509-fingerprint-sha1" => certificate("SHA-1", Kind::Sha1, value),
        "x509-fingerprint-sha256" => certificate("SHA-256", Kind::Sha256, value),
        "email-subject" => email_subject(value),
        "email-attachment" => email_attachment(value),
        "email-reply-to" => single(value, "email-message:additional_header_fields.'Reply-To'"),
        "port" => integer(value, 65_535, "network-traffic:dst_port"),
        "size-in-bytes" => integer(value, u64::MAX, "file:size"),
        "mime-type" => single(value, "file:mime_type"),
        "http-method" => single(value, "network-traffic:extensions.'http-request-ext'.request_method"),
        "windows-service-name" => single(value, "process:extensions.'windows-service-ext'.service_name"),
        "vulnerability" => Ok(Mapping::Named("vulnerability")),
        "campaign-name" => Ok(Mapping::Named("campaign")),
        "threat-actor" => Ok(Mapping::Named("threat-actor")),
        "yara" => Ok(Mapping::Rule("yara")),
        "sigma" => Ok(Mapping::Rule("sigma")),
        "snort" => Ok(Mapping::Rule("snort")),
        "text" | "comment" | "other" => Ok(Mapping::Note),
        _ => return None,
    })
}

fn pattern(comparisons: &[String], observed: Vec<Value>) -> Result<Mapping, String> {
    Ok(Mapping::Pattern { pattern: format!("[{}]", comparisons.join(" AND ")), observed })
}

fn checked(kind: Kind, value: &str) -> Result<Observable, String> {
    normalise(kind, value).map_err(|rejected| format!("not a {} value: {}", kind.name(), rejected.reason))
}

fn split_pair(value: &str) -> Result<(&str, &str), String> {
    value.split_once('|').map(|(a, b)| (a.trim(), b.trim())).ok_or_else(|| "expected two values joined by `|`".into())
}

/// A domain and the address it resolved to.
fn domain_ip(value: &str) -> Result<Mapping, String> {
    let (domain, address) = split_pair(value)?;
    let domain = checked(Kind::Domain, domain)?;
    let address = match (address.parse::<Ipv4Addr>(), address.parse::<Ipv6Addr>()) {
        (Ok(_), _) => checked(Kind::Ipv4, address)?,
        (_, Ok(_)) => checked(Kind::Ipv6, address)?,
        _ => return Err(format!("`{}` is not an IP address", super::clip(address, 80))),
    };
    let comparisons = [
        format!("domain-name:value = {}", pattern_string(&domain.value)),
        format!("domain-name:resolves_to_refs[*].value = {}", pattern_string(&address.value)),
    ];
    let observed = [&domain, &address].into_iter().filter_map(observable_object).collect();
    pattern(&comparisons, observed)
}

/// A host name and the port connected to.
fn hostname_port(value: &str) -> Result<Mapping, String> {
    let (host, port) = split_pair(value)?;
    let host = checked(Kind::Domain, host)?;
    let port = port.parse::<u16>().map_err(|_| format!("`{}` is not a port", super::clip(port, 20)))?;
    let comparisons =
        [format!("domain-name:value = {}", pattern_string(&host.value)), format!("network-traffic:dst_port = {port}")];
    pattern(&comparisons, observable_object(&host).into_iter().collect())
}

/// A registry key and the data of one of its values.
fn registry_value(value: &str) -> Result<Mapping, String> {
    let (key, data) = split_pair(value)?;
    let key = checked(Kind::RegistryKey, key)?;
    if data.is_empty() || data.chars().any(char::is_control) {
        return Err("the value's data is empty or holds a control character".into());
    }
    let comparisons = [
        format!("windows-registry-key:key = {}", pattern_string(&key.value)),
        format!("windows-registry-key:values[*].data = {}", pattern_string(data)),
    ];
    let object = sco("windows-registry-key", json!({ "key": key.value, "values": [{ "data": data }] }));
    pattern(&comparisons, vec![object])
}

fn certificate(algorithm: &str, kind: Kind, value: &str) -> Result<Mapping, String> {
    let digest = checked(kind, value)?;
    let path = if algorithm.contains('-') { format!("'{algorithm}'") } else { algorithm.to_owned() };
    let comparison = format!("x509-certificate:hashes.{path} = {}", pattern_string(&digest.value));
    pattern(&[comparison], vec![sco("x509-certificate", json!({ "hashes": { algorithm: digest.value } }))])
}

fn email_subject(value: &str) -> Result<Mapping, String> {
    let subject = plain_text(value)?;
    let comparison = format!("email-message:subject = {}", pattern_string(subject));
    // `is_multipart` is required and not an id contributing property (from_ref, subject, body).
    let mut object = sco("email-message", json!({ "subject": subject }));
    if let Value::Object(members) = &mut object {
        members.insert("is_multipart".into(), json!(false));
    }
    pattern(&[comparison], vec![object])
}

fn email_attachment(value: &str) -> Result<Mapping, String> {
    let name = checked(Kind::FileName, value)?;
    let comparison = format!("email-message:body_multipart[*].body_raw_ref.name = {}", pattern_string(&name.value));
    pattern(&[comparison], observable_object(&name).into_iter().collect())
}

/// One string compared at `target`, with no cyber-observable of its own.
fn single(value: &str, target: &str) -> Result<Mapping, String> {
    let text = plain_text(value)?;
    pattern(&[format!("{target} = {}", pattern_string(text))], Vec::new())
}

fn integer(value: &str, max: u64, target: &str) -> Result<Mapping, String> {
    match value.parse::<u64>() {
        Ok(number) if number <= max => pattern(&[format!("{target} = {number}")], Vec::new()),
        _ => Err(format!("`{}` is not a whole number up to {max}", super::clip(value, 40))),
    }
}

/// Text fit for one pattern constant: not empty, one line, at most 8 KiB (as blocklist values).
fn plain_text(value: &str) -> Result<&str, String> {
    match value {
        "" => Err("empty".into()),
        v if v.len() > 8192 => Err("longer than 8 KiB".into()),
        v if v.chars().any(char::is_control) => Err("contains a control character".into()),
        v => Ok(v),
    }
}

/// A cyber-observable whose id contributing properties are all of `properties`.
fn sco(object_type: &str, properties: Value) -> Value {
    let canonical = serde_json::to_string(&properties).unwrap_or_default();
    let uuid = crate::stix::uuid::uuid_v5(&super::values::SCO_NAMESPACE, canonical.as_bytes());
    let mut object = Map::new();
    object.insert("type".into(), json!(object_type));
    object.insert("spec_version".into(), json!("2.1"));
    object.insert("id".into(), json!(format!("{object_type}--{uuid}")));
    if let Value::Object(members) = properties {
        object.extend(members);
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern_of(misp_type: &str, value: &str) -> String {
        match map(misp_type, value) {
            Some(Ok(Mapping::Pattern { pattern, .. })) => pattern,
            _ => panic!("{misp_type} {value} has no pattern"),
        }
    }

    #[test]
    fn pairs_keep_the_relation_between_their_parts() {
        assert_eq!(
            pattern_of("domain|ip", "Relay-C2.net|203.0.113.7"),
            "[domain-name:value = 'relay-c2.net' AND domain-name:resolves_to_refs[*].value = '203.0.113.7']"
        );
        assert_eq!(
            pattern_of("hostname|port", "relay-c2.net|8443"),
            "[domain-name:value = 'relay-c2.net' AND network-traffic:dst_port = 8443]"
        );
        assert_eq!(
            pattern_of("regkey|value", r"HKLM\Software\Relay|it's"),
            r"[windows-registry-key:key = 'HKLM\\Software\\Relay' AND windows-registry-key:values[*].data = 'it\'s']"
        );
    }

    #[test]
    fn numbers_are_integers_and_hashes_use_the_dictionary_keys() {
        assert_eq!(pattern_of("port", "8443"), "[network-traffic:dst_port = 8443]");
        assert_eq!(pattern_of("size-in-bytes", "1024"), "[file:size = 1024]");
        assert_eq!(
            pattern_of("x509-fingerprint-sha1", &"E".repeat(40)),
            format!("[x509-certificate:hashes.'SHA-1' = '{}']", "e".repeat(40))
        );
        assert_eq!(
            pattern_of("x509-fingerprint-md5", &"a".repeat(32)),
            format!("[x509-certificate:hashes.MD5 = '{}']", "a".repeat(32))
        );
    }

    #[test]
    fn wrong_values_say_why() {
        for (misp_type, value) in [
            ("port", "70000"),
            ("port", "-1"),
            ("domain|ip", "relay-c2.net"),
            ("domain|ip", "relay-c2.net|not-an-ip"),
            ("x509-fingerprint-sha256", "abc"),
            ("email-subject", "two\nlines"),
        ] {
            assert!(matches!(map(misp_type, value), Some(Err(_))), "{misp_type} {value}");
        }
        assert!(map("named pipe", "x").is_none());
    }

    #[test]
    fn observed_objects_get_the_specifications_ids() {
        // The ids stix2 (the OASIS library) gives the same objects.
        let observed = |misp_type: &str, value: &str| match map(misp_type, value) {
            Some(Ok(Mapping::Pattern { observed, .. })) => observed[0].clone(),
            _ => panic!("{misp_type} is observed"),
        };
        let email = observed("email-subject", "Invoice due");
        assert_eq!(email["id"], "email-message--aac4f789-1e7a-5c16-bd41-13fa36be1cb2");
        assert_eq!(email["is_multipart"], false);
        let key = observed("regkey|value", r"HKLM\Software\Relay|evil");
        assert_eq!(key["id"], "windows-registry-key--103b53ca-2991-52c5-b9ce-153ff8af5822");
        let certificate = observed("x509-fingerprint-sha1", &"e".repeat(40));
        assert_eq!(certificate["id"], "x509-certificate--7b2c76e8-4f66-506b-b725-51b5b94af83b");
    }
}
