//! Audiences: the Store as one audience may see it (a `View`).
//!
//! An object is visible when every marking on it (object-level and granular) is one the
//! audience's `MarkingPolicy` allows, and everything it references is visible too: a report,
//! relationship or sighting that points at a withheld object would reveal that object's id, so it
//! is withheld with it. Renderers take a View and never the Store, so what is withheld cannot
//! reach any output by mistake.

mod view;

use crate::link::Store;
use crate::stix::marking::{tlp_of, Tlp};
use crate::stix::StixObject;
pub use view::{Entry, View};

/// Which markings an audience may see.
#[derive(Debug, Clone)]
pub struct MarkingPolicy {
    pub name: String,
    /// TLP levels this audience may see.
    pub allowed_tlp: Vec<Tlp>,
    /// Whether objects without any marking are published.
    pub unmarked: bool,
}

impl MarkingPolicy {
    /// The default audience: anyone on the internet (TLP:CLEAR, TLP:WHITE and unmarked objects).
    pub fn public() -> MarkingPolicy {
        MarkingPolicy { name: "public".into(), allowed_tlp: vec![Tlp::Clear, Tlp::White], unmarked: true }
    }

    /// Whether an object carrying the marking definition `marking_id` may be shown. Statement
    /// markings (copyright, terms of use) restrict nothing; any other marking this policy does not
    /// know is withheld, because an unknown marking may mean anything.
    fn allows_marking(&self, marking_id: &str, store: &Store) -> bool {
        match tlp_of(marking_id) {
            Some(level) => self.allowed_tlp.contains(&level),
            None => is_statement(marking_id, store),
        }
    }

    /// Whether the markings of one object version let it be shown: every marking is allowed,
    /// and an unmarked one only when the policy publishes unmarked objects.
    fn allows_markings_of(&self, object: &StixObject, store: &Store) -> bool {
        let mut markings = object.refs.iter().filter(|r| MARKING_PROPERTIES.contains(&r.property.as_str())).peekable();
        let marked = markings.peek().is_some();
        (self.unmarked || marked) && markings.all(|r| self.allows_marking(&r.target, store))
    }
}

fn is_statement(marking_id: &str, store: &Store) -> bool {
    let Some(index) = store.find(marking_id) else { return false };
    let raw = &store.latest(index).raw;
    let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) else { return false };
    value.get("definition_type").and_then(|t| t.as_str()) == Some("statement")
}

const MARKING_PROPERTIES: [&str; 2] = ["object_marking_refs", "granular_markings"];

/// Decides what `policy` may see of `store`.
pub fn view<'s>(store: &'s Store, policy: &MarkingPolicy) -> View<'s> {
    let mut visible: Vec<bool> =
        store.indices().map(|index| policy.allows_markings_of(store.latest(index), store)).collect();
    withhold_referrers(store, &mut visible);
    View::new(store, visible, policy.clone())
}

/// Withholds every object that references a withheld one, transitively (a note on a report on
/// a withheld indicator goes too).
fn withhold_referrers(store: &Store, visible: &mut [bool]) {
    let mut pending: Vec<_> = store.indices().filter(|i| !visible[i.0 as usize]).collect();
    while let Some(withheld) = pending.pop() {
        for edge in store.incoming(withheld) {
            let source = edge.source.0 as usize;
            // A marking definition is referenced by what it marks: that is the policy's job above.
            if visible[source] && !MARKING_PROPERTIES.contains(&store.property(edge)) {
                visible[source] = false;
                pending.push(edge.source);
            }
        }
    }
}

#[cfg(test)]
mod tests;
