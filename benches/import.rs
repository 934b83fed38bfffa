//! Import benchmark: a written report of 1 MB (prose with a defanged domain and an address every
//! fifth line) and MISP events, 1,000 of 100 attributes each in one `{"response": […]}` file,
//! imported into an empty repository; prints seconds and objects made.
//!
//! Run with `cargo bench --bench import`. Targets: the report under 0.5 s, the events under 5 s.

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
    let config = Config::load(Some(dir), None, dir).expect("config");
    let options = ImportOptions {
        sources: vec![dir.join(source)],
        format,
        name: None,
        to: None,
        now: stixpress::stix::Timestamp::parse("2026-12-01T00:00:00Z").ok(),
        collection: None,
        since: None,
        auth_env: None,
        limit: None,
    };
    let started = Instant::now();
    let report = import(&config, &options, dir).expect("import runs");
    (started.elapsed().as_secs_f64(), report.objects)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("content")).expect("content");
    std::fs::write(dir.path().join("report.md"), report()).expect("write");
    std::fs::write(dir.path().join("events.json"), misp_events(1000, 100)).expect("write");
    let (seconds, objects) = run(dir.path(), "report.md", ImportFormat::Text);
    println!("text report, 1 MB: {seconds:.3} s, {objects} objects");
    let (seconds, objects) = run(dir.path(), "events.json", ImportFormat::Misp);
    println!("MISP, 1,000 events x 100 attributes: {seconds:.3} s, {objects} objects");
}
