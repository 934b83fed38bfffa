//! What a search can find an object by: its terms, each with the score a match on it earns.
//!
//! The browser's `search.js` normalises a query the same way (lower case, words as runs of
//! letters and digits, whitespace collapsed), so the two must change together.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use crate::stix::observables;
use crate::stix::pattern::{self, Dialect};
use crate::stix::StixObject;

/// Scores: an exact identifier or value first, then names and aliases, then words.
pub(crate) const ID: u8 = 100;
pub(crate) const EXTERNAL_ID: u8 = 95;
pub(crate) const VALUE: u8 = 90;
pub(crate) const NAME: u8 = 80;
pub(crate) const ALIAS: u8 = 70;
pub(crate) const NAME_WORD: u8 = 50;
pub(crate) const ALIAS_WORD: u8 = 40;
pub(crate) const LABEL: u8 = 30;
pub(crate) const DESCRIPTION_WORD: u8 = 10;

/// Longer terms are not indexed (a pasted URL of kilobytes would only bloat its shard).
const MAX_TERM: usize = 200;
/// Description words indexed per object: the opening of a long report says what it is about.
const MAX_DESCRIPTION_WORDS: usize = 200;

/// Words too common to tell objects apart, in order (looked up by binary search).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "for", "from", "has", "have", "in", "into",
    "is", "it", "its", "may", "of", "on", "or", "such", "that", "the", "their", "this", "to", "use", "used", "uses",
    "was", "were", "which", "with",
];

/// The longest stop word's length: a longer word is none, and is not looked up (a description's
/// words were a fifth of the search terms' string comparisons).
const LONGEST_STOP_WORD: usize = 5;

fn is_stop_word(word: &str) -> bool {
    word.len() <= LONGEST_STOP_WORD && STOP_WORDS.binary_search(&word).is_ok()
}

/// The members of an object a search needs (everything else is skipped by the parser).
#[derive(Deserialize, Default)]
struct Searchable<'a> {
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    labels: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pattern: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pattern_type: Option<Cow<'a, str>>,
    #[serde(default)]
    value: Option<serde_json::Value>,
    #[serde(borrow, default)]
    key: Option<Cow<'a, str>>,
    #[serde(default)]
    hashes: Option<HashMap<String, String>>,
}

/// Every term of `object` with its best score, and its description (for the snippet).
pub(crate) fn terms_of(object: &StixObject, name: &str) -> (Vec<(String, u8)>, Option<String>) {
    let parsed: Searchable<'_> = serde_json::from_str(&object.raw).unwrap_or_default();
    let mut terms = Terms::default();
    terms.add(&object.id, ID);
    for (source, id) in &object.external_ids {
        if !id.is_empty() && source != "url" {
            terms.add(id, EXTERNAL_ID);
        }
    }
    terms.add_name(name, NAME, NAME_WORD);
    // A sub-technique is shown as "Parent: Child" but is still found by its own name.
    if let Some(own) = object.label.as_deref().filter(|own| *own != name) {
        terms.add_name(own, NAME, NAME_WORD);
    }
    for alias in &object.aliases {
        terms.add_name(alias, ALIAS, ALIAS_WORD);
    }
    for label in parsed.labels.iter().flatten() {
        terms.add_name(label, LABEL, LABEL);
    }
    let dialect = Dialect::from_spec_version(object.spec_version.as_str()).unwrap_or(Dialect::Stix21);
    for value in values(&object.object_type, &parsed, dialect) {
        terms.add(&value, VALUE);
    }
    let description = parsed.description.as_deref();
    for word in words(description.unwrap_or_default()).filter(|w| !is_stop_word(w)).take(MAX_DESCRIPTION_WORDS) {
        terms.add_normal(word, DESCRIPTION_WORD);
    }
    (terms.into_vec(), description.map(str::to_owned))
}

/// Indicator values (from STIX patterns) and observable values, as written and normalised.
fn values(object_type: &str, parsed: &Searchable<'_>, dialect: Dialect) -> Vec<String> {
    let mut found = Vec::new();
    if let (Some(text), Some("stix") | None) = (&parsed.pattern, parsed.pattern_type.as_deref()) {
        if let Ok(pattern) = pattern::parse(text, dialect) {
            for test in pattern.extract().tests {
                push_value(&mut found, &test.object_type, &test.path, &test.value);
            }
        }
    }
    match &parsed.value {
        Some(serde_json::Value::String(value)) => push_value(&mut found, object_type, "value", value),
        Some(serde_json::Value::Number(number)) => found.push(number.to_string()),
        _ => {}
    }
    if let Some(key) = &parsed.key {
        push_value(&mut found, object_type, "key", key);
    }
    for (algorithm, digest) in parsed.hashes.iter().flatten() {
        push_value(&mut found, object_type, &format!("hashes.'{algorithm}'"), digest);
    }
    found
}

fn push_value(found: &mut Vec<String>, object_type: &str, path: &str, value: &str) {
    found.push(value.to_owned());
    if let Some(Ok(normal)) =
        observables::kind_of(object_type, path, value).map(|kind| observables::normalise(kind, value))
    {
        if normal.value != value {
            found.push(normal.value);
        }
    }
}

/// Lower-cased runs of letters and digits.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// A whole name or value as a term: lower case, whitespace collapsed, no trailing dot.
pub(crate) fn whole(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            // Most terms: lower-cased a byte at a time, not a char at a time.
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    while out.ends_with('.') {
        out.pop();
    }
    out
}

/// Whether a term holds a control character (whitespace is gone by then, but not the others).
fn has_control(term: &str) -> bool {
    match term.is_ascii() {
        true => term.bytes().any(|b| b.is_ascii_control()),
        false => term.chars().any(char::is_control),
    }
}

/// An object's terms as they are found, each with the score it was found at; `into_vec` keeps
/// the best of each. (A list sorted once: an object has a few dozen terms, and a map per object
/// hashed and grew for each of them.)
#[derive(Default)]
struct Terms {
    found: Vec<(String, u8)>,
}

impl Terms {
    fn add(&mut self, text: &str, score: u8) {
        let term = whole(text);
        if has_control(&term) {
            return;
        }
        self.add_normal(term, score);
    }

    /// A term already as `whole` leaves it: a word from `words` (lower case, letters and
    /// digits only) is.
    fn add_normal(&mut self, term: String, score: u8) {
        if term.is_empty() || term.len() > MAX_TERM {
            return;
        }
        self.found.push((term, score));
    }

    /// A name as a whole and word by word.
    fn add_name(&mut self, name: &str, whole_score: u8, word_score: u8) {
        self.add(name, whole_score);
        for word in words(name) {
            self.add_normal(word, word_score);
        }
    }

    /// Each term once, at the best score it was found at, in term order.
    fn into_vec(mut self) -> Vec<(String, u8)> {
        self.found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        self.found.dedup_by(|later, earlier| later.0 == earlier.0);
        // Held until its chunk of objects is merged: only the terms kept, not room for repeats.
        crate::exact::exact_len(self.found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_in_order_for_their_binary_search() {
        assert!(STOP_WORDS.is_sorted_by(|a, b| a < b));
        assert_eq!(STOP_WORDS.iter().map(|w| w.len()).max(), Some(LONGEST_STOP_WORD));
        assert!(is_stop_word("which") && !is_stop_word("whichever") && !is_stop_word("malware"));
    }

    #[test]
    fn whole_terms_and_words_are_normalised_as_the_browser_does() {
        assert_eq!(whole("  Lazarus   Group "), "lazarus group");
        assert_eq!(whole("Evil.Example.COM."), "evil.example.com");
        let w: Vec<String> = words("APT38 (a.k.a. BeagleBoyz), T1059.001 — Zoë").collect();
        assert_eq!(w, ["apt38", "a", "k", "a", "beagleboyz", "t1059", "001", "zoë"]);
    }

    #[test]
    fn ascii_and_other_text_lower_case_alike_and_control_characters_are_caught_in_either() {
        assert_eq!(whole("ÉVIL\u{0B}Corp ΣΑΣ"), "évil corp σασ");
        assert_eq!(whole("MiXeD Zoë"), "mixed zoë");
        assert!(has_control("a\u{7}b"));
        assert!(has_control("é\u{80}"));
        assert!(!has_control("évil corp"));
    }

    #[test]
    fn each_term_is_kept_once_at_the_best_score_it_was_found_at() {
        let mut terms = Terms::default();
        terms.add("Lazarus Group", NAME);
        terms.add_name("lazarus", ALIAS, ALIAS_WORD);
        terms.add_normal("lazarus".to_owned(), DESCRIPTION_WORD);
        terms.add("bad\u{1}term", VALUE);
        terms.add("", VALUE);
        terms.add_normal("x".repeat(MAX_TERM + 1), VALUE);
        let kept = terms.into_vec();
        assert_eq!(kept, [("lazarus".to_owned(), ALIAS), ("lazarus group".to_owned(), NAME)]);
    }
}
