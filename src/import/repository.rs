//! What the repository already holds that an import may reference instead of writing again:
//! indicators by the blocklist values their patterns test, attack patterns by ATT&CK id (and
//! CAPEC), vulnerabilities by CVE, weaknesses by CWE, actors and software by name and alias,
//! relationships by what they join, and every id.

use std::collections::{HashMap, HashSet};

use crate::load::json::ContentDigest;
use crate::stix::observables::{self, Observable};
use crate::stix::pattern::{self, Dialect};
use crate::stix::StixObject;

#[derive(Default)]
pub(crate) struct Repository {
    ids: HashSet<String>,
    /// Each version held (`id`, `modified` or empty) → its content hash.
    versions: HashMap<(String, String), ContentDigest>,
    /// A value → the indicator that already lists it (the first in file order).
    values: HashMap<Observable, String>,
    /// `T1059.001`, `CVE-2024-1234`, `CWE-79`, `CAPEC-112` (upper case) → the object.
    external: HashMap<String, String>,
    /// Names and aliases of the actors and software a report can name.
    named: Vec<Named>,
    /// (source, relationship type, target) → the relationship that already says it.
    relationships: HashMap<(String, String, String), String>,
}

/// A name or alias of an intrusion set, threat actor, campaign, malware or tool.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) object_type: String,
}

/// The types a written report names by name.
pub(crate) const NAMED_TYPES: &[&str] = &["intrusion-set", "threat-actor", "campaign", "malware", "tool"];

impl Repository {
    pub(crate) fn index(objects: &[StixObject]) -> Repository {
        let mut repository = Repository::default();
        for object in objects {
            repository.versions.insert(version_key(object), object.content_hash);
            if object.revoked {
                continue;
            }
            repository.ids.insert(object.id.clone());
            if object.object_type == "indicator" {
                repository.index_pattern(object);
            }
            if NAMED_TYPES.contains(&&*object.object_type) {
                repository.index_names(object);
            }
            if let (Some(kind), [source, target]) = (&object.relationship_type, endpoints(object)) {
                let key = (source.to_owned(), kind.clone(), target.to_owned());
                repository.relationships.entry(key).or_insert_with(|| object.id.clone());
            }
            for (source, id) in &object.external_ids {
                let known =
                    matches!(source.as_str(), "mitre-attack" | "cve" | "cwe" | "capec") || source.starts_with("mitre-");
                if known {
                    repository.external.entry(id.to_ascii_uppercase()).or_insert_with(|| object.id.clone());
                }
            }
            if object.object_type == "vulnerability" {
                if let Some(name) = object.name.as_deref().filter(|n| n.to_ascii_uppercase().starts_with("CVE-")) {
                    repository.external.entry(name.to_ascii_uppercase()).or_insert_with(|| object.id.clone());
                }
            }
        }
        repository
    }

    fn index_names(&mut self, object: &StixObject) {
        let mut names: Vec<&str> =
            object.name.iter().chain(&object.aliases).map(|n| n.trim()).filter(|n| !n.is_empty()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let named =
                Named { name: name.to_owned(), id: object.id.clone(), object_type: object.object_type.to_string() };
            self.named.push(named);
        }
    }

    fn index_pattern(&mut self, object: &StixObject) {
        let Ok(serde_json::Value::Object(members)) = serde_json::from_str(&object.raw) else { return };
        if members.get("pattern_type").and_then(|t| t.as_str()).is_some_and(|t| t != "stix") {
            return;
        }
        let Some(text) = members.get("pattern").and_then(|p| p.as_str()) else { return };
        let dialect = Dialect::from_spec_version(object.spec_version.as_str()).unwrap_or(Dialect::Stix21);
        let Ok(parsed) = pattern::parse(text, dialect) else { return };
        for test in parsed.extract().blocklist_entries() {
            if let Some(Ok(observable)) = observables::from_test(test) {
                self.values.entry(observable).or_insert_with(|| object.id.clone());
            }
        }
    }

    /// The content hash of this version (`id` and `modified`) when the repository holds it.
    pub(crate) fn version(&self, object: &StixObject) -> Option<ContentDigest> {
        self.versions.get(&version_key(object)).copied()
    }

    pub(crate) fn has(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// The indicator that already has this value.
    pub(crate) fn indicator_for(&self, value: &Observable) -> Option<&str> {
        self.values.get(value).map(String::as_str)
    }

    /// The names and aliases of the actors and software held.
    pub(crate) fn named(&self) -> &[Named] {
        &self.named
    }

    /// The relationship that already joins `source` to `target` by this type.
    pub(crate) fn relationship(&self, source: &str, relationship_type: &str, target: &str) -> Option<&str> {
        let key = (source.to_owned(), relationship_type.to_owned(), target.to_owned());
        self.relationships.get(&key).map(String::as_str)
    }

    /// The object an external id (`T1059`, `CVE-…`) names.
    pub(crate) fn by_external_id(&self, id: &str) -> Option<&str> {
        self.external.get(&id.to_ascii_uppercase()).map(String::as_str)
    }
}

/// A relationship's `source_ref` and `target_ref`.
fn endpoints(object: &StixObject) -> [&str; 2] {
    let target_of =
        |property: &str| object.refs.iter().find(|r| r.property == property).map_or("", |r| r.target.as_str());
    [target_of("source_ref"), target_of("target_ref")]
}

/// What identifies one version of an object: its id and `modified` (empty when it has none).
pub(crate) fn version_key(object: &StixObject) -> (String, String) {
    (object.id.clone(), object.modified.clone().unwrap_or_default())
}
