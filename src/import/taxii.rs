//! TAXII 2.1 pulls: a collection's objects (`GET {api root}/collections/{id}/objects/`),
//! page after page (`more` and `next`, else `added_after` the page's last date added), from
//! `added_after` on. Each page is handed to the caller as it arrives (the pipeline loads and
//! checks it as a bundle's objects); what is remembered between runs is the newest
//! `X-TAXII-Date-Added-Last` seen, kept in a small state file the pipeline writes only after
//! an import that succeeded. A server is hostile like any source: a wrong status, media type
//! or body is a diagnostic at its URL, and paging stops when a server would loop.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::http::{problem, Client};
use crate::diag::Diagnostic;
use crate::stix::Timestamp;

pub(crate) const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// More pages than this from one collection in one run is a server that loops.
const MAX_PAGES: usize = 100_000;

/// A collection on a TAXII server.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Collection {
    api_root: String,
    id: String,
}

impl Collection {
    /// The collection a source names: a collection's address (`…/collections/{id}/`, also
    /// with `objects/`), or an API root with `--collection`.
    pub(crate) fn from_source(url: &str, collection: Option<&str>) -> Result<Collection, String> {
        let trimmed = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
        if let Some((api_root, rest)) = trimmed.split_once("/collections/") {
            let id = rest.split('/').next().unwrap_or("");
            if let Some(given) = collection.filter(|given| *given != id) {
                return Err(format!("{url} names collection `{id}`, and --collection `{given}`"));
            }
            return Collection::new(api_root, id);
        }
        match collection {
            Some(id) => Collection::new(trimmed, id),
            None => Err(format!(
                "{url}: name the collection to pull with --collection ID (or give the collection's address)"
            )),
        }
    }

    fn new(api_root: &str, id: &str) -> Result<Collection, String> {
        let safe = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !safe {
            return Err(format!("`{id}` is not a TAXII collection id"));
        }
        Ok(Collection { api_root: api_root.to_owned(), id: id.to_owned() })
    }

    /// The collection's objects address, without credentials: the key of its state.
    pub(crate) fn objects_url(&self) -> String {
        let api_root = match self.api_root.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}", rest.rsplit_once('@').map_or(rest, |(_, host)| host)),
            None => self.api_root.clone(),
        };
        format!("{api_root}/collections/{}/objects/", self.id)
    }
}

/// One page: where it came from and its text (a TAXII envelope).
pub(crate) struct Page {
    pub(crate) url: String,
    pub(crate) text: String,
}

/// The paging members of an envelope (its objects are read by the loader).
#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    more: bool,
    #[serde(default)]
    next: Option<serde_json::Value>,
    #[serde(default)]
    objects: Vec<serde::de::IgnoredAny>,
}

/// Pulls every page added after `added_after`, asking for at most `limit` objects a page;
/// returns the newest date added the server
/// reported (to remember), or the diagnostic that stopped the pull.
pub(crate) fn pull(
    client: &Client,
    collection: &Collection,
    (added_after, limit): (Option<&str>, Option<usize>),
    mut on_page: impl FnMut(Page),
) -> Result<Option<String>, Box<Diagnostic>> {
    let base = collection.objects_url();
    let mut after = added_after.map(str::to_owned);
    let mut next: Option<String> = None;
    let mut newest: Option<String> = None;
    let mut limit = limit;
    for _ in 0..MAX_PAGES {
        let url = page_url(&base, after.as_deref(), next.as_deref(), limit);
        let fetched = client.get(&url, TAXII_MEDIA_TYPE)?;
        if !is_taxii(&fetched.content_type) {
            let message = format!("the answer is `{}`, not TAXII 2.1 ({TAXII_MEDIA_TYPE})", fetched.content_type);
            return Err(Box::new(problem(&url, message).with_help("check that the address is a TAXII 2.1 collection")));
        }
        let paging: Paging = serde_json::from_str(&fetched.text)
            .map_err(|e| Box::new(problem(&url, format!("the answer is not a TAXII envelope: {e}"))))?;
        if let Some(last) = &fetched.date_added_last {
            if Timestamp::parse(last).is_ok() && newest.as_deref().is_none_or(|n| later(last, n)) {
                newest = Some(last.clone());
            }
        }
        on_page(Page { url: url.clone(), text: fetched.text });
        if !paging.more {
            return Ok(newest);
        }
        // Some servers (medallion 3.0.0) fail on `next` without `limit`: ask for pages of the
        // size the server chose.
        limit = limit.or(Some(paging.objects.len()).filter(|n| *n > 0));
        let following = match paging.next {
            Some(serde_json::Value::String(token)) => (after.clone(), Some(token)),
            Some(serde_json::Value::Number(n)) => (after.clone(), Some(n.to_string())),
            _ => (fetched.date_added_last.clone(), None),
        };
        if following == (after.clone(), next.clone()) || following.0.is_none() && following.1.is_none() {
            let message = "the server says there is more but gives no way to the next page (`next`, or `X-TAXII-Date-Added-Last`)".to_owned();
            return Err(Box::new(problem(&url, message)));
        }
        (after, next) = following;
    }
    Err(Box::new(problem(&base, format!("more than {MAX_PAGES} pages: the server seems to loop"))))
}

fn page_url(base: &str, added_after: Option<&str>, next: Option<&str>, limit: Option<usize>) -> String {
    let limit = limit.map(|l| l.to_string());
    let mut query: Vec<(&str, &str)> = Vec::new();
    if let Some(limit) = &limit {
        query.push(("limit", limit));
    }
    if let Some(after) = added_after {
        query.push(("added_after", after));
    }
    if let Some(next) = next {
        query.push(("next", next));
    }
    match serde_urlencoded::to_string(&query) {
        Ok(encoded) if !encoded.is_empty() => format!("{base}?{encoded}"),
        _ => base.to_owned(),
    }
}

/// `application/taxii+json` with version 2.1 (or none: some servers omit it).
fn is_taxii(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    let version = parts.find_map(|p| p.strip_prefix("version=")).map(|v| v.trim_matches('"'));
    media.eq_ignore_ascii_case("application/taxii+json") && version.is_none_or(|v| v == "2.1")
}

fn later(a: &str, b: &str) -> bool {
    match (Timestamp::parse(a), Timestamp::parse(b)) {
        (Ok(a), Ok(b)) => a.instant() > b.instant(),
        _ => false,
    }
}

/// What a target remembers of its pulls: per collection (objects address), the newest date
/// added seen. It never holds credentials.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(default)]
    pub(crate) added_after: BTreeMap<String, String>,
}

impl State {
    /// Reads the state file; a missing one is an empty state, a damaged one an error.
    pub(crate) fn read(path: &std::path::Path) -> Result<State, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                serde_json::from_str(&text).map_err(|e| format!("{}: not a TAXII state file: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub(crate) fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_name_a_collection() {
        let by_address = Collection::from_source("https://u:p@taxii.example/api/collections/abc-1/objects/?x=1", None);
        let by_flag = Collection::from_source("https://u:p@taxii.example/api/", Some("abc-1"));
        assert_eq!(by_address, by_flag);
        assert_eq!(by_address.unwrap().objects_url(), "https://taxii.example/api/collections/abc-1/objects/");
        assert!(Collection::from_source("https://taxii.example/api/", None).is_err());
        assert!(Collection::from_source("https://taxii.example/api/", Some("../x")).is_err());
        assert!(Collection::from_source("https://t.example/api/collections/a/", Some("b")).is_err());
    }

    #[test]
    fn pages_are_addressed_with_added_after_and_next() {
        let base = "http://h/api/collections/c/objects/";
        assert_eq!(page_url(base, None, None, None), base);
        assert_eq!(
            page_url(base, Some("2026-01-01T00:00:00.000Z"), Some("a b"), Some(5)),
            format!("{base}?limit=5&added_after=2026-01-01T00%3A00%3A00.000Z&next=a+b")
        );
    }

    #[test]
    fn media_types() {
        assert!(is_taxii("application/taxii+json;version=2.1"));
        assert!(is_taxii("application/taxii+json; version=\"2.1\""));
        assert!(is_taxii("application/taxii+json"));
        assert!(!is_taxii("application/taxii+json;version=2.0"));
        assert!(!is_taxii("text/html"));
    }
}
