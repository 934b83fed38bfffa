//! Stage timings: with `STIXPRESS_TIMINGS` set, each stage prints how long the run has taken
//! and the memory in use, so a stage's cost shows between two lines.

use std::time::Instant;

/// With `STIXPRESS_TIMINGS` set, prints the time since `started` and the memory in use and at
/// its peak so far (Linux), so a stage's cost shows between two lines.
pub(crate) fn log_timing(stage: &str, started: Instant) {
    if std::env::var_os("STIXPRESS_TIMINGS").is_some() {
        eprintln!("[timing] {stage}: {:.3} s{}", started.elapsed().as_secs_f64(), memory());
    }
}

/// With `STIXPRESS_TIMINGS` set, prints a figure a stage measured about its output.
pub(crate) fn log_figures(stage: &str, figures: &str) {
    if std::env::var_os("STIXPRESS_TIMINGS").is_some() {
        eprintln!("[figures] {stage}: {figures}");
    }
}

fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!(" (memory {} MiB, peak {} MiB)", rss / 1024, peak / 1024),
        _ => String::new(),
    }
}
