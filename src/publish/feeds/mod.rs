//! `feeds/`: plain files for consumers that do not speak TAXII, per audience: blocklists and a
//! CSV from indicator patterns, the same values for Zeek, Suricata, Elastic and Splunk, detection rule files, STIX bundles, Atom feeds, ATT&CK
//! Navigator layers and a MISP feed. The site's `feeds/` page explains each (rendered with the
//! site, from the [`Catalog`] returned here).
//!
//! The build time is the only clock input (which indicators apply now); everything else comes
//! from the objects, so the same input and the same `--now` give the same bytes.

mod atom;
mod blocklists;
mod bundles;
mod gzip;
pub(crate) mod indicators;
mod misp;
mod navigator;
mod rules;
mod siem;

use crate::audience::reads::EntryDigests;
use crate::audience::View;
use crate::config::Site;
use crate::error::Error;
use crate::publish::shared::catalog::{Catalog, FeedFile, FeedSection, LeftOut};
use crate::stix::Timestamp;
use crate::timing::log_timing;
use crate::write::Sink;

/// The strings of a JSON list property (`labels`, `x_mitre_domains`); nothing when absent or
/// not a list, and items that are not strings are skipped.
fn strings<'j>(json: &'j serde_json::Value, key: &str) -> impl Iterator<Item = &'j str> {
    let items = json.get(key).and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(serde_json::Value::as_str)
}

/// At most `limit` characters of `text`, with `…` when it was cut.
fn shortened(text: &str, limit: usize) -> String {
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(limit).collect();
    if chars.next().is_some() {
        format!("{}…", short.trim_end())
    } else {
        short
    }
}

/// Writes every feed of `view`; `now` decides which indicators apply, and is printed on the
/// feeds page when it was `given` rather than read off the clock.
pub(crate) fn write(
    view: &View<'_>,
    digests: &EntryDigests,
    site: &Site,
    now: Timestamp,
    given: bool,
    sink: &dyn Sink,
) -> Result<Catalog, Error> {
    let started = std::time::Instant::now();
    let indicators = indicators::indicators(view, now);
    log_timing("feeds: indicators", started);
    // The blocklists and Atom are each written by one thread, and the SIEM files by four
    // short ones: side by side they keep both cores busy.
    let ((blocklists, rules), (siem, atom)) = rayon::join(
        || rayon::join(|| blocklists::write(&indicators, sink), || rules::write(&indicators, sink)),
        || rayon::join(|| siem::write(&indicators, site, sink), || atom::write(view, site, sink)),
    );
    let (blocklists, rules, siem, atom) = (blocklists?, rules?, siem?, atom?);
    log_timing("feeds: blocklists, rules, zeek, suricata, elastic, splunk, atom", started);
    let bundles = bundles::write(view, digests, sink)?;
    log_timing("feeds: bundles", started);
    let layers = navigator::write(view, site, sink)?;
    log_timing("feeds: navigator", started);
    let misp = misp::write(view, &indicators, site, sink)?;
    log_timing("feeds: misp", started);
    let mut left_out: Vec<LeftOut> = blocklists
        .left_out
        .iter()
        .map(|((kind, reason), count)| LeftOut {
            what: kind.name().to_owned(),
            reason: (*reason).to_owned(),
            count: *count,
        })
        .collect();
    left_out.extend(rules.left_out.iter().map(|r| LeftOut {
        what: r.indicator.clone(),
        reason: r.reason.clone(),
        count: 1,
    }));
    left_out.extend(siem.left_out.iter().map(|l| LeftOut {
        what: l.kind.name().to_owned(),
        reason: format!("not in the {} feed, which has no type for this kind", l.format),
        count: l.values,
    }));
    if misp.machine_tag_labels > 0 {
        left_out.push(LeftOut {
            what: "MISP tags".to_owned(),
            reason: "report labels that are machine tags (tlp:, pap:, misp-galaxy:, …) are not made tags: TLP comes from markings only".to_owned(),
            count: misp.machine_tag_labels,
        });
    }
    let section = |id, title, files| FeedSection { id, title, files };
    Ok(Catalog {
        now: given.then(|| now.to_seconds_text()),
        sections: vec![
            section("blocklists", "Blocklists", blocklists.files),
            section("rules", "Detection rules", rules.files),
            section("zeek", "Zeek Intel framework", siem.zeek),
            section("suricata", "Suricata datasets", siem.suricata),
            section("elastic", "Elastic threat indicators", siem.elastic),
            section("splunk", "Splunk threat-intelligence lookups", siem.splunk),
            section("bundles", "STIX bundles", bundles),
            section("atom", "Atom feeds", atom),
            section("navigator", "ATT&CK Navigator layers", layers.files),
            section("misp", "MISP feed", misp.files),
        ],
        left_out,
        indicators: indicators.len(),
        current_indicators: indicators.iter().filter(|i| i.current).count(),
        layers: layers.objects,
        matrix_layers: layers.matrices,
        csv_columns: blocklists::CSV_COLUMNS,
    })
}
