//! The name index: names, aliases and external ids (ATT&CK `T1059`, `CVE-2024-…`, `CAPEC-94`)
//! to the objects that carry them. Lookups ignore case, as analysts type them.

use std::collections::BTreeMap;

use super::{ObjectIndex, Store};

#[derive(Default)]
pub struct NameIndex {
    by_name: BTreeMap<String, Vec<ObjectIndex>>,
    by_external_id: BTreeMap<String, Vec<ObjectIndex>>,
}

impl NameIndex {
    pub fn build(store: &Store) -> NameIndex {
        let mut index = NameIndex::default();
        for object_index in store.indices() {
            let object = store.latest(object_index);
            for name in object.name.iter().chain(&object.aliases) {
                index.by_name.entry(name.to_lowercase()).or_default().push(object_index);
            }
            for (_, external_id) in &object.external_ids {
                let ids = index.by_external_id.entry(external_id.to_uppercase()).or_default();
                if !ids.contains(&object_index) {
                    ids.push(object_index);
                }
            }
        }
        index
    }

    /// The objects named or aliased `name`, in id order.
    pub fn named(&self, name: &str) -> &[ObjectIndex] {
        self.by_name.get(&name.to_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// The objects whose external references carry `external_id`, in id order.
    pub fn with_external_id(&self, external_id: &str) -> &[ObjectIndex] {
        self.by_external_id.get(&external_id.to_uppercase()).map_or(&[], Vec::as_slice)
    }
}
