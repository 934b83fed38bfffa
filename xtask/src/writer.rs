//! The baseline a build is compared with: the least a program can do to produce the same
//! output — create the same folders and write files of the same sizes, one after the other.

use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to write: relative paths and sizes, in the order a walk finds them.
pub struct Plan {
    pub files: Vec<(PathBuf, usize)>,
    pub bytes: u64,
}

/// The files under `dir` and their sizes.
pub fn plan(dir: &Path) -> Result<Plan, String> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let entries =
            std::fs::read_dir(dir.join(&relative)).map_err(|e| format!("cannot read {}: {e}", relative.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = relative.join(entry.file_name());
            let meta = entry.metadata().map_err(|e| format!("cannot stat {}: {e}", path.display()))?;
            if meta.is_dir() {
                pending.push(path);
            } else {
                files.push((path, meta.len() as usize));
            }
        }
    }
    let bytes = files.iter().map(|(_, size)| *size as u64).sum();
    Ok(Plan { files, bytes })
}

/// Writes the plan under `out` and returns the seconds it took.
pub fn write(plan: &Plan, out: &Path) -> Result<f64, String> {
    let largest = plan.files.iter().map(|(_, size)| *size).max().unwrap_or(0);
    let filler = vec![b'x'; largest];
    let started = Instant::now();
    for (relative, size) in &plan.files {
        let path = out.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &filler[..*size]).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(started.elapsed().as_secs_f64())
}
