//! Finding the bundle files: every `*.json` under the given folders, in a stable order.
//!
//! Symlinks are never followed: a link can point outside the repository (a contributor could
//! otherwise publish `/etc/passwd`'s neighbours) or loop. Each one is reported instead.
//! Hidden folders (`.git`, `.github`) are skipped.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::Diagnostic;
use crate::error::Error;

/// The files to load, and what discovery had to say about the tree.
#[derive(Default)]
pub(crate) struct Discovered {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Lists the JSON files under each path (a file given by name is taken whatever its extension).
/// A path that does not exist is an operational error: the command line was wrong.
pub(crate) fn discover(paths: &[PathBuf], root: &Path) -> Result<Discovered, Error> {
    let mut found = Discovered::default();
    for path in paths {
        let meta = std::fs::symlink_metadata(path).map_err(|source| Error::io(path, source))?;
        if meta.file_type().is_symlink() {
            found.diagnostics.push(symlink_diagnostic(path, root));
        } else if meta.is_file() {
            found.files.push(path.clone());
        } else {
            walk(path, root, &mut found);
        }
    }
    // Byte order, not path-component order: as deterministic, and a plain memcmp.
    found.files.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    found.files.dedup();
    Ok(found)
}

fn walk(dir: &Path, root: &Path, found: &mut Discovered) {
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(entry) if entry.path_is_symlink() => {
                if is_json(entry.path()) || std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
                    found.diagnostics.push(symlink_diagnostic(entry.path(), root));
                }
            }
            Ok(entry) if entry.file_type().is_file() && is_json(entry.path()) => {
                found.files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
                found.diagnostics.push(
                    Diagnostic::error("unreadable-path", format!("cannot read this folder: {err}"))
                        .in_file(path)
                        .with_help("check the permissions of the folder"),
                );
            }
        }
    }
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// A symlink is an error when it leads outside the repository (or nowhere), a warning when it
/// stays inside; it is skipped either way.
fn symlink_diagnostic(path: &Path, root: &Path) -> Diagnostic {
    let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
    let inside = match (std::fs::canonicalize(path), std::fs::canonicalize(root)) {
        (Ok(resolved), Ok(root)) => resolved.starts_with(root),
        _ => false,
    };
    let help = "commit the file itself instead of a link; links are never followed";
    if inside {
        Diagnostic::warning("symlink", format!("symlink to `{target}` is not followed")).in_file(path).with_help(help)
    } else {
        Diagnostic::error(
            "symlink-outside-repository",
            format!("symlink to `{target}` points outside the repository (or nowhere) and is not followed"),
        )
        .in_file(path)
        .with_help(help)
    }
}
