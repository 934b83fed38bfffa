//! What every output shares and none owns: HTML escaping, names of generated files, and the
//! catalogue of feeds the pages describe. Below pages, TAXII, feeds and search; imports none of them.

pub mod catalog;
pub mod escape;
pub mod file_names;
