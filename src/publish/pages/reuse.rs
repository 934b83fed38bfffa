//! Which object pages a rebuild keeps without making them again.
//!
//! Making an object page's context is most of what a rebuild spends on pages, and most pages
//! do not change. While a page is made, what it reads of the View is recorded
//! (`audience::reads`); the build leaves those reads beside the output (`NOTES`). The next
//! build works out what each of them answers now: when every answer digests as it did, with the
//! same site and theme, the page is the one in the folder, which is kept as it is. A page that
//! read an object its audience does not see is made again every time, so no withheld id is
//! ever written down.
//!
//! The notes list the ids the audience sees once, at the top, then each page's key and its
//! reads, an id by its rank in that list: about 120 bytes a page. They are written while pages
//! are made, a few thousand at a time, and read whole by the next build.

use crate::stix::fxhash::FxHashMap;
use rayon::prelude::*;

use crate::audience::reads::{self, Digest, EntryDigests, Key, Kind, Read};
use crate::audience::{Entry, View};
use crate::bytes::ByteReader;
use crate::digest::push_text;
use crate::error::Error;
use crate::write::{Notes, Sink};

/// The file the notes are left in.
const NOTES: &str = ".stixpress-pages";
const HEADER: &[u8] = b"stixpress-pages 1\n";

/// A read's kind as the notes write it; `NAMED` is set when an id or external id follows as
/// text (one the Store does not hold), else the id's rank.
const NAMED: u8 = 0x80;
const SOURCE: u8 = 0x10;

/// What a page is made from besides the View, digested by the caller (`Kind::Source`).
pub(super) type SourceDigest<'a> = dyn Fn(u8, Entry<'_>) -> Digest + Sync + 'a;

pub(super) struct Reuse<'a, 'v> {
    view: &'a View<'v>,
    /// What every page shares: the site's part of the context, the theme, the program.
    shared: [u8; 32],
    entries: &'a EntryDigests,
    source: &'a SourceDigest<'a>,
    previous: Option<Previous>,
    /// Each object's rank among those the audience sees (the ids the notes list), by index.
    ranks: Vec<u32>,
}

/// The previous build's notes, each id they name found in this build's Store.
struct Previous {
    bytes: Vec<u8>,
    keys: Vec<Key>,
    /// Where each page's record starts in `bytes`, by the index of its object.
    pages: FxHashMap<u32, usize>,
}

/// What a page was made from: its key (for the sink) and its record for the next notes (None
/// when it read something withheld, and is made again every time).
pub(super) struct Made {
    pub(super) key: [u8; 16],
    record: Option<Vec<u8>>,
}

impl<'a, 'v> Reuse<'a, 'v> {
    pub(super) fn new(
        view: &'a View<'v>,
        shared: [u8; 32],
        source: &'a SourceDigest<'a>,
        entries: &'a EntryDigests,
        sink: &dyn Sink,
    ) -> Self {
        let mut ranks = Vec::new();
        let mut seen = 0;
        for index in 0..reads::store_len(view) as u32 {
            ranks.push(seen);
            if reads::visible(view, &Key::At(crate::link::ObjectIndex(index))).is_some() {
                seen += 1;
            }
        }
        let previous = sink.previous_notes(NOTES).and_then(|bytes| Previous::read(view, bytes));
        Reuse { view, shared, entries, source, previous, ranks }
    }

    /// The page of `entry` as the previous build made it, when everything it read answers as
    /// it did then.
    pub(super) fn kept(&self, entry: Entry<'_>) -> Option<Made> {
        let previous = self.previous.as_ref()?;
        let at = *previous.pages.get(&entry.index.0)?;
        let (key, reads) = previous.record(self.view, at)?;
        let made = self.made(entry, self.answers(reads)?);
        (made.key == key).then_some(made)
    }

    /// What a page that read `reads` is made from, now.
    pub(super) fn made_from(&self, entry: Entry<'_>, reads: Vec<Read>) -> Made {
        match self.answers(reads) {
            Some(answered) => self.made(entry, answered),
            None => unkept(),
        }
    }

    /// Each read with what it answers now; None when one cannot be digested.
    fn answers(&self, reads: Vec<Read>) -> Option<Vec<(Read, Digest)>> {
        reads.into_iter().map(|read| Some((read.clone(), self.digest(&read)?))).collect()
    }

    fn digest(&self, read: &Read) -> Option<Digest> {
        match read.kind {
            Kind::Source(tag) => {
                Some(reads::visible(self.view, &read.key).map_or_else(reads::withheld, |e| (self.source)(tag, e)))
            }
            _ => self.view.digest(read, self.entries),
        }
    }

    /// The key of a page from its reads and their answers, and its record for the notes.
    fn made(&self, entry: Entry<'_>, answered: Vec<(Read, Digest)>) -> Made {
        // What the key digests, gathered first and digested at once: a page has about ten
        // reads, each three small pieces, and feeding a hasher piece by piece costs more than
        // digesting the whole (the key is the same either way).
        let mut input = Vec::with_capacity(64 + answered.len() * 80);
        input.extend_from_slice(&self.shared);
        push_text(&mut input, entry.id());
        let mut record = Vec::with_capacity(40 + answered.len() * 6);
        record.extend_from_slice(&self.ranks[entry.index.0 as usize].to_le_bytes());
        record.extend_from_slice(&[0; 16]);
        record.extend_from_slice(&(answered.len() as u32).to_le_bytes());
        for (read, digest) in &answered {
            let code = code(read.kind);
            let Some(code) = code else { return unkept() };
            input.push(code);
            match &read.key {
                Key::At(index) => {
                    // Only ids the audience sees are named: a page that read a withheld one is
                    // not noted (its id would be written down).
                    let Some(seen) = reads::visible(self.view, &read.key) else { return unkept() };
                    push_text(&mut input, seen.id());
                    record.push(code);
                    record.extend_from_slice(&self.ranks[index.0 as usize].to_le_bytes());
                }
                Key::Named(name) => {
                    push_text(&mut input, name);
                    let Ok(len) = u16::try_from(name.len()) else { return unkept() };
                    record.push(code | NAMED);
                    record.extend_from_slice(&len.to_le_bytes());
                    record.extend_from_slice(name.as_bytes());
                }
                Key::Nothing => return unkept(),
            }
            input.extend_from_slice(digest);
        }
        let key = crate::digest::of(&input);
        record[4..20].copy_from_slice(&key);
        Made { key, record: Some(record) }
    }

    /// Opens the notes for the next build and lists the ids they name pages by; the pages'
    /// records follow (`note`).
    pub(super) fn start_notes(&self, sink: &dyn Sink) -> Result<Option<Notes>, Error> {
        let Some(mut notes) = sink.write_notes(NOTES)? else { return Ok(None) };
        let mut bytes = HEADER.to_vec();
        bytes.extend_from_slice(&(self.view.len() as u32).to_le_bytes());
        for entry in self.view.entries() {
            // An id is at most a type and a UUID; a longer one (an error `check` reports) would
            // not fit, and no notes are left rather than wrong ones.
            let Ok(len) = u16::try_from(entry.id().len()) else { return Ok(None) };
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(entry.id().as_bytes());
        }
        notes.write(&bytes)?;
        Ok(Some(notes))
    }

    /// Adds the records of pages just made (in the order of the View's entries) to the notes.
    pub(super) fn note(notes: &mut Notes, made: &[Made]) -> Result<(), Error> {
        made.iter().filter_map(|m| m.record.as_deref()).try_for_each(|record| notes.write(record))
    }

    /// How many pages the previous notes let this build check (for the figures).
    pub(super) fn noted(&self) -> usize {
        self.previous.as_ref().map_or(0, |p| p.pages.len())
    }
}

/// A page made again every time: a key no build repeats.
fn unkept() -> Made {
    let mut key = [0; 16];
    if getrandom::fill(&mut key).is_err() {
        key.copy_from_slice(&blake3::hash(format!("{:?}", std::time::Instant::now()).as_bytes()).as_bytes()[..16]);
    }
    Made { key, record: None }
}

/// A kind as the notes write it; none for what is never noted.
fn code(kind: Kind) -> Option<u8> {
    Some(match kind {
        Kind::Object => 0,
        Kind::Versions => 1,
        Kind::Outgoing => 2,
        Kind::Incoming => 3,
        Kind::Parent => 4,
        Kind::ExternalId => 5,
        Kind::Source(tag) if tag < SOURCE => SOURCE + tag,
        Kind::Source(_) | Kind::Everything => return None,
    })
}

fn kind(code: u8) -> Option<Kind> {
    Some(match code {
        0 => Kind::Object,
        1 => Kind::Versions,
        2 => Kind::Outgoing,
        3 => Kind::Incoming,
        4 => Kind::Parent,
        5 => Kind::ExternalId,
        c if (SOURCE..2 * SOURCE).contains(&c) => Kind::Source(c - SOURCE),
        _ => return None,
    })
}

/// A text of the notes: its length in two bytes, then the text.
trait NotesReads<'b> {
    fn text(&mut self) -> Option<&'b str>;
}

impl<'b> NotesReads<'b> for ByteReader<'b> {
    fn text(&mut self) -> Option<&'b str> {
        let len = self.u16()?;
        self.utf8(len as usize)
    }
}

impl Previous {
    /// The notes in `bytes`, or None when they cannot be read whole (every page is then made).
    fn read(view: &View<'_>, bytes: Vec<u8>) -> Option<Previous> {
        let mut cursor = ByteReader::new(bytes.strip_prefix(HEADER)?);
        let count = cursor.u32()? as usize;
        let mut ids = Vec::with_capacity(count.min(1 << 24));
        for _ in 0..count {
            ids.push(cursor.text()?);
        }
        let keys: Vec<Key> = ids.par_iter().map(|id| reads::key_of(view, id, false)).collect();
        let mut pages = FxHashMap::default();
        while cursor.left() > 0 {
            let start = cursor.at();
            // The page of an object the Store no longer holds is not made; its record is passed.
            if let Key::At(index) = keys.get(cursor.u32()? as usize)? {
                pages.insert(index.0, start + HEADER.len());
            }
            cursor.take(16)?;
            for _ in 0..cursor.u32()? {
                let code = cursor.u8()?;
                if code & NAMED != 0 {
                    cursor.text()?;
                } else {
                    cursor.u32()?;
                }
            }
        }
        Some(Previous { bytes, keys, pages })
    }

    /// The key and reads of the record at `at` (checked whole when the notes were read).
    fn record(&self, view: &View<'_>, at: usize) -> Option<([u8; 16], Vec<Read>)> {
        let mut cursor = ByteReader::new(self.bytes.get(at + 4..)?);
        let key: [u8; 16] = cursor.take(16)?.try_into().ok()?;
        let count = cursor.u32()?;
        let mut reads = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let code = cursor.u8()?;
            let kind = kind(code & !NAMED)?;
            let key = if code & NAMED != 0 {
                reads::key_of(view, cursor.text()?, kind == Kind::ExternalId)
            } else {
                self.keys.get(cursor.u32()? as usize)?.clone()
            };
            reads.push(Read { kind, key });
        }
        Some((key, reads))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_noted_kind_reads_back_as_itself_and_the_whole_view_is_never_noted() {
        let kinds = [Kind::Object, Kind::Versions, Kind::Outgoing, Kind::Incoming, Kind::Parent, Kind::ExternalId];
        for kind in kinds.into_iter().chain((0..SOURCE).map(Kind::Source)) {
            let code = code(kind).expect("noted");
            assert_eq!(code & NAMED, 0);
            assert_eq!(super::kind(code), Some(kind));
        }
        assert_eq!(code(Kind::Everything), None);
        assert_eq!(code(Kind::Source(SOURCE)), None, "a source number the notes cannot hold");
        assert_eq!(super::kind(0x7f), None);
    }

    #[test]
    fn a_cursor_never_reads_past_the_end() {
        let mut cursor = ByteReader::new(&[3, 0, b'a', b'b']);
        assert_eq!(cursor.text(), None, "a text longer than what is left");
        let mut cursor = ByteReader::new(&[1, 0, 0]);
        assert_eq!(cursor.u32(), None);
        let mut cursor = ByteReader::new(&[2, 0, b'o', b'k', 7, 0, 0, 0]);
        assert_eq!((cursor.text(), cursor.u32(), cursor.u32()), (Some("ok"), Some(7), None));
    }
}
