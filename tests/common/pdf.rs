//! PDFs written byte by byte, for the PDF reader's unit tests (`src/import/pdf.rs` includes this
//! file) and the end-to-end tests of `stixpress import`.

#![allow(dead_code)]

use std::io::Write;

/// A PDF 1.4 of these pages in Helvetica, one line of text per line of each page (ASCII: the
/// font's encoding is not UTF-8), its content streams FlateDecode-compressed if asked.
pub fn sample_pdf(pages: &[&str], compressed: bool) -> Vec<u8> {
    let kids: Vec<String> = (0..pages.len()).map(|index| format!("{} 0 R", 4 + 2 * index)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    for (index, page) in pages.iter().enumerate() {
        objects.push(page_object(&format!("/Contents {} 0 R", 5 + 2 * index)));
        objects.push(stream_object("", &text_content(page), compressed));
    }
    pdf_of_objects(&objects)
}

/// A page of the sample's tree with Helvetica as /F1, and `more` entries.
fn page_object(more: &str) -> Vec<u8> {
    format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> {more} >>")
        .into_bytes()
}

/// Drawing instructions that write each line of `text` below the previous one.
fn text_content(text: &str) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
    for line in text.lines() {
        let escaped = line.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
        content.push_str(&format!("({escaped}) Tj T*\n"));
    }
    content.push_str("ET");
    content.into_bytes()
}

/// A stream object with these extra dictionary entries, deflated if asked.
pub fn stream_object(entries: &str, content: &[u8], compressed: bool) -> Vec<u8> {
    let (filter, data) = if compressed {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(content).unwrap();
        (" /Filter /FlateDecode", encoder.finish().unwrap())
    } else {
        ("", content.to_vec())
    };
    let mut object = format!("<< /Length {}{filter} {entries} >>\nstream\n", data.len()).into_bytes();
    object.extend_from_slice(&data);
    object.extend_from_slice(b"\nendstream");
    object
}

/// A whole file: header, objects numbered from 1, the xref table of their offsets, trailer.
pub fn pdf_of_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let trailer = format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    pdf.extend_from_slice(trailer.as_bytes());
    pdf
}

/// A one-page file: catalog, pages, Helvetica as object 3, this page dictionary as object 4,
/// this content (uncompressed) as object 5, and the `extra` objects numbered from 6.
pub fn one_page_with(page: &str, content: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        page.as_bytes().to_vec(),
        stream_object("", content, false),
    ];
    objects.extend_from_slice(extra);
    pdf_of_objects(&objects)
}
