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
