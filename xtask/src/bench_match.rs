//! `cargo xtask bench match`: `stixpress match` on a generated JSON-lines log, against
//! `grep -F -f` given the same values on the same file. The values are the public blocklists of
//! the synthetic repository (built once into `<target>/bench-data/match-feed-…`); the log is
//! generated (`--log-mib M`, default 1024) with a listed value planted in one line of 1,000
//! and the rest decoys of the same shapes. Prints MB/s and peak memory of both; the target is
//! the issue's: under 10 s for 1 GiB, faster than grep, under 1 GiB of memory.
//!
//! grep runs with `LC_ALL=C` (its fastest: no multibyte decoding) and `-c`, so neither tool pays
//! for printing; `match` prints its hits as JSON lines into a pipe the bench drains.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bench::{measure, Measured};
use crate::format::mib;
use crate::rusage::Exit;

/// The kinds `match` looks for (AS numbers are not).
const KINDS: &[&str] =
    &["ipv4", "ipv6", "domain", "url", "email", "md5", "sha1", "sha256", "sha512", "filename", "mutex", "user-agent"];

pub fn run(binary: &Path, target_dir: &Path, synthetic: &Path, log_mib: u64) -> Result<usize, String> {
    let data = target_dir.join("bench-data");
    let name = synthetic.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let feed = data.join(format!("match-feed-{name}"));
    if !feed.join("feeds/blocklists/indicators.csv").is_file() {
        println!("building the public feeds of {}", synthetic.display());
        let mut command = Command::new(binary);
        command
            .args([
                "build",
                "--allow-errors",
                "--no-history",
                "--audience",
                "public",
                "--now",
                "2026-11-23T00:00:00Z",
                "--root",
            ])
            .arg(synthetic)
            .arg("--content")
            .arg(synthetic.join("content"))
            .arg("--output")
            .arg(&feed);
        let built = measure(&mut command)?;
        if !matches!(built.usage.exit, Exit::Code(0)) {
            return Err(format!("stixpress build failed:\n{}", String::from_utf8_lossy(&built.stderr)));
        }
    }
    let values = values(&feed)?;
    let values_file = data.join(format!("match-values-{name}.txt"));
    std::fs::write(&values_file, values.join("\n") + "\n").map_err(|e| format!("{}: {e}", values_file.display()))?;
    let log = data.join(format!("match-log-{log_mib}.jsonl"));
    let planted = write_log(&log, log_mib << 20, &values)?;
    let bytes = std::fs::metadata(&log).map_err(|e| e.to_string())?.len();
    println!("{} values; log {} with {planted} planted lines", values.len(), mib(bytes));
    let mut ours = Command::new(binary);
    ours.arg("match").arg("--feed").arg(&feed).arg(&log);
    let ours = measure(&mut ours)?;
    let found = String::from_utf8_lossy(&ours.stdout).lines().count();
    let mut grep = Command::new("grep");
    grep.env("LC_ALL", "C").args(["-F", "-c", "-f"]).arg(&values_file).arg(&log);
    let grep = measure(&mut grep)?;
    let grep_lines = String::from_utf8_lossy(&grep.stdout).trim().to_owned();
    print_row("stixpress match", &ours, bytes, &format!("{found} hits"));
    print_row("grep -F -f (LC_ALL=C)", &grep, bytes, &format!("{grep_lines} lines"));
    let scaled = ours.seconds * (1u64 << 30) as f64 / bytes as f64;
    let mut missed = 0;
    if scaled >= 10.0 {
        println!("  MISSED: {scaled:.1} s per GiB (target: under 10 s)");
        missed += 1;
    }
    if ours.seconds >= grep.seconds {
        println!("  MISSED: not faster than grep -F -f");
        missed += 1;
    }
    if ours.usage.max_rss >= 1 << 30 {
        println!("  MISSED: peak memory {} (target: under 1 GiB)", mib(ours.usage.max_rss));
        missed += 1;
    }
    if !matches!(ours.usage.exit, Exit::Code(0 | 1)) {
        return Err(format!("stixpress match failed:\n{}", String::from_utf8_lossy(&ours.stderr)));
    }
    Ok(missed)
}

fn print_row(what: &str, run: &Measured, bytes: u64, found: &str) {
    println!(
        "  {what:<24} {:>7.2} s  {:>8.1} MB/s  peak {:>10}  {found}",
        run.seconds,
        bytes as f64 / 1e6 / run.seconds,
        mib(run.usage.max_rss)
    );
}

/// Every value of the kinds `match` looks for, from the per-kind lists.
fn values(feed: &Path) -> Result<Vec<String>, String> {
    let mut values = Vec::new();
    for kind in KINDS {
        let path: PathBuf = feed.join(format!("feeds/blocklists/{kind}.txt"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        values.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    }
    if values.is_empty() {
        return Err(format!("no values in {}/feeds/blocklists", feed.display()));
    }
    Ok(values)
}

/// A JSON-lines log of about `size` bytes (reused when present); returns the planted lines.
fn write_log(path: &Path, size: u64, values: &[String]) -> Result<u64, String> {
    let every = 1000;
    let lines_wanted = size / 230;
    let planted = lines_wanted / every;
    if std::fs::metadata(path).is_ok_and(|m| m.len() >= size * 9 / 10) {
        return Ok(planted);
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for n in 0..lines_wanted {
        let r = next();
        let domain = if n % every == 0 {
            values[(r % values.len() as u64) as usize].clone()
        } else {
            format!("host{}.corp{}.example.org", r % 100_000, r % 97)
        };
        let sha: String = (0..4).map(|_| format!("{:016x}", next())).collect();
        writeln!(
            out,
            "{{\"ts\":\"2026-11-20T10:{:02}:{:02}.{:03}Z\",\"src\":\"10.{}.{}.{}\",\"dst\":\"172.16.{}.{}\",\"query\":\"{domain}\",\"sha256\":\"{sha}\",\"status\":{}}}",
            n / 60 % 60,
            n % 60,
            n % 1000,
            r % 256,
            r >> 8 & 255,
            r >> 16 & 255,
            r >> 24 & 255,
            r >> 32 & 255,
            200 + r % 300
        )
        .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(planted)
}
