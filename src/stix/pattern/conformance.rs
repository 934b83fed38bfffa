//! Runs the conformance corpus in `tests/conformance/patterns/` against the reference
//! validator's verdicts (OASIS `stix2-patterns`).
//!
//! Plain `cargo test` uses the verdicts recorded in `expected.tsv`. With
//! `STIXPRESS_PATTERN_REFERENCE=<file>` naming the JSON lines that `reference.py` prints, the
//! live test compares against those instead. Either way a disagreement fails the test unless
//! `known-differences.txt` lists it with a reason, and a listed difference that no longer
//! occurs fails it too, so the list stays true.
//!
//! "Valid" on our side means what the reference checks: the pattern parses, and no value
//! tested against a fixed-length digest algorithm (MD5, SHA-*, …) has the wrong form.

use super::values::is_fixed_length_algorithm;
use super::{lint, parse, Dialect};

const CORPUS: &str = include_str!("../../../tests/conformance/patterns/corpus.json");
const EXPECTED: &str = include_str!("../../../tests/conformance/patterns/expected.tsv");
const KNOWN: &str = include_str!("../../../tests/conformance/patterns/known-differences.txt");

struct Case {
    version: String,
    pattern: String,
    reference_valid: bool,
}

fn our_verdict(version: &str, pattern: &str) -> bool {
    let dialect = if version == "2.0" { Dialect::Stix20 } else { Dialect::Stix21 };
    match parse(pattern, dialect) {
        Ok(parsed) => lint::hash_issues(&parsed).iter().all(|(algorithm, _)| !is_fixed_length_algorithm(algorithm)),
        Err(_) => false,
    }
}

/// `(version, pattern)` pairs of the known differences.
fn known_differences() -> Vec<(String, String)> {
    KNOWN
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut fields = l.splitn(3, '\t');
            let version = fields.next().unwrap_or_default().to_string();
            let pattern = unescape_field(fields.next().unwrap_or_default());
            (version, pattern)
        })
        .collect()
}

fn compare(cases: &[Case]) -> Result<usize, String> {
    let known = known_differences();
    let mut unexplained = Vec::new();
    let mut explained = Vec::new();
    for case in cases {
        let ours = our_verdict(&case.version, &case.pattern);
        if ours == case.reference_valid {
            continue;
        }
        let key = (case.version.clone(), case.pattern.clone());
        if known.contains(&key) {
            explained.push(key);
        } else {
            unexplained.push(format!(
                "{}\t{}\tours: {}, reference: {}",
                case.version,
                escape_field(&case.pattern),
                verdict(ours),
                verdict(case.reference_valid)
            ));
        }
    }
    let stale: Vec<String> =
        known.iter().filter(|k| !explained.contains(k)).map(|(v, p)| format!("{v}\t{}", escape_field(p))).collect();
    if unexplained.is_empty() && stale.is_empty() {
        return Ok(cases.len());
    }
    Err(format!(
        "unexplained disagreements:\n{}\nknown differences that no longer occur:\n{}",
        unexplained.join("\n"),
        stale.join("\n")
    ))
}

fn verdict(valid: bool) -> &'static str {
    if valid {
        "valid"
    } else {
        "invalid"
    }
}

#[test]
fn corpus_agrees_with_recorded_reference_verdicts() {
    let cases: Vec<Case> = EXPECTED
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut fields = l.splitn(3, '\t');
            let version = fields.next().unwrap_or_default().to_string();
            let reference_valid = fields.next() == Some("true");
            let pattern = unescape_field(fields.next().unwrap_or_default());
            Case { version, pattern, reference_valid }
        })
        .collect();
    assert!(cases.len() >= 350, "only {} recorded cases", cases.len());
    if let Err(report) = compare(&cases) {
        panic!("{report}");
    }
}

#[test]
fn corpus_agrees_with_live_reference_verdicts() {
    let Ok(path) = std::env::var("STIXPRESS_PATTERN_REFERENCE") else {
        eprintln!("STIXPRESS_PATTERN_REFERENCE not set: live reference comparison skipped");
        return;
    };
    let lines = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read reference verdicts {path}: {e}"));
    let corpus = json::parse(CORPUS).expect("corpus.json is not valid JSON");
    let entries = corpus.as_array().expect("corpus.json is not an array");
    let mut cases = Vec::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let verdict = json::parse(line).unwrap_or_else(|| panic!("not JSON: {line}"));
        let index = verdict.get("index").and_then(json::Value::as_number).expect("index") as usize;
        let entry = &entries[index];
        cases.push(Case {
            version: entry.get("version").and_then(json::Value::as_str).expect("version").to_string(),
            pattern: entry.get("pattern").and_then(json::Value::as_str).expect("pattern").to_string(),
            reference_valid: verdict.get("valid").and_then(json::Value::as_bool).expect("valid"),
        });
    }
    assert_eq!(cases.len(), entries.len(), "one verdict per corpus entry");
    if let Err(report) = compare(&cases) {
        panic!("{report}");
    }
}

/// Every corpus entry is recorded in `expected.tsv`, in order.
#[test]
fn recorded_verdicts_cover_the_corpus() {
    let corpus = json::parse(CORPUS).expect("corpus.json is not valid JSON");
    let entries = corpus.as_array().expect("corpus.json is not an array");
    let recorded: Vec<&str> = EXPECTED.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), recorded.len());
    for (entry, line) in entries.iter().zip(recorded) {
        let pattern = entry.get("pattern").and_then(json::Value::as_str).unwrap();
        assert!(line.ends_with(&escape_field(pattern)), "{line}");
    }
}

/// Tabs, newlines and backslashes in a TSV field are written `\t`, `\n`, `\r`, `\\`.
fn unescape_field(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn escape_field(field: &str) -> String {
    field.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

/// Just enough JSON to read the corpus and the reference's verdict lines.
mod json {
    #[derive(Debug)]
    pub enum Value {
        Null,
        Bool(bool),
        Number(f64),
        Str(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    impl Value {
        pub fn get(&self, key: &str) -> Option<&Value> {
            match self {
                Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
                _ => None,
            }
        }
        pub fn as_str(&self) -> Option<&str> {
            match self {
                Value::Str(s) => Some(s),
                _ => None,
            }
        }
        pub fn as_bool(&self) -> Option<bool> {
            match self {
                Value::Bool(b) => Some(*b),
                _ => None,
            }
        }
        pub fn as_number(&self) -> Option<f64> {
            match self {
                Value::Number(n) => Some(*n),
                _ => None,
            }
        }
        pub fn as_array(&self) -> Option<&[Value]> {
            match self {
                Value::Array(items) => Some(items),
                _ => None,
            }
        }
    }

    pub fn parse(text: &str) -> Option<Value> {
        let mut reader = Reader { chars: text.chars().collect(), pos: 0 };
        let value = reader.value()?;
        reader.skip_ws();
        (reader.pos == reader.chars.len()).then_some(value)
    }

    struct Reader {
        chars: Vec<char>,
        pos: usize,
    }

    impl Reader {
        fn skip_ws(&mut self) {
            while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
                self.pos += 1;
            }
        }

        fn eat(&mut self, c: char) -> Option<()> {
            self.skip_ws();
            (self.chars.get(self.pos) == Some(&c)).then(|| self.pos += 1)
        }

        fn value(&mut self) -> Option<Value> {
            self.skip_ws();
            match *self.chars.get(self.pos)? {
                '{' => self.object(),
                '[' => self.array(),
                '"' => self.string().map(Value::Str),
                't' => self.word("true", Value::Bool(true)),
                'f' => self.word("false", Value::Bool(false)),
                'n' => self.word("null", Value::Null),
                _ => self.number(),
            }
        }

        fn word(&mut self, word: &str, value: Value) -> Option<Value> {
            let end = self.pos + word.len();
            let found: String = self.chars.get(self.pos..end)?.iter().collect();
            (found == word).then(|| {
                self.pos = end;
                value
            })
        }

        fn number(&mut self) -> Option<Value> {
            let start = self.pos;
            while self.chars.get(self.pos).is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(*c)) {
                self.pos += 1;
            }
            let text: String = self.chars[start..self.pos].iter().collect();
            text.parse().ok().map(Value::Number)
        }

        fn array(&mut self) -> Option<Value> {
            self.eat('[')?;
            let mut items = Vec::new();
            if self.eat(']').is_some() {
                return Some(Value::Array(items));
            }
            loop {
                items.push(self.value()?);
                if self.eat(']').is_some() {
                    return Some(Value::Array(items));
                }
                self.eat(',')?;
            }
        }

        fn object(&mut self) -> Option<Value> {
            self.eat('{')?;
            let mut fields = Vec::new();
            if self.eat('}').is_some() {
                return Some(Value::Object(fields));
            }
            loop {
                self.skip_ws();
                let key = self.string()?;
                self.eat(':')?;
                fields.push((key, self.value()?));
                if self.eat('}').is_some() {
                    return Some(Value::Object(fields));
                }
                self.eat(',')?;
            }
        }

        fn string(&mut self) -> Option<String> {
            self.eat('"')?;
            let mut out = String::new();
            loop {
                let c = *self.chars.get(self.pos)?;
                self.pos += 1;
                match c {
                    '"' => return Some(out),
                    '\\' => out.push(self.escape()?),
                    c => out.push(c),
                }
            }
        }

        fn escape(&mut self) -> Option<char> {
            let c = *self.chars.get(self.pos)?;
            self.pos += 1;
            Some(match c {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => return self.unicode_escape(),
                other => other,
            })
        }

        fn unicode_escape(&mut self) -> Option<char> {
            let high = self.hex4()?;
            if !(0xD800..0xDC00).contains(&high) {
                return char::from_u32(high);
            }
            // A surrogate pair: \uD83D\uDE00.
            if self.chars.get(self.pos..self.pos + 2)? != ['\\', 'u'] {
                return None;
            }
            self.pos += 2;
            let low = self.hex4()?;
            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low.checked_sub(0xDC00)?))
        }

        fn hex4(&mut self) -> Option<u32> {
            let digits: String = self.chars.get(self.pos..self.pos + 4)?.iter().collect();
            self.pos += 4;
            u32::from_str_radix(&digits, 16).ok()
        }
    }

    #[test]
    fn reads_what_python_writes() {
        let v = parse(r#"[{"pattern": "[a:b = 'x\\y\"\u00e9\ud83d\ude00']", "n": 3, "ok": true}]"#).unwrap();
        let first = &v.as_array().unwrap()[0];
        assert_eq!(first.get("pattern").unwrap().as_str().unwrap(), "[a:b = 'x\\y\"é😀']");
        assert_eq!(first.get("n").unwrap().as_number(), Some(3.0));
        assert_eq!(first.get("ok").unwrap().as_bool(), Some(true));
    }
}
