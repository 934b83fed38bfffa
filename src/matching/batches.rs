//! Scanning a log on every core while hits come out in the log's order. Whole lines are gathered
//! into batches of about [`BATCH`] bytes; a round of batches (two per core) is scanned in
//! parallel, then its hits are handed on, batch by batch, line by line. Windows of a line longer
//! than [`logs::WINDOW`] are rare and carry state from window to window, so they are scanned one
//! by one, after the batches before them.
//!
//! Memory stays bounded: a round holds at most `2 × cores × BATCH` bytes of log, and a window.

use rayon::prelude::*;

use super::logs::{self, Piece};
use super::scan::Found;
use crate::stix::Timestamp;

/// About how many bytes of whole lines one batch holds: large enough that handing it to a thread
/// costs nothing next to scanning it, small enough that a round stays a few MiB per core.
const BATCH: usize = 2 << 20;

/// The values found on one line (or one window of a long line).
pub struct LineHits {
    pub line: u64,
    /// The line's own timestamp, when it has one.
    pub at: Option<Timestamp>,
    pub found: Vec<Found>,
}

/// Whole lines copied out of the reader, with their numbers.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lines: Vec<(u64, std::ops::Range<usize>)>,
}

impl Batch {
    fn push(&mut self, line: u64, bytes: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.lines.push((line, start..self.bytes.len()));
    }

    /// Scans every line with `scan_line`, which fills `found` for a piece.
    fn scan(&self, scan_line: &(dyn Fn(&Piece<'_>, &mut Vec<Found>) + Sync)) -> Vec<LineHits> {
        let mut hits = Vec::new();
        let mut found = Vec::new();
        for (line, range) in &self.lines {
            let bytes = &self.bytes[range.clone()];
            found.clear();
            scan_line(&Piece { line: *line, bytes, report: 0..bytes.len(), whole: true }, &mut found);
            if !found.is_empty() {
                hits.push(LineHits { line: *line, at: super::time::of_line(bytes), found: found.clone() });
            }
        }
        hits
    }
}

/// Reads `reader` through [`logs::pieces`], scans every piece with `scan_line` on all cores, and
/// calls `each` with the hits of each line in the log's order.
pub fn scan_log(
    path: &str,
    reader: &mut dyn std::io::BufRead,
    overlap: usize,
    scan_line: &(dyn Fn(&Piece<'_>, &mut Vec<Found>) + Sync),
    each: &mut dyn FnMut(&LineHits),
) -> Result<(), crate::error::Error> {
    let round_size = 2 * rayon::current_num_threads().max(1);
    let mut round: Vec<Batch> = vec![Batch::default()];
    let mut found = Vec::new();
    let flush = |round: &mut Vec<Batch>, each: &mut dyn FnMut(&LineHits)| {
        let results: Vec<Vec<LineHits>> = round.par_iter().map(|batch| batch.scan(scan_line)).collect();
        results.iter().flatten().for_each(&mut *each);
        round.clear();
        round.push(Batch::default());
    };
    logs::pieces(path, reader, overlap, |piece| {
        if piece.whole {
            let last = round.last_mut().expect("a round always has an open batch");
            last.push(piece.line, piece.bytes);
            if last.bytes.len() >= BATCH {
                if round.len() >= round_size {
                    flush(&mut round, each);
                } else {
                    round.push(Batch::default());
                }
            }
            return;
        }
        // A window of a long line: what came before it first, then the window itself.
        flush(&mut round, each);
        found.clear();
        scan_line(piece, &mut found);
        if !found.is_empty() {
            each(&LineHits { line: piece.line, at: super::time::of_line(piece.bytes), found: found.clone() });
        }
    })?;
    flush(&mut round, each);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line that holds an `x` is a hit at its offset; hits must come back in order, once.
    fn hits_of(text: &[u8]) -> Vec<(u64, usize)> {
        let scan_line = |piece: &Piece<'_>, found: &mut Vec<Found>| {
            for at in memchr::memchr_iter(b'x', piece.bytes) {
                if piece.report.contains(&at) {
                    found.push(Found { at, listed: 0 });
                }
            }
        };
        let mut got = Vec::new();
        scan_log("t", &mut &text[..], 1, &scan_line, &mut |h| got.extend(h.found.iter().map(|f| (h.line, f.at))))
            .unwrap();
        got
    }

    #[test]
    fn hits_come_in_log_order_across_batches_and_rounds() {
        let mut text = Vec::new();
        let mut expected = Vec::new();
        // Enough lines for several rounds of batches.
        for line in 1..=400_000u64 {
            if line % 997 == 0 {
                text.extend_from_slice(b"..x.....\n");
                expected.push((line, 2));
            } else {
                text.extend_from_slice(b"abcdefghijklmnopqrstuvw\n");
            }
        }
        assert!(text.len() > 4 * BATCH);
        assert_eq!(hits_of(&text), expected);
    }

    #[test]
    fn a_long_line_between_short_ones_keeps_its_place() {
        let mut text = b"x\n".to_vec();
        let mut long = vec![b'.'; 2 * logs::WINDOW + 10];
        long[logs::WINDOW + 3] = b'x';
        text.extend_from_slice(&long);
        text.extend_from_slice(b"\n.x\n");
        let lines: Vec<u64> = hits_of(&text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
    }
}
