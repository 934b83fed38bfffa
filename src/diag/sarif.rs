//! The sarif format (SARIF 2.1.0), which code-scanning services show on pull requests.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Diagnostic, Severity, Summary};

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
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

fn result(d: &Diagnostic) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(&format!(" Help: {help}"));
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
        result["properties"] = json!({"objectId": id, "pointer": d.pointer});
    }
    result
}

/// SARIF wants URIs: relative paths with forward slashes, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    path.replace('%', "%25").replace(' ', "%20")
}
