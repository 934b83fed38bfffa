//! Links: to other objects' pages (only through the View, so only to visible objects), and to
//! the outside world, where only http(s) URLs become links and well-known identifiers (CVE,
//! CAPEC, CWE, ATT&CK) link to their authorities. Every page's links between pages name the
//! `index.html` of a folder (`objects/<id>/index.html`), so the site browses from disk as well
//! as from any web server.

use serde::Serialize;

use crate::audience::{Entry, View};
pub(crate) use crate::stix::label::type_label;
use crate::stix::schema::{type_spec, Category};
use crate::stix::SpecVersion;

/// A link to an object, or its id shown as text when it is not published here.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Link {
    pub(crate) href: Option<String>,
    pub(crate) name: String,
    pub(crate) type_label: String,
    /// `domain`, `observable`, `relationship`, `meta` or `custom` (for styling).
    pub(crate) category: &'static str,
    /// "revoked" or "deprecated", shown as a mark beside the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retired: Option<&'static str>,
}

/// The address of an object's page, from a page `root` away from the site root.
pub(crate) fn object_href(root: &str, id: &str) -> String {
    format!("{root}objects/{id}/")
}

impl Link {
    pub(crate) fn to(entry: Entry<'_>, root: &str) -> Link {
        Link {
            href: Some(object_href(root, entry.id())),
            name: entry.display_name().to_owned(),
            type_label: type_label(entry.object_type()),
            category: category(entry.object_type()),
            retired: entry.retired(),
        }
    }

    /// A link to `id` when the View has it, else the id as text; never the id of an object
    /// withheld from this audience.
    pub(crate) fn to_id(view: &View<'_>, id: &str, root: &str) -> Link {
        match view.get(id) {
            Some(entry) => Link::to(entry, root),
            None if view.withholds(id) => Link {
                href: None,
                name: "not available to this audience".into(),
                type_label: "Withheld".into(),
                category: "custom",
                retired: None,
            },
            None => {
                let object_type = id.split("--").next().unwrap_or_default();
                Link {
                    href: None,
                    name: id.to_owned(),
                    type_label: type_label(object_type),
                    category: category(object_type),
                    retired: None,
                }
            }
        }
    }
}

pub(crate) fn category(object_type: &str) -> &'static str {
    match type_spec(SpecVersion::V21, object_type).map(|spec| spec.category) {
        Some(Category::Domain) => "domain",
        Some(Category::Observable) => "observable",
        Some(Category::Relationship) => "relationship",
        Some(Category::Meta) => "meta",
        None => "custom",
    }
}

/// The plural a list page is titled with.
pub(crate) fn type_plural(object_type: &str) -> String {
    let label = type_label(object_type);
    if let Some(head) = label.strip_suffix(" of Action") {
        return format!("{head}s of Action");
    }
    let uncountable = ["Malware", "Data", "Software", "Infrastructure", "Traffic", "Content", "Analysis"];
    if uncountable.iter().any(|w| label.ends_with(w)) {
        return if label.ends_with("Analysis") { label.replace("Analysis", "Analyses") } else { label };
    }
    if let Some(stem) = label.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        return format!("{stem}ies");
    }
    if label.ends_with('s') || label.ends_with('x') {
        return format!("{label}es");
    }
    format!("{label}s")
}

/// The HTML of the page at `page` (its path in the output, `objects/<id>/index.html`) with its
/// links between pages finished: each relative `href` or form `action` takes the shortest way
/// from the page's folder (`../../objects/<id>/` from another object's page is `../<id>/`:
/// links are a tenth of an object page), and one whose path ends with `/` names the folder's
/// `index.html` (`./#section`, `search/?q=x`). A browser that opened the site from disk
/// (`file://`) shows a folder's listing, not its `index.html`; every web server serves both.
/// Absolute URLs (`https://…`, `/x/`, `//host/`) are left alone.
pub(crate) fn finish_links(html: String, page: &str) -> String {
    const INDEX: &str = "index.html";
    const HREF: &str = " href=\"";
    const ACTION: &str = " action=\"";
    let folder: Vec<&str> = page.rsplit_once('/').map_or(Vec::new(), |(dir, _)| dir.split('/').collect());
    let mut out: Option<String> = None;
    let mut copied = 0;
    let bytes = html.as_bytes();
    let mut attributes: Vec<usize> = memchr::memmem::find_iter(bytes, HREF)
        .map(|at| at + HREF.len())
        .chain(memchr::memmem::find_iter(bytes, ACTION).map(|at| at + ACTION.len()))
        .collect();
    attributes.sort_unstable();
    for value_start in attributes {
        let Some(length) = memchr::memchr(b'"', &bytes[value_start..]) else { continue };
        let value = &html[value_start..value_start + length];
        let shorter = shortest_from(&folder, value);
        let value = shorter.as_deref().unwrap_or(value);
        let insert_at = folder_path_end(value);
        if shorter.is_none() && insert_at.is_none() {
            continue;
        }
        let out = out.get_or_insert_with(|| String::with_capacity(html.len() + html.len() / 32));
        out.push_str(&html[copied..value_start]);
        match insert_at {
            Some(at) => {
                out.push_str(&value[..at]);
                out.push_str(INDEX);
                out.push_str(&value[at..]);
            }
            None => out.push_str(value),
        }
        copied = value_start + length;
    }
    match out {
        Some(mut out) => {
            out.push_str(&html[copied..]);
            out
        }
        None => html,
    }
}

/// A relative link that climbs out of `folder` (`../../objects/x/`) and back into part of it,
/// written from `folder` without the detour (`../x/` from `objects/<id>/`); None when it is
/// already the shortest, is not relative, or climbs above the site's root.
fn shortest_from(folder: &[&str], value: &str) -> Option<String> {
    let mut rest = value;
    let mut up = 0;
    while let Some(after) = rest.strip_prefix("../") {
        rest = after;
        up += 1;
    }
    if up == 0 || up > folder.len() || rest.starts_with('/') {
        return None;
    }
    // The folders the link names after climbing, before its last part (a file, or nothing).
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let named: Vec<&str> = rest[..path_end].split('/').collect();
    let named_folders = &named[..named.len() - 1];
    let base = &folder[..folder.len() - up];
    let shared = folder[base.len()..].iter().zip(named_folders).take_while(|(a, b)| a == b).count();
    if shared == 0 {
        return None;
    }
    let climbs = folder.len() - base.len() - shared;
    let below = named[shared..].join("/");
    let mut shorter = "../".repeat(climbs);
    shorter.push_str(&below);
    shorter.push_str(&rest[path_end..]);
    if shorter.is_empty() || shorter.starts_with(['?', '#']) {
        shorter.insert_str(0, "./");
    }
    Some(shorter)
}

/// Where `index.html` goes in a link: after the path's final `/` when the link is relative
/// (no scheme, not from the host's root) and its path names a folder.
fn folder_path_end(value: &str) -> Option<usize> {
    let path_end = value.find(['?', '#']).unwrap_or(value.len());
    let path = &value[..path_end];
    let relative = !path.starts_with('/') && !path.contains(':');
    (relative && path.ends_with('/')).then_some(path_end)
}

/// Where an external reference leads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ReferenceHref {
    /// A page of this site (an ATT&CK id whose object is published here).
    Internal(String),
    External(String),
    /// A URL that is not http(s): shown as text, never as a link.
    Unsafe(String),
    None,
}

/// The link for an external reference: a page of this site for an ATT&CK id it publishes (via
/// `internal`), the authority's page for CVE, CAPEC and CWE identifiers, else the reference's
/// own URL when it is http(s).
pub(crate) fn external_reference_href(
    source: &str,
    external_id: Option<&str>,
    url: Option<&str>,
    internal: &dyn Fn(&str, &str) -> Option<String>,
) -> ReferenceHref {
    if let Some(href) = external_id.and_then(|id| internal(source, id)) {
        return ReferenceHref::Internal(href);
    }
    if let Some(authority) = external_id.and_then(|id| authority_url(source, id)) {
        return ReferenceHref::External(authority);
    }
    match url {
        Some(url) => match safe_url(url) {
            Some(url) => ReferenceHref::External(url),
            None => ReferenceHref::Unsafe(url.to_owned()),
        },
        None => ReferenceHref::None,
    }
}

/// The URL when it is an absolute http(s) URL without whitespace or control characters, with
/// the characters RFC 3986 does not allow in a URL (`"`, `<`, `>`, `\\`, `^`, `` ` ``, `{`, `|`,
/// `}`) percent-encoded; anything else (javascript:, data:, relative paths) is not linked.
pub(crate) fn safe_url(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !(scheme_ok && clean && url.len() > 8) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    Some(out)
}

/// The public page of a well-known identifier.
pub(crate) fn authority_url(source: &str, external_id: &str) -> Option<String> {
    let has_prefix = |prefix: &str| external_id.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix));
    let number = |prefix: &str| {
        let digits = external_id.get(prefix.len()..).filter(|_| has_prefix(prefix))?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
    };
    let is_cve = external_id.len() > 9
        && has_prefix("CVE-")
        && external_id.bytes().skip(4).all(|b| b.is_ascii_digit() || b == b'-');
    match source.to_ascii_lowercase().as_str() {
        "cve" if is_cve => Some(format!("https://www.cve.org/CVERecord?id={}", external_id.to_ascii_uppercase())),
        "capec" => number("CAPEC-").map(|n| format!("https://capec.mitre.org/data/definitions/{n}.html")),
        "cwe" => number("CWE-").map(|n| format!("https://cwe.mitre.org/data/definitions/{n}.html")),
        _ => None,
    }
}

// Whether a reference source names an ATT&CK domain (its ids then name objects).
pub(crate) use crate::link::is_attack_source;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        for bad in
            ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "data:text/html,x", "/etc", "http://a b"]
        {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
        assert_eq!(safe_url("HTTPS://example.com/x").as_deref(), Some("HTTPS://example.com/x"));
        assert_eq!(
            safe_url(r#"https://example.com/"onmouseover="x"#).as_deref(),
            Some("https://example.com/%22onmouseover=%22x")
        );
    }

    #[test]
    fn identifiers_link_to_their_authorities() {
        assert_eq!(authority_url("cve", "CVE-2022-27254").unwrap(), "https://www.cve.org/CVERecord?id=CVE-2022-27254");
        assert_eq!(authority_url("capec", "CAPEC-94").unwrap(), "https://capec.mitre.org/data/definitions/94.html");
        assert_eq!(authority_url("cwe", "CWE-294").unwrap(), "https://cwe.mitre.org/data/definitions/294.html");
        assert_eq!(authority_url("cve", "CVE-<script>"), None);
        assert_eq!(authority_url("capec", "CAPEC-9/../x"), None);
        assert_eq!(authority_url("cve", "CV€-2022-1234"), None);
    }

    #[test]
    fn links_to_folders_name_their_index_file() {
        let page = r##"<a href="../../objects/x--1/">x</a> <a href="./">home</a> <a href="../#graph">g</a>
<form action="../search/" method="get"></form><a href="https://example.com/a/">e</a> <a href="/abs/">a</a>
<a href="//host/x/">h</a> <a href="feeds/x.csv">f</a> <a href="#main">m</a> <a href="search/?q=a/">s</a>
<link rel="stylesheet" href="../assets/style.css"><p>href="x/" in text</p>"##;
        let expected = r##"<a href="../../objects/x--1/index.html">x</a> <a href="./index.html">home</a> <a href="../index.html#graph">g</a>
<form action="../search/index.html" method="get"></form><a href="https://example.com/a/">e</a> <a href="/abs/">a</a>
<a href="//host/x/">h</a> <a href="feeds/x.csv">f</a> <a href="#main">m</a> <a href="search/index.html?q=a/">s</a>
<link rel="stylesheet" href="../assets/style.css"><p>href="x/" in text</p>"##;
        assert_eq!(finish_links(page.to_owned(), "a/index.html"), expected);
        assert_eq!(finish_links("<a href=\"x/".to_owned(), "index.html"), "<a href=\"x/");
    }

    #[test]
    fn links_take_the_shortest_way_from_the_page() {
        let from_object = |href: &str| {
            let html = format!(r#"<a href="{href}">x</a>"#);
            let out = finish_links(html, "objects/indicator--1/index.html");
            out.strip_prefix(r#"<a href=""#).and_then(|o| o.strip_suffix(r#"">x</a>"#)).unwrap().to_owned()
        };
        assert_eq!(from_object("../../objects/x--1/"), "../x--1/index.html");
        assert_eq!(from_object("../../objects/x--1/#graph"), "../x--1/index.html#graph");
        assert_eq!(from_object("../../objects/indicator--1/"), "./index.html");
        assert_eq!(from_object("../../objects/indicator--1/#top"), "./index.html#top");
        assert_eq!(from_object("../../taxii2/api/objects/x--1.json"), "../../taxii2/api/objects/x--1.json");
        assert_eq!(from_object("../../index.html"), "../../index.html");
        assert_eq!(from_object("../../"), "../../index.html");
        assert_eq!(from_object("../../../x/"), "../../../x/index.html");
        assert_eq!(from_object("../x--2/"), "../x--2/index.html");
        assert_eq!(from_object("../..//x/"), "../..//x/index.html");
        assert_eq!(from_object("https://example.com/../../objects/"), "https://example.com/../../objects/");
        let from_list = finish_links(r#"<a href="../../types/malware/">m</a>"#.to_owned(), "types/tool/index.html");
        assert_eq!(from_list, r#"<a href="../malware/index.html">m</a>"#);
    }

    #[test]
    fn type_names_read_well() {
        assert_eq!(type_label("ipv4-addr"), "IPv4 Address");
        assert_eq!(type_plural("identity"), "Identities");
        assert_eq!(type_plural("malware"), "Malware");
        assert_eq!(type_plural("malware-analysis"), "Malware Analyses");
        assert_eq!(type_plural("windows-registry-key"), "Windows Registry Keys");
        assert_eq!(type_plural("email-addr"), "Email Addresses");
        assert_eq!(type_label("x-mitre-tactic"), "Tactic");
        assert_eq!(type_plural("course-of-action"), "Courses of Action");
    }
}
