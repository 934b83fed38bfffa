//! What is happening, at a glance: the home dashboard, mentions per month on entity pages, the
//! trending page and the reports timeline. Every figure is counted from the View, so an
//! audience's charts never count what it may not see.
//!
//! Time windows ("last 7 days") are measured back from the build time; monthly charts end with
//! the month of the latest activity in the data, so that a static archive (ATT&CK's releases)
//! still shows its own last three years. Dates after the build time are mistakes (`check`
//! warns of them): they never move a chart's end and never enter a chart or a latest list.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::charts::{bars, months_ending, Chart};
use super::fields::TimeText;
use super::links::{type_label, Link};
use crate::audience::{highest_tlp, Entry, View};
use crate::stix::keyed_hash::KeyedHashMap;
use crate::stix::Timestamp;

/// Months shown by monthly charts.
const MONTHS: usize = 36;
/// Entries per "most referenced" list and per trending list.
const TOP: usize = 10;
/// Types whose pages get a mentions histogram, and that can trend.
pub(crate) const TRENDING_TYPES: &[&str] =
    &["attack-pattern", "malware", "tool", "intrusion-set", "threat-actor", "campaign", "vulnerability"];

#[derive(Serialize)]
pub(crate) struct Window {
    pub(crate) days: i64,
    pub(crate) added: usize,
    pub(crate) changed: usize,
    /// Object versions that commits in the window brought (None without git history).
    pub(crate) committed: Option<usize>,
}

#[derive(Serialize)]
pub(crate) struct Ranked {
    pub(crate) link: Link,
    pub(crate) count: usize,
}

#[derive(Serialize)]
pub(crate) struct RankedGroup {
    pub(crate) label: String,
    pub(crate) items: Vec<Ranked>,
}

#[derive(Serialize)]
pub(crate) struct ReportRow {
    pub(crate) link: Link,
    pub(crate) published: Option<TimeText>,
    pub(crate) labels: Vec<LabelLink>,
}

#[derive(Serialize, Clone)]
pub(crate) struct LabelLink {
    pub(crate) label: String,
    /// The label's timeline page, from the site root.
    pub(crate) href: String,
}

#[derive(Serialize)]
pub(crate) struct Dashboard {
    pub(crate) windows: Vec<Window>,
    pub(crate) latest_reports: Vec<ReportRow>,
    pub(crate) most_referenced: Vec<RankedGroup>,
    pub(crate) activity: Chart,
    pub(crate) reports_per_month: Chart,
    pub(crate) tlp_mix: Chart,
    pub(crate) identities: Vec<Ranked>,
}

/// The few members of a report, relationship or object the dashboards read.
#[derive(Deserialize, Default)]
struct Dated {
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
}

fn dated(entry: Entry<'_>) -> Dated {
    serde_json::from_str(&entry.object.raw).unwrap_or_default()
}

/// Everything counted once per build and shared by the pages.
pub(crate) struct Activity<'v> {
    /// id → the month (`YYYY-MM`) of each mention: reports by `published`, relationships by
    /// `created`.
    mentions: KeyedHashMap<&'v str, Vec<String>>,
    /// The month of the latest activity (`YYYY-MM`), the end of every monthly chart.
    pub(crate) last_month: String,
    /// The latest activity, as seconds (trending's "now").
    last_seconds: i64,
    /// Reports with their published time and labels, newest first.
    reports: Vec<(Entry<'v>, Option<String>, Vec<String>)>,
    /// The build time, in seconds.
    now: i64,
}

/// What one object adds to the activity: its version time (when not after the build time),
/// the objects it mentions with the month, and itself when it is a report.
struct Found<'v> {
    time: Option<Timestamp>,
    mentions: Vec<(&'v str, String)>,
    report: Option<(Entry<'v>, Option<String>, Vec<String>)>,
}

impl<'v> Found<'v> {
    fn of(view: &View<'v>, entry: Entry<'v>, now: Timestamp) -> Found<'v> {
        let not_after_now = |text: Option<&str>| not_after(text, now.seconds);
        let time = entry.object.version_time().filter(|t| t.seconds <= now.seconds);
        let mut found = Found { time, mentions: Vec::new(), report: None };
        match entry.object_type() {
            "report" => {
                let d = dated(entry);
                let when = d.published.clone().or_else(|| entry.object.created.clone());
                let month = when.as_deref().filter(|w| not_after_now(Some(w))).and_then(Timestamp::year_month);
                if let Some(month) = month {
                    for (property, target) in view.outgoing(entry) {
                        if property == "object_refs" {
                            found.mentions.push((target.id(), month.to_owned()));
                        }
                    }
                }
                found.report = Some((entry, when, d.labels));
            }
            "relationship" => {
                let created = entry.object.created.as_deref().filter(|c| not_after_now(Some(c)));
                if let Some(month) = created.and_then(Timestamp::year_month) {
                    if let Some((_, target)) = view.outgoing(entry).find(|(p, _)| *p == "target_ref") {
                        found.mentions.push((target.id(), month.to_owned()));
                    }
                }
            }
            _ => {}
        }
        found
    }
}

impl<'v> Activity<'v> {
    pub(crate) fn new(view: &View<'v>, now: Timestamp) -> Activity<'v> {
        let entries: Vec<Entry<'v>> = view.entries().collect();
        // What each object adds is worked out in parallel (a report's JSON is parsed, a
        // relationship's references walked: at a million objects, seconds on one core); the
        // tallies are then made in the View's order, so they come out the same every build.
        let found: Vec<Found<'v>> = entries.par_iter().map(|&entry| Found::of(view, entry, now)).collect();
        let mut mentions: KeyedHashMap<&'v str, Vec<String>> = KeyedHashMap::default();
        let mut latest: Option<Timestamp> = None;
        let mut reports = Vec::new();
        for found in found {
            if let Some(time) = found.time {
                latest = Some(latest.map_or(time, |l| if time > l { time } else { l }));
            }
            for (target, month) in found.mentions {
                mentions.entry(target).or_default().push(month);
            }
            reports.extend(found.report);
        }
        reports.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.id().cmp(b.0.id())));
        let last = latest.unwrap_or(Timestamp::from_unix_seconds(0));
        let last_month = Timestamp::year_month(&last.to_seconds_text()).unwrap_or("1970-01").to_owned();
        Activity { mentions, last_month, last_seconds: last.seconds, reports, now: now.seconds }
    }

    /// Reports not dated after the build time (undated ones included), newest first.
    fn past_reports(&self) -> impl Iterator<Item = &(Entry<'v>, Option<String>, Vec<String>)> {
        self.reports.iter().filter(|(_, when, _)| not_after(when.as_deref(), self.now))
    }

    /// What `histogram` of `id` is made from (the months of its mentions, and the month charts
    /// end at), for telling whether it would come out as before without drawing it.
    pub(crate) fn histogram_inputs(&self, id: &str) -> (&str, Option<&[String]>) {
        (&self.last_month, self.mentions.get(id).map(Vec::as_slice))
    }

    /// Mentions of `id` per month, for its page (None when it was never mentioned).
    pub(crate) fn histogram(&self, id: &str) -> Option<Chart> {
        let months = self.mentions.get(id)?;
        let chart = bars(
            "mentions",
            &format!("Mentions per month, {} months to {}", MONTHS, self.last_month),
            "Month (reports by published date, relationships by creation)",
            "Mentions",
            self.per_month(months.iter().map(String::as_str)),
        );
        let note = match (chart.total, chart.bars_above_zero().next()) {
            (0, _) | (_, None) => format!("Not mentioned in the {MONTHS} months to {}", self.last_month),
            (1, Some((month, _))) => format!("Mentioned once, in {month}"),
            (n, Some((month, _))) => format!("Mentioned {n} times, all in {month}"),
        };
        let note = format!("{note} (reports by published date, relationships by creation).");
        Some(chart.with_note(note))
    }

    /// How many of `months` (`YYYY-MM`) fall in each of the `MONTHS` months to the latest
    /// activity, oldest first; months outside are not counted.
    fn per_month<'m>(&self, months: impl Iterator<Item = &'m str>) -> Vec<(String, u64)> {
        let axis = months_ending(&self.last_month, MONTHS);
        let mut counts: BTreeMap<&str, u64> = axis.iter().map(|m| (m.as_str(), 0)).collect();
        for month in months {
            if let Some(count) = counts.get_mut(month) {
                *count += 1;
            }
        }
        axis.iter().map(|m| (m.clone(), counts[m.as_str()])).collect()
    }
}

pub(crate) fn dashboard(view: &View<'_>, activity: &Activity<'_>, now: Timestamp, root: &str) -> Dashboard {
    let latest_reports = activity
        .past_reports()
        .take(TOP)
        .map(|(entry, published, labels)| ReportRow {
            link: Link::to(*entry, root),
            published: published.as_deref().and_then(TimeText::parse),
            labels: labels.iter().map(|l| label_link(l)).collect(),
        })
        .collect();
    // Each part is a pass over every object: they run side by side.
    let ((windows, most_referenced), ((activity, reports_per_month), (tlp_mix, identities))) = rayon::join(
        || rayon::join(|| windows(view, now), || most_referenced(view, root)),
        || {
            rayon::join(
                || rayon::join(|| objects_per_month(view, activity), || reports_per_month(activity)),
                || rayon::join(|| tlp_mix(view), || identities(view, root)),
            )
        },
    );
    Dashboard { windows, latest_reports, most_referenced, activity, reports_per_month, tlp_mix, identities }
}

/// Objects added and changed in the last 7, 30 and 90 days to `now`, and the versions commits
/// brought in each.
fn windows(view: &View<'_>, now: Timestamp) -> Vec<Window> {
    let history = view.history();
    // Each object's times read once, for the three windows.
    let entries: Vec<Entry<'_>> = view.entries().filter(|e| e.object_type() != "marking-definition").collect();
    let times: Vec<(Option<i64>, Option<i64>)> = entries
        .par_iter()
        .map(|e| (seconds(e.object.created.as_deref()), seconds(e.object.modified.as_deref())))
        .collect();
    [7, 30, 90]
        .iter()
        .map(|days| {
            let since = now.seconds - days * 86_400;
            let within = |t: Option<i64>| t.is_some_and(|t| t >= since && t <= now.seconds);
            let (mut added, mut changed) = (0, 0);
            for &(created, modified) in &times {
                if within(created) {
                    added += 1;
                } else if within(modified) {
                    changed += 1;
                }
            }
            let committed = history.is_available().then(|| {
                let in_window = |t: i64| t >= since && t <= now.seconds;
                view.entries()
                    .flat_map(|e| view.versions(e))
                    .filter(|v| history.origin(&v.id, v.version_key()).is_some_and(|c| in_window(c.time)))
                    .count()
            });
            Window { days: *days, added, changed, committed }
        })
        .collect()
}

/// Whether a timestamp is not after `now` (a missing or unreadable one is not).
fn not_after(text: Option<&str>, now: i64) -> bool {
    seconds(text).is_none_or(|t| t <= now)
}

/// A timestamp as seconds since 1970; None when missing or unreadable.
fn seconds(text: Option<&str>) -> Option<i64> {
    text.and_then(|t| Timestamp::parse(t).ok()).map(|t| t.seconds)
}

/// References that say something about an object (not its creator or markings).
fn is_mention(property: &str) -> bool {
    !matches!(property, "created_by_ref" | "object_marking_refs" | "granular_markings")
}

fn most_referenced(view: &View<'_>, root: &str) -> Vec<RankedGroup> {
    let mut groups: BTreeMap<&str, Vec<(usize, Entry<'_>)>> = BTreeMap::new();
    for entry in view.entries().filter(|e| TRENDING_TYPES.contains(&e.object_type())) {
        let count = view.incoming(entry).filter(|(p, _)| is_mention(p)).count();
        if count > 0 {
            groups.entry(entry.object_type()).or_default().push((count, entry));
        }
    }
    TRENDING_TYPES
        .iter()
        .filter_map(|t| {
            let mut items = groups.remove(t)?;
            items.sort_by(|a, b| {
                (a.1.retired().is_some(), b.0, a.1.display_name()).cmp(&(
                    b.1.retired().is_some(),
                    a.0,
                    b.1.display_name(),
                ))
            });
            let items =
                items.into_iter().take(TOP).map(|(count, e)| Ranked { link: Link::to(e, root), count }).collect();
            Some(RankedGroup { label: type_label(t), items })
        })
        .collect()
}

/// A monthly chart's sentence for when it is not drawn (nothing, or one month only).
fn monthly_note(chart: &Chart, what: &str, last_month: &str) -> String {
    let period = format!("in the {MONTHS} months to {last_month}");
    match chart.bars_above_zero().next() {
        None => format!("No {what} {period}."),
        Some((month, _)) => format!("{} {what} {period}, all in {month}.", chart.total),
    }
}

fn objects_per_month(view: &View<'_>, activity: &Activity<'_>) -> Chart {
    let created = view
        .entries()
        .filter(|e| !matches!(e.object_type(), "relationship" | "marking-definition"))
        .filter_map(|e| e.object.created.as_deref().filter(|c| not_after(Some(c), activity.now)))
        .filter_map(Timestamp::year_month);
    let chart = bars(
        "activity",
        &format!("Objects created per month, {} months to {}", MONTHS, activity.last_month),
        "Month (by created)",
        "Objects",
        activity.per_month(created),
    );
    let note = monthly_note(&chart, "objects created", &activity.last_month);
    chart.with_note(note)
}

fn reports_per_month(activity: &Activity<'_>) -> Chart {
    let published =
        activity.past_reports().filter_map(|(_, published, _)| published.as_deref().and_then(Timestamp::year_month));
    let chart = bars(
        "reports",
        &format!("Reports published per month, {} months to {}", MONTHS, activity.last_month),
        "Month (by published)",
        "Reports",
        activity.per_month(published),
    );
    let note = monthly_note(&chart, "reports published", &activity.last_month);
    chart.with_note(note)
}

fn tlp_mix(view: &View<'_>) -> Chart {
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for entry in view.entries().filter(|e| e.object_type() != "marking-definition") {
        *counts.entry(highest_tlp(entry.object).map_or("no TLP marking", |t| t.label())).or_default() += 1;
    }
    let chart = bars(
        "tlp",
        "Objects by TLP marking",
        "TLP marking",
        "Objects",
        counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    );
    let note = match chart.bars_above_zero().next() {
        None => "This site publishes no objects yet.".to_owned(),
        Some((marking, count)) => format!("All {count} objects of this site: {marking}."),
    };
    chart.with_note(note)
}

fn identities(view: &View<'_>, root: &str) -> Vec<Ranked> {
    let mut counts: KeyedHashMap<&str, (usize, Entry<'_>)> = KeyedHashMap::default();
    for entry in view.entries() {
        if let Some((_, creator)) = view.outgoing(entry).find(|(p, _)| *p == "created_by_ref") {
            counts.entry(creator.id()).or_insert((0, creator)).0 += 1;
        }
    }
    let mut ranked: Vec<(usize, Entry<'_>)> = counts.into_values().collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id().cmp(b.1.id())));
    ranked.into_iter().take(TOP).map(|(count, e)| Ranked { link: Link::to(e, root), count }).collect()
}

/// What grew most: mentions in the 90 days to the latest activity against the year before
/// (scaled to 90 days).
#[derive(Serialize)]
pub(crate) struct Trending {
    pub(crate) last_month: String,
    pub(crate) items: Vec<TrendItem>,
}

#[derive(Serialize)]
pub(crate) struct TrendItem {
    pub(crate) link: Link,
    pub(crate) recent: usize,
    pub(crate) before: usize,
    /// Recent minus the year before's 90-day average, one decimal.
    pub(crate) growth: String,
}

pub(crate) fn trending<'s>(view: &View<'s>, activity: &Activity<'s>, root: &str) -> Trending {
    let end = activity.last_seconds;
    let recent_from = end - 90 * 86_400;
    let before_from = recent_from - 365 * 86_400;
    let mut counts: KeyedHashMap<&str, (usize, usize)> = KeyedHashMap::default();
    let trends = |target: &Entry<'s>| TRENDING_TYPES.contains(&target.object_type());
    let mut count = |target: Entry<'s>, seconds: i64| {
        let slot = counts.entry(target.id()).or_default();
        if seconds > recent_from && seconds <= end {
            slot.0 += 1;
        } else if seconds > before_from && seconds <= recent_from {
            slot.1 += 1;
        }
    };
    for (report, published, _) in &activity.reports {
        let Some(published) = seconds(published.as_deref()) else { continue };
        for (property, target) in view.outgoing(*report) {
            if property == "object_refs" && trends(&target) {
                count(target, published);
            }
        }
    }
    // The target's type before the time: most relationships end at a type that does not trend.
    for entry in view.entries().filter(|e| e.object_type() == "relationship") {
        let Some((_, target)) = view.outgoing(entry).find(|(p, _)| *p == "target_ref") else { continue };
        if let (true, Some(created)) = (trends(&target), seconds(entry.object.created.as_deref())) {
            count(target, created);
        }
    }
    let mut items: Vec<(f64, &str, usize, usize)> = counts
        .into_iter()
        .filter(|(_, (recent, _))| *recent > 0)
        .map(|(id, (recent, before))| (recent as f64 - before as f64 * 90.0 / 365.0, id, recent, before))
        .collect();
    // Revoked and deprecated objects rank after the current ones, whatever their growth.
    let retired = |id: &str| view.get(id).is_some_and(|e| e.retired().is_some());
    items.sort_by(|a, b| retired(a.1).cmp(&retired(b.1)).then_with(|| b.0.total_cmp(&a.0)).then_with(|| a.1.cmp(b.1)));
    Trending {
        last_month: activity.last_month.clone(),
        items: items
            .into_iter()
            .take(50)
            .filter_map(|(growth, id, recent, before)| {
                Some(TrendItem { link: Link::to(view.get(id)?, root), recent, before, growth: format!("{growth:+.1}") })
            })
            .collect(),
    }
}

/// The reports timeline: by month of publication, newest first; one page for all and one per
/// label.
#[derive(Serialize)]
pub(crate) struct Timeline {
    pub(crate) label: Option<String>,
    /// The labels to filter by: all of them on the page of all reports; on a label's page at
    /// most `TIMELINE_LABELS` (the most used, and its own), by name.
    pub(crate) labels: Vec<(LabelLink, usize)>,
    /// The labels a label's page leaves out (the page of all reports lists them).
    pub(crate) more_labels: usize,
    pub(crate) months: Vec<(String, Vec<ReportRow>)>,
}

/// The most labels a label's timeline lists besides its own: a repository of thousands of
/// labels had each of thousands of pages list all of them (4,000 took 28.8 s and 1.5 GB).
pub(crate) const TIMELINE_LABELS: usize = 24;

/// Each page's path and content (the list at `reports/`, a label's at `reports/label/<hex>/`).
pub(crate) fn timelines(activity: &Activity<'_>) -> Vec<(String, usize, Timeline)> {
    // Each label's count (as often as reports name it) and its reports, found in one pass.
    let mut by_label: BTreeMap<&str, (usize, Vec<usize>)> = BTreeMap::new();
    for (at, (_, _, labels)) in activity.reports.iter().enumerate() {
        for label in labels {
            let (count, reports) = by_label.entry(label).or_default();
            *count += 1;
            if reports.last() != Some(&at) {
                reports.push(at);
            }
        }
    }
    let labels: Vec<(LabelLink, usize)> = by_label.iter().map(|(l, (n, _))| (label_link(l), *n)).collect();
    let counts: Vec<usize> = labels.iter().map(|(_, n)| *n).collect();
    let most_used = super::lists::largest(&counts, TIMELINE_LABELS);
    let page = |reports: &mut dyn Iterator<Item = usize>, root: &str| {
        let mut months: Vec<(String, Vec<ReportRow>)> = Vec::new();
        for (entry, published, report_labels) in reports.map(|at| &activity.reports[at]) {
            let month = published.as_deref().and_then(Timestamp::year_month).unwrap_or("undated").to_owned();
            let row = ReportRow {
                link: Link::to(*entry, root),
                published: published.as_deref().and_then(TimeText::parse),
                labels: report_labels.iter().map(|l| label_link(l)).collect(),
            };
            match months.last_mut() {
                Some((m, rows)) if *m == month => rows.push(row),
                _ => months.push((month, vec![row])),
            }
        }
        months
    };
    let all = page(&mut (0..activity.reports.len()), "../");
    let mut pages = vec![(
        "reports/index.html".to_owned(),
        1,
        Timeline { label: None, labels: labels.clone(), more_labels: 0, months: all },
    )];
    for (own, (label, (_, reports))) in by_label.iter().enumerate() {
        let mut listed = most_used.clone();
        if let Err(at) = listed.binary_search(&own) {
            listed.insert(at, own);
        }
        let timeline = Timeline {
            label: Some((*label).to_owned()),
            labels: listed.iter().map(|&i| labels[i].clone()).collect(),
            more_labels: labels.len() - listed.len(),
            months: page(&mut reports.iter().copied(), "../../../"),
        };
        pages.push((format!("{}index.html", label_link(label).href), 3, timeline));
    }
    pages
}

/// A label's timeline page: its text in hex, so that any label is a safe path.
fn label_link(label: &str) -> LabelLink {
    LabelLink {
        label: label.to_owned(),
        href: format!("reports/label/{}/", crate::publish::shared::file_names::hex(label)),
    }
}
