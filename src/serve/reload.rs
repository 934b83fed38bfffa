//! Rebuilding on changes, and telling open pages: a watcher on the content, templates, theme
//! and config; a rebuild on a worker thread (the old site is served until the new one is
//! done, and kept when the new one fails); a long-poll address that answers when the
//! generation moves.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use notify::{RecursiveMode, Watcher};

use super::{Server, Snapshot, Workspace};
use crate::config::{Config, CONFIG_FILE};
use crate::error::Error;
use crate::pipeline::{build, BuildOptions, BuildOutcome};

/// Pages poll this address; it answers with the generation once it differs from `since`.
pub(crate) const RELOAD_PATH: &str = "/_stixpress/reload";

/// How long a poll is held open before it is answered with the unchanged generation.
const POLL: Duration = Duration::from_secs(25);

/// Editors write a file in several steps: wait for quiet before rebuilding.
const QUIET: Duration = Duration::from_millis(250);

/// Builds `audience` into `reused` (the folder of an earlier build, which the build updates,
/// writing only what changed) or else a fresh folder of the workspace; None when the content
/// has errors and they are not allowed (the diagnostics are printed).
pub(super) fn build_snapshot(
    config: &Config,
    audience: &str,
    allow_errors: bool,
    cwd: &std::path::Path,
    workspace: &Workspace,
    reused: Option<PathBuf>,
) -> Result<Option<Snapshot>, Error> {
    let folder = reused.unwrap_or_else(|| workspace.fresh_folder());
    let built = build_into(config, audience, allow_errors, cwd, &folder, workspace.load_cache(config));
    if !matches!(built, Ok(Some(_))) {
        let _ = std::fs::remove_dir_all(&folder);
    }
    built
}

fn build_into(
    config: &Config,
    audience: &str,
    allow_errors: bool,
    cwd: &std::path::Path,
    folder: &std::path::Path,
    load_cache: Option<PathBuf>,
) -> Result<Option<Snapshot>, Error> {
    let options = BuildOptions {
        audience: Some(audience.to_owned()),
        output: Some(folder.to_path_buf()),
        allow_errors,
        progress: false,
        keep_taxii_index: true,
        now: None,
        rev: None,
        history: true,
        // Its folders are under serve's own workspace, which nobody edits by hand.
        owned_output: true,
        // A save reads and checks only the file saved.
        load_cache,
    };
    // From the read of the content to the last file written: what a reader waits after a save.
    let started = std::time::Instant::now();
    let report = build(config, &options, cwd)?;
    let seconds = started.elapsed().as_secs_f64();
    let errors: Vec<_> = report.check.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let mut err = std::io::stderr().lock();
    let options = crate::diag::HumanOptions { max_per_code: Some(config.check.max_per_code) };
    let _ = crate::diag::print_check_human(&mut err, &errors, &report.check.summary, options);
    let _ = crate::diag::print_diagnostics_human(&mut err, &report.site_diagnostics);
    let BuildOutcome::Built { audiences, .. } = report.outcome else {
        return Ok(None);
    };
    let Some(stats) = audiences.into_iter().next() else { return Ok(None) };
    let files = &stats.files;
    eprintln!(
        "built {} objects for audience `{audience}` in {:.2} s ({} files written, {} unchanged, {} removed)",
        stats.objects, seconds, files.written, files.unchanged, files.removed
    );
    let index = stats.taxii_index.expect("serve keeps the TAXII index");
    Ok(Some(Snapshot { output: stats.output, index }))
}

/// Starts the watcher and the thread that rebuilds after changes.
pub(super) fn watch(
    config: Config,
    audience: String,
    allow_errors: bool,
    cwd: PathBuf,
    server: Arc<Server>,
    workspace: Arc<Workspace>,
) -> Result<(), Error> {
    let (changes, changed) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = changes.send(());
        }
    })
    .map_err(|e| Error::Usage(format!("cannot watch for changes: {e}")))?;
    let watched = [
        (config.content_dir.clone(), RecursiveMode::Recursive),
        (config.root.join("templates"), RecursiveMode::Recursive),
        (config.root.join("theme"), RecursiveMode::Recursive),
        (config.root.join(CONFIG_FILE), RecursiveMode::NonRecursive),
    ];
    for (path, mode) in watched.iter().filter(|(path, _)| path.exists()) {
        watcher.watch(path, *mode).map_err(|e| Error::Usage(format!("cannot watch `{}`: {e}", path.display())))?;
    }
    std::thread::spawn(move || {
        let _watcher = watcher;
        // What the last rebuild replaced: the next one writes into its folder.
        let mut retired = Retired::Nothing;
        while changed.recv().is_ok() {
            while changed.recv_timeout(QUIET).is_ok() {}
            rebuild(&config, &audience, allow_errors, &cwd, &server, &workspace, &mut retired);
        }
    });
    Ok(())
}

fn rebuild(
    config: &Config,
    audience: &str,
    allow_errors: bool,
    cwd: &std::path::Path,
    server: &Server,
    workspace: &Workspace,
    retired: &mut Retired,
) {
    // The config may be what changed.
    let config = Config::load(Some(&config.root), Some(&config.content_dir), cwd).unwrap_or_else(|_| config.clone());
    let reused = std::mem::replace(retired, Retired::Nothing).folder();
    match build_snapshot(&config, audience, allow_errors, cwd, workspace, reused) {
        Ok(Some(snapshot)) => {
            let mut serving = server.snapshot.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            let replaced = std::mem::replace(&mut *serving, Arc::new(snapshot));
            drop(serving);
            server.generation.send_modify(|generation| *generation += 1);
            *retired = Retired::new(replaced);
        }
        Ok(None) => eprintln!("not rebuilt: the content has errors (still serving the last build)"),
        Err(error) => eprintln!("not rebuilt: {} (still serving the last build)", crate::error::in_one_line(&error)),
    }
}

/// The snapshot a rebuild replaced, whose folder the next rebuild writes into.
enum Retired {
    Nothing,
    /// No request read it any more: its folder alone is kept (its TAXII index, a copy of
    /// every published object, is freed at once).
    Folder(PathBuf),
    /// Requests still read it when it was replaced.
    Shared(Arc<Snapshot>),
}

impl Retired {
    fn new(replaced: Arc<Snapshot>) -> Retired {
        match Arc::try_unwrap(replaced) {
            Ok(snapshot) => Retired::Folder(snapshot.into_folder()),
            Err(shared) => Retired::Shared(shared),
        }
    }

    /// The folder, unless a request still reads it (then it goes when that request ends, and
    /// the rebuild starts from nothing): no request can see the files a rebuild writes.
    fn folder(self) -> Option<PathBuf> {
        match self {
            Retired::Nothing => None,
            Retired::Folder(folder) => Some(folder),
            Retired::Shared(shared) => Arc::try_unwrap(shared).ok().map(Snapshot::into_folder),
        }
    }
}

/// Answers when a rebuild happened after generation `since` (or after a while, unchanged).
pub(super) async fn wait_for_change(server: &Server, query: &str) -> Response<Body> {
    let since: Option<u64> = query.strip_prefix("since=").and_then(|n| n.parse().ok());
    let mut generation = server.generation.subscribe();
    if since == Some(*generation.borrow()) {
        let _ = tokio::time::timeout(POLL, generation.changed()).await;
    }
    let now = *generation.borrow();
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(now.to_string()))
        .expect("a response")
}
