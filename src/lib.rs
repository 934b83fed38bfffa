//! stixpress publishes threat intelligence the way a static-site generator publishes a blog.
//!
//! The pipeline (`pipeline`), one module per stage, data flowing one way:
//!
//! 1. `load` — find the bundle files (never following symlinks) and parse each (in parallel)
//!    into `StixObject`s with locations, running `validate::check_object_at` on each object
//!    while its JSON is in memory;
//! 2. `validate::check_repository` — the rules that need every object at once;
//!    (`provenance` — which commit brought each version, from git — beside it);
//! 3. `link::Store::build` — every version, the latest per id, edges both ways, names;
//! 4. `audience::view` — what one audience may see, git history included: the View;
//! 5. `publish` — pages, TAXII, feeds and search, all made from one publishing context built
//!    from the View (never from the Store or from provenance), streamed to
//! 6. `write` — the sink: deterministic, rewriting only what changed.
//!
//! `diff` compares two revisions' objects; `serve` runs the build in memory behind a preview
//! server. Content problems are `diag::Diagnostic`s, collected and never fatal; operational
//! failures are `error::Error`s and stop the run.

mod audience;
mod base64;
mod bytes;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
mod digest;
pub mod error;
mod exact;
mod import;
mod link;
mod load;
pub mod matching;
mod pipeline;
mod program;
mod provenance;
mod publish;
pub mod scaffold;
pub mod serve;
pub mod stix;
#[cfg(test)]
mod test_random;
mod timing;
mod validate;
mod write;

pub use pipeline::{
    build, check, check_changed_since, diff, import, import_all, known_for_audience, BuildOptions, BuildOutcome,
    BuildReport, BuildStats, CheckReport, ImportOptions, ImportReport,
};
