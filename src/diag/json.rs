//! The json format: one document with counts and every diagnostic (schema in design.md).

use std::io::{self, Write};

use serde::Serialize;

use super::{Diagnostic, Severity};

/// Totals printed with the diagnostics.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Serialize)]
struct Report<'a> {
    files: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Listed<'a>,
}

/// The diagnostics, each turned into its JSON form as it is written (a million of them need
/// not be held twice).
struct Listed<'a>(&'a [Diagnostic]);

impl Serialize for Listed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(to_json))
    }
}

#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    object_id: Option<&'a str>,
    pointer: Option<&'a str>,
    help: Option<&'a str>,
}

pub fn print_json(out: &mut dyn Write, diagnostics: &[Diagnostic], summary: &Summary) -> io::Result<()> {
    let report = Report {
        files: summary.files,
        objects: summary.objects,
        errors: summary.errors,
        warnings: summary.warnings,
        diagnostics: Listed(diagnostics),
    };
    serde_json::to_writer_pretty(TerminalSafe(&mut *out), &report).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes JSON with the control characters JSON leaves raw (C1, DEL) and bidi overrides
/// written as `\uXXXX` escapes: the same JSON to a parser, harmless bytes to a terminal.
/// serde_json hands over whole characters (it cuts strings only at ASCII escapes), and such
/// characters only ever occur inside JSON strings.
pub(crate) struct TerminalSafe<'w>(pub &'w mut dyn Write);

impl Write for TerminalSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let maybe = buf.iter().any(|&b| b == 0x7F || b >= 0xC2);
        match std::str::from_utf8(buf) {
            Ok(text) if maybe && text.chars().any(super::is_hostile) => {
                let mut escaped = String::with_capacity(text.len() + 12);
                for c in text.chars() {
                    if super::is_hostile(c) {
                        escaped.push_str(&format!("\\u{:04x}", c as u32));
                    } else {
                        escaped.push(c);
                    }
                }
                self.0.write_all(escaped.as_bytes())
            }
            _ => self.0.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

pub(crate) fn to_json(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        severity: d.severity,
        code: d.code,
        message: &d.message,
        file: d.location.file.display().to_string(),
        line: d.location.line,
        column: d.location.column,
        object_id: d.object_id.as_deref(),
        pointer: d.pointer.as_deref(),
        help: d.help.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_controls_and_bidi_overrides_are_escaped_and_the_json_is_the_same() {
        let d = Diagnostic::warning("x", "a\u{9b}b\u{202e}c\u{7f}d\u{1b}é");
        let mut out = Vec::new();
        print_json(&mut out, std::slice::from_ref(&d), &Summary::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r#""a\u009bb\u202ec\u007fd\u001bé""#), "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["diagnostics"][0]["message"], d.message);
    }
}
