//! The human format: rustc-style, with a window of the offending line and a caret under the
//! column, at most a configurable number of diagnostics per code, and a closing summary per
//! code (count, severity, one example, the help) so a flood of one warning does not drown the
//! rest. Contributed text and file names are printed through [`printable`]; a line is never
//! copied whole (bundles are often minified onto one line megabytes long).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{printable, printable_path, Diagnostic, LineIndex, Severity, Summary};

/// How many characters of a source line are shown around the column.
const WINDOW: usize = 100;

/// How much of a check's diagnostics the human format lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanOptions {
    /// Diagnostics listed per code; the rest are counted in the summary. `None`: all.
    pub max_per_code: Option<usize>,
}

impl HumanOptions {
    pub const ALL: HumanOptions = HumanOptions { max_per_code: None };
}

/// Every diagnostic, then the totals (what `build` and `serve` print for errors).
pub fn print_human(out: &mut dyn Write, diagnostics: &[Diagnostic], summary: &Summary) -> io::Result<()> {
    print_diagnostics_human(out, diagnostics)?;
    print_totals(out, summary)
}

/// `check`'s report: at most `max_per_code` diagnostics of each code, a summary per code, how
/// to see the rest, and the totals.
pub fn print_check_human(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    summary: &Summary,
    options: HumanOptions,
) -> io::Result<()> {
    let mut sources = SourceLines::default();
    let mut shown: HashMap<&str, usize> = HashMap::new();
    let mut hidden = 0;
    for diagnostic in diagnostics {
        let count = shown.entry(diagnostic.code).or_default();
        if options.max_per_code.is_some_and(|max| *count >= max) {
            hidden += 1;
            continue;
        }
        *count += 1;
        print_one(out, diagnostic, &mut sources)?;
    }
    print_code_summary(out, diagnostics)?;
    if hidden > 0 {
        let max = options.max_per_code.unwrap_or_default();
        writeln!(
            out,
            "{hidden} more diagnostic{} not shown (at most {max} per code): `stixpress check --all` lists every one, `--format json` gives them to tools, `[check] max_per_code` in stixpress.toml changes the limit",
            plural(hidden)
        )?;
    }
    print_totals(out, summary)
}

/// The diagnostics alone, without the closing totals.
pub fn print_diagnostics_human(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    let mut sources = SourceLines::default();
    for diagnostic in diagnostics {
        print_one(out, diagnostic, &mut sources)?;
    }
    Ok(())
}

fn print_totals(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    writeln!(
        out,
        "checked {} file{}, {} object{}: {} error{}, {} warning{}",
        summary.files,
        plural(summary.files),
        summary.objects,
        plural(summary.objects),
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings)
    )
}

/// One line per code, errors first, then by count: how many, one example, the help.
fn print_code_summary(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    let mut by_code: BTreeMap<(Severity, &str), (usize, &Diagnostic)> = BTreeMap::new();
    for d in diagnostics {
        by_code.entry((d.severity, d.code)).or_insert((0, d)).0 += 1;
    }
    if by_code.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<_> = by_code.into_iter().collect();
    rows.sort_by(|a, b| a.0 .0.cmp(&b.0 .0).then(b.1 .0.cmp(&a.1 .0)).then(a.0 .1.cmp(b.0 .1)));
    writeln!(out, "summary by code:")?;
    for ((severity, code), (count, example)) in rows {
        let place = place(example);
        let at = if place.is_empty() { String::new() } else { format!("{place}: ") };
        writeln!(out, "  {count:>7} {severity}[{code}]: e.g. {at}{}", printable(&example.message))?;
        if let Some(help) = &example.help {
            writeln!(out, "          help: {}", printable(help))?;
        }
    }
    writeln!(out)
}

fn place(d: &Diagnostic) -> String {
    let mut place = printable_path(&d.location.file);
    if let (Some(line), Some(column)) = (d.location.line, d.location.column) {
        place.push_str(&format!(":{line}:{column}"));
    }
    place
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_one(out: &mut dyn Write, d: &Diagnostic, sources: &mut SourceLines) -> io::Result<()> {
    writeln!(out, "{}[{}]: {}", d.severity, d.code, printable(&d.message))?;
    let file = printable_path(&d.location.file);
    match (d.location.line, d.location.column) {
        (Some(line), Some(column)) => {
            writeln!(out, "  --> {file}:{line}:{column}")?;
            if let Some(window) = sources.window(&d.location.file, line, column) {
                print_snippet(out, &window, line)?;
            }
        }
        _ if !d.location.file.as_os_str().is_empty() => writeln!(out, "  --> {file}")?,
        _ => {}
    }
    if let Some(id) = &d.object_id {
        writeln!(out, "   = object: {}", printable(id))?;
    }
    if let Some(pointer) = &d.pointer {
        writeln!(out, "   = at: {}", printable(pointer))?;
    }
    if let Some(help) = &d.help {
        writeln!(out, "   = help: {}", printable(help))?;
    }
    writeln!(out)
}

/// The characters of a line around a column, and where the caret goes in them.
struct Window {
    cut_before: bool,
    text: String,
    cut_after: bool,
    caret: usize,
}

fn print_snippet(out: &mut dyn Write, window: &Window, line: usize) -> io::Result<()> {
    let prefix = if window.cut_before { "…" } else { "" };
    let suffix = if window.cut_after { "…" } else { "" };
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    let caret_at = prefix.chars().count() + window.caret;
    writeln!(out, "{pad} |")?;
    writeln!(out, "{gutter} | {prefix}{}{suffix}", window.text)?;
    writeln!(out, "{pad} | {}^", " ".repeat(caret_at))
}

/// Reads each file at most once and indexes its lines once.
#[derive(Default)]
struct SourceLines {
    files: HashMap<PathBuf, Option<(String, LineIndex)>>,
}

impl SourceLines {
    fn window(&mut self, path: &Path, line: usize, column: usize) -> Option<Window> {
        let (text, index) = self
            .files
            .entry(path.to_owned())
            .or_insert_with(|| {
                let text = String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned();
                let index = LineIndex::new(&text);
                Some((text, index))
            })
            .as_ref()?;
        let (start, end) = index.line_range(text, line)?;
        let at = index.offset_of(text, line, column)?;
        Some(window_around(&text[start..end], at - start))
    }
}

/// At most [`WINDOW`] characters of `line` around byte `at`, control characters shown as
/// spaces (so the caret stays under its column).
fn window_around(line: &str, at: usize) -> Window {
    let before: Vec<char> = line[..at].chars().rev().take(WINDOW / 2).collect();
    let cut_before = line[..at].chars().nth_back(WINDOW / 2).is_some();
    let after: String = line[at..].chars().take(WINDOW - before.len()).collect();
    let cut_after = after.len() < line.len() - at;
    let visible = |c: char| if super::is_hostile(c) { ' ' } else { c };
    let text: String = before.iter().rev().copied().chain(after.chars()).map(visible).collect();
    Window { cut_before, text, cut_after, caret: before.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_shows_a_window_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let window = window_around(&line, 5000);
        assert!(window.cut_before && window.cut_after);
        assert_eq!(window.text.chars().count(), WINDOW);
        assert_eq!(window.text.chars().nth(window.caret), Some('X'));
        let short = window_around("{\"a\":1}", 1);
        assert!(!short.cut_before && !short.cut_after);
        assert_eq!((short.text.as_str(), short.caret), ("{\"a\":1}", 1));
    }

    #[test]
    fn at_most_n_per_code_then_a_summary() {
        let d = |code, n: usize| {
            Diagnostic::warning(code, format!("m{n}\u{1b}[2J")).in_file("f\u{7}.json").with_help("do it")
        };
        let diagnostics: Vec<_> = (0..5).map(|n| d("a-code", n)).chain([d("b-code", 9)]).collect();
        let mut out = Vec::new();
        let summary = Summary { files: 1, objects: 1, errors: 0, warnings: 6 };
        print_check_human(&mut out, &diagnostics, &summary, HumanOptions { max_per_code: Some(2) }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("warning[a-code]: m").count(), 2, "{text}");
        assert!(text.contains("warning[b-code]: m9"));
        assert!(text.contains("5 warning[a-code]: e.g. f\\u{7}.json: m0\\u{1b}[2J"), "{text}");
        assert!(text.contains("3 more diagnostics not shown (at most 2 per code)"));
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
    }
}
