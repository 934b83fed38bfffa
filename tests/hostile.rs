//! Hostile content: every text field of tests/fixtures/hostile carries markup, event handlers,
//! `javascript:` URLs and template syntax. Every generated page is parsed as a browser would
//! parse it, and none of that may have become an element, an attribute or an evaluated template.

mod common;

use std::collections::BTreeMap;

use common::{read_tree, Repo};
use scraper::{ElementRef, Html};

/// Builds the fixture once per test into a fresh copy and returns every output file.
fn hostile_site() -> BTreeMap<String, Vec<u8>> {
    let repo = Repo::from_fixture("hostile");
    let (code, stderr) = repo.build(&["--allow-errors"]);
    assert_eq!(code, 0, "{stderr}");
    let tree = read_tree(&repo.path().join("public"));
    assert!(tree.len() > 10, "the fixture built only {} files:\n{stderr}", tree.len());
    tree
}

fn html_pages(tree: &BTreeMap<String, Vec<u8>>) -> Vec<(&str, String)> {
    tree.iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path.as_str(), String::from_utf8(bytes.clone()).expect("pages are UTF-8")))
        .collect()
}

/// Elements that content must never be able to create.
const FORBIDDEN_ELEMENTS: &[&str] =
    &["script", "iframe", "frame", "object", "embed", "form", "input", "textarea", "style", "base", "img", "meta"];

/// Attributes holding URLs a browser follows or loads.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "formaction", "xlink:href", "poster", "background"];

/// What a browser does to a URL before it looks at the scheme: leading C0 controls and spaces
/// are dropped, tabs and newlines anywhere are ignored, and the scheme is case-insensitive.
fn scheme_of(url: &str) -> String {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    cleaned.split_once(':').map(|(scheme, _)| scheme.to_owned()).unwrap_or_default()
}

/// Where an element sits, for messages.
fn describe(element: &ElementRef) -> String {
    let html = element.html();
    html.chars().take(160).collect()
}

fn live_markup_in(page: &str, html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut found = Vec::new();
    for node in document.tree.nodes() {
        let Some(element) = ElementRef::wrap(node) else { continue };
        let value = element.value();
        let name = value.name();
        // The theme's own elements are the only non-text elements of their kind: its meta tags,
        // its one script (search.js, loaded by src, never inline), the two search forms and
        // their fields, the relationship graph and the charts.
        let in_head = element.parent().and_then(ElementRef::wrap).is_some_and(|p| p.value().name() == "head");
        let theme_meta = name == "meta" && in_head && value.attr("http-equiv").is_none();
        let theme_script = name == "script"
            && in_head
            && value.attr("src").is_some_and(|src| src.ends_with("assets/search.js") && !src.contains(':'))
            && element.inner_html().is_empty();
        let theme_form = |form: ElementRef| {
            let class = form.value().attr("class").unwrap_or_default();
            let action = form.value().attr("action").unwrap_or_default();
            form.value().name() == "form"
                && matches!(class, "site-search" | "search-page")
                && (action.ends_with("search/")
                    || action.ends_with("search/index.html")
                    || matches!(action, "./" | "./index.html"))
        };
        let in_theme_form = element.ancestors().filter_map(ElementRef::wrap).any(theme_form);
        let theme_field = (name == "form" && theme_form(element)) || (name == "input" && in_theme_form);
        if FORBIDDEN_ELEMENTS.contains(&name) && !theme_meta && !theme_script && !theme_field {
            found.push(format!("{page}: <{name}> element: {}", describe(&element)));
        }
        let svg_home = element.parent().and_then(ElementRef::wrap).map(|p| (p.value().name(), p.value().attr("class")));
        let theme_svg = matches!(svg_home, Some(("section", _)) | Some(("figure", Some("chart"))));
        if name == "svg" && !theme_svg {
            found.push(format!("{page}: <svg> outside the graph section and the charts: {}", describe(&element)));
        }
        let theme_link = match value.attr("rel") {
            Some("stylesheet" | "icon") => true,
            Some("alternate") => value.attr("type") == Some("application/atom+xml") && in_head,
            _ => false,
        };
        if name == "link" && !theme_link {
            found.push(format!("{page}: unexpected <link>: {}", describe(&element)));
        }
        for (attribute, content) in value.attrs() {
            let attribute = attribute.to_ascii_lowercase();
            if attribute.starts_with("on") {
                found.push(format!("{page}: event handler `{attribute}`: {}", describe(&element)));
            }
            if attribute == "style" || attribute == "srcdoc" || attribute.contains(['"', '\'', '<', '>', '/']) {
                found.push(format!("{page}: attribute `{attribute}`: {}", describe(&element)));
            }
            if URL_ATTRIBUTES.contains(&attribute.as_str()) {
                let scheme = scheme_of(content);
                if !matches!(scheme.as_str(), "" | "http" | "https" | "mailto") {
                    found.push(format!("{page}: `{scheme}:` URL in {attribute}: {}", describe(&element)));
                }
            }
        }
    }
    found
}

#[test]
fn no_hostile_text_becomes_live_markup_on_any_page() {
    let tree = hostile_site();
    let pages = html_pages(&tree);
    let found: Vec<String> = pages.iter().flat_map(|(path, html)| live_markup_in(path, html)).collect();
    assert!(found.is_empty(), "{} live markup findings:\n{}", found.len(), found.join("\n"));
    // The markers are shown, as text, on the pages of the objects that carry them.
    let text: String =
        pages.iter().map(|(_, html)| Html::parse_document(html).root_element().text().collect::<String>()).collect();
    for marker in ["XSS-SCRIPT", "XSS-ONERROR", "XSS-SVG", "XSS-JSURL", "XSS-IFRAME", "XSS-FORM", "XSS-PAGETITLE"] {
        assert!(text.contains(marker), "{marker} is not shown anywhere: did its object get a page?");
    }
}

#[test]
fn template_syntax_in_content_is_never_evaluated() {
    let tree = hostile_site();
    // The output manifest holds hashes and times in digits, where `1337` turns up by chance.
    for (path, bytes) in tree.iter().filter(|(path, _)| path.as_str() != ".stixpress-manifest") {
        let text = String::from_utf8_lossy(bytes);
        // 7*191: the result of evaluating `{{ 7*191 }}`.
        assert!(!text.contains("1337"), "{path} evaluated a template expression from content");
        assert!(!text.contains("TPLLOOPTPLLOOP"), "{path} ran a template loop from content");
    }
    let pages = html_pages(&tree);
    let shown = |literal: &str| {
        pages.iter().any(|(_, html)| Html::parse_document(html).root_element().text().any(|t| t.contains(literal)))
    };
    for literal in ["TPL{{ 7*191 }}", "{% for x in range(3) %}TPLLOOP{% endfor %}", "{# TPLCOMMENT #}", "{{ config }}"]
    {
        assert!(shown(literal), "`{literal}` should be shown literally");
    }
}

#[test]
fn hostile_urls_are_never_links() {
    let tree = hostile_site();
    for (path, html) in html_pages(&tree) {
        let document = Html::parse_document(&html);
        for node in document.tree.nodes() {
            let Some(element) = ElementRef::wrap(node) else { continue };
            for (attribute, value) in element.value().attrs() {
                if !URL_ATTRIBUTES.contains(&attribute) {
                    continue;
                }
                assert!(
                    !value.contains("XSS-REFURL") && !value.contains("XSS-DATAURL"),
                    "{path}: a hostile URL in {attribute}: {}",
                    describe(&element)
                );
            }
        }
    }
}

#[test]
fn the_scheme_check_sees_what_a_browser_sees() {
    assert_eq!(scheme_of(" \u{1}JaVa\tScRipt:alert(1)"), "javascript");
    assert_eq!(scheme_of("../objects/x/"), "");
    assert_eq!(scheme_of("https://example.com/a:b"), "https");
}
