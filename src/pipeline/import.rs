//! `stixpress import`: load the repository (to reference what it holds), read each source,
//! import it, and write one bundle to `--to` (inside the content folder) or return it.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::cli::ImportFormat;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::import::{self, Import, Output, Repository, Source};
use crate::stix::{StixObject, Timestamp};
use crate::{load, validate};

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
    /// `--collection`: the TAXII collection to pull from an API root.
    pub collection: Option<String>,
    /// `--since`: pull what a TAXII collection added after this (else what the target's state
    /// file remembers, else everything).
    pub since: Option<Timestamp>,
    /// The environment variable holding `user:password` for HTTP sources.
    pub auth_env: Option<String>,
    /// `--limit`: the most objects to ask a TAXII server for per page.
    pub limit: Option<usize>,
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

/// Runs every `[[import]]` source of the configuration, each into its own target, in the
/// configured order; one that cannot run does not stop the others.
pub fn import_all(config: &Config, now: Option<Timestamp>, cwd: &Path) -> Vec<(String, Result<ImportReport, Error>)> {
    config
        .imports
        .iter()
        .map(|source| {
            let options = ImportOptions {
                sources: vec![source.source.clone()],
                format: source.format,
                name: source.report.clone(),
                to: Some(source.to.clone()),
                now,
                collection: source.collection.clone(),
                since: None,
                auth_env: source.auth_env.clone(),
                limit: source.limit,
            };
            let mut config = config.clone();
            config.import = source.defaults.clone();
            (source.name.clone(), import(&config, &options, cwd))
        })
        .collect()
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
    let (_, loaded) = super::load_content(
        config,
        super::Content::Files(&[]),
        cwd,
        &|_, _| Vec::new(),
        load::KeepJson::AsWritten,
        None,
    )?;
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
    let mut stix = StixSources::new(config)?;
    let mut pulls = Pulls::new(config, options, target.as_deref())?;
    if let Some(target) = target.as_ref().filter(|t| pulls.carries_over() && t.is_file()) {
        // An incremental pull adds to what the target holds: its objects stay, as they are
        // (and so do the groupings that said where they came from).
        stix.import(&mut run, ImportFormat::Stix, &super::relative_to(target, cwd))?;
        stix.origins.clear();
    }
    for path in &options.sources {
        if let Some(url) = url_of(path) {
            pulls.fetch(&mut run, &mut stix, url)?;
            continue;
        }
        let is_feed = cwd.join(path).join("manifest.json").is_file();
        if is_feed && matches!(options.format, ImportFormat::Auto | ImportFormat::Misp) {
            feed_folder(&mut run, config, path, cwd)?;
            continue;
        }
        if is_folder(path, cwd)? {
            stix.import(&mut run, options.format, &super::relative_to(&cwd.join(path), cwd))?;
            continue;
        }
        match read_source(config, path, cwd)? {
            Ok(source) if import::detect(options.format, &source) == ImportFormat::Stix => {
                stix.import(&mut run, ImportFormat::Stix, &super::relative_to(&cwd.join(path), cwd))?;
            }
            Ok(source) => import::import_source(&mut run, options.format, &source).map_err(Error::Usage)?,
            Err(diagnostic) => run.diagnostics.push(diagnostic),
        }
    }
    let origins = std::mem::take(&mut stix.origins);
    let mut diagnostics = stix.repository_rules(config, objects, &mut run.out);
    for origin in &origins {
        import::group_kept(&mut run, origin);
    }
    let succeeded = !run.diagnostics.iter().chain(&diagnostics).any(Diagnostic::is_error);
    let imported = run.out.len();
    let bundle = run.out.into_bundle(has_definition);
    let text = import::bundle_text(&bundle);
    diagnostics.append(&mut run.diagnostics);
    crate::diag::sort_and_dedup(&mut diagnostics);
    if let Some(target) = &target {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(target, &text).map_err(|e| Error::io(target, e))?;
        if succeeded {
            pulls.remember()?;
        }
    }
    Ok(ImportReport { bundle: text, objects: imported, diagnostics, written: target })
}

/// A source given as an `http://` or `https://` address.
fn url_of(path: &Path) -> Option<&str> {
    path.to_str().filter(|p| p.starts_with("http://") || p.starts_with("https://"))
}

/// The TAXII collections pulled in this run, and what the target's state file remembers of
/// them (`<target>.taxii-state`: no `.json`, so that `check` and `build` never read it).
struct Pulls<'o> {
    options: &'o ImportOptions,
    client: Option<import::http::Client>,
    max_bytes: u64,
    state_path: Option<PathBuf>,
    state: import::taxii::State,
    newest: Vec<(String, String)>,
}

impl<'o> Pulls<'o> {
    fn new(config: &Config, options: &'o ImportOptions, target: Option<&Path>) -> Result<Pulls<'o>, Error> {
        let state_path = target.map(|t| PathBuf::from(format!("{}.taxii-state", t.display())));
        let state = match &state_path {
            Some(path) => import::taxii::State::read(path).map_err(Error::Usage)?,
            None => Default::default(),
        };
        let max_bytes = config.check.max_file_size;
        Ok(Pulls { options, client: None, max_bytes, state_path, state, newest: Vec::new() })
    }

    /// Whether a TAXII collection is pulled (its target then keeps what it holds).
    fn carries_over(&self) -> bool {
        self.options.format == ImportFormat::Taxii
            || self.options.sources.iter().filter_map(|p| url_of(p)).any(|url| self.is_taxii(url))
    }

    fn is_taxii(&self, url: &str) -> bool {
        match self.options.format {
            ImportFormat::Taxii => true,
            ImportFormat::Auto => self.options.collection.is_some() || url.contains("/collections/"),
            _ => false,
        }
    }

    fn client(&mut self) -> Result<&import::http::Client, Error> {
        if self.client.is_none() {
            let client =
                import::http::Client::new(self.max_bytes, self.options.auth_env.as_deref()).map_err(Error::Usage)?;
            self.client = Some(client);
        }
        Ok(self.client.as_ref().expect("set above"))
    }

    /// Fetches an address: a TAXII collection, or a MISP feed.
    fn fetch(&mut self, run: &mut Import<'_>, stix: &mut StixSources, url: &str) -> Result<(), Error> {
        match self.options.format {
            _ if self.is_taxii(url) => self.pull(run, stix, url),
            ImportFormat::Auto | ImportFormat::Misp => self.feed(run, url),
            _ => Err(Error::Usage(format!("{url}: an address is a TAXII 2.1 collection or a MISP feed"))),
        }
    }

    /// A MISP feed over HTTP: its manifest, then each event it lists.
    fn feed(&mut self, run: &mut Import<'_>, url: &str) -> Result<(), Error> {
        let base = match url.strip_suffix("manifest.json") {
            Some(base) => base.to_owned(),
            None => format!("{}/", url.trim_end_matches('/')),
        };
        let client = self.client()?;
        let fetch = |url: &str| {
            let fetched = client.get(url, "application/json")?;
            Ok::<_, Box<Diagnostic>>(Source::new(Path::new(url), fetched.text.into_bytes(), None))
        };
        let manifest = match fetch(&format!("{base}manifest.json")) {
            Ok(manifest) => manifest,
            Err(diagnostic) => {
                run.diagnostics.push(*diagnostic);
                return Ok(());
            }
        };
        let (uuids, problems) = import::misp_feed::event_uuids(&manifest);
        run.diagnostics.extend(problems);
        for uuid in uuids {
            match fetch(&format!("{base}{uuid}.json")) {
                Ok(event) => import::import_source(run, ImportFormat::Misp, &event).map_err(Error::Usage)?,
                Err(diagnostic) => run.diagnostics.push(*diagnostic),
            }
        }
        Ok(())
    }

    /// Pulls one collection, page by page, loading each page as `check` loads a bundle.
    fn pull(&mut self, run: &mut Import<'_>, stix: &mut StixSources, url: &str) -> Result<(), Error> {
        let collection =
            import::taxii::Collection::from_source(url, self.options.collection.as_deref()).map_err(Error::Usage)?;
        let key = collection.objects_url();
        let since = self.options.since.map(|t| t.to_millis_text());
        let added_after = since.or_else(|| self.state.added_after.get(&key).cloned());
        let limit = self.options.limit;
        stix.origins.push(import::Origin::new(key.clone(), "taxii collection"));
        let client = self.client()?;
        let pulled =
            import::taxii::pull(client, &collection, (added_after.as_deref(), limit), |page| stix.page(run, page));
        match pulled {
            Ok(Some(newest)) => self.newest.push((key, newest)),
            Ok(None) => {}
            Err(diagnostic) => run.diagnostics.push(*diagnostic),
        }
        Ok(())
    }

    /// Writes the state file with the newest dates added (after an import that succeeded).
    fn remember(mut self) -> Result<(), Error> {
        let Some(path) = self.state_path.take().filter(|_| !self.newest.is_empty()) else { return Ok(()) };
        for (key, newest) in self.newest.drain(..) {
            self.state.added_after.insert(key, newest);
        }
        let text = self.state.to_text();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}

/// A MISP feed folder: `manifest.json`, then each event it lists (`<uuid>.json`), imported as
/// event files are. An event file that is missing or a symlink is reported and skipped.
fn feed_folder(run: &mut Import<'_>, config: &Config, folder: &Path, cwd: &Path) -> Result<(), Error> {
    let manifest = match read_source(config, &folder.join("manifest.json"), cwd)? {
        Ok(manifest) => manifest,
        Err(diagnostic) => {
            run.diagnostics.push(diagnostic);
            return Ok(());
        }
    };
    let (uuids, problems) = import::misp_feed::event_uuids(&manifest);
    run.diagnostics.extend(problems);
    for uuid in uuids {
        let path = folder.join(format!("{uuid}.json"));
        let unusable = match std::fs::symlink_metadata(cwd.join(&path)) {
            Ok(meta) if meta.file_type().is_symlink() => Some("is a symlink, which is never followed"),
            Ok(meta) if meta.is_file() => None,
            Ok(_) => Some("is not a file"),
            Err(_) => Some("is listed in manifest.json but missing"),
        };
        if let Some(why) = unusable {
            let d = Diagnostic::error("import-unreadable", format!("the event file {why}; skipped")).in_file(&path);
            run.diagnostics.push(d);
            continue;
        }
        match read_source(config, &path, cwd)? {
            Ok(event) => import::import_source(run, ImportFormat::Misp, &event).map_err(Error::Usage)?,
            Err(diagnostic) => run.diagnostics.push(diagnostic),
        }
    }
    Ok(())
}

fn is_folder(path: &Path, cwd: &Path) -> Result<bool, Error> {
    Ok(std::fs::metadata(cwd.join(path)).map_err(|e| Error::io(path, e))?.is_dir())
}

/// STIX sources (bundles, folders of bundles): loaded and checked as `check` loads content,
/// so that their diagnostics are `check`'s, located in the source.
struct StixSources {
    options: load::LoadOptions,
    clock: validate::Clock,
    files: HashSet<PathBuf>,
    kept: Vec<StixObject>,
    /// Each source's kept versions, for the grouping that says where they came from.
    origins: Vec<import::Origin>,
}

impl StixSources {
    fn new(config: &Config) -> Result<StixSources, Error> {
        let now = super::build::check_time()?;
        Ok(StixSources {
            options: load::LoadOptions { max_file_size: config.check.max_file_size, ..Default::default() },
            clock: validate::Clock { now: now.instant().0, tolerance_seconds: config.check.future_tolerance_seconds },
            files: HashSet::new(),
            kept: Vec::new(),
            origins: Vec::new(),
        })
    }

    /// Loads a bundle file or every bundle under a folder (symlinks reported, never followed)
    /// and keeps its objects.
    fn import(&mut self, run: &mut Import<'_>, format: ImportFormat, path: &Path) -> Result<(), Error> {
        if !matches!(format, ImportFormat::Auto | ImportFormat::Stix) {
            return Err(Error::Usage(format!(
                "{}: a folder is imported as STIX bundles (--format stix)",
                path.display()
            )));
        }
        let discovered = load::discover(&[path.to_path_buf()], path)?;
        let clock = self.clock;
        let check = move |value: &serde_json::Value, version| validate::check_object_at(value, version, Some(clock));
        let loaded = load::load_all(&discovered.files, &self.options, &check, None);
        run.diagnostics.extend(discovered.diagnostics);
        run.diagnostics.extend(loaded.diagnostics);
        self.files.extend(discovered.files);
        let mut kept = import::keep_stix(run, loaded.objects);
        let mut origin = import::Origin::new(path.display().to_string(), "stix bundle");
        origin.record(&kept);
        self.origins.push(origin);
        self.kept.append(&mut kept);
        Ok(())
    }

    /// A page of a TAXII collection: its objects loaded and checked as a bundle's, located in
    /// the page (its URL, line and column).
    fn page(&mut self, run: &mut Import<'_>, page: import::taxii::Page) {
        let clock = self.clock;
        let check = move |value: &serde_json::Value, version| validate::check_object_at(value, version, Some(clock));
        let loaded = load::load_envelope(&page.url, page.text, &check);
        run.diagnostics.extend(loaded.diagnostics);
        self.files.insert(PathBuf::from(&page.url));
        let mut kept = import::keep_stix(run, loaded.objects);
        if let Some(origin) = self.origins.last_mut() {
            origin.record(&kept);
        }
        self.kept.append(&mut kept);
    }

    /// The repository rules (references, versions, markings) on the kept objects beside the
    /// repository's: what they report in the sources. A kept object they find an error in is
    /// left out too (it points at an object left out, most often), until none is: the bundle
    /// written then passes `check`.
    fn repository_rules(self, config: &Config, mut objects: Vec<StixObject>, out: &mut Output) -> Vec<Diagnostic> {
        let options = validate::RepositoryOptions {
            missing_reference: config.check.missing_references,
            relationship_types: &config.check.relationship_types,
            audiences: &config.audiences,
        };
        let held = objects.len();
        objects.extend(self.kept);
        let mut reported = Vec::new();
        while objects.len() > held {
            let mut found = validate::check_repository(&objects, &options);
            found.retain(|d| self.files.contains(&d.location.file));
            let failing: HashSet<&str> =
                found.iter().filter(|d| d.is_error()).filter_map(|d| d.object_id.as_deref()).collect();
            let left_out: HashSet<(String, String)> =
                objects[held..].iter().filter(|o| failing.contains(o.id.as_str())).map(import::version_key).collect();
            reported.append(&mut found);
            if left_out.is_empty() {
                break;
            }
            out.leave_out(&left_out);
            let mut kept = objects.split_off(held);
            kept.retain(|o| !left_out.contains(&import::version_key(o)));
            objects.extend(kept);
        }
        reported
    }
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
