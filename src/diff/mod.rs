//! What a change to the content does, object by object: added, new versions (with the
//! properties that changed), revoked, deprecated, removed; and the diagnostics it brings.
//! `stixpress diff` prints it for a pull request; `check --changed-since` filters by it.
//!
//! Objects are compared by their latest version on each side. Each changed object is counted
//! once: a new version that revokes is "revoked", one that deprecates is "deprecated", any
//! other is "modified".

mod json;
mod markdown;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::diag::{Diagnostic, Severity, Summary};
use crate::stix::StixObject;
pub use json::print_json;
pub use markdown::print_markdown;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Added,
    Modified,
    Revoked,
    Deprecated,
    Removed,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Added, Kind::Modified, Kind::Revoked, Kind::Deprecated, Kind::Removed];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Modified => "modified",
            Kind::Revoked => "revoked",
            Kind::Deprecated => "deprecated",
            Kind::Removed => "removed",
        }
    }
}

/// One changed object.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: Kind,
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub name: String,
    /// The version keys (`modified`, else `created`) before and after.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Top-level properties added, removed or changed (`modified` aside).
    pub properties: Vec<String>,
    /// The content changed but `modified` did not: consumers that keep the old version will
    /// never see the change (STIX 2.1 §3.6 asks for a new `modified`).
    pub same_version: bool,
}

/// Every changed object, in (kind, type, id) order.
#[derive(Debug, Default)]
pub struct Changes {
    pub items: Vec<Change>,
    pub unchanged: usize,
}

impl Changes {
    pub fn between(base: &[StixObject], head: &[StixObject]) -> Changes {
        let (base, head) = (latest(base), latest(head));
        let mut items = Vec::new();
        let mut unchanged = 0;
        let ids: BTreeSet<&str> = base.keys().chain(head.keys()).copied().collect();
        for id in ids {
            match (base.get(id), head.get(id)) {
                (None, Some(new)) => items.push(change(Kind::Added, None, Some(new))),
                (Some(old), None) => items.push(change(Kind::Removed, Some(old), None)),
                (Some(old), Some(new)) if old.content_hash == new.content_hash => unchanged += 1,
                (Some(old), Some(new)) => items.push(new_version(old, new)),
                (None, None) => {}
            }
        }
        for item in items.iter_mut().filter(|c| c.object_type == "relationship") {
            if let Some(relationship) = head.get(item.id.as_str()).or_else(|| base.get(item.id.as_str())) {
                let name_of =
                    |id: &str| head.get(id).or_else(|| base.get(id)).map_or(id, |o| o.display_name()).to_owned();
                item.name = relationship_name(relationship, &name_of);
            }
        }
        items.sort_by(|a, b| (a.kind, &a.object_type, &a.id).cmp(&(b.kind, &b.object_type, &b.id)));
        Changes { items, unchanged }
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.items.iter().filter(|c| c.kind == kind).count()
    }

    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Change> {
        self.items.iter().filter(move |c| c.kind == kind)
    }

    /// The ids of the objects a change touched (removed ones aside) and of the removed ones.
    pub fn touched_and_removed(&self) -> (HashSet<&str>, HashSet<&str>) {
        let (removed, touched): (Vec<&Change>, Vec<&Change>) = self.items.iter().partition(|c| c.kind == Kind::Removed);
        (touched.iter().map(|c| c.id.as_str()).collect(), removed.iter().map(|c| c.id.as_str()).collect())
    }
}

/// The latest version of each id (ties: the later one loaded).
fn latest(objects: &[StixObject]) -> HashMap<&str, &StixObject> {
    let mut map: HashMap<&str, &StixObject> = HashMap::with_capacity(objects.len());
    for object in objects {
        let newer = |known: &&StixObject| match (object.version_time(), known.version_time()) {
            (Some(a), Some(b)) => a >= b,
            (a, b) => object.version_key() >= known.version_key() || (a.is_some() && b.is_none()),
        };
        match map.get(object.id.as_str()) {
            Some(known) if !newer(known) => {}
            _ => {
                map.insert(&object.id, object);
            }
        }
    }
    map
}

/// A relationship as a reader says it: "Emotet uses Spearphishing" (ends named by their names
/// where either side has them, else by id).
fn relationship_name(relationship: &StixObject, name_of: &dyn Fn(&str) -> String) -> String {
    let end = |property: &str| relationship.refs.iter().find(|r| r.property == property).map(|r| name_of(&r.target));
    let kind = relationship.relationship_type.as_deref().unwrap_or("related-to");
    match (end("source_ref"), end("target_ref")) {
        (Some(source), Some(target)) => format!("{source} {kind} {target}"),
        _ => relationship.display_name().to_owned(),
    }
}

fn change(kind: Kind, old: Option<&StixObject>, new: Option<&StixObject>) -> Change {
    let shown = new.or(old).expect("one side is there");
    Change {
        kind,
        id: shown.id.clone(),
        object_type: shown.object_type.to_string(),
        name: shown.display_name().to_owned(),
        from: old.map(|o| o.version_key().to_owned()),
        to: new.map(|o| o.version_key().to_owned()),
        properties: Vec::new(),
        same_version: false,
    }
}

fn new_version(old: &StixObject, new: &StixObject) -> Change {
    let parse = |o: &StixObject| serde_json::from_str::<Value>(&o.raw).ok().and_then(|v| v.as_object().cloned());
    let (before, after) = (parse(old).unwrap_or_default(), parse(new).unwrap_or_default());
    let deprecated = |m: &serde_json::Map<String, Value>| m.get("x_mitre_deprecated") == Some(&Value::Bool(true));
    let kind = if new.revoked && !old.revoked {
        Kind::Revoked
    } else if deprecated(&after) && !deprecated(&before) {
        Kind::Deprecated
    } else {
        Kind::Modified
    };
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let properties = keys
        .into_iter()
        .filter(|k| !matches!(k.as_str(), "modified" | "spec_version") && before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    Change { properties, same_version: old.version_key() == new.version_key(), ..change(kind, Some(old), Some(new)) }
}

/// Two sides named for a reader: the revision as given and the commit it stood for.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub name: String,
    pub commit: Option<String>,
    pub objects: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Side {
    pub fn new(name: &str, commit: Option<String>, summary: &Summary) -> Side {
        Side {
            name: name.to_owned(),
            commit,
            objects: summary.objects,
            errors: summary.errors,
            warnings: summary.warnings,
        }
    }
}

/// What `stixpress diff` reports.
pub struct DiffReport {
    pub base: Side,
    pub head: Side,
    pub changes: Changes,
    /// Diagnostics the head has and the base had not (compared without line numbers).
    pub introduced: Vec<Diagnostic>,
    /// How many of the base's diagnostics the head no longer has.
    pub fixed: usize,
}

impl DiffReport {
    pub fn new(base: Side, head: Side, changes: Changes, before: &[Diagnostic], after: Vec<Diagnostic>) -> DiffReport {
        let key =
            |d: &Diagnostic| (d.severity, d.code, d.object_id.clone(), d.message.clone(), d.location.file.clone());
        let old: HashSet<_> = before.iter().map(key).collect();
        let new: HashSet<_> = after.iter().map(key).collect();
        let fixed = old.difference(&new).count();
        let introduced = after.into_iter().filter(|d| !old.contains(&key(d))).collect();
        DiffReport { base, head, changes, introduced, fixed }
    }

    pub fn introduced_errors(&self) -> usize {
        self.introduced.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Counts per kind, in the order of `Kind::ALL`.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        Kind::ALL.iter().map(|k| (k.as_str(), self.changes.count(*k))).collect()
    }
}

#[cfg(test)]
mod tests;
