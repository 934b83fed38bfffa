//! `stixpress import`: sources from outside (MISP events, indicator lists and CSV, written
//! reports) become one STIX 2.1 bundle, ready to commit under the content folder.
//!
//! Every source is hostile: reading one never panics, costs time linear in its size, and
//! reports what it could not use as located diagnostics while importing the rest. The output
//! is deterministic: ids derive from content, times from the source (else `--now` or
//! `SOURCE_DATE_EPOCH`, else the file's modification time); no clock, no random numbers. What
//! the repository already holds is referenced, never written again. This module never writes
//! files; the pipeline does.

mod bundle;
pub(crate) mod http;
mod list;
mod misp;
pub(crate) mod misp_feed;
mod misp_types;
mod named;
pub(crate) mod pdf;
mod repository;
mod stix;
pub(crate) mod taxii;
mod text;
mod values;

use std::path::Path;

use serde_json::{json, Map, Value};

pub(crate) use bundle::{to_text as bundle_text, Output, Provenance, PROVENANCE_EXTENSION, STIXPRESS_IDENTITY};
pub(crate) use repository::{version_key, Repository};
pub(crate) use stix::{group_kept, keep as keep_stix, Origin};

use crate::cli::ImportFormat;
use crate::diag::Diagnostic;
use crate::stix::observables::Observable;
use crate::stix::Timestamp;

/// One source as read: its bytes as text, and what identifies it.
pub(crate) struct Source {
    /// The path as given, for diagnostics.
    pub(crate) path: std::path::PathBuf,
    /// The file name, for provenance and derived ids.
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) sha256: String,
    /// The file's modification time, the last resort for objects' times.
    pub(crate) modified: Option<Timestamp>,
    /// Whether the bytes were a PDF, whose `text` is then the text extracted from it.
    pub(crate) pdf: bool,
    /// Why the bytes gave no text (an encrypted or damaged PDF), for the importer to report.
    pub(crate) unreadable: Option<String>,
}

impl Source {
    pub(crate) fn new(path: &Path, bytes: Vec<u8>, modified: Option<Timestamp>) -> Source {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let sha256 = sha256_hex(&bytes);
        let pdf = pdf::is_pdf(&bytes);
        let (text, unreadable) = if pdf {
            match pdf::text_of(&bytes) {
                Ok(text) => (text, None),
                Err(problem) => (String::new(), Some(problem)),
            }
        } else {
            match String::from_utf8(bytes) {
                Ok(text) => (text, None),
                Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), None),
            }
        };
        Source { path: path.to_path_buf(), name, text, sha256, modified, pdf, unreadable }
    }

    /// A diagnostic in this source at a 1-based line (and column).
    pub(crate) fn problem(&self, diagnostic: Diagnostic, line: usize, column: usize) -> Diagnostic {
        diagnostic.in_file(&self.path).at(line, column)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The state of one import run, shared by the sources' importers.
pub(crate) struct Import<'a> {
    pub(crate) repository: &'a Repository,
    pub(crate) out: Output,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// `--now` or `SOURCE_DATE_EPOCH`.
    pub(crate) now: Option<Timestamp>,
    /// `--name`: the report's name.
    pub(crate) name: Option<String>,
}

impl Import<'_> {
    /// The time of objects made from `source` when it says none itself.
    pub(crate) fn time_for(&self, source: &Source) -> String {
        self.now.or(source.modified).unwrap_or_else(|| Timestamp::from_unix_seconds(0)).to_millis_text()
    }

    /// The indicator for one value: the repository's when it has one, else a new one whose id
    /// derives from its pattern and the source. Returns the id to reference.
    pub(crate) fn indicator(&mut self, value: &Observable, source_key: &str, time: &str, made: &Made<'_>) -> String {
        if let Some(existing) = self.repository.indicator_for(value) {
            return existing.to_owned();
        }
        let pattern = values::pattern(value);
        self.indicator_with_pattern(("stix", &pattern), &value.value, source_key, time, made)
    }

    /// A new indicator with this pattern (its language and text: a STIX pattern already
    /// valid, or a YARA, Sigma or Snort rule), named after `name`.
    pub(crate) fn indicator_with_pattern(
        &mut self,
        (pattern_type, pattern): (&str, &str),
        name: &str,
        source_key: &str,
        time: &str,
        made: &Made<'_>,
    ) -> String {
        let id = bundle::derived_id("indicator", &format!("{source_key}\n{pattern}"));
        if !self.out.has(&id) {
            let mut object = Map::new();
            object.insert("type".into(), json!("indicator"));
            object.insert("id".into(), json!(id));
            object.insert("name".into(), json!(clip(name, 200)));
            object.insert("pattern".into(), json!(pattern));
            object.insert("pattern_type".into(), json!(pattern_type));
            if pattern_type == "stix" {
                object.insert("pattern_version".into(), json!("2.1"));
            }
            object.insert("valid_from".into(), json!(time));
            object.insert("indicator_types".into(), json!(["malicious-activity"]));
            for (key, value) in made.extra.iter() {
                object.insert(key.clone(), value.clone());
            }
            self.out.add_sdo(object, time, &made.provenance);
        }
        id
    }

    /// The cyber-observable of a value (the repository's when it has the same id).
    pub(crate) fn observable(&mut self, value: &Observable, provenance: &Provenance<'_>) -> Option<String> {
        let object = values::observable_object(value)?;
        let id = object.get("id").and_then(Value::as_str)?.to_owned();
        if !self.repository.has(&id) {
            self.out.add_sco(object, provenance);
        }
        Some(id)
    }

    /// The object an ATT&CK, CVE, CWE or CAPEC id names in the repository.
    pub(crate) fn known(&self, external_id: &str) -> Option<String> {
        self.repository.by_external_id(external_id).map(str::to_owned)
    }
}

/// How an object was made, and properties to add to it.
pub(crate) struct Made<'a> {
    pub(crate) provenance: Provenance<'a>,
    pub(crate) extra: Map<String, Value>,
}

impl<'a> Made<'a> {
    pub(crate) fn new(source: &'a str, rule: &'a str, location: String) -> Made<'a> {
        Made { provenance: Provenance { source, rule, location }, extra: Map::new() }
    }
}

/// The format of a source: given, else from its name and first bytes.
pub(crate) fn detect(format: ImportFormat, source: &Source) -> ImportFormat {
    if format != ImportFormat::Auto {
        return format;
    }
    let extension = source.path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if source.pdf || extension == "pdf" {
        return ImportFormat::Text;
    }
    let start = source.text.trim_start();
    match extension.as_str() {
        "json" if start.starts_with('{') && is_misp(&source.text) => ImportFormat::Misp,
        "json" => ImportFormat::Stix,
        "csv" | "tsv" | "list" => ImportFormat::Csv,
        "md" | "markdown" | "html" | "htm" => ImportFormat::Text,
        _ if list::is_plain_list(&source.text) => ImportFormat::Csv,
        _ => ImportFormat::Text,
    }
}

/// A MISP event as MISP exports it (`{"Event": …}`) or as PyMISP writes it (no wrapper).
fn is_misp(text: &str) -> bool {
    let mut cut = text.len().min(4096);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let start = &text[..cut];
    start.contains("\"Event\"")
        || (start.contains("\"Attribute\"") && !start.contains("\"spec_version\""))
        || start.contains("\"response\"")
}

/// Imports one source into `import`.
pub(crate) fn import_source(import: &mut Import<'_>, format: ImportFormat, source: &Source) -> Result<(), String> {
    // A PDF that gave no text is a problem in this source; the other sources still import.
    if let Some(problem) = &source.unreadable {
        let diagnostic = Diagnostic::error("import-unreadable", format!("{problem}; skipped")).in_file(&source.path);
        import.diagnostics.push(diagnostic);
        return Ok(());
    }
    match detect(format, source) {
        ImportFormat::Misp => misp::import(import, source),
        ImportFormat::Csv => list::import(import, source),
        ImportFormat::Text => text::import(import, source),
        ImportFormat::Stix | ImportFormat::Taxii | ImportFormat::Auto => {
            return Err(format!("{}: STIX sources are loaded as `check` loads them", source.path.display()))
        }
    }
    Ok(())
}

/// The text cut to `max` characters (names and descriptions from hostile sources).
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
