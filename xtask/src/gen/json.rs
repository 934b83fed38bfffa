//! A small writer of pretty-printed JSON (four-space indentation, the layout of the bundles in
//! mitre/cti), so the generator controls property order and never builds a value tree per object.
//! It writes what it is told: callers keep objects and arrays balanced and never write empty lists.

use std::fmt::Display;

#[derive(Default)]
pub struct Json {
    out: Vec<u8>,
    depth: usize,
    first: bool,
}

impl Json {
    pub fn bytes(&self) -> &[u8] {
        &self.out
    }

    pub fn clear(&mut self) {
        self.out.clear();
        self.depth = 0;
        self.first = false;
    }

    /// Ends the document with a newline, as text files end.
    pub fn end_document(&mut self) {
        self.out.push(b'\n');
    }

    pub fn begin_object(&mut self) {
        self.open(b'{');
    }

    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    pub fn begin_array(&mut self) {
        self.open(b'[');
    }

    pub fn end_array(&mut self) {
        self.close(b']');
    }

    /// Starts a property of the current object; write its value next.
    pub fn key(&mut self, name: &str) {
        self.separate();
        self.string(name);
        self.out.extend_from_slice(b": ");
    }

    /// Starts an element of the current array; write its value next.
    pub fn element(&mut self) {
        self.separate();
    }

    pub fn string(&mut self, text: &str) {
        self.out.push(b'"');
        let bytes = text.as_bytes();
        let mut start = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0..=0x1f => b"",
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[start..i]);
            if escape.is_empty() {
                self.out.extend_from_slice(format!("\\u{byte:04x}").as_bytes());
            } else {
                self.out.extend_from_slice(escape);
            }
            start = i + 1;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }

    /// A number or a boolean, written as `Display` writes it.
    pub fn literal(&mut self, value: impl Display) {
        self.out.extend_from_slice(value.to_string().as_bytes());
    }

    pub fn str_field(&mut self, name: &str, value: &str) {
        self.key(name);
        self.string(value);
    }

    pub fn literal_field(&mut self, name: &str, value: impl Display) {
        self.key(name);
        self.literal(value);
    }

    /// A property holding a list of strings; `values` must not be empty.
    pub fn strs_field<S: AsRef<str>>(&mut self, name: &str, values: &[S]) {
        self.key(name);
        self.begin_array();
        for value in values {
            self.element();
            self.string(value.as_ref());
        }
        self.end_array();
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.first {
            self.newline();
        }
        self.out.push(bracket);
        self.first = false;
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.newline();
        self.first = false;
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"    ");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_pretty_json_with_escapes() {
        let mut json = Json::default();
        json.begin_object();
        json.str_field("name", "a \"quoted\" \\ line\n\u{1}");
        json.strs_field("labels", &["x", "y"]);
        json.literal_field("count", 3);
        json.end_object();
        let text = String::from_utf8(json.bytes().to_vec()).unwrap();
        assert_eq!(
            text,
            "{\n    \"name\": \"a \\\"quoted\\\" \\\\ line\\n\\u0001\",\n    \"labels\": [\n        \"x\",\n        \"y\"\n    ],\n    \"count\": 3\n}"
        );
    }
}
