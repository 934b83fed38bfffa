//! Contributed text made safe for a terminal or a log: control characters (C0, DEL, C1) and
//! the bidirectional overrides and isolates that reorder what a reviewer sees are written as
//! `\u{…}` escapes. Every printer passes file names and contributed text through here; it
//! never changes other characters.

use std::borrow::Cow;

/// `text` with every character a terminal would act on, or that reorders text, escaped.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path, shown as [`printable`] text.
pub fn printable_path(path: &std::path::Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// Control characters, and the bidi embeddings, overrides, isolates and marks.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_and_bidi_controls_only() {
        assert_eq!(printable("a\u{1b}[31mb\u{7}"), "a\\u{1b}[31mb\\u{7}");
        assert_eq!(printable("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        assert_eq!(printable("tab\tnew\nline"), "tab\\u{9}new\\u{a}line");
        assert!(matches!(printable("été — ok"), Cow::Borrowed("été — ok")));
    }
}
