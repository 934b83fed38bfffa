//! Names of named objects and the external ids that go with them (CVE and ATT&CK ids), distinct
//! per object where real repositories keep them distinct, from the object's ordinal in its kind.

use super::model::{Kind, Plan};
use super::observables;
use super::words::{ADJECTIVES, AUTHOR_KINDS, CREATURES, ORGANISATIONS, ORGANISATION_KINDS, SUFFIXES, SYLLABLES};
use super::words::{TECHNIQUES, TOOLS};

/// What a person would call the object: its name, or for an observable its value.
pub fn name(plan: &Plan, index: u32) -> String {
    let o = plan.ordinal(index) as usize;
    match plan.kind_of(index) {
        Kind::Identity if (o as u32) < plan.authors => {
            format!("{} {}", ORGANISATIONS[o % ORGANISATIONS.len()], AUTHOR_KINDS[o / ORGANISATIONS.len() % 5])
        }
        Kind::Identity => numbered(
            format!(
                "{} {}",
                ORGANISATIONS[o % ORGANISATIONS.len()],
                ORGANISATION_KINDS[o / ORGANISATIONS.len() % ORGANISATION_KINDS.len()]
            ),
            o / (ORGANISATIONS.len() * ORGANISATION_KINDS.len()),
        ),
        Kind::Malware => {
            let base = format!("{}{}", SYLLABLES[o % SYLLABLES.len()], SUFFIXES[o / SYLLABLES.len() % SUFFIXES.len()]);
            numbered(base, o / (SYLLABLES.len() * SUFFIXES.len()))
        }
        Kind::IntrusionSet => animal_or(o, 0, "UNC"),
        Kind::ThreatActor => animal_or(o, 17, "TA"),
        Kind::Campaign => match o.checked_sub(ADJECTIVES.len() * CREATURES.len()) {
            None => format!("Operation {}", animal_or(o, 29, "")),
            Some(n) => format!("C{:04}", n + 1),
        },
        Kind::Tool => numbered(TOOLS[o % TOOLS.len()].to_owned(), o / TOOLS.len()),
        Kind::AttackPattern => match o / TECHNIQUES.len() {
            0 => TECHNIQUES[o].to_owned(),
            n => format!("{}: Variant {n}", TECHNIQUES[o % TECHNIQUES.len()]),
        },
        Kind::CourseOfAction => {
            let verb = ["Mitigate", "Detect", "Block", "Audit", "Restrict"][o / TECHNIQUES.len() % 5];
            numbered(format!("{verb} {}", TECHNIQUES[o % TECHNIQUES.len()]), o / (TECHNIQUES.len() * 5))
        }
        Kind::Vulnerability => cve(o),
        Kind::Ipv4Addr | Kind::DomainName | Kind::Url => observables::value(plan, index),
        Kind::File => observables::file_facts(plan, index).name,
        other => format!("{} {o}", other.type_name()),
    }
}

/// CVE-YYYY-NNNN, distinct per ordinal.
pub fn cve(ordinal: usize) -> String {
    format!("CVE-{}-{:04}", 2013 + ordinal % 11, 1000 + ordinal / 11)
}

/// T1234 or T1234.005, distinct per ordinal below 89,990.
pub fn attack_id(ordinal: usize) -> String {
    let technique = 1001 + ordinal / 10 % 8999;
    match ordinal % 10 {
        0 => format!("T{technique}"),
        sub => format!("T{technique}.{sub:03}"),
    }
}

/// "Adjective Creature" while the pairs last (shifted by `offset` so kinds differ), then `prefix` and a number.
fn animal_or(ordinal: usize, offset: usize, prefix: &str) -> String {
    let pairs = ADJECTIVES.len() * CREATURES.len();
    if ordinal >= pairs {
        return format!("{prefix}{}", ordinal - pairs + 100);
    }
    let shifted = (ordinal + offset * CREATURES.len()) % pairs;
    format!("{} {}", ADJECTIVES[shifted / CREATURES.len()], CREATURES[shifted % CREATURES.len()])
}

fn numbered(base: String, n: usize) -> String {
    if n == 0 {
        base
    } else {
        format!("{base} {}", n + 1)
    }
}
