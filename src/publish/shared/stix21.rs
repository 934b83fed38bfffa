//! The JSON of an object version as every STIX output publishes it (TAXII objects and
//! manifests, the feeds' bundles): as this audience gets it (see `View::json`), in STIX 2.1. A
//! STIX 2.0 version is upgraded (`stix::upgrade`); a 2.1 version is the contributed text.
//! Pages show the contributed JSON and say when the published form differs.

use std::borrow::Cow;

use crate::audience::View;
use crate::stix::upgrade::to_21;
use crate::stix::StixObject;

/// `version` as published, on one line (TAXII answers and bundles hold one object per line).
pub(crate) fn published_compact(view: &View<'_>, version: &StixObject) -> String {
    compact(&published_json(view, version))
}

/// `version` as published: the audience's copy, in STIX 2.1.
pub(crate) fn published_json<'s>(view: &View<'s>, version: &'s StixObject) -> Cow<'s, str> {
    match view.json(version) {
        Cow::Borrowed(text) => to_21(text, version.spec_version),
        Cow::Owned(text) => Cow::Owned(to_21(&text, version.spec_version).into_owned()),
    }
}

/// Valid JSON without the whitespace between tokens (strings are kept byte for byte).
pub(crate) fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings_and_drops_the_rest() {
        let raw = "{\n  \"name\": \"a  b\\\" } \",\n  \"list\": [ 1, 2 ]\n}";
        assert_eq!(compact(raw), "{\"name\":\"a  b\\\" } \",\"list\":[1,2]}");
        let value: serde_json::Value = serde_json::from_str(&compact(raw)).unwrap();
        assert_eq!(value["name"], "a  b\" } ");
    }
}
