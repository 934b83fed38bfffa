//! One entry of the load cache: the fields of a file's objects (their JSON left in the file,
//! named by offset and length) and its diagnostics, in a small binary layout with a checksum.
//! Reading an entry checks every length against what is left, so a damaged one is `None`.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use super::super::{kept_json, KeepJson, LoadedFile, Source};
use crate::bytes::ByteReader as In;
use crate::diag::{Diagnostic, Location, Severity};
use crate::stix::object::{property_name, type_name};
use crate::stix::{Reference, SpecVersion, StixObject};

/// Begins every entry; a program that lays entries out differently names another.
const MAGIC: &[u8] = b"stixpress load cache entry 3\n";
/// Bytes of BLAKE3 at the end, over everything before.
const CHECKSUM: usize = 16;

/// The entry of what parsing `source` yielded, checked at `threshold` (see `holds_at`); `None`
/// when something in it is not the file's own (an object's JSON not at its offset, a
/// diagnostic about another file), which is then not kept.
pub(super) fn encode(loaded: &LoadedFile, source: &Source, threshold: i64, latest: i64) -> Option<Vec<u8>> {
    let mut out = Out(Vec::with_capacity(64 + loaded.objects.len() * 256));
    out.0.extend_from_slice(MAGIC);
    out.i64(threshold);
    out.i64(latest);
    out.len(loaded.objects.len());
    for object in &loaded.objects {
        put_object(&mut out, object, source)?;
    }
    out.len(loaded.diagnostics.len());
    for diagnostic in &loaded.diagnostics {
        put_diagnostic(&mut out, diagnostic, source)?;
    }
    let checksum = blake3::hash(&out.0);
    out.0.extend_from_slice(&checksum.as_bytes()[..CHECKSUM]);
    Some(out.0)
}

/// What the entry `bytes` says `source` yields when checked at `threshold`; `None` when it is
/// damaged, laid out by another program, or was checked at a time that judges the file
/// otherwise.
pub(super) fn decode(bytes: &[u8], source: &Source, threshold: i64, json: KeepJson) -> Option<LoadedFile> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(CHECKSUM)?)?;
    if blake3::hash(body).as_bytes()[..CHECKSUM] != *checksum {
        return None;
    }
    let mut input = In::new(body);
    if input.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let (checked_at, latest) = (input.i64()?, input.i64()?);
    if !holds_at(checked_at, latest, threshold) {
        return None;
    }
    let objects = (0..input.len()?).map(|_| take_object(&mut input, source, json)).collect::<Option<Vec<_>>>()?;
    let diagnostics = (0..input.len()?).map(|_| take_diagnostic(&mut input, source)).collect::<Option<Vec<_>>>()?;
    (input.left() == 0).then_some(LoadedFile { objects, diagnostics })
}

/// Whether what the checks found at build time `then` (plus tolerance) holds at `now`: the
/// only finding that depends on it is a record time after it, so it holds when no record time
/// of the file (`latest`) is after either.
fn holds_at(then: i64, latest: i64, now: i64) -> bool {
    then == now || latest <= then.min(now)
}

fn put_object(out: &mut Out, object: &StixObject, source: &Source) -> Option<()> {
    let end = object.offset.checked_add(object.raw.len())?;
    if *object.file != *source.path || source.text.get(object.offset..end) != Some(&*object.raw) {
        return None;
    }
    out.str(&object.id);
    out.str(&object.object_type);
    out.u8(match object.spec_version {
        SpecVersion::V20 => 0,
        SpecVersion::V21 => 1,
    });
    for text in [&object.created, &object.modified, &object.name, &object.label, &object.relationship_type] {
        out.optional(text.as_deref());
    }
    out.len(object.aliases.len());
    object.aliases.iter().for_each(|alias| out.str(alias));
    out.len(object.external_ids.len());
    for (source_name, id) in &object.external_ids {
        out.str(source_name);
        out.str(id);
    }
    out.u8(u8::from(object.revoked) | u8::from(object.deprecated) << 1 | u8::from(object.invalid) << 2);
    out.len(object.refs.len());
    for reference in &object.refs {
        out.str(&reference.property);
        // An index one more than it is; none is 0.
        out.len(reference.index.map_or(0, |i| i as usize + 1));
        out.str(&reference.target);
    }
    out.bytes(&object.content_hash);
    out.len(object.offset);
    out.len(object.raw.len());
    out.len(object.named.len());
    object.named.iter().for_each(|uuid| out.0.extend_from_slice(&uuid.to_le_bytes()));
    out.len(object.referenced_only as usize);
    out.str(&object.pointer());
    Some(())
}

fn take_object(input: &mut In, source: &Source, json: KeepJson) -> Option<StixObject> {
    let id = input.str()?.to_owned();
    let object_type = type_name(input.str()?.to_owned());
    let spec_version = match input.u8()? {
        0 => SpecVersion::V20,
        1 => SpecVersion::V21,
        _ => return None,
    };
    let mut text = || input.optional().map(|t| t.map(str::to_owned));
    let (created, modified, name, label, relationship_type) = (text()?, text()?, text()?, text()?, text()?);
    let aliases = (0..input.len()?).map(|_| input.str().map(str::to_owned)).collect::<Option<Box<[_]>>>()?;
    let external_ids = (0..input.len()?)
        .map(|_| Some((input.str()?.to_owned(), input.str()?.to_owned())))
        .collect::<Option<Box<[_]>>>()?;
    let flags = input.u8()?;
    let refs = (0..input.len()?).map(|_| take_reference(input)).collect::<Option<Box<[_]>>>()?;
    let content_hash = input.take(16)?.try_into().ok()?;
    let (offset, length) = (input.number()?, input.number()?);
    let raw = kept_json(&object_type, source.text.get(offset..offset.checked_add(length)?)?, &refs, json).into();
    let named = (0..input.len()?).map(|_| input.u128()).collect::<Option<Box<[_]>>>()?;
    let referenced_only = u32::try_from(input.number()?).ok().filter(|&n| n as usize <= named.len())?;
    let member = match input.str()? {
        "" => None,
        pointer => Some(pointer.strip_prefix("/objects/")?.parse().ok()?),
    };
    Some(StixObject {
        id,
        object_type,
        spec_version,
        created,
        modified,
        name,
        label,
        aliases,
        external_ids,
        revoked: flags & 1 != 0,
        deprecated: flags & 2 != 0,
        relationship_type,
        refs,
        content_hash,
        raw,
        named,
        referenced_only,
        invalid: flags & 4 != 0,
        file: source.path.clone(),
        offset,
        member,
    })
}

fn take_reference(input: &mut In) -> Option<Reference> {
    let property = property_name(input.str()?);
    let index = match input.number()? {
        0 => None,
        index => Some(u32::try_from(index - 1).ok()?),
    };
    Some(Reference { property, index, target: input.str()?.to_owned() })
}

fn put_diagnostic(out: &mut Out, diagnostic: &Diagnostic, source: &Source) -> Option<()> {
    let Location { file, line, column } = &diagnostic.location;
    // Only the file's own diagnostics are kept with it.
    let in_file = match file.as_os_str().is_empty() {
        true => 0,
        false if **file == *source.path => 1,
        false => return None,
    };
    out.u8(in_file);
    out.u8(match diagnostic.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    });
    out.str(diagnostic.code);
    out.str(&diagnostic.message);
    for place in [line, column] {
        out.len(place.map_or(0, |n| n.saturating_add(1)));
    }
    for text in [&diagnostic.object_id, &diagnostic.pointer, &diagnostic.help] {
        out.optional(text.as_deref());
    }
    Some(())
}

fn take_diagnostic(input: &mut In, source: &Source) -> Option<Diagnostic> {
    let file = match input.u8()? {
        0 => std::path::PathBuf::new(),
        1 => source.path.to_path_buf(),
        _ => return None,
    };
    let severity = match input.u8()? {
        0 => Severity::Error,
        1 => Severity::Warning,
        _ => return None,
    };
    let code = interned(input.str()?)?;
    let mut diagnostic = Diagnostic::new(severity, code, input.str()?);
    let mut place = || match input.number()? {
        0 => Some(None),
        n => Some(Some(n - 1)),
    };
    diagnostic.location = Location { file, line: place()?, column: place()? };
    let mut text = || input.optional().map(|t| t.map(str::to_owned));
    (diagnostic.object_id, diagnostic.pointer, diagnostic.help) = (text()?, text()?, text()?);
    Some(diagnostic)
}

/// A diagnostic's code, which the program holds as a `&'static str`: each code read from the
/// cache is kept once for the run. Codes are short kebab-case names; anything else is not one.
fn interned(code: &str) -> Option<&'static str> {
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let well_formed = !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !well_formed {
        return None;
    }
    let mut codes = CODES.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = codes.get(code) {
        return Some(known);
    }
    let kept: &'static str = Box::leak(code.to_owned().into_boxed_str());
    codes.insert(kept);
    Some(kept)
}

/// An entry being written: little-endian numbers, texts as length and bytes.
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn i64(&mut self, value: i64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    /// A length, count or offset: seven bits a byte, most significant last (LEB128), so the
    /// many short texts of an entry take a byte of length, not eight.
    fn len(&mut self, value: usize) {
        let mut value = value as u64;
        while value >= 0x80 {
            self.0.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn str(&mut self, text: &str) {
        self.len(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    fn optional(&mut self, text: Option<&str>) {
        match text {
            None => self.u8(0),
            Some(text) => {
                self.u8(1);
                self.str(text);
            }
        }
    }
}

/// What an entry is read as, beyond `ByteReader`'s numbers: numbers of `Out::len`, texts and
/// optional texts.
trait EntryReads<'a> {
    fn number(&mut self) -> Option<usize>;
    fn len(&mut self) -> Option<usize>;
    fn str(&mut self) -> Option<&'a str>;
    fn optional(&mut self) -> Option<Option<&'a str>>;
}

impl<'a> EntryReads<'a> for In<'a> {
    /// A number written by `Out::len`.
    fn number(&mut self) -> Option<usize> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return usize::try_from(value).ok();
            }
        }
        None
    }

    /// A length or count: never more than the bytes left, so a damaged entry cannot make a
    /// reader reserve more than the entry's size.
    fn len(&mut self) -> Option<usize> {
        self.number().filter(|&n| n <= self.left())
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        self.utf8(n)
    }

    fn optional(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.str().map(Some),
            _ => None,
        }
    }
}
