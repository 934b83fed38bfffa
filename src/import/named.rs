//! Who a written report is about: the intrusion sets, threat actors, campaigns, malware and
//! tools of the repository it names (by name or alias, as written, on word boundaries), how
//! often, and its subject: the actor it names most (else the malware it names most). What the
//! report cites is then said of the subject as relationships (`uses` a technique, `targets` a
//! vulnerability), and its indicators `indicate` the subject.
//!
//! Names are matched as written, case and all: "Turla" is a name, "turla" in a URL is not
//! found anyway, and a tool named "Ping" must not match "ping" in prose. Names shorter than
//! four characters (tools such as `at` or `net`) are not looked for unless they hold a digit
//! (`APT1`).

use aho_corasick::{AhoCorasick, MatchKind};

use super::repository::Named;

/// One object the report names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mention {
    pub(crate) id: String,
    pub(crate) object_type: String,
    /// The line of its first mention (1-based).
    pub(crate) line: usize,
    pub(crate) count: usize,
}

/// Finds the repository's names in lines of text.
pub(crate) struct NameFinder {
    automaton: AhoCorasick,
    /// The object each pattern names: (id, type), by pattern index.
    objects: Vec<(String, String)>,
}

impl NameFinder {
    /// None when the repository names nothing a report could mention.
    pub(crate) fn new(named: &[Named]) -> Option<NameFinder> {
        let wanted: Vec<&Named> = named.iter().filter(|n| worth_looking_for(&n.name)).collect();
        if wanted.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(wanted.iter().map(|n| n.name.as_str()))
            .ok()?;
        let objects = wanted.iter().map(|n| (n.id.clone(), n.object_type.clone())).collect();
        Some(NameFinder { automaton, objects })
    }

    /// Counts the names in one line into `mentions` (first mention first).
    pub(crate) fn scan(&self, line: &str, number: usize, mentions: &mut Mentions) {
        for found in self.automaton.find_iter(line) {
            let before = line[..found.start()].chars().next_back();
            let after = line[found.end()..].chars().next();
            if before.is_some_and(is_word) || after.is_some_and(is_word) {
                continue;
            }
            let (id, object_type) = &self.objects[found.pattern().as_usize()];
            match mentions.at.get(id) {
                Some(&at) => mentions.list[at].count += 1,
                None => {
                    mentions.at.insert(id.clone(), mentions.list.len());
                    let mention = Mention { id: id.clone(), object_type: object_type.clone(), line: number, count: 1 };
                    mentions.list.push(mention);
                }
            }
        }
    }
}

/// The objects a text names, in the order first named (a lookup per name found, whatever
/// their number).
#[derive(Default)]
pub(crate) struct Mentions {
    pub(crate) list: Vec<Mention>,
    /// Each id's place in `list`.
    at: std::collections::HashMap<String, usize>,
}

fn worth_looking_for(name: &str) -> bool {
    let length = name.chars().count();
    length >= 4 || (length == 3 && name.chars().any(|c| c.is_ascii_digit()))
}

/// A character that continues a word: a name inside a longer word is not that name.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What the report is about: the actor (intrusion set, threat actor, campaign) it names most,
/// else the malware it names most; the first named wins a tie.
pub(crate) fn subject(mentions: &[Mention]) -> Option<&Mention> {
    let most = |types: &[&str]| {
        let mut best: Option<&Mention> = None;
        for mention in mentions.iter().filter(|m| types.contains(&m.object_type.as_str())) {
            if best.is_none_or(|b| mention.count > b.count) {
                best = Some(mention);
            }
        }
        best
    };
    most(&["intrusion-set", "threat-actor", "campaign"]).or_else(|| most(&["malware"]))
}

/// Whether an object of this type is an actor (which `uses` software and `targets`
/// vulnerabilities) rather than malware (which `exploits` them).
pub(crate) fn is_actor(object_type: &str) -> bool {
    matches!(object_type, "intrusion-set" | "threat-actor" | "campaign")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, id: &str, object_type: &str) -> Named {
        Named { name: name.into(), id: id.into(), object_type: object_type.into() }
    }

    fn finder() -> NameFinder {
        NameFinder::new(&[
            named("Turla", "intrusion-set--1", "intrusion-set"),
            named("Snake", "intrusion-set--1", "intrusion-set"),
            named("APT1", "intrusion-set--2", "intrusion-set"),
            named("Cobalt Strike", "tool--1", "tool"),
            named("Cobalt", "malware--9", "malware"),
            named("Ping", "tool--2", "tool"),
            named("at", "tool--3", "tool"),
            named("Kazuar", "malware--1", "malware"),
        ])
        .unwrap()
    }

    fn scan(text: &str) -> Vec<Mention> {
        let finder = finder();
        let mut mentions = Mentions::default();
        for (i, line) in text.lines().enumerate() {
            finder.scan(line, i + 1, &mut mentions);
        }
        mentions.list
    }

    #[test]
    fn names_and_aliases_are_found_on_word_boundaries_as_written() {
        let found =
            scan("Turla (also Snake) ran Cobalt Strike.\nLater, Kazuar; APT1's tools look at ping, and Turlas.");
        let ids: Vec<(&str, usize, usize)> = found.iter().map(|m| (m.id.as_str(), m.line, m.count)).collect();
        assert_eq!(
            ids,
            [("intrusion-set--1", 1, 2), ("tool--1", 1, 1), ("malware--1", 2, 1), ("intrusion-set--2", 2, 1)]
        );
    }

    #[test]
    fn the_subject_is_the_actor_named_most_else_the_malware() {
        let found = scan("APT1 and Turla.\nTurla again.");
        assert_eq!(subject(&found).map(|m| m.id.as_str()), Some("intrusion-set--1"));
        let found = scan("Kazuar and Cobalt Strike.");
        assert_eq!(subject(&found).map(|m| m.id.as_str()), Some("malware--1"));
        assert!(subject(&scan("Cobalt Strike only.")).is_none());
    }
}
