//! TAXII 2.1 read queries over a `TaxiiIndex`: the filters of section 3.4 (`added_after`,
//! `limit`, `next`, `match[id|type|version|spec_version]`) and paging. The static files are the
//! answers to the unfiltered queries, so `serve` and a static host page the same way.
//!
//! `next` is the position of the record to resume at: records are sorted by `date_added` and
//! positions never change within one build, so a token stays valid while the client pages.

use super::index::{CollectionRecords, Instant, TaxiiIndex};
use crate::stix::Timestamp;

/// Which versions of each object a query asks for (`match[version]`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VersionMatch {
    Last,
    First,
    All,
    At(Instant),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub(crate) added_after: Option<Instant>,
    pub(crate) limit: usize,
    pub(crate) next: Option<u32>,
    pub(crate) ids: Vec<String>,
    pub(crate) types: Vec<String>,
    /// Empty means the default, the last version.
    pub(crate) versions: Vec<VersionMatch>,
    pub(crate) spec_versions: Vec<String>,
}

/// A query that TAXII rejects (answered with 400 and this message).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadQuery(pub String);

impl Query {
    pub(crate) fn new(limit: usize) -> Query {
        Query {
            added_after: None,
            limit,
            next: None,
            ids: Vec::new(),
            types: Vec::new(),
            versions: Vec::new(),
            spec_versions: Vec::new(),
        }
    }

    /// Reads the query string's parameters (already percent-decoded); `max_limit` caps `limit`.
    pub(crate) fn parse<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        default_limit: usize,
        max_limit: usize,
    ) -> Result<Query, BadQuery> {
        let mut query = Query::new(default_limit);
        let list = |value: &str| -> Vec<String> {
            value.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect()
        };
        for (key, value) in params {
            match key {
                "added_after" => query.added_after = Some(time(value, "added_after")?),
                "limit" => {
                    let limit: usize = value
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| BadQuery(format!("limit must be a positive integer, not `{value}`")))?;
                    query.limit = limit.min(max_limit);
                }
                "next" => {
                    let next = value
                        .parse()
                        .map_err(|_| BadQuery(format!("`{value}` is not a `next` value this server gave")))?;
                    query.next = Some(next);
                }
                "match[id]" => query.ids.extend(list(value)),
                "match[type]" => query.types.extend(list(value)),
                "match[spec_version]" => query.spec_versions.extend(list(value)),
                "match[version]" => {
                    for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                        query.versions.push(match v {
                            "last" => VersionMatch::Last,
                            "first" => VersionMatch::First,
                            "all" => VersionMatch::All,
                            other => VersionMatch::At(time(other, "match[version]")?),
                        });
                    }
                }
                // Unknown parameters are ignored, as the specification asks.
                _ => {}
            }
        }
        Ok(query)
    }
}

fn time(value: &str, what: &str) -> Result<Instant, BadQuery> {
    Timestamp::parse(value).map(|t| t.instant()).map_err(|problem| BadQuery(format!("{what} `{value}`: {problem}")))
}

/// One page of an answer: record positions, and where the next page starts.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) records: Vec<u32>,
    pub(crate) next: Option<u32>,
}

/// Versions lists default to all versions; objects lists to the last.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    Objects,
    Versions,
}

impl TaxiiIndex<'_> {
    /// The objects (or manifest entries) of a collection that match `query`, one page.
    pub(crate) fn list(&self, collection: &CollectionRecords, query: &Query) -> Page {
        let start = self.start(query);
        if !query.ids.is_empty() {
            let mut candidates: Vec<u32> = query
                .ids
                .iter()
                .filter_map(|id| self.object(id))
                .flat_map(|o| o.records.iter().copied())
                .filter(|&r| collection.holds[r as usize])
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            return self.page(candidates.into_iter(), start, query, Listing::Objects);
        }
        if query.types.is_empty() {
            let all = &collection.records;
            let from = all.partition_point(|&r| r < start);
            return self.page(all[from..].iter().copied(), start, query, Listing::Objects);
        }
        let lists: Vec<&[u32]> =
            query.types.iter().filter_map(|t| collection.by_type.get(t.as_str())).map(Vec::as_slice).collect();
        self.page(merged(lists, start), start, query, Listing::Objects)
    }

    /// The versions of one object in a collection that match `query` (`match[id]` and
    /// `match[type]` do not apply), one page; `listing` picks the default version filter.
    pub(crate) fn object_versions(
        &self,
        collection: &CollectionRecords,
        id: &str,
        query: &Query,
        listing: Listing,
    ) -> Page {
        let Some(object) = self.object(id) else { return Page::default() };
        let held = object.records.iter().copied().filter(|&r| collection.holds[r as usize]);
        self.page(held, self.start(query), query, listing)
    }

    /// Whether a collection holds any version of the object.
    pub(crate) fn holds(&self, collection: &CollectionRecords, id: &str) -> bool {
        self.object(id).is_some_and(|o| o.records.iter().any(|&r| collection.holds[r as usize]))
    }

    /// The first position a page may hold: after `added_after`, and at `next`.
    fn start(&self, query: &Query) -> u32 {
        let after = query
            .added_after
            .map_or(0, |after| self.records.partition_point(|r| r.date_added.instant() <= after) as u32);
        after.max(query.next.unwrap_or(0))
    }

    fn page(&self, candidates: impl Iterator<Item = u32>, start: u32, query: &Query, listing: Listing) -> Page {
        let mut matching = candidates.skip_while(|&r| r < start).filter(|&r| self.matches(r, query, listing));
        let records: Vec<u32> = matching.by_ref().take(query.limit).collect();
        Page { records, next: matching.next() }
    }

    fn matches(&self, position: u32, query: &Query, listing: Listing) -> bool {
        let record = &self.records[position as usize];
        // Every version is published as STIX 2.1 (`shared::stix21`).
        if !query.spec_versions.is_empty() && !query.spec_versions.iter().any(|v| v == "2.1") {
            return false;
        }
        if query.versions.is_empty() {
            return listing == Listing::Versions || record.last;
        }
        query.versions.iter().any(|v| match v {
            VersionMatch::Last => record.last,
            VersionMatch::First => record.first,
            VersionMatch::All => true,
            VersionMatch::At(at) => record.version_time == *at,
        })
    }
}

/// Several ascending lists merged into one ascending sequence, from `start` on.
fn merged(lists: Vec<&[u32]>, start: u32) -> impl Iterator<Item = u32> + '_ {
    let mut cursors: Vec<&[u32]> = lists.into_iter().map(|l| &l[l.partition_point(|&r| r < start)..]).collect();
    std::iter::from_fn(move || {
        let (i, _) =
            cursors.iter().enumerate().filter_map(|(i, l)| l.first().map(|r| (i, *r))).min_by_key(|(_, r)| *r)?;
        let (first, rest) = cursors[i].split_first()?;
        cursors[i] = rest;
        Some(*first)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_and_checked() {
        let query = Query::parse(
            [
                ("added_after", "2024-01-01T00:00:00.000Z"),
                ("limit", "5000"),
                ("match[type]", "indicator,malware"),
                ("match[version]", "first,2024-02-01T00:00:00Z"),
                ("ignored", "x"),
            ],
            100,
            1000,
        )
        .unwrap();
        assert_eq!(query.limit, 1000);
        assert_eq!(query.types, ["indicator", "malware"]);
        assert_eq!(query.versions.len(), 2);
        assert_eq!(query.versions[0], VersionMatch::First);
        for bad in [("limit", "0"), ("limit", "x"), ("added_after", "yesterday"), ("next", "abc")] {
            assert!(Query::parse([bad], 100, 1000).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn merging_keeps_order_and_skips_to_start() {
        let (a, b) = ([1, 4, 9], [2, 3, 10]);
        assert_eq!(merged(vec![&a, &b], 3).collect::<Vec<_>>(), [3, 4, 9, 10]);
    }
}
