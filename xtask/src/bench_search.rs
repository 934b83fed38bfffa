//! `cargo xtask bench search`: the search index of the synthetic repository (1,000,000 objects by
//! default) and of mitre-cti.
//!
//! - Index build time and memory come from stixpress's stage timings (`STIXPRESS_TIMINGS`): the
//!   `search index` stage's time, and the memory in use when it started against the peak after.
//! - Bytes a query fetches are counted by following `search.js`'s steps over the written files
//!   (manifest, term shards, deeper shards for a word being typed, document shards of the first
//!   eight results), each file once, for a sample of objects: a lookup of the object's id or
//!   exact name, and a two-word query from its name as typed.
//!
//! Targets: index under 30 s and 1.5 GiB at 1M; largest shard a query can fetch under 100 KB; a
//! lookup under 50 KB; a two-word query with results under 200 KB.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::format::thousands;

const DOCS_PER_SHARD: u64 = 16;
const PREFIX_MIN: usize = 2;
const PREFIX_MAX: usize = 24;
const PREFIX_SHARDS: usize = 4;

struct Budget {
    index_seconds: f64,
    index_mib: f64,
    shard_bytes: u64,
    lookup_bytes: u64,
    two_word_bytes: u64,
}

const TARGETS: Budget = Budget {
    index_seconds: 30.0,
    index_mib: 1536.0,
    shard_bytes: 100_000,
    lookup_bytes: 50_000,
    two_word_bytes: 200_000,
};

pub fn run(binary: &Path, root: &Path, target_dir: &Path, synthetic: &Path) -> Result<usize, String> {
    let mut missed = 0;
    let attack = root.join("../shared/data/mitre-cti");
    for (name, dir, content, at_scale) in [
        ("mitre-cti", attack.clone(), attack.clone(), false),
        ("synthetic", synthetic.to_path_buf(), synthetic.join("content"), true),
    ] {
        let out = target_dir.join(format!("bench-search-{name}"));
        let (seconds, before, peak) = build(binary, &dir, &content, &out)?;
        let site = Site { dir: out.join("search") };
        let largest = site.largest()?;
        let (lookups, two_words) = site.sample_queries()?;
        let stage_mib = peak.saturating_sub(before) as f64;
        println!("\n{name}: search index of {} documents", thousands(site.documents()? as u64));
        println!("| measure | value | target |\n|---|---:|---:|");
        let mut row = |what: &str, value: String, target: Option<bool>, limit: String| {
            let verdict = match target {
                Some(true) => format!("{limit} (met)"),
                Some(false) => {
                    missed += 1;
                    format!("{limit} (MISSED)")
                }
                None => String::new(),
            };
            println!("| {what} | {value} | {verdict} |");
        };
        let scaled = |ok: bool| at_scale.then_some(ok);
        row("index build time", format!("{seconds:.2} s"), scaled(seconds < TARGETS.index_seconds), "< 30 s".into());
        row(
            "memory added by the index stage (peak after − in use before)",
            format!("{stage_mib:.0} MiB (before {before} MiB, peak after {peak} MiB)"),
            scaled(stage_mib < TARGETS.index_mib),
            "< 1.5 GiB".into(),
        );
        row(
            "term shards / largest",
            format!("{} / {} B", largest.term_shards, largest.term),
            scaled(largest.term < TARGETS.shard_bytes),
            "< 100 KB".into(),
        );
        row("largest manifest", format!("{} B", largest.manifest), None, String::new());
        row(
            "largest document shard",
            format!("{} B", largest.document),
            scaled(largest.document < TARGETS.shard_bytes),
            "< 100 KB".into(),
        );
        let (median, max) = spread(&lookups);
        row(
            &format!("lookup by id or name, {} queries: median / max", lookups.len()),
            format!("{median} / {max} B"),
            scaled(max < TARGETS.lookup_bytes),
            "< 50 KB".into(),
        );
        let (median, max) = spread(&two_words);
        row(
            &format!("two-word query with results, {} queries: median / max", two_words.len()),
            format!("{median} / {max} B"),
            scaled(max < TARGETS.two_word_bytes),
            "< 200 KB".into(),
        );
    }
    Ok(missed)
}

fn spread(values: &[u64]) -> (u64, u64) {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    (sorted.get(sorted.len() / 2).copied().unwrap_or(0), sorted.last().copied().unwrap_or(0))
}

/// Builds `dir` into `out`; returns the search stage's seconds, the memory in use when it
/// started and the peak after it (MiB).
fn build(binary: &Path, dir: &Path, content: &Path, out: &Path) -> Result<(f64, u64, u64), String> {
    let output = Command::new(binary)
        .arg("--root")
        .arg(dir)
        .arg("--content")
        .arg(content)
        .args(["build", "--allow-errors", "--no-history", "--now", "2026-01-01T00:00:00Z", "--output"])
        .arg(out)
        .env("STIXPRESS_TIMINGS", "1")
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let text = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("build of {} failed: {}", dir.display(), text.lines().last().unwrap_or_default()));
    }
    let stage = |name: &str| -> Option<(f64, u64, u64)> {
        // `feeds: 1.2 s`, not a sub-stage's `feeds: bundles: 0.9 s`.
        let prefix = format!("[timing] {name}: ");
        let line = text
            .lines()
            .find(|l| l.strip_prefix(&prefix).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit())))?;
        let numbers: Vec<f64> =
            line.split(|c: char| !(c.is_ascii_digit() || c == '.')).filter_map(|n| n.parse().ok()).collect();
        Some((*numbers.first()?, *numbers.get(1)? as u64, *numbers.get(2)? as u64))
    };
    // The search index is the first output made: its time counts from there, and the memory
    // before it is what the output folder's stage left.
    let (_, memory_before, _) = stage("output folder (its manifest read)").ok_or("no output folder timing")?;
    let (search, _, peak) = stage("search index").ok_or("no search timing")?;
    Ok((search, memory_before, peak))
}

struct Site {
    dir: PathBuf,
}

struct Largest {
    term_shards: usize,
    term: u64,
    manifest: u64,
    document: u64,
}

impl Site {
    fn largest(&self) -> Result<Largest, String> {
        let largest_in = |sub: &str| -> Result<(usize, u64), String> {
            let dir = self.dir.join(sub);
            let mut count = 0;
            let mut max = 0;
            for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
                let size = entry.map_err(|e| e.to_string())?.metadata().map_err(|e| e.to_string())?.len();
                count += 1;
                max = max.max(size);
            }
            Ok((count, max))
        };
        let (term_shards, term) = largest_in("t")?;
        Ok(Largest { term_shards, term, manifest: largest_in("m")?.1, document: largest_in("d")?.1 })
    }

    fn documents(&self) -> Result<usize, String> {
        Ok(std::fs::read_dir(self.dir.join("d")).map_err(|e| e.to_string())?.count() * DOCS_PER_SHARD as usize)
    }

    fn json(&self, path: &str, fetched: &mut HashMap<String, u64>) -> Option<Value> {
        let bytes = std::fs::read(self.dir.join(path)).ok()?;
        fetched.insert(path.to_owned(), bytes.len() as u64);
        serde_json::from_slice(&bytes).ok()
    }

    /// `search.js`'s lookup: the documents and scores a term (or a prefix of terms) finds.
    fn lookup(&self, term: &str, prefix: bool, fetched: &mut HashMap<String, u64>) -> HashMap<u64, f64> {
        let mut found = HashMap::new();
        let Some(first) = term.chars().next() else { return found };
        let mut manifest = first.to_string();
        let mut own: Option<String> = None;
        let wanted = loop {
            let entries = self.json(&format!("m/{}.json", hex(&manifest)), fetched).unwrap_or(Value::Null);
            let (mut sub, mut deeper, mut too_many) = (None, Vec::new(), false);
            for entry in entries.as_array().into_iter().flatten() {
                if let Some(p) = entry.as_str() {
                    if term.starts_with(p) && own.as_ref().is_none_or(|o| p.len() > o.len()) {
                        own = Some(p.to_owned());
                    } else if p.starts_with(term) {
                        deeper.push(p.to_owned());
                    }
                } else if let Some(p) = entry["m"].as_str() {
                    if term.starts_with(p) {
                        sub = Some(p.to_owned());
                    } else if p.starts_with(term) {
                        too_many = true;
                    }
                }
            }
            if let Some(next) = sub {
                manifest = next;
                continue;
            }
            let mut wanted: Vec<String> = own.clone().into_iter().collect();
            if prefix && !too_many && deeper.len() + wanted.len() <= PREFIX_SHARDS {
                wanted.extend(deeper);
            }
            break wanted;
        };
        for shard in &wanted {
            let Some(rows) = self.json(&format!("t/{}.json", hex(shard)), fetched) else { continue };
            for row in rows.as_array().into_iter().flatten() {
                let Some(candidate) = row[0].as_str() else { continue };
                let exact = candidate == term;
                if !(exact || prefix && candidate.starts_with(term)) {
                    continue;
                }
                let postings: Vec<f64> = row[1].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
                for pair in postings.chunks(2) {
                    let score = if exact { pair[1] } else { pair[1] * 0.6 };
                    let best = found.entry(pair[0] as u64).or_insert(score);
                    *best = best.max(score);
                }
            }
        }
        found
    }

    /// The bytes `search.js` fetches to show the first eight results of `query` typed as is.
    fn query_bytes(&self, query: &str) -> (u64, usize) {
        let mut fetched = HashMap::new();
        let whole = query.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let words: Vec<String> =
            query.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
        let whole_prefix = whole.len() >= PREFIX_MIN
            && !whole.contains("--")
            && if words.len() == 1 {
                whole.len() <= PREFIX_MAX
            } else {
                whole.contains(' ') && whole.len() <= 2 * PREFIX_MAX
            };
        let mut scores: HashMap<u64, f64> =
            self.lookup(&whole, whole_prefix, &mut fetched).into_iter().map(|(d, s)| (d, 1000.0 + s)).collect();
        let exact = scores.values().any(|s| *s >= 1090.0);
        let words_needed = words.len() > 1 || words.first() != Some(&whole);
        // An id or value found exactly, without a space: `search.js` reads no words then.
        let found_as_such = exact && !whole.contains(' ');
        if words_needed && !found_as_such {
            let mut parts: Vec<HashMap<u64, f64>> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let last = i + 1 == words.len();
                    self.lookup(w, last && w.len() >= PREFIX_MIN && w.len() <= PREFIX_MAX, &mut fetched)
                })
                .collect();
            if parts.len() > 1 && parts.last().is_some_and(HashMap::is_empty) {
                parts.pop();
            }
            if let Some((first, rest)) = parts.split_first() {
                for (doc, score) in first {
                    if rest.iter().all(|p| p.contains_key(doc)) {
                        let total = score + rest.iter().map(|p| p[doc]).sum::<f64>();
                        let best = scores.entry(*doc).or_insert(total);
                        *best = best.max(total);
                    }
                }
            }
        }
        let mut ranked: Vec<(u64, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let shown: HashSet<u64> = ranked.iter().take(8).map(|(d, _)| d / DOCS_PER_SHARD).collect();
        for shard in &shown {
            self.json(&format!("d/{shard}.json"), &mut fetched);
        }
        (fetched.values().sum(), ranked.len())
    }

    /// For 200 documents spread over the index: the bytes of a lookup of its id (from its path)
    /// and of a two-word query from its name (when it has two words and finds something).
    fn sample_queries(&self) -> Result<(Vec<u64>, Vec<u64>), String> {
        let shards = std::fs::read_dir(self.dir.join("d")).map_err(|e| e.to_string())?.count() as u64;
        let mut lookups = Vec::new();
        let mut two_words = Vec::new();
        for i in 0..200u64 {
            let shard = i * shards / 200;
            let mut ignored = HashMap::new();
            let Some(docs) = self.json(&format!("d/{shard}.json"), &mut ignored) else { continue };
            let Some(doc) = docs.as_array().and_then(|d| d.first()) else { continue };
            let (Some(name), Some(path)) = (doc[0].as_str(), doc[4].as_str()) else { continue };
            let id = path.trim_start_matches("objects/").trim_end_matches('/');
            lookups.push(self.query_bytes(id).0);
            let words: Vec<&str> = name.split_whitespace().take(2).collect();
            if words.len() == 2 {
                let (bytes, results) = self.query_bytes(&words.join(" "));
                if results > 0 {
                    two_words.push(bytes);
                }
            }
        }
        Ok((lookups, two_words))
    }
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
