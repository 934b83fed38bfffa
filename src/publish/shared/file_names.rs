//! Names of generated files made from contributed text.

/// A prefix as a file name: its UTF-8 bytes in hex (any character, no path tricks).
pub(crate) fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
