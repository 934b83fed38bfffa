//! PDF reports as text for the text importer: one page after another, separated by a form-feed
//! line, so a diagnostic's line number still points somewhere a reader can find.
//!
//! PDFs are hostile input, and the extractor (pdf-extract over lopdf) panics on many malformed
//! files, follows page parents and forms recursively without a limit, parses images as drawing
//! instructions and inflates streams without a bound. So before it runs, the compressed streams
//! are measured, images emptied, looping page trees and forms refused; and it runs on a thread of
//! its own, under `catch_unwind`, with a time limit. A stack overflow aborts the whole process,
//! which is why loops are refused up front rather than caught.

use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use memchr::memmem;
use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

const MAX_PDF_BYTES: usize = 64 << 20;
const MAX_TEXT_BYTES: usize = 16 << 20;
/// What the compressed streams other than images may inflate to, all together.
const MAX_INFLATED_BYTES: u64 = 512 << 20;
const TIME_LIMIT: Duration = Duration::from_secs(30);
/// Room for the extractor's honest recursion (nested forms, fonts) well past the default 2 MiB.
const READER_STACK_BYTES: usize = 64 << 20;
const READER_THREAD: &str = "stixpress-pdf-reader";
const MAX_PARENTS: usize = 256;
const MAX_FORM_DEPTH: usize = 32;
const MAX_FORMS_PER_PAGE: usize = 10_000;
const PAGE_BREAK: &str = "\n\x0c\n";
/// US Letter, for pages that name no size: the extractor needs one and text does not care.
const DEFAULT_MEDIA_BOX: [i64; 4] = [0, 0, 612, 792];

const UNREADABLE: &str = "damaged PDF: the extractor could not read it";
const NO_TEXT: &str = "no text layer: scanned pages need OCR";

/// Whether these bytes are a PDF: `%PDF-` after optional leading whitespace.
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"%PDF-")
}

/// The text of a PDF, pages separated by a form-feed line, or what makes it unreadable.
pub(crate) fn text_of(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(format!("PDF too large: {} MiB, the limit is {} MiB", bytes.len() >> 20, MAX_PDF_BYTES >> 20));
    }
    silence_reader_panics();
    let bytes = bytes.to_vec();
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name(READER_THREAD.into())
        .stack_size(READER_STACK_BYTES)
        .spawn(move || {
            let _ = sender.send(panic::catch_unwind(|| extract(&bytes)));
        })
        .map_err(|e| format!("could not start reading the PDF: {e}"))?;
    // On a time-out the thread is left to finish (or spin) on its own: Rust cannot stop it.
    match receiver.recv_timeout(TIME_LIMIT) {
        Ok(Ok(result)) => result,
        Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => Err(UNREADABLE.into()),
        Err(RecvTimeoutError::Timeout) => {
            Err(format!("damaged PDF: reading it took longer than {} s", TIME_LIMIT.as_secs()))
        }
    }
}

/// The default hook would print every extractor panic to stderr; they become errors instead.
/// The hook is global, so it keeps the previous one for every other thread.
fn silence_reader_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(READER_THREAD) {
                previous(info);
            }
        }));
    });
}

fn extract(bytes: &[u8]) -> Result<String, String> {
    check_inflated_size(bytes)?;
    let mut document = Document::load_mem(bytes).map_err(|e| format!("damaged PDF: {e}"))?;
    // lopdf has already tried the empty password, which opens most "protected" reports, and
    // drops /Encrypt from the trailer when it does.
    if document.trailer.has(b"Encrypt") {
        return Err("encrypted PDF: it needs a password".into());
    }
    empty_images(&mut document);
    let pages = document.get_pages();
    if pages.is_empty() {
        return Err("damaged PDF: it has no pages".into());
    }
    let mut text = String::new();
    for (&number, &page) in &pages {
        if number > 1 {
            text.push_str(PAGE_BREAK);
        }
        check_parents(&mut document, number, page)?;
        text.push_str(&page_text(&document, number, page)?);
        if text.len() > MAX_TEXT_BYTES {
            return Err(format!("PDF text too large: over {} MiB", MAX_TEXT_BYTES >> 20));
        }
    }
    if text.trim().is_empty() {
        return Err(NO_TEXT.into());
    }
    Ok(text)
}

fn page_text(document: &Document, number: u32, page: ObjectId) -> Result<String, String> {
    let content = document.get_page_content(page).unwrap_or_default();
    check_forms(document, &content, page_resources(document, page), &mut FormWalk::default())
        .map_err(|problem| format!("damaged PDF: page {number}: {problem}"))?;
    let mut text = String::new();
    let read = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut output = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc_page(document, &mut output, number)
    }));
    match read {
        Ok(Ok(())) => Ok(text.trim_matches('\n').to_owned()),
        Ok(Err(e)) => Err(format!("damaged PDF: page {number}: {e}")),
        Err(_) => Err(format!("damaged PDF: the extractor could not read page {number}")),
    }
}

/// Measures what the compressed streams would inflate to before lopdf inflates any: it has no
/// limit, and it inflates object streams while loading. A few kilobytes can become gigabytes.
/// Images are skipped (they are emptied before extraction), as are streams that are not zlib.
fn check_inflated_size(bytes: &[u8]) -> Result<(), String> {
    let mut total = 0u64;
    for keyword in memmem::find_iter(bytes, b"stream") {
        if bytes[..keyword].ends_with(b"end") || is_image_stream(&bytes[..keyword]) {
            continue;
        }
        let mut start = keyword + b"stream".len();
        start += usize::from(bytes.get(start) == Some(&b'\r'));
        start += usize::from(bytes.get(start) == Some(&b'\n'));
        total += inflated_size(&bytes[start..], MAX_INFLATED_BYTES - total + 1);
        if total > MAX_INFLATED_BYTES {
            return Err(format!("damaged PDF: its streams inflate to over {} MiB", MAX_INFLATED_BYTES >> 20));
        }
    }
    Ok(())
}

/// Whether the dictionary just before a `stream` keyword says `/Subtype /Image`.
fn is_image_stream(before: &[u8]) -> bool {
    let window = &before[before.len().saturating_sub(4096)..];
    let dictionary = memmem::rfind(window, b"obj").map_or(window, |at| &window[at..]);
    memmem::find_iter(dictionary, b"/Subtype")
        .any(|at| dictionary[at + b"/Subtype".len()..].trim_ascii_start().starts_with(b"/Image"))
}

/// Bytes that zlib (or, as lopdf falls back to, raw deflate past the header) yields, up to `limit`.
fn inflated_size(data: &[u8], limit: u64) -> u64 {
    let zlib = count_bytes(flate2::read::ZlibDecoder::new(data).take(limit));
    if zlib > 0 || data.len() <= 2 {
        return zlib;
    }
    count_bytes(flate2::read::DeflateDecoder::new(&data[2..]).take(limit))
}

/// Bytes read until the end or an error: lopdf keeps what it inflated before an error.
fn count_bytes(mut reader: impl Read) -> u64 {
    let mut buffer = [0u8; 64 * 1024];
    let mut count = 0;
    while let Ok(read @ 1..) = reader.read(&mut buffer) {
        count += read as u64;
    }
    count
}

/// Images carry no text, and the extractor would parse their samples as drawing instructions
/// (pdf-extract issue #153, a panic). Emptying them also spares inflating them.
fn empty_images(document: &mut Document) {
    for object in document.objects.values_mut() {
        if let Object::Stream(stream) = object {
            if stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|name| name == b"Image") {
                stream.dict.remove(b"Filter");
                stream.dict.remove(b"DecodeParms");
                stream.set_content(Vec::new());
            }
        }
    }
}

/// Refuses a page whose parents loop (the extractor would look up its inherited entries until
/// the stack overflows) and gives a page that inherits no MediaBox a default one (without one
/// the extractor panics, and text does not depend on it).
fn check_parents(document: &mut Document, number: u32, page: ObjectId) -> Result<(), String> {
    let mut seen = vec![page];
    let mut has_media_box = false;
    while let Ok(node) = document.get_dictionary(seen[seen.len() - 1]) {
        has_media_box |= node.has(b"MediaBox");
        let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) else { break };
        if seen.contains(&parent) || seen.len() > MAX_PARENTS {
            return Err(format!("damaged PDF: page {number}'s parents loop"));
        }
        seen.push(parent);
    }
    if !has_media_box {
        if let Ok(dictionary) = document.get_dictionary_mut(page) {
            dictionary.set("MediaBox", DEFAULT_MEDIA_BOX.map(Object::Integer).to_vec());
        }
    }
    Ok(())
}

/// The resources a page inherits, found as the extractor finds them.
fn page_resources(document: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut node = document.get_dictionary(page).ok()?;
    for _ in 0..=MAX_PARENTS {
        if let Ok(resources) = node.get(b"Resources") {
            return dictionary_at(document, resources);
        }
        node = document.get_dictionary(node.get(b"Parent").and_then(Object::as_reference).ok()?).ok()?;
    }
    None
}

fn dictionary_at<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    document.dereference(object).ok()?.1.as_dict().ok()
}

/// The forms being drawn, outermost first, and how many were drawn on the page so far.
#[derive(Default)]
struct FormWalk {
    path: Vec<ObjectId>,
    drawn: usize,
}

/// Refuses forms that draw themselves, nest too deep or are drawn too often (a few forms that
/// each draw the next twice make billions): the extractor follows every `Do` with no limit.
fn check_forms(
    document: &Document,
    content: &[u8],
    resources: Option<&Dictionary>,
    walk: &mut FormWalk,
) -> Result<(), String> {
    if memmem::find(content, b"Do").is_none() {
        return Ok(());
    }
    // Content the extractor cannot parse either becomes its error, not ours.
    let Ok(content) = Content::decode(content) else { return Ok(()) };
    for operation in content.operations.iter().filter(|operation| operation.operator == "Do") {
        let Some((id, form)) = form_named(document, resources, operation.operands.first()) else { continue };
        if walk.path.contains(&id) {
            return Err("a form draws itself".into());
        }
        walk.drawn += 1;
        if walk.path.len() >= MAX_FORM_DEPTH || walk.drawn > MAX_FORMS_PER_PAGE {
            return Err("forms nest too deep or are drawn too often".into());
        }
        let inner = form.dict.get(b"Resources").ok().and_then(|r| dictionary_at(document, r)).or(resources);
        let inner_content = form.decompressed_content().unwrap_or_else(|_| form.content.clone());
        walk.path.push(id);
        check_forms(document, &inner_content, inner, walk)?;
        walk.path.pop();
    }
    Ok(())
}

/// The stream that `/Name Do` draws, as the extractor looks it up.
fn form_named<'a>(
    document: &'a Document,
    resources: Option<&'a Dictionary>,
    name: Option<&Object>,
) -> Option<(ObjectId, &'a Stream)> {
    let xobjects = dictionary_at(document, resources?.get(b"XObject").ok()?)?;
    let id = xobjects.get(name?.as_name().ok()?).ok()?.as_reference().ok()?;
    Some((id, document.get_object(id).ok()?.as_stream().ok()?))
}

#[cfg(test)]
pub(crate) use sample::sample_pdf;

/// PDFs written byte by byte: the same writer as the end-to-end tests'.
#[cfg(test)]
#[path = "../../tests/common/pdf.rs"]
pub(crate) mod sample;

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::sample::{one_page_with, pdf_of_objects, stream_object};
    use super::*;

    #[test]
    fn reads_the_text_of_a_standard_font_page() {
        let text = text_of(&sample_pdf(&["Quarterly threat report", "second line"], false)).unwrap();
        assert!(text.contains("Quarterly threat report"), "{text:?}");
    }

    #[test]
    fn separates_pages_with_a_form_feed_line() {
        let text = text_of(&sample_pdf(&["first page", "second page"], false)).unwrap();
        assert_eq!(text, "first page\n\x0c\nsecond page");
    }

    #[test]
    fn keeps_each_line_of_a_page_on_its_own_line() {
        let text = text_of(&sample_pdf(&["line one\nline two\nline three"], false)).unwrap();
        assert_eq!(text.lines().collect::<Vec<_>>(), ["line one", "line two", "line three"]);
    }

    #[test]
    fn reads_flate_compressed_content() {
        let text = text_of(&sample_pdf(&["compressed (and escaped) text"], true)).unwrap();
        assert!(text.contains("compressed (and escaped) text"), "{text:?}");
    }

    #[test]
    fn keeps_defanged_indicators_intact() {
        let page = "Loader: hxxps://bad-updates[.]net/a.js\nC2 at 203.0.113[.]9\nTechnique T1059.001";
        let text = text_of(&sample_pdf(&[page], true)).unwrap();
        for value in ["hxxps://bad-updates[.]net/a.js", "203.0.113[.]9", "T1059.001"] {
            assert!(text.contains(value), "{value} missing from {text:?}");
        }
    }

    #[test]
    fn recognises_a_pdf_after_leading_whitespace() {
        assert!(is_pdf(b"\r\n %PDF-1.7\n"));
        assert!(!is_pdf(b"report.pdf: %PDF-1.7"));
        assert!(!is_pdf(b""));
    }

    #[test]
    fn a_page_without_text_needs_ocr() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>";
        assert_eq!(text_of(&one_page_with(page, b"0 0 m 100 100 l S", &[])), Err(NO_TEXT.into()));
    }

    #[test]
    fn an_image_is_not_read_as_drawing_instructions() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                    /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>";
        let content = b"q 100 0 0 100 0 0 cm /Im1 Do Q BT /F1 12 Tf 72 720 Td (caption) Tj ET";
        // Pixels that read as a `w` operator without its operand, which panics the extractor.
        let samples = b" w ".repeat(64 * 64);
        let image = stream_object(
            "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceRGB /BitsPerComponent 8",
            &samples,
            true,
        );
        assert_eq!(text_of(&one_page_with(page, content, &[image])).unwrap(), "caption");
    }

    #[test]
    fn a_page_without_a_media_box_is_read() {
        let page = "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>";
        let text = text_of(&one_page_with(page, b"BT /F1 12 Tf 72 720 Td (boxless) Tj ET", &[])).unwrap();
        assert_eq!(text, "boxless");
    }

    #[test]
    fn a_form_that_draws_itself_is_refused() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                    /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 6 0 R >> >> /Contents 5 0 R >>";
        let form = stream_object("/Type /XObject /Subtype /Form /BBox [0 0 10 10]", b"/Fm1 Do", false);
        let error = text_of(&one_page_with(page, b"/Fm1 Do", &[form])).unwrap_err();
        assert!(error.contains("a form draws itself"), "{error}");
    }

    #[test]
    fn text_inside_a_form_is_read() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                    /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 6 0 R >> >> /Contents 5 0 R >>";
        let form = stream_object(
            "/Type /XObject /Subtype /Form /BBox [0 0 612 792]",
            b"BT /F1 12 Tf 72 720 Td (in a form) Tj ET",
            true,
        );
        assert_eq!(text_of(&one_page_with(page, b"/Fm1 Do", &[form])).unwrap(), "in a form");
    }

    #[test]
    fn a_page_that_is_its_own_parent_is_refused() {
        let page = "<< /Type /Page /Parent 4 0 R /Contents 5 0 R >>";
        let error = text_of(&one_page_with(page, b"BT /F1 12 Tf (x) Tj ET", &[])).unwrap_err();
        assert!(error.contains("parents loop"), "{error}");
    }

    #[test]
    fn hostile_files_are_errors_not_panics() {
        let sample = sample_pdf(&["some text"], false);
        let mut random = b"%PDF-1.7\n".to_vec();
        random.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let mut past_the_end = sample.clone();
        let at = past_the_end.len() - 12;
        past_the_end.splice(at.., b"99999999\n%%EOF\n".iter().copied());
        let mut nested = b"%PDF-1.7\n1 0 obj\n".to_vec();
        nested.extend(std::iter::repeat_n(b'[', 100_000));
        let cases: [(&str, &[u8]); 5] = [
            ("random bytes", &random),
            ("truncated", &sample[..sample.len() / 2]),
            ("xref past the end", &past_the_end),
            ("deeply nested array", &nested),
            ("empty", b""),
        ];
        for (name, bytes) in cases {
            assert!(text_of(bytes).is_err(), "{name} gave text");
        }
    }

    #[test]
    fn a_deeply_nested_array_in_a_content_stream_is_survived() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>";
        let mut content = b"BT /F1 12 Tf 72 720 Td (before) Tj ET ".to_vec();
        content.extend(std::iter::repeat_n(b'[', 100_000));
        // Surviving is the point: whether the text before the array comes out is the extractor's choice.
        let _ = text_of(&one_page_with(page, &content, &[]));
    }

    #[test]
    fn a_compression_bomb_is_refused_before_inflating() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>";
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..600 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
            b"<< >>".to_vec(),
            page.as_bytes().to_vec(),
        ];
        let mut stream = format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", bomb.len()).into_bytes();
        stream.extend_from_slice(&bomb);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
        let error = text_of(&pdf_of_objects(&objects)).unwrap_err();
        assert!(error.contains("inflate to over"), "{error}");
    }

    #[test]
    fn an_encrypted_file_says_so() {
        let mut pdf = sample_pdf(&["secret"], false);
        let trailer = memmem::rfind(&pdf, b"/Root 1 0 R").unwrap();
        let encrypt = b" /Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /O <00> /U <00> /P -4 >> /ID [<00> <00>]";
        pdf.splice(trailer + 11..trailer + 11, encrypt.iter().copied());
        let error = text_of(&pdf).unwrap_err();
        assert!(error.starts_with("encrypted PDF"), "{error}");
    }

    #[test]
    fn a_pdf_source_holds_its_text_and_the_hash_of_its_bytes() {
        let bytes = sample_pdf(&["C2 at 203.0.113[.]9"], true);
        let source = crate::import::Source::new(std::path::Path::new("report"), bytes.clone(), None);
        assert!(source.pdf && source.unreadable.is_none());
        assert_eq!(source.text, "C2 at 203.0.113[.]9");
        assert_eq!(source.sha256, crate::import::sha256_hex(&bytes));
        assert_eq!(crate::import::detect(crate::cli::ImportFormat::Auto, &source), crate::cli::ImportFormat::Text);
    }

    #[test]
    fn an_unreadable_pdf_source_has_no_text_and_says_why() {
        let source = crate::import::Source::new(std::path::Path::new("scan.pdf"), b"%PDF-1.7\ngarbage".to_vec(), None);
        assert!(source.pdf && source.text.is_empty());
        assert!(source.unreadable.is_some_and(|why| why.starts_with("damaged PDF")));
    }

    #[test]
    fn a_file_named_pdf_is_read_as_text_whatever_its_bytes() {
        let source = crate::import::Source::new(std::path::Path::new("iocs.PDF"), b"1.2.3.4\n".to_vec(), None);
        assert!(!source.pdf && source.unreadable.is_none());
        assert_eq!(crate::import::detect(crate::cli::ImportFormat::Auto, &source), crate::cli::ImportFormat::Text);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_unread() {
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(MAX_PDF_BYTES + 1, b' ');
        assert!(text_of(&big).unwrap_err().starts_with("PDF too large"));
    }
}
