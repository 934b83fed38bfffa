//! Written reports (plain text, Markdown, HTML as text with scripts and styles ignored, PDF as
//! the text its pages hold): the indicators in their prose, refanged, with the usual
//! false-positive guards (file names that look like domains, version numbers that look like
//! addresses, documentation domains), the ATT&CK, CVE, CWE and CAPEC ids they cite, and the
//! actors and software they name (`named`). The result is one report that references them.
//!
//! One pass over the text, one hash lookup per token: cost is linear in the report's size.

use std::collections::HashSet;

use serde_json::{json, Map};

use super::named::{self, Mention, Mentions, NameFinder};
use super::{bundle, values, Import, Made, Provenance, Source};
use crate::diag::Diagnostic;
use crate::stix::observables::{Kind, Observable};

/// More values than any report holds: past this the text is a dump, not a report.
const MAX_VALUES: usize = 100_000;
/// Longer tokens are not values (the blocklists' own limit).
const MAX_TOKEN: usize = 8192;

/// Extensions of files a report names, which are also (or look like) top-level domains.
const FILE_EXTENSIONS: &[&str] = &[
    "exe", "dll", "sys", "bat", "cmd", "ps1", "vbs", "js", "jse", "hta", "lnk", "scr", "msi", "pdf", "doc", "docx",
    "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rtf", "txt", "log", "zip", "rar", "7z", "gz", "tar", "iso", "img",
    "jar", "apk", "png", "jpg", "jpeg", "gif", "bmp", "htm", "html", "php", "asp", "aspx", "jsp", "py", "sh", "pl",
    "rb", "so", "bin", "dat", "tmp", "ini", "cfg", "conf", "json", "xml", "yaml", "yml", "csv", "md", "db", "sql",
    "vbe", "wsf", "elf", "deb", "rpm", "dmg", "pkg", "zst", "eml", "msg", "one", "chm", "cpl", "ocx",
];
/// Top-level domains reserved for documentation and tests (RFC 2606, RFC 6761).
const RESERVED_TLDS: &[&str] = &["test", "example", "invalid", "localhost", "local"];
/// Domains reserved for documentation.
const EXAMPLE_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];
/// Words before a dotted number that make it a version, not an address.
const VERSION_WORDS: &[&str] = &["version", "ver", "ver.", "v", "release", "build", "firmware", "update"];

pub(crate) fn import(import: &mut Import<'_>, source: &Source) {
    let html = is_html(source);
    let plain = if html { html_to_text(&source.text) } else { source.text.clone() };
    let title =
        import.name.clone().or_else(|| title(&source.text, &plain, html)).unwrap_or_else(|| source.name.clone());
    let time = import.time_for(source);
    let places = Places::new(source, &plain);
    let mut found = Findings::default();
    let finder = NameFinder::new(import.repository.named());
    let mut mentions = Mentions::default();
    for (index, line) in plain.lines().enumerate() {
        scan_line(line, index + 1, &mut found);
        if let Some(finder) = &finder {
            finder.scan(line, index + 1, &mut mentions);
        }
        if found.values.len() >= MAX_VALUES {
            import.diagnostics.push(
                source.problem(
                    Diagnostic::error(
                        "import-too-many",
                        format!("more than {MAX_VALUES} values: the rest of the text was not read"),
                    )
                    .with_help("split the source, or import it as a list"),
                    index + 1,
                    1,
                ),
            );
            break;
        }
    }
    let mut refs = Vec::new();
    let mut indicators = Vec::new();
    for (value, line) in &found.values {
        let made = Made::new(&source.name, rule_for(value.kind), places.of(*line));
        let id = import.indicator(value, &source.name, &time, &made);
        indicators.push((id.clone(), *line));
        refs.push(id);
    }
    let mut cited = Vec::new();
    for (id, line) in &found.ids {
        let object = match (import.known(id), id.starts_with("CVE-")) {
            (Some(object), _) => Some(object),
            (None, true) => Some(vulnerability(import, source, id, places.of(*line), &time)),
            (None, false) => None,
        };
        if let Some(object) = object {
            refs.push(object.clone());
            let technique = id.starts_with('T') || id.starts_with("CAPEC-");
            if technique || id.starts_with("CVE-") {
                cited.push(Cited { object, technique, line: *line });
            }
            continue;
        }
        import.diagnostics.push(
            source.problem(
                Diagnostic::warning(
                    "import-unknown-reference",
                    format!("{id} is cited, but the repository has no object for it"),
                )
                .with_help("add the object to the repository and import again to reference it"),
                *line,
                1,
            ),
        );
    }
    refs.extend(mentions.list.iter().map(|m| m.id.clone()));
    if let Some(subject) = named::subject(&mentions.list) {
        let said = Said { import, source, time: &time, places: &places };
        refs.extend(relate_to_subject(said, subject, &mentions.list, &cited, &indicators));
    }
    if refs.is_empty() {
        import.diagnostics.push(
            Diagnostic::warning("import-nothing-found", "no indicator or known id found: no report was made")
                .in_file(&source.path),
        );
        return;
    }
    add_report(
        import,
        source,
        &title,
        &time,
        refs,
        match (html, source.pdf) {
            (true, _) => "html report",
            (_, true) => "pdf report",
            _ => "text report",
        },
    );
}

/// A technique or vulnerability the report cites, as the repository's (or this import's) object.
struct Cited {
    object: String,
    technique: bool,
    line: usize,
}

/// Where relationships drawn from a report are said.
struct Said<'i, 'r> {
    import: &'i mut Import<'r>,
    source: &'i Source,
    time: &'i str,
    places: &'i Places,
}

/// Where a line of the text is, for provenance: `line N`, or in a PDF's text (its pages
/// separated by a form-feed line) `page P, line N`.
struct Places {
    pdf: bool,
    /// The (1-based) numbers of the lines between pages.
    breaks: Vec<usize>,
}

impl Places {
    fn new(source: &Source, text: &str) -> Places {
        let breaks = match source.pdf {
            true => text.lines().enumerate().filter(|(_, l)| *l == "\x0c").map(|(i, _)| i + 1).collect(),
            false => Vec::new(),
        };
        Places { pdf: source.pdf, breaks }
    }

    fn of(&self, line: usize) -> String {
        if !self.pdf {
            return format!("line {line}");
        }
        let before = self.breaks.partition_point(|b| *b < line);
        let start = if before == 0 { 0 } else { self.breaks[before - 1] };
        format!("page {}, line {}", before + 1, line - start)
    }
}

/// The relationships the report's citations say of its subject: it uses the techniques and
/// (an actor) the software named, targets (malware: exploits) the vulnerabilities, and the
/// indicators indicate it. Returns their ids.
fn relate_to_subject(
    mut said: Said<'_, '_>,
    subject: &Mention,
    mentions: &[Mention],
    cited: &[Cited],
    indicators: &[(String, usize)],
) -> Vec<String> {
    let actor = named::is_actor(&subject.object_type);
    let mut made = Vec::new();
    for citation in cited {
        let kind = match (citation.technique, actor) {
            (true, _) => "uses",
            (false, true) => "targets",
            (false, false) => "exploits",
        };
        made.push(said.relate((&subject.id, kind, &citation.object), citation.line));
    }
    if actor {
        for software in mentions.iter().filter(|m| matches!(m.object_type.as_str(), "malware" | "tool")) {
            made.push(said.relate((&subject.id, "uses", &software.id), software.line));
        }
    }
    for (indicator, line) in indicators {
        made.push(said.relate((indicator, "indicates", &subject.id), *line));
    }
    made
}

impl Said<'_, '_> {
    /// The relationship saying `source kind target`: the repository's when it already says it,
    /// else one made here (its id derived from the report's file, so two reports saying the
    /// same thing do not write one id twice with different times).
    fn relate(&mut self, (source, kind, target): (&str, &str, &str), line: usize) -> String {
        if let Some(existing) = self.import.repository.relationship(source, kind, target) {
            return existing.to_owned();
        }
        let mut object = bundle::relationship(source, kind, target);
        let key = format!("{}\n{source} {kind} {target}", self.source.name);
        let id = bundle::derived_id("relationship", &key);
        object.insert("id".into(), json!(id));
        if !self.import.repository.has(&id) {
            let provenance =
                Provenance { source: &self.source.name, rule: "text relationship", location: self.places.of(line) };
            self.import.out.add_sdo(object, self.time, &provenance);
        }
        id
    }
}

/// The extractor named in provenance for a value of this kind.
fn rule_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Ipv4 => "text ioc ipv4",
        Kind::Ipv6 => "text ioc ipv6",
        Kind::Cidr => "text ioc cidr",
        Kind::Domain => "text ioc domain",
        Kind::Url => "text ioc url",
        Kind::Email => "text ioc email",
        _ => "text ioc hash",
    }
}

/// The report of a source, referencing `refs` (each once, in order).
pub(crate) fn add_report(
    import: &mut Import<'_>,
    source: &Source,
    name: &str,
    time: &str,
    refs: Vec<String>,
    rule: &str,
) {
    let mut seen = HashSet::new();
    let refs: Vec<String> = refs.into_iter().filter(|r| seen.insert(r.clone())).collect();
    if refs.is_empty() {
        return;
    }
    let mut object = Map::new();
    object.insert("type".into(), json!("report"));
    object.insert("id".into(), json!(bundle::derived_id("report", &format!("{}\n{name}", source.name))));
    object.insert("name".into(), json!(super::clip(name, 300)));
    object.insert("published".into(), json!(time));
    object.insert("report_types".into(), json!(["threat-report"]));
    object.insert("object_refs".into(), json!(refs));
    object.insert(
        "external_references".into(),
        json!([{
            "source_name": source.name,
            "description": format!("imported by {}", bundle::importer()),
            "hashes": { "SHA-256": source.sha256 },
        }]),
    );
    let provenance = Provenance { source: &source.name, rule, location: "whole file".into() };
    import.out.add_sdo(object, time, &provenance);
}

fn vulnerability(import: &mut Import<'_>, source: &Source, cve: &str, location: String, time: &str) -> String {
    let id = bundle::derived_id("vulnerability", cve);
    let mut object = Map::new();
    object.insert("type".into(), json!("vulnerability"));
    object.insert("id".into(), json!(id));
    object.insert("name".into(), json!(cve));
    object.insert("external_references".into(), json!([{ "source_name": "cve", "external_id": cve }]));
    let provenance = Provenance { source: &source.name, rule: "text cve", location };
    import.out.add_sdo(object, time, &provenance);
    id
}

#[derive(Default)]
struct Findings {
    values: Vec<(Observable, usize)>,
    seen: HashSet<Observable>,
    /// `T1059.001`, `CVE-2024-1234`, `CWE-79`, `CAPEC-112`, in upper case.
    ids: Vec<(String, usize)>,
    seen_ids: HashSet<String>,
}

fn scan_line(line: &str, number: usize, found: &mut Findings) {
    // A Markdown link's target starts right after `](`.
    let line: std::borrow::Cow<'_, str> =
        if line.contains("](") { line.replace("](", "] ").into() } else { line.into() };
    let mut previous = "";
    for raw in line.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '|' | ',' | ';')) {
        let token = raw
            .trim_start_matches(['(', '[', '{', '*', '\'', '_'])
            .trim_end_matches(['.', ',', ':', ';', '!', '?', ')', ']', '}', '*', '\'', '_']);
        if token.is_empty() || token.len() > MAX_TOKEN {
            previous = token;
            continue;
        }
        if let Some(id) = cited_id(token) {
            if found.seen_ids.insert(id.clone()) {
                found.ids.push((id, number));
            }
        } else if let Some(value) = value_in(token, previous) {
            if found.seen.insert(value.clone()) {
                found.values.push((value, number));
            }
        }
        previous = token;
    }
}

/// An ATT&CK technique or sub-technique, CVE, CWE or CAPEC id, in upper case.
fn cited_id(token: &str) -> Option<String> {
    let upper = token.to_ascii_uppercase();
    let digits =
        |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = upper.strip_prefix('T') {
        let (main, sub) = rest.split_once('.').map_or((rest, None), |(m, s)| (m, Some(s)));
        let ok = digits(main, 4, 4) && sub.is_none_or(|s| digits(s, 3, 3)) && token.starts_with('T');
        return ok.then_some(upper);
    }
    if let Some(rest) = upper.strip_prefix("CVE-") {
        let (year, number) = rest.split_once('-')?;
        return (digits(year, 4, 4) && digits(number, 4, 7)).then_some(upper);
    }
    for prefix in ["CWE-", "CAPEC-"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            return digits(rest, 1, 6).then_some(upper);
        }
    }
    None
}

/// The indicator value a token is, unless a guard says it is something else.
fn value_in(token: &str, previous: &str) -> Option<Observable> {
    if !token.contains(['.', ':', '@', '[', '(']) && token.len() < 32 {
        return None;
    }
    let (refanged, defanged) = values::refang(token);
    let value = values::recognise(&refanged)?;
    let keep = match value.kind {
        Kind::Domain => !reserved(&value.value) && (defanged || !looks_like_file(&value.value)),
        Kind::Url => host_of(&value.value).is_none_or(|host| !reserved(host)),
        Kind::Email => value.value.rsplit_once('@').is_none_or(|(_, host)| !reserved(host)),
        Kind::Ipv4 => !VERSION_WORDS.contains(&previous.to_ascii_lowercase().as_str()) && !local_address(&value.value),
        Kind::Ipv6 => !local_address(&value.value),
        _ => true,
    };
    keep.then_some(value)
}

/// Addresses a report names as examples of nothing: unspecified, loopback, broadcast.
fn local_address(address: &str) -> bool {
    address.starts_with("0.") || address.starts_with("127.") || matches!(address, "255.255.255.255" | "::" | "::1")
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host.split(':').next().unwrap_or(host))
}

/// A documentation or test domain (example.com, anything.test, …).
fn reserved(domain: &str) -> bool {
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    RESERVED_TLDS.contains(&tld)
        || EXAMPLE_DOMAINS.iter().any(|e| domain == *e || domain.strip_suffix(e).is_some_and(|s| s.ends_with('.')))
}

/// `invoice.pdf`, `setup.exe`: a name whose last label is a file extension.
fn looks_like_file(domain: &str) -> bool {
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    FILE_EXTENSIONS.contains(&tld)
}

fn is_html(source: &Source) -> bool {
    let extension = source.path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(extension.as_deref(), Some("html" | "htm"))
        || source.text.trim_start().get(..15).is_some_and(|s| s.to_ascii_lowercase().starts_with("<!doctype html"))
}

/// The text of an HTML document, line breaks kept where they were (so lines still point into
/// the file): tags become spaces, scripts and styles are dropped, common entities decoded.
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        out.push_str(&decode_entities(&html[at..start]));
        let skipped_to = ["script", "style"]
            .iter()
            .find(|tag| lower[start + 1..].starts_with(*tag))
            .and_then(|tag| lower[start..].find(&format!("</{tag}")).map(|end| start + end + 2 + tag.len()));
        let end = skipped_to.unwrap_or(start);
        let close = html[end..].find('>').map_or(html.len(), |i| end + i + 1);
        out.extend(html[start..close].chars().filter(|c| *c == '\n'));
        out.push(' ');
        at = close;
    }
    out.push_str(&decode_entities(&html[at..]));
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&#91;", "[")
        .replace("&#93;", "]")
        .replace("&amp;", "&")
}

/// The report's title: HTML's `<title>`, a Markdown heading, else the first line of text.
fn title(raw: &str, plain: &str, html: bool) -> Option<String> {
    if html {
        let lower = raw.to_ascii_lowercase();
        let start = lower.find("<title>")? + 7;
        let end = lower[start..].find("</title>")? + start;
        let text = decode_entities(raw[start..end].trim());
        return (!text.is_empty()).then(|| super::clip(&text, 200));
    }
    let first = plain.lines().map(str::trim).find(|l| !l.is_empty())?;
    let heading = first.trim_start_matches('#').trim();
    (!heading.is_empty()).then(|| super::clip(heading, 200))
}

/// Values used by the tests.
#[cfg(test)]
fn values_of(text: &str) -> Vec<String> {
    let mut found = Findings::default();
    for (i, line) in text.lines().enumerate() {
        scan_line(line, i + 1, &mut found);
    }
    let mut out: Vec<String> =
        found.values.into_iter().map(|(v, _)| format!("{}:{}", v.kind.name(), v.value)).collect();
    out.extend(found.ids.into_iter().map(|(id, _)| id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_found_refanged_once() {
        let text = "The loader (hxxps://cdn.bad-updates[.]net/a.js) calls 203.0.113[.]9, then cdn.bad-updates[.]net.\nAgain: 203.0.113.9.";
        assert_eq!(
            values_of(text),
            ["url:https://cdn.bad-updates.net/a.js", "ipv4:203.0.113.9", "domain:cdn.bad-updates.net"]
        );
    }

    #[test]
    fn markdown_link_targets_are_read() {
        assert_eq!(
            values_of("[the panel](hxxps://panel.bad-net[.]com/login)"),
            ["url:https://panel.bad-net.com/login"]
        );
    }

    #[test]
    fn guards_leave_out_files_versions_and_example_domains() {
        let text = "Open invoice.pdf and setup.exe; firmware version 1.2.3.4 is fixed, 127.0.0.1 and std::vec and :: too. See www.example.com, a.test, https://example.org/x and mail@example.net.";
        assert!(values_of(text).is_empty(), "{:?}", values_of(text));
        // Written defanged, a file-like name is a domain someone meant.
        assert_eq!(values_of("invoice[.]pdf"), ["domain:invoice.pdf"]);
    }

    #[test]
    fn cited_ids_are_recognised() {
        let text = "Uses T1059.001 and T1566 (CVE-2024-12345, cwe-79, CAPEC-112); not T12 or Tx1234.";
        assert_eq!(values_of(text), ["T1059.001", "T1566", "CVE-2024-12345", "CWE-79", "CAPEC-112"]);
    }

    #[test]
    fn html_keeps_lines_and_drops_scripts() {
        let html = "<html><head><title>Relay &amp; theft</title><script>var x = 'evil.net';</script></head>\n<body><p>c2: bad[.]host</p></body></html>";
        let text = html_to_text(html);
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains("evil.net") && text.contains("bad[.]host"));
        assert_eq!(title(html, &text, true).as_deref(), Some("Relay & theft"));
    }

    #[test]
    fn millions_of_tokens_cost_linear_time() {
        let text = "word 1.2 a.b ".repeat(300_000);
        let started = std::time::Instant::now();
        let _ = values_of(&text);
        assert!(started.elapsed().as_secs() < 10);
    }
}
