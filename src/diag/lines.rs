//! A line index of one file's text, built once: byte offset → 1-based line and character column,
//! and back, each in O(log n + CHECKPOINT) whatever the length of the line.
//!
//! Bundles are often minified onto one line megabytes long, and a hostile one can hold a
//! million findings on that line; counting characters from the start of the line for each of
//! them would cost the square of the line. So the index also keeps, every `CHECKPOINT` bytes,
//! how many characters precede that byte, and counts only from the nearest checkpoint.

/// Bytes between two character-count checkpoints.
const CHECKPOINT: usize = 256;

/// Line starts and character-count checkpoints of one text. It does not hold the text.
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// `chars_before[i]` = characters in the first `i * CHECKPOINT` bytes.
    chars_before: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let line_starts = std::iter::once(0).chain(memchr_newlines(bytes).map(|i| i + 1)).collect();
        let mut chars_before = Vec::with_capacity(bytes.len() / CHECKPOINT + 1);
        let mut count = 0;
        for chunk in bytes.chunks(CHECKPOINT) {
            chars_before.push(count);
            count += char_starts(chunk);
        }
        chars_before.push(count);
        LineIndex { line_starts, chars_before, len: bytes.len() }
    }

    /// 1-based line and character column of a byte offset into the text.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self.chars_to(text, offset) - self.chars_to(text, start) + 1;
        (line, column)
    }

    /// The byte range of 1-based `line`, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self.line_starts.get(line).map_or(self.len, |&next| next - 1);
        let end = if text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start { end - 1 } else { end };
        Some((start, end))
    }

    /// The byte offset of 1-based character `column` of `line` (clamped to the line's end).
    pub fn offset_of(&self, text: &str, line: usize, column: usize) -> Option<usize> {
        let (start, end) = self.line_range(text, line)?;
        let wanted = self.chars_to(text, start) + column.saturating_sub(1);
        Some(self.offset_of_char(text, wanted).clamp(start, end))
    }

    /// Characters in `text[..offset]` (counted as bytes that begin a character).
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        let checkpoint = offset / CHECKPOINT;
        let from = checkpoint * CHECKPOINT;
        self.chars_before[checkpoint] + char_starts(&text.as_bytes()[from..offset])
    }

    /// The byte offset where character number `wanted` (0-based) starts.
    fn offset_of_char(&self, text: &str, wanted: usize) -> usize {
        let checkpoint = self.chars_before.partition_point(|&c| c <= wanted).saturating_sub(1);
        let bytes = text.as_bytes();
        let mut count = self.chars_before[checkpoint];
        let mut at = checkpoint * CHECKPOINT;
        while at < bytes.len() {
            if is_char_start(bytes[at]) {
                if count == wanted {
                    return at;
                }
                count += 1;
            }
            at += 1;
        }
        bytes.len()
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes)
}

fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| is_char_start(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_across_checkpoints() {
        let text = format!("ab\n{}x\r\nlast", "é".repeat(600));
        let index = LineIndex::new(&text);
        let x = text.find('x').unwrap();
        assert_eq!(index.line_column(&text, 0), (1, 1));
        assert_eq!(index.line_column(&text, x), (2, 601));
        assert_eq!(index.offset_of(&text, 2, 601), Some(x));
        assert_eq!(index.line_column(&text, text.len()), (3, 5));
        let (start, end) = index.line_range(&text, 2).unwrap();
        assert_eq!(&text[end..end + 1], "\r");
        assert_eq!(start, 3);
        assert_eq!(index.offset_of(&text, 1, 99), Some(2));
        assert_eq!(index.line_range(&text, 4), None);
        assert_eq!(index.line_range(&text, 0), None);
    }

    #[test]
    fn a_million_columns_on_one_line_cost_little() {
        let text = "{}".repeat(1_000_000);
        let index = LineIndex::new(&text);
        let started = std::time::Instant::now();
        for i in (0..text.len()).step_by(2) {
            assert_eq!(index.line_column(&text, i).1, i + 1);
        }
        assert!(started.elapsed().as_secs() < 5);
    }
}
