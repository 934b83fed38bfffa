//! STIX 2.0 → 2.1 on publication: the changes the STIX 2.1 specification made to objects that
//! 2.0 already had (its "Changes from STIX 2.0" and each type's property table), applied to an
//! object's JSON text so that every consumer receives STIX 2.1.
//!
//! - `spec_version: "2.1"` is added (2.0 objects carry none; a 2.0 `"spec_version": "2.0"` becomes "2.1");
//! - `created` and `modified` get at least millisecond precision (2.1 §3.2: zeros are appended,
//!   the instant is unchanged, so the version stays the same);
//! - indicators get `pattern_type: "stix"` (2.0 patterns are STIX patterns; `valid_from` is
//!   required by both versions);
//! - malware gets `is_family` (`true`: a 2.0 malware object describes a family, unless it has
//!   no `name`, which 2.1 requires of a family);
//! - `labels`, which 2.0 used as each type's open vocabulary, are copied to the property 2.1
//!   moved that vocabulary to: `indicator_types`, `malware_types`, `tool_types`,
//!   `threat_actor_types`, `report_types` (`labels` stays: 2.1 keeps it as a common property);
//! - a TLP 1.0 marking definition (by its canonical id) becomes the definition the 2.1
//!   specification publishes under that id (§7.2.1.4: with `name`, nothing else), which
//!   consumers compare byte for byte.
//!
//! Not upgraded: a 2.0 observed-data's `objects` (observables without ids, referring to each
//! other by dictionary key), which 2.1 deprecates for top-level observables and `object_refs`;
//! stix2-validator 3.2.0 fails on them as 2.1. Nothing else is touched: the id, every other member and its bytes are kept, members are
//! added before the closing brace. A 2.1 object comes back as the same text, borrowed. This
//! module never decides what is published; it only rewrites what it is given.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::marking::TLP_MARKINGS;
use super::SpecVersion;

/// The media type of everything published as STIX.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// The 2.1 property each type's 2.0 `labels` vocabulary moved to.
const TYPES_FROM_LABELS: [(&str, &str); 5] = [
    ("indicator", "indicator_types"),
    ("malware", "malware_types"),
    ("tool", "tool_types"),
    ("threat-actor", "threat_actor_types"),
    ("report", "report_types"),
];

/// The members the upgrade reads, borrowed from the text.
#[derive(Deserialize)]
struct Members<'a> {
    #[serde(rename = "type")]
    object_type: Option<String>,
    id: Option<String>,
    #[serde(borrow)]
    spec_version: Option<&'a RawValue>,
    #[serde(borrow)]
    created: Option<&'a RawValue>,
    #[serde(borrow)]
    modified: Option<&'a RawValue>,
    #[serde(borrow)]
    labels: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    pattern_type: Option<&'a RawValue>,
    #[serde(borrow)]
    is_family: Option<&'a RawValue>,
    #[serde(borrow)]
    indicator_types: Option<&'a RawValue>,
    #[serde(borrow)]
    malware_types: Option<&'a RawValue>,
    #[serde(borrow)]
    tool_types: Option<&'a RawValue>,
    #[serde(borrow)]
    threat_actor_types: Option<&'a RawValue>,
    #[serde(borrow)]
    report_types: Option<&'a RawValue>,
}

impl Members<'_> {
    fn has(&self, property: &str) -> bool {
        match property {
            "indicator_types" => self.indicator_types.is_some(),
            "malware_types" => self.malware_types.is_some(),
            "tool_types" => self.tool_types.is_some(),
            "threat_actor_types" => self.threat_actor_types.is_some(),
            "report_types" => self.report_types.is_some(),
            _ => false,
        }
    }
}

/// The object's JSON as STIX 2.1: `raw` itself when `version` is 2.1 (or the text cannot be
/// read as an object, which `check` has reported), else the upgraded text.
pub fn to_21(raw: &str, version: SpecVersion) -> Cow<'_, str> {
    if version == SpecVersion::V21 {
        return Cow::Borrowed(raw);
    }
    let Ok(members) = serde_json::from_str::<Members>(raw) else { return Cow::Borrowed(raw) };
    if let Some(canonical) = canonical_tlp_21(&members) {
        return Cow::Owned(canonical);
    }
    let mut edits = Edits::new(raw);
    match members.spec_version {
        Some(value) => edits.replace(value, "\"2.1\"".to_owned()),
        None => edits.add("spec_version", "\"2.1\"".to_owned()),
    }
    for value in [members.created, members.modified].into_iter().flatten() {
        if let Ok(text) = serde_json::from_str::<&str>(value.get()) {
            if let Cow::Owned(padded) = millis(text) {
                edits.replace(value, format!("\"{padded}\""));
            }
        }
    }
    let object_type = members.object_type.as_deref().unwrap_or("");
    if let Some((_, property)) = TYPES_FROM_LABELS.iter().find(|(t, _)| *t == object_type) {
        if let (Some(labels), false) = (members.labels, members.has(property)) {
            edits.add(property, labels.get().to_owned());
        }
    }
    if object_type == "indicator" && members.pattern_type.is_none() {
        edits.add("pattern_type", "\"stix\"".to_owned());
    }
    if object_type == "malware" && members.is_family.is_none() {
        edits.add("is_family", members.name.is_some().to_string());
    }
    Cow::Owned(edits.apply())
}

/// The STIX 2.1 text of a TLP 1.0 marking definition, when `members` is one (by its id).
fn canonical_tlp_21(members: &Members) -> Option<String> {
    if members.object_type.as_deref() != Some("marking-definition") {
        return None;
    }
    let id = members.id.as_deref()?;
    let (_, level, _, tlp) = TLP_MARKINGS.iter().find(|(tlp_id, _, version, _)| *tlp_id == id && *version == 1)?;
    Some(format!(
        "{{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"{id}\",\
         \"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\",\"name\":\"{}\",\
         \"definition\":{{\"tlp\":\"{tlp}\"}}}}",
        level.label()
    ))
}

/// A timestamp with at least millisecond precision: zeros appended to a shorter fraction. Text
/// that is not a `…:ss[.s]Z` timestamp comes back as it is.
pub fn millis(timestamp: &str) -> Cow<'_, str> {
    let Some(body) = timestamp.strip_suffix('Z') else { return Cow::Borrowed(timestamp) };
    let (seconds, fraction) = match body.rfind('.') {
        Some(dot) => (&body[..dot], &body[dot + 1..]),
        None => (body, ""),
    };
    let shaped = seconds.len() >= 19 && seconds.as_bytes().get(seconds.len() - 3) == Some(&b':');
    if fraction.len() >= 3 || !shaped || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Cow::Borrowed(timestamp);
    }
    Cow::Owned(format!("{seconds}.{fraction:0<3}Z"))
}

/// Splices into an object's text: values replaced where they stand, members added before the
/// closing brace.
struct Edits<'a> {
    raw: &'a str,
    replacements: Vec<(usize, usize, String)>,
    added: String,
}

impl<'a> Edits<'a> {
    fn new(raw: &'a str) -> Edits<'a> {
        Edits { raw, replacements: Vec::new(), added: String::new() }
    }

    /// Replaces a value borrowed from the text.
    fn replace(&mut self, value: &RawValue, with: String) {
        let start = value.get().as_ptr() as usize - self.raw.as_ptr() as usize;
        self.replacements.push((start, start + value.get().len(), with));
    }

    fn add(&mut self, property: &str, value: String) {
        self.added.push_str(&format!(",\"{property}\":{value}"));
    }

    fn apply(mut self) -> String {
        self.replacements.sort_by_key(|r| r.0);
        let mut out = String::with_capacity(self.raw.len() + self.added.len() + 16);
        let mut at = 0;
        for (start, end, with) in &self.replacements {
            out.push_str(&self.raw[at..*start]);
            out.push_str(with);
            at = *end;
        }
        let close = self.raw.rfind('}').filter(|&c| c >= at).unwrap_or(self.raw.len());
        out.push_str(&self.raw[at..close]);
        // An object without members (`{}`) takes the first member without a comma.
        let empty = out.trim_end().ends_with('{');
        out.push_str(if empty { &self.added[1.min(self.added.len())..] } else { &self.added });
        out.push_str(&self.raw[close..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn upgraded(raw: &str) -> Value {
        serde_json::from_str(&to_21(raw, SpecVersion::V20)).unwrap()
    }

    #[test]
    fn a_21_object_is_published_byte_for_byte() {
        let raw = "{ \"type\": \"indicator\",\n \"spec_version\": \"2.1\", \"created\": \"2020-01-01T00:00:00Z\" }";
        assert!(matches!(to_21(raw, SpecVersion::V21), Cow::Borrowed(text) if text == raw));
    }

    #[test]
    fn a_20_indicator_gets_what_21_requires_and_keeps_the_rest() {
        let raw = r#"{
            "type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2017-01-01T00:00:00Z", "modified": "2017-01-02T00:00:00.5Z",
            "labels": ["malicious-activity"], "pattern": "[ipv4-addr:value = '198.51.100.1']",
            "valid_from": "2017-01-01T00:00:00Z", "x_custom": 1.50
        }"#;
        let text = to_21(raw, SpecVersion::V20);
        assert!(text.contains("\"x_custom\": 1.50"), "other bytes are kept: {text}");
        let object: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(object["spec_version"], "2.1");
        assert_eq!(object["pattern_type"], "stix");
        assert_eq!(object["indicator_types"], json!(["malicious-activity"]));
        assert_eq!(object["labels"], json!(["malicious-activity"]));
        assert_eq!(object["created"], "2017-01-01T00:00:00.000Z");
        assert_eq!(object["modified"], "2017-01-02T00:00:00.500Z");
        assert_eq!(object["valid_from"], "2017-01-01T00:00:00Z", "only created and modified need milliseconds");
        assert_eq!(object["id"], "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
    }

    #[test]
    fn malware_is_a_family_when_named() {
        let named = upgraded(r#"{"type":"malware","name":"X","labels":["backdoor"]}"#);
        assert_eq!((named["is_family"].clone(), named["malware_types"].clone()), (json!(true), json!(["backdoor"])));
        let unnamed = upgraded(r#"{"type":"malware","labels":["backdoor"]}"#);
        assert_eq!(unnamed["is_family"], false);
        let given = upgraded(r#"{"type":"malware","name":"X","is_family":false}"#);
        assert_eq!(given["is_family"], false);
    }

    #[test]
    fn vocabularies_move_only_where_21_moved_them() {
        for (object_type, property) in TYPES_FROM_LABELS {
            let object = upgraded(&format!(r#"{{"type":"{object_type}","labels":["a"]}}"#));
            assert_eq!(object[property], json!(["a"]), "{object_type}");
        }
        let kept = upgraded(r#"{"type":"tool","labels":["a"],"tool_types":["b"]}"#);
        assert_eq!(kept["tool_types"], json!(["b"]));
        let pattern = upgraded(r#"{"type":"attack-pattern","labels":["a"]}"#);
        assert_eq!(pattern.as_object().unwrap().len(), 3, "{pattern}");
    }

    #[test]
    fn a_declared_20_becomes_21_and_odd_text_is_left_alone() {
        let object = upgraded(r#"{"type":"identity","spec_version":"2.0","name":"A"}"#);
        assert_eq!(object["spec_version"], "2.1");
        assert_eq!(upgraded("{}"), json!({"spec_version": "2.1"}));
        for odd in ["[1]", "not json", "{\"type\": 3}"] {
            assert_eq!(to_21(odd, SpecVersion::V20), odd);
        }
    }

    #[test]
    fn a_20_tlp_definition_becomes_the_21_canonical_one() {
        let white = r#"{"type": "marking-definition", "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
            "created": "2017-01-20T00:00:00Z", "definition_type": "tlp", "definition": {"tlp": "white"}}"#;
        assert_eq!(
            upgraded(white),
            json!({"type": "marking-definition", "spec_version": "2.1",
                   "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                   "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE",
                   "definition": {"tlp": "white"}})
        );
        let statement = upgraded(
            r#"{"type": "marking-definition", "id": "marking-definition--1d7f7f9c-0a8c-4b0e-9a55-3f3c2b1a0e99",
            "definition_type": "statement", "definition": {"statement": "c"}}"#,
        );
        assert_eq!(statement.get("name"), None);
        assert_eq!(statement["spec_version"], "2.1");
    }

    #[test]
    fn millisecond_precision_pads_and_never_cuts() {
        assert_eq!(millis("2020-01-01T00:00:00Z"), "2020-01-01T00:00:00.000Z");
        assert_eq!(millis("2020-01-01T00:00:00.1Z"), "2020-01-01T00:00:00.100Z");
        assert!(matches!(millis("2020-01-01T00:00:00.123456Z"), Cow::Borrowed(_)));
        assert!(matches!(millis("yesterday"), Cow::Borrowed(_)));
        assert!(matches!(millis("2020-01-01T00:00:00.1xZ"), Cow::Borrowed(_)));
    }
}
