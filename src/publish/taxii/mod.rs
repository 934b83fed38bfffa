//! TAXII 2.1: the index of what an audience publishes (`index`), the read queries over it
//! (`query`), its JSON (`json`), the static tree a web server can host (`files`) with the host
//! configurations that make it a TAXII server (`hosts`). `serve` answers from the same index.

pub(crate) mod files;
pub(crate) mod hosts;
pub(crate) mod index;
pub(crate) mod json;
pub(crate) mod query;

pub(crate) use files::write_static;
pub(crate) use index::TaxiiIndex;
pub(crate) use json::TAXII_MEDIA_TYPE;
pub(crate) use query::{BadQuery, Listing, Page, Query};

/// Where the TAXII tree starts in the output (its discovery URL is `/taxii2/`).
pub(crate) const TAXII_DIR: &str = "taxii2";
