//! Markdown pages from `content/pages/*.md` (about, contributing), with TOML front matter
//! between `+++` lines: `title`, `description`, `weight` (order in the navigation), and
//! `audiences` (the audiences it is published to; default: every audience).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::citations::Citations;
use super::markdown::{no_internal_links, to_safe_html};
use crate::diag::Diagnostic;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContentPage {
    pub(crate) slug: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    #[serde(skip)]
    pub(crate) weight: i64,
    /// The audiences it is published to; empty means every audience.
    #[serde(skip)]
    pub(crate) audiences: Vec<String>,
    /// The body as safe HTML.
    pub(crate) html: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    description: Option<String>,
    weight: Option<i64>,
    audiences: Option<Vec<String>>,
}

impl ContentPage {
    pub(crate) fn is_for(&self, audience: &str) -> bool {
        self.audiences.is_empty() || self.audiences.iter().any(|a| a == audience)
    }
}

/// Reads every page in `dir` (none when it does not exist), ordered by weight then slug. A
/// page that cannot be read or is malformed is reported and left out.
pub(crate) fn load_pages(dir: &Path) -> (Vec<ContentPage>, Vec<Diagnostic>) {
    let mut pages = Vec::new();
    let mut diagnostics = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return (pages, diagnostics) };
    let mut paths = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        // Like bundles, pages are never read through a symlink: it could point anywhere.
        match entry.file_type() {
            Ok(t) if t.is_file() => paths.push(path),
            Ok(t) if t.is_symlink() => diagnostics.push(
                Diagnostic::warning("page-symlink", "this page is a symlink, which is never followed: left out")
                    .in_file(&path)
                    .with_help("copy the file into content/pages/ instead"),
            ),
            _ => {}
        }
    }
    paths.sort();
    for path in paths {
        match load_page(&path) {
            Ok(page) => pages.push(page),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    pages.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.slug.cmp(&b.slug)));
    (pages, diagnostics)
}

/// A page is prose: anything larger is a mistake, or an attempt to exhaust the build.
const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

fn load_page(path: &Path) -> Result<ContentPage, Box<Diagnostic>> {
    let problem = |code: &'static str, message: String, help: &str| {
        Box::new(Diagnostic::error(code, message).in_file(path).at(1, 1).with_help(help.to_owned()))
    };
    let slug = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
    let slug_ok = !slug.is_empty() && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    // Names the site generates are refused when publishing (page-name-reserved): only the
    // renderers know them.
    if !slug_ok {
        return Err(problem(
            "page-name",
            format!("`{slug}` cannot name a page: use lower-case letters, digits and hyphens"),
            "rename the file",
        ));
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size > MAX_PAGE_BYTES {
        return Err(problem(
            "page-unreadable",
            format!("this page is {size} bytes; pages may be at most {MAX_PAGE_BYTES}"),
            "split it into several pages",
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| problem("page-unreadable", format!("cannot read this page: {e}"), "save it as UTF-8"))?;
    let (front, body) = split_front_matter(&text);
    let front: FrontMatter = match front {
        Some(front) => toml::from_str(front).map_err(|e| {
            problem(
                "page-front-matter",
                format!("invalid front matter: {}", e.message()),
                "keys: title, description, weight, audiences",
            )
        })?,
        None => FrontMatter::default(),
    };
    Ok(ContentPage {
        title: front.title.unwrap_or_else(|| slug.clone()),
        description: front.description,
        weight: front.weight.unwrap_or(0),
        audiences: front.audiences.unwrap_or_default(),
        html: to_safe_html(body, &mut Citations::default(), &no_internal_links),
        slug,
    })
}

/// `(front matter, body)`: the front matter is the text between a first line `+++` and the
/// next line `+++`.
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text.strip_prefix("+++\n").or_else(|| text.strip_prefix("+++\r\n")) else { return (None, text) };
    match rest.find("\n+++") {
        Some(end) => {
            let body = &rest[end + 4..];
            (Some(&rest[..end]), body.trim_start_matches(['\r', '\n']))
        }
        None => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_sets_title_and_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("about.md"), "+++\ntitle = \"About us\"\nweight = 2\n+++\n# Hi\n").unwrap();
        std::fs::write(dir.path().join("contributing.md"), "+++\ntitle = \"Contributing\"\nweight = 1\n+++\nText")
            .unwrap();
        std::fs::write(dir.path().join("Bad Name.md"), "x").unwrap();
        let (pages, diagnostics) = load_pages(dir.path());
        let titles: Vec<&str> = pages.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Contributing", "About us"]);
        assert!(pages[1].html.contains("<h1>Hi</h1>"));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "page-name");
    }

    #[test]
    fn a_symlinked_page_is_left_out_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret.txt");
        std::fs::write(&secret, "not for publication").unwrap();
        let pages_dir = dir.path().join("pages");
        std::fs::create_dir(&pages_dir).unwrap();
        std::os::unix::fs::symlink(&secret, pages_dir.join("leak.md")).unwrap();
        let (pages, diagnostics) = load_pages(&pages_dir);
        assert!(pages.is_empty());
        assert_eq!(diagnostics[0].code, "page-symlink");
    }
}
