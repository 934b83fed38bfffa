//! `stixpress build`: check, link, decide what the audience sees, render, write.
//!
//! A repository with errors is not published unless the operator allows it; then the objects
//! that failed a per-object rule are left out and listed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::audience::{self, MarkingPolicy};
use crate::config::Config;
use crate::error::Error;
use crate::link::Store;
use crate::render::html::{self, SiteInfo};
use crate::theme::Theme;
use crate::write::{DiskSink, WriteStats};
use crate::{load_and_check, log_timing, CheckReport};

pub struct BuildOptions {
    /// The output folder (absolute, or relative to the current folder).
    pub output: PathBuf,
    /// Publish despite errors, leaving out the objects that have them.
    pub allow_errors: bool,
    /// Draw a progress bar (only when stderr is a terminal).
    pub progress: bool,
}

pub struct BuildReport {
    pub check: CheckReport,
    pub outcome: BuildOutcome,
}

pub enum BuildOutcome {
    /// `check` found errors and `--allow-errors` was not given: nothing was written.
    Refused,
    Built(BuildStats),
}

pub struct BuildStats {
    pub audience: String,
    pub objects: usize,
    pub withheld: usize,
    /// Ids of invalid objects left out (`--allow-errors`).
    pub left_out: Vec<String>,
    pub pages: usize,
    pub files: WriteStats,
    pub seconds: f64,
}

pub fn build(config: &Config, options: &BuildOptions, cwd: &Path) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let (mut check, objects) = load_and_check(config, &[], cwd)?;
    if check.has_errors() && !options.allow_errors {
        return Ok(BuildReport { check, outcome: BuildOutcome::Refused });
    }
    let (objects, invalid): (Vec<_>, Vec<_>) = objects.into_iter().partition(|o| !o.invalid);
    let mut left_out: Vec<String> = invalid.into_iter().map(|o| o.id).collect();
    left_out.sort();
    left_out.dedup();
    let store = Store::build(objects);
    log_timing("link", started);
    let view = audience::view(&store, &MarkingPolicy::public());
    log_timing("audience", started);
    let theme = Theme::load(Some(&config.root))?;
    let (pages, page_diagnostics) = html::load_pages(&config.content_dir.join("pages"));
    check.diagnostics.extend(page_diagnostics);
    let sink = DiskSink::new(&output_folder(config, &options.output)?)?;
    let bar = progress_bar(options.progress, html::page_count(&view, &pages));
    let tick = || bar.inc(1);
    let site = SiteInfo { title: config.site.title.clone(), repository_url: config.site.repository_url.clone() };
    let written = html::render(&view, &site, &theme, &pages, &sink, &tick)?;
    bar.finish_and_clear();
    log_timing("render", started);
    let files = sink.finish()?;
    log_timing("write", started);
    let stats = BuildStats {
        audience: view.audience().to_owned(),
        objects: view.len(),
        withheld: view.withheld(),
        left_out,
        pages: written,
        files,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(BuildReport { check, outcome: BuildOutcome::Built(stats) })
}

/// The output folder, refused when it would hold (or be) the repository itself: the sink
/// removes files it did not write, and must never remove contributed content.
fn output_folder(config: &Config, output: &Path) -> Result<PathBuf, Error> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (out, root, content) = (canonical(output), canonical(&config.root), canonical(&config.content_dir));
    if out == root || root.starts_with(&out) || content.starts_with(&out) || out.starts_with(&content) {
        return Err(Error::Usage(format!(
            "refusing to build into `{}`: it holds the repository or its content (choose a separate folder, e.g. public/)",
            output.display()
        )));
    }
    Ok(output.to_path_buf())
}

fn progress_bar(wanted: bool, pages: usize) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(pages as u64);
    let style = ProgressStyle::with_template("{spinner} rendering {pos}/{len} pages [{bar:40}] {per_sec} eta {eta}")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
