//! The human format: rustc-style, with the offending line and a caret under the column.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Diagnostic, Summary};

/// How many characters of a source line are shown around the column (bundles are often
/// minified onto one line megabytes long).
const WINDOW: usize = 100;

pub fn print_human(out: &mut dyn Write, diagnostics: &[Diagnostic], summary: &Summary) -> io::Result<()> {
    print_diagnostics_human(out, diagnostics)?;
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

/// The diagnostics alone, without the closing totals.
pub fn print_diagnostics_human(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    let mut sources = SourceLines::default();
    for diagnostic in diagnostics {
        print_one(out, diagnostic, &mut sources)?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_one(out: &mut dyn Write, d: &Diagnostic, sources: &mut SourceLines) -> io::Result<()> {
    writeln!(out, "{}[{}]: {}", d.severity, d.code, d.message)?;
    let file = d.location.file.display();
    match (d.location.line, d.location.column) {
        (Some(line), Some(column)) => {
            writeln!(out, "  --> {file}:{line}:{column}")?;
            if let Some(text) = sources.line(&d.location.file, line) {
                print_snippet(out, &text, line, column)?;
            }
        }
        _ if !d.location.file.as_os_str().is_empty() => writeln!(out, "  --> {file}")?,
        _ => {}
    }
    if let Some(id) = &d.object_id {
        writeln!(out, "   = object: {id}")?;
    }
    if let Some(pointer) = &d.pointer {
        writeln!(out, "   = at: {pointer}")?;
    }
    if let Some(help) = &d.help {
        writeln!(out, "   = help: {help}")?;
    }
    writeln!(out)
}

fn print_snippet(out: &mut dyn Write, text: &str, line: usize, column: usize) -> io::Result<()> {
    let chars: Vec<char> = text.chars().collect();
    let column0 = column.saturating_sub(1).min(chars.len());
    let start = column0.saturating_sub(WINDOW / 2);
    let end = (start + WINDOW).min(chars.len());
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < chars.len() { "…" } else { "" };
    let shown: String = chars[start..end].iter().map(|&c| if c.is_control() { ' ' } else { c }).collect();
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    let caret_at = prefix.chars().count() + column0 - start;
    writeln!(out, "{pad} |")?;
    writeln!(out, "{gutter} | {prefix}{shown}{suffix}")?;
    writeln!(out, "{pad} | {}^", " ".repeat(caret_at))
}

/// Reads each file at most once to show lines from it.
#[derive(Default)]
struct SourceLines {
    files: HashMap<PathBuf, Option<String>>,
}

impl SourceLines {
    fn line(&mut self, path: &Path, line: usize) -> Option<String> {
        let text = self
            .files
            .entry(path.to_owned())
            .or_insert_with(|| std::fs::read(path).ok().map(|b| String::from_utf8_lossy(&b).into_owned()));
        text.as_deref()?.split('\n').nth(line.checked_sub(1)?).map(|l| l.trim_end_matches('\r').to_owned())
    }
}
