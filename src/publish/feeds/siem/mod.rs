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
}

pub(super) fn write(indicators: &[Indicator<'_>], site: &Site, sink: &dyn Sink) -> Result<Siem, Error> {
    let rows = rows(indicators);
    Ok(Siem {
        zeek: zeek::write(&rows, site, sink)?,
        suricata: suricata::write(&rows, sink)?,
        elastic: elastic::write(&rows, site, sink)?,
        splunk: splunk::write(&rows, sink)?,
    })
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
