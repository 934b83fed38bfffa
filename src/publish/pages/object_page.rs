//! The entity page of one object: everything it says and everything connected to it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::charts::Chart;
use super::citations::{Citations, ReferenceItem};
use super::connections::{reference_groups, relationship_groups, touching, ReferenceGroup, RelationshipGroup};
use super::dashboard::{Activity, TRENDING_TYPES};
use super::fields::{fields, property_label, Field, TimeText};
use super::graph::{self, Neighbour};
use super::history::{HistorySection, Provenance};
use super::kill_chains::is_slug;
use super::links::{category, is_attack_source, object_href, type_label, Link};
use super::markdown::to_safe_html;
use crate::audience::{highest_tlp, Entry, View};
use crate::publish::shared::catalog::Catalog;
use crate::publish::shared::escape::escape_text;
use crate::stix::marking::Tlp;

/// Where object pages sit relative to the site root (`objects/<id>/`).
pub(crate) const ROOT: &str = "../../";

#[derive(Serialize)]
pub(crate) struct ObjectPage {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) object_type: String,
    pub(crate) type_label: String,
    pub(crate) category: &'static str,
    pub(crate) name: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) external_ids: Vec<String>,
    pub(crate) spec_version: &'static str,
    pub(crate) created: Option<TimeText>,
    pub(crate) modified: Option<TimeText>,
    pub(crate) created_by: Option<Link>,
    pub(crate) tlp: Option<TlpBanner>,
    /// The texts of its statement markings (copyright, terms of use).
    pub(crate) statements: Vec<String>,
    /// References left out of this audience's copy, when the audience may be told (else 0).
    pub(crate) withheld_references: usize,
    pub(crate) revoked: bool,
    pub(crate) deprecated: bool,
    pub(crate) replaced_by: Option<Link>,
    pub(crate) description_html: Option<String>,
    pub(crate) kill_chain: Vec<Phase>,
    pub(crate) fields: Vec<Field>,
    pub(crate) relationships: Vec<RelationshipGroup>,
    pub(crate) referenced_by: Vec<ReferenceGroup>,
    pub(crate) references: Vec<ReferenceItem>,
    pub(crate) versions: Vec<TimeText>,
    /// Each version with the commit that brought it (None when history was not read).
    pub(crate) history: Option<HistorySection>,
    /// Mentions per month (reports, relationships), for the types that can trend.
    pub(crate) mentions: Option<Chart>,
    /// The techniques it uses (or a report lists), as a matrix.
    pub(crate) matrix: Option<super::kill_chains::KillChainPage>,
    /// Its ATT&CK Navigator layer in the feeds, when it uses techniques.
    pub(crate) navigator_layer: Option<String>,
    /// Markup, drawn and escaped by the graph module.
    pub(crate) graph_svg: Option<String>,
    /// The object's JSON, already escaped for element content (`& < >`): output it with `|safe`
    /// inside an element, never in an attribute.
    pub(crate) json: String,
    /// Whether TAXII and the bundles publish another form of this JSON: a STIX 2.0 object goes
    /// out upgraded to STIX 2.1 (`stix::upgrade`), while the page shows it as contributed.
    pub(crate) upgraded: bool,
}

#[derive(Serialize)]
pub(crate) struct TlpBanner {
    pub(crate) label: &'static str,
    pub(crate) class: &'static str,
}

#[derive(Serialize)]
pub(crate) struct Phase {
    pub(crate) kill_chain: String,
    pub(crate) phase: String,
    /// The phase's column in the matrix, when both names are safe in a URL.
    pub(crate) href: Option<String>,
}

/// What object pages draw on besides the View.
pub(crate) struct Sources<'a> {
    pub(crate) feeds: &'a Catalog,
    /// Each ATT&CK tactic's column (`kill_chains::tactic_order`).
    pub(crate) tactic_rank: &'a super::kill_chains::Columns,
    pub(crate) provenance: &'a Provenance<'a>,
    pub(crate) activity: &'a Activity<'a>,
}

pub(crate) fn object_page(view: &View<'_>, entry: Entry<'_>, sources: &Sources<'_>) -> ObjectPage {
    let has_layer = sources.feeds.layers.contains(entry.id());
    let object = entry.object;
    // The JSON this audience gets: a copy without redacted references, where there were any.
    let json = view.json(object);
    let parsed: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    let empty = Map::new();
    let members = parsed.as_object().unwrap_or(&empty);
    let text = |key: &str| members.get(key).and_then(Value::as_str);
    let mut citations = Citations::default();
    let own_references = members.get("external_references").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let attack_page = |source: &str, id: &str| attack_page(view, entry, source, id);
    citations.add_listed(own_references, &attack_page);
    // In descriptions even the object's own ATT&CK address stays on this site.
    let internal = |id: &str| attack_owner(view, id).map(|owner| object_href(ROOT, owner.id()));
    let description_html = text("description").map(|d| to_safe_html(d, &mut citations, &internal));
    let fields = fields(members, view, ROOT, &mut citations, &internal);
    let touching = touching(view, entry);
    let relationships = relationship_groups(&touching, ROOT, &mut citations, &internal);
    let neighbours = neighbours(view, entry, &touching);
    let center = Link::to(entry, ROOT);
    ObjectPage {
        id: object.id.clone(),
        object_type: object.object_type.clone(),
        type_label: type_label(&object.object_type),
        category: category(&object.object_type),
        name: entry.display_name().to_owned(),
        aliases: object.aliases.iter().filter(|a| Some(a.as_str()) != object.name.as_deref()).cloned().collect(),
        external_ids: own_references
            .first()
            .and_then(|r| r.get("external_id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect(),
        spec_version: object.spec_version.as_str(),
        created: object.created.as_deref().and_then(TimeText::parse),
        modified: object.modified.as_deref().and_then(TimeText::parse),
        created_by: text("created_by_ref").map(|id| Link::to_id(view, id, ROOT)),
        tlp: tlp_banner(object),
        navigator_layer: has_layer.then(|| format!("{ROOT}feeds/navigator/{}.json", object.id)),
        statements: view.statements(object).into_iter().map(str::to_owned).collect(),
        withheld_references: if view.shows_withheld() { view.removed_references(object) } else { 0 },
        revoked: object.revoked,
        deprecated: members.get("x_mitre_deprecated").and_then(Value::as_bool).unwrap_or(false),
        replaced_by: touching.iter().find(|t| t.outgoing && t.kind == "revoked-by").map(|t| Link::to(t.other, ROOT)),
        description_html,
        kill_chain: kill_chain(members),
        fields,
        relationships,
        referenced_by: reference_groups(view, entry, ROOT),
        references: citations.into_items(),
        versions: view.versions(entry).iter().filter_map(|v| TimeText::parse(v.version_key())).collect(),
        history: sources.provenance.section(view, entry, ROOT),
        matrix: super::kill_chains::entity_matrix(view, entry, sources.tactic_rank, ROOT),
        mentions: TRENDING_TYPES
            .contains(&entry.object_type())
            .then(|| sources.activity.histogram(entry.id()))
            .flatten(),
        graph_svg: graph::draw(&center, &neighbours),
        json: escape_text(&dedent(&json)),
        upgraded: object.spec_version == crate::stix::SpecVersion::V20,
    }
}

/// This site's page for an ATT&CK id, when another object here carries it as its own.
fn attack_page(view: &View<'_>, this: Entry<'_>, source: &str, external_id: &str) -> Option<String> {
    if !is_attack_source(source) {
        return None;
    }
    let owner = attack_owner(view, external_id).filter(|owner| owner.index != this.index)?;
    Some(object_href(ROOT, owner.id()))
}

/// The published object whose ATT&CK id is `external_id` (its first external reference).
fn attack_owner<'v>(view: &View<'v>, external_id: &str) -> Option<Entry<'v>> {
    view.with_external_id(external_id).find(|candidate| {
        candidate
            .object
            .external_ids
            .first()
            .is_some_and(|(s, id)| is_attack_source(s) && id.eq_ignore_ascii_case(external_id))
    })
}

fn tlp_banner(object: &crate::stix::StixObject) -> Option<TlpBanner> {
    let level = highest_tlp(object)?;
    let class = match level {
        Tlp::Clear => "clear",
        Tlp::White => "white",
        Tlp::Green => "green",
        Tlp::Amber => "amber",
        Tlp::AmberStrict => "amber-strict",
        Tlp::Red => "red",
    };
    Some(TlpBanner { label: level.label(), class })
}

fn kill_chain(members: &Map<String, Value>) -> Vec<Phase> {
    let phases = members.get("kill_chain_phases").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    phases
        .iter()
        .filter_map(|phase| {
            let kill_chain = phase.get("kill_chain_name")?.as_str()?;
            let name = phase.get("phase_name")?.as_str()?;
            let href = (is_slug(kill_chain) && is_slug(name)).then(|| format!("matrix/{kill_chain}/#{name}"));
            Some(Phase { kill_chain: kill_chain.to_owned(), phase: name.to_owned(), href })
        })
        .collect()
}

/// The graph's neighbours: the other ends of relationships, then what the object references
/// (its creator and markings aside: every object has those).
fn neighbours(view: &View<'_>, entry: Entry<'_>, touching: &[super::connections::Touching<'_>]) -> Vec<Neighbour> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for t in touching {
        if seen.insert(t.other.index) {
            out.push(Neighbour { link: Link::to(t.other, ROOT), via: t.kind.clone() });
        }
    }
    for (property, target) in view.outgoing(entry) {
        if matches!(property, "created_by_ref" | "object_marking_refs" | "granular_markings") {
            continue;
        }
        if target.index != entry.index && seen.insert(target.index) {
            out.push(Neighbour { link: Link::to(target, ROOT), via: property_label(property).to_lowercase() });
        }
    }
    out
}

/// The object's JSON as it stood in its bundle, without the bundle's indentation (the first
/// line starts at the `{`, the others carry the indentation of the closing `}`).
fn dedent(raw: &str) -> String {
    let indent = raw.rsplit('\n').next().map_or(0, |last| last.len() - last.trim_start().len());
    if indent == 0 {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    for (i, line) in raw.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let strip = line.len() - line.trim_start_matches(' ').len();
        out.push_str(&line[strip.min(indent)..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::dedent;

    #[test]
    fn bundle_indentation_is_removed_from_the_json_shown() {
        assert_eq!(dedent("{\n      \"a\": 1\n    }"), "{\n  \"a\": 1\n}");
        assert_eq!(dedent("{\"a\":1}"), "{\"a\":1}");
    }
}
