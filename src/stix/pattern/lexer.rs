//! The tokenizer: turns pattern text into tokens that are byte ranges of the input.
//!
//! It follows the lexical rules of the OASIS STIX pattern grammar (longest match, keywords
//! only where a whole word spells one, whitespace and `/* */` / `//` comments skipped) and
//! never allocates: a token is a kind plus a `start..end` range. Malformed literals (a bad
//! escape, an unterminated string, `t'…'` that is not a timestamp) become `Error` tokens with
//! a message, because no valid pattern could continue from them.

use super::Dialect;

/// What a token is. Literal kinds carry no value: the parser reads it from the token's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    IntPos,
    IntNeg,
    FloatPos,
    FloatNeg,
    Hex,
    Binary,
    Str,
    Bool,
    Timestamp,
    Keyword(Keyword),
    /// `[a-zA-Z_][a-zA-Z0-9_-]*`; `hyphen` tells whether it contains a `-` (only object
    /// types may).
    Ident {
        hyphen: bool,
    },
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    Colon,
    Dot,
    Comma,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Asterisk,
    /// A character that starts no token of the language (`+` alone, `^`, `"`, …).
    Stray,
    /// A malformed literal; the message says what is wrong.
    Error(&'static str),
    Eof,
}

/// Reserved words. All are upper case except `true` and `false`, which lex as booleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    Last,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    dialect: Dialect,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str, dialect: Dialect) -> Self {
        Lexer { src: src.as_bytes(), pos: 0, dialect }
    }

    /// The next token; `Eof` forever once the input is used up.
    pub fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let kind = match self.src.get(start) {
            None => TokenKind::Eof,
            Some(&c) => self.token_at(c),
        };
        Token { kind, start, end: self.pos }
    }

    fn token_at(&mut self, c: u8) -> TokenKind {
        let next = self.src.get(self.pos + 1).copied();
        match c {
            b'\'' => self.string(),
            b'h' | b'b' | b't' if next == Some(b'\'') => self.prefixed_literal(c),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(),
            b'0'..=b'9' | b'.' | b'+' | b'-' => self.number_or_sign(c),
            _ => self.punctuation(c, next),
        }
    }

    fn punctuation(&mut self, c: u8, next: Option<u8>) -> TokenKind {
        let (kind, len) = match (c, next) {
            (b'=', Some(b'=')) => (TokenKind::Eq, 2),
            (b'=', _) => (TokenKind::Eq, 1),
            (b'!', Some(b'=')) | (b'<', Some(b'>')) => (TokenKind::Neq, 2),
            (b'<', Some(b'=')) => (TokenKind::Le, 2),
            (b'<', _) => (TokenKind::Lt, 1),
            (b'>', Some(b'=')) => (TokenKind::Ge, 2),
            (b'>', _) => (TokenKind::Gt, 1),
            (b':', _) => (TokenKind::Colon, 1),
            (b',', _) => (TokenKind::Comma, 1),
            (b'(', _) => (TokenKind::LParen, 1),
            (b')', _) => (TokenKind::RParen, 1),
            (b'[', _) => (TokenKind::LBrack, 1),
            (b']', _) => (TokenKind::RBrack, 1),
            (b'*', _) => (TokenKind::Asterisk, 1),
            _ => (TokenKind::Stray, utf8_len(c)),
        };
        self.pos = (self.pos + len).min(self.src.len());
        kind
    }

    /// Skips whitespace (the grammar's set, including Unicode spaces) and comments.
    fn skip_trivia(&mut self) {
        loop {
            let rest = &self.src[self.pos..];
            if let Some(n) = whitespace_len(rest) {
                self.pos += n;
            } else if rest.starts_with(b"/*") {
                match find(&rest[2..], b"*/") {
                    Some(i) => self.pos += i + 4,
                    None => return, // unterminated: lexes as a stray '/'
                }
            } else if rest.starts_with(b"//") {
                let n = rest.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(rest.len());
                self.pos += n;
            } else {
                return;
            }
        }
    }

    fn word(&mut self) -> TokenKind {
        let start = self.pos;
        let mut hyphen = false;
        self.pos += 1;
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => {}
                b'-' => hyphen = true,
                _ => break,
            }
            self.pos += 1;
        }
        if hyphen {
            return TokenKind::Ident { hyphen };
        }
        match &self.src[start..self.pos] {
            b"true" | b"false" => TokenKind::Bool,
            w => match keyword(w, self.dialect) {
                Some(k) => TokenKind::Keyword(k),
                None => TokenKind::Ident { hyphen },
            },
        }
    }

    /// Integers and floats with an optional sign glued on, or a lone sign / dot.
    fn number_or_sign(&mut self, c: u8) -> TokenKind {
        let start = self.pos;
        let negative = c == b'-';
        let body = if c == b'+' || c == b'-' { start + 1 } else { start };
        let int_end = self.digits_from(body);
        let float_end = self.fraction_end(int_end);
        if let Some(end) = float_end {
            self.pos = end;
            return if negative { TokenKind::FloatNeg } else { TokenKind::FloatPos };
        }
        if int_end == body {
            self.pos = start + 1;
            return if c == b'.' { TokenKind::Dot } else { TokenKind::Stray };
        }
        // "0" never takes more digits: "01" is two tokens, as in the grammar.
        self.pos = if self.src[body] == b'0' { body + 1 } else { int_end };
        if negative {
            TokenKind::IntNeg
        } else {
            TokenKind::IntPos
        }
    }

    fn digits_from(&self, mut i: usize) -> usize {
        while self.src.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    /// End of `.digits+` starting at `i`, if there is one.
    fn fraction_end(&self, i: usize) -> Option<usize> {
        if self.src.get(i) != Some(&b'.') {
            return None;
        }
        let end = self.digits_from(i + 1);
        (end > i + 1).then_some(end)
    }

    /// `'…'` with `\'` and `\\` as the only escapes.
    fn string(&mut self) -> TokenKind {
        let mut i = self.pos + 1;
        loop {
            match self.src.get(i) {
                None => {
                    self.pos = self.src.len();
                    return TokenKind::Error("unterminated string literal");
                }
                Some(b'\'') => {
                    self.pos = i + 1;
                    return TokenKind::Str;
                }
                Some(b'\\') => match self.src.get(i + 1) {
                    Some(b'\'') | Some(b'\\') => i += 2,
                    _ => {
                        self.pos = i + 1;
                        return TokenKind::Error("a string may only escape ' and \\ with a backslash");
                    }
                },
                Some(_) => i += 1,
            }
        }
    }

    /// `h'…'`, `b'…'` or `t'…'`: the quoted body must be well formed for its kind.
    fn prefixed_literal(&mut self, prefix: u8) -> TokenKind {
        let body_start = self.pos + 2;
        let close = self.src[body_start..].iter().position(|&b| b == b'\'');
        let Some(len) = close else {
            self.pos = self.src.len();
            return TokenKind::Error("unterminated literal");
        };
        let body = &self.src[body_start..body_start + len];
        self.pos = body_start + len + 1;
        let (ok, kind, message) = match prefix {
            b'h' => (is_hex_pairs(body), TokenKind::Hex, "a hex literal h'…' needs an even number of hex digits"),
            b'b' => (is_base64(body), TokenKind::Binary, "a binary literal b'…' needs non-empty, padded base64"),
            _ => (
                is_timestamp(body),
                TokenKind::Timestamp,
                "a timestamp literal t'…' needs the form YYYY-MM-DDTHH:MM:SS[.fraction]Z",
            ),
        };
        if ok {
            kind
        } else {
            TokenKind::Error(message)
        }
    }
}

/// The keyword a whole word spells, if any (`EXISTS` only in STIX 2.1).
pub(crate) fn keyword(word: &[u8], dialect: Dialect) -> Option<Keyword> {
    Some(match word {
        b"AND" => Keyword::And,
        b"OR" => Keyword::Or,
        b"NOT" => Keyword::Not,
        b"FOLLOWEDBY" => Keyword::FollowedBy,
        b"LIKE" => Keyword::Like,
        b"MATCHES" => Keyword::Matches,
        b"ISSUPERSET" => Keyword::IsSuperset,
        b"ISSUBSET" => Keyword::IsSubset,
        b"EXISTS" if dialect == Dialect::Stix21 => Keyword::Exists,
        b"LAST" => Keyword::Last,
        b"IN" => Keyword::In,
        b"START" => Keyword::Start,
        b"STOP" => Keyword::Stop,
        b"SECONDS" => Keyword::Seconds,
        b"WITHIN" => Keyword::Within,
        b"REPEATS" => Keyword::Repeats,
        b"TIMES" => Keyword::Times,
        _ => return None,
    })
}

/// Length of the whitespace character at the start of `rest`, if it starts with one.
fn whitespace_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C, ..] => Some(1),
        [0xC2, 0x85 | 0xA0, ..] => Some(2),
        [0xE1, 0x9A, 0x80, ..] => Some(3),                             // U+1680
        [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] => Some(3), // U+2000–200A, 2028, 2029, 202F
        [0xE2, 0x81, 0x9F, ..] => Some(3),                             // U+205F
        [0xE3, 0x80, 0x80, ..] => Some(3),                             // U+3000
        _ => None,
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_hex_pairs(body: &[u8]) -> bool {
    body.len().is_multiple_of(2) && body.iter().all(u8::is_ascii_hexdigit)
}

/// Padded base64 with at least one group, as the STIX grammar requires.
pub(crate) fn is_base64(body: &[u8]) -> bool {
    if body.is_empty() || !body.len().is_multiple_of(4) {
        return false;
    }
    let padding = body.iter().rev().take_while(|&&b| b == b'=').count();
    let data = &body[..body.len() - padding];
    padding <= 2 && data.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// `YYYY-MM-DDTHH:MM:SS[.d+]Z` with the field ranges the grammar enforces (month 01–12,
/// day 01–31, hour 00–23, minute 00–59, second 00–60). Calendar checks are the linter's.
pub(crate) fn is_timestamp(s: &[u8]) -> bool {
    if s.len() < 20 || s[s.len() - 1] != b'Z' {
        return false;
    }
    let shape_ok = s[4] == b'-'
        && s[7] == b'-'
        && s[10] == b'T'
        && s[13] == b':'
        && s[16] == b':'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| s[i].is_ascii_digit());
    if !shape_ok {
        return false;
    }
    let field = |i: usize| u32::from(s[i] - b'0') * 10 + u32::from(s[i + 1] - b'0');
    let ranges_ok = (1..=12).contains(&field(5))
        && (1..=31).contains(&field(8))
        && field(11) <= 23
        && field(14) <= 59
        && field(17) <= 60;
    let fraction = &s[19..s.len() - 1];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() >= 2 && fraction[0] == b'.' && fraction[1..].iter().all(u8::is_ascii_digit));
    ranges_ok && fraction_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let mut lexer = Lexer::new(src, Dialect::Stix21);
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token();
            if t.kind == TokenKind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn a_simple_comparison_is_seven_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("[ipv4-addr:value = '198.51.100.1']"),
            vec![LBrack, Ident { hyphen: true }, Colon, Ident { hyphen: false }, Eq, Str, RBrack]
        );
    }

    #[test]
    fn numbers_follow_the_grammar() {
        use TokenKind::*;
        assert_eq!(kinds("-5 +5 5 -.5 .5 01"), vec![IntNeg, IntPos, IntPos, FloatNeg, FloatPos, IntPos, IntPos]);
        assert_eq!(kinds("1.5.2"), vec![FloatPos, FloatPos]);
        assert_eq!(kinds("1."), vec![IntPos, Dot]);
    }

    #[test]
    fn keywords_are_whole_words_and_case_sensitive() {
        use TokenKind::*;
        assert_eq!(
            kinds("AND ANDROID and AND-x"),
            vec![
                Keyword(super::Keyword::And),
                Ident { hyphen: false },
                Ident { hyphen: false },
                Ident { hyphen: true }
            ]
        );
        assert_eq!(kinds("true TRUE"), vec![Bool, Ident { hyphen: false }]);
    }

    #[test]
    fn exists_is_a_keyword_only_in_2_1() {
        let mut lexer = Lexer::new("EXISTS", Dialect::Stix20);
        assert_eq!(lexer.next_token().kind, TokenKind::Ident { hyphen: false });
    }

    #[test]
    fn comments_and_unicode_spaces_are_skipped() {
        use TokenKind::*;
        assert_eq!(kinds("/* a */ [ // b\n ]\u{3000}\u{a0}"), vec![LBrack, RBrack]);
        assert_eq!(kinds("/* open"), vec![Stray, Asterisk, Ident { hyphen: false }]);
    }

    #[test]
    fn malformed_literals_are_errors() {
        for src in ["'a\\nb'", "'open", "h'abc'", "b'aGVsbG8'", "b''", "t'2016-13-01T00:00:00Z'"] {
            assert!(matches!(kinds(src)[0], TokenKind::Error(_)), "{src}");
        }
    }

    #[test]
    fn literal_shapes() {
        assert!(is_timestamp(b"2016-06-01T01:30:60.123Z"));
        assert!(!is_timestamp(b"2016-06-01T01:30:00.Z"));
        assert!(!is_timestamp(b"2016-06-01T24:00:00Z"));
        assert!(is_base64(b"aGVsbA=="));
        assert!(!is_base64(b"aGVs=bA="));
    }

    #[test]
    fn stray_multibyte_characters_do_not_split_utf8() {
        let mut lexer = Lexer::new("é", Dialect::Stix21);
        let t = lexer.next_token();
        assert_eq!((t.kind, t.end), (TokenKind::Stray, 2));
    }
}
