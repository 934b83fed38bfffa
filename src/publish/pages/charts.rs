//! Bar charts drawn at build time as SVG: they need no JavaScript. Each has a title the SVG is
//! labelled by, axis labels, and the same numbers as a table for screen readers and for anyone
//! who wants the figures (the template puts it in a `<details>`).
//!
//! Colours come from the theme's CSS (`currentColor` and classes), so dark mode applies.

use std::fmt::Write as _;

use serde::Serialize;

use crate::publish::shared::escape::escape;

#[derive(Serialize, Clone)]
pub(crate) struct Chart {
    /// Unique on its page: the SVG's `aria-labelledby` points at `<id>-title`.
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    /// Already escaped: output with `|safe`.
    pub(crate) svg: String,
    pub(crate) rows: Vec<(String, u64)>,
    pub(crate) total: u64,
    /// Whether the chart says more than a sentence would: at least two bars above zero. An
    /// empty chart or a single bar is left out (pages say it in words instead).
    pub(crate) drawn: bool,
    /// What the chart shows, in words, for when it is not drawn.
    pub(crate) note: String,
}

impl Chart {
    pub(crate) fn with_note(mut self, note: String) -> Chart {
        self.note = note;
        self
    }

    /// The rows above zero.
    pub(crate) fn bars_above_zero(&self) -> impl Iterator<Item = &(String, u64)> {
        self.rows.iter().filter(|(_, v)| *v > 0)
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 230.0;
const BOTTOM: f64 = 44.0;
/// Room above the plot for the value axis' label, written horizontally above the tick numbers
/// (rotated beside them, it overlapped numbers of four digits and more).
const TOP: f64 = 26.0;
/// Width of one digit of a tick number (11px text), to make room for the widest.
const DIGIT: f64 = 7.0;

/// A vertical bar per row, in the order given.
pub(crate) fn bars(id: &str, title: &str, x_label: &str, y_label: &str, rows: Vec<(String, u64)>) -> Chart {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let left = 10.0 + DIGIT * max.to_string().len() as f64;
    let plot_w = WIDTH - left - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / rows.len().max(1) as f64;
    // Written for size as much as for the eye (a chart is on every entity page): numbers without
    // a needless `.0`, and what the marks of a kind share (anchor, class) said once on a group.
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title">"#
    );
    // Axes and three gridlines: 0, half, max (two when half is 0: a line and a 0 drawn twice
    // were most of a one-mention chart's bytes).
    let mut gridlines = vec![0, max / 2, max];
    gridlines.dedup();
    let y_of = |value: u64| TOP + plot_h - plot_h * (value as f64) / max as f64;
    for (i, value) in gridlines.iter().enumerate() {
        let class = if i == 0 { "axis" } else { "grid" };
        let (y, right) = (Num(y_of(*value)), Num(WIDTH - 8.0));
        let _ = write!(svg, r#"<line class="{class}" x1="{}" y1="{y}" x2="{right}" y2="{y}"/>"#, Num(left));
    }
    svg.push_str(r#"<g text-anchor="end">"#);
    for value in &gridlines {
        let _ = write!(svg, r#"<text x="{}" y="{}">{value}</text>"#, Num(left - 4.0), Num(y_of(*value) + 4.0));
    }
    svg.push_str("</g>");
    let x_of = |i: usize| left + slot * i as f64 + slot * 0.15;
    // A bar of height zero draws nothing and cannot be pointed at for its title: it is left
    // out (a mentions chart is mostly empty months, and was most of an object page's bytes).
    svg.push_str(r#"<g class="bar">"#);
    let width = Num((slot * 0.7).max(1.0));
    for (i, (label, value)) in rows.iter().enumerate().filter(|(_, (_, v))| *v > 0) {
        let h = plot_h * (*value as f64) / max as f64;
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="{width}" height="{}"><title>{}: {value}</title></rect>"#,
            Num(x_of(i)),
            Num(TOP + plot_h - h),
            Num(h),
            escape(label)
        );
    }
    // Label at most ~12 slots on the x axis, so that labels never overlap.
    let every = rows.len().div_ceil(12).max(1);
    let _ = write!(svg, r#"</g><g text-anchor="middle">"#);
    for (i, (label, _)) in rows.iter().enumerate().step_by(every) {
        let (x, y) = (Num(x_of(i) + slot * 0.35), Num(TOP + plot_h + 14.0));
        let _ = write!(svg, r#"<text x="{x}" y="{y}">{}</text>"#, escape(&shorten(label, 14)));
    }
    let _ = write!(
        svg,
        r#"<text class="axis-label" x="{}" y="{}">{}</text></g>"#,
        Num(left + plot_w / 2.0),
        Num(HEIGHT - 6.0),
        escape(x_label)
    );
    let _ = write!(svg, r#"<text class="axis-label" x="2" y="12">{}</text></svg>"#, escape(y_label));
    let total = rows.iter().map(|(_, v)| v).sum();
    let drawn = rows.iter().filter(|(_, v)| *v > 0).count() >= 2;
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        x_label: x_label.to_owned(),
        y_label: y_label.to_owned(),
        svg,
        rows,
        total,
        drawn,
        note: String::new(),
    }
}

/// A coordinate to a tenth, without a trailing `.0`.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        match tenths % 10 {
            0 => write!(f, "{}", tenths / 10),
            rest => write!(f, "{}{}.{}", if tenths < 0 && tenths > -10 { "-" } else { "" }, tenths / 10, rest.abs()),
        }
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The `count` months ending with `last` (`YYYY-MM`), oldest first.
pub(crate) fn months_ending(last: &str, count: usize) -> Vec<String> {
    let (year, month) =
        match (last.get(..4).and_then(|y| y.parse::<i32>().ok()), last.get(5..7).and_then(|m| m.parse::<i32>().ok())) {
            (Some(y), Some(m)) => (y, m),
            _ => return Vec::new(),
        };
    let index = year * 12 + (month - 1);
    (0..count as i32)
        .rev()
        .map(|back| index - back)
        .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_keep_their_numbers() {
        let chart = bars("c", "Title", "Month", "Objects", vec![("<b>".into(), 3), ("x".into(), 0)]);
        assert!(chart.svg.contains("&lt;b&gt;") && !chart.svg.contains("<b>"));
        assert!(chart.svg.contains(r#"aria-labelledby="c-title""#));
        assert_eq!(chart.total, 3);
        assert!(!chart.drawn, "a single bar is said in words");
        assert!(bars("c", "T", "M", "O", vec![("a".into(), 1), ("b".into(), 1)]).drawn);
    }

    #[test]
    fn tick_numbers_leave_room_for_the_axis_label() {
        let chart = bars("c", "Title", "Month", "Objects", vec![("a".into(), 123_456), ("b".into(), 1)]);
        // The value axis' label sits above the plot, the widest tick number left of the axis.
        assert!(chart.svg.contains(r#"<text class="axis-label" x="2" y="12""#));
        assert!(!chart.svg.contains("rotate("));
        assert!(chart.svg.contains(r#"x1="52""#), "{}", chart.svg);
    }

    #[test]
    fn each_gridline_and_tick_number_is_drawn_once() {
        let ones = bars("c", "T", "M", "O", vec![("a".into(), 1), ("b".into(), 1)]);
        assert_eq!(ones.svg.matches("<line ").count(), 2, "0 and 1: {}", ones.svg);
        assert_eq!(ones.svg.matches(">0</text>").count(), 1);
        let tens = bars("c", "T", "M", "O", vec![("a".into(), 10), ("b".into(), 3)]);
        assert_eq!(tens.svg.matches("<line ").count(), 3, "0, 5 and 10");
    }

    #[test]
    fn coordinates_are_written_to_a_tenth_without_a_trailing_zero() {
        let text = |x: f64| Num(x).to_string();
        assert_eq!(
            [text(26.0), text(292.94), text(0.04), text(-0.5), text(-12.25), text(7.96)],
            ["26", "292.9", "0", "-0.5", "-12.3", "8"]
        );
    }

    #[test]
    fn months_run_back_across_years() {
        assert_eq!(months_ending("2026-02", 3), ["2025-12", "2026-01", "2026-02"]);
        assert!(months_ending("garbage", 3).is_empty());
    }
}
