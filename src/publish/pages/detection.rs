//! A technique's "Detection" section, as ATT&CK's own pages show it: the detection strategies
//! that detect it (v18's `x-mitre-detection-strategy`, joined to it by `detects`
//! relationships), each with its analytics (`x_mitre_analytic_refs`): their platforms, log
//! sources (data component, name, channel) and mutable elements as tables, linked to the
//! objects. It reads only the View, so a withheld strategy, analytic or data component never
//! shows; every text stays text (the template escapes it, descriptions go through the safe
//! Markdown renderer).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::citations::Citations;
use super::connections::{name_key, Touching};
use super::links::Link;
use super::markdown::{to_safe_html, InternalLinks};
use crate::audience::{Entry, View};

/// Analytics shown per strategy; ATT&CK has at most a handful, a hostile repository more.
const MAX_ANALYTICS: usize = 50;
/// Rows per log-source or mutable-element table.
const MAX_ROWS: usize = 100;

#[derive(Debug, Serialize)]
pub(crate) struct Strategy {
    pub(crate) link: Link,
    pub(crate) external_id: Option<String>,
    pub(crate) description_html: Option<String>,
    pub(crate) analytics: Vec<Analytic>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Analytic {
    pub(crate) link: Link,
    pub(crate) external_id: Option<String>,
    pub(crate) platforms: Vec<String>,
    pub(crate) description_html: Option<String>,
    pub(crate) log_sources: Vec<LogSource>,
    pub(crate) mutable_elements: Vec<MutableElement>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LogSource {
    pub(crate) data_component: Option<Link>,
    pub(crate) name: String,
    pub(crate) channel: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct MutableElement {
    pub(crate) field: String,
    pub(crate) description: String,
}

/// The properties of an analytic the section shows; the rest of its JSON is skipped.
#[derive(Deserialize, Default)]
struct AnalyticText {
    description: Option<Value>,
    x_mitre_platforms: Option<Value>,
    x_mitre_log_source_references: Option<Value>,
    x_mitre_mutable_elements: Option<Value>,
}

#[derive(Deserialize, Default)]
struct StrategyText {
    description: Option<Value>,
}

/// The strategies detecting the object whose relationships are `touching`, by name.
pub(crate) fn detection(
    view: &View<'_>,
    touching: &[Touching<'_>],
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> Vec<Strategy> {
    let mut strategies: Vec<Entry<'_>> = touching
        .iter()
        .filter(|t| !t.outgoing && t.kind == "detects" && t.other.object_type() == "x-mitre-detection-strategy")
        .map(|t| t.other)
        .collect();
    strategies.sort_by_cached_key(|s| name_key(*s));
    strategies.dedup_by_key(|s| s.index);
    strategies.into_iter().map(|s| strategy(view, s, root, citations, internal)).collect()
}

fn strategy(
    view: &View<'_>,
    entry: Entry<'_>,
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> Strategy {
    let parsed: StrategyText = serde_json::from_str(&view.json(entry.object)).unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    let analytics = view
        .outgoing(entry)
        .filter(|(property, target)| {
            *property == "x_mitre_analytic_refs"
                && target.object_type() == "x-mitre-analytic"
                && seen.insert(target.index)
        })
        .take(MAX_ANALYTICS)
        .map(|(_, analytic_entry)| analytic(view, analytic_entry, root, citations, internal))
        .collect();
    Strategy {
        link: Link::to(entry, root),
        external_id: external_id(entry),
        description_html: markdown(parsed.description.as_ref(), citations, internal),
        analytics,
    }
}

fn analytic(
    view: &View<'_>,
    entry: Entry<'_>,
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> Analytic {
    let parsed: AnalyticText = serde_json::from_str(&view.json(entry.object)).unwrap_or_default();
    let platforms = strings(parsed.x_mitre_platforms.as_ref());
    let log_sources = objects(parsed.x_mitre_log_source_references.as_ref())
        .map(|source| LogSource {
            data_component: source
                .get("x_mitre_data_component_ref")
                .and_then(Value::as_str)
                .map(|id| Link::to_id(view, id, root)),
            name: text(source.get("name")),
            channel: text(source.get("channel")),
        })
        .collect();
    let mutable_elements = objects(parsed.x_mitre_mutable_elements.as_ref())
        .map(|element| MutableElement {
            field: text(element.get("field")),
            description: text(element.get("description")),
        })
        .collect();
    Analytic {
        link: Link::to(entry, root),
        external_id: external_id(entry),
        platforms,
        description_html: markdown(parsed.description.as_ref(), citations, internal),
        log_sources,
        mutable_elements,
    }
}

fn external_id(entry: Entry<'_>) -> Option<String> {
    entry.object.external_ids.first().map(|(_, id)| id.clone())
}

fn markdown(value: Option<&Value>, citations: &mut Citations, internal: InternalLinks<'_>) -> Option<String> {
    let text = value?.as_str().filter(|d| !d.trim().is_empty())?;
    Some(to_safe_html(text, citations, internal))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The objects in a list property, at most `MAX_ROWS` of them; anything else in it is skipped.
fn objects(value: Option<&Value>) -> impl Iterator<Item = &serde_json::Map<String, Value>> {
    value.and_then(Value::as_array).map_or(&[][..], Vec::as_slice).iter().filter_map(Value::as_object).take(MAX_ROWS)
}

/// A scalar as text; anything nested as one line of JSON.
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn log_source_fields_read_as_text_whatever_their_json_type() {
        assert_eq!(text(Some(&json!("socket/connect"))), "socket/connect");
        assert_eq!(text(Some(&json!({"a": 1}))), "{\"a\":1}");
        assert_eq!(text(None), "");
    }

    #[test]
    fn only_objects_of_a_list_become_rows() {
        let list = json!([{"field": "A"}, "stray", 3, {"field": "B"}]);
        let fields: Vec<String> = objects(Some(&list)).map(|o| text(o.get("field"))).collect();
        assert_eq!(fields, ["A", "B"]);
        assert_eq!(objects(Some(&json!({"field": "A"}))).count(), 0);
        assert_eq!(strings(Some(&json!(["Windows", 1, "Linux"]))), ["Windows", "Linux"]);
    }
}
