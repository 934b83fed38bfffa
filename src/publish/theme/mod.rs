//! The theme: templates (minijinja, autoescaped) and static assets, embedded in the binary.
//!
//! A site overrides them file by file: `templates/<name>.html` beside stixpress.toml replaces
//! the embedded template of that name, and every file in `theme/` replaces (or adds) the asset
//! of that name under `assets/`. Anything there that is not a regular file (a symlink, a FIFO,
//! a folder) is left out with a warning, like everywhere else: a theme folder is contributed
//! content too, and reading a FIFO would stall the build.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::diag::Diagnostic;
use crate::error::Error;

/// The embedded templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("object.html", include_str!("templates/object.html")),
    ("list.html", include_str!("templates/list.html")),
    ("types.html", include_str!("templates/types.html")),
    ("index.html", include_str!("templates/index.html")),
    ("page.html", include_str!("templates/page.html")),
    ("killchain.html", include_str!("templates/killchain.html")),
    ("matrices.html", include_str!("templates/matrices.html")),
    ("feeds.html", include_str!("templates/feeds.html")),
    ("contributors.html", include_str!("templates/contributors.html")),
    ("contributor.html", include_str!("templates/contributor.html")),
    ("search.html", include_str!("templates/search.html")),
    ("trending.html", include_str!("templates/trending.html")),
    ("reports.html", include_str!("templates/reports.html")),
];

/// The embedded assets, by file name.
const ASSETS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("assets/style.css")),
    ("favicon.svg", include_bytes!("assets/favicon.svg")),
    ("search.js", include_bytes!("assets/search.js")),
];

pub(crate) struct Theme {
    env: Environment<'static>,
    assets: BTreeMap<String, Cow<'static, [u8]>>,
    /// Files of the site's theme or templates left out (not regular files).
    warnings: Vec<Diagnostic>,
    /// Everything besides its context that decides what a template renders: the templates'
    /// text and the program running them (its filters, its escaping).
    fingerprint: [u8; 32],
}

impl Theme {
    /// The embedded theme with the overrides found under `root` (if any).
    pub(crate) fn load(root: Option<&Path>) -> Result<Theme, Error> {
        let mut env = Environment::new();
        // Every template is HTML, whatever a site names its own: escaping is never optional.
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_formatter(escape_formatter);
        // A line holding only a tag (`{% if %}`, `{% for %}`) leaves nothing behind, not its
        // indentation and newline: those were a twentieth of every page.
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let mut sources: BTreeMap<String, String> =
            TEMPLATES.iter().map(|(name, text)| ((*name).to_owned(), (*text).to_owned())).collect();
        let mut assets: BTreeMap<String, Cow<'static, [u8]>> =
            ASSETS.iter().map(|(name, bytes)| ((*name).to_owned(), Cow::Borrowed(*bytes))).collect();
        let mut warnings = Vec::new();
        if let Some(root) = root {
            for (name, bytes) in overrides(&root.join("templates"), &mut warnings)? {
                let text =
                    String::from_utf8(bytes).map_err(|_| Error::Usage(format!("template `{name}` is not UTF-8")))?;
                sources.insert(name, text);
            }
            for (name, bytes) in overrides(&root.join("theme"), &mut warnings)? {
                assets.insert(name, Cow::Owned(bytes));
            }
        }
        let fingerprint = fingerprint(&sources);
        for (name, text) in sources {
            env.add_template_owned(name.clone(), text).map_err(|source| template_error(source, "the theme"))?;
        }
        Ok(Theme { env, assets, warnings, fingerprint })
    }

    /// What, besides a page's context, its rendering depends on (see `fingerprint`).
    pub(crate) fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// Warnings about the site's own theme and template files.
    pub(crate) fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Renders template `name` with `context`; `rendering` says what for (an object's id, a
    /// page), so an error names the template, its line and the object.
    pub(crate) fn render(&self, name: &str, context: &impl Serialize, rendering: &str) -> Result<String, Error> {
        let template = self.env.get_template(name).map_err(|source| template_error(source, rendering))?;
        template.render(context).map_err(|source| template_error(source, rendering))
    }

    pub(crate) fn assets(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.assets.iter().map(|(name, bytes)| (name.as_str(), bytes.as_ref()))
    }
}

/// A hash of the templates and of the running program (`program::fingerprint`).
fn fingerprint(sources: &BTreeMap<String, String>) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    for (name, text) in sources {
        crate::audience::reads::text(&mut hasher, name);
        crate::audience::reads::text(&mut hasher, text);
    }
    hasher.update(crate::program::fingerprint());
    *hasher.finalize().as_bytes()
}

/// HTML escaping of the five characters that matter (minijinja's own also escapes `/`, which
/// adds a sixth of the size of every link on a page for nothing).
fn escape_formatter(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if !value.is_safe() && state.auto_escape() == AutoEscape::Html => {
            crate::publish::shared::escape::escape_into(out, text).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn template_error(source: minijinja::Error, rendering: &str) -> Error {
    let template = match (source.name(), source.line()) {
        (Some(name), Some(line)) => format!("{name}, line {line}"),
        (Some(name), None) => name.to_owned(),
        _ => "(unknown)".to_owned(),
    };
    Error::Template { template, rendering: rendering.to_owned(), source }
}

/// The regular files directly in `dir` (none when it does not exist), by name; anything else
/// not hidden gets a warning.
fn overrides(dir: &Path, warnings: &mut Vec<Diagnostic>) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let kind = entry.file_type().map_err(|e| Error::io(&entry.path(), e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        if name.starts_with('.') {
            continue;
        }
        if !kind.is_file() {
            warnings.push(not_a_file(&entry.path(), kind));
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(&entry.path(), e))?;
        files.push((name, bytes));
    }
    files.sort();
    Ok(files)
}

fn not_a_file(path: &Path, kind: std::fs::FileType) -> Diagnostic {
    use std::os::unix::fs::FileTypeExt;
    let what = if kind.is_symlink() {
        "a symlink, which is never followed"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    };
    Diagnostic::warning("theme-file-skipped", format!("this is {what}: left out of the theme"))
        .in_file(path)
        .with_help("put a regular file here (a copy, not a link) to override the built-in one")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_template_replaces_the_embedded_one_and_still_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "<h1>{{ page.title }}</h1>").unwrap();
        let theme = Theme::load(Some(dir.path())).unwrap();
        let context = minijinja::context! { page => minijinja::context! { title => "<b>x</b>" } };
        assert_eq!(theme.render("page.html", &context, "a test").unwrap(), "<h1>&lt;b&gt;x&lt;/b&gt;</h1>");
    }

    #[test]
    fn symlinks_and_fifos_are_left_out_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("theme")).unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("theme/style.css")).unwrap();
        let fifo = dir.path().join("templates/page.html");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let theme = Theme::load(Some(dir.path())).unwrap();
        let warnings: Vec<String> = theme.warnings().iter().map(|d| d.message.clone()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("a FIFO")) && warnings.iter().any(|w| w.contains("symlink")));
        assert!(theme.warnings().iter().all(|d| d.code == "theme-file-skipped"));
        let css = theme.assets().find(|(n, _)| *n == "style.css").unwrap().1;
        assert_eq!(css, include_bytes!("assets/style.css"));
    }

    #[test]
    fn a_broken_template_names_itself_its_line_and_the_object() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "ok\n{{ page.title | nosuchfilter }}").unwrap();
        let theme = Theme::load(Some(dir.path())).unwrap();
        let err = theme.render("page.html", &minijinja::context! {}, "object tool--1").unwrap_err().to_string();
        assert!(err.contains("page.html, line 2") && err.contains("tool--1"), "{err}");
    }
}
