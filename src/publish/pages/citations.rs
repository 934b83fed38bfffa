//! A page's reference list: the object's own external references first, then those cited by
//! the relationships shown on the page, each source once, numbered in order of first use. The
//! `(Citation: Name)` markers in any description on the page become `[n]` links to it.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::links::{external_reference_href, ReferenceHref};

/// One entry of a page's reference list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReferenceItem {
    pub(crate) number: usize,
    pub(crate) title: String,
    pub(crate) external_id: Option<String>,
    pub(crate) description: Option<String>,
    /// A link that is safe to follow (http(s), or a page of this site).
    pub(crate) href: Option<String>,
    /// Whether `href` leaves the site.
    pub(crate) external: bool,
    /// A URL that is not safe to link, shown as text so nothing is hidden.
    pub(crate) url_text: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Citations {
    items: Vec<ReferenceItem>,
    /// The number of the first item of each source name, for finding a citation's number.
    numbers: HashMap<String, usize>,
    /// References known from the objects on the page but not yet listed (cited only when used),
    /// the first of each source name. Both are hashed, not searched: an object may carry any
    /// number of references and markers, and the names are contributed (SipHash, which they
    /// cannot make collide).
    known: HashMap<String, Value>,
}

impl Citations {
    /// Lists an object's own references (all of them, cited or not).
    pub(crate) fn add_listed(&mut self, references: &[Value], internal: &dyn Fn(&str, &str) -> Option<String>) {
        for reference in references {
            self.push(reference, internal);
        }
    }

    /// Makes references citable without listing them until a description cites them (a
    /// relationship's sources, on the page of one of its ends). Takes them by value: each row
    /// parses its own, and a technique page has hundreds of rows.
    pub(crate) fn add_citable(&mut self, references: Vec<Value>) {
        for reference in references {
            if let Some(name) = reference.get("source_name").and_then(Value::as_str) {
                self.known.entry(name.to_owned()).or_insert(reference);
            }
        }
    }

    fn push(&mut self, reference: &Value, internal: &dyn Fn(&str, &str) -> Option<String>) -> usize {
        let text = |key: &str| reference.get(key).and_then(Value::as_str).map(str::to_owned);
        let name = text("source_name").unwrap_or_default();
        let external_id = text("external_id");
        let href = external_reference_href(&name, external_id.as_deref(), text("url").as_deref(), internal);
        let (href, external, url_text) = match href {
            ReferenceHref::Internal(href) => (Some(href), false, None),
            ReferenceHref::External(href) => (Some(href), true, None),
            ReferenceHref::Unsafe(url) => (None, false, Some(url)),
            ReferenceHref::None => (None, false, None),
        };
        let number = self.items.len() + 1;
        self.items.push(ReferenceItem {
            number,
            title: name.clone(),
            external_id,
            description: text("description"),
            href,
            external,
            url_text,
        });
        self.numbers.entry(name).or_insert(number);
        number
    }

    /// The number of the reference called `name` (its first), listing it now if it was only
    /// citable.
    fn number_of(&mut self, name: &str) -> Option<usize> {
        if let Some(&number) = self.numbers.get(name) {
            return Some(number);
        }
        // Listed now, it is found by its number from here on.
        let reference = self.known.remove(name)?;
        Some(self.push(&reference, &|_, _| None))
    }

    /// Replaces each `(Citation: Name)` that names a known reference with a placeholder for its
    /// number (`CITE_OPEN n CITE_CLOSE`), which `insert_citation_links` turns into a link once the
    /// text is safe HTML. Unknown citations stay as they were written (as text). The text must
    /// not hold the placeholder characters itself (`strip_placeholders`).
    pub(crate) fn replace_markers(&mut self, text: &str) -> String {
        const MARKER: &str = "(Citation:";
        if !text.contains(MARKER) {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(MARKER) {
            let after = &rest[start + MARKER.len()..];
            let Some(end) = after.find(')') else { break };
            out.push_str(&rest[..start]);
            match self.number_of(after[..end].trim()) {
                Some(n) => {
                    out.push(CITE_OPEN);
                    out.push_str(&n.to_string());
                    out.push(CITE_CLOSE);
                }
                None => out.push_str(&rest[start..start + MARKER.len() + end + 1]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    pub(crate) fn into_items(self) -> Vec<ReferenceItem> {
        self.items
    }
}

/// Private-use characters around a citation number: no markup language gives them a meaning,
/// so they pass Markdown rendering and sanitising untouched.
const CITE_OPEN: char = '\u{E000}';
const CITE_CLOSE: char = '\u{E001}';

/// Removes placeholder characters from contributed text, so only `replace_markers` makes them.
pub(crate) fn strip_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([CITE_OPEN, CITE_CLOSE]) {
        std::borrow::Cow::Owned(text.replace([CITE_OPEN, CITE_CLOSE], ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Turns each placeholder in safe HTML into a superscript link to the page's reference list;
/// inside a tag (a link's `title`, say) it becomes plain `[n]`, since markup there would end
/// the attribute. Safe HTML is serialised: every attribute value is in double quotes, and a
/// `<` in text is escaped, so a quote-aware scan knows where tags are.
pub(crate) fn insert_citation_links(html: &str) -> String {
    if !html.contains(CITE_OPEN) {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let (mut in_tag, mut in_quotes) = (false, false);
    let mut chars = html.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '<' if !in_tag => in_tag = true,
            '"' if in_tag => in_quotes = !in_quotes,
            '>' if in_tag && !in_quotes => in_tag = false,
            CITE_OPEN => {
                let after = &html[i + c.len_utf8()..];
                let end = after.find(CITE_CLOSE).unwrap_or(after.len());
                let number = &after[..end];
                // Only digits were ever put there; anything else is dropped.
                if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
                    if in_tag {
                        out.push_str(&format!("[{number}]"));
                    } else {
                        out.push_str(&format!(r##"<sup><a href="#ref-{number}">[{number}]</a></sup>"##));
                    }
                }
                let skip = after[..end].chars().count() + usize::from(end < after.len());
                for _ in 0..skip {
                    chars.next();
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(json: &str) -> Vec<Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn citations_become_numbers_and_unknown_ones_stay_text() {
        let mut citations = Citations::default();
        citations
            .add_listed(&refs(r#"[{"source_name":"A","url":"https://a.example"},{"source_name":"B"}]"#), &|_, _| None);
        let text = citations.replace_markers("x (Citation: B) y (Citation: <b>Nope</b>) z");
        assert_eq!(text, "x \u{E000}2\u{E001} y (Citation: <b>Nope</b>) z");
        assert_eq!(
            insert_citation_links(&text),
            r##"x <sup><a href="#ref-2">[2]</a></sup> y (Citation: <b>Nope</b>) z"##
        );
        assert_eq!(strip_placeholders("a\u{E000}9\u{E001}b"), "a9b");
    }

    #[test]
    fn a_citation_inside_an_attribute_stays_text() {
        let html = "<p><a href=\"https://x.example\" title=\"see > \u{E000}2\u{E001}\">x</a> \u{E000}1\u{E001}</p>";
        assert_eq!(
            insert_citation_links(html),
            r##"<p><a href="https://x.example" title="see > [2]">x</a> <sup><a href="#ref-1">[1]</a></sup></p>"##
        );
    }

    #[test]
    fn a_relationship_source_is_listed_only_once_it_is_cited() {
        let mut citations = Citations::default();
        citations.add_citable(refs(r#"[{"source_name":"Report 1"},{"source_name":"Report 2"}]"#));
        citations.replace_markers("(Citation: Report 2)(Citation: Report 2)");
        let items = citations.into_items();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, "Report 2");
    }

    #[test]
    fn a_name_given_twice_cites_its_first_reference() {
        let mut citations = Citations::default();
        citations.add_listed(&refs(r#"[{"source_name":"A"},{"source_name":"B"},{"source_name":"A"}]"#), &|_, _| None);
        citations.add_citable(refs(
            r#"[{"source_name":"C","description":"first"},{"source_name":"B"},{"source_name":"C","description":"second"}]"#,
        ));
        let text = citations.replace_markers("(Citation: A)(Citation: C)(Citation: B)(Citation: C)");
        assert_eq!(text, "\u{E000}1\u{E001}\u{E000}4\u{E001}\u{E000}2\u{E001}\u{E000}4\u{E001}");
        let items = citations.into_items();
        let listed: Vec<(&str, Option<&str>)> =
            items.iter().map(|i| (&i.title[..], i.description.as_deref())).collect();
        assert_eq!(listed, [("A", None), ("B", None), ("A", None), ("C", Some("first"))]);
    }

    #[test]
    fn a_hundred_thousand_markers_are_numbered_at_once() {
        // Each marker's name looked for among every reference, this took seconds.
        let listed: Vec<Value> = (0..50_000).map(|i| serde_json::json!({"source_name": format!("L{i}")})).collect();
        let citable: Vec<Value> = (0..50_000).map(|i| serde_json::json!({"source_name": format!("C{i}")})).collect();
        let mut citations = Citations::default();
        citations.add_listed(&listed, &|_, _| None);
        citations.add_citable(citable);
        let markers: String = (0..50_000).rev().map(|i| format!("(Citation: C{i})(Citation: L{i})")).collect();
        let text = citations.replace_markers(&markers);
        assert!(
            text.starts_with("\u{E000}50001\u{E001}\u{E000}50000\u{E001}"),
            "{}",
            text.chars().take(20).collect::<String>()
        );
        assert_eq!(citations.into_items().len(), 100_000);
    }
}
