//! `feeds/bundles/`: everything the audience sees as one STIX bundle (plain, and gzip for
//! downloads), and one bundle per object type. Each object's latest version, as the audience
//! gets it (redacted copies where the audience redacts) in STIX 2.1 (2.0 objects upgraded, see
//! `shared::stix21`), compacted, one object per line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use rayon::prelude::*;
use sha1::{Digest, Sha1};

use super::FeedFile;
use crate::audience::{Entry, View};
use crate::error::Error;
use crate::publish::shared::stix21::published_compact;
use crate::stix::uuid::uuid_v5;
use crate::stix::uuid::STIXPRESS_NAMESPACE;
use crate::write::Sink;

pub(crate) const DIR: &str = "feeds/bundles";

/// Bytes compressed per gzip member: members compress in parallel and a gzip file may hold
/// several (RFC 1952 section 2.2; gunzip, zcat and Python's gzip read them as one stream).
const GZIP_MEMBER: usize = 8 << 20;

/// The bundle header has a fixed length, so the id (a digest of the objects) is filled in once
/// the objects are written, without copying them.
const HEADER_START: &str = "{\"type\":\"bundle\",\"id\":\"bundle--";
const HEADER_END: &str = "\",\"objects\":[";

/// Objects made at a time: each bundle is filled chunk by chunk, so that only the bundle being
/// made (not also every object of it as a string of its own) is held.
const CHUNK: usize = 8192;

pub(crate) fn write(view: &View<'_>, sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let mut by_type: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for entry in view.entries() {
        by_type.entry(entry.object_type()).or_default().push(entry);
    }
    let mut files = Vec::new();
    // The whole bundle's id is a digest of the per-type digests: each object is hashed once.
    let mut all_digest = Sha1::new();
    for (object_type, entries) in &by_type {
        let mut one = Bundle::with_capacity(estimated_len(entries));
        fill(view, entries, |object| one.push(object));
        let (bytes, digest) = one.finish();
        all_digest.update(digest);
        let path = format!("{DIR}/{object_type}.json");
        sink.write_owned(&path, bytes)?;
        files.push(FeedFile::new(path, "the objects of one type", entries.len()));
    }
    // Made again from the objects rather than kept from the per-type bundles: one large buffer
    // at a time (at a million objects each copy is hundreds of megabytes), for a second pass
    // over the JSON that costs a fraction of the gzip below.
    let all_entries: Vec<Entry> = by_type.into_values().flatten().collect();
    let mut all = Bundle::with_capacity(estimated_len(&all_entries));
    fill(view, &all_entries, |object| all.append(object));
    all.digest = all_digest;
    let count = all.count;
    let (bytes, _) = all.finish();
    // Compressing is most of this feed's time: a rebuild that finds the same bundle keeps the
    // file compressed before.
    sink.write_derived(&format!("{DIR}/all.json.gz"), &bytes, &|bytes| Ok(gzip(bytes)))?;
    sink.write_owned(&format!("{DIR}/all.json"), bytes)?;
    files.insert(0, FeedFile::new(format!("{DIR}/all.json.gz"), "the same, gzip-compressed", count));
    files.insert(0, FeedFile::new(format!("{DIR}/all.json"), "every object this site publishes", count));
    Ok(files)
}

/// Hands each entry's published JSON to `add`, in order, made in parallel a chunk at a time.
fn fill(view: &View<'_>, entries: &[Entry<'_>], mut add: impl FnMut(&str)) {
    for chunk in entries.chunks(CHUNK) {
        let objects: Vec<Cow<str>> = chunk.par_iter().map(|e| published_compact(view, e.object)).collect();
        objects.iter().for_each(|object| add(object));
    }
}

/// About the length of a bundle of `entries` (their JSON as held, and room for what 2.1 adds
/// to a 2.0 object), so that the buffer is not grown by doubling (which holds both).
fn estimated_len(entries: &[Entry<'_>]) -> usize {
    entries.iter().map(|e| e.object.raw.len() + 48).sum::<usize>() + 128
}

struct Bundle {
    bytes: Vec<u8>,
    digest: Sha1,
    count: usize,
}

impl Bundle {
    #[cfg(test)]
    fn new() -> Bundle {
        Bundle::with_capacity(0)
    }

    fn with_capacity(capacity: usize) -> Bundle {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.extend_from_slice(HEADER_START.as_bytes());
        bytes.extend_from_slice(&[b'0'; 36]);
        bytes.extend_from_slice(HEADER_END.as_bytes());
        Bundle { bytes, digest: Sha1::new(), count: 0 }
    }

    /// Adds an object and counts it in the digest the id is made from.
    fn push(&mut self, object: &str) {
        self.append(object);
        self.digest.update(object.as_bytes());
        self.digest.update(b"\n");
    }

    /// Adds an object whose digest the caller accounts for.
    fn append(&mut self, object: &str) {
        if self.count > 0 {
            self.bytes.push(b',');
        }
        self.bytes.push(b'\n');
        self.bytes.extend_from_slice(object.as_bytes());
        self.count += 1;
    }

    /// The bundle, its id a name-based UUID of its digest (the same objects, the same id), and
    /// the digest.
    fn finish(mut self) -> (Vec<u8>, [u8; 20]) {
        let digest: [u8; 20] = self.digest.finalize().into();
        let id = uuid_v5(&STIXPRESS_NAMESPACE, &digest);
        let at = HEADER_START.len();
        self.bytes[at..at + 36].copy_from_slice(id.as_bytes());
        self.bytes.extend_from_slice(b"\n]}\n");
        (self.bytes, digest)
    }
}

/// Gzip in parallel members; the header carries no time or name, so the bytes are reproducible.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let members: Vec<Vec<u8>> = bytes
        .par_chunks(GZIP_MEMBER)
        .map(|chunk| {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            // Writing into a Vec cannot fail.
            let _ = encoder.write_all(chunk);
            encoder.finish().unwrap_or_default()
        })
        .collect();
    members.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_bundle_is_json_with_an_id_from_its_objects() {
        let mut bundle = Bundle::new();
        bundle.push(r#"{"type":"malware","id":"malware--a"}"#);
        bundle.push(r#"{"type":"tool","id":"tool--b"}"#);
        let (bytes, _) = bundle.finish();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["objects"].as_array().unwrap().len(), 2);
        let id = json["id"].as_str().unwrap();
        assert!(id.starts_with("bundle--") && id.len() == 44 && !id.contains("00000000-"), "{id}");
        let empty: serde_json::Value = serde_json::from_slice(&Bundle::new().finish().0).unwrap();
        assert_eq!(empty["objects"].as_array().unwrap().len(), 0);
        assert_ne!(empty["id"], json["id"]);
    }

    #[test]
    fn gzip_members_decompress_to_the_input() {
        let input: Vec<u8> = (0..GZIP_MEMBER * 2 + 10).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&gzip(&input)[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, input);
    }
}
