//! STIX bundles and folders from elsewhere (STIX 2.0 or 2.1): their objects are kept as
//! published, byte for byte: same id, same `modified`, same version (a 2.0 object stays 2.0;
//! the build upgrades it for consumers). `check`'s rules have already run on them while they
//! were loaded (the pipeline loads them as `check` loads content); here the objects with errors
//! are left out and the versions the repository (or this import) already holds are not written
//! again. This module never rewrites an object: no provenance extension, no `created_by_ref`.

use crate::diag::Diagnostic;
use crate::stix::StixObject;

use super::Import;

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
    .with_pointer(object.pointer.clone())
    .for_object(Some(&object.id))
    .with_help("a publisher changing an object must give it a new `modified`; ask the source which copy is right")
}
