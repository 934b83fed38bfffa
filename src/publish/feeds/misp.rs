//! `feeds/misp/`: a MISP feed a MISP instance can subscribe to ("Add feed", format "MISP
//! Feed"). One event per report, named by the report's UUID; its indicators' values as
//! attributes (for detection when the indicator applies at the build time), the observables it
//! lists as attributes for context; its TLP (from its markings, never from its labels) and its
//! plain labels as tags. A label that is a machine tag (`tlp:red`, `PAP:GREEN`,
//! `misp-galaxy:threat-actor="Sofacy"`, any `namespace:predicate`) is not copied: MISP's
//! sharing, sync and export filters and its galaxies act on those, and a contributor's label
//! must not decide them. Those labels are counted on the feeds page. `manifest.json` lists the
//! events, `hashes.csv` the MD5 of every attribute value (MISP's feed cache and correlation).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use md5::{Digest, Md5};
use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::indicators::Indicator;
use super::{strings, FeedFile};
use crate::audience::reads::text;
use crate::audience::{highest_tlp, Entry, View};
use crate::config::Site;
use crate::error::Error;
use crate::stix::id::uuid_of;
use crate::stix::keyed_hash::KeyedHashMap;
use crate::stix::marking::Tlp;
use crate::stix::observables::{self, Observable};
use crate::stix::uuid::derived_uuid;
use crate::stix::Timestamp;
use crate::write::{compact_json, Sink};

pub(crate) const DIR: &str = "feeds/misp";

/// MISP's codes: analysis 2 = completed (a published report), threat level 4 = undefined
/// (STIX has no such scale; analysts set it in MISP).
const ANALYSIS_COMPLETED: &str = "2";
const THREAT_LEVEL_UNDEFINED: &str = "4";

/// An attribute's distribution 5 = "inherit event", so the subscriber's feed setting decides.
const DISTRIBUTION_INHERIT: &str = "5";

/// What was written, and how many report labels were not made tags.
pub(crate) struct Misp {
    pub(crate) files: Vec<FeedFile>,
    pub(crate) machine_tag_labels: usize,
}

/// How an event is made, named in its key (`event_key`): a program that makes events otherwise
/// never keeps one an earlier program made.
const EVENT_FORMAT: &str = "stixpress feeds/misp/<uuid>.json 1";

/// What the manifest and `hashes.csv` list of one event, and how many of its report's labels
/// were machine tags. An event kept from the previous build lends its entry from that build's
/// manifest, and its lines of `hashes.csv` are that build's (`hashes: None`).
struct Listed<'p> {
    uuid: String,
    entry: Cow<'p, str>,
    hashes: Option<Vec<String>>,
    dropped: usize,
}

pub(crate) fn write(
    view: &View<'_>,
    indicators: &[Indicator<'_>],
    site: &Site,
    sink: &dyn Sink,
) -> Result<Misp, Error> {
    let by_id: KeyedHashMap<&str, &Indicator> = indicators.iter().map(|i| (i.entry.id(), i)).collect();
    let reports: Vec<Entry> = view.entries().filter(|e| e.object_type() == "report").collect();
    // What the previous build listed, read when the first event is found kept (a build that
    // keeps none, fresh or after a change of program, never holds it), and in any case before
    // the lists are written again.
    let previous = OnceLock::new();
    let previous_lists = || previous.get_or_init(|| PreviousLists::read(sink)).as_ref();
    // Events are independent: each is made (or kept) and written in parallel, then the lists
    // are gathered.
    let listed = reports
        .par_iter()
        .map(|report| {
            let uuid = uuid_of(report.id());
            let key = event_key(view, *report, &by_id, site);
            // Set when the event is made; left empty when the folder holds it as made before.
            let made = OnceLock::new();
            sink.write_derived(&format!("{DIR}/{uuid}.json"), &key, &|_| {
                let (event, listed) = made_event(view, *report, &by_id, site);
                let _ = made.set(listed);
                Ok(compact_json(&json!({ "Event": event })).into_bytes())
            })?;
            Ok(match made.into_inner() {
                Some(listed) => listed,
                None => match previous_lists().and_then(|p| p.entries.get(uuid)) {
                    Some(entry) => Listed {
                        uuid: uuid.to_owned(),
                        entry: Cow::Borrowed(entry.get()),
                        hashes: None,
                        dropped: machine_tags(view, *report),
                    },
                    // Kept by the folder, but the previous manifest does not list it: made
                    // again for its entry and hashes.
                    None => made_event(view, *report, &by_id, site).1,
                },
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let events = listed.len();
    // The lines (`md5,uuid`) of the events kept whole, as the previous build sorted them.
    let mut kept_lines: Vec<&str> = Vec::new();
    if let Some(previous) = previous.get().and_then(Option::as_ref) {
        let kept: HashSet<&str> = listed.iter().filter(|l| l.hashes.is_none()).map(|l| l.uuid.as_str()).collect();
        let lines =
            previous.hashes.lines().filter(|line| line.split_once(',').is_some_and(|(_, uuid)| kept.contains(uuid)));
        kept_lines.extend(lines);
    }
    let mut hashes: Vec<String> = Vec::new();
    let mut listed = listed;
    listed.sort_unstable_by(|a, b| a.uuid.cmp(&b.uuid));
    let mut manifest = String::from("{");
    let mut machine_tag_labels = 0;
    for (i, event) in listed.iter_mut().enumerate() {
        machine_tag_labels += event.dropped;
        hashes.extend(event.hashes.take().unwrap_or_default());
        // As `compact_json` writes the map of entries: by uuid, compact (an uuid needs no escape).
        if i > 0 {
            manifest.push(',');
        }
        manifest.push('"');
        manifest.push_str(&event.uuid);
        manifest.push_str("\":");
        manifest.push_str(&event.entry);
    }
    manifest.push_str("}\n");
    sink.write_owned(&format!("{DIR}/manifest.json"), manifest.into_bytes())?;
    let attributes = hashes.len() + kept_lines.len();
    let csv = sorted_lines(kept_lines, hashes);
    sink.write_owned(&format!("{DIR}/hashes.csv"), csv.into_bytes())?;
    let files = vec![
        FeedFile::new(
            format!("{DIR}/manifest.json"),
            "the events, for MISP's feed subscription (the URL to give MISP is this folder)",
            events,
        ),
        FeedFile::new(format!("{DIR}/<uuid>.json"), "one event per report, named by the report's UUID", events),
        FeedFile::new(format!("{DIR}/hashes.csv"), "md5(value),event UUID for every attribute", attributes),
    ];
    Ok(Misp { files, machine_tag_labels })
}

/// `hashes.csv`: every line of `kept` and `made`, sorted, each ending in a line break. A million
/// lines at a million objects, most of them kept: those are in order already (the previous
/// build sorted them), so only the few made are sorted, and the two merged. (Equal lines are
/// equal texts, so the order is the one a stable sort of all of them gives.)
fn sorted_lines(mut kept: Vec<&str>, mut made: Vec<String>) -> String {
    if !kept.is_sorted() {
        kept.par_sort_unstable();
    }
    made.par_sort_unstable();
    let len = kept.iter().map(|l| l.len() + 1).sum::<usize>() + made.iter().map(|l| l.len() + 1).sum::<usize>();
    let mut csv = String::with_capacity(len);
    let (mut kept, mut made) = (kept.into_iter().peekable(), made.iter().map(String::as_str).peekable());
    loop {
        let line = match (kept.peek(), made.peek()) {
            (Some(k), Some(m)) if k <= m => kept.next(),
            (Some(_), Some(_)) | (None, Some(_)) => made.next(),
            (Some(_), None) => kept.next(),
            (None, None) => break,
        };
        csv.push_str(line.unwrap_or_default());
        csv.push('\n');
    }
    csv
}

/// What the previous build's `manifest.json` and `hashes.csv` list, when both are as it left
/// them: each event's manifest entry by UUID, and the lines of `hashes.csv`.
struct PreviousLists {
    entries: HashMap<String, Box<RawValue>>,
    hashes: String,
}

impl PreviousLists {
    fn read(sink: &dyn Sink) -> Option<PreviousLists> {
        let text = |path: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut sink.previous(path)?, &mut text).ok()?;
            Some(text)
        };
        let entries = serde_json::from_str(&text(&format!("{DIR}/manifest.json"))?).ok()?;
        Some(PreviousLists { entries, hashes: text(&format!("{DIR}/hashes.csv"))? })
    }
}

/// A report's event, and what the manifest and `hashes.csv` list of it.
fn made_event<'p>(
    view: &View<'_>,
    report: Entry<'_>,
    indicators: &KeyedHashMap<&str, &Indicator>,
    site: &Site,
) -> (Value, Listed<'p>) {
    let (event, dropped) = event(view, report, indicators, site);
    let uuid = event["uuid"].as_str().unwrap_or_default().to_owned();
    let values = event["Attribute"].as_array().map(Vec::as_slice).unwrap_or_default();
    let hashes = values
        .iter()
        .map(|a| format!("{:x},{uuid}", Md5::digest(a["value"].as_str().unwrap_or_default().as_bytes())))
        .collect();
    let entry = Cow::Owned(serde_json::to_string(&manifest_entry(&event)).unwrap_or_default());
    let listed = Listed { uuid, entry, hashes: Some(hashes), dropped };
    (event, listed)
}

/// What a report's event is made from, digested: the report and every object it references as
/// this View gives them (by their content, which every field and attribute is read from, their
/// STIX version, which reads a pattern, and their names), whether each listed indicator applies
/// at the build time, the site's title (the organisation of an event nobody is credited with)
/// and the program. Redaction only takes references out, which the event reads through the
/// View's list of what the report references, not from its JSON.
fn event_key(view: &View<'_>, report: Entry<'_>, indicators: &KeyedHashMap<&str, &Indicator>, site: &Site) -> [u8; 32] {
    let mut key = blake3::Hasher::new_derive_key(EVENT_FORMAT);
    key.update(crate::program::fingerprint());
    let object = |key: &mut blake3::Hasher, entry: Entry<'_>| {
        text(key, entry.id());
        key.update(&entry.object.content_hash);
        text(key, entry.object.spec_version.as_str());
        text(key, entry.display_name());
    };
    text(&mut key, &site.title);
    object(&mut key, report);
    for (property, listed) in view.outgoing(report) {
        text(&mut key, property);
        object(&mut key, listed);
        let applies = indicators.get(listed.id()).map_or(0, |i| 1 + u8::from(i.current));
        key.update(&[applies]);
    }
    key.finalize().into()
}

/// How many of a report's labels are machine tags (left out of its event's tags). Only its
/// labels are read into values: the rest (a report can list thousands of objects) is skipped.
fn machine_tags(view: &View<'_>, report: Entry<'_>) -> usize {
    #[derive(serde::Deserialize)]
    struct Labels {
        labels: Option<Value>,
    }
    let text = view.json(report.object);
    let labels = match serde_json::from_str::<Labels>(&text) {
        Ok(Labels { labels }) => json!({ "labels": labels }),
        // Not an object, or `labels` twice (the last counts, as when the event is made).
        Err(_) => serde_json::from_str(&text).unwrap_or(Value::Null),
    };
    strings(&labels, "labels").filter(|l| is_machine_tag(l)).count()
}

/// Whether a label reads as a MISP machine tag, `namespace:predicate` or
/// `namespace:predicate="value"` (taxonomies such as `tlp`, `pap`, `misp-galaxy`, `workflow`):
/// MISP matches namespaces without regard to case or the spaces around them.
fn is_machine_tag(label: &str) -> bool {
    let Some((namespace, rest)) = label.split_once(':') else { return false };
    let namespace = namespace.trim();
    let url = rest.starts_with("//");
    !url && !namespace.is_empty()
        && namespace.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
}

/// A report's event, and how many of its labels were machine tags left out of its tags.
fn event(
    view: &View<'_>,
    report: Entry<'_>,
    indicators: &KeyedHashMap<&str, &Indicator>,
    site: &Site,
) -> (Value, usize) {
    let json: Value = serde_json::from_str(&view.json(report.object)).unwrap_or(Value::Null);
    let uuid = uuid_of(report.id()).to_owned();
    let time = |key: &str| json.get(key).and_then(Value::as_str).and_then(|t| Timestamp::parse(t).ok());
    let published = time("published").or_else(|| time("created")).unwrap_or(Timestamp::from_unix_seconds(0));
    let modified = time("modified").unwrap_or(published);
    let mut tags = Vec::new();
    if let Some(tlp) = highest_tlp(report.object) {
        tags.push(json!({ "name": tlp.label().to_ascii_lowercase(), "colour": tlp_colour(tlp) }));
    }
    let (machine, plain): (Vec<&str>, Vec<&str>) = strings(&json, "labels").partition(|l| is_machine_tag(l));
    tags.extend(plain.into_iter().map(|label| json!({ "name": label })));
    let org = match view.outgoing(report).find(|(p, _)| *p == "created_by_ref") {
        Some((_, identity)) => {
            json!({ "name": identity.display_name(), "uuid": uuid_of(identity.id()) })
        }
        None => json!({ "name": site.title, "uuid": derived_uuid(&format!("misp org {}", site.title)) }),
    };
    let mut info = report.display_name().to_owned();
    if info.trim().is_empty() {
        info = format!("Report {}", report.id());
    }
    let event = json!({
        "uuid": uuid,
        "info": info,
        "date": published.date_text(),
        "timestamp": misp_timestamp(modified),
        "publish_timestamp": misp_timestamp(published),
        "published": true,
        "analysis": ANALYSIS_COMPLETED,
        "threat_level_id": THREAT_LEVEL_UNDEFINED,
        "Orgc": org,
        "Tag": tags,
        "Attribute": attributes(view, report, indicators, modified),
    });
    (event, machine.len())
}

/// A MISP timestamp (Unix seconds, as a string). MISP reads 0 as "never" (an unpublished
/// event, an attribute without a time), so times at or before 1970 (year 0000 is valid STIX)
/// become the first second after it; `check` warns of them.
fn misp_timestamp(time: Timestamp) -> String {
    time.seconds.max(1).to_string()
}

/// The report's indicators' values (to_ids while the indicator applies), then the values of
/// the observables it lists (context, not for detection); each (type, value) once.
fn attributes(
    view: &View<'_>,
    report: Entry<'_>,
    indicators: &KeyedHashMap<&str, &Indicator>,
    when: Timestamp,
) -> Vec<Value> {
    let mut found: BTreeMap<(&'static str, String), Value> = BTreeMap::new();
    let mut add = |observable: &Observable, to_ids: bool, comment: String, source: &str| {
        let (kind, category) = observable.kind.misp();
        let key = (kind, observable.value.clone());
        let uuid = derived_uuid(&format!("misp attribute {} {source} {kind} {}", report.id(), observable.value));
        found.entry(key).or_insert_with(|| {
            json!({
                "uuid": uuid,
                "type": kind,
                "category": category,
                "value": observable.value,
                "to_ids": to_ids,
                "comment": comment,
                "distribution": DISTRIBUTION_INHERIT,
                "timestamp": misp_timestamp(when),
            })
        });
    };
    for (property, listed) in view.outgoing(report) {
        if property != "object_refs" {
            continue;
        }
        if let Some(indicator) = indicators.get(listed.id()) {
            for observable in &indicator.observables {
                add(observable, indicator.current, format!("{} ({})", indicator.name, listed.id()), listed.id());
            }
        } else {
            for observable in observable_values(view, listed) {
                add(&observable, false, format!("observed: {}", listed.id()), listed.id());
            }
        }
    }
    found.into_values().collect()
}

/// The values a cyber-observable object carries that a blocklist kind knows.
fn observable_values(view: &View<'_>, entry: Entry<'_>) -> Vec<Observable> {
    const VALUE_PROPERTIES: &[&str] = &["value", "name", "key", "number"];
    let object_type = entry.object_type();
    if observables::kind_of(object_type, "value", "").is_none()
        && !matches!(object_type, "file" | "artifact" | "mutex" | "windows-registry-key" | "autonomous-system")
    {
        return Vec::new();
    }
    let json: Value = serde_json::from_str(&view.json(entry.object)).unwrap_or(Value::Null);
    let mut paths: Vec<(String, String)> = Vec::new();
    for property in VALUE_PROPERTIES {
        let text = match json.get(*property) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        paths.push(((*property).to_owned(), text));
    }
    if let Some(Value::Object(hashes)) = json.get("hashes") {
        for (algorithm, digest) in hashes {
            if let Some(digest) = digest.as_str() {
                paths.push((format!("hashes.'{algorithm}'"), digest.to_owned()));
            }
        }
    }
    paths
        .into_iter()
        .filter_map(|(path, value)| {
            let kind = observables::kind_of(object_type, &path, &value)?;
            observables::normalise(kind, &value).ok()
        })
        .collect()
}

/// The colours of MISP's `tlp` taxonomy, so the tags look as analysts expect.
fn tlp_colour(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear | Tlp::White => "#ffffff",
        Tlp::Green => "#33FF00",
        Tlp::Amber | Tlp::AmberStrict => "#FFC000",
        Tlp::Red => "#FF2B2B",
    }
}

/// What the manifest says of an event: everything but its attributes.
fn manifest_entry(event: &Value) -> Value {
    let keys =
        ["Orgc", "Tag", "info", "date", "analysis", "threat_level_id", "timestamp", "publish_timestamp", "published"];
    Value::Object(keys.iter().filter_map(|k| Some(((*k).to_owned(), event.get(*k)?.clone()))).collect())
}

#[cfg(test)]
mod tests {
    use super::{is_machine_tag, sorted_lines};

    #[test]
    fn kept_and_made_lines_come_out_as_one_sorted_list() {
        let made = vec!["b,2".to_owned(), "a,9".to_owned(), "d,1".to_owned()];
        assert_eq!(sorted_lines(vec!["a,1", "c,3", "c,3"], made), "a,1\na,9\nb,2\nc,3\nc,3\nd,1\n");
        assert_eq!(sorted_lines(vec!["z,1", "a,1"], Vec::new()), "a,1\nz,1\n", "kept lines out of order are sorted");
        assert_eq!(sorted_lines(Vec::new(), Vec::new()), "");
    }

    #[test]
    fn labels_misp_acts_on_are_not_tags() {
        for label in [
            "tlp:clear",
            "TLP:RED",
            " tlp : amber",
            "PAP:GREEN",
            "misp-galaxy:threat-actor=\"Sofacy\"",
            "workflow:state=\"complete\"",
        ] {
            assert!(is_machine_tag(label), "{label}");
        }
        for label in ["malicious-activity", "ransomware", "tlp-red", "https://example.org", ":x"] {
            assert!(!is_machine_tag(label), "{label}");
        }
    }
}
