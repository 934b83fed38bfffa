//! The website: an entity page per object, list pages per type, the home page, Markdown pages
//! and the theme's assets. Pages are rendered in parallel and streamed to the sink one by one;
//! none is kept after it is written. Links between pages name `index.html`
//! (`links::finish_links`), so the site also browses from disk.

mod charts;
mod citations;
mod connections;
mod content_pages;
mod contents;
mod dashboard;
mod detection;
mod fields;
mod graph;
mod history;
mod kill_chains;
mod links;
mod lists;
mod markdown;
mod object_page;
mod reuse;

use std::collections::BTreeMap;

use minijinja::{context, Value};
use rayon::prelude::*;
use serde::Serialize;

use crate::audience::reads::EntryDigests;
use crate::audience::{reads, Entry, View};
use crate::error::Error;
use crate::publish::shared::catalog::Catalog;
use crate::publish::theme::Theme;
use crate::publish::Publication;
use crate::stix::Timestamp;
use crate::timing::log_timing;
use crate::write::Sink;
pub(crate) use content_pages::{load_pages, ContentPage};
use kill_chains::KillChainPage;
pub(crate) use kill_chains::MatrixLink;
pub(crate) use links::safe_url;

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    /// The way back to the site root from the page (`../../`), so the site works under any
    /// path and from a plain folder.
    root: &'a str,
    audience: &'a str,
    repository_url: Option<&'a str>,
    type_groups: &'a [lists::TypeGroup],
    pages: &'a [ContentPage],
    /// The biggest kill chain's matrix, for the site navigation.
    matrix: Option<&'a kill_chains::MatrixLink>,
}

/// What [`render`] wrote: its pages, and the matrix the navigation names (for the content pages
/// written after the rest).
pub(crate) struct Rendered {
    pub(crate) pages: usize,
    pub(crate) matrix: Option<MatrixLink>,
}

/// Renders the whole website of `view` into `sink`; `tick` is called once per page written.
/// `digests` are the View's digests a rebuild checks object pages by (`reuse`).
pub(crate) fn render(
    publication: &Publication<'_, '_>,
    feeds: &Catalog,
    digests: &EntryDigests,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<Rendered, Error> {
    let started = std::time::Instant::now();
    let Publication { view, site, theme, .. } = *publication;
    for (name, bytes) in theme.assets() {
        sink.write(&format!("assets/{name}"), bytes)?;
    }
    // Each of these is worked out from every object: side by side.
    let ((tactic_rank, chains, type_groups), (activity, kept)) = rayon::join(
        || {
            let tactic_rank = kill_chains::columns(view, &site.matrix_order);
            let chains = kill_chains::kill_chain_pages(view, &tactic_rank, "../../");
            (tactic_rank, chains, lists::type_groups(view))
        },
        || rayon::join(|| dashboard::Activity::new(view, publication.now), || object_page::kept_as_published(view)),
    );
    let matrix = chains.first().map(kill_chains::MatrixLink::to);
    let nav_groups = lists::nav_groups(&type_groups);
    let at_depth = site_contexts(publication, matrix.as_ref(), &nav_groups);
    // Object pages read the types from one file instead of each listing them: the list is
    // 2 KB of every page, and a type added or removed would change every page, and a rebuild
    // render them all again.
    sink.write_owned(NAV_FILE, lists::nav_json(&nav_groups).into_bytes())?;
    let object_site = site_contexts(publication, matrix.as_ref(), &[]).swap_remove(2);
    let provenance = history::Provenance::new(view.history(), site.repository_url.as_deref());
    let taxii_objects = format!("{}/{}/objects/", crate::publish::taxii::TAXII_DIR, publication.taxii.api_root);
    log_timing("render: what object pages share", started);
    let sources = object_page::Sources {
        feeds,
        tactic_rank: &tactic_rank,
        provenance: &provenance,
        activity: &activity,
        kept: &kept,
        taxii_objects: &taxii_objects,
    };
    let mut written = object_pages(view, theme, &object_site, &sources, digests, sink, tick)?;
    log_timing("render: object pages", started);
    written += list_pages(view, theme, &at_depth, sink, tick)?;
    log_timing("render: list pages", started);
    let page = |template: &str, path: &str, depth: usize, extra: Value| -> Result<(), Error> {
        write_page(theme, sink, template, path, context! { site => at_depth[depth].clone(), ..extra })?;
        tick();
        Ok(())
    };
    let mut matrix_pages = 0;
    for chain in &chains {
        let layer = feeds.matrix_layers.get(&chain.name).map(|path| format!("../../{path}"));
        page("killchain.html", &format!("matrix/{}/index.html", chain.name), 2, context! { chain => chain, layer })?;
        for (path, depth, filtered) in chain.filters() {
            let context = context! { chain => filtered, full => chain.summary() };
            page("killchain.html", &format!("matrix/{}/{path}index.html", chain.name), depth, context)?;
            matrix_pages += 1;
        }
    }
    if !chains.is_empty() {
        let summaries: Vec<_> = chains.iter().map(KillChainPage::summary).collect();
        page("matrices.html", "matrix/index.html", 1, context! { chains => summaries })?;
        matrix_pages += 1;
    }
    log_timing("render: matrix pages", started);
    page("search.html", "search/index.html", 1, context! {})?;
    written += 1;
    page("feeds.html", "feeds/index.html", 1, context! { feeds => feeds, csv_columns => feeds.csv_columns })?;
    let chain_names: Vec<&str> = chains.iter().map(|c| c.name.as_str()).collect();
    page("types.html", "types/index.html", 1, context! { groups => type_groups, kill_chains => chain_names })?;
    written += dashboard_pages(view, &activity, publication.now, &page)?;
    log_timing("render: dashboards", started);
    let contributors = history::contributors(view, &provenance);
    log_timing("render: contributors", started);
    for person in contributors.authors.iter().chain(&contributors.identities) {
        page("contributor.html", &format!("contributors/{}/index.html", person.slug), 2, context! { c => person })?;
    }
    written += contributors.authors.len() + contributors.identities.len() + 1;
    page("contributors.html", "contributors/index.html", 1, context! { contributors => contributors })?;
    log_timing("render: contributor pages", started);
    Ok(Rendered { pages: written + 3 + chains.len() + matrix_pages, matrix })
}

/// The types the navigation lists, for the pages that fetch them (object pages; `search.js`).
const NAV_FILE: &str = "types/nav.json";

/// The site's context for templates at each depth below the root, its navigation listing
/// `type_groups`.
fn site_contexts(
    publication: &Publication<'_, '_>,
    matrix: Option<&MatrixLink>,
    type_groups: &[lists::TypeGroup],
) -> Vec<Value> {
    let Publication { view, site, pages, .. } = *publication;
    let repository_url = site.repository_url.as_deref().and_then(safe_url);
    let site_at = |root: &str| {
        Value::from_serialize(SiteContext {
            title: &site.title,
            root,
            audience: view.audience(),
            repository_url: repository_url.as_deref(),
            type_groups,
            pages,
            matrix,
        })
    };
    ["./", "../", "../../", "../../../", "../../../../"].iter().map(|r| site_at(r)).collect()
}

/// Writes the Markdown pages, each at `<slug>/index.html`, after everything else: a page whose
/// slug names something the site already wrote (`taken`, the top-level names of every other
/// output) is not written, and its slug is returned.
pub(crate) fn render_content_pages(
    publication: &Publication<'_, '_>,
    matrix: Option<&MatrixLink>,
    taken: &std::collections::BTreeSet<String>,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<(usize, Vec<String>), Error> {
    let nav_groups = lists::nav_groups(&lists::type_groups(publication.view));
    let site = site_contexts(publication, matrix, &nav_groups).swap_remove(1);
    let mut refused = Vec::new();
    let mut written = 0;
    for content_page in publication.pages {
        if taken.contains(&content_page.slug) {
            refused.push(content_page.slug.clone());
            continue;
        }
        let path = format!("{}/index.html", content_page.slug);
        let html = publication.theme.render("page.html", &context! { site, page => content_page }, &path)?;
        sink.write_owned(&path, links::finish_links(html, &path).into_bytes())?;
        tick();
        written += 1;
    }
    Ok((written, refused))
}

/// Writes at `path` the page `template` makes of `context`, unless the folder holds the one made
/// from the same context with the same theme: then the template is not rendered again (list,
/// matrix and dashboard pages are rendered from their context alone, as object pages are).
fn write_page(theme: &Theme, sink: &dyn Sink, template: &str, path: &str, context: Value) -> Result<(), Error> {
    let mut inputs = theme.fingerprint().to_vec();
    inputs.extend_from_slice(template.as_bytes());
    inputs.push(0);
    serde_json::to_writer(&mut inputs, &context).map_err(|e| Error::Usage(format!("page {path}: {e}")))?;
    let render = |_: &[u8]| {
        let html = theme.render(template, &context, path)?;
        Ok(links::finish_links(html, path).into_bytes())
    };
    sink.write_derived(path, &inputs, &render)
}

type PageWriter<'a> = dyn Fn(&str, &str, usize, Value) -> Result<(), Error> + 'a;

/// The home dashboard, the trending page and the reports timelines; returns how many pages
/// beyond the home page.
fn dashboard_pages(
    view: &View<'_>,
    activity: &dashboard::Activity<'_>,
    now: Timestamp,
    page: &PageWriter<'_>,
) -> Result<usize, Error> {
    // Each is worked out from every object or report: side by side.
    let ((dash, home), (trending, timelines)) = rayon::join(
        || rayon::join(|| dashboard::dashboard(view, activity, now, "./"), || lists::home(view, now, "./")),
        || rayon::join(|| dashboard::trending(view, activity, "../"), || dashboard::timelines(activity)),
    );
    page("index.html", "index.html", 0, context! { home, dash })?;
    page("trending.html", "trending/index.html", 1, context! { trending })?;
    for (path, depth, timeline) in &timelines {
        page("reports.html", path, *depth, context! { timeline })?;
    }
    Ok(1 + timelines.len())
}

/// How many pages `render` will write (for a progress bar).
pub(crate) fn page_count(view: &View<'_>, pages: &[ContentPage]) -> usize {
    let lists: usize = view.type_counts().values().map(|n| n.div_ceil(lists::PAGE_SIZE).max(1)).sum();
    view.len() + lists + 3 + pages.len()
}

fn object_pages(
    view: &View<'_>,
    theme: &Theme,
    site: &Value,
    sources: &object_page::Sources<'_>,
    digests: &EntryDigests,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<usize, Error> {
    let entries: Vec<Entry> = view.entries().collect();
    let source = |tag: u8, entry: Entry<'_>| object_page::source_digest(view, sources, tag, entry);
    let reuse = reuse::Reuse::new(view, shared_by_object_pages(view, theme, site, sources), &source, digests, sink);
    let render = |entry: Entry<'_>, page: &object_page::ObjectPage| {
        let context =
            context! { site => site.clone(), o => Value::from_serialize(page), current_type => entry.object_type() };
        let html = theme.render("object.html", &context, &format!("object {}", entry.id()))?;
        Ok(links::finish_links(html, &format!("objects/{}/index.html", entry.id())).into_bytes())
    };
    // A page whose reads answer as they did is the page in the folder, and is not made again
    // (making its context is most of a rebuild's time on pages); the others are made while
    // their reads are recorded, for the next build. Pages go a few thousand at a time, so that
    // only their records are held before they join the notes.
    let kept = std::sync::atomic::AtomicUsize::new(0);
    let page = |&entry: &Entry<'_>| {
        let path = format!("objects/{}/index.html", entry.id());
        let made = match reuse.kept(entry) {
            Some(made) => {
                kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // Made after all when the folder no longer holds it as it was left.
                let page = |_: &[u8]| render(entry, &object_page::object_page(view, entry, sources));
                sink.write_derived(&path, &made.key, &page)?;
                made
            }
            None => {
                let (page, reads) = reads::recording(|| object_page::object_page(view, entry, sources));
                let made = reuse.made_from(entry, reads);
                sink.write_derived(&path, &made.key, &|_| render(entry, &page))?;
                made
            }
        };
        tick();
        Ok::<_, Error>(made)
    };
    let mut notes = reuse.start_notes(sink)?;
    for chunk in entries.chunks(4096) {
        let made: Vec<reuse::Made> = chunk.par_iter().map(page).collect::<Result<_, Error>>()?;
        if let Some(notes) = notes.as_mut() {
            reuse::Reuse::note(notes, &made)?;
        }
    }
    if let Some(notes) = notes {
        notes.finish()?;
    }
    crate::timing::log_figures(
        "object pages",
        &format!(
            "{} of {} kept by their reads ({} noted by the previous build)",
            kept.into_inner(),
            entries.len(),
            reuse.noted()
        ),
    );
    Ok(entries.len())
}

/// What every object page is made from besides its own reads: the site's part of the context,
/// the theme and the program, and what the whole site worked out that pages show.
fn shared_by_object_pages(
    view: &View<'_>,
    theme: &Theme,
    site: &Value,
    sources: &object_page::Sources<'_>,
) -> [u8; 32] {
    let mut shared = blake3::Hasher::new();
    shared.update(theme.fingerprint()).update(site.to_string().as_bytes()).update(&[0]);
    shared.update(view.audience().as_bytes()).update(&[0, u8::from(view.shows_withheld())]);
    shared.update(sources.taxii_objects.as_bytes()).update(&[0]);
    shared.update(&sources.tactic_rank.digest());
    // Pages with indicators link the blocklists by their paths (the other feeds' files, such as
    // a bundle per type, come and go with the content without changing any object page).
    for file in sources.feeds.sections.iter().flat_map(|s| &s.files).filter(|f| contents::links_to(f)) {
        shared.update(file.path.as_bytes()).update(&[0]);
    }
    *shared.finalize().as_bytes()
}

fn list_pages(
    view: &View<'_>,
    theme: &Theme,
    at_depth: &[Value],
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<usize, Error> {
    let mut by_type: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for entry in view.entries() {
        by_type.entry(entry.object_type()).or_default().push(entry);
    }
    let lists: Vec<lists::TypeList> =
        by_type.into_par_iter().map(|(t, entries)| lists::TypeList::new(t, entries)).collect();
    let pages: Vec<(&lists::TypeList, usize)> =
        lists.iter().flat_map(|l| (0..l.pages()).map(move |i| (l, i))).collect();
    pages.par_iter().try_for_each(|(type_list, i)| {
        let list = type_list.page(*i);
        let path = lists::list_path(&list.object_type, list.page);
        let depth = if list.page == 1 { 2 } else { 4 };
        let context = context! { site => at_depth[depth].clone(), list => list, current_type => &list.object_type };
        write_page(theme, sink, "list.html", &format!("{path}index.html"), context)?;
        tick();
        Ok::<(), Error>(())
    })?;
    Ok(pages.len())
}
