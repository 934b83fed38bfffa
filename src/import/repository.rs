//! What the repository already holds that an import may reference instead of writing again:
//! indicators by the blocklist values their patterns test, attack patterns by ATT&CK id (and
//! CAPEC), vulnerabilities by CVE, weaknesses by CWE, and every id.

use std::collections::{HashMap, HashSet};

use crate::stix::observables::{self, Observable};
use crate::stix::pattern::{self, Dialect};
use crate::stix::StixObject;

#[derive(Default)]
pub(crate) struct Repository {
    ids: HashSet<String>,
    /// Each version held (`id`, `modified` or empty) → its content hash.
    versions: HashMap<(String, String), u64>,
    /// A value → the indicator that already lists it (the first in file order).
    values: HashMap<Observable, String>,
    /// `T1059.001`, `CVE-2024-1234`, `CWE-79`, `CAPEC-112` (upper case) → the object.
    external: HashMap<String, String>,
}

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
    pub(crate) fn version(&self, object: &StixObject) -> Option<u64> {
        self.versions.get(&version_key(object)).copied()
    }

    pub(crate) fn has(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// The indicator that already has this value.
    pub(crate) fn indicator_for(&self, value: &Observable) -> Option<&str> {
        self.values.get(value).map(String::as_str)
    }

    /// The object an external id (`T1059`, `CVE-…`) names.
    pub(crate) fn by_external_id(&self, id: &str) -> Option<&str> {
        self.external.get(&id.to_ascii_uppercase()).map(String::as_str)
    }
}

/// What identifies one version of an object: its id and `modified` (empty when it has none).
pub(crate) fn version_key(object: &StixObject) -> (String, String) {
    (object.id.clone(), object.modified.clone().unwrap_or_default())
}
