//! Writes one version of one object. Every object is valid STIX 2.1: spec_version "2.1", the
//! required properties of its type, timestamps precise to the millisecond, values from the
//! open vocabularies, and object_marking_refs consistent with what it refers to (see `shapes`).
//! A later version keeps every property but `modified` and adds a sentence to the description.

use super::json::Json;
use super::model::{timestamp, Kind, Plan, Slot, TLP_DEFINITIONS};
use super::rng::{Rng, Stream};
use super::shapes::{self, Ref};
use super::{names, observables, values, words};

const DAY_MS: u64 = 86_400_000;

/// One object version being written.
struct Ctx<'a> {
    plan: &'a Plan,
    index: u32,
    version: u8,
    kind: Kind,
    rng: Rng,
    created: i64,
    /// References written that name objects absent from the repository.
    dangling: u64,
}

/// Writes the object version; returns how many dangling references it holds.
pub fn write(plan: &Plan, slot: Slot, json: &mut Json) -> u64 {
    let kind = plan.kind_of(slot.index);
    let rng = Rng::keyed(plan.seed, slot.index.into(), Stream::Content);
    let created = plan.times(slot.index, slot.version).0;
    let mut c = Ctx { plan, index: slot.index, version: slot.version, kind, rng, created, dangling: 0 };
    match kind {
        Kind::MarkingDefinition => marking_definition(&c, json),
        _ if kind.is_observable() => observables::write(plan, slot.index, json),
        _ => {
            open(&mut c, json);
            fill(&mut c, json);
        }
    }
    if let Some(marking) = shapes::tlp(plan, slot.index).marking_id() {
        json.strs_field("object_marking_refs", &[marking]);
    }
    json.end_object();
    c.dangling
}

fn fill(c: &mut Ctx, j: &mut Json) {
    match c.kind {
        Kind::Identity => identity(c, j),
        Kind::Indicator => indicator(c, j),
        Kind::Relationship => relationship(c, j),
        Kind::Sighting => sighting(c, j),
        Kind::Report => report(c, j),
        Kind::Vulnerability => vulnerability(c, j),
        Kind::Malware => malware(c, j),
        Kind::IntrusionSet => intrusion_set(c, j),
        Kind::ThreatActor => threat_actor(c, j),
        Kind::AttackPattern => attack_pattern(c, j),
        Kind::Campaign => campaign(c, j),
        Kind::Tool => tool(c, j),
        _ => named(c, j, (2, 4)),
    }
}

fn marking_definition(c: &Ctx, j: &mut Json) {
    let (_, color, id) = TLP_DEFINITIONS[c.index as usize];
    j.begin_object();
    j.str_field("type", "marking-definition");
    j.str_field("spec_version", "2.1");
    j.str_field("id", id);
    j.str_field("created", &timestamp(c.plan.times(c.index, 0).0));
    j.str_field("definition_type", "tlp");
    j.str_field("name", &format!("TLP:{}", color.to_uppercase()));
    j.key("definition");
    j.begin_object();
    j.str_field("tlp", color);
    j.end_object();
}

/// The common properties, up to `modified`.
fn open(c: &mut Ctx, j: &mut Json) {
    let (created, modified) = c.plan.times(c.index, c.version);
    j.begin_object();
    j.str_field("type", c.kind.type_name());
    j.str_field("spec_version", "2.1");
    j.str_field("id", &c.plan.id(c.index));
    if let Some(author) = author(c) {
        j.str_field("created_by_ref", &c.plan.id(author));
    }
    j.str_field("created", &timestamp(created));
    j.str_field("modified", &timestamp(modified));
}

/// 92% of objects name one of the author identities; the authors themselves name none.
fn author(c: &Ctx) -> Option<u32> {
    if c.kind == Kind::Identity && c.plan.ordinal(c.index) < c.plan.authors {
        return None;
    }
    let mut rng = Rng::keyed(c.plan.seed, c.index.into(), Stream::Author);
    rng.per_mille(920).then(|| c.plan.start(Kind::Identity) + rng.below(c.plan.authors.into()) as u32)
}

fn named(c: &mut Ctx, j: &mut Json, sentences: (u64, u64)) {
    j.str_field("name", &names::name(c.plan, c.index));
    description(c, j, sentences);
}

fn description(c: &mut Ctx, j: &mut Json, (lo, hi): (u64, u64)) {
    let count = c.rng.between(lo, hi);
    let mut text = prose(&mut c.rng, count);
    if c.version > 0 {
        let key = u64::from(c.index) * 4 + u64::from(c.version);
        let revision = prose(&mut Rng::keyed(c.plan.seed, key, Stream::Revision), 1);
        text.push_str(&format!(" Revision {}: {revision}", c.version + 1));
    }
    j.str_field("description", &text);
}

/// `sentences` sentences of 8 to 18 words.
fn prose(rng: &mut Rng, sentences: u64) -> String {
    let mut text = String::with_capacity(sentences as usize * 100);
    for s in 0..sentences {
        if s > 0 {
            text.push(' ');
        }
        let words = rng.between(8, 18);
        for w in 0..words {
            let word = rng.pick(words::PROSE);
            if w == 0 {
                let mut chars = word.chars();
                text.extend(chars.next().map(|first| first.to_ascii_uppercase()));
                text.push_str(chars.as_str());
            } else {
                text.push(' ');
                text.push_str(word);
            }
            if w == 5 && rng.per_mille(200) {
                text.push(',');
            }
        }
        text.push('.');
    }
    text
}

fn some_of<'a>(rng: &mut Rng, items: &[&'a str], max: u64) -> Vec<&'a str> {
    let mut chosen: Vec<&str> = (0..rng.between(1, max)).map(|_| rng.pick(items)).collect();
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// One to `max` phases of ATT&CK, or (when `any_chain`, 15% of the time) of Lockheed Martin's kill chain.
fn kill_chain_phases(c: &mut Ctx, j: &mut Json, max: u64, any_chain: bool) {
    let (chain, phases) = if any_chain && c.rng.per_mille(150) {
        ("lockheed-martin-cyber-kill-chain", words::KILL_CHAIN)
    } else {
        ("mitre-attack", words::MITRE_TACTICS)
    };
    j.key("kill_chain_phases");
    j.begin_array();
    for phase in some_of(&mut c.rng, phases, max) {
        j.element();
        j.begin_object();
        j.str_field("kill_chain_name", chain);
        j.str_field("phase_name", phase);
        j.end_object();
    }
    j.end_array();
}

/// An external reference: source_name, then external_id and url when given.
fn external_reference(j: &mut Json, source: &str, external_id: Option<&str>, url: Option<&str>) {
    j.element();
    j.begin_object();
    j.str_field("source_name", source);
    if let Some(external_id) = external_id {
        j.str_field("external_id", external_id);
    }
    if let Some(url) = url {
        j.str_field("url", url);
    }
    j.end_object();
}

fn time_before_created(c: &mut Ctx, max_days: u64) -> String {
    timestamp(c.created - c.rng.below(max_days * DAY_MS) as i64)
}

fn aliases(c: &mut Ctx, j: &mut Json) {
    let name = names::name(c.plan, c.index);
    let other = names::name(c.plan, c.plan.pick(c.kind, &mut c.rng));
    if other != name {
        j.strs_field("aliases", &[name, other]);
    }
}

fn identity(c: &mut Ctx, j: &mut Json) {
    let is_author = c.plan.ordinal(c.index) < c.plan.authors;
    j.str_field("name", &names::name(c.plan, c.index));
    if is_author || c.rng.per_mille(500) || c.version > 0 {
        description(c, j, (1, 2));
    }
    j.str_field("identity_class", "organization");
    j.strs_field("sectors", &some_of(&mut c.rng, words::SECTORS, 2));
    if is_author {
        j.str_field("contact_information", &format!("intel-{}@example.org", c.plan.ordinal(c.index)));
    }
}

fn indicator(c: &mut Ctx, j: &mut Json) {
    let (name, pattern) = values::indicator_pattern(c.plan, &mut c.rng);
    j.str_field("name", &name);
    description(c, j, (1, 2));
    let types =
        if c.rng.per_mille(800) { vec!["malicious-activity"] } else { some_of(&mut c.rng, words::INDICATOR_TYPES, 2) };
    j.strs_field("indicator_types", &types);
    j.str_field("pattern", &pattern);
    j.str_field("pattern_type", "stix");
    j.str_field("pattern_version", "2.1");
    j.str_field("valid_from", &timestamp(c.created));
    if c.rng.per_mille(400) {
        j.str_field("valid_until", &timestamp(c.created + c.rng.between(30, 365) as i64 * DAY_MS as i64));
    }
    if c.rng.per_mille(600) {
        kill_chain_phases(c, j, 2, true);
    }
    if c.rng.per_mille(400) {
        j.strs_field("labels", &some_of(&mut c.rng, words::LABELS, 2));
    }
    if c.rng.per_mille(300) {
        j.literal_field("confidence", c.rng.between(15, 100));
    }
}

fn relationship(c: &mut Ctx, j: &mut Json) {
    let shape = shapes::relationship(c.plan, c.index);
    j.str_field("relationship_type", shape.relationship_type);
    if c.rng.per_mille(300) || c.version > 0 {
        description(c, j, (1, 1));
    }
    j.str_field("source_ref", &c.plan.id(shape.source));
    reference_field(c, j, "target_ref", &shape.target);
}

fn reference_field(c: &mut Ctx, j: &mut Json, name: &str, reference: &Ref) {
    c.dangling += u64::from(matches!(reference, Ref::Dangling(_)));
    j.str_field(name, &reference.id(c.plan));
}

fn sighting(c: &mut Ctx, j: &mut Json) {
    let shape = shapes::sighting(c.plan, c.index);
    if c.rng.per_mille(200) {
        description(c, j, (1, 2));
    }
    let first_seen = c.created - c.rng.below(30 * DAY_MS) as i64;
    j.str_field("first_seen", &timestamp(first_seen));
    j.str_field("last_seen", &timestamp(first_seen + c.rng.below(30 * DAY_MS) as i64));
    j.literal_field("count", c.rng.between(1, 500));
    reference_field(c, j, "sighting_of_ref", &shape.sighting_of);
    let places: Vec<String> = shape.where_sighted.iter().map(|&i| c.plan.id(i)).collect();
    j.strs_field("where_sighted_refs", &places);
}

fn report(c: &mut Ctx, j: &mut Json) {
    let actor = names::name(c.plan, c.plan.pick(Kind::IntrusionSet, &mut c.rng));
    let malware = names::name(c.plan, c.plan.pick(Kind::Malware, &mut c.rng));
    let sector = c.rng.pick(words::SECTORS).replace('-', " ");
    j.str_field("name", &format!("{actor} targets the {sector} sector with {malware}"));
    description(c, j, (3, 7));
    j.strs_field("report_types", &some_of(&mut c.rng, words::REPORT_TYPES, 2));
    j.str_field("published", &timestamp(c.created));
    let refs = shapes::report_refs(c.plan, c.index);
    c.dangling += refs.iter().filter(|r| matches!(r, Ref::Dangling(_))).count() as u64;
    let ids: Vec<String> = refs.iter().map(|r| r.id(c.plan)).collect();
    j.strs_field("object_refs", &ids);
    if c.rng.per_mille(500) {
        j.key("external_references");
        j.begin_array();
        let url = format!("https://intel.example.org/reports/{}", c.plan.ordinal(c.index));
        external_reference(j, "intel.example.org", None, Some(&url));
        j.end_array();
    }
}

fn vulnerability(c: &mut Ctx, j: &mut Json) {
    let cve = names::cve(c.plan.ordinal(c.index) as usize);
    j.str_field("name", &cve);
    description(c, j, (1, 3));
    j.key("external_references");
    j.begin_array();
    external_reference(j, "cve", Some(&cve), None);
    if c.rng.per_mille(600) {
        external_reference(j, "nvd", None, Some(&format!("https://nvd.nist.gov/vuln/detail/{cve}")));
    }
    j.end_array();
}

fn malware(c: &mut Ctx, j: &mut Json) {
    named(c, j, (2, 5));
    j.strs_field("malware_types", &some_of(&mut c.rng, words::MALWARE_TYPES, 2));
    let is_family = c.rng.per_mille(800);
    j.literal_field("is_family", is_family);
    if is_family && c.rng.per_mille(500) {
        aliases(c, j);
    }
    if c.rng.per_mille(600) {
        j.str_field("first_seen", &time_before_created(c, 365));
    }
    if c.rng.per_mille(400) {
        j.strs_field("capabilities", &some_of(&mut c.rng, words::MALWARE_CAPABILITIES, 3));
    }
    if c.rng.per_mille(300) {
        kill_chain_phases(c, j, 3, true);
    }
}

fn intrusion_set(c: &mut Ctx, j: &mut Json) {
    named(c, j, (2, 5));
    aliases(c, j);
    j.str_field("first_seen", &time_before_created(c, 3 * 365));
    j.strs_field("goals", &some_of(&mut c.rng, words::GOALS, 2));
    j.str_field("resource_level", c.rng.pick(words::RESOURCE_LEVELS));
    j.str_field("primary_motivation", c.rng.pick(words::MOTIVATIONS));
}

fn threat_actor(c: &mut Ctx, j: &mut Json) {
    named(c, j, (2, 5));
    j.strs_field("threat_actor_types", &some_of(&mut c.rng, words::THREAT_ACTOR_TYPES, 2));
    aliases(c, j);
    j.str_field("first_seen", &time_before_created(c, 3 * 365));
    j.strs_field("roles", &some_of(&mut c.rng, words::THREAT_ACTOR_ROLES, 2));
    j.str_field("sophistication", c.rng.pick(words::SOPHISTICATION));
    j.str_field("resource_level", c.rng.pick(words::RESOURCE_LEVELS));
    j.str_field("primary_motivation", c.rng.pick(words::MOTIVATIONS));
}

fn attack_pattern(c: &mut Ctx, j: &mut Json) {
    named(c, j, (2, 5));
    kill_chain_phases(c, j, 2, false);
    let ordinal = c.plan.ordinal(c.index) as usize;
    let id = names::attack_id(ordinal);
    let url = format!("https://attack.mitre.org/techniques/{}", id.replace('.', "/"));
    j.key("external_references");
    j.begin_array();
    external_reference(j, "mitre-attack", Some(&id), Some(&url));
    if c.rng.per_mille(200) {
        let capec = format!("CAPEC-{}", 1 + ordinal % 700);
        let url = format!("https://capec.mitre.org/data/definitions/{}.html", 1 + ordinal % 700);
        external_reference(j, "capec", Some(&capec), Some(&url));
    }
    j.end_array();
}

fn campaign(c: &mut Ctx, j: &mut Json) {
    named(c, j, (2, 4));
    if c.rng.per_mille(300) {
        aliases(c, j);
    }
    let first_seen = c.created - c.rng.below(365 * DAY_MS) as i64;
    j.str_field("first_seen", &timestamp(first_seen));
    j.str_field("last_seen", &timestamp(first_seen + c.rng.below(365 * DAY_MS) as i64));
    j.str_field("objective", c.rng.pick(words::OBJECTIVES));
}

fn tool(c: &mut Ctx, j: &mut Json) {
    named(c, j, (1, 3));
    j.strs_field("tool_types", &some_of(&mut c.rng, words::TOOL_TYPES, 2));
    if c.rng.per_mille(500) {
        kill_chain_phases(c, j, 2, true);
    }
    if c.rng.per_mille(300) {
        j.str_field("tool_version", &format!("{}.{}.{}", c.rng.below(6), c.rng.below(20), c.rng.below(10)));
    }
}
