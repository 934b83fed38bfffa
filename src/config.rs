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
    taxii: Option<RawTaxii>,
    new: Option<RawNew>,
    /// `[import]`: like `[new]`, for what `stixpress import` writes (falls back to `[new]`);
    /// or `[[import]]`: the recurring sources `stixpress import` without SOURCE runs.
    import: Option<RawImport>,
}

/// TOML keeps `import` one table or one list of tables: `[import]` gives the importing
/// identity and markings; `[[import]]` names sources, each with its own.
#[derive(Debug)]
enum RawImport {
    Defaults(RawNew),
    Sources(Vec<RawImportSource>),
}

impl<'de> Deserialize<'de> for RawImport {
    // Not `#[serde(untagged)]`: its error would hide which key is unknown.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        match toml::Value::deserialize(deserializer)? {
            toml::Value::Array(tables) => tables
                .into_iter()
                .map(RawImportSource::deserialize)
                .collect::<Result<_, _>>()
                .map(RawImport::Sources)
                .map_err(|e| D::Error::custom(format!("[[import]]: {}", e.message()))),
            table => RawNew::deserialize(table)
                .map(RawImport::Defaults)
                .map_err(|e| D::Error::custom(format!("[import]: {}", e.message()))),
        }
    }
}

/// One `[[import]]` table: a recurring source and the file it is imported into.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImportSource {
    name: String,
    /// A path (file or folder, from the repository root) or an http(s) address.
    source: String,
    /// auto (default), misp, csv, text, stix, taxii.
    format: Option<String>,
    /// The bundle written, inside the content folder (from the repository root).
    to: PathBuf,
    /// The TAXII collection, when `source` is an API root.
    collection: Option<String>,
    /// Objects per TAXII page to ask for.
    limit: Option<usize>,
    /// The environment variable holding `user:password` for HTTP Basic authentication.
    auth_env: Option<String>,
    /// The name of the report made (lists, written reports), as `--name`.
    report: Option<String>,
    created_by_ref: Option<String>,
    object_marking_refs: Option<Vec<String>>,
}

/// `[new]`: what `stixpress new` puts in every object it prints.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNew {
    created_by_ref: Option<String>,
    /// TLP level names ("clear") or marking-definition ids.
    object_marking_refs: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxii {
    title: Option<String>,
    description: Option<String>,
    api_root: Option<String>,
    page_size: Option<usize>,
    collections: Option<Vec<RawCollection>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCollection {
    id: String,
    title: String,
    description: Option<String>,
    types: Option<Vec<String>>,
    labels: Option<Vec<String>>,
    markings: Option<Vec<String>>,
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
    commit_messages: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Option<String>,
    base_url: Option<String>,
    repository_url: Option<String>,
    matrix: Option<RawMatrix>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    /// Kill-chain phase names (`phase_name`), in the order a matrix shows them as columns.
    order: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    /// "warning" (default) or "error".
    missing_references: Option<String>,
    max_file_size_mib: Option<u64>,
    /// Diagnostics the human format lists per code (default 10; 0 lists none, only the summary).
    max_per_code: Option<usize>,
    /// Relationship types this community uses besides the specification's and ATT&CK's.
    relationship_types: Option<Vec<String>>,
    /// How far after the build time a timestamp may be before it is a warning (default 24).
    future_tolerance_hours: Option<u64>,
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
    pub taxii: Taxii,
    pub new: NewDefaults,
    /// The importing identity and markings (`[import]`, else `[new]`).
    pub import: NewDefaults,
    /// The `[[import]]` sources, in the configured order.
    pub imports: Vec<ImportSource>,
}

/// A recurring source (`[[import]]`), as `stixpress import` without SOURCE runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    pub name: String,
    /// A path (resolved from the repository root) or an http(s) address.
    pub source: PathBuf,
    pub format: crate::cli::ImportFormat,
    /// The bundle written (resolved from the repository root).
    pub to: PathBuf,
    pub collection: Option<String>,
    pub limit: Option<usize>,
    pub auth_env: Option<String>,
    pub report: Option<String>,
    /// Its identity and markings (else `[new]`'s).
    pub defaults: NewDefaults,
}

/// The defaults `stixpress new` writes into an object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDefaults {
    pub created_by_ref: Option<String>,
    /// Marking-definition ids (TLP names resolved to the TLP 2.0 definitions).
    pub object_marking_refs: Vec<String>,
}

/// The TAXII 2.1 server every audience's output holds (`taxii2/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxii {
    /// The discovery and API root title.
    pub title: String,
    pub description: Option<String>,
    /// The API root's path segment (`taxii2/<api_root>/`).
    pub api_root: String,
    /// Objects per page of the static files (a client's `limit` cannot change it there).
    pub page_size: usize,
    /// In the configured order; never empty.
    pub collections: Vec<Collection>,
}

/// A TAXII collection: which objects of the audience it holds. An object belongs when it
/// matches every filter given (a filter holds when any of its values matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// A UUID (TAXII clients require the id in the collection's URL).
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub types: Vec<String>,
    pub labels: Vec<String>,
    /// Marking-definition ids, or TLP level names (`clear`, `green`…).
    pub markings: Vec<String>,
}

/// The collections of a repository that configures none.
pub fn default_collections() -> Vec<Collection> {
    let collection = |id: &str, title: &str, description: &str, types: &[&str]| Collection {
        id: id.to_owned(),
        title: title.to_owned(),
        description: Some(description.to_owned()),
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        labels: Vec::new(),
        markings: Vec::new(),
    };
    // Fixed ids (UUIDv5 of their names), so that clients keep their subscriptions.
    vec![
        collection("53cc8462-778d-5082-8f0a-1f0bdda37ed7", "All objects", "Every object published here", &[]),
        collection(
            "b6be0ca8-8c2d-574a-aaa7-495374f1268f",
            "Indicators",
            "The indicators published here, for detection",
            &["indicator"],
        ),
    ]
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
    /// How much of a commit's message its pages show.
    pub commit_messages: CommitMessages,
}

/// How much of a commit's message an audience's pages show. A commit that brought a version
/// this audience sees is shown with it; its message may also describe withheld work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitMessages {
    /// Subject and body.
    Full,
    /// The subject line only.
    Subject,
    /// Neither: commits show their id, author and date.
    None,
}

impl CommitMessages {
    fn parse(text: &str) -> Option<CommitMessages> {
        match text {
            "full" => Some(CommitMessages::Full),
            "subject" => Some(CommitMessages::Subject),
            "none" => Some(CommitMessages::None),
            _ => None,
        }
    }
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
            commit_messages: CommitMessages::Full,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Site {
    pub title: String,
    pub base_url: Option<String>,
    pub repository_url: Option<String>,
    /// `[site.matrix] order`: the column order of a kill chain's matrix when no ATT&CK matrix
    /// (`x-mitre-matrix`) gives one; phases not listed follow in the order the data has them.
    pub matrix_order: Vec<String>,
}

impl Site {
    /// `path` (from the site root) as a file whose way back to the root is `root` links to it:
    /// absolute when the base URL is known (feeds read outside the site need that).
    pub fn url(&self, path: &str, root: &str) -> String {
        match &self.base_url {
            Some(base) => format!("{}/{path}", base.trim_end_matches('/')),
            None => format!("{root}{path}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckSettings {
    pub missing_references: Severity,
    pub max_file_size: u64,
    /// Diagnostics `check`'s human format lists per code (`--all` lists every one).
    pub max_per_code: usize,
    /// The community's own relationship types, known like the specification's.
    pub relationship_types: Vec<String>,
    /// Seconds after the build time a timestamp may be before it is a warning.
    pub future_tolerance_seconds: i64,
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

fn is_relationship_type(kind: &str) -> bool {
    (3..=250).contains(&kind.len()) && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Diagnostics of one code `check` lists unless told otherwise.
const DEFAULT_MAX_PER_CODE: usize = 10;

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
    if let Some(kind) = check.relationship_types.iter().flatten().find(|k| !is_relationship_type(k)) {
        return Err(invalid(format!(
            "check.relationship_types has \"{kind}\"; a relationship type is lowercase ASCII letters, digits and hyphens"
        )));
    }
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
    let taxii = resolve_taxii(raw.taxii.unwrap_or_default(), &site).map_err(invalid)?;
    let new = resolve_new(raw.new.unwrap_or_default()).map_err(invalid)?;
    let (import, imports) = match raw.import {
        None => (new.clone(), Vec::new()),
        Some(RawImport::Defaults(import)) => (resolve_import_defaults(import, &new).map_err(invalid)?, Vec::new()),
        Some(RawImport::Sources(sources)) => {
            let imports = sources
                .into_iter()
                .map(|raw| resolve_import_source(raw, &new, &root))
                .collect::<Result<Vec<_>, String>>()
                .map_err(invalid)?;
            (new.clone(), imports)
        }
    };
    Ok(Config {
        new,
        import,
        imports,
        audiences,
        taxii,
        from_file,
        content_dir,
        site: Site {
            title: site.title.unwrap_or_else(|| DEFAULT_TITLE.to_owned()),
            base_url: site.base_url,
            repository_url: site.repository_url,
            matrix_order: site.matrix.and_then(|m| m.order).unwrap_or_default(),
        },
        check: CheckSettings {
            missing_references,
            max_file_size: check.max_file_size_mib.unwrap_or(100).saturating_mul(1024 * 1024),
            max_per_code: check.max_per_code.unwrap_or(DEFAULT_MAX_PER_CODE),
            relationship_types: check.relationship_types.unwrap_or_default(),
            future_tolerance_seconds: i64::try_from(check.future_tolerance_hours.unwrap_or(24))
                .unwrap_or(i64::MAX / 3600)
                .saturating_mul(3600),
        },
        root,
    })
}

/// `[import]`'s identity and markings, the identity falling back to `[new]`'s.
fn resolve_import_defaults(raw: RawNew, new: &NewDefaults) -> Result<NewDefaults, String> {
    let mut import = resolve_new(raw)?;
    import.created_by_ref = import.created_by_ref.or_else(|| new.created_by_ref.clone());
    Ok(import)
}

fn resolve_import_source(raw: RawImportSource, new: &NewDefaults, root: &Path) -> Result<ImportSource, String> {
    use clap::ValueEnum;
    let format = match raw.format.as_deref() {
        None => crate::cli::ImportFormat::Auto,
        Some(name) => crate::cli::ImportFormat::from_str(name, true).map_err(|_| {
            format!("[[import]] `{}`: format \"{name}\" is not auto, misp, csv, text, stix or taxii", raw.name)
        })?,
    };
    let is_url = raw.source.starts_with("http://") || raw.source.starts_with("https://");
    let source = if is_url { PathBuf::from(&raw.source) } else { root.join(&raw.source) };
    let own = RawNew { created_by_ref: raw.created_by_ref, object_marking_refs: raw.object_marking_refs };
    let mut defaults = resolve_import_defaults(own, new)?;
    if defaults.object_marking_refs.is_empty() {
        defaults.object_marking_refs = new.object_marking_refs.clone();
    }
    Ok(ImportSource {
        name: raw.name,
        source,
        format,
        to: root.join(raw.to),
        collection: raw.collection,
        limit: raw.limit,
        auth_env: raw.auth_env,
        report: raw.report,
        defaults,
    })
}

fn resolve_new(raw: RawNew) -> Result<NewDefaults, String> {
    let is_id = |id: &str, kind: &str| {
        crate::stix::parse_id(id, crate::stix::SpecVersion::V21).is_ok_and(|parts| parts.object_type == kind)
    };
    if let Some(id) = raw.created_by_ref.as_deref().filter(|id| !is_id(id, "identity")) {
        return Err(format!("new.created_by_ref \"{id}\" is not an identity id (identity--<uuid>)"));
    }
    let mut markings = Vec::new();
    for marking in raw.object_marking_refs.unwrap_or_default() {
        if is_id(&marking, "marking-definition") {
            markings.push(marking);
            continue;
        }
        let tlp2 = crate::stix::marking::TLP_MARKINGS.iter().find(|m| m.2 == 2 && m.3.eq_ignore_ascii_case(&marking));
        match tlp2 {
            Some(definition) => markings.push(definition.0.to_owned()),
            None => {
                return Err(format!(
                    "new.object_marking_refs has \"{marking}\": give a TLP level (clear, green, amber, amber+strict, red) or a marking-definition id"
                ))
            }
        }
    }
    Ok(NewDefaults { created_by_ref: raw.created_by_ref, object_marking_refs: markings })
}

fn resolve_taxii(raw: RawTaxii, site: &RawSite) -> Result<Taxii, String> {
    let api_root = raw.api_root.unwrap_or_else(|| "api".to_owned());
    if !is_path_segment(&api_root) {
        return Err(format!("taxii.api_root \"{api_root}\" may only hold a-z, 0-9, - and _"));
    }
    let page_size = raw.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=100_000).contains(&page_size) {
        return Err(format!("taxii.page_size is {page_size}; use 1 to 100000"));
    }
    let collections = match raw.collections {
        None => default_collections(),
        Some(raw) if raw.is_empty() => return Err("taxii.collections lists no collection".into()),
        Some(raw) => raw.into_iter().map(resolve_collection).collect::<Result<_, _>>()?,
    };
    for (i, c) in collections.iter().enumerate() {
        if collections[..i].iter().any(|earlier| earlier.id == c.id) {
            return Err(format!("taxii.collections has the id \"{}\" twice", c.id));
        }
    }
    let title = raw.title.or_else(|| site.title.clone()).unwrap_or_else(|| DEFAULT_TITLE.to_owned());
    Ok(Taxii { title, description: raw.description, api_root, page_size, collections })
}

/// Objects per static TAXII page unless configured: a common client default, and small
/// enough that the first page of a large collection arrives quickly.
const DEFAULT_PAGE_SIZE: usize = 100;

const DEFAULT_TITLE: &str = "Threat intelligence";

fn resolve_collection(raw: RawCollection) -> Result<Collection, String> {
    if !is_uuid(&raw.id) {
        return Err(format!("taxii collection id \"{}\" is not a UUID (e.g. from `uuidgen`)", raw.id));
    }
    if raw.title.trim().is_empty() {
        return Err(format!("taxii collection {} has an empty title", raw.id));
    }
    let markings = raw.markings.unwrap_or_default();
    if let Some(bad) = markings.iter().find(|m| !m.starts_with("marking-definition--") && Tlp::from_name(m).is_none()) {
        return Err(format!(
            "taxii collection {} has marking \"{bad}\": use a marking-definition id or a TLP level name",
            raw.id
        ));
    }
    Ok(Collection {
        id: raw.id.to_ascii_lowercase(),
        title: raw.title,
        description: raw.description,
        types: raw.types.unwrap_or_default(),
        labels: raw.labels.unwrap_or_default(),
        markings,
    })
}

fn is_path_segment(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

fn resolve_audience(name: String, raw: RawAudience, root: &Path) -> Result<Audience, String> {
    if !is_path_segment(&name) {
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
    let commit_messages = match raw.commit_messages.as_deref() {
        None => CommitMessages::Full,
        Some(text) => CommitMessages::parse(text)
            .ok_or_else(|| format!("audiences.{name}.commit_messages is \"{text}\"; use full, subject or none"))?,
    };
    Ok(Audience {
        commit_messages,
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
