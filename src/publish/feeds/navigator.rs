//! `feeds/navigator/`: ATT&CK Navigator layers (layer format 4.5). One per intrusion set,
//! campaign, malware, tool and report that uses ATT&CK techniques, scoring each technique by
//! how many lines of evidence show the use; and one per ATT&CK domain scoring each technique by
//! how many of those objects use it (the heat of the matrix).
//!
//! A group's layer scores the group's own `uses`, as MITRE's group layers do; the techniques of
//! the software it uses are kept apart, unscored, in their own colour, with a comment naming the
//! software and a legend saying so. Layer names hold none of `: \ / ? * [ ]`, which the
//! Navigator's Excel export (mitreattack-python's `ToExcel`) refuses in a sheet name.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde_json::{json, Value};

use super::{shortened, strings, FeedFile};
use crate::audience::{Entry, View};
use crate::config::Site;
use crate::error::Error;
use crate::write::{compact_json, Sink};

pub(crate) const DIR: &str = "feeds/navigator";

/// The object types that get a layer.
pub(crate) const LAYER_TYPES: &[&str] = &["intrusion-set", "campaign", "malware", "tool", "report"];

const DOMAINS: &[(&str, &str)] = &[
    ("enterprise-attack", "mitre-attack"),
    ("mobile-attack", "mitre-mobile-attack"),
    ("ics-attack", "mitre-ics-attack"),
];

/// Characters of a relationship's description a technique's comment keeps.
const COMMENT_CHARS: usize = 300;

/// What was written, for links from pages and the matrix.
#[derive(Default)]
pub(crate) struct Layers {
    pub(crate) files: Vec<FeedFile>,
    /// Ids of the objects that have a layer (`feeds/navigator/<id>.json`).
    pub(crate) objects: HashSet<String>,
    /// Kill-chain name (`mitre-attack`) → the path of its domain's heat layer.
    pub(crate) matrices: BTreeMap<String, String>,
}

/// An ATT&CK technique: its id (T1059.001) and the domains it belongs to.
struct Technique {
    attack_id: String,
    domains: Vec<&'static str>,
}

/// One use of a technique by an object: how it is known.
struct Evidence {
    technique: usize,
    comment: String,
    /// Whether the object itself uses it (not only the software a group or campaign uses).
    own: bool,
}

/// The colour of techniques a group uses only through its software (the gradient's is scored).
const SOFTWARE_COLOUR: &str = "#9ecae1";
/// The gradient's top colour, shown in the legend for scored techniques.
const SCORED_COLOUR: &str = "#e85d3a";

/// Characters the Navigator's Excel export refuses in a sheet name (Excel's own rule).
const NOT_IN_NAMES: &[char] = &[':', '\\', '/', '?', '*', '[', ']'];

pub(crate) fn write(view: &View<'_>, site: &Site, sink: &dyn Sink) -> Result<Layers, Error> {
    let techniques = techniques(view);
    let mut layers = Layers::default();
    if techniques.is_empty() {
        return Ok(layers);
    }
    let by_id: HashMap<&str, usize> = techniques.keys().copied().enumerate().map(|(i, id)| (id, i)).collect();
    let list: Vec<&Technique> = techniques.values().collect();
    let users: Vec<Entry> = view.entries().filter(|e| LAYER_TYPES.contains(&e.object_type())).collect();
    let evidence: Vec<(Entry, Vec<Evidence>)> = users
        .par_iter()
        .map(|entry| (*entry, evidence_of(view, *entry, &by_id)))
        .filter(|(_, found)| !found.is_empty())
        .collect();
    let mut heat: Vec<usize> = vec![0; list.len()];
    for (_, found) in &evidence {
        let mut used: Vec<usize> = found.iter().map(|e| e.technique).collect();
        used.sort_unstable();
        used.dedup();
        for technique in &used {
            heat[*technique] += 1;
        }
    }
    let with_layers = evidence
        .par_iter()
        .filter_map(|(entry, found)| Some((entry, found, main_domain(found, &list)?)))
        .map(|(entry, found, domain)| {
            let layer = entity_layer(view, site, *entry, found, &list, domain);
            sink.write(&format!("{DIR}/{}.json", entry.id()), compact_json(&layer).as_bytes())?;
            Ok(entry.id().to_owned())
        })
        .collect::<Result<HashSet<String>, Error>>()?;
    layers.objects = with_layers;
    if !layers.objects.is_empty() {
        let description = "a layer per intrusion set, campaign, malware, tool and report, named by its STIX id";
        layers.files.push(FeedFile::new(format!("{DIR}/<id>.json"), description, layers.objects.len()));
    }
    for (domain, kill_chain) in DOMAINS {
        let scored: Vec<(usize, usize)> = (0..list.len())
            .filter(|i| heat[*i] > 0 && list[*i].domains.contains(domain))
            .map(|i| (i, heat[i]))
            .collect();
        if scored.is_empty() {
            continue;
        }
        let path = format!("{DIR}/{domain}.json");
        sink.write(&path, compact_json(&heat_layer(view, site, domain, &scored, &list)).as_bytes())?;
        let description = "every technique in this domain, scored by how many objects here use it";
        layers.files.push(FeedFile::new(path.clone(), description, scored.len()));
        layers.matrices.insert((*kill_chain).to_owned(), path);
    }
    Ok(layers)
}

/// Every visible, current ATT&CK technique by STIX id.
fn techniques<'v>(view: &View<'v>) -> BTreeMap<&'v str, Technique> {
    let patterns: Vec<Entry<'v>> = view.entries().filter(|e| e.object_type() == "attack-pattern").collect();
    patterns
        .par_iter()
        .filter_map(|entry| {
            let (source, attack_id) = entry
                .object
                .external_ids
                .iter()
                .find(|(source, id)| DOMAINS.iter().any(|(_, s)| s == source) && is_technique_id(id))?;
            let json: Value = serde_json::from_str(&entry.object.raw).ok()?;
            let flag = |key: &str| json.get(key).and_then(Value::as_bool).unwrap_or(false);
            if flag("revoked") || flag("x_mitre_deprecated") {
                return None;
            }
            let listed: Vec<&str> = strings(&json, "x_mitre_domains").collect();
            let mut domains: Vec<&'static str> =
                DOMAINS.iter().filter(|(domain, _)| listed.contains(domain)).map(|(domain, _)| *domain).collect();
            if domains.is_empty() {
                domains.extend(DOMAINS.iter().filter(|(_, s)| s == source).map(|(domain, _)| *domain));
            }
            Some((entry.id(), Technique { attack_id: attack_id.to_uppercase(), domains }))
        })
        .collect()
}

/// `T1234` or `T1234.567`.
fn is_technique_id(id: &str) -> bool {
    let b = id.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    matches!(b.first(), Some(b'T' | b't'))
        && digits(1..5)
        && (b.len() == 5 || (b.len() == 9 && b[5] == b'.' && digits(6..9)))
}

/// How an object is known to use each technique: its own `uses` relationships; for intrusion
/// sets and campaigns, also the software they use; for a report, the techniques and `uses`
/// relationships it lists.
fn evidence_of(view: &View<'_>, entry: Entry<'_>, techniques: &HashMap<&str, usize>) -> Vec<Evidence> {
    let mut found = Vec::new();
    let direct = |subject: Entry<'_>, via: Option<&str>, found: &mut Vec<Evidence>| {
        for (relationship, other, outgoing) in view.relationships(subject) {
            if !outgoing || relationship.object.relationship_type.as_deref() != Some("uses") {
                continue;
            }
            if let Some(&technique) = techniques.get(other.id()) {
                let comment = match via {
                    Some(name) => format!("via its software {name}"),
                    None => description(view, relationship),
                };
                found.push(Evidence { technique, comment, own: via.is_none() });
            }
        }
    };
    match entry.object_type() {
        "report" => {
            for (property, listed) in view.outgoing(entry) {
                if property != "object_refs" {
                    continue;
                }
                if let Some(&technique) = techniques.get(listed.id()) {
                    found.push(Evidence { technique, comment: "listed in the report".into(), own: true });
                } else if listed.object_type() == "relationship"
                    && listed.object.relationship_type.as_deref() == Some("uses")
                {
                    let target = view.outgoing(listed).find(|(p, _)| *p == "target_ref");
                    if let Some(&technique) = target.and_then(|(_, t)| techniques.get(t.id())) {
                        found.push(Evidence { technique, comment: description(view, listed), own: true });
                    }
                }
            }
        }
        "intrusion-set" | "campaign" => {
            direct(entry, None, &mut found);
            for (relationship, software, outgoing) in view.relationships(entry) {
                let uses = relationship.object.relationship_type.as_deref() == Some("uses");
                if outgoing && uses && matches!(software.object_type(), "malware" | "tool") {
                    direct(software, Some(software.display_name()), &mut found);
                }
            }
        }
        _ => direct(entry, None, &mut found),
    }
    found
}

/// A relationship's description, shortened, for a technique's comment.
fn description(view: &View<'_>, relationship: Entry<'_>) -> String {
    let json: Value = serde_json::from_str(&view.json(relationship.object)).unwrap_or(Value::Null);
    shortened(json.get("description").and_then(Value::as_str).unwrap_or_default(), COMMENT_CHARS)
}

/// The domain most of an object's techniques belong to (a layer has one domain).
fn main_domain(found: &[Evidence], techniques: &[&Technique]) -> Option<&'static str> {
    DOMAINS
        .iter()
        .map(|(domain, _)| (*domain, found.iter().filter(|e| techniques[e.technique].domains.contains(domain)).count()))
        .filter(|(_, n)| *n > 0)
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(domain, _)| domain)
}

/// What differs between one object's layer and a domain's heat layer.
struct LayerText<'a> {
    name: &'a str,
    domain: &'a str,
    description: &'a str,
    /// The object the layer is about (metadata, and a link to its page).
    object: Option<&'a str>,
}

fn entity_layer(
    view: &View<'_>,
    site: &Site,
    entry: Entry<'_>,
    found: &[Evidence],
    techniques: &[&Technique],
    domain: &str,
) -> Value {
    let mut scores: BTreeMap<&str, (usize, Vec<&str>)> = BTreeMap::new();
    // Each comment once per technique, in the order met (a technique used through thousands of
    // pieces of software has as many comments: looking through them for each took seconds).
    let mut commented: HashSet<(&str, &str)> = HashSet::new();
    for evidence in found.iter().filter(|e| techniques[e.technique].domains.contains(&domain)) {
        let attack_id = techniques[evidence.technique].attack_id.as_str();
        let slot = scores.entry(attack_id).or_default();
        slot.0 += usize::from(evidence.own);
        if !evidence.comment.is_empty() && commented.insert((attack_id, &evidence.comment)) {
            slot.1.push(&evidence.comment);
        }
    }
    let items: Vec<Value> = scores
        .iter()
        .map(|(id, (score, comments))| {
            let comment = comments.join(" · ");
            match score {
                0 => json!({"techniqueID": id, "color": SOFTWARE_COLOUR, "comment": comment, "enabled": true}),
                _ => json!({"techniqueID": id, "score": score, "comment": comment, "enabled": true}),
            }
        })
        .collect();
    let name = entry.display_name();
    let kind = crate::stix::label::type_label(entry.object_type());
    let through_software = scores.values().any(|(score, _)| *score == 0);
    let mut description = format!(
        "Techniques used by {kind} {name}, from {}: a technique's score counts the relationships that show the use.",
        site.title
    );
    let mut legend = Vec::new();
    if through_software {
        description.push_str(" Techniques it uses only through its software have no score and their own colour.");
        legend.push(json!({"label": format!("used by {name} itself (score: relationships)"), "color": SCORED_COLOUR}));
        legend.push(json!({"label": "used only through its software (no score)", "color": SOFTWARE_COLOUR}));
    }
    let text = LayerText { name, domain, description: &description, object: Some(entry.id()) };
    let mut layer = layer(view, site, &text, items);
    layer["legendItems"] = Value::Array(legend);
    layer
}

fn heat_layer(
    view: &View<'_>,
    site: &Site,
    domain: &str,
    scored: &[(usize, usize)],
    techniques: &[&Technique],
) -> Value {
    let items: Vec<Value> = scored
        .iter()
        .map(|(i, n)| json!({"techniqueID": techniques[*i].attack_id, "score": n, "enabled": true}))
        .collect();
    let name = format!("{} ({domain})", site.title);
    let description = "How many intrusion sets, campaigns, malware, tools and reports here use each technique.";
    layer(view, site, &LayerText { name: &name, domain, description, object: None }, items)
}

fn layer(view: &View<'_>, site: &Site, text: &LayerText<'_>, mut techniques: Vec<Value>) -> Value {
    techniques.sort_by(|a, b| a["techniqueID"].as_str().cmp(&b["techniqueID"].as_str()));
    let max = techniques.iter().filter_map(|t| t["score"].as_u64()).max().unwrap_or(1);
    let mut metadata = Vec::new();
    if let Some(id) = text.object {
        metadata.push(json!({"name": "STIX id", "value": id}));
    }
    metadata.push(json!({"name": "audience", "value": view.audience()}));
    let mut layer = json!({
        "name": layer_name(text.name),
        "versions": {"layer": "4.5", "navigator": "5.1.0"},
        "domain": text.domain,
        "description": text.description,
        "sorting": 3,
        "layout": {"layout": "side", "aggregateFunction": "max", "showID": true, "showName": true},
        "hideDisabled": false,
        "techniques": techniques,
        "gradient": {"colors": ["#fff3b0", "#e85d3a"], "minValue": 0, "maxValue": max},
        "legendItems": [],
        "metadata": metadata,
        "showTacticRowBackground": false,
        "selectTechniquesAcrossTactics": true,
        "selectSubtechniquesWithParent": false,
    });
    // Navigator needs absolute links; without the site's base URL there is none to give.
    if let (Some(_), Some(id)) = (&site.base_url, text.object) {
        let url = site.url(&format!("objects/{id}/"), "");
        layer["links"] = json!([{"label": format!("Page on {}", site.title), "url": url}]);
    }
    layer
}

/// A layer name the Excel export takes as a sheet name: each refused character becomes `-`,
/// and an empty name becomes `layer`.
fn layer_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if NOT_IN_NAMES.contains(&c) || c.is_control() { '-' } else { c }).collect();
    match cleaned.trim() {
        "" => "layer".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_suit_the_excel_export() {
        assert_eq!(layer_name("APT: a/b\\c?*[d]"), "APT- a-b-c---d-");
        assert_eq!(layer_name(" "), "layer");
        assert_eq!(layer_name("Site (enterprise-attack)"), "Site (enterprise-attack)");
    }

    #[test]
    fn technique_ids() {
        for id in ["T1059", "T1059.001"] {
            assert!(is_technique_id(id), "{id}");
        }
        for id in ["T105", "T1059.1", "TA0001", "S0001", "T1059.0011", "../x"] {
            assert!(!is_technique_id(id), "{id}");
        }
    }
}
