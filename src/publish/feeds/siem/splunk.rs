//! `feeds/splunk/`: lookup CSVs with the columns of Splunk Enterprise Security's
//! threat-intelligence collections (`ip_intel`, `domain_intel`, `http_intel`, `file_intel`,
//! `email_intel`): the value in that collection's field, `description` (the indicator's name),
//! `threat_key` (its id), `time` (its valid_from, Unix seconds) and `weight`. Fields a contributor
//! wrote are guarded against spreadsheet formulas as in the blocklists' CSV, and a row is always one
//! line (a control character in a name is written as a space).

use super::super::blocklists::{push_row, Field};
use super::Row;
use crate::error::Error;
use crate::publish::shared::catalog::FeedFile;
use crate::stix::observables::Kind;
use crate::stix::Timestamp;
use crate::write::Sink;

pub(crate) const DIR: &str = "feeds/splunk";

/// Splunk ES's default weight for threat intelligence.
const WEIGHT: &str = "1";

/// The lookups: file, the field its values go in per kind, what it holds.
/// A lookup: its name, the field each kind's values go in, what it holds.
type Lookup = (&'static str, &'static [(Kind, &'static str)], &'static str);

const LOOKUPS: &[Lookup] = &[
    ("ip_intel", &[(Kind::Ipv4, "ip"), (Kind::Ipv6, "ip"), (Kind::Cidr, "ip")], "addresses and CIDR blocks"),
    ("domain_intel", &[(Kind::Domain, "domain")], "domains"),
    ("http_intel", &[(Kind::Url, "url"), (Kind::UserAgent, "http_user_agent")], "URLs and user agents"),
    (
        "file_intel",
        &[
            (Kind::Md5, "file_hash"),
            (Kind::Sha1, "file_hash"),
            (Kind::Sha256, "file_hash"),
            (Kind::Sha512, "file_hash"),
            (Kind::FileName, "file_name"),
        ],
        "file hashes and names",
    ),
    ("email_intel", &[(Kind::Email, "src_user")], "e-mail senders"),
];

/// Whether a lookup has a field for `kind`.
pub(super) fn carries(kind: Kind) -> bool {
    LOOKUPS.iter().any(|(_, fields, _)| fields.iter().any(|(listed, _)| *listed == kind))
}

pub(super) fn write(rows: &[Row<'_, '_>], sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let mut files = Vec::new();
    for (name, fields, holds) in LOOKUPS {
        let mut columns: Vec<&str> = vec!["description"];
        for (_, field) in *fields {
            if !columns.contains(field) {
                columns.push(field);
            }
        }
        columns.extend(["threat_key", "time", "weight"]);
        let mut out = String::new();
        push_row(&mut out, &columns.iter().map(|c| Field::Data(c)).collect::<Vec<_>>());
        let mut count = 0;
        for row in rows {
            let Some((_, field)) = fields.iter().find(|(kind, _)| *kind == row.kind) else { continue };
            let time = row.indicator.valid_from.as_deref().and_then(|t| Timestamp::parse(t).ok());
            let time = time.map(|t| t.instant().0.to_string()).unwrap_or_default();
            // A lookup row is one line: control characters in a name become spaces.
            let description: String =
                row.indicator.name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let cells: Vec<Field> = columns
                .iter()
                .map(|column| match *column {
                    "description" => Field::Text(&description),
                    "threat_key" => Field::Data(row.indicator.entry.id()),
                    "time" => Field::Data(&time),
                    "weight" => Field::Data(WEIGHT),
                    c if c == *field => Field::Text(row.value),
                    _ => Field::Data(""),
                })
                .collect();
            push_row(&mut out, &cells);
            count += 1;
        }
        let path = format!("{DIR}/{name}.csv");
        sink.write(&path, out.as_bytes())?;
        files.push(FeedFile::new(path, &format!("{holds}, for Splunk ES's {name} lookup"), count));
    }
    Ok(files)
}
