//! An object's properties as the page shows them, each by its kind: timestamps readable and
//! machine-readable, references as links, long texts as safe Markdown, patterns as code, and
//! anything structured as a table (a list of objects: a row each, a column per key; a
//! dictionary: a key/value table), never as JSON a phone cuts off. Empty values are left out,
//! and so are the properties the page shows elsewhere (name, description, markings, external
//! references, kill-chain phases). Every text stays text: the template escapes it.

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

/// Keys that name a row in a table of objects; their column comes first after references.
const NAMING: &[&str] = &["name", "field", "key", "source_name", "type"];

/// Code-like strings.
const CODE: &[&str] = &["pattern", "command_line", "x_mitre_platforms_query"];

#[derive(Debug, Serialize)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) label: String,
    /// `text`, `time`, `markdown`, `code`, `list`, `refs`, `pairs` or `table`.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) table: Option<Table>,
}

/// A structured value as rows and columns; `columns` heads the cells of each row.
#[derive(Debug, Serialize)]
pub(crate) struct Table {
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell>>,
}

/// One table cell: links where the key names references, else text (nested values compacted
/// to one line of JSON); `code` for values a reader copies (digests, keys).
#[derive(Debug, Default, Serialize)]
pub(crate) struct Cell {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) links: Vec<Link>,
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
            table: None,
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
        .filter(|(key, value)| !SHOWN_ELSEWHERE.contains(&key.as_str()) && !is_empty(value))
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
        Value::Array(items) => {
            let mut field = Field::new(key, "table");
            field.table = Some(list_table(items, view, root));
            field
        }
        Value::Object(map) => {
            let mut field = Field::new(key, "table");
            field.table = Some(dictionary_table(map, view, root));
            field
        }
        _ => {
            let mut field = Field::new(key, "text");
            field.text = Some(scalar_text(value));
            field
        }
    }
}

/// Nothing to show: null, an empty text, list or dictionary (ATT&CK's `x_mitre_detection: ""`
/// gave techniques an empty "Detection" row).
pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// The most columns a list's table gets. Lists of objects in STIX share a few keys (an
/// external reference has five); objects of thousands of different keys would make a table of
/// thousands of columns and as many rows (4,000 made a 139 MB page), so past this many each
/// property gets a row of its own instead.
const LIST_COLUMNS: usize = 16;

/// A list as a table: objects give a row each under the union of their keys (references
/// first, then naming keys, then the rest); anything else in the list gets a "Value" column.
pub(crate) fn list_table(items: &[Value], view: &View<'_>, root: &str) -> Table {
    let mut columns: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let keys = items.iter().filter_map(Value::as_object).flat_map(|map| map.keys());
    for key in keys {
        if seen.insert(key.as_str()) {
            columns.push(key);
            if columns.len() > LIST_COLUMNS {
                return property_rows(items, view, root);
            }
        }
    }
    // What a row is about first: its references, then its name, then the rest as listed.
    columns.sort_by_key(|c| (!(c.ends_with("_ref") || c.ends_with("_refs")), !NAMING.contains(c)));
    let plain = items.iter().any(|item| !item.is_object());
    let rows = items
        .iter()
        .map(|item| {
            let mut row: Vec<Cell> = match item {
                Value::Object(map) => {
                    columns.iter().map(|c| map.get(*c).map_or_else(Cell::default, |v| cell(c, v, view, root))).collect()
                }
                _ => columns.iter().map(|_| Cell::default()).collect(),
            };
            if plain {
                row.push(if item.is_object() { Cell::default() } else { cell("", item, view, root) });
            }
            row
        })
        .collect();
    let mut labels: Vec<String> = columns.iter().map(|c| property_label(c)).collect();
    if plain {
        labels.push("Value".into());
    }
    Table { columns: labels, rows }
}

/// A list as a table of one row per property of each item (its place in the list, the key as
/// written, the value), for lists whose objects have too many different keys for columns.
fn property_rows(items: &[Value], view: &View<'_>, root: &str) -> Table {
    let text = |s: String| Cell { text: Some(s), links: Vec::new() };
    let mut rows = Vec::new();
    for (at, item) in items.iter().enumerate() {
        match item {
            Value::Object(map) => {
                for (key, value) in map {
                    rows.push(vec![text((at + 1).to_string()), text(key.clone()), cell(key, value, view, root)]);
                }
            }
            _ => rows.push(vec![text((at + 1).to_string()), Cell::default(), cell("", item, view, root)]),
        }
    }
    Table { columns: vec!["Item".into(), "Property".into(), "Value".into()], rows }
}

/// A dictionary as a two-column key/value table, keys as written.
pub(crate) fn dictionary_table(map: &Map<String, Value>, view: &View<'_>, root: &str) -> Table {
    let rows = map
        .iter()
        .map(|(key, value)| vec![Cell { text: Some(key.clone()), links: Vec::new() }, cell(key, value, view, root)])
        .collect();
    Table { columns: vec!["Key".into(), "Value".into()], rows }
}

/// A value in a table: references by a `*_ref`/`*_refs` key as links, text as text, nested
/// values as one line of JSON (text, escaped by the template like any other).
pub(crate) fn cell(key: &str, value: &Value, view: &View<'_>, root: &str) -> Cell {
    let is_ref = key.ends_with("_ref") || key.ends_with("_refs");
    match value {
        Value::String(id) if is_ref => Cell { text: None, links: vec![Link::to_id(view, id, root)] },
        Value::Array(ids) if is_ref && !ids.is_empty() && ids.iter().all(Value::is_string) => Cell {
            text: None,
            links: ids.iter().filter_map(Value::as_str).map(|id| Link::to_id(view, id, root)).collect(),
        },
        Value::Null => Cell::default(),
        Value::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => {
            Cell { text: Some(items.iter().map(scalar_text).collect::<Vec<_>>().join(", ")), links: Vec::new() }
        }
        other => Cell { text: Some(scalar_text(other)), links: Vec::new() },
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
    fn empty_values_are_left_out() {
        use serde_json::json;
        for empty in [json!(null), json!(""), json!("  "), json!([]), json!({})] {
            assert!(is_empty(&empty), "{empty}");
        }
        for full in [json!(false), json!(0), json!("x"), json!([null]), json!({"a": 1})] {
            assert!(!is_empty(&full), "{full}");
        }
    }

    #[test]
    fn property_names_read_as_words() {
        assert_eq!(property_label("valid_from"), "Valid from");
        assert_eq!(property_label("where_sighted_refs"), "Where sighted");
        assert_eq!(property_label("x_mitre_platforms"), "Platforms");
    }

    #[test]
    fn a_list_of_objects_of_thousands_of_keys_gets_a_row_per_property_not_a_column_per_key() {
        use serde_json::json;
        let store = crate::link::Store::build(Vec::new());
        let history = crate::provenance::History::off();
        let view =
            crate::audience::view(&store, &history, &crate::config::Audience::public(std::path::Path::new("/r")));
        let few: Vec<Value> = (0..LIST_COLUMNS).map(|n| json!({ format!("k{n}"): n })).collect();
        let table = list_table(&few, &view, "");
        assert_eq!((table.columns.len(), table.rows.len()), (LIST_COLUMNS, LIST_COLUMNS));
        let many: Vec<Value> = (0..4000).map(|n| json!({ format!("k{n}"): n })).chain([json!("plain")]).collect();
        let table = list_table(&many, &view, "");
        assert_eq!(table.columns, ["Item", "Property", "Value"]);
        assert_eq!(table.rows.len(), 4001);
        let last_object: Vec<Option<&str>> = table.rows[3999].iter().map(|c| c.text.as_deref()).collect();
        assert_eq!(last_object, [Some("4000"), Some("k3999"), Some("3999")]);
        assert_eq!(table.rows[4000][2].text.as_deref(), Some("plain"));
    }

    #[test]
    fn timestamps_show_the_date_and_keep_the_exact_value() {
        let t = TimeText::parse("2025-03-04T09:30:00.123Z").unwrap();
        assert_eq!((t.iso.as_str(), t.text.as_str()), ("2025-03-04T09:30:00.123Z", "2025-03-04 09:30 UTC"));
        assert_eq!(TimeText::parse("2025-03-04T00:00:00Z").unwrap().text, "2025-03-04");
        assert!(TimeText::parse("yesterday").is_none());
    }
}
