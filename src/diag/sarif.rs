//! The sarif format (SARIF 2.1.0), which code-scanning services show on pull requests.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value};

use super::{is_hostile, printable, Diagnostic, Severity, Summary};

pub fn print_sarif(out: &mut dyn Write, diagnostics: &[Diagnostic], _summary: &Summary) -> io::Result<()> {
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    for d in diagnostics {
        rules.entry(d.code).or_insert_with(|| {
            json!({"id": d.code, "name": d.code, "helpUri": format!("https://stixpress.invalid/diagnostics#{}", d.code)})
        });
    }
    let results: Vec<Value> = diagnostics.iter().map(result).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stixpress",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(super::json::TerminalSafe(&mut *out), &log).map_err(io::Error::other)?;
    writeln!(out)
}

fn result(d: &Diagnostic) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut text = printable(&d.message).into_owned();
    if let Some(help) = &d.help {
        text.push_str(&format!(" Help: {}", printable(help)));
    }
    let mut region = serde_json::Map::new();
    if let Some(line) = d.location.line {
        region.insert("startLine".into(), json!(line));
    }
    if let Some(column) = d.location.column {
        region.insert("startColumn".into(), json!(column));
    }
    let mut physical = json!({"artifactLocation": {"uri": uri(&d.location.file.display().to_string())}});
    if !region.is_empty() {
        physical["region"] = Value::Object(region);
    }
    let mut result = json!({
        "ruleId": d.code,
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    });
    if let Some(id) = &d.object_id {
        let pointer = d.pointer.as_deref().map(|p| printable(p).into_owned());
        result["properties"] = json!({"objectId": printable(id), "pointer": pointer});
    }
    result
}

/// SARIF wants URIs: relative paths with forward slashes, spaces, `%` and control and bidi
/// characters percent-encoded.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '%' || c == ' ' || is_hostile(c) {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_in_text_and_encoded_in_uris() {
        assert_eq!(uri("./a b%\u{1b}.json"), "a%20b%25%1B.json");
        let d = Diagnostic::warning("x", "m\u{1b}[31m").in_file("f.json").with_help("h\u{202e}");
        assert_eq!(result(&d)["message"]["text"], "m\\u{1b}[31m Help: h\\u{202e}");
    }
}
