//! Operational errors: the run cannot go on (an unreadable root, a bad config, a failed write).
//! Problems in the content are never errors here; they are diagnostics.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {what}")]
    Write {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration in `{path}`: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
    /// A feed file failed the whole-file check made before it is written (every rule in it
    /// passed its own check, so this is a fault of stixpress, not of the content).
    #[error("refusing to publish a feed: {0}")]
    Feed(String),
    #[error("template `{template}` failed while rendering {rendering}")]
    Template {
        template: String,
        rendering: String,
        #[source]
        source: minijinja::Error,
    },
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }

    pub fn write(path: &Path, source: std::io::Error) -> Error {
        Error::Write { what: format!("`{}`", path.display()), source }
    }
}

/// What caused `error`, the nearest cause first.
pub fn causes(error: &dyn std::error::Error) -> impl Iterator<Item = &dyn std::error::Error> {
    std::iter::successors(error.source(), |cause| cause.source())
}

/// What `error` says, then each cause after it (`: No space left on device`), on one line: for
/// a log that shows one error in a line (`serve`'s rebuilds), which must still say why.
pub fn in_one_line(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    for cause in causes(error) {
        line.push_str(": ");
        line.push_str(&cause.to_string());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_in_one_line_says_its_cause() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let error = Error::write(Path::new("public/index.html"), full);
        assert_eq!(error.to_string(), "cannot write `public/index.html`");
        assert!(in_one_line(&error).starts_with("cannot write `public/index.html`: "), "{}", in_one_line(&error));
        assert_eq!(in_one_line(&Error::Usage("no".into())), "no");
    }
}
