//! What to call an object when it has no `name`: the property a reader would recognise it by
//! (a domain's value, a file's name, a note's abstract), so lists and links never show a bare
//! id where something better exists. Relationships and sightings are named from their ends,
//! which only the Store knows (see `link`).

use serde_json::{Map, Value};

/// The longest label kept; longer texts (a pattern, a command line) are cut at a character.
const MAX_LABEL: usize = 120;

/// A label for an object from its own properties, or `None` when nothing better than its id
/// exists.
pub fn label_of(object_type: &str, members: &Map<String, Value>) -> Option<String> {
    let text = |key: &str| members.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let chosen = match object_type {
        "autonomous-system" => members.get("number").and_then(Value::as_u64).map(|n| format!("AS{n}")),
        "directory" => text("path").map(str::to_owned),
        "windows-registry-key" => text("key").map(str::to_owned),
        "email-message" | "x509-certificate" => text("subject").map(str::to_owned),
        "user-account" => text("account_login").or(text("display_name")).or(text("user_id")).map(str::to_owned),
        "process" => text("command_line")
            .map(str::to_owned)
            .or_else(|| members.get("pid").and_then(Value::as_i64).map(|pid| format!("process {pid}"))),
        "note" => text("abstract").or(text("content")).map(str::to_owned),
        "opinion" => text("opinion").map(|o| format!("Opinion: {o}")),
        "artifact" => text("url").map(str::to_owned).or_else(|| first_hash(members)),
        "file" => text("name").map(str::to_owned).or_else(|| first_hash(members)),
        "indicator" => text("name").or(text("pattern")).map(str::to_owned),
        "observed-data" => text("first_observed").map(|t| format!("Observed data, {t}")),
        "language-content" => text("object_ref").map(|_| "Translated content".to_owned()),
        _ => text("name").or(text("value")).map(str::to_owned),
    };
    chosen.map(|label| truncate(&label))
}

fn first_hash(members: &Map<String, Value>) -> Option<String> {
    let hashes = members.get("hashes")?.as_object()?;
    hashes.iter().find_map(|(algorithm, value)| value.as_str().map(|v| format!("{algorithm} {v}")))
}

fn truncate(text: &str) -> String {
    let single_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match single_line.char_indices().nth(MAX_LABEL) {
        Some((cut, _)) => format!("{}…", &single_line[..cut]),
        None => single_line,
    }
}

/// `attack-pattern` → `Attack Pattern`; ATT&CK's `x-mitre-tactic` → `Tactic`.
pub fn type_label(object_type: &str) -> String {
    let bare = object_type.strip_prefix("x-mitre-").unwrap_or(object_type);
    let mut label = String::with_capacity(bare.len());
    for (i, word) in bare.split('-').enumerate() {
        if i > 0 {
            label.push(' ');
        }
        match word {
            "of" if i > 0 => label.push_str("of"),
            "ipv4" | "ipv6" | "mac" | "url" => label.push_str(&word.to_uppercase().replace("IPV", "IPv")),
            "addr" => label.push_str("Address"),
            "x509" => label.push_str("X.509"),
            _ => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    label.extend(first.to_uppercase());
                    label.push_str(chars.as_str());
                }
            }
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(object_type: &str, json: &str) -> Option<String> {
        let value: Value = serde_json::from_str(json).unwrap();
        label_of(object_type, value.as_object().unwrap())
    }

    #[test]
    fn observables_are_called_by_what_identifies_them() {
        assert_eq!(label("domain-name", r#"{"value": "relay.example"}"#).as_deref(), Some("relay.example"));
        assert_eq!(label("autonomous-system", r#"{"number": 64500}"#).as_deref(), Some("AS64500"));
        assert_eq!(label("file", r#"{"hashes": {"SHA-256": "ab"}}"#).as_deref(), Some("SHA-256 ab"));
        assert_eq!(label("note", r#"{"abstract": "  Seen twice "}"#).as_deref(), Some("Seen twice"));
    }

    #[test]
    fn nothing_better_than_the_id_gives_none() {
        assert_eq!(label("network-traffic", r#"{"protocols": ["tcp"]}"#), None);
        assert_eq!(label("malware", r#"{"name": "   "}"#), None);
    }

    #[test]
    fn long_labels_are_cut_on_one_line() {
        let long = format!("{{\"pattern\": \"[a:b = '{}'\\n]\"}}", "x".repeat(300));
        let got = label("indicator", &long).unwrap();
        assert_eq!(got.chars().count(), MAX_LABEL + 1);
        assert!(!got.contains('\n') && got.ends_with('…'));
    }
}
