//! Marking rules: markings that withhold more than a contributor may expect.
//!
//! - `marking-unresolved`: a marking that is neither a TLP marking nor a statement, and that no
//!   audience names, withholds every object carrying it (and everything pointing at those) from
//!   every audience. One warning per marking, counting what it withholds.
//! - `marking-inconsistent`: an object an audience may see points at (or names the id of) an
//!   object whose TLP marking that audience may not see, so it is withheld too: "report X is
//!   TLP:CLEAR but lists TLP:AMBER object Y: it is withheld from public". Latest versions only.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::repository::{Anchored, VersionIndex};
use crate::audience::{highest_tlp, is_marking_property, redaction, MarkingKind, MarkingPolicy, Markings, Redaction};
use crate::config::Audience;
use crate::diag::Diagnostic;
use crate::stix::StixObject;

pub(super) fn check<'a>(index: &VersionIndex<'a>, audiences: &[Audience], found: &mut Vec<Anchored<'a>>) {
    let latest: Vec<&StixObject> =
        index.objects.iter().enumerate().filter(|(i, _)| index.is_latest(*i)).map(|(_, o)| o).collect();
    let markings = Markings::new(latest.iter().copied());
    let policies: Vec<MarkingPolicy> = audiences.iter().map(MarkingPolicy::new).collect();
    unresolved(&latest, &markings, audiences, found);
    found.par_extend(latest.par_iter().flat_map_iter(|object| inconsistent(index, object, &policies, &markings)));
}

fn unresolved<'a>(
    latest: &[&'a StixObject],
    markings: &Markings,
    audiences: &[Audience],
    found: &mut Vec<Anchored<'a>>,
) {
    // marking id → (objects carrying it, the first of them and where)
    let mut carriers: BTreeMap<&str, (usize, &'a StixObject, &str)> = BTreeMap::new();
    for object in latest {
        let mut seen: Vec<&str> = Vec::new();
        for reference in object.refs.iter().filter(|r| is_marking_property(&r.property)) {
            let id = reference.target.as_str();
            if seen.contains(&id)
                || !matches!(markings.kind(id), MarkingKind::Unresolved | MarkingKind::Other { .. })
                || audiences.iter().any(|a| a.markings.iter().any(|m| m == id))
            {
                continue;
            }
            seen.push(id);
            carriers.entry(id).or_insert((0, object, &reference.pointer)).0 += 1;
        }
    }
    for (id, (count, object, pointer)) in carriers {
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
        found.push(Anchored { diagnostic, object, pointer: pointer.to_owned() });
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
fn inconsistent<'a>(
    index: &VersionIndex<'a>,
    object: &'a StixObject,
    policies: &[MarkingPolicy],
    markings: &Markings,
) -> Vec<Anchored<'a>> {
    let seeing: Vec<&MarkingPolicy> = policies.iter().filter(|p| p.allows_markings_of(object, markings)).collect();
    if seeing.is_empty() {
        return Vec::new();
    }
    let references = object.refs.iter().filter(|r| !is_marking_property(&r.property));
    let pointed = references.map(|r| (r.target.as_str(), r.property.as_str(), r.pointer.clone()));
    let mentioned = crate::stix::id::ids_in(&object.raw)
        .filter(|id| *id != object.id && !object.refs.iter().any(|r| r.target == *id))
        .map(|id| (id, "", String::new()));
    let mut out = Vec::new();
    for (target_id, property, pointer) in pointed.chain(mentioned) {
        let Some(target) = index.latest(target_id) else { continue };
        let Some(marked) = restricting_marking(target, markings) else { continue };
        let withheld_from: Vec<&str> = seeing
            .iter()
            .filter(|p| !p.allows_markings_of(target, markings))
            .filter(|p| !(p.audience.redact_refs && redaction(property) != Redaction::No))
            .map(|p| p.audience.name.as_str())
            .collect();
        if withheld_from.is_empty() {
            continue;
        }
        let own = highest_tlp(object).map_or("unmarked", |l| l.label());
        let how = if property.is_empty() { "names".to_owned() } else { format!("its `{property}` points at") };
        let diagnostic = Diagnostic::warning(
            "marking-inconsistent",
            format!(
                "this {} is {own} but {how} `{target_id}` ({marked}), so it is withheld from {} as well",
                object.object_type,
                withheld_from.join(", ")
            ),
        )
        .with_help("mark it at least as strictly as what it references, or remove the reference");
        out.push(Anchored { diagnostic, object, pointer });
    }
    out
}
