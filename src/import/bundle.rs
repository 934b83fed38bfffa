//! The bundle an import writes: objects in the order they were made, each once, each saying
//! where it came from (the provenance extension), the importing identity as `created_by_ref`,
//! and ids derived from content so the same source gives the same bytes.
//!
//! This module never reads a clock or a random number: every time comes from the caller.

use std::collections::HashSet;

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::stix::uuid::derived_uuid;
use crate::stix::SpecVersion;

/// The extension-definition stixpress ships for import provenance (documented in README.md).
pub(crate) use crate::stix::PROVENANCE_EXTENSION;
/// The identity that defines it: stixpress itself.
pub(crate) const STIXPRESS_IDENTITY: &str = "identity--993b8ae1-515d-4b75-b545-6726573ce36c";
/// When the definition was published (it changes only with a new version of the extension).
const DEFINITION_TIME: &str = "2026-12-01T00:00:00.000Z";

/// How an object was made: the source, the rule that made it, where in the source.
#[derive(Debug, Clone)]
pub(crate) struct Provenance<'a> {
    pub(crate) source: &'a str,
    pub(crate) rule: &'a str,
    pub(crate) location: String,
}

/// One object of the bundle: made by the import, or kept as a third party published it.
enum Entry {
    /// An object made by the import, already written as it appears in the bundle: a
    /// `serde_json::Value` per object would hold several times the memory at 100,000 objects.
    Made(Box<RawValue>),
    /// A STIX object from elsewhere: its bytes as published and the version it was read as.
    Kept(Box<RawValue>, SpecVersion, (String, String)),
}

/// The objects being imported.
pub(crate) struct Output {
    objects: Vec<Entry>,
    ids: HashSet<String>,
    /// `id` and `modified` (empty when it has none) of the objects kept as published.
    versions: HashSet<(String, String)>,
    made: usize,
    created_by_ref: Option<String>,
    markings: Vec<String>,
}

impl Output {
    pub(crate) fn new(created_by_ref: Option<String>, markings: Vec<String>) -> Output {
        Output { objects: Vec::new(), ids: HashSet::new(), versions: HashSet::new(), made: 0, created_by_ref, markings }
    }

    pub(crate) fn has(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    pub(crate) fn len(&self) -> usize {
        self.objects.len()
    }

    /// Adds a domain or relationship object (`type`, `id` and its own properties set), with the
    /// common properties and provenance; an id already added is kept as first made.
    pub(crate) fn add_sdo(&mut self, mut object: Map<String, Value>, created: &str, provenance: &Provenance<'_>) {
        object.insert("spec_version".into(), json!("2.1"));
        object.entry("created").or_insert_with(|| json!(created));
        object.entry("modified").or_insert_with(|| json!(created));
        if let Some(identity) = &self.created_by_ref {
            object.entry("created_by_ref").or_insert_with(|| json!(identity));
        }
        if !self.markings.is_empty() && !object.contains_key("object_marking_refs") {
            object.insert("object_marking_refs".into(), json!(self.markings));
        }
        self.push(object, provenance);
    }

    /// Adds a cyber-observable (which has no `created_by_ref` or times), with provenance.
    pub(crate) fn add_sco(&mut self, object: Value, provenance: &Provenance<'_>) {
        if let Value::Object(object) = object {
            self.push(object, provenance);
        }
    }

    fn push(&mut self, mut object: Map<String, Value>, provenance: &Provenance<'_>) {
        let Some(id) = object.get("id").and_then(Value::as_str).map(str::to_owned) else { return };
        if !self.ids.insert(id) {
            return;
        }
        let extension = json!({
            "extension_type": "property-extension",
            "source": provenance.source,
            "importer": importer(),
            "rule": provenance.rule,
            "location": provenance.location,
        });
        let extensions = object.entry("extensions").or_insert_with(|| json!({}));
        if let Value::Object(extensions) = extensions {
            extensions.insert(PROVENANCE_EXTENSION.into(), extension);
        }
        self.made += 1;
        if let Some(made) = made(&Value::Object(object)) {
            self.objects.push(made);
        }
    }

    /// Whether this version of an object (`modified` empty when it has none) is already kept.
    pub(crate) fn has_version(&self, id: &str, modified: &str) -> bool {
        self.versions.contains(&(id.to_owned(), modified.to_owned()))
    }

    /// Keeps a third party's object as published: its bytes are written unchanged (no
    /// provenance extension, no `created_by_ref`: adding them would make it another object).
    /// A version already kept is not kept twice.
    pub(crate) fn keep(&mut self, id: &str, modified: &str, raw: &str, version: SpecVersion) {
        let key = (id.to_owned(), modified.to_owned());
        if self.versions.contains(&key) {
            return;
        }
        let Ok(raw) = RawValue::from_string(raw.to_owned()) else { return };
        self.versions.insert(key.clone());
        self.ids.insert(id.to_owned());
        self.objects.push(Entry::Kept(raw, version, key));
    }

    /// Leaves out kept objects (by id and `modified`) after all: what they reference was left out.
    pub(crate) fn leave_out(&mut self, versions: &HashSet<(String, String)>) {
        self.objects.retain(|entry| !matches!(entry, Entry::Kept(_, _, key) if versions.contains(key)));
        self.versions.retain(|key| !versions.contains(key));
    }

    /// The bundle: the extension's definition first (when objects were made and the repository
    /// lacks it), then the objects; its id is derived from them. A bundle of STIX 2.0 objects
    /// only stays a STIX 2.0 bundle (`spec_version` "2.0"), so that they are read as published.
    pub(crate) fn into_bundle(self, repository_has_definition: bool) -> Bundle {
        let only_20 = self.made == 0
            && !self.objects.is_empty()
            && self.objects.iter().all(|e| matches!(e, Entry::Kept(_, SpecVersion::V20, _)));
        let mut objects = Vec::with_capacity(self.objects.len() + 2);
        if !repository_has_definition && self.made > 0 {
            objects.extend(definition_objects().iter().filter_map(made));
        }
        objects.extend(self.objects);
        let text = serde_json::to_string(&Entries(&objects)).unwrap_or_default();
        // STIX 2.0 asks for version 4 UUIDs everywhere (its validator refuses others).
        let id = match only_20 {
            true => derived_id("bundle", &text),
            false => format!("bundle--{}", derived_uuid(&format!("import bundle\n{text}"))),
        };
        Bundle { id, spec_version: only_20.then_some("2.0"), objects }
    }
}

/// The bundle an import writes.
pub(crate) struct Bundle {
    id: String,
    spec_version: Option<&'static str>,
    objects: Vec<Entry>,
}

struct Entries<'a>(&'a [Entry]);

impl serde::Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for entry in self.0 {
            match entry {
                Entry::Made(raw) | Entry::Kept(raw, _, _) => seq.serialize_element(raw)?,
            }
        }
        seq.end()
    }
}

impl serde::Serialize for Bundle {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", "bundle")?;
        map.serialize_entry("id", &self.id)?;
        if let Some(version) = self.spec_version {
            map.serialize_entry("spec_version", version)?;
        }
        map.serialize_entry("objects", &Entries(&self.objects))?;
        map.end()
    }
}

/// An object as the bundle's pretty text holds it (its properties ordered, indented for its
/// place in `objects`), kept as text.
fn made(object: &Value) -> Option<Entry> {
    let text = serde_json::to_string_pretty(&Ordered(object)).ok()?;
    RawValue::from_string(text.replace('\n', "\n    ")).ok().map(Entry::Made)
}

/// Properties written first, in this order, as people write STIX; the rest follow sorted.
const FIRST: &[&str] = &["type", "spec_version", "id", "created_by_ref", "created", "modified"];

/// The bundle as pretty JSON with `type`, `spec_version` and `id` first in every object made;
/// objects kept as published keep their bytes.
pub(crate) fn to_text(bundle: &Bundle) -> String {
    let mut text = serde_json::to_string_pretty(bundle).unwrap_or_default();
    text.push('\n');
    text
}

struct Ordered<'a>(&'a Value);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for key in FIRST.iter().filter(|k| members.contains_key(**k)) {
                    map.serialize_entry(key, &Ordered(&members[*key]))?;
                }
                for (key, value) in members.iter().filter(|(k, _)| !FIRST.contains(&k.as_str())) {
                    map.serialize_entry(key, &Ordered(value))?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Ordered(item))?;
                }
                seq.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// The importer named in provenance: this program and its version.
pub(crate) fn importer() -> String {
    format!("stixpress {}", env!("CARGO_PKG_VERSION"))
}

/// stixpress's identity and the provenance extension's definition.
pub(crate) fn definition_objects() -> [Value; 2] {
    let identity = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": STIXPRESS_IDENTITY,
        "created": DEFINITION_TIME,
        "modified": DEFINITION_TIME,
        "name": "stixpress",
        "identity_class": "system",
        "description": "The stixpress static-site generator for STIX threat intelligence.",
    });
    let definition = json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": PROVENANCE_EXTENSION,
        "created_by_ref": STIXPRESS_IDENTITY,
        "created": DEFINITION_TIME,
        "modified": DEFINITION_TIME,
        "name": "stixpress import provenance",
        "description": "How `stixpress import` made an object: from which source, by which importer, with which rule, and where in the source.",
        "schema": "A property extension with four strings: `source` (the file name or URL imported), `importer` (`stixpress` and its version), `rule` (the mapping or extractor that made the object, e.g. `misp attribute ip-dst`, `text ioc domain`) and `location` (where in the source: `line 42`, or a JSON pointer such as `/Event/Attribute/3`).",
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    });
    [identity, definition]
}

/// An id of `object_type` derived from what makes the object what it is. STIX asks for
/// version 4 (random) UUIDs in these ids; the hash's bits are as unpredictable as random ones,
/// so the name-based UUID is given version 4's bits and the same source keeps the same ids.
pub(crate) fn derived_id(object_type: &str, name: &str) -> String {
    let mut uuid = derived_uuid(&format!("import {object_type}\n{name}"));
    uuid.replace_range(14..15, "4");
    format!("{object_type}--{uuid}")
}

/// A relationship object (without the common properties, which `add_sdo` sets).
pub(crate) fn relationship(source: &str, relationship_type: &str, target: &str) -> Map<String, Value> {
    let id = derived_id("relationship", &format!("{source} {relationship_type} {target}"));
    let mut object = Map::new();
    object.insert("type".into(), json!("relationship"));
    object.insert("id".into(), json!(id));
    object.insert("relationship_type".into(), json!(relationship_type));
    object.insert("source_ref".into(), json!(source));
    object.insert("target_ref".into(), json!(target));
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance<'static> {
        Provenance { source: "list.txt", rule: "list", location: "line 1".into() }
    }

    #[test]
    fn objects_are_added_once_with_provenance() {
        let mut out = Output::new(Some("identity--x".into()), Vec::new());
        let mut object = Map::new();
        object.insert("type".into(), json!("indicator"));
        object.insert("id".into(), json!("indicator--1"));
        out.add_sdo(object.clone(), "2026-01-01T00:00:00Z", &provenance());
        out.add_sdo(object, "2026-01-01T00:00:00Z", &provenance());
        assert_eq!(out.len(), 1);
        let bundle: Value = serde_json::from_str(&to_text(&out.into_bundle(false))).unwrap();
        let objects = bundle["objects"].as_array().unwrap();
        assert_eq!(objects.len(), 3);
        assert_eq!(objects[2]["created_by_ref"], "identity--x");
        assert_eq!(objects[2]["extensions"][PROVENANCE_EXTENSION]["location"], "line 1");
    }

    #[test]
    fn the_bundle_id_follows_the_content() {
        let empty = to_text(&Output::new(None, Vec::new()).into_bundle(false));
        assert_eq!(empty, to_text(&Output::new(None, Vec::new()).into_bundle(false)));
        let empty: Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(empty["objects"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn kept_objects_keep_their_bytes_and_a_20_bundle_stays_20() {
        let raw = "{\"type\": \"identity\",\n \"id\": \"identity--x\", \"created\":\"2016-01-01T00:00:00Z\"}";
        let mut out = Output::new(Some("identity--me".into()), Vec::new());
        out.keep("identity--x", "", raw, SpecVersion::V20);
        out.keep("identity--x", "", raw, SpecVersion::V20);
        let text = to_text(&out.into_bundle(false));
        assert!(text.contains(raw), "{text}");
        let bundle: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(bundle["spec_version"], "2.0");
        assert_eq!(bundle["objects"].as_array().map(Vec::len), Some(1));
    }
}
