//! Pattern benchmark: parses every indicator pattern of the Unit 42 playbooks
//! (../shared/data/unit42-playbooks) and a set of single-comparison patterns, on one core, and
//! prints patterns per second and the values extracted per observable type.
//!
//! Run with `cargo bench --bench patterns`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use stixpress::stix::pattern::{self, Dialect};

fn unit42_patterns() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/unit42-playbooks/playbook_json");
    let mut patterns = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} is missing: no Unit 42 figures", dir.display());
        return patterns;
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let Ok(bundle) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        for object in bundle["objects"].as_array().into_iter().flatten() {
            if object["type"] == "indicator" {
                if let Some(p) = object["pattern"].as_str() {
                    patterns.push(p.to_owned());
                }
            }
        }
    }
    patterns
}

/// Parses every pattern `rounds` times; returns patterns per second.
fn rate(patterns: &[String], rounds: usize) -> f64 {
    let started = Instant::now();
    let mut parsed = 0usize;
    for _ in 0..rounds {
        for p in patterns {
            if pattern::parse(std::hint::black_box(p), Dialect::Stix20).is_ok() {
                parsed += 1;
            }
        }
    }
    std::hint::black_box(parsed);
    (patterns.len() * rounds) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let unit42 = unit42_patterns();
    let failures: Vec<_> = unit42.iter().filter(|p| pattern::parse(p, Dialect::Stix20).is_err()).collect();
    println!("unit42 indicator patterns: {} ({} do not parse)", unit42.len(), failures.len());
    for p in &failures {
        println!("  does not parse: {p}");
    }
    let mut by_type: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for p in &unit42 {
        if let Ok(parsed) = pattern::parse(p, Dialect::Stix20) {
            let extraction = parsed.extract();
            for test in extraction.tests {
                let entry = by_type.entry(test.object_type).or_default();
                entry.0 += 1;
                if extraction.blocklist {
                    entry.1 += 1;
                }
            }
        }
    }
    println!("{:<20} {:>8} {:>10}", "observable type", "values", "blocklist");
    for (kind, (all, blocklist)) in &by_type {
        println!("{kind:<20} {all:>8} {blocklist:>10}");
    }
    if !unit42.is_empty() {
        println!("unit42 patterns/s (one core): {:.0}", rate(&unit42, 200));
    }
    let single: Vec<String> = (0..1000)
        .map(|i| match i % 4 {
            0 => format!("[ipv4-addr:value = '198.51.{}.{}']", i % 200, i % 250),
            1 => format!("[domain-name:value = 'host{i}.example.net']"),
            2 => format!("[file:hashes.'SHA-256' = '{:064x}']", i as u128 * 0x9e37_79b9_7f4a_7c15),
            _ => format!("[url:value = 'https://example.org/p/{i}']"),
        })
        .collect();
    println!("single-comparison patterns/s (one core): {:.0}", rate(&single, 2000));
}
