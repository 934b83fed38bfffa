//! Feeds a SIEM or an IDS loads as they are, made from the same values as the blocklists (the
//! indicators that apply at the build time, each value in `stix::observables`' normal form):
//! Zeek's Intel framework, Suricata datasets with the rules that use them, an Elastic ECS
//! `threat.indicator` NDJSON file and Splunk threat-intelligence lookups.
//!
//! Each format carries the kinds its consumer can match; the feeds page says which. A field a
//! contributor wrote (a name, a label) never breaks a line: each writer escapes or quotes it.

mod elastic;
mod splunk;
mod suricata;
mod zeek;

use super::indicators::Indicator;
use super::FeedFile;
use crate::audience::highest_tlp;
use crate::config::Site;
use crate::error::Error;
use crate::stix::observables::Kind;
use crate::write::Sink;

/// One listed value with the indicator that gives it, in the blocklist CSV's order.
pub(super) struct Row<'a, 'v> {
    pub(crate) kind: Kind,
    pub(crate) value: &'a str,
    pub(crate) indicator: &'a Indicator<'v>,
}

impl Row<'_, '_> {
    /// The indicator's page, absolute when the site's base URL is known.
    fn page(&self, site: &Site, root: &str) -> String {
        site.url(&format!("objects/{}/", self.indicator.entry.id()), root)
    }

    /// `CLEAR`, `GREEN`, `AMBER+STRICT`, …: the indicator's highest TLP marking.
    fn tlp(&self) -> Option<&'static str> {
        highest_tlp(self.indicator.entry.object).map(|tlp| tlp.label().trim_start_matches("TLP:"))
    }
}

/// The files of each format, by format.
pub(super) struct Siem {
    pub(crate) zeek: Vec<FeedFile>,
    pub(crate) suricata: Vec<FeedFile>,
    pub(crate) elastic: Vec<FeedFile>,
    pub(crate) splunk: Vec<FeedFile>,
    /// The values each format could not carry, by format and kind.
    pub(crate) left_out: Vec<LeftOutKind>,
}

/// Values of a kind a format has no type or field for, left out of it.
pub(crate) struct LeftOutKind {
    pub(crate) format: &'static str,
    pub(crate) kind: Kind,
    /// Distinct values, as the blocklist of the kind counts them.
    pub(crate) values: usize,
}

/// Whether a format has a type for a kind.
type Carries = fn(Kind) -> bool;

/// Each format, by the name the feeds page gives it, and the kinds it carries.
const FORMATS: [(&str, Carries); 4] = [
    ("Zeek Intel framework", zeek::carries),
    ("Suricata datasets", suricata::carries),
    ("Elastic threat indicators", elastic::carries),
    ("Splunk lookups", splunk::carries),
];

pub(super) fn write(indicators: &[Indicator<'_>], site: &Site, sink: &dyn Sink) -> Result<Siem, Error> {
    let rows = rows(indicators);
    // Four files of the same rows, each written whole by one thread: side by side.
    let ((zeek, suricata), (elastic, splunk)) = rayon::join(
        || rayon::join(|| zeek::write(&rows, site, sink), || suricata::write(&rows, sink)),
        || rayon::join(|| elastic::write(&rows, site, sink), || splunk::write(&rows, sink)),
    );
    Ok(Siem { zeek: zeek?, suricata: suricata?, elastic: elastic?, splunk: splunk?, left_out: left_out(&rows) })
}

/// For each format, the kinds among `rows` it cannot carry, with their number of distinct values.
fn left_out(rows: &[Row<'_, '_>]) -> Vec<LeftOutKind> {
    // `rows` is sorted by kind, then value: count each (kind, value) once.
    let mut distinct: Vec<(Kind, usize)> = Vec::new();
    let mut previous: Option<(Kind, &str)> = None;
    for row in rows {
        if previous == Some((row.kind, row.value)) {
            continue;
        }
        previous = Some((row.kind, row.value));
        match distinct.last_mut() {
            Some((kind, count)) if *kind == row.kind => *count += 1,
            _ => distinct.push((row.kind, 1)),
        }
    }
    FORMATS
        .iter()
        .flat_map(|(format, carries)| {
            distinct.iter().filter(|(kind, _)| !carries(*kind)).map(|(kind, values)| LeftOutKind {
                format,
                kind: *kind,
                values: *values,
            })
        })
        .collect()
}

/// Every value of every indicator that applies, by kind, value and indicator id, once.
fn rows<'a, 'v>(indicators: &'a [Indicator<'v>]) -> Vec<Row<'a, 'v>> {
    let mut rows: Vec<Row> = indicators
        .iter()
        .filter(|i| i.current)
        .flat_map(|indicator| {
            indicator.observables.iter().map(move |o| Row { kind: o.kind, value: &o.value, indicator })
        })
        .collect();
    let key = |r: &Row<'a, 'v>| (r.kind.name(), r.value, r.indicator.entry.id());
    rows.sort_by(|a, b| key(a).cmp(&key(b)));
    rows.dedup_by(|a, b| key(a) == key(b));
    rows
}
