//! The JSON of an object version as every STIX output publishes it (TAXII objects and
//! manifests, the feeds' bundles): as this audience gets it (see `View::json`), in STIX 2.1. A
//! STIX 2.0 version is upgraded (`stix::upgrade`); a 2.1 version is the contributed text.
//! Object pages link this form (their TAXII file) and say when it was contributed as 2.0.

use std::borrow::Cow;

use crate::audience::View;
use crate::load::json::compact;
use crate::stix::upgrade::to_21;
use crate::stix::StixObject;

/// `version` as published, on one line (TAXII answers and bundles hold one object per line):
/// borrowed from the Store when it holds it so (a build loads the JSON compacted, and then it is
/// not read through again: at a million objects that is a gigabyte).
pub(crate) fn published_compact<'s>(view: &View<'s>, version: &'s StixObject) -> Cow<'s, str> {
    match published_json(view, version) {
        Cow::Borrowed(text) if view.has_compact_json() => {
            debug_assert!(matches!(compact(text), Cow::Borrowed(_)), "the Store said its JSON was compact");
            Cow::Borrowed(text)
        }
        Cow::Borrowed(text) => compact(text),
        Cow::Owned(text) => Cow::Owned(compact(&text).into_owned()),
    }
}

/// `version` as published: the audience's copy, in STIX 2.1.
pub(crate) fn published_json<'s>(view: &View<'s>, version: &'s StixObject) -> Cow<'s, str> {
    match view.json(version) {
        Cow::Borrowed(text) => to_21(text, version.spec_version),
        Cow::Owned(text) => Cow::Owned(to_21(&text, version.spec_version).into_owned()),
    }
}
