//! TAXII 2.1 over HTTP: addresses, content negotiation, headers and error messages around the
//! queries of `taxii::query`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Response, StatusCode};

use super::Server;
use crate::publish::taxii::{json, BadQuery, Listing, Page, Query, TaxiiIndex, TAXII_MEDIA_TYPE};

/// The most objects one response holds, whatever `limit` asks.
const MAX_LIMIT: usize = 10_000;
/// Objects per response when the client gives no `limit`.
const DEFAULT_LIMIT: usize = 1_000;

/// Where a TAXII request points.
#[derive(Debug, PartialEq, Eq)]
enum Address<'p> {
    Discovery,
    ApiRoot,
    Collections,
    Collection(&'p str),
    Objects(&'p str),
    Manifest(&'p str),
    Object(&'p str, &'p str),
    Versions(&'p str, &'p str),
}

/// Reads `/taxii2/<root>/collections/<id>/…`; a trailing `/` is optional.
fn address<'p>(path: &'p str, api_root: &str) -> Option<Address<'p>> {
    let rest = path.strip_prefix("/taxii2")?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Some(Address::Discovery);
    }
    if parts[0] != api_root {
        return None;
    }
    Some(match parts[1..] {
        [] => Address::ApiRoot,
        ["collections"] => Address::Collections,
        ["collections", id] => Address::Collection(id),
        ["collections", id, "objects"] => Address::Objects(id),
        ["collections", id, "manifest"] => Address::Manifest(id),
        ["collections", id, "objects", object] => Address::Object(id, object),
        ["collections", id, "objects", object, "versions"] => Address::Versions(id, object),
        _ => return None,
    })
}

pub(super) fn answer(server: &Server, request: &Request) -> Response<Body> {
    if !accepts_taxii(request.headers()) {
        return error(
            StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            &format!("this server answers with {TAXII_MEDIA_TYPE}: ask for it in the Accept header"),
        );
    }
    let taxii = &server.taxii;
    let Some(address) = address(request.uri().path(), &taxii.api_root) else {
        return not_found("There is no TAXII resource at this address.");
    };
    let snapshot = server.snapshot();
    let index = &snapshot.index;
    let collection = |id: &str| index.collection(id);
    let query = || {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(request.uri().query().unwrap_or("")).map_err(|e| BadQuery(e.to_string()))?;
        Query::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), DEFAULT_LIMIT, MAX_LIMIT)
    };
    let result = match address {
        Address::Discovery => Ok(ok(json::discovery(taxii, &format!("/taxii2/{}/", taxii.api_root)), None)),
        Address::ApiRoot => Ok(ok(json::api_root(taxii), None)),
        Address::Collections => Ok(ok(json::collections(taxii), None)),
        Address::Collection(id) => match collection(id) {
            Some(c) => Ok(ok(json::collection(&c.info), None)),
            None => Err(no_collection(id)),
        },
        Address::Objects(id) | Address::Manifest(id) => match (collection(id), query()) {
            (None, _) => Err(no_collection(id)),
            (_, Err(bad)) => Err(bad_request(bad)),
            (Some(c), Ok(query)) => {
                let page = index.list(c, &query);
                let body = match address {
                    Address::Objects(_) => json::objects_envelope(index, &page),
                    _ => json::manifest(index, &page),
                };
                Ok(ok(body, Some((index, &page))))
            }
        },
        Address::Object(id, object) | Address::Versions(id, object) => match (collection(id), query()) {
            (None, _) => Err(no_collection(id)),
            (_, Err(bad)) => Err(bad_request(bad)),
            (Some(c), _) if !index.holds(c, object) => {
                Err(not_found(&format!("Collection {id} holds no object {object}.")))
            }
            (Some(c), Ok(query)) => {
                let versions = matches!(address, Address::Versions(..));
                let listing = if versions { Listing::Versions } else { Listing::Objects };
                let page = index.object_versions(c, object, &query, listing);
                let body = if versions { json::versions(index, &page) } else { json::objects_envelope(index, &page) };
                Ok(ok(body, Some((index, &page))))
            }
        },
    };
    result.unwrap_or_else(|response| response)
}

/// Whether the client takes TAXII JSON: no Accept header, a wildcard, or the TAXII media type
/// without a version or with 2.1.
fn accepts_taxii(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.split(',').any(|range| {
        let compact: String = range.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        let mut parts = compact.split(';');
        let media = parts.next().unwrap_or("");
        let params: Vec<&str> = parts.collect();
        match media {
            "*/*" | "application/*" => true,
            "application/taxii+json" => params.iter().all(|p| !p.starts_with("version=") || *p == "version=2.1"),
            _ => false,
        }
    })
}

fn ok(body: String, page: Option<(&TaxiiIndex, &Page)>) -> Response<Body> {
    let mut builder = Response::builder().status(StatusCode::OK).header(header::CONTENT_TYPE, TAXII_MEDIA_TYPE);
    if let Some((index, page)) = page {
        let date = |r: Option<&u32>| r.map(|&r| index.records[r as usize].date_added.to_millis_text());
        if let (Some(first), Some(last)) = (date(page.records.first()), date(page.records.last())) {
            builder = builder.header("X-TAXII-Date-Added-First", first).header("X-TAXII-Date-Added-Last", last);
        }
    }
    builder.body(Body::from(body)).expect("a response")
}

fn error(status: StatusCode, title: &str, description: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, TAXII_MEDIA_TYPE)
        .body(Body::from(json::error(status.as_u16(), title, description)))
        .expect("a response")
}

fn not_found(description: &str) -> Response<Body> {
    error(StatusCode::NOT_FOUND, "Not found", description)
}

fn no_collection(id: &str) -> Response<Body> {
    not_found(&format!("There is no collection {id} here."))
}

fn bad_request(bad: BadQuery) -> Response<Body> {
    error(StatusCode::BAD_REQUEST, "Bad request", &bad.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_with_or_without_the_final_slash() {
        let c = "53cc8462-778d-5082-8f0a-1f0bdda37ed7";
        assert_eq!(address("/taxii2/", "api"), Some(Address::Discovery));
        assert_eq!(address("/taxii2/api", "api"), Some(Address::ApiRoot));
        assert_eq!(address(&format!("/taxii2/api/collections/{c}/objects/"), "api"), Some(Address::Objects(c)));
        assert_eq!(
            address(&format!("/taxii2/api/collections/{c}/objects/x--1/versions"), "api"),
            Some(Address::Versions(c, "x--1"))
        );
        assert_eq!(address("/taxii2/other/", "api"), None);
        assert_eq!(address("/taxii2/api/collections/a/b/c/d/e", "api"), None);
    }

    #[test]
    fn accept_headers() {
        let accepts = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, value.parse().unwrap());
            accepts_taxii(&headers)
        };
        assert!(accepts("application/taxii+json;version=2.1"));
        assert!(accepts("application/taxii+json; version=2.1"));
        assert!(accepts("application/taxii+json"));
        assert!(accepts("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(!accepts("application/taxii+json;version=2.0"));
        assert!(!accepts("text/html"));
        assert!(!accepts("application/stix+json;version=2.1"));
        assert!(accepts_taxii(&HeaderMap::new()));
    }
}
