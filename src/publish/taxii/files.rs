//! The static TAXII tree (design.md's layout): what a web server answers for each TAXII URL
//! without query parameters, and a page file for each `next` it hands out.
//!
//! ```text
//! taxii2/index.json                                     discovery
//! taxii2/<root>/index.json                              API root
//! taxii2/<root>/collections/index.json                  collections
//! taxii2/<root>/collections/<cid>/index.json            collection
//! taxii2/<root>/collections/<cid>/objects/index.json    first page (next/<token>.json the others)
//! taxii2/<root>/collections/<cid>/manifest/index.json   first page (next/<token>.json the others)
//! taxii2/<root>/objects/<id>.json                       an object and its versions, shared
//!                                                       by every collection through rewrites
//! ```
//!
//! An object's file is named after it rather than being a folder's `index.json`: only the
//! host's rewrites reach it, and at a million objects half a million folders cost the disk far
//! more than the files in them (each folder is an inode and a block of its own).

use rayon::prelude::*;

use super::index::TaxiiIndex;
use super::json;
use super::query::{Page, Query};
use super::TAXII_DIR;
use crate::config::Taxii;
use crate::digest::push_text;
use crate::error::Error;
use crate::write::Sink;

/// The URL of the API root as discovery gives it: absolute when the site's base URL is known,
/// else relative to the discovery URL (which clients resolve).
pub(crate) fn api_root_url(taxii: &Taxii, base_url: Option<&str>) -> String {
    match base_url {
        Some(base) => format!("{}/{TAXII_DIR}/{}/", base.trim_end_matches('/'), taxii.api_root),
        None => format!("{}/", taxii.api_root),
    }
}

/// Writes the TAXII tree of `index`; returns the number of files.
pub(crate) fn write_static(
    index: &TaxiiIndex,
    taxii: &Taxii,
    base_url: Option<&str>,
    sink: &dyn Sink,
) -> Result<usize, Error> {
    let root = format!("{TAXII_DIR}/{}", taxii.api_root);
    let (mut files, mut page_files) = (0, 0);
    let mut write = |path: String, text: String| {
        files += 1;
        sink.write(&path, text.as_bytes())
    };
    write(format!("{TAXII_DIR}/index.json"), json::discovery(taxii, &api_root_url(taxii, base_url)))?;
    write(format!("{root}/index.json"), json::api_root(taxii))?;
    write(format!("{root}/collections/index.json"), json::collections(taxii))?;
    write(format!("{TAXII_DIR}/not-found.json"), json::error(404, "Not found", "There is nothing at this address."))?;
    for collection in &index.collections {
        let base = format!("{root}/collections/{}", collection.info.id);
        write(format!("{base}/index.json"), json::collection(&collection.info))?;
        // Where each page ends depends on the one before; what a page holds does not, and
        // writing it out (the JSON of every object) is done in parallel.
        let mut pages = Vec::new();
        let mut query = Query::new(taxii.page_size);
        loop {
            let page = index.list(collection, &query);
            let name =
                query.next.as_ref().map_or_else(|| "index.json".to_owned(), |n| format!("next/{}.json", n.token()));
            query.next = page.next.clone();
            pages.push((name, page));
            if query.next.is_none() {
                break;
            }
        }
        page_files += 2 * pages.len();
        pages.par_iter().try_for_each(|(name, page)| {
            let objects = |_: &[u8]| Ok(json::objects_envelope(index, page).into_bytes());
            sink.write_derived(&format!("{base}/objects/{name}"), &objects_key(index, page), &objects)?;
            let manifest = |_: &[u8]| Ok(json::manifest(index, page).into_bytes());
            sink.write_derived(&format!("{base}/manifest/{name}"), &manifest_key(index, page), &manifest)
        })?;
    }
    index.objects.par_iter().try_for_each(|object| {
        let latest =
            *object.records.iter().rev().find(|&&r| index.records[r as usize].last).unwrap_or(&object.records[0]);
        let mut all = object.records.clone();
        all.sort_by_key(|&r| index.records[r as usize].version_time);
        let text = |_: &[u8]| Ok(json::object_and_versions(index, latest, &all).into_bytes());
        sink.write_derived(&format!("{root}/objects/{}.json", object.id), &object_key(index, latest, &all), &text)
    })?;
    Ok(files + page_files + index.objects.len())
}

/// How the files below are laid out around their records, named in their keys: a program that
/// lays them out otherwise never keeps one an earlier program wrote.
const FILES_FORMAT: &[u8] = b"stixpress taxii2 files 1\0";

/// What a page of a listing is made from besides its records: where it continues.
fn page_key(kind: &[u8], page: &Page, record_len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(FILES_FORMAT.len() + 96 + page.records.len() * record_len);
    key.extend_from_slice(FILES_FORMAT);
    key.extend_from_slice(kind);
    match &page.next {
        Some(next) => push_text(&mut key, &next.token()),
        None => key.push(0xff),
    }
    key.extend_from_slice(&(page.records.len() as u64).to_le_bytes());
    key
}

/// What an objects page is made from: its records' JSON, by digest.
fn objects_key(index: &TaxiiIndex, page: &Page) -> Vec<u8> {
    let mut key = page_key(b"objects\0", page, 16);
    for &r in &page.records {
        key.extend_from_slice(&index.records[r as usize].digest);
    }
    key
}

/// What a manifest page is made from: each record's `date_added`, id and version.
fn manifest_key(index: &TaxiiIndex, page: &Page) -> Vec<u8> {
    let mut key = page_key(b"manifest\0", page, 96);
    for &r in &page.records {
        let record = &index.records[r as usize];
        key.extend_from_slice(&record.date_added.seconds.to_le_bytes());
        key.extend_from_slice(&record.date_added.nanos.to_le_bytes());
        push_text(&mut key, index.id_of(record));
        push_text(&mut key, &record.version);
    }
    key
}

/// What an object's file is made from: its latest record's JSON, by digest, and its versions.
fn object_key(index: &TaxiiIndex, latest: u32, all: &[u32]) -> Vec<u8> {
    let mut key = Vec::with_capacity(FILES_FORMAT.len() + 32 + all.len() * 40);
    key.extend_from_slice(FILES_FORMAT);
    key.extend_from_slice(b"object\0");
    key.extend_from_slice(&index.records[latest as usize].digest);
    for &r in all {
        push_text(&mut key, &index.records[r as usize].version);
    }
    key
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::path::Path;

    use super::*;
    use crate::audience::reads::EntryDigests;
    use crate::config::{default_collections, Audience};
    use crate::provenance::History;
    use crate::publish::taxii::index::tests::store_of;
    use crate::stix::Timestamp;

    #[test]
    fn a_file_key_changes_with_each_thing_its_file_is_made_from_and_nothing_else() {
        let object = |n: u32, modified: &str| {
            format!(
                r#"{{"type":"tool","spec_version":"2.1","id":"tool--00000000-0000-4000-8000-00000000000{n}","created":"2020-01-01T00:00:00Z","modified":"{modified}","name":"t{n}"}}"#
            )
        };
        let objects =
            [object(1, "2021-01-01T00:00:00Z"), object(1, "2022-01-01T00:00:00Z"), object(2, "2021-06-01T00:00:00Z")];
        let store = store_of(&objects);
        let history = History::off();
        let view = crate::audience::view(&store, &history, &Audience::public(Path::new("/repo")));
        let mut index = TaxiiIndex::build(&view, &default_collections(), &EntryDigests::new(&view));
        let collection = &index.collections[0];
        let whole = index.list(collection, &Query::new(10));
        let first = index.list(collection, &Query::new(1));
        assert!(whole.next.is_none() && first.next.is_some(), "a page of all, and a first page of one");
        let keys = |index: &TaxiiIndex| {
            let object = &index.objects[0];
            let latest = *object.records.last().expect("records");
            [
                objects_key(index, &whole),
                manifest_key(index, &whole),
                object_key(index, latest, &object.records),
                objects_key(index, &first),
            ]
        };
        let before = keys(&index);
        assert_ne!(before[0], before[3], "where a page continues is in its key");
        let r = *index.objects[0].records.last().expect("records") as usize;
        let changed =
            |index: &TaxiiIndex| -> Vec<bool> { keys(index).iter().zip(&before).map(|(a, b)| a != b).collect() };

        // Its JSON: the objects page and the object's file, not the manifest.
        index.records[r].digest[0] ^= 1;
        assert_eq!(changed(&index)[..3], [true, false, true]);
        index.records[r].digest[0] ^= 1;
        // When it was added: the manifest alone.
        let added = index.records[r].date_added;
        index.records[r].date_added = Timestamp::from_unix_seconds(1);
        assert_eq!(changed(&index)[..3], [false, true, false]);
        index.records[r].date_added = added;
        // Its version: the manifest and the object's file.
        index.records[r].version = Cow::Owned("2030-01-01T00:00:00.000Z".into());
        assert_eq!(changed(&index)[..3], [false, true, true]);
    }
}
