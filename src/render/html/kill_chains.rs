//! `matrix/<kill-chain>/`: one page per kill chain in use, a section per phase listing the
//! objects in it, so that every kill-chain phase on an object page leads somewhere. The heat
//! matrix with tactics as columns builds on these addresses.

use std::collections::BTreeMap;

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

/// Every kill chain the View uses, by name; phases and members sorted by name. Revoked and
/// deprecated objects are left out, as they are from a matrix.
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
    chains
        .into_iter()
        .map(|(name, phases)| KillChainPage {
            name,
            phases: phases
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
