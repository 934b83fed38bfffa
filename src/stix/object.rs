//! `StixObject`: one version of one object, as every stage after loading sees it.
//!
//! It keeps the few fields that linking, filtering and repository rules need, and where the
//! object was found. The full JSON is parsed again only where an object is rendered; holding a
//! `serde_json::Value` per object for the whole run would not fit a million objects.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use super::{SpecVersion, Timestamp};

/// One reference from an object to another object's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The property, e.g. `created_by_ref`, `object_refs`, `source_ref`: the specification's
    /// names are not copied for each of millions of references (`property_name`).
    pub property: Cow<'static, str>,
    /// Its place in a list (`object_refs`, `granular_markings`); none for a single `…_ref`.
    pub index: Option<u32>,
    pub target: String,
}

impl Reference {
    /// Where it is inside the object, as a JSON pointer (`/object_refs/3`): made when a
    /// diagnostic needs it rather than held for each of millions of references.
    pub fn pointer(&self) -> String {
        match (&*self.property, self.index) {
            ("granular_markings", Some(i)) => format!("/granular_markings/{i}/marking_ref"),
            (property, Some(i)) => format!("/{property}/{i}"),
            (property, None) => format!("/{property}"),
        }
    }
}

/// The reference properties of the STIX 2.1 objects, which nearly every reference is made by.
const REFERENCE_PROPERTIES: &[&str] = &[
    "created_by_ref",
    "object_marking_refs",
    "granular_markings",
    "object_refs",
    "source_ref",
    "target_ref",
    "sighting_of_ref",
    "where_sighted_refs",
    "observed_data_refs",
    "sample_ref",
    "sample_refs",
    "operating_system_refs",
    "installed_software_refs",
    "analysis_sco_refs",
    "host_vm_ref",
    "operating_system_ref",
    "resolves_to_refs",
    "belongs_to_refs",
    "contains_refs",
    "content_ref",
    "src_ref",
    "dst_ref",
    "src_payload_ref",
    "dst_payload_ref",
    "encapsulates_refs",
    "encapsulated_by_ref",
    "from_ref",
    "sender_ref",
    "to_refs",
    "cc_refs",
    "bcc_refs",
    "raw_email_ref",
    "body_raw_ref",
    "parent_directory_ref",
    "image_ref",
    "parent_ref",
    "child_refs",
    "creator_user_ref",
    "opened_connection_refs",
    "service_dll_refs",
    "x_mitre_modified_by_ref",
];

/// The property's name, shared when it is one of the specification's (else a copy).
pub fn property_name(property: &str) -> Cow<'static, str> {
    match REFERENCE_PROPERTIES.iter().find(|known| **known == property) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(property.to_owned()),
    }
}

/// The type's name, shared when the specification (2.1 or 2.0) defines it (else a copy).
pub fn type_name(object_type: &str) -> Cow<'static, str> {
    let spec = super::schema::type_spec(super::SpecVersion::V21, object_type)
        .or_else(|| super::schema::type_spec(super::SpecVersion::V20, object_type));
    match spec {
        Some(spec) => Cow::Borrowed(spec.name),
        None => Cow::Owned(object_type.to_owned()),
    }
}

#[derive(Debug, Clone)]
pub struct StixObject {
    pub id: String,
    /// Shared when it is one of the specification's types (`type_name`).
    pub object_type: Cow<'static, str>,
    pub spec_version: SpecVersion,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub name: Option<String>,
    /// What to call the object: its name, or what identifies it when it has none (see `label`).
    pub label: Option<String>,
    /// `aliases` (and `x_mitre_aliases`), for the name index.
    pub aliases: Vec<String>,
    /// `(source_name, external_id)` of each external reference that has an id: ATT&CK ids,
    /// CVE and CAPEC numbers, the handles analysts search by.
    pub external_ids: Vec<(String, String)>,
    pub revoked: bool,
    /// ATT&CK's `x_mitre_deprecated`: no longer current, though not replaced.
    pub deprecated: bool,
    pub relationship_type: Option<String>,
    /// Held at their number (a growing list keeps room for more: a third of its size).
    pub refs: Box<[Reference]>,
    /// A hash of the object's content that ignores key order and whitespace, so two copies of
    /// the same version in different files compare equal.
    pub content_hash: u64,
    /// The object's JSON as contributed: it is what gets published. Byte for byte, or without
    /// the whitespace between tokens, or empty where `check` does not read it again, as the
    /// loader was asked (`load::KeepJson`).
    pub raw: Box<str>,
    /// Every UUID the JSON names besides the object's own id (`mentions::named_uuids`), found
    /// once while loading: the marking rules, the links and every audience's View read them.
    pub named: Box<[u128]>,
    /// Whether a per-object rule found an error in it (`build --allow-errors` leaves it out).
    pub invalid: bool,
    pub file: Arc<PathBuf>,
    /// Byte offset of the object's `{` in its file (line and column are worked out only when a
    /// diagnostic needs them: counting characters on a minified megabyte line is not free).
    pub offset: usize,
    /// JSON pointer of the object inside its file (`/objects/3`, or `` for a lone object).
    pub pointer: String,
}

/// The property of an edge from an object to one it names outside its references (in prose,
/// extensions, custom properties).
pub const MENTIONS: &str = "mentions";

impl StixObject {
    /// What to show for an object: its label, else its id.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }

    /// Revoked or deprecated: still published, but marked and listed after current objects.
    pub fn is_retired(&self) -> bool {
        self.revoked || self.deprecated
    }

    /// The version key: objects are versioned by `modified` (or `created` when never modified).
    pub fn version_key(&self) -> &str {
        self.modified.as_deref().or(self.created.as_deref()).unwrap_or("")
    }

    /// The version key as a time, for ordering versions whatever their fraction digits.
    pub fn version_time(&self) -> Option<Timestamp> {
        Timestamp::parse(self.version_key()).ok()
    }

    /// The UUIDs its JSON names anywhere (references, extensions, prose; escaped, encoded or in
    /// any case, see `mentions`); each once, in the order first named. Callers skip the object
    /// itself.
    pub fn named_uuids(&self) -> &[u128] {
        &self.named
    }
}
