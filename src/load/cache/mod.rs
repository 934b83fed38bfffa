//! The load cache: what loading and checking each file found (its objects' fields and its
//! diagnostics), kept in a folder by the file's path and text, so the next run parses and
//! checks only the files that changed.
//!
//! An entry is named by a BLAKE3 key of the program (`program::fingerprint`), the file's path
//! and its text: a file edited or moved, or read by another program, looks for another entry,
//! never a stale one. It holds no JSON: each object's is read from the file's text at the offset
//! and length kept. What the per-object checks find depends on the build time only through
//! record times after it (`validate::latest_recorded_at`), so an entry keeps the time it was
//! checked at and the latest record time of its file, and is taken only at a time that judges
//! the file alike (`entry`).
//!
//! The folder must not be one a contributor can write: an entry planted by a pull request could
//! say a file is valid. `pipeline` refuses a folder inside the repository; `serve` keeps its own
//! in its workspace. An entry that does not read back whole is passed over and made again; a
//! folder that cannot be written only makes the run as slow as without it.

mod entry;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;

use super::{bundle, keep_what_is_read, KeepJson, LoadedFile, ObjectCheck, Source};

/// The entries' folder inside the cache's: a program that keys or lays them out differently
/// uses another, and the old one is left whole.
const FOLDER: &str = "load-1";

pub(crate) struct LoadCache {
    dir: PathBuf,
    /// The build time plus its tolerance: a record time after it is reported.
    threshold: i64,
    /// The entries this run read or wrote; the others are removed by `prune`.
    used: Mutex<HashSet<String>>,
    read: AtomicUsize,
}

impl LoadCache {
    /// The cache in `dir` (made if missing), for checks that report record times after
    /// `threshold`.
    pub(crate) fn open(dir: &Path, threshold: i64) -> std::io::Result<LoadCache> {
        let dir = dir.join(FOLDER);
        std::fs::create_dir_all(&dir)?;
        Ok(LoadCache { dir, threshold, used: Mutex::default(), read: AtomicUsize::new(0) })
    }

    /// What `bundle::parse_bundle(source, check)` yields, with what `json` asks of each
    /// object's JSON: from the file's entry when it has one that holds, else parsed and
    /// checked, and kept for the next run.
    pub(crate) fn parse(&self, source: &Source, check: &ObjectCheck, json: KeepJson) -> LoadedFile {
        let name = self.entry_name(source);
        let path = self.dir.join(&name);
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(name);
        let kept = std::fs::read(&path).ok().and_then(|bytes| entry::decode(&bytes, source, self.threshold, json));
        if let Some(loaded) = kept {
            self.read.fetch_add(1, Ordering::Relaxed);
            return loaded;
        }
        let latest = AtomicI64::new(i64::MIN);
        let watched = |value: &Value, version| {
            latest.fetch_max(crate::validate::latest_recorded_at(value), Ordering::Relaxed);
            check(value, version)
        };
        let loaded = bundle::parse_bundle(source, &watched);
        if let Some(bytes) = entry::encode(&loaded, source, self.threshold, latest.into_inner()) {
            write_entry(&path, &bytes);
        }
        keep_what_is_read(loaded, json)
    }

    /// How many files this run read from their entries.
    pub(crate) fn read(&self) -> usize {
        self.read.load(Ordering::Relaxed)
    }

    /// Removes the entries this run neither read nor wrote (files since edited or removed), and
    /// entries left half-written; returns how many. Only names an entry can have are touched.
    pub(crate) fn prune(&self) -> usize {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return 0 };
        let stale = entries.flatten().map(|e| e.file_name()).filter(|name| {
            let name = name.to_string_lossy();
            (is_entry_name(&name) && !used.contains(&*name)) || name.ends_with(".part")
        });
        stale.filter(|name| std::fs::remove_file(self.dir.join(name)).is_ok()).count()
    }

    /// The entry's name: the key of the program, the path and the text.
    fn entry_name(&self, source: &Source) -> String {
        let path = source.path.to_string_lossy();
        let mut key = blake3::Hasher::new_derive_key("stixpress load cache key 1");
        key.update(crate::program::fingerprint());
        key.update(&(path.len() as u64).to_le_bytes()).update(path.as_bytes());
        key.update(source.text.as_bytes());
        key.finalize().to_hex().to_string()
    }
}

fn is_entry_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Writes an entry aside and renames it into place, so a reader never sees half of one; a
/// failure leaves the entry missing, which costs the next run a parse.
fn write_entry(path: &Path, bytes: &[u8]) {
    static WRITTEN: AtomicUsize = AtomicUsize::new(0);
    let aside = path.with_extension(format!("{}.{}.part", std::process::id(), WRITTEN.fetch_add(1, Ordering::Relaxed)));
    if std::fs::write(&aside, bytes).is_err() || std::fs::rename(&aside, path).is_err() {
        let _ = std::fs::remove_file(&aside);
    }
}

#[cfg(test)]
mod tests;
