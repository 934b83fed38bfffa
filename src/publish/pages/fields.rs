//! An object's properties as the page shows them, each by its kind: timestamps readable and
//! machine-readable, references as links, hashes as a table, long texts as safe Markdown,
//! patterns as code, anything nested as JSON. Properties the page shows elsewhere (name,
//! description, markings, external references, kill-chain phases) are left out here.

use serde::Serialize;
use serde_json::{Map, Value};

use super::citations::Citations;
use super::links::Link;
use super::markdown::{to_safe_html, InternalLinks};
use crate::audience::View;
use crate::stix::Timestamp;

/// Shown in the page header or their own sections, not among the properties.
const SHOWN_ELSEWHERE: &[&str] = &[
    "type",
    "id",
    "spec_version",
    "name",
    "description",
    "created",
    "modified",
    "created_by_ref",
    "object_marking_refs",
    "external_references",
    "kill_chain_phases",
    "revoked",
    "aliases",
    "x_mitre_aliases",
    "x_mitre_deprecated",
];

/// Free texts that are Markdown in practice.
const MARKDOWN: &[&str] = &["content", "explanation", "x_mitre_detection"];

/// Code-like strings.
const CODE: &[&str] = &["pattern", "command_line", "x_mitre_platforms_query"];

#[derive(Debug, Serialize)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) label: String,
    /// `text`, `time`, `markdown`, `code`, `list`, `refs`, `pairs` or `json`.
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) time: Option<TimeText>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) items: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) links: Vec<Link>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) pairs: Vec<Pair>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Pair {
    pub(crate) key: String,
    pub(crate) value: String,
}

/// A timestamp as written (for `datetime`) and as a person reads it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TimeText {
    pub(crate) iso: String,
    pub(crate) text: String,
}

impl TimeText {
    pub(crate) fn parse(text: &str) -> Option<TimeText> {
        Timestamp::parse(text).ok()?;
        let (date, time) = text.split_once('T')?;
        let hm = time.get(..5)?;
        let shown = if time.starts_with("00:00:00") { date.to_owned() } else { format!("{date} {hm} UTC") };
        Some(TimeText { iso: text.to_owned(), text: shown })
    }
}

impl Field {
    fn new(key: &str, kind: &'static str) -> Field {
        Field {
            key: key.to_owned(),
            label: property_label(key),
            kind,
            text: None,
            html: None,
            time: None,
            items: Vec::new(),
            links: Vec::new(),
            pairs: Vec::new(),
        }
    }
}

/// The fields of an object, in the order the object lists them.
pub(crate) fn fields(
    members: &Map<String, Value>,
    view: &View<'_>,
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> Vec<Field> {
    members
        .iter()
        .filter(|(key, _)| !SHOWN_ELSEWHERE.contains(&key.as_str()))
        .map(|(key, value)| field(key, value, view, root, citations, internal))
        .collect()
}

fn field(
    key: &str,
    value: &Value,
    view: &View<'_>,
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> Field {
    let is_ref = key.ends_with("_ref") || key.ends_with("_refs");
    match value {
        Value::String(_) if is_ref => refs_field(key, std::slice::from_ref(value), view, root),
        Value::Array(items) if is_ref && items.iter().all(Value::is_string) => refs_field(key, items, view, root),
        Value::String(text) => string_field(key, text, citations, internal),
        Value::Array(items) if items.iter().all(|i| i.is_string() || i.is_number() || i.is_boolean()) => {
            let mut field = Field::new(key, "list");
            field.items = items.iter().map(scalar_text).collect();
            field
        }
        Value::Object(map) if key == "hashes" && map.values().all(Value::is_string) => {
            let mut field = Field::new(key, "pairs");
            field.pairs = map.iter().map(|(k, v)| Pair { key: k.clone(), value: scalar_text(v) }).collect();
            field
        }
        Value::Array(_) | Value::Object(_) => {
            let mut field = Field::new(key, "json");
            field.text = serde_json::to_string_pretty(value).ok();
            field
        }
        _ => {
            let mut field = Field::new(key, "text");
            field.text = Some(scalar_text(value));
            field
        }
    }
}

fn refs_field(key: &str, ids: &[Value], view: &View<'_>, root: &str) -> Field {
    let mut field = Field::new(key, "refs");
    field.links = ids.iter().filter_map(Value::as_str).map(|id| Link::to_id(view, id, root)).collect();
    field
}

fn string_field(key: &str, text: &str, citations: &mut Citations, internal: InternalLinks<'_>) -> Field {
    if let Some(time) = TimeText::parse(text) {
        let mut field = Field::new(key, "time");
        field.time = Some(time);
        return field;
    }
    let kind = if MARKDOWN.contains(&key) {
        "markdown"
    } else if CODE.contains(&key) {
        "code"
    } else {
        "text"
    };
    let mut field = Field::new(key, kind);
    if kind == "markdown" {
        field.html = Some(to_safe_html(text, citations, internal));
    } else {
        field.text = Some(text.to_owned());
    }
    field
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `valid_from` → `Valid from`; `x_mitre_platforms` → `Platforms`.
pub(crate) fn property_label(key: &str) -> String {
    let bare = key.strip_prefix("x_mitre_").unwrap_or(key);
    let bare = bare.strip_suffix("_refs").or_else(|| bare.strip_suffix("_ref")).unwrap_or(bare);
    let spaced = bare.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_names_read_as_words() {
        assert_eq!(property_label("valid_from"), "Valid from");
        assert_eq!(property_label("where_sighted_refs"), "Where sighted");
        assert_eq!(property_label("x_mitre_platforms"), "Platforms");
    }

    #[test]
    fn timestamps_show_the_date_and_keep_the_exact_value() {
        let t = TimeText::parse("2025-03-04T09:30:00.123Z").unwrap();
        assert_eq!((t.iso.as_str(), t.text.as_str()), ("2025-03-04T09:30:00.123Z", "2025-03-04 09:30 UTC"));
        assert_eq!(TimeText::parse("2025-03-04T00:00:00Z").unwrap().text, "2025-03-04");
        assert!(TimeText::parse("yesterday").is_none());
    }
}
