//! `feeds/blocklists/`: one text file per kind of value (a line each, sorted, once) and one CSV
//! that says where each value comes from. Only indicators that apply at the build time count.

use std::collections::{BTreeMap, BTreeSet};

use super::indicators::Indicator;
use super::FeedFile;
use crate::error::Error;
use crate::stix::observables::Kind;
use crate::write::Sink;

pub(crate) const DIR: &str = "feeds/blocklists";

/// The CSV's columns, with what each holds (the index page prints these).
pub(crate) const CSV_COLUMNS: &[(&str, &str)] = &[
    ("value", "the value, in the normal form of its kind's list"),
    ("kind", "which list it is in: ipv4, domain, sha256, …"),
    ("indicator_id", "the STIX id of the indicator whose pattern gives it"),
    ("indicator_name", "that indicator's name"),
    ("confidence", "its confidence, 0–100, when given"),
    ("valid_from", "from when it applies"),
    ("valid_until", "until when it applies (empty: no end)"),
    ("labels", "its labels, separated by semicolons"),
    ("kill_chain_phases", "its kill-chain phases as chain:phase, separated by semicolons"),
    ("created_by", "the name of the identity that made it"),
    ("report_ids", "the ids of the reports that list it, separated by semicolons"),
    ("report_names", "the names of those reports, separated by semicolons"),
];

pub(crate) struct Blocklists {
    pub(crate) files: Vec<FeedFile>,
    /// Values of a listed kind left out, with the reason, counted.
    pub(crate) left_out: BTreeMap<(Kind, &'static str), usize>,
}

pub(crate) fn write(indicators: &[Indicator<'_>], sink: &dyn Sink) -> Result<Blocklists, Error> {
    let current: Vec<&Indicator> = indicators.iter().filter(|i| i.current).collect();
    let mut lists: BTreeMap<Kind, BTreeSet<&str>> = Kind::ALL.iter().map(|k| (*k, BTreeSet::new())).collect();
    let mut rows: Vec<(Kind, &str, &Indicator)> = Vec::new();
    let mut left_out = BTreeMap::new();
    for indicator in &current {
        for observable in &indicator.observables {
            lists.entry(observable.kind).or_default().insert(&observable.value);
            rows.push((observable.kind, &observable.value, indicator));
        }
        for rejected in &indicator.rejected {
            *left_out.entry((rejected.kind, rejected.reason)).or_insert(0) += 1;
        }
    }
    let mut files = Vec::new();
    for (kind, values) in &lists {
        let mut text = String::new();
        for value in values {
            text.push_str(value);
            text.push('\n');
        }
        let path = format!("{DIR}/{}.txt", kind.name());
        sink.write(&path, text.as_bytes())?;
        files.push(FeedFile::new(path, kind.description(), values.len()));
    }
    // By kind name, value, indicator: the order `sort` on the file's first three columns gives.
    rows.sort_by(|a, b| row_key(a).cmp(&row_key(b)));
    rows.dedup_by(|a, b| row_key(a) == row_key(b));
    let path = format!("{DIR}/indicators.csv");
    sink.write(&path, csv(&rows).as_bytes())?;
    files.push(FeedFile::new(
        path,
        "every listed value with its indicator and reports, a row per indicator",
        rows.len(),
    ));
    Ok(Blocklists { files, left_out })
}

fn row_key<'a>(row: &(Kind, &'a str, &'a Indicator<'a>)) -> (&'static str, &'a str, &'a str) {
    (row.0.name(), row.1, row.2.entry.id())
}

fn csv(rows: &[(Kind, &str, &Indicator)]) -> String {
    let mut out = String::new();
    let header: Vec<&str> = CSV_COLUMNS.iter().map(|(name, _)| *name).collect();
    push_row(&mut out, &header.iter().map(|h| Field::Data(h)).collect::<Vec<_>>());
    for (kind, value, indicator) in rows {
        let confidence = indicator.confidence.map(|c| c.to_string()).unwrap_or_default();
        let report_ids: Vec<&str> = indicator.reports.iter().map(|r| r.id()).collect();
        let report_names: Vec<&str> = indicator.reports.iter().map(|r| r.display_name()).collect();
        let created_by = indicator.created_by.map(|e| e.display_name()).unwrap_or_default();
        let (labels, phases) = (indicator.labels.join(";"), indicator.kill_chain_phases.join(";"));
        let (ids, names) = (report_ids.join(";"), report_names.join(";"));
        push_row(
            &mut out,
            &[
                Field::Text(value),
                Field::Data(kind.name()),
                Field::Data(indicator.entry.id()),
                Field::Text(&indicator.name),
                Field::Data(&confidence),
                Field::Data(indicator.valid_from.as_deref().unwrap_or_default()),
                Field::Data(indicator.valid_until.as_deref().unwrap_or_default()),
                Field::Text(&labels),
                Field::Text(&phases),
                Field::Text(created_by),
                Field::Data(&ids),
                Field::Text(&names),
            ],
        );
    }
    out
}

/// A CSV field. Every field a contributor wrote, the value included, is guarded against
/// spreadsheet formulas: a field that would start a formula gets one leading apostrophe, which a
/// spreadsheet shows as text and a SIEM strips (the README says so; the per-kind lists keep
/// every value exactly). Fields stixpress writes itself (kind, ids, numbers, dates) are data.
pub(super) enum Field<'a> {
    Data(&'a str),
    Text(&'a str),
}

/// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF ends rows.
pub(super) fn push_row(out: &mut String, fields: &[Field<'_>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let (text, guard) = match field {
            Field::Data(text) => (*text, false),
            // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a
            // formula: a leading apostrophe makes it text, as OWASP recommends. A field that
            // starts with an apostrophe gets one too, so a reader can always remove exactly one.
            Field::Text(text) => (*text, text.starts_with(['=', '+', '-', '@', '\t', '\r', '\''])),
        };
        let quote = guard || text.contains([',', '"', '\n', '\r']);
        if quote {
            out.push('"');
        }
        if guard {
            out.push('\'');
        }
        for c in text.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        if quote {
            out.push('"');
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_start_a_formula_are_defused_too() {
        let mut out = String::new();
        push_row(&mut out, &[Field::Text("=calc.exe"), Field::Text("'=x"), Field::Text("evil.example")]);
        assert_eq!(out, "\"'=calc.exe\",\"''=x\",evil.example\r\n");
    }

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        push_row(
            &mut out,
            &[Field::Data("a,b"), Field::Text("=HYPERLINK(\"x\")"), Field::Data("-1"), Field::Text("plain")],
        );
        assert_eq!(out, "\"a,b\",\"'=HYPERLINK(\"\"x\"\")\",-1,plain\r\n");
    }
}
