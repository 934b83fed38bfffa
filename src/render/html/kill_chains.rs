//! `matrix/<kill-chain>/`: one page per kill chain in use, a section per phase listing the
//! objects in it, so that every kill-chain phase on an object page leads somewhere. The heat
//! matrix with tactics as columns builds on these addresses.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::links::Link;
use crate::audience::{Entry, View};

#[derive(Serialize)]
pub struct KillChainPage {
    pub name: String,
    pub phases: Vec<PhaseSection>,
}

#[derive(Serialize)]
pub struct PhaseSection {
    pub name: String,
    pub members: Vec<Member>,
}

#[derive(Serialize)]
pub struct Member {
    pub link: Link,
    pub external_id: Option<String>,
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
pub fn is_slug(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every kill chain the View uses, by name; phases in the order an ATT&CK matrix
/// (`x-mitre-matrix`) lists its tactics, the others after them by name; members sorted by
/// name. Revoked and deprecated objects are left out, as they are from a matrix.
pub fn kill_chain_pages(view: &View<'_>, root: &str) -> Vec<KillChainPage> {
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
    chains
        .into_iter()
        .map(|(name, phases)| KillChainPage {
            name,
            phases: sorted_phases(phases, &rank)
                .into_iter()
                .map(|(name, mut entries)| {
                    entries.sort_by_cached_key(|e| super::connections::name_key(*e));
                    entries.dedup_by_key(|e| e.index);
                    let members = entries
                        .into_iter()
                        .map(|e| Member {
                            link: Link::to(e, root),
                            external_id: e.object.external_ids.first().map(|(_, id)| id.clone()),
                        })
                        .collect();
                    PhaseSection { name, members }
                })
                .collect(),
        })
        .collect()
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
fn tactic_order(view: &View<'_>) -> HashMap<String, usize> {
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
