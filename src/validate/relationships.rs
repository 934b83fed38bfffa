//! The relationships the STIX 2.1 specification suggests between domain objects (the
//! "Relationships" table of each object in section 4, and the SCO ones in section 6), for the
//! repository rule that warns about unusual pairs.

/// (source type, relationship type, target types).
const SUGGESTED: &[(&str, &str, &[&str])] = &[
    ("attack-pattern", "delivers", &["malware"]),
    ("attack-pattern", "targets", &["identity", "location", "vulnerability"]),
    ("attack-pattern", "uses", &["malware", "tool"]),
    ("campaign", "attributed-to", &["intrusion-set", "threat-actor"]),
    ("campaign", "compromises", &["infrastructure"]),
    ("campaign", "originates-from", &["location"]),
    ("campaign", "targets", &["identity", "location", "vulnerability"]),
    ("campaign", "uses", &["attack-pattern", "infrastructure", "malware", "tool"]),
    ("course-of-action", "investigates", &["indicator"]),
    ("course-of-action", "mitigates", &["attack-pattern", "indicator", "malware", "tool", "vulnerability"]),
    ("course-of-action", "remediates", &["malware", "vulnerability"]),
    ("identity", "located-at", &["location"]),
    (
        "indicator",
        "indicates",
        &["attack-pattern", "campaign", "infrastructure", "intrusion-set", "malware", "threat-actor", "tool"],
    ),
    ("indicator", "based-on", &["observed-data"]),
    ("infrastructure", "communicates-with", &["infrastructure", "ipv4-addr", "ipv6-addr", "domain-name", "url"]),
    ("infrastructure", "consists-of", &["infrastructure", "observed-data", "*sco"]),
    ("infrastructure", "controls", &["infrastructure", "malware"]),
    ("infrastructure", "delivers", &["malware"]),
    ("infrastructure", "has", &["vulnerability"]),
    ("infrastructure", "hosts", &["tool", "malware"]),
    ("infrastructure", "located-at", &["location"]),
    ("infrastructure", "uses", &["infrastructure"]),
    ("intrusion-set", "attributed-to", &["threat-actor"]),
    ("intrusion-set", "compromises", &["infrastructure"]),
    ("intrusion-set", "hosts", &["infrastructure"]),
    ("intrusion-set", "owns", &["infrastructure"]),
    ("intrusion-set", "originates-from", &["location"]),
    ("intrusion-set", "targets", &["identity", "location", "vulnerability"]),
    ("intrusion-set", "uses", &["attack-pattern", "infrastructure", "malware", "tool"]),
    ("malware", "authored-by", &["threat-actor", "intrusion-set"]),
    ("malware", "beacons-to", &["infrastructure"]),
    ("malware", "exfiltrates-to", &["infrastructure"]),
    ("malware", "communicates-with", &["ipv4-addr", "ipv6-addr", "domain-name", "url"]),
    ("malware", "controls", &["malware"]),
    ("malware", "downloads", &["malware", "tool", "file"]),
    ("malware", "drops", &["malware", "tool", "file"]),
    ("malware", "exploits", &["vulnerability"]),
    ("malware", "originates-from", &["location"]),
    ("malware", "targets", &["identity", "infrastructure", "location", "vulnerability"]),
    ("malware", "uses", &["attack-pattern", "infrastructure", "malware", "tool"]),
    ("malware", "variant-of", &["malware"]),
    ("malware-analysis", "characterizes", &["malware"]),
    ("malware-analysis", "analysis-of", &["malware"]),
    ("malware-analysis", "static-analysis-of", &["malware"]),
    ("malware-analysis", "dynamic-analysis-of", &["malware"]),
    ("threat-actor", "attributed-to", &["identity"]),
    ("threat-actor", "compromises", &["infrastructure"]),
    ("threat-actor", "hosts", &["infrastructure"]),
    ("threat-actor", "owns", &["infrastructure"]),
    ("threat-actor", "impersonates", &["identity"]),
    ("threat-actor", "located-at", &["location"]),
    ("threat-actor", "targets", &["identity", "location", "vulnerability"]),
    ("threat-actor", "uses", &["attack-pattern", "infrastructure", "malware", "tool"]),
    ("tool", "delivers", &["malware"]),
    ("tool", "drops", &["malware"]),
    ("tool", "has", &["vulnerability"]),
    ("tool", "targets", &["identity", "infrastructure", "location", "vulnerability"]),
    ("tool", "uses", &["infrastructure"]),
    ("domain-name", "resolves-to", &["domain-name", "ipv4-addr", "ipv6-addr"]),
    ("ipv4-addr", "resolves-to", &["mac-addr"]),
    ("ipv4-addr", "belongs-to", &["autonomous-system"]),
    ("ipv6-addr", "resolves-to", &["mac-addr"]),
    ("ipv6-addr", "belongs-to", &["autonomous-system"]),
];

/// Relationship types any two objects may have (STIX 2.1 §5.1.1).
const GENERIC: &[&str] = &["derived-from", "duplicate-of", "related-to"];

/// What the specification says about a (source, type, target) triple.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Suggestion {
    Suggested,
    /// The type is defined, but not between these two kinds of objects.
    UnusualPair,
    /// The specification does not define this relationship type at all.
    CustomType,
}

pub(crate) fn suggestion(source: &str, kind: &str, target: &str) -> Suggestion {
    if GENERIC.contains(&kind) {
        return Suggestion::Suggested;
    }
    if !SUGGESTED.iter().any(|(_, k, _)| *k == kind) {
        return Suggestion::CustomType;
    }
    let target_is_sco = crate::stix::schema::is_observable_type(target);
    let fits = SUGGESTED.iter().any(|(s, k, targets)| {
        *s == source && *k == kind && (targets.contains(&target) || (target_is_sco && targets.contains(&"*sco")))
    });
    if fits {
        Suggestion::Suggested
    } else {
        Suggestion::UnusualPair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_common_pairs() {
        assert_eq!(suggestion("intrusion-set", "uses", "malware"), Suggestion::Suggested);
        assert_eq!(suggestion("indicator", "uses", "malware"), Suggestion::UnusualPair);
        assert_eq!(suggestion("attack-pattern", "subtechnique-of", "attack-pattern"), Suggestion::CustomType);
        assert_eq!(suggestion("report", "related-to", "tool"), Suggestion::Suggested);
    }
}
