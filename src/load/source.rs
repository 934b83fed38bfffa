//! A loaded file's text and the means to turn byte offsets and JSON pointers into the line and
//! column a contributor's editor shows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use crate::diag::LineIndex;

/// The text of one file, with its line index (built once, when the first finding in the file
/// is located, so locating one costs O(log n) however long its line is, and a file without
/// findings never pays for it: counting the characters of every file was a twentieth of a
/// build).
pub(crate) struct Source {
    pub(crate) path: Arc<PathBuf>,
    pub(crate) text: String,
    lines: OnceLock<LineIndex>,
}

impl Source {
    pub(crate) fn new(path: Arc<PathBuf>, text: String) -> Source {
        Source { path, text, lines: OnceLock::new() }
    }

    /// 1-based line and character column of a byte offset into `text`.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        self.lines.get_or_init(|| LineIndex::new(&self.text)).line_column(&self.text, offset)
    }

    /// The byte offset of the value a JSON pointer (relative to the value at `base`) names, or
    /// of the deepest value on the way that exists (a missing property points at its object).
    pub(crate) fn locate(&self, base: usize, pointer: &str) -> usize {
        locate(&self.text, base, pointer)
    }
}

/// Walks `pointer` from the value starting at byte `base` of `text`.
pub(crate) fn locate(text: &str, base: usize, pointer: &str) -> usize {
    Locator::new(text).locate(base, pointer)
}

/// Finds the values JSON pointers name in one text, remembering the children of every
/// container it walks through: a million findings inside one wide array or object cost one
/// pass over it, not a pass each. Meant for the findings of one object (what it remembers
/// lives as long as it does).
pub(crate) struct Locator<'t> {
    text: &'t str,
    seen: RefCell<HashMap<usize, Rc<Children>>>,
}

/// The members (first occurrence of each key) or elements of one container, by offset.
enum Children {
    Object(HashMap<String, usize>),
    Array(Vec<usize>),
}

impl<'t> Locator<'t> {
    pub(crate) fn new(text: &'t str) -> Locator<'t> {
        Locator { text, seen: RefCell::new(HashMap::new()) }
    }

    /// The byte offset of the value `pointer` names below the value at `base`, or of the
    /// deepest value on the way that exists.
    pub(crate) fn locate(&self, base: usize, pointer: &str) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = skip_ws(bytes, base);
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            let next = self.children(at).and_then(|children| match &*children {
                Children::Object(members) => members.get(&token).copied(),
                Children::Array(elements) => token.parse::<usize>().ok().and_then(|i| elements.get(i).copied()),
            });
            match next {
                Some(offset) => at = offset,
                None => break,
            }
        }
        at
    }

    /// The children of the container at `at`, found on its first visit; None when no
    /// container starts there.
    fn children(&self, at: usize) -> Option<Rc<Children>> {
        if let Some(children) = self.seen.borrow().get(&at) {
            return Some(children.clone());
        }
        let bytes = self.text.as_bytes();
        if !matches!(bytes.get(at), Some(b'{' | b'[')) {
            return None;
        }
        let children = Rc::new(children_of(bytes, at)?);
        self.seen.borrow_mut().insert(at, children.clone());
        Some(children)
    }
}

/// Every member or element of the container at `at`, in one pass.
fn children_of(bytes: &[u8], at: usize) -> Option<Children> {
    let mut i = skip_ws(bytes, at + 1);
    if bytes[at] == b'[' {
        let mut elements = Vec::new();
        while !matches!(bytes.get(i), Some(b']') | None) {
            elements.push(i);
            i = skip_ws(bytes, value_end(bytes, i)?);
            if bytes.get(i) != Some(&b',') {
                break;
            }
            i = skip_ws(bytes, i + 1);
        }
        return Some(Children::Array(elements));
    }
    let mut members = HashMap::new();
    while bytes.get(i) == Some(&b'"') {
        let end = string_end(bytes, i)?;
        let key = std::str::from_utf8(&bytes[i..end]).ok().and_then(|raw| serde_json::from_str::<String>(raw).ok());
        i = skip_ws(bytes, end);
        if bytes.get(i) != Some(&b':') {
            break;
        }
        let value = skip_ws(bytes, i + 1);
        if let Some(key) = key {
            members.entry(key).or_insert(value);
        }
        i = skip_ws(bytes, value_end(bytes, value)?);
        if bytes.get(i) != Some(&b',') {
            break;
        }
        i = skip_ws(bytes, i + 1);
    }
    Some(Children::Object(members))
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
    fn wide_containers_are_remembered_and_agree_with_a_scan() {
        let items: Vec<String> = (0..500).map(|i| format!("{{\"k{i}\": [{i}, \"x\"]}}")).collect();
        let members: Vec<String> = (0..500).map(|i| format!("\"m{i}\": {i}")).collect();
        let text = format!("{{\"a\": [{}], \"o\": {{{}}}}}", items.join(", "), members.join(", "));
        let locator = Locator::new(&text);
        for i in [0, 1, 64, 65, 499] {
            let at = locator.locate(0, &format!("/a/{i}/k{i}/1"));
            assert_eq!(&text[at..at + 3], "\"x\"");
            let at = locator.locate(0, &format!("/o/m{i}"));
            assert!(text[at..].starts_with(&i.to_string()));
        }
        assert_eq!(locator.locate(0, "/a/500"), locator.locate(0, "/a"));
        assert_eq!(locator.seen.borrow().len(), 1 + 1 + 5 + 5 + 1);
    }

    #[test]
    fn a_million_pointers_into_one_wide_array_cost_one_pass() {
        let text = format!("{{\"refs\": [{}]}}", vec!["\"x\""; 1_000_000].join(","));
        let locator = Locator::new(&text);
        let started = std::time::Instant::now();
        for i in (0..1_000_000).step_by(7) {
            assert_eq!(locator.locate(0, &format!("/refs/{i}")), 10 + 4 * i);
        }
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn columns_count_characters() {
        let s = Source::new(Arc::new(PathBuf::from("t.json")), "{\"é\": \"ü\", \"b\": 1}".into());
        assert_eq!(s.line_column(s.locate(0, "/b")), (1, 17));
    }
}
