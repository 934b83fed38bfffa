//! The sink every renderer writes to: a folder on disk (`build`) or memory (`serve`, tests).
//!
//! Paths are relative, `/`-separated and checked here once more: whatever a renderer builds from
//! contributed ids, nothing is written outside the output folder. The disk sink compares bytes
//! before writing, so a rebuild touches only what changed (and a CDN sync uploads only that),
//! and removes files a previous build wrote that this one did not (a page that would otherwise
//! outlive its object, or outlive a marking that now withholds it).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::error::Error;

/// Where rendered files go.
pub(crate) trait Sink: Sync {
    /// Writes `bytes` at `path` (relative, `/`-separated, e.g. `objects/<id>/index.html`).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Error>;
}

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

/// Refuses a path that could leave the output folder or mean different files on different
/// systems.
fn checked(path: &str) -> Result<&str, Error> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains(['\\', '\0', ':'])
        || path.split('/').any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        return Err(Error::Usage(format!("refusing to write outside the output folder: `{path}`")));
    }
    Ok(path)
}

pub(crate) struct DiskSink {
    root: PathBuf,
    /// The folder was new or empty: nothing to compare against and nothing stale to remove,
    /// which saves a failed open per file and a walk of the whole tree.
    fresh: bool,
    unchanged: AtomicUsize,
    bytes: AtomicU64,
    paths: Mutex<Vec<String>>,
    /// Files to write go to one writer thread: renderers compare in parallel, but writes into
    /// one folder (objects/ holds a folder per object) from several threads contend for its
    /// lock in the kernel, and one thread writing while the others render was faster.
    queue: SyncSender<(PathBuf, Vec<u8>)>,
    writer: JoinHandle<usize>,
    /// The writer's first error; it stops at the first one.
    failure: Arc<Mutex<Option<Error>>>,
}

/// The file that marks a folder as stixpress's output: only such a folder (or an empty or new
/// one) is written into, since files the build did not write are removed from it.
pub(crate) const OUTPUT_MARKER: &str = ".stixpress-output";

/// Files rendered but not yet written, at most: enough to keep the writer busy.
const QUEUE: usize = 256;

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
        let previous = std::fs::read_to_string(&marker).unwrap_or_default();
        let owner = previous.lines().find_map(|line| line.strip_prefix("audience: "));
        if let Some(owner) = owner.filter(|owner| *owner != audience) {
            return Err(Error::Usage(format!(
                "refusing to build audience `{audience}` into `{}`: it holds the output of audience `{owner}` \
                 (give each audience its own folder, or remove this one first)",
                root.display()
            )));
        }
        std::fs::create_dir_all(root).map_err(|e| Error::write(root, e))?;
        // The marker is bookkeeping, not output: it is kept but not counted.
        let note = format!(
            "This folder is written by `stixpress build`: files a build does not write are removed.\naudience: {audience}\n"
        );
        if previous != note {
            std::fs::write(&marker, &note).map_err(|e| Error::write(&marker, e))?;
        }
        let (queue, files) = sync_channel::<(PathBuf, Vec<u8>)>(QUEUE);
        let failure = Arc::new(Mutex::new(None));
        let writer = {
            let failure = failure.clone();
            std::thread::spawn(move || write_all(files, &failure))
        };
        Ok(DiskSink {
            root: root.to_path_buf(),
            fresh: !non_empty,
            unchanged: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            paths: Mutex::new(vec![OUTPUT_MARKER.to_owned()]),
            queue,
            writer,
            failure,
        })
    }

    /// Waits for the writer, removes every file under the output folder this build did not
    /// write, then empty folders, and returns the totals.
    pub(crate) fn finish(self) -> Result<WriteStats, Error> {
        let DiskSink { root, fresh, unchanged, bytes, paths, queue, writer, failure } = self;
        drop(queue);
        let written = writer.join().map_err(|_| Error::Usage("the output writer thread panicked".into()))?;
        if let Some(error) = take(&failure) {
            return Err(error);
        }
        let paths = paths.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let stats =
            |removed| WriteStats { written, unchanged: unchanged.into_inner(), removed, bytes: bytes.into_inner() };
        if fresh {
            return Ok(stats(0));
        }
        let kept: HashSet<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        let mut removed = 0;
        let mut folders = Vec::new();
        for entry in walkdir::WalkDir::new(&root).min_depth(1).contents_first(true) {
            let entry = entry.map_err(|e| Error::write(&root, e.into()))?;
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
        Ok(stats(removed))
    }
}

fn take(failure: &Mutex<Option<Error>>) -> Option<Error> {
    failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
}

/// The writer thread: writes each file it receives, creating folders; returns how many. At
/// the first error it records it and stops, which closes the queue and so stops the renderers.
fn write_all(files: Receiver<(PathBuf, Vec<u8>)>, failure: &Mutex<Option<Error>>) -> usize {
    let mut written = 0;
    for (full, bytes) in files {
        let result = full
            .parent()
            .map_or(Ok(()), |parent| std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e)))
            .and_then(|()| std::fs::write(&full, &bytes).map_err(|e| Error::write(&full, e)));
        if let Err(error) = result {
            *failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(error);
            break;
        }
        written += 1;
    }
    written
}

impl Sink for DiskSink {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Error> {
        let full = self.root.join(checked(path)?);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let same = !self.fresh
            && std::fs::metadata(&full).is_ok_and(|m| m.len() == bytes.len() as u64)
            && std::fs::read(&full).is_ok_and(|existing| existing == bytes);
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else if self.queue.send((full, bytes.to_vec())).is_err() {
            // The writer stopped at an error: report it here, where the build can stop (every
            // renderer thread may get here, so the error stays for the others).
            let failure = self.failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let message = failure.as_ref().map_or("the output writer stopped".to_owned(), ToString::to_string);
            return Err(Error::Usage(message));
        }
        self.paths.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(path.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
