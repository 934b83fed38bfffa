//! stixpress publishes threat intelligence the way a static-site generator publishes a blog.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! 1. `load::discover` — find the bundle files (never following symlinks);
//! 2. `load::load_all` — parse each file (in parallel) into `StixObject`s with locations,
//!    running `validate::check_object` on each object while its JSON is in memory;
//! 3. `validate::check_repository` — the rules that need every object at once;
//! 4. `link::Store::build` — every version, the latest per id, edges both ways, names;
//! 5. `audience::view` — what one audience may see (renderers only ever get this View);
//! 6. `render` and `taxii` — the website and the TAXII tree (later feeds, search), streamed to
//! 7. `write` — the sink: deterministic, rewriting only what changed.
//!
//! Content problems are `diag::Diagnostic`s, collected and never fatal; operational failures
//! are `error::Error`s and stop the run.

pub mod audience;
mod build;
pub mod cli;
pub mod config;
pub mod diag;
pub mod error;
pub mod feeds;
pub mod link;
pub mod load;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod stix;
pub mod taxii;
pub mod theme;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};
use std::time::Instant;

use config::Config;
use diag::{Diagnostic, Summary};
use error::Error;

/// The result of `check`: every diagnostic, sorted, and the totals.
pub struct CheckReport {
    pub summary: Summary,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}

/// Checks `paths` (or the configured content folder when empty).
pub fn check(config: &Config, paths: &[PathBuf], cwd: &Path) -> Result<CheckReport, Error> {
    Ok(load_and_check(config, paths, cwd)?.0)
}

/// Loads and checks, keeping the objects for the stages after.
fn load_and_check(
    config: &Config,
    paths: &[PathBuf],
    cwd: &Path,
) -> Result<(CheckReport, Vec<stix::StixObject>), Error> {
    let started = Instant::now();
    let paths = if paths.is_empty() { vec![config.content_dir.clone()] } else { paths.to_vec() };
    let paths: Vec<PathBuf> = paths.iter().map(|p| relative_to(p, cwd)).collect();
    let discovered = load::discover(&paths, &config.root)?;
    log_timing("discover", started);
    let options = load::LoadOptions { max_file_size: config.check.max_file_size };
    let loaded = load::load_all(&discovered.files, &options, &validate::check_object);
    log_timing("load and check objects", started);
    let repo_options = validate::RepositoryOptions {
        missing_reference: config.check.missing_references,
        audiences: &config.audiences,
    };
    let repository = validate::check_repository(&loaded.objects, &repo_options);
    log_timing("repository rules", started);
    let mut diagnostics = discovered.diagnostics;
    diagnostics.extend(loaded.diagnostics);
    diagnostics.extend(repository);
    diag::sort_and_dedup(&mut diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let summary =
        Summary { files: loaded.files, objects: loaded.objects.len(), errors, warnings: diagnostics.len() - errors };
    log_timing("check", started);
    Ok((CheckReport { summary, diagnostics }, loaded.objects))
}

pub use build::{build, BuildOptions, BuildOutcome, BuildReport, BuildStats};

/// Shows paths under the current folder relative to it, as a contributor typed them.
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rest) => rest.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

pub(crate) fn log_timing(stage: &str, started: Instant) {
    if std::env::var_os("STIXPRESS_TIMINGS").is_some() {
        eprintln!("[timing] {stage}: {:.3} s", started.elapsed().as_secs_f64());
    }
}
