//! `cargo xtask bench hostile`: what a hostile pull request can cost. Writes one bundle of each
//! shape into `<target>/bench-data/hostile/` and times `stixpress check --format json`,
//! `stixpress check` (the human format) and `stixpress build --allow-errors` on it, with
//! peak memory:
//!
//! - `one-line`: 1,000,000 `{}` objects on one 3 MB line (a million diagnostics on one line);
//! - `pretty`: the same objects one per line (the baseline the one-line file must match);
//! - `deep`: one object nesting arrays 1,000,000 deep;
//! - `wide-refs`: one report whose `object_refs` names 1,000,000 absent objects (a million
//!   repository diagnostics inside one array);
//! - `wide-object`: one object with 1,000,000 properties that are not STIX names;
//! - `crowd`: 16,000 objects of 16,000 custom types sharing one UUID (one AMBER) and 16,000
//!   notes naming it (once K² mention edges, warnings and type navigation: 8 GB and killed);
//! - `attack-id`: 20,000 custom objects carrying ATT&CK id T1 after an id of their own, one
//!   technique T1 and 20,000 sub-techniques T1.NNN citing it (once 20 s of object pages);
//! - `platforms`: 4,000 techniques each on a platform of its own, and 4,000 reports each with
//!   a label of its own (once a matrix copy and a timeline per name, each listing all: 107 s);
//! - `list-keys`: one object listing 100,000 objects of one key each, all different (once a
//!   column per key: 4,000 made a 144 MB page).
//!
//! Target (the issue's): `check` on the one-line and pretty shapes under 5 s and 1024 MiB. The
//! deep and wide shapes and the builds are reported without a target (their cost is linear,
//! but one object of a million members is checked on one core).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::format::mib;
use crate::rusage::{self, Exit};

const SECONDS: f64 = 5.0;
const MIB: f64 = 1024.0;
const COUNT: usize = 1_000_000;
/// The shapes the target applies to.
const TARGETED: &[&str] = &["one-line", "pretty"];

/// Writes the shapes and times each; returns how many targets were missed.
pub fn run(binary: &Path, target_dir: &Path) -> Result<usize, String> {
    let base = target_dir.join("bench-data").join("hostile");
    let mut missed = 0;
    println!("\nhostile shapes (target for check on {}: under {SECONDS} s and {MIB} MiB)", TARGETED.join(", "));
    println!("{:<12} {:<22} {:>9} {:>11} {:>12}", "shape", "command", "seconds", "peak", "diagnostics");
    for (name, write) in SHAPES {
        let dir = base.join(name);
        write_shape(&dir, *write)?;
        for (label, args) in commands(&dir) {
            let run = time(binary, &dir, &args)?;
            let checked = label.starts_with("check") && TARGETED.contains(name);
            let ok = !checked || (run.seconds < SECONDS && (run.max_rss as f64 / 1048576.0) < MIB);
            missed += usize::from(!ok);
            println!(
                "{name:<12} {label:<22} {:>9.2} {:>11} {:>12}{}",
                run.seconds,
                mib(run.max_rss),
                run.diagnostics.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                if ok { "" } else { "  MISSED" }
            );
        }
    }
    Ok(missed)
}

type Writer<'a> = &'a mut dyn Write;

/// Streams one shape's bundle.
type Shape = fn(Writer) -> std::io::Result<()>;

/// Each shape is streamed to its file: the bench's own memory stays small, since Linux counts
/// the parent's resident memory at `exec` into the child's peak.
const SHAPES: &[(&str, Shape)] = &[
    ("one-line", one_line),
    ("pretty", pretty),
    ("deep", deep),
    ("wide-refs", wide_refs),
    ("wide-object", wide_object),
    ("crowd", crowd),
    ("attack-id", attack_id),
    ("platforms", platforms),
    ("list-keys", list_keys),
];

const BUNDLE_HEAD: &str = r#"{"type":"bundle","id":"bundle--0d6e3ae5-2f07-4f3a-8d53-6a2d1b1c2a10","objects":["#;

fn one_line(out: Writer) -> std::io::Result<()> {
    out.write_all(BUNDLE_HEAD.as_bytes())?;
    for i in 0..COUNT {
        out.write_all(if i == 0 { b"{}" } else { b",{}" })?;
    }
    out.write_all(b"]}")
}

fn pretty(out: Writer) -> std::io::Result<()> {
    writeln!(out, "{BUNDLE_HEAD}")?;
    for i in 0..COUNT {
        out.write_all(if i == 0 { b"  {}" } else { b",\n  {}" })?;
    }
    out.write_all(b"\n]}\n")
}

fn deep(out: Writer) -> std::io::Result<()> {
    write!(out, "{BUNDLE_HEAD}{{\"type\":\"x-deep\",\"x\":")?;
    out.write_all(&vec![b'['; COUNT])?;
    out.write_all(&vec![b']'; COUNT])?;
    out.write_all(b"}]}")
}

const REPORT_HEAD: &str = r#"{"type":"report","spec_version":"2.1","id":"report--6c1c1f5e-8f5e-4b1e-9b0e-3d1f0a9b7c21","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"wide","published":"2024-01-01T00:00:00.000Z""#;

fn wide_refs(out: Writer) -> std::io::Result<()> {
    write!(out, "{BUNDLE_HEAD}{REPORT_HEAD},\"object_refs\":[")?;
    for i in 0..COUNT {
        let sep = if i == 0 { "" } else { "," };
        write!(out, "{sep}\"indicator--00000000-0000-4000-8000-{i:012}\"")?;
    }
    out.write_all(b"]}]}")
}

fn wide_object(out: Writer) -> std::io::Result<()> {
    write!(out, "{BUNDLE_HEAD}{REPORT_HEAD},\"object_refs\":[\"report--6c1c1f5e-8f5e-4b1e-9b0e-3d1f0a9b7c21\"]")?;
    for i in 0..COUNT {
        write!(out, ",\"Bad Name {i}\":{i}")?;
    }
    out.write_all(b"}]}")
}

/// The shared head of the objects below: `type`, `id` (type and UUID given), times.
fn head(out: Writer, first: bool, object_type: &str, uuid: &str) -> std::io::Result<()> {
    let sep = if first { "" } else { ",\n" };
    let times = r#""created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z""#;
    write!(out, r#"{sep}{{"type":"{object_type}","spec_version":"2.1","id":"{object_type}--{uuid}",{times}"#)
}

fn numbered(prefix: &str, n: usize) -> String {
    format!("{prefix}-0000-4000-8000-{n:012}")
}

const CROWDED: usize = 16_000;
const AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";

fn crowd(out: Writer) -> std::io::Result<()> {
    let uuid = numbered("c0c0c0c0", 0);
    out.write_all(BUNDLE_HEAD.as_bytes())?;
    head(out, true, "malware", &numbered("00000000", 1))?;
    out.write_all(br#","name":"Public","is_family":true}"#)?;
    for k in 0..CROWDED {
        head(out, false, &format!("x-kind-{k}"), &uuid)?;
        let marking = if k == CROWDED / 2 { format!(r#","object_marking_refs":["{AMBER}"]"#) } else { String::new() };
        write!(out, r#","name":"Kind {k}"{marking}}}"#)?;
        head(out, false, "note", &numbered("11111111", k))?;
        let malware = format!("malware--{}", numbered("00000000", 1));
        write!(out, r#","content":"See {uuid}.","object_refs":["{malware}"]}}"#)?;
    }
    out.write_all(b"]}")
}

const SHARING: usize = 20_000;

fn attack_id(out: Writer) -> std::io::Result<()> {
    out.write_all(BUNDLE_HEAD.as_bytes())?;
    head(out, true, "attack-pattern", &numbered("22222222", 0))?;
    out.write_all(br#","name":"Parent","external_references":[{"source_name":"mitre-attack","external_id":"T1"}]}"#)?;
    for n in 0..SHARING {
        // Custom ids sort before attack-pattern's: a search for T1's owner meets them first.
        head(out, false, "aaa-thing", &numbered("33333333", n))?;
        let refs = format!(
            r#"[{{"source_name":"x","external_id":"X-{n}"}},{{"source_name":"mitre-attack","external_id":"T1"}}]"#
        );
        write!(out, r#","name":"Thing {n}","external_references":{refs}}}"#)?;
        head(out, false, "attack-pattern", &numbered("44444444", n))?;
        let refs = format!(
            r#"[{{"source_name":"mitre-attack","external_id":"T1.{n:03}"}},{{"source_name":"mitre-attack","external_id":"T1","description":"T1"}}]"#
        );
        write!(out, r#","name":"Child {n}","description":"(Citation: T1)","external_references":{refs}}}"#)?;
    }
    out.write_all(b"]}")
}

const NAMES: usize = 4_000;

fn platforms(out: Writer) -> std::io::Result<()> {
    out.write_all(BUNDLE_HEAD.as_bytes())?;
    for n in 0..NAMES {
        let technique = numbered("55555555", n);
        head(out, n == 0, "attack-pattern", &technique)?;
        let phases = r#"[{"kill_chain_name":"mitre-attack","phase_name":"execution"}]"#;
        let refs = format!(r#"[{{"source_name":"mitre-attack","external_id":"T{n:04}"}}]"#);
        write!(
            out,
            r#","name":"Technique {n}","kill_chain_phases":{phases},"x_mitre_platforms":["Platform {n}"],"external_references":{refs}}}"#
        )?;
        head(out, false, "report", &numbered("66666666", n))?;
        let published = r#""published":"2026-01-01T00:00:00.000Z""#;
        write!(
            out,
            r#","name":"Report {n}",{published},"labels":["label-{n}","common"],"object_refs":["attack-pattern--{technique}"]}}"#
        )?;
    }
    out.write_all(b"]}")
}

fn list_keys(out: Writer) -> std::io::Result<()> {
    out.write_all(BUNDLE_HEAD.as_bytes())?;
    head(out, true, "malware", &numbered("77777777", 0))?;
    out.write_all(br#","name":"Keys","is_family":true,"x_list":["#)?;
    for n in 0..100_000 {
        write!(out, r#"{}{{"k{n}":{n}}}"#, if n == 0 { "" } else { "," })?;
    }
    out.write_all(b"]}]}")
}

fn write_shape(dir: &Path, write: Shape) -> Result<(), String> {
    let content = dir.join("content");
    std::fs::create_dir_all(&content).map_err(|e| format!("cannot create {}: {e}", content.display()))?;
    let file = content.join("hostile.json");
    let written = std::fs::File::create(&file).and_then(|f| {
        let mut out = std::io::BufWriter::new(f);
        write(&mut out)?;
        out.flush()
    });
    written.map_err(|e| format!("cannot write {}: {e}", file.display()))
}

fn commands(dir: &Path) -> Vec<(&'static str, Vec<String>)> {
    let root = dir.display().to_string();
    let out = dir.join("public").display().to_string();
    let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        ("check --format json", args(&["check", "--format", "json", "--root", &root])),
        ("check", args(&["check", "--root", &root])),
        ("build --allow-errors", args(&["build", "--allow-errors", "--no-history", "--root", &root, "--output", &out])),
    ]
}

struct Run {
    seconds: f64,
    max_rss: u64,
    diagnostics: Option<u64>,
}

/// Runs stixpress with its output going to files (not through the bench's memory).
fn time(binary: &Path, dir: &Path, args: &[String]) -> Result<Run, String> {
    let stdout_path = dir.join("stdout.txt");
    let stderr_path = dir.join("stderr.txt");
    let open = |path: &Path| std::fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()));
    let started = Instant::now();
    let child = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .stdin(Stdio::null())
        .stdout(open(&stdout_path)?)
        .stderr(open(&stderr_path)?)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let usage = rusage::wait(child.id()).map_err(|e| format!("cannot wait for stixpress: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !matches!(usage.exit, Exit::Code(0 | 1)) {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        return Err(format!("stixpress {} could not run:\n{}", args.join(" "), stderr.trim_end()));
    }
    let diagnostics = counted(&stdout_path);
    // A million diagnostics are hundreds of MB of output: kept only while they are counted.
    let _ = std::fs::remove_file(&stdout_path);
    let _ = std::fs::remove_file(&stderr_path);
    let _ = std::fs::remove_dir_all(dir.join("public"));
    Ok(Run { seconds, max_rss: usage.max_rss, diagnostics })
}

/// errors + warnings from the head of a JSON report (the counts come before the list).
fn counted(path: &Path) -> Option<u64> {
    let mut head = vec![0; 256];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).ok()?;
    let head = String::from_utf8_lossy(&head[..n]);
    let count = |key: &str| -> Option<u64> {
        let rest = &head[head.find(&format!("\"{key}\": "))? + key.len() + 4..];
        rest[..rest.find(|c: char| !c.is_ascii_digit())?].parse().ok()
    };
    Some(count("errors")? + count("warnings")?)
}
