//! STIX bundles and folders from elsewhere (STIX 2.0 or 2.1): their objects are kept as
//! published, byte for byte: same id, same `modified`, same version (a 2.0 object stays 2.0;
//! the build upgrades it for consumers). `check`'s rules have already run on them while they
//! were loaded (the pipeline loads them as `check` loads content); here the objects with errors
//! are left out and the versions the repository (or this import) already holds are not written
//! again. This module never rewrites an object: no provenance extension, no `created_by_ref`;
//! where the objects came from is said beside them, by a grouping the import makes.

use std::collections::HashSet;

use serde_json::{json, Map};

use crate::diag::Diagnostic;
use crate::stix::{SpecVersion, StixObject, Timestamp, KEPT_AS_PUBLISHED};

use super::{bundle, Import, Provenance};

/// Keeps each valid object version the repository does not hold; returns the kept ones (for
/// the repository rules, which see them beside the repository's objects).
pub(crate) fn keep(import: &mut Import<'_>, objects: Vec<StixObject>) -> Vec<StixObject> {
    let mut kept = Vec::new();
    for object in objects.into_iter().filter(|o| !o.invalid) {
        let modified = object.modified.as_deref().unwrap_or("");
        match import.repository.version(&object) {
            Some(hash) if hash == object.content_hash => continue,
            Some(_) => {
                import.diagnostics.push(held_differently(&object));
                continue;
            }
            None => {}
        }
        if import.out.has_version(&object.id, modified) {
            continue;
        }
        import.out.keep(&object.id, modified, &object.raw, object.spec_version);
        kept.push(object);
    }
    kept
}

/// The repository holds this version (same id and `modified`) with other content: the
/// repository's copy stays, and the difference is reported where the import found it.
fn held_differently(object: &StixObject) -> Diagnostic {
    Diagnostic::warning(
        "import-conflicting-copy",
        format!(
            "the repository already holds `{}` modified {} with different content; the repository's copy is kept",
            object.id,
            object.modified.as_deref().unwrap_or("(never)")
        ),
    )
    .in_file(object.file.as_path())
    .with_pointer(object.pointer())
    .for_object(Some(&object.id))
    .with_help("a publisher changing an object must give it a new `modified`; ask the source which copy is right")
}

/// Where a run's objects kept as published came from: one source (a file, a folder, a TAXII
/// collection) and the versions kept from it.
pub(crate) struct Origin {
    /// The path or the collection's address.
    pub(crate) source: String,
    /// `stix bundle` or `taxii collection`.
    pub(crate) kind: &'static str,
    pub(crate) kept: Vec<(String, String, SpecVersion)>,
}

impl Origin {
    pub(crate) fn new(source: String, kind: &'static str) -> Origin {
        Origin { source, kind, kept: Vec::new() }
    }

    pub(crate) fn record(&mut self, kept: &[StixObject]) {
        let versions = kept.iter().map(|o| (o.id.clone(), o.modified.clone().unwrap_or_default(), o.spec_version));
        self.kept.extend(versions);
    }
}

/// Says where objects kept as published came from, without touching them: a grouping made by
/// the importing identity, carrying the provenance extension, that lists the objects still in
/// the bundle (object pages show it as theirs). None for a source of STIX 2.0 objects only:
/// their bundle stays a STIX 2.0 bundle, which has no groupings.
pub(crate) fn group_kept(import: &mut Import<'_>, origin: &Origin) {
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    let mut newest: Option<Timestamp> = None;
    let mut any_21 = false;
    for (id, modified, version) in &origin.kept {
        if !import.out.has_version(id, modified) {
            continue;
        }
        any_21 |= *version == SpecVersion::V21;
        if let Ok(time) = Timestamp::parse(modified) {
            newest = newest.max(Some(time));
        }
        if seen.insert(id.as_str()) {
            ids.push(id.clone());
        }
    }
    if ids.is_empty() || !any_21 {
        return;
    }
    let time = newest.or(import.now).unwrap_or_else(|| Timestamp::from_unix_seconds(0)).to_millis_text();
    let mut object = Map::new();
    object.insert("type".into(), json!("grouping"));
    object
        .insert("id".into(), json!(bundle::derived_id("grouping", &format!("{}\n{}", origin.source, ids.join("\n")))));
    object.insert("name".into(), json!(super::clip(&format!("Imported from {}", origin.source), 300)));
    object.insert("context".into(), json!("unspecified"));
    object.insert(
        "description".into(),
        json!("Objects `stixpress import` took as their publisher published them: they are unchanged, and this grouping says where they came from."),
    );
    object.insert("object_refs".into(), json!(ids));
    let rule = format!("{} {KEPT_AS_PUBLISHED}", origin.kind);
    let location = format!("{} objects", ids.len());
    let provenance = Provenance { source: &origin.source, rule: &rule, location };
    import.out.add_sdo(object, &time, &provenance);
}
