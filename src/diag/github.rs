//! The github format: workflow commands that GitHub Actions turns into annotations on the
//! pull request's changed lines.

use std::io::{self, Write};

use super::{printable, printable_path, Diagnostic, Severity, Summary};

pub fn print_github(out: &mut dyn Write, diagnostics: &[Diagnostic], summary: &Summary) -> io::Result<()> {
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut params = vec![format!("file={}", escape_property(&printable_path(&d.location.file)))];
        if let Some(line) = d.location.line {
            params.push(format!("line={line}"));
        }
        if let Some(column) = d.location.column {
            params.push(format!("col={column}"));
        }
        params.push(format!("title={}", escape_property(d.code)));
        let mut message = printable(&d.message).into_owned();
        if let Some(id) = &d.object_id {
            message.push_str(&format!(" ({})", printable(id)));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {}", printable(help)));
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

    #[test]
    fn terminal_escapes_from_contributors_are_shown_escaped() {
        let d = Diagnostic::warning("x", "bad\u{1b}[2Jvalue\u{7}").in_file("a\u{202e}b.json").with_help("h\u{9b}");
        let mut out = Vec::new();
        print_github(&mut out, &[d], &Summary::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("file=a\\u{202e}b.json"), "{text}");
        assert!(text.contains("bad\\u{1b}[2Jvalue\\u{7}%0Ahelp: h\\u{9b}"), "{text}");
        assert!(!text.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']));
    }
}
