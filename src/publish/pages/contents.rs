//! What a report, grouping or note lists (`object_refs`), as a reader takes it in: the objects
//! grouped by type with counts, indicators as a table of their values (what the blocklists
//! hold), and the relationships it lists as "A uses B" rows under the object they join, so
//! that a report of 3,000 entries reads as a handful of groups. Hundreds of relationships from
//! indicators to one object collapse into one counted row.
//!
//! It reads only the View (a withheld object is neither linked nor named) and writes no HTML:
//! every value stays text for the template to escape.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::connections::{fragment, name_key, type_rank};
use super::links::{category, object_href, type_plural, Link};
use crate::audience::{Entry, View};
use crate::publish::shared::catalog::Catalog;
use crate::stix::observables::{self, Observable};
use crate::stix::pattern::{self, Dialect};

/// The types whose page lists their `object_refs` as contents.
pub(crate) const CONTAINERS: &[&str] = &["report", "grouping", "note", "opinion"];
/// Groups up to this size start open; bigger ones start collapsed.
const OPEN_UP_TO: usize = 20;
/// Objects listed per type group (the rest are counted).
const MAX_ITEMS: usize = 500;
/// Indicator rows in the table (the rest are counted; the CSV feed has every value).
const MAX_INDICATORS: usize = 2000;
/// Relationship rows under one object.
const MAX_ROWS: usize = 200;
/// More relationships than this between one object and indicators (or observables) of one
/// kind collapse into one counted row.
const SUMMARISE_OVER: usize = 10;

#[derive(Debug, Serialize)]
pub(crate) struct Contents {
    /// Entries listed (each id once).
    pub(crate) total: usize,
    pub(crate) groups: Vec<ContentGroup>,
    pub(crate) indicators: Option<IndicatorTable>,
    pub(crate) relationships: Option<Relationships>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ContentGroup {
    /// The fragment of the group's section, `contents-<type>`.
    pub(crate) anchor: String,
    pub(crate) label: String,
    pub(crate) total: usize,
    pub(crate) open: bool,
    pub(crate) more: usize,
    pub(crate) items: Vec<Link>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IndicatorTable {
    pub(crate) anchor: &'static str,
    pub(crate) total: usize,
    pub(crate) open: bool,
    pub(crate) more: usize,
    pub(crate) rows: Vec<IndicatorRow>,
    /// The blocklists the values go to, with how many of this table's values are of each kind.
    pub(crate) feeds: Vec<FeedLink>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IndicatorRow {
    pub(crate) href: String,
    /// The pattern's observable values, or the pattern itself when it has none a blocklist takes.
    pub(crate) value: String,
    /// The values' kinds (`sha256`, `domain`), else the pattern language.
    pub(crate) kind: String,
    pub(crate) valid_from: Option<String>,
    pub(crate) valid_until: Option<String>,
    pub(crate) confidence: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FeedLink {
    pub(crate) kind: &'static str,
    pub(crate) href: String,
    pub(crate) values: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct Relationships {
    pub(crate) anchor: &'static str,
    pub(crate) total: usize,
    pub(crate) clusters: Vec<Cluster>,
}

/// The relationships that join one object, under it.
#[derive(Debug, Serialize)]
pub(crate) struct Cluster {
    pub(crate) object: Link,
    pub(crate) total: usize,
    pub(crate) more: usize,
    pub(crate) rows: Vec<RelationshipRow>,
}

/// "A uses B": `first` says whether the cluster's object is A. A counted row (`count`) stands
/// for many objects of one type (`other_label`, linked to their group when the report lists them).
#[derive(Debug, Serialize)]
pub(crate) struct RelationshipRow {
    pub(crate) first: bool,
    pub(crate) verb: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) other: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) via: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) other_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) other_href: Option<String>,
}

/// The contents of a container object, from the `object_refs` of the JSON this audience gets.
pub(crate) fn contents(view: &View<'_>, refs: &[Value], feeds: &Catalog, root: &str) -> Contents {
    let mut seen = HashSet::new();
    let mut by_type: BTreeMap<&str, Vec<Entry<'_>>> = BTreeMap::new();
    let mut unresolved = Vec::new();
    for id in refs.iter().filter_map(Value::as_str) {
        if !seen.insert(id) {
            continue;
        }
        match view.get(id) {
            Some(entry) => by_type.entry(entry.object_type()).or_default().push(entry),
            None => unresolved.push(Link::to_id(view, id, root)),
        }
    }
    let indicators = by_type.remove("indicator").map(|list| indicator_table(view, list, feeds, root));
    let relationships = by_type.remove("relationship").map(|list| relationships(view, list, &by_type, root));
    let mut groups: Vec<ContentGroup> = by_type.into_iter().map(|(t, list)| type_group(t, list, root)).collect();
    groups.sort_by_key(|g| type_rank(g.anchor.trim_start_matches("contents-")));
    if !unresolved.is_empty() {
        groups.push(ContentGroup {
            anchor: "contents--elsewhere".into(),
            label: "Not published here".into(),
            total: unresolved.len(),
            open: unresolved.len() <= OPEN_UP_TO,
            more: unresolved.len().saturating_sub(MAX_ITEMS),
            items: unresolved.into_iter().take(MAX_ITEMS).collect(),
        });
    }
    Contents { total: seen.len(), groups, indicators, relationships }
}

/// The fragment for a type's group; contributed type names are reduced to `[a-z0-9-]`.
fn anchor(object_type: &str) -> String {
    format!("contents-{}", fragment(object_type))
}

fn type_group(object_type: &str, mut list: Vec<Entry<'_>>, root: &str) -> ContentGroup {
    list.sort_by_cached_key(|e| name_key(*e));
    ContentGroup {
        anchor: anchor(object_type),
        label: type_plural(object_type),
        total: list.len(),
        open: list.len() <= OPEN_UP_TO,
        more: list.len().saturating_sub(MAX_ITEMS),
        items: list.into_iter().take(MAX_ITEMS).map(|e| Link::to(e, root)).collect(),
    }
}

/// The properties of an indicator its row shows; the rest of its JSON is skipped unparsed.
#[derive(Deserialize, Default)]
struct IndicatorText {
    pattern: Option<Value>,
    pattern_type: Option<Value>,
    valid_from: Option<Value>,
    valid_until: Option<Value>,
    confidence: Option<Value>,
    spec_version: Option<Value>,
}

fn indicator_table(view: &View<'_>, mut list: Vec<Entry<'_>>, feeds: &Catalog, root: &str) -> IndicatorTable {
    list.sort_by_cached_key(|e| name_key(*e));
    let mut per_kind: BTreeMap<observables::Kind, usize> = BTreeMap::new();
    let rows: Vec<IndicatorRow> = list
        .iter()
        .take(MAX_INDICATORS)
        .map(|entry| {
            let (row, values) = indicator_row(view, *entry, root);
            for value in values {
                *per_kind.entry(value.kind).or_default() += 1;
            }
            row
        })
        .collect();
    let feeds = per_kind
        .into_iter()
        .filter_map(|(kind, values)| {
            let file = feeds
                .sections
                .iter()
                .flat_map(|s| &s.files)
                .find(|f| links_to(f) && f.path.rsplit('/').next() == Some(&format!("{}.txt", kind.name())))?;
            Some(FeedLink { kind: kind.name(), href: format!("{root}{}", file.path), values })
        })
        .collect();
    IndicatorTable {
        anchor: "contents-indicator",
        total: list.len(),
        open: list.len() <= OPEN_UP_TO,
        more: list.len().saturating_sub(MAX_INDICATORS),
        rows,
        feeds,
    }
}

/// Whether indicator tables may link `file` (a blocklist a reader can open).
pub(super) fn links_to(file: &crate::publish::shared::catalog::FeedFile) -> bool {
    file.linkable && file.path.contains("blocklist")
}

fn indicator_row(view: &View<'_>, entry: Entry<'_>, root: &str) -> (IndicatorRow, Vec<Observable>) {
    let parsed: IndicatorText = serde_json::from_str(&view.json(entry.object)).unwrap_or_default();
    let text = |v: &Option<Value>| v.as_ref().and_then(Value::as_str).map(str::to_owned);
    let pattern_text = text(&parsed.pattern).unwrap_or_default();
    let spec = text(&parsed.spec_version).unwrap_or_else(|| "2.1".into());
    let values = pattern_values(&pattern_text, &spec);
    let (value, kind) = if values.is_empty() {
        (pattern_text, text(&parsed.pattern_type).unwrap_or_else(|| "pattern".into()))
    } else {
        let mut kinds: Vec<&str> = values.iter().map(|v| v.kind.name()).collect();
        kinds.dedup();
        (values.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join(" "), kinds.join(", "))
    };
    let row = IndicatorRow {
        href: object_href(root, entry.id()),
        value,
        kind,
        valid_from: text(&parsed.valid_from).map(|t| date(&t)),
        valid_until: text(&parsed.valid_until).map(|t| date(&t)),
        confidence: parsed.confidence.filter(Value::is_number).map(|c| c.to_string()),
    };
    (row, values)
}

/// The day of a timestamp (the indicator's page has the exact time).
fn date(timestamp: &str) -> String {
    timestamp.split_once('T').map_or(timestamp, |(day, _)| day).to_owned()
}

/// The values a pattern gives a blocklist, normalised, once each (as the feeds take them).
pub(crate) fn pattern_values(pattern_text: &str, spec_version: &str) -> Vec<Observable> {
    let dialect = Dialect::from_spec_version(spec_version).unwrap_or(Dialect::Stix21);
    let Ok(parsed) = pattern::parse(pattern_text, dialect) else { return Vec::new() };
    let extraction = parsed.extract();
    observables::first_of_each(extraction.blocklist_entries().filter_map(|test| observables::from_test(test)?.ok()))
}

/// Indicators and observables: many of them hang off one object, so they are counted, not listed.
fn is_leaf(object_type: &str) -> bool {
    matches!(object_type, "indicator" | "observed-data") || category(object_type) == "observable"
}

/// Under one object: (the object is the source, verb, other type) → (relationship, other end).
type Rows<'v> = BTreeMap<(bool, String, &'v str), Vec<(Entry<'v>, Entry<'v>)>>;

fn relationships(
    view: &View<'_>,
    list: Vec<Entry<'_>>,
    listed: &BTreeMap<&str, Vec<Entry<'_>>>,
    root: &str,
) -> Relationships {
    let mut clusters: HashMap<&str, (Entry<'_>, Rows<'_>)> = HashMap::new();
    let total = list.len();
    for relationship in list {
        let ends = |property: &str| view.outgoing(relationship).find(|(p, _)| *p == property).map(|(_, e)| e);
        let (Some(source), Some(target)) = (ends("source_ref"), ends("target_ref")) else { continue };
        let under_source = !is_leaf(source.object_type()) || is_leaf(target.object_type());
        let (object, other) = if under_source { (source, target) } else { (target, source) };
        let verb = relationship.object.relationship_type.as_deref().unwrap_or("related-to").replace('-', " ");
        let (_, rows) = clusters.entry(object.id()).or_insert_with(|| (object, BTreeMap::new()));
        rows.entry((under_source, verb, other.object_type())).or_default().push((relationship, other));
    }
    let mut clusters: Vec<(Entry<'_>, Rows<'_>)> = clusters.into_values().collect();
    clusters.sort_by_cached_key(|(object, _)| (type_rank(object.object_type()), name_key(*object)));
    let clusters = clusters.into_iter().map(|(object, rows)| cluster(object, rows, listed, root)).collect();
    Relationships { anchor: "contents-relationship", total, clusters }
}

fn cluster(object: Entry<'_>, rows: Rows<'_>, listed: &BTreeMap<&str, Vec<Entry<'_>>>, root: &str) -> Cluster {
    let total = rows.values().map(Vec::len).sum();
    let mut out = Vec::new();
    let mut more = 0;
    for ((first, verb, other_type), mut members) in rows {
        if is_leaf(other_type) && members.len() > SUMMARISE_OVER {
            let listed_here = other_type == "indicator" || listed.contains_key(other_type);
            out.push(RelationshipRow {
                first,
                verb,
                other: None,
                via: None,
                count: Some(members.len()),
                other_label: Some(type_plural(other_type)),
                other_href: listed_here.then(|| format!("#{}", anchor(other_type))),
            });
            continue;
        }
        members.sort_by_cached_key(|(_, other)| name_key(*other));
        for (relationship, other) in members {
            if out.len() >= MAX_ROWS {
                more += 1;
                continue;
            }
            out.push(RelationshipRow {
                first,
                verb: verb.clone(),
                other: Some(Link::to(other, root)),
                via: Some(object_href(root, relationship.id())),
                count: None,
                other_label: None,
                other_href: None,
            });
        }
    }
    Cluster { object: Link::to(object, root), total, more, rows: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_give_their_blocklist_values() {
        let values = pattern_values(
            "[file:hashes.'SHA-256' = 'C41010CD1BD4E5837D28CAF7881EA4DD27FDF2A19C234F1FEE7674FDC1DD53EA']",
            "2.1",
        );
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].kind.name(), "sha256");
        assert_eq!(values[0].value, "c41010cd1bd4e5837d28caf7881ea4dd27fdf2a19c234f1fee7674fdc1dd53ea");
        assert!(pattern_values("[process:name = 'x'] AND [file:name = 'y']", "2.1").is_empty());
        assert!(pattern_values("not a pattern", "2.1").is_empty());
        let repeated = pattern_values(
            "[domain-name:value = 'b.example'] OR [domain-name:value = 'A.example'] OR [domain-name:value = 'B.example.']",
            "2.1",
        );
        let listed: Vec<&str> = repeated.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(listed, ["b.example", "a.example"], "once each, in pattern order");
    }

    #[test]
    fn a_pattern_of_a_hundred_thousand_values_gives_each_once() {
        // Each value looked for among those kept before it, this took seconds.
        let tests: Vec<String> =
            (0..100_000).map(|i| format!("[domain-name:value = 'd{}.example']", i % 50_000)).collect();
        let values = pattern_values(&tests.join(" OR "), "2.1");
        assert_eq!(values.len(), 50_000);
        assert_eq!(values[49_999].value, "d49999.example");
    }

    #[test]
    fn contributed_type_names_make_safe_fragments() {
        assert_eq!(anchor("attack-pattern"), "contents-attack-pattern");
        assert_eq!(anchor("x-\"evil\" <b>"), "contents-x--evil---b-");
    }

    #[test]
    fn indicators_and_observables_hang_under_the_objects_they_join() {
        assert!(is_leaf("indicator"));
        assert!(is_leaf("file"));
        assert!(!is_leaf("malware"));
    }

    #[test]
    fn table_dates_are_days() {
        assert_eq!(date("2020-10-29T16:36:26.772Z"), "2020-10-29");
        assert_eq!(date("garbage"), "garbage");
    }
}
