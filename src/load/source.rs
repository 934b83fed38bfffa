//! A loaded file's text and the means to turn byte offsets and JSON pointers into the line and
//! column a contributor's editor shows.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::LineIndex;

/// The text of one file, with its line index (built once, so locating a finding costs
/// O(log n) however long its line is).
pub struct Source {
    pub path: Arc<PathBuf>,
    pub text: String,
    lines: LineIndex,
}

impl Source {
    pub fn new(path: Arc<PathBuf>, text: String) -> Source {
        let lines = LineIndex::new(&text);
        Source { path, text, lines }
    }

    /// 1-based line and character column of a byte offset into `text`.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        self.lines.line_column(&self.text, offset)
    }

    /// The byte offset of the value a JSON pointer (relative to the value at `base`) names, or
    /// of the deepest value on the way that exists (a missing property points at its object).
    pub fn locate(&self, base: usize, pointer: &str) -> usize {
        locate(&self.text, base, pointer)
    }
}

/// Walks `pointer` from the value starting at byte `base` of `text`.
pub fn locate(text: &str, base: usize, pointer: &str) -> usize {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, base);
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match bytes.get(at) {
            Some(b'{') => member(bytes, at, &token),
            Some(b'[') => token.parse().ok().and_then(|index| element(bytes, at, index)),
            _ => None,
        };
        match next {
            Some(offset) => at = offset,
            None => break,
        }
    }
    at
}

/// Offset of the value of member `key` of the object at `at`.
fn member(bytes: &[u8], at: usize, key: &str) -> Option<usize> {
    let mut i = skip_ws(bytes, at + 1);
    while bytes.get(i) == Some(&b'"') {
        let end = string_end(bytes, i)?;
        let matches = std::str::from_utf8(&bytes[i..end])
            .ok()
            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
            .is_some_and(|k| k == key);
        i = skip_ws(bytes, end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value = skip_ws(bytes, i + 1);
        if matches {
            return Some(value);
        }
        i = skip_ws(bytes, value_end(bytes, value)?);
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    None
}

/// Offset of element `index` of the array at `at`.
fn element(bytes: &[u8], at: usize, index: usize) -> Option<usize> {
    let mut i = skip_ws(bytes, at + 1);
    for _ in 0..index {
        i = skip_ws(bytes, value_end(bytes, i)?);
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    (bytes.get(i) != Some(&b']')).then_some(i)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// One past the closing quote of the string starting at `i`.
fn string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match bytes.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// One past the end of the value starting at `i` (iterative: nesting depth costs no stack).
fn value_end(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => string_end(bytes, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match bytes.get(j)? {
                    b'"' => {
                        j = string_end(bytes, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let len = bytes[i..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(bytes.len() - i);
            Some(i + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const DOC: &str = "{\n  \"type\": \"bundle\",\n  \"objects\": [\n    {\"id\": \"x\", \"list\": [1, {\"k\": \"v\"}]},\n    {\"a\\\"b\": 2}\n  ]\n}";

    fn source() -> Source {
        Source::new(Arc::new(PathBuf::from("t.json")), DOC.to_owned())
    }

    #[test]
    fn pointers_land_on_their_values() {
        let s = source();
        assert_eq!(s.line_column(s.locate(0, "/type")), (2, 11));
        assert_eq!(s.line_column(s.locate(0, "/objects/0/list/1/k")), (4, 35));
        assert_eq!(s.line_column(s.locate(0, "/objects/1/a\"b")), (5, 14));
    }

    #[test]
    fn a_missing_member_points_at_its_parent() {
        let s = source();
        assert_eq!(s.line_column(s.locate(0, "/objects/0/nope")), (4, 5));
        assert_eq!(s.line_column(s.locate(0, "/objects/9")), (3, 14));
    }

    #[test]
    fn columns_count_characters() {
        let s = Source::new(Arc::new(PathBuf::from("t.json")), "{\"é\": \"ü\", \"b\": 1}".into());
        assert_eq!(s.line_column(s.locate(0, "/b")), (1, 17));
    }
}
