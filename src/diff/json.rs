//! `diff --format json`: the counts, every change and every diagnostic introduced.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Change, DiffReport, Side};
use crate::diag::json::{to_json, JsonDiagnostic};

#[derive(Serialize)]
struct Document<'a> {
    base: &'a Side,
    head: &'a Side,
    counts: BTreeMap<&'static str, usize>,
    unchanged: usize,
    changes: &'a [Change],
    introduced: Vec<JsonDiagnostic<'a>>,
    fixed: usize,
}

pub fn print_json(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    let document = Document {
        base: &report.base,
        head: &report.head,
        counts: report.counts(),
        unchanged: report.changes.unchanged,
        changes: &report.changes.items,
        introduced: report.introduced.iter().map(to_json).collect(),
        fixed: report.fixed,
    };
    serde_json::to_writer_pretty(crate::diag::json::TerminalSafe(&mut *out), &document).map_err(io::Error::other)?;
    writeln!(out)
}
