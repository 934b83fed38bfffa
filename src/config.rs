//! `stixpress.toml`: the raw file (serde, unknown keys refused by name) resolved with the
//! command-line flags into the options every stage uses. Everything has a default, so a folder
//! of bundles works with no config at all.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Severity;
use crate::error::Error;

pub const CONFIG_FILE: &str = "stixpress.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    content: Option<PathBuf>,
    site: Option<RawSite>,
    check: Option<RawCheck>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Option<String>,
    base_url: Option<String>,
    repository_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    /// "warning" (default) or "error".
    missing_references: Option<String>,
    max_file_size_mib: Option<u64>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    /// Whether a `stixpress.toml` was found.
    pub from_file: bool,
    pub content_dir: PathBuf,
    pub site: Site,
    pub check: CheckSettings,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub title: String,
    pub base_url: Option<String>,
    pub repository_url: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct CheckSettings {
    pub missing_references: Severity,
    pub max_file_size: u64,
}

impl Config {
    /// Finds and reads the configuration: `root` when given, else the nearest folder upward
    /// from `cwd` holding `stixpress.toml`, else `cwd` with defaults.
    pub fn load(root: Option<&Path>, content: Option<&Path>, cwd: &Path) -> Result<Config, Error> {
        let (root, file) = match root {
            Some(root) => {
                if !root.is_dir() {
                    return Err(Error::Usage(format!("--root `{}` is not a folder", root.display())));
                }
                let file = root.join(CONFIG_FILE);
                (root.to_path_buf(), file.is_file().then_some(file))
            }
            None => match find_upward(cwd) {
                Some(file) => (file.parent().map_or_else(|| cwd.to_path_buf(), Path::to_path_buf), Some(file)),
                None => (cwd.to_path_buf(), None),
            },
        };
        let raw = match &file {
            Some(path) => parse(path)?,
            None => RawConfig::default(),
        };
        resolve(raw, root, file.is_some(), content)
    }
}

fn find_upward(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|dir| dir.join(CONFIG_FILE)).find(|file| file.is_file())
}

fn parse(path: &Path) -> Result<RawConfig, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    toml::from_str(&text)
        .map_err(|e| Error::Config { path: path.to_path_buf(), message: e.to_string().trim_end().to_owned() })
}

fn resolve(raw: RawConfig, root: PathBuf, from_file: bool, content: Option<&Path>) -> Result<Config, Error> {
    let config_path = root.join(CONFIG_FILE);
    let invalid = |message: String| Error::Config { path: config_path.clone(), message };
    let site = raw.site.unwrap_or_default();
    let check = raw.check.unwrap_or_default();
    let missing_references = match check.missing_references.as_deref() {
        None | Some("warning") => Severity::Warning,
        Some("error") => Severity::Error,
        Some(other) => {
            return Err(invalid(format!("check.missing_references is \"{other}\"; use \"warning\" or \"error\"")))
        }
    };
    let content_dir = match content {
        Some(dir) => dir.to_path_buf(),
        None => root.join(raw.content.unwrap_or_else(|| PathBuf::from("content"))),
    };
    Ok(Config {
        from_file,
        content_dir,
        site: Site {
            title: site.title.unwrap_or_else(|| "Threat intelligence".to_owned()),
            base_url: site.base_url,
            repository_url: site.repository_url,
        },
        check: CheckSettings {
            missing_references,
            max_file_size: check.max_file_size_mib.unwrap_or(100).saturating_mul(1024 * 1024),
        },
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let err = toml::from_str::<RawConfig>("[check]\nmissing_refs = \"error\"\n").unwrap_err();
        assert!(err.to_string().contains("missing_refs"), "{err}");
    }

    #[test]
    fn no_config_means_defaults() {
        let config = resolve(RawConfig::default(), PathBuf::from("/repo"), false, None).unwrap();
        assert_eq!(config.content_dir, PathBuf::from("/repo/content"));
        assert_eq!(config.check.missing_references, Severity::Warning);
    }
}
