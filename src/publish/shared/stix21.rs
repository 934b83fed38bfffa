//! The JSON of an object version as every STIX output publishes it (TAXII objects and
//! manifests, the feeds' bundles): as this audience gets it (see `View::json`), in STIX 2.1. A
//! STIX 2.0 version is upgraded (`stix::upgrade`); a 2.1 version is the contributed text.
//! Pages show the contributed JSON and say when the published form differs.

use std::borrow::Cow;

use crate::audience::View;
use crate::stix::upgrade::to_21;
use crate::stix::StixObject;

/// `version` as published: the audience's copy, in STIX 2.1.
pub fn published_json<'s>(view: &View<'s>, version: &'s StixObject) -> Cow<'s, str> {
    match view.json(version) {
        Cow::Borrowed(text) => to_21(text, version.spec_version),
        Cow::Owned(text) => Cow::Owned(to_21(&text, version.spec_version).into_owned()),
    }
}
