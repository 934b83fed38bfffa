//! Rule keys across the repository: two indicators whose YARA rules share a name, or whose Snort
//! or Suricata rules share a `sid`, would land in one feed file, which YARA and Suricata then
//! refuse whole. Each clash is an error on the later indicator (by id) naming the earlier one.
//! Only the latest version of each indicator counts; an invalid rule is `check_object`'s to report.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::Value;

use super::repository::{Anchored, VersionIndex};
use crate::diag::Diagnostic;
use crate::stix::detection::{self, Engine, RuleKey};
use crate::stix::StixObject;

pub(super) fn check<'a>(index: &VersionIndex<'a>, found: &mut Vec<Anchored<'a>>) {
    let mut keyed: Vec<(&'static str, RuleKey, &'a StixObject)> = (0..index.objects.len())
        .into_par_iter()
        .filter(|&i| index.is_latest(i))
        .filter_map(|i| {
            let object = &index.objects[i];
            let (engine, key) = rule_key(object)?;
            Some((engine.feed_file(), key, object))
        })
        .collect();
    keyed.sort_by(|a, b| (a.0, &a.1, &a.2.id).cmp(&(b.0, &b.1, &b.2.id)));
    let mut first: BTreeMap<(&str, &RuleKey), &StixObject> = BTreeMap::new();
    for (file, key, object) in &keyed {
        match first.get(&(*file, key)) {
            Some(earlier) if earlier.id != object.id => {
                let what = match key {
                    RuleKey::YaraName(name) => format!("YARA rule name `{name}`"),
                    RuleKey::Sid(sid) => format!("sid {sid}"),
                    RuleKey::None => continue,
                };
                let message = format!(
                    "{what} is also used by {} ({}): {file} would hold it twice, and its engine refuses such a file",
                    earlier.id,
                    earlier.file.display()
                );
                let diagnostic = Diagnostic::error("duplicate-rule", message)
                    .with_help("give each rule its own name or sid; the feed keeps the indicator first by id");
                found.push(Anchored { diagnostic, object, pointer: "/pattern".into() });
            }
            Some(_) => {}
            None => {
                first.insert((*file, key), object);
            }
        }
    }
}

/// The engine and the key of an indicator's rule; `None` for other objects, other pattern types
/// and rules the engine would refuse anyway.
fn rule_key(object: &StixObject) -> Option<(Engine, RuleKey)> {
    if object.object_type != "indicator" || object.revoked {
        return None;
    }
    let lower = object.raw.to_ascii_lowercase();
    if !["yara", "snort", "suricata"].iter().any(|name| lower.contains(name)) {
        return None;
    }
    let json: Value = serde_json::from_str(&object.raw).ok()?;
    let engine = Engine::of_pattern_type(&json.get("pattern_type")?.as_str()?.to_ascii_lowercase())?;
    let key = detection::check(engine, json.get("pattern")?.as_str()?).ok()?;
    (key != RuleKey::None).then_some((engine, key))
}
