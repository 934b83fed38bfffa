//! `diff --format markdown`: a pull-request comment. Contributor text is escaped (names can hold
//! Markdown or HTML), long lists are cut so the comment stays under the 65,536 characters
//! GitHub accepts.

use std::io::{self, Write};

use super::{Change, DiffReport, Kind, Side};
use crate::diag::Severity;
use crate::stix::label::type_label;

/// Items listed per section; the rest are counted.
const LISTED: usize = 50;

pub fn print_markdown(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    writeln!(out, "## stixpress diff: {} → {}\n", side(&report.base), side(&report.head))?;
    if report.changes.items.is_empty() {
        writeln!(out, "No object changes ({} objects unchanged).\n", report.changes.unchanged)?;
    } else {
        writeln!(out, "| change | objects |\n|---|---:|")?;
        for kind in Kind::ALL {
            writeln!(out, "| {} | {} |", heading(kind), report.changes.count(kind))?;
        }
        writeln!(out, "| unchanged | {} |\n", report.changes.unchanged)?;
    }
    write_problems(out, report)?;
    for kind in Kind::ALL {
        write_section(out, kind, report)?;
    }
    write_diagnostics(out, report)
}

fn side(side: &Side) -> String {
    match &side.commit {
        Some(sha) => format!("`{}` ({})", code(&side.name), &sha[..sha.len().min(10)]),
        None => escape(&side.name),
    }
}

fn heading(kind: Kind) -> &'static str {
    match kind {
        Kind::Added => "added",
        Kind::Modified => "new versions",
        Kind::Revoked => "revoked",
        Kind::Deprecated => "deprecated",
        Kind::Removed => "removed",
    }
}

/// The warnings a reviewer must not miss, first.
fn write_problems(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    let errors = report.introduced_errors();
    let warnings = report.introduced.len() - errors;
    if errors + warnings > 0 {
        writeln!(out, "**This change introduces {}.**\n", plural(errors, "error", warnings))?;
    } else {
        writeln!(out, "This change introduces no diagnostics.\n")?;
    }
    if report.fixed > 0 {
        writeln!(out, "It fixes {} the base had.\n", count(report.fixed, "diagnostic"))?;
    }
    let removed = report.changes.count(Kind::Removed);
    if removed > 0 {
        writeln!(
            out,
            "> [!WARNING]\n> {} removed. Consumers keep the copies they fetched and will never learn it is gone: revoke or deprecate it instead (a new version with `revoked: true`).\n",
            count(removed, "published object")
        )?;
    }
    let in_place = report.changes.items.iter().filter(|c| c.same_version && c.kind != Kind::Removed).count();
    if in_place > 0 {
        writeln!(
            out,
            "> [!WARNING]\n> {} changed without a new `modified` time: consumers that have this version will not see the change.\n",
            count(in_place, "object")
        )?;
    }
    Ok(())
}

fn write_section(out: &mut dyn Write, kind: Kind, report: &DiffReport) -> io::Result<()> {
    let total = report.changes.count(kind);
    if total == 0 {
        return Ok(());
    }
    let title = heading(kind);
    let mut chars = title.chars();
    let title: String = chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect();
    writeln!(out, "### {title} ({total})\n")?;
    for change in report.changes.of(kind).take(LISTED) {
        writeln!(out, "- {}", item(change))?;
    }
    if total > LISTED {
        writeln!(out, "- … and {} more (`stixpress diff --format json` lists all)", total - LISTED)?;
    }
    writeln!(out)
}

fn item(change: &Change) -> String {
    let mut line = format!("{} **{}** `{}`", type_label(&change.object_type), escape(&change.name), code(&change.id));
    if let (Some(from), Some(to)) = (&change.from, &change.to) {
        if from != to {
            line.push_str(&format!(" {} → {}", escape(from), escape(to)));
        }
    }
    if !change.properties.is_empty() {
        let names: Vec<String> = change.properties.iter().take(12).map(|p| format!("`{}`", code(p))).collect();
        let more = change.properties.len().saturating_sub(12);
        line.push_str(&format!(
            ": {}{}",
            names.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    if change.same_version && change.kind != Kind::Removed {
        line.push_str(" (same `modified`)");
    }
    line
}

fn write_diagnostics(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    if report.introduced.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Diagnostics introduced ({})\n", report.introduced.len())?;
    for d in report.introduced.iter().take(LISTED) {
        let mut place = d.location.file.display().to_string();
        if let (Some(line), Some(column)) = (d.location.line, d.location.column) {
            place.push_str(&format!(":{line}:{column}"));
        }
        let severity = if d.severity == Severity::Error { "error" } else { "warning" };
        writeln!(out, "- **{severity}** `{}` `{}`: {}", d.code, code(&place), escape(&d.message))?;
    }
    if report.introduced.len() > LISTED {
        writeln!(out, "- … and {} more (`stixpress check` lists all)", report.introduced.len() - LISTED)?;
    }
    writeln!(out)
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn plural(errors: usize, noun: &str, warnings: usize) -> String {
    format!("{} and {}", count(errors, noun), count(warnings, "warning"))
}

/// Contributor text as plain Markdown text inside a line: punctuation that could start markup
/// is escaped, and line breaks become spaces (a list item stays one line).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            // Inside a line only these start markup (`@` would notify a user).
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if crate::diag::is_hostile(c) => out.push_str(&crate::diag::printable(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// Text for a code span: backticks would end it, so they are replaced; control and bidi
/// characters are shown escaped.
fn code(text: &str) -> String {
    crate::diag::printable(text).chars().map(|c| if c == '`' { '\'' } else { c }).collect()
}
