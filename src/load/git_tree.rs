//! The content as a git revision holds it: the same files `discover` would find in a working
//! tree (`*.json`, hidden folders skipped, symlinks reported and skipped), read from the
//! repository's objects instead of the disk. Used by `build --rev`, `diff` and
//! `check --changed-since`.

use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use crate::diag::Diagnostic;
use crate::error::Error;

/// A repository and where the content folder sits in it.
pub(crate) struct GitContent {
    pub(crate) repo: Repository,
    /// The working tree's top folder, canonical.
    pub(crate) workdir: PathBuf,
    /// The content folder relative to the top folder, `/`-separated (empty: the whole tree).
    pub(crate) prefix: String,
}

/// One content file of a revision: the path it has in a working tree, and its bytes.
pub(crate) struct TreeFile {
    pub(crate) path: PathBuf,
    pub(crate) bytes: Vec<u8>,
}

impl GitContent {
    /// Opens the repository holding `content_dir`. The error says why there is no history.
    pub(crate) fn open(content_dir: &Path) -> Result<GitContent, String> {
        let repo =
            Repository::discover(content_dir).map_err(|_| "the content is not in a git repository".to_owned())?;
        let workdir = repo.workdir().ok_or("the repository is bare (it has no working tree)")?;
        let workdir = std::fs::canonicalize(workdir).map_err(|e| format!("cannot read {}: {e}", workdir.display()))?;
        let content = std::fs::canonicalize(content_dir).unwrap_or_else(|_| content_dir.to_path_buf());
        let relative = content.strip_prefix(&workdir).map_err(|_| "the content folder is outside the repository")?;
        let prefix = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        Ok(GitContent { repo, workdir, prefix })
    }

    /// The commit a revision name (`HEAD`, `main`, `v18.0`, a SHA) stands for.
    pub(crate) fn commit(&self, rev: &str) -> Result<git2::Commit<'_>, Error> {
        let object = self
            .repo
            .revparse_single(rev)
            .map_err(|e| Error::Usage(format!("no revision `{rev}` in this repository: {}", e.message())))?;
        object.peel_to_commit().map_err(|e| Error::Usage(format!("`{rev}` is not a commit: {}", e.message())))
    }

    /// The content folder's tree at `commit` (None when the folder did not exist then).
    pub(crate) fn content_tree<'r>(&'r self, commit: &git2::Commit<'r>) -> Option<git2::Tree<'r>> {
        let tree = commit.tree().ok()?;
        if self.prefix.is_empty() {
            return Some(tree);
        }
        let entry = tree.get_path(Path::new(&self.prefix)).ok()?;
        entry.to_object(&self.repo).ok()?.into_tree().ok()
    }

    /// Every content file of `rev`, named as in a working tree under `shown_dir` (the content
    /// folder as the user gave it), plus a diagnostic for each symlink skipped.
    pub(crate) fn files(&self, rev: &str, shown_dir: &Path) -> Result<(Vec<TreeFile>, Vec<Diagnostic>), Error> {
        let commit = self.commit(rev)?;
        let Some(tree) = self.content_tree(&commit) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut entries = Vec::new();
        let mut diagnostics = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |folder, entry| {
            let name = entry.name().unwrap_or_default();
            if name.starts_with('.') {
                return TreeWalkResult::Skip;
            }
            let relative = format!("{folder}{name}");
            if entry.filemode() == 0o120000 && is_json(name) {
                diagnostics.push(
                    Diagnostic::warning("symlink", format!("`{relative}` is a symbolic link in {rev}; skipped"))
                        .in_file(shown_dir.join(&relative))
                        .with_help("commit the file itself instead of a link to it"),
                );
            } else if entry.kind() == Some(ObjectType::Blob) && is_json(name) {
                entries.push((relative, entry.id()));
            }
            TreeWalkResult::Ok
        })
        .map_err(|e| Error::Usage(format!("cannot read the tree of `{rev}`: {}", e.message())))?;
        let mut files = Vec::with_capacity(entries.len());
        for (relative, id) in entries {
            let blob =
                self.repo.find_blob(id).map_err(|e| Error::Usage(format!("cannot read `{relative}` in {rev}: {e}")))?;
            files.push(TreeFile { path: shown_dir.join(&relative), bytes: blob.content().to_vec() });
        }
        files.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
        Ok((files, diagnostics))
    }

    /// The bytes of the file at `repo_path` in `rev`, when it is there.
    pub(crate) fn file_at(&self, rev: &str, repo_path: &str) -> Option<Vec<u8>> {
        let tree = self.commit(rev).ok()?.tree().ok()?;
        let entry = tree.get_path(Path::new(repo_path)).ok()?;
        Some(self.repo.find_blob(entry.id()).ok()?.content().to_vec())
    }

    /// A file's path relative to the top folder, `/`-separated, from the path it was loaded
    /// by (relative to `cwd`, or absolute).
    pub(crate) fn repo_path(&self, file: &Path, cwd: &Path) -> Option<String> {
        let absolute = normalise(&cwd.join(file));
        let relative = absolute.strip_prefix(&self.workdir).ok().map(Path::to_path_buf).or_else(|| {
            let parent = std::fs::canonicalize(absolute.parent()?).ok()?;
            Some(parent.join(absolute.file_name()?).strip_prefix(&self.workdir).ok()?.to_path_buf())
        })?;
        Some(relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
    }
}

pub(crate) fn is_json(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("json"))
}

/// `a/./b/../c` → `a/c`, without asking the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
