//! What the connecting objects connect: a relationship's type and ends, a sighting's subject
//! and places, a report's object_refs. Each is a pure function of the seed and the index, so
//! the object's writer and the objects that refer to it (for its TLP level) agree.
//!
//! References point at objects that exist, except one in a thousand (`DANGLING_PER_MILLION`):
//! a relationship target, a sighting_of_ref or a report entry then names an id of the right
//! type that no file holds, the way a repository refers to something not contributed yet.
//! Markings are consistent: a relationship or sighting is at least as restricted as what it
//! connects, and a report lists only objects no more restricted than itself, so no audience
//! sees an object that names one it may not see.

use super::model::{Kind, Plan, Tlp};
use super::rng::{Rng, Stream};

pub const DANGLING_PER_MILLION: u64 = 1_000;

/// One end of a reference.
pub enum Ref {
    Object(u32),
    /// An id of an object that is not in the repository.
    Dangling(String),
}

impl Ref {
    pub fn id(&self, plan: &Plan) -> String {
        match self {
            Ref::Object(index) => plan.id(*index),
            Ref::Dangling(id) => id.clone(),
        }
    }

    fn tlp(&self, plan: &Plan) -> Tlp {
        match self {
            Ref::Object(index) => tlp(plan, *index),
            Ref::Dangling(_) => Tlp::Unmarked,
        }
    }
}

/// (weight, source kind, relationship type, target kinds): pairs the STIX 2.1 specification suggests.
const RELATIONSHIPS: &[(u64, Kind, &str, &[Kind])] = &[
    (
        36,
        Kind::Indicator,
        "indicates",
        &[Kind::Malware, Kind::IntrusionSet, Kind::ThreatActor, Kind::Campaign, Kind::AttackPattern, Kind::Tool],
    ),
    (12, Kind::IntrusionSet, "uses", &[Kind::Malware, Kind::Tool, Kind::AttackPattern]),
    (5, Kind::ThreatActor, "uses", &[Kind::Malware, Kind::Tool, Kind::AttackPattern]),
    (6, Kind::Campaign, "uses", &[Kind::Malware, Kind::Tool, Kind::AttackPattern]),
    (8, Kind::Malware, "uses", &[Kind::AttackPattern, Kind::Tool]),
    (4, Kind::Campaign, "attributed-to", &[Kind::IntrusionSet, Kind::ThreatActor]),
    (3, Kind::IntrusionSet, "attributed-to", &[Kind::ThreatActor]),
    (4, Kind::IntrusionSet, "targets", &[Kind::Identity, Kind::Vulnerability]),
    (2, Kind::ThreatActor, "targets", &[Kind::Identity, Kind::Vulnerability]),
    (3, Kind::Campaign, "targets", &[Kind::Identity, Kind::Vulnerability]),
    (2, Kind::Malware, "targets", &[Kind::Identity, Kind::Vulnerability]),
    (3, Kind::Malware, "exploits", &[Kind::Vulnerability]),
    (4, Kind::Malware, "communicates-with", &[Kind::Ipv4Addr, Kind::DomainName, Kind::Url]),
    (2, Kind::Malware, "drops", &[Kind::Malware, Kind::Tool, Kind::File]),
    (1, Kind::Malware, "variant-of", &[Kind::Malware]),
    (2, Kind::DomainName, "resolves-to", &[Kind::Ipv4Addr]),
    (3, Kind::CourseOfAction, "mitigates", &[Kind::AttackPattern, Kind::Malware, Kind::Tool, Kind::Vulnerability]),
    (1, Kind::ThreatActor, "impersonates", &[Kind::Identity]),
    (1, Kind::Tool, "targets", &[Kind::Vulnerability, Kind::Identity]),
];

pub struct RelationshipShape {
    pub relationship_type: &'static str,
    pub source: u32,
    pub target: Ref,
}

pub struct SightingShape {
    pub sighting_of: Ref,
    pub where_sighted: Vec<u32>,
}

fn reference(plan: &Plan, kind: Kind, rng: &mut Rng) -> Ref {
    if rng.below(1_000_000) < DANGLING_PER_MILLION {
        Ref::Dangling(format!("{}--{}", kind.type_name(), rng.uuid4()))
    } else {
        Ref::Object(plan.pick(kind, rng))
    }
}

pub fn relationship(plan: &Plan, index: u32) -> RelationshipShape {
    let mut rng = Rng::keyed(plan.seed, index.into(), Stream::Shape);
    let total: u64 = RELATIONSHIPS.iter().map(|r| r.0).sum();
    let mut roll = rng.below(total);
    let mut chosen = RELATIONSHIPS[0];
    for candidate in RELATIONSHIPS {
        if roll < candidate.0 {
            chosen = *candidate;
            break;
        }
        roll -= candidate.0;
    }
    let (_, source, relationship_type, targets) = chosen;
    let source = plan.pick(source, &mut rng);
    let target_kind = rng.pick(targets);
    RelationshipShape { relationship_type, source, target: reference(plan, target_kind, &mut rng) }
}

pub fn sighting(plan: &Plan, index: u32) -> SightingShape {
    let mut rng = Rng::keyed(plan.seed, index.into(), Stream::Shape);
    let of = if rng.per_mille(800) {
        Kind::Indicator
    } else {
        rng.pick(&[Kind::Malware, Kind::Campaign, Kind::IntrusionSet, Kind::ThreatActor])
    };
    let sighting_of = reference(plan, of, &mut rng);
    let places = rng.between(1, 3);
    let mut where_sighted: Vec<u32> = (0..places).map(|_| plan.pick(Kind::Identity, &mut rng)).collect();
    where_sighted.sort_unstable();
    where_sighted.dedup();
    SightingShape { sighting_of, where_sighted }
}

/// 5 to 50 distinct objects, none more restricted than the report itself.
pub fn report_refs(plan: &Plan, index: u32) -> Vec<Ref> {
    let mut rng = Rng::keyed(plan.seed, index.into(), Stream::Shape);
    let wanted = rng.between(5, 50) as usize;
    let limit = plan.own_tlp(index).rank();
    let mut refs: Vec<Ref> = Vec::with_capacity(wanted);
    for _ in 0..wanted * 20 {
        if refs.len() == wanted {
            break;
        }
        if rng.below(1_000_000) < DANGLING_PER_MILLION {
            let kind = rng.pick(&[Kind::Malware, Kind::Indicator, Kind::IntrusionSet, Kind::AttackPattern]);
            refs.push(Ref::Dangling(format!("{}--{}", kind.type_name(), rng.uuid4())));
            continue;
        }
        let candidate = plan.pick_any(&mut rng);
        let fresh = !refs.iter().any(|r| matches!(r, Ref::Object(i) if *i == candidate));
        if candidate != index && fresh && tlp(plan, candidate).rank() <= limit {
            refs.push(Ref::Object(candidate));
        }
    }
    refs
}

/// The level an object is marked with: its own, raised to that of what it connects.
pub fn tlp(plan: &Plan, index: u32) -> Tlp {
    let own = plan.own_tlp(index);
    match plan.kind_of(index) {
        Kind::Relationship => {
            let shape = relationship(plan, index);
            own.stricter(tlp(plan, shape.source)).stricter(shape.target.tlp(plan))
        }
        Kind::Sighting => {
            let shape = sighting(plan, index);
            let places = shape.where_sighted.iter().fold(own, |level, &place| level.stricter(tlp(plan, place)));
            places.stricter(shape.sighting_of.tlp(plan))
        }
        _ => own,
    }
}
