//! The small relationship graph on an object page: the object in the middle, its closest
//! neighbours around it, drawn as SVG at build time so it needs no JavaScript. Every text is
//! escaped here, since the SVG is inserted into the page as markup.

use std::fmt::Write;

use super::links::Link;
use crate::publish::shared::escape::escape;

/// Neighbours drawn at most; the rest are counted.
const MAX_NEIGHBOURS: usize = 16;
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
/// The ellipse the neighbours sit on: narrow enough that labels beside the dots fit the width.
const RADIUS_X: f64 = 170.0;
const RADIUS_Y: f64 = 170.0;
/// Characters of a label shown before it is cut.
const LABEL_CHARS: usize = 24;

/// One neighbour: where it links, and what connects it (a relationship type or a property).
pub(crate) struct Neighbour {
    pub(crate) link: Link,
    pub(crate) via: String,
}

/// Fewer neighbours than this are not drawn: a dot joined to one other dot says nothing the
/// relationship table beside it does not.
const MIN_NEIGHBOURS: usize = 2;

/// A relationship or sighting is drawn only with more than its two ends: the drawing of one
/// line through it between them says what its Source and Target fields say (and was a sixth
/// of the bytes of every relationship page).
const MIN_NEIGHBOURS_OF_RELATIONSHIPS: usize = 3;

/// The SVG, or `None` when the object has too few neighbours for a drawing to add anything.
pub(crate) fn draw(center: &Link, neighbours: &[Neighbour]) -> Option<String> {
    let least = if center.category == "relationship" { MIN_NEIGHBOURS_OF_RELATIONSHIPS } else { MIN_NEIGHBOURS };
    if neighbours.len() < least {
        return None;
    }
    let shown = &neighbours[..neighbours.len().min(MAX_NEIGHBOURS)];
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let mut svg = String::with_capacity(512 + shown.len() * 400);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="group" aria-label="{} and {} connected objects">"#,
        escape(&cut(&center.name)),
        neighbours.len()
    );
    let positions: Vec<(f64, f64)> = (0..shown.len())
        .map(|i| {
            let angle = std::f64::consts::TAU * i as f64 / shown.len() as f64 - std::f64::consts::FRAC_PI_2;
            (cx + angle.cos() * RADIUS_X, cy + angle.sin() * RADIUS_Y)
        })
        .collect();
    // Whole pixels: nothing finer shows, and integers keep the page small. Colours, strokes and
    // type sizes come from the theme's CSS (`.graph …`), once per site instead of once per node.
    // The edges are one path (a move to the centre and a line out per neighbour): a line
    // element each was a fifth of the drawing.
    svg.push_str(r#"<path class="edges" d=""#);
    for (x, y) in &positions {
        let _ = write!(svg, "M{cx} {cy} {x:.0} {y:.0}");
    }
    svg.push_str(r#""/>"#);
    for ((x, y), neighbour) in positions.iter().zip(shown) {
        let side = (x - cx) / RADIUS_X;
        let place = if side > 0.2 {
            Place::Right
        } else if side < -0.2 {
            Place::Left
        } else if *y < cy {
            Place::Above
        } else {
            Place::Below
        };
        let at = Node { x: *x, y: *y, radius: 7.0, place };
        node(&mut svg, &neighbour.link, neighbour.link.href.as_deref(), at, Some(&neighbour.via));
    }
    // The centre is the page itself: no link to where the reader already is.
    node(&mut svg, center, None, Node { x: cx, y: cy, radius: 12.0, place: Place::Below }, None);
    if neighbours.len() > shown.len() {
        let _ = write!(
            svg,
            r#"<text class="more e" x="{}" y="{}">+{} more</text>"#,
            WIDTH - 8.0,
            HEIGHT - 8.0,
            neighbours.len() - shown.len()
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Where a node's labels go: beside the dot on the left and right of the ellipse, so that
/// neighbours close together do not overwrite each other; above or below it at the top and bottom.
#[derive(Clone, Copy)]
enum Place {
    Left,
    Right,
    Above,
    Below,
}

/// Where a node is drawn: its dot's centre and radius, and where its labels go.
#[derive(Clone, Copy)]
struct Node {
    x: f64,
    y: f64,
    radius: f64,
    place: Place,
}

/// The node of `link`, a link to `href` when given.
fn node(svg: &mut String, link: &Link, href: Option<&str>, at: Node, via: Option<&str>) {
    let Node { x, y, radius, place } = at;
    let label = escape(&cut(&link.name));
    let title = escape(&format!("{}: {}", link.type_label, link.name));
    let open = href.map(|href| format!(r#"<a href="{}">"#, escape(href)));
    // (anchor class: start, end, middle; x; name's baseline; via's baseline)
    let (anchor, tx, name_y, via_y) = match place {
        Place::Right => ("s", x + radius + 5.0, y + 4.0, y + 17.0),
        Place::Left => ("e", x - radius - 5.0, y + 4.0, y + 17.0),
        Place::Above => ("m", x, y - radius - 6.0, y - radius - 20.0),
        Place::Below => ("m", x, y + radius + 14.0, y + radius + 27.0),
    };
    svg.push_str(open.as_deref().unwrap_or("<g>"));
    let _ = write!(
        svg,
        r#"<title>{title}</title><circle class="{}" cx="{x:.0}" cy="{y:.0}" r="{radius}"/><text class="{anchor}" x="{tx:.0}" y="{name_y:.0}">{label}</text>"#,
        link.category
    );
    if let Some(via) = via {
        let _ = write!(svg, r#"<text class="via {anchor}" x="{tx:.0}" y="{via_y:.0}">{}</text>"#, escape(&cut(via)));
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
        Link {
            href: Some("../x/".into()),
            name: name.into(),
            type_label: "Malware".into(),
            category: "domain",
            retired: None,
        }
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
    fn an_object_with_fewer_than_two_neighbours_has_no_graph() {
        assert!(draw(&link("alone"), &[]).is_none());
        let one = [Neighbour { link: link("other"), via: "uses".into() }];
        assert!(draw(&link("pair"), &one).is_none());
    }

    #[test]
    fn a_relationship_is_drawn_only_with_more_than_its_two_ends() {
        let relationship = Link { category: "relationship", ..link("uses") };
        let neighbour = |name: &str, via: &str| Neighbour { link: link(name), via: via.into() };
        let mut around = vec![neighbour("source", "source"), neighbour("target", "target")];
        assert!(draw(&relationship, &around).is_none());
        assert!(draw(&link("malware"), &around).is_some());
        around.push(neighbour("report", "object refs"));
        assert!(draw(&relationship, &around).is_some());
    }

    #[test]
    fn the_centre_is_not_a_link_and_the_edges_are_one_path() {
        let three = ["a", "b", "c"].map(|name| Neighbour { link: link(name), via: "uses".into() });
        let svg = draw(&link("center"), &three).unwrap();
        assert_eq!(svg.matches("<a href=").count(), 3, "{svg}");
        assert_eq!(svg.matches("<path ").count(), 1);
        assert_eq!(svg.matches("M360 210 ").count(), 3);
    }
}
