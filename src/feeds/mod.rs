//! `feeds/`: plain files for consumers that do not speak TAXII, per audience: blocklists and a
//! CSV from indicator patterns, detection rule files, STIX bundles, Atom feeds, ATT&CK
//! Navigator layers and a MISP feed. The site's `feeds/` page explains each (rendered with the
//! site, from the [`Catalog`] returned here).
//!
//! The build time is the only clock input (which indicators apply now); everything else comes
//! from the objects, so the same input and the same `--now` give the same bytes.

mod atom;
mod blocklists;
mod bundles;
mod indicators;
mod misp;
mod navigator;
pub mod observables;
mod rules;

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::audience::View;
use crate::config::Site;
use crate::error::Error;
use crate::log_timing;
use crate::stix::Timestamp;
use crate::write::Sink;
pub use blocklists::CSV_COLUMNS;
pub use navigator::LAYER_TYPES;

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
    fn new(path: String, description: &str, count: usize) -> FeedFile {
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
}

/// The strings of a JSON list property (`labels`, `x_mitre_domains`); nothing when absent or
/// not a list, and items that are not strings are skipped.
fn strings<'j>(json: &'j serde_json::Value, key: &str) -> impl Iterator<Item = &'j str> {
    let items = json.get(key).and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(serde_json::Value::as_str)
}

/// At most `limit` characters of `text`, with `…` when it was cut.
fn shortened(text: &str, limit: usize) -> String {
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(limit).collect();
    if chars.next().is_some() {
        format!("{}…", short.trim_end())
    } else {
        short
    }
}

/// Writes every feed of `view`; `now` decides which indicators apply, and is printed on the
/// feeds page when it was `given` rather than read off the clock.
pub fn write(view: &View<'_>, site: &Site, now: Timestamp, given: bool, sink: &dyn Sink) -> Result<Catalog, Error> {
    let started = std::time::Instant::now();
    let indicators = indicators::indicators(view, now);
    log_timing("feeds: indicators", started);
    let blocklists = blocklists::write(&indicators, sink)?;
    let rules = rules::write(&indicators, sink)?;
    log_timing("feeds: blocklists and rules", started);
    let bundles = bundles::write(view, sink)?;
    log_timing("feeds: bundles", started);
    let atom = atom::write(view, site, sink)?;
    log_timing("feeds: atom", started);
    let layers = navigator::write(view, site, sink)?;
    log_timing("feeds: navigator", started);
    let misp = misp::write(view, &indicators, site, sink)?;
    log_timing("feeds: misp", started);
    let mut left_out: Vec<LeftOut> = blocklists
        .left_out
        .iter()
        .map(|((kind, reason), count)| LeftOut {
            what: kind.name().to_owned(),
            reason: (*reason).to_owned(),
            count: *count,
        })
        .collect();
    left_out.extend(rules.left_out.iter().map(|r| LeftOut {
        what: r.indicator.clone(),
        reason: r.reason.clone(),
        count: 1,
    }));
    let section = |id, title, files| FeedSection { id, title, files };
    Ok(Catalog {
        now: given.then(|| now.to_seconds_text()),
        sections: vec![
            section("blocklists", "Blocklists", blocklists.files),
            section("rules", "Detection rules", rules.files),
            section("bundles", "STIX bundles", bundles),
            section("atom", "Atom feeds", atom),
            section("navigator", "ATT&CK Navigator layers", layers.files),
            section("misp", "MISP feed", misp),
        ],
        left_out,
        indicators: indicators.len(),
        current_indicators: indicators.iter().filter(|i| i.current).count(),
        layers: layers.objects,
        matrix_layers: layers.matrices,
    })
}
