//! `View`: the only way renderers see objects. Every accessor filters by visibility, so a
//! renderer cannot reach a withheld object even by following an edge.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::history::{AudienceHistory, VisibleObject};
use super::policy::{is_marking_property, MarkingPolicy, Markings};
use super::reads::{note, Key, Kind, Read};
use super::redact::{redacted, Redaction};
use crate::link::{is_attack_source, ObjectIndex, Store};
use crate::provenance::{type_key, Gate, History, WholeId};
use crate::stix::marking::tlp_of;
use crate::stix::mentions::{holding, uuid_number};
use crate::stix::StixObject;

pub(crate) struct View<'s> {
    store: &'s Store,
    visible: Vec<bool>,
    policy: MarkingPolicy,
    markings: Markings,
    count: usize,
    history: AudienceHistory<'s>,
    /// The withheld ids holding a crowded UUID (`link::CROWDED`), as (UUID, index), sorted.
    crowd_withheld: Vec<(u128, ObjectIndex)>,
    /// `attack_owner`'s answers, by the id asked for.
    attack_owners: Mutex<HashMap<Box<str>, Option<ObjectIndex>>>,
}

/// A visible object: its latest version and where it sits in the View.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'v> {
    pub(crate) index: ObjectIndex,
    pub(crate) object: &'v StixObject,
    /// The name pages show when it is not the object's own: a sub-technique's "Parent: Child".
    name: Option<&'v str>,
}

impl<'v> Entry<'v> {
    pub(crate) fn id(&self) -> &'v str {
        &self.object.id
    }

    pub(crate) fn object_type(&self) -> &'v str {
        &self.object.object_type
    }

    /// The name to show: a sub-technique's "Parent: Child" when its parent is visible too,
    /// else the label, else the id.
    pub(crate) fn display_name(&self) -> &'v str {
        self.name.unwrap_or_else(|| self.object.display_name())
    }

    /// "revoked" or "deprecated" when the object is no longer current (pages mark it so and
    /// list it after the current ones).
    pub(crate) fn retired(&self) -> Option<&'static str> {
        if self.object.revoked {
            Some("revoked")
        } else if self.object.deprecated {
            Some("deprecated")
        } else {
            None
        }
    }
}

impl<'s> View<'s> {
    pub(super) fn new(
        store: &'s Store,
        visible: Vec<bool>,
        policy: MarkingPolicy,
        markings: Markings,
        history: &'s History,
    ) -> View<'s> {
        let count = visible.iter().filter(|v| **v).count();
        let mut crowd_withheld: Vec<(u128, ObjectIndex)> = match store.has_crowded_uuids() {
            true => store
                .indices()
                .filter(|&i| !visible[i.0 as usize] && tlp_of(&store.latest(i).id).is_none())
                .filter_map(|i| Some((store.crowd_of(i)?, i)))
                .collect(),
            false => Vec::new(),
        };
        crowd_withheld.sort_unstable();
        let mut view = View {
            store,
            visible,
            policy,
            markings,
            count,
            history: AudienceHistory::empty(history),
            crowd_withheld,
            attack_owners: Mutex::default(),
        };
        if history.is_available() {
            let objects = view.entries().map(|entry| VisibleObject {
                id: entry.id(),
                in_content: store.versions(entry.index).iter().map(StixObject::version_key).collect(),
                shown: view.versions(entry).into_iter().map(StixObject::version_key).collect(),
            });
            let allows = |gate: &Gate| view.allows_gate(gate);
            let messages = view.policy.audience.commit_messages;
            view.history = AudienceHistory::new(history, objects, &allows, messages);
        }
        view
    }

    /// Whether the JSON `json` borrows is known to be compact (`Store::holding_compact_json`).
    pub(crate) fn has_compact_json(&self) -> bool {
        self.store.has_compact_json()
    }

    /// Git history as this audience may see it: only through versions it sees.
    pub(crate) fn history(&self) -> &AudienceHistory<'s> {
        note(everything);
        &self.history
    }

    /// Whether a state git holds may be shown: its markings are allowed (as for a version of
    /// the content) and it names nothing withheld. References are not redacted here: a state
    /// that names a withheld object is not shown.
    fn allows_gate(&self, gate: &Gate) -> bool {
        let mut restricted = gate.marking_definition;
        for marking in &gate.markings {
            if !self.policy.allows(marking, &self.markings) {
                return false;
            }
            restricted = restricted || self.markings.kind(marking).restricts();
        }
        // As for a version (`publishable`): a withheld object named only by references this
        // audience removes does not hold the state back, unless it empties `object_refs`.
        let redactable = gate.redactable.as_deref().filter(|_| self.policy.audience.redact_refs);
        let removed = |id: &str| {
            redactable.is_some_and(|r| r.references.binary_search_by(|(target, _)| (**target).cmp(id)).is_ok())
        };
        let withholds = |i: ObjectIndex, uuid: u128| {
            let id = &self.store.latest(i).id;
            let named_elsewhere = redactable.is_none_or(|r| r.named_outside.binary_search(&uuid).is_ok());
            !self.is_visible(i) && **id != *gate.id && tlp_of(id).is_none() && (named_elsewhere || !removed(id))
        };
        let names_withheld = |uuid: u128| {
            if self.store.is_crowded(uuid) {
                return self.crowd_withheld_besides(uuid, &gate.id);
            }
            self.store.with_uuid(uuid).any(|i| withholds(i, uuid))
        };
        // An id named whole names that object alone; one the content lacks, its UUID.
        let names_withheld_whole = |whole: &WholeId| {
            let of_type = |i: &ObjectIndex| type_key(&self.store.latest(*i).object_type) == whole.type_key;
            match self.store.with_uuid(whole.uuid).find(of_type) {
                Some(i) => withholds(i, whole.uuid),
                None => names_withheld(whole.uuid),
            }
        };
        let names_withheld =
            gate.named.iter().any(|&uuid| names_withheld(uuid)) || gate.named_whole.iter().any(names_withheld_whole);
        let empties_a_list = redactable.is_some_and(|r| {
            let mut listed = r.references.iter().filter(|(_, listed)| *listed).peekable();
            listed.peek().is_some() && listed.all(|(id, _)| self.is_withheld(id))
        });
        (restricted || self.policy.audience.unmarked) && !names_withheld && !empties_a_list
    }

    pub(crate) fn audience(&self) -> &str {
        &self.policy.audience.name
    }

    /// Whether pages may say that references were removed ("not available to this audience").
    pub(crate) fn shows_withheld(&self) -> bool {
        self.policy.audience.show_withheld
    }

    /// How many objects this audience sees.
    pub(crate) fn len(&self) -> usize {
        note(everything);
        self.count
    }

    /// How many objects were withheld from this audience.
    pub(crate) fn withheld(&self) -> usize {
        note(everything);
        self.store.len() - self.count
    }

    /// What `causes` works from: the Store, the policy and the marking definitions.
    pub(super) fn parts(&self) -> (&'s Store, &MarkingPolicy, &Markings) {
        (self.store, &self.policy, &self.markings)
    }

    pub(super) fn withholds_index(&self, index: ObjectIndex) -> bool {
        !self.is_visible(index)
    }

    fn is_visible(&self, index: ObjectIndex) -> bool {
        self.visible[index.0 as usize]
    }

    fn entry(&self, index: ObjectIndex) -> Option<Entry<'s>> {
        let name =
            || self.store.subtechnique(index).filter(|(parent, _)| self.is_visible(*parent)).and_then(|(_, n)| n);
        self.is_visible(index).then(|| Entry { index, object: self.store.latest(index), name: name() })
    }

    /// Every visible object, in id order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = Entry<'s>> + '_ {
        note(everything);
        self.store.indices().filter_map(|index| self.entry(index))
    }

    pub(crate) fn get(&self, id: &str) -> Option<Entry<'s>> {
        let found = self.store.find(id);
        note(|| object_read(found, id));
        found.and_then(|index| self.entry(index))
    }

    /// The object at `index` when this audience sees it (for `reads`, which names objects so).
    pub(super) fn at(&self, index: ObjectIndex) -> Option<Entry<'s>> {
        self.entry(index)
    }

    /// Where the Store holds `id`, seen or not (for `reads`, which never shows it).
    pub(super) fn held(&self, id: &str) -> Option<ObjectIndex> {
        self.store.find(id)
    }

    /// How many objects the Store holds, seen or not.
    pub(super) fn store_len(&self) -> usize {
        self.store.len()
    }

    /// How many versions the Store holds, and where `version` is among them (`Store`).
    pub(super) fn version_count(&self) -> usize {
        self.store.version_count()
    }

    pub(super) fn version_position(&self, version: &StixObject) -> Option<usize> {
        self.store.version_position(version)
    }

    /// The technique a sub-technique belongs to, when this audience sees it.
    pub(crate) fn parent_technique(&self, entry: Entry<'s>) -> Option<Entry<'s>> {
        note(|| Read::at(Kind::Parent, entry.index));
        let (parent, _) = self.store.subtechnique(entry.index)?;
        self.entry(parent)
    }

    /// The versions of an object this audience may see, oldest first: an older version can carry
    /// a stricter marking, or point at something withheld, even when the latest does not.
    pub(crate) fn versions(&self, entry: Entry<'s>) -> Vec<&'s StixObject> {
        note(|| Read::at(Kind::Versions, entry.index));
        let all = self.store.versions(entry.index);
        let (latest, older) = all.split_last().expect("an object has a version");
        older.iter().filter(|v| self.publishable(v)).chain(std::iter::once(latest)).collect()
    }

    /// Whether `id` is withheld from this audience (so it must not be shown, even as text).
    pub(crate) fn withholds(&self, id: &str) -> bool {
        note(|| object_read(self.store.find(id), id));
        self.is_withheld(id)
    }

    /// Whether an id other than `own_id` holding the crowded `uuid` is withheld: then whatever
    /// names the UUID names a withheld object (as `audience::withhold_referrers` decides).
    fn crowd_withheld_besides(&self, uuid: u128, own_id: &str) -> bool {
        holding(&self.crowd_withheld, uuid).iter().map(|&(_, i)| &self.store.latest(i).id).any(|id| id != own_id)
    }

    /// Whether an id names an object in the repository that this audience may not see.
    fn is_withheld(&self, id: &str) -> bool {
        self.store.find(id).is_some_and(|index| !self.is_visible(index))
    }

    /// Whether one version may be shown: its markings are allowed, and every withheld object it
    /// names is named by a reference this audience redacts (leaving a container one entry).
    fn publishable(&self, version: &StixObject) -> bool {
        if !self.policy.allows_markings_of(version, &self.markings) {
            return false;
        }
        let redacts = |r: &crate::stix::object::Reference| self.policy.redaction(&r.property) != Redaction::No;
        let listed = version.refs.iter().filter(|r| r.property == "object_refs").count();
        let removed =
            version.refs.iter().filter(|r| r.property == "object_refs" && self.is_withheld(&r.target)).count();
        if listed > 0 && removed == listed {
            return false;
        }
        // A crowded UUID is judged whole, without redaction (`link::CROWDED`).
        let crowded = |uuid: &&u128| self.store.is_crowded(**uuid);
        let mentioned = version.mentions_among(|at| self.store.find(&version.refs[at].target).is_some());
        let named_uuids = mentioned.iter();
        if named_uuids.clone().filter(crowded).any(|&uuid| self.crowd_withheld_besides(uuid, &version.id)) {
            return false;
        }
        let referenced = version.refs.iter().filter_map(|r| self.store.find(&r.target));
        let named = named_uuids.filter(|uuid| !crowded(uuid)).flat_map(|&uuid| self.store.with_uuid(uuid));
        // The ids named by a marking's reference, and by one this audience drops, each sorted
        // once the first withheld one is met: a version may list any number of withheld
        // objects, and looking through every reference for each took seconds at 40,000.
        let mut kept: Option<Kept> = None;
        referenced.chain(named).all(|index| {
            let id = self.store.latest(index).id.as_str();
            if self.is_visible(index) || id == version.id || tlp_of(id).is_some() {
                return true;
            }
            let kept = kept.get_or_insert_with(|| Kept::of(version, &redacts));
            if kept.markings.binary_search(&id).is_ok() {
                return true;
            }
            // Named also outside the references that go (in prose, say), it stays named.
            kept.dropped.binary_search(&id).is_ok()
                && uuid_number(id).is_none_or(|uuid| kept.named_outside.binary_search(&uuid).is_err())
        })
    }

    /// The JSON of a version as this audience gets it: as contributed, or, where references
    /// were redacted, a derived copy without them.
    pub(crate) fn json(&self, version: &'s StixObject) -> Cow<'s, str> {
        self.note_versions_of(version);
        if self.removed_references(version) == 0 {
            return Cow::Borrowed(&version.raw);
        }
        let withheld = |id: &str| self.is_withheld(id);
        // Unreadable JSON cannot have been published (it fails `check`); show nothing of it.
        Cow::Owned(redacted(&version.raw, &withheld).unwrap_or_else(|| "{}".to_owned()))
    }

    /// How many references a published version lost to redaction.
    pub(crate) fn removed_references(&self, version: &StixObject) -> usize {
        self.note_versions_of(version);
        if !self.policy.audience.redact_refs {
            return 0;
        }
        version.refs.iter().filter(|r| !is_marking_property(&r.property) && self.is_withheld(&r.target)).count()
    }

    /// The texts of the statement markings (copyright, terms of use) on a version.
    pub(crate) fn statements(&self, version: &StixObject) -> Vec<&str> {
        self.note_versions_of(version);
        let mut texts: Vec<&str> = version
            .refs
            .iter()
            .filter(|r| is_marking_property(&r.property))
            .filter_map(|r| self.markings.statement(&r.target))
            .filter(|text| !text.is_empty())
            .collect();
        texts.dedup();
        texts
    }

    /// What this object references, with the property it does so by.
    pub(crate) fn outgoing(&self, entry: Entry<'s>) -> impl Iterator<Item = (&'s str, Entry<'s>)> + '_ {
        note(|| Read::at(Kind::Outgoing, entry.index));
        let store = self.store;
        store
            .outgoing(entry.index)
            .iter()
            .filter_map(move |edge| Some((store.property(edge), self.entry(edge.target)?)))
    }

    /// What references this object, with the property it does so by.
    pub(crate) fn incoming(&self, entry: Entry<'s>) -> impl Iterator<Item = (&'s str, Entry<'s>)> + '_ {
        note(|| Read::at(Kind::Incoming, entry.index));
        let store = self.store;
        store.incoming(entry.index).filter_map(move |edge| Some((store.property(edge), self.entry(edge.source)?)))
    }

    /// Every visible relationship with `entry` at one end: the relationship, the object at the
    /// other end, and whether `entry` is its source.
    pub(crate) fn relationships(&self, entry: Entry<'s>) -> impl Iterator<Item = (Entry<'s>, Entry<'s>, bool)> + '_ {
        self.incoming(entry).filter_map(move |(property, relationship)| {
            let outgoing = match (relationship.object_type(), property) {
                ("relationship", "source_ref") => true,
                ("relationship", "target_ref") => false,
                _ => return None,
            };
            let other_end = if outgoing { "target_ref" } else { "source_ref" };
            let (_, other) = self.outgoing(relationship).find(|(p, _)| *p == other_end)?;
            Some((relationship, other, outgoing))
        })
    }

    /// The visible objects whose external references carry `external_id` (case ignored).
    pub(crate) fn with_external_id(&self, external_id: &str) -> impl Iterator<Item = Entry<'s>> + '_ {
        note(|| Read { kind: Kind::ExternalId, key: Key::Named(external_id.to_uppercase().into()) });
        self.store.names().with_external_id(external_id).iter().filter_map(|&index| self.entry(index))
    }

    /// The visible object whose ATT&CK id `external_id` is: the first, by id, whose first
    /// external reference is ATT&CK's and carries it (case ignored). Noted as a read of the
    /// external id; found once per id, since thousands of withheld objects claiming one id
    /// would otherwise be passed over again for every page that cites it.
    pub(crate) fn attack_owner(&self, external_id: &str) -> Option<Entry<'s>> {
        note(|| Read { kind: Kind::ExternalId, key: Key::Named(external_id.to_uppercase().into()) });
        let answers = || self.attack_owners.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = answers().get(external_id) {
            return known.and_then(|index| self.entry(index));
        }
        let claims = |index: &ObjectIndex| {
            let first = self.store.latest(*index).external_ids.first();
            first.is_some_and(|(source, id)| is_attack_source(source) && id.eq_ignore_ascii_case(external_id))
        };
        let candidates = self.store.names().attack_owners(external_id).iter().copied();
        let owner = candidates.filter(|&index| self.is_visible(index)).find(claims);
        answers().insert(external_id.into(), owner);
        owner.and_then(|index| self.entry(index))
    }

    /// How many visible objects there are of each type.
    pub(crate) fn type_counts(&self) -> BTreeMap<&'s str, usize> {
        note(everything);
        let mut counts = BTreeMap::new();
        for entry in self.entries() {
            *counts.entry(&*entry.object.object_type).or_default() += 1;
        }
        counts
    }
}

/// A read of the whole View (see `reads`).
fn everything() -> Read {
    Read { kind: Kind::Everything, key: Key::Nothing }
}

/// A read of the object `id`, which the Store holds at `found` (or does not hold).
fn object_read(found: Option<ObjectIndex>, id: &str) -> Read {
    match found {
        Some(index) => Read::at(Kind::Object, index),
        None => Read { kind: Kind::Object, key: Key::Named(id.into()) },
    }
}

impl View<'_> {
    /// Notes a read of the versions of the object `version` is one of.
    fn note_versions_of(&self, version: &StixObject) {
        note(|| match self.store.find(&version.id) {
            Some(index) => Read::at(Kind::Versions, index),
            None => Read { kind: Kind::Versions, key: Key::Named(version.id.as_str().into()) },
        });
    }
}

/// What a version keeps naming once an audience removes the references it may remove.
struct Kept<'v> {
    /// Targets of its marking references (a marking is never a reason to withhold).
    markings: Vec<&'v str>,
    /// Targets of the references the audience removes.
    dropped: Vec<&'v str>,
    /// UUIDs its JSON names outside the members that may be removed.
    named_outside: Vec<u128>,
}

impl<'v> Kept<'v> {
    fn of(version: &'v StixObject, redacts: &dyn Fn(&crate::stix::object::Reference) -> bool) -> Kept<'v> {
        let targets = |keep: &dyn Fn(&crate::stix::object::Reference) -> bool| {
            let mut ids: Vec<&str> = version.refs.iter().filter(|r| keep(r)).map(|r| r.target.as_str()).collect();
            ids.sort_unstable();
            ids
        };
        Kept {
            markings: targets(&|r| is_marking_property(&r.property)),
            dropped: targets(redacts),
            named_outside: super::redact::named_outside_redactable(&version.raw, &version.id),
        }
    }
}
