//! Text into HTML: the escaping every template and the SVG graph use, and the code points HTML
//! forbids in a document, which contributed text may hold (a JSON string can carry U+0001).

use std::borrow::Cow;

/// Escapes text for HTML (and SVG) text and attribute values: `& < > " '`; code points HTML
/// forbids become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // Writing to a String cannot fail.
    let _ = escape_into(&mut out, text);
    out
}

/// `escape`, written straight into `out` (templates write every value this way, so no value
/// needs a String of its own): the one escaping loop.
pub(crate) fn escape_into(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    if !text.bytes().any(|b| ESCAPED_OR_SUSPECT[b as usize]) {
        return out.write_str(text);
    }
    let mut plain = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if forbidden(c) => "\u{FFFD}",
            _ => continue,
        };
        out.write_str(&text[plain..i])?;
        out.write_str(replacement)?;
        plain = i + c.len_utf8();
    }
    out.write_str(&text[plain..])
}

/// Markup that is already safe, with forbidden code points replaced by U+FFFD.
pub(crate) fn without_forbidden(html: &str) -> Cow<'_, str> {
    if !html.chars().any(forbidden) {
        return Cow::Borrowed(html);
    }
    Cow::Owned(html.chars().map(|c| if forbidden(c) { '\u{FFFD}' } else { c }).collect())
}

/// Bytes that may start something to escape or replace: `& < > " '`, control characters, and
/// the lead bytes of the code points `forbidden` rejects beyond ASCII (U+0080–U+009F start with
/// 0xC2, the noncharacters with 0xEF or 0xF0–0xF4). Most text has none, and one pass over its
/// bytes proves it.
const ESCAPED_OR_SUSPECT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xEF || b >= 0xF0;
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table
};

/// Control characters other than ASCII whitespace, and noncharacters: HTML documents must not
/// contain them, and a checker rejects the page.
fn forbidden(c: char) -> bool {
    let code = c as u32;
    (code < 0x20 && !matches!(c, '\t' | '\n' | '\r' | '\u{C}'))
        || (0x7F..=0x9F).contains(&code)
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_forbidden_code_points_replaced() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(escape("a\u{1}b\u{85}c\u{FFFF}d\te"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(without_forbidden("<p>x\u{7F}</p>"), "<p>x\u{FFFD}</p>");
    }
}
