//! The github format: workflow commands that GitHub Actions turns into annotations on the
//! pull request's changed lines.

use std::io::{self, Write};

use super::{Diagnostic, Severity, Summary};

pub fn print_github(out: &mut dyn Write, diagnostics: &[Diagnostic], summary: &Summary) -> io::Result<()> {
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut params = vec![format!("file={}", escape_property(&d.location.file.display().to_string()))];
        if let Some(line) = d.location.line {
            params.push(format!("line={line}"));
        }
        if let Some(column) = d.location.column {
            params.push(format!("col={column}"));
        }
        params.push(format!("title={}", escape_property(d.code)));
        let mut message = d.message.clone();
        if let Some(id) = &d.object_id {
            message.push_str(&format!(" ({id})"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        writeln!(out, "::{level} {}::{}", params.join(","), escape_data(&message))?;
    }
    writeln!(
        out,
        "stixpress: {} files, {} objects: {} errors, {} warnings",
        summary.files, summary.objects, summary.errors, summary.warnings
    )
}

/// Workflow-command data escaping (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Property values additionally escape `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_newlines_and_percent_stays_on_one_annotation_line() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
