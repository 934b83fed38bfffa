//! `stixpress import`: load the repository (to reference what it holds), read each source,
//! import it, and write one bundle to `--to` (inside the content folder) or return it.

use std::path::{Component, Path, PathBuf};

use crate::cli::ImportFormat;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::import::{self, Import, Output, Repository, Source};
use crate::stix::Timestamp;

/// What to import and where to.
pub struct ImportOptions {
    pub sources: Vec<PathBuf>,
    pub format: ImportFormat,
    pub name: Option<String>,
    /// The file to write, under the content folder (None: the caller prints the bundle).
    pub to: Option<PathBuf>,
    /// The time of objects whose source gives none (else `SOURCE_DATE_EPOCH`, else the
    /// source file's modification time).
    pub now: Option<Timestamp>,
}

/// The outcome: the bundle's text, what the sources had wrong, and where it was written.
pub struct ImportReport {
    pub bundle: String,
    pub objects: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub written: Option<PathBuf>,
}

impl ImportReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub fn import(config: &Config, options: &ImportOptions, cwd: &Path) -> Result<ImportReport, Error> {
    if options.sources.is_empty() {
        return Err(Error::Usage("name at least one source to import (a file)".into()));
    }
    let target = options.to.as_ref().map(|to| target_path(config, &cwd.join(to))).transpose()?;
    let now = match options.now {
        Some(now) => Some(now),
        None => source_date_epoch()?,
    };
    let (_, loaded) = super::load_content(config, super::Content::Files(&[]), cwd, &|_, _| Vec::new())?;
    // The file being replaced is not "already in the repository": importing again must give
    // the same bytes, not a bundle that references the previous import.
    let objects: Vec<_> = match &target {
        Some(target) => {
            loaded.objects.into_iter().filter(|o| !same_file(&cwd.join(o.file.as_path()), target)).collect()
        }
        None => loaded.objects,
    };
    let repository = Repository::index(&objects);
    let has_definition = repository.has(import::PROVENANCE_EXTENSION) && repository.has(import::STIXPRESS_IDENTITY);
    let output = Output::new(config.import.created_by_ref.clone(), config.import.object_marking_refs.clone());
    let mut run =
        Import { repository: &repository, out: output, diagnostics: Vec::new(), now, name: options.name.clone() };
    for path in &options.sources {
        let source = read_source(config, path, cwd)?;
        match source {
            Ok(source) => import::import_source(&mut run, options.format, &source).map_err(Error::Usage)?,
            Err(diagnostic) => run.diagnostics.push(diagnostic),
        }
    }
    let objects = run.out.len();
    let bundle = run.out.into_bundle(has_definition);
    let text = import::bundle_text(&bundle);
    let mut diagnostics = run.diagnostics;
    crate::diag::sort_and_dedup(&mut diagnostics);
    if let Some(target) = &target {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(target, &text).map_err(|e| Error::io(target, e))?;
    }
    Ok(ImportReport { bundle: text, objects, diagnostics, written: target })
}

/// `--to`, made absolute and required to lie inside the content folder.
fn target_path(config: &Config, to: &Path) -> Result<PathBuf, Error> {
    let target = lexical(to);
    let content = lexical(&std::path::absolute(&config.content_dir).unwrap_or_else(|_| config.content_dir.clone()));
    let is_json = target.extension().is_some_and(|e| e == "json");
    if !target.starts_with(&content) || target == content || !is_json {
        return Err(Error::Usage(format!(
            "--to `{}` must be a .json file inside the content folder `{}`",
            to.display(),
            config.content_dir.display()
        )));
    }
    Ok(target)
}

/// The path with `.` and `..` resolved without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn same_file(a: &Path, b: &Path) -> bool {
    lexical(a) == *b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn source_date_epoch() -> Result<Option<Timestamp>, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => {
            epoch.trim().parse::<i64>().map(|s| Some(Timestamp::from_unix_seconds(s))).map_err(|_| {
                Error::Usage(format!("SOURCE_DATE_EPOCH is `{epoch}`, not a number of seconds since 1970"))
            })
        }
        Err(_) => Ok(None),
    }
}

/// A source file, or the diagnostic saying why it cannot be read (too big, unreadable);
/// a source that does not exist is a usage error.
fn read_source(config: &Config, path: &Path, cwd: &Path) -> Result<Result<Source, Diagnostic>, Error> {
    let full = cwd.join(path);
    let metadata = std::fs::metadata(&full).map_err(|e| Error::io(path, e))?;
    if !metadata.is_file() {
        return Err(Error::Usage(format!("{}: not a file (folders and URLs are not imported yet)", path.display())));
    }
    let limit = config.check.max_file_size;
    if metadata.len() > limit {
        let d = Diagnostic::error(
            "import-unreadable",
            format!("{} bytes, over the limit of {} MiB ([check] max_file_size_mib)", metadata.len(), limit / 1048576),
        )
        .in_file(path);
        return Ok(Err(d));
    }
    let bytes = std::fs::read(&full).map_err(|e| Error::io(path, e))?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| Timestamp::from_unix_seconds(d.as_secs() as i64));
    Ok(Ok(Source::new(path, bytes, modified)))
}
