//! TAXII 2.1 read queries over a `TaxiiIndex`: the filters of section 3.4 (`added_after`,
//! `limit`, `next`, `match[id|type|version|spec_version]`) and paging. The static files are the
//! answers to the unfiltered queries, so `serve` and a static host page the same way.
//!
//! `next` names the record a page resumes at by its place in the `date_added` order (`Resume`),
//! not by its position, and a page ends where its records say (`page`) or at `limit`. So
//! a version added or removed in the middle changes the page that holds it and the pages up to
//! the next such end, not every page after it: a static host republishes a few page files,
//! and a client paging across a rebuild of `serve` still resumes where it was.

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
    pub(crate) next: Option<Resume>,
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
                    let next = Resume::parse(value)
                        .ok_or_else(|| BadQuery(format!("`{value}` is not a `next` value this server gave")))?;
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

/// Where a listing resumes: the sort key of the record that starts the next page (`date_added`,
/// id, version). It stays meaningful when records come and go, as a position would not; a
/// record removed since leaves the listing at the first record after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    pub(crate) date_added: Instant,
    pub(crate) id: Box<str>,
    pub(crate) version: Instant,
}

/// Seconds from 0000-01-01 to 1970-01-01: instants in a token count from year 0, the first a
/// STIX timestamp can name, so that they are plain digits.
const YEAR_ZERO: i64 = 62_167_219_200;

impl Resume {
    /// `<date_added>-<id>-<version>`, each instant as digits (seconds since year 0, then nine
    /// digits of nanoseconds). Only ASCII letters, digits and `-`: a query value that needs no
    /// escaping and a file name on every host.
    pub(crate) fn token(&self) -> String {
        format!("{}-{}-{}", instant_digits(self.date_added), self.id, instant_digits(self.version))
    }

    pub(crate) fn parse(token: &str) -> Option<Resume> {
        let (added, rest) = token.split_once('-')?;
        let (id, version) = rest.rsplit_once('-')?;
        // Type names are lowercase; a UUID may be written in capitals.
        let id_is_plain = id.contains("--") && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        id_is_plain.then_some(())?;
        Some(Resume { date_added: digits_instant(added)?, id: id.into(), version: digits_instant(version)? })
    }
}

fn instant_digits((seconds, nanos): Instant) -> String {
    format!("{}{nanos:09}", seconds.saturating_add(YEAR_ZERO).max(0))
}

fn digits_instant(digits: &str) -> Option<Instant> {
    if digits.len() < 10 || digits.len() > 30 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (seconds, nanos) = digits.split_at(digits.len() - 9);
    Some((seconds.parse::<i64>().ok()? - YEAR_ZERO, nanos.parse().ok()?))
}

/// One page of an answer: record positions, and where the next page starts.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) records: Vec<u32>,
    pub(crate) next: Option<Resume>,
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
        let resume = query.next.as_ref().map_or(0, |next| {
            self.records.partition_point(|r| {
                (r.date_added.instant(), self.id_of(r), r.version_time) < (next.date_added, &*next.id, next.version)
            }) as u32
        });
        after.max(resume)
    }

    /// The sort key of the record at `position`, as a `next` names it.
    pub(crate) fn resume_at(&self, position: u32) -> Resume {
        let record = &self.records[position as usize];
        Resume { date_added: record.date_added.instant(), id: self.id_of(record).into(), version: record.version_time }
    }

    /// A page ends after `limit` records or after a record whose mark says so (one record in
    /// `limit / 2` on average, so that few pages end at `limit`), whichever comes first. The
    /// marks depend on the record alone, so after an insertion the pages line up again from the
    /// next marked record on.
    fn page(&self, candidates: impl Iterator<Item = u32>, start: u32, query: &Query, listing: Listing) -> Page {
        let mut matching = candidates.skip_while(|&r| r < start).filter(|&r| self.matches(r, query, listing));
        let mut records = Vec::new();
        for r in matching.by_ref() {
            records.push(r);
            let marked = (self.records[r as usize].page_mark as usize).is_multiple_of((query.limit / 2).max(1));
            if records.len() == query.limit || marked {
                break;
            }
        }
        Page { records, next: matching.next().map(|r| self.resume_at(r)) }
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
        for bad in [
            ("limit", "0"),
            ("limit", "x"),
            ("added_after", "yesterday"),
            ("next", "abc"),
            ("next", "12"),
            ("next", "1000000000000000000-../x--y-1000000000000000000"),
        ] {
            assert!(Query::parse([bad], 100, 1000).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_resume_token_reads_back_as_itself() {
        for (added, version) in [((0, 0), (1, 5)), ((1_767_225_600, 123_000_000), (-62_167_219_200, 999_999_999))] {
            let resume = Resume { date_added: added, id: "x-mitre-tactic--0A1b".into(), version };
            let token = resume.token();
            assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{token}");
            assert_eq!(Resume::parse(&token), Some(resume));
        }
    }

    #[test]
    fn merging_keeps_order_and_skips_to_start() {
        let (a, b) = ([1, 4, 9], [2, 3, 10]);
        assert_eq!(merged(vec![&a, &b], 3).collect::<Vec<_>>(), [3, 4, 9, 10]);
    }
}
