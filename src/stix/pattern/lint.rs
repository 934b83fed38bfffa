//! Checks a parsed pattern against the cyber-observable model and the values it compares.
//!
//! Parsing answers "is this grammatical?"; linting answers "does it make sense?": object types
//! and properties that do not exist, addresses that are not addresses, digests of the wrong
//! length, ports out of range, qualifiers that can never match. Every finding is reported; the
//! caller decides how severe each kind is. Nothing here fails or allocates per clean comparison
//! beyond the result vector.

use super::ast::{
    Comparison, Literal, LiteralKind, ObservationExpr, Operator, PathStep, Pattern, QualifierKind, Span, Value,
};
use super::model::{self, Prop, Shape};
use super::values;
use super::{column_of, IssueKind, PatternIssue};

pub(crate) fn lint(pattern: &Pattern) -> Vec<PatternIssue> {
    let mut issues = Vec::new();
    for comparison in pattern.comparisons() {
        if let Some(issue) = path_issue(pattern, comparison) {
            issues.push(issue);
        }
        value_issues(pattern, comparison, &mut issues);
    }
    qualifier_issues(pattern, &pattern.root, &mut issues);
    issues.sort_by_key(|i| i.offset);
    issues
}

fn issue(pattern: &Pattern, span: &Span, kind: IssueKind, message: String) -> PatternIssue {
    PatternIssue { offset: span.start, column: column_of(&pattern.source, span.start), kind, message }
}

/// The text of a path step's key, unquoted.
pub(crate) fn key_text(pattern: &Pattern, span: &Span, quoted: bool) -> String {
    let raw = pattern.text(span);
    if quoted {
        super::ast::unescape(&raw[1..raw.len() - 1])
    } else {
        raw.to_string()
    }
}

// ---- object types and properties ----

/// Where a walk through the model stands after some steps.
enum Node {
    /// A closed object: only these properties (plus the common ones at the top).
    Object {
        props: &'static [Prop],
        top: bool,
        extensions: &'static [model::Extension],
    },
    Extensions(&'static [model::Extension]),
    Shape(Shape),
    /// Anything may follow (custom content, dictionaries, referenced objects).
    Open,
}

fn path_issue(pattern: &Pattern, comparison: &Comparison) -> Option<PatternIssue> {
    let path = &comparison.path;
    let type_name = pattern.text(&path.object_type);
    let Some(observable) = model::observable_type(type_name) else {
        if model::is_custom_type(type_name) {
            return None;
        }
        let message = format!("'{type_name}' is not a STIX cyber-observable type (custom types start with 'x-')");
        return Some(issue(pattern, &path.object_type, IssueKind::UnknownObjectType, message));
    };
    let mut node = Node::Object { props: observable.props, top: true, extensions: observable.extensions };
    let mut owner = type_name.to_string();
    for step in &path.steps {
        let next = step_into(pattern, node, step, &owner);
        match next {
            Ok(n) => node = n,
            Err(message) => {
                let span = step_span(step, &path.span);
                return Some(issue(pattern, &span, IssueKind::UnknownProperty, message));
            }
        }
        if let PathStep::Key { span, quoted } = step {
            owner = key_text(pattern, span, *quoted);
        }
        if matches!(node, Node::Open) {
            return None;
        }
    }
    None
}

fn step_span(step: &PathStep, path: &Span) -> Span {
    match step {
        PathStep::Key { span, .. } | PathStep::Index(span) => span.clone(),
        PathStep::AnyIndex => path.clone(),
    }
}

/// One step of the walk, or the reason it cannot be taken.
fn step_into(pattern: &Pattern, node: Node, step: &PathStep, owner: &str) -> Result<Node, String> {
    let key = match step {
        PathStep::Key { span, quoted } => key_text(pattern, span, *quoted),
        PathStep::Index(_) | PathStep::AnyIndex => return Ok(index_into(node)),
    };
    if model::is_custom_property(&key) {
        return Ok(Node::Open);
    }
    match node {
        Node::Object { props, top, extensions } => {
            let prop = model::find_prop(props, top, &key, pattern.dialect)
                .ok_or_else(|| format!("'{key}' is not a property of {owner}"))?;
            Ok(match prop.shape {
                Shape::Extensions => Node::Extensions(extensions),
                shape => Node::Shape(shape),
            })
        }
        Node::Extensions(known) => match known.iter().find(|e| e.name == key) {
            Some(ext) => Ok(Node::Object { props: ext.props, top: false, extensions: &[] }),
            None if model::is_custom_extension(&key) => Ok(Node::Open),
            None => Err(format!("'{key}' is not a predefined extension of {owner}")),
        },
        Node::Shape(Shape::Object(props)) => {
            step_into(pattern, Node::Object { props, top: false, extensions: &[] }, step, owner)
        }
        Node::Shape(Shape::Hashes) => Ok(Node::Shape(Shape::Scalar)),
        Node::Shape(Shape::Scalar | Shape::List) => Err(format!("'{owner}' has no property '{key}'")),
        _ => Ok(Node::Open),
    }
}

fn index_into(node: Node) -> Node {
    match node {
        Node::Shape(Shape::List) => Node::Shape(Shape::Scalar),
        Node::Shape(Shape::ListOf(props)) => Node::Object { props, top: false, extensions: &[] },
        // An index on something that is not a list is odd but not worth a second finding.
        _ => Node::Open,
    }
}

// ---- values ----

/// The literals a comparison tests for equality (`=`, `!=`, each member of `IN`).
fn equality_values(comparison: &Comparison) -> &[Literal] {
    match (&comparison.operator, &comparison.value) {
        (Operator::Eq | Operator::Neq, Value::One(lit)) => std::slice::from_ref(lit),
        (Operator::In, Value::Set(items)) => items,
        _ => &[],
    }
}

/// The literals that stand for values of the property: those of [`equality_values`] and the
/// operand of an ordering. (LIKE, MATCHES, ISSUBSET and ISSUPERSET take patterns, not values.)
fn value_operands(comparison: &Comparison) -> &[Literal] {
    match (&comparison.operator, &comparison.value) {
        (Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge, Value::One(lit)) => std::slice::from_ref(lit),
        _ => equality_values(comparison),
    }
}

fn value_issues(pattern: &Pattern, comparison: &Comparison, out: &mut Vec<PatternIssue>) {
    let type_name = pattern.text(&comparison.path.object_type);
    let first = first_key(pattern, comparison);
    let single = comparison.path.steps.len() == 1;
    for lit in equality_values(comparison) {
        let problem = match (type_name, first.as_deref()) {
            ("ipv4-addr", Some("value")) if single => string_check(pattern, lit, values::ipv4_problem),
            ("ipv6-addr", Some("value")) if single => string_check(pattern, lit, values::ipv6_problem),
            ("mac-addr", Some("value")) if single => string_check(pattern, lit, values::mac_problem),
            ("network-traffic", Some("src_port" | "dst_port")) if single => port_problem(pattern, lit),
            _ => None,
        };
        if let Some(message) = problem {
            out.push(issue(pattern, &lit.span, IssueKind::InvalidValue, message));
        }
    }
    if matches!(comparison.operator, Operator::IsSubset | Operator::IsSuperset) {
        subnet_issue(pattern, comparison, type_name, out);
    }
    for (_, issue) in hash_issues_of(pattern, comparison) {
        out.push(issue);
    }
    timestamp_issues(pattern, comparison, out);
}

fn first_key(pattern: &Pattern, comparison: &Comparison) -> Option<String> {
    match comparison.path.steps.first()? {
        PathStep::Key { span, quoted } => Some(key_text(pattern, span, *quoted)),
        _ => None,
    }
}

fn string_check(pattern: &Pattern, lit: &Literal, check: fn(&str) -> Option<String>) -> Option<String> {
    if lit.kind != LiteralKind::Str {
        return Some(format!("expected a string, found {}", pattern.text(&lit.span)));
    }
    check(&lit.value(&pattern.source))
}

fn port_problem(pattern: &Pattern, lit: &Literal) -> Option<String> {
    let text = pattern.text(&lit.span);
    if lit.kind != LiteralKind::Int {
        return Some(format!("a port is an integer, not {text}"));
    }
    match text.trim_start_matches('+').parse::<u32>() {
        Ok(port) if port <= 65535 => None,
        _ => Some(format!("{text} is not a port number (0–65535)")),
    }
}

fn subnet_issue(pattern: &Pattern, comparison: &Comparison, type_name: &str, out: &mut Vec<PatternIssue>) {
    let Value::One(lit) = &comparison.value else {
        return;
    };
    let check = match type_name {
        "ipv4-addr" => values::ipv4_problem,
        "ipv6-addr" => values::ipv6_problem,
        _ => values::ip_problem,
    };
    if let Some(message) = string_check(pattern, lit, check) {
        out.push(issue(pattern, &lit.span, IssueKind::InvalidValue, message));
    }
}

/// Digest findings with the algorithm each concerns: a comparison on `…hashes.<algorithm>`
/// whose tested values do not fit the algorithm.
#[cfg(test)]
pub(crate) fn hash_issues(pattern: &Pattern) -> Vec<(String, PatternIssue)> {
    pattern.comparisons().into_iter().flat_map(|c| hash_issues_of(pattern, c)).collect()
}

fn hash_issues_of(pattern: &Pattern, comparison: &Comparison) -> Vec<(String, PatternIssue)> {
    let Some(algorithm) = hash_algorithm(pattern, &comparison.path.steps) else {
        return Vec::new();
    };
    if !values::is_known_algorithm(&algorithm) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for lit in value_operands(comparison) {
        let problem = if lit.kind == LiteralKind::Str {
            values::hash_problem(&algorithm, &lit.value(&pattern.source))
        } else {
            Some(format!("a {algorithm} hash is a string, not {}", pattern.text(&lit.span)))
        };
        if let Some(message) = problem {
            let found_issue = issue(pattern, &lit.span, IssueKind::InvalidValue, message);
            found.push((algorithm.clone(), found_issue));
        }
    }
    found
}

/// The algorithm of a path that ends in a key below a `hashes` dictionary
/// (`hashes.MD5`, `sections[*].hashes.'SHA-256'`).
fn hash_algorithm(pattern: &Pattern, steps: &[PathStep]) -> Option<String> {
    let (PathStep::Key { span, quoted }, before) = steps.split_last()? else {
        return None;
    };
    let below_hashes = before
        .iter()
        .any(|step| matches!(step, PathStep::Key { span, quoted } if key_text(pattern, span, *quoted) == "hashes"));
    below_hashes.then(|| key_text(pattern, span, *quoted))
}

fn timestamp_issues(pattern: &Pattern, comparison: &Comparison, out: &mut Vec<PatternIssue>) {
    let literals: &[Literal] = match &comparison.value {
        Value::One(lit) => std::slice::from_ref(lit),
        Value::Set(items) => items,
        Value::None => &[],
    };
    for lit in literals.iter().filter(|l| l.kind == LiteralKind::Timestamp) {
        calendar_issue(pattern, lit, out);
    }
}

fn calendar_issue(pattern: &Pattern, lit: &Literal, out: &mut Vec<PatternIssue>) {
    if let Some(text) = lit.timestamp_text(&pattern.source) {
        if let Some(message) = values::calendar_problem(text) {
            out.push(issue(pattern, &lit.span, IssueKind::InvalidValue, message));
        }
    }
}

// ---- qualifiers ----

fn qualifier_issues(pattern: &Pattern, expr: &ObservationExpr, out: &mut Vec<PatternIssue>) {
    match expr {
        ObservationExpr::Observation { .. } => {}
        ObservationExpr::Combined { operands, .. } => operands.iter().for_each(|o| qualifier_issues(pattern, o, out)),
        ObservationExpr::Group(inner) => qualifier_issues(pattern, inner, out),
        ObservationExpr::Qualified { inner, qualifier } => {
            qualifier_issues(pattern, inner, out);
            qualifier_issue(pattern, &qualifier.kind, out);
        }
    }
}

fn qualifier_issue(pattern: &Pattern, kind: &QualifierKind, out: &mut Vec<PatternIssue>) {
    match kind {
        QualifierKind::Within(n) | QualifierKind::Repeats(n) => {
            let text = pattern.text(&n.span);
            let zero = text.trim_start_matches('+').bytes().all(|b| b == b'0' || b == b'.');
            if zero {
                let message = format!("{} {text} can never match: use a positive number", kind.keyword());
                out.push(issue(pattern, &n.span, IssueKind::InvalidValue, message));
            }
        }
        QualifierKind::StartStop { start, stop } => {
            calendar_issue(pattern, start, out);
            calendar_issue(pattern, stop, out);
            let (Some(a), Some(b)) = (start.timestamp_text(&pattern.source), stop.timestamp_text(&pattern.source))
            else {
                return;
            };
            if !starts_before(a, b) {
                let message = format!("STOP {b} is not later than START {a}");
                out.push(issue(pattern, &stop.span, IssueKind::InvalidValue, message));
            }
        }
    }
}

/// Compares two grammar-valid UTC timestamps; fractions compare digit by digit.
fn starts_before(a: &str, b: &str) -> bool {
    let (a_main, a_frac) = a[..a.len() - 1].split_at(19);
    let (b_main, b_frac) = b[..b.len() - 1].split_at(19);
    let pad = |f: &str| format!("{:0<12}", f.trim_start_matches('.'));
    (a_main, pad(a_frac)) < (b_main, pad(b_frac))
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Dialect};
    use super::*;

    fn kinds(pattern: &str, dialect: Dialect) -> Vec<(IssueKind, String)> {
        let parsed = parse(pattern, dialect).expect(pattern);
        parsed.lint().into_iter().map(|i| (i.kind, i.message)).collect()
    }

    fn lint21(pattern: &str) -> Vec<(IssueKind, String)> {
        kinds(pattern, Dialect::Stix21)
    }

    #[test]
    fn clean_patterns_have_no_findings() {
        for p in [
            "[ipv4-addr:value = '198.51.100.1']",
            "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
            "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
            "[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
            "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
            "[file:x_custom.anything = 1]",
            "[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24']",
            "[windows-registry-key:values[*].data = 'x']",
            "[process:extensions.'extension-definition--0b5e1b0f-2b3a-4c5d-8e9f-0a1b2c3d4e5f'.x = 1]",
        ] {
            assert_eq!(lint21(p), vec![], "{p}");
        }
    }

    #[test]
    fn unknown_types_and_properties_are_named() {
        assert_eq!(
            lint21("[email:subject = 'x']"),
            vec![(
                IssueKind::UnknownObjectType,
                "'email' is not a STIX cyber-observable type (custom types start with 'x-')".to_string()
            )]
        );
        assert_eq!(lint21("[file:color = 'red']")[0].0, IssueKind::UnknownProperty);
        assert_eq!(lint21("[file:name.first = 'a']")[0].0, IssueKind::UnknownProperty);
        assert_eq!(lint21("[file:extensions.'zip-ext'.x = 1]")[0].0, IssueKind::UnknownProperty);
    }

    #[test]
    fn properties_are_checked_against_the_patterns_version() {
        assert_eq!(kinds("[file:created = t'2016-01-01T00:00:00Z']", Dialect::Stix20), vec![]);
        assert_eq!(lint21("[file:created = t'2016-01-01T00:00:00Z']")[0].0, IssueKind::UnknownProperty);
    }

    #[test]
    fn bad_values_are_invalid() {
        for p in [
            "[ipv4-addr:value = '198.51.100.300']",
            "[ipv6-addr:value = '198.51.100.1']",
            "[ipv4-addr:value IN ('10.0.0.1', 'nope')]",
            "[file:hashes.MD5 = 'cead3f77']",
            "[file:hashes.'SHA-1' = 5]",
            "[network-traffic:dst_port = 70000]",
            "[network-traffic:dst_port = '443']",
            "[mac-addr:value = '00-1A-2B-3C-4D-5E']",
            "[ipv4-addr:value ISSUBSET '10.0.0.0/40']",
            "[file:ctime = t'2023-02-29T00:00:00Z']",
            "[file:name = 'a'] REPEATS 0 TIMES",
            "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-05-01T00:00:00Z'",
        ] {
            let found = lint21(p);
            assert_eq!(found.len(), 1, "{p}: {found:?}");
            assert_eq!(found[0].0, IssueKind::InvalidValue, "{p}");
        }
    }

    #[test]
    fn like_and_matches_values_are_not_digests() {
        assert_eq!(lint21("[file:hashes.MD5 LIKE 'cead%']"), vec![]);
    }

    #[test]
    fn issues_point_at_the_offending_text() {
        let p = "[file:name = 'a' AND ipv4-addr:value = 'x']";
        let issues = parse(p, Dialect::Stix21).unwrap().lint();
        assert_eq!(issues[0].offset, p.find("'x'").unwrap());
        assert_eq!(issues[0].column, issues[0].offset + 1);
    }

    #[test]
    fn stop_must_follow_start() {
        assert!(starts_before("2016-06-01T00:00:00Z", "2016-06-01T00:00:00.1Z"));
        assert!(!starts_before("2016-06-01T00:00:00.10Z", "2016-06-01T00:00:00.1Z"));
    }
}
