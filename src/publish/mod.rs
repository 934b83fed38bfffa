//! Publishing: everything an audience receives, made from its View and nothing else.
//!
//! Pages, TAXII, feeds and search are siblings: each takes the View (git history as the View
//! allows it included) and writes to a sink; none imports another, the Store or provenance.
//! What they share sits in `shared` (escaping, file names, the feeds catalogue) and in `stix`
//! (type labels, display names, the blocklists' normal form).

pub(crate) mod feeds;
pub(crate) mod pages;
pub(crate) mod search;
pub(crate) mod shared;
pub(crate) mod taxii;
pub(crate) mod theme;

use std::collections::BTreeSet;

use crate::audience::reads::EntryDigests;
use crate::audience::View;
use crate::config::{Site, Taxii};
use crate::error::Error;
use crate::stix::Timestamp;
use crate::timing::log_timing;
use crate::write::Sink;
use pages::ContentPage;
use taxii::TaxiiIndex;
use theme::Theme;

/// Everything one audience's output is made from: its View (objects, and git history as the
/// View allows it), the site's settings and the build time. Nothing else reaches a renderer.
pub(crate) struct Publication<'p, 's> {
    pub(crate) view: &'p View<'s>,
    pub(crate) site: &'p Site,
    pub(crate) taxii: &'p Taxii,
    pub(crate) theme: &'p Theme,
    /// The Markdown pages published to this audience.
    pub(crate) pages: &'p [ContentPage],
    /// The build time: which indicators apply, where the dashboard's windows end.
    pub(crate) now: Timestamp,
    /// Whether `now` was given (`--now`, `SOURCE_DATE_EPOCH`): only then may output print it.
    pub(crate) now_given: bool,
}

/// What publishing wrote, for the build's summary and for `serve`.
pub(crate) struct Published<'s> {
    pub(crate) pages: usize,
    pub(crate) taxii_index: TaxiiIndex<'s>,
    /// Markdown pages not written because their slug names something the site generates.
    pub(crate) reserved_pages: Vec<String>,
}

/// A sink that remembers the top-level name (first path segment) of everything written
/// through it: the names the site generates, which Markdown pages may therefore not take.
/// Derived from what the renderers write, so a new section is reserved the day it appears.
struct TopLevelNames<'s> {
    sink: &'s dyn Sink,
    names: std::sync::RwLock<BTreeSet<String>>,
}

impl TopLevelNames<'_> {
    fn into_names(self) -> BTreeSet<String> {
        self.names.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TopLevelNames<'_> {
    fn note(&self, path: &str) {
        let top = path.split('/').next().unwrap_or(path);
        let known = self.names.read().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(top);
        if !known {
            self.names.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(top.to_owned());
        }
    }
}

impl Sink for TopLevelNames<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Error> {
        self.note(path);
        self.sink.write(path, bytes)
    }

    fn write_derived(&self, path: &str, source: &[u8], derive: crate::write::Derive<'_>) -> Result<(), Error> {
        self.note(path);
        self.sink.write_derived(path, source, derive)
    }

    fn write_owned(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.note(path);
        self.sink.write_owned(path, bytes)
    }

    fn write_pieces(&self, path: &str, key: &[u8]) -> Result<Option<Box<dyn crate::write::Pieces + '_>>, Error> {
        self.note(path);
        self.sink.write_pieces(path, key)
    }

    fn previous(&self, path: &str) -> Option<std::fs::File> {
        self.sink.previous(path)
    }

    fn previous_notes(&self, name: &str) -> Option<Vec<u8>> {
        self.sink.previous_notes(name)
    }

    fn write_notes(&self, name: &str) -> Result<Option<crate::write::Notes>, Error> {
        self.sink.write_notes(name)
    }
}

/// How many pages `publish` will write (for a progress bar).
pub(crate) fn page_count(publication: &Publication<'_, '_>) -> usize {
    pages::page_count(publication.view, publication.pages)
}

/// Writes every output of one audience, in this order: the feeds (the pages describe what they
/// hold), the search index, the pages, the TAXII tree and the host configurations that serve it,
/// and last the Markdown pages, each unless its name is one the outputs before it took.
/// `tick` is called once per page written.
pub(crate) fn publish<'s>(
    publication: &Publication<'_, 's>,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<Published<'s>, Error> {
    let started = std::time::Instant::now();
    let Publication { view, site, taxii: taxii_config, .. } = *publication;
    let outer = sink;
    let generated = TopLevelNames { sink: outer, names: Default::default() };
    let sink: &dyn Sink = &generated;
    // The search index first: the largest of the stages' passes over every object, made before
    // the digests below are held.
    search::write(view, sink)?.log();
    log_timing("search index", started);
    // Each object's digest and its versions', worked out once for the bundles', the pages' and
    // TAXII's keys.
    let digests = EntryDigests::new(view);
    let catalog = feeds::write(view, &digests, site, publication.now, publication.now_given, sink)?;
    log_timing("feeds", started);
    let rendered = pages::render(publication, &catalog, &digests, sink, tick)?;
    log_timing("render", started);
    let taxii_index = TaxiiIndex::build(view, &taxii_config.collections, &digests);
    drop(digests);
    log_timing("taxii index", started);
    taxii::write_static(&taxii_index, taxii_config, site.base_url.as_deref(), sink)?;
    taxii::hosts::write(taxii_config, sink)?;
    log_timing("taxii", started);
    let taken = generated.into_names();
    let (content_pages, reserved_pages) =
        pages::render_content_pages(publication, rendered.matrix.as_ref(), &taken, outer, tick)?;
    log_timing("content pages", started);
    Ok(Published { pages: rendered.pages + content_pages, taxii_index, reserved_pages })
}
