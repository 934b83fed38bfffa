//! The UUIDs an object names anywhere in its JSON, as a reader of the published output would
//! see them: in keys and string values after JSON escapes are resolved (`\u002d`), in any case,
//! alone or inside an identifier, and after the decodings a page or a client applies to text
//! (percent-encoding, HTML character references, Markdown backslash escapes, tags and
//! invisible characters between the digits).
//!
//! An object is withheld when it names a withheld object, so what counts as naming must be at
//! least what a reader could recognise. Matching the UUID alone covers an id written in any
//! case or with its type changed; a UUID shared by two objects of different types is rare, and
//! a false match only withholds more.

use std::borrow::Cow;

/// Every UUID `raw` (an object's JSON text) names besides the object's own id, each once, in
/// the order the text first names them. The object's own UUID counts only when it appears
/// again, beyond its `id` (a reference or a mention of another object that shares it).
pub fn named_uuids(raw: &str, own_id: &str) -> Vec<u128> {
    names(raw, own_id, |_| None::<()>).into_iter().map(|named| named.uuid).collect()
}

/// A UUID an object's JSON names, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named<T> {
    pub uuid: u128,
    /// What `whole_id` made of the ids spelling the UUID, when every place naming it is a JSON
    /// string holding one id whole (`"identity--…"`, as references are written) and `whole_id`
    /// gave the same for each; none when a place names it any other way (in prose, encoded, in
    /// another case) or `whole_id` gave none.
    pub only_as: Option<T>,
}

/// Every UUID `raw` names besides the object's own id, as `named_uuids` finds them, with what
/// `whole_id` makes of the ids spelling each whole (see `Named::only_as`).
///
/// A UUID two objects of different types hold is a mention of both when it stands alone, but a
/// string that is one id whole names that id only: a reader sees which object it is. So an
/// object sharing another's UUID does not stand in for it where it is referenced.
pub fn names<T: PartialEq>(raw: &str, own_id: &str, mut whole_id: impl FnMut(&str) -> Option<T>) -> Vec<Named<T>> {
    let mut spelled =
        |id: &str| if id == own_id { Spelled::Own } else { whole_id(id).map_or(Spelled::Otherwise, Spelled::As) };
    let found = places_in_json(raw, &mut spelled);
    let own = uuid_number(own_id);
    let own_places = own.map_or(0, |own| found.iter().filter(|(uuid, _)| *uuid == own).count());
    let mut own_id_skipped = false;
    let mut out: Vec<Named<T>> = Vec::new();
    // Most objects name a handful: a linear look is cheaper than hashing then.
    let mut positions: Option<std::collections::HashMap<u128, usize>> = None;
    for (uuid, spelling) in found {
        if Some(uuid) == own {
            if own_places <= 1 {
                continue;
            }
            if matches!(spelling, Spelled::Own) && !own_id_skipped {
                own_id_skipped = true;
                continue;
            }
        }
        let only_as = match spelling {
            Spelled::As(made) => Some(made),
            Spelled::Own | Spelled::Otherwise => None,
        };
        if out.len() == 16 && positions.is_none() {
            positions = Some(out.iter().enumerate().map(|(at, named)| (named.uuid, at)).collect());
        }
        let known = match &positions {
            Some(positions) => positions.get(&uuid).copied(),
            None => out.iter().position(|named| named.uuid == uuid),
        };
        match known {
            Some(at) if out[at].only_as != only_as => out[at].only_as = None,
            Some(_) => {}
            None => {
                if let Some(positions) = &mut positions {
                    positions.insert(uuid, out.len());
                }
                out.push(Named { uuid, only_as });
            }
        }
    }
    out
}

/// How one place spells a UUID.
enum Spelled<T> {
    /// The object's own id, whole.
    Own,
    /// Another id, whole, and what `names`'s caller made of it.
    As(T),
    Otherwise,
}

/// A place naming a UUID, and how it spells it.
type Place<T> = (u128, Spelled<T>);

/// Every UUID named in `raw`: as the text stands, in order, then, when it holds escapes or
/// encodings, in every string as decoded (a place read both ways counts twice; the object's own
/// `id` is read once).
fn places_in_json<T>(raw: &str, spelled: &mut dyn FnMut(&str) -> Spelled<T>) -> Vec<Place<T>> {
    let mut found = Vec::new();
    scan(&dashes_to_ascii(raw), Whole::Quoted, spelled, &mut found);
    if needs_decoding(raw) {
        match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(members)) => {
                for (key, member) in members.iter().filter(|(key, _)| *key != "id") {
                    scan_decoded(key, spelled, &mut found);
                    visit(member, spelled, &mut found);
                }
            }
            Ok(value) => visit(&value, spelled, &mut found),
            // Not JSON (check reports it): read the text as decoded too.
            Err(_) => scan_decoded(raw, spelled, &mut found),
        }
    }
    found
}

#[cfg(test)]
fn uuids_in_json(raw: &str) -> Vec<u128> {
    places_in_json::<()>(raw, &mut |_| Spelled::Otherwise).into_iter().map(|(uuid, _)| uuid).collect()
}

/// Whether text holds an escape, an encoding, markup or non-ASCII: then what a reader sees
/// may differ from the bytes.
fn needs_decoding(text: &str) -> bool {
    // Searched for with memchr rather than byte by byte: every object's JSON passes here.
    let bytes = text.as_bytes();
    !text.is_ascii() || memchr::memchr3(b'\\', b'%', b'&', bytes).is_some() || memchr::memchr(b'<', bytes).is_some()
}

/// The UUID of an identifier (`type--uuid`), as a number; None when it has none.
pub fn uuid_number(id: &str) -> Option<u128> {
    // The 36 bytes after the last `--`, found from the end: a UUID holds no `--` (`rsplit_once`
    // ran a general substring search, as long as the parse).
    let at = id.len().checked_sub(36)?;
    let (before, uuid) = id.as_bytes().split_at(at);
    if !before.ends_with(b"--") {
        return None;
    }
    parse_uuid(uuid)
}

/// The UUIDs more than one entry of `sorted` (sorted by UUID) holds, each once and sorted: few
/// or none, as only ids of different types can share one. A UUID no other id holds, named by a
/// reference to its object, names nothing else; one of these may.
pub fn shared_uuids<T>(sorted: &[(u128, T)]) -> Vec<u128> {
    uuids_held_by_more_than(sorted, 1)
}

/// The UUIDs more than `count` entries of `sorted` (sorted by UUID) hold, each once and sorted.
pub fn uuids_held_by_more_than<T>(sorted: &[(u128, T)], count: usize) -> Vec<u128> {
    sorted.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > count).map(|run| run[0].0).collect()
}

/// The entries of `sorted` (sorted by UUID) that hold `uuid`.
pub fn holding<T>(sorted: &[(u128, T)], uuid: u128) -> &[(u128, T)] {
    let start = sorted.partition_point(|(u, _)| *u < uuid);
    let end = start + sorted[start..].partition_point(|(u, _)| *u == uuid);
    &sorted[start..end]
}

/// Every string (keys and values), with JSON escapes resolved and as a reader decodes it.
fn visit<T>(value: &serde_json::Value, spelled: &mut dyn FnMut(&str) -> Spelled<T>, found: &mut Vec<Place<T>>) {
    match value {
        serde_json::Value::String(text) => scan_decoded(text, spelled, found),
        serde_json::Value::Array(items) => items.iter().for_each(|item| visit(item, spelled, found)),
        serde_json::Value::Object(members) => {
            for (key, member) in members {
                scan_decoded(key, spelled, found);
                visit(member, spelled, found);
            }
        }
        _ => {}
    }
}

/// One string (a key or a value), as it stands and as decoded.
fn scan_decoded<T>(text: &str, spelled: &mut dyn FnMut(&str) -> Spelled<T>, found: &mut Vec<Place<T>>) {
    scan(&dashes_to_ascii(text), Whole::String, spelled, found);
    if needs_decoding(text) {
        scan(&dashes_to_ascii(&decoded(text)), Whole::String, spelled, found);
    }
}

/// Percent-decoding (repeated, for double encoding), HTML character references, Markdown
/// backslash escapes, and with tags and invisible characters removed.
fn decoded(text: &str) -> String {
    let mut out = text.to_owned();
    for _ in 0..3 {
        let next = percent_decoded(&out);
        if next == out {
            break;
        }
        out = next;
    }
    let out = character_references(&out);
    let mut clean = String::with_capacity(out.len());
    let mut in_tag = false;
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '\\' if chars.peek().is_some_and(char::is_ascii_punctuation) => {}
            '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' => {}
            c => clean.push(c),
        }
    }
    clean
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b))) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `&#45;`, `&#x2D;` and the named references of dashes, as the characters they stand for.
fn character_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // Byte positions: `;` is ASCII, so slicing at it never splits a character.
        let end = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';');
        let decoded = end.and_then(|end| reference(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn reference(name: &str) -> Option<char> {
    let number = match name.strip_prefix('#') {
        Some(n) if n.starts_with(['x', 'X']) => u32::from_str_radix(&n[1..], 16).ok(),
        Some(n) => n.parse::<u32>().ok(),
        None => match name.to_ascii_lowercase().as_str() {
            "hyphen" | "dash" | "minus" | "hyphenminus" => Some('-' as u32),
            _ => None,
        },
    };
    number.and_then(char::from_u32)
}

/// Dashes a reader takes for a hyphen, as `-`.
fn dashes_to_ascii(text: &str) -> Cow<'_, str> {
    let is_dash = |c: char| matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}');
    if text.is_ascii() || !text.chars().any(is_dash) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if is_dash(c) { '-' } else { c }).collect())
}

/// What a UUID's id must fill to count as one id whole: a JSON string in JSON text, or the
/// text itself when it is one string.
#[derive(Clone, Copy)]
enum Whole {
    Quoted,
    String,
}

/// Finds `8-4-4-4-12` hexadecimal digits (any case) wherever they stand. Every hyphen is a
/// candidate's first; past a UUID, its other hyphens are not (they would need eight hex digits
/// before them, and the UUID's groups are shorter).
fn scan<T>(text: &str, whole: Whole, spelled: &mut dyn FnMut(&str) -> Spelled<T>, found: &mut Vec<Place<T>>) {
    let bytes = text.as_bytes();
    let mut resume = 0;
    for at in memchr::memchr_iter(b'-', bytes) {
        if at < resume {
            continue;
        }
        if let Some(start) = at.checked_sub(8) {
            if let Some(uuid) = bytes.get(start..start + 36).and_then(parse_uuid) {
                let spelling = match whole_id(bytes, start, whole) {
                    Some(id_start) => spelled(&text[id_start..start + 36]),
                    None => Spelled::Otherwise,
                };
                found.push((uuid, spelling));
                resume = start + 36;
            }
        }
    }
}

/// Where the id begins when the UUID at `start` ends an id (`type--uuid`, a lowercase type)
/// that fills what `whole` asks for.
fn whole_id(bytes: &[u8], start: usize, whole: Whole) -> Option<usize> {
    let end = start + 36;
    let type_end = start.checked_sub(2).filter(|&at| &bytes[at..start] == b"--")?;
    let is_type_byte = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let type_start = type_end - bytes[..type_end].iter().rev().take_while(|b| is_type_byte(b)).count();
    if type_start == type_end {
        return None;
    }
    let fills = match whole {
        Whole::Quoted => type_start > 0 && bytes[type_start - 1] == b'"' && bytes.get(end) == Some(&b'"'),
        Whole::String => type_start == 0 && end == bytes.len(),
    };
    fills.then_some(type_start)
}

fn parse_uuid(b: &[u8]) -> Option<u128> {
    if b.len() != 36 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        match i {
            8 | 13 | 18 | 23 if c == b'-' => {}
            8 | 13 | 18 | 23 => return None,
            _ => value = value << 4 | (c as char).to_digit(16)? as u128,
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061";

    #[test]
    fn a_uuid_is_shared_when_two_entries_hold_it() {
        assert_eq!(shared_uuids(&[(1, 'a'), (2, 'b'), (2, 'c'), (2, 'd'), (3, 'e'), (4, 'f'), (4, 'g')]), [2, 4]);
        assert_eq!(shared_uuids::<u32>(&[(1, 0), (2, 0)]), Vec::<u128>::new());
        assert_eq!(shared_uuids::<u32>(&[]), Vec::<u128>::new());
    }

    fn named(raw: &str) -> bool {
        named_uuids(raw, "note--00000000-0000-4000-8000-000000000000")
            .contains(&uuid_number(&format!("malware--{UUID}")).unwrap())
    }

    #[test]
    fn every_spelling_a_reader_recognises_is_found() {
        let upper = UUID.to_uppercase();
        let escaped = UUID.replace('-', "\\u002d");
        let percent = UUID.replace('-', "%2D");
        let double = UUID.replace('-', "%252d");
        let entity = UUID.replace('-', "&#45;");
        let markdown = UUID.replace('-', "\\\\-");
        let tagged = format!("{}<b></b>{}", &UUID[..4], &UUID[4..]);
        let invisible = format!("{}\\u200b{}", &UUID[..4], &UUID[4..]);
        let dash = UUID.replace('-', "\u{2011}");
        for text in [
            format!("malware--{UUID}"),
            format!("MALWARE--{upper}"),
            format!("indicator\\u002d\\u002d{escaped}"),
            UUID.to_owned(),
            format!("malware%2D%2D{percent}"),
            double,
            entity,
            markdown,
            tagged,
            invisible,
            dash,
        ] {
            let raw = format!(r#"{{"type":"note","description":"see {text} now"}}"#);
            assert!(named(&raw), "not found in {raw}");
        }
        assert!(named(&format!(r#"{{"extensions":{{"x--{UUID}":{{}}}}}}"#)));
        assert!(!named(r#"{"description":"&ééééééééé; &#99999999; & ;"}"#));
    }

    #[test]
    fn other_text_names_nothing() {
        assert!(!named(r#"{"description":"a hash 0c7b5b888ff74a4daa9dfeb398cd0061 and 2020-01-01"}"#));
        assert!(uuids_in_json("{not json").is_empty());
    }

    #[test]
    fn an_id_a_string_holds_whole_is_told_from_its_uuid_named_any_other_way() {
        let whole = |raw: &str| -> Vec<(u128, Option<String>)> {
            let own = "note--00000000-0000-4000-8000-000000000000";
            names(raw, own, |id| Some(id.to_owned())).into_iter().map(|n| (n.uuid, n.only_as)).collect()
        };
        let uuid = uuid_number(&format!("x--{UUID}")).unwrap();
        let id = format!("identity--{UUID}");
        // As references are written, in a key, and read again after decoding.
        for raw in [
            format!(r#"{{"created_by_ref":"{id}","object_refs":["{id}"]}}"#),
            format!(r#"{{"extensions":{{"{id}":{{}}}}}}"#),
            format!(r#"{{"created_by_ref":"{id}","description":"&amp;"}}"#),
        ] {
            assert_eq!(whole(&raw), [(uuid, Some(id.clone()))], "{raw}");
        }
        // Anywhere else, or as two ids, the UUID alone is what is named.
        for raw in [
            format!(r#"{{"created_by_ref":"{id}","description":"by {id}"}}"#),
            format!(r#"{{"created_by_ref":"{id}","description":"{UUID}"}}"#),
            format!(r#"{{"created_by_ref":"{id}","x_ref":"x-other--{UUID}"}}"#),
            format!(r#"{{"created_by_ref":"identity\u002d\u002d{UUID}"}}"#),
            format!(r#"{{"created_by_ref":"IDENTITY--{UUID}"}}"#),
            format!(r#"{{"created_by_ref":"--{UUID}"}}"#),
        ] {
            assert_eq!(whole(&raw), [(uuid, None)], "{raw}");
        }
        // The object's own id, once, is not a place naming its UUID; again, it is.
        let own = format!("x-own--{UUID}");
        let again = format!(r#"{{"id":"{own}","created_by_ref":"{id}"}}"#);
        assert_eq!(names(&again, &own, |id| Some(id.to_owned()))[0].only_as, Some(id.clone()));
        let twice = format!(r#"{{"id":"{own}","x_self_ref":"{own}","created_by_ref":"{id}"}}"#);
        assert_eq!(names(&twice, &own, |id| Some(id.to_owned()))[0].only_as, None);
        // What the caller makes of an id is what counts: none, and it is named otherwise.
        let raw = format!(r#"{{"created_by_ref":"{id}"}}"#);
        assert_eq!(names(&raw, "note--1", |_| None::<()>), [Named { uuid, only_as: None }]);
    }

    #[test]
    fn an_objects_own_uuid_counts_only_when_it_appears_again() {
        let own = format!("tool--{UUID}");
        let alone = format!(r#"{{"id":"{own}","name":"T"}}"#);
        assert!(named_uuids(&alone, &own).is_empty());
        let again = format!(r#"{{"id":"{own}","description":"like malware--{UUID}"}}"#);
        assert_eq!(named_uuids(&again, &own), [uuid_number(&own).unwrap()]);
    }
}
