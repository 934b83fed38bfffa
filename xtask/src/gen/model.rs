//! The plan of a synthetic repository: how many objects of each kind there are, which index
//! each one has, which of them have later versions, and the facts other objects need about an
//! object (its id, timestamps and TLP level). All are pure functions of the seed and the index,
//! so nothing is stored per object and any object can be written on its own, in any order.

use std::collections::HashMap;

use super::rng::{Rng, Stream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    MarkingDefinition,
    Identity,
    Indicator,
    Relationship,
    Sighting,
    Report,
    Vulnerability,
    Malware,
    IntrusionSet,
    ThreatActor,
    AttackPattern,
    Campaign,
    Tool,
    CourseOfAction,
    Ipv4Addr,
    DomainName,
    File,
    Url,
}

/// Every kind, in the order their index ranges follow each other: the marking definitions, the
/// objects that can have versions, then the cyber-observables (which cannot).
pub const KINDS: [Kind; 18] = [
    Kind::MarkingDefinition,
    Kind::Identity,
    Kind::Indicator,
    Kind::Relationship,
    Kind::Sighting,
    Kind::Report,
    Kind::Vulnerability,
    Kind::Malware,
    Kind::IntrusionSet,
    Kind::ThreatActor,
    Kind::AttackPattern,
    Kind::Campaign,
    Kind::Tool,
    Kind::CourseOfAction,
    Kind::Ipv4Addr,
    Kind::DomainName,
    Kind::File,
    Kind::Url,
];

impl Kind {
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::MarkingDefinition => "marking-definition",
            Kind::Identity => "identity",
            Kind::Indicator => "indicator",
            Kind::Relationship => "relationship",
            Kind::Sighting => "sighting",
            Kind::Report => "report",
            Kind::Vulnerability => "vulnerability",
            Kind::Malware => "malware",
            Kind::IntrusionSet => "intrusion-set",
            Kind::ThreatActor => "threat-actor",
            Kind::AttackPattern => "attack-pattern",
            Kind::Campaign => "campaign",
            Kind::Tool => "tool",
            Kind::CourseOfAction => "course-of-action",
            Kind::Ipv4Addr => "ipv4-addr",
            Kind::DomainName => "domain-name",
            Kind::File => "file",
            Kind::Url => "url",
        }
    }

    pub fn is_observable(self) -> bool {
        matches!(self, Kind::Ipv4Addr | Kind::DomainName | Kind::File | Kind::Url)
    }

    /// Share of the distinct objects, per mille. Relationships take what the others leave
    /// (about 31%); the four TLP marking definitions are extra.
    fn share(self) -> u64 {
        match self {
            Kind::MarkingDefinition | Kind::Relationship => 0,
            Kind::Indicator => 350,
            Kind::Report => 50,
            Kind::Malware => 40,
            Kind::Sighting | Kind::Vulnerability => 30,
            Kind::Ipv4Addr => 25,
            Kind::DomainName | Kind::File => 20,
            Kind::IntrusionSet | Kind::ThreatActor | Kind::Campaign | Kind::Tool => 15,
            Kind::CourseOfAction | Kind::Url => 15,
            Kind::Identity | Kind::AttackPattern => 10,
        }
    }
}

/// A TLP 1.0 level, or none. Unmarked objects and TLP:WHITE ones are equally public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tlp {
    Unmarked,
    White,
    Green,
    Amber,
    Red,
}

/// The TLP 1.0 marking definitions with their canonical ids (STIX 2.1 section 7.2.1.4).
pub const TLP_DEFINITIONS: [(Tlp, &str, &str); 4] = [
    (Tlp::White, "white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
    (Tlp::Green, "green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
    (Tlp::Amber, "amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
    (Tlp::Red, "red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"),
];

impl Tlp {
    pub fn rank(self) -> u8 {
        match self {
            Tlp::Unmarked | Tlp::White => 0,
            Tlp::Green => 1,
            Tlp::Amber => 2,
            Tlp::Red => 3,
        }
    }

    pub fn marking_id(self) -> Option<&'static str> {
        TLP_DEFINITIONS.iter().find(|(tlp, _, _)| *tlp == self).map(|(_, _, id)| *id)
    }

    /// The stricter of two levels (`self` when they are equally strict).
    pub fn stricter(self, other: Tlp) -> Tlp {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// 40% unmarked, 30% WHITE, 22% GREEN, 7% AMBER, 1% RED.
    pub fn draw(rng: &mut Rng) -> Tlp {
        match rng.below(1000) {
            0..=399 => Tlp::Unmarked,
            400..=699 => Tlp::White,
            700..=919 => Tlp::Green,
            920..=989 => Tlp::Amber,
            _ => Tlp::Red,
        }
    }
}

/// One object version to write: the object's index and its version number (0 = first).
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    pub index: u32,
    pub version: u8,
}

#[derive(Clone, Copy)]
struct KindRange {
    kind: Kind,
    start: u32,
    end: u32,
}

pub struct Plan {
    pub seed: u64,
    ranges: Vec<KindRange>,
    /// Object versions beyond the first, about 3% of all objects.
    extra_versions: u32,
    /// The first `authors` identities are the organisations objects are `created_by_ref`.
    pub authors: u32,
}

/// 2022-01-01T00:00:00Z: objects are created over the three years that follow.
const START_MS: i64 = 1_640_995_200_000;
const DAY_MS: i64 = 86_400_000;
/// 2017-01-20T00:00:00.000Z, the `created` of the TLP marking definitions in the specification.
const TLP_CREATED_MS: i64 = 1_484_870_400_000;

impl Plan {
    pub fn new(objects: u64, seed: u64) -> Result<Plan, String> {
        if !(200..=1_000_000_000).contains(&objects) {
            return Err(format!("--objects must be between 200 and 1000000000, not {objects}"));
        }
        let extra_versions = objects * 3 / 100;
        let distinct = objects - extra_versions - 4;
        let mut counts: Vec<(Kind, u64)> = KINDS.iter().map(|&k| (k, (distinct * k.share() / 1000).max(1))).collect();
        counts[0].1 = 4;
        let others: u64 = counts.iter().filter(|(k, _)| *k != Kind::MarkingDefinition).map(|(_, n)| n).sum();
        let relationships = counts.iter_mut().find(|(k, _)| *k == Kind::Relationship).expect("listed");
        relationships.1 = distinct - (others - 1);
        let mut ranges = Vec::with_capacity(KINDS.len());
        let mut start = 0u32;
        for (kind, count) in counts {
            ranges.push(KindRange { kind, start, end: start + count as u32 });
            start += count as u32;
        }
        let mut plan = Plan { seed, ranges, extra_versions: extra_versions as u32, authors: 0 };
        plan.authors = plan.count(Kind::Identity).min(25);
        Ok(plan)
    }

    /// Every object version, the marking definitions first and the rest shuffled.
    pub fn slots(&self) -> Vec<Slot> {
        let mut rng = Rng::keyed(self.seed, 0, Stream::Plan);
        let versioned = self.start(Kind::Identity)..self.start(Kind::Ipv4Addr);
        let mut later: HashMap<u32, u8> = HashMap::new();
        let mut slots: Vec<Slot> = (0..self.distinct()).map(|index| Slot { index, version: 0 }).collect();
        while slots.len() < (self.distinct() + self.extra_versions) as usize {
            let index = versioned.start + rng.below(u64::from(versioned.end - versioned.start)) as u32;
            let versions = later.entry(index).or_insert(0);
            if *versions < 2 {
                *versions += 1;
                slots.push(Slot { index, version: *versions });
            }
        }
        for i in (5..slots.len()).rev() {
            let j = 4 + rng.below((i - 3) as u64) as usize;
            slots.swap(i, j);
        }
        slots
    }

    /// How many distinct objects (ids) there are.
    pub fn distinct(&self) -> u32 {
        self.ranges.last().map_or(0, |r| r.end)
    }

    pub fn kind_of(&self, index: u32) -> Kind {
        self.ranges.iter().find(|r| index < r.end).map_or(Kind::Url, |r| r.kind)
    }

    pub fn start(&self, kind: Kind) -> u32 {
        self.range(kind).start
    }

    pub fn count(&self, kind: Kind) -> u32 {
        let range = self.range(kind);
        range.end - range.start
    }

    fn range(&self, kind: Kind) -> KindRange {
        *self.ranges.iter().find(|r| r.kind == kind).expect("every kind has a range")
    }

    /// A random object of `kind`.
    pub fn pick(&self, kind: Kind, rng: &mut Rng) -> u32 {
        let range = self.range(kind);
        range.start + rng.below(u64::from(range.end - range.start)) as u32
    }

    /// A random object of any kind but the marking definitions.
    pub fn pick_any(&self, rng: &mut Rng) -> u32 {
        4 + rng.below(u64::from(self.distinct() - 4)) as u32
    }

    /// The object's index within its kind (0 for the first indicator, the first malware, ...).
    pub fn ordinal(&self, index: u32) -> u32 {
        index - self.start(self.kind_of(index))
    }

    pub fn id(&self, index: u32) -> String {
        match self.kind_of(index) {
            Kind::MarkingDefinition => TLP_DEFINITIONS[index as usize].2.to_owned(),
            kind if kind.is_observable() => super::observables::id(self, index),
            kind => format!("{}--{}", kind.type_name(), Rng::keyed(self.seed, index.into(), Stream::Id).uuid4()),
        }
    }

    /// `created` and `modified` (milliseconds since 1970) of one version of an object.
    /// Versions keep `created`; each later version is 20 to 150 days after the one before.
    pub fn times(&self, index: u32, version: u8) -> (i64, i64) {
        if self.kind_of(index) == Kind::MarkingDefinition {
            return (TLP_CREATED_MS, TLP_CREATED_MS);
        }
        let mut rng = Rng::keyed(self.seed, index.into(), Stream::Time);
        let created = START_MS + rng.below((3 * 365 - 1) as u64 * DAY_MS as u64) as i64;
        let first_edit = if rng.per_mille(500) { 0 } else { rng.below(60 * DAY_MS as u64) as i64 };
        let step = rng.between(20 * DAY_MS as u64, 150 * DAY_MS as u64) as i64;
        (created, created + first_edit + i64::from(version) * step)
    }

    /// The level the object is marked with before its references are considered.
    pub fn own_tlp(&self, index: u32) -> Tlp {
        match self.kind_of(index) {
            Kind::MarkingDefinition => Tlp::Unmarked,
            Kind::Identity if self.ordinal(index) < self.authors => Tlp::White,
            _ => Tlp::draw(&mut Rng::keyed(self.seed, index.into(), Stream::Level)),
        }
    }
}

/// Milliseconds since 1970 as a STIX timestamp, precise to the millisecond.
pub fn timestamp(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let of_day = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, milli) = (of_day / 3_600_000, of_day / 60_000 % 60, of_day / 1000 % 60, of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(timestamp(START_MS), "2022-01-01T00:00:00.000Z");
        assert_eq!(timestamp(TLP_CREATED_MS), "2017-01-20T00:00:00.000Z");
        assert_eq!(timestamp(951_825_600_123), "2000-02-29T12:00:00.123Z");
    }

    #[test]
    fn plans_exactly_the_requested_number_of_versions() {
        let plan = Plan::new(10_000, 1).unwrap();
        let slots = plan.slots();
        assert_eq!(slots.len(), 10_000);
        assert!(slots[..4].iter().all(|s| plan.kind_of(s.index) == Kind::MarkingDefinition));
        assert_eq!(plan.count(Kind::Indicator), 9_696 * 350 / 1000);
    }
}
