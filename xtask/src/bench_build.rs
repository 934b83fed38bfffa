//! `cargo xtask bench build`: times `stixpress build` against the targets — ATT&CK enterprise
//! (about 25,000 objects) under 5 s; 1,000,000 synthetic objects under 90 s and 3 GiB, at most
//! 11 KB written per published object, one object's new version republished in under 5 s — and
//! against a minimal writer that writes the same folders, files and bytes (target: the build
//! takes under twice as long).
//!
//! Every fresh build goes into a new folder under `<target>/bench-out/`, removed only at the end
//! of the run: ext4 skips inodes freed in the last minutes when it allocates new ones, so a
//! build right after `rm -rf` of a large tree pays for the removal (seen here: the same build
//! took 4 s or 13 s depending on it). For the real datasets the bench also counts the object
//! pages and compares them with the distinct ids it reads from the bundles itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bench::{measure, Measured, Options};
use crate::format::{mib, thousands};
use crate::rusage::Exit;
use crate::writer;

/// One timed `stixpress build`.
struct Built {
    seconds: f64,
    cpu_seconds: f64,
    max_rss: u64,
    summary: Summary,
}

/// The figures of the build's summary line.
#[derive(Default, Clone, Copy)]
struct Summary {
    objects: u64,
    withheld: u64,
    pages: u64,
    files: u64,
    written: u64,
    unchanged: u64,
    /// MiB the output holds (written and kept).
    mib: f64,
}

/// What a dataset's builds must stay under.
#[derive(Clone, Copy)]
struct Target {
    /// Seconds of a fresh build.
    seconds: f64,
    /// Peak MiB of a fresh build.
    mib: Option<f64>,
    /// Bytes the output holds per published object (KB of 1,000 bytes).
    kb_per_object: Option<f64>,
    /// Seconds of a rebuild after one object's new version.
    changed_seconds: Option<f64>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}s", self.seconds)?;
        if let Some(mib) = self.mib {
            write!(f, ",<{mib}MiB")?;
        }
        if let Some(kb) = self.kb_per_object {
            write!(f, ",<={kb}KB/object")?;
        }
        if let Some(seconds) = self.changed_seconds {
            write!(f, ",changed<{seconds}s")?;
        }
        Ok(())
    }
}

struct Dataset {
    name: &'static str,
    root: PathBuf,
    content: PathBuf,
    target: Option<Target>,
    /// Count pages against ids read from the bundles (real data; the synthetic set is too big
    /// to read twice for nothing).
    count_pages: bool,
    /// Also time an unchanged rebuild and the minimal writer.
    compare: bool,
    /// Also time a rebuild after one object changed (a file is added to the content for it and
    /// removed after: only for a repository the bench generated, never for shared data).
    change_one: bool,
}

/// Runs the build bench; returns the number of targets missed.
pub fn run(
    binary: &Path,
    root: &Path,
    target_dir: &Path,
    synthetic: &Path,
    options: &Options,
) -> Result<usize, String> {
    let out = target_dir.join("bench-out");
    if out.exists() {
        println!("removing {} left by an earlier run (fresh writes may be slower for a few minutes)", out.display());
        std::fs::remove_dir_all(&out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
    }
    let shared = root.join("..").join("shared").join("data");
    let shared = shared.canonicalize().unwrap_or(shared);
    let combined = combine(&out, &[shared.join("mitre-cti"), shared.join("unit42-playbooks").join("playbook_json")])?;
    let million = options.objects == 1_000_000;
    let enterprise = shared.join("mitre-cti").join("enterprise-attack");
    let datasets = [
        Dataset {
            name: "attack-enterprise",
            root: enterprise.clone(),
            content: enterprise,
            target: Some(Target { seconds: 5.0, mib: None, kb_per_object: None, changed_seconds: None }),
            count_pages: true,
            compare: true,
            change_one: false,
        },
        dataset("mitre-cti (ATT&CK, CAPEC)", shared.join("mitre-cti")),
        dataset("unit42-playbooks", shared.join("unit42-playbooks").join("playbook_json")),
        dataset("mitre-cti + unit42", combined.clone()),
        Dataset {
            name: "synthetic",
            root: synthetic.to_path_buf(),
            content: synthetic.join("content"),
            // The scale targets: under 90 s and 3 GiB fresh, 11 KB written per published object,
            // one object's new version republished in under 5 s.
            target: million.then_some(Target {
                seconds: 90.0,
                mib: Some(3072.0),
                kb_per_object: Some(11.0),
                changed_seconds: Some(5.0),
            }),
            count_pages: false,
            compare: true,
            change_one: true,
        },
    ];
    let mut missed = 0;
    let mut rows = Vec::new();
    for (n, dataset) in datasets.iter().enumerate() {
        if !dataset.content.is_dir() {
            println!("skipping {}: {} is not a folder", dataset.name, dataset.content.display());
            continue;
        }
        let output = out.join(format!("{n}-fresh"));
        let fresh = build(binary, dataset, &output, None)?;
        println!(
            "{}: {} objects ({} withheld), {} pages, {} files in {:.2} s, peak {}",
            dataset.name,
            thousands(fresh.summary.objects),
            thousands(fresh.summary.withheld),
            thousands(fresh.summary.pages),
            thousands(fresh.summary.files),
            fresh.seconds,
            mib(fresh.max_rss)
        );
        if dataset.count_pages {
            missed += usize::from(!pages_match(dataset, &output, &fresh.summary)?);
        }
        let mut row =
            Row { name: dataset.name, fresh, unchanged: None, changed: None, writer: None, target: dataset.target };
        if dataset.compare {
            let again = build(binary, dataset, &output, None)?;
            if again.summary.written != 0 {
                println!(
                    "  the unchanged rebuild rewrote {} files: output is not deterministic",
                    again.summary.written
                );
                missed += 1;
            }
            // Build and writer take turns, twice, and the faster of each is kept: the disk's
            // speed drifts over minutes, and both should meet the same disk.
            let plan = writer::plan(&output)?;
            let mut minimal = writer::write(&plan, &out.join(format!("{n}-writer-1")))?;
            let second = build(binary, dataset, &out.join(format!("{n}-fresh-2")), None)?;
            minimal = minimal.min(writer::write(&plan, &out.join(format!("{n}-writer-2")))?);
            println!(
                "  second fresh build {:.2} s; unchanged rebuild {:.2} s ({} unchanged); minimal writer: {} files, {} in {:.2} s (faster of two)",
                second.seconds,
                again.seconds,
                thousands(again.summary.unchanged),
                thousands(plan.files.len() as u64),
                mib(plan.bytes),
                minimal
            );
            if second.seconds < row.fresh.seconds {
                row.fresh = second;
            }
            row.unchanged = Some(again.seconds);
            row.writer = Some(minimal);
        }
        if dataset.change_one {
            let changed = rebuild_after_one_change(binary, dataset, &output, None)?;
            // Again with a load cache (`--cache`), filled by a build of the content unchanged.
            let cache = out.join(format!("{n}-load-cache"));
            build(binary, dataset, &output, Some(&cache))?;
            let cached = rebuild_after_one_change(binary, dataset, &output, Some(&cache))?;
            println!(
                "  one object renamed (a new version): rebuild {:.2} s, {} files written, {} unchanged; with a load cache {:.2} s",
                changed.seconds,
                thousands(changed.summary.written),
                thousands(changed.summary.unchanged),
                cached.seconds
            );
            if changed.summary.written == 0 {
                println!("  the change reached no file: the bench changed an object the audience does not see");
                missed += 1;
            }
            row.changed = Some(cached.seconds);
        }
        rows.push(row);
    }
    print_table(&rows);
    missed += rows.iter().filter(|row| row.missed()).count();
    std::fs::remove_dir_all(&out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
    Ok(missed)
}

/// Adds a new version of one object (renamed) to the content, rebuilds into `output`, and
/// removes the file again.
fn rebuild_after_one_change(
    binary: &Path,
    dataset: &Dataset,
    output: &Path,
    cache: Option<&Path>,
) -> Result<Built, String> {
    let object = first_named_object(&dataset.content)?;
    let mut changed = object.clone();
    changed["name"] = serde_json::json!(format!("{} (renamed by the bench)", object["name"].as_str().unwrap_or("")));
    // One millisecond later: a new version, not a conflict, and not later than the repository's
    // latest activity (which would move every page's mentions window to a new month).
    changed["modified"] = serde_json::json!(one_millisecond_later(object["modified"].as_str().unwrap_or_default()));
    let bundle = serde_json::json!({
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-00000000bec0",
        "objects": [changed],
    });
    let file = dataset.content.join("zz-bench-change.json");
    std::fs::write(&file, bundle.to_string()).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let result = build(binary, dataset, output, cache);
    std::fs::remove_file(&file).map_err(|e| format!("cannot remove {}: {e}", file.display()))?;
    result
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` one millisecond later (at .999, a time surely later than any the
/// generator writes).
fn one_millisecond_later(time: &str) -> String {
    let millis = time.len().checked_sub(4).and_then(|at| Some((at, time.get(at..at + 3)?.parse::<u32>().ok()?)));
    match millis {
        Some((at, ms)) if ms < 999 && time.ends_with('Z') => format!("{}{:03}Z", &time[..at], ms + 1),
        _ => "2026-01-01T00:00:00.000Z".to_owned(),
    }
}

/// Markings the default public audience sees (TLP:WHITE, TLP:CLEAR): the changed object must
/// be one it publishes, or the change reaches no output.
const PUBLIC_MARKINGS: [&str; 2] = [
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
];

/// The first object with a name, published to the public, in the first bundle file of
/// `content` that has one (by file name).
fn first_named_object(content: &Path) -> Result<serde_json::Value, String> {
    let mut dirs = vec![content.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(|e| Some(e.ok()?.path()))
            .collect();
        entries.sort();
        for path in entries.iter().rev() {
            if path.is_dir() {
                dirs.push(path.clone());
            }
        }
        for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let bundle: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let public = |o: &serde_json::Value| {
                let mut markings = o["object_marking_refs"].as_array().into_iter().flatten();
                markings.all(|m| m.as_str().is_some_and(|m| PUBLIC_MARKINGS.contains(&m)))
            };
            let named = bundle["objects"].as_array().into_iter().flatten().find(|o| {
                o["name"].is_string()
                    && !matches!(o["type"].as_str(), Some("marking-definition" | "identity"))
                    && public(o)
            });
            if let Some(object) = named {
                return Ok(object.clone());
            }
        }
    }
    Err(format!("no named object in {}", content.display()))
}

fn dataset(name: &'static str, content: PathBuf) -> Dataset {
    Dataset { name, root: content.clone(), content, target: None, count_pages: true, compare: false, change_one: false }
}

/// Runs `stixpress build --allow-errors` (the real datasets have errors: invalid objects are
/// left out), with a load cache when given, and measures it.
fn build(binary: &Path, dataset: &Dataset, output: &Path, cache: Option<&Path>) -> Result<Built, String> {
    let mut command = Command::new(binary);
    command
        .args(["build", "--allow-errors", "--root"])
        .arg(&dataset.root)
        .arg("--content")
        .arg(&dataset.content)
        .arg("--output")
        .arg(output);
    if let Some(cache) = cache {
        command.arg("--cache").arg(cache);
    }
    let Measured { usage, seconds, stderr, .. } = measure(&mut command)?;
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    if !matches!(usage.exit, Exit::Code(0)) {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!("stixpress build {} failed:\n{}", dataset.content.display(), tail.join("\n")));
    }
    let summary = stderr
        .lines()
        .find_map(parse_summary)
        .ok_or_else(|| format!("no summary line in the output of building {}", dataset.content.display()))?;
    Ok(Built { seconds, cpu_seconds: usage.cpu_seconds, max_rss: usage.max_rss, summary })
}

/// "built N objects for audience `public` (W withheld): P pages, F files (X written, U unchanged, …"
fn parse_summary(line: &str) -> Option<Summary> {
    let (objects, rest) = line.strip_prefix("built ")?.split_once(" objects for audience `")?;
    // The audience's name may hold digits: the counts start after it.
    let (_, counts) = rest.split_once("` (")?;
    let numbers: Vec<u64> = counts
        .split(|c: char| !c.is_ascii_digit() && c != ',')
        .filter(|s| s.bytes().any(|b| b.is_ascii_digit()))
        .filter_map(|s| s.replace(',', "").parse().ok())
        .collect();
    let objects = objects.replace(',', "").parse().ok()?;
    let [withheld, pages, files, written, unchanged, ..] = numbers[..] else { return None };
    let mib = counts.split_once(" MiB)")?.0.rsplit(' ').next()?.parse().ok()?;
    Some(Summary { objects, withheld, pages, files, written, unchanged, mib })
}

/// Every object page has an id from the bundles, and every id has a page unless withheld or
/// left out; the ids are read here with serde_json, independently of stixpress.
fn pages_match(dataset: &Dataset, output: &Path, summary: &Summary) -> Result<bool, String> {
    let ids = ids_in(&dataset.content);
    let pages: BTreeSet<String> = std::fs::read_dir(output.join("objects"))
        .map_err(|e| format!("no objects/ in {}: {e}", output.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    let strangers = pages.difference(&ids).count();
    let without_page = ids.len() - (pages.len() - strangers);
    let ok = strangers == 0 && pages.len() as u64 == summary.objects;
    println!(
        "  {} distinct ids in the bundles: {} pages; {} ids without a page ({} withheld, the rest left out as invalid){}",
        thousands(ids.len() as u64),
        thousands(pages.len() as u64),
        thousands(without_page as u64),
        thousands(summary.withheld),
        if ok { "" } else { " — MISMATCH" }
    );
    Ok(ok)
}

fn ids_in(dir: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.filter_map(|e| Some(e.ok()?.path())) {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let Ok(value) = std::fs::read(&path).map(|b| serde_json::from_slice::<serde_json::Value>(&b)) else {
                    continue;
                };
                let Ok(value) = value else { continue };
                let objects = match value.get("objects").and_then(|o| o.as_array()) {
                    Some(objects) => objects.clone(),
                    None => vec![value],
                };
                ids.extend(objects.iter().filter_map(|o| o.get("id")?.as_str().map(str::to_owned)));
            }
        }
    }
    ids
}

/// One content folder holding several datasets, hard-linked (copied where links fail) so
/// that nothing points out of it.
fn combine(out: &Path, sources: &[PathBuf]) -> Result<PathBuf, String> {
    let combined = out.join("combined");
    for (n, source) in sources.iter().enumerate() {
        if source.is_dir() {
            link_tree(source, &combined.join(n.to_string()))?;
        }
    }
    Ok(combined)
}

fn link_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            link_tree(&source, &target)?;
        } else if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target).map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
        }
    }
    Ok(())
}

struct Row {
    name: &'static str,
    fresh: Built,
    unchanged: Option<f64>,
    /// A rebuild after one object changed.
    changed: Option<f64>,
    writer: Option<f64>,
    target: Option<Target>,
}

impl Row {
    /// KB (1,000 bytes) the output holds per published object.
    fn kb_per_object(&self) -> f64 {
        self.fresh.summary.mib * 1048576.0 / 1000.0 / self.fresh.summary.objects.max(1) as f64
    }

    fn ratio(&self) -> Option<f64> {
        self.writer.map(|w| self.fresh.seconds / w.max(1e-9))
    }

    fn missed(&self) -> bool {
        let over = |limit: Option<f64>, value: Option<f64>| limit.zip(value).is_some_and(|(l, v)| v >= l);
        let target = self.target.is_some_and(|t| {
            self.fresh.seconds >= t.seconds
                || over(t.mib, Some(self.fresh.max_rss as f64 / 1048576.0))
                || over(t.kb_per_object, Some(self.kb_per_object()))
                || over(t.changed_seconds, self.changed)
        });
        target || self.ratio().is_some_and(|r| r >= 2.0)
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!("fresh = build into a new folder (the faster of two where a writer is shown); unchanged = the same build again;");
    println!(
        "one changed = a rebuild after one object's new version, with a load cache; writer = a minimal program writing the same folders,"
    );
    println!("files and bytes; ratio = fresh / writer; KB/object = bytes the output holds per published object");
    println!(
        "{:<26} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>11} {:>10} {:>9} {:>6}  met",
        "dataset",
        "pages",
        "fresh s",
        "cpu s",
        "pages/s",
        "peak MiB",
        "KB/object",
        "unchanged",
        "one changed",
        "writer s",
        "ratio",
        "target"
    );
    for row in rows {
        let optional = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.2}"));
        let target = row.target.map_or_else(|| "-".to_owned(), |t| t.to_string());
        println!(
            "{:<26} {:>9} {:>8.2} {:>8.2} {:>8} {:>8.0} {:>9.1} {:>9} {:>11} {:>10} {:>9} {:>6}  {}",
            row.name,
            thousands(row.fresh.summary.pages),
            row.fresh.seconds,
            row.fresh.cpu_seconds,
            thousands((row.fresh.summary.pages as f64 / row.fresh.seconds.max(1e-9)) as u64),
            row.fresh.max_rss as f64 / 1048576.0,
            row.kb_per_object(),
            optional(row.unchanged),
            optional(row.changed),
            optional(row.writer),
            optional(row.ratio()),
            target,
            if row.missed() { "NO" } else { "yes" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_one_millisecond_later() {
        assert_eq!(one_millisecond_later("2024-05-22T15:33:55.303Z"), "2024-05-22T15:33:55.304Z");
        assert_eq!(one_millisecond_later("2024-05-22T15:33:55.999Z"), "2026-01-01T00:00:00.000Z");
        assert_eq!(one_millisecond_later("2024-05-22"), "2026-01-01T00:00:00.000Z");
    }

    #[test]
    fn the_summary_line_is_read() {
        let line = "built 24,764 objects for audience `members2` (3 withheld): 25022 pages, 25024 files \
                    (10 written, 25014 unchanged, 0 removed, 239.5 MiB) in 3.92 s";
        let s = parse_summary(line).unwrap();
        assert_eq!(
            (s.objects, s.withheld, s.pages, s.files, s.written, s.unchanged, s.mib),
            (24764, 3, 25022, 25024, 10, 25014, 239.5)
        );
    }
}
