//! Provenance on pages: the History section of an entity page (each version with the commit
//! that brought it), and the contributor pages (per git author and per STIX identity).
//!
//! Only versions this audience sees are shown, so a commit that touched nothing but withheld
//! objects never appears on its site.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::fields::TimeText;
use super::links::{safe_url, type_label, Link};
use crate::audience::{AudienceHistory, Commit, Entry, View};
use crate::stix::keyed_hash::KeyedHashSet;
use crate::stix::Timestamp;

/// Rows listed on one contributor page; the rest are counted.
pub(crate) const LISTED: usize = 300;

#[derive(Serialize, Clone)]
pub(crate) struct CommitView {
    pub(crate) sha: String,
    pub(crate) short: String,
    pub(crate) href: Option<String>,
    pub(crate) author: String,
    /// The author's contributor page, from the page's root.
    pub(crate) author_href: String,
    pub(crate) date: Option<TimeText>,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) pull_request: Option<u64>,
    pub(crate) pull_href: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct VersionRow {
    pub(crate) version: Option<TimeText>,
    /// None: the version is not in any commit yet (a working-tree build).
    pub(crate) commit: Option<CommitView>,
    /// A version git history holds and the content no longer does.
    pub(crate) earlier: bool,
}

#[derive(Serialize)]
pub(crate) struct HistorySection {
    /// Why there is no history (None: there is).
    pub(crate) unavailable: Option<String>,
    /// Newest first.
    pub(crate) versions: Vec<VersionRow>,
    pub(crate) last_change: Option<CommitView>,
}

/// Everything pages need to link commits and authors.
pub(crate) struct Provenance<'h> {
    pub(crate) history: &'h AudienceHistory<'h>,
    repository_url: Option<String>,
    /// Author key → page slug (unique, URL-safe).
    slugs: HashMap<String, String>,
}

impl<'h> Provenance<'h> {
    /// Slugs are given over the commits this audience is shown only, so that no page's
    /// address depends on an author it does not see.
    pub(crate) fn new(history: &'h AudienceHistory<'h>, repository_url: Option<&str>) -> Provenance<'h> {
        let mut slugs = HashMap::new();
        let mut taken = std::collections::HashSet::new();
        for commit in history.commits() {
            let key = author_key(commit);
            if slugs.contains_key(&key) {
                continue;
            }
            let base = slug(&commit.author);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            slugs.insert(key, candidate);
        }
        Provenance { history, repository_url: repository_url.and_then(safe_url), slugs }
    }

    pub(crate) fn commit_view(&self, commit: &Commit, root: &str) -> CommitView {
        let slug = self.slugs.get(&author_key(commit)).map_or("unknown", String::as_str);
        CommitView {
            sha: commit.sha.clone(),
            short: commit.short().to_owned(),
            href: self.repository_url.as_deref().map(|url| commit_url(url, &commit.sha)),
            author: commit.author.clone(),
            author_href: format!("{root}contributors/{slug}/"),
            date: TimeText::parse(&Timestamp::from_unix_seconds(commit.time).to_seconds_text()),
            subject: commit.subject.clone(),
            body: commit.body.clone(),
            pull_request: commit.pull_request,
            pull_href: match (&self.repository_url, commit.pull_request) {
                (Some(url), Some(n)) => Some(pull_url(url, n)),
                _ => None,
            },
        }
    }

    /// The History section of an entity page (None when history was not asked for).
    pub(crate) fn section(&self, view: &View<'_>, entry: Entry<'_>, root: &str) -> Option<HistorySection> {
        if let Some(reason) = self.history.unavailable() {
            let reason = reason.to_owned();
            return (!reason.contains("--no-history")).then_some(HistorySection {
                unavailable: Some(reason),
                versions: Vec::new(),
                last_change: None,
            });
        }
        let shown = view.versions(entry);
        let mut versions: Vec<VersionRow> = shown
            .iter()
            .map(|v| VersionRow {
                version: TimeText::parse(v.version_key()),
                commit: self.history.origin(&v.id, v.version_key()).map(|c| self.commit_view(c, root)),
                earlier: false,
            })
            .collect();
        // Versions that git history holds and the content no longer does.
        for (key, commit) in self.history.versions(entry.id()) {
            if !shown.iter().any(|v| v.version_key() == key) {
                let version = TimeText::parse(key);
                versions.push(VersionRow { version, commit: Some(self.commit_view(commit, root)), earlier: true });
            }
        }
        versions.sort_by(|a, b| {
            let time = |r: &VersionRow| r.version.as_ref().and_then(|t| Timestamp::parse(&t.iso).ok());
            time(b).cmp(&time(a))
        });
        let last_change = self.history.last_change(entry.id()).map(|c| self.commit_view(c, root));
        Some(HistorySection { unavailable: None, versions, last_change })
    }
}

/// Authors are told apart by e-mail address (a name can be spelt two ways), else by name.
fn author_key(commit: &Commit) -> String {
    if commit.email.is_empty() {
        commit.author.clone()
    } else {
        commit.email.to_lowercase()
    }
}

/// A name as a path segment: lower-case ASCII letters and digits joined by `-`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(60).collect::<String>();
    if out.is_empty() {
        "author".into()
    } else {
        out
    }
}

/// An object, one of its version keys, and the commit that brought that version.
type Row<'v> = (Entry<'v>, &'v str, Option<&'v Commit>);

/// One row of a contributor page: an object version and the commit that brought it.
#[derive(Serialize)]
pub(crate) struct ContributionRow {
    pub(crate) object: Link,
    pub(crate) version: Option<TimeText>,
    pub(crate) commit: Option<CommitView>,
}

/// A contributor page: a git author or a STIX identity.
#[derive(Serialize)]
pub(crate) struct ContributorPage {
    pub(crate) slug: String,
    pub(crate) name: String,
    /// `git author` or `STIX identity`.
    pub(crate) kind: &'static str,
    /// The identity's own entity page.
    pub(crate) identity: Option<Link>,
    pub(crate) commits: usize,
    pub(crate) versions: usize,
    pub(crate) objects: usize,
    pub(crate) first: Option<TimeText>,
    pub(crate) last: Option<TimeText>,
    /// Object counts per type label.
    pub(crate) types: Vec<(String, usize)>,
    /// Newest first, at most `LISTED`.
    pub(crate) rows: Vec<ContributionRow>,
    pub(crate) more: usize,
}

/// The contributors index and every contributor page.
#[derive(Serialize)]
pub(crate) struct Contributors {
    pub(crate) history: Option<String>,
    pub(crate) authors: Vec<ContributorPage>,
    pub(crate) identities: Vec<ContributorPage>,
}

/// Pages sit at `contributors/<slug>/`, two folders below the root.
const ROOT: &str = "../../";

pub(crate) fn contributors(view: &View<'_>, provenance: &Provenance<'_>) -> Contributors {
    let history = provenance.history;
    let mut by_author: BTreeMap<String, Vec<Row<'_>>> = BTreeMap::new();
    if history.is_available() {
        for entry in view.entries() {
            // Every version git brought of an object this audience sees, earlier ones included.
            for (key, commit) in history.versions(entry.id()) {
                by_author.entry(author_key(commit)).or_default().push((entry, key, Some(commit)));
            }
        }
    }
    let mut authors: Vec<ContributorPage> = by_author
        .into_values()
        .map(|rows| {
            let author = rows[0].2.expect("grouped by commit author");
            let slug = provenance.slugs.get(&author_key(author)).cloned().unwrap_or_else(|| slug(&author.author));
            let mut page = summarise(slug, author.author.clone(), "git author", &rows, provenance);
            page.commits = {
                let mut shas: Vec<&str> =
                    page.rows.iter().filter_map(|r| r.commit.as_ref()).map(|c| c.sha.as_str()).collect();
                shas.sort_unstable();
                shas.dedup();
                shas.len()
            };
            page
        })
        .collect();
    authors.sort_by(|a, b| b.versions.cmp(&a.versions).then_with(|| a.name.cmp(&b.name)));
    let mut identities = identity_pages(view, provenance);
    identities.sort_by(|a, b| b.objects.cmp(&a.objects).then_with(|| a.name.cmp(&b.name)));
    Contributors { history: history.unavailable().map(str::to_owned), authors, identities }
}

fn identity_pages(view: &View<'_>, provenance: &Provenance<'_>) -> Vec<ContributorPage> {
    let mut by_identity: BTreeMap<&str, Vec<Entry<'_>>> = BTreeMap::new();
    for entry in view.entries() {
        if let Some(creator) = view.outgoing(entry).find(|(property, _)| *property == "created_by_ref") {
            by_identity.entry(creator.1.id()).or_default().push(entry);
        }
    }
    by_identity
        .into_iter()
        .map(|(id, entries)| {
            let identity = Link::to_id(view, id, ROOT);
            let rows = entries
                .into_iter()
                .map(|entry| {
                    let key = entry.object.version_key();
                    (entry, key, provenance.history.origin(entry.id(), key))
                })
                .collect::<Vec<_>>();
            let mut page = identity_page(id, identity, rows, provenance);
            page.objects = page.versions;
            page
        })
        .collect()
}

fn identity_page(id: &str, identity: Link, rows: Vec<Row<'_>>, provenance: &Provenance<'_>) -> ContributorPage {
    let name = identity.name.clone();
    let mut page = summarise(id.to_owned(), name, "STIX identity", &rows, provenance);
    page.identity = Some(identity);
    page
}

fn summarise(
    slug: String,
    name: String,
    kind: &'static str,
    rows: &[Row<'_>],
    provenance: &Provenance<'_>,
) -> ContributorPage {
    let mut ordered: Vec<&Row<'_>> = rows.iter().collect();
    // Newest first: by commit time, then by version time; uncommitted work on top.
    ordered.sort_by(|a, b| {
        let time = |r: &Row<'_>| r.2.map_or(i64::MAX, |c| c.time);
        time(b).cmp(&time(a)).then_with(|| b.1.cmp(a.1)).then_with(|| a.0.id().cmp(b.0.id()))
    });
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    let mut objects = KeyedHashSet::default();
    for (entry, _, _) in rows {
        if objects.insert(entry.id()) {
            *types.entry(type_label(entry.object_type())).or_default() += 1;
        }
    }
    let times: Vec<i64> = rows.iter().filter_map(|r| r.2.map(|c| c.time)).collect();
    let when = |t: Option<&i64>| t.and_then(|t| TimeText::parse(&Timestamp::from_unix_seconds(*t).to_seconds_text()));
    let mut types: Vec<(String, usize)> = types.into_iter().collect();
    types.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ContributorPage {
        slug,
        name,
        kind,
        identity: None,
        commits: 0,
        versions: rows.len(),
        objects: objects.len(),
        first: when(times.iter().min()),
        last: when(times.iter().max()),
        types,
        rows: ordered
            .iter()
            .take(LISTED)
            .map(|(entry, version, commit)| ContributionRow {
                object: Link::to(*entry, ROOT),
                version: TimeText::parse(version),
                commit: commit.map(|c| provenance.commit_view(c, ROOT)),
            })
            .collect(),
        more: rows.len().saturating_sub(LISTED),
    }
}

/// Links to a commit and a pull request on the repository's web site (GitHub, GitLab, Gitea
/// and Forgejo share the `/commit/<sha>` form; pull requests are GitHub's `/pull/<n>`).
pub(crate) fn commit_url(repository_url: &str, sha: &str) -> String {
    format!("{}/commit/{sha}", repository_url.trim_end_matches('/'))
}

pub(crate) fn pull_url(repository_url: &str, number: u64) -> String {
    format!("{}/pull/{number}", repository_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn author_names_become_safe_path_segments() {
        assert_eq!(slug("Jared Ondricek"), "jared-ondricek");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("<script>"), "script");
        assert_eq!(slug("Zoë Ünal"), "zo-nal");
        assert_eq!(slug("李"), "author");
    }
}
