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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::error::Error;

/// Its name in the output folder, beside the marker. Not output: never served or counted.
pub(crate) const MANIFEST: &str = ".stixpress-manifest";

const HEADER: &str = "stixpress-manifest 1";

/// What the manifest records of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) hash: [u8; 16],
    pub(crate) len: u64,
    /// Nanoseconds since 1970 of the file's last modification, as the file system gave it.
    pub(crate) mtime: i128,
}

pub(crate) fn hash(bytes: &[u8]) -> [u8; 16] {
    let full = blake3::hash(bytes);
    let mut out = [0; 16];
    out.copy_from_slice(&full.as_bytes()[..16]);
    out
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
pub(crate) fn mtime(metadata: &std::fs::Metadata) -> Option<i128> {
    let modified = metadata.modified().ok()?;
    Some(match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    })
}

/// Whether the file at `full` is still the one `stamp` describes (same length and time).
pub(crate) fn still_there(full: &Path, stamp: &Stamp) -> bool {
    std::fs::metadata(full).is_ok_and(|m| m.is_file() && m.len() == stamp.len && mtime(&m) == Some(stamp.mtime))
}

/// The manifest in `root`, or `None` when there is none or it cannot be trusted whole (one bad
/// line and the build compares every file the slow way).
pub(crate) fn read(root: &Path) -> Option<HashMap<String, Stamp>> {
    let text = std::fs::read_to_string(root.join(MANIFEST)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut entries = HashMap::new();
    for line in lines {
        let (path, stamp) = parse_line(line)?;
        entries.insert(path.to_owned(), stamp);
    }
    Some(entries)
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

/// Writes the manifest of `entries`, sorted by path so that the same output gives the same file.
pub(crate) fn write(root: &Path, entries: &mut [(String, Stamp)]) -> Result<(), Error> {
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::with_capacity(HEADER.len() + 1 + entries.len() * 100);
    text.push_str(HEADER);
    text.push('\n');
    for (path, stamp) in entries.iter() {
        for byte in stamp.hash {
            let _ = write!(text, "{byte:02x}");
        }
        let _ = writeln!(text, " {} {} {path}", stamp.len, stamp.mtime);
    }
    // Written beside, then renamed: a build cut off while writing leaves no half manifest.
    let path = root.join(MANIFEST);
    let partial = root.join(format!("{MANIFEST}.partial"));
    std::fs::write(&partial, text).map_err(|e| Error::write(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| Error::write(&path, e))
}

/// Removes the manifest before a build writes anything: until the build finishes, the folder
/// holds a mix the old manifest does not describe.
pub(crate) fn remove(root: &Path) -> Result<(), Error> {
    let path = root.join(MANIFEST);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::write(&path, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = Stamp { hash: hash(b"page"), len: 4, mtime: 1_700_000_000_123_456_789 };
        let mut entries = vec![("objects/x y/index.html".to_owned(), stamp), ("a.json".to_owned(), stamp)];
        write(dir.path(), &mut entries).unwrap();
        let read = read(dir.path()).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read["objects/x y/index.html"], stamp);
    }

    #[test]
    fn a_damaged_manifest_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        for text in ["", "stixpress-manifest 1\nzz 1 2 a\n", "stixpress-manifest 2\n", "stixpress-manifest 1\nabc\n"] {
            std::fs::write(dir.path().join(MANIFEST), text).unwrap();
            assert!(read(dir.path()).is_none(), "{text:?}");
        }
    }
}
