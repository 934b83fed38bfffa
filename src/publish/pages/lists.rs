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
    /// Types of the group the navigation leaves out (see `NAV_TYPES`); the types page lists them.
    pub(crate) more: usize,
}

/// The most types of one group the navigation beside every page lists. STIX has 19 domain
/// object types and 18 observable types, and the repositories seen have a handful of custom
/// ones; a repository of thousands of custom types would otherwise repeat all of them on every
/// list page (8,000 took 39 s and 5.1 GB).
pub(crate) const NAV_TYPES: usize = 24;

/// The groups as the navigation lists them: of a group with more than `NAV_TYPES` types, the
/// `NAV_TYPES` with the most objects (by name among equals), in name order, and how many more.
pub(crate) fn nav_groups(groups: &[TypeGroup]) -> Vec<TypeGroup> {
    groups
        .iter()
        .map(|group| {
            if group.types.len() <= NAV_TYPES {
                return group.clone();
            }
            let counts: Vec<usize> = group.types.iter().map(|t| t.count).collect();
            let types: Vec<TypeSummary> =
                largest(&counts, NAV_TYPES).into_iter().map(|at| group.types[at].clone()).collect();
            TypeGroup { label: group.label, more: group.types.len() - types.len(), types }
        })
        .collect()
}

/// The places of the `n` largest of `counts` (the earlier first among equals), in order: what
/// a navigation listing at most `n` entries of a list in name order keeps of it.
pub(crate) fn largest(counts: &[usize], n: usize) -> Vec<usize> {
    let mut places: Vec<usize> = (0..counts.len()).collect();
    places.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    places.truncate(n);
    places.sort_unstable();
    places
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
            more: 0,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn group(counts: &[usize]) -> TypeGroup {
        let types = counts
            .iter()
            .enumerate()
            .map(|(i, &count)| TypeSummary {
                name: format!("x-kind-{i:04}"),
                label: String::new(),
                plural: String::new(),
                count,
            })
            .collect();
        TypeGroup { label: "Extensions", types, more: 0 }
    }

    #[test]
    fn the_navigation_lists_a_group_s_largest_types_in_name_order_and_counts_the_rest() {
        let small = group(&[1; NAV_TYPES]);
        let listed = nav_groups(std::slice::from_ref(&small));
        assert_eq!((listed[0].types.len(), listed[0].more), (NAV_TYPES, 0));
        // The last type has the most objects, the first ones the fewest.
        let counts: Vec<usize> = (0..8000).map(|i| if i == 7999 { 50 } else { 1 + i / 4000 }).collect();
        let listed = nav_groups(&[group(&counts)]);
        let names: Vec<&str> = listed[0].types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(listed[0].more, 8000 - NAV_TYPES);
        assert_eq!(names.len(), NAV_TYPES);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert_eq!(names.last(), Some(&"x-kind-7999"));
        assert!(listed[0].types.iter().all(|t| t.count >= 2), "the larger types are kept");
    }
}
