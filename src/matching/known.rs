//! The values `match` looks for, each with the indicators that list it: from an audience's
//! indicators (the blocklists' values) or from a published `indicators.csv`.

use std::collections::BTreeMap;

use crate::stix::observables::Kind;

/// An indicator, as a hit names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: String,
    pub name: String,
    pub labels: Vec<String>,
    /// `TLP:CLEAR`, …; unknown when read from a feed (the CSV has no markings).
    pub tlp: Option<String>,
    /// The reports that list it: (id, name).
    pub reports: Vec<(String, String)>,
}

/// A value in its kind's normal form, and the indicators (indexes into [`Known::sources`]).
#[derive(Debug, Clone)]
pub struct Listed {
    pub kind: Kind,
    pub value: String,
    pub sources: Vec<usize>,
}

/// Every value to look for, once per kind and value.
#[derive(Debug, Default)]
pub struct Known {
    pub sources: Vec<Source>,
    pub listed: Vec<Listed>,
}

impl Known {
    /// From (kind, value, source) triples, in any order and with repeats.
    pub fn from_triples(sources: Vec<Source>, triples: impl IntoIterator<Item = (Kind, String, usize)>) -> Known {
        let mut by_value: BTreeMap<(Kind, String), Vec<usize>> = BTreeMap::new();
        for (kind, value, source) in triples {
            let entry = by_value.entry((kind, value)).or_default();
            if !entry.contains(&source) {
                entry.push(source);
            }
        }
        let listed = by_value.into_iter().map(|((kind, value), sources)| Listed { kind, value, sources }).collect();
        Known { sources, listed }
    }
}
