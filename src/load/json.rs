//! JSON parsing tuned for hostile input: duplicate keys are an error instead of "last one
//! wins" (two readers of the same file must not see two different objects), nesting is capped
//! by serde_json's recursion limit, and a top-level document keeps the raw text of its members
//! so objects can be located and published exactly as contributed.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::Write;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

/// The scalar `visit_*` methods of a visitor that only cares which kind of scalar it met:
/// each returns `$make(kind)` with the kind named for a message.
macro_rules! scalars_are {
    ($make:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($make("a boolean"))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($make("a number"))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($make("a number"))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($make("a number"))
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($make("a string"))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($make("null"))
        }
    };
}

/// A `serde_json::Value` that refuses duplicate keys.
pub(crate) struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search of the members per key, not one to look and one to insert: key
            // comparisons were a tenth of loading.
            match members.entry(key) {
                serde_json::map::Entry::Occupied(taken) => {
                    return Err(de::Error::custom(format!("duplicate property \"{}\"", taken.key())));
                }
                serde_json::map::Entry::Vacant(free) => {
                    let StrictValue(value) = map.next_value()?;
                    free.insert(value);
                }
            }
        }
        Ok(Value::Object(members))
    }
}

/// Parses one value strictly.
pub(crate) fn parse_strict(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<StrictValue>(text).map(|v| v.0)
}

/// The top level of a file: an object's members with their raw text, or the kind of the
/// non-object value found instead. A member named `objects` is split into its elements in the
/// same pass (one scan of the file instead of two).
pub(crate) enum TopLevel<'a> {
    Object(Vec<(String, Member<'a>)>),
    Other(&'static str),
}

pub(crate) enum Member<'a> {
    Raw(&'a RawValue),
    /// The elements of an `objects` array.
    Elements(Vec<&'a RawValue>),
    /// An `objects` member that is not an array.
    NotArray,
}

impl<'de: 'a, 'a> Deserialize<'de> for Member<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ElementsVisitor(std::marker::PhantomData))
    }
}

struct ElementsVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ElementsVisitor<'a> {
    type Value = Member<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }
    scalars_are!(|_kind| Member::NotArray);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(Member::NotArray)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(raw) = seq.next_element::<&'a RawValue>()? {
            elements.push(raw);
        }
        Ok(Member::Elements(elements))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for TopLevel<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor(std::marker::PhantomData))
    }
}

struct TopLevelVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TopLevelVisitor<'a> {
    type Value = TopLevel<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }
    scalars_are!(TopLevel::Other);
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members: Vec<(String, Member<'a>)> = Vec::new();
        // The keys so far, hashed: a contributed file may hold any number of them (SipHash, which
        // its keys cannot make collide). The refusal stays at the repeat, where its position is.
        let mut keys: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate property \"{key}\"")));
            }
            let member = if key == "objects" { map.next_value()? } else { Member::Raw(map.next_value()?) };
            members.push((key, member));
        }
        Ok(TopLevel::Object(members))
    }
}

/// A digest of an object's content that ignores key order and formatting, and its top-level
/// `spec_version`: the same version of an object written as STIX 2.0 and as STIX 2.1 (as
/// MITRE publishes CAPEC) is one version, not a conflict.
///
/// BLAKE3, 128 bits kept. Contributors write the content, and two copies that digest alike
/// pass for one: no conflict is reported, `diff` calls the object unchanged, `import` takes a
/// publisher's changed version for the one the repository holds. A fast hash would let a pull
/// request make a changed copy of a published version hash like it; this one cannot be made to.
pub(crate) fn content_hash(value: &Value) -> ContentDigest {
    thread_local! {
        static CANONICAL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CANONICAL.with_borrow_mut(|bytes| {
        bytes.clear();
        match value {
            Value::Object(members) => {
                // Its own tag: a top level that is not an object is encoded as any value is.
                bytes.push(6);
                for (key, item) in members.iter().filter(|(k, _)| *k != "spec_version") {
                    encode_text(key, bytes);
                    encode(item, bytes);
                }
            }
            other => encode(other, bytes),
        }
        let digest = crate::digest::of(bytes);
        // A thread that once held a huge object does not keep its buffer.
        if bytes.capacity() > 1 << 20 {
            *bytes = Vec::new();
        }
        digest
    })
}

/// What [`content_hash`] makes.
pub(crate) type ContentDigest = [u8; 16];

/// Valid JSON without the whitespace between tokens (strings are kept byte for byte): the
/// form every STIX output publishes, and the one objects are held in while publishing. Borrowed
/// when `json` has no such whitespace.
pub(crate) fn compact(json: &str) -> Cow<'_, str> {
    thread_local! {
        /// Where the kept runs are gathered, reused: gathered in a new buffer as long as the
        /// input, each object's JSON cost a fresh allocation (and its pages' first touch), then
        /// another as the buffer was cut to its length.
        static GATHERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    /// A buffer larger than this is not kept once used (one huge object would hold its size
    /// on every loading thread).
    const KEPT_CAPACITY: usize = 1 << 20;
    let bytes = json.as_bytes();
    GATHERED.with_borrow_mut(|out| {
        out.clear();
        // `run` is where the bytes not yet copied start; `i` walks the tokens.
        let (mut run, mut i) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'"' => i = string_end(bytes, i + 1),
                b if is_json_space(b) => {
                    // Whitespace between tokens: copy the run before it and skip all of it at
                    // once (an indented file has a dozen spaces after each line's end).
                    out.extend_from_slice(&bytes[run..i]);
                    i += bytes[i..].iter().take_while(|&&b| is_json_space(b)).count();
                    run = i;
                }
                _ => i += 1,
            }
        }
        if run == 0 {
            return Cow::Borrowed(json);
        }
        out.extend_from_slice(&bytes[run..]);
        // Only ASCII whitespace was left out, between tokens: still UTF-8. Copied out at its
        // length, which the holder keeps as it is.
        let compacted = std::str::from_utf8(out).map_or(Cow::Borrowed(json), |text| Cow::Owned(text.to_owned()));
        if out.capacity() > KEPT_CAPACITY {
            *out = Vec::new();
        }
        compacted
    })
}

/// The whitespace JSON allows between tokens (RFC 8259): not form feed, which
/// `u8::is_ascii_whitespace` counts.
fn is_json_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\r' | b'\t')
}

/// Where the string whose content starts at `from` ends (just past its closing quote, or the
/// end of `bytes`): strings are most of STIX's bytes, so they are crossed a quote or
/// backslash at a time, not a byte at a time.
fn string_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(at) = memchr::memchr2(b'"', b'\\', &bytes[from.min(bytes.len())..]) {
        let found = from + at;
        if bytes[found] == b'"' {
            return found + 1;
        }
        // A backslash escapes the byte after it (a quote, another backslash, `u`, …).
        from = found + 2;
    }
    bytes.len()
}

/// Writes `value` so that no two values write the same bytes: each value starts with its kind,
/// and each text and list with its length.
fn encode(value: &Value, bytes: &mut Vec<u8>) {
    match value {
        Value::Null => bytes.push(0),
        Value::Bool(b) => bytes.extend_from_slice(&[1, u8::from(*b)]),
        Value::Number(n) => {
            bytes.push(2);
            // As serde_json writes it: `1` and `1.0` differ, as they did when written.
            let mut text = std::io::Cursor::new([0u8; 40]);
            match write!(text, "{n}") {
                Ok(()) => encode_bytes(&text.get_ref()[..text.position() as usize], bytes),
                Err(_) => encode_bytes(n.to_string().as_bytes(), bytes),
            }
        }
        Value::String(s) => {
            bytes.push(3);
            encode_text(s, bytes);
        }
        Value::Array(items) => {
            bytes.push(4);
            encode_len(items.len(), bytes);
            items.iter().for_each(|item| encode(item, bytes));
        }
        Value::Object(members) => {
            // serde_json's Map is a BTreeMap here (no preserve_order), so iteration is sorted.
            bytes.push(5);
            encode_len(members.len(), bytes);
            for (key, item) in members {
                encode_text(key, bytes);
                encode(item, bytes);
            }
        }
    }
}

fn encode_text(text: &str, bytes: &mut Vec<u8>) {
    encode_bytes(text.as_bytes(), bytes);
}

fn encode_bytes(text: &[u8], bytes: &mut Vec<u8>) {
    encode_len(text.len(), bytes);
    bytes.extend_from_slice(text);
}

/// A length, seven bits a byte, least significant first (LEB128): one byte for most.
fn encode_len(len: usize, bytes: &mut Vec<u8>) {
    let mut left = len as u64;
    while left >= 0x80 {
        bytes.push(left as u8 | 0x80);
        left >>= 7;
    }
    bytes.push(left as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings_and_drops_the_rest() {
        let raw = "{\n  \"name\": \"a  b\\\" } \",\n  \"list\": [ 1, 2 ],\t\"é\" : \"\\\\\"\n}";
        assert_eq!(compact(raw), "{\"name\":\"a  b\\\" } \",\"list\":[1,2],\"é\":\"\\\\\"}");
        let value: serde_json::Value = serde_json::from_str(&compact(raw)).unwrap();
        assert_eq!(value["name"], "a  b\" } ");
        assert!(matches!(compact("{\"a\":\"b c\"}"), Cow::Borrowed(_)), "nothing to leave out");
        assert_eq!(value["é"], "\\");
        // Escapes at the ends of strings, and a string the text ends in.
        assert_eq!(compact("[ \"\\\\\" , \"\\\"\" ]"), "[\"\\\\\",\"\\\"\"]");
        assert_eq!(compact("[ \"a \\"), "[\"a \\");
    }

    #[test]
    fn compacting_a_huge_object_leaves_nothing_of_it_for_the_next() {
        let huge = format!("[ \"{}\" ]", "x".repeat(3 << 20));
        assert_eq!(compact(&huge).len(), huge.len() - 2);
        assert_eq!(compact("[ 1 ]"), "[1]");
        assert_eq!(compact("{ \"a\" : [ ] }"), "{\"a\":[]}");
    }

    #[test]
    fn duplicate_keys_are_refused_with_a_position() {
        let err = parse_strict("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(err.to_string().contains("duplicate property \"a\""));
        assert_eq!(err.line(), 2);
    }

    #[test]
    fn a_top_level_key_given_twice_is_refused_where_it_repeats() {
        let text = "{\"type\": \"bundle\",\n \"x_a\": 1,\n \"objects\": [],\n \"x_a\": 2}";
        let err = serde_json::from_str::<TopLevel>(text).err().expect("a repeated key");
        assert!(err.to_string().contains("duplicate property \"x_a\""), "{err}");
        assert_eq!(err.line(), 4);
        let Ok(TopLevel::Object(members)) = serde_json::from_str::<TopLevel>("{\"b\": 1, \"objects\": [2], \"a\": 3}")
        else {
            panic!("an object")
        };
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "objects", "a"], "in the file's order");
    }

    #[test]
    fn a_hundred_thousand_top_level_keys_are_read_at_once() {
        // Each key compared with every one before it, this took seconds.
        let members: Vec<String> = (0..100_000).map(|i| format!("\"x_{i}\":{i}")).collect();
        let text = format!("{{{}}}", members.join(","));
        let Ok(TopLevel::Object(read)) = serde_json::from_str::<TopLevel>(&text) else { panic!("an object") };
        assert_eq!(read.len(), 100_000);
        let repeated = format!("{{{},\"x_99999\":0}}", members.join(","));
        let err = serde_json::from_str::<TopLevel>(&repeated).err().expect("a repeated key");
        assert!(err.to_string().contains("duplicate property \"x_99999\""), "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse_strict(&deep).is_err());
        let text = format!("{{\"objects\": {deep}}}");
        // Skipping over raw values is iterative in serde_json: deep input must not overflow.
        let top: Result<TopLevel, _> = serde_json::from_str(&text);
        assert!(top.is_ok());
    }

    #[test]
    fn key_order_and_spacing_do_not_change_the_hash() {
        let a = parse_strict("{\"a\":1,\"b\":[true,null]}").unwrap();
        let b = parse_strict("{ \"b\" : [ true , null ] , \"a\" : 1 }").unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn contents_that_write_alike_side_by_side_digest_apart() {
        let digest = |text: &str| content_hash(&parse_strict(text).unwrap());
        let pairs = [
            ("{\"a\":\"bc\"}", "{\"ab\":\"c\"}"),
            ("{\"a\":[\"b\",\"c\"]}", "{\"a\":[\"bc\"]}"),
            ("{\"a\":1}", "{\"a\":\"1\"}"),
            ("{\"a\":1}", "{\"a\":1.0}"),
            ("{\"a\":[]}", "{\"a\":{}}"),
            ("{\"a\":{\"spec_version\":\"2.1\"}}", "{\"a\":{}}"),
            ("[\"a\"]", "{\"a\":null}"),
        ];
        for (a, b) in pairs {
            assert_ne!(digest(a), digest(b), "{a} and {b}");
        }
        assert_eq!(digest("{\"spec_version\":\"2.1\",\"a\":1}"), digest("{\"a\":1}"), "2.0 and 2.1 copies");
    }
}
