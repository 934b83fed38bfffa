//! Rules every object shares: type, id, spec_version, created/modified, and the structured
//! common properties (external references, kill-chain phases, granular markings, extensions).

use serde_json::Value;

use super::checker::Checker;
use super::properties::{self, clip, each_of_list, expect_string, type_error};
use crate::diag::Finding;
use crate::stix::marking::TLP_MARKINGS;
use crate::stix::schema::{self, Category};
use crate::stix::{id, SpecVersion, Timestamp};

/// Runs every per-object rule.
pub(crate) fn check(c: &mut Checker) {
    if !check_type(c) {
        return;
    }
    check_id(c);
    check_spec_version(c);
    let common = schema::common_properties(c.version, c.category);
    // In a STIX 2.0 object these 2.1 meta types are custom objects (and warned about as such).
    let meta = if c.version == SpecVersion::V21 { schema::meta_common(c.type_name) } else { &[] };
    let own = c.spec.map_or(&[][..], |s| s.properties);
    properties::check_all(c, &[common, meta, own]);
    check_versioning(c);
    super::constraints::check(c);
    super::observables::check(c);
}

/// `type` must be a valid type name; an unknown one is a custom object. Returns false when
/// nothing more can be checked.
fn check_type(c: &mut Checker) -> bool {
    let Some(value) = c.get("type") else {
        c.error("missing-property", "", "the object has no `type`");
        return false;
    };
    let Some(name) = value.as_str() else {
        type_error(c, "/type", "type", "a string", value);
        return false;
    };
    if name == "bundle" {
        c.error("nested-bundle", "/type", "a bundle cannot be an object inside another bundle");
        return false;
    }
    if !id::is_type_name(name) {
        c.push(
            Finding::error("type-name", "/type", format!("\"{}\" is not a valid object type name", clip(name)))
                .help("type names are 3-250 characters: lowercase ASCII letters, digits and single hyphens"),
        );
        return false;
    }
    if c.spec.is_none() {
        check_custom_type(c, name);
    }
    true
}

/// Type names STIX 2.0 reserves for future use (2.0 Part 2 §1.3; stix2-validator's 2.0 schema).
const RESERVED_TYPES_20: [&str; 2] = ["incident", "infrastructure"];

fn check_custom_type(c: &mut Checker, name: &str) {
    let declared_by_extension = c
        .get("extensions")
        .and_then(Value::as_object)
        .is_some_and(|e| e.keys().any(|k| k.starts_with("extension-definition--")));
    let other = match c.version {
        SpecVersion::V20 => schema::type_spec(SpecVersion::V21, name).map(|_| "2.1"),
        SpecVersion::V21 => None,
    };
    if c.version == SpecVersion::V20 && RESERVED_TYPES_20.contains(&name) {
        c.push(
            Finding::error("reserved-type", "/type", format!("`{name}` is a type name STIX 2.0 reserves"))
                .help("STIX 2.1 defines it: give the object `\"spec_version\": \"2.1\"`"),
        );
    } else if let Some(other) = other {
        c.push(
            Finding::warning(
                "type-version",
                "/type",
                format!("`{name}` is a STIX {other} type, not a STIX {} one", c.version),
            )
            .help("give the object `\"spec_version\": \"2.1\"` or move it to a 2.1 bundle"),
        );
    } else if !name.starts_with("x-") && !declared_by_extension {
        c.push(
            Finding::warning("custom-object", "/type", format!("`{name}` is not a STIX {} object type", c.version))
                .help("check the spelling; custom types start with `x-` or are declared by an extension-definition"),
        );
    }
}

fn check_id(c: &mut Checker) {
    let Some(value) = c.get("id") else {
        c.error("missing-property", "", format!("{} has no `id`", c.what()));
        return;
    };
    let Some(text) = expect_string(c, "/id", "id", value) else { return };
    match id::parse_id(text, c.version) {
        Err(problem) => c.push(
            Finding::error("invalid-id", "/id", format!("`id` \"{}\": {problem}", clip(text)))
                .help(format!("use `{}--` followed by a fresh UUID (`stixpress new` makes one)", c.type_name)),
        ),
        Ok(parts) if parts.object_type != c.type_name => c.error(
            "id-type-mismatch",
            "/id",
            format!("`id` starts with `{}--` but the object's type is `{}`", parts.object_type, c.type_name),
        ),
        Ok(parts) => {
            check_uuid_version(c, parts.uuid_version());
            check_marking_uuid(c, text);
        }
    }
}

/// An object other than the TLP marking definitions themselves whose UUID is one of theirs is
/// an error: every object marked with that TLP level names the UUID, so withholding this one
/// (marking it AMBER, say) would withhold everything marked TLP:CLEAR from the public with it.
/// As an error, the object is left out by `build --allow-errors`.
fn check_marking_uuid(c: &mut Checker, id: &str) {
    let Some((_, uuid)) = id.split_once("--") else { return };
    let taken = TLP_MARKINGS.iter().find(|(marking, ..)| {
        marking.split_once("--").is_some_and(|(_, own)| own.eq_ignore_ascii_case(uuid)) && *marking != id
    });
    if let Some((marking, level, version, _)) = taken {
        c.push(
            Finding::error(
                "id-uses-a-marking-uuid",
                "/id",
                format!("`id` has the UUID of the TLP {version}.0 marking {} (`{marking}`), which every object marked with it names", level.label()),
            )
            .help(format!("give the {} a UUID of its own (`stixpress new` makes one)", c.type_name)),
        );
    }
}

/// STIX 2.1 section 2.9: SCO ids SHOULD be UUIDv5 (deterministic), other ids SHOULD be UUIDv4.
fn check_uuid_version(c: &mut Checker, version: u8) {
    if c.version != SpecVersion::V21 || c.spec.is_none() {
        return;
    }
    let expected = if c.category == Category::Observable { 5 } else { 4 };
    if version != expected && !(c.category == Category::Observable && version == 4) {
        c.warning(
            "uuid-version",
            "/id",
            format!("the id uses a version {version} UUID; {} ids should use version {expected}", c.what()),
        );
    }
}

fn check_spec_version(c: &mut Checker) {
    let Some(value) = c.get("spec_version") else {
        return;
    };
    match (c.version, value.as_str()) {
        (SpecVersion::V21, Some("2.1")) => {}
        (SpecVersion::V21, Some(other)) => c.push(
            Finding::error(
                "spec-version",
                "/spec_version",
                format!("`spec_version` is \"{}\"; stixpress reads STIX 2.1 and 2.0", clip(other)),
            )
            .help("STIX 2.1 objects carry \"spec_version\": \"2.1\""),
        ),
        (SpecVersion::V20, Some(_)) => {}
        (_, None) => type_error(c, "/spec_version", "spec_version", "a string", value),
    }
}

/// `modified` is never before `created`; 2.1 wants at least millisecond precision on both.
fn check_versioning(c: &mut Checker) {
    let created = c.str("created").and_then(|s| Timestamp::parse(s).ok());
    let modified = c.str("modified").and_then(|s| Timestamp::parse(s).ok());
    if let (Some(created), Some(modified)) = (created, modified) {
        if modified < created {
            c.error("modified-before-created", "/modified", "`modified` is earlier than `created`");
        }
    }
    if c.version == SpecVersion::V21 {
        for (key, ts) in [("created", created), ("modified", modified)] {
            if ts.is_some_and(|t| t.fraction_digits < 3) {
                c.push(
                    Finding::error(
                        "timestamp-precision",
                        format!("/{key}"),
                        format!("`{key}` must be precise to the millisecond (STIX 2.1 §3.2)"),
                    )
                    .help("write at least three fractional digits, e.g. 2024-05-01T12:30:00.000Z"),
                );
            }
        }
    }
}

/// `kill_chain_phases`: a list of {kill_chain_name, phase_name}.
pub(crate) fn check_kill_chain_phases(c: &mut Checker, pointer: &str, value: &Value) {
    each_of_list(c, pointer, "kill_chain_phases", value, |c, p, phase| {
        let Some(phase) = phase.as_object() else {
            return type_error(c, p, "kill_chain_phases", "a list of kill-chain phase objects", phase);
        };
        for key in ["kill_chain_name", "phase_name"] {
            match phase.get(key) {
                None => c.error("missing-property", p, format!("a kill-chain phase needs `{key}`")),
                Some(v) => {
                    if let Some(text) = expect_string(c, &format!("{p}/{key}"), key, v) {
                        if text.bytes().any(|b| b.is_ascii_uppercase() || b == b' ' || b == b'_') {
                            c.warning(
                                "kill-chain-name",
                                format!("{p}/{key}"),
                                format!("`{key}` \"{}\" should be lowercase with hyphens", clip(text)),
                            );
                        }
                    }
                }
            }
        }
    });
}

/// `external_references`: source_name plus at least one of description, url, external_id.
pub(crate) fn check_external_references(c: &mut Checker, pointer: &str, value: &Value) {
    each_of_list(c, pointer, "external_references", value, |c, p, reference| {
        let Some(fields) = reference.as_object() else {
            return type_error(c, p, "external_references", "a list of external-reference objects", reference);
        };
        let source = match fields.get("source_name") {
            None => {
                c.error("missing-property", p, "an external reference needs `source_name`");
                None
            }
            Some(v) => expect_string(c, &format!("{p}/source_name"), "source_name", v),
        };
        for key in ["description", "url", "external_id"] {
            if let Some(v) = fields.get(key) {
                expect_string(c, &format!("{p}/{key}"), key, v);
            }
        }
        if c.version == SpecVersion::V21
            && !["description", "url", "external_id"].iter().any(|k| fields.contains_key(*k))
        {
            c.error(
                "external-reference-empty",
                p,
                "an external reference needs `description`, `url` or `external_id` besides `source_name`",
            );
        }
        if let Some(url) = fields.get("url").and_then(Value::as_str) {
            if !url.contains(':') || url.chars().any(char::is_whitespace) {
                c.error("invalid-value", format!("{p}/url"), format!("\"{}\" is not a URL", clip(url)));
            }
        }
        if let Some(hashes) = fields.get("hashes") {
            properties::check_value(c, &format!("{p}/hashes"), "hashes", schema::Kind::Hashes, hashes);
            // STIX 2.1 §2.5: an external reference's hash keys come from hashing-algorithm-ov.
            let unknown = hashes.as_object().into_iter().flatten().map(|(k, _)| k).find(|k| {
                c.version == SpecVersion::V21 && !crate::stix::vocab::HASHING_ALGORITHM.contains(&k.as_str())
            });
            if let Some(key) = unknown {
                c.error(
                    "hash-algorithm",
                    format!("{p}/hashes"),
                    format!("external reference hash \"{}\" is not from hashing-algorithm-ov", clip(key)),
                );
            }
        }
        if let (Some(source), Some(external_id)) = (source, fields.get("external_id").and_then(Value::as_str)) {
            check_external_id(c, &format!("{p}/external_id"), source, external_id);
        }
    });
}

/// CVE and CAPEC references carry ids of a fixed shape (STIX 2.1 §2.5 / 4.19).
fn check_external_id(c: &mut Checker, pointer: &str, source: &str, external_id: &str) {
    let valid = match source {
        "cve" => external_id.strip_prefix("CVE-").is_some_and(|rest| {
            rest.split_once('-').is_some_and(|(year, number)| {
                year.len() == 4 && number.len() >= 4 && year.bytes().chain(number.bytes()).all(|b| b.is_ascii_digit())
            })
        }),
        "capec" => {
            external_id.strip_prefix("CAPEC-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => true,
    };
    if !valid {
        c.error(
            "external-id",
            pointer,
            format!(
                "a `{source}` external_id looks like {}, not \"{}\"",
                if source == "cve" { "CVE-2024-12345" } else { "CAPEC-123" },
                clip(external_id)
            ),
        );
    }
}

/// `granular_markings`: selectors plus exactly one of marking_ref and lang (2.1).
pub(crate) fn check_granular_markings(c: &mut Checker, pointer: &str, value: &Value) {
    each_of_list(c, pointer, "granular_markings", value, |c, p, marking| {
        let Some(fields) = marking.as_object() else {
            return type_error(c, p, "granular_markings", "a list of granular-marking objects", marking);
        };
        match fields.get("selectors") {
            None => c.error("missing-property", p, "a granular marking needs `selectors`"),
            Some(selectors) => each_of_list(c, &format!("{p}/selectors"), "selectors", selectors, |c, sp, s| {
                if let Some(selector) = expect_string(c, sp, "selectors", s) {
                    if !selector_resolves(c, selector) {
                        c.error(
                            "granular-selector",
                            sp,
                            format!("selector \"{}\" does not name a property of this object", clip(selector)),
                        );
                    }
                }
            }),
        }
        let has_ref = fields.contains_key("marking_ref");
        let has_lang = fields.contains_key("lang");
        match c.version {
            SpecVersion::V21 if has_ref == has_lang => {
                c.error("granular-marking", p, "a granular marking has exactly one of `marking_ref` and `lang`")
            }
            SpecVersion::V20 if !has_ref => c.error("missing-property", p, "a granular marking needs `marking_ref`"),
            _ => {}
        }
        if let Some(target) = fields.get("marking_ref") {
            properties::check_ref(c, &format!("{p}/marking_ref"), "marking_ref", target, &["marking-definition"]);
        }
    });
}

/// Whether a selector (`description`, `external_references.[0].url`) names something present.
fn selector_resolves(c: &Checker, selector: &str) -> bool {
    let mut parts = selector.split('.');
    let Some(first) = parts.next() else { return false };
    let mut current = match c.get(first) {
        Some(v) => v,
        None => return false,
    };
    for part in parts {
        let next = match part.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(index) => index.parse::<usize>().ok().and_then(|i| current.get(i)),
            None => current.get(part),
        };
        match next {
            Some(v) => current = v,
            None => return false,
        }
    }
    true
}

/// `extensions` (2.1): keys are extension-definition ids, predefined SCO extensions, or
/// (deprecated) custom names ending in `-ext`; values are non-empty objects.
pub(crate) fn check_extensions(c: &mut Checker, pointer: &str, value: &Value) {
    let Some(extensions) = value.as_object() else {
        return type_error(c, pointer, "extensions", "a dictionary of extensions", value);
    };
    if extensions.is_empty() {
        c.error("empty-dictionary", pointer, "`extensions` is empty; omit it instead");
    }
    for (name, body) in extensions {
        let p = crate::diag::json_pointer(pointer, name);
        let Some(fields) = body.as_object() else {
            type_error(c, &p, name, "an object", body);
            continue;
        };
        if name.starts_with("extension-definition--") {
            check_defined_extension(c, &p, name, fields);
        } else if super::extensions::check_predefined(c, &p, name, fields) {
            if c.category != Category::Observable {
                c.warning("extension-name", &p, format!("`{name}` is an extension for cyber-observables"));
            }
        } else if !id::is_type_name(name) || !name.ends_with("-ext") {
            c.error(
                "extension-name",
                &p,
                format!(
                    "extension \"{}\" must be an extension-definition id, a predefined extension, or a custom name ending in `-ext`",
                    clip(name)
                ),
            );
        } else if fields.is_empty() {
            c.error("empty-dictionary", &p, format!("extension `{name}` is empty"));
        } else {
            c.warning(
                "custom-extension",
                &p,
                format!("custom extension `{name}` is deprecated in STIX 2.1; use an extension-definition"),
            );
        }
    }
}

/// An extension declared by an extension-definition: it says which kind it is, and its
/// property names follow the property naming rules.
fn check_defined_extension(c: &mut Checker, p: &str, name: &str, fields: &serde_json::Map<String, Value>) {
    if id::parse_id(name, SpecVersion::V21).is_err() {
        c.error("extension-name", p, format!("\"{}\" is not a valid extension-definition id", clip(name)));
    }
    for key in fields.keys().filter(|k| *k != "extension_type") {
        if let Some(problem) = properties::property_name_problem(key, SpecVersion::V21) {
            c.error("property-name", format!("{p}/{key}"), format!("extension property \"{}\" {problem}", clip(key)));
        }
    }
    match fields.get("extension_type") {
        None => c.error("missing-property", p, "an extension needs `extension_type` (new-sdo, property-extension, …)"),
        Some(kind) => properties::check_value(
            c,
            &format!("{p}/extension_type"),
            "extension_type",
            schema::Kind::Enum(crate::stix::vocab::EXTENSION_TYPE),
            kind,
        ),
    }
}
