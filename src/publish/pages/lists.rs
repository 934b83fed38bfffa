//! The list pages: one per type (`types/<type>/`, paginated, sorted by name), the type
//! overview (`types/`) and the home page.

use serde::Serialize;

use super::connections::name_key;
use super::fields::TimeText;
use super::links::{category, type_label, type_plural, Link};
use crate::audience::{Entry, View};
use crate::stix::Timestamp;

/// Objects per list page.
pub(crate) const PAGE_SIZE: usize = 100;

#[derive(Serialize, Clone)]
pub(crate) struct TypeSummary {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) plural: String,
    pub(crate) count: usize,
}

#[derive(Serialize, Clone)]
pub(crate) struct TypeGroup {
    pub(crate) label: &'static str,
    pub(crate) types: Vec<TypeSummary>,
}

/// The types present, grouped the way STIX groups them; types absent from the View are not
/// listed.
pub(crate) fn type_groups(view: &View<'_>) -> Vec<TypeGroup> {
    let groups: [(&str, &[&str]); 5] = [
        ("Intelligence", &["domain"]),
        ("Relationships", &["relationship"]),
        ("Observables", &["observable"]),
        ("Extensions", &["custom"]),
        ("Definitions", &["meta"]),
    ];
    let counts = view.type_counts();
    groups
        .iter()
        .map(|(label, categories)| TypeGroup {
            label,
            types: counts
                .iter()
                .filter(|(name, _)| categories.contains(&category(name)))
                .map(|(name, count)| TypeSummary {
                    name: (*name).to_owned(),
                    label: type_label(name),
                    plural: type_plural(name),
                    count: *count,
                })
                .collect(),
        })
        .filter(|group| !group.types.is_empty())
        .collect()
}

/// The navigation's types as `search.js` reads them for an object page: `{"groups": [{"label",
/// "types": [{"name", "plural", "count"}]}]}`; the script makes the links from the names.
pub(crate) fn nav_json(groups: &[TypeGroup]) -> String {
    serde_json::json!({ "groups": groups }).to_string()
}

#[derive(Serialize)]
pub(crate) struct ListItem {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) external_ids: Vec<String>,
    /// "revoked" or "deprecated".
    pub(crate) retired: Option<&'static str>,
    pub(crate) modified: Option<TimeText>,
}

#[derive(Serialize)]
pub(crate) struct ListPage {
    pub(crate) object_type: String,
    pub(crate) plural: String,
    pub(crate) total: usize,
    pub(crate) page: usize,
    pub(crate) pages: usize,
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) items: Vec<ListItem>,
}

/// The path of page `n` (1-based) of a type's list, relative to the site root.
pub(crate) fn list_path(object_type: &str, n: usize) -> String {
    if n == 1 {
        format!("types/{object_type}/")
    } else {
        format!("types/{object_type}/page/{n}/")
    }
}

/// The list of one type: its entries in name order, cut into pages made one at a time (at a
/// million objects, every page made at once held a few hundred megabytes).
pub(crate) struct TypeList<'v> {
    object_type: &'v str,
    plural: String,
    entries: Vec<Entry<'v>>,
}

impl<'v> TypeList<'v> {
    pub(crate) fn new(object_type: &'v str, mut entries: Vec<Entry<'v>>) -> TypeList<'v> {
        entries.sort_by_cached_key(|e| name_key(*e));
        TypeList { object_type, plural: type_plural(object_type), entries }
    }

    /// How many pages (an empty type still has its first page).
    pub(crate) fn pages(&self) -> usize {
        self.entries.len().div_ceil(PAGE_SIZE).max(1)
    }

    /// Page `i` (0-based).
    pub(crate) fn page(&self, i: usize) -> ListPage {
        let (object_type, pages) = (self.object_type, self.pages());
        let chunk = self.entries.chunks(PAGE_SIZE).nth(i).unwrap_or(&[]);
        ListPage {
            object_type: object_type.to_owned(),
            plural: self.plural.clone(),
            total: self.entries.len(),
            page: i + 1,
            pages,
            previous: (i > 0).then(|| list_path(object_type, i)),
            next: (i + 1 < pages).then(|| list_path(object_type, i + 2)),
            items: chunk.iter().map(list_item).collect(),
        }
    }
}

fn list_item(entry: &Entry<'_>) -> ListItem {
    let object = entry.object;
    ListItem {
        id: object.id.clone(),
        name: entry.display_name().to_owned(),
        external_ids: object.external_ids.first().map(|(_, id)| id.clone()).into_iter().collect(),
        retired: entry.retired(),
        modified: object.modified.as_deref().and_then(TimeText::parse),
    }
}

#[derive(Serialize)]
pub(crate) struct Home {
    pub(crate) objects: usize,
    pub(crate) recent: Vec<Recent>,
}

#[derive(Serialize)]
pub(crate) struct Recent {
    pub(crate) link: Link,
    pub(crate) modified: Option<TimeText>,
}

/// What the home page shows until the dashboard replaces it: totals and the latest changes (a
/// version dated after `now`, the build time, is a mistake and never among them).
pub(crate) fn home(view: &View<'_>, now: Timestamp, root: &str) -> Home {
    let mut timed: Vec<_> = view
        .entries()
        .filter(|e| !matches!(e.object_type(), "relationship" | "marking-definition"))
        .filter_map(|e| Some((e.object.version_time()?, e)))
        .filter(|(time, _)| time.seconds <= now.seconds)
        .collect();
    timed.sort_unstable_by(|(t, a), (u, b)| u.cmp(t).then_with(|| a.id().cmp(b.id())));
    let recent = timed
        .iter()
        .take(20)
        .map(|(_, e)| Recent { link: Link::to(*e, root), modified: TimeText::parse(e.object.version_key()) })
        .collect();
    Home { objects: view.len(), recent }
}
