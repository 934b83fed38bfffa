//! Search on a static host: an index per audience, split so that a query fetches a few small
//! files, whatever the size of the repository.
//!
//! Layout under `search/` (all JSON, all small):
//! - `m/<hex of a first character>.json` — the term shards whose terms start with that
//!   character: a sorted list of their prefixes, where `{"m": p}` stands for the prefixes that
//!   start with `p`, listed in `m/<hex of p>.json` (so no manifest is large);
//! - `t/<hex of a prefix>.json` — a term shard: `[[term, [doc, score, doc, score, …]], …]`,
//!   sorted by term. A term lives in the shard of the longest listed prefix it starts with, so a
//!   word typed so far needs that shard plus the listed prefixes that extend it;
//! - `d/<n>.json` — documents `16n … 16n+15`: `[name, type, type label, TLP, path, snippet,
//!   retired]`, where `retired` is "revoked", "deprecated" or "".
//!
//! A term keeps at most `POSTINGS` documents, the best-scored, so no term costs more than that to
//! fetch. Documents are sorted by type, then current before revoked and deprecated, then name,
//! so results of one query tend to share a document shard, and of two equal matches the current
//! one comes first (`search.js` also lists retired results last). The index is built from the audience's View: it holds nothing withheld.

pub(crate) mod terms;

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::audience::{highest_tlp, Entry, View};
use crate::error::Error;
use crate::publish::shared::file_names::hex;
use crate::stix::keyed_hash::KeyedHashMap;
use crate::stix::label::type_label;
use crate::write::Sink;

/// Documents per posting list (the best-scored are kept).
pub(crate) const POSTINGS: usize = 50;
/// Documents per document shard; `search.js` holds the same number.
pub(crate) const DOCS_PER_SHARD: usize = 16;
/// A term shard is split by a longer prefix when it would be larger than this.
pub(crate) const SHARD_BYTES: usize = 20 * 1024;
/// A manifest hands large groups to manifests of their own above this.
pub(crate) const MANIFEST_BYTES: usize = 4 * 1024;
/// Snippet length, in characters.
const SNIPPET: usize = 100;
/// Documents read per step: their terms are collected in parallel, then merged.
const CHUNK: usize = 32 * 1024;

/// What the index holds, for the build's report and the bench.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct SearchStats {
    pub(crate) documents: usize,
    pub(crate) terms: usize,
    pub(crate) term_shards: usize,
    pub(crate) largest_term_shard: usize,
    pub(crate) largest_manifest: usize,
    pub(crate) manifests: usize,
    pub(crate) document_shards: usize,
    pub(crate) largest_document_shard: usize,
    pub(crate) bytes: usize,
}

impl SearchStats {
    /// Prints the figures with the stage timings (`STIXPRESS_TIMINGS`).
    pub(crate) fn log(&self) {
        let figures = format!(
            "{} documents, {} terms in {} shards (largest {} B), {} manifests (largest {} B), {} document shards (largest {} B), {} B in all",
            self.documents,
            self.terms,
            self.term_shards,
            self.largest_term_shard,
            self.manifests,
            self.largest_manifest,
            self.document_shards,
            self.largest_document_shard,
            self.bytes
        );
        crate::timing::log_figures("search index", &figures);
    }
}

type Postings = Vec<(u32, u8)>;

/// Builds the index of `view` and writes it under `search/`.
pub(crate) fn write(view: &View<'_>, sink: &dyn Sink) -> Result<SearchStats, Error> {
    let mut entries: Vec<(String, Entry<'_>)> = view
        .entries()
        .filter(|e| e.object_type() != "relationship")
        .map(|e| (e.display_name().to_lowercase(), e))
        .collect();
    fn key<'a>((name, e): &'a (String, Entry<'_>)) -> (&'a str, bool, &'a str, &'a str) {
        (e.object_type(), e.retired().is_some(), name, e.id())
    }
    entries.par_sort_unstable_by(|a, b| key(a).cmp(&key(b)));
    let mut stats = SearchStats { documents: entries.len(), ..SearchStats::default() };
    // Terms are contributors' words: hashed with a random seed (`keyed_hash`), not SipHash,
    // which took about a tenth of this stage's time (250,000 objects: 0.98-1.15 s against 1.15-1.27 s).
    let mut index: KeyedHashMap<Box<str>, Postings> = KeyedHashMap::default();
    let mut documents: Vec<String> = Vec::with_capacity(entries.len());
    let read = |chunk: &[(String, Entry<'_>)]| -> Vec<(Vec<(String, u8)>, String)> {
        chunk
            .par_iter()
            .map(|(_, entry)| {
                let (terms, description) = terms::terms_of(entry.object, entry.display_name());
                (terms, document(*entry, description.as_deref()))
            })
            .collect()
    };
    let mut merge = |first: usize, read: Vec<(Vec<(String, u8)>, String)>| {
        for (offset, (terms, doc)) in read.into_iter().enumerate() {
            let number = (first + offset) as u32;
            for (term, score) in terms {
                let postings = index.entry(term.into_boxed_str()).or_default();
                postings.push((number, score));
                if postings.len() >= 2 * POSTINGS {
                    keep_best(postings);
                }
            }
            documents.push(doc);
        }
    };
    // The merge into one index is sequential: the next chunk's terms are read meanwhile.
    let chunks: Vec<&[(String, Entry<'_>)]> = entries.chunks(CHUNK).collect();
    let mut next = chunks.first().map(|chunk| read(chunk));
    for chunk_number in 0..chunks.len() {
        let (current, following) = (next.take(), chunks.get(chunk_number + 1));
        let ((), after) = rayon::join(
            || merge(chunk_number * CHUNK, current.unwrap_or_default()),
            || following.map(|chunk| read(chunk)),
        );
        next = after;
    }
    let mut terms: Vec<(Box<str>, Postings)> = index.into_iter().collect();
    terms.par_iter_mut().for_each(|(_, postings)| keep_best(postings));
    terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    stats.terms = terms.len();
    write_terms(&terms, sink, &mut stats)?;
    write_documents(&documents, sink, &mut stats)?;
    Ok(stats)
}

/// The `POSTINGS` best documents: highest score, then first in document order.
fn keep_best(postings: &mut Postings) {
    postings.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    postings.truncate(POSTINGS);
}

/// One document's record: `[name, type, type label, TLP, path, snippet, retired]`.
fn document(entry: Entry<'_>, description: Option<&str>) -> String {
    let tlp = highest_tlp(entry.object).map_or("", |t| t.label());
    let record = (
        entry.display_name(),
        entry.object_type(),
        type_label(entry.object_type()),
        tlp,
        format!("objects/{}/", entry.id()),
        description.map(snippet).unwrap_or_default(),
        entry.retired().unwrap_or_default(),
    );
    serde_json::to_string(&record).unwrap_or_default()
}

/// The opening of a description as plain text: Markdown links reduced to their text, citation
/// markers dropped, whitespace collapsed, cut at a word.
fn snippet(description: &str) -> String {
    let mut plain = String::with_capacity(SNIPPET * 2);
    let mut rest = description;
    while let Some(start) = rest.find("(Citation:") {
        plain.push_str(&rest[..start]);
        rest = rest[start..].find(')').map_or("", |end| &rest[start + end + 1..]);
        if plain.len() > SNIPPET * 4 {
            break;
        }
    }
    plain.push_str(rest);
    // A Markdown link's target adds nothing to a snippet: `[text](url)` → `text`.
    while let Some(start) = plain.find("](") {
        match plain[start..].find(')') {
            Some(end) => plain.replace_range(start + 1..start + end + 1, ""),
            None => plain.truncate(start),
        }
    }
    let text: String = plain.chars().filter(|c| !matches!(c, '[' | ']' | '*' | '_' | '`' | '#')).collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        if out.chars().count() + word.chars().count() > SNIPPET {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A term's size in its shard, close enough to decide the splits.
fn term_bytes(term: &str, postings: &Postings) -> usize {
    term.len() + 8 + postings.len() * 9
}

/// A shard: its prefix and the range of `terms` it holds (possibly several ranges, when small
/// groups of longer prefixes stay in it).
struct Shard {
    prefix: String,
    ranges: Vec<std::ops::Range<usize>>,
}

fn write_terms(terms: &[(Box<str>, Postings)], sink: &dyn Sink, stats: &mut SearchStats) -> Result<(), Error> {
    let mut shards = Vec::new();
    // The first character always has shards of its own, so a query needs only its manifest.
    for (first, range) in groups(terms, 0..terms.len(), 0) {
        layout(terms, range, first, 1, &mut shards);
    }
    let written: Vec<usize> = shards
        .par_iter()
        .map(|shard| {
            let mut json = String::from("[");
            for range in &shard.ranges {
                for (term, postings) in &terms[range.clone()] {
                    if json.len() > 1 {
                        json.push(',');
                    }
                    json.push('[');
                    json.push_str(&serde_json::to_string(term).unwrap_or_default());
                    json.push_str(",[");
                    for (i, (doc, score)) in postings.iter().enumerate() {
                        let _ = write!(json, "{}{doc},{score}", if i > 0 { "," } else { "" });
                    }
                    json.push_str("]]");
                }
            }
            json.push(']');
            sink.write(&format!("search/t/{}.json", hex(&shard.prefix)), json.as_bytes()).map(|()| json.len())
        })
        .collect::<Result<_, Error>>()?;
    stats.term_shards = shards.len();
    stats.largest_term_shard = written.iter().copied().max().unwrap_or(0);
    stats.bytes += written.iter().sum::<usize>();
    let mut manifests: std::collections::BTreeMap<char, Vec<&str>> = Default::default();
    for shard in &shards {
        if let Some(first) = shard.prefix.chars().next() {
            manifests.entry(first).or_default().push(&shard.prefix);
        }
    }
    for (first, mut prefixes) in manifests {
        prefixes.sort_unstable();
        write_manifest(&first.to_string(), &prefixes, sink, stats)?;
    }
    Ok(())
}

/// Writes the manifest of the shard prefixes starting with `prefix` (sorted). When they would
/// not fit in `MANIFEST_BYTES`, each large group sharing a longer prefix gets a manifest of
/// its own, named here as `{"m": longer prefix}` (a million ids share `indicator--`).
fn write_manifest(prefix: &str, entries: &[&str], sink: &dyn Sink, stats: &mut SearchStats) -> Result<(), Error> {
    let size = |list: &[&str]| list.iter().map(|e| e.len() + 3).sum::<usize>();
    let mut items: Vec<serde_json::Value> = Vec::new();
    if size(entries) <= MANIFEST_BYTES {
        items.extend(entries.iter().map(|e| serde_json::Value::from(*e)));
    } else {
        let depth = prefix.chars().count();
        let mut start = 0;
        while start < entries.len() {
            if entries[start].chars().count() <= depth {
                items.push(entries[start].into());
                start += 1;
                continue;
            }
            let next: String = entries[start].chars().take(depth + 1).collect();
            let end = start + entries[start..].iter().take_while(|e| e.starts_with(&next)).count();
            let group = &entries[start..end];
            if group.len() == 1 || size(group) <= MANIFEST_BYTES / 16 {
                items.extend(group.iter().map(|e| serde_json::Value::from(*e)));
            } else {
                let shared = common_prefix(group);
                write_manifest(&shared, group, sink, stats)?;
                items.push(serde_json::json!({ "m": shared }));
            }
            start = end;
        }
    }
    let json = serde_json::to_string(&items).unwrap_or_default();
    stats.largest_manifest = stats.largest_manifest.max(json.len());
    stats.manifests += 1;
    stats.bytes += json.len();
    sink.write(&format!("search/m/{}.json", hex(prefix)), json.as_bytes())
}

/// The longest prefix (in characters) all of `group` share.
fn common_prefix(group: &[&str]) -> String {
    let first = group[0];
    let mut shared: Vec<char> = first.chars().collect();
    for other in &group[1..] {
        let same = shared.iter().zip(other.chars()).take_while(|(a, b)| **a == *b).count();
        shared.truncate(same);
    }
    shared.into_iter().collect()
}

/// Splits `range` (sorted terms sharing a prefix of `depth` characters) by the character at
/// `depth`: the terms that end there come first, under the prefix itself.
fn groups(
    terms: &[(Box<str>, Postings)],
    range: std::ops::Range<usize>,
    depth: usize,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    for i in range {
        let term = &*terms[i].0;
        // The first `depth + 1` characters, borrowed: a prefix is made only for a new group.
        let prefix = term.char_indices().nth(depth + 1).map_or(term, |(end, _)| &term[..end]);
        match out.last_mut() {
            Some((last, r)) if *last == prefix => r.end = i + 1,
            _ => out.push((prefix.to_owned(), i..i + 1)),
        }
    }
    out
}

/// Lays out the terms of `range`, which share `prefix` (`depth` characters): one shard when they
/// fit, else the small groups by the next character stay in this prefix's shard and the others
/// get shards of their own.
fn layout(
    terms: &[(Box<str>, Postings)],
    range: std::ops::Range<usize>,
    prefix: String,
    depth: usize,
    out: &mut Vec<Shard>,
) {
    let size = |r: &std::ops::Range<usize>| terms[r.clone()].iter().map(|(t, p)| term_bytes(t, p)).sum::<usize>();
    if size(&range) <= SHARD_BYTES || depth >= 64 {
        out.push(Shard { prefix, ranges: vec![range] });
        return;
    }
    let mut children = groups(terms, range, depth);
    children.sort_by_key(|(_, r)| size(r));
    let mut own = Vec::new();
    let mut own_size = 0;
    for (child_prefix, r) in children {
        let child_size = size(&r);
        // The terms equal to the prefix (a "child" as long as the prefix) always stay.
        if child_prefix == prefix || own_size + child_size <= SHARD_BYTES / 2 {
            own_size += child_size;
            own.push(r);
        } else {
            layout(terms, r, child_prefix, depth + 1, out);
        }
    }
    if !own.is_empty() {
        own.sort_by_key(|r| r.start);
        out.push(Shard { prefix, ranges: own });
    }
}

fn write_documents(documents: &[String], sink: &dyn Sink, stats: &mut SearchStats) -> Result<(), Error> {
    let sizes: Vec<usize> = documents
        .par_chunks(DOCS_PER_SHARD)
        .enumerate()
        .map(|(n, chunk)| {
            let json = format!("[{}]", chunk.join(","));
            sink.write(&format!("search/d/{n}.json"), json.as_bytes()).map(|()| json.len())
        })
        .collect::<Result<_, Error>>()?;
    stats.document_shards = sizes.len();
    stats.largest_document_shard = sizes.iter().copied().max().unwrap_or(0);
    stats.bytes += sizes.iter().sum::<usize>();
    Ok(())
}

#[cfg(test)]
mod tests;
