use super::*;

fn terms(words: &[(&str, usize)]) -> Vec<(Box<str>, Postings)> {
    let mut out: Vec<(Box<str>, Postings)> =
        words.iter().map(|(w, n)| ((*w).into(), (0..*n as u32).map(|d| (d, 10)).collect())).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The shard a term is looked up in: the longest listed prefix it starts with.
fn shard_of<'s>(shards: &'s [Shard], term: &str) -> Option<&'s Shard> {
    shards.iter().filter(|s| term.starts_with(&s.prefix)).max_by_key(|s| s.prefix.len())
}

#[test]
fn every_term_is_in_the_shard_of_its_longest_listed_prefix_and_shards_stay_small() {
    let mut words: Vec<(String, usize)> = Vec::new();
    for i in 0..3000 {
        words.push((format!("apt{i}"), 50));
        words.push((format!("a{}", i % 7), 3));
        words.push((format!("b{i}x"), 1));
    }
    words.push(("apt".into(), 50));
    let refs: Vec<(&str, usize)> = words.iter().map(|(w, n)| (w.as_str(), *n)).collect();
    let sorted = terms(&refs);
    let mut dedup = sorted.clone();
    dedup.dedup_by(|a, b| a.0 == b.0);
    let mut shards = Vec::new();
    for (first, range) in groups(&dedup, 0..dedup.len(), 0) {
        layout(&dedup, range, first, 1, &mut shards);
    }
    assert!(shards.len() > 10, "{} shards", shards.len());
    for (i, (term, postings)) in dedup.iter().enumerate() {
        let shard = shard_of(&shards, term).unwrap_or_else(|| panic!("no shard for {term}"));
        assert!(shard.ranges.iter().any(|r| r.contains(&i)), "{term} is not in shard {}", shard.prefix);
        assert!(!postings.is_empty());
    }
    for shard in &shards {
        let size: usize = shard.ranges.iter().flat_map(|r| &dedup[r.clone()]).map(|(t, p)| term_bytes(t, p)).sum();
        assert!(size <= SHARD_BYTES, "shard {} holds {size} bytes", shard.prefix);
    }
}

#[test]
fn the_best_postings_are_kept() {
    let mut postings: Postings = (0..200).map(|d| (d, (d % 7) as u8)).collect();
    keep_best(&mut postings);
    assert_eq!(postings.len(), POSTINGS);
    assert!(postings.iter().all(|(_, s)| *s >= 5));
}

#[test]
fn snippets_are_plain_text_cut_at_a_word() {
    let text = "[APT38](https://attack.mitre.org/groups/G0082) is a **financially** motivated group (Citation: FireEye APT38 Oct 2018) that targets banks.";
    assert_eq!(snippet(text), "APT38 is a financially motivated group that targets banks.");
    let long = "word ".repeat(100);
    assert!(snippet(&long).ends_with('…') && snippet(&long).chars().count() <= SNIPPET + 1);
}

#[test]
fn prefixes_become_hex_file_names() {
    assert_eq!(hex("a/"), "612f");
    assert_eq!(hex("é"), "c3a9");
}
