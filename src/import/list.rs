//! Indicator lists: plain lists (one value a line) and CSV whose header names the value column
//! (and, optionally, a type column in MISP's or the blocklists' names). Comments (`#`, `//`,
//! `;`) and blank lines are skipped; defanged values are refanged; each value becomes an
//! indicator, or is referenced when the repository already has one for it.

use serde_json::json;

use super::{values, Import, Made, Source};
use crate::diag::Diagnostic;
use crate::stix::observables::{normalise, Kind, Observable};

/// Header names of the column holding the value.
const VALUE_COLUMNS: &[&str] = &[
    "value",
    "indicator",
    "ioc",
    "observable",
    "ioc_value",
    "indicator_value",
    "domain",
    "ip",
    "url",
    "hash",
    "sha256",
    "md5",
    "sha1",
    "address",
    "host",
    "hostname",
];
/// Header names of the column saying what the value is.
const TYPE_COLUMNS: &[&str] = &["type", "kind", "ioc_type", "indicator_type", "attribute_type"];
/// Header names of a column describing the value.
const DESCRIPTION_COLUMNS: &[&str] = &["description", "comment", "comments", "note", "notes"];

/// Whether every line that is not blank or a comment holds a single token (a plain list).
pub(crate) fn is_plain_list(text: &str) -> bool {
    let mut any = false;
    for line in text.lines().map(str::trim).filter(|l| !is_comment(l)) {
        if line.split_whitespace().nth(1).is_some() {
            return false;
        }
        any = true;
    }
    any
}

fn is_comment(line: &str) -> bool {
    line.is_empty() || line.starts_with('#') || line.starts_with("//") || line.starts_with(';')
}

struct Columns {
    value: Option<usize>,
    kind: Option<usize>,
    description: Option<usize>,
}

pub(crate) fn import(import: &mut Import<'_>, source: &Source) {
    let time = import.time_for(source);
    let mut columns: Option<Columns> = None;
    let mut first = true;
    let mut referenced = Vec::new();
    for (index, line) in source.text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if is_comment(trimmed) {
            continue;
        }
        let fields = split_fields(trimmed);
        if std::mem::take(&mut first) {
            if let Some(header) = header(&fields) {
                columns = Some(header);
                continue;
            }
        }
        let found = match &columns {
            Some(columns) => by_columns(columns, &fields),
            None => fields.iter().find_map(|f| recognised(f).map(|v| (Ok(v), None))),
        };
        let made_at = format!("line {number}");
        match found {
            Some((Ok(value), description)) => {
                let mut made = Made::new(&source.name, rule_name(value.kind), made_at);
                if let Some(description) = description.filter(|d| !d.is_empty()) {
                    made.extra.insert("description".into(), json!(super::clip(&description, 2000)));
                }
                referenced.push(import.indicator(&value, &source.name, &time, &made));
            }
            Some((Err(reason), _)) => import.diagnostics.push(source.problem(
                Diagnostic::error("import-invalid-value", reason)
                    .with_help("correct the value or its type column; the other lines were imported"),
                number,
                1,
            )),
            None => import.diagnostics.push(source.problem(
                Diagnostic::error(
                    "import-unrecognised-value",
                    format!("`{}` is not an indicator value stixpress recognises", super::clip(trimmed, 80)),
                )
                .with_help("write one IP address, domain, URL, e-mail address or hash per line, or comment the line out with #"),
                number,
                1,
            )),
        }
    }
    if let Some(name) = import.name.clone() {
        super::text::add_report(import, source, &name, &time, referenced, "list report");
    }
}

/// The rule named in provenance for a value of this kind.
fn rule_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Ipv4 => "list ipv4",
        Kind::Ipv6 => "list ipv6",
        Kind::Cidr => "list cidr",
        Kind::Domain => "list domain",
        Kind::Url => "list url",
        Kind::Email => "list email",
        Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 | Kind::Ssdeep => "list hash",
        _ => "list typed value",
    }
}

fn recognised(field: &str) -> Option<Observable> {
    let (value, _) = values::refang(field.trim());
    values::recognise(&value)
}

fn header(fields: &[String]) -> Option<Columns> {
    let position = |names: &[&str]| fields.iter().position(|f| names.contains(&f.trim().to_ascii_lowercase().as_str()));
    let columns = Columns {
        value: position(VALUE_COLUMNS),
        kind: position(TYPE_COLUMNS),
        description: position(DESCRIPTION_COLUMNS),
    };
    (columns.value.is_some() || columns.kind.is_some()).then_some(columns)
}

type Found = (Result<Observable, String>, Option<String>);

fn by_columns(columns: &Columns, fields: &[String]) -> Option<Found> {
    let description = columns.description.and_then(|i| fields.get(i)).cloned();
    let raw = match columns.value {
        Some(i) => fields.get(i)?.trim().to_owned(),
        None => fields.iter().enumerate().find(|(i, _)| Some(*i) != columns.kind)?.1.trim().to_owned(),
    };
    let (value, _) = values::refang(&raw);
    let declared = columns.kind.and_then(|i| fields.get(i)).map(|t| t.trim().to_ascii_lowercase());
    match declared.as_deref().and_then(kind_named) {
        Some(kind) => Some((
            normalise(kind, &value)
                .map_err(|r| format!("`{}` is not a {}: {}", super::clip(&raw, 80), kind.name(), r.reason)),
            description,
        )),
        None => values::recognise(&value).map(|v| (Ok(v), description)),
    }
}

/// A kind by its blocklist name or its MISP attribute type.
pub(crate) fn kind_named(name: &str) -> Option<Kind> {
    let name = name.to_ascii_lowercase();
    let name = name.as_str();
    if let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == name) {
        return Some(kind);
    }
    Some(match name {
        "ip-dst" | "ip-src" | "ip" | "ipv4-addr" => Kind::Ipv4,
        "ipv6-addr" => Kind::Ipv6,
        "hostname" | "domain-name" => Kind::Domain,
        "link" | "uri" => Kind::Url,
        "email-src" | "email-dst" | "email-addr" => Kind::Email,
        "sha-1" => Kind::Sha1,
        "sha-256" => Kind::Sha256,
        "sha-512" => Kind::Sha512,
        "mac-address" => Kind::Mac,
        "regkey" => Kind::RegistryKey,
        "as" => Kind::Asn,
        "file-name" => Kind::FileName,
        _ => return None,
    })
}

/// The fields of a CSV (or tab-separated) line, quotes removed.
fn split_fields(line: &str) -> Vec<String> {
    let separator = if line.contains('\t') && !line.contains(',') { '\t' } else { ',' };
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_keep_quoted_commas() {
        assert_eq!(split_fields(r#"a,"b,c","d""e""#), vec!["a", "b,c", "d\"e"]);
        assert_eq!(split_fields("a\tb"), vec!["a", "b"]);
    }

    #[test]
    fn plain_lists_are_told_from_prose() {
        assert!(is_plain_list("# bad hosts\nevil.example.net\n\n203.0.113.9\n"));
        assert!(!is_plain_list("The actor used evil.example.net.\n"));
    }

    #[test]
    fn headers_find_the_value_and_type_columns() {
        let h = header(&split_fields("Type,Value,Comment")).unwrap();
        assert_eq!((h.value, h.kind, h.description), (Some(1), Some(0), Some(2)));
        assert!(header(&split_fields("evil.example.net")).is_none());
        let row = split_fields("ip-dst,203.0.113[.]5,c2");
        let (value, description) = by_columns(&h, &row).unwrap();
        assert_eq!(value.unwrap().value, "203.0.113.5");
        assert_eq!(description.as_deref(), Some("c2"));
    }
}
