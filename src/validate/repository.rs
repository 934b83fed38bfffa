//! Repository rules: what only shows when every file is loaded. Conflicting copies of one
//! object version, `created` changing between versions, references to objects that are not
//! in the repository or are revoked, relationship types between unusual pairs, and detection
//! rules that share a name or `sid`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::relationships::{suggestion, Suggestion};
use crate::config::Audience;
use crate::diag::{Diagnostic, Severity};
use crate::load::source::Locator;
use crate::load::Source;
use crate::stix::fxhash::FxHashMap;
use crate::stix::keyed_hash::KeyedHashMap;
use crate::stix::{id, marking, schema, SpecVersion, StixObject, Timestamp};

#[derive(Debug, Clone, Copy)]
pub(crate) struct RepositoryOptions<'c> {
    /// The severity of a reference to an object absent from the repository.
    pub(crate) missing_reference: Severity,
    /// Relationship types the community uses besides the specification's and ATT&CK's.
    pub(crate) relationship_types: &'c [String],
    /// The audiences whose markings policy the marking rules judge by.
    pub(crate) audiences: &'c [Audience],
}

/// Relationship types MITRE ATT&CK uses that the specification does not define (every type in
/// the enterprise, mobile and ICS bundles that is not a specification type).
pub(crate) const ATTACK_RELATIONSHIP_TYPES: &[&str] = &["subtechnique-of", "detects", "revoked-by"];

/// A diagnostic about an object, placed later at `pointer` inside it.
pub(super) struct Anchored<'a> {
    pub(crate) diagnostic: Diagnostic,
    pub(crate) object: &'a StixObject,
    pub(crate) pointer: String,
}

pub(crate) fn check_repository(objects: &[StixObject], options: &RepositoryOptions) -> Vec<Diagnostic> {
    let started = std::time::Instant::now();
    let index = VersionIndex::build(objects);
    crate::timing::log_timing("repository: index", started);
    let mut found = Vec::new();
    conflicting_copies(&index, &mut found);
    changed_created(&index, &mut found);
    crate::timing::log_timing("repository: versions", started);
    found.extend(references(&index, options));
    relationship_pairs(&index, options, &mut found);
    crate::timing::log_timing("repository: references", started);
    super::markings::check(&index, options.audiences, &mut found);
    crate::timing::log_timing("repository: markings", started);
    super::rule_keys::check(&index, &mut found);
    crate::timing::log_timing("repository: rule keys", started);
    let diagnostics = resolve(found);
    crate::timing::log_timing("repository: placed", started);
    diagnostics
}

const NONE: u32 = u32::MAX;

/// Every object version by id, without an allocation per id (a million small vectors cost
/// more than the rest of the repository rules): the map holds the first and the latest
/// occurrence, and `next` chains the other occurrences of the same id.
///
/// Ids are contributors' text: the map hashes them with a random seed (`keyed_hash`), as a
/// fast unkeyed hash lets a pull request choose ids that all collide and make the check quadratic.
pub(super) struct VersionIndex<'a> {
    pub(crate) objects: &'a [StixObject],
    by_id: KeyedHashMap<&'a str, (u32, u32)>,
    next: Vec<u32>,
    /// Whether each object is its id's latest version (asked once per object by several rules).
    latest: Vec<bool>,
}

impl<'a> VersionIndex<'a> {
    fn build(objects: &'a [StixObject]) -> VersionIndex<'a> {
        let mut by_id: KeyedHashMap<&str, (u32, u32)> =
            KeyedHashMap::with_capacity_and_hasher(objects.len(), Default::default());
        let mut next = vec![NONE; objects.len()];
        // Keyed by position, which no contributor chooses.
        let mut last_of_chain: FxHashMap<u32, u32> = FxHashMap::default();
        for (i, object) in objects.iter().enumerate() {
            let i = i as u32;
            match by_id.entry(object.id.as_str()) {
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert((i, i));
                }
                std::collections::hash_map::Entry::Occupied(mut entry) => {
                    let (first, latest) = *entry.get();
                    let tail = last_of_chain.get(&first).copied().unwrap_or(first);
                    next[tail as usize] = i;
                    last_of_chain.insert(first, i);
                    if version_time(object) > version_time(&objects[latest as usize]) {
                        entry.insert((first, i));
                    }
                }
            }
        }
        let mut latest = vec![false; objects.len()];
        for &(_, newest) in by_id.values() {
            latest[newest as usize] = true;
        }
        VersionIndex { objects, by_id, next, latest }
    }

    pub(crate) fn latest(&self, id: &str) -> Option<&'a StixObject> {
        self.by_id.get(id).map(|&(_, latest)| &self.objects[latest as usize])
    }

    /// Where the latest version of `id` is in `objects`.
    pub(crate) fn latest_position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).map(|&(_, latest)| latest as usize)
    }

    pub(crate) fn is_latest(&self, index: usize) -> bool {
        self.latest[index]
    }

    /// The ids with more than one occurrence, each as its occurrences in file order.
    fn repeated(&self) -> impl Iterator<Item = Vec<&'a StixObject>> + '_ {
        self.by_id.values().filter(|(first, _)| self.next[*first as usize] != NONE).map(|&(first, _)| {
            let mut list = Vec::new();
            let mut at = first;
            while at != NONE {
                list.push(&self.objects[at as usize]);
                at = self.next[at as usize];
            }
            list
        })
    }
}

fn version_time(object: &StixObject) -> Option<Timestamp> {
    object.version_time()
}

/// The same (id, modified) twice with different content: consumers would keep whichever
/// arrived first. Identical copies are fine.
fn conflicting_copies<'a>(index: &VersionIndex<'a>, found: &mut Vec<Anchored<'a>>) {
    for list in index.repeated() {
        let mut first_of_version: HashMap<&str, &StixObject> = HashMap::new();
        for object in list {
            let first = *first_of_version.entry(object.version_key()).or_insert(object);
            if first.content_hash != object.content_hash {
                let message = format!(
                    "`{}` version {} differs from the copy in {} at {}",
                    object.id,
                    object.version_key(),
                    first.file.display(),
                    if first.member.is_none() { "/".to_owned() } else { first.pointer() },
                );
                let diagnostic = Diagnostic::error("conflicting-versions", message).with_help(
                    "a changed object needs a new `modified` timestamp; otherwise make both copies identical",
                );
                found.push(Anchored { diagnostic, object, pointer: "/modified".into() });
            }
        }
    }
}

/// STIX 2.1 §3.6: `created` stays the same across the versions of an object.
fn changed_created<'a>(index: &VersionIndex<'a>, found: &mut Vec<Anchored<'a>>) {
    for list in index.repeated() {
        changed_creator(&list, found);
        let first = list[0];
        for object in &list[1..] {
            if object.created != first.created && object.created.is_some() && first.created.is_some() {
                let message = format!(
                    "`created` differs between versions of `{}` ({} here, {} in {})",
                    object.id,
                    object.created.as_deref().unwrap_or_default(),
                    first.created.as_deref().unwrap_or_default(),
                    first.file.display()
                );
                let diagnostic = Diagnostic::error("created-changed", message)
                    .with_help("a new version keeps `created` and changes `modified`");
                found.push(Anchored { diagnostic, object, pointer: "/created".into() });
            }
        }
    }
}

/// A version whose `created_by_ref` is not its first version's: only an object's creator may
/// version it (STIX 2.1 §3.6, "producers other than the object creator MUST NOT create new
/// versions"), so a pull request cannot rewrite another producer's indicator under its id, and
/// the OASIS library refuses to make such a version (`created_by_ref` is unmodifiable).
fn changed_creator<'a>(versions: &[&'a StixObject], found: &mut Vec<Anchored<'a>>) {
    fn creator(object: &StixObject) -> Option<&str> {
        object.refs.iter().find(|r| r.property == "created_by_ref").map(|r| r.target.as_str())
    }
    let Some(first) = versions.iter().min_by_key(|object| object.version_time()) else { return };
    let first_creator = creator(first);
    for &object in versions.iter().filter(|object| creator(object) != first_creator) {
        let (here, pointer) = match creator(object) {
            Some(target) => (format!("`{target}`"), "/created_by_ref"),
            None => ("none".to_owned(), ""),
        };
        let message = format!(
            "`created_by_ref` differs between versions of `{}` ({here} here, {} in its first version, {}): only the object's creator may make new versions of it",
            object.id,
            first_creator.map_or("none".to_owned(), |c| format!("`{c}`")),
            first.file.display()
        );
        let diagnostic = Diagnostic::error("creator-changed", message).with_help(
            "to revise another producer's object, create a new object with a new id and a `derived-from` relationship to it",
        );
        found.push(Anchored { diagnostic, object, pointer: pointer.into() });
    }
}

/// References to absent or revoked objects, checked in parallel (the index is read-only).
fn references<'a>(index: &VersionIndex<'a>, options: &RepositoryOptions) -> Vec<Anchored<'a>> {
    use rayon::prelude::*;
    index
        .objects
        .par_iter()
        .flat_map_iter(|object| {
            object.refs.iter().filter_map(move |reference| {
                let diagnostic = match index.latest(&reference.target) {
                    None if marking::tlp_of(&reference.target).is_none() => Diagnostic::new(
                        options.missing_reference,
                        "missing-reference",
                        format!(
                            "`{}` points at `{}`, which is not in the repository",
                            reference.property, reference.target
                        ),
                    )
                    .with_help("add the object, or check the id for typos"),
                    Some(target)
                        if target.revoked
                            && !object.revoked
                            && object.relationship_type.as_deref() != Some("revoked-by") =>
                    {
                        Diagnostic::warning(
                            "revoked-reference",
                            format!("`{}` points at `{}`, which is revoked", reference.property, reference.target),
                        )
                        .with_help("point at the object that replaces it (see its `revoked-by` relationship)")
                    }
                    _ => return None,
                };
                Some(Anchored { diagnostic, object, pointer: reference.pointer() })
            })
        })
        .collect()
}

/// Relationship types between pairs the specification does not suggest (custom types on
/// either end are left alone: the specification cannot know them). Latest versions only.
fn relationship_pairs<'a>(index: &VersionIndex<'a>, options: &RepositoryOptions, found: &mut Vec<Anchored<'a>>) {
    for (i, object) in index.objects.iter().enumerate() {
        if object.object_type != "relationship" || !index.is_latest(i) {
            continue;
        }
        let end_type = |property: &str| {
            let target = object.refs.iter().find(|r| r.property == property)?;
            id::parse_id(&target.target, SpecVersion::V21).ok().map(|p| p.object_type)
        };
        let (Some(kind), Some(source), Some(target)) =
            (object.relationship_type.as_deref(), end_type("source_ref"), end_type("target_ref"))
        else {
            continue;
        };
        let known = |t: &str| schema::type_spec(SpecVersion::V21, t).is_some();
        if !known(source) || !known(target) {
            continue;
        }
        // Not in the specification, but ATT&CK's own (`revoked-by` names the replacement of a
        // revoked object, and the revoked-reference help recommends it), or the community's.
        if ATTACK_RELATIONSHIP_TYPES.contains(&kind) || options.relationship_types.iter().any(|k| k == kind) {
            continue;
        }
        let message = match suggestion(source, kind, target) {
            Suggestion::Suggested => continue,
            Suggestion::UnusualPair => format!("the specification does not suggest `{source}` {kind} `{target}`"),
            Suggestion::CustomType => format!("`{kind}` is not a relationship type of the specification"),
        };
        let diagnostic = Diagnostic::warning("relationship-pair", message).with_help(
            "check the direction and the types; custom relationship types are allowed but fewer tools understand them",
        );
        found.push(Anchored { diagnostic, object, pointer: "/relationship_type".into() });
    }
}

/// Places every diagnostic at its line and column, reading each file once. Sorted in place by
/// file and object (a million of them are not copied into groups).
fn resolve(mut found: Vec<Anchored>) -> Vec<Diagnostic> {
    found.sort_unstable_by(|a, b| (&a.object.file, a.object.offset).cmp(&(&b.object.file, b.object.offset)));
    let mut out = Vec::with_capacity(found.len());
    let mut source: Option<(Arc<PathBuf>, Option<Source>)> = None;
    let mut locator: Option<(usize, Locator)> = None;
    for item in found {
        let path = item.object.file.clone();
        if source.as_ref().is_none_or(|(file, _)| *file != path) {
            locator = None;
            source = Some((path.clone(), read_source(&path)));
        }
        let mut diagnostic = item
            .diagnostic
            .in_file(path.as_path())
            .for_object(Some(&item.object.id))
            .with_pointer(format!("{}{}", item.object.pointer(), item.pointer));
        if let Some((_, Some(source))) = &source {
            // One locator per object: it remembers the object's containers, so a million
            // references from one object cost one pass over it.
            if locator.as_ref().is_none_or(|(offset, _)| *offset != item.object.offset) {
                locator = Some((item.object.offset, Locator::new(&source.text)));
            }
            let at = locator.as_ref().map_or(0, |(_, l)| l.locate(item.object.offset, &item.pointer));
            let (line, column) = source.line_column(at);
            diagnostic = diagnostic.at(line, column);
        }
        out.push(diagnostic);
    }
    out
}

fn read_source(path: &Arc<PathBuf>) -> Option<Source> {
    let bytes = std::fs::read(path.as_path()).ok()?;
    let skipped = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    String::from_utf8(bytes[skipped..].to_vec()).ok().map(|text| Source::new(path.clone(), text))
}
