//! Rules that tie several properties of one domain, relationship or meta object together
//! (STIX 2.1 sections 4, 5 and 7; STIX 2.0 where it differs).

use serde_json::Value;

use super::checker::Checker;
use super::properties::{clip, each_of_list};
use crate::diag::Finding;
use crate::stix::detection::{self, Engine};
use crate::stix::{id, marking, pattern, schema, SpecVersion, Timestamp};

pub(crate) fn check(c: &mut Checker) {
    match c.type_name {
        "campaign" | "intrusion-set" | "threat-actor" | "infrastructure" | "malware" | "sighting" => {
            ordered(c, "first_seen", "last_seen", false)
        }
        "indicator" => check_indicator(c),
        "location" => check_location(c),
        "malware-analysis" if !c.has("result") && !c.has("analysis_sco_refs") => {
            c.error("missing-property", "", "a malware-analysis needs `result` or `analysis_sco_refs`")
        }
        "observed-data" => check_observed_data(c),
        "relationship" => check_relationship(c),
        "marking-definition" => check_marking_definition(c),
        "language-content" => check_language_content(c),
        "extension-definition" if c.has("extension_properties") && !declares_toplevel(c) => c.error(
            "extension-definition",
            "/extension_properties",
            "`extension_properties` is only for `toplevel-property-extension` extensions",
        ),
        "extension-definition" if !c.has("created_by_ref") => {
            c.error("missing-property", "", "an extension-definition needs `created_by_ref`")
        }
        _ => {}
    }
    if c.type_name == "malware"
        && c.version == SpecVersion::V21
        && c.get("is_family") == Some(&Value::Bool(true))
        && !c.has("name")
    {
        c.error("missing-property", "", "a malware family (`is_family: true`) needs a `name`");
    }
    if c.version == SpecVersion::V20 {
        check_20_labels(c);
    }
    check_lang(c);
}

fn declares_toplevel(c: &Checker) -> bool {
    c.get("extension_types")
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == "toplevel-property-extension"))
}

/// `lang` and granular markings' `lang` are RFC 5646 language tags.
fn check_lang(c: &mut Checker) {
    if let Some(lang) = c.str("lang") {
        if !is_language_tag(lang) {
            c.error("language-tag", "/lang", format!("\"{}\" is not an RFC 5646 language tag", clip(lang)));
        }
    }
    let Some(markings) = c.get("granular_markings").and_then(Value::as_array) else { return };
    for (i, marking) in markings.iter().enumerate() {
        if let Some(lang) = marking.get("lang").and_then(Value::as_str) {
            if !is_language_tag(lang) {
                c.error(
                    "language-tag",
                    format!("/granular_markings/{i}/lang"),
                    format!("\"{}\" is not an RFC 5646 language tag", clip(lang)),
                );
            }
        }
    }
}

/// The shape of an RFC 5646 tag: a 2-3 letter primary language (or a private/grandfathered
/// `x-`/`i-` form), then subtags of 1-8 letters or digits separated by hyphens.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok = match primary {
        "x" | "i" | "X" | "I" => true,
        p => (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()),
    };
    primary_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// STIX 2.1 §7.1: `contents` maps language tags to objects of translated properties.
fn check_language_content(c: &mut Checker) {
    if let Some(target) = c.str("object_ref") {
        if target.starts_with("bundle--") || target.starts_with("language-content--") {
            c.error(
                "reference-type",
                "/object_ref",
                "language content translates an object, not a bundle or another translation",
            );
        }
    }
    let Some(contents) = c.get("contents").and_then(Value::as_object) else { return };
    for (lang, translation) in contents {
        let p = format!("/contents/{lang}");
        if !is_language_tag(lang) {
            c.error(
                "language-tag",
                p.clone(),
                format!("`contents` key \"{}\" is not an RFC 5646 language tag", clip(lang)),
            );
        }
        if !translation.is_object() {
            c.error("property-type", p, "each `contents` entry is an object of translated properties");
        }
    }
}

/// `later` must not be before `earlier` (or must be strictly after, when `strict`).
fn ordered(c: &mut Checker, earlier: &str, later: &str, strict: bool) {
    let parse = |key: &str| c.str(key).and_then(|s| Timestamp::parse(s).ok());
    if let (Some(a), Some(b)) = (parse(earlier), parse(later)) {
        if b < a || (strict && b == a) {
            let relation = if strict { "later than" } else { "the same as or later than" };
            c.error("timestamp-order", format!("/{later}"), format!("`{later}` must be {relation} `{earlier}`"));
        }
    }
}

fn check_indicator(c: &mut Checker) {
    ordered(c, "valid_from", "valid_until", true);
    let pattern_type = match c.version {
        SpecVersion::V21 => c.str("pattern_type"),
        // STIX 2.0 indicators have no pattern_type: their pattern is a STIX pattern.
        SpecVersion::V20 => Some("stix"),
    };
    if let Some(kind) = pattern_type.filter(|k| !pattern::is_known_pattern_type(k)) {
        c.warning(
            "open-vocabulary",
            "/pattern_type",
            format!("pattern_type \"{}\" is not one stixpress recognises (stix, pcre, sigma, snort, suricata, yara, spl, eql)", clip(kind)),
        );
    }
    if pattern_type == Some("stix") {
        if let Some(text) = c.str("pattern") {
            check_stix_pattern(c, text);
        }
    }
    if let Some(engine) = pattern_type.and_then(|k| Engine::of_pattern_type(&k.to_ascii_lowercase())) {
        if let Some(text) = c.str("pattern") {
            check_detection_rule(c, engine, text);
        }
    }
}

/// A rule for a detection engine is checked by that engine's grammar: the feeds put every rule
/// of an engine into one file, which the engine refuses whole for one bad rule.
fn check_detection_rule(c: &mut Checker, engine: Engine, text: &str) {
    if let Err(problem) = detection::check(engine, text) {
        let (code, help) = match engine {
            Engine::Yara => ("yara-rule", "a YARA pattern is exactly one rule: rule NAME { strings: … condition: … }"),
            Engine::Snort => (
                "snort-rule",
                "a Snort pattern is exactly one rule: alert tcp SRC PORT -> DST PORT (msg:\"…\"; …; sid:N; rev:1;)",
            ),
            Engine::Suricata => (
                "suricata-rule",
                "a Suricata pattern is exactly one rule: alert tcp SRC PORT -> DST PORT (msg:\"…\"; …; sid:N; rev:1;)",
            ),
            Engine::Sigma => (
                "sigma-rule",
                "a Sigma pattern is one YAML document with title, logsource and detection (with its condition)",
            ),
        };
        let message = format!("{} rule, {}", engine.name(), problem.located(text));
        c.push(Finding::error(code, "/pattern", message).help(help).inside_string_at(problem.offset));
    }
}

/// Parses a STIX pattern; a syntax error is an error, what the observable model does not know
/// is a warning, and a value that cannot be right (a bad IP address, a short hash) an error.
fn check_stix_pattern(c: &mut Checker, text: &str) {
    let dialect = match c.version {
        SpecVersion::V20 => pattern::Dialect::Stix20,
        SpecVersion::V21 => pattern::Dialect::Stix21,
    };
    let parsed = match pattern::parse(text, dialect) {
        Ok(parsed) => parsed,
        Err(err) => {
            c.push(
                Finding::error(
                    "pattern-syntax",
                    "/pattern",
                    format!("invalid STIX pattern at column {}: {}", err.column, err.message),
                )
                .help(format!("STIX {} patterns look like [ipv4-addr:value = '198.51.100.1'] (§9)", c.version))
                .inside_string_at(err.offset),
            );
            return;
        }
    };
    for issue in parsed.lint() {
        let message = format!("pattern, column {}: {}", issue.column, issue.message);
        let finding = match issue.kind {
            pattern::IssueKind::UnknownObjectType => Finding::warning("pattern-unknown-object", "/pattern", message),
            pattern::IssueKind::UnknownProperty => Finding::warning("pattern-unknown-property", "/pattern", message),
            pattern::IssueKind::InvalidValue => Finding::error("pattern-invalid-value", "/pattern", message),
        };
        c.push(finding.inside_string_at(issue.offset));
    }
}

/// STIX 2.1 §4.11: region, country, or latitude and longitude; the coordinates come in pairs.
fn check_location(c: &mut Checker) {
    let (lat, long) = (c.has("latitude"), c.has("longitude"));
    if !(c.has("region") || c.has("country") || (lat && long)) {
        c.error("missing-property", "", "a location needs `region`, `country`, or `latitude` and `longitude`");
    }
    if lat != long {
        c.error("location-coordinates", "", "`latitude` and `longitude` must be given together");
    }
    if c.has("precision") && !(lat && long) {
        c.error("location-coordinates", "/precision", "`precision` needs `latitude` and `longitude`");
    }
}

fn check_observed_data(c: &mut Checker) {
    ordered(c, "first_observed", "last_observed", false);
    if c.version == SpecVersion::V21 {
        match (c.has("objects"), c.has("object_refs")) {
            (true, true) => {
                c.error("observed-data-content", "", "observed-data has either `objects` or `object_refs`, not both")
            }
            (false, false) => {
                c.error("missing-property", "", "observed-data needs `object_refs` (or the deprecated `objects`)")
            }
            (true, false) => c.warning(
                "deprecated-property",
                "/objects",
                "`objects` is deprecated in STIX 2.1; reference observables with `object_refs`",
            ),
            _ => {}
        }
        if let Some(refs) = c.get("object_refs").and_then(Value::as_array) {
            for (i, target) in refs.iter().enumerate() {
                let kind = target.as_str().and_then(|t| id::parse_id(t, SpecVersion::V21).ok()).map(|p| p.object_type);
                if kind.is_some_and(schema::is_domain_type) {
                    c.error(
                        "reference-type",
                        format!("/object_refs/{i}"),
                        "observed-data `object_refs` point at observables or relationships, not domain objects",
                    );
                }
            }
        }
    }
}

/// Relationships connect domain objects and observables, never other relationships or
/// meta objects; `relationship_type` is lowercase ASCII with hyphens.
fn check_relationship(c: &mut Checker) {
    ordered(c, "start_time", "stop_time", true);
    if let Some(kind) = c.str("relationship_type") {
        let valid = (3..=250).contains(&kind.len())
            && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            c.push(
                Finding::error(
                    "relationship-type",
                    "/relationship_type",
                    format!(
                        "relationship_type \"{}\" must be 3-250 lowercase ASCII letters, digits and hyphens",
                        clip(kind)
                    ),
                )
                .help(
                    "use a type from the specification (uses, targets, indicates, …) or a custom one in the same form",
                ),
            );
        }
    }
    for key in ["source_ref", "target_ref"] {
        let kind = c.str(key).and_then(|t| id::parse_id(t, c.version).ok()).map(|p| p.object_type);
        if let Some(
            kind @ ("relationship"
            | "sighting"
            | "marking-definition"
            | "language-content"
            | "extension-definition"
            | "bundle"),
        ) = kind
        {
            c.error(
                "reference-type",
                format!("/{key}"),
                format!("a relationship's `{key}` must be a domain object or observable, not a `{kind}`"),
            );
        }
    }
}

/// STIX 2.1 §7.2: a marking definition says what it is (definition_type + definition, or an
/// extension such as TLP 2.0); the TLP 1.0 ids carry exactly their level.
fn check_marking_definition(c: &mut Checker) {
    let has_extensions = c.has("extensions");
    let definition_type = c.str("definition_type");
    if c.version == SpecVersion::V21 && !has_extensions {
        for key in ["definition_type", "definition"] {
            if !c.has(key) {
                c.error("missing-property", "", format!("a marking-definition without `extensions` needs `{key}`"));
            }
        }
    }
    if c.has("definition") && !c.has("definition_type") && c.version == SpecVersion::V21 {
        c.error("missing-property", "", "a marking-definition with `definition` needs `definition_type`");
    }
    let definition = c.get("definition").and_then(Value::as_object);
    match (definition_type, definition) {
        (Some("tlp"), Some(def)) => {
            let level = def.get("tlp").and_then(Value::as_str);
            if !matches!(level, Some("white" | "green" | "amber" | "red")) || def.len() != 1 {
                c.error(
                    "marking-definition",
                    "/definition",
                    "a TLP definition is exactly {\"tlp\": \"white\"|\"green\"|\"amber\"|\"red\"}",
                );
            }
            if let (Some(expected), Some(level)) = (c.str("id").and_then(marking::tlp1_value), level) {
                if expected != level {
                    c.error(
                        "marking-definition",
                        "/definition/tlp",
                        format!(
                            "this is the canonical TLP:{} id, but the definition says \"{level}\"",
                            expected.to_uppercase()
                        ),
                    );
                }
            }
        }
        (Some("statement"), Some(def)) if def.get("statement").and_then(Value::as_str).is_none() || def.len() != 1 => {
            c.error("marking-definition", "/definition", "a statement definition is exactly {\"statement\": \"…\"}");
        }
        (Some(other), _) if other != "tlp" && other != "statement" => {
            c.warning(
                "open-vocabulary",
                "/definition_type",
                format!(
                    "definition_type \"{}\" is neither `tlp` nor `statement`: the OASIS stix2 library (and the tools built on it) refuse such a marking definition; define a custom marking with an extension instead (STIX 2.1 section 7.3)",
                    clip(other)
                ),
            );
        }
        _ => {}
    }
    if c.has("modified") {
        c.error("marking-definition", "/modified", "marking definitions cannot be versioned: they have no `modified`");
    }
    check_canonical_tlp(c);
    let own = c.str("id").unwrap_or_default();
    let refers_to_itself =
        c.get("object_marking_refs").and_then(Value::as_array).is_some_and(|r| r.iter().any(|m| m == own))
            || c.get("granular_markings")
                .and_then(Value::as_array)
                .is_some_and(|g| g.iter().any(|m| m.get("marking_ref").and_then(Value::as_str) == Some(own)));
    if refers_to_itself {
        c.error("marking-definition", "", "a marking definition cannot mark itself (circular reference)");
    }
}

/// STIX 2.1 §7.2.1.4: the four TLP 1.0 marking definitions MUST be used as published, and TLP
/// is expressed only with them.
fn check_canonical_tlp(c: &mut Checker) {
    let Some(id) = c.str("id") else { return };
    match marking::tlp1_value(id) {
        Some(level) if c.version == SpecVersion::V21 => {
            let expected_name = format!("TLP:{}", level.to_uppercase());
            let exact = c.str("created") == Some("2017-01-20T00:00:00.000Z")
                && c.str("definition_type") == Some("tlp")
                && c.str("name").is_none_or(|n| n == expected_name);
            if !exact {
                c.error(
                    "marking-definition",
                    "",
                    format!("this is the canonical {expected_name} marking definition; it must be copied exactly as the specification publishes it (created 2017-01-20T00:00:00.000Z)"),
                );
            }
        }
        None if c.str("definition_type") == Some("tlp") => c.error(
            "marking-definition",
            "/id",
            "TLP is expressed with the specification's canonical marking definitions; this id is not one of them",
        ),
        _ => {}
    }
}

/// STIX 2.0 requires `labels` on indicators, malware, reports, threat actors and tools.
fn check_20_labels(c: &mut Checker) {
    if matches!(c.type_name, "indicator" | "malware" | "report" | "threat-actor" | "tool") {
        match c.get("labels") {
            None => c.error("missing-property", "", format!("a STIX 2.0 {} needs `labels`", c.what())),
            Some(labels) => each_of_list(c, "/labels", "labels", labels, |_, _, _| {}),
        }
    }
}
