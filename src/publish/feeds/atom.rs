//! `feeds/atom/`: Atom 1.0 feeds (RFC 4287) of new and changed reports, new indicators and all
//! changes, newest first, each entry linking to the object's page. Times come from the objects,
//! so a rebuild without changes writes the same bytes.

use serde_json::Value;

use super::{shortened, strings, FeedFile};
use crate::audience::{Entry, View};
use crate::config::Site;
use crate::error::Error;
use crate::stix::id::uuid_of;
use crate::stix::label::type_label;
use crate::stix::uuid::derived_uuid;
use crate::stix::{StixObject, Timestamp};
use crate::write::Sink;

pub(crate) const DIR: &str = "feeds/atom";
/// The way back to the site root from a feed.
const ROOT: &str = "../../";

/// Entries per feed: readers poll often, and a feed is not an archive.
const ENTRIES: usize = 100;
/// Characters of the description an entry's summary keeps.
const SUMMARY_CHARS: usize = 400;

/// One entry: an object version, and how to title it.
struct Item<'v> {
    entry: Entry<'v>,
    version: &'v StixObject,
    /// The time the feed is ordered by (`modified`, or `created` for "new" feeds).
    time: Timestamp,
    is_first_version: bool,
}

pub(crate) fn write(view: &View<'_>, site: &Site, sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let latest = |types: &[&str], by_created: bool| {
        let items = view.entries().filter(|e| types.contains(&e.object_type())).filter_map(|entry| {
            let time = if by_created { entry.object.created.as_deref() } else { Some(entry.object.version_key()) };
            let time = Timestamp::parse(time?).ok()?;
            Some(Item { entry, version: entry.object, time, is_first_version: view.versions(entry).len() == 1 })
        });
        newest(items.collect())
    };
    let feeds = [
        ("reports", "New and changed reports", latest(&["report"], false), "reports, newest change first"),
        ("indicators", "New indicators", latest(&["indicator"], true), "indicators, newest first (by created)"),
        ("changes", "All changes", every_version(view), "every new object version, newest first"),
    ];
    let mut files = Vec::new();
    for (name, title, items, description) in feeds {
        let path = format!("{DIR}/{name}.xml");
        let xml = feed(view, site, name, title, &items);
        sink.write(&path, xml.as_bytes())?;
        files.push(FeedFile::new(path, description, items.len()));
    }
    Ok(files)
}

/// The newest versions of every object, however many versions each has.
fn every_version<'v>(view: &View<'v>) -> Vec<Item<'v>> {
    let mut items = Vec::new();
    for entry in view.entries() {
        for (i, version) in view.versions(entry).into_iter().enumerate() {
            if let Ok(time) = Timestamp::parse(version.version_key()) {
                items.push(Item { entry, version, time, is_first_version: i == 0 });
            }
        }
    }
    newest(items)
}

/// The `ENTRIES` newest items, newest first; ties by id, so the order is the same every build.
fn newest(mut items: Vec<Item<'_>>) -> Vec<Item<'_>> {
    let order = |a: &Item, b: &Item| b.time.cmp(&a.time).then_with(|| a.entry.id().cmp(b.entry.id()));
    if items.len() > ENTRIES {
        items.select_nth_unstable_by(ENTRIES, order);
        items.truncate(ENTRIES);
    }
    items.sort_by(order);
    items
}

fn feed(view: &View<'_>, site: &Site, name: &str, title: &str, items: &[Item<'_>]) -> String {
    let self_url = site.url(&format!("{DIR}/{name}.xml"), ROOT);
    let feed_id = match &site.base_url {
        Some(_) => self_url.clone(),
        None => format!("urn:uuid:{}", derived_uuid(&format!("atom {} {} {name}", site.title, view.audience()))),
    };
    let updated = items.iter().map(|i| i.time).max().unwrap_or(Timestamp::from_unix_seconds(0));
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    push_element(&mut xml, 1, "title", &format!("{}: {title}", site.title));
    push_element(&mut xml, 1, "id", &feed_id);
    push_element(&mut xml, 1, "updated", &updated.to_seconds_text());
    xml.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", escape(&self_url)));
    xml.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape(&site.url("", ROOT))));
    xml.push_str("  <author>\n");
    push_element(&mut xml, 2, "name", &site.title);
    xml.push_str("  </author>\n");
    push_element(&mut xml, 1, "generator", "stixpress");
    for item in items {
        push_entry(&mut xml, view, site, name, item);
    }
    xml.push_str("</feed>\n");
    xml
}

fn push_entry(xml: &mut String, view: &View<'_>, site: &Site, feed: &str, item: &Item<'_>) {
    let entry = item.entry;
    let uuid = uuid_of(entry.id());
    let id = if feed == "changes" {
        derived_uuid(&format!("{}@{}", entry.id(), item.version.version_key()))
    } else {
        uuid.to_owned()
    };
    let change = match (feed, item.is_first_version, item.version.revoked) {
        ("indicators", _, _) => "",
        (_, _, true) => " (revoked)",
        (_, true, _) => " (new)",
        _ => " (changed)",
    };
    let title = format!("{}: {}{change}", type_label(entry.object_type()), item.version.display_name());
    let json: Value = serde_json::from_str(&view.json(item.version)).unwrap_or(Value::Null);
    xml.push_str("  <entry>\n");
    push_element(xml, 2, "title", &title);
    push_element(xml, 2, "id", &format!("urn:uuid:{id}"));
    push_element(xml, 2, "updated", &item.time.to_seconds_text());
    if let Some(created) = item.version.created.as_deref().and_then(|t| Timestamp::parse(t).ok()) {
        push_element(xml, 2, "published", &created.to_seconds_text());
    }
    let page = site.url(&format!("objects/{}/", entry.id()), ROOT);
    xml.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape(&page)));
    if let Some((_, author)) = view.outgoing(entry).find(|(p, _)| *p == "created_by_ref") {
        xml.push_str("    <author>\n");
        push_element(xml, 3, "name", author.display_name());
        xml.push_str("    </author>\n");
    }
    xml.push_str(&format!("    <category term=\"{}\"/>\n", escape(entry.object_type())));
    for label in strings(&json, "labels") {
        xml.push_str(&format!("    <category term=\"{}\"/>\n", escape(label)));
    }
    if let Some(description) = json.get("description").and_then(Value::as_str).filter(|d| !d.trim().is_empty()) {
        push_element(xml, 2, "summary", &shortened(description, SUMMARY_CHARS));
    }
    xml.push_str("  </entry>\n");
}

fn push_element(xml: &mut String, depth: usize, name: &str, text: &str) {
    xml.push_str(&"  ".repeat(depth));
    xml.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

/// Text for XML 1.0 content or attributes: markup characters escaped, and the characters XML
/// cannot carry at all (most C0 controls, U+FFFE, U+FFFF) replaced, since a single one makes
/// every reader reject the whole feed.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_hold() {
        assert_eq!(escape("<a href=\"x\">&'\u{1}\u{FFFF}"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn summaries_are_cut_at_a_character() {
        let long = "é".repeat(SUMMARY_CHARS + 5);
        assert_eq!(shortened(&long, SUMMARY_CHARS).chars().count(), SUMMARY_CHARS + 1);
        assert_eq!(shortened("short", SUMMARY_CHARS), "short");
    }
}
