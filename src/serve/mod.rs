//! `stixpress serve`: builds one audience, serves its folder on 127.0.0.1 and answers TAXII 2.1
//! with the full read-only query semantics from the build's index; rebuilds when the content,
//! templates, theme or config change, and reloads the pages open in a browser.
//!
//! Every build goes into a folder of serve's own (under the system's temporary folder, never
//! the configured output, which an earlier `build` may hold), and only a finished build is
//! swapped in, whole: a request reads from one snapshot and never sees a file being written or
//! a mix of two builds. A rebuild goes into the folder of the build before last once no request
//! reads it any more, so it writes only what changed since (the manifest says what is there);
//! else into a fresh folder. A snapshot's folder is removed when the last request using it ends
//! and no rebuild took it.

mod files;
mod reload;
mod taxii_api;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Response, StatusCode};
use axum::Router;
use tokio::sync::watch;

use crate::config::{Config, Taxii};
use crate::error::Error;
use crate::publish::taxii::TaxiiIndex;

pub struct ServeOptions {
    pub port: u16,
    /// The audience to preview (default: `public` if configured, else the first).
    pub audience: Option<String>,
    pub allow_errors: bool,
    /// Rebuild on changes.
    pub watch: bool,
}

/// What one build produced: the folder to serve and the TAXII index to query. The folder is
/// serve's own and goes when the snapshot does, unless a rebuild takes it (`into_folder`).
pub(crate) struct Snapshot {
    output: PathBuf,
    index: TaxiiIndex<'static>,
}

impl Snapshot {
    /// The folder, kept for the next build to write into (no request can read it any more:
    /// the snapshot is owned, not shared).
    fn into_folder(mut self) -> PathBuf {
        std::mem::take(&mut self.output)
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        // Empty when a rebuild took the folder.
        if !self.output.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.output);
        }
    }
}

/// serve's own folder, holding one sub-folder per build; removed when serve ends.
pub(crate) struct Workspace {
    root: PathBuf,
    builds: std::sync::atomic::AtomicU64,
}

impl Workspace {
    fn create() -> Result<Workspace, Error> {
        remove_abandoned(&std::env::temp_dir());
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let root = std::env::temp_dir().join(format!("{WORKSPACE_PREFIX}{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        Ok(Workspace { root, builds: std::sync::atomic::AtomicU64::new(0) })
    }

    /// The folder of the load cache every build of this serve shares (`load::cache`); none
    /// when the workspace is inside the repository, where no cache may be.
    fn load_cache(&self, config: &Config) -> Option<PathBuf> {
        (!crate::pipeline::inside_repository(config, &self.root)).then(|| self.root.join("load-cache"))
    }

    /// A folder no build has used.
    fn fresh_folder(&self) -> PathBuf {
        let n = self.builds.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.root.join(format!("build-{n}"))
    }
}

const WORKSPACE_PREFIX: &str = "stixpress-serve-";

/// Removes the workspaces of serve processes that are gone (killed before they could clean
/// up). Only where `/proc` tells which processes live.
fn remove_abandoned(temp: &std::path::Path) {
    let proc = std::path::Path::new("/proc/self");
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    if !proc.exists() {
        return;
    }
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(WORKSPACE_PREFIX).and_then(|rest| rest.split('-').next()) else { continue };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid.parse::<u32>().is_ok() && !std::path::Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

pub(crate) struct Server {
    snapshot: RwLock<Arc<Snapshot>>,
    taxii: Taxii,
    /// Bumped after each rebuild; open pages wait on it.
    generation: watch::Sender<u64>,
}

impl Server {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// Builds, then serves until interrupted.
pub fn serve(config: Config, options: ServeOptions, cwd: PathBuf) -> Result<(), Error> {
    let audience = chosen_audience(&config, options.audience.as_deref())?;
    let workspace = Arc::new(Workspace::create()?);
    let first = reload::build_snapshot(&config, &audience, options.allow_errors, &cwd, &workspace, None)?
        .ok_or_else(|| Error::Usage("the content has errors: fix them, or serve with --allow-errors".into()))?;
    let (generation, _) = watch::channel(0);
    let server = Arc::new(Server { snapshot: RwLock::new(Arc::new(first)), taxii: config.taxii.clone(), generation });
    if options.watch {
        reload::watch(config.clone(), audience.clone(), options.allow_errors, cwd, server.clone(), workspace.clone())?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        // Listened for before serve says where it listens: a signal sent between that line and
        // the server's first poll of this future took its default action, and the process died
        // with its workspace left behind.
        let stop = stop_asked();
        let address = SocketAddr::from(([127, 0, 0, 1], options.port));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {address}: {e}")))?;
        let bound = listener.local_addr().map_err(|e| Error::Usage(e.to_string()))?;
        eprintln!(
            "serving audience `{audience}` at http://{bound}/ (TAXII discovery: http://{bound}/taxii2/); Ctrl-C stops"
        );
        let app = Router::new().fallback(handle).with_state(server);
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Error::Usage(format!("the server stopped: {e}")))
    })?;
    // The watcher's thread may still hold the workspace; its folder goes now all the same.
    let _ = std::fs::remove_dir_all(&workspace.root);
    Ok(())
}

/// Ctrl-C, or the SIGTERM that `kill`, a service manager or a container's stop sends: either
/// way the server stops and the workspace goes with it (two whole builds: gigabytes at a
/// million objects), rather than waiting in the temporary folder for the next `serve`. The
/// signals are listened for from the call on, not from the first poll of what it returns.
/// Called within the runtime.
fn stop_asked() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut terminate), Ok(mut interrupt)) =
            (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
        {
            return Box::pin(async move {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = interrupt.recv() => {}
                }
            });
        }
    }
    Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn chosen_audience(config: &Config, wanted: Option<&str>) -> Result<String, Error> {
    let names: Vec<&str> = config.audiences.iter().map(|a| a.name.as_str()).collect();
    match wanted {
        Some(name) if names.contains(&name) => Ok(name.to_owned()),
        Some(name) => Err(Error::Usage(format!("no audience `{name}`; stixpress.toml has: {}", names.join(", ")))),
        None if names.contains(&"public") => Ok("public".to_owned()),
        None => Ok(names[0].to_owned()),
    }
}

/// Every request: TAXII under `/taxii2/`, the reload poll, else a file of the site.
async fn handle(State(server): State<Arc<Server>>, request: Request) -> Response<Body> {
    let path = request.uri().path().to_owned();
    if request.method() == Method::OPTIONS {
        return with_cors(Response::builder().status(StatusCode::NO_CONTENT).body(Body::empty()).expect("a response"));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "read-only: only GET and HEAD");
    }
    if path == reload::RELOAD_PATH {
        return reload::wait_for_change(&server, request.uri().query().unwrap_or("")).await;
    }
    if path == "/taxii2" || path.starts_with("/taxii2/") {
        return with_cors(taxii_api::answer(&server, &request));
    }
    let snapshot = server.snapshot();
    let generation = *server.generation.borrow();
    files::answer(&snapshot.output, &path, generation).await
}

fn with_cors(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert("access-control-allow-headers", HeaderValue::from_static("Accept, Authorization"));
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("X-TAXII-Date-Added-First, X-TAXII-Date-Added-Last"),
    );
    response
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::from(format!("{text}\n")))
        .expect("a response")
}
