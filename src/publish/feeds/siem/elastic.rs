//! `feeds/elastic/indicators.ndjson`: one Elastic Common Schema document per listed value, a
//! line each, with the `threat.indicator.*` fields Elastic's threat-intelligence integrations
//! write (type, the value in its ECS field, first_seen, provider, reference, marking.tlp,
//! confidence) and `event.kind: enrichment`, so that Elastic Security's indicator match rules
//! use them as they are. Bulk-load it with `_bulk` or Filebeat's NDJSON input.

use serde_json::{json, Map, Value};

use super::{Row, Site};
use crate::error::Error;
use crate::publish::shared::catalog::FeedFile;
use crate::stix::observables::Kind;
use crate::write::Sink;

pub(crate) const PATH: &str = "feeds/elastic/indicators.ndjson";
const ROOT: &str = "../../";

/// ECS `threat.indicator.type` and the field (under `threat.indicator.`) that holds the value;
/// `None` for kinds ECS has no indicator field for.
pub(crate) fn ecs(kind: Kind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        Kind::Ipv4 => ("ipv4-addr", "ip"),
        Kind::Ipv6 => ("ipv6-addr", "ip"),
        Kind::Domain => ("domain-name", "url.domain"),
        Kind::Url => ("url", "url.full"),
        Kind::Email => ("email-addr", "email.address"),
        Kind::Md5 => ("file", "file.hash.md5"),
        Kind::Sha1 => ("file", "file.hash.sha1"),
        Kind::Sha256 => ("file", "file.hash.sha256"),
        Kind::Sha512 => ("file", "file.hash.sha512"),
        Kind::Ssdeep => ("file", "file.hash.ssdeep"),
        Kind::FileName => ("file", "file.name"),
        Kind::RegistryKey => ("windows-registry-key", "registry.key"),
        Kind::Asn => ("autonomous-system", "as.number"),
        _ => return None,
    })
}

/// STIX confidence (0–100) on ECS's scale, as STIX's "None / Low / Med / High" mapping gives.
fn confidence(value: i64) -> &'static str {
    match value {
        i64::MIN..=0 => "None",
        1..=29 => "Low",
        30..=69 => "Medium",
        _ => "High",
    }
}

/// Whether ECS has a `threat.indicator` field for `kind`.
pub(super) fn carries(kind: Kind) -> bool {
    ecs(kind).is_some()
}

pub(super) fn write(rows: &[Row<'_, '_>], site: &Site, sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let mut text = String::new();
    let mut count = 0;
    for row in rows {
        let Some(document) = document(row, site) else { continue };
        // serde_json escapes every control character: a document is always one line.
        text.push_str(&document.to_string());
        text.push('\n');
        count += 1;
    }
    sink.write(PATH, text.as_bytes())?;
    Ok(vec![FeedFile::new(
        PATH.to_owned(),
        "one ECS threat.indicator document per value and indicator (addresses, domains, URLs, e-mail addresses, file hashes and names, registry keys, AS numbers)",
        count,
    )])
}

fn document(row: &Row<'_, '_>, site: &Site) -> Option<Value> {
    let (indicator_type, field) = ecs(row.kind)?;
    let indicator = row.indicator;
    let page = row.page(site, ROOT);
    let mut ti = Map::new();
    ti.insert("type".into(), json!(indicator_type));
    let value = match row.kind {
        Kind::Asn => json!(row.value.parse::<u64>().ok()?),
        _ => json!(row.value),
    };
    insert_path(&mut ti, field, value);
    if row.kind == Kind::Url {
        insert_path(&mut ti, "url.original", json!(row.value));
    }
    ti.insert("name".into(), json!(row.value));
    ti.insert("description".into(), json!(indicator.name));
    ti.insert("reference".into(), json!(page));
    if let Some(from) = &indicator.valid_from {
        ti.insert("first_seen".into(), json!(from));
    }
    if let Some(created_by) = indicator.created_by {
        ti.insert("provider".into(), json!(created_by.display_name()));
    }
    if let Some(c) = indicator.confidence {
        ti.insert("confidence".into(), json!(confidence(c)));
    }
    if let Some(tlp) = row.tlp() {
        ti.insert("marking".into(), json!({ "tlp": tlp }));
    }
    let mut document = json!({
        "@timestamp": indicator.valid_from,
        "event": { "kind": "enrichment", "category": ["threat"], "type": ["indicator"], "reference": page },
        "threat": { "indicator": Value::Object(ti), "feed": { "name": site.title } },
        "labels": { "stix_indicator_id": indicator.entry.id() },
    });
    if !indicator.labels.is_empty() {
        document["tags"] = json!(indicator.labels);
    }
    Some(document)
}

/// Puts `value` at a dotted path, making the objects on the way (`file.hash.sha256`).
fn insert_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                insert_path(child, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_nest() {
        let mut map = Map::new();
        insert_path(&mut map, "url.full", json!("a"));
        insert_path(&mut map, "url.original", json!("b"));
        assert_eq!(Value::Object(map), json!({ "url": { "full": "a", "original": "b" } }));
    }

    #[test]
    fn confidence_follows_the_stix_scale() {
        assert_eq!(
            [0, 1, 29, 30, 69, 70, 100].map(confidence),
            ["None", "Low", "Low", "Medium", "Medium", "High", "High"]
        );
    }
}
