//! What each STIX type defines: its category and its properties with their value kinds, for
//! STIX 2.1 (sections 4-8) and STIX 2.0 (where it differs). Validation walks these tables;
//! rules that tie several properties together live in `validate::constraints`.

use super::vocab as v;
use super::SpecVersion;

/// The category of an object type, which decides its common properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Domain object (SDO).
    Domain,
    /// Relationship or sighting (SRO).
    Relationship,
    /// Cyber-observable (SCO).
    Observable,
    /// Marking definition, language content, extension definition.
    Meta,
}

/// The kind of value a property holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    String,
    Boolean,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Float {
        min: Option<f64>,
        max: Option<f64>,
    },
    Timestamp,
    /// Base64.
    Binary,
    Hex,
    /// A reference to an object of one of these types (any type when empty).
    Ref(&'static [&'static str]),
    /// A non-empty list of such references.
    Refs(&'static [&'static str]),
    StringList,
    /// A value that SHOULD come from the vocabulary.
    OpenVocab(&'static [&'static str]),
    OpenVocabList(&'static [&'static str]),
    /// A value that MUST come from the enumeration.
    Enum(&'static [&'static str]),
    EnumList(&'static [&'static str]),
    Hashes,
    KillChainPhases,
    ExternalReferences,
    GranularMarkings,
    Extensions,
    /// A JSON object whose keys follow the dictionary naming rules.
    Dictionary,
    /// A JSON object or list of them with their own rules (checked in constraints).
    Object,
    ObjectList,
}

#[derive(Debug, Clone, Copy)]
pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct TypeSpec {
    pub name: &'static str,
    pub category: Category,
    pub properties: &'static [Property],
}

const fn req(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, required: true }
}

const fn opt(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, required: false }
}

use Kind::*;

const INT: Kind = Integer { min: None, max: None };
const UINT: Kind = Integer { min: Some(0), max: None };
const PORT: Kind = Integer { min: Some(0), max: Some(65535) };
const ANY: &[&str] = &[];
const SDO_TARGETS: &[&str] = &[
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
];
const ADDRESSES: &[&str] = &["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"];

/// Common properties of SDOs and SROs in STIX 2.1 (section 3.2), besides type and id.
pub const COMMON_21: &[Property] = &[
    req("spec_version", String),
    req("created", Timestamp),
    req("modified", Timestamp),
    opt("created_by_ref", Ref(&["identity"])),
    opt("revoked", Boolean),
    opt("labels", StringList),
    opt("confidence", Integer { min: Some(0), max: Some(100) }),
    opt("lang", String),
    opt("external_references", ExternalReferences),
    opt("object_marking_refs", Refs(&["marking-definition"])),
    opt("granular_markings", GranularMarkings),
    opt("extensions", Extensions),
];

/// Common properties of SCOs in STIX 2.1 (section 6.1).
pub const COMMON_SCO_21: &[Property] = &[
    opt("spec_version", String),
    opt("object_marking_refs", Refs(&["marking-definition"])),
    opt("granular_markings", GranularMarkings),
    opt("defanged", Boolean),
    opt("extensions", Extensions),
];

/// Common properties of SDOs and SROs in STIX 2.0.
pub const COMMON_20: &[Property] = &[
    req("created", Timestamp),
    req("modified", Timestamp),
    opt("created_by_ref", Ref(&["identity"])),
    opt("revoked", Boolean),
    opt("labels", StringList),
    opt("external_references", ExternalReferences),
    opt("object_marking_refs", Refs(&["marking-definition"])),
    opt("granular_markings", GranularMarkings),
];

macro_rules! spec {
    ($name:literal, $category:ident, [$($prop:expr),* $(,)?]) => {
        TypeSpec { name: $name, category: Category::$category, properties: &[$($prop),*] }
    };
}

pub const TYPES_21: &[TypeSpec] = &[
    spec!(
        "attack-pattern",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("aliases", StringList),
            opt("kill_chain_phases", KillChainPhases)
        ]
    ),
    spec!(
        "campaign",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("aliases", StringList),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("objective", String)
        ]
    ),
    spec!("course-of-action", Domain, [req("name", String), opt("description", String)]),
    spec!(
        "grouping",
        Domain,
        [
            opt("name", String),
            opt("description", String),
            req("context", OpenVocab(v::GROUPING_CONTEXT)),
            req("object_refs", Refs(ANY))
        ]
    ),
    spec!(
        "identity",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("roles", StringList),
            opt("identity_class", OpenVocab(v::IDENTITY_CLASS)),
            opt("sectors", OpenVocabList(v::INDUSTRY_SECTOR)),
            opt("contact_information", String)
        ]
    ),
    spec!(
        "incident",
        Domain,
        [req("name", String), opt("description", String), opt("kill_chain_phases", KillChainPhases)]
    ),
    spec!(
        "indicator",
        Domain,
        [
            opt("name", String),
            opt("description", String),
            opt("indicator_types", OpenVocabList(v::INDICATOR_TYPE)),
            req("pattern", String),
            req("pattern_type", String),
            opt("pattern_version", String),
            req("valid_from", Timestamp),
            opt("valid_until", Timestamp),
            opt("kill_chain_phases", KillChainPhases)
        ]
    ),
    spec!(
        "infrastructure",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("infrastructure_types", OpenVocabList(v::INFRASTRUCTURE_TYPE)),
            opt("aliases", StringList),
            opt("kill_chain_phases", KillChainPhases),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp)
        ]
    ),
    spec!(
        "intrusion-set",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("aliases", StringList),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("goals", StringList),
            opt("resource_level", OpenVocab(v::ATTACK_RESOURCE_LEVEL)),
            opt("primary_motivation", OpenVocab(v::ATTACK_MOTIVATION)),
            opt("secondary_motivations", OpenVocabList(v::ATTACK_MOTIVATION))
        ]
    ),
    spec!(
        "location",
        Domain,
        [
            opt("name", String),
            opt("description", String),
            opt("latitude", Float { min: Some(-90.0), max: Some(90.0) }),
            opt("longitude", Float { min: Some(-180.0), max: Some(180.0) }),
            opt("precision", Float { min: Some(0.0), max: None }),
            opt("region", OpenVocab(v::REGION)),
            opt("country", String),
            opt("administrative_area", String),
            opt("city", String),
            opt("street_address", String),
            opt("postal_code", String)
        ]
    ),
    spec!(
        "malware",
        Domain,
        [
            opt("name", String),
            opt("description", String),
            opt("malware_types", OpenVocabList(v::MALWARE_TYPE)),
            req("is_family", Boolean),
            opt("aliases", StringList),
            opt("kill_chain_phases", KillChainPhases),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("operating_system_refs", Refs(&["software"])),
            opt("architecture_execution_envs", OpenVocabList(v::PROCESSOR_ARCHITECTURE)),
            opt("implementation_languages", OpenVocabList(v::IMPLEMENTATION_LANGUAGE)),
            opt("capabilities", OpenVocabList(v::MALWARE_CAPABILITIES)),
            opt("sample_refs", Refs(&["file", "artifact"]))
        ]
    ),
    spec!(
        "malware-analysis",
        Domain,
        [
            req("product", String),
            opt("version", String),
            opt("host_vm_ref", Ref(&["software"])),
            opt("operating_system_ref", Ref(&["software"])),
            opt("installed_software_refs", Refs(&["software"])),
            opt("configuration_version", String),
            opt("modules", StringList),
            opt("analysis_engine_version", String),
            opt("analysis_definition_version", String),
            opt("submitted", Timestamp),
            opt("analysis_started", Timestamp),
            opt("analysis_ended", Timestamp),
            opt("result_name", String),
            opt("result", OpenVocab(v::MALWARE_RESULT)),
            opt("analysis_sco_refs", Refs(ANY)),
            opt("sample_ref", Ref(&["file", "artifact", "network-traffic"]))
        ]
    ),
    spec!(
        "note",
        Domain,
        [opt("abstract", String), req("content", String), opt("authors", StringList), req("object_refs", Refs(ANY))]
    ),
    spec!(
        "observed-data",
        Domain,
        [
            req("first_observed", Timestamp),
            req("last_observed", Timestamp),
            req("number_observed", Integer { min: Some(1), max: Some(999_999_999) }),
            opt("objects", Object),
            opt("object_refs", Refs(ANY))
        ]
    ),
    spec!(
        "opinion",
        Domain,
        [
            opt("explanation", String),
            opt("authors", StringList),
            req("opinion", Enum(v::OPINION)),
            req("object_refs", Refs(ANY))
        ]
    ),
    spec!(
        "report",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("report_types", OpenVocabList(v::REPORT_TYPE)),
            req("published", Timestamp),
            req("object_refs", Refs(ANY))
        ]
    ),
    spec!(
        "threat-actor",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("threat_actor_types", OpenVocabList(v::THREAT_ACTOR_TYPE)),
            opt("aliases", StringList),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("roles", OpenVocabList(v::THREAT_ACTOR_ROLE)),
            opt("goals", StringList),
            opt("sophistication", OpenVocab(v::THREAT_ACTOR_SOPHISTICATION)),
            opt("resource_level", OpenVocab(v::ATTACK_RESOURCE_LEVEL)),
            opt("primary_motivation", OpenVocab(v::ATTACK_MOTIVATION)),
            opt("secondary_motivations", OpenVocabList(v::ATTACK_MOTIVATION)),
            opt("personal_motivations", OpenVocabList(v::ATTACK_MOTIVATION))
        ]
    ),
    spec!(
        "tool",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("tool_types", OpenVocabList(v::TOOL_TYPE)),
            opt("aliases", StringList),
            opt("kill_chain_phases", KillChainPhases),
            opt("tool_version", String)
        ]
    ),
    spec!("vulnerability", Domain, [req("name", String), opt("description", String)]),
    spec!(
        "relationship",
        Relationship,
        [
            req("relationship_type", String),
            opt("description", String),
            req("source_ref", Ref(ANY)),
            req("target_ref", Ref(ANY)),
            opt("start_time", Timestamp),
            opt("stop_time", Timestamp)
        ]
    ),
    spec!(
        "sighting",
        Relationship,
        [
            opt("description", String),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("count", Integer { min: Some(0), max: Some(999_999_999) }),
            req("sighting_of_ref", Ref(SDO_TARGETS)),
            opt("observed_data_refs", Refs(&["observed-data"])),
            opt("where_sighted_refs", Refs(&["identity", "location"])),
            opt("summary", Boolean)
        ]
    ),
    spec!(
        "artifact",
        Observable,
        [
            opt("mime_type", String),
            opt("payload_bin", Binary),
            opt("url", String),
            opt("hashes", Hashes),
            opt("encryption_algorithm", Enum(v::ENCRYPTION_ALGORITHM)),
            opt("decryption_key", String)
        ]
    ),
    spec!("autonomous-system", Observable, [req("number", UINT), opt("name", String), opt("rir", String)]),
    spec!(
        "directory",
        Observable,
        [
            req("path", String),
            opt("path_enc", String),
            opt("ctime", Timestamp),
            opt("mtime", Timestamp),
            opt("atime", Timestamp),
            opt("contains_refs", Refs(&["file", "directory"]))
        ]
    ),
    spec!(
        "domain-name",
        Observable,
        [req("value", String), opt("resolves_to_refs", Refs(&["ipv4-addr", "ipv6-addr", "domain-name"]))]
    ),
    spec!(
        "email-addr",
        Observable,
        [req("value", String), opt("display_name", String), opt("belongs_to_ref", Ref(&["user-account"]))]
    ),
    spec!(
        "email-message",
        Observable,
        [
            req("is_multipart", Boolean),
            opt("date", Timestamp),
            opt("content_type", String),
            opt("from_ref", Ref(&["email-addr"])),
            opt("sender_ref", Ref(&["email-addr"])),
            opt("to_refs", Refs(&["email-addr"])),
            opt("cc_refs", Refs(&["email-addr"])),
            opt("bcc_refs", Refs(&["email-addr"])),
            opt("message_id", String),
            opt("subject", String),
            opt("received_lines", StringList),
            opt("additional_header_fields", Dictionary),
            opt("body", String),
            opt("body_multipart", ObjectList),
            opt("raw_email_ref", Ref(&["artifact"]))
        ]
    ),
    spec!(
        "file",
        Observable,
        [
            opt("hashes", Hashes),
            opt("size", UINT),
            opt("name", String),
            opt("name_enc", String),
            opt("magic_number_hex", Hex),
            opt("mime_type", String),
            opt("ctime", Timestamp),
            opt("mtime", Timestamp),
            opt("atime", Timestamp),
            opt("parent_directory_ref", Ref(&["directory"])),
            opt("contains_refs", Refs(ANY)),
            opt("content_ref", Ref(&["artifact"]))
        ]
    ),
    spec!(
        "ipv4-addr",
        Observable,
        [
            req("value", String),
            opt("resolves_to_refs", Refs(&["mac-addr"])),
            opt("belongs_to_refs", Refs(&["autonomous-system"]))
        ]
    ),
    spec!(
        "ipv6-addr",
        Observable,
        [
            req("value", String),
            opt("resolves_to_refs", Refs(&["mac-addr"])),
            opt("belongs_to_refs", Refs(&["autonomous-system"]))
        ]
    ),
    spec!("mac-addr", Observable, [req("value", String)]),
    spec!("mutex", Observable, [req("name", String)]),
    spec!(
        "network-traffic",
        Observable,
        [
            opt("start", Timestamp),
            opt("end", Timestamp),
            opt("is_active", Boolean),
            opt("src_ref", Ref(ADDRESSES)),
            opt("dst_ref", Ref(ADDRESSES)),
            opt("src_port", PORT),
            opt("dst_port", PORT),
            req("protocols", StringList),
            opt("src_byte_count", UINT),
            opt("dst_byte_count", UINT),
            opt("src_packets", UINT),
            opt("dst_packets", UINT),
            opt("ipfix", Dictionary),
            opt("src_payload_ref", Ref(&["artifact"])),
            opt("dst_payload_ref", Ref(&["artifact"])),
            opt("encapsulates_refs", Refs(&["network-traffic"])),
            opt("encapsulated_by_ref", Ref(&["network-traffic"]))
        ]
    ),
    spec!(
        "process",
        Observable,
        [
            opt("is_hidden", Boolean),
            opt("pid", INT),
            opt("created_time", Timestamp),
            opt("cwd", String),
            opt("command_line", String),
            opt("environment_variables", Dictionary),
            opt("opened_connection_refs", Refs(&["network-traffic"])),
            opt("creator_user_ref", Ref(&["user-account"])),
            opt("image_ref", Ref(&["file"])),
            opt("parent_ref", Ref(&["process"])),
            opt("child_refs", Refs(&["process"]))
        ]
    ),
    spec!(
        "software",
        Observable,
        [
            req("name", String),
            opt("cpe", String),
            opt("swid", String),
            opt("languages", StringList),
            opt("vendor", String),
            opt("version", String)
        ]
    ),
    spec!("url", Observable, [req("value", String)]),
    spec!(
        "user-account",
        Observable,
        [
            opt("user_id", String),
            opt("credential", String),
            opt("account_login", String),
            opt("account_type", OpenVocab(v::ACCOUNT_TYPE)),
            opt("display_name", String),
            opt("is_service_account", Boolean),
            opt("is_privileged", Boolean),
            opt("can_escalate_privs", Boolean),
            opt("is_disabled", Boolean),
            opt("account_created", Timestamp),
            opt("account_expires", Timestamp),
            opt("credential_last_changed", Timestamp),
            opt("account_first_login", Timestamp),
            opt("account_last_login", Timestamp)
        ]
    ),
    spec!(
        "windows-registry-key",
        Observable,
        [
            opt("key", String),
            opt("values", ObjectList),
            opt("modified_time", Timestamp),
            opt("creator_user_ref", Ref(&["user-account"])),
            opt("number_of_subkeys", UINT)
        ]
    ),
    spec!(
        "x509-certificate",
        Observable,
        [
            opt("is_self_signed", Boolean),
            opt("hashes", Hashes),
            opt("version", String),
            opt("serial_number", String),
            opt("signature_algorithm", String),
            opt("issuer", String),
            opt("validity_not_before", Timestamp),
            opt("validity_not_after", Timestamp),
            opt("subject", String),
            opt("subject_public_key_algorithm", String),
            opt("subject_public_key_modulus", String),
            opt("subject_public_key_exponent", UINT),
            opt("x509_v3_extensions", Object)
        ]
    ),
    spec!(
        "marking-definition",
        Meta,
        [
            req("spec_version", String),
            req("created", Timestamp),
            opt("created_by_ref", Ref(&["identity"])),
            opt("external_references", ExternalReferences),
            opt("object_marking_refs", Refs(&["marking-definition"])),
            opt("granular_markings", GranularMarkings),
            opt("name", String),
            opt("definition_type", String),
            opt("definition", Object),
            opt("extensions", Extensions)
        ]
    ),
    spec!(
        "language-content",
        Meta,
        [req("object_ref", Ref(ANY)), opt("object_modified", Timestamp), req("contents", Dictionary)]
    ),
    spec!(
        "extension-definition",
        Meta,
        [
            req("name", String),
            opt("description", String),
            req("schema", String),
            req("version", String),
            req("extension_types", EnumList(v::EXTENSION_TYPE)),
            opt("extension_properties", StringList)
        ]
    ),
];

/// STIX 2.0 types: only SDOs, SROs and marking definitions appear at the top level
/// (observables live inside observed-data).
pub const TYPES_20: &[TypeSpec] = &[
    spec!(
        "attack-pattern",
        Domain,
        [req("name", String), opt("description", String), opt("kill_chain_phases", KillChainPhases)]
    ),
    spec!(
        "campaign",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("aliases", StringList),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("objective", String)
        ]
    ),
    spec!("course-of-action", Domain, [req("name", String), opt("description", String), opt("action", ObjectList)]),
    spec!(
        "identity",
        Domain,
        [
            req("name", String),
            opt("description", String),
            req("identity_class", OpenVocab(v::IDENTITY_CLASS)),
            opt("sectors", OpenVocabList(v::INDUSTRY_SECTOR)),
            opt("contact_information", String)
        ]
    ),
    spec!(
        "indicator",
        Domain,
        [
            opt("name", String),
            opt("description", String),
            req("pattern", String),
            req("valid_from", Timestamp),
            opt("valid_until", Timestamp),
            opt("kill_chain_phases", KillChainPhases)
        ]
    ),
    spec!(
        "intrusion-set",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("aliases", StringList),
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("goals", StringList),
            opt("resource_level", OpenVocab(v::ATTACK_RESOURCE_LEVEL)),
            opt("primary_motivation", OpenVocab(v::ATTACK_MOTIVATION)),
            opt("secondary_motivations", OpenVocabList(v::ATTACK_MOTIVATION))
        ]
    ),
    spec!(
        "malware",
        Domain,
        [req("name", String), opt("description", String), opt("kill_chain_phases", KillChainPhases)]
    ),
    spec!(
        "observed-data",
        Domain,
        [
            req("first_observed", Timestamp),
            req("last_observed", Timestamp),
            req("number_observed", Integer { min: Some(1), max: Some(999_999_999) }),
            req("objects", Object)
        ]
    ),
    spec!(
        "report",
        Domain,
        [req("name", String), opt("description", String), req("published", Timestamp), req("object_refs", Refs(ANY))]
    ),
    spec!(
        "threat-actor",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("aliases", StringList),
            opt("roles", OpenVocabList(v::THREAT_ACTOR_ROLE)),
            opt("goals", StringList),
            opt("sophistication", OpenVocab(v::THREAT_ACTOR_SOPHISTICATION)),
            opt("resource_level", OpenVocab(v::ATTACK_RESOURCE_LEVEL)),
            opt("primary_motivation", OpenVocab(v::ATTACK_MOTIVATION)),
            opt("secondary_motivations", OpenVocabList(v::ATTACK_MOTIVATION)),
            opt("personal_motivations", OpenVocabList(v::ATTACK_MOTIVATION))
        ]
    ),
    spec!(
        "tool",
        Domain,
        [
            req("name", String),
            opt("description", String),
            opt("kill_chain_phases", KillChainPhases),
            opt("tool_version", String)
        ]
    ),
    spec!("vulnerability", Domain, [req("name", String), opt("description", String)]),
    spec!(
        "relationship",
        Relationship,
        [
            req("relationship_type", String),
            opt("description", String),
            req("source_ref", Ref(ANY)),
            req("target_ref", Ref(ANY))
        ]
    ),
    spec!(
        "sighting",
        Relationship,
        [
            opt("first_seen", Timestamp),
            opt("last_seen", Timestamp),
            opt("count", Integer { min: Some(0), max: Some(999_999_999) }),
            req("sighting_of_ref", Ref(ANY)),
            opt("observed_data_refs", Refs(&["observed-data"])),
            opt("where_sighted_refs", Refs(&["identity"])),
            opt("summary", Boolean)
        ]
    ),
    spec!(
        "marking-definition",
        Meta,
        [
            req("created", Timestamp),
            opt("created_by_ref", Ref(&["identity"])),
            opt("external_references", ExternalReferences),
            opt("object_marking_refs", Refs(&["marking-definition"])),
            opt("granular_markings", GranularMarkings),
            req("definition_type", String),
            req("definition", Object)
        ]
    ),
];

/// The table entry for a type in a version, or `None` for a custom type.
pub fn type_spec(version: SpecVersion, name: &str) -> Option<&'static TypeSpec> {
    let table = match version {
        SpecVersion::V20 => TYPES_20,
        SpecVersion::V21 => TYPES_21,
    };
    table.iter().find(|t| t.name == name)
}

/// Common properties an object of this category carries in this version.
pub fn common_properties(version: SpecVersion, category: Category) -> &'static [Property] {
    match (version, category) {
        (SpecVersion::V21, Category::Observable) => COMMON_SCO_21,
        (SpecVersion::V21, Category::Meta) => &[],
        (SpecVersion::V21, _) => COMMON_21,
        (SpecVersion::V20, Category::Meta) => &[],
        (SpecVersion::V20, _) => COMMON_20,
    }
}

/// The 2.1 common properties a language-content or extension-definition also carries.
pub fn meta_common(name: &str) -> &'static [Property] {
    match name {
        "language-content" | "extension-definition" => COMMON_21,
        _ => &[],
    }
}

/// The STIX 2.1 types of a category, in the specification's order.
pub fn types_of(category: Category) -> impl Iterator<Item = &'static str> {
    TYPES_21.iter().filter(move |t| t.category == category).map(|t| t.name)
}

/// Whether a type is an STIX 2.1 cyber-observable (predefined).
pub fn is_observable_type(name: &str) -> bool {
    type_spec(SpecVersion::V21, name).is_some_and(|t| t.category == Category::Observable)
}

/// Whether a type is a predefined STIX 2.1 domain object.
pub fn is_domain_type(name: &str) -> bool {
    SDO_TARGETS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_hold_every_21_type_once() {
        let count = |c: Category| TYPES_21.iter().filter(|t| t.category == c).count();
        assert_eq!(count(Category::Domain), 19);
        assert_eq!(count(Category::Relationship), 2);
        assert_eq!(count(Category::Observable), 18);
        assert_eq!(count(Category::Meta), 3);
        let mut names: Vec<_> = TYPES_21.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TYPES_21.len());
    }
}
