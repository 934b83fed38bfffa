//! `stixpress match`: known indicator values found in logs. The values come from an audience's
//! indicators (`pipeline::matching`) or a published feed ([`feed`]); [`scan`] finds them in
//! each line with the boundaries of their kind; the hits are printed as JSON lines, or gathered
//! into a bundle of STIX `sighting`s to contribute back.
//!
//! Logs are hostile input: any bytes, any line length. Nothing here may panic on them, hold more
//! than a window of one line, or take more than linear time (the automaton's guarantee).

mod batches;
pub mod feed;
pub mod known;
mod logs;
mod scan;
mod time;

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Value};

pub use known::Known;
use scan::{Found, Matcher};

use crate::error::Error;
use crate::scaffold::random_uuid;
use crate::stix::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per value found on a line, per indicator listing it.
    Jsonl,
    /// A STIX 2.1 bundle of sightings, one per indicator seen.
    Stix,
}

pub struct Options<'a> {
    pub logs: &'a [String],
    pub format: Format,
    /// The identity that saw them (`where_sighted_refs`).
    pub sighted_by: Option<&'a str>,
    /// When the sightings are made (`created`, `modified`).
    pub now: Timestamp,
}

/// What one indicator's sighting gathers.
#[derive(Default)]
struct Seen {
    count: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    files: Vec<String>,
}

/// Scans every log and prints the hits; returns how many values were found.
pub fn run(known: &Known, options: &Options<'_>, out: &mut dyn Write) -> Result<u64, Error> {
    let matcher = Matcher::new(known).map_err(Error::Usage)?;
    let mut hits = 0u64;
    let mut seen: BTreeMap<usize, Seen> = BTreeMap::new();
    let mut write_error: Option<std::io::Error> = None;
    let scan_line = |piece: &logs::Piece<'_>, found: &mut Vec<Found>| scan_piece(&matcher, piece, found);
    for path in options.logs {
        let mut reader = logs::open(path)?;
        batches::scan_log(path, &mut *reader, matcher.longest, &scan_line, &mut |line_hits| {
            for hit in &line_hits.found {
                hits += 1;
                let listed = &known.listed[hit.listed];
                for &source in &listed.sources {
                    match options.format {
                        Format::Jsonl => {
                            let line = hit_json(known, path, line_hits.line, hit, source, line_hits.at);
                            if write_error.is_none() {
                                write_error = writeln!(out, "{line}").err();
                            }
                        }
                        Format::Stix => {
                            let entry = seen.entry(source).or_default();
                            entry.count += 1;
                            if let Some(at) = line_hits.at {
                                entry.first = Some(entry.first.map_or(at, |f| earlier(f, at)));
                                entry.last = Some(entry.last.map_or(at, |l| later(l, at)));
                            }
                            if !entry.files.contains(path) {
                                entry.files.push(path.clone());
                            }
                        }
                    }
                }
            }
        })?;
    }
    if options.format == Format::Stix {
        let bundle = sightings(known, &seen, options)?;
        write_error = writeln!(out, "{}", crate::write::pretty_json(&bundle)).err().or(write_error);
    }
    match write_error {
        // A reader that stopped early (`| head`) is not a failure.
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io(std::path::Path::new("-"), e)),
        _ => Ok(hits),
    }
}

/// The hits in one piece: JSON lines with escapes are scanned in their decoded strings too
/// (`http:\/\/evil.example\/`), so a value is found however the logger escaped it.
fn scan_piece(matcher: &Matcher, piece: &logs::Piece<'_>, found: &mut Vec<Found>) {
    matcher.scan(piece.bytes, found);
    found.retain(|f| piece.report.contains(&f.at));
    let json_with_escapes = piece.whole
        && piece.bytes.trim_ascii_start().first() == Some(&b'{')
        && memchr::memchr(b'\\', piece.bytes).is_some();
    if json_with_escapes {
        if let Ok(value) = serde_json::from_slice::<Value>(piece.bytes) {
            let mut more = Vec::new();
            strings(&value, &mut |text| matcher.scan(text.as_bytes(), &mut more));
            for hit in more {
                if !found.iter().any(|f| f.listed == hit.listed) {
                    found.push(Found { at: 0, listed: hit.listed });
                }
            }
        }
    }
}

/// Every string in a JSON value, keys included.
fn strings(value: &Value, each: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => each(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, each)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            each(k);
            strings(v, each)
        }),
        _ => {}
    }
}

fn earlier(a: Timestamp, b: Timestamp) -> Timestamp {
    if b.instant() < a.instant() {
        b
    } else {
        a
    }
}

fn later(a: Timestamp, b: Timestamp) -> Timestamp {
    if b.instant() > a.instant() {
        b
    } else {
        a
    }
}

fn hit_json(known: &Known, path: &str, line: u64, hit: &Found, source: usize, at: Option<Timestamp>) -> Value {
    let listed = &known.listed[hit.listed];
    let indicator = &known.sources[source];
    let reports: Vec<Value> = indicator.reports.iter().map(|(id, name)| json!({ "id": id, "name": name })).collect();
    json!({
        "file": path,
        "line": line,
        "value": listed.value,
        "kind": listed.kind.name(),
        "indicator_id": indicator.id,
        "indicator_name": indicator.name,
        "labels": indicator.labels,
        "tlp": indicator.tlp,
        "reports": reports,
        "seen": at.map(|t| t.to_millis_text()),
    })
}

/// STIX caps `count` at 999,999,999.
const MAX_COUNT: u64 = 999_999_999;

fn sightings(known: &Known, seen: &BTreeMap<usize, Seen>, options: &Options<'_>) -> Result<Value, Error> {
    let now = options.now.to_millis_text();
    let mut objects = Vec::new();
    for (source, seen) in seen {
        let indicator = &known.sources[*source];
        let first = seen.first.map(|t| t.to_millis_text());
        let last = seen.last.map(|t| t.to_millis_text());
        let mut sighting = json!({
            "type": "sighting",
            "spec_version": "2.1",
            // A new object: a random (version 4) id, as STIX asks of SDOs and SROs.
            "id": format!("sighting--{}", random_uuid()?),
            "created": now,
            "modified": now,
            "sighting_of_ref": indicator.id,
            "count": seen.count.min(MAX_COUNT),
            "description": format!("Found by stixpress match on {} log lines of {}.", seen.count, seen.files.join(", ")),
        });
        if let (Some(first), Some(last)) = (first, last) {
            sighting["first_seen"] = json!(first);
            sighting["last_seen"] = json!(last);
        }
        if let Some(identity) = options.sighted_by {
            sighting["where_sighted_refs"] = json!([identity]);
        }
        objects.push(sighting);
    }
    Ok(json!({ "type": "bundle", "id": format!("bundle--{}", random_uuid()?), "objects": objects }))
}
