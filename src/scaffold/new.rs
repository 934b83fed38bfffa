//! `stixpress new TYPE --name NAME`: an object of a STIX 2.1 domain or relationship type with a
//! fresh id, `created` and `modified` now, the configured `created_by_ref` and markings, and
//! every required property, filled with a value that is valid where one can be (timestamps,
//! vocabularies, numbers) and a `TODO` placeholder where only the contributor knows (`check`
//! then points at each one left).

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use super::{now_text, random_uuid};
use crate::config::NewDefaults;
use crate::error::Error;
use crate::stix::schema::{self, Category, Kind};
use crate::stix::SpecVersion;

/// Properties set from the command line or the configuration, never as placeholders.
const SET_ELSEWHERE: &[&str] =
    &["type", "spec_version", "id", "created", "modified", "created_by_ref", "object_marking_refs", "name"];

/// An object whose properties keep the order they were added in (type, spec_version and id
/// first, as people write STIX), which `serde_json::Map` would sort.
#[derive(Debug)]
pub struct NewObject(Vec<(String, Value)>);

impl NewObject {
    fn insert(&mut self, key: &str, value: Value) {
        self.0.push((key.to_owned(), value));
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Pretty JSON: the object, or a bundle holding it.
    pub fn to_json(&self, in_bundle: bool) -> Result<String, Error> {
        if !in_bundle {
            return Ok(serde_json::to_string_pretty(self).unwrap_or_default());
        }
        // The object is serialised in place (a `Value` would sort its keys, putting `type` last).
        #[derive(serde::Serialize)]
        struct Bundle<'o> {
            r#type: &'static str,
            id: String,
            objects: [&'o NewObject; 1],
        }
        let bundle = Bundle { r#type: "bundle", id: format!("bundle--{}", random_uuid()?), objects: [self] };
        Ok(serde_json::to_string_pretty(&bundle).unwrap_or_default())
    }
}

impl Serialize for NewObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

pub fn new_object(object_type: &str, name: Option<&str>, defaults: &NewDefaults) -> Result<NewObject, Error> {
    let spec = schema::type_spec(SpecVersion::V21, object_type)
        .filter(|t| matches!(t.category, Category::Domain | Category::Relationship))
        .ok_or_else(|| Error::Usage(unknown_type(object_type)))?;
    let now = now_text();
    let mut object = NewObject(Vec::new());
    object.insert("type", json!(object_type));
    object.insert("spec_version", json!("2.1"));
    object.insert("id", json!(format!("{object_type}--{}", random_uuid()?)));
    if let Some(identity) = &defaults.created_by_ref {
        object.insert("created_by_ref", json!(identity));
    }
    object.insert("created", json!(now));
    object.insert("modified", json!(now));
    let has_name = spec.properties.iter().any(|p| p.name == "name");
    match name {
        Some(name) if has_name => {
            object.insert("name", json!(name));
        }
        Some(_) => return Err(Error::Usage(format!("a {object_type} has no `name`: leave out --name"))),
        None if spec.properties.iter().any(|p| p.name == "name" && p.required) => {
            return Err(Error::Usage(format!("a {object_type} needs a name: add --name \"…\"")));
        }
        None => {}
    }
    for property in spec.properties.iter().filter(|p| p.required && !SET_ELSEWHERE.contains(&p.name)) {
        object.insert(property.name, placeholder(object_type, property.name, property.kind, &now));
    }
    if !defaults.object_marking_refs.is_empty() {
        object.insert("object_marking_refs", json!(defaults.object_marking_refs));
    }
    Ok(object)
}

/// A value for a required property: valid when the schema says enough, else a `TODO`.
fn placeholder(object_type: &str, property: &str, kind: Kind, now: &str) -> Value {
    let todo = |what: &str| json!(format!("TODO: {what}"));
    match (object_type, property, kind) {
        ("indicator", "pattern", _) => todo("a STIX pattern, e.g. [ipv4-addr:value = '198.51.100.1']"),
        ("indicator", "pattern_type", _) => json!("stix"),
        (_, _, Kind::Timestamp) => json!(now),
        (_, _, Kind::Boolean) => json!(false),
        (_, _, Kind::Integer { min, .. }) => json!(min.unwrap_or(0)),
        (_, _, Kind::Enum(values) | Kind::OpenVocab(values)) if !values.is_empty() => json!(values[0]),
        (_, _, Kind::EnumList(values) | Kind::OpenVocabList(values)) if !values.is_empty() => json!([values[0]]),
        (_, _, Kind::Ref(types)) => todo(&format!("the id of the {}", types.first().unwrap_or(&"object"))),
        (_, _, Kind::Refs(types)) => json!([todo(&format!("ids of {} objects", types.first().unwrap_or(&"the")))]),
        (_, _, Kind::StringList) => json!([todo(property)]),
        _ => todo(property),
    }
}

fn unknown_type(object_type: &str) -> String {
    let mut types: Vec<&str> =
        schema::types_of(Category::Domain).chain(schema::types_of(Category::Relationship)).collect();
    types.sort_unstable();
    format!(
        "`{object_type}` is not a STIX 2.1 domain object or relationship type; `new` makes: {}. \
         (Cyber-observables take ids derived from their values, so write those by hand.)",
        types.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> NewDefaults {
        NewDefaults {
            created_by_ref: Some("identity--cbb9da9e-9dbd-4fde-a418-1b3d3a729ed2".into()),
            object_marking_refs: vec!["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487".into()],
        }
    }

    #[test]
    fn an_indicator_has_its_required_properties() {
        let o = new_object("indicator", Some("C2 server"), &defaults()).unwrap();
        assert!(o.get("id").unwrap().as_str().unwrap().starts_with("indicator--"));
        assert_eq!(o.get("name").unwrap(), "C2 server");
        let text = o.to_json(false).unwrap();
        assert!(text.starts_with("{\n  \"type\": \"indicator\",\n  \"spec_version\": \"2.1\",\n  \"id\""), "{text}");
        let bundle_text = o.to_json(true).unwrap();
        assert!(bundle_text.starts_with("{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--"), "{bundle_text}");
        assert!(bundle_text.contains("\"objects\": [\n    {\n      \"type\": \"indicator\",\n      \"spec_version\""));
        let bundle: Value = serde_json::from_str(&bundle_text).unwrap();
        assert_eq!(bundle["objects"][0]["name"], "C2 server");
        assert_eq!(o.get("pattern_type").unwrap(), "stix");
        assert!(o.get("pattern").unwrap().as_str().unwrap().starts_with("TODO"));
        assert_eq!(o.get("valid_from").unwrap(), o.get("created").unwrap());
        assert_eq!(o.get("created_by_ref").unwrap(), "identity--cbb9da9e-9dbd-4fde-a418-1b3d3a729ed2");
        assert_eq!(
            o.get("object_marking_refs").unwrap()[0],
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
        );
    }

    #[test]
    fn names_and_types_are_checked() {
        assert!(new_object("intrusion-set", None, &defaults()).is_err());
        assert!(new_object("relationship", Some("x"), &defaults()).is_err());
        let relationship = new_object("relationship", None, &defaults()).unwrap();
        assert!(relationship.get("source_ref").unwrap().as_str().unwrap().starts_with("TODO"));
        let error = new_object("ipv4-addr", None, &defaults()).unwrap_err().to_string();
        assert!(error.contains("Cyber-observables"), "{error}");
        assert!(new_object("../etc", None, &defaults()).is_err());
    }
}
