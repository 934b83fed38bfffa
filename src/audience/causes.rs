//! Why an audience does not get what it does not get: for every object of the Store the View
//! withholds, the cause, decided the way `audience::view` decides — a marking the audience may
//! not see (with the `stixpress.toml` line that would let it), no restricting marking where the
//! audience publishes only marked objects, or a reference to an object withheld for one of
//! those (counted under that object's cause, so one line says everything a change would publish).
//!
//! It counts; it never names a withheld object (the counts are for the operator's terminal and
//! `check`'s summary, not for the site).

use std::collections::{HashMap, HashSet};

use super::policy::{is_marking_property, MarkingKind, MarkingPolicy, Markings};
use super::View;
use crate::link::ObjectIndex;
use crate::stix::marking::TLP_MARKINGS;
use crate::stix::StixObject;

/// What withholds objects from an audience, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withholding {
    pub audience: String,
    /// Every object withheld.
    pub total: usize,
    /// Largest first.
    pub(crate) causes: Vec<Cause>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cause {
    pub(crate) reason: Reason,
    /// The objects that carry the marking (or are unmarked) themselves.
    pub(crate) objects: usize,
    /// The objects withheld because they point at one of those (transitively).
    pub(crate) referrers: usize,
    /// The configuration that would publish them, as it would be written under
    /// `[audiences.<name>]` (None when nothing in the configuration can).
    pub(crate) config_line: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Reason {
    /// A marking that is neither a TLP marking nor a statement, nor defined in the repository.
    UnresolvedMarking(String),
    /// A marking the audience does not list (a TLP level, or a community's own definition).
    Marking { id: String, label: String },
    /// No restricting marking, and the audience publishes only marked objects.
    Unmarked,
    /// Invalid objects, left out of every audience (`build --allow-errors`).
    Invalid,
}

impl Cause {
    pub(crate) fn total(&self) -> usize {
        self.objects + self.referrers
    }
}

/// The causes of what `view` withholds of its Store.
pub(crate) fn withholding(view: &View<'_>) -> Withholding {
    use rayon::prelude::*;
    const NONE: u32 = u32::MAX;
    let (store, policy, markings) = view.parts();
    // Each object's own reason, in parallel (a million objects: half a second on one core);
    // the few distinct reasons are numbered in Store order, so the result is the same each run.
    let own: Vec<(ObjectIndex, Reason)> = (0..store.len() as u32)
        .into_par_iter()
        .map(ObjectIndex)
        .filter(|&i| view.withholds_index(i))
        .filter_map(|index| Some((index, own_reason(store.latest(index), policy, markings)?)))
        .collect();
    let mut reasons: Vec<Reason> = Vec::new();
    let mut number_of: HashMap<Reason, u32> = HashMap::new();
    // Per object, the number of its cause (NONE while it has none); per cause, its counts.
    let mut cause_of: Vec<u32> = vec![NONE; store.len()];
    let mut counts: Vec<(usize, usize)> = Vec::new();
    let mut pending: Vec<ObjectIndex> = Vec::with_capacity(own.len());
    for (index, reason) in own {
        let next = reasons.len() as u32;
        let number = *number_of.entry(reason).or_insert_with_key(|reason| {
            reasons.push(reason.clone());
            counts.push((0, 0));
            next
        });
        cause_of[index.0 as usize] = number;
        counts[number as usize].0 += 1;
        pending.push(index);
    }
    // Each referrer is counted under the cause of the first withheld object it is reached from.
    let mut crowds_gone_through = HashSet::new();
    while let Some(withheld) = pending.pop() {
        let number = cause_of[withheld.0 as usize];
        // Objects naming a crowded UUID point at every id holding it (`link::CROWDED`).
        let crowd = (store.crowd_of(withheld).filter(|&uuid| crowds_gone_through.insert(uuid)))
            .into_iter()
            .flat_map(|uuid| store.crowd_mentioners(uuid));
        for source in store.incoming(withheld).map(|edge| edge.source).chain(crowd) {
            if view.withholds_index(source) && cause_of[source.0 as usize] == NONE {
                counts[number as usize].1 += 1;
                cause_of[source.0 as usize] = number;
                pending.push(source);
            }
        }
    }
    let total = store.indices().filter(|&i| view.withholds_index(i)).count();
    let mut causes: Vec<Cause> = reasons
        .into_iter()
        .zip(counts)
        .map(|(reason, (objects, referrers))| {
            let config_line = config_line(&reason, policy);
            Cause { reason, objects, referrers, config_line }
        })
        .collect();
    sort(&mut causes);
    Withholding { audience: policy.audience.name.clone(), total, causes }
}

impl Withholding {
    /// Adds the invalid objects every audience loses (`build --allow-errors`).
    pub(crate) fn with_invalid(mut self, invalid: usize) -> Withholding {
        if invalid > 0 {
            self.total += invalid;
            self.causes.push(Cause { reason: Reason::Invalid, objects: invalid, referrers: 0, config_line: None });
            sort(&mut self.causes);
        }
        self
    }

    /// One line per cause, largest first, for a terminal.
    pub fn lines(&self) -> Vec<String> {
        self.causes.iter().map(|cause| cause.line(&self.audience)).collect()
    }
}

impl Cause {
    fn line(&self, audience: &str) -> String {
        let what = match &self.reason {
            Reason::UnresolvedMarking(id) => format!("marked {id}, a marking the repository does not define"),
            Reason::Marking { label, .. } => format!("marked {label}, which `{audience}` does not list"),
            Reason::Unmarked => format!("unmarked, and `{audience}` publishes only marked objects"),
            Reason::Invalid => {
                "invalid (`build --allow-errors` publishes without them; `stixpress check` lists why)".to_owned()
            }
        };
        let mut line = format!("{}: {what}", self.objects);
        if self.referrers > 0 {
            line.push_str(&format!(", and {} that point at them", self.referrers));
        }
        if let Some(config) = &self.config_line {
            line.push_str(&format!("; to publish them, put `{config}` under [audiences.{audience}] in stixpress.toml"));
        }
        line
    }
}

fn sort(causes: &mut [Cause]) {
    causes.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.reason.cmp(&b.reason)));
}

/// Why one object is withheld for itself (None: only for what it points at).
fn own_reason(object: &StixObject, policy: &MarkingPolicy, markings: &Markings) -> Option<Reason> {
    let mut denied: Vec<&str> = object
        .refs
        .iter()
        .filter(|r| is_marking_property(&r.property) && !policy.allows(&r.target, markings))
        .map(|r| r.target.as_str())
        .collect();
    denied.sort_unstable();
    if let Some(first) = denied.first() {
        return Some(match markings.kind(first) {
            MarkingKind::Unresolved => Reason::UnresolvedMarking((*first).to_owned()),
            // One cause per level, whichever TLP version's definition marks it.
            MarkingKind::Tlp(level) => {
                let canonical = TLP_MARKINGS.iter().find(|m| m.1 == *level).map_or(*first, |m| m.0);
                Reason::Marking { id: canonical.to_owned(), label: level.label().to_owned() }
            }
            MarkingKind::Other { definition_type } => {
                Reason::Marking { id: (*first).to_owned(), label: format!("{first} (a `{definition_type}` marking)") }
            }
            MarkingKind::Statement(_) => return None,
        });
    }
    (!policy.allows_markings_of(object, markings)).then_some(Reason::Unmarked)
}

/// The `stixpress.toml` line, under the audience's table, that lets it see `reason`'s objects.
fn config_line(reason: &Reason, policy: &MarkingPolicy) -> Option<String> {
    let audience = &policy.audience;
    let quoted = |items: Vec<String>| items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
    match reason {
        Reason::UnresolvedMarking(id) | Reason::Marking { id, .. } => {
            if let Some(level) = crate::stix::marking::tlp_of(id) {
                let mut levels: Vec<String> = audience.tlp.iter().map(|t| t.label()[4..].to_lowercase()).collect();
                levels.push(level.label()[4..].to_lowercase());
                return Some(format!("tlp = [{}]", quoted(levels)));
            }
            let mut ids = audience.markings.clone();
            ids.push(id.clone());
            Some(format!("markings = [{}]", quoted(ids)))
        }
        Reason::Unmarked => Some("unmarked = true".to_owned()),
        Reason::Invalid => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Audience;

    fn cause(reason: Reason, objects: usize, referrers: usize) -> Cause {
        Cause { reason, objects, referrers, config_line: None }
    }

    #[test]
    fn the_largest_cause_comes_first_and_says_how_to_publish_it() {
        let mut causes = vec![cause(Reason::Unmarked, 3, 0), cause(Reason::UnresolvedMarking("m".into()), 1, 5)];
        sort(&mut causes);
        assert_eq!(causes[0].reason, Reason::UnresolvedMarking("m".into()));
        let line = Cause { config_line: Some("markings = [\"m\"]".into()), ..causes[0].clone() }.line("public");
        assert_eq!(
            line,
            "1: marked m, a marking the repository does not define, and 5 that point at them; to publish them, \
             put `markings = [\"m\"]` under [audiences.public] in stixpress.toml"
        );
    }

    #[test]
    fn the_config_line_adds_to_what_the_audience_already_lists() {
        let mut audience = Audience::public(std::path::Path::new("/site"));
        audience.markings = vec!["marking-definition--a".into()];
        let policy = MarkingPolicy::new(&audience);
        let other = Reason::UnresolvedMarking("marking-definition--b".into());
        assert_eq!(
            config_line(&other, &policy).unwrap(),
            r#"markings = ["marking-definition--a", "marking-definition--b"]"#
        );
        let amber = Reason::Marking {
            id: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82".into(),
            label: "TLP:AMBER".into(),
        };
        assert_eq!(config_line(&amber, &policy).unwrap(), r#"tlp = ["clear", "white", "amber"]"#);
        assert_eq!(config_line(&Reason::Unmarked, &policy).unwrap(), "unmarked = true");
        assert_eq!(config_line(&Reason::Invalid, &policy), None);
    }
}
