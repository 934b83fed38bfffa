//! The manifest a build leaves in its output folder: every file it wrote, with its length,
//! modification time and a hash of its bytes.
//!
//! The next build into the folder compares what it renders with the manifest instead of
//! reading each file back (at a million objects, reading 12 GB to find nothing changed took
//! longer than rendering), and removes the files the manifest lists and the new build did not
//! write instead of walking the whole tree. A file whose length or modification time is not
//! the one recorded was changed by someone else, and is written again.
//!
//! The hash is BLAKE3 (128 bits kept): contributed content decides a page's bytes, and a
//! contributor who could make a changed feed hash like the old one would keep the old feed
//! published. A folder without a readable manifest (an older stixpress's output, a build cut
//! off) is compared the slow way, byte by byte, and gets one at the end of the build.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

use crate::error::Error;

/// Its name in the output folder, beside the marker. Not output: never served or counted.
pub(crate) const MANIFEST: &str = ".stixpress-manifest";

/// Where a build moves the previous manifest while it runs (a build cut off leaves it there,
/// and the next build, finding no manifest, compares byte by byte and removes it).
const PREVIOUS: &str = ".stixpress-manifest.previous";

const HEADER: &str = "stixpress-manifest 1";

/// What the manifest records of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) hash: [u8; 16],
    pub(crate) len: u64,
    /// Nanoseconds since 1970 of the file's last modification, as the file system gave it.
    pub(crate) mtime: i64,
}

/// The previous build's manifest, kept small while the build runs: its stamps by a keyed hash
/// of the path (8 bytes instead of the path: 140 MB less at a million objects; the key is
/// random per build, so no contributed id can be chosen to collide with another), and its
/// file, read again line by line at the end for the paths to remove.
pub(crate) struct Previous {
    keys: RandomState,
    stamps: HashMap<u64, Stamp, BuildHasherDefault<AlreadyHashed>>,
    file: PathBuf,
}

/// Hashes a key that is itself a keyed hash (of a path, by `Previous::keys`) as itself, rather
/// than hashing it a second time.
#[derive(Default)]
struct AlreadyHashed(u64);

impl std::hash::Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys come here (`write_u64`); any other input still hashes to something.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

impl Previous {
    /// Moves the manifest in `root` aside and reads it: `None` when there is none or it cannot
    /// be trusted whole (one bad line and the build compares every file the slow way).
    pub(crate) fn take(root: &Path) -> Result<Option<Previous>, Error> {
        let (current, file) = (root.join(MANIFEST), root.join(PREVIOUS));
        match std::fs::rename(&current, &file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::write(&current, e)),
        }
        let keys = RandomState::new();
        Ok(stamps(&file, &keys).map(|stamps| Previous { keys, stamps, file }))
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Stamp> {
        self.stamps.get(&self.keys.hash_one(path))
    }

    /// Calls `stale` with each path it lists that `kept` does not, then removes its file.
    pub(crate) fn finish(self, mut kept: impl FnMut(&str) -> bool, mut stale: impl FnMut(&str)) -> Result<(), Error> {
        each_line(&self.file, |path, _| {
            if !kept(path) {
                stale(path);
            }
        });
        std::fs::remove_file(&self.file).map_err(|e| Error::write(&self.file, e))
    }
}

/// The stamps the manifest at `file` lists, by the keyed hash of their paths; None when it
/// cannot be read whole. At a million objects the file is over a hundred megabytes, and one
/// thread took over half a second: it is read sixteen megabytes at a time (never held whole),
/// each batch's lines parsed on every core, then added to the map.
fn stamps(file: &Path, keys: &RandomState) -> Option<HashMap<u64, Stamp, BuildHasherDefault<AlreadyHashed>>> {
    stamps_in_batches(file, keys, 16 << 20)
}

/// `stamps`, reading `batch` bytes at a time.
fn stamps_in_batches(
    file: &Path,
    keys: &RandomState,
    batch_bytes: u64,
) -> Option<HashMap<u64, Stamp, BuildHasherDefault<AlreadyHashed>>> {
    use std::io::Read as _;
    /// A manifest line is about a hundred bytes: room for the map is made once, from the size.
    const LINE: u64 = 96;
    let mut reader = std::fs::File::open(file).ok()?;
    let size = reader.metadata().ok()?.len();
    let capacity = usize::try_from(size / LINE).unwrap_or(0);
    let mut stamps = HashMap::with_capacity_and_hasher(capacity, Default::default());
    let mut header = [0; HEADER.len() + 1];
    reader.read_exact(&mut header).ok()?;
    if header.strip_suffix(b"\n") != Some(HEADER.as_bytes()) {
        return None;
    }
    let mut batch = Vec::new();
    loop {
        let read = (&mut reader).take(batch_bytes).read_to_end(&mut batch).ok()?;
        // Whole lines now; the last, cut by the batch's end, waits for the next (at the end of
        // the file, it is whole without its newline).
        let whole = match (read, batch.iter().rposition(|&b| b == b'\n')) {
            (0, _) => batch.len(),
            (_, Some(newline)) => newline + 1,
            (_, None) => 0,
        };
        stamps.extend(parsed(&batch[..whole], keys)?);
        batch.drain(..whole);
        if read == 0 {
            return Some(stamps);
        }
    }
}

/// The entries of `lines` (whole lines), parsed in parallel slices of about a megabyte; None
/// when one is not an entry.
fn parsed(lines: &[u8], keys: &RandomState) -> Option<Vec<(u64, Stamp)>> {
    const SLICE: usize = 1 << 20;
    let mut slices = Vec::with_capacity(lines.len() / SLICE + 1);
    let mut rest = lines;
    while !rest.is_empty() {
        // Each slice ends at the end of a line.
        let end = match rest.get(SLICE..).and_then(|after| after.iter().position(|&b| b == b'\n')) {
            Some(newline) => SLICE + newline + 1,
            None => rest.len(),
        };
        let (slice, after) = rest.split_at(end);
        slices.push(slice);
        rest = after;
    }
    let parsed: Option<Vec<Vec<(u64, Stamp)>>> = slices
        .par_iter()
        .map(|slice| {
            let text = std::str::from_utf8(slice).ok()?;
            text.lines().map(|line| parse_line(line).map(|(path, stamp)| (keys.hash_one(path), stamp))).collect()
        })
        .collect();
    Some(parsed?.into_iter().flatten().collect())
}

/// Calls `each` with every entry of the manifest at `file`; false when the file cannot be read
/// or a line is not an entry.
fn each_line(file: &Path, mut each: impl FnMut(&str, Stamp)) -> bool {
    let Ok(file) = std::fs::File::open(file) else { return false };
    let mut lines = std::io::BufReader::new(file).lines();
    if !matches!(lines.next(), Some(Ok(header)) if header == HEADER) {
        return false;
    }
    for line in lines {
        let Ok(line) = line else { return false };
        let Some((path, stamp)) = parse_line(&line) else { return false };
        each(path, stamp);
    }
    true
}

/// What the manifest records for a file made from `source` by a function of it alone (a
/// compressed copy): a hash of the source, kept apart from the hashes of whole files.
pub(crate) fn derived_hash(source: &[u8]) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new_derive_key("stixpress 1 derived output file");
    hasher.update(source);
    let mut out = [0; 16];
    out.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    out
}

/// The modification time of a file, when the file system keeps one.
pub(crate) fn mtime(metadata: &std::fs::Metadata) -> Option<i64> {
    let modified = metadata.modified().ok()?;
    Some(match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).ok()?,
        Err(before) => -i64::try_from(before.duration().as_nanos()).ok()?,
    })
}

/// Whether the file at `full` is still the one `stamp` describes (same length and time).
pub(crate) fn still_there(full: &Path, stamp: &Stamp) -> bool {
    std::fs::metadata(full).is_ok_and(|m| m.is_file() && m.len() == stamp.len && mtime(&m) == Some(stamp.mtime))
}

fn parse_line(line: &str) -> Option<(&str, Stamp)> {
    let mut parts = line.splitn(4, ' ');
    let hex = parts.next()?;
    let len = parts.next()?.parse().ok()?;
    let mtime = parts.next()?.parse().ok()?;
    let path = parts.next().filter(|p| !p.is_empty())?;
    if hex.len() != 32 {
        return None;
    }
    let mut hash = [0; 16];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some((path, Stamp { hash, len, mtime }))
}

/// Where a manifest is written before it is renamed into place: a build cut off while writing
/// leaves no half manifest.
pub(crate) const PARTIAL: &str = ".stixpress-manifest.partial";

/// A manifest written beside its place (`PARTIAL`), not yet the folder's.
#[must_use = "a written manifest is the folder's only once committed"]
pub(crate) struct Written {
    partial: PathBuf,
    path: PathBuf,
}

/// Writes the manifest of `entries`, which are sorted by path (the same output gives the same
/// file), beside its place: `Written::commit` puts it there, once every file it leaves out is
/// gone (a manifest that omitted a file still there would leave that file for good).
pub(crate) fn write(root: &Path, entries: &[(String, Stamp)]) -> Result<Written, Error> {
    debug_assert!(entries.is_sorted_by(|a, b| a.0 <= b.0), "manifest entries come sorted");
    // Streamed: at a million objects the text is over a hundred megabytes, and the build still
    // holds everything else.
    let (path, partial) = (root.join(MANIFEST), root.join(PARTIAL));
    let file = std::fs::File::create(&partial).map_err(|e| Error::write(&partial, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut line = String::with_capacity(256);
    let mut put = |text: &str| out.write_all(text.as_bytes()).map_err(|e| Error::write(&partial, e));
    put(HEADER)?;
    put("\n")?;
    for (path, stamp) in entries {
        line.clear();
        for byte in stamp.hash {
            let _ = write!(line, "{byte:02x}");
        }
        let _ = writeln!(line, " {} {} {path}", stamp.len, stamp.mtime);
        put(&line)?;
    }
    out.flush().map_err(|e| Error::write(&partial, e))?;
    drop(out);
    Ok(Written { partial, path })
}

impl Written {
    /// Makes the manifest the folder's.
    pub(crate) fn commit(self) -> Result<(), Error> {
        std::fs::rename(&self.partial, &self.path).map_err(|e| Error::write(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = Stamp { hash: crate::digest::of(b"page"), len: 4, mtime: 1_700_000_000_123_456_789 };
        let entries = [("a.json".to_owned(), stamp), ("objects/x y/index.html".to_owned(), stamp)];
        let written = write(dir.path(), &entries).unwrap();
        assert!(Previous::take(dir.path()).unwrap().is_none(), "not the folder's before it is committed");
        written.commit().unwrap();
        let previous = Previous::take(dir.path()).unwrap().unwrap();
        assert_eq!(previous.stamps.len(), 2);
        assert_eq!(previous.get("objects/x y/index.html"), Some(&stamp));
        let mut stale = Vec::new();
        previous.finish(|path| path == "a.json", |path| stale.push(path.to_owned())).unwrap();
        assert_eq!(stale, ["objects/x y/index.html"]);
        assert!(!dir.path().join(PREVIOUS).exists() && !dir.path().join(MANIFEST).exists());
    }

    #[test]
    fn a_manifest_of_many_slices_reads_back_whole_and_a_bad_line_in_any_spoils_it() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = |n: u64| Stamp { hash: crate::digest::of(&n.to_le_bytes()), len: n, mtime: -(n as i64) };
        let entries: Vec<(String, Stamp)> =
            (0..50_000).map(|n| (format!("objects/page-{n:08}/index.html"), stamp(n))).collect();
        write(dir.path(), &entries).unwrap().commit().unwrap();
        let text = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(text.len() > 3 << 20, "three slices or more: {} bytes", text.len());
        let previous = Previous::take(dir.path()).unwrap().unwrap();
        assert_eq!(previous.stamps.len(), entries.len());
        assert!(entries.iter().all(|(path, stamp)| previous.get(path) == Some(stamp)));
        previous.finish(|_| true, |path| panic!("{path} is kept")).unwrap();
        // One line spoiled past the first slice: the whole manifest is not trusted.
        let spoiled = text.replacen(" 39000 -39000 ", " 39000 x ", 1);
        assert_ne!(spoiled, text);
        std::fs::write(dir.path().join(MANIFEST), spoiled).unwrap();
        assert!(Previous::take(dir.path()).unwrap().is_none());
    }

    #[test]
    fn a_manifest_read_in_batches_that_cut_lines_and_the_header_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = |n: u64| Stamp { hash: crate::digest::of(&n.to_le_bytes()), len: n, mtime: n as i64 };
        let long = format!("objects/{}/index.html", "x".repeat(300));
        let mut entries: Vec<(String, Stamp)> = (0..500).map(|n| (format!("a/{n:04}.json"), stamp(n))).collect();
        entries.push((long, stamp(9)));
        write(dir.path(), &entries).unwrap().commit().unwrap();
        let file = dir.path().join(MANIFEST);
        let keys = RandomState::new();
        let whole = stamps_in_batches(&file, &keys, 1 << 20).unwrap();
        assert_eq!(whole.len(), entries.len());
        // Batches shorter than the header, than a line, and of every size between.
        for batch in [1, 7, 64, 100, 333, 4096] {
            assert!(stamps_in_batches(&file, &keys, batch).as_ref() == Some(&whole), "batches of {batch}");
        }
        // The last line without its newline is still read; a bad line in any batch spoils it.
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.trim_end()).unwrap();
        assert!(stamps_in_batches(&file, &keys, 64).as_ref() == Some(&whole), "without the last newline");
        std::fs::write(&file, text.replacen("a/0400.json", "a/0400.json\n", 1)).unwrap();
        assert!(stamps_in_batches(&file, &keys, 64).is_none(), "a blank line");
    }

    #[test]
    fn a_damaged_manifest_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        for text in ["", "stixpress-manifest 1\nzz 1 2 a\n", "stixpress-manifest 2\n", "stixpress-manifest 1\nabc\n"] {
            std::fs::write(dir.path().join(MANIFEST), text).unwrap();
            assert!(Previous::take(dir.path()).unwrap().is_none(), "{text:?}");
        }
    }
}
