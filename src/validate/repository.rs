//! Repository rules: what only shows when every file is loaded. Conflicting copies of one
//! object version, `created` changing between versions, references to objects that are not
//! in the repository or are revoked, and relationship types between unusual pairs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::relationships::{suggestion, Suggestion};
use crate::diag::{Diagnostic, Severity};
use crate::load::Source;
use crate::stix::fxhash::FxHashMap as HashMap;
use crate::stix::{id, marking, schema, SpecVersion, StixObject, Timestamp};

#[derive(Debug, Clone, Copy)]
pub struct RepositoryOptions {
    /// The severity of a reference to an object absent from the repository.
    pub missing_reference: Severity,
}

impl Default for RepositoryOptions {
    fn default() -> Self {
        RepositoryOptions { missing_reference: Severity::Warning }
    }
}

/// A diagnostic about an object, placed later at `pointer` inside it.
struct Anchored<'a> {
    diagnostic: Diagnostic,
    object: &'a StixObject,
    pointer: String,
}

pub fn check_repository(objects: &[StixObject], options: &RepositoryOptions) -> Vec<Diagnostic> {
    let versions = index_versions(objects);
    let latest: HashMap<&str, &StixObject> = versions.iter().map(|(id, list)| (*id, latest_of(list))).collect();
    let mut found = Vec::new();
    conflicting_copies(&versions, &mut found);
    changed_created(&versions, &mut found);
    references(objects, &latest, options, &mut found);
    relationship_pairs(&latest, &mut found);
    resolve(found)
}

fn index_versions(objects: &[StixObject]) -> HashMap<&str, Vec<&StixObject>> {
    let mut versions: HashMap<&str, Vec<&StixObject>> =
        HashMap::with_capacity_and_hasher(objects.len(), Default::default());
    for object in objects {
        versions.entry(object.id.as_str()).or_default().push(object);
    }
    versions
}

fn version_time(object: &StixObject) -> Option<Timestamp> {
    Timestamp::parse(object.version_key()).ok()
}

fn latest_of<'a>(list: &[&'a StixObject]) -> &'a StixObject {
    list.iter().copied().max_by_key(|o| version_time(o)).unwrap_or(list[0])
}

/// The same (id, modified) twice with different content: consumers would keep whichever
/// arrived first. Identical copies are fine.
fn conflicting_copies<'a>(versions: &HashMap<&str, Vec<&'a StixObject>>, found: &mut Vec<Anchored<'a>>) {
    for list in versions.values().filter(|l| l.len() > 1) {
        let mut first_of_version: HashMap<&str, &StixObject> = HashMap::default();
        for object in list {
            let first = *first_of_version.entry(object.version_key()).or_insert(object);
            if first.content_hash != object.content_hash {
                let message = format!(
                    "`{}` version {} differs from the copy in {} at {}",
                    object.id,
                    object.version_key(),
                    first.file.display(),
                    if first.pointer.is_empty() { "/" } else { &first.pointer },
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
fn changed_created<'a>(versions: &HashMap<&str, Vec<&'a StixObject>>, found: &mut Vec<Anchored<'a>>) {
    for list in versions.values().filter(|l| l.len() > 1) {
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

fn references<'a>(
    objects: &'a [StixObject],
    latest: &HashMap<&str, &StixObject>,
    options: &RepositoryOptions,
    found: &mut Vec<Anchored<'a>>,
) {
    for object in objects {
        for reference in &object.refs {
            match latest.get(reference.target.as_str()) {
                None if marking::tlp_of(&reference.target).is_none() => {
                    let diagnostic = Diagnostic::new(
                        options.missing_reference,
                        "missing-reference",
                        format!(
                            "`{}` points at `{}`, which is not in the repository",
                            reference.property, reference.target
                        ),
                    )
                    .with_help("add the object, or check the id for typos");
                    found.push(Anchored { diagnostic, object, pointer: reference.pointer.clone() });
                }
                Some(target)
                    if target.revoked
                        && !object.revoked
                        && object.relationship_type.as_deref() != Some("revoked-by") =>
                {
                    let diagnostic = Diagnostic::warning(
                        "revoked-reference",
                        format!("`{}` points at `{}`, which is revoked", reference.property, reference.target),
                    )
                    .with_help("point at the object that replaces it (see its `revoked-by` relationship)");
                    found.push(Anchored { diagnostic, object, pointer: reference.pointer.clone() });
                }
                _ => {}
            }
        }
    }
}

/// Relationship types between pairs the specification does not suggest (custom types on
/// either end are left alone: the specification cannot know them).
fn relationship_pairs<'a>(latest: &HashMap<&str, &'a StixObject>, found: &mut Vec<Anchored<'a>>) {
    let mut relationships: Vec<&&StixObject> = latest.values().filter(|o| o.object_type == "relationship").collect();
    relationships.sort_by_key(|o| (&o.file, o.offset));
    for object in relationships {
        let end_type = |property: &str| {
            let target = object.refs.iter().find(|r| r.property == property)?;
            id::parse_id(&target.target, SpecVersion::V21).ok().map(|p| p.object_type.to_owned())
        };
        let (Some(kind), Some(source), Some(target)) =
            (object.relationship_type.as_deref(), end_type("source_ref"), end_type("target_ref"))
        else {
            continue;
        };
        let known = |t: &str| schema::type_spec(SpecVersion::V21, t).is_some();
        if !known(&source) || !known(&target) {
            continue;
        }
        let message = match suggestion(&source, kind, &target) {
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

/// Places every diagnostic at its line and column, reading each file once.
fn resolve(found: Vec<Anchored>) -> Vec<Diagnostic> {
    let mut by_file: BTreeMap<Arc<PathBuf>, Vec<Anchored>> = BTreeMap::new();
    for item in found {
        by_file.entry(item.object.file.clone()).or_default().push(item);
    }
    let mut out = Vec::new();
    for (path, items) in by_file {
        let source = std::fs::read(path.as_path()).ok().and_then(|bytes| {
            let skipped = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            String::from_utf8(bytes[skipped..].to_vec()).ok().map(|text| Source::new(path.clone(), text, skipped))
        });
        for item in items {
            let mut diagnostic = item
                .diagnostic
                .in_file(path.as_path())
                .for_object(Some(&item.object.id))
                .with_pointer(format!("{}{}", item.object.pointer, item.pointer));
            if let Some(source) = &source {
                let (line, column) = source.line_column(source.locate(item.object.offset, &item.pointer));
                diagnostic = diagnostic.at(line, column);
            }
            out.push(diagnostic);
        }
    }
    out
}
