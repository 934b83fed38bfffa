//! Finding listed values inside a line of log: one Aho-Corasick automaton (BurntSushi's
//! `aho-corasick`, ASCII case-insensitive, overlapping, so a URL and the domain inside it are
//! both found) for the values written as text, and, for addresses, the tokens around each `.`
//! and `:` (found with `memchr`) parsed as IPv4 or IPv6, so that any textual form of an address
//! (upper case, zeros written out) and any address inside a listed CIDR block is found.
//!
//! A match counts only with the right boundaries for its kind: `evil.example` is not found in
//! `notevil.example`, `evil.example.com` or `sub.evil.example`, nor in a defanged
//! `evil[.]example`; a hash not inside a longer hex string; an address not inside a longer
//! number. Kinds whose case matters (mutexes, user agents, ssdeep, a URL's path) must match
//! exactly. AS numbers are not looked for: a bare number is everywhere in logs.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use aho_corasick::{AhoCorasick, MatchKind};

use super::known::Known;
use crate::stix::observables::Kind;

/// Where a value was found in a line: its byte offset and its index in [`Known::listed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub at: usize,
    pub listed: usize,
}

pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// Automaton pattern → the listed values it stands for (a text may be listed in two kinds).
    patterns: Vec<Vec<usize>>,
    kinds: Vec<Kind>,
    values: Vec<Vec<u8>>,
    /// Digests, lower case: looked up by the runs of letters and digits of their length (a
    /// hex value makes every hex character a possible start, which no automaton skips fast).
    hashes: HashMap<Vec<u8>, Vec<usize>>,
    ipv4: HashMap<u32, Vec<usize>>,
    ipv6: HashMap<u128, Vec<usize>>,
    /// CIDR blocks as (first, last, listed), IPv4 mapped into IPv6 space.
    blocks: Vec<(u128, u128, usize)>,
    /// The longest value, in bytes: how much a cut line must overlap.
    pub longest: usize,
}

impl Matcher {
    pub fn new(known: &Known) -> Result<Matcher, String> {
        let mut patterns: Vec<Vec<usize>> = Vec::new();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut by_text: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut hashes: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut ipv4: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut ipv6: HashMap<u128, Vec<usize>> = HashMap::new();
        let mut blocks = Vec::new();
        let mut longest = 0;
        for (index, listed) in known.listed.iter().enumerate() {
            longest = longest.max(listed.value.len());
            match listed.kind {
                Kind::Ipv4 => {
                    if let Ok(address) = listed.value.parse::<Ipv4Addr>() {
                        ipv4.entry(u32::from(address)).or_default().push(index);
                    }
                }
                Kind::Ipv6 => {
                    if let Ok(address) = listed.value.parse::<Ipv6Addr>() {
                        ipv6.entry(u128::from(address)).or_default().push(index);
                    }
                }
                Kind::Cidr => {
                    if let Some((first, last)) = block(&listed.value) {
                        blocks.push((first, last, index));
                    }
                }
                Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => {
                    hashes.entry(listed.value.to_ascii_lowercase().into_bytes()).or_default().push(index);
                }
                Kind::Asn => {}
                _ if listed.value.is_empty() => {}
                _ => {
                    let text = listed.value.to_ascii_lowercase().into_bytes();
                    let pattern = *by_text.entry(text.clone()).or_insert_with(|| {
                        texts.push(text);
                        patterns.push(Vec::new());
                        patterns.len() - 1
                    });
                    patterns[pattern].push(index);
                }
            }
        }
        let automaton = if texts.is_empty() {
            None
        } else {
            let built = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&texts)
                .map_err(|e| format!("the values make no automaton: {e}"))?;
            Some(built)
        };
        Ok(Matcher {
            automaton,
            patterns,
            kinds: known.listed.iter().map(|l| l.kind).collect(),
            values: known.listed.iter().map(|l| l.value.as_bytes().to_vec()).collect(),
            hashes,
            ipv4,
            ipv6,
            blocks,
            longest,
        })
    }

    /// Every listed value in `line`, in order of place, each place and value once.
    pub fn scan(&self, line: &[u8], found: &mut Vec<Found>) {
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(line) {
                for &listed in &self.patterns[m.pattern().as_usize()] {
                    if self.fits(listed, line, m.start(), m.end()) {
                        found.push(Found { at: m.start(), listed });
                    }
                }
            }
        }
        if !self.hashes.is_empty() {
            self.scan_hashes(line, found);
        }
        if !(self.ipv4.is_empty() && self.ipv6.is_empty() && self.blocks.is_empty()) {
            self.scan_addresses(line, found);
        }
        found.sort();
        found.dedup();
    }

    /// Whether the text at `start..end` is the listed value with its kind's boundaries.
    fn fits(&self, listed: usize, line: &[u8], start: usize, end: usize) -> bool {
        let kind = self.kinds[listed];
        let value = &self.values[listed];
        let text = &line[start..end];
        let before = start.checked_sub(1).map(|i| line[i]);
        let after = line.get(end).copied();
        let next_is_word = line.get(end + 1).is_some_and(|b| b.is_ascii_alphanumeric());
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        match kind {
            Kind::Domain | Kind::Email => {
                let joined = before.is_some_and(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                let local_part = kind == Kind::Email && before.is_some_and(|b| b"%+".contains(&b));
                let head_ok = !(joined || local_part);
                let goes_on = after.is_some_and(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                let tail_ok = !(goes_on || (after == Some(b'.') && next_is_word));
                head_ok && tail_ok
            }
            Kind::Url => {
                let head_ok = !before.is_some_and(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
                let tail_ok = after
                    .is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b"\"'<>|\\{}]^`,".contains(&b));
                // Scheme and host compare without case, the rest exactly.
                let host_end = value
                    .windows(3)
                    .position(|w| w == b"://")
                    .map(|p| p + 3)
                    .map(|p| p + value[p..].iter().position(|b| b"/?#".contains(b)).unwrap_or(value.len() - p))
                    .unwrap_or(0);
                head_ok && tail_ok && text[host_end..] == value[host_end..]
            }
            Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 | Kind::Mac => {
                !before.is_some_and(|b| b.is_ascii_alphanumeric())
                    && !after.is_some_and(|b| b.is_ascii_alphanumeric())
                    && !(kind == Kind::Mac && (before == Some(b':') || after == Some(b':')))
            }
            Kind::FileName => {
                let head_ok = !before.is_some_and(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
                let goes_on = after.is_some_and(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                let tail_ok = !(goes_on || (after == Some(b'.') && next_is_word));
                head_ok && tail_ok
            }
            Kind::RegistryKey => !word(before) && !word(after),
            // Case matters: the bytes must be the value's, and a word must not go on.
            _ => {
                let first_word = value.first().is_some_and(|b| b.is_ascii_alphanumeric());
                let last_word = value.last().is_some_and(|b| b.is_ascii_alphanumeric());
                text == value.as_slice() && !(first_word && word(before)) && !(last_word && word(after))
            }
        }
    }

    /// Every run of letters and digits of a digest's length, all hex, looked up without case.
    fn scan_hashes(&self, line: &[u8], found: &mut Vec<Found>) {
        let mut at = 0;
        let mut lower = Vec::with_capacity(128);
        while at < line.len() {
            if !line[at].is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let start = at;
            while at < line.len() && line[at].is_ascii_alphanumeric() {
                at += 1;
            }
            let run = &line[start..at];
            if matches!(run.len(), 32 | 40 | 64 | 128) && run.iter().all(u8::is_ascii_hexdigit) {
                lower.clear();
                lower.extend(run.iter().map(u8::to_ascii_lowercase));
                if let Some(listed) = self.hashes.get(&lower) {
                    found.extend(listed.iter().map(|&listed| Found { at: start, listed }));
                }
            }
        }
    }

    /// Every token of hex digits, dots and colons around a `.` or `:`, read as addresses.
    fn scan_addresses(&self, line: &[u8], found: &mut Vec<Found>) {
        let is_part = |b: u8| b.is_ascii_hexdigit() || b == b'.' || b == b':';
        let mut from = 0;
        while let Some(offset) = memchr::memchr2(b'.', b':', &line[from..]) {
            let at = from + offset;
            let mut start = at;
            while start > 0 && is_part(line[start - 1]) {
                start -= 1;
            }
            let mut end = at;
            while end < line.len() && is_part(line[end]) {
                end += 1;
            }
            self.address_token(line, start, end, found);
            from = end.max(at + 1);
        }
    }

    fn address_token(&self, line: &[u8], start: usize, end: usize, found: &mut Vec<Found>) {
        let token = &line[start..end];
        let letter_before = start > 0 && line[start - 1].is_ascii_alphanumeric();
        let letter_after = line.get(end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'%');
        if token.contains(&b':') && !letter_before && !letter_after {
            // A sentence's full stop, or a port's colon, may follow the address.
            let trimmed = trim(token, b".", b".");
            let offset = start + (trimmed.as_ptr() as usize - token.as_ptr() as usize);
            for candidate in [trimmed, trim(trimmed, b"", b":")] {
                if let Some(address) = std::str::from_utf8(candidate).ok().and_then(|t| t.parse::<Ipv6Addr>().ok()) {
                    self.address(u128::from(address), false, offset, found);
                    return;
                }
            }
        }
        // IPv4: the runs of digits and dots, each whole (1.2.3.4.5 is no address).
        let mut piece_start = 0;
        for (i, &b) in token.iter().chain(std::iter::once(&b' ')).enumerate() {
            if b.is_ascii_digit() || b == b'.' {
                continue;
            }
            let piece = &token[piece_start..i];
            let absolute = start + piece_start;
            let edge_before =
                (piece_start == 0 && letter_before) || (piece_start > 0 && token[piece_start - 1].is_ascii_hexdigit());
            let edge_after = (i == token.len() && letter_after) || (i < token.len() && b.is_ascii_hexdigit());
            piece_start = i + 1;
            let trimmed = trim(piece, b"", b".");
            if edge_before || edge_after || trimmed.first() == Some(&b'.') {
                continue;
            }
            if let Some(address) = std::str::from_utf8(trimmed).ok().and_then(|t| t.parse::<Ipv4Addr>().ok()) {
                self.address(u128::from(address.to_ipv6_mapped()), true, absolute, found);
            }
        }
    }

    fn address(&self, address: u128, v4: bool, at: usize, found: &mut Vec<Found>) {
        let exact = if v4 { self.ipv4.get(&(address as u32)) } else { self.ipv6.get(&address) };
        found.extend(exact.into_iter().flatten().map(|&listed| Found { at, listed }));
        for &(first, last, listed) in &self.blocks {
            if first <= address && address <= last {
                found.push(Found { at, listed });
            }
        }
    }
}

/// `token` without the `front` bytes before it and the `back` bytes after it.
fn trim<'a>(token: &'a [u8], front: &[u8], back: &[u8]) -> &'a [u8] {
    let start = token.iter().position(|b| !front.contains(b)).unwrap_or(token.len());
    let token = &token[start..];
    let end = token.iter().rposition(|b| !back.contains(b)).map_or(0, |p| p + 1);
    &token[..end]
}

/// A CIDR block's first and last address, IPv4 mapped into IPv6 space.
fn block(text: &str) -> Option<(u128, u128)> {
    let (address, prefix) = text.split_once('/')?;
    let prefix: u32 = prefix.parse().ok()?;
    let (base, bits) = match address.parse::<Ipv4Addr>() {
        Ok(v4) => (u128::from(v4.to_ipv6_mapped()), prefix.checked_add(96)?),
        Err(_) => (u128::from(address.parse::<Ipv6Addr>().ok()?), prefix),
    };
    if bits > 128 {
        return None;
    }
    let host = if bits == 0 { u128::MAX } else { (1u128 << (128 - bits)).wrapping_sub(1) };
    Some((base & !host, base | host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::known::{Known, Source};

    fn matcher(values: &[(Kind, &str)]) -> (Matcher, Known) {
        let source = Source { id: "indicator--x".into(), name: "x".into(), labels: vec![], tlp: None, reports: vec![] };
        let known = Known::from_triples(vec![source], values.iter().map(|(k, v)| (*k, (*v).to_owned(), 0)));
        (Matcher::new(&known).unwrap(), known)
    }

    fn values(m: &(Matcher, Known), line: &str) -> Vec<String> {
        let mut found = Vec::new();
        m.0.scan(line.as_bytes(), &mut found);
        found.iter().map(|f| m.1.listed[f.listed].value.clone()).collect()
    }

    #[test]
    fn domains_have_boundaries() {
        let m = matcher(&[(Kind::Domain, "evil.example"), (Kind::Url, "https://evil.example/A")]);
        assert_eq!(values(&m, "GET HTTPS://EVIL.EXAMPLE/A ok"), ["https://evil.example/A", "evil.example"]);
        assert_eq!(values(&m, "https://evil.example/a"), ["evil.example"]);
        assert_eq!(values(&m, "q=evil.example."), ["evil.example"]);
        for decoy in ["notevil.example", "evil.example.com", "sub.evil.example", "evil[.]example", "evil.examples"] {
            assert!(values(&m, decoy).is_empty(), "{decoy}");
        }
    }

    #[test]
    fn addresses_in_any_form_and_blocks() {
        let m = matcher(&[(Kind::Ipv4, "203.0.113.7"), (Kind::Ipv6, "2001:db8::7"), (Kind::Cidr, "198.51.100.0/24")]);
        assert_eq!(values(&m, "src=203.0.113.7:443 dst=2001:DB8:0:0::7"), ["203.0.113.7", "2001:db8::7"]);
        assert_eq!(values(&m, "[2001:db8::7]:80 198.51.100.200."), ["2001:db8::7", "198.51.100.0/24"]);
        for decoy in [
            "1203.0.113.7",
            "203.0.113.70",
            "203.0.113.7.1",
            "203.0.113[.]7",
            "v203.0.113.7",
            "2001:db8::77",
            "198.51.101.1",
        ] {
            assert!(values(&m, decoy).is_empty(), "{decoy}");
        }
    }

    #[test]
    fn hashes_and_exact_kinds() {
        let h = "a".repeat(64);
        let m = matcher(&[(Kind::Sha256, &h), (Kind::Mutex, "Global\\M"), (Kind::FileName, "dropper.exe")]);
        assert_eq!(values(&m, &format!("sha={} C:\\x\\DROPPER.EXE", h.to_uppercase())), [h.as_str(), "dropper.exe"]);
        assert!(values(&m, &format!("{h}a global\\m dropper.exe.txt")).is_empty());
        assert_eq!(values(&m, "mutex Global\\M!"), ["Global\\M"]);
    }

    #[test]
    fn blocks_cover_their_range() {
        assert_eq!(block("10.0.0.0/8").map(|(a, b)| b - a), Some((1 << 24) - 1));
        assert_eq!(block("::/0"), Some((0, u128::MAX)));
        assert_eq!(block("10.0.0.0/33"), None);
    }
}
