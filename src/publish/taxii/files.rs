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
use super::query::Query;
use super::TAXII_DIR;
use crate::config::Taxii;
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
            sink.write(&format!("{base}/objects/{name}"), json::objects_envelope(index, page).as_bytes())?;
            sink.write(&format!("{base}/manifest/{name}"), json::manifest(index, page).as_bytes())
        })?;
    }
    index.objects.par_iter().try_for_each(|object| {
        let latest =
            *object.records.iter().rev().find(|&&r| index.records[r as usize].last).unwrap_or(&object.records[0]);
        let mut all = object.records.clone();
        all.sort_by_key(|&r| index.records[r as usize].version_time);
        let text = json::object_and_versions(index, latest, &all);
        sink.write(&format!("{root}/objects/{}.json", object.id), text.as_bytes())
    })?;
    Ok(files + page_files + index.objects.len())
}
