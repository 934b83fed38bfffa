//! Redaction, for audiences that opt in (`redact_refs`): an object that lists withheld objects
//! is published as a derived copy without those references, instead of being withheld too.
//!
//! Only references a copy can lose and stay valid STIX are removed: entries of a container's
//! `object_refs` (at least one must remain), `created_by_ref`, and a sighting's
//! `where_sighted_refs` and `observed_data_refs`. A relationship to a withheld object, or a
//! withheld id anywhere else in the JSON, still withholds the object.

use std::fmt::Write as _;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::stix::mentions::named_uuids;

/// How a property may lose references to withheld objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redaction {
    /// It may not: the object is withheld with what it references.
    No,
    /// Entries may go as long as one remains (`object_refs`).
    KeepOne,
    /// Entries, or the whole property, may go.
    Drop,
}

pub(crate) fn redaction(property: &str) -> Redaction {
    match property {
        "object_refs" => Redaction::KeepOne,
        "created_by_ref" | "where_sighted_refs" | "observed_data_refs" => Redaction::Drop,
        _ => Redaction::No,
    }
}

/// The top-level members of an object in their order, each value as written.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Ordered)
    }
}

/// `raw` without the references `withheld` names, in the redactable properties; the other
/// members keep their order and their text. None when the JSON cannot be read.
pub(crate) fn redacted(raw: &str, withheld: &dyn Fn(&str) -> bool) -> Option<String> {
    let Members(members) = serde_json::from_str(raw).ok()?;
    let mut out = String::with_capacity(raw.len());
    out.push('{');
    let mut first = true;
    for (key, value) in members {
        let kept = match redaction(&key) {
            Redaction::No => Some(value.get().to_owned()),
            _ => kept_references(value.get(), withheld),
        };
        let Some(kept) = kept else { continue };
        out.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
        let _ = write!(out, "{}: {kept}", serde_json::to_string(&key).ok()?);
    }
    out.push_str("\n}");
    Some(out)
}

/// Every UUID `raw` (the JSON of the object `own_id`) names outside the members an audience
/// may redact, sorted: a withheld object named there too (in prose, say) is still named once
/// its reference is removed, so the object must be withheld rather than redacted. JSON that
/// does not read as an object counts whole.
pub(crate) fn named_outside_redactable(raw: &str, own_id: &str) -> Vec<u128> {
    match serde_json::from_str::<Members>(raw) {
        Ok(Members(members)) => named_outside(&members, own_id),
        Err(_) => {
            let mut named = named_uuids(raw, own_id);
            named.sort_unstable();
            named
        }
    }
}

fn named_outside(members: &[(String, Box<RawValue>)], own_id: &str) -> Vec<u128> {
    let mut kept = String::new();
    for (key, value) in members.iter().filter(|(key, _)| redaction(key) == Redaction::No) {
        kept.push(if kept.is_empty() { '{' } else { ',' });
        let _ = write!(kept, "{}:{}", serde_json::to_string(key).unwrap_or_default(), value.get());
    }
    kept.push_str(if kept.is_empty() { "{}" } else { "}" });
    let mut named = named_uuids(&kept, own_id);
    named.sort_unstable();
    named
}

/// What an audience that redacts could remove from one state of an object, as git holds it
/// (a state may be long gone from the content, so this is all the View gets to judge it by).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Redactable {
    /// Targets of the references that may go, sorted, each with whether `object_refs` lists
    /// it (one entry of that list must remain).
    pub(crate) references: Vec<(Box<str>, bool)>,
    /// The UUIDs named outside those references, sorted (`named_outside_redactable`).
    pub(crate) named_outside: Vec<u128>,
}

/// None when the JSON holds no reference an audience may remove, or holds one `redacted`
/// would not remove as a whole (a value that is not an id or a list of ids): then every UUID
/// it names counts, as for an audience that does not redact.
pub(crate) fn redactable(raw: &str, own_id: &str) -> Option<Redactable> {
    let Members(members) = serde_json::from_str(raw).ok()?;
    let mut references: Vec<(Box<str>, bool)> = Vec::new();
    for (key, value) in &members {
        let how = redaction(key);
        if how == Redaction::No {
            continue;
        }
        let listed = how == Redaction::KeepOne;
        match serde_json::from_str::<serde_json::Value>(value.get()).ok()? {
            serde_json::Value::String(id) => references.push((id.into(), listed)),
            serde_json::Value::Array(items) => {
                for item in items {
                    let serde_json::Value::String(id) = item else { return None };
                    references.push((id.into(), listed));
                }
            }
            _ => return None,
        }
    }
    if references.is_empty() {
        return None;
    }
    references.sort_unstable();
    references.dedup();
    Some(Redactable { references, named_outside: named_outside(&members, own_id) })
}

/// A reference or list of references without the withheld ones: None when nothing remains.
fn kept_references(value: &str, withheld: &dyn Fn(&str) -> bool) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(value).ok()? {
        serde_json::Value::String(id) if withheld(&id) => None,
        serde_json::Value::Array(items) => {
            let kept: Vec<_> = items.into_iter().filter(|item| !item.as_str().is_some_and(withheld)).collect();
            (!kept.is_empty()).then(|| serde_json::to_string(&kept).unwrap_or_default())
        }
        _ => Some(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withheld_references_go_and_everything_else_stays_as_written() {
        let raw = r#"{"type": "report", "name":"R \u00e9", "object_refs": ["a--1", "b--2"], "created_by_ref": "b--2", "labels":["b--2"]}"#;
        let copy = redacted(raw, &|id| id == "b--2").unwrap();
        assert_eq!(
            copy,
            "{\n  \"type\": \"report\",\n  \"name\": \"R \\u00e9\",\n  \"object_refs\": [\"a--1\"],\n  \"labels\": [\"b--2\"]\n}"
        );
    }

    #[test]
    fn a_state_s_redactable_references_are_told_apart_from_what_it_names_elsewhere() {
        let a = "malware--0a000000-0000-4000-8000-000000000001";
        let b = "identity--0b000000-0000-4000-8000-000000000002";
        let c = "tool--0c000000-0000-4000-8000-000000000003";
        let own = "report--0d000000-0000-4000-8000-000000000004";
        let raw =
            format!(r#"{{"id":"{own}","object_refs":["{a}","{c}"],"created_by_ref":"{b}","description":"see {c}"}}"#);
        let parts = redactable(&raw, own).unwrap();
        let references: Vec<(&str, bool)> = parts.references.iter().map(|(id, l)| (&**id, *l)).collect();
        assert_eq!(references, [(b, false), (a, true), (c, true)]);
        assert_eq!(parts.named_outside, [crate::stix::mentions::uuid_number(c).unwrap()]);
        // Nothing to remove, or a list `redacted` would keep part of: every UUID counts.
        assert!(redactable(&format!(r#"{{"id":"{own}","description":"{a}"}}"#), own).is_none());
        assert!(redactable(&format!(r#"{{"id":"{own}","object_refs":["{a}",["{c}"]]}}"#), own).is_none());
        assert!(redactable("not json", own).is_none());
    }
}
