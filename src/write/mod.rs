//! The sink every renderer writes to: a folder on disk (`build`) or memory (`serve`, tests).
//!
//! Paths are relative, `/`-separated and checked here once more: whatever a renderer builds from
//! contributed ids, nothing is written outside the output folder. The disk sink compares what
//! it is given with what the folder holds before writing, so a rebuild touches only what changed
//! (and a CDN sync uploads only that), and removes files a previous build wrote that this one
//! did not (a page that would otherwise outlive its object, or outlive a marking that now
//! withholds it). The comparison uses the previous build's manifest (`manifest`), not the files.

mod manifest;

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use manifest::{Previous, Stamp};
use rayon::slice::ParallelSliceMut;

use crate::error::Error;
use crate::timing::log_timing;

/// Where rendered files go.
pub(crate) trait Sink: Sync {
    /// Writes `bytes` at `path` (relative, `/`-separated, e.g. `objects/<id>/index.html`).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Error>;

    /// Writes at `path` what `derive` makes of `source` (a compressed copy, a page rendered
    /// from its context). What `derive` makes must depend on `source` alone: a sink that knows
    /// the folder already holds what it made of the same bytes keeps that file and skips the work.
    fn write_derived(&self, path: &str, source: &[u8], derive: Derive<'_>) -> Result<(), Error> {
        self.write(path, &derive(source)?)
    }

    /// `write`, handing over the bytes: a sink that queues them keeps these instead of a copy
    /// (a feed of hundreds of megabytes is then held once, not twice).
    fn write_owned(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.write(path, &bytes)
    }

    /// Opens `path` for a file handed over piece by piece (a feed of hundreds of megabytes is
    /// then never held whole), whose bytes depend on `key` alone (a digest of what it is made
    /// from): `None` when the folder already holds what was made from the same key, which is
    /// then kept and need not be made.
    fn write_pieces(&self, path: &str, key: &[u8]) -> Result<Option<Box<dyn Pieces + '_>>, Error>;

    /// The file the previous build wrote at `path`, as it left it, open for reading: a file made
    /// of parts that may not have changed copies those from it. It stays readable while `path`
    /// is written again. None when there is no such file, or the sink keeps no previous build.
    fn previous(&self, _path: &str) -> Option<std::fs::File> {
        None
    }

    /// What the previous build left in the bookkeeping file `name` (one of [`NOTES`]), beside
    /// the manifest: not output, so never served, counted or listed. None when there is none,
    /// or no previous build whose manifest says what the folder holds.
    /// (No default: a sink that wraps another must hand these on.)
    fn previous_notes(&self, name: &str) -> Option<Vec<u8>>;

    /// Opens the bookkeeping file `name` (one of [`NOTES`]) for the next build, written a piece
    /// at a time; None when the sink keeps none.
    fn write_notes(&self, name: &str) -> Result<Option<Notes>, Error>;
}

/// A bookkeeping file being written: aside, and renamed into place by `finish`, so a build cut
/// off leaves the old notes or the new, never part of them.
pub(crate) struct Notes {
    file: std::io::BufWriter<std::fs::File>,
    aside: PathBuf,
    full: PathBuf,
}

impl Notes {
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        use std::io::Write as _;
        self.file.write_all(bytes).map_err(|e| Error::write(&self.aside, e))
    }

    pub(crate) fn finish(self) -> Result<(), Error> {
        let Notes { file, aside, full } = self;
        file.into_inner().map_err(|e| Error::write(&aside, e.into_error()))?;
        std::fs::rename(&aside, &full).map_err(|e| Error::write(&full, e))
    }
}

/// The bookkeeping files a build leaves besides the manifest: what object pages read
/// (`publish::pages`).
pub(crate) const NOTES: &[&str] = &[".stixpress-pages"];

/// A file being written piece by piece (`Sink::write_pieces`).
pub(crate) trait Pieces {
    fn write(&mut self, piece: &[u8]) -> Result<(), Error>;
    /// The file is complete; until then a reader may find it cut short.
    fn finish(self: Box<Self>) -> Result<(), Error>;
}

/// Makes a file from the bytes it depends on.
pub(crate) type Derive<'d> = &'d dyn Fn(&[u8]) -> Result<Vec<u8>, Error>;

/// What a build wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes: u64,
}

impl WriteStats {
    pub fn files(&self) -> usize {
        self.written + self.unchanged
    }
}

/// Pretty JSON with a final line break: how every JSON file meant for people is written.
pub(crate) fn pretty_json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Compact JSON with a final line break: how JSON meant for another program is written (a MISP
/// feed's events are a third smaller without the indentation no reader of them sees).
pub(crate) fn compact_json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Refuses a path that could leave the output folder or mean different files on different
/// systems.
fn checked(path: &str) -> Result<&str, Error> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains(['\\', '\0', ':', '\n', '\r'])
        || path.split('/').any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        return Err(Error::Usage(format!("refusing to write outside the output folder: `{path}`")));
    }
    Ok(path)
}

pub(crate) struct DiskSink {
    /// The marker, locked while the sink lives: one build at a time writes into a folder.
    _lock: std::fs::File,
    root: PathBuf,
    /// The folder was new or empty: nothing to compare against and nothing stale to remove,
    /// which saves a failed open per file and a walk of the whole tree.
    fresh: bool,
    /// What the previous build wrote, from its manifest: `None` when the folder has none, and
    /// files are then compared byte by byte.
    previous: Option<Previous>,
    unchanged: AtomicUsize,
    bytes: AtomicU64,
    /// The files found unchanged, with their stamps (the writer keeps those it wrote).
    kept: Mutex<Vec<(String, Stamp)>>,
    /// Only this program writes in the folder: see `owned`.
    owned: bool,
    /// The files written piece by piece, by the thread making them, with their stamps.
    pieced: Mutex<Vec<(String, Stamp)>>,
    /// Files to write go to writer threads, so renderers seldom wait on the disk; a writer's
    /// queue is chosen by a hash of the path (`queue_of`), so a path written twice goes to one
    /// writer, which leaves the file written last. Creating files is the kernel's work on the
    /// writer's core: with one writer, a fresh build of 250,000 objects left the renderers idle
    /// for its last fifth; with two it was about 5% faster into ext4 (see `writer_count`).
    queues: Vec<SyncSender<Queued>>,
    writers: Vec<JoinHandle<Vec<(String, Stamp)>>>,
    /// Set once a second publishing pass starts: see `publishing_again`.
    again: bool,
    /// The writers' first error; all stop at the first one.
    failure: Arc<Mutex<Option<Error>>>,
}

/// The file that marks a folder as stixpress's output: only such a folder (or an empty or new
/// one) is written into, since files the build did not write are removed from it.
pub(crate) const OUTPUT_MARKER: &str = ".stixpress-output";

/// What the marker of `root` says (nothing for a new folder), unless it says the folder holds
/// another audience's output: then building `audience` into it is refused.
fn owned_by(root: &Path, audience: &str) -> Result<String, Error> {
    let previous = std::fs::read_to_string(root.join(OUTPUT_MARKER)).unwrap_or_default();
    let owner = previous.lines().find_map(|line| line.strip_prefix("audience: "));
    if let Some(owner) = owner.filter(|owner| *owner != audience) {
        return Err(Error::Usage(format!(
            "refusing to build audience `{audience}` into `{}`: it holds the output of audience `{owner}` \
             (give each audience its own folder, or remove this one first)",
            root.display()
        )));
    }
    Ok(previous)
}

/// Locks the marker of `root`, creating it if need be, waiting (and saying so) while another
/// build holds it; and whether it waited. Two builds writing into one folder at once would each
/// remove what the other wrote and leave a manifest of files the other changed: a CI job started
/// twice by two merges would publish a mix of both. An advisory lock: only stixpress asks.
fn hold(root: &Path) -> Result<(std::fs::File, bool), Error> {
    let marker = root.join(OUTPUT_MARKER);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&marker)
        .map_err(|e| Error::write(&marker, e))?;
    match file.try_lock() {
        Ok(()) => Ok((file, false)),
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!("waiting for another build writing into `{}`", root.display());
            file.lock().map_err(|e| Error::write(&marker, e))?;
            Ok((file, true))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::write(&marker, e)),
    }
}

/// Files rendered but not yet written, at most, shared among the writers: enough to keep them busy.
const QUEUE: usize = 256;

/// A file for a writer thread: where, what, and the hash of what (for the manifest).
struct Queued {
    path: String,
    full: PathBuf,
    bytes: Vec<u8>,
    hash: [u8; 16],
}

impl DiskSink {
    /// A sink writing the output of `audience` into `root`, which must be empty, new, or the
    /// output of an earlier build for the same audience: building members' content into the
    /// public site's folder by mistake is refused, not done.
    pub(crate) fn new(root: &Path, audience: &str) -> Result<DiskSink, Error> {
        let non_empty = std::fs::read_dir(root).is_ok_and(|mut entries| entries.next().is_some());
        let marker = root.join(OUTPUT_MARKER);
        if non_empty && !marker.is_file() {
            return Err(Error::Usage(format!(
                "refusing to build into `{}`: it is not empty and was not written by stixpress \
                 (stixpress removes files in its output folder that a build does not write)",
                root.display()
            )));
        }
        std::fs::create_dir_all(root).map_err(|e| Error::write(root, e))?;
        let (lock, waited) = hold(root)?;
        // Whose the folder is, asked once it is held: two builds into a new folder would both
        // have found it no one's before. A build that waited finds the other's output.
        let previous = owned_by(root, audience)?;
        let non_empty = non_empty || waited;
        // The marker is bookkeeping, not output: it is kept but not counted.
        let note = format!(
            "This folder is written by `stixpress build`: files a build does not write are removed.\naudience: {audience}\n"
        );
        if previous != note {
            // Through the locked file (a lock may keep other handles out, as on Windows).
            lock.set_len(0)
                .and_then(|()| std::io::Write::write_all(&mut &lock, note.as_bytes()))
                .map_err(|e| Error::write(&marker, e))?;
        }
        let manifest = if non_empty { Previous::take(root)? } else { None };
        let failure = Arc::new(Mutex::new(None));
        let count = writer_count();
        let (queues, writers) = (0..count)
            .map(|_| {
                let (queue, files) = sync_channel::<Queued>(QUEUE / count);
                let failure = failure.clone();
                (queue, std::thread::spawn(move || write_all(files, &failure)))
            })
            .unzip();
        Ok(DiskSink {
            _lock: lock,
            root: root.to_path_buf(),
            fresh: !non_empty,
            previous: manifest,
            unchanged: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            owned: false,
            kept: Mutex::new(Vec::new()),
            pieced: Mutex::new(Vec::new()),
            queues,
            writers,
            again: false,
            failure,
        })
    }

    /// The sink of a folder only this program writes in (`serve`'s own): a file the manifest
    /// lists under the same hash is taken to be as the build before left it, without a `stat`
    /// to see whether someone changed it since. At a million objects, those `stat`s of 1.25
    /// million files in folders of half a million entries were 40% of a rebuild's time on
    /// object pages. A folder a person can edit (`build`'s output) is always looked at.
    pub(crate) fn owned(mut self) -> DiskSink {
        self.owned = true;
        self
    }

    /// Publishing starts again over what this build wrote so far (a page it wrote links to one
    /// it then refused): from here every file is written, never kept because the previous build
    /// left the same, since the first pass may have written another over it (one writer writes
    /// both, in turn, so the second pass's file is the one left).
    pub(crate) fn publishing_again(&mut self) {
        self.again = true;
    }

    /// The previous build's manifest, while this pass may take files as that build left them.
    fn previous_build(&self) -> Option<&Previous> {
        self.previous.as_ref().filter(|_| !self.again)
    }

    /// Waits for the writers, removes every file under the output folder this build did not
    /// write (those the previous manifest lists, else all of them), then folders left empty,
    /// writes the new manifest and returns the totals.
    pub(crate) fn finish(self) -> Result<WriteStats, Error> {
        let started = std::time::Instant::now();
        let DiskSink { root, fresh, previous, unchanged, bytes, kept, pieced, queues, writers, failure, .. } = self;
        drop(queues);
        let mut written = Vec::new();
        for writer in writers {
            written.extend(writer.join().map_err(|_| Error::Usage("an output writer thread panicked".into()))?);
        }
        if let Some(error) = take(&failure) {
            return Err(error);
        }
        written.extend(pieced.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()));
        log_timing("write: the writer done", started);
        let stats = WriteStats {
            written: written.len(),
            unchanged: unchanged.into_inner(),
            removed: 0,
            bytes: bytes.into_inner(),
        };
        // Sorted by path (a Vec, not a map: a million paths), and a path written twice (a second
        // publishing pass) counts once, as last written: the sort is stable, and the writer's
        // entries come after the ones found unchanged.
        let mut entries = kept.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.extend(written);
        entries.par_sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        log_timing("write: sorted", started);
        // The new manifest is written while the stale files go, and becomes the folder's after.
        let (removed, manifest) = rayon::join(
            || match (fresh, previous) {
                (true, _) => Ok(0),
                (false, Some(previous)) => {
                    let mut stale = Vec::new();
                    previous.finish(sorted_lookup(&entries), |path| stale.push(path.to_owned()))?;
                    remove_listed(&root, stale.iter())
                }
                (false, None) => remove_unlisted(&root, &entries),
            },
            || manifest::write(&root, &entries),
        );
        let (removed, manifest) = (removed?, manifest?);
        manifest.commit()?;
        log_timing("write: stale files removed, manifest written", started);
        Ok(WriteStats { removed, ..stats })
    }

    /// Whether `bytes` are what the folder already holds at `path`: by the previous manifest
    /// when there is one (no read), else by reading the file. Returns the file's stamp.
    fn unchanged(&self, path: &str, full: &Path, bytes: &[u8], hash: [u8; 16]) -> Option<Stamp> {
        if self.fresh || self.again {
            return None;
        }
        let len = bytes.len() as u64;
        match &self.previous {
            Some(_) => self.as_left(path, full, hash).filter(|s| s.len == len),
            None => {
                let metadata = std::fs::metadata(full).ok().filter(|m| m.len() == len)?;
                let same = std::fs::read(full).is_ok_and(|existing| existing == bytes);
                same.then(|| Stamp { hash, len, mtime: manifest::mtime(&metadata).unwrap_or(0) })
            }
        }
    }

    /// The previous build's stamp of `path`, when it recorded `hash` there and the file is
    /// still as that build left it.
    fn as_left(&self, path: &str, full: &Path, hash: [u8; 16]) -> Option<Stamp> {
        let stamp = self.previous_build()?.get(path).filter(|s| s.hash == hash)?;
        (self.owned || manifest::still_there(full, stamp)).then_some(*stamp)
    }
}

/// Whether `entries` (sorted by path) list a path, for paths asked in order (as a manifest
/// lists them): each search starts where the one before stopped and gallops ahead, so the
/// previous manifest is checked in about one pass. A path asked out of order (a manifest
/// someone edited) starts from the beginning, and costs a binary search, never a walk.
fn sorted_lookup(entries: &[(String, Stamp)]) -> impl FnMut(&str) -> bool + '_ {
    let mut at = 0;
    move |path: &str| {
        let before = |i: usize| entries[i].0.as_str() < path;
        if at > 0 && !before(at - 1) {
            at = 0;
        }
        let mut step = 1;
        while at + step <= entries.len() && before(at + step - 1) {
            step *= 2;
        }
        let end = (at + step).min(entries.len());
        at += entries[at..end].partition_point(|(p, _)| p.as_str() < path);
        entries.get(at).is_some_and(|(p, _)| p == path)
    }
}

/// Removes the files at `paths` (those the previous build wrote and this one did not), then
/// their folders where they are left empty.
fn remove_listed<'p>(root: &Path, paths: impl Iterator<Item = &'p String>) -> Result<usize, Error> {
    let mut removed = 0;
    let mut folders = HashSet::new();
    for path in paths {
        // The previous manifest was written by stixpress, but it is still a file in a folder
        // others can write to: a path that climbs out is not followed.
        let Ok(path) = checked(path) else { continue };
        let full = root.join(path);
        match std::fs::remove_file(&full) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::write(&full, e)),
        }
        let mut folder = Path::new(path).parent();
        while let Some(f) = folder.filter(|f| !f.as_os_str().is_empty()) {
            if !folders.insert(f.to_path_buf()) {
                break;
            }
            folder = f.parent();
        }
    }
    // Deepest first, so that a folder emptied by removing its last subfolder goes too.
    let mut folders: Vec<PathBuf> = folders.into_iter().collect();
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    for folder in folders {
        // Fails (harmlessly) unless the folder is now empty.
        let _ = std::fs::remove_dir(root.join(folder));
    }
    Ok(removed)
}

/// Removes every file under `root` that `kept` does not list (and is not the marker), then
/// empty folders: for a folder without a manifest, which must be walked.
fn remove_unlisted(root: &Path, kept: &[(String, Stamp)]) -> Result<usize, Error> {
    let kept: HashSet<PathBuf> = kept
        .iter()
        .map(|(p, _)| root.join(p))
        .chain([root.join(OUTPUT_MARKER), root.join(manifest::MANIFEST), root.join(manifest::PARTIAL)])
        .chain(NOTES.iter().map(|name| root.join(name)))
        .collect();
    let mut removed = 0;
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1).contents_first(true) {
        let entry = entry.map_err(|e| Error::write(root, e.into()))?;
        let path = entry.path();
        if entry.file_type().is_dir() {
            folders.push(path.to_path_buf());
        } else if !kept.contains(path) {
            std::fs::remove_file(path).map_err(|e| Error::write(path, e))?;
            removed += 1;
        }
    }
    for folder in folders {
        // Fails (harmlessly) unless the folder is now empty.
        let _ = std::fs::remove_dir(&folder);
    }
    Ok(removed)
}

fn take(failure: &Mutex<Option<Error>>) -> Option<Error> {
    failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
}

/// How many threads write files: one per core, and no more than `WRITERS`, since they share
/// a few folders (objects/, taxii2/'s objects/) whose locks in the kernel they take in turn.
fn writer_count() -> usize {
    const WRITERS: usize = 4;
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, WRITERS)
}

/// The writer a path's file goes to, of `count`.
fn queue_of(path: &str, count: usize) -> usize {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = crate::stix::fxhash::FxBuildHasher::default().build_hasher();
    hasher.write(path.as_bytes());
    // The high bits: FxHash mixes its low bits least.
    ((hasher.finish() >> 32) % count as u64) as usize
}

/// A writer thread: writes each file it receives, creating folders; returns what it wrote
/// with the stamps the manifest records. At the first error (its own or another writer's) it
/// stops; once all have, the queues are closed, which stops the renderers.
fn write_all(files: Receiver<Queued>, failure: &Mutex<Option<Error>>) -> Vec<(String, Stamp)> {
    let mut written = Vec::new();
    // The folder the file before went into: files come a folder at a time (every TAXII object
    // file is in one), and asking for a folder that exists costs two calls that walk its path.
    let mut last_folder = PathBuf::new();
    for Queued { path, full, bytes, hash } in files {
        if failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).is_some() {
            break;
        }
        let result = full
            .parent()
            .filter(|parent| *parent != last_folder)
            .map_or(Ok(()), |parent| {
                std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
                last_folder = parent.to_path_buf();
                Ok(())
            })
            .and_then(|()| write_file(&full, &bytes).map_err(|e| Error::write(&full, e)));
        match result {
            Ok(metadata) => {
                let stamp = Stamp { hash, len: bytes.len() as u64, mtime: manifest::mtime(&metadata).unwrap_or(0) };
                written.push((path, stamp));
            }
            Err(error) => {
                failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert(error);
                break;
            }
        }
    }
    written
}

/// Writes a whole file and returns its metadata, asked of the open file: a `stat` by path
/// would walk the path once more. Its time is the last write's, which closing does not change.
fn write_file(full: &Path, bytes: &[u8]) -> std::io::Result<std::fs::Metadata> {
    use std::io::Write as _;
    let mut file = std::fs::File::create(full)?;
    file.write_all(bytes)?;
    file.metadata()
}

impl DiskSink {
    /// Writes `bytes` at `path` unless the folder holds them; `hash` is what the manifest
    /// records for them.
    fn put(&self, path: &str, full: PathBuf, bytes: Cow<'_, [u8]>, hash: [u8; 16]) -> Result<(), Error> {
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if let Some(stamp) = self.unchanged(path, &full, &bytes, hash) {
            self.keep(path, stamp);
            return Ok(());
        }
        let queued = Queued { path: path.to_owned(), full, bytes: bytes.into_owned(), hash };
        if self.queues[queue_of(path, self.queues.len())].send(queued).is_err() {
            // The writer stopped at an error: report it here, where the build can stop (every
            // renderer thread may get here, so the error stays for the others), with its cause
            // (`No space left on device`), which a message alone would drop.
            let failure = self.failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let message =
                failure.as_ref().map_or("the output writer stopped".to_owned(), |e| crate::error::in_one_line(e));
            return Err(Error::Usage(message));
        }
        Ok(())
    }

    fn keep(&self, path: &str, stamp: Stamp) {
        self.unchanged.fetch_add(1, Ordering::Relaxed);
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((path.to_owned(), stamp));
    }
}

impl Sink for DiskSink {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Error> {
        let full = self.root.join(checked(path)?);
        self.put(path, full, Cow::Borrowed(bytes), crate::digest::of(bytes))
    }

    fn write_owned(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let full = self.root.join(checked(path)?);
        let hash = crate::digest::of(&bytes);
        self.put(path, full, Cow::Owned(bytes), hash)
    }

    /// The manifest records a derived file under a hash of its source (marked as such, so it
    /// never equals the hash of a file written whole): when the previous build made the file
    /// from the same bytes, and it is still as that build left it, `derive` is not run.
    fn write_derived(&self, path: &str, source: &[u8], derive: Derive<'_>) -> Result<(), Error> {
        let full = self.root.join(checked(path)?);
        let key = manifest::derived_hash(source);
        if let Some(stamp) = self.as_left(path, &full, key) {
            self.bytes.fetch_add(stamp.len, Ordering::Relaxed);
            self.keep(path, stamp);
            return Ok(());
        }
        self.put(path, full, Cow::Owned(derive(source)?), key)
    }

    /// Written by the calling thread, not the writer (the queue holds whole files); recorded
    /// under a derived hash of `key`, as `write_derived` records a file under its source's.
    fn write_pieces(&self, path: &str, key: &[u8]) -> Result<Option<Box<dyn Pieces + '_>>, Error> {
        let full = self.root.join(checked(path)?);
        let key = manifest::derived_hash(key);
        if let Some(stamp) = self.as_left(path, &full, key) {
            self.bytes.fetch_add(stamp.len, Ordering::Relaxed);
            self.keep(path, stamp);
            return Ok(None);
        }
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        }
        // A new file, not the old one cut to nothing: a reader of the old one (`previous`)
        // keeps reading what it held.
        match std::fs::remove_file(&full) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::write(&full, e)),
            _ => {}
        }
        let file = std::fs::File::create(&full).map_err(|e| Error::write(&full, e))?;
        let file = std::io::BufWriter::with_capacity(1 << 20, file);
        Ok(Some(Box::new(DiskPieces { sink: self, path: path.to_owned(), full, file, len: 0, key })))
    }

    fn previous(&self, path: &str) -> Option<std::fs::File> {
        previous_file(self, path)
    }

    fn previous_notes(&self, name: &str) -> Option<Vec<u8>> {
        debug_assert!(NOTES.contains(&name));
        self.previous_build()?;
        let full = self.root.join(name);
        let regular = std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_file());
        regular.then(|| std::fs::read(&full).ok()).flatten()
    }

    fn write_notes(&self, name: &str) -> Result<Option<Notes>, Error> {
        if !NOTES.contains(&name) {
            return Err(Error::Usage(format!("`{name}` is not a bookkeeping file")));
        }
        let (full, aside) = (self.root.join(name), self.root.join(format!("{name}.new")));
        let file = std::fs::File::create(&aside).map_err(|e| Error::write(&aside, e))?;
        Ok(Some(Notes { file: std::io::BufWriter::with_capacity(1 << 20, file), aside, full }))
    }
}

/// The previous build's file at `path` when the manifest lists it and it is still as that
/// build left it (a regular file, its length and time). Only on Unix, where a file removed
/// while open stays readable.
#[cfg(unix)]
fn previous_file(sink: &DiskSink, path: &str) -> Option<std::fs::File> {
    let full = sink.root.join(checked(path).ok()?);
    let stamp = sink.previous_build()?.get(path)?;
    let regular = std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_file());
    if !regular || !manifest::still_there(&full, stamp) {
        return None;
    }
    std::fs::File::open(&full).ok()
}

#[cfg(not(unix))]
fn previous_file(_sink: &DiskSink, _path: &str) -> Option<std::fs::File> {
    None
}

/// A file `DiskSink::write_pieces` is writing.
struct DiskPieces<'s> {
    sink: &'s DiskSink,
    path: String,
    full: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    len: u64,
    key: [u8; 16],
}

impl Pieces for DiskPieces<'_> {
    fn write(&mut self, piece: &[u8]) -> Result<(), Error> {
        use std::io::Write as _;
        self.len += piece.len() as u64;
        self.file.write_all(piece).map_err(|e| Error::write(&self.full, e))
    }

    fn finish(self: Box<Self>) -> Result<(), Error> {
        let DiskPieces { sink, path, full, file, len, key } = *self;
        // Closed before its time is read: that is the time the next build finds.
        drop(file.into_inner().map_err(|e| Error::write(&full, e.into_error()))?);
        let metadata = std::fs::metadata(&full).map_err(|e| Error::write(&full, e))?;
        let stamp = Stamp { hash: key, len, mtime: manifest::mtime(&metadata).unwrap_or(0) };
        sink.bytes.fetch_add(len, Ordering::Relaxed);
        sink.pieced.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((path, stamp));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sorted_list_answers_paths_asked_in_order_and_out_of_order_alike() {
        let stamp = Stamp { hash: [0; 16], len: 0, mtime: 0 };
        let entries: Vec<(String, Stamp)> = ["a", "b/1", "b/2", "d"].iter().map(|p| (p.to_string(), stamp)).collect();
        let mut listed = sorted_lookup(&entries);
        let asked = ["", "a", "b", "b/1", "b/2", "c", "d", "e", "b/1", "a", "d", "a", "zz", "d"];
        let answers: Vec<bool> = asked.iter().map(|p| listed(p)).collect();
        let expected: Vec<bool> = asked.iter().map(|p| entries.iter().any(|(e, _)| e == p)).collect();
        assert_eq!(answers, expected);
        assert!(!sorted_lookup(&[])("a"));
        // Far apart, close together, back and forth: as a binary search answers.
        let many: Vec<(String, Stamp)> = (0..1000).map(|n| (format!("p/{n:04}"), stamp)).collect();
        let mut listed = sorted_lookup(&many);
        for n in (0..2000).step_by(7).chain([1999, 3, 998, 999, 999, 0, 1500, 4]) {
            let path = format!("p/{n:04}");
            assert_eq!(listed(&path), n < 1000, "{path}");
        }
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        for path in ["../x", "a/../../x", "/etc/passwd", "a//b", "a\\b", "c:/x", ""] {
            assert!(checked(path).is_err(), "{path}");
        }
        assert!(checked("objects/malware--1/index.html").is_ok());
    }

    #[test]
    fn a_rebuild_rewrites_only_what_changed_and_removes_what_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let first = DiskSink::new(dir.path(), "public").unwrap();
        first.write("a/index.html", b"one").unwrap();
        first.write("b/index.html", b"two").unwrap();
        assert_eq!(first.finish().unwrap().written, 2);
        let second = DiskSink::new(dir.path(), "public").unwrap();
        second.write("a/index.html", b"one").unwrap();
        let stats = second.finish().unwrap();
        assert_eq!((stats.written, stats.unchanged, stats.removed), (0, 1, 1));
        assert!(!dir.path().join("b").exists());
    }

    #[test]
    fn a_rebuild_compares_with_the_manifest_and_rewrites_a_file_changed_behind_its_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = DiskSink::new(dir.path(), "public").unwrap();
        first.write("a/b/index.html", b"one").unwrap();
        first.write("c/index.html", b"two").unwrap();
        first.finish().unwrap();
        assert!(dir.path().join(manifest::MANIFEST).is_file());
        // Someone edits a published file: same length, other bytes, a later time.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("c/index.html"), b"TWO").unwrap();
        let second = DiskSink::new(dir.path(), "public").unwrap();
        second.write("c/index.html", b"two").unwrap();
        let stats = second.finish().unwrap();
        assert_eq!((stats.written, stats.unchanged, stats.removed), (1, 0, 1));
        assert_eq!(std::fs::read(dir.path().join("c/index.html")).unwrap(), b"two");
        assert!(!dir.path().join("a").exists(), "folders emptied by the removal go too");
        let third = DiskSink::new(dir.path(), "public").unwrap();
        third.write("c/index.html", b"two").unwrap();
        let stats = third.finish().unwrap();
        assert_eq!((stats.written, stats.unchanged, stats.removed), (0, 1, 0));
    }

    #[test]
    fn a_path_written_twice_is_recorded_as_last_written() {
        let dir = tempfile::tempdir().unwrap();
        let first = DiskSink::new(dir.path(), "public").unwrap();
        first.write("a.html", b"draft").unwrap();
        first.write("a.html", b"final").unwrap();
        first.finish().unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.html")).unwrap(), b"final");
        let second = DiskSink::new(dir.path(), "public").unwrap();
        second.write("a.html", b"final").unwrap();
        let stats = second.finish().unwrap();
        assert_eq!((stats.written, stats.unchanged), (0, 1));
    }

    #[test]
    fn a_second_publishing_pass_leaves_its_files_even_where_the_build_before_left_the_same() {
        let dir = tempfile::tempdir().unwrap();
        // Each build's first pass writes a draft of many files, the second the final ones, as
        // the build before left them: nothing may be kept for that, since the drafts replaced them.
        let paths: Vec<String> = (0..200).map(|n| format!("p/{n}/index.html")).collect();
        for owned in [false, true, true] {
            let sink = DiskSink::new(dir.path(), "public").unwrap();
            let mut sink = if owned { sink.owned() } else { sink };
            for path in &paths {
                sink.write(path, b"draft").unwrap();
                sink.write_derived(&format!("{path}.gz"), b"draft", &|s| Ok(s.to_vec())).unwrap();
            }
            sink.publishing_again();
            for path in &paths {
                sink.write(path, b"final").unwrap();
                sink.write_derived(&format!("{path}.gz"), b"final", &|s| Ok(s.to_vec())).unwrap();
            }
            sink.finish().unwrap();
            for path in &paths {
                assert_eq!(std::fs::read(dir.path().join(path)).unwrap(), b"final", "{path}");
                assert_eq!(std::fs::read(dir.path().join(format!("{path}.gz"))).unwrap(), b"final", "{path}");
            }
        }
    }

    #[test]
    fn a_derived_file_is_made_again_only_when_its_source_changed() {
        let dir = tempfile::tempdir().unwrap();
        let made = AtomicUsize::new(0);
        let upper = |source: &[u8]| {
            made.fetch_add(1, Ordering::Relaxed);
            Ok(source.to_ascii_uppercase())
        };
        for source in [&b"one"[..], b"one", b"two"] {
            let sink = DiskSink::new(dir.path(), "public").unwrap();
            sink.write_derived("a.txt", source, &upper).unwrap();
            sink.finish().unwrap();
            assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), source.to_ascii_uppercase());
        }
        assert_eq!(made.into_inner(), 2, "the second build kept the first one's file");
    }

    #[test]
    fn only_a_sink_of_a_folder_nobody_else_writes_takes_its_files_as_it_left_them_unlooked() {
        let dir = tempfile::tempdir().unwrap();
        let made = AtomicUsize::new(0);
        let copy = |source: &[u8]| {
            made.fetch_add(1, Ordering::Relaxed);
            Ok(source.to_vec())
        };
        let build = |owned: bool| {
            let sink = DiskSink::new(dir.path(), "public").unwrap();
            let sink = if owned { sink.owned() } else { sink };
            sink.write_derived("a.txt", b"page", &copy).unwrap();
            sink.finish().unwrap();
        };
        build(false);
        std::fs::write(dir.path().join("a.txt"), b"edited by hand").unwrap();
        build(true);
        assert_eq!(made.load(Ordering::Relaxed), 1, "an owned folder is not looked at");
        build(false);
        assert_eq!(made.load(Ordering::Relaxed), 2, "any other is, and the edit is undone");
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"page");
    }

    #[test]
    fn a_file_written_in_pieces_is_kept_while_its_key_is_the_same() {
        let dir = tempfile::tempdir().unwrap();
        for (key, expect_written) in [(&b"k1"[..], true), (b"k1", false), (b"k2", true)] {
            let sink = DiskSink::new(dir.path(), "public").unwrap();
            match sink.write_pieces("feeds/all.json", key).unwrap() {
                Some(mut file) => {
                    assert!(expect_written, "{key:?}");
                    file.write(b"[1,").unwrap();
                    file.write(key).unwrap();
                    file.write(b"]").unwrap();
                    file.finish().unwrap();
                }
                None => assert!(!expect_written, "{key:?}"),
            }
            let stats = sink.finish().unwrap();
            assert_eq!(
                (stats.written, stats.unchanged, stats.removed),
                (usize::from(expect_written), usize::from(!expect_written), 0)
            );
            assert_eq!(stats.bytes, 6);
        }
        assert_eq!(std::fs::read(dir.path().join("feeds/all.json")).unwrap(), b"[1,k2]");
        // Changed behind the build's back: made again, though the key is the same.
        std::fs::write(dir.path().join("feeds/all.json"), b"[]").unwrap();
        let sink = DiskSink::new(dir.path(), "public").unwrap();
        assert!(sink.write_pieces("feeds/all.json", b"k2").unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn the_previous_file_stays_readable_while_its_path_is_written_again_and_only_if_untouched() {
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        let write = |key: &[u8], bytes: &[u8]| {
            let sink = DiskSink::new(dir.path(), "public").unwrap();
            let previous = sink.previous("feeds/all.json.gz");
            let mut file = sink.write_pieces("feeds/all.json.gz", key).unwrap().unwrap();
            file.write(bytes).unwrap();
            file.finish().unwrap();
            sink.finish().unwrap();
            previous.map(|mut f| {
                let mut old = Vec::new();
                f.read_to_end(&mut old).unwrap();
                old
            })
        };
        assert_eq!(write(b"k1", b"first"), None, "no previous build");
        assert_eq!(write(b"k2", b"second").as_deref(), Some(&b"first"[..]));
        assert_eq!(std::fs::read(dir.path().join("feeds/all.json.gz")).unwrap(), b"second");
        // Changed behind the build's back: not the previous build's file any more.
        std::fs::write(dir.path().join("feeds/all.json.gz"), b"other bytes").unwrap();
        assert_eq!(write(b"k3", b"third"), None);
        // A symbolic link in its place is not followed.
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"third").unwrap();
        std::fs::remove_file(dir.path().join("feeds/all.json.gz")).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("feeds/all.json.gz")).unwrap();
        let sink = DiskSink::new(dir.path(), "public").unwrap();
        assert!(sink.previous("feeds/all.json.gz").is_none());
    }

    #[test]
    fn a_folder_without_a_manifest_is_compared_byte_by_byte_and_walked() {
        let dir = tempfile::tempdir().unwrap();
        let first = DiskSink::new(dir.path(), "public").unwrap();
        first.write("a/index.html", b"one").unwrap();
        first.write("b/index.html", b"two").unwrap();
        first.finish().unwrap();
        std::fs::remove_file(dir.path().join(manifest::MANIFEST)).unwrap();
        let second = DiskSink::new(dir.path(), "public").unwrap();
        second.write("a/index.html", b"one").unwrap();
        let stats = second.finish().unwrap();
        assert_eq!((stats.written, stats.unchanged, stats.removed), (0, 1, 1));
        assert!(!dir.path().join("b").exists());
        assert!(dir.path().join(manifest::MANIFEST).is_file(), "and it gets a manifest");
    }

    #[test]
    fn a_manifest_naming_paths_outside_the_folder_removes_nothing_there() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        DiskSink::new(&out, "public").unwrap().finish().unwrap();
        std::fs::write(dir.path().join("precious"), "keep").unwrap();
        let text = format!("stixpress-manifest 1\n{} 4 0 ../precious\n", "00".repeat(16));
        std::fs::write(out.join(manifest::MANIFEST), text).unwrap();
        DiskSink::new(&out, "public").unwrap().finish().unwrap();
        assert!(dir.path().join("precious").exists());
    }

    #[test]
    fn a_folder_stixpress_did_not_write_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("thesis.tex"), "years of work").unwrap();
        assert!(DiskSink::new(dir.path(), "public").is_err());
        assert!(dir.path().join("thesis.tex").exists());
    }

    #[test]
    fn one_audience_is_never_built_into_another_audience_s_folder() {
        let dir = tempfile::tempdir().unwrap();
        DiskSink::new(dir.path(), "public").unwrap().finish().unwrap();
        let refused = DiskSink::new(dir.path(), "members").err().expect("refused");
        assert!(refused.to_string().contains("holds the output of audience `public`"), "{refused}");
    }
}
