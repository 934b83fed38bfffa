//! Audiences: the Store as one audience may see it (a `View`).
//!
//! An object is visible when every marking on it (object-level and granular) is one the
//! audience's `MarkingPolicy` allows, and every object it points at is visible too: a report,
//! relationship or sighting that references a withheld object — or names its id anywhere in its
//! JSON — would reveal that object's id, so it is withheld with it. An audience with
//! `redact_refs` publishes containers without such references instead (see `redact`).
//! Renderers take a View and never the Store, so what is withheld cannot reach any output.

mod causes;
mod history;
mod policy;
pub(crate) mod reads;
mod redact;
mod view;

use std::collections::{HashMap, HashSet};

use crate::config::Audience;
use crate::link::Store;
pub(crate) use crate::provenance::Commit;
use crate::provenance::History;
use crate::stix::marking::tlp_of;
use crate::stix::mentions::uuid_number;
pub(crate) use causes::{withholding, Withholding};
pub(crate) use history::AudienceHistory;
pub(crate) use policy::{highest_tlp, is_marking_property, MarkingKind, MarkingPolicy, Markings};
pub(crate) use redact::{named_outside_redactable, redactable, redaction, Redactable, Redaction};
pub(crate) use view::{Entry, View};

/// Decides what `audience` may see of `store`, and of its git `history`.
pub(crate) fn view<'s>(store: &'s Store, history: &'s History, audience: &Audience) -> View<'s> {
    visibility(store, audience).view(store, history)
}

/// What an audience may see of a Store, before a View is made of it. It borrows nothing, so
/// the Store may change in between (a build drops the JSON that no audience it builds sees).
pub(crate) struct Visibility {
    visible: Vec<bool>,
    policy: MarkingPolicy,
    markings: Markings,
}

impl Visibility {
    /// Whether the audience sees the object at `index`.
    pub(crate) fn shows(&self, index: crate::link::ObjectIndex) -> bool {
        self.visible[index.0 as usize]
    }

    /// The View of `store` (the Store this was worked out on) and of its git `history`.
    pub(crate) fn view<'s>(self, store: &'s Store, history: &'s History) -> View<'s> {
        View::new(store, self.visible, self.policy, self.markings, history)
    }
}

/// Works out which objects of `store` `audience` may see.
pub(crate) fn visibility(store: &Store, audience: &Audience) -> Visibility {
    use rayon::prelude::*;
    let policy = MarkingPolicy::new(audience);
    let markings = Markings::new(store.indices().map(|index| store.latest(index)));
    let mut visible: Vec<bool> = (0..store.len() as u32)
        .into_par_iter()
        .map(|index| policy.allows_markings_of(store.latest(crate::link::ObjectIndex(index)), &markings))
        .collect();
    withhold_referrers(store, &mut visible, &policy);
    Visibility { visible, policy, markings }
}

/// Withholds every object that points at a withheld one, transitively (a note on a report on a
/// withheld indicator goes too). Where the audience redacts, a redactable reference is dropped instead, and
/// a container goes only when none of its `object_refs` remains.
fn withhold_referrers(store: &Store, visible: &mut [bool], policy: &MarkingPolicy) {
    let mut remaining: Vec<u32> = if policy.audience.redact_refs {
        store
            .indices()
            .map(|i| store.latest(i).refs.iter().filter(|r| r.property == "object_refs").count() as u32)
            .collect()
    } else {
        Vec::new()
    };
    // What each object names outside the members it may lose, worked out when first needed.
    let mut outside: HashMap<usize, Vec<u128>> = HashMap::new();
    let mut pending: Vec<_> = store.indices().filter(|i| !visible[i.0 as usize]).collect();
    let mut crowds_gone_through: HashSet<u128> = HashSet::new();
    while let Some(withheld) = pending.pop() {
        // The TLP definitions are everybody's vocabulary: withholding one of them from an
        // audience (it may be marked itself) says nothing about what it marks.
        let withheld_id = &store.latest(withheld).id;
        let canonical_tlp = tlp_of(withheld_id).is_some();
        for edge in store.incoming(withheld) {
            let source = edge.source.0 as usize;
            let property = store.property(edge);
            if !visible[source] || (canonical_tlp && is_marking_property(property)) {
                continue;
            }
            let redaction = policy.redaction(property);
            // A reference that may be removed still leaves the id where the JSON names it
            // elsewhere (a description that cites it): then the object goes.
            let named_elsewhere = redaction != Redaction::No && {
                let named = outside.entry(source).or_insert_with(|| {
                    let object = store.latest(edge.source);
                    redact::named_outside_redactable(&object.raw, &object.id)
                });
                uuid_number(withheld_id).is_some_and(|uuid| named.binary_search(&uuid).is_ok())
            };
            let goes = match redaction {
                _ if named_elsewhere => true,
                Redaction::No => true,
                Redaction::Drop => false,
                Redaction::KeepOne => {
                    remaining[source] = remaining[source].saturating_sub(1);
                    remaining[source] == 0
                }
            };
            if goes {
                visible[source] = false;
                pending.push(edge.source);
            }
        }
        // An object naming a crowded UUID mentions every id holding it (`link::CROWDED`): all
        // such objects go with the first holder withheld, so each UUID is gone through once.
        if let Some(uuid) = store.crowd_of(withheld) {
            if crowds_gone_through.insert(uuid) {
                for source in store.crowd_mentioners(uuid).filter(|&source| source != withheld) {
                    if std::mem::replace(&mut visible[source.0 as usize], false) {
                        pending.push(source);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
