//! Property values by kind (string, timestamp, reference, vocabulary, hashes, …) and the naming
//! rules for properties the specification does not define.

use serde_json::Value;

use super::checker::Checker;
use crate::stix::schema::{Kind, Property};
use crate::stix::{id, vocab, SpecVersion, Timestamp};

/// Checks every property of the object against `declared`; the rest are custom properties.
pub(crate) fn check_all(c: &mut Checker, declared: &[&[Property]]) {
    let find = |name: &str| declared.iter().flat_map(|group| group.iter()).find(|p| p.name == name);
    for group in declared {
        for property in group.iter().filter(|p| p.required) {
            if !c.has(property.name) {
                c.push(
                    crate::diag::Finding::error(
                        "missing-property",
                        "",
                        format!("{} is missing the required property `{}`", c.what(), property.name),
                    )
                    .help(format!("add `{}` (STIX {} requires it)", property.name, c.version)),
                );
            }
        }
    }
    let extended = declares_toplevel_extension(c);
    for (name, value) in c.members {
        if matches!(name.as_str(), "type" | "id") {
            continue;
        }
        let pointer = crate::diag::json_pointer("", name);
        if value.is_null() {
            c.error("null-value", pointer, format!("`{name}` is null; STIX properties are omitted, never null"));
            continue;
        }
        match find(name) {
            Some(property) => check_value(c, &pointer, name, property.kind, value),
            None => check_custom(c, &pointer, name, value, extended),
        }
    }
}

/// Checks a value of a given kind at `pointer`.
pub(crate) fn check_value(c: &mut Checker, pointer: &str, name: &str, kind: Kind, value: &Value) {
    match kind {
        Kind::String => expect_string(c, pointer, name, value).map_or((), |_| ()),
        Kind::Boolean => {
            if !value.is_boolean() {
                type_error(c, pointer, name, "true or false", value);
            }
        }
        Kind::Integer { min, max } => check_integer(c, pointer, name, value, min, max),
        Kind::Float { min, max } => check_float(c, pointer, name, value, min, max),
        Kind::Timestamp => check_timestamp(c, pointer, name, value),
        Kind::Binary => check_binary(c, pointer, name, value),
        Kind::Hex => check_hex(c, pointer, name, value),
        Kind::Ref(types) => check_ref(c, pointer, name, value, types),
        Kind::Refs(types) => each_of_list(c, pointer, name, value, |c, p, v| check_ref(c, p, name, v, types)),
        Kind::StringList => each_of_list(c, pointer, name, value, |c, p, v| {
            expect_string(c, p, name, v);
        }),
        Kind::OpenVocab(words) => check_vocab(c, pointer, name, value, words, false),
        Kind::OpenVocabList(words) => {
            each_of_list(c, pointer, name, value, |c, p, v| check_vocab(c, p, name, v, words, false))
        }
        Kind::Enum(words) => check_vocab(c, pointer, name, value, words, true),
        Kind::EnumList(words) => {
            each_of_list(c, pointer, name, value, |c, p, v| check_vocab(c, p, name, v, words, true))
        }
        Kind::Hashes => check_hashes(c, pointer, name, value),
        Kind::KillChainPhases => super::common::check_kill_chain_phases(c, pointer, value),
        Kind::ExternalReferences => super::common::check_external_references(c, pointer, value),
        Kind::GranularMarkings => super::common::check_granular_markings(c, pointer, value),
        Kind::Extensions => super::common::check_extensions(c, pointer, value),
        Kind::Dictionary => check_dictionary(c, pointer, name, value),
        Kind::Object => {
            if !value.is_object() {
                type_error(c, pointer, name, "a JSON object", value);
            }
        }
        Kind::ObjectList => each_of_list(c, pointer, name, value, |c, p, v| {
            if !v.is_object() {
                type_error(c, p, name, "a JSON object", v);
            }
        }),
    }
}

pub(crate) fn type_error(c: &mut Checker, pointer: &str, name: &str, expected: &str, value: &Value) {
    c.error("property-type", pointer, format!("`{name}` must be {expected}, found {}", describe(value)));
}

/// A short description of a JSON value's kind, for messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn expect_string<'v>(c: &mut Checker, pointer: &str, name: &str, value: &'v Value) -> Option<&'v str> {
    let s = value.as_str();
    if s.is_none() {
        type_error(c, pointer, name, "a string", value);
    }
    s
}

/// Runs `each` on every item of a list that must not be empty.
pub(crate) fn each_of_list(
    c: &mut Checker,
    pointer: &str,
    name: &str,
    value: &Value,
    mut each: impl FnMut(&mut Checker, &str, &Value),
) {
    let Some(items) = value.as_array() else {
        return type_error(c, pointer, name, "a list", value);
    };
    if items.is_empty() {
        c.error("empty-list", pointer, format!("`{name}` is an empty list; omit the property instead"));
    }
    for (i, item) in items.iter().enumerate() {
        each(c, &format!("{pointer}/{i}"), item);
    }
}

fn check_integer(c: &mut Checker, pointer: &str, name: &str, value: &Value, min: Option<i64>, max: Option<i64>) {
    let n = match value {
        Value::Number(n) if n.is_i64() => n.as_i64().unwrap_or_default() as i128,
        Value::Number(n) if n.is_u64() => n.as_u64().unwrap_or_default() as i128,
        _ => return type_error(c, pointer, name, "an integer", value),
    };
    if min.is_some_and(|m| n < m as i128) || max.is_some_and(|m| n > m as i128) {
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => String::new(),
        };
        c.error("value-out-of-range", pointer, format!("`{name}` is {n}; it must be {range}"));
    }
}

fn check_float(c: &mut Checker, pointer: &str, name: &str, value: &Value, min: Option<f64>, max: Option<f64>) {
    let Some(n) = value.as_f64() else {
        return type_error(c, pointer, name, "a number", value);
    };
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        c.error(
            "value-out-of-range",
            pointer,
            format!("`{name}` is {n}, outside {}..{}", min.unwrap_or(f64::MIN), max.unwrap_or(f64::MAX)),
        );
    }
}

pub(crate) fn check_timestamp(c: &mut Checker, pointer: &str, name: &str, value: &Value) {
    let Some(text) = expect_string(c, pointer, name, value) else { return };
    match Timestamp::parse(text) {
        Err(problem) => c.push(
            crate::diag::Finding::error("invalid-timestamp", pointer, format!("`{name}` is \"{text}\": {problem}"))
                .help("write UTC timestamps like 2024-05-01T12:30:00.000Z"),
        ),
        Ok(time) => judge_time(c, pointer, name, text, time),
    }
}

/// Properties that say when something was written or seen: a value after the build time is
/// a mistake (a valid_until or stop_time in the future is not).
pub(crate) const RECORDED_AT: &[&str] =
    &["created", "modified", "published", "first_seen", "last_seen", "first_observed", "last_observed"];

/// Before 1970 (no CTI is that old; it is a zero or a typo), or a record time after the build.
fn judge_time(c: &mut Checker, pointer: &str, name: &str, text: &str, time: Timestamp) {
    let (seconds, _) = time.instant();
    if seconds < 0 {
        c.push(
            crate::diag::Finding::warning(
                "timestamp-before-1970",
                pointer,
                format!("`{name}` is \"{text}\", before 1970"),
            )
            .help("is the year right? Dashboards, feeds and MISP events need real dates"),
        );
    }
    let Some(clock) = c.clock else { return };
    if RECORDED_AT.contains(&name) && seconds > clock.threshold() {
        c.push(
            crate::diag::Finding::warning(
                "timestamp-in-future",
                pointer,
                format!("`{name}` is \"{text}\", after the build time"),
            )
            .help("is the year right? Charts and latest lists leave out dates after the build time; [check] future_tolerance_hours sets the slack"),
        );
    }
}

fn check_binary(c: &mut Checker, pointer: &str, name: &str, value: &Value) {
    let Some(text) = expect_string(c, pointer, name, value) else { return };
    let body = text.trim_end_matches('=');
    let valid = text.len() % 4 == 0
        && text.len() - body.len() <= 2
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if !valid {
        c.error("invalid-binary", pointer, format!("`{name}` must be base64 (RFC 4648)"));
    }
}

fn check_hex(c: &mut Checker, pointer: &str, name: &str, value: &Value) {
    let Some(text) = expect_string(c, pointer, name, value) else { return };
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        c.error("invalid-hex", pointer, format!("`{name}` must be an even number of lowercase hexadecimal digits"));
    }
}

/// A reference: a valid identifier of an allowed type (any type when `types` is empty).
pub(crate) fn check_ref(c: &mut Checker, pointer: &str, name: &str, value: &Value, types: &[&str]) {
    let Some(text) = expect_string(c, pointer, name, value) else { return };
    match id::parse_id(text, c.version) {
        Err(problem) => c.error("invalid-reference", pointer, format!("`{name}` holds \"{}\": {problem}", clip(text))),
        Ok(parts) if !types.is_empty() && !types.contains(&parts.object_type) => c.error(
            "reference-type",
            pointer,
            format!("`{name}` must point at {}, not at a `{}`", types.join(" or "), parts.object_type),
        ),
        Ok(_) => {}
    }
}

fn check_vocab(c: &mut Checker, pointer: &str, name: &str, value: &Value, words: &[&str], closed: bool) {
    let Some(text) = expect_string(c, pointer, name, value) else { return };
    if words.contains(&text) {
        return;
    }
    if closed {
        c.error(
            "enumeration",
            pointer,
            format!("`{name}` is \"{}\"; it must be one of: {}", clip(text), words.join(", ")),
        );
    } else {
        c.warning(
            "open-vocabulary",
            pointer,
            format!("`{name}` value \"{}\" is not in the suggested vocabulary", clip(text)),
        );
    }
}

fn check_hashes(c: &mut Checker, pointer: &str, name: &str, value: &Value) {
    let Some(hashes) = value.as_object() else {
        return type_error(c, pointer, name, "a dictionary of hashes", value);
    };
    if hashes.is_empty() {
        c.error("empty-dictionary", pointer, format!("`{name}` is empty; omit it instead"));
    }
    let known = match c.version {
        SpecVersion::V20 => vocab::HASHING_ALGORITHM_20,
        SpecVersion::V21 => vocab::HASHING_ALGORITHM,
    };
    for (algorithm, hash) in hashes {
        let p = crate::diag::json_pointer(pointer, algorithm);
        let Some(hash) = expect_string(c, &p, name, hash) else { continue };
        if !known.contains(&algorithm.as_str()) {
            if !(3..=250).contains(&algorithm.len())
                || !algorithm.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                c.error(
                    "hash-algorithm",
                    &p,
                    format!(
                        "hash algorithm name \"{}\" must be 3-250 ASCII letters, digits, `-` or `_`",
                        clip(algorithm)
                    ),
                );
            } else {
                c.warning(
                    "hash-algorithm",
                    &p,
                    format!("hash algorithm \"{algorithm}\" is not in the hashing-algorithm vocabulary"),
                );
            }
        }
        if let Some(length) = vocab::hash_hex_length(algorithm) {
            if hash.len() != length || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                c.error(
                    "invalid-hash",
                    &p,
                    format!("a {algorithm} hash is {length} hexadecimal digits; \"{}\" is not", clip(hash)),
                );
            }
        }
    }
}

fn check_dictionary(c: &mut Checker, pointer: &str, name: &str, value: &Value) {
    let Some(members) = value.as_object() else {
        return type_error(c, pointer, name, "a dictionary (JSON object)", value);
    };
    if members.is_empty() {
        c.error("empty-dictionary", pointer, format!("`{name}` is empty; omit it instead"));
    }
    for key in members.keys() {
        if let Some(problem) = dictionary_key_problem(key, c.version) {
            c.error(
                "dictionary-key",
                crate::diag::json_pointer(pointer, key),
                format!("dictionary key \"{}\" {problem}", clip(key)),
            );
        }
    }
}

/// Dictionary keys: ASCII letters, digits, `-` and `_`, at most 250 characters (and at least 3
/// in STIX 2.0).
fn dictionary_key_problem(key: &str, version: SpecVersion) -> Option<&'static str> {
    if key.len() > 250 {
        return Some("is longer than 250 characters");
    }
    if version == SpecVersion::V20 && key.len() < 3 {
        return Some("is shorter than 3 characters (STIX 2.0)");
    }
    if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Some("may only hold ASCII letters, digits, `-` and `_`");
    }
    None
}

/// Property names STIX 2.1 reserves for future use.
const RESERVED: &[&str] = &["severity", "action", "username", "phone_number", "phone_numbers"];

/// Properties the specification does not define for this type.
fn check_custom(c: &mut Checker, pointer: &str, name: &str, value: &Value, extended: bool) {
    if let Some(problem) = property_name_problem(name, c.version) {
        c.push(
            crate::diag::Finding::error(
                "property-name",
                pointer,
                format!("property name \"{}\" {problem}", clip(name)),
            )
            .help("custom property names are 3-250 characters: letters, digits and `_`, starting with `x_`"),
        );
        return;
    }
    if c.version == SpecVersion::V21 && name == "defanged" && c.category != crate::stix::schema::Category::Observable {
        c.error("reserved-property", pointer, "`defanged` is only for cyber-observables (STIX 2.1 §3.2)");
        return;
    }
    if c.version == SpecVersion::V21 && RESERVED.contains(&name) {
        c.error("reserved-property", pointer, format!("`{name}` is reserved by STIX 2.1 (§3.1) and must not be used"));
        return;
    }
    // Any property may not be an empty list (as stix2-validator also holds of custom ones).
    if value.as_array().is_some_and(Vec::is_empty) {
        c.error("empty-list", pointer, format!("`{name}` is an empty list; omit the property instead"));
        return;
    }
    // The suffix says the kind (STIX 2.1 §2.2, §2.8, §2.9). Binary and hex values are held to
    // it, as stix2-validator does; a reference is not: only its producer defines a custom
    // property, and stix2-validator accepts any value there (ATT&CK publishes
    // `x_mitre_data_source_ref: ""` on data components that analytics rely on), so what the
    // reference rules find is a warning.
    if name.ends_with("_bin") {
        check_binary(c, pointer, name, value);
    } else if name.ends_with("_hex") {
        check_hex(c, pointer, name, value);
    } else if name.ends_with("_ref") || name.ends_with("_refs") {
        let mark = c.mark();
        if name.ends_with("_ref") {
            check_ref(c, pointer, name, value, &[]);
        } else {
            each_of_list(c, pointer, name, value, |c, p, v| check_ref(c, p, name, v, &[]));
        }
        c.soften_since(
            mark,
            "custom-property-value",
            "a consumer that reads a `_ref` name as a reference will not understand this value",
        );
    }
    if c.spec.is_some() && !name.starts_with("x_") && !extended {
        let hint = match c.version {
            SpecVersion::V21 => "define it in an extension, or prefix custom properties with `x_`",
            SpecVersion::V20 => "prefix custom properties with `x_`",
        };
        c.push(
            crate::diag::Finding::warning(
                "custom-property",
                pointer,
                format!("{} has no property `{name}` in STIX {}", c.what(), c.version),
            )
            .help(format!("check the spelling; {hint}")),
        );
    }
}

/// Property names: 3-250 characters: lowercase ASCII letters, digits and `_` (STIX 2.1 §3.1 and
/// 2.0 §7.1), starting with a letter in 2.1.
pub(crate) fn property_name_problem(name: &str, version: SpecVersion) -> Option<&'static str> {
    if name.len() < 3 {
        return Some("is shorter than 3 characters");
    }
    if name.len() > 250 {
        return Some("is longer than 250 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Some("may only hold lowercase ASCII letters, digits and `_`");
    }
    if version == SpecVersion::V21 && !name.as_bytes()[0].is_ascii_lowercase() {
        return Some("must start with a letter");
    }
    None
}

/// Whether an extension adds top-level properties (their names need no `x_` prefix).
fn declares_toplevel_extension(c: &Checker) -> bool {
    c.get("extensions").and_then(Value::as_object).is_some_and(|exts| {
        exts.values().any(|e| e.get("extension_type").and_then(Value::as_str) == Some("toplevel-property-extension"))
    })
}

/// A value shortened for a message (hostile input can be megabytes long).
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
