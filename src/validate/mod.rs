//! Validation: every MUST of the specification as an error, SHOULDs and open vocabularies as
//! warnings.
//!
//! Per-object rules (`check_object_at`) are pure functions of one object's JSON, its version and
//! the build time; they run while the loader holds the object. Repository rules (`check_repository`) see every
//! object's `StixObject` record: conflicting copies, references, relationship pairs, and
//! markings that withhold more than a contributor may expect.

mod checker;
mod common;
mod constraints;
mod extensions;
mod markings;
mod observables;
mod properties;
mod relationships;
mod repository;
mod rule_keys;

use serde_json::Value;

use crate::diag::Finding;
use crate::stix::SpecVersion;
pub(crate) use checker::{Checker, Clock};
pub(crate) use repository::{check_repository, RepositoryOptions};
pub(crate) use rule_keys::may_hold_a_rule;

/// The latest time a property named like a record time (`created`, `first_seen`, …) holds
/// anywhere in `value`, in seconds since 1970; `i64::MIN` when none does. `check_object_at`
/// depends on the build time only through these (`timestamp-in-future`): what it found at
/// one build time holds at another unless one of these lies after either (`load::cache`).
pub(crate) fn latest_recorded_at(value: &Value) -> i64 {
    match value {
        Value::Object(members) => members
            .iter()
            .map(|(name, member)| match member.as_str() {
                Some(text) if properties::RECORDED_AT.contains(&name.as_str()) => {
                    crate::stix::Timestamp::parse(text).map_or(i64::MIN, |time| time.instant().0)
                }
                _ => latest_recorded_at(member),
            })
            .max()
            .unwrap_or(i64::MIN),
        Value::Array(items) => items.iter().map(latest_recorded_at).max().unwrap_or(i64::MIN),
        _ => i64::MIN,
    }
}

/// Checks one object by the rules of its version, and its timestamps against the build time.
pub(crate) fn check_object_at(value: &Value, version: SpecVersion, clock: Option<Clock>) -> Vec<Finding> {
    let Some(members) = value.as_object() else {
        return vec![Finding::error("object-not-json-object", "", "a STIX object must be a JSON object")];
    };
    let mut checker = Checker::new(version, members);
    checker.clock = clock;
    common::check(&mut checker);
    checker.into_findings()
}
