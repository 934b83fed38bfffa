//! Sigma rules: one YAML document, checked against what Sigma's rule specification requires of
//! every rule: a `title`, a `logsource` naming a category, product or service, and a
//! `detection` whose `condition` names only the searches it defines. `status` and `level`, when
//! given, take the specification's values.

use std::collections::BTreeSet;

use yaml_rust2::{Yaml, YamlLoader};

use super::Problem;

const STATUSES: &[&str] = &["stable", "test", "experimental", "deprecated", "unsupported"];
const LEVELS: &[&str] = &["informational", "low", "medium", "high", "critical"];
/// Words of Sigma's condition language that are not search names.
const CONDITION_WORDS: &[&str] = &["and", "or", "not", "of", "them", "all", "any"];
/// Deeper flow nesting than any rule needs; a hostile pattern could nest far deeper.
const MAX_NESTING: usize = 64;
/// Columns of indentation, likewise.
const MAX_INDENT: usize = 400;

/// Checks the pattern of one indicator: exactly one Sigma rule.
pub fn check(text: &str) -> Result<(), Problem> {
    nesting(text)?;
    let documents = YamlLoader::load_from_str(text).map_err(|e| {
        let offset = text.char_indices().nth(e.marker().index()).map_or(text.len(), |(i, _)| i);
        Problem::at(offset, format!("YAML: {}", e.info()))
    })?;
    let rule = match documents.as_slice() {
        [rule] => rule,
        [] => return Err(Problem::at(0, "the pattern holds no YAML document")),
        _ => {
            let second = text.find("\n---").map_or(0, |i| i + 1);
            let message =
                format!("the pattern holds {} YAML documents; an indicator carries one Sigma rule", documents.len());
            return Err(Problem::at(second, message));
        }
    };
    if rule.as_hash().is_none() {
        return Err(Problem::at(0, "a Sigma rule is a YAML mapping (title:, logsource:, detection:)"));
    }
    let key_at = |key: &str| key_offset(text, key);
    match rule["title"].as_str() {
        Some(title) if !title.trim().is_empty() && title.len() <= 256 => {}
        _ => return Err(Problem::at(key_at("title"), "a Sigma rule needs a `title` (text, at most 256 characters)")),
    }
    logsource(&rule["logsource"]).map_err(|m| Problem::at(key_at("logsource"), m))?;
    detection(&rule["detection"]).map_err(|m| Problem::at(key_at("detection"), m))?;
    for (key, allowed) in [("status", STATUSES), ("level", LEVELS)] {
        let value = &rule[key];
        if !value.is_badvalue() && !value.as_str().is_some_and(|v| allowed.contains(&v)) {
            return Err(Problem::at(key_at(key), format!("`{key}` is one of {}", allowed.join(", "))));
        }
    }
    Ok(())
}

fn logsource(value: &Yaml) -> Result<(), String> {
    if value.as_hash().is_none() {
        return Err("a Sigma rule needs a `logsource` mapping (category, product, service)".into());
    }
    let named = ["category", "product", "service"].iter().any(|k| value[*k].as_str().is_some_and(|v| !v.is_empty()));
    match named {
        true => Ok(()),
        false => Err("`logsource` names a `category`, `product` or `service`".into()),
    }
}

fn detection(value: &Yaml) -> Result<(), String> {
    let Some(map) = value.as_hash() else {
        return Err("a Sigma rule needs a `detection` mapping with searches and a `condition`".into());
    };
    // Sorted: a condition may name any number of searches, each looked up (or its prefix found).
    let searches: BTreeSet<&str> =
        map.iter().filter_map(|(k, _)| k.as_str()).filter(|k| *k != "condition" && *k != "timeframe").collect();
    if searches.is_empty() {
        return Err("`detection` defines no search (a named selection next to `condition`)".into());
    }
    let conditions: Vec<&str> = match &value["condition"] {
        Yaml::String(one) => vec![one.as_str()],
        Yaml::Array(many) => many.iter().filter_map(Yaml::as_str).collect(),
        _ => return Err("`detection` needs a `condition` (text, or a list of texts)".into()),
    };
    if conditions.is_empty() {
        return Err("`detection` needs a `condition` (text, or a list of texts)".into());
    }
    for condition in conditions {
        for word in
            condition.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '|').filter(|w| !w.is_empty())
        {
            if CONDITION_WORDS.contains(&word) || word.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let known = match word.strip_suffix('*') {
                Some(prefix) => super::any_starts_with(&searches, prefix),
                None => searches.contains(word),
            };
            if !known {
                return Err(format!("the condition names `{word}`, which `detection` does not define"));
            }
        }
    }
    Ok(())
}

/// Refuses YAML nested deeper than [`MAX_NESTING`] flow collections, or indented (with compact
/// `- ` and `? ` entries counted) past [`MAX_INDENT`], before the YAML reader builds it.
fn nesting(text: &str) -> Result<(), Problem> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut rest = line.trim_start_matches(' ');
        let mut depth = line.len() - rest.len();
        while let Some(inner) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            rest = inner.trim_start_matches(' ');
            depth += 2;
        }
        if depth > MAX_INDENT {
            return Err(Problem::at(offset, "YAML indented deeper than a Sigma rule needs"));
        }
        offset += line.len();
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Problem::at(i, "YAML nested deeper than a Sigma rule needs"));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Where a top-level key starts (`key:` at the start of a line), else the start.
fn key_offset(text: &str, key: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')) {
            return offset;
        }
        offset += line.len();
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: T\nlogsource:\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\x.exe'\n    filter_a:\n        User: x\n    condition: selection and not 1 of filter_*\nlevel: high\n";

    #[test]
    fn a_rule_with_title_logsource_and_detection_passes() {
        assert_eq!(check(RULE), Ok(()));
    }

    #[test]
    fn what_sigma_would_refuse_is_found() {
        let problem = |text: &str| check(text).expect_err(text);
        assert!(problem(&RULE.replace("title: T\n", "")).message.contains("title"));
        assert!(problem(&RULE.replace("product", "vendor")).message.contains("logsource"));
        let missing = problem(&RULE.replace("selection and", "other and"));
        assert!(missing.message.contains("`other`"));
        assert_eq!(missing.offset, RULE.find("detection").unwrap());
        assert!(problem(&RULE.replace("high", "severe")).message.contains("level"));
        assert!(problem(&format!("{RULE}---\n{RULE}")).message.contains("2 YAML documents"));
        assert!(problem("title: [unclosed").message.contains("YAML"));
        assert!(problem("- a list").message.contains("mapping"));
        assert!(problem(&"[".repeat(100_000)).message.contains("deeper"));
        assert!(problem(&format!("{}x", "- ".repeat(100_000))).message.contains("deeper"));
        let unknown_prefix = problem(&RULE.replace("filter_*", "filter_b* or filter_*"));
        assert!(unknown_prefix.message.contains("`filter_b*`"), "{unknown_prefix:?}");
    }

    #[test]
    fn a_condition_naming_a_hundred_thousand_searches_is_checked_at_once() {
        // Each word looked for among every search, this took seconds.
        let searches: String = (0..100_000).map(|i| format!("    s{i}:\n        User: x\n")).collect();
        let condition: Vec<String> = (0..100_000).map(|i| format!("s{i}")).collect();
        let rule = format!(
            "title: T\nlogsource:\n    product: windows\ndetection:\n{searches}    condition: {} or 1 of s9*\n",
            condition.join(" or ")
        );
        assert_eq!(check(&rule), Ok(()));
        let missing = check(&rule.replace("or s99999 ", "or s100000 ")).expect_err("an unknown search");
        assert!(missing.message.contains("`s100000`"), "{missing:?}");
    }
}
