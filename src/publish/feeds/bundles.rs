//! `feeds/bundles/`: everything the audience sees as one STIX bundle (plain, and gzip for
//! downloads), and one bundle per object type. Each object's latest version, as the audience
//! gets it (redacted copies where the audience redacts) in STIX 2.1 (2.0 objects upgraded, see
//! `shared::stix21`), compacted, one object per line.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::gzip::{Gzip, Previous, CUTS};
use super::FeedFile;
use crate::audience::reads::{Digest, EntryDigests};
use crate::audience::{Entry, View};
use crate::error::Error;
use crate::publish::shared::stix21::published_compact;
use crate::stix::uuid::uuid_v5;
use crate::stix::uuid::STIXPRESS_NAMESPACE;
use crate::timing::log_figures;
use crate::write::{Pieces, Sink};

pub(crate) const DIR: &str = "feeds/bundles";

/// The bundle header has a fixed length, so the id (a digest of the objects) is filled in once
/// the objects are written, without copying them.
const HEADER_START: &str = "{\"type\":\"bundle\",\"id\":\"bundle--";
const HEADER_END: &str = "\",\"objects\":[";
const FOOTER: &str = "\n]}\n";

/// The header of a bundle whose objects have the key `key` (`Digests`): the same objects, the
/// same id.
fn header(key: &[u8; 32]) -> String {
    format!("{HEADER_START}{}{HEADER_END}", uuid_v5(&STIXPRESS_NAMESPACE, key))
}

/// Objects made at a time: a bundle is written a chunk of objects at a time, never held whole.
/// A chunk is a few megabytes: enough for every core, and (with gzip's batch, which it joins)
/// not a rise in the build's peak memory.
const CHUNK: usize = 2048;

pub(crate) fn write(view: &View<'_>, digests: &EntryDigests, sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let mut by_type: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for entry in view.entries() {
        by_type.entry(entry.object_type()).or_default().push(entry);
    }
    let mut files = Vec::new();
    // What `all.json` (and so its gzip) is made of, for a rebuild to tell it has not changed
    // without making it, and what names it: the types' keys in order (each a BLAKE3 of its
    // objects' digests).
    let mut all_key = blake3::Hasher::new_derive_key(ALL_FORMAT);
    for (object_type, entries) in &by_type {
        // The key first (the header names the bundle after its objects), then the bundle
        // piece by piece unless the folder holds it already: the indicators alone are 190 MB
        // at a million objects.
        let mut key = Digests::new();
        for chunk in entries.chunks(CHUNK) {
            let chunk: Vec<Digest> = chunk
                .par_iter()
                .map(|e| digests.published_json_of(view, e.object, &published_compact(view, e.object)))
                .collect();
            chunk.iter().for_each(|digest| key.add(digest));
        }
        let key = key.finish();
        all_key.update(&key);
        let path = format!("{DIR}/{object_type}.json");
        if let Some(mut file) = sink.write_pieces(&path, &key)? {
            write_bundle(view, entries, &key, &mut |piece| file.write(piece))?;
            file.finish()?;
        }
        files.push(FeedFile::new(path, "the objects of one type", entries.len()));
    }
    // Made again from the objects and handed to the sink piece by piece, with its gzip: at a
    // million objects it is hundreds of megabytes, never held whole.
    let all_entries: Vec<Entry> = by_type.into_values().flatten().collect();
    let key: [u8; 32] = all_key.finalize().into();
    let json = sink.write_pieces(&format!("{DIR}/all.json"), &key)?;
    // The previous gzip is opened before its path is written again: its unchanged members are
    // copied from it (`gzip`).
    let gzip_path = format!("{DIR}/all.json.gz");
    let previous = sink.previous(&gzip_path);
    let gzip =
        sink.write_pieces(&gzip_path, &key)?.map(|file| Gzip::new(file, previous.and_then(Previous::read), CUTS));
    if json.is_some() || gzip.is_some() {
        let mut all = AllBundle { json, gzip };
        write_bundle(view, &all_entries, &key, &mut |piece| all.write(piece))?;
        all.finish()?;
    }
    let count = all_entries.len();
    files.insert(0, FeedFile::new(format!("{DIR}/all.json.gz"), "the same, gzip-compressed", count));
    files.insert(0, FeedFile::new(format!("{DIR}/all.json"), "every object this site publishes", count));
    Ok(files)
}

/// Hands the bundle of `entries`, named after `key`, to `out` a chunk of objects at a time.
fn write_bundle(
    view: &View<'_>,
    entries: &[Entry<'_>],
    key: &[u8; 32],
    out: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    out(header(key).as_bytes())?;
    let mut piece = Vec::new();
    let mut first = true;
    for chunk in entries.chunks(CHUNK) {
        piece.clear();
        fill(view, chunk, |object| {
            push_object(&mut piece, first, object);
            first = false;
        });
        out(&piece)?;
    }
    out(FOOTER.as_bytes())
}

/// One object of a bundle, on a line of its own after the one before.
fn push_object(piece: &mut Vec<u8>, first: bool, object: &str) {
    piece.extend_from_slice(if first { &b"\n"[..] } else { b",\n" });
    piece.extend_from_slice(object.as_bytes());
}

/// How a type's bundle is laid out around its objects, named in its key like `ALL_FORMAT`.
const TYPE_FORMAT: &str = "stixpress feeds/bundles/<type>.json 2: one object a line, keyed by their digests";

/// What names a bundle and keys its file, from its objects: a BLAKE3 of their digests (each a
/// BLAKE3 of an object's JSON, made on every core), which its id is made from and a rebuild
/// keeps the file by. (Not SHA-1: a contributor must not be able to make a changed bundle look
/// like the one published, and SHA-1 collisions can be bought.)
struct Digests {
    key: blake3::Hasher,
}

impl Digests {
    fn new() -> Digests {
        Digests { key: blake3::Hasher::new_derive_key(TYPE_FORMAT) }
    }

    fn add(&mut self, object: &Digest) {
        self.key.update(object);
    }

    fn finish(self) -> [u8; 32] {
        self.key.finalize().into()
    }
}

/// How `all.json` and its gzip are laid out around the objects: named in their key, so a
/// program that lays them out differently does not keep files an earlier one wrote.
const ALL_FORMAT: &str =
    "stixpress feeds/bundles/all.json 2: one object a line; gzip members that end at marked lines (gzip.rs)";

/// `all.json` and `all.json.gz`, each written unless the folder already holds it.
struct AllBundle<'s> {
    json: Option<Box<dyn Pieces + 's>>,
    gzip: Option<Gzip<'s>>,
}

impl AllBundle<'_> {
    fn write(&mut self, piece: &[u8]) -> Result<(), Error> {
        if let Some(json) = &mut self.json {
            json.write(piece)?;
        }
        if let Some(gzip) = &mut self.gzip {
            gzip.write(piece)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(), Error> {
        if let Some(json) = self.json {
            json.finish()?;
        }
        if let Some(gzip) = self.gzip {
            let (members, copied) = gzip.finish()?;
            log_figures("all.json.gz", &format!("{members} members, {copied} copied from the previous build"));
        }
        Ok(())
    }
}

/// Hands each entry's published JSON to `add`, in order, made in parallel a chunk at a time.
fn fill(view: &View<'_>, entries: &[Entry<'_>], mut add: impl FnMut(&str)) {
    for chunk in entries.chunks(CHUNK) {
        let objects: Vec<Cow<str>> = chunk.par_iter().map(|e| published_compact(view, e.object)).collect();
        objects.iter().for_each(|object| add(object));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bundle of `objects` as `write_bundle` lays it out.
    fn bundle(objects: &[&str]) -> Vec<u8> {
        let mut digests = Digests::new();
        objects.iter().for_each(|o| digests.add(&crate::digest::of(o.as_bytes())));
        let mut bytes = header(&digests.finish()).into_bytes();
        for (i, object) in objects.iter().enumerate() {
            push_object(&mut bytes, i == 0, object);
        }
        bytes.extend_from_slice(FOOTER.as_bytes());
        bytes
    }

    #[test]
    fn a_bundle_is_json_with_an_id_from_its_objects() {
        let bytes = bundle(&[r#"{"type":"malware","id":"malware--a"}"#, r#"{"type":"tool","id":"tool--b"}"#]);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["objects"].as_array().unwrap().len(), 2);
        let id = json["id"].as_str().unwrap();
        assert!(id.starts_with("bundle--") && id.len() == 44 && !id.contains("00000000-"), "{id}");
        let empty: serde_json::Value = serde_json::from_slice(&bundle(&[])).unwrap();
        assert_eq!(empty["objects"].as_array().unwrap().len(), 0);
        assert_ne!(empty["id"], json["id"]);
    }
}
