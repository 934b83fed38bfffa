//! Rule keys across the repository: two indicators whose YARA rules share a name, or whose Snort
//! or Suricata rules share a `sid`, and whose validity overlaps, would land in one feed file,
//! which YARA and Suricata then refuse whole. Each clash is an error on the later indicator (by
//! id) naming the earlier one. Only the latest version of each indicator counts; a rule that
//! replaces an expired one may keep its name or `sid`. An invalid rule is `check_object`'s to report.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::Value;

use super::repository::{Anchored, VersionIndex};
use crate::diag::Diagnostic;
use crate::stix::detection::{self, Engine, RuleKey};
use crate::stix::{StixObject, Timestamp};

/// One indicator's rule: where it goes, what it is known by, and when it applies.
struct Keyed<'a> {
    file: &'static str,
    key: RuleKey,
    object: &'a StixObject,
    from: Option<Timestamp>,
    until: Option<Timestamp>,
}

/// A validity window, `[valid_from, valid_until)`; an end that is not given never comes.
type Window = (Option<Timestamp>, Option<Timestamp>);

pub(super) fn check<'a>(index: &VersionIndex<'a>, found: &mut Vec<Anchored<'a>>) {
    let keyed: Vec<Keyed<'a>> = (0..index.objects.len())
        .into_par_iter()
        .filter(|&i| index.is_latest(i))
        .filter_map(|i| keyed(&index.objects[i]))
        .collect();
    let mut groups: BTreeMap<(&str, &RuleKey), Vec<&Keyed<'a>>> = BTreeMap::new();
    for rule in &keyed {
        groups.entry((rule.file, &rule.key)).or_default().push(rule);
    }
    for ((file, key), mut rules) in groups {
        let what = match key {
            RuleKey::YaraName(name) => format!("YARA rule name `{name}`"),
            RuleKey::Sid(sid) => format!("sid {sid}"),
            RuleKey::None => continue,
        };
        rules.sort_by(|a, b| a.object.id.cmp(&b.object.id));
        // A second copy of an object is not a second rule.
        rules.dedup_by(|later, earlier| later.object.id == earlier.object.id);
        let windows: Vec<Window> = rules.iter().map(|r| (r.from, r.until)).collect();
        for (later, earlier) in clashes(&windows) {
            let (later, earlier) = (rules[later], rules[earlier]);
            let message = format!(
                "{what} is also used by {} ({}): {file} would hold it twice, and its engine refuses such a file",
                earlier.object.id,
                earlier.object.file.display()
            );
            let diagnostic = Diagnostic::error("duplicate-rule", message)
                .with_help("give each rule its own name or sid; the feed keeps the indicator first by id");
            found.push(Anchored { diagnostic, object: later.object, pointer: "/pattern".into() });
        }
    }
}

/// For each window that overlaps one before it in the list, its position and that of one it
/// overlaps: of those before it that start before it ends, the one that ends last (the first
/// of them on a tie), which overlaps it whenever any does.
///
/// In O(n log n): a pull request can give a hundred thousand rules one name, each valid at
/// another time, and comparing each with every one before it would take hours at that size.
fn clashes(windows: &[Window]) -> Vec<(usize, usize)> {
    // Times as (seconds, nanoseconds), the missing start earliest and the missing end latest.
    type Instant = (i64, u32);
    let start = |w: &Window| -> Instant { w.0.map_or((i64::MIN, 0), |t| (t.seconds, t.nanos)) };
    let end = |w: &Window| -> Instant { w.1.map_or((i64::MAX, u32::MAX), |t| (t.seconds, t.nanos)) };
    let mut starts: Vec<Instant> = windows.iter().map(start).collect();
    starts.sort_unstable();
    starts.dedup();
    // A Fenwick tree over the starts, in order: each node keeps, of the windows seen whose
    // start falls in its range, the latest end (and the earliest position holding it).
    let mut tree: Vec<Option<(Instant, std::cmp::Reverse<usize>)>> = vec![None; starts.len() + 1];
    let mut found = Vec::new();
    for (at, window) in windows.iter().enumerate() {
        let (from, until) = (start(window), end(window));
        // Among those seen that start before this one ends, the one that ends last.
        let mut node = starts.partition_point(|s| *s < until);
        let mut best = None;
        while node > 0 {
            best = best.max(tree[node]);
            node &= node - 1;
        }
        if let Some((latest_end, std::cmp::Reverse(earlier))) = best {
            if latest_end > from {
                found.push((at, earlier));
            }
        }
        let mut node = starts.partition_point(|s| *s < from) + 1;
        while node < tree.len() {
            tree[node] = tree[node].max(Some((until, std::cmp::Reverse(at))));
            node += node & node.wrapping_neg();
        }
    }
    found
}

/// Whether an indicator's JSON may hold a rule these keys concern (it names an engine, in any
/// case): the cheap test before it is parsed, which the loader also uses to keep its JSON.
pub(crate) fn may_hold_a_rule(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    ["yara", "snort", "suricata"].iter().any(|name| lower.contains(name))
}

/// An indicator's rule with its key; `None` for other objects, other pattern types and rules
/// the engine would refuse anyway.
fn keyed(object: &StixObject) -> Option<Keyed<'_>> {
    if object.object_type != "indicator" || object.revoked {
        return None;
    }
    if !may_hold_a_rule(&object.raw) {
        return None;
    }
    let json: Value = serde_json::from_str(&object.raw).ok()?;
    let text = |key: &str| json.get(key).and_then(Value::as_str);
    let engine = Engine::of_pattern_type(&text("pattern_type")?.to_ascii_lowercase())?;
    let key = detection::check(engine, text("pattern")?).ok()?;
    let time = |key: &str| text(key).and_then(|t| Timestamp::parse(t).ok());
    let (from, until) = (time("valid_from"), time("valid_until"));
    (key != RuleKey::None).then_some(Keyed { file: engine.feed_file(), key, object, from, until })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether two windows share a moment: the plain definition `clashes` must agree with.
    fn overlap(a: Window, b: Window) -> bool {
        let time = |t: Timestamp| (t.seconds, t.nanos);
        let ends_before = |until: Option<Timestamp>, from: Option<Timestamp>| matches!((until, from), (Some(u), Some(f)) if time(u) <= time(f));
        !ends_before(a.1, b.0) && !ends_before(b.1, a.0)
    }

    #[test]
    fn rules_that_never_apply_together_do_not_clash() {
        let at = |s: &str| Timestamp::parse(s).ok();
        let old = (at("2024-01-01T00:00:00Z"), at("2025-01-01T00:00:00Z"));
        let new = (at("2025-01-01T00:00:00.000Z"), None);
        let overlapping = (at("2024-06-01T00:00:00Z"), None);
        assert!(!overlap(old, new) && !overlap(new, old));
        assert!(overlap(old, overlapping) && overlap(new, overlapping));
        assert!(overlap((None, None), old));
        assert_eq!(clashes(&[old, new]), []);
        // Both before it overlap the last: the one that ends last is named.
        assert_eq!(clashes(&[old, new, overlapping]), [(2, 1)]);
        assert_eq!(clashes(&[(None, None), old, new]), [(1, 0), (2, 0)]);
    }

    #[test]
    fn each_window_clashes_exactly_when_one_before_it_overlaps_and_names_one_that_does() {
        // Small times, so that many windows meet, start or end together.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let time = |s: i64| Some(Timestamp { seconds: s, nanos: 0, fraction_digits: 0 });
        for _ in 0..200 {
            let windows: Vec<Window> = (0..next(40))
                .map(|_| {
                    let from = next(30) as i64;
                    let from = (next(5) > 0).then(|| time(from)).flatten();
                    let until =
                        (next(5) > 0).then(|| time(from.map_or(0, |f| f.seconds) + 1 + next(6) as i64)).flatten();
                    (from, until)
                })
                .collect();
            let found = clashes(&windows);
            let mut named = found.iter();
            for (at, window) in windows.iter().enumerate() {
                let any = windows[..at].iter().any(|before| overlap(*before, *window));
                if any {
                    let &(later, earlier) = named.next().expect("a clash not found");
                    assert_eq!(later, at);
                    assert!(earlier < at && overlap(windows[earlier], *window), "{windows:?}: {earlier} for {at}");
                }
            }
            assert!(named.next().is_none(), "a clash found where none is: {windows:?} {found:?}");
        }
    }

    #[test]
    fn a_hundred_thousand_rules_of_one_name_valid_one_after_another_are_checked_at_once() {
        // Each compared with every one before it, this took minutes.
        let time = |s: i64| Some(Timestamp { seconds: s, nanos: 0, fraction_digits: 0 });
        let windows: Vec<Window> = (0..100_000).map(|i| (time(2 * i), time(2 * i + 1))).collect();
        assert!(clashes(&windows).is_empty());
        let overlapping: Vec<Window> = (0..100_000).map(|i| (time(i), time(i + 2))).collect();
        assert_eq!(clashes(&overlapping).len(), 99_999);
    }
}
