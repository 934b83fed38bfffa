//! Reading logs as `match` scans them: a file or standard input (`-`), gzip when its first two
//! bytes say so, cut into lines (a final `\r` dropped). Bytes, never text: invalid UTF-8 and
//! binary data are scanned as they are. A line longer than [`WINDOW`] is scanned in windows that
//! overlap by the longest value, so memory stays bounded and time linear, whatever the input.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::Error;

/// The most of one line held at once.
pub const WINDOW: usize = 4 << 20;

/// A piece of a line to scan: report only matches that start in `report` (the rest of the
/// bytes are context that another piece reports).
pub struct Piece<'a> {
    pub line: u64,
    pub bytes: &'a [u8],
    pub report: std::ops::Range<usize>,
    /// Whether `bytes` is the whole line.
    pub whole: bool,
}

/// Opens a log: `-` is standard input; gzip is read through.
pub fn open(path: &str) -> Result<Box<dyn BufRead>, Error> {
    let raw: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Error::io(Path::new(path), e))?)
    };
    let mut reader = BufReader::with_capacity(1 << 20, raw);
    let head = reader.fill_buf().map_err(|e| Error::io(Path::new(path), e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(1 << 20, MultiGzDecoder::new(reader))))
    } else {
        Ok(Box::new(reader))
    }
}

/// Calls `scan` on every line (or window of a long line), in order; `overlap` is the longest
/// value plus its boundaries.
pub fn pieces(
    path: &str,
    reader: &mut dyn BufRead,
    overlap: usize,
    mut scan: impl FnMut(&Piece<'_>),
) -> Result<(), Error> {
    let overlap = overlap + 2;
    let mut line_number = 1u64;
    let mut pending: Vec<u8> = Vec::new();
    // Where reporting starts in `pending` (after a window cut, the kept context is not reported).
    let mut report_from = 0;
    loop {
        let chunk = reader.fill_buf().map_err(|e| Error::io(Path::new(path), e))?;
        if chunk.is_empty() {
            break;
        }
        let length = chunk.len();
        let mut rest = chunk;
        while let Some(end) = memchr::memchr(b'\n', rest) {
            let bytes: &[u8] = if pending.is_empty() {
                &rest[..end]
            } else {
                pending.extend_from_slice(&rest[..end]);
                &pending
            };
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            scan(&Piece { line: line_number, bytes, report: report_from..bytes.len(), whole: report_from == 0 });
            pending.clear();
            report_from = 0;
            line_number += 1;
            rest = &rest[end + 1..];
        }
        pending.extend_from_slice(rest);
        reader.consume(length);
        if pending.len() > WINDOW + overlap {
            let cut = pending.len() - overlap;
            scan(&Piece { line: line_number, bytes: &pending, report: report_from..cut, whole: false });
            // Keep one byte before the cut: the boundary of a value that starts there.
            pending.drain(..cut - 1);
            report_from = 1;
        }
    }
    if !pending.is_empty() {
        let bytes = pending.strip_suffix(b"\r").unwrap_or(&pending);
        scan(&Piece { line: line_number, bytes, report: report_from..bytes.len(), whole: report_from == 0 });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_windows() {
        let text = b"a\r\nbb\n\nlast".to_vec();
        let mut got = Vec::new();
        pieces("t", &mut &text[..], 4, |p| got.push((p.line, p.bytes.to_vec(), p.whole))).unwrap();
        assert_eq!(
            got,
            vec![(1, b"a".to_vec(), true), (2, b"bb".to_vec(), true), (3, vec![], true), (4, b"last".to_vec(), true)]
        );
        // One long line: every byte reported once, in windows.
        let long = vec![b'x'; 3 * WINDOW];
        let mut reported = 0;
        pieces("t", &mut &long[..], 10, |p| reported += p.report.len()).unwrap();
        assert_eq!(reported, long.len());
    }
}
