//! The `stixpress` binary: parse arguments, call the library, print, choose the exit code
//! (0 no errors, 1 errors in the content, 2 could not run).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use stixpress::cli::{Cli, Command, DiffFormat};
use stixpress::config::Config;
use stixpress::diag::{self, Format};

// Rendering allocates many small strings on every core; glibc's allocator spends a fifth of
// the build contending for its arenas. The `system-allocator` feature leaves it out, for memory
// profilers (heaptrack) that see only the system allocator's calls.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed memory for a second before it gives it back to the system (its
/// `purge_delay`); a build frees and allocates hundreds of megabytes stage after stage, so a
/// quarter of the peak was memory already freed. After 10 ms, the peak at 250,000 objects falls
/// from 794 MB to 757 MB for no CPU time we could measure. `MIMALLOC_PURGE_DELAY` still wins.
#[cfg(not(feature = "system-allocator"))]
fn give_freed_memory_back_sooner() {
    // `mi_option_purge_delay` in mimalloc.h's `mi_option_e`, the same in mimalloc 2 and 3.
    const PURGE_DELAY: std::ffi::c_int = 15;
    const MILLISECONDS: std::ffi::c_long = 10;
    extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mimalloc's options are atomics it reads on every purge; setting one is
        // allowed at any time, from any thread.
        unsafe { mi_option_set(PURGE_DELAY, MILLISECONDS) }
    }
}

/// mimalloc asks the kernel for transparent huge pages for its arenas (`MADV_HUGEPAGE`): each
/// first touch of a region then zeroes 2 MiB, and a region given back (above) and used again is
/// zeroed whole again, the kernel compacting memory to find such pages. Without them, measured
/// in turn: a million-object `check` spent 1.7–1.9 s of system time instead of 3.9–5.2 s, and a
/// fresh build of 250,000 objects peaked at 719 MB instead of 748–756 MB, for no wall time we
/// could tell apart. This is what `MIMALLOC_ALLOW_THP=0` does, which mimalloc reads only when
/// it starts, before `main`; that variable, set either way, still decides.
#[cfg(all(not(feature = "system-allocator"), target_os = "linux"))]
fn without_transparent_huge_pages() {
    // From linux/prctl.h.
    const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
    extern "C" {
        fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
    }
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        let (on, unused): (std::ffi::c_ulong, std::ffi::c_ulong) = (1, 0);
        // SAFETY: this prctl only sets a flag of the process (inherited by its children); on a
        // kernel without it, it fails with EINVAL, and pages stay as they were.
        unsafe { prctl(PR_SET_THP_DISABLE, on, unused, unused, unused) };
    }
}

fn main() -> ExitCode {
    #[cfg(not(feature = "system-allocator"))]
    give_freed_memory_back_sooner();
    #[cfg(all(not(feature = "system-allocator"), target_os = "linux"))]
    without_transparent_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in stixpress::error::causes(&err) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, stixpress::error::Error> {
    let cwd = std::env::current_dir().map_err(|e| stixpress::error::Error::io(std::path::Path::new("."), e))?;
    // A new repository needs no configuration (and must not read one from a folder above).
    if let Command::Init { dir, name } = &cli.command {
        return init(&cwd.join(dir), name.as_deref());
    }
    if let Command::Match { logs, audience, feed, now, format, sighted_by } = &cli.command {
        let now = match now.as_deref().map(stixpress::stix::Timestamp::parse) {
            None => stixpress::stix::Timestamp::now(),
            Some(Ok(time)) => time,
            Some(Err(problem)) => return Err(stixpress::error::Error::Usage(format!("--now: {problem}"))),
        };
        if let Some(identity) = sighted_by {
            if !identity.starts_with("identity--") {
                return Err(stixpress::error::Error::Usage(format!(
                    "--sighted-by: `{identity}` is not an identity id"
                )));
            }
        }
        let known = match feed {
            Some(source) => stixpress::matching::feed::read_source(source, &cwd)?,
            None => {
                let config = Config::load(cli.root.as_deref(), cli.content.as_deref(), &cwd)?;
                stixpress::known_for_audience(&config, audience.as_deref(), now, &cwd)?
            }
        };
        let options = stixpress::matching::Options { logs, format: *format, sighted_by: sighted_by.as_deref(), now };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let hits = stixpress::matching::run(&known, &options, &mut out)?;
        finish_output(out.flush())?;
        return Ok(if hits > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let config = Config::load(cli.root.as_deref(), cli.content.as_deref(), &cwd)?;
    match cli.command {
        Command::Init { .. } | Command::Match { .. } => unreachable!("handled above"),
        Command::New { object_type, name, bundle } => {
            let object = stixpress::scaffold::new_object(&object_type, name.as_deref(), &config.new)?;
            println!("{}", object.to_json(bundle)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { base, head, format } => {
            let report = stixpress::diff(&config, &base, head.as_deref(), &cwd)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let printed = match format {
                DiffFormat::Markdown => stixpress::diff::print_markdown(&mut out, &report),
                DiffFormat::Json => stixpress::diff::print_json(&mut out, &report),
            };
            finish_output(printed.and_then(|()| out.flush()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { paths, format, changed_since, all, cache } => {
            let report = match &changed_since {
                Some(rev) => stixpress::check_changed_since(&config, rev, &cwd)?,
                // The human summary says what each audience would not get.
                None => stixpress::check(&config, &paths, &cwd, format == Format::Human, cache.as_deref())?,
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let printed = match format {
                Format::Human => {
                    let max_per_code = (!all).then_some(config.check.max_per_code);
                    let options = diag::HumanOptions { max_per_code };
                    diag::print_check_human(&mut out, &report.diagnostics, &report.summary, options).and_then(|()| {
                        report
                            .withholding
                            .iter()
                            .try_for_each(|w| print_withholding(&mut out, &w.audience, w.total, &w.lines()))
                    })
                }
                Format::Json => diag::print_json(&mut out, &report.diagnostics, &report.summary),
                Format::Github => diag::print_github(&mut out, &report.diagnostics, &report.summary),
                Format::Sarif => diag::print_sarif(&mut out, &report.diagnostics, &report.summary),
            };
            finish_output(printed.and_then(|()| out.flush()))?;
            Ok(if report.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Build { output, audience, allow_errors, now, rev, no_history, cache } => {
            let output = output.map(|dir| cwd.join(dir));
            let now = match now.as_deref().map(stixpress::stix::Timestamp::parse) {
                None => None,
                Some(Ok(time)) => Some(time),
                Some(Err(problem)) => {
                    return Err(stixpress::error::Error::Usage(format!("--now: {problem}")));
                }
            };
            let options = stixpress::BuildOptions {
                owned_output: false,
                audience,
                output,
                allow_errors,
                progress: true,
                keep_taxii_index: false,
                now,
                rev,
                history: !no_history,
                load_cache: cache,
            };
            let report = stixpress::build(&config, &options, &cwd)?;
            Ok(print_build(&report, config.check.max_per_code))
        }
        Command::Import { sources, format, name, to, now, collection, since, auth_env, limit } => {
            let now = timestamp_option("--now", now.as_deref())?;
            let since = timestamp_option("--since", since.as_deref())?;
            if sources.is_empty() {
                let given = to.is_some() || name.is_some() || collection.is_some() || since.is_some();
                if given || config.imports.is_empty() {
                    return Err(stixpress::error::Error::Usage(
                        "name a source to import, or list recurring sources as [[import]] tables in stixpress.toml"
                            .into(),
                    ));
                }
                return Ok(import_all(&config, now, &cwd));
            }
            let options =
                stixpress::ImportOptions { sources, format, name, to, now, collection, since, auth_env, limit };
            let report = stixpress::import(&config, &options, &cwd)?;
            Ok(print_import(&report))
        }
        Command::Serve { port, audience, allow_errors, no_watch } => {
            let options = stixpress::serve::ServeOptions { port, audience, allow_errors, watch: !no_watch };
            stixpress::serve::serve(config, options, cwd)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A `--now`-like option read as a STIX timestamp.
fn timestamp_option(
    flag: &str,
    value: Option<&str>,
) -> Result<Option<stixpress::stix::Timestamp>, stixpress::error::Error> {
    match value.map(stixpress::stix::Timestamp::parse) {
        None => Ok(None),
        Some(Ok(time)) => Ok(Some(time)),
        Some(Err(problem)) => Err(stixpress::error::Error::Usage(format!("{flag}: {problem}"))),
    }
}

/// A reader that stopped early (`| head`) is not a failure of the command.
fn finish_output(result: std::io::Result<()>) -> Result<(), stixpress::error::Error> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(stixpress::error::Error::Write { what: "the report".into(), source: e }),
        Ok(()) => Ok(()),
    }
}

fn init(dir: &std::path::Path, name: Option<&str>) -> Result<ExitCode, stixpress::error::Error> {
    let folder_name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let options =
        stixpress::scaffold::InitOptions { dir: dir.to_path_buf(), name: name.unwrap_or(&folder_name).to_owned() };
    let files = stixpress::scaffold::init(&options)?;
    println!("created an intelligence repository in {}:", dir.display());
    for file in files {
        println!("  {file}");
    }
    println!("next: cd {} && stixpress check && stixpress build", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Prints the bundle (unless written to a file), then the diagnostics and a summary on stderr.
/// Runs every `[[import]]` source; the exit code is the worst of theirs.
fn import_all(
    config: &stixpress::config::Config,
    now: Option<stixpress::stix::Timestamp>,
    cwd: &std::path::Path,
) -> ExitCode {
    let mut worst = 0u8;
    for (name, result) in stixpress::import_all(config, now, cwd) {
        eprintln!("import `{name}`:");
        let code = match result {
            Ok(report) => show_import(&report),
            Err(e) => {
                eprintln!("error: {}", stixpress::error::in_one_line(&e));
                2
            }
        };
        worst = worst.max(code);
    }
    ExitCode::from(worst)
}

fn print_import(report: &stixpress::ImportReport) -> ExitCode {
    ExitCode::from(show_import(report))
}

/// Prints an import's bundle (without `--to`) and diagnostics; its exit code.
fn show_import(report: &stixpress::ImportReport) -> u8 {
    if report.written.is_none() {
        let mut out = std::io::stdout().lock();
        if finish_output(out.write_all(report.bundle.as_bytes()).and_then(|()| out.flush())).is_err() {
            return 2;
        }
    }
    let mut err = std::io::stderr().lock();
    let _ = diag::print_diagnostics_human(&mut err, &report.diagnostics);
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    let place = report.written.as_ref().map(|p| format!(" into {}", p.display())).unwrap_or_default();
    let _ = writeln!(err, "imported {} objects{place}: {errors} errors, {warnings} warnings", report.objects);
    u8::from(report.has_errors())
}

/// What an audience does not get and why, largest cause first (nothing when it gets everything).
fn print_withholding(out: &mut dyn Write, audience: &str, total: usize, causes: &[String]) -> std::io::Result<()> {
    if total == 0 {
        return Ok(());
    }
    writeln!(out, "withheld from `{audience}`: {total} object{}", if total == 1 { "" } else { "s" })?;
    for cause in causes {
        writeln!(out, "  {cause}")?;
    }
    Ok(())
}

/// At most 20 ids, then how many more (a hostile bundle can leave out a million).
fn listed(ids: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut text = ids.iter().take(SHOWN).map(|id| diag::printable(id)).collect::<Vec<_>>().join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    text
}

/// Prints a build's errors (at most `max_per_code` of each code, then a summary per code), its
/// warnings as a count, and what was written.
fn print_build(report: &stixpress::BuildReport, max_per_code: usize) -> ExitCode {
    let errors: Vec<_> = report.check.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    let options = diag::HumanOptions { max_per_code: Some(max_per_code) };
    let _ = diag::print_check_human(&mut err, &errors, &report.check.summary, options);
    let warnings = report.check.summary.warnings;
    if warnings > 0 {
        let _ = writeln!(err, "({warnings} warnings not shown: `stixpress check` lists them)");
    }
    let _ = diag::print_diagnostics_human(&mut err, &report.site_diagnostics);
    match &report.outcome {
        stixpress::BuildOutcome::Refused => {
            let _ = writeln!(
                err,
                "not published: fix the errors above, or build with --allow-errors to leave out invalid objects"
            );
            ExitCode::from(1)
        }
        stixpress::BuildOutcome::Built { left_out, audiences } => {
            if !left_out.is_empty() {
                let _ = writeln!(err, "left out {} invalid objects: {}", left_out.len(), listed(left_out));
            }
            for stats in audiences {
                let w = &stats.withholding;
                let _ = print_withholding(&mut err, &stats.audience, w.total, &w.lines());
                let f = &stats.files;
                let _ = writeln!(
                    err,
                    "built {} objects for audience `{}` ({} withheld): {} pages, {} files ({} written, {} unchanged, {} removed, {:.1} MiB) in {:.2} s into {}",
                    stats.objects,
                    stats.audience,
                    stats.withheld,
                    stats.pages,
                    f.files(),
                    f.written,
                    f.unchanged,
                    f.removed,
                    f.bytes as f64 / 1048576.0,
                    stats.seconds,
                    stats.output.display(),
                );
            }
            ExitCode::SUCCESS
        }
    }
}
