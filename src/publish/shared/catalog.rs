//! What the feeds hold, as the feeds produce it and the pages show it (the feeds page, the
//! links from entity pages to their layers).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

/// One file (or family of files) the feeds page lists.
#[derive(Debug, Clone, Serialize)]
pub struct FeedFile {
    /// From the site root; `<id>` stands for a family of files.
    pub path: String,
    pub description: String,
    /// Values, rules, objects, entries, layers or events in it.
    pub count: usize,
    /// One file the page can link to (not a folder or a `<id>` family).
    pub linkable: bool,
}

impl FeedFile {
    pub(crate) fn new(path: String, description: &str, count: usize) -> FeedFile {
        let linkable = !path.contains('<') && !path.ends_with('/');
        FeedFile { path, description: description.to_owned(), count, linkable }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedSection {
    pub id: &'static str,
    pub title: &'static str,
    pub files: Vec<FeedFile>,
}

/// A value or rule that could not be published, counted by reason.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub what: String,
    pub reason: String,
    pub count: usize,
}

/// What the feeds hold, for the site's pages.
#[derive(Debug, Default, Serialize)]
pub struct Catalog {
    /// The build time indicators were judged at, when it was given (`--now`,
    /// `SOURCE_DATE_EPOCH`): the system clock's time would make every build differ.
    pub now: Option<String>,
    pub sections: Vec<FeedSection>,
    pub left_out: Vec<LeftOut>,
    /// Indicators, and how many apply at the build time.
    pub indicators: usize,
    pub current_indicators: usize,
    /// Objects with a Navigator layer at `feeds/navigator/<id>.json`.
    #[serde(skip)]
    pub layers: HashSet<String>,
    /// Kill-chain name → its domain's heat layer.
    pub matrix_layers: BTreeMap<String, String>,
    /// The columns of `blocklists/indicators.csv`, with what each holds.
    pub csv_columns: &'static [(&'static str, &'static str)],
}
