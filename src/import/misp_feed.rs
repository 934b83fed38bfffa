//! MISP feeds (a folder or an address holding `manifest.json` and one `<uuid>.json` a event,
//! as MISP and PyMISP's `feed_meta_generator` write them): the manifest says which events the
//! feed holds; each event is then imported as an event file is. This module reads the
//! manifest only; the pipeline fetches the events (from disk or over HTTP).

use serde_json::Value;

use super::Source;
use crate::diag::Diagnostic;

/// The events a manifest lists, by uuid, in byte order (so that an import is deterministic
/// whatever order the manifest was written in). A key that is not a UUID is reported and
/// skipped: it becomes a file name or an address, and must not climb out of the feed.
pub(crate) fn event_uuids(manifest: &Source) -> (Vec<String>, Vec<Diagnostic>) {
    let shape = |message: String| {
        manifest.problem(Diagnostic::error("import-misp-shape", message), 1, 1).with_help(
            "a MISP feed's manifest.json maps each event's uuid to its metadata: {\"<uuid>\": {\"info\": …}}",
        )
    };
    let members = match serde_json::from_str::<Value>(&manifest.text) {
        Ok(Value::Object(members)) => members,
        Ok(_) => return (Vec::new(), vec![shape("manifest.json is not a JSON object".into())]),
        Err(e) => {
            let d = Diagnostic::error("import-misp-shape", format!("manifest.json is not valid JSON: {e}"));
            return (Vec::new(), vec![manifest.problem(d, e.line().max(1), e.column().max(1))]);
        }
    };
    let mut uuids = Vec::with_capacity(members.len());
    let mut problems = Vec::new();
    for key in members.keys() {
        if is_uuid(key) {
            uuids.push(key.to_ascii_lowercase());
        } else {
            let shown = super::clip(key, 80);
            problems.push(
                shape(format!("`{shown}` is not an event uuid; skipped"))
                    .with_pointer(crate::diag::json_pointer("", key)),
            );
        }
    }
    uuids.sort();
    uuids.dedup();
    (uuids, problems)
}

fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_list_event_uuids_and_nothing_that_climbs_out() {
        let text = r#"{"5f7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b": {"info": "b"},
            "../../etc/passwd": {}, "0a7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b": {"info": "a"}}"#;
        let source = Source::new(std::path::Path::new("feed/manifest.json"), text.as_bytes().to_vec(), None);
        let (uuids, problems) = event_uuids(&source);
        assert_eq!(uuids, ["0a7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b", "5f7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b"]);
        assert_eq!(problems.len(), 1);
        let source = Source::new(std::path::Path::new("manifest.json"), b"[1]".to_vec(), None);
        assert_eq!(event_uuids(&source).1.len(), 1);
    }
}
