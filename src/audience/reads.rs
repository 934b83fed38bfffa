//! What one page read of a View, so that a rebuild can tell whether the page would come out the
//! same without making it again.
//!
//! While [`recording`] runs a closure on a thread, every View accessor the closure calls notes
//! what it answered about (a [`Read`]); [`View::digest`] says, in any later build, what that
//! answer is now. A page whose every read digests as it did is the page it was: rendering is
//! deterministic, and a page reads the View and nothing else (what its caller draws on besides,
//! it notes itself as a [`Kind::Source`]). The digest of every read that saw an object changes
//! when the object is withheld, so a page kept this way never shows what its audience may no
//! longer see.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use super::view::{Entry, View};
use crate::digest::{push_bytes, push_text};
use crate::link::ObjectIndex;
use crate::stix::StixObject;

/// A BLAKE3 digest, 128 bits kept: contributed content decides it, and a contributor who could
/// make a changed answer digest like the old one would keep an old page published.
pub(crate) type Digest = [u8; 16];

/// What was asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// An object by id: whether this audience sees it, and all of it when it does.
    Object,
    /// Its versions as this audience gets them (JSON, statements, redacted references).
    Versions,
    /// What it references, and each target.
    Outgoing,
    /// What references it, and each source.
    Incoming,
    /// The technique it is a sub-technique of.
    Parent,
    /// The objects carrying an external id (the key, upper-cased as the index keeps it).
    ExternalId,
    /// Something the caller worked out about the object besides the View, numbered by it.
    Source(u8),
    /// The whole View (every object, their counts): no digest of it is kept.
    Everything,
}

/// Whom a read was about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// An object of the Store.
    At(ObjectIndex),
    /// An id the Store does not hold, or an external id.
    Named(Box<str>),
    /// Nothing in particular (`Kind::Everything`).
    Nothing,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Read {
    pub(crate) kind: Kind,
    pub(crate) key: Key,
}

impl Read {
    pub(crate) fn at(kind: Kind, index: ObjectIndex) -> Read {
        Read { kind, key: Key::At(index) }
    }
}

thread_local! {
    static RECORDING: RefCell<Option<Vec<Read>>> = const { RefCell::new(None) };
}

/// Runs `make` and returns what it read of any View, each read once, in order.
///
/// Reads are noted per thread: `make` must not hand work to other threads (nor wait on a pool
/// that could run another recording on this one); a nested recording panics.
pub(crate) fn recording<T>(make: impl FnOnce() -> T) -> (T, Vec<Read>) {
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            RECORDING.with(|r| r.borrow_mut().take());
        }
    }
    RECORDING.with(|r| {
        let nested = r.borrow_mut().replace(Vec::new()).is_some();
        assert!(!nested, "a recording of reads within another on one thread");
    });
    let stop = Stop;
    let made = make();
    let mut reads = RECORDING.with(|r| r.borrow_mut().take()).unwrap_or_default();
    drop(stop);
    reads.sort_unstable();
    reads.dedup();
    (made, reads)
}

/// Notes a read, when a recording runs on this thread (`read` is only called then).
pub(crate) fn note(read: impl FnOnce() -> Read) {
    RECORDING.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.push(read());
        }
    });
}

fn is_recording() -> bool {
    RECORDING.with(|r| r.borrow().is_some())
}

/// What a read of an object answers when the object is withheld, or not in the Store: values
/// no BLAKE3 digest takes but by chance, so a withheld object never digests as a visible one.
const WITHHELD: Digest = [0xee; 16];
const NOT_HELD: Digest = [0xaa; 16];

/// Each visible object's digest, worked out once per build (an object is in the answer of many
/// reads: every page that links it, every list of what references its neighbours), each
/// version's JSON digested once (the object's read and its versions' both hold it), and each
/// read of an object's versions and references once (a rebuild checks about ten reads a page;
/// at 250k objects 1.7 reads of each object's versions or references a page, but only its own
/// page reads what references it, which is not kept).
///
/// Each table is made when first used: the feeds, which come first, use only the JSON's (the
/// others, 12 MB at 250,000 objects, would add to the feeds' peak).
pub(crate) struct EntryDigests {
    objects: usize,
    entries: OnceLock<Memo>,
    /// By the version's position in the Store (`Store::version_position`).
    json: Memo,
    versions: OnceLock<Memo>,
    outgoing: OnceLock<Memo>,
    /// By external id, as `View::with_external_id` is noted (upper case): every page of
    /// thousands of objects sharing an ATT&CK id reads that id, and each digest goes through
    /// all of them (20,000 sharing `T1` took the object pages 18 s).
    external_ids: Mutex<HashMap<Box<str>, Digest>>,
}

impl EntryDigests {
    pub(crate) fn new(view: &View<'_>) -> EntryDigests {
        EntryDigests {
            objects: view.store_len(),
            entries: OnceLock::new(),
            json: Memo::new(view.version_count()),
            versions: OnceLock::new(),
            outgoing: OnceLock::new(),
            external_ids: Mutex::default(),
        }
    }

    /// The table `memo`, made now if it is not yet.
    fn table<'m>(&self, memo: &'m OnceLock<Memo>) -> &'m Memo {
        memo.get_or_init(|| Memo::new(self.objects))
    }

    /// The digest of `json`, a version's JSON as published: the one worked out once for the
    /// version's JSON as contributed when it is that very text (most of the time), else its own.
    pub(crate) fn published_json_of(&self, view: &View<'_>, version: &StixObject, json: &str) -> Digest {
        match std::ptr::eq(json, &*version.raw) {
            true => self.json_of(view, version),
            false => crate::digest::of(json.as_bytes()),
        }
    }

    /// The digest of a version's JSON as contributed.
    pub(crate) fn json_of(&self, view: &View<'_>, version: &StixObject) -> Digest {
        let digest = || crate::digest::of(version.raw.as_bytes());
        match view.version_position(version) {
            Some(at) => self.json.get_or(at, digest),
            None => digest(),
        }
    }

    /// All of an object a page can see through its `Entry`: its JSON as contributed (which
    /// every field of the object is read from), its STIX version, where it was written (the
    /// matrix orders columns by it) and the name pages give it.
    fn of(&self, view: &View<'_>, entry: Entry<'_>) -> Digest {
        self.table(&self.entries).get_or(entry.index.0 as usize, || {
            let object = entry.object;
            // Gathered, then digested at once (cheaper than a hasher fed seven small pieces).
            let mut input = Vec::with_capacity(256);
            input.extend_from_slice(&self.json_of(view, object));
            push_text(&mut input, object.spec_version.as_str());
            // Where it was written, by the parts its pointer and place are made of, rather than
            // texts made to be hashed (a page check digests thousands of these).
            push_bytes(&mut input, object.file.as_os_str().as_encoded_bytes());
            input.extend_from_slice(&(object.offset as u64).to_le_bytes());
            input.push(u8::from(object.member.is_some()));
            input.extend_from_slice(&object.member.unwrap_or(0).to_le_bytes());
            input.push(u8::from(object.invalid));
            push_text(&mut input, entry.display_name());
            crate::digest::of(&input)
        })
    }

    /// Where the digests of reads of `kind` are kept, for the kinds read of many pages.
    fn reads_of(&self, kind: Kind) -> Option<&Memo> {
        match kind {
            Kind::Versions => Some(self.table(&self.versions)),
            Kind::Outgoing => Some(self.table(&self.outgoing)),
            _ => None,
        }
    }
}

/// Digests worked out once and shared by every thread without a lock, each held as two halves
/// that are zero until it is worked out. Threads that meet the same empty slot work out the
/// same digest (the View does not change during a build), so each half is either zero or its
/// final value whatever order the stores land in. A digest with a zero half (one in 2^63) is
/// never kept, only worked out again each time.
struct Memo {
    slots: Vec<[AtomicU64; 2]>,
}

impl Memo {
    fn new(len: usize) -> Memo {
        Memo { slots: (0..len).map(|_| [AtomicU64::new(0), AtomicU64::new(0)]).collect() }
    }

    fn get_or(&self, at: usize, make: impl FnOnce() -> Digest) -> Digest {
        let Some([low, high]) = self.slots.get(at) else { return make() };
        let (l, h) = (low.load(Ordering::Relaxed), high.load(Ordering::Relaxed));
        if l != 0 && h != 0 {
            return join(l, h);
        }
        let digest = make();
        let (l, h) = halves(digest);
        if l != 0 && h != 0 {
            low.store(l, Ordering::Relaxed);
            high.store(h, Ordering::Relaxed);
        }
        digest
    }
}

fn halves(digest: Digest) -> (u64, u64) {
    let (low, high) = digest.split_at(8);
    (u64::from_le_bytes(low.try_into().unwrap_or_default()), u64::from_le_bytes(high.try_into().unwrap_or_default()))
}

fn join(low: u64, high: u64) -> Digest {
    let mut digest = [0; 16];
    digest[..8].copy_from_slice(&low.to_le_bytes());
    digest[8..].copy_from_slice(&high.to_le_bytes());
    digest
}

/// Hashes `text` length first, so that no two sequences of texts hash alike.
pub(crate) fn text(hasher: &mut blake3::Hasher, text: &str) {
    bytes(hasher, text.as_bytes());
}

/// Hashes `bytes` length first, as `text` does a text.
fn bytes(hasher: &mut blake3::Hasher, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes()).update(bytes);
}

/// The digest `hasher` makes, cut to a `Digest`.
pub(crate) fn finish(hasher: &blake3::Hasher) -> Digest {
    let mut digest = [0; 16];
    digest.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    digest
}

impl<'s> View<'s> {
    /// What `read` answers in this View, digested; `None` for what cannot be digested (the
    /// whole View) or is not the View's to say (`Kind::Source`).
    pub(crate) fn digest(&self, read: &Read, entries: &EntryDigests) -> Option<Digest> {
        debug_assert!(!is_recording(), "digests are worked out outside a recording");
        let index = match (&read.kind, &read.key) {
            (Kind::Everything | Kind::Source(_), _) | (_, Key::Nothing) => return None,
            (Kind::ExternalId, Key::Named(external_id)) => {
                let digests = || entries.external_ids.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if let Some(digest) = digests().get(&**external_id) {
                    return Some(*digest);
                }
                // Worked out without the lock: two threads may both do it, and agree.
                let mut hasher = blake3::Hasher::new();
                for entry in self.with_external_id(external_id) {
                    hasher.update(&entries.of(self, entry));
                }
                let digest = finish(&hasher);
                digests().insert(external_id.clone(), digest);
                return Some(digest);
            }
            (Kind::ExternalId, Key::At(_)) => return None,
            (_, Key::At(index)) => *index,
            (_, Key::Named(id)) => match self.held(id) {
                Some(index) => index,
                None => return Some(NOT_HELD),
            },
        };
        let Some(entry) = self.at(index) else { return Some(WITHHELD) };
        if read.kind == Kind::Object {
            return Some(entries.of(self, entry));
        }
        Some(match entries.reads_of(read.kind) {
            Some(memo) => memo.get_or(index.0 as usize, || self.digest_of_reads(read.kind, entry, entries)),
            None => self.digest_of_reads(read.kind, entry, entries),
        })
    }

    /// What a read of `kind` about the visible `entry` answers, digested.
    fn digest_of_reads(&self, kind: Kind, entry: Entry<'s>, entries: &EntryDigests) -> Digest {
        // Gathered, then digested at once: a list of references is two small pieces an item.
        let mut input = Vec::with_capacity(256);
        match kind {
            Kind::Versions => {
                for version in self.versions(entry) {
                    // Published whole, its JSON is the one digested once; else what is left of it.
                    let removed = self.removed_references(version);
                    if removed == 0 {
                        input.push(0);
                        input.extend_from_slice(&entries.json_of(self, version));
                    } else {
                        input.push(1);
                        push_text(&mut input, &self.json(version));
                        input.extend_from_slice(&(removed as u64).to_le_bytes());
                    }
                    for statement in self.statements(version) {
                        push_text(&mut input, statement);
                    }
                    input.push(0);
                }
            }
            Kind::Outgoing => {
                for (property, target) in self.outgoing(entry) {
                    push_text(&mut input, property);
                    input.extend_from_slice(&entries.of(self, target));
                }
            }
            Kind::Incoming => {
                for (property, source) in self.incoming(entry) {
                    push_text(&mut input, property);
                    input.extend_from_slice(&entries.of(self, source));
                }
            }
            Kind::Parent => match self.parent_technique(entry) {
                Some(parent) => input.extend_from_slice(&entries.of(self, parent)),
                None => input.push(0),
            },
            Kind::Object | Kind::ExternalId | Kind::Source(_) | Kind::Everything => {
                unreachable!("answered by digest")
            }
        }
        crate::digest::of(&input)
    }
}

/// How a later build names the object or external id `name` that notes left: by where its
/// Store holds it, if it does.
pub(crate) fn key_of(view: &View<'_>, name: &str, external_id: bool) -> Key {
    match view.held(name).filter(|_| !external_id) {
        Some(index) => Key::At(index),
        None => Key::Named(name.into()),
    }
}

/// The object a key names, when this audience sees it.
pub(crate) fn visible<'s>(view: &View<'s>, key: &Key) -> Option<Entry<'s>> {
    match key {
        Key::At(index) => view.at(*index),
        Key::Named(_) | Key::Nothing => None,
    }
}

/// How many objects the Store holds, seen or not (indices run below it).
pub(crate) fn store_len(view: &View<'_>) -> usize {
    view.store_len()
}

/// What a read answers about an object this audience does not see.
pub(crate) fn withheld() -> Digest {
    WITHHELD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_keeps_each_read_once_and_nothing_is_noted_outside_one() {
        note(|| unreachable!("not recording"));
        let ((), reads) = recording(|| {
            note(|| Read::at(Kind::Incoming, ObjectIndex(2)));
            note(|| Read::at(Kind::Object, ObjectIndex(1)));
            note(|| Read::at(Kind::Incoming, ObjectIndex(2)));
        });
        assert_eq!(reads, [Read::at(Kind::Object, ObjectIndex(1)), Read::at(Kind::Incoming, ObjectIndex(2))]);
        assert!(!is_recording());
    }

    #[test]
    fn a_memo_keeps_a_digest_once_worked_out_but_never_one_with_a_zero_half() {
        let memo = Memo::new(2);
        assert_eq!(memo.get_or(0, || [7; 16]), [7; 16]);
        assert_eq!(memo.get_or(0, || unreachable!("kept")), [7; 16]);
        let mut zero_half = [9; 16];
        zero_half[8..].fill(0);
        assert_eq!(memo.get_or(1, || zero_half), zero_half);
        assert_eq!(memo.get_or(1, || [5; 16]), [5; 16], "not kept: worked out again");
        assert_eq!(memo.get_or(2, || [3; 16]), [3; 16], "past the end: worked out");
    }

    #[test]
    fn a_recording_that_panics_stops() {
        let caught = std::panic::catch_unwind(|| recording(|| panic!("page failed")));
        assert!(caught.is_err());
        assert!(!is_recording());
        let ((), reads) = recording(|| ());
        assert!(reads.is_empty());
    }
}
