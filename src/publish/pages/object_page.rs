//! The entity page of one object: everything it says and everything connected to it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::charts::Chart;
use super::citations::{Citations, ReferenceItem};
use super::connections::{reference_groups, relationship_groups, touching, ReferenceGroup, RelationshipGroup};
use super::contents::{contents, Contents, CONTAINERS};
use super::dashboard::{Activity, TRENDING_TYPES};
use super::detection::{detection, Strategy};
use super::fields::{fields, property_label, Field, TimeText};
use super::graph::{self, Neighbour};
use super::history::{HistorySection, Provenance};
use super::kill_chains::is_slug;
use super::links::{category, is_attack_source, object_href, safe_url, type_label, Link};
use super::markdown::to_safe_html;
use crate::audience::reads::{note, Digest, Kind, Read};
use crate::audience::{highest_tlp, Entry, View};
use crate::publish::shared::catalog::Catalog;
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
    /// Where it came from, when `stixpress import` made it.
    pub(crate) imported: Option<Imported>,
    /// The detection strategies that detect it, with their analytics (techniques).
    pub(crate) detection: Vec<Strategy>,
    /// What it lists, grouped (reports, groupings, notes).
    pub(crate) contents: Option<Contents>,
    /// The page's sections with their counts, for the in-page table of contents.
    pub(crate) toc: Vec<TocEntry>,
    /// Whether a relationship group carries the matrix (else it follows the groups).
    pub(crate) matrix_placed: bool,
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
    /// The object's JSON as this audience gets it: its TAXII file (the latest version, in an
    /// envelope), from the page. The page links it rather than repeating it (it was a tenth of
    /// every page's bytes); the page's script shows it when the reader opens "STIX JSON".
    pub(crate) json_href: String,
    /// Whether it was contributed in STIX 2.0: TAXII and the bundles publish it upgraded to
    /// STIX 2.1 (`stix::upgrade`), and the page says what that changed.
    pub(crate) upgraded: bool,
}

/// "Imported from <source> by <importer>, <rule>, <location>": the provenance extension
/// `stixpress import` writes. Every part is contributed text; only a safe URL becomes a link.
#[derive(Serialize, Debug, PartialEq, Clone)]
pub(crate) struct Imported {
    pub(crate) source: String,
    pub(crate) source_href: Option<String>,
    pub(crate) importer: Option<String>,
    pub(crate) rule: Option<String>,
    pub(crate) location: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct TocEntry {
    pub(crate) anchor: String,
    pub(crate) label: String,
    pub(crate) count: Option<usize>,
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
    /// The groupings an import made of objects it kept as published (`kept_as_published`).
    pub(crate) kept: &'a KeptFrom,
    /// Where each object's TAXII file is, from the site root (`taxii2/<api_root>/objects/`).
    pub(crate) taxii_objects: &'a str,
}

/// Each grouping `stixpress import` made of the objects it kept as their publisher published
/// them (by id), with the provenance it carries.
pub(crate) type KeptFrom = std::collections::HashMap<String, Imported>;

/// What a page reads of its `Sources`, noted as reads of the object (`reuse`): each is one
/// object's share of something the whole site worked out.
const LAYER: u8 = 0;
const MENTIONS: u8 = 1;
const PROVENANCE: u8 = 2;
const KEPT: u8 = 3;

/// What the source `tag` says of `entry` now, digested (for `reuse`, which compares it with
/// what it said when a page read it).
pub(crate) fn source_digest(view: &View<'_>, sources: &Sources<'_>, tag: u8, entry: Entry<'_>) -> Digest {
    let said = match tag {
        LAYER => serde_json::to_vec(&sources.feeds.layers.contains(entry.id())),
        MENTIONS => serde_json::to_vec(&sources.activity.histogram_inputs(entry.id())),
        PROVENANCE => serde_json::to_vec(&sources.provenance.section(view, entry, ROOT)),
        KEPT => serde_json::to_vec(&sources.kept.get(entry.id())),
        // No page notes another; were one to, it would digest as nothing before it, and never
        // be kept by it.
        _ => {
            let mut random = [0; 32];
            let _ = getrandom::fill(&mut random);
            Ok(random.to_vec())
        }
    };
    let mut hasher = blake3::Hasher::new();
    hasher.update(&[tag]).update(&said.unwrap_or_default());
    crate::audience::reads::finish(&hasher)
}

fn note_source(tag: u8, entry: Entry<'_>) {
    note(|| Read::at(Kind::Source(tag), entry.index));
}

pub(crate) fn object_page(view: &View<'_>, entry: Entry<'_>, sources: &Sources<'_>) -> ObjectPage {
    note_source(LAYER, entry);
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
    let internal = |id: &str| view.attack_owner(id).map(|owner| object_href(ROOT, owner.id()));
    let description_html = text("description").map(|d| to_safe_html(d, &mut citations, &internal));
    let listed = CONTAINERS
        .contains(&entry.object_type())
        .then(|| members.get("object_refs").and_then(Value::as_array))
        .flatten();
    let mut fields = fields(members, view, ROOT, &mut citations, &internal);
    if listed.is_some() {
        fields.retain(|f| f.key != "object_refs");
    }
    let contents = listed.map(|refs| contents(view, refs, sources.feeds, ROOT));
    let touching = touching(view, entry);
    let detection = detection(view, &touching, ROOT, &mut citations, &internal);
    let mut relationships = relationship_groups(&touching, ROOT, &mut citations, &internal);
    if !detection.is_empty() {
        // The Detection section lists these strategies with their analytics already.
        relationships.retain(|g| !g.anchor.starts_with("rel-in-detects-x-mitre-detection-strategy"));
    }
    let mut referenced_by = reference_groups(view, entry, ROOT);
    unique_anchors(&mut relationships, &mut referenced_by);
    let neighbours = neighbours(view, entry, &touching);
    let center = Link::to(entry, ROOT);
    let matrix = super::kill_chains::entity_matrix(view, entry, sources.tactic_rank, ROOT);
    let references = citations.into_items();
    let toc = toc(&TocParts {
        fields: &fields,
        detection: &detection,
        contents: contents.as_ref(),
        matrix: matrix.is_some(),
        relationships: &relationships,
        referenced_by: &referenced_by,
        references: references.len(),
    });
    ObjectPage {
        id: object.id.clone(),
        object_type: object.object_type.to_string(),
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
        imported: imported(members).or_else(|| kept_from(view, entry, sources.kept)),
        fields,
        detection,
        contents,
        toc,
        matrix_placed: relationships.iter().any(|g| g.matrix_here),
        relationships,
        referenced_by,
        references,
        versions: view.versions(entry).iter().filter_map(|v| TimeText::parse(v.version_key())).collect(),
        history: {
            note_source(PROVENANCE, entry);
            sources.provenance.section(view, entry, ROOT)
        },
        matrix,
        mentions: TRENDING_TYPES
            .contains(&entry.object_type())
            .then(|| {
                note_source(MENTIONS, entry);
                sources.activity.histogram(entry.id())
            })
            .flatten(),
        graph_svg: graph::draw(&center, &neighbours),
        json_href: format!("{ROOT}{}{}.json", sources.taxii_objects, object.id),
        upgraded: object.spec_version == crate::stix::SpecVersion::V20,
    }
}

/// The provenance `stixpress import` wrote into the object, if any.
fn imported(members: &Map<String, Value>) -> Option<Imported> {
    let extension = members.get("extensions")?.get(crate::stix::PROVENANCE_EXTENSION)?.as_object()?;
    let text = |key: &str| extension.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
    let source = text("source")?;
    Some(Imported {
        source: source.to_owned(),
        source_href: safe_url(source),
        importer: text("importer").map(str::to_owned),
        rule: text("rule").map(str::to_owned),
        location: text("location").map(str::to_owned),
    })
}

/// The groupings of `view` that say where imported objects came from, each read once: one
/// grouping can list a whole TAXII collection, and every page it lists looks it up.
pub(crate) fn kept_as_published(view: &View<'_>) -> KeptFrom {
    let groupings = view.entries().filter(|e| e.object_type() == "grouping");
    groupings
        .filter(|grouping| grouping.object.raw.contains(crate::stix::KEPT_AS_PUBLISHED))
        .filter_map(|grouping| {
            let parsed: Value = serde_json::from_str(&view.json(grouping.object)).ok()?;
            let mut found = imported(parsed.as_object()?)?;
            if !found.rule.as_deref().is_some_and(|r| r.ends_with(crate::stix::KEPT_AS_PUBLISHED)) {
                return None;
            }
            // The grouping's location counts its objects; the page of each is one of them.
            found.location = None;
            Some((grouping.id().to_owned(), found))
        })
        .collect()
}

/// Where an object an import kept as its publisher published it came from: the grouping the
/// import made of it (one this audience sees), whose provenance says so.
fn kept_from(view: &View<'_>, entry: Entry<'_>, kept: &KeptFrom) -> Option<Imported> {
    let groupings = view.incoming(entry).filter(|(p, r)| *p == "object_refs" && r.object_type() == "grouping");
    groupings.into_iter().find_map(|(_, grouping)| {
        note_source(KEPT, grouping);
        kept.get(grouping.id()).cloned()
    })
}

/// Gives every section its own fragment: contributed names reduced to `[a-z0-9-]` can meet
/// (`x_a` and `x-a`), and an element id must be unique.
fn unique_anchors(relationships: &mut [RelationshipGroup], referenced_by: &mut [ReferenceGroup]) {
    let mut taken = std::collections::HashSet::new();
    let anchors =
        relationships.iter_mut().map(|g| &mut g.anchor).chain(referenced_by.iter_mut().map(|g| &mut g.anchor));
    for anchor in anchors {
        let mut candidate = anchor.clone();
        let mut n = 1;
        while !taken.insert(candidate.clone()) {
            n += 1;
            candidate = format!("{anchor}-{n}");
        }
        *anchor = candidate;
    }
}

/// What the table of contents is made from.
struct TocParts<'a> {
    fields: &'a [Field],
    detection: &'a [Strategy],
    contents: Option<&'a Contents>,
    matrix: bool,
    relationships: &'a [RelationshipGroup],
    referenced_by: &'a [ReferenceGroup],
    references: usize,
}

/// The sections of the page in the order the template writes them, with their counts.
fn toc(parts: &TocParts<'_>) -> Vec<TocEntry> {
    let entry =
        |anchor: &str, label: String, count: Option<usize>| TocEntry { anchor: anchor.to_owned(), label, count };
    let mut out = Vec::new();
    if !parts.fields.is_empty() {
        out.push(entry("properties", "Properties".into(), None));
    }
    if !parts.detection.is_empty() {
        out.push(entry("detection", "Detection".into(), Some(parts.detection.len())));
    }
    if let Some(contents) = parts.contents {
        out.push(entry("contents", "Contents".into(), Some(contents.total)));
    }
    let placed = parts.relationships.iter().any(|g| g.matrix_here);
    for group in parts.relationships {
        if group.matrix_here && parts.matrix {
            out.push(entry("matrix", "Techniques by tactic".into(), None));
        }
        out.push(entry(&group.anchor, format!("{} · {}", group.label, group.other_type), Some(group.total)));
    }
    if parts.matrix && !placed && parts.contents.is_none() {
        out.push(entry("matrix", "Techniques by tactic".into(), None));
    }
    for group in parts.referenced_by {
        out.push(entry(&group.anchor, group.label.clone(), Some(group.total)));
    }
    if parts.references > 0 {
        out.push(entry("references", "References".into(), Some(parts.references)));
    }
    out
}

/// This site's page for an ATT&CK id, when another object here carries it as its own.
fn attack_page(view: &View<'_>, this: Entry<'_>, source: &str, external_id: &str) -> Option<String> {
    if !is_attack_source(source) {
        return None;
    }
    let owner = view.attack_owner(external_id).filter(|owner| owner.index != this.index)?;
    Some(object_href(ROOT, owner.id()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_provenance_is_read_and_only_safe_urls_link() {
        let object: Value = serde_json::json!({"extensions": {crate::stix::PROVENANCE_EXTENSION: {
            "source": "javascript:alert(1)", "importer": "stixpress 1.0", "rule": "ipv4", "location": "line 42"}}});
        let got = imported(object.as_object().unwrap()).unwrap();
        assert_eq!(got.source, "javascript:alert(1)");
        assert_eq!(got.source_href, None);
        assert_eq!(got.location.as_deref(), Some("line 42"));
        let object: Value = serde_json::json!({"extensions": {crate::stix::PROVENANCE_EXTENSION: {"source": "https://example.org/a.csv"}}});
        assert_eq!(
            imported(object.as_object().unwrap()).unwrap().source_href.as_deref(),
            Some("https://example.org/a.csv")
        );
        assert!(imported(serde_json::json!({"extensions": {}}).as_object().unwrap()).is_none());
    }
}
