//! What every output shares and none owns: HTML escaping, names of generated files, and the
//! catalogue of feeds the pages describe, and
//! the STIX 2.1 form every STIX output publishes an object in. Below pages, TAXII, feeds and search; imports none of them.

pub(crate) mod catalog;
pub(crate) mod escape;
pub(crate) mod file_names;
pub(crate) mod stix21;
