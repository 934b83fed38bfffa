//! The pipeline's one home: `check`, `check --changed-since`, `diff` and `build` put the stages
//! together here, in the order they run. Stages never call back up into this module.

mod build;
mod import;
mod matching;

pub use matching::known_for_audience;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::audience::{self, Withholding};
use crate::config::Config;
use crate::diag::{self, Diagnostic, Summary};
use crate::error::Error;
use crate::link::{LinkPlan, Store};
use crate::provenance::History;
use crate::timing::log_timing;
use crate::{load, stix, validate};

/// The result of `check`: every diagnostic, sorted, and the totals.
pub struct CheckReport {
    pub summary: Summary,
    pub diagnostics: Vec<Diagnostic>,
    /// What each configured audience would not get, and why (when `check` is asked; else empty).
    pub withholding: Vec<Withholding>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}

/// Where the content is read from.
#[derive(Clone, Copy)]
pub enum Content<'a> {
    /// Files and folders of the working tree (the configured content folder when empty).
    Files(&'a [PathBuf]),
    /// The content folder as a git revision holds it (`HEAD`, a branch, a tag, a SHA).
    Revision(&'a str),
}

/// Checks `paths` (or the configured content folder when empty); with `withholding`, also
/// works out what each audience would not get (it links the objects, which costs a Store).
/// With a `cache` folder, files unchanged since the run that filled it are not parsed again.
pub fn check(
    config: &Config,
    paths: &[PathBuf],
    cwd: &Path,
    withholding: bool,
    cache: Option<&Path>,
) -> Result<CheckReport, Error> {
    // Nothing is published: the objects' JSON need not stay. What an audience would not get
    // reads the JSON only of marking definitions, which the rules keep too, unless an audience
    // redacts references: whether an object names what it references elsewhere in its JSON
    // (then it is withheld, not redacted) is read from all of it.
    let now = build::check_time()?;
    let json = match config.audiences.iter().any(|audience| audience.redact_refs) {
        true => load::KeepJson::ReadByRulesAndRedaction,
        false => load::KeepJson::ReadByRules,
    };
    // The Store is planned while the repository rules run (see `link::LinkPlan`).
    let plan = |objects: &[stix::StixObject]| withholding.then(|| LinkPlan::of_valid(objects));
    let (mut report, objects, plan) =
        load_and_check_alongside(config, Content::Files(paths), cwd, now, json, cache, plan)?;
    let Some(plan) = plan else {
        drop_in_background(objects);
        return Ok(report);
    };
    let started = Instant::now();
    let invalid = invalid_ids(&objects);
    let store = Store::linked_as_planned(objects, plan);
    log_timing("link", started);
    let history = History::off();
    report.withholding = config
        .audiences
        .iter()
        .map(|a| {
            let view = audience::view(&store, &history, a);
            log_timing("audience: view", started);
            let withholding = audience::withholding(&view).with_invalid(invalid.len());
            log_timing("audience: what is withheld, and why", started);
            withholding
        })
        .collect();
    drop_in_background(store);
    Ok(report)
}

/// Hands `value` to a thread of its own to drop. Freeing a million objects' records took a
/// second on one core after `check` or `build` had worked out all it reports; the command's
/// process ends without waiting for that thread.
fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can be started, `spawn` drops the value here, as it would have been.
    let _ = std::thread::Builder::new().name("drop".to_owned()).spawn(move || drop(value));
}

/// The ids of the invalid objects, which no Store holds (sorted, once).
fn invalid_ids(objects: &[stix::StixObject]) -> Vec<String> {
    let mut ids: Vec<String> = objects.iter().filter(|o| o.invalid).map(|o| o.id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Checks the content and keeps only what concerns objects changed since `rev` (and the files
/// that changed, for problems no object carries): what a pull request's review needs.
pub fn check_changed_since(config: &Config, rev: &str, cwd: &Path) -> Result<CheckReport, Error> {
    let (mut report, objects) = load_and_check(config, Content::Files(&[]), cwd, build::check_time()?, None)?;
    // The base is only compared with, never reported on: its objects are loaded unchecked.
    let (_, base) =
        load_content(config, Content::Revision(rev), cwd, &|_, _| Vec::new(), load::KeepJson::Compact, None)?;
    let changes = crate::diff::Changes::between(&base.objects, &objects);
    let (touched, removed) = changes.touched_and_removed();
    let git = load::git_tree::GitContent::open(&config.content_dir).map_err(Error::Usage)?;
    let mut files_changed: std::collections::HashMap<PathBuf, bool> = Default::default();
    report.diagnostics.retain(|d| match &d.object_id {
        Some(id) if touched.contains(id.as_str()) => true,
        // A rule an unchanged object now breaks because of the change: it names a removed id.
        Some(_) => removed.iter().any(|gone| d.message.contains(gone)),
        None => *files_changed.entry(d.location.file.clone()).or_insert_with(|| {
            let before = git.repo_path(&d.location.file, cwd).and_then(|path| git.file_at(rev, &path));
            before.is_none_or(|bytes| std::fs::read(cwd.join(&d.location.file)).ok() != Some(bytes))
        }),
    });
    report.summary.errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    report.summary.warnings = report.diagnostics.len() - report.summary.errors;
    Ok(report)
}

/// What changes from `base` to `head` (a revision, or the working tree when None).
pub fn diff(config: &Config, base: &str, head: Option<&str>, cwd: &Path) -> Result<crate::diff::DiffReport, Error> {
    let git = load::git_tree::GitContent::open(&config.content_dir).map_err(Error::Usage)?;
    let sha = |rev: &str| git.commit(rev).map(|c| c.id().to_string());
    let base_side = (base, Some(sha(base)?));
    let (before, base_objects) = load_and_check(config, Content::Revision(base), cwd, build::check_time()?, None)?;
    let (after, head_objects, head_side) = match head {
        Some(rev) => {
            let commit = Some(sha(rev)?);
            let (report, objects) = load_and_check(config, Content::Revision(rev), cwd, build::check_time()?, None)?;
            (report, objects, (rev, commit))
        }
        None => {
            let (report, objects) = load_and_check(config, Content::Files(&[]), cwd, build::check_time()?, None)?;
            (report, objects, ("the working tree", None))
        }
    };
    let changes = crate::diff::Changes::between(&base_objects, &head_objects);
    Ok(crate::diff::DiffReport::new(
        crate::diff::Side::new(base_side.0, base_side.1, &before.summary),
        crate::diff::Side::new(head_side.0, head_side.1, &after.summary),
        changes,
        &before.diagnostics,
        after.diagnostics,
    ))
}

/// Loads and checks, keeping the objects (their JSON included, compact: `build` tells its Store
/// so, see `Store::holding_compact_json`) for the stages after.
fn load_and_check(
    config: &Config,
    content: Content<'_>,
    cwd: &Path,
    now: stix::Timestamp,
    cache: Option<&Path>,
) -> Result<(CheckReport, Vec<stix::StixObject>), Error> {
    let (report, objects, ()) =
        load_and_check_alongside(config, content, cwd, now, load::KeepJson::Compact, cache, |_| ())?;
    Ok((report, objects))
}

/// Loads and checks, keeping of each object's JSON what `json` says (`load::KeepJson`), with
/// what `cache` (a folder, see `load::cache`) kept of the files that did not change; and runs
/// `alongside` on the loaded objects, on a thread of its own, while the repository rules read
/// them (much of the rules' work runs on one core).
fn load_and_check_alongside<T: Send>(
    config: &Config,
    content: Content<'_>,
    cwd: &Path,
    now: stix::Timestamp,
    json: load::KeepJson,
    cache: Option<&Path>,
    alongside: impl FnOnce(&[stix::StixObject]) -> T + Send,
) -> Result<(CheckReport, Vec<stix::StixObject>, T), Error> {
    let started = Instant::now();
    let clock = validate::Clock { now: now.instant().0, tolerance_seconds: config.check.future_tolerance_seconds };
    let check = move |value: &serde_json::Value, version| validate::check_object_at(value, version, Some(clock));
    let cache = match cache {
        Some(dir) => open_cache(config, &cwd.join(dir), clock.threshold())?,
        None => None,
    };
    let whole_content = matches!(content, Content::Files(paths) if paths.is_empty());
    let (discovered, loaded) = load_content(config, content, cwd, &check, json, cache.as_ref())?;
    log_timing("load and check objects", started);
    if let Some(cache) = &cache {
        // Entries of files gone or changed go, unless only some files were read.
        let removed = if whole_content { cache.prune() } else { 0 };
        let figures = format!("{} of {} files read from it, {removed} entries removed", cache.read(), loaded.files);
        crate::timing::log_figures("load cache", &figures);
    }
    let repo_options = validate::RepositoryOptions {
        missing_reference: config.check.missing_references,
        relationship_types: &config.check.relationship_types,
        audiences: &config.audiences,
    };
    let objects = &loaded.objects;
    // The rules stay on this thread: run on one of rayon's (`rayon::join`), their memory was
    // not given back as soon, and a build at 250,000 objects peaked 150 MB higher.
    let (repository, beside) = std::thread::scope(|scope| {
        let beside = scope.spawn(|| alongside(objects));
        let repository = validate::check_repository(objects, &repo_options);
        (repository, beside.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    log_timing("repository rules", started);
    let mut diagnostics = loaded.diagnostics;
    diagnostics.reserve_exact(discovered.diagnostics.len() + repository.len());
    diagnostics.extend(discovered.diagnostics);
    diagnostics.extend(repository);
    diag::sort_and_dedup(&mut diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let summary =
        Summary { files: loaded.files, objects: loaded.objects.len(), errors, warnings: diagnostics.len() - errors };
    log_timing("check", started);
    Ok((CheckReport { summary, diagnostics, withholding: Vec::new() }, loaded.objects, beside))
}

/// Finds and parses the content, running `check` on each object while its JSON is in memory.
fn load_content(
    config: &Config,
    content: Content<'_>,
    cwd: &Path,
    check: &load::ObjectCheck,
    json: load::KeepJson,
    cache: Option<&load::cache::LoadCache>,
) -> Result<(load::Discovered, load::Loaded), Error> {
    let started = Instant::now();
    let options = load::LoadOptions { max_file_size: config.check.max_file_size, json };
    match content {
        Content::Files(paths) => {
            let paths = if paths.is_empty() { vec![config.content_dir.clone()] } else { paths.to_vec() };
            let paths: Vec<PathBuf> = paths.iter().map(|p| relative_to(p, cwd)).collect();
            let discovered = load::discover(&paths, &config.root)?;
            log_timing("discover", started);
            let loaded = load::load_all(&discovered.files, &options, check, cache);
            Ok((discovered, loaded))
        }
        Content::Revision(rev) => {
            let git = load::git_tree::GitContent::open(&config.content_dir)
                .map_err(|reason| Error::Usage(format!("cannot read revision `{rev}`: {reason}")))?;
            let (files, diagnostics) = git.files(rev, &relative_to(&config.content_dir, cwd))?;
            log_timing("read the revision's tree", started);
            let discovered = load::Discovered { files: Vec::new(), diagnostics };
            Ok((discovered, load::load_tree(files, &options, check)))
        }
    }
}

/// The load cache in `dir`, refused inside the repository (a pull request could plant entries
/// there that say a file is valid); `None`, and a slower run, when the folder cannot be made.
fn open_cache(config: &Config, dir: &Path, threshold: i64) -> Result<Option<load::cache::LoadCache>, Error> {
    let Ok(cache) = load::cache::LoadCache::open(dir, threshold) else { return Ok(None) };
    // Judged once the folder exists, so that `..` and symlinks are resolved.
    if inside_repository(config, dir) {
        return Err(Error::Usage(format!(
            "the cache folder {} is inside the repository ({}): a pull request could plant entries in it; keep it outside",
            dir.display(),
            config.root.display()
        )));
    }
    Ok(Some(cache))
}

/// Whether the existing folder `dir` is inside the repository, where it really is (`..` and
/// symlinks resolved).
pub(crate) fn inside_repository(config: &Config, dir: &Path) -> bool {
    let canonical = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    canonical(dir).starts_with(canonical(&config.root))
}

/// Shows paths under the current folder relative to it, as a contributor typed them.
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rest) => rest.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

pub use build::{build, BuildOptions, BuildOutcome, BuildReport, BuildStats};
pub use import::{import, import_all, ImportOptions, ImportReport};
