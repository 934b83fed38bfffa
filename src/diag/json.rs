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
    serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::other)?;
    writeln!(out)
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
