//! The JSON documents of TAXII 2.1: resources (discovery, API root, collections) through serde,
//! envelopes written by hand around the objects' own JSON, which is copied, never re-encoded.

use serde_json::json;

use super::index::TaxiiIndex;
use super::query::Page;
use crate::config::{Collection, Taxii};
use crate::stix::upgrade::STIX_MEDIA_TYPE;
use crate::write::pretty_json;

/// The media type of every TAXII response.
pub(crate) const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The largest request body a TAXII server says it accepts. This server accepts none (its
/// collections are read-only), but clients require a number.
const MAX_CONTENT_LENGTH: u64 = 10 * 1024 * 1024;

pub(crate) fn discovery(taxii: &Taxii, api_root_url: &str) -> String {
    let mut doc = json!({
        "title": taxii.title,
        "default": api_root_url,
        "api_roots": [api_root_url],
    });
    if let Some(description) = &taxii.description {
        doc["description"] = json!(description);
    }
    pretty_json(&doc)
}

pub(crate) fn api_root(taxii: &Taxii) -> String {
    let mut doc = json!({
        "title": taxii.title,
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": MAX_CONTENT_LENGTH,
    });
    if let Some(description) = &taxii.description {
        doc["description"] = json!(description);
    }
    pretty_json(&doc)
}

fn collection_value(collection: &Collection) -> serde_json::Value {
    let mut doc = json!({
        "id": collection.id,
        "title": collection.title,
        "can_read": true,
        "can_write": false,
        "media_types": [STIX_MEDIA_TYPE],
    });
    if let Some(description) = &collection.description {
        doc["description"] = json!(description);
    }
    doc
}

pub(crate) fn collection(collection: &Collection) -> String {
    pretty_json(&collection_value(collection))
}

pub(crate) fn collections(taxii: &Taxii) -> String {
    let list: Vec<_> = taxii.collections.iter().map(collection_value).collect();
    pretty_json(&json!({ "collections": list }))
}

/// A TAXII error message.
pub(crate) fn error(status: u16, title: &str, description: &str) -> String {
    pretty_json(&json!({ "title": title, "description": description, "http_status": status.to_string() }))
}

/// `{"more":…,"next":…,"objects":[…]}` for a page of records; `{}` when it is empty (TAXII
/// never sends an empty list).
pub(crate) fn objects_envelope(index: &TaxiiIndex, page: &Page) -> String {
    let size: usize = page.records.iter().map(|&r| index.records[r as usize].json.len() + 1).sum();
    let mut out = String::with_capacity(size + 64);
    open_envelope(&mut out, page);
    if !page.records.is_empty() {
        out.push_str(",\"objects\":[");
        for (i, &r) in page.records.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&index.records[r as usize].json);
        }
        out.push(']');
    }
    close_envelope(out)
}

/// The manifest resource: for each record, its id, `date_added`, version and media type
/// (every object is published as STIX 2.1, the one media type the collections advertise).
pub(crate) fn manifest(index: &TaxiiIndex, page: &Page) -> String {
    let mut out = String::with_capacity(page.records.len() * 160 + 64);
    open_envelope(&mut out, page);
    if !page.records.is_empty() {
        out.push_str(",\"objects\":[");
        for (i, &r) in page.records.iter().enumerate() {
            let record = &index.records[r as usize];
            if i > 0 {
                out.push(',');
            }
            // The members in the order serde_json writes a map's: by name.
            out.push_str("{\"date_added\":\"");
            out.push_str(&record.date_added.to_millis_text());
            out.push_str("\",\"id\":");
            push_string(&mut out, index.id_of(record));
            out.push_str(",\"media_type\":");
            push_string(&mut out, STIX_MEDIA_TYPE);
            out.push_str(",\"version\":");
            push_string(&mut out, &record.version);
            out.push('}');
        }
        out.push(']');
    }
    close_envelope(out)
}

/// The versions resource of one object.
pub(crate) fn versions(index: &TaxiiIndex, page: &Page) -> String {
    let mut out = String::with_capacity(page.records.len() * 32 + 64);
    open_envelope(&mut out, page);
    push_versions(&mut out, index, &page.records);
    close_envelope(out)
}

/// What a static host answers for an object's URL and for its `versions/` URL, in one file
/// (one file per object is what keeps a million-object build fast): the object envelope with
/// the latest version, and the versions list. Clients read the key they asked for.
pub(crate) fn object_and_versions(index: &TaxiiIndex, latest: u32, all: &[u32]) -> String {
    let page = Page { records: vec![latest], next: None };
    let mut out = objects_envelope(index, &page);
    out.truncate(out.len() - 2); // the closing `}\n`
    push_versions(&mut out, index, all);
    close_envelope(out)
}

fn push_versions(out: &mut String, index: &TaxiiIndex, records: &[u32]) {
    if records.is_empty() {
        return;
    }
    out.push_str(",\"versions\":[");
    for (i, &r) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(out, &index.records[r as usize].version);
    }
    out.push(']');
}

/// `text` as a JSON string, escaped as serde_json escapes it; most texts (ids, timestamps) need
/// nothing escaped, and are copied as they are.
fn push_string(out: &mut String, text: &str) {
    let plain = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    match plain {
        true => {
            out.push('"');
            out.push_str(text);
            out.push('"');
        }
        false => out.push_str(&serde_json::Value::from(text).to_string()),
    }
}

/// Starts an envelope: `{"more":false` (a page with more also says where they continue).
fn open_envelope(out: &mut String, page: &Page) {
    match &page.next {
        Some(next) => out.push_str(&format!("{{\"more\":true,\"next\":\"{}\"", next.token())),
        None => out.push_str("{\"more\":false"),
    }
}

fn close_envelope(mut out: String) -> String {
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_written_as_serde_json_writes_it() {
        for text in [
            "indicator--0b5b",
            "2026-01-01T00:00:00.000Z",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}\u{1f}",
            "é\u{7f}\u{2028}",
            "",
        ] {
            let mut out = String::new();
            push_string(&mut out, text);
            assert_eq!(out, serde_json::Value::from(text).to_string(), "{text:?}");
        }
    }
}
