//! `feeds/suricata/`: Suricata datasets, one list per kind (`datasets/<kind>.lst`), and
//! `datasets.rules`, alert rules that look the traffic's addresses, names, user agents and file
//! hashes up in them (`dataset:isset`, `filemd5`, `filesha1`, `filesha256`).
//!
//! A `string` dataset holds each value base64-encoded, as Suricata requires; `ipv4` and `ip`
//! sets hold addresses, hash lists lower-case hex. The rules' sids come from
//! [`RESERVED_SIDS`], which a contributed rule may not use, so both can load into one engine;
//! a rule's sid depends only on what it matches, never on the data. The paths in the rules are
//! relative to `datasets.rules`' folder: Suricata reads them from its rule path (copy the folder
//! there, or set `default-rule-path` to it).

use super::Row;
use crate::error::Error;
use crate::publish::shared::catalog::FeedFile;
use crate::stix::detection::ids::RESERVED_SIDS;
use crate::stix::observables::Kind;
use crate::write::Sink;

pub(crate) const DIR: &str = "feeds/suricata";

/// How a kind is stored in its list.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    /// Suricata's `string` type: base64.
    Base64,
    /// `ipv4`, `ip`, `md5`, `sha256` and the hash lists: the value as it is.
    Plain,
}

/// The kinds with a list: its Suricata dataset type (`None`: a hash list for a file keyword).
const LISTS: &[(Kind, Option<&str>, Encoding)] = &[
    (Kind::Ipv4, Some("ipv4"), Encoding::Plain),
    (Kind::Ipv6, Some("ip"), Encoding::Plain),
    (Kind::Domain, Some("string"), Encoding::Base64),
    (Kind::FileName, Some("string"), Encoding::Base64),
    (Kind::UserAgent, Some("string"), Encoding::Base64),
    (Kind::Md5, None, Encoding::Plain),
    (Kind::Sha1, None, Encoding::Plain),
    (Kind::Sha256, None, Encoding::Plain),
];

/// The rules: the list they read, the protocol, the buffer (or file keyword) and what it means.
/// A rule's place here gives its sid: add new rules at the end, never reorder.
const RULES: &[(Kind, &str, &str, &str)] = &[
    (Kind::Ipv4, "ip", "ip.src", "source address is a listed IPv4 address"),
    (Kind::Ipv4, "ip", "ip.dst", "destination address is a listed IPv4 address"),
    (Kind::Ipv6, "ip", "ip.src", "source address is a listed IPv6 address"),
    (Kind::Ipv6, "ip", "ip.dst", "destination address is a listed IPv6 address"),
    (Kind::Domain, "dns", "dns.query", "DNS query for a listed domain"),
    (Kind::Domain, "tls", "tls.sni", "TLS SNI is a listed domain"),
    (Kind::Domain, "http", "http.host", "HTTP Host is a listed domain"),
    (Kind::FileName, "http", "file.name", "HTTP transfer of a file with a listed name"),
    (Kind::UserAgent, "http", "http.user_agent", "HTTP request with a listed User-Agent"),
    (Kind::Md5, "http", "filemd5", "file with a listed MD5 digest"),
    (Kind::Sha1, "http", "filesha1", "file with a listed SHA-1 digest"),
    (Kind::Sha256, "http", "filesha256", "file with a listed SHA-256 digest"),
];

/// Whether `kind` has a dataset.
pub(super) fn carries(kind: Kind) -> bool {
    LISTS.iter().any(|(listed, ..)| *listed == kind)
}

pub(super) fn write(rows: &[Row<'_, '_>], sink: &dyn Sink) -> Result<Vec<FeedFile>, Error> {
    let mut files = Vec::new();
    let mut filled = Vec::new();
    for (kind, _, encoding) in LISTS {
        let mut values: Vec<&str> = rows.iter().filter(|r| r.kind == *kind).map(|r| r.value).collect();
        values.dedup();
        let mut text = String::new();
        for value in &values {
            match encoding {
                Encoding::Base64 => text.push_str(&crate::base64::encode(value.as_bytes())),
                Encoding::Plain => text.push_str(value),
            }
            text.push('\n');
        }
        let path = format!("{DIR}/{}", list_path(*kind));
        sink.write(&path, text.as_bytes())?;
        files.push(FeedFile::new(path, kind.description(), values.len()));
        if !values.is_empty() {
            filled.push(*kind);
        }
    }
    let rules = rules(&filled);
    let path = format!("{DIR}/datasets.rules");
    sink.write(&path, rules.text.as_bytes())?;
    files.insert(0, FeedFile::new(path, "alert rules that look traffic up in the lists below", rules.count));
    Ok(files)
}

fn list_path(kind: Kind) -> String {
    format!("datasets/{}.lst", kind.name())
}

struct Rules {
    text: String,
    count: usize,
}

/// The rules for the kinds that have values (an empty hash list is an error to Suricata).
fn rules(filled: &[Kind]) -> Rules {
    let mut text = String::from(
        "# Suricata rules over the datasets in datasets/ (stixpress feeds); paths are relative to this file's folder.\n",
    );
    let mut count = 0;
    for (place, (kind, protocol, buffer, meaning)) in RULES.iter().enumerate() {
        if !filled.contains(kind) {
            continue;
        }
        let sid = RESERVED_SIDS.start() + place as u64 + 1;
        let list = list_path(*kind);
        let lookup = match LISTS.iter().find(|(k, _, _)| k == kind).and_then(|(_, t, _)| *t) {
            Some(set_type) => format!("{buffer}; dataset:isset,stixpress-{},type {set_type},load {list};", kind.name()),
            None => format!("{buffer}:{list};"),
        };
        text.push_str(&format!(
            "alert {protocol} any any -> any any (msg:\"stixpress: {meaning}\"; {lookup} classtype:bad-unknown; sid:{sid}; rev:1;)\n"
        ));
        count += 1;
    }
    Rules { text, count }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_are_reserved_and_stable() {
        let all = rules(&[Kind::Ipv4, Kind::Domain, Kind::Sha256]);
        let only = rules(&[Kind::Sha256]);
        let sid = |text: &str| text.lines().last().and_then(|l| l.split("sid:").nth(1)).map(str::to_owned);
        assert_eq!(sid(&all.text), sid(&only.text));
        for line in all.text.lines().skip(1) {
            let number: u64 = line.split("sid:").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
            assert!(RESERVED_SIDS.contains(&number));
        }
        assert_eq!(all.count, 2 + 3 + 1);
    }
}
