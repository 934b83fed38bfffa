//! `cargo xtask bench import`: `stixpress import` on generated sources, against the targets:
//! - a MISP feed folder of 1,000 events × 100 attributes (`manifest.json` and one file an
//!   event, as MISP writes them): under 5 s;
//! - a written report of 1 MB (defanged indicators, technique and CVE ids, group and software
//!   names) into a repository holding ATT&CK enterprise, which it references and relates to:
//!   under 0.5 s;
//! - a TAXII 2.1 pull of the synthetic repository's collection from `stixpress serve` (with
//!   `--objects 100k`: 100,000 objects): under 30 s.
//!
//! Each import runs twice and the faster run counts (the sources and the repository in the
//! page cache). The sources are written under `<target>/bench-import/`, the same bytes every
//! time (no random numbers).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::bench::{measure, Measured};
use crate::format::{mib, thousands};

const NOW: &str = "2026-12-01T00:00:00Z";
const EVENTS: usize = 1_000;
const ATTRIBUTES: usize = 100;
const REPORT_BYTES: usize = 1_000_000;

/// One row of the table: what was imported, how fast, against which target.
struct Row {
    name: String,
    seconds: f64,
    max_rss: u64,
    objects: String,
    target: Option<f64>,
}

/// Runs the three imports; returns the number of targets missed.
pub fn run(binary: &Path, root: &Path, target_dir: &Path, synthetic: &Path, objects: u64) -> Result<usize, String> {
    let work = target_dir.join("bench-import");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();

    let feed = work.join("misp-feed");
    write_misp_feed(&feed)?;
    let empty = work.join("empty");
    std::fs::create_dir_all(empty.join("content")).map_err(|e| e.to_string())?;
    let (seconds, max_rss, count) = fastest(binary, &empty, &[feed.as_os_str().to_str().unwrap_or_default()])?;
    rows.push(Row {
        name: format!("MISP feed: {EVENTS} events × {ATTRIBUTES} attributes"),
        seconds,
        max_rss,
        objects: count,
        target: Some(5.0),
    });

    let attack = root.join("../shared/data/mitre-cti/enterprise-attack");
    let attack = attack.canonicalize().unwrap_or(attack);
    let report = work.join("report-1mb.md");
    std::fs::write(&report, written_report()).map_err(|e| e.to_string())?;
    if attack.is_dir() {
        let repository = work.join("attack");
        std::fs::create_dir_all(&repository).map_err(|e| e.to_string())?;
        let (seconds, max_rss, count) = fastest_in(binary, &repository, &attack, report.to_str().unwrap_or_default())?;
        rows.push(Row {
            name: "written report, 1 MB (repository: ATT&CK enterprise)".into(),
            seconds,
            max_rss,
            objects: count,
            target: Some(0.5),
        });
    } else {
        println!("skipping the written report: {} is not a folder", attack.display());
    }

    let (serve, host, _) = crate::bench_taxii::start_serve(binary, &work.join("serve"), synthetic)?;
    let collection = format!("http://{host}/taxii2/api/collections/{}/", crate::bench_taxii::ALL);
    let pulled = work.join("pulled");
    std::fs::create_dir_all(pulled.join("content")).map_err(|e| e.to_string())?;
    let (seconds, max_rss, count) = fastest(binary, &pulled, &[collection.as_str()])?;
    drop(serve);
    rows.push(Row {
        name: format!("TAXII pull from serve (synthetic, {} objects)", thousands(objects)),
        seconds,
        max_rss,
        objects: count,
        target: (objects == 100_000).then_some(30.0),
    });

    println!("\n| import | objects written | time | peak memory | target |\n|---|---:|---:|---:|---|");
    let mut missed = 0;
    for row in &rows {
        let verdict = match row.target {
            Some(target) if row.seconds <= target => format!("< {target} s: met"),
            Some(target) => {
                missed += 1;
                format!("< {target} s: MISSED")
            }
            None => "—".into(),
        };
        println!("| {} | {} | {:.2} s | {} | {verdict} |", row.name, row.objects, row.seconds, mib(row.max_rss));
    }
    Ok(missed)
}

/// Imports `sources` in `root` (its `content/`) twice, each time into a fresh target; the faster
/// run's seconds, its peak memory and what it said it imported.
fn fastest(binary: &Path, root: &Path, sources: &[&str]) -> Result<(f64, u64, String), String> {
    let content = root.join("content");
    fastest_with(binary, root, &content, sources)
}

/// As [`fastest`], with the repository's content in another folder (read, never written).
fn fastest_in(binary: &Path, root: &Path, content: &Path, source: &str) -> Result<(f64, u64, String), String> {
    fastest_with(binary, root, content, &[source])
}

fn fastest_with(binary: &Path, root: &Path, content: &Path, sources: &[&str]) -> Result<(f64, u64, String), String> {
    let mut best: Option<(f64, u64, String)> = None;
    for _ in 0..2 {
        let mut command = Command::new(binary);
        command.arg("import").args(sources).args(["--now", NOW, "--root"]).arg(root).arg("--content").arg(content);
        command.current_dir(root);
        let Measured { usage, seconds, stdout, stderr } = measure(&mut command)?;
        let said = String::from_utf8_lossy(&stderr);
        if !matches!(usage.exit, crate::rusage::Exit::Code(0 | 1)) {
            return Err(format!("stixpress import {} could not run:\n{}", sources.join(" "), said.trim_end()));
        }
        let objects = count_objects(&stdout);
        if best.as_ref().is_none_or(|(fastest, _, _)| seconds < *fastest) {
            best = Some((seconds, usage.max_rss, objects));
        }
    }
    best.ok_or_else(|| "no run".into())
}

/// The number of objects in the bundle printed: the lines that open one (the bundle is pretty
/// printed, each object at four spaces). Not parsed: a parsed bundle of 100,000 objects would
/// stay in this process's memory, and a child forked later counts it in its own peak.
fn count_objects(stdout: &[u8]) -> String {
    let objects = stdout.split(|b| *b == b'\n').filter(|line| line.starts_with(b"    {")).count();
    thousands(objects as u64)
}

/// A MISP feed as MISP writes one: `manifest.json` (uuid → event summary) and `<uuid>.json`
/// (`{"Event": …}`), attributes of the common types, a few tags.
fn write_misp_feed(folder: &Path) -> Result<(), String> {
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    let mut manifest = serde_json::Map::new();
    for event in 0..EVENTS {
        let uuid = format!("{:08x}-0000-4000-8000-{:012x}", 0x5eed_0000u32 + event as u32, event);
        let timestamp = 1_790_000_000 + event as u64 * 3_600;
        let mut attributes = Vec::with_capacity(ATTRIBUTES);
        for a in 0..ATTRIBUTES {
            let n = event * ATTRIBUTES + a;
            let (kind, value) = match a % 6 {
                0 => ("ip-dst", format!("10.{}.{}.{}", n / 65_536 % 256, n / 256 % 256, n % 256)),
                1 => ("domain", format!("c2-{n}.relay-{event}.net")),
                2 => ("url", format!("https://drop-{n}.relay-{event}.org/p/{a}.bin")),
                3 => ("sha256", format!("{n:064x}")),
                4 => ("md5", format!("{:032x}", n + 1)),
                _ => ("filename|md5", format!("loader-{n}.exe|{:032x}", n + 7)),
            };
            attributes.push(serde_json::json!({
                "type": kind, "category": "Network activity", "value": value, "to_ids": a % 10 != 9,
                "uuid": format!("{:08x}-0000-4000-9000-{:012x}", 0xa77_0000u32 + event as u32, a),
                "timestamp": timestamp.to_string(), "comment": "",
            }));
        }
        let tags = [
            serde_json::json!({"name": "tlp:clear"}),
            serde_json::json!({"name": format!("campaign:wave-{}", event % 20)}),
        ];
        let body = serde_json::json!({"Event": {
            "uuid": uuid, "info": format!("Relay wave {event}"), "date": "2026-11-01",
            "timestamp": timestamp.to_string(), "published": true, "analysis": "2", "threat_level_id": "2",
            "Orgc": {"name": "Bench CERT", "uuid": "11111111-2222-4333-8444-555555555555"},
            "Tag": tags, "Attribute": attributes,
        }});
        let path = folder.join(format!("{uuid}.json"));
        std::fs::write(&path, body.to_string()).map_err(|e| format!("{}: {e}", path.display()))?;
        manifest.insert(
            uuid.clone(),
            serde_json::json!({"info": format!("Relay wave {event}"), "date": "2026-11-01", "timestamp": timestamp.to_string(), "Orgc": {"name": "Bench CERT"}}),
        );
    }
    let path = folder.join("manifest.json");
    std::fs::write(&path, serde_json::Value::Object(manifest).to_string())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A written report of about 1 MB: numbered steps naming ATT&CK groups and software, citing
/// techniques and CVEs, with defanged indicators and the usual look-alikes (file names,
/// version numbers) the extractor must leave out.
fn written_report() -> String {
    const NAMES: &[&str] = &["APT29", "Turla", "Cobalt Strike", "Mimikatz", "Sandworm Team", "Lazarus Group"];
    let mut text = String::from("# Spring wave of relay thefts\n\n");
    let mut step = 0usize;
    while text.len() < REPORT_BYTES {
        step += 1;
        let name = NAMES[step % NAMES.len()];
        let _ = writeln!(
            text,
            "Step {step}: {name} used T1{:03} to reach c{step}.bad-relay[.]net and 203.0.{}.{}, dropping invoice{step}.pdf \
             (sha256 {:064x}) via hxxps://cdn{step}.relay-updates[.]org/p{step}.bin; version 1.2.3.{} fixed CVE-2024-{}.",
            step * 7 % 600,
            step % 250,
            step % 200 + 1,
            step as u128 * 0x9e37_79b9_7f4a_7c15,
            step % 9,
            1000 + step % 9000,
        );
    }
    text
}
