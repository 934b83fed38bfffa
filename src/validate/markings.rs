//! Marking rules: markings that withhold more than a contributor may expect.
//!
//! - `marking-unresolved`: a marking that is neither a TLP marking nor a statement, and that no
//!   audience names, withholds every object carrying it (and everything pointing at those) from
//!   every audience. One warning per marking, counting what it withholds.
//! - `marking-inconsistent`: an object an audience may see points at (or names the id of) an
//!   object whose TLP marking that audience may not see, so it is withheld too: "report X is
//!   TLP:CLEAR but lists TLP:AMBER object Y: it is withheld from public". Latest versions only.

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;

use super::repository::{Anchored, VersionIndex};
use crate::audience::{
    highest_tlp, is_marking_property, named_outside_redactable, MarkingKind, MarkingPolicy, Markings, Redaction,
};
use crate::config::Audience;
use crate::diag::Diagnostic;
use crate::stix::mentions::{holding, shared_uuids, uuid_number};
use crate::stix::{Reference, StixObject};

pub(super) fn check<'a>(index: &VersionIndex<'a>, audiences: &[Audience], found: &mut Vec<Anchored<'a>>) {
    let started = std::time::Instant::now();
    let positions: Vec<usize> = (0..index.objects.len()).into_par_iter().filter(|&i| index.is_latest(i)).collect();
    let latest: Vec<&StixObject> = positions.iter().map(|&i| &index.objects[i]).collect();
    let markings = Markings::new(latest.iter().copied());
    let policies: Vec<MarkingPolicy> = audiences.iter().take(64).map(MarkingPolicy::new).collect();
    unresolved(&latest, &markings, audiences, found);
    crate::timing::log_timing("markings: unresolved", started);
    let seen_by = SeenBy::new(index, &policies, &markings);
    crate::timing::log_timing("markings: seen by", started);
    let mut uuids: Vec<(u128, usize)> =
        positions.iter().filter_map(|&at| Some((uuid_number(&index.objects[at].id)?, at))).collect();
    uuids.sort_unstable();
    let shared_uuids = shared_uuids(&uuids);
    shared(index, &uuids, &shared_uuids, found);
    let crowds = crowds(index, &uuids, &seen_by, &markings);
    let named =
        Named { seen_by: &seen_by, markings: &markings, uuids: &uuids, shared_uuids: &shared_uuids, crowds: &crowds };
    found.par_extend(positions.par_iter().flat_map_iter(|&at| inconsistent(index, at, &named)));
}

/// Every latest version whose UUID another id has. Where that UUID stands alone (in prose, in
/// another spelling) it names each of them, so withholding one withholds what names it; one
/// object taking another's UUID is how a pull request would try that, and a reviewer should see
/// it. (References spell their target's id whole and name it alone, see `mentions::names`.)
fn shared<'a>(index: &VersionIndex<'a>, uuids: &[(u128, usize)], shared: &[u128], found: &mut Vec<Anchored<'a>>) {
    /// Named in each warning, of the others holding the UUID: thousands may.
    const NAMED: usize = 3;
    for &uuid in shared {
        let holders = holding(uuids, uuid);
        for &(_, at) in holders {
            let object = &index.objects[at];
            let others: Vec<String> = holders
                .iter()
                .filter(|&&(_, other)| other != at)
                .take(NAMED)
                .map(|&(_, other)| format!("`{}`", index.objects[other].id))
                .collect();
            let more = match holders.len() - 1 - others.len() {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let diagnostic = Diagnostic::warning(
                "uuid-shared",
                format!(
                    "its UUID is also that of {}{more}: where the UUID stands alone (in prose, in another spelling) it names each of them, and what names one is withheld wherever another is",
                    others.join(", ")
                ),
            )
            .with_help("give each object its own UUID (`stixpress new` writes a fresh one)");
            found.push(Anchored { diagnostic, object, pointer: "/id".to_owned() });
        }
    }
}

/// What judging a version's references and mentions needs: who sees each object, the marking
/// definitions, and the latest versions by UUID.
#[derive(Clone, Copy)]
struct Named<'n> {
    seen_by: &'n SeenBy<'n>,
    markings: &'n Markings,
    uuids: &'n [(u128, usize)],
    /// The UUIDs more than one latest version's id has, sorted: few or none.
    shared_uuids: &'n [u128],
    /// See `crowds`.
    crowds: &'n [Crowd],
}

/// A UUID more than `link::CROWDED` ids have, and a holder with a restricting marking for each
/// set of audiences such holders are seen by: an object naming the UUID is warned about once,
/// for the first of these that it loses an audience to, rather than once for each of thousands
/// of holders (K holders named by K notes made K² warnings).
type Crowd = (u128, Vec<(u64, usize)>);

fn crowds(index: &VersionIndex, uuids: &[(u128, usize)], seen_by: &SeenBy, markings: &Markings) -> Vec<Crowd> {
    let crowded = uuids.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > crate::link::CROWDED);
    crowded
        .map(|run| {
            let mut ways: Vec<(u64, usize)> = Vec::new();
            for &(_, at) in run {
                let mask = seen_by.masks[at];
                if ways.iter().all(|(seen, _)| *seen != mask)
                    && restricting_marking(&index.objects[at], markings).is_some()
                {
                    ways.push((mask, at));
                }
            }
            (run[0].0, ways)
        })
        .collect()
}

/// For each latest version (by position), the audiences its own markings let see it, one bit
/// per audience: every reference is then judged with a lookup and a mask.
struct SeenBy<'p> {
    policies: &'p [MarkingPolicy],
    masks: Vec<u64>,
}

impl<'p> SeenBy<'p> {
    fn new(index: &VersionIndex, policies: &'p [MarkingPolicy], markings: &Markings) -> SeenBy<'p> {
        let masks = (0..index.objects.len())
            .into_par_iter()
            .map(|i| {
                let object = &index.objects[i];
                // Older versions are not judged: their bits stay empty.
                if !index.is_latest(i) {
                    return 0;
                }
                let allowed = policies.iter().enumerate().filter(|(_, p)| p.allows_markings_of(object, markings));
                allowed.fold(0u64, |mask, (bit, _)| mask | 1 << bit)
            })
            .collect();
        SeenBy { policies, masks }
    }

    /// The audiences in `mask` that do not redact `property`, by name.
    fn names(&self, mask: u64, property: &str) -> Vec<&'p str> {
        let policies = self.policies.iter().enumerate().filter(|(bit, _)| mask & (1 << bit) != 0);
        policies
            .filter(|(_, p)| p.redaction(property) == Redaction::No)
            .map(|(_, p)| p.audience.name.as_str())
            .collect()
    }
}

fn unresolved<'a>(
    latest: &[&'a StixObject],
    markings: &Markings,
    audiences: &[Audience],
    found: &mut Vec<Anchored<'a>>,
) {
    // marking id → (objects carrying it, the first of them and where)
    let mut carriers: BTreeMap<&str, (usize, &'a StixObject, &Reference)> = BTreeMap::new();
    for object in latest {
        // Hashed, not searched: an object may carry any number of markings, and the ids are
        // contributed (SipHash, which they cannot make collide).
        let mut seen: HashSet<&str> = HashSet::new();
        for reference in object.refs.iter().filter(|r| is_marking_property(&r.property)) {
            let id = reference.target.as_str();
            if !matches!(markings.kind(id), MarkingKind::Unresolved | MarkingKind::Other { .. })
                || audiences.iter().any(|a| a.markings.iter().any(|m| m == id))
                || !seen.insert(id)
            {
                continue;
            }
            carriers.entry(id).or_insert((0, object, reference)).0 += 1;
        }
    }
    for (id, (count, object, reference)) in carriers {
        let what = match markings.kind(id) {
            MarkingKind::Other { definition_type } => {
                format!("`{id}` (definition_type `{definition_type}`) is neither a TLP marking nor a statement")
            }
            _ => format!("`{id}` is neither a TLP marking nor a marking definition in the repository"),
        };
        let diagnostic = Diagnostic::warning(
            "marking-unresolved",
            format!("{what}: the {count} objects it marks, and what points at them, are withheld from every audience"),
        )
        .with_help(
            "add its marking-definition, or list its id in the `markings` of each audience that may see what it marks",
        );
        found.push(Anchored { diagnostic, object, pointer: reference.pointer() });
    }
}

/// How a target is marked, when a TLP level or a community's own marking may withhold it (a
/// marking nobody can resolve has its own warning).
fn restricting_marking(target: &StixObject, markings: &Markings) -> Option<String> {
    if let Some(level) = highest_tlp(target) {
        return Some(level.label().to_owned());
    }
    let own = target
        .refs
        .iter()
        .filter(|r| is_marking_property(&r.property))
        .find(|r| matches!(markings.kind(&r.target), MarkingKind::Other { .. }))?;
    Some(format!("marked `{}`", own.target))
}

/// The references of `object` (and ids its JSON names elsewhere) that withhold it from an
/// audience that may see it by its own markings.
fn inconsistent<'a>(index: &VersionIndex<'a>, at: usize, named: &Named<'_>) -> Vec<Anchored<'a>> {
    let Named { seen_by, markings, uuids, shared_uuids, crowds } = *named;
    let object = &index.objects[at];
    let own_mask = seen_by.masks[at];
    if own_mask == 0 {
        return Vec::new();
    }
    // Where each reference's target is (its latest version), looked up once: the references'
    // UUIDs, the mentions and the check below all ask (three lookups of every reference were a
    // twentieth of a `check`).
    let target_at: Vec<Option<usize>> = object.refs.iter().map(|r| index.latest_position(&r.target)).collect();
    let pointed = object
        .refs
        .iter()
        .zip(&target_at)
        .filter(|(r, _)| !is_marking_property(&r.property))
        .filter_map(|(r, at)| Some((r.target.as_str(), Some(r), (*at)?)));
    // A UUID that only one object holds, named by a reference to it, names nothing else: no
    // search of every UUID for it (sorted, as a report may reference a million objects).
    let mut referenced_uuids: Vec<u128> = object
        .refs
        .iter()
        .zip(&target_at)
        .filter(|(_, at)| at.is_some())
        .filter_map(|(r, _)| uuid_number(&r.target))
        .collect();
    referenced_uuids.sort_unstable();
    let names_more =
        |uuid: &&u128| referenced_uuids.binary_search(uuid).is_err() || shared_uuids.binary_search(uuid).is_ok();
    // Objects its text names by UUID (in prose, extensions, any spelling) and not by reference.
    let mentioned = object.mentions_among(|at| target_at[at].is_some());
    let mentioned_at = mentioned.iter().filter(names_more).flat_map(|&uuid| {
        let (holders, crowd_holder) = match crowds.binary_search_by_key(&uuid, |(u, _)| *u) {
            Ok(c) => (&[][..], crowds[c].1.iter().find(|(seen, _)| own_mask & !seen != 0).map(|(_, at)| *at)),
            Err(_) => (holding(uuids, uuid), None),
        };
        holders.iter().map(|(_, at)| *at).chain(crowd_holder)
    });
    let mut targets: Vec<&str> = object.refs.iter().map(|r| r.target.as_str()).collect();
    targets.sort_unstable();
    // A holder is a latest version (`uuids`, `crowds`): where it is, is where its id is found.
    let mentioned = mentioned_at
        .map(|at| (index.objects[at].id.as_str(), at))
        .filter(|(id, _)| *id != object.id && targets.binary_search(id).is_err())
        .map(|(id, at)| (id, None, at));
    let mut out = Vec::new();
    // What the object names outside the references an audience may redact, read when first
    // needed: a target named there too stays named once its reference is removed, so an
    // audience that redacts loses the object as well (as `audience::withhold_referrers` decides).
    let mut outside: Option<Vec<u128>> = None;
    for (target_id, reference, target_at) in pointed.chain(mentioned) {
        // A reference's property, or none for an id the text names.
        let property = reference.map_or("", |r| &*r.property);
        let lost = own_mask & !seen_by.masks[target_at];
        if lost == 0 {
            continue;
        }
        let mut withheld_from = seen_by.names(lost, property);
        let mut how_named = "";
        let unredacted = seen_by.names(lost, "");
        if withheld_from.len() != unredacted.len() {
            let outside = outside.get_or_insert_with(|| named_outside_redactable(&object.raw, &object.id));
            if uuid_number(target_id).is_some_and(|uuid| outside.binary_search(&uuid).is_ok()) {
                (withheld_from, how_named) = (unredacted, " and its text names it too");
            }
        }
        if withheld_from.is_empty() {
            continue;
        }
        let Some(marked) = restricting_marking(&index.objects[target_at], markings) else { continue };
        let own = highest_tlp(object).map_or("unmarked", |l| l.label());
        let how = if property.is_empty() { "names".to_owned() } else { format!("its `{property}` points at") };
        let diagnostic = Diagnostic::warning(
            "marking-inconsistent",
            format!(
                "this {} is {own} but {how} `{target_id}`{how_named} ({marked}), so it is withheld from {} as well",
                object.object_type,
                withheld_from.join(", ")
            ),
        )
        .with_help("mark it at least as strictly as what it references, or remove the reference");
        out.push(Anchored { diagnostic, object, pointer: reference.map(Reference::pointer).unwrap_or_default() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;

    fn objects(objects: &[String]) -> Vec<StixObject> {
        let text = format!(
            r#"{{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[{}]}}"#,
            objects.join(",")
        );
        load_text(std::path::Path::new("t.json"), text, &|_, _| Vec::new()).objects
    }

    fn marked(n: u32, markings: &[String]) -> String {
        format!(
            r#"{{"type":"malware","spec_version":"2.1","id":"malware--00000000-0000-4000-8000-{n:012}","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","name":"m","is_family":true,"object_marking_refs":{}}}"#,
            serde_json::to_string(markings).unwrap()
        )
    }

    fn unknown(n: u32) -> String {
        format!("marking-definition--00000000-0000-4000-8000-{n:012}")
    }

    /// (message, object id, pointer) of each warning, in order.
    fn warnings(objects: &[StixObject]) -> Vec<(String, String, String)> {
        let latest: Vec<&StixObject> = objects.iter().collect();
        let markings = Markings::new(latest.iter().copied());
        let mut found = Vec::new();
        unresolved(&latest, &markings, &[Audience::public(std::path::Path::new("/repo"))], &mut found);
        found.into_iter().map(|a| (a.diagnostic.message, a.object.id.clone(), a.pointer)).collect()
    }

    #[test]
    fn an_unresolved_marking_is_counted_once_per_object_and_anchored_at_its_first_use() {
        let objects = objects(&[marked(1, &[unknown(2), unknown(1), unknown(2)]), marked(2, &[unknown(2)])]);
        let found = warnings(&objects);
        let ids: Vec<(&str, &str)> = found.iter().map(|(_, id, pointer)| (&id[..], &pointer[..])).collect();
        let first = "malware--00000000-0000-4000-8000-000000000001";
        assert_eq!(ids, [(first, "/object_marking_refs/1"), (first, "/object_marking_refs/0")]);
        assert!(found[0].0.starts_with(&format!("`{}` is neither", unknown(1))), "{}", found[0].0);
        assert!(found[0].0.contains("the 1 objects"), "{}", found[0].0);
        assert!(found[1].0.contains("the 2 objects"), "{}", found[1].0);
    }

    #[test]
    fn an_object_with_a_hundred_thousand_markings_is_judged_at_once() {
        // Each marking looked for among those before it, this took seconds.
        let many: Vec<String> = (0..100_000).chain(0..100_000).map(unknown).collect();
        let found = warnings(&objects(&[marked(1, &many)]));
        assert_eq!(found.len(), 100_000);
        assert!(found.iter().all(|(message, _, _)| message.contains("the 1 objects")));
        assert_eq!(found[99_999].2, "/object_marking_refs/99999");
    }
}
