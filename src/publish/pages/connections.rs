//! What an object page shows of the graph around it: its relationships grouped by type and
//! direction (with each relationship's description, ATT&CK's procedure examples), and the
//! objects that reference it, grouped by how they do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::citations::Citations;
use super::fields::property_label;
use super::links::{type_plural, Link};
use super::markdown::{to_safe_html, InternalLinks};
use crate::audience::{Entry, View};

/// Items listed per group; a hub (an identity that created 20,000 objects) shows a count for
/// the rest instead of a page nobody can scroll.
pub(crate) const MAX_ITEMS: usize = 200;

#[derive(Debug, Serialize)]
pub(crate) struct RelationshipGroup {
    /// The fragment of its section (`rel-uses-attack-pattern`), for the page's contents.
    pub(crate) anchor: String,
    /// Whether the page's technique matrix goes just before this group (its techniques).
    pub(crate) matrix_here: bool,
    pub(crate) label: String,
    /// The type of the objects at the other end ("Attack Patterns"): a group holds one type, so
    /// a group's techniques and its software are listed apart, as on ATT&CK's pages.
    pub(crate) other_type: String,
    pub(crate) other_heading: &'static str,
    pub(crate) total: usize,
    pub(crate) more: usize,
    pub(crate) items: Vec<RelationshipItem>,
}

#[derive(Debug, Serialize)]
pub(crate) struct RelationshipItem {
    pub(crate) other: Link,
    /// The other object's identifier in an outside catalogue (T1059.001, CAPEC-66, CVE-…).
    pub(crate) external_id: Option<String>,
    pub(crate) relationship: Link,
    pub(crate) description_html: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ReferenceGroup {
    pub(crate) anchor: String,
    pub(crate) label: String,
    pub(crate) total: usize,
    pub(crate) more: usize,
    pub(crate) items: Vec<Link>,
}

/// One relationship touching the object: the relationship and the object at its other end.
pub(crate) struct Touching<'v> {
    pub(crate) relationship: Entry<'v>,
    pub(crate) other: Entry<'v>,
    pub(crate) outgoing: bool,
    pub(crate) kind: String,
}

/// Every visible relationship with `entry` at one of its ends.
pub(crate) fn touching<'v>(view: &View<'v>, entry: Entry<'v>) -> Vec<Touching<'v>> {
    view.relationships(entry)
        .map(|(relationship, other, outgoing)| {
            let kind = relationship.object.relationship_type.clone().unwrap_or_else(|| "related-to".into());
            Touching { relationship, other, outgoing, kind }
        })
        .collect()
}

/// Relationship groups in the order analysts look for them: what revokes it and its parent
/// technique first, then by the
/// other object's type (software, campaigns, groups, techniques, mitigations, detection, the
/// rest: `type_rank`), outgoing before incoming, by relationship type; each group sorted by the
/// other object's name.
pub(crate) fn relationship_groups(
    touching: &[Touching<'_>],
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> Vec<RelationshipGroup> {
    let mut groups: BTreeMap<(bool, &str, &str), Vec<&Touching>> = BTreeMap::new();
    for t in touching {
        groups.entry((!t.outgoing, t.kind.as_str(), t.other.object_type())).or_default().push(t);
    }
    let mut keys: Vec<(bool, &str, &str)> = groups.keys().copied().collect();
    // What replaces it and what it is part of are single rows worth seeing first.
    let first = |incoming: bool, kind: &str| !incoming && matches!(kind, "revoked-by" | "subtechnique-of");
    keys.sort_by_key(|(incoming, kind, other_type)| (!first(*incoming, kind), type_rank(other_type), *incoming));
    keys.into_iter()
        .filter_map(|key| Some((key, groups.remove(&key)?)))
        .map(|((incoming, kind, other_type), mut members)| {
            members.sort_by_cached_key(|t| name_key(t.other));
            let total = members.len();
            let items =
                members.iter().take(MAX_ITEMS).map(|t| relationship_item(t, root, citations, internal)).collect();
            let direction = if incoming { "in" } else { "out" };
            RelationshipGroup {
                anchor: fragment(&format!("rel-{direction}-{kind}-{other_type}")),
                matrix_here: !incoming && kind == "uses" && other_type == "attack-pattern",
                label: relationship_label(kind, !incoming),
                other_type: type_plural(other_type),
                other_heading: if incoming { "Source" } else { "Target" },
                total,
                more: total.saturating_sub(MAX_ITEMS),
                items,
            }
        })
        .collect()
}

/// The two properties of a relationship its row shows; the rest of its JSON is skipped
/// unparsed (a technique page has hundreds of rows).
#[derive(Deserialize, Default)]
struct RowText {
    description: Option<Value>,
    external_references: Option<Value>,
}

fn relationship_item(
    t: &Touching<'_>,
    root: &str,
    citations: &mut Citations,
    internal: InternalLinks<'_>,
) -> RelationshipItem {
    let parsed: RowText = serde_json::from_str(&t.relationship.object.raw).unwrap_or_default();
    let description = parsed.description.as_ref().and_then(Value::as_str);
    if let Some(Value::Array(references)) = parsed.external_references {
        citations.add_citable(references);
    }
    RelationshipItem {
        other: Link::to(t.other, root),
        external_id: t.other.object.external_ids.first().map(|(_, id)| id.clone()),
        relationship: Link::to(t.relationship, root),
        description_html: description.map(|d| to_safe_html(d, citations, internal)),
    }
}

/// "Uses" for `uses` from this object, "Used by" for `uses` towards it.
pub(crate) fn relationship_label(kind: &str, outgoing: bool) -> String {
    let words = kind.replace('-', " ");
    if outgoing {
        return capitalise(&words);
    }
    let inverse = match kind {
        "uses" => "Used by",
        "targets" => "Targeted by",
        "indicates" => "Indicated by",
        "mitigates" => "Mitigated by",
        "attributed-to" => "Attributed to it",
        "exploits" => "Exploited by",
        "delivers" => "Delivered by",
        "drops" => "Dropped by",
        "downloads" => "Downloaded by",
        "located-at" => "Location of",
        "based-on" => "Basis of",
        "derived-from" => "Derived into",
        "duplicate-of" => "Duplicated by",
        "subtechnique-of" => "Sub-techniques",
        "revoked-by" => "Revokes",
        "detects" => "Detected by",
        "communicates-with" => "Communicated with by",
        "compromises" => "Compromised by",
        "hosts" => "Hosted by",
        "owns" => "Owned by",
        "authored-by" => "Author of",
        "impersonates" => "Impersonated by",
        "variant-of" => "Variants",
        "investigates" => "Investigated by",
        "remediates" => "Remediated by",
        "controls" => "Controlled by",
        "consists-of" => "Part of",
        "has" => "Belongs to",
        "characterizes" => "Characterized by",
        "analysis-of" => "Analysed by",
        "static-analysis-of" => "Statically analysed by",
        "dynamic-analysis-of" => "Dynamically analysed by",
        "beacons-to" => "Beaconed to by",
        "exfiltrates-to" => "Exfiltrated to by",
        "originates-from" => "Origin of",
        "related-to" => "Related to",
        _ => return format!("{} (towards this)", capitalise(&words)),
    };
    inverse.to_owned()
}

/// The objects that reference `entry` other than through relationships' ends, grouped by the
/// property they use.
pub(crate) fn reference_groups(view: &View<'_>, entry: Entry<'_>, root: &str) -> Vec<ReferenceGroup> {
    let mut groups: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for (property, source) in view.incoming(entry) {
        if source.object_type() == "relationship" && matches!(property, "source_ref" | "target_ref") {
            continue;
        }
        groups.entry(property).or_default().push(source);
    }
    groups
        .into_iter()
        .map(|(property, mut sources)| {
            sources.sort_by_cached_key(|s| name_key(*s));
            let total = sources.len();
            ReferenceGroup {
                anchor: fragment(&format!("by-{property}")),
                label: reference_label(property),
                total,
                more: total.saturating_sub(MAX_ITEMS),
                items: sources.iter().take(MAX_ITEMS).map(|s| Link::to(*s, root)).collect(),
            }
        })
        .collect()
}

fn reference_label(property: &str) -> String {
    match property {
        "object_refs" => "Referenced in".into(),
        "created_by_ref" => "Created by this identity".into(),
        "sighting_of_ref" => "Sightings".into(),
        "where_sighted_refs" => "Sightings at this".into(),
        "observed_data_refs" => "Sightings observed in this".into(),
        "object_marking_refs" | "granular_markings" => "Objects marked with this".into(),
        crate::stix::object::MENTIONS => "Mentioned in".into(),
        other => format!("Referenced as “{}”", property_label(other).to_lowercase()),
    }
}

/// Where a type's section goes on a page, smaller first: what analysts look for on an entity
/// page (its software, campaigns, groups) before its techniques' long list.
pub(crate) fn type_rank(object_type: &str) -> u8 {
    match object_type {
        "malware" | "tool" => 0,
        "campaign" => 1,
        "intrusion-set" | "threat-actor" => 2,
        "attack-pattern" => 3,
        "course-of-action" | "vulnerability" => 4,
        "x-mitre-detection-strategy" | "x-mitre-analytic" | "x-mitre-data-component" => 5,
        "identity" | "location" | "infrastructure" => 6,
        "indicator" => 7,
        _ => 8,
    }
}

/// An element id from a contributed text: `[a-z0-9-]` only.
pub(crate) fn fragment(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// Current objects before revoked and deprecated ones, each by name whatever the case, then
/// exactly, then by id, so the order is total.
pub(crate) fn name_key<'v>(entry: Entry<'v>) -> (bool, String, &'v str, &'v str) {
    let name = entry.display_name();
    (entry.retired().is_some(), name.to_lowercase(), name, entry.id())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_and_campaigns_come_before_techniques() {
        let mut types = ["attack-pattern", "x-custom", "campaign", "tool", "intrusion-set", "malware"];
        types.sort_by_key(|t| type_rank(t));
        assert_eq!(types, ["tool", "malware", "campaign", "intrusion-set", "attack-pattern", "x-custom"]);
    }

    #[test]
    fn fragments_from_contributed_names_are_plain() {
        assert_eq!(fragment("rel-out-uses-attack-pattern"), "rel-out-uses-attack-pattern");
        assert_eq!(fragment("by-x_\"a\" <b>"), "by-x--a---b-");
    }
}
