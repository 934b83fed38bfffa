//! `feeds/zeek/intel.dat`: an input file for Zeek's Intel framework (`Intel::read_files`), in
//! the ASCII input reader's format: a `#fields` line, then tab-separated fields, `-` for an
//! unset one. Each value's source is its indicator's id, its description the indicator's name
//! and its URL the indicator's page. A field must never hold a tab or a line break (the reader
//! would split it); such characters, and `\`, are written as the reader's `\xHH` escapes.

use super::{Row, Site};
use crate::error::Error;
use crate::publish::shared::catalog::FeedFile;
use crate::stix::observables::Kind;
use crate::write::Sink;

pub(crate) const PATH: &str = "feeds/zeek/intel.dat";
const ROOT: &str = "../../";

/// Zeek's indicator type for a kind it can see in traffic; `None` for kinds it has no type for.
pub(crate) fn intel_type(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Ipv4 | Kind::Ipv6 => "Intel::ADDR",
        Kind::Cidr => "Intel::SUBNET",
        Kind::Domain => "Intel::DOMAIN",
        Kind::Url => "Intel::URL",
        Kind::Email => "Intel::EMAIL",
        // The files framework computes MD5, SHA-1 and SHA-256.
        Kind::Md5 | Kind::Sha1 | Kind::Sha256 => "Intel::FILE_HASH",
        Kind::FileName => "Intel::FILE_NAME",
        // Zeek's software framework sees user agents as software (HTTP::IN_USER_AGENT_HEADER).
        Kind::UserAgent => "Intel::SOFTWARE",
        _ => return None,
    })
}

/// Whether Zeek's Intel framework has an indicator type for `kind`.
pub(super) fn carries(kind: Kind) -> bool {
    intel_type(kind).is_some()
}

pub(super) fn write(rows: &[Row<'_, '_>], site: &Site, sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let mut text = String::from("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n");
    let mut count = 0;
    for row in rows {
        let Some(kind) = intel_type(row.kind) else { continue };
        let fields = [
            indicator(row.kind, row.value),
            kind,
            row.indicator.entry.id(),
            &row.indicator.name,
            &row.page(site, ROOT),
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            push_field(&mut text, field);
        }
        text.push('\n');
        count += 1;
    }
    sink.write(PATH, text.as_bytes())?;
    Ok(vec![FeedFile::new(
        PATH.to_owned(),
        "addresses, subnets, domains, URLs, e-mail addresses, file hashes and names, user agents for Zeek's Intel framework",
        count,
    )])
}

/// Zeek compares URLs as host and path, without the scheme (`HTTP::build_url`).
fn indicator(kind: Kind, value: &str) -> &str {
    match kind {
        Kind::Url => value.split_once("://").map_or(value, |(_, rest)| rest),
        _ => value,
    }
}

/// A field as the ASCII reader reads it back: empty → `-` (unset), a lone `-` escaped so that it
/// stays a value, control characters and `\` as `\xHH`.
fn push_field(out: &mut String, field: &str) {
    if field.is_empty() {
        out.push('-');
        return;
    }
    if field == "-" {
        out.push_str("\\x2d");
        return;
    }
    for c in field.chars() {
        if c.is_control() || c == '\\' {
            for byte in c.to_string().bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_never_hold_a_tab_or_a_line_break() {
        let mut out = String::new();
        push_field(&mut out, "a\tb\nc\\d");
        assert_eq!(out, "a\\x09b\\x0ac\\x5cd");
        let mut out = String::new();
        push_field(&mut out, "");
        push_field(&mut out, "-");
        assert_eq!(out, "-\\x2d");
    }

    #[test]
    fn urls_lose_their_scheme() {
        assert_eq!(indicator(Kind::Url, "https://evil.example/a?b"), "evil.example/a?b");
        assert_eq!(indicator(Kind::Domain, "evil.example"), "evil.example");
    }
}
