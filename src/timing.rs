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
        (Some(rss), Some(peak)) => format!(" (memory {} MiB, peak {} MiB{})", rss / 1024, peak / 1024, heap()),
        _ => String::new(),
    }
}

/// With the system allocator (the `system-allocator` feature, glibc), the bytes allocated and
/// not yet freed: what the program holds, without what an allocator keeps for later.
#[cfg(all(feature = "system-allocator", target_os = "linux", target_env = "gnu"))]
fn heap() -> String {
    /// glibc's `struct mallinfo2` (every field a `size_t`).
    #[repr(C)]
    struct MallInfo2 {
        arena: usize,
        ordblks: usize,
        smblks: usize,
        hblks: usize,
        hblkhd: usize,
        usmblks: usize,
        fsmblks: usize,
        uordblks: usize,
        fordblks: usize,
        keepcost: usize,
    }
    extern "C" {
        fn mallinfo2() -> MallInfo2;
    }
    // SAFETY: mallinfo2 takes no arguments and returns a plain struct of counters.
    let info = unsafe { mallinfo2() };
    // Allocations in the main arena and in other threads' arenas, plus those made with mmap.
    format!(", heap {} MiB", (info.uordblks + info.hblkhd) / 1048576)
}

#[cfg(not(all(feature = "system-allocator", target_os = "linux", target_env = "gnu")))]
fn heap() -> &'static str {
    ""
}
