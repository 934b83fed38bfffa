//! Marking semantics: what each marking definition means, and whether an audience may see an
//! object version carrying it. Pure functions of the markings, shared by `check` (which warns
//! about markings that withhold more than a contributor may expect) and by the View.

use std::collections::HashMap;

use serde::Deserialize;

use super::redact::{redaction, Redaction};
use crate::config::Audience;
use crate::stix::marking::{tlp_of, Tlp};
use crate::stix::StixObject;

/// The properties through which an object carries markings.
pub(crate) const MARKING_PROPERTIES: [&str; 2] = ["object_marking_refs", "granular_markings"];

pub(crate) fn is_marking_property(property: &str) -> bool {
    MARKING_PROPERTIES.contains(&property)
}

/// What a marking definition means to an audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MarkingKind {
    /// A TLP 1.0 or 2.0 marking, known by its canonical id.
    Tlp(Tlp),
    /// A statement (copyright, terms of use): it restricts nothing. Its text is shown on pages.
    Statement(String),
    /// A definition in the repository that is neither: a community's own marking.
    Other { definition_type: String },
    /// Neither a TLP id nor a definition in the repository: it may mean anything.
    Unresolved,
}

impl MarkingKind {
    pub(crate) fn restricts(&self) -> bool {
        !matches!(self, MarkingKind::Statement(_))
    }
}

/// The marking definitions of a repository, by id (latest versions).
#[derive(Debug, Default)]
pub(crate) struct Markings {
    defined: HashMap<String, MarkingKind>,
}

#[derive(Deserialize)]
struct Definition {
    definition_type: Option<String>,
    definition: Option<StatementText>,
}

#[derive(Deserialize)]
struct StatementText {
    statement: Option<String>,
}

impl Markings {
    /// Reads the marking definitions among `objects` (the latest version of each).
    pub(crate) fn new<'o>(objects: impl Iterator<Item = &'o StixObject>) -> Markings {
        let mut defined = HashMap::new();
        for object in objects.filter(|o| o.object_type == "marking-definition" && tlp_of(&o.id).is_none()) {
            let parsed: Option<Definition> = serde_json::from_str(&object.raw).ok();
            let kind = match parsed {
                Some(Definition { definition_type: Some(t), definition }) if t == "statement" => {
                    MarkingKind::Statement(definition.and_then(|d| d.statement).unwrap_or_default())
                }
                // A TLP 2.0 definition's type is its extension's name; one with an id other than
                // the canonical ones is not a TLP marking anyone can rely on.
                Some(Definition { definition_type, .. }) => {
                    MarkingKind::Other { definition_type: definition_type.unwrap_or_else(|| "extension".into()) }
                }
                None => MarkingKind::Other { definition_type: "unreadable".into() },
            };
            defined.insert(object.id.clone(), kind);
        }
        Markings { defined }
    }

    pub(crate) fn kind(&self, marking_id: &str) -> &MarkingKind {
        static TLP: [MarkingKind; 6] = [
            MarkingKind::Tlp(Tlp::Clear),
            MarkingKind::Tlp(Tlp::White),
            MarkingKind::Tlp(Tlp::Green),
            MarkingKind::Tlp(Tlp::Amber),
            MarkingKind::Tlp(Tlp::AmberStrict),
            MarkingKind::Tlp(Tlp::Red),
        ];
        match tlp_of(marking_id) {
            Some(level) => &TLP[level as usize],
            None => self.defined.get(marking_id).unwrap_or(&MarkingKind::Unresolved),
        }
    }

    /// The statement's text, when `marking_id` is a statement marking.
    pub(crate) fn statement(&self, marking_id: &str) -> Option<&str> {
        match self.defined.get(marking_id) {
            Some(MarkingKind::Statement(text)) => Some(text),
            _ => None,
        }
    }
}

/// Which markings one audience may see.
#[derive(Debug, Clone)]
pub(crate) struct MarkingPolicy {
    pub(crate) audience: Audience,
}

impl MarkingPolicy {
    pub(crate) fn new(audience: &Audience) -> MarkingPolicy {
        MarkingPolicy { audience: audience.clone() }
    }

    /// How `property` may lose references to objects withheld from this audience: never,
    /// unless the audience redacts (`redact_refs`).
    pub(crate) fn redaction(&self, property: &str) -> Redaction {
        if self.audience.redact_refs {
            redaction(property)
        } else {
            Redaction::No
        }
    }

    /// Whether an object carrying `marking_id` may be shown: a TLP level the audience lists, a
    /// statement, or a definition the audience names. Anything else is withheld, because an
    /// unknown marking may mean anything.
    pub(crate) fn allows(&self, marking_id: &str, markings: &Markings) -> bool {
        if self.audience.markings.iter().any(|m| m == marking_id) {
            return true;
        }
        match markings.kind(marking_id) {
            MarkingKind::Tlp(level) => self.audience.tlp.contains(level),
            MarkingKind::Statement(_) => true,
            MarkingKind::Other { .. } | MarkingKind::Unresolved => false,
        }
    }

    /// Whether the markings of one object version let it be shown: every marking, object-level
    /// and granular, is allowed; and one that carries no restricting marking (statements aside)
    /// only when the audience sees unmarked objects. Marking definitions themselves are the
    /// vocabulary of markings, so they count as marked.
    pub(crate) fn allows_markings_of(&self, object: &StixObject, markings: &Markings) -> bool {
        let mut restricted = object.object_type == "marking-definition";
        for reference in object.refs.iter().filter(|r| is_marking_property(&r.property)) {
            if !self.allows(&reference.target, markings) {
                return false;
            }
            restricted = restricted || markings.kind(&reference.target).restricts();
        }
        restricted || self.audience.unmarked
    }
}

/// The highest TLP level among an object's markings (object-level and granular).
pub(crate) fn highest_tlp(object: &StixObject) -> Option<Tlp> {
    object.refs.iter().filter(|r| is_marking_property(&r.property)).filter_map(|r| tlp_of(&r.target)).max()
}
