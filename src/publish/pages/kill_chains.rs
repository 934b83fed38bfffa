//! `matrix/<kill-chain>/`: one page per kill chain in use, a section per phase listing the
//! objects in it, so that every kill-chain phase on an object page leads somewhere. The heat
//! matrix with tactics as columns builds on these addresses.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::links::Link;
use crate::audience::{Entry, View};

#[derive(Serialize)]
pub(crate) struct KillChainPage {
    pub(crate) name: String,
    pub(crate) phases: Vec<PhaseSection>,
}

#[derive(Serialize)]
pub(crate) struct PhaseSection {
    pub(crate) name: String,
    pub(crate) members: Vec<Member>,
}

#[derive(Serialize)]
pub(crate) struct Member {
    pub(crate) link: Link,
    pub(crate) external_id: Option<String>,
    /// How often it is used: `uses` relationships from intrusion sets, campaigns, malware and
    /// tools, and reports that list it.
    pub(crate) uses: usize,
    /// 0 (unused) to 5 (the most used in this kill chain), for the cell's shade.
    pub(crate) heat: u8,
    /// A sub-technique (an ATT&CK id with a dot), shown under its technique.
    pub(crate) sub: bool,
}

/// What this page reads of an object; the rest of its JSON is skipped unparsed.
#[derive(Deserialize)]
struct Phases {
    #[serde(default)]
    kill_chain_phases: Vec<PhaseRef>,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    x_mitre_deprecated: bool,
}

#[derive(Deserialize)]
struct PhaseRef {
    kill_chain_name: String,
    phase_name: String,
}

/// Names safe as a path segment and a fragment: the only ones an object page links to.
pub(crate) fn is_slug(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every kill chain the View uses, by name; phases in the order an ATT&CK matrix
/// (`x-mitre-matrix`) lists its tactics, the others after them by name; members sorted by
/// name. Revoked and deprecated objects are left out, as they are from a matrix.
pub(crate) fn kill_chain_pages(view: &View<'_>, root: &str) -> Vec<KillChainPage> {
    let entries: Vec<Entry> = view.entries().collect();
    let uses: Vec<(String, String, Entry)> = entries
        .par_iter()
        .filter(|e| e.object.raw.contains("\"kill_chain_phases\""))
        .flat_map_iter(|entry| {
            let parsed = serde_json::from_str::<Phases>(&entry.object.raw).ok();
            let current = parsed.filter(|p| !p.revoked && !p.x_mitre_deprecated);
            current
                .map_or(Vec::new(), |p| p.kill_chain_phases)
                .into_iter()
                .filter(|p| is_slug(&p.kill_chain_name) && is_slug(&p.phase_name))
                .map(move |p| (p.kill_chain_name, p.phase_name, *entry))
        })
        .collect();
    let mut chains: BTreeMap<String, BTreeMap<String, Vec<Entry>>> = BTreeMap::new();
    for (chain, phase, entry) in uses {
        chains.entry(chain).or_default().entry(phase).or_default().push(entry);
    }
    let rank = tactic_order(view);
    let mut pages: Vec<KillChainPage> = chains
        .into_iter()
        .map(|(name, phases)| KillChainPage {
            name,
            phases: sorted_phases(phases, &rank)
                .into_iter()
                .map(|(name, entries)| phase_section(name, entries, root, |e| usage(view, e)))
                .collect(),
        })
        .collect();
    for page in &mut pages {
        let most = page.phases.iter().flat_map(|p| &p.members).map(|m| m.uses).max().unwrap_or(0);
        for member in page.phases.iter_mut().flat_map(|p| &mut p.members) {
            member.heat = heat(member.uses, most);
        }
    }
    pages
}

/// 0 for unused, else 1 to 5 on a log scale up to the most used.
pub(crate) fn heat(uses: usize, most: usize) -> u8 {
    if uses == 0 || most == 0 {
        return 0;
    }
    if most == 1 {
        return 5;
    }
    let level = 1.0 + 4.0 * (uses as f64).ln() / (most as f64).ln();
    level.round().clamp(1.0, 5.0) as u8
}

/// How often a technique is used: `uses` relationships to it from intrusion sets, campaigns,
/// malware and tools, and reports that list it.
pub(crate) fn usage(view: &View<'_>, entry: Entry<'_>) -> usize {
    let by_relationship = view
        .relationships(entry)
        .filter(|(rel, other, outgoing)| {
            !outgoing
                && rel.object.relationship_type.as_deref() == Some("uses")
                && matches!(other.object_type(), "intrusion-set" | "campaign" | "malware" | "tool")
        })
        .count();
    let by_report =
        view.incoming(entry).filter(|(p, source)| *p == "object_refs" && source.object_type() == "report").count();
    by_relationship + by_report
}

/// The techniques an intrusion set, campaign, malware or tool uses (`uses` relationships), or a
/// report lists, as a matrix of their kill chain's phases (the chain most of them are in).
pub(crate) fn entity_matrix(
    view: &View<'_>,
    entry: Entry<'_>,
    rank: &HashMap<String, usize>,
    root: &str,
) -> Option<KillChainPage> {
    let techniques: Vec<Entry<'_>> = match entry.object_type() {
        "intrusion-set" | "campaign" | "malware" | "tool" => view
            .relationships(entry)
            .filter(|(rel, other, outgoing)| {
                *outgoing
                    && rel.object.relationship_type.as_deref() == Some("uses")
                    && other.object_type() == "attack-pattern"
            })
            .map(|(_, other, _)| other)
            .collect(),
        "report" => view
            .outgoing(entry)
            .filter(|(p, target)| *p == "object_refs" && target.object_type() == "attack-pattern")
            .map(|(_, target)| target)
            .collect(),
        _ => return None,
    };
    let mut chains: BTreeMap<String, BTreeMap<String, Vec<Entry<'_>>>> = BTreeMap::new();
    for technique in techniques {
        let Ok(parsed) = serde_json::from_str::<Phases>(&technique.object.raw) else { continue };
        for phase in
            parsed.kill_chain_phases.into_iter().filter(|p| is_slug(&p.kill_chain_name) && is_slug(&p.phase_name))
        {
            chains.entry(phase.kill_chain_name).or_default().entry(phase.phase_name).or_default().push(technique);
        }
    }
    let (name, phases) = chains
        .into_iter()
        .max_by_key(|(name, phases)| (phases.values().map(Vec::len).sum::<usize>(), std::cmp::Reverse(name.clone())))?;
    // Every technique here is used by the entity: all cells get the same full shade.
    let phases = sorted_phases(phases, rank)
        .into_iter()
        .map(|(phase, entries)| {
            let mut section = phase_section(phase, entries, root, |_| 1);
            section.members.iter_mut().for_each(|m| m.heat = 5);
            section
        })
        .collect();
    Some(KillChainPage { name, phases })
}

/// One phase's cells: each object once, with its use count (`uses`), a sub-technique right
/// after its technique (T1059, T1059.001, …), the rest by name. Heat is set by the caller.
fn phase_section(
    name: String,
    mut entries: Vec<Entry<'_>>,
    root: &str,
    uses: impl Fn(Entry<'_>) -> usize,
) -> PhaseSection {
    entries.sort_by_cached_key(|e| super::connections::name_key(*e));
    entries.dedup_by_key(|e| e.index);
    let mut members: Vec<Member> = entries
        .into_iter()
        .map(|e| {
            let external_id = e.object.external_ids.first().map(|(_, id)| id.clone());
            let sub = external_id.as_deref().is_some_and(|id| id.contains('.'));
            Member { link: Link::to(e, root), external_id, uses: uses(e), heat: 0, sub }
        })
        .collect();
    members.sort_by_cached_key(|m| {
        let parent = m.external_id.as_deref().map(|id| id.split('.').next().unwrap_or(id).to_owned());
        (parent.is_none(), parent.unwrap_or_default(), m.sub, m.link.name.to_lowercase())
    });
    PhaseSection { name, members }
}

/// Phases by their rank in a matrix when they have one, then by name.
fn sorted_phases<'v>(
    phases: BTreeMap<String, Vec<Entry<'v>>>,
    rank: &HashMap<String, usize>,
) -> Vec<(String, Vec<Entry<'v>>)> {
    let mut phases: Vec<_> = phases.into_iter().collect();
    phases.sort_by_key(|(name, _)| (rank.get(name).copied().unwrap_or(usize::MAX), name.clone()));
    phases
}

#[derive(Deserialize)]
struct Matrix {
    #[serde(default)]
    tactic_refs: Vec<String>,
}

#[derive(Deserialize)]
struct Tactic {
    x_mitre_shortname: Option<String>,
}

/// The position of each tactic's phase name (`x_mitre_shortname`) in the first matrix that
/// lists it, matrices taken in id order.
pub(crate) fn tactic_order(view: &View<'_>) -> HashMap<String, usize> {
    let mut rank = HashMap::new();
    for matrix in view.entries().filter(|e| e.object_type() == "x-mitre-matrix") {
        let Ok(matrix) = serde_json::from_str::<Matrix>(&matrix.object.raw) else { continue };
        for (position, tactic_id) in matrix.tactic_refs.iter().enumerate() {
            let Some(tactic) = view.get(tactic_id) else { continue };
            let Ok(Tactic { x_mitre_shortname: Some(phase) }) = serde_json::from_str(&tactic.object.raw) else {
                continue;
            };
            rank.entry(phase).or_insert(position);
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_phases_come_first_in_their_order_then_the_rest_by_name() {
        let phases: BTreeMap<String, Vec<Entry>> =
            ["zeta", "impact", "alpha", "initial-access"].iter().map(|p| (p.to_string(), Vec::new())).collect();
        let rank: HashMap<String, usize> = [("initial-access".to_string(), 0), ("impact".to_string(), 5)].into();
        let names: Vec<String> = sorted_phases(phases, &rank).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["initial-access", "impact", "alpha", "zeta"]);
    }
}
