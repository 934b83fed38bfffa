//! The STIX model: identifiers, timestamps, the object types of STIX 2.1 and 2.0 and the
//! properties each defines, vocabularies, and the object record every later stage works on.
//!
//! This module knows what STIX *is*; it does not report problems (that is `validate`).

pub mod detection;
pub mod fxhash;
pub mod id;
pub(crate) mod keyed_hash;
pub mod label;
pub mod marking;
pub mod mentions;
pub mod object;
pub mod observables;
pub mod pattern;
pub mod schema;
pub mod timestamp;
pub mod upgrade;
pub mod uuid;
pub mod vocab;

/// The extension definition stixpress ships for the provenance of the objects `import` makes
/// (source, importer, rule, location): written by `import`, shown on object pages.
pub const PROVENANCE_EXTENSION: &str = "extension-definition--a9db0e09-1110-4882-a095-613c6d202fa2";
/// The provenance rule of the grouping an import makes of objects it kept as a third party
/// published them (which it may not change): the grouping says where they came from.
pub const KEPT_AS_PUBLISHED: &str = "kept as published";

pub use id::{parse_id, IdParts, IdProblem};
pub use object::{Reference, StixObject};
pub use timestamp::Timestamp;

use std::fmt;

/// The version of the specification an object is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    V20,
    V21,
}

impl SpecVersion {
    pub fn parse(s: &str) -> Option<SpecVersion> {
        match s {
            "2.0" => Some(SpecVersion::V20),
            "2.1" => Some(SpecVersion::V21),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V20 => "2.0",
            SpecVersion::V21 => "2.1",
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
