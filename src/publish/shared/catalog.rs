//! What the feeds hold, as the feeds produce it and the pages show it (the feeds page, the
//! links from entity pages to their layers).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

/// One file (or family of files) the feeds page lists.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedFile {
    /// From the site root; `<id>` stands for a family of files.
    pub(crate) path: String,
    pub(crate) description: String,
    /// Values, rules, objects, entries, layers or events in it.
    pub(crate) count: usize,
    /// One file the page can link to (not a folder or a `<id>` family).
    pub(crate) linkable: bool,
}

impl FeedFile {
    pub(crate) fn new(path: String, description: &str, count: usize) -> FeedFile {
        let linkable = !path.contains('<') && !path.ends_with('/');
        FeedFile { path, description: description.to_owned(), count, linkable }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedSection {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) files: Vec<FeedFile>,
}

/// A value or rule that could not be published, counted by reason.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LeftOut {
    pub(crate) what: String,
    pub(crate) reason: String,
    pub(crate) count: usize,
}

/// What the feeds hold, for the site's pages.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Catalog {
    /// The build time indicators were judged at, when it was given (`--now`,
    /// `SOURCE_DATE_EPOCH`): the system clock's time would make every build differ.
    pub(crate) now: Option<String>,
    pub(crate) sections: Vec<FeedSection>,
    pub(crate) left_out: Vec<LeftOut>,
    /// Indicators, and how many apply at the build time.
    pub(crate) indicators: usize,
    pub(crate) current_indicators: usize,
    /// Objects with a Navigator layer at `feeds/navigator/<id>.json`.
    #[serde(skip)]
    pub(crate) layers: HashSet<String>,
    /// Kill-chain name → its domain's heat layer.
    pub(crate) matrix_layers: BTreeMap<String, String>,
    /// The columns of `blocklists/indicators.csv`, with what each holds.
    pub(crate) csv_columns: &'static [(&'static str, &'static str)],
}
