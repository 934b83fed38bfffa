//! `stixpress build`: check, link, then for each audience decide what it sees, render, write.
//!
//! The repository is read and linked once, whatever the number of audiences. A repository with
//! errors is not published unless the operator allows it; then the objects that failed a
//! per-object rule are left out and listed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::{load_and_check_alongside, CheckReport, Content};
use crate::audience::{self, Withholding};
use crate::config::{Audience, Config};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::link::{LinkPlan, Store};
use crate::load::KeepJson;
use crate::provenance::{History, HistoryOptions};
use crate::publish::pages::{load_pages, ContentPage};
use crate::publish::taxii::TaxiiIndex;
use crate::publish::theme::Theme;
use crate::publish::{page_count, publish, Publication};
use crate::stix::Timestamp;
use crate::timing::log_timing;
use crate::write::{DiskSink, WriteStats};

pub struct BuildOptions {
    /// Build only this audience (default: every configured audience).
    pub audience: Option<String>,
    /// Its output folder instead of the configured one (only when one audience is built).
    pub output: Option<PathBuf>,
    /// Publish despite errors, leaving out the objects that have them.
    pub allow_errors: bool,
    /// Draw a progress bar (only when stderr is a terminal).
    pub progress: bool,
    /// Keep each audience's TAXII index in its `BuildStats` (for `serve`).
    pub keep_taxii_index: bool,
    /// The build time, which decides which indicators apply (feeds): `--now`, else
    /// `SOURCE_DATE_EPOCH`, else the system clock. Nothing else reads a clock.
    pub now: Option<Timestamp>,
    /// Build the content as this git revision holds it instead of the working tree.
    pub rev: Option<String>,
    /// Read provenance from git (`--no-history` turns it off).
    pub history: bool,
    /// The output folder is this program's alone (`serve`'s): a file its manifest lists is
    /// taken to be as the build before left it, without looking (see `DiskSink::owned`).
    pub owned_output: bool,
    /// A folder (outside the repository) where what loading and checking each file found is
    /// kept for the next build (`load::cache`).
    pub load_cache: Option<PathBuf>,
}

pub struct BuildReport {
    pub check: CheckReport,
    /// What only a build finds (the Markdown pages): `check` does not list these.
    pub site_diagnostics: Vec<Diagnostic>,
    pub outcome: BuildOutcome,
}

pub enum BuildOutcome {
    /// `check` found errors and `--allow-errors` was not given: nothing was written.
    Refused,
    Built {
        /// Ids of invalid objects left out (`--allow-errors`).
        left_out: Vec<String>,
        /// One result per audience built, in the configuration's order.
        audiences: Vec<BuildStats>,
    },
}

pub struct BuildStats {
    pub audience: String,
    pub output: PathBuf,
    pub objects: usize,
    pub withheld: usize,
    /// Why: each cause with its count, largest first.
    pub withholding: Withholding,
    pub pages: usize,
    pub files: WriteStats,
    pub seconds: f64,
    /// What the audience's TAXII server holds, when `keep_taxii_index` asked for it.
    pub(crate) taxii_index: Option<TaxiiIndex<'static>>,
}

pub fn build(config: &Config, options: &BuildOptions, cwd: &Path) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let audiences = chosen_audiences(config, options)?;
    let (now, now_given) = build_time(options.now)?;
    let content = match &options.rev {
        Some(rev) => Content::Revision(rev),
        None => Content::Files(&[]),
    };
    // The Store is planned while the repository rules run (see `link::LinkPlan`). The JSON is
    // loaded compact, which the Store is told (`holding_compact_json`).
    let plan = LinkPlan::of_valid;
    let cache = options.load_cache.as_deref();
    let (check, objects, plan) = load_and_check_alongside(config, content, cwd, now, KeepJson::Compact, cache, plan)?;
    if check.has_errors() && !options.allow_errors {
        return Ok(BuildReport { check, site_diagnostics: Vec::new(), outcome: BuildOutcome::Refused });
    }
    let left_out = super::invalid_ids(&objects);
    let history = match options.history {
        true => History::read(&HistoryOptions {
            content_dir: &config.content_dir,
            rev: options.rev.as_deref(),
            redaction: config.audiences.iter().any(|audience| audience.redact_refs),
        }),
        false => History::off(),
    };
    log_timing("provenance", started);
    let mut store = Store::built_as_planned(objects, plan).holding_compact_json();
    log_timing("link", started);
    // What no audience built here publishes is never read again: its JSON goes before publishing
    // (at a million objects, a few hundred megabytes).
    let visibilities: Vec<_> = audiences.iter().map(|audience| audience::visibility(&store, audience)).collect();
    store.forget_json(|index| visibilities.iter().any(|v| v.shows(index)));
    let theme = Theme::load(Some(&config.root))?;
    let (content_pages, page_diagnostics) = load_pages(&config.content_dir.join("pages"));
    let mut site_diagnostics = page_diagnostics;
    site_diagnostics.extend(theme.warnings().iter().cloned());
    site_diagnostics.extend(unknown_page_audiences(&content_pages, config));
    let mut built = Vec::new();
    for (audience, visibility) in audiences.iter().zip(visibilities) {
        let audience_started = Instant::now();
        let view = visibility.view(&store, &history);
        let pages: Vec<ContentPage> = content_pages.iter().filter(|p| p.is_for(&audience.name)).cloned().collect();
        log_timing("audience", started);
        let publication = Publication {
            view: &view,
            site: &config.site,
            taxii: &config.taxii,
            theme: &theme,
            pages: &pages,
            now,
            now_given,
        };
        let mut sink = DiskSink::new(&audience.output, &audience.name)?;
        if options.owned_output {
            sink = sink.owned();
        }
        log_timing("output folder (its manifest read)", started);
        let bar = progress_bar(options.progress, page_count(&publication));
        let mut published = publish(&publication, &sink, &|| bar.inc(1))?;
        if !published.reserved_pages.is_empty() {
            // Publish again without them, so no page's navigation links to a refused page.
            site_diagnostics.extend(reserved_pages(&published.reserved_pages, config));
            let kept: Vec<ContentPage> =
                pages.iter().filter(|p| !published.reserved_pages.contains(&p.slug)).cloned().collect();
            sink.publishing_again();
            published = publish(&Publication { pages: &kept, ..publication }, &sink, &|| {})?;
        }
        bar.finish_and_clear();
        // Its JSON is borrowed from the Store: `serve` gets a copy of its own; otherwise it goes
        // now, before the wait for the writer.
        let taxii_index = options.keep_taxii_index.then(|| published.taxii_index.detached());
        let pages = published.pages;
        let files = sink.finish()?;
        log_timing("write", started);
        built.push(BuildStats {
            audience: audience.name.clone(),
            output: audience.output.clone(),
            objects: view.len(),
            withheld: view.withheld(),
            withholding: audience::withholding(&view).with_invalid(left_out.len()),
            pages,
            files,
            seconds: audience_started.elapsed().as_secs_f64(),
            taxii_index,
        });
    }
    super::drop_in_background(store);
    Ok(BuildReport { check, site_diagnostics, outcome: BuildOutcome::Built { left_out, audiences: built } })
}

/// The time indicators are judged at: given, else `SOURCE_DATE_EPOCH` (the reproducible-builds
/// convention), else now; and whether it was given (only then may the output print it).
fn build_time(given: Option<Timestamp>) -> Result<(Timestamp, bool), Error> {
    if let Some(now) = given {
        return Ok((now, true));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds = epoch
            .trim()
            .parse::<i64>()
            .map_err(|_| Error::Usage(format!("SOURCE_DATE_EPOCH is `{epoch}`, not a number of seconds since 1970")))?;
        return Ok((Timestamp::from_unix_seconds(seconds), true));
    }
    Ok((Timestamp::now(), false))
}

/// The time `check` judges timestamps by: `SOURCE_DATE_EPOCH`, else now.
pub(super) fn check_time() -> Result<Timestamp, Error> {
    Ok(build_time(None)?.0)
}

/// Pages whose name is one the site generates (found while publishing): errors.
fn reserved_pages(slugs: &[String], config: &Config) -> Vec<Diagnostic> {
    slugs
        .iter()
        .map(|slug| {
            Diagnostic::error(
                "page-name-reserved",
                format!("page `{slug}` would replace `{slug}/`, which the site generates: left out"),
            )
            .in_file(config.content_dir.join("pages").join(format!("{slug}.md")))
            .with_help("rename the file; the site's own sections take these names")
        })
        .collect()
}

/// A page published to an audience the configuration does not have reaches nobody there.
fn unknown_page_audiences(pages: &[ContentPage], config: &Config) -> Vec<Diagnostic> {
    let known = |name: &String| config.audiences.iter().any(|a| &a.name == name);
    pages
        .iter()
        .flat_map(|page| page.audiences.iter().filter(|a| !known(a)).map(move |a| (page, a)))
        .map(|(page, name)| {
            Diagnostic::warning(
                "page-audience",
                format!("page `{}` is for audience `{name}`, which stixpress.toml does not have", page.slug),
            )
            .in_file(config.content_dir.join("pages").join(format!("{}.md", page.slug)))
            .with_help("use the name of an audience under [audiences]")
        })
        .collect()
}

/// The audiences to build, each with its output folder checked: `--audience` picks one,
/// `--output` moves it. Outputs must be apart, since each build removes from its folder what
/// it did not write.
fn chosen_audiences(config: &Config, options: &BuildOptions) -> Result<Vec<Audience>, Error> {
    let mut audiences = match &options.audience {
        None => config.audiences.clone(),
        Some(name) => match config.audiences.iter().find(|a| &a.name == name) {
            Some(audience) => vec![audience.clone()],
            None => {
                let known: Vec<&str> = config.audiences.iter().map(|a| a.name.as_str()).collect();
                return Err(Error::Usage(format!("no audience `{name}`; stixpress.toml has: {}", known.join(", "))));
            }
        },
    };
    if let Some(output) = &options.output {
        if audiences.len() > 1 {
            return Err(Error::Usage(
                "--output names one folder, and this repository has several audiences: add --audience NAME".into(),
            ));
        }
        audiences[0].output = output.clone();
    }
    for audience in &mut audiences {
        audience.output = output_folder(config, &audience.output)?;
    }
    for (i, a) in audiences.iter().enumerate() {
        for b in &audiences[i + 1..] {
            if a.output.starts_with(&b.output) || b.output.starts_with(&a.output) {
                return Err(Error::Usage(format!(
                    "audiences `{}` and `{}` would write into the same folder (`{}`, `{}`): give each its own `output`",
                    a.name,
                    b.name,
                    a.output.display(),
                    b.output.display()
                )));
            }
        }
    }
    Ok(audiences)
}

/// The output folder, refused when it would hold (or be) the repository itself: the sink
/// removes files it did not write, and must never remove contributed content.
fn output_folder(config: &Config, output: &Path) -> Result<PathBuf, Error> {
    let canonical = |p: &Path| canonical_path(p);
    let (out, root, content) = (canonical(output), canonical(&config.root), canonical(&config.content_dir));
    if out == root || root.starts_with(&out) || content.starts_with(&out) || out.starts_with(&content) {
        return Err(Error::Usage(format!(
            "refusing to build into `{}`: it holds the repository or its content (choose a separate folder, e.g. public/)",
            output.display()
        )));
    }
    Ok(out)
}

/// The path with symbolic links and `..` resolved as far as it exists (an output folder may
/// not exist yet), so that two spellings of one folder compare equal.
fn canonical_path(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => canonical_path(parent).join(name),
        _ => path.to_path_buf(),
    }
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
