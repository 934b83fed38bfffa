//! `cargo xtask bench history`: provenance, `diff` and `check --changed-since` on the five
//! ATT&CK releases of ../shared/data/mitre-cti-history.bundle (cloned once into
//! target/bench-history).
//!
//! Provenance is timed from stixpress's own stage timings (`STIXPRESS_TIMINGS`): the time of
//! the provenance stage of a `build --allow-errors` (the release has errors MITRE published),
//! against the target of under 10 s for the whole history. Each command runs twice; the faster
//! run is reported, with its peak memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::format::mib;
use crate::rusage::{self, Exit};

const TARGET_SECONDS: f64 = 10.0;

pub fn run(binary: &Path, root: &Path, target_dir: &Path) -> Result<usize, String> {
    let bundle = root.join("../shared/data/mitre-cti-history.bundle");
    let clone = target_dir.join("bench-history");
    if !clone.join(".git").is_dir() {
        let status = Command::new("git")
            .args(["-c", "init.defaultBranch=main", "clone", "-q"])
            .arg(&bundle)
            .arg(&clone)
            .status()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !status.success() {
            return Err(format!("git clone {} failed", bundle.display()));
        }
    }
    let out = target_dir.join("bench-history-out");
    let commits = git(&clone, &["rev-list", "HEAD"])?;
    let commits: Vec<&str> = commits.lines().collect();
    let (v17_1, v18_0) = (commits.get(2).copied().unwrap_or("HEAD"), commits.get(1).copied().unwrap_or("HEAD"));
    println!("history: {} commits in {}", commits.len(), clone.display());
    // --root: no stixpress.toml from a folder above (this repository's own) applies.
    let root_arg = clone.to_str().ok_or("the clone's path is not UTF-8")?;
    let content = ["--root", root_arg, "--content", "enterprise-attack"];
    let build = ["build", "--allow-errors", "--output", out.to_str().unwrap_or("out")];
    let (build_run, stages) = best_of_two(binary, &clone, &[&content[..], &build[..]].concat())?;
    let provenance = stage(&stages, "provenance")? - stage(&stages, "check")?;
    let no_history = [&content[..], &build[..], &["--no-history"]].concat();
    let (plain_run, _) = best_of_two(binary, &clone, &no_history)?;
    let diff = [&content[..], &["diff", v17_1, v18_0, "--format", "json"]].concat();
    let (diff_run, _) = best_of_two(binary, &clone, &diff)?;
    let changed = [&content[..], &["check", "--format", "json", "--changed-since", v17_1]].concat();
    let (changed_run, _) = best_of_two(binary, &clone, &changed)?;
    println!("| what | seconds | peak memory |\n|---|---:|---:|");
    let met = provenance < TARGET_SECONDS;
    let verdict = if met { "met" } else { "MISSED" };
    println!("| provenance, {} commits (target < {TARGET_SECONDS} s: {verdict}) | {provenance:.2} | |", commits.len());
    println!("| build with history | {:.2} | {} |", build_run.0, mib(build_run.1));
    println!("| build --no-history | {:.2} | {} |", plain_run.0, mib(plain_run.1));
    println!("| diff v17.1 v18.0 | {:.2} | {} |", diff_run.0, mib(diff_run.1));
    println!("| check --changed-since v17.1 | {:.2} | {} |", changed_run.0, mib(changed_run.1));
    Ok(usize::from(!met))
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git").current_dir(dir).args(args).output().map_err(|e| format!("git: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The faster of two runs: (seconds, peak bytes), and the stage timings it printed.
fn best_of_two(binary: &Path, dir: &Path, args: &[&str]) -> Result<((f64, u64), String), String> {
    let mut best: Option<((f64, u64), String)> = None;
    for _ in 0..2 {
        let started = Instant::now();
        let child = Command::new(binary)
            .current_dir(dir)
            .args(args)
            .env("STIXPRESS_TIMINGS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let pid = child.id();
        let mut stderr = child.stderr.ok_or("no stderr")?;
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        let usage = rusage::wait(pid).map_err(|e| format!("wait: {e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let text = reader.join().map_err(|_| "stderr reader panicked")?;
        match usage.exit {
            Exit::Code(0 | 1) => {}
            Exit::Code(code) => return Err(format!("stixpress {args:?} exited with {code}: {text}")),
            Exit::Signal(signal) => return Err(format!("stixpress {args:?} killed by signal {signal}")),
        }
        if best.as_ref().is_none_or(|b| seconds < b.0 .0) {
            best = Some(((seconds, usage.max_rss), text));
        }
    }
    best.ok_or_else(|| "no run".into())
}

/// The time a stage timing line reports (`[timing] <name>: 1.234 s (memory …)`).
fn stage(timings: &str, name: &str) -> Result<f64, String> {
    let prefix = format!("[timing] {name}: ");
    timings
        .lines()
        .find_map(|line| line.strip_prefix(&prefix)?.split(' ').next()?.parse().ok())
        .ok_or_else(|| format!("no `{name}` timing in the output"))
}
