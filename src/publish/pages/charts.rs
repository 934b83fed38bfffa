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
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title" preserveAspectRatio="xMidYMid meet">"#
    );
    // Axes and three gridlines: 0, half, max (two when half is 0: a line and a 0 drawn twice
    // were most of a one-mention chart's bytes).
    let mut gridlines = vec![0, max / 2, max];
    gridlines.dedup();
    for (i, value) in gridlines.iter().enumerate() {
        let y = TOP + plot_h - plot_h * (*value as f64) / max as f64;
        let class = if i == 0 { "axis" } else { "grid" };
        let _ = write!(
            svg,
            r#"<line class="{class}" x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{value}</text>"#,
            WIDTH - 8.0,
            left - 4.0,
            y + 4.0
        );
    }
    // Label at most ~12 slots on the x axis, so that labels never overlap.
    let every = rows.len().div_ceil(12).max(1);
    for (i, (label, value)) in rows.iter().enumerate() {
        let h = plot_h * (*value as f64) / max as f64;
        let x = left + slot * i as f64 + slot * 0.15;
        // A bar of height zero draws nothing and cannot be pointed at for its title: it is left
        // out (a mentions chart is mostly empty months, and was most of an object page's bytes).
        if *value > 0 {
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}: {value}</title></rect>"#,
                TOP + plot_h - h,
                (slot * 0.7).max(1.0),
                escape(label)
            );
        }
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + slot * 0.35,
                TOP + plot_h + 14.0,
                escape(&shorten(label, 14))
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        left + plot_w / 2.0,
        HEIGHT - 6.0,
        escape(x_label)
    );
    let _ =
        write!(svg, r#"<text class="axis-label" x="2" y="12" text-anchor="start">{}</text></svg>"#, escape(y_label));
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
        assert!(chart.svg.contains(r#"x1="52.0""#), "{}", chart.svg);
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
    fn months_run_back_across_years() {
        assert_eq!(months_ending("2026-02", 3), ["2025-12", "2026-01", "2026-02"]);
        assert!(months_ending("garbage", 3).is_empty());
    }
}
