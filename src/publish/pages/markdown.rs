//! Contributed Markdown made safe: the one way text becomes HTML.
//!
//! pulldown-cmark renders, then ammonia keeps only harmless markup: no script, style, iframe,
//! form or image (an image would fetch from a third party when an analyst opens the page), no
//! event handlers, no URL schemes but http, https and mailto; every link gets
//! rel="nofollow noopener". `(Citation: Name)` markers (ATT&CK's way of citing) become numbered
//! links to the page's reference list; only the number is ever emitted.
//!
//! Most descriptions hold no HTML at all, only Markdown. For those the sanitiser has nothing
//! to remove, so it is skipped: pulldown-cmark escapes all text itself, and the only markup
//! left to judge is link and image targets, which the fast path checks the way ammonia would
//! (any image, any HTML or any other URL scheme sends the text down the sanitiser's path).
//! Sanitising was a fifth of the time of rendering ATT&CK.

use std::sync::OnceLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

use super::citations::{insert_citation_links, strip_placeholders, Citations};
use crate::publish::shared::escape::without_forbidden;

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder.rm_tags(["img"]).url_schemes(["http", "https", "mailto"].into()).link_rel(Some("nofollow noopener"));
        builder
    })
}

const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// Finds this site's page for an ATT&CK id (`T1059.001`, `G0016`), when it publishes one.
pub(crate) type InternalLinks<'a> = &'a dyn Fn(&str) -> Option<String>;

/// No ATT&CK page is linked internally (content pages, tests).
pub(crate) fn no_internal_links(_: &str) -> Option<String> {
    None
}

/// Markdown → safe HTML, with citations numbered in `citations`. Links to ATT&CK's website
/// whose object is published here lead to its page here instead (`internal`), as ATT&CK's own
/// site links its pages to each other.
pub(crate) fn to_safe_html(markdown: &str, citations: &mut Citations, internal: InternalLinks<'_>) -> String {
    let cited = citations.replace_markers(&strip_placeholders(markdown));
    // Parsed once: the events that are judged are the events that are rendered.
    let events: Vec<Event> = Parser::new_ext(&cited, OPTIONS)
        .map(|event| match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let local = attack_id(&dest_url).and_then(|attack| internal(&attack));
                let dest_url = local.map_or(dest_url, CowStr::from);
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            other => other,
        })
        .collect();
    let sanitise = events.iter().any(needs_sanitizer);
    let mut rendered = String::with_capacity(cited.len() + cited.len() / 4);
    html::push_html(&mut rendered, events.into_iter());
    let html = if sanitise {
        drop_rel_without_href(&sanitizer().clean(&rendered).to_string())
    } else {
        // No raw HTML went in, so every `<a href="` here is a Markdown link pulldown-cmark
        // wrote (text is escaped: a `<` in it is `&lt;`).
        rendered.replace("<a href=\"", "<a rel=\"nofollow noopener\" href=\"")
    };
    without_forbidden(&insert_citation_links(&html)).into_owned()
}

/// The ATT&CK id an attack.mitre.org page address names: `/techniques/T1059/001/` is T1059.001,
/// `/groups/G0016` is G0016; other addresses name none.
fn attack_id(url: &str) -> Option<String> {
    let rest =
        url.strip_prefix("https://attack.mitre.org/").or_else(|| url.strip_prefix("http://attack.mitre.org/"))?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let kind = parts.next()?;
    let known = ["techniques", "groups", "software", "campaigns", "mitigations", "tactics", "datasources", "assets"];
    let id = parts.next().filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))?;
    if !known.contains(&kind) {
        return None;
    }
    match (parts.next(), parts.next()) {
        (None, _) => Some(id.to_owned()),
        (Some(sub), None) if kind == "techniques" && sub.len() == 3 && sub.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{id}.{sub}"))
        }
        _ => None,
    }
}

/// Whether an event is something only the sanitiser may judge: raw HTML, an image, or a link
/// whose URL has a scheme other than http, https and mailto.
fn needs_sanitizer(event: &Event) -> bool {
    match event {
        Event::Html(_) | Event::InlineHtml(_) => true,
        Event::Start(Tag::Image { .. }) => true,
        Event::Start(Tag::Link { dest_url, .. }) => !allowed_url(dest_url),
        _ => false,
    }
}

/// http, https, mailto, or a URL without a scheme (relative, `#fragment`), as ammonia allows.
fn allowed_url(url: &str) -> bool {
    let Some(colon) = url.find(':') else { return true };
    if url[..colon].contains(['/', '?', '#']) {
        return true;
    }
    let scheme = url[..colon].to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https" | "mailto")
}

const REL: &str = r#" rel="nofollow noopener""#;

/// ammonia adds `rel` to every `<a>`, also to one whose unsafe `href` it removed, and `rel`
/// without `href` is invalid HTML: such anchors lose the `rel` too. The input is ammonia's
/// serialisation, where `<` in text is escaped and every attribute value is double-quoted with
/// `"` escaped, so a tag can be read attribute by attribute.
fn drop_rel_without_href(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<a ") {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = tag_end(rest);
        let tag = &rest[..end];
        if tag.contains(REL) && !has_attribute(tag, "href") {
            out.push_str(&tag.replacen(REL, "", 1));
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The length of the start tag at the beginning of `tag`, up to and including its `>`.
fn tag_end(tag: &str) -> usize {
    let mut in_value = false;
    for (i, c) in tag.char_indices() {
        match c {
            '"' => in_value = !in_value,
            '>' if !in_value => return i + 1,
            _ => {}
        }
    }
    tag.len()
}

fn has_attribute(tag: &str, name: &str) -> bool {
    let mut in_value = false;
    let mut previous = ' ';
    for (i, c) in tag.char_indices() {
        if c == '"' {
            in_value = !in_value;
        } else if !in_value && previous == ' ' && tag[i..].starts_with(name) && tag[i + name.len()..].starts_with('=') {
            return true;
        }
        previous = c;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_needs_sanitizer(markdown: &str) -> bool {
        Parser::new_ext(markdown, OPTIONS).any(|event| needs_sanitizer(&event))
    }

    fn safe(markdown: &str) -> String {
        to_safe_html(markdown, &mut Citations::default(), &no_internal_links)
    }

    #[test]
    fn script_handlers_and_javascript_urls_do_not_survive() {
        let html = safe(
            "<script>alert(1)</script> <img src=x onerror=alert(2)> [a](javascript:alert(3)) \
             <a href=\"JaVaScRiPt:alert(4)\">b</a> <iframe src=\"https://x.example\"></iframe> \
             <svg onload=alert(5)></svg> [d](data:text/html;base64,PHNjcmlwdD4=)",
        );
        for bad in [
            "<script",
            "onerror=",
            "href=\"javascript",
            "href=\"JaVaScRiPt",
            "<iframe",
            "onload=",
            "<img",
            "href=\"data:",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        for link in
            ["[a](javascript:alert(3))", "[d](data:text/html;base64,PHNjcmlwdD4=)", "<a href=\" javascript:x\">c</a>"]
        {
            let html = safe(link);
            assert!(!html.contains("href") && !html.contains("rel="), "a live link survived in {html}");
        }
    }

    #[test]
    fn both_paths_agree_on_what_they_keep() {
        // Plain Markdown takes the fast path, the same text with HTML in it the sanitiser's.
        let plain = safe("A [link](https://e.example/x?a=1&b=\"2\") and *text* & <b>bold</b>");
        assert!(plain.contains("<b>bold</b>"), "{plain}");
        assert!(plain.contains(r#"href="https://e.example/x?a=1&amp;b=%222%22""#), "{plain}");
        let fast = safe("A [link](https://e.example/) and *text*");
        assert_eq!(
            fast,
            "<p>A <a rel=\"nofollow noopener\" href=\"https://e.example/\">link</a> and <em>text</em></p>\n"
        );
        for url in ["javascript:x", "JAVASCRIPT:x", "data:text/html,x", "vbscript:x"] {
            assert!(text_needs_sanitizer(&format!("[a]({url})")), "{url}");
        }
        // A control character makes it no link at all: text, escaped.
        assert!(!safe("[a](\u{1}javascript:x)").contains("href"));
        for url in ["https://e.example/", "/relative", "#ref-1", "mailto:a@e.example", "a/b:c"] {
            assert!(!text_needs_sanitizer(&format!("[a]({url})")), "{url}");
        }
        assert!(text_needs_sanitizer("![img](https://e.example/i.png)"));
        assert!(text_needs_sanitizer("<https://e.example/> <i>x</i>"));
    }

    #[test]
    fn links_to_attack_pages_published_here_stay_here() {
        let internal = |id: &str| (id == "T1059.001" || id == "G0016").then(|| format!("../../objects/{id}/"));
        let html = to_safe_html(
            "[PowerShell](https://attack.mitre.org/techniques/T1059/001) by [APT29](https://attack.mitre.org/groups/G0016/) \
             with [Other](https://attack.mitre.org/software/S9999) and [x](https://attack.mitre.org/techniques/T1/2/3)",
            &mut Citations::default(),
            &internal,
        );
        assert!(html.contains(r#"href="../../objects/T1059.001/">PowerShell"#), "{html}");
        assert!(html.contains(r#"href="../../objects/G0016/">APT29"#), "{html}");
        assert!(html.contains(r#"href="https://attack.mitre.org/software/S9999">Other"#), "{html}");
        assert_eq!(attack_id("https://attack.mitre.org/techniques/T1/2/3"), None);
        assert_eq!(attack_id("https://attack.mitre.org.evil.example/groups/G1"), None);
    }

    #[test]
    fn rel_is_dropped_only_where_href_was() {
        let html = safe(
            r#"<a title="x href=&quot;y" href="javascript:z">a</a> <a title="h>" href="https://e.example/">b</a>"#,
        );
        assert!(html.contains(r#"<a title="x href=&quot;y">a</a>"#), "{html}");
        assert!(html.contains(r#"<a title="h&gt;" href="https://e.example/" rel="nofollow noopener">b</a>"#), "{html}");
    }

    #[test]
    fn markdown_still_renders_and_links_are_marked_external() {
        let html = safe("Uses **relay** boxes. See [the advisory](https://example.com/a).\n\n- one\n- two");
        assert!(html.contains("<strong>relay</strong>"));
        assert!(html.contains(r#"<a rel="nofollow noopener" href="https://example.com/a">the advisory</a>"#), "{html}");
        assert!(html.contains("<li>one</li>"));
    }
}
