//! `cargo xtask gen`: writes a synthetic intelligence repository of valid STIX 2.1 bundles,
//! the same bytes for the same seed, for benchmarks and scale tests.
//!
//! The mix, as shares of the distinct objects: 35% indicators, about 31% relationships, 5%
//! reports, 4% malware, 3% vulnerabilities, 3% sightings, 1.5% each of intrusion sets, threat
//! actors, campaigns, tools and courses of action, 1% identities and attack patterns, 8%
//! cyber-observables (ipv4-addr, domain-name, file, url), and the four TLP 1.0 marking
//! definitions. 3% of the objects written are later versions (same id, later `modified`) of an
//! earlier one, usually in another file. One reference in a thousand names an absent object on
//! purpose (see `shapes`). Objects are spread over the files at random; file 0 starts with the
//! marking definitions.
//!
//! Every object is a pure function of (seed, index, version) (see `model`), so files are
//! written in parallel and nothing per object is held but its place in the file order.

mod json;
mod model;
mod names;
mod objects;
mod observables;
mod rng;
mod sha1;
mod shapes;
mod values;
mod words;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::args::Args;
use crate::format::{mib, thousands};
use json::Json;
use model::{Kind, Plan, Slot, KINDS};
use rng::{Rng, Stream};

pub struct Options {
    pub objects: u64,
    pub files: u64,
    pub seed: u64,
}

/// What was written.
#[derive(Default)]
pub struct Summary {
    pub files: u64,
    pub objects: u64,
    pub bytes: u64,
    per_kind: [u64; KINDS.len()],
    later_versions: u64,
    dangling: u64,
    pub seconds: f64,
}

pub fn run(mut args: Args) -> Result<(), String> {
    let objects = args.count("--objects")?.ok_or("gen needs --objects N")?;
    let files = args.count("--files")?.ok_or("gen needs --files M")?;
    let out = PathBuf::from(args.value("--out")?.ok_or("gen needs --out DIR")?);
    let seed = args.count("--seed")?.unwrap_or(1);
    args.finish()?;
    let summary = generate(&Options { objects, files, seed }, &out)?;
    summary.print(&out.join("content"));
    Ok(())
}

/// Writes the repository into `out/content/`, which must not exist yet.
pub fn generate(options: &Options, out: &Path) -> Result<Summary, String> {
    let started = Instant::now();
    let plan = Plan::new(options.objects, options.seed)?;
    if options.files == 0 || options.files > options.objects {
        return Err(format!("--files must be between 1 and --objects ({}), not {}", options.objects, options.files));
    }
    let content = out.join("content");
    if content.exists() {
        return Err(format!("{} already exists: remove it or choose another --out", content.display()));
    }
    for dir in 0..options.files.min(100) {
        let path = content.join(format!("{dir:02}"));
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    }
    let slots = plan.slots();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u64).min(options.files);
    let parts: Vec<Result<Summary, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (plan, slots, content) = (&plan, &slots, &content);
                scope.spawn(move || write_files(plan, slots, options.files, (t, threads), content))
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a writer thread panicked".into()))).collect()
    });
    let mut summary = Summary::default();
    for part in parts {
        summary.add(&part?);
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Writes every file whose number is `thread` modulo `threads`.
fn write_files(
    plan: &Plan,
    slots: &[Slot],
    files: u64,
    (thread, threads): (u64, u64),
    content: &Path,
) -> Result<Summary, String> {
    let mut json = Json::default();
    let mut summary = Summary::default();
    let total = slots.len() as u64;
    for file in (thread..files).step_by(threads as usize) {
        let range = (file * total / files) as usize..((file + 1) * total / files) as usize;
        json.clear();
        write_bundle(plan, &slots[range], file, &mut json, &mut summary);
        let path = file_path(content, file, files);
        std::fs::write(&path, json.bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        summary.files += 1;
        summary.bytes += json.bytes().len() as u64;
    }
    Ok(summary)
}

fn write_bundle(plan: &Plan, slots: &[Slot], file: u64, json: &mut Json, summary: &mut Summary) {
    json.begin_object();
    json.str_field("type", "bundle");
    json.str_field("id", &format!("bundle--{}", Rng::keyed(plan.seed, file, Stream::Bundle).uuid4()));
    json.key("objects");
    json.begin_array();
    for &slot in slots {
        json.element();
        summary.dangling += objects::write(plan, slot, json);
        summary.per_kind[plan.kind_of(slot.index) as usize] += 1;
        summary.later_versions += u64::from(slot.version > 0);
        summary.objects += 1;
    }
    json.end_array();
    json.end_object();
    json.end_document();
}

/// content/<file mod 100>/bundle-<file>.json
fn file_path(content: &Path, file: u64, files: u64) -> PathBuf {
    let width = (files - 1).to_string().len().max(5);
    content.join(format!("{:02}", file % 100)).join(format!("bundle-{file:0width$}.json"))
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.files += other.files;
        self.objects += other.objects;
        self.bytes += other.bytes;
        self.later_versions += other.later_versions;
        self.dangling += other.dangling;
        for (mine, theirs) in self.per_kind.iter_mut().zip(other.per_kind) {
            *mine += theirs;
        }
    }

    pub fn print(&self, content: &Path) {
        println!(
            "wrote {} files, {} objects ({} of them later versions of an object), {} ({} bytes) in {:.1} s into {}",
            thousands(self.files),
            thousands(self.objects),
            thousands(self.later_versions),
            mib(self.bytes),
            thousands(self.bytes),
            self.seconds,
            content.display()
        );
        let mut rows: Vec<(Kind, u64)> = KINDS.iter().map(|&k| (k, self.per_kind[k as usize])).collect();
        rows.sort_by_key(|&(kind, count)| (std::cmp::Reverse(count), kind.type_name()));
        for (kind, count) in rows {
            let share = 100.0 * count as f64 / self.objects.max(1) as f64;
            println!("  {:<20} {:>12}  {share:5.1}%", kind.type_name(), thousands(count));
        }
        println!("  references to objects absent on purpose (about 0.1%): {}", thousands(self.dangling));
    }
}
