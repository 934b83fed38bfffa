//! Import benchmark: a written report of 1 MB (prose with a defanged domain and an address every
//! fifth line), and one naming ATT&CK groups and software imported into ATT&CK enterprise (when
//! `../shared/data` is beside the repository); MISP events, 1,000 of 100 attributes each, in one `{"response": […]}` file and as
//! a MISP feed folder (manifest.json and one file an event); and a TAXII pull of 100,000
//! indicators from `stixpress serve`; each imported into an empty repository. Prints seconds,
//! objects and the peak resident memory of each import (Linux: the high-water mark is reset
//! before each one).
//!
//! Run with `cargo bench --bench import`. Targets: the report under 0.5 s, the events and the
//! feed under 5 s, the TAXII pull under 30 s.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use stixpress::cli::ImportFormat;
use stixpress::config::Config;
use stixpress::{import, ImportOptions};

fn report() -> String {
    let words = ["the", "actor", "used", "a", "loader", "then", "moved", "laterally", "over", "hosts"];
    let mut text = String::from("# A long report\n");
    let mut line = 0usize;
    while text.len() < 1_000_000 {
        line += 1;
        for i in 0..12 {
            text.push_str(words[(line * 7 + i * 3) % words.len()]);
            text.push(' ');
        }
        if line.is_multiple_of(5) {
            let _ = write!(text, "c2 at host{line}.bad-net[.]com and 10.{}.{}.7", line % 250, (line / 250) % 250);
        }
        text.push('\n');
    }
    text
}

/// A report of 1 MB as analysts write them about ATT&CK: steps naming groups and software,
/// citing techniques and CVEs, with defanged indicators and the look-alikes the extractor
/// leaves out (file names, version numbers). Imported into ATT&CK enterprise, it references
/// the groups, software and techniques and relates them to its subject.
fn attack_report() -> String {
    const NAMES: &[&str] = &["APT29", "Turla", "Cobalt Strike", "Mimikatz", "Sandworm Team", "Lazarus Group"];
    let mut text = String::from("# Spring wave\n\n");
    let mut step = 0usize;
    while text.len() < 1_000_000 {
        step += 1;
        let _ = writeln!(
            text,
            "Step {step}: {} used T1{:03} to reach c{step}.bad-relay[.]net and 203.0.{}.{}, dropping invoice{step}.pdf \
             via hxxps://cdn{step}.relay-updates[.]org/p{step}.bin; version 1.2.3.{} fixed CVE-2024-{}.",
            NAMES[step % NAMES.len()],
            step * 7 % 600,
            step % 250,
            step % 200 + 1,
            step % 9,
            1000 + step % 9000,
        );
    }
    text
}

fn misp_events(events: usize, attributes: usize) -> String {
    let mut list = Vec::with_capacity(events);
    for e in 0..events {
        let attrs: Vec<_> = (0..attributes)
            .map(|a| match a % 2 {
                0 => serde_json::json!({"type": "ip-dst", "value": format!("10.{}.{}.{}", e % 250, a, e / 250), "to_ids": true}),
                _ => serde_json::json!({"type": "domain", "value": format!("h{e}-{a}.evil.net"), "to_ids": true}),
            })
            .collect();
        list.push(serde_json::json!({"Event": {
            "uuid": format!("00000000-0000-4000-8000-{e:012}"), "info": format!("event {e}"),
            "date": "2026-11-20", "timestamp": "1795000000", "Attribute": attrs
        }}));
    }
    serde_json::json!({ "response": list }).to_string()
}

fn run(dir: &Path, source: &str, format: ImportFormat) -> (f64, usize) {
    run_in(dir, None, source, format)
}

/// Imports `source` (in `dir`) into the repository whose content is `content` (else `dir`'s).
fn run_in(dir: &Path, content: Option<&Path>, source: &str, format: ImportFormat) -> (f64, usize) {
    let source = if source.starts_with("http") { source.into() } else { dir.join(source) };
    let config = Config::load(Some(dir), content, dir).expect("config");
    let options = ImportOptions {
        sources: vec![source],
        format,
        name: None,
        to: None,
        now: stixpress::stix::Timestamp::parse("2026-12-01T00:00:00Z").ok(),
        collection: None,
        since: None,
        auth_env: None,
        limit: None,
    };
    reset_peak_memory();
    let started = Instant::now();
    let report = import(&config, &options, dir).expect("import runs");
    assert!(!report.has_errors(), "the import has errors: {:?}", report.diagnostics.first());
    (started.elapsed().as_secs_f64(), report.objects)
}

/// Writes each event of `misp_events` to a MISP feed folder with its manifest.
fn misp_feed(dir: &Path, events: usize, attributes: usize) {
    let all: serde_json::Value = serde_json::from_str(&misp_events(events, attributes)).expect("events");
    std::fs::create_dir_all(dir).expect("feed folder");
    let mut manifest = serde_json::Map::new();
    for event in all["response"].as_array().expect("list") {
        let uuid = event["Event"]["uuid"].as_str().expect("uuid");
        manifest.insert(uuid.to_owned(), serde_json::json!({"info": event["Event"]["info"]}));
        std::fs::write(dir.join(format!("{uuid}.json")), event.to_string()).expect("write event");
    }
    std::fs::write(dir.join("manifest.json"), serde_json::Value::Object(manifest).to_string()).expect("manifest");
}

/// A repository of `count` indicators (in files of 1,000) for `stixpress serve` to answer.
fn taxii_partner(dir: &Path, count: usize) {
    let content = dir.join("content");
    std::fs::create_dir_all(&content).expect("content");
    for file in 0..count.div_ceil(1000) {
        let objects: Vec<_> = (file * 1000..((file + 1) * 1000).min(count))
            .map(|n| {
                serde_json::json!({
                    "type": "indicator", "spec_version": "2.1",
                    "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
                    "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                    "name": format!("host {n}"), "indicator_types": ["malicious-activity"],
                    "pattern": format!("[domain-name:value = 'h{n}.partner-bad.net']"),
                    "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
                })
            })
            .collect();
        let bundle = serde_json::json!({
            "type": "bundle", "id": format!("bundle--00000000-0000-4000-8000-{file:012}"), "objects": objects,
        });
        std::fs::write(content.join(format!("{file:03}.json")), bundle.to_string()).expect("write bundle");
    }
}

/// `stixpress serve` on a free port; its base address. Killed when the guard drops.
struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> (Serve, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stixpress"))
        .args(["serve", "--port", "0", "--no-watch"])
        .current_dir(dir)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let base = loop {
        let line = lines.next().expect("serve listens").expect("stderr line");
        if let Some(rest) = line.split(" at http://").nth(1) {
            break format!("http://{}", rest.split('/').next().unwrap_or_default());
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (Serve(child), base)
}

/// Resets the peak resident memory (Linux `clear_refs` 5), so that each import's is its own.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident memory since the last reset, in MiB (0 where /proc is not there).
fn peak_memory_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok());
    kib.unwrap_or(0) / 1024
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("content")).expect("content");
    std::fs::write(dir.path().join("report.md"), report()).expect("write");
    std::fs::write(dir.path().join("events.json"), misp_events(1000, 100)).expect("write");
    let (seconds, objects) = run(dir.path(), "report.md", ImportFormat::Text);
    println!("text report, 1 MB: {seconds:.3} s, {objects} objects, peak {} MiB", peak_memory_mib());
    let attack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mitre-cti/enterprise-attack");
    if attack.is_dir() {
        std::fs::write(dir.path().join("attack-report.md"), attack_report()).expect("write");
        let (seconds, objects) = run_in(dir.path(), Some(&attack), "attack-report.md", ImportFormat::Text);
        println!(
            "text report naming ATT&CK groups, software, techniques, 1 MB, into ATT&CK enterprise: {seconds:.3} s \
             (loading the repository included), {objects} objects, peak {} MiB",
            peak_memory_mib()
        );
    }
    let (seconds, objects) = run(dir.path(), "events.json", ImportFormat::Misp);
    println!(
        "MISP, 1,000 events x 100 attributes in one file: {seconds:.3} s, {objects} objects, peak {} MiB",
        peak_memory_mib()
    );
    std::fs::remove_file(dir.path().join("events.json")).expect("remove");
    misp_feed(&dir.path().join("feed"), 1000, 100);
    let (seconds, objects) = run(dir.path(), "feed", ImportFormat::Auto);
    println!(
        "MISP feed folder, 1,000 events x 100 attributes: {seconds:.3} s, {objects} objects, peak {} MiB",
        peak_memory_mib()
    );

    let partner = tempfile::tempdir().expect("temp dir");
    taxii_partner(partner.path(), 100_000);
    let started = Instant::now();
    let (_server, base) = serve(partner.path());
    println!("(serve answers 100,000 indicators after {:.1} s)", started.elapsed().as_secs_f64());
    let collection = format!("{base}/taxii2/api/collections/53cc8462-778d-5082-8f0a-1f0bdda37ed7/");
    let (seconds, objects) = run(dir.path(), &collection, ImportFormat::Taxii);
    println!(
        "TAXII pull from serve, 100,000 objects: {seconds:.3} s, {objects} objects, peak {} MiB",
        peak_memory_mib()
    );
}
