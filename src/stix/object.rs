//! `StixObject`: one version of one object, as every stage after loading sees it.
//!
//! It keeps the few fields that linking, filtering and repository rules need, and where the
//! object was found. The full JSON is parsed again only where an object is rendered; holding a
//! `serde_json::Value` per object for the whole run would not fit a million objects.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use super::mentions::uuid_number;
use super::{SpecVersion, Timestamp};

/// One reference from an object to another object's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The property, e.g. `created_by_ref`, `object_refs`, `source_ref`: the specification's
    /// names are not copied for each of millions of references (`property_name`).
    pub property: Cow<'static, str>,
    /// Its place in a list (`object_refs`, `granular_markings`); none for a single `…_ref`.
    pub index: Option<u32>,
    pub target: String,
}

impl Reference {
    /// Where it is inside the object, as a JSON pointer (`/object_refs/3`): made when a
    /// diagnostic needs it rather than held for each of millions of references.
    pub fn pointer(&self) -> String {
        match (&*self.property, self.index) {
            ("granular_markings", Some(i)) => format!("/granular_markings/{i}/marking_ref"),
            (property, Some(i)) => format!("/{property}/{i}"),
            (property, None) => format!("/{property}"),
        }
    }
}

/// The property's name, shared when the specification's tables name it as a reference (or it
/// is `granular_markings`, under which the loader files granular markings' `marking_ref`);
/// else a copy.
pub fn property_name(property: &str) -> Cow<'static, str> {
    match reference_properties().get(property) {
        Some(known) => Cow::Borrowed(*known),
        None => Cow::Owned(property.to_owned()),
    }
}

/// Every reference property of the STIX 2.1 and 2.0 tables (`schema`), made once.
fn reference_properties() -> &'static std::collections::HashSet<&'static str, FxBuild> {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<&'static str, FxBuild>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        use super::schema::{Kind, COMMON_20, COMMON_21, COMMON_SCO_21, TYPES_20, TYPES_21};
        let types = TYPES_21.iter().chain(TYPES_20).flat_map(|t| t.properties);
        let properties = COMMON_21.iter().chain(COMMON_SCO_21).chain(COMMON_20).chain(types);
        let references = properties.filter(|p| matches!(p.kind, Kind::Ref(_) | Kind::Refs(_))).map(|p| p.name);
        references.chain(["granular_markings"]).collect()
    })
}

type FxBuild = std::hash::BuildHasherDefault<super::fxhash::FxHasher>;

/// The type's name, shared when the specification (2.1 or 2.0) defines it (else `object_type`
/// itself).
pub fn type_name(object_type: String) -> Cow<'static, str> {
    let spec = super::schema::type_spec(super::SpecVersion::V21, &object_type)
        .or_else(|| super::schema::type_spec(super::SpecVersion::V20, &object_type));
    match spec {
        Some(spec) => Cow::Borrowed(spec.name),
        None => Cow::Owned(object_type),
    }
}

#[derive(Debug, Clone)]
pub struct StixObject {
    pub id: String,
    /// Shared when it is one of the specification's types (`type_name`).
    pub object_type: Cow<'static, str>,
    pub spec_version: SpecVersion,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub name: Option<String>,
    /// What to call the object: its name, or what identifies it when it has none (see `label`).
    pub label: Option<String>,
    /// `aliases` (and `x_mitre_aliases`), for the name index.
    pub aliases: Box<[String]>,
    /// `(source_name, external_id)` of each external reference that has an id: ATT&CK ids,
    /// CVE and CAPEC numbers, the handles analysts search by.
    pub external_ids: Box<[(String, String)]>,
    pub revoked: bool,
    /// ATT&CK's `x_mitre_deprecated`: no longer current, though not replaced.
    pub deprecated: bool,
    pub relationship_type: Option<String>,
    /// Held at their number (a growing list keeps room for more: a third of its size).
    pub refs: Box<[Reference]>,
    /// A digest of the object's content that ignores key order and whitespace, so two copies of
    /// the same version in different files compare equal (`load::json::content_hash`).
    pub content_hash: crate::load::json::ContentDigest,
    /// The object's JSON as contributed: it is what gets published. Byte for byte, or without
    /// the whitespace between tokens, or empty where `check` does not read it again, as the
    /// loader was asked (`load::KeepJson`).
    pub raw: Box<str>,
    /// Every UUID the JSON names besides the object's own id (`mentions::named_uuids`), found
    /// once while loading: the marking rules, the links and every audience's View read them.
    /// Those it names only as its references' ids come last (see `named_in`).
    pub named: Box<[u128]>,
    /// How many of `named`, at its end, the JSON names only as the whole id of one of its
    /// references (see `mentioned_uuids`).
    pub referenced_only: u32,
    /// Whether a per-object rule found an error in it (`build --allow-errors` leaves it out).
    pub invalid: bool,
    pub file: Arc<PathBuf>,
    /// Byte offset of the object's `{` in its file (line and column are worked out only when a
    /// diagnostic needs them: counting characters on a minified megabyte line is not free).
    pub offset: usize,
    /// Its place in its bundle's `objects`; none when its file holds it alone. (A number, not
    /// its JSON pointer: that is made when a diagnostic needs it, see `pointer`.)
    pub member: Option<u32>,
}

/// JSON pointer of the object at `member` of its bundle's `objects` (`/objects/3`), or of a
/// lone object (``).
pub fn member_pointer(member: Option<u32>) -> String {
    member.map(|i| format!("/objects/{i}")).unwrap_or_default()
}

/// The property of an edge from an object to one it names outside its references (in prose,
/// extensions, custom properties).
pub const MENTIONS: &str = "mentions";

impl StixObject {
    /// JSON pointer of the object inside its file (`/objects/3`, or `` for a lone object).
    pub fn pointer(&self) -> String {
        member_pointer(self.member)
    }

    /// What to show for an object: its label, else its id.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }

    /// Revoked or deprecated: still published, but marked and listed after current objects.
    pub fn is_retired(&self) -> bool {
        self.revoked || self.deprecated
    }

    /// The version key: objects are versioned by `modified` (or `created` when never modified).
    pub fn version_key(&self) -> &str {
        self.modified.as_deref().or(self.created.as_deref()).unwrap_or("")
    }

    /// The version key as a time, for ordering versions whatever their fraction digits.
    pub fn version_time(&self) -> Option<Timestamp> {
        Timestamp::parse(self.version_key()).ok()
    }

    /// The UUIDs its JSON names anywhere (references, extensions, prose; escaped, encoded or in
    /// any case, see `mentions`); each once, in the order first named. Callers skip the object
    /// itself.
    pub fn named_uuids(&self) -> &[u128] {
        &self.named
    }

    /// The UUIDs it names other than as the whole id of one of its references (in prose, in
    /// custom properties, in another spelling): each is taken to name every object holding it.
    /// The others are judged as the references they are, by id: an object that shares a UUID
    /// with one referenced here is not named by the reference.
    pub fn mentioned_uuids(&self) -> &[u128] {
        &self.named[..self.named.len() - self.referenced_only as usize]
    }

    /// The UUIDs it mentions among the objects its references point at: `mentioned_uuids`, and
    /// the UUIDs of the references (by their place in `refs`) whose target `known` says is not
    /// held. A reference to nothing names its UUID alone, so it names whatever object holds that
    /// UUID (its id would otherwise show a withheld object's UUID). By place, so that a caller
    /// that has looked the targets up already need not again.
    pub fn mentions_among(&self, known: impl Fn(usize) -> bool) -> Cow<'_, [u128]> {
        let mut dangling = self
            .refs
            .iter()
            .enumerate()
            .filter(|&(at, _)| !known(at))
            .filter_map(|(_, r)| uuid_number(&r.target))
            .peekable();
        if dangling.peek().is_none() {
            return Cow::Borrowed(self.mentioned_uuids());
        }
        let mut all: Vec<u128> = self.mentioned_uuids().iter().copied().chain(dangling).collect();
        all.sort_unstable();
        all.dedup();
        Cow::Owned(all)
    }
}

/// The UUIDs the JSON `raw` of the object `id` names (`mentions::names`), those it names only
/// as the whole id of one of its references `refs` last, and how many those are (the
/// `named` and `referenced_only` of a `StixObject`).
pub fn named_in(raw: &str, id: &str, refs: &[Reference]) -> (Box<[u128]>, u32) {
    // A report may reference a million objects: sorted then, rather than looked through.
    let mut sorted: Vec<&str> = Vec::new();
    if refs.len() > 16 {
        sorted = refs.iter().map(|r| r.target.as_str()).collect();
        sorted.sort_unstable();
    }
    let is_referenced = |whole: &str| match sorted.is_empty() {
        true => refs.iter().any(|r| r.target == whole),
        false => sorted.binary_search(&whole).is_ok(),
    };
    let mut names = super::mentions::names(raw, id, |whole| is_referenced(whole).then_some(()));
    // Stable: each part keeps the order the text first names them in.
    names.sort_by_key(|named| named.only_as.is_some());
    let referenced_only = names.iter().filter(|named| named.only_as.is_some()).count() as u32;
    (names.into_iter().map(|named| named.uuid).collect(), referenced_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_named_only_as_reference_ids_come_last_and_are_not_mentions() {
        let uuid = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
        let number = |n: u32| super::super::mentions::uuid_number(&format!("x--{}", uuid(n))).unwrap();
        let reference = |target: String| Reference { property: Cow::Borrowed("object_refs"), index: None, target };
        for many in [false, true] {
            let mut refs =
                vec![reference(format!("identity--{}", uuid(1))), reference(format!("malware--{}", uuid(2)))];
            if many {
                refs.extend((100..120).map(|n| reference(format!("tool--{}", uuid(n)))));
            }
            let raw = format!(
                r#"{{"id":"note--{}","created_by_ref":"identity--{}","object_refs":["malware--{}"],"content":"{} and x_note","x_note":"campaign--{}"}}"#,
                uuid(9),
                uuid(1),
                uuid(2),
                uuid(2),
                uuid(3)
            );
            let (named, referenced_only) = named_in(&raw, &format!("note--{}", uuid(9)), &refs);
            // Malware 2 is also named in prose; campaign 3 is no reference.
            assert_eq!(&*named, [number(2), number(3), number(1)], "many references: {many}");
            assert_eq!(referenced_only, 1);
        }
    }

    #[test]
    fn a_uuid_is_judged_by_its_references_only_when_every_place_naming_it_is_one() {
        // Random notes naming three UUIDs in random places: as a listed reference, as an id in
        // another property, in prose (whole or alone), in upper case. A UUID is left to its
        // references exactly when every place naming it is a string holding one of their ids.
        let mut next = crate::test_random::below(0x9e37_79b9_7f4a_7c15);
        let uuid = |n: u64| format!("0000000{n}-0000-4000-8000-000000000000");
        for round in 0..1000 {
            let mut note = serde_json::json!({"type": "note", "spec_version": "2.1",
                "id": "note--0000000f-0000-4000-8000-000000000000", "created": "2025-01-01T00:00:00Z",
                "modified": "2025-01-01T00:00:00Z", "content": "text", "object_refs": []});
            // Per UUID: the ids strings hold whole, and whether another place names it.
            let mut whole: [Vec<String>; 3] = Default::default();
            let mut otherwise = [false; 3];
            for place in 0..1 + next(6) {
                let n = next(3);
                let id = format!("{}--{}", ["malware", "identity", "x-kind"][next(3) as usize], uuid(n));
                let spelling = next(5);
                match spelling {
                    0 => note["object_refs"].as_array_mut().unwrap().push(id.clone().into()),
                    1 => note[format!("x_id_{place}")] = id.clone().into(),
                    2 => note["content"] = format!("{} see {id}", note["content"].as_str().unwrap()).into(),
                    3 => note["content"] = format!("{} ({})", note["content"].as_str().unwrap(), uuid(n)).into(),
                    _ => note[format!("x_upper_{place}")] = id.to_uppercase().into(),
                }
                match spelling {
                    0 | 1 => whole[n as usize].push(id),
                    _ => otherwise[n as usize] = true,
                }
            }
            if note["object_refs"].as_array().unwrap().is_empty() {
                note["object_refs"] = serde_json::json!(["malware--0000000e-0000-4000-8000-000000000000"]);
            }
            let listed: Vec<&str> = note["object_refs"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
            let text = format!(
                r#"{{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[{note}]}}"#
            );
            let loaded = crate::load::load_text(std::path::Path::new("t.json"), text, &|_, _| Vec::new()).objects;
            let object = &loaded[0];
            let number = |n: u64| super::super::mentions::uuid_number(&format!("x--{}", uuid(n))).unwrap();
            for n in 0..3 {
                let (ids, otherwise) = (&whole[n as usize], otherwise[n as usize]);
                let named = otherwise || !ids.is_empty();
                let by_references = !otherwise && ids.iter().all(|id| listed.contains(&id.as_str()));
                let found = (object.named_uuids().contains(&number(n)), object.mentioned_uuids().contains(&number(n)));
                assert_eq!(found, (named, named && !by_references), "round {round}, UUID {n}: {}", object.raw);
            }
        }
    }

    #[test]
    fn the_specification_s_names_are_shared_and_others_copied() {
        for name in ["created_by_ref", "object_marking_refs", "granular_markings", "object_refs", "belongs_to_ref"] {
            assert!(matches!(property_name(name), Cow::Borrowed(n) if n == name), "{name}");
        }
        assert!(matches!(property_name("x_acme_ref"), Cow::Owned(n) if n == "x_acme_ref"));
        assert!(matches!(type_name("attack-pattern".into()), Cow::Borrowed("attack-pattern")));
        assert!(matches!(type_name("x-mitre-tactic".into()), Cow::Owned(n) if n == "x-mitre-tactic"));
    }
}
