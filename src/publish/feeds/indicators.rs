//! The indicators an audience gets, read once for every feed that needs them: validity, the
//! values their patterns give, and what they are tied to (who made them, which reports hold
//! them).

use rayon::prelude::*;
use serde_json::Value;

use super::strings;
use crate::audience::{Entry, View};
use crate::stix::observables::{self, Observable, Rejected};
use crate::stix::pattern::{self, Dialect};
use crate::stix::Timestamp;

/// One indicator, as the feeds describe it.
pub(crate) struct Indicator<'v> {
    pub(crate) entry: Entry<'v>,
    pub(crate) name: String,
    /// Lower case: `stix`, `sigma`, `yara`, `snort`, `suricata`, … (`stix` for STIX 2.0).
    pub(crate) pattern_type: String,
    pub(crate) pattern: String,
    pub(crate) confidence: Option<i64>,
    pub(crate) valid_from: Option<String>,
    pub(crate) valid_until: Option<String>,
    pub(crate) labels: Vec<String>,
    /// `kill_chain_name:phase_name`.
    pub(crate) kill_chain_phases: Vec<String>,
    pub(crate) created_by: Option<Entry<'v>>,
    /// The reports whose `object_refs` list it, by id.
    pub(crate) reports: Vec<Entry<'v>>,
    /// Whether it applies at the build time: valid_from ≤ now < valid_until, not revoked.
    pub(crate) current: bool,
    /// The values its pattern gives a blocklist (only for STIX patterns).
    pub(crate) observables: Vec<Observable>,
    /// Values of a listed kind that could not be listed.
    pub(crate) rejected: Vec<Rejected>,
}

/// Every indicator the View holds, in id order.
pub(crate) fn indicators<'v>(view: &View<'v>, now: Timestamp) -> Vec<Indicator<'v>> {
    let entries: Vec<Entry<'v>> = view.entries().filter(|e| e.object_type() == "indicator").collect();
    entries.par_iter().map(|entry| read(view, *entry, now)).collect()
}

fn read<'v>(view: &View<'v>, entry: Entry<'v>, now: Timestamp) -> Indicator<'v> {
    let json: Value = serde_json::from_str(&view.json(entry.object)).unwrap_or(Value::Null);
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
    let pattern_type = text("pattern_type").unwrap_or_else(|| "stix".into()).to_ascii_lowercase();
    let pattern = text("pattern").unwrap_or_default();
    let valid_from = text("valid_from");
    let valid_until = text("valid_until");
    let (observables, rejected) = if pattern_type == "stix" {
        blocklist_values(&pattern, entry.object.spec_version.as_str())
    } else {
        (Vec::new(), Vec::new())
    };
    let mut reports: Vec<Entry<'v>> = view
        .incoming(entry)
        .filter(|(property, source)| *property == "object_refs" && source.object_type() == "report")
        .map(|(_, report)| report)
        .collect();
    reports.sort_by_key(|r| r.id());
    reports.dedup_by_key(|r| r.id());
    Indicator {
        entry,
        name: entry.display_name().to_owned(),
        current: !entry.object.revoked && is_current(valid_from.as_deref(), valid_until.as_deref(), now),
        pattern_type,
        pattern,
        confidence: json.get("confidence").and_then(Value::as_i64),
        valid_from,
        valid_until,
        labels: strings(&json, "labels").map(str::to_owned).collect(),
        kill_chain_phases: kill_chain_phases(&json),
        created_by: view.outgoing(entry).find(|(p, _)| *p == "created_by_ref").map(|(_, e)| e),
        reports,
        observables,
        rejected,
    }
}

/// valid_from ≤ now < valid_until; an indicator whose times cannot be read applies nowhere.
fn is_current(valid_from: Option<&str>, valid_until: Option<&str>, now: Timestamp) -> bool {
    let Some(from) = valid_from.and_then(|t| Timestamp::parse(t).ok()) else { return false };
    let until_ok = match valid_until {
        None => true,
        Some(text) => Timestamp::parse(text).is_ok_and(|until| now.instant() < until.instant()),
    };
    from.instant() <= now.instant() && until_ok
}

fn kill_chain_phases(json: &Value) -> Vec<String> {
    let phases = json.get("kill_chain_phases").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    phases
        .iter()
        .filter_map(|p| {
            let chain = p.get("kill_chain_name")?.as_str()?;
            let phase = p.get("phase_name")?.as_str()?;
            Some(format!("{chain}:{phase}"))
        })
        .collect()
}

/// What a STIX pattern gives a blocklist: its values when the pattern is a plain OR of
/// equalities (or names a file by its digest), each normalised, in pattern order, once.
pub(crate) fn blocklist_values(pattern_text: &str, spec_version: &str) -> (Vec<Observable>, Vec<Rejected>) {
    let dialect = Dialect::from_spec_version(spec_version).unwrap_or(Dialect::Stix21);
    let Ok(parsed) = pattern::parse(pattern_text, dialect) else { return (Vec::new(), Vec::new()) };
    let extraction = parsed.extract();
    let mut rejected = Vec::new();
    let listed = extraction.blocklist_entries().filter_map(|test| match observables::from_test(test)? {
        Ok(observable) => Some(observable),
        Err(why) => {
            rejected.push(why);
            None
        }
    });
    let found = observables::first_of_each(listed);
    (found, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stix::observables::Kind;

    #[test]
    fn validity_is_judged_at_the_build_time() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        assert!(is_current(Some("2025-01-01T00:00:00Z"), None, now));
        assert!(is_current(Some("2026-01-01T00:00:00Z"), Some("2026-01-01T00:00:00.001Z"), now));
        assert!(!is_current(Some("2025-01-01T00:00:00Z"), Some("2026-01-01T00:00:00Z"), now));
        assert!(!is_current(Some("2026-06-01T00:00:00Z"), None, now));
        assert!(!is_current(None, None, now));
        assert!(!is_current(Some("yesterday"), None, now));
    }

    #[test]
    fn patterns_give_values_once_and_in_order() {
        let (values, rejected) = blocklist_values(
            "[domain-name:value = 'A.example'] OR [domain-name:value = 'a.example.'] OR [ipv4-addr:value = '10.0.0.300']",
            "2.1",
        );
        assert_eq!(values, vec![Observable { kind: Kind::Domain, value: "a.example".into() }]);
        assert_eq!(rejected.len(), 1);
        let (values, _) = blocklist_values("[process:command_line = 'x'] AND [domain-name:value = 'b.example']", "2.1");
        assert!(values.is_empty());
        assert_eq!(blocklist_values("not a pattern", "2.1").0, Vec::new());
    }

    #[test]
    fn a_pattern_of_a_hundred_thousand_values_gives_each_once() {
        // Each value looked for among those kept before it, this took seconds.
        let tests: Vec<String> =
            (0..100_000).map(|i| format!("[domain-name:value = 'd{}.example']", i % 50_000)).collect();
        let (values, rejected) = blocklist_values(&tests.join(" OR "), "2.1");
        assert_eq!(values.len(), 50_000);
        assert_eq!(values[49_999].value, "d49999.example");
        assert!(rejected.is_empty());
    }
}
