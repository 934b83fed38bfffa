//! The TAXII picture of one audience: every version it may see, in `date_added` order, and
//! which collections hold each. It borrows each version's JSON from the Store where the Store
//! holds it as published (compact, 2.1, unredacted), and `serve`, which answers queries after
//! the Store is gone, keeps a copy that owns everything (`detached`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use serde::Deserialize;

use crate::audience::reads::EntryDigests;
use crate::audience::{is_marking_property, View};
use crate::config::Collection;
use crate::publish::shared::stix21::published_compact;
use crate::stix::marking::{tlp_of, Tlp};
use crate::stix::upgrade::millis;
use crate::stix::{StixObject, Timestamp};

/// A point in time, ordered (seconds since 1970, nanoseconds).
pub(crate) type Instant = (i64, u32);

/// One published version of an object.
pub(crate) struct Record<'s> {
    /// Position of its object in `TaxiiIndex::objects`.
    pub(crate) object: u32,
    /// The version as TAXII names it: `modified`, else `created`, else `date_added` (borrowed
    /// from the object when it is written that way already).
    pub(crate) version: Cow<'s, str>,
    pub(crate) version_time: Instant,
    pub(crate) date_added: Timestamp,
    /// The oldest and the newest version this audience may see.
    pub(crate) first: bool,
    pub(crate) last: bool,
    /// A number made from the id and version alone: where listings may end a page
    /// (`TaxiiIndex::page`), so that page ends do not move when other records come and go.
    pub(crate) page_mark: u32,
    /// The object's JSON as this audience gets it, in STIX 2.1 (`shared::stix21`), without
    /// insignificant whitespace.
    pub(crate) json: Cow<'s, str>,
    /// A BLAKE3 of `json`, worked out once: the files that hold it are keyed by it (`files`),
    /// so a rebuild neither makes nor digests the pages and object files whose records it holds.
    pub(crate) digest: [u8; 16],
}

/// Borrowed from the Store while a build writes; `serve` owns them (`TaxiiIndex::detached`).
pub(crate) struct ObjectRecords<'s> {
    pub(crate) id: Cow<'s, str>,
    pub(crate) object_type: Cow<'s, str>,
    /// Its records, in `date_added` order.
    pub(crate) records: Vec<u32>,
}

pub(crate) struct CollectionRecords {
    pub(crate) info: Collection,
    /// The records it holds, ascending (so in `date_added` order).
    pub(crate) records: Vec<u32>,
    /// The same, per object type (for `match[type]`).
    pub(crate) by_type: HashMap<Box<str>, Vec<u32>>,
    /// Whether it holds each record, by record position.
    pub(crate) holds: Vec<bool>,
}

pub(crate) struct TaxiiIndex<'s> {
    /// Sorted by `date_added`, then id, then version: a record's position is its place in
    /// every listing, and serves as the `next` token.
    pub(crate) records: Vec<Record<'s>>,
    /// Ordered by id.
    pub(crate) objects: Vec<ObjectRecords<'s>>,
    pub(crate) collections: Vec<CollectionRecords>,
}

/// The first instant: `date_added` of an object that has no time of its own nor file-mates.
const EPOCH: Timestamp = Timestamp { seconds: 0, nanos: 0, fraction_digits: 3 };

impl<'s> TaxiiIndex<'s> {
    /// The index of what `view` publishes, sorted into `collections`.
    ///
    /// `date_added` is when the server got the version: when the published branch first held
    /// the commit that brought it to this audience, when git history knows it. Otherwise that is its `modified` (or
    /// `created`); an object with neither (a cyber-observable) takes the latest time of the
    /// objects published from the same file, which arrived with it.
    pub(crate) fn build(view: &View<'s>, collections: &[Collection], digests: &EntryDigests) -> TaxiiIndex<'s> {
        let history = view.history();
        let versions: Vec<(&StixObject, bool, bool)> = view
            .entries()
            .flat_map(|entry| {
                let versions = view.versions(entry);
                let count = versions.len();
                versions.into_iter().enumerate().map(move |(i, v)| (v, i == 0, i + 1 == count))
            })
            .collect();
        let mut file_times: HashMap<&Path, Timestamp> = HashMap::new();
        for (version, _, _) in &versions {
            if let Some(time) = version.version_time() {
                let latest = file_times.entry(version.file.as_path()).or_insert(time);
                if time.instant() > latest.instant() {
                    *latest = time;
                }
            }
        }
        let filters: Vec<CollectionFilter> = collections.iter().map(CollectionFilter::new).collect();
        let mut records: Vec<Unsorted> = versions
            .par_iter()
            .enumerate()
            .map(|(origin, &(version, first, last))| {
                let committed = history
                    .origin(&version.id, version.version_key())
                    .map(|commit| Timestamp::from_unix_seconds(commit.published));
                let date_added = committed
                    .or_else(|| version.version_time())
                    .or_else(|| file_times.get(version.file.as_path()).copied())
                    .unwrap_or(EPOCH);
                let (version_text, version_time): (Cow<str>, Instant) = match version.version_time() {
                    // The published `modified`: a 2.0 one gains millisecond digits (same instant).
                    Some(time) => (millis(version.version_key()), time.instant()),
                    None => (date_added.to_millis_text().into(), date_added.instant()),
                };
                let json = published_compact(view, version);
                // The JSON as contributed, most of the time: its digest is the one object pages
                // were checked by.
                let digest = digests.published_json_of(view, version, &json);
                let record = Record {
                    object: 0,
                    page_mark: page_mark(&version.id, &version_text),
                    version: version_text,
                    version_time,
                    date_added,
                    first,
                    last,
                    json,
                    digest,
                };
                let held = filters.iter().map(|f| f.matches(version)).collect();
                Unsorted { record, origin: origin as u32, id: &version.id, object_type: &version.object_type, held }
            })
            .collect();
        records.par_sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        // Where each version landed, by its place in `versions` (each object's versions
        // together, the objects in the View's order).
        let mut landed = vec![0u32; records.len()];
        for (position, record) in records.iter().enumerate() {
            landed[record.origin as usize] = position as u32;
        }
        // The objects in id order, so that one is found by its id without a map of copies, each
        // with its records in `date_added` order. The View lists objects in the order of their
        // ids' text already; were it not so, they are sorted here.
        let mut objects: Vec<ObjectRecords<'s>> = Vec::new();
        let mut start = 0;
        for end in 1..=versions.len() {
            if end < versions.len() && !versions[end].1 {
                continue;
            }
            let mut positions: Vec<u32> = landed[start..end].to_vec();
            positions.sort_unstable();
            let first = &records[landed[start] as usize];
            let (id, object_type) = (Cow::Borrowed(first.id), Cow::Borrowed(first.object_type));
            objects.push(ObjectRecords { id, object_type, records: positions });
            start = end;
        }
        if !objects.windows(2).all(|pair| pair[0].id < pair[1].id) {
            objects.par_sort_by(|a, b| a.id.cmp(&b.id));
        }
        for (object, records_of) in objects.iter().enumerate() {
            for &position in &records_of.records {
                records[position as usize].record.object = object as u32;
            }
        }
        let mut holds: Vec<Vec<bool>> = vec![Vec::with_capacity(records.len()); collections.len()];
        for unsorted in &records {
            for (collection, &held) in holds.iter_mut().zip(&unsorted.held) {
                collection.push(held);
            }
        }
        let records: Vec<Record> = records.into_iter().map(|u| u.record).collect();
        let collections = collections
            .par_iter()
            .zip(holds)
            .map(|(info, holds)| {
                let held: Vec<u32> = (0..records.len() as u32).filter(|&i| holds[i as usize]).collect();
                let mut by_type: HashMap<Box<str>, Vec<u32>> = HashMap::new();
                for &i in &held {
                    let object_type = &objects[records[i as usize].object as usize].object_type;
                    by_type.entry((**object_type).into()).or_default().push(i);
                }
                CollectionRecords { info: info.clone(), records: held, by_type, holds }
            })
            .collect();
        TaxiiIndex { records, objects, collections }
    }

    pub(crate) fn object(&self, id: &str) -> Option<&ObjectRecords<'s>> {
        self.objects.binary_search_by(|o| (*o.id).cmp(id)).ok().map(|at| &self.objects[at])
    }

    pub(crate) fn collection(&self, id: &str) -> Option<&CollectionRecords> {
        self.collections.iter().find(|c| c.info.id.eq_ignore_ascii_case(id))
    }

    pub(crate) fn id_of(&self, record: &Record) -> &str {
        &self.objects[record.object as usize].id
    }

    /// The same index owning all its JSON, to outlive the Store (`serve` keeps it).
    pub(crate) fn detached(self) -> TaxiiIndex<'static> {
        let TaxiiIndex { records, objects, collections } = self;
        let owned = |text: Cow<str>| Cow::Owned(text.into_owned());
        let records =
            records.into_iter().map(|r| Record { json: owned(r.json), version: owned(r.version), ..r }).collect();
        let objects = objects
            .into_iter()
            .map(|o| ObjectRecords { id: owned(o.id), object_type: owned(o.object_type), records: o.records })
            .collect();
        TaxiiIndex { records, objects, collections }
    }
}

fn page_mark(id: &str, version: &str) -> u32 {
    let hash = blake3::Hasher::new().update(id.as_bytes()).update(b"\0").update(version.as_bytes()).finalize();
    u32::from_le_bytes(hash.as_bytes()[..4].try_into().expect("four bytes"))
}

/// A record before sorting, with what only sorting needs.
struct Unsorted<'v> {
    record: Record<'v>,
    /// Its place in the View's versions.
    origin: u32,
    id: &'v str,
    object_type: &'v str,
    /// Whether each collection holds it.
    held: Vec<bool>,
}

fn sort_key<'u>(u: &'u Unsorted) -> (Instant, &'u str, Instant) {
    (u.record.date_added.instant(), u.id, u.record.version_time)
}

/// Which versions a configured collection holds.
struct CollectionFilter<'c> {
    collection: &'c Collection,
    tlp: Vec<Tlp>,
}

#[derive(Deserialize)]
struct Labels {
    #[serde(default)]
    labels: Vec<String>,
}

impl<'c> CollectionFilter<'c> {
    fn new(collection: &'c Collection) -> CollectionFilter<'c> {
        let tlp = collection.markings.iter().filter_map(|m| Tlp::from_name(m)).collect();
        CollectionFilter { collection, tlp }
    }

    fn matches(&self, version: &StixObject) -> bool {
        let c = self.collection;
        if !c.types.is_empty() && !c.types.iter().any(|t| *t == version.object_type) {
            return false;
        }
        if !c.markings.is_empty() {
            let marked = version.refs.iter().filter(|r| is_marking_property(&r.property)).any(|r| {
                c.markings.contains(&r.target) || tlp_of(&r.target).is_some_and(|tlp| self.tlp.contains(&tlp))
            });
            if !marked {
                return false;
            }
        }
        if !c.labels.is_empty() {
            let labels = serde_json::from_str::<Labels>(&version.raw).map(|l| l.labels).unwrap_or_default();
            if !labels.iter().any(|label| c.labels.contains(label)) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::config::{default_collections, Audience};
    use crate::link::Store;
    use crate::load::load_text;
    use crate::provenance::History;

    /// The Store of one bundle holding `objects` (each an object's JSON).
    pub(in crate::publish::taxii) fn store_of(objects: &[String]) -> Store {
        let text = format!(
            r#"{{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[{}]}}"#,
            objects.join(",")
        );
        Store::build(load_text(Path::new("t.json"), text, &|_, _| Vec::new()).objects)
    }

    fn version(id: &str, modified: &str) -> String {
        format!(
            r#"{{"type":"{}","spec_version":"2.1","id":"{id}","created":"2020-01-01T00:00:00Z","modified":"{modified}","name":"n"}}"#,
            id.split("--").next().unwrap()
        )
    }

    #[test]
    fn every_object_is_found_by_its_id_with_its_versions_in_the_order_they_were_added() {
        // Types one the start of another (`x-a`, `x-a-b`), UUIDs out of text order in the
        // file, versions added before and after other objects' versions.
        let ids = [
            "x-a-b--00000000-0000-4000-8000-000000000001",
            "x-a--f0000000-0000-4000-8000-000000000000",
            "x-a--00000000-0000-4000-8000-000000000002",
            "malware--00000000-0000-4000-8000-00000000000a",
        ];
        let mut objects = Vec::new();
        for (n, id) in ids.iter().enumerate() {
            objects.push(version(id, &format!("2021-0{}-01T00:00:00.000Z", n + 1)));
            objects.push(version(id, &format!("2023-0{}-01T00:00:00.000Z", 4 - n)));
        }
        let store = store_of(&objects);
        let history = History::off();
        let view = crate::audience::view(&store, &history, &Audience::public(Path::new("/repo")));
        let listed: Vec<&str> = view.entries().map(|e| e.id()).collect();
        assert!(listed.is_sorted(), "the View lists objects in the order of their ids' text: {listed:?}");
        let index = TaxiiIndex::build(&view, &default_collections(), &EntryDigests::new(&view));
        let mut expected: Vec<&str> = ids.to_vec();
        expected.sort();
        let found: Vec<&str> = index.objects.iter().map(|o| &*o.id).collect();
        assert_eq!(found, expected, "objects in the order of their ids' text");
        for (at, object) in index.objects.iter().enumerate() {
            assert_eq!(index.object(&object.id).map(|o| &*o.id), Some(&*object.id));
            assert_eq!(object.records.len(), 2);
            assert!(object.records.is_sorted(), "{}: records in the order they were added", object.id);
            for &r in &object.records {
                assert_eq!(index.records[r as usize].object as usize, at);
            }
            let times: Vec<Instant> = object.records.iter().map(|&r| index.records[r as usize].version_time).collect();
            assert!(times.is_sorted());
        }
        let keys: Vec<(Instant, &str)> =
            index.records.iter().map(|r| (r.date_added.instant(), index.id_of(r))).collect();
        assert!(keys.is_sorted(), "records in date_added order");
    }
}
