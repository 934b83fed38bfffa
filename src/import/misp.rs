//! MISP events (`{"Event": …}`, a list of them, or MISP's `{"response": […]}`) as STIX, the way
//! MISP's own converter (misp-stix) maps them: the event becomes a report; an attribute marked
//! `to_ids` an indicator, any other an observable; a MISP object (a file and its hashes, a URL)
//! one indicator with one observation; TLP tags markings; ATT&CK galaxy clusters `indicates`
//! relationships to the repository's attack patterns by T-id; other tags labels; the creating
//! organisation (`Orgc`) an identity.
//!
//! Values are read with the types MISP writes (strings, numbers for times), and anything else
//! is a located diagnostic; an attribute that cannot be used never stops the rest.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::misp_types::{self, Mapping};
use super::{bundle, list, values, Import, Made, Provenance, Source};
use crate::diag::Diagnostic;
use crate::stix::observables::{normalise, Kind, Observable};
use crate::stix::Timestamp;

/// Diagnostics past this many are reported without a line (finding one walks the JSON)...
const LOCATED_DIAGNOSTICS: usize = 200;
/// ...and fewer in big files: locating them all walks at most this many bytes.
const LOCATING_BUDGET: usize = 200_000_000;
/// Labels kept per object (MISP events can carry hundreds of tags).
const MAX_LABELS: usize = 50;

pub(crate) fn import(import: &mut Import<'_>, source: &Source) {
    let document: Value = match serde_json::from_str(&source.text) {
        Ok(value) => value,
        Err(e) => {
            let d = Diagnostic::error("import-misp-shape", format!("not valid JSON: {e}"))
                .with_help("export the event from MISP as JSON (Download as… › MISP JSON)");
            import.diagnostics.push(source.problem(d, e.line().max(1), e.column().max(1)));
            return;
        }
    };
    let mut reader = Reader { source, located: 0, lines: None };
    let events: Vec<(String, &Value)> = match &document {
        Value::Object(o) if o.contains_key("Event") => vec![("/Event".into(), &o["Event"])],
        Value::Object(o) if o.get("response").is_some_and(Value::is_array) => events_in(&o["response"], "/response"),
        Value::Array(_) => events_in(&document, ""),
        // PyMISP's `to_json()` writes the event without its `Event` wrapper.
        Value::Object(o) if o.contains_key("Attribute") || o.contains_key("info") => vec![(String::new(), &document)],
        _ => {
            let d =
                Diagnostic::error("import-misp-shape", "not a MISP event: expected an object with an `Event` member");
            import.diagnostics.push(reader.at(d, ""));
            return;
        }
    };
    for (pointer, event) in events {
        import_event(import, &mut reader, event, &pointer);
    }
}

fn events_in<'v>(list: &'v Value, base: &str) -> Vec<(String, &'v Value)> {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.get("Event") {
            Some(event) => (format!("{base}/{i}/Event"), event),
            None => (format!("{base}/{i}"), item),
        })
        .collect()
}

/// Locates diagnostics in the source (a bounded number of times).
struct Reader<'s> {
    source: &'s Source,
    located: usize,
    lines: Option<crate::load::source::Source>,
}

impl Reader<'_> {
    fn at(&mut self, diagnostic: Diagnostic, pointer: &str) -> Diagnostic {
        let diagnostic = diagnostic.in_file(&self.source.path).with_pointer(pointer);
        self.located += 1;
        let limit = (LOCATING_BUDGET / self.source.text.len().max(1)).clamp(1, LOCATED_DIAGNOSTICS);
        if self.located > limit {
            return diagnostic;
        }
        let text = &self.source.text;
        let lines = self.lines.get_or_insert_with(|| {
            crate::load::source::Source::new(std::sync::Arc::new(self.source.path.clone()), text.clone())
        });
        let (line, column) = lines.line_column(lines.locate(0, pointer));
        diagnostic.at(line, column)
    }
}

/// What the event's tags say.
#[derive(Default)]
struct Tags {
    markings: BTreeSet<String>,
    labels: Vec<String>,
    techniques: Vec<String>,
}

fn read_tags(holder: &Value, tags: &mut Tags) {
    let list = holder.get("Tag").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for tag in list {
        if let Some(name) = tag.get("name").and_then(Value::as_str) {
            read_tag(name, tags);
        }
    }
    let galaxies = holder.get("Galaxy").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for galaxy in galaxies {
        let clusters = galaxy.get("GalaxyCluster").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for cluster in clusters {
            let id = cluster
                .get("meta")
                .and_then(|m| m.get("external_id"))
                .and_then(|e| e.as_array().and_then(|a| a.first()).or(Some(e)))
                .and_then(Value::as_str)
                .and_then(technique_id)
                .or_else(|| cluster.get("value").and_then(Value::as_str).and_then(technique_in));
            if let Some(id) = id {
                push_unique(&mut tags.techniques, id);
            }
        }
    }
}

fn read_tag(name: &str, tags: &mut Tags) {
    let lower = name.trim().to_ascii_lowercase();
    if let Some(level) = lower.strip_prefix("tlp:") {
        if let Some(marking) = tlp_marking(level) {
            tags.markings.insert(marking.to_owned());
            return;
        }
    }
    if lower.starts_with("misp-galaxy:mitre-") {
        if let Some(id) = technique_in(name) {
            push_unique(&mut tags.techniques, id);
            return;
        }
    }
    if tags.labels.len() < MAX_LABELS && !name.trim().is_empty() {
        push_unique(&mut tags.labels, super::clip(name.trim(), 200));
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// `white`, `clear`, `amber+strict` → the marking definition MISP's converter uses.
fn tlp_marking(level: &str) -> Option<&'static str> {
    use crate::stix::marking::TLP_MARKINGS;
    let version = if matches!(level, "clear" | "amber+strict") { 2 } else { 1 };
    TLP_MARKINGS.iter().find(|m| m.3 == level && m.2 == version).map(|m| m.0)
}

/// The T-id at the end of a cluster's value: `Command and Scripting Interpreter - T1059`.
fn technique_in(text: &str) -> Option<String> {
    let text = text.trim_end_matches(['"', ' ']);
    let last = text.rsplit([' ', '"', '=']).next()?;
    technique_id(last)
}

fn technique_id(text: &str) -> Option<String> {
    let rest = text.strip_prefix('T')?;
    let (main, sub) = rest.split_once('.').map_or((rest, None), |(m, s)| (m, Some(s)));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(main, 4) && sub.is_none_or(|s| digits(s, 3))).then(|| text.to_owned())
}

/// A MISP time: seconds since 1970 as a string or a number.
fn unix_time(value: Option<&Value>) -> Option<Timestamp> {
    let seconds = match value? {
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    (0..=253_402_300_799).contains(&seconds).then(|| Timestamp::from_unix_seconds(seconds))
}

fn text_of<'v>(holder: &'v Value, key: &str) -> Option<&'v str> {
    holder.get(key).and_then(Value::as_str)
}

/// MISP writes booleans as `true`, `1` or `"1"`.
fn flag(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        Some(Value::String(s)) => matches!(s.as_str(), "1" | "true" | "True"),
        _ => false,
    }
}

struct Event<'e> {
    key: String,
    time: String,
    tags: Tags,
    markings: Vec<String>,
    refs: Vec<String>,
    attack_patterns: Vec<String>,
    source_name: &'e str,
}

fn import_event(import: &mut Import<'_>, reader: &mut Reader<'_>, event: &Value, pointer: &str) {
    if !event.is_object() {
        let d = Diagnostic::error("import-misp-shape", "a MISP event must be a JSON object");
        import.diagnostics.push(reader.at(d, pointer));
        return;
    }
    let uuid = text_of(event, "uuid").unwrap_or_default();
    let info = text_of(event, "info").map(str::trim).filter(|i| !i.is_empty());
    let time =
        unix_time(event.get("timestamp")).map(|t| t.to_millis_text()).unwrap_or_else(|| import.time_for(reader.source));
    let mut tags = Tags::default();
    read_tags(event, &mut tags);
    let markings: Vec<String> = tags.markings.iter().cloned().collect();
    let key = if uuid.is_empty() { format!("{}{pointer}", reader.source.name) } else { format!("misp event {uuid}") };
    let mut state = Event {
        key,
        time,
        tags,
        markings,
        refs: Vec::new(),
        attack_patterns: Vec::new(),
        source_name: &reader.source.name,
    };
    for technique in state.tags.techniques.clone() {
        match import.known(&technique) {
            Some(id) => {
                state.refs.push(id.clone());
                state.attack_patterns.push(id);
            }
            None => {
                let d = Diagnostic::warning(
                    "import-unknown-reference",
                    format!("{technique} is tagged, but the repository has no attack pattern for it"),
                )
                .with_help("add the technique (e.g. from ATT&CK) to the repository and import again");
                import.diagnostics.push(reader.at(d, pointer));
            }
        }
    }
    let attributes = list_at(import, reader, event, "Attribute", pointer);
    for (i, attribute) in attributes.iter().enumerate() {
        import_attribute(import, reader, &mut state, attribute, &format!("{pointer}/Attribute/{i}"));
    }
    let objects = list_at(import, reader, event, "Object", pointer);
    for (i, object) in objects.iter().enumerate() {
        import_object(import, reader, &mut state, object, &format!("{pointer}/Object/{i}"));
    }
    if let Some(identity) = organisation(import, &state, event.get("Orgc"), pointer) {
        state.refs.push(identity);
    }
    add_event_report(import, reader, &state, event, info, pointer);
}

fn list_at<'v>(
    import: &mut Import<'_>,
    reader: &mut Reader<'_>,
    holder: &'v Value,
    key: &str,
    pointer: &str,
) -> &'v [Value] {
    match holder.get(key) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            let d = Diagnostic::error("import-misp-shape", format!("`{key}` must be a list"));
            import.diagnostics.push(reader.at(d, &format!("{pointer}/{key}")));
            &[]
        }
    }
}

/// An attribute's value as text (MISP writes strings; a number is accepted).
fn value_text(attribute: &Value) -> Option<String> {
    match attribute.get("value")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn import_attribute(
    import: &mut Import<'_>,
    reader: &mut Reader<'_>,
    event: &mut Event<'_>,
    attribute: &Value,
    pointer: &str,
) {
    let (Some(misp_type), Some(raw)) = (text_of(attribute, "type"), value_text(attribute)) else {
        let d = Diagnostic::error("import-misp-shape", "an attribute needs a string `type` and `value`");
        import.diagnostics.push(reader.at(d, pointer));
        return;
    };
    let mut tags = Tags::default();
    read_tags(attribute, &mut tags);
    let time = unix_time(attribute.get("timestamp")).map(|t| t.to_millis_text()).unwrap_or_else(|| event.time.clone());
    let rule = format!("misp attribute {misp_type}");
    let mut made = Made::new(event.source_name, &rule, pointer.to_owned());
    if let Some(mapping) = misp_types::map(misp_type, &raw) {
        match mapping {
            Ok(mapping) => {
                let read = Attribute {
                    value: &raw,
                    tags: &tags,
                    time: &time,
                    pointer,
                    to_ids: flag(attribute.get("to_ids")),
                    comment: text_of(attribute, "comment"),
                };
                import_mapped(import, reader, event, &read, mapping, made);
            }
            Err(why) => {
                let d = Diagnostic::error(
                    "import-invalid-value",
                    format!("`{}` is not a {misp_type} value: {why}", super::clip(&raw, 80)),
                )
                .with_help("correct the attribute in MISP; the other attributes were imported");
                import.diagnostics.push(reader.at(d, &format!("{pointer}/value")));
            }
        }
        return;
    }
    let Some(comparisons) = comparisons(import, reader, misp_type, &raw, pointer) else { return };
    if flag(attribute.get("to_ids")) {
        describe(&mut made.extra, event, &tags, text_of(attribute, "comment"));
        made.extra.insert("name".into(), json!(super::clip(&raw, 200)));
        let id = match comparisons.as_slice() {
            [single] => import.indicator(single, &event.key, &time, &made),
            _ => {
                let pattern =
                    format!("[{}]", comparisons.iter().map(values::comparison).collect::<Vec<_>>().join(" AND "));
                import.indicator_with_pattern(("stix", &pattern), &raw, &event.key, &time, &made)
            }
        };
        relate(import, event, &id, &tags, &time, pointer);
        event.refs.push(id);
    } else {
        let provenance =
            Provenance { source: event.source_name, rule: "misp attribute (observable)", location: pointer.to_owned() };
        for value in &comparisons {
            if let Some(id) = import.observable(value, &provenance) {
                event.refs.push(id);
            }
        }
    }
}

/// One attribute as read, for the types `misp_types` maps.
struct Attribute<'a> {
    value: &'a str,
    tags: &'a Tags,
    time: &'a str,
    pointer: &'a str,
    to_ids: bool,
    comment: Option<&'a str>,
}

/// An attribute of a type that is not one blocklist value (`misp_types`).
fn import_mapped(
    import: &mut Import<'_>,
    reader: &mut Reader<'_>,
    event: &mut Event<'_>,
    attribute: &Attribute<'_>,
    mapping: Mapping,
    made: Made<'_>,
) {
    let pointer = attribute.pointer;
    match mapping {
        Mapping::Pattern { pattern, .. } if attribute.to_ids => {
            let name = super::clip(attribute.value, 200);
            attribute_indicator(import, event, attribute, ("stix", &pattern), name, made);
        }
        Mapping::Pattern { observed, .. } if observed.is_empty() => {
            let d = Diagnostic::warning(
                "import-misp-not-observable",
                "this attribute type has no cyber-observable of its own in STIX, and the attribute is not `to_ids`: left out",
            )
            .with_help("mark the attribute `to_ids` in MISP to import it as an indicator");
            import.diagnostics.push(reader.at(d, &format!("{pointer}/type")));
        }
        Mapping::Pattern { observed, .. } => {
            for object in observed {
                let Some(id) = object.get("id").and_then(Value::as_str).map(str::to_owned) else { continue };
                if !import.repository.has(&id) {
                    import.out.add_sco(object, &made.provenance);
                }
                event.refs.push(id);
            }
        }
        Mapping::Rule(language) => {
            let name = rule_name(attribute.value);
            attribute_indicator(import, event, attribute, (language, attribute.value), name, made);
        }
        Mapping::Named(object_type) => {
            let id = named_object(import, event, attribute, object_type, made);
            event.refs.push(id);
        }
        Mapping::Note => {
            let mut object = Map::new();
            let id = bundle::derived_id("note", &format!("{}\n{pointer}", event.key));
            object.insert("type".into(), json!("note"));
            object.insert("id".into(), json!(id));
            object.insert("content".into(), json!(super::clip(attribute.value, 100_000)));
            object.insert("object_refs".into(), json!([bundle::derived_id("report", &event.key)]));
            if !event.markings.is_empty() {
                object.insert("object_marking_refs".into(), json!(event.markings));
            }
            import.out.add_sdo(object, attribute.time, &made.provenance);
            event.refs.push(id);
        }
    }
}

/// The indicator of an attribute (this pattern, in its language), named `name`, described by
/// the attribute and event, with the relationships their tags say; it joins the event's report.
fn attribute_indicator(
    import: &mut Import<'_>,
    event: &mut Event<'_>,
    attribute: &Attribute<'_>,
    pattern: (&str, &str),
    name: String,
    mut made: Made<'_>,
) {
    describe(&mut made.extra, event, attribute.tags, attribute.comment);
    made.extra.insert("name".into(), json!(name));
    let id = import.indicator_with_pattern(pattern, attribute.value, &event.key, attribute.time, &made);
    relate(import, event, &id, attribute.tags, attribute.time, attribute.pointer);
    event.refs.push(id);
}

/// A vulnerability, campaign or threat actor named by the attribute: the repository's when it
/// holds the CVE, else one made here (the same name in the same event gives the same id).
fn named_object(
    import: &mut Import<'_>,
    event: &Event<'_>,
    attribute: &Attribute<'_>,
    object_type: &str,
    made: Made<'_>,
) -> String {
    let name = super::clip(attribute.value, 300);
    let cve = object_type == "vulnerability" && name.to_ascii_uppercase().starts_with("CVE-");
    if cve {
        if let Some(known) = import.known(&name) {
            return known;
        }
    }
    let key = if cve { name.to_ascii_uppercase() } else { format!("{}\n{name}", event.key) };
    let id = bundle::derived_id(object_type, &key);
    let mut object = Map::new();
    object.insert("type".into(), json!(object_type));
    object.insert("id".into(), json!(id));
    object.insert("name".into(), json!(if cve { key.clone() } else { name }));
    if cve {
        object.insert("external_references".into(), json!([{ "source_name": "cve", "external_id": key }]));
    }
    if let Some(comment) = attribute.comment.map(str::trim).filter(|c| !c.is_empty()) {
        object.insert("description".into(), json!(super::clip(comment, 2000)));
    }
    if !event.markings.is_empty() {
        object.insert("object_marking_refs".into(), json!(event.markings));
    }
    import.out.add_sdo(object, attribute.time, &made.provenance);
    id
}

/// The name of a detection rule: YARA's `rule NAME`, Sigma's `title:`, Snort's `msg:`, else
/// its first line.
fn rule_name(rule: &str) -> String {
    let first_line = rule.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("rule");
    let named = rule.lines().map(str::trim).find_map(|line| {
        let rest = line.strip_prefix("rule ").or_else(|| line.strip_prefix("private rule "));
        let yara = rest.and_then(|r| r.split([' ', '{', ':']).next()).filter(|n| !n.is_empty());
        yara.or_else(|| line.strip_prefix("title:").map(str::trim))
    });
    let snort = rule.split_once("msg:\"").and_then(|(_, rest)| rest.split_once('"')).map(|(msg, _)| msg);
    super::clip(named.or(snort).unwrap_or(first_line), 200)
}

/// Description, labels and markings of an indicator from its attribute and event.
fn describe(extra: &mut Map<String, Value>, event: &Event<'_>, tags: &Tags, comment: Option<&str>) {
    if let Some(comment) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        extra.insert("description".into(), json!(super::clip(comment, 2000)));
    }
    let mut labels = tags.labels.clone();
    for label in &event.tags.labels {
        if labels.len() < MAX_LABELS {
            push_unique(&mut labels, label.clone());
        }
    }
    if !labels.is_empty() {
        extra.insert("labels".into(), json!(labels));
    }
    let mut markings: BTreeSet<String> = event.markings.iter().cloned().collect();
    markings.extend(tags.markings.iter().cloned());
    if !markings.is_empty() {
        extra.insert("object_marking_refs".into(), json!(markings));
    }
}

/// `indicates` relationships from an indicator to the attack patterns its attribute and event
/// are tagged with.
fn relate(import: &mut Import<'_>, event: &mut Event<'_>, indicator: &str, tags: &Tags, time: &str, pointer: &str) {
    let mut targets = event.attack_patterns.clone();
    for technique in &tags.techniques {
        if let Some(id) = import.known(technique) {
            push_unique(&mut targets, id);
        }
    }
    for target in targets {
        let mut object = bundle::relationship(indicator, "indicates", &target);
        if !event.markings.is_empty() {
            object.insert("object_marking_refs".into(), json!(event.markings));
        }
        let id = object.get("id").cloned().unwrap_or_default();
        let provenance = Provenance {
            source: event.source_name,
            rule: "misp galaxy mitre-attack-pattern",
            location: pointer.to_owned(),
        };
        import.out.add_sdo(object, time, &provenance);
        if let Some(id) = id.as_str() {
            event.refs.push(id.to_owned());
        }
    }
}

/// The comparisons an attribute's value makes: one, or two for `filename|md5` and the like.
fn comparisons(
    import: &mut Import<'_>,
    reader: &mut Reader<'_>,
    misp_type: &str,
    raw: &str,
    pointer: &str,
) -> Option<Vec<Observable>> {
    let parts: Vec<(Kind, &str)> = match misp_type.split_once('|') {
        Some(("filename", hash)) => {
            let (name, digest) = raw.split_once('|')?;
            vec![(Kind::FileName, name), (list::kind_named(hash).filter(|k| values::hash_name(*k).is_some())?, digest)]
        }
        // A sample's value is its file name and MD5, as `filename|md5`'s.
        None if misp_type == "malware-sample" => {
            let (name, digest) = raw.split_once('|')?;
            vec![(Kind::FileName, name), (Kind::Md5, digest)]
        }
        Some(("ip-dst" | "ip-src", "port")) => vec![(Kind::Ipv4, raw.split_once('|').map_or(raw, |(ip, _)| ip))],
        Some(_) => {
            unsupported(import, reader, misp_type, pointer);
            return None;
        }
        None => match list::kind_named(misp_type) {
            Some(kind) => vec![(kind, raw)],
            None => {
                unsupported(import, reader, misp_type, pointer);
                return None;
            }
        },
    };
    let mut out = Vec::with_capacity(parts.len());
    for (kind, value) in parts {
        // MISP writes an AS number as `AS64500`; the number is the value.
        let value = match kind {
            Kind::Asn => value.trim().strip_prefix("AS").or_else(|| value.trim().strip_prefix("as")).unwrap_or(value),
            _ => value,
        };
        match normalise(kind, value) {
            Ok(observable) => out.push(observable),
            Err(rejected) => {
                let d = Diagnostic::error(
                    "import-invalid-value",
                    format!("`{}` is not a {} value: {}", super::clip(value, 80), misp_type, rejected.reason),
                )
                .with_help("correct the attribute in MISP; the other attributes were imported");
                import.diagnostics.push(reader.at(d, &format!("{pointer}/value")));
                return None;
            }
        }
    }
    Some(out)
}

fn unsupported(import: &mut Import<'_>, reader: &mut Reader<'_>, misp_type: &str, pointer: &str) {
    let d = Diagnostic::warning(
        "import-misp-unsupported",
        format!("MISP attribute type `{}` has no STIX mapping in stixpress yet: left out", super::clip(misp_type, 60)),
    );
    import.diagnostics.push(reader.at(d, &format!("{pointer}/type")));
}

/// A MISP object: its attributes of one observable type (the object's own: a file's name and
/// hashes, a URL) become one observation, an indicator when any of them is `to_ids`.
fn import_object(
    import: &mut Import<'_>,
    reader: &mut Reader<'_>,
    event: &mut Event<'_>,
    object: &Value,
    pointer: &str,
) {
    let name = text_of(object, "name").unwrap_or("object");
    let attributes = list_at(import, reader, object, "Attribute", pointer);
    let mut found = Vec::new();
    let mut to_ids = false;
    for (i, attribute) in attributes.iter().enumerate() {
        let at = format!("{pointer}/Attribute/{i}");
        let (Some(misp_type), Some(raw)) = (text_of(attribute, "type"), value_text(attribute)) else {
            let d = Diagnostic::error("import-misp-shape", "an attribute needs a string `type` and `value`");
            import.diagnostics.push(reader.at(d, &at));
            continue;
        };
        if list::kind_named(misp_type).is_none() && !misp_type.contains('|') {
            continue; // size-in-bytes, entropy, …: not part of a pattern stixpress writes
        }
        if let Some(values) = comparisons(import, reader, misp_type, &raw, &at) {
            to_ids |= flag(attribute.get("to_ids"));
            found.extend(values);
        }
    }
    let primary = match name {
        "file" => Some("file"),
        "url" => Some("url"),
        "domain-ip" => Some("domain-name"),
        _ => None,
    };
    let type_of = |o: &Observable| values::comparison(o).split(':').next().unwrap_or_default().to_owned();
    let Some(first) = found.first() else { return };
    let wanted = primary.map_or_else(|| type_of(first), str::to_owned);
    let mut seen = BTreeSet::new();
    found.retain(|o| type_of(o) == wanted && seen.insert(o.clone()));
    // Digests first, as MISP's converter writes a file object's observation.
    found.sort_by_key(|o| values::hash_name(o.kind).is_none());
    if found.is_empty() {
        return;
    }
    let mut tags = Tags::default();
    read_tags(object, &mut tags);
    let time = unix_time(object.get("timestamp")).map(|t| t.to_millis_text()).unwrap_or_else(|| event.time.clone());
    if to_ids {
        let pattern = format!("[{}]", found.iter().map(values::comparison).collect::<Vec<_>>().join(" AND "));
        let mut made = Made::new(event.source_name, "misp object", pointer.to_owned());
        describe(&mut made.extra, event, &tags, text_of(object, "comment"));
        let label = format!("{name}: {}", found.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(", "));
        let id = import.indicator_with_pattern(("stix", &pattern), &label, &event.key, &time, &made);
        relate(import, event, &id, &tags, &time, pointer);
        event.refs.push(id);
    } else {
        let provenance =
            Provenance { source: event.source_name, rule: "misp object (observable)", location: pointer.to_owned() };
        for value in &found {
            if let Some(id) = import.observable(value, &provenance) {
                event.refs.push(id);
            }
        }
    }
}

/// The creating organisation as an identity.
fn organisation(import: &mut Import<'_>, event: &Event<'_>, orgc: Option<&Value>, pointer: &str) -> Option<String> {
    let orgc = orgc?;
    let name = text_of(orgc, "name").map(str::trim).filter(|n| !n.is_empty())?;
    let key = text_of(orgc, "uuid").unwrap_or(name);
    let id = bundle::derived_id("identity", &format!("misp organisation {key}"));
    let mut object = Map::new();
    object.insert("type".into(), json!("identity"));
    object.insert("id".into(), json!(id));
    object.insert("name".into(), json!(super::clip(name, 200)));
    object.insert("identity_class".into(), json!("organization"));
    let provenance = Provenance { source: event.source_name, rule: "misp orgc", location: format!("{pointer}/Orgc") };
    import.out.add_sdo(object, &event.time, &provenance);
    Some(id)
}

fn add_event_report(
    import: &mut Import<'_>,
    reader: &mut Reader<'_>,
    event: &Event<'_>,
    raw: &Value,
    info: Option<&str>,
    pointer: &str,
) {
    let mut seen = BTreeSet::new();
    let refs: Vec<&String> = event.refs.iter().filter(|r| seen.insert(r.as_str())).collect();
    if refs.is_empty() {
        let d = Diagnostic::warning(
            "import-nothing-found",
            "the event has nothing stixpress can import: no report was made",
        );
        import.diagnostics.push(reader.at(d, pointer));
        return;
    }
    let name = import.name.clone().or_else(|| info.map(str::to_owned)).unwrap_or_else(|| "MISP event".into());
    let published = text_of(raw, "date")
        .and_then(|d| Timestamp::parse(&format!("{d}T00:00:00Z")).ok())
        .map(|t| t.to_millis_text())
        .unwrap_or_else(|| event.time.clone());
    let mut object = Map::new();
    object.insert("type".into(), json!("report"));
    object.insert("id".into(), json!(bundle::derived_id("report", &event.key)));
    object.insert("name".into(), json!(super::clip(&name, 300)));
    object.insert("published".into(), json!(published));
    object.insert("report_types".into(), json!(["misc"]));
    object.insert("object_refs".into(), json!(refs));
    if !event.tags.labels.is_empty() {
        object.insert("labels".into(), json!(event.tags.labels));
    }
    if !event.markings.is_empty() {
        object.insert("object_marking_refs".into(), json!(event.markings));
    }
    if let Some(uuid) = text_of(raw, "uuid").filter(|u| !u.is_empty()) {
        object.insert(
            "external_references".into(),
            json!([{ "source_name": "misp", "external_id": super::clip(uuid, 100), "description": "MISP event" }]),
        );
    }
    let provenance = Provenance { source: event.source_name, rule: "misp event", location: pointer.to_owned() };
    import.out.add_sdo(object, &event.time, &provenance);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_into_markings_techniques_and_labels() {
        let mut tags = Tags::default();
        for name in [
            "tlp:green",
            "TLP:CLEAR",
            "misp-galaxy:mitre-attack-pattern=\"Command and Scripting Interpreter - T1059\"",
            "misp-galaxy:mitre-attack-pattern=\"PowerShell - T1059.001\"",
            "kill-chain:delivery",
        ] {
            read_tag(name, &mut tags);
        }
        assert_eq!(tags.markings.len(), 2);
        assert_eq!(tags.techniques, ["T1059", "T1059.001"]);
        assert_eq!(tags.labels, ["kill-chain:delivery"]);
    }

    #[test]
    fn times_and_flags_take_misps_types() {
        assert_eq!(unix_time(Some(&json!("86400"))).map(|t| t.date_text()), Some("1970-01-02".into()));
        assert_eq!(unix_time(Some(&json!(["x"]))), None);
        assert!(flag(Some(&json!("1"))) && flag(Some(&json!(true))) && !flag(Some(&json!({}))));
    }
}
