//! The little of YARA's syntax that stixpress reads: indicators whose `pattern_type` is `yara`
//! carry rules, which `check` looks over and the feeds collect into one file.

/// The names after each `rule` keyword (`rule name`, `private global rule name : tag {`), as
/// written, one per rule line; whether each is a valid identifier is the caller's question.
pub fn rule_names(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace().skip_while(|w| *w == "private" || *w == "global");
            (words.next() == Some("rule")).then(|| words.next().unwrap_or_default())
        })
        .map(|word| word.split(['{', ':']).next().unwrap_or_default())
        .collect()
}

/// Whether a rule name is a YARA identifier: a letter or `_`, then letters, digits and `_`,
/// at most 128 characters.
pub fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rule_names() {
        let source = "import \"pe\"\nrule first : tag {\n condition: true\n}\nprivate global rule second{ condition: false }\nrule";
        assert_eq!(rule_names(source), vec!["first", "second", ""]);
        assert!(is_identifier("first") && !is_identifier("1st") && !is_identifier(""));
    }
}
