//! The small relationship graph on an object page: the object in the middle, its closest
//! neighbours around it, drawn as SVG at build time so it needs no JavaScript. Every text is
//! escaped here, since the SVG is inserted into the page as markup.

use std::fmt::Write;

use super::escape::escape;
use super::links::Link;

/// Neighbours drawn at most; the rest are counted.
const MAX_NEIGHBOURS: usize = 16;
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 400.0;
/// Characters of a label shown before it is cut.
const LABEL_CHARS: usize = 26;

/// One neighbour: where it links, and what connects it (a relationship type or a property).
pub struct Neighbour {
    pub link: Link,
    pub via: String,
}

/// The SVG, or `None` when the object has no neighbours to draw.
pub fn draw(center: &Link, neighbours: &[Neighbour]) -> Option<String> {
    if neighbours.is_empty() {
        return None;
    }
    let shown = &neighbours[..neighbours.len().min(MAX_NEIGHBOURS)];
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let mut svg = String::with_capacity(512 + shown.len() * 400);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{} and {} connected objects">"#,
        escape(&cut(&center.name)),
        neighbours.len()
    );
    let positions: Vec<(f64, f64)> = (0..shown.len())
        .map(|i| {
            let angle = std::f64::consts::TAU * i as f64 / shown.len() as f64 - std::f64::consts::FRAC_PI_2;
            (cx + angle.cos() * (WIDTH / 2.0 - 110.0), cy + angle.sin() * (HEIGHT / 2.0 - 45.0))
        })
        .collect();
    for ((x, y), neighbour) in positions.iter().zip(shown) {
        let _ = write!(
            svg,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#8c959f" stroke-width="1.2"><title>{}</title></line>"##,
            escape(&neighbour.via)
        );
    }
    for ((x, y), neighbour) in positions.iter().zip(shown) {
        node(&mut svg, &neighbour.link, *x, *y, 7.0, Some(&neighbour.via));
    }
    node(&mut svg, center, cx, cy, 12.0, None);
    if neighbours.len() > shown.len() {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#57606a">+{} more</text>"##,
            WIDTH - 8.0,
            HEIGHT - 8.0,
            neighbours.len() - shown.len()
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

fn node(svg: &mut String, link: &Link, x: f64, y: f64, radius: f64, via: Option<&str>) {
    let colour = match link.category {
        "domain" => "#1d4e89",
        "observable" => "#6b3fa0",
        "relationship" => "#2f7d4f",
        "custom" => "#9a6700",
        _ => "#6e7781",
    };
    let label = escape(&cut(&link.name));
    let title = escape(&format!("{}: {}", link.type_label, link.name));
    let open = link.href.as_deref().map(|href| format!(r#"<a href="{}">"#, escape(href)));
    svg.push_str(open.as_deref().unwrap_or("<g>"));
    let _ = write!(
        svg,
        r##"<title>{title}</title><circle cx="{x:.1}" cy="{y:.1}" r="{radius}" fill="{colour}" stroke="#fff" stroke-width="2"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#1b1f24">{label}</text>"##,
        y + radius + 14.0
    );
    if let Some(via) = via {
        let _ = write!(
            svg,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#57606a">{}</text>"##,
            y - radius - 5.0,
            escape(&cut(via))
        );
    }
    svg.push_str(if open.is_some() { "</a>" } else { "</g>" });
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(LABEL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(name: &str) -> Link {
        Link { href: Some("../x/".into()), name: name.into(), type_label: "Malware".into(), category: "domain" }
    }

    #[test]
    fn names_are_escaped_and_extra_neighbours_counted() {
        let neighbours: Vec<Neighbour> =
            (0..20).map(|i| Neighbour { link: link(&format!("<script>{i}")), via: "uses\"".into() }).collect();
        let svg = draw(&link("center"), &neighbours).unwrap();
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;3"));
        assert!(svg.contains("+4 more"));
        assert!(!svg.contains("uses\""));
    }

    #[test]
    fn an_object_without_neighbours_has_no_graph() {
        assert!(draw(&link("alone"), &[]).is_none());
    }
}
