//! Project tasks for stixpress, run as `cargo xtask <task>`:
//!
//! - `gen` writes a synthetic intelligence repository of valid STIX 2.1 bundles ([`gen`]);
//! - `bench` times `stixpress check` ([`bench`]) and `stixpress build` ([`bench_build`]) on real
//!   and synthetic repositories.

mod args;
mod bench;
mod bench_build;
mod bench_history;
mod bench_hostile;
mod bench_match;
mod bench_search;
mod bench_taxii;
mod format;
mod gen;
mod rusage;
mod writer;

use std::process::ExitCode;

use args::Args;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  gen --objects N --files M --out DIR [--seed S]
      Write a synthetic intelligence repository: DIR/content/<dd>/bundle-<n>.json, M bundle
      files holding N valid STIX 2.1 objects in all (N >= 200, M <= N). Same seed, same bytes
      (default seed 1). Counts accept 10_000, 10k, 1M.
  bench [check|build|taxii|history|search|hostile] [--objects N] [--files M] [--keep] [--binary PATH]
      Build stixpress (release), then benchmark it on mitre-cti, the Unit 42 playbooks and a
      synthetic repository (default 1M objects in 10k files, generated into
      <target>/bench-data/); without check or build, both.
      check: `stixpress check --format json` twice on each, the faster run against the targets.
      build: a fresh `stixpress build` of each (pages/s, peak memory, object pages counted
      against the ids in the bundles); for ATT&CK enterprise and the synthetic set also an
      unchanged rebuild and a minimal writer of the same files (the ratio must stay under 2).
      --keep keeps a synthetic repository this run generated (one that was already there is
      always reused and kept); --binary times that binary instead of building one.
      taxii (only when named): `stixpress serve` and medallion (the OASIS reference TAXII
      server, from target/peers-venv or STIXPRESS_PYTHON) both holding ATT&CK enterprise, under
      the same load generator: object-by-id requests/s over 8 connections for 10 s, median time
      of objects/?limit=100 pages; then serve alone on the synthetic repository.
      --medallion-timeout S bounds each medallion request (default 120 s); --no-synthetic
      skips the synthetic repository.
      hostile (only when named): one bundle of each hostile shape (1,000,000 `{}` objects on one
      line and pretty-printed, arrays nested 1,000,000 deep, one report naming 1,000,000
      absent objects, one object with 1,000,000 bad property names), written into
      <target>/bench-data/hostile/; times `check --format json`, `check` and
      `build --allow-errors` on each with peak memory. Target for check on the one-line and
      pretty shapes: 5 s and 1024 MiB.
      match (only when named): `stixpress match --feed` on a generated JSON-lines log of
      --log-mib M (default 1024) against `grep -F -f` with the same values (the synthetic
      repository's public blocklists): MB/s and peak memory of both.
      Exits 1 when a target is missed.
";

fn main() -> ExitCode {
    let mut list = std::env::args().skip(1);
    let task = list.next();
    let args = Args::new(list.collect());
    let result = match task.as_deref() {
        Some("gen") => gen::run(args),
        Some("bench") => bench::run(args),
        None | Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
