//! TAXII 2.1: the index of what an audience publishes (`index`), the read queries over it
//! (`query`), its JSON (`json`), the static tree a web server can host (`files`) with the host
//! configurations that make it a TAXII server (`hosts`). `serve` answers from the same index.

pub mod files;
pub mod hosts;
pub mod index;
pub mod json;
pub mod query;

pub use files::write_static;
pub use index::TaxiiIndex;
pub use json::TAXII_MEDIA_TYPE;
pub use query::{BadQuery, Listing, Page, Query};

/// Where the TAXII tree starts in the output (its discovery URL is `/taxii2/`).
pub const TAXII_DIR: &str = "taxii2";
