//! `stixpress.toml`: the raw file (serde, unknown keys refused by name) resolved with the
//! command-line flags into the options every stage uses. Everything has a default, so a folder
//! of bundles works with no config at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Severity;
use crate::error::Error;
use crate::stix::marking::Tlp;

pub const CONFIG_FILE: &str = "stixpress.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    content: Option<PathBuf>,
    site: Option<RawSite>,
    check: Option<RawCheck>,
    audiences: Option<BTreeMap<String, RawAudience>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudience {
    /// TLP levels by name: "clear", "white", "green", "amber", "amber+strict", "red".
    tlp: Option<Vec<String>>,
    unmarked: Option<bool>,
    markings: Option<Vec<String>>,
    output: Option<PathBuf>,
    redact_refs: Option<bool>,
    show_withheld: Option<bool>,
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
    /// Who the site is built for, in name order; never empty.
    pub audiences: Vec<Audience>,
}

/// One audience: what it may see and where its output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub name: String,
    /// The TLP levels it may see.
    pub tlp: Vec<Tlp>,
    /// Whether objects without any marking are published to it.
    pub unmarked: bool,
    /// Other marking definitions (by id) it may see: a community's own markings, or a
    /// statement whose definition the repository lacks.
    pub markings: Vec<String>,
    /// Where its output goes (absolute: resolved against the root).
    pub output: PathBuf,
    /// Publish reports, groupings, notes and opinions that list withheld objects, with those
    /// references removed (and `created_by_ref`, `where_sighted_refs`, `observed_data_refs`
    /// of any object), instead of withholding them too.
    pub redact_refs: bool,
    /// Where references were removed, say "not available to this audience" (never a name or id).
    pub show_withheld: bool,
}

impl Audience {
    /// The audience of a repository without configured audiences: anyone on the internet.
    pub fn public(root: &Path) -> Audience {
        Audience {
            name: "public".into(),
            tlp: vec![Tlp::Clear, Tlp::White],
            unmarked: true,
            markings: Vec::new(),
            output: root.join("public"),
            redact_refs: false,
            show_withheld: false,
        }
    }
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
    let audiences = match raw.audiences {
        None => vec![Audience::public(&root)],
        Some(raw) if raw.is_empty() => return Err(invalid("[audiences] lists no audience".into())),
        Some(raw) => raw
            .into_iter()
            .map(|(name, audience)| resolve_audience(name, audience, &root))
            .collect::<Result<_, String>>()
            .map_err(invalid)?,
    };
    Ok(Config {
        audiences,
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

fn resolve_audience(name: String, raw: RawAudience, root: &Path) -> Result<Audience, String> {
    let safe = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(safe) {
        return Err(format!("audience name \"{name}\" may only hold a-z, 0-9, - and _"));
    }
    let tlp = match raw.tlp {
        None => vec![Tlp::Clear, Tlp::White],
        Some(levels) => levels
            .iter()
            .map(|level| {
                Tlp::from_name(level).ok_or_else(|| {
                    format!("audiences.{name}.tlp has \"{level}\"; use clear, white, green, amber, amber+strict or red")
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let markings = raw.markings.unwrap_or_default();
    if let Some(bad) = markings.iter().find(|m| !m.starts_with("marking-definition--")) {
        return Err(format!("audiences.{name}.markings has \"{bad}\", which is not a marking-definition id"));
    }
    let output = root.join(raw.output.unwrap_or_else(|| PathBuf::from(&name)));
    Ok(Audience {
        tlp,
        unmarked: raw.unmarked.unwrap_or(true),
        markings,
        output,
        redact_refs: raw.redact_refs.unwrap_or(false),
        show_withheld: raw.show_withheld.unwrap_or(false),
        name,
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
        assert_eq!(config.audiences, [Audience::public(Path::new("/repo"))]);
    }

    #[test]
    fn audiences_are_read_with_their_defaults() {
        let raw: RawConfig = toml::from_str(
            "[audiences.public]\n[audiences.members]\ntlp = [\"clear\", \"green\", \"amber\"]\noutput = \"site/members\"\n",
        )
        .unwrap();
        let config = resolve(raw, PathBuf::from("/repo"), true, None).unwrap();
        let members = &config.audiences[0];
        assert_eq!(members.name, "members");
        assert_eq!(members.tlp, [Tlp::Clear, Tlp::Green, Tlp::Amber]);
        assert_eq!(members.output, PathBuf::from("/repo/site/members"));
        assert_eq!(config.audiences[1], Audience::public(Path::new("/repo")));
    }

    #[test]
    fn an_unknown_tlp_level_or_a_bad_audience_name_is_an_error() {
        for text in ["[audiences.public]\ntlp = [\"orange\"]\n", "[audiences.\"../x\"]\n"] {
            let raw: RawConfig = toml::from_str(text).unwrap();
            assert!(resolve(raw, PathBuf::from("/repo"), true, None).is_err(), "{text}");
        }
    }
}
