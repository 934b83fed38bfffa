//! YARA rules, read with `yara-x-parser` (VirusTotal's YARA grammar, the parser of the
//! `yara-x` engine) plus the checks of YARA's compiler that one rule file needs: an indicator
//! carries exactly one rule, no `include`, modules YARA knows, every string the condition names
//! defined and every defined string used. Feeds join the rules into one file, which YARA
//! refuses whole for one bad rule, so what passes here must also pass there.

use std::collections::{BTreeSet, HashSet};

use yara_x_parser::ast::dfs::{DFSEvent, DFSIter};
use yara_x_parser::ast::{Error, Expr, Ident, Item, OfItems, PatternSet, Rule, WithSpan, AST};

use super::Problem;

/// The modules libyara and yara-x both build in (`import "pe"`); an unknown module makes YARA
/// refuse the file.
const MODULES: &[&str] = &["console", "dotnet", "elf", "hash", "magic", "math", "pe", "string", "time"];

/// YARA's built-in functions (`uint16(0)`), callable without a module.
const BUILT_INS: &[&str] = &[
    "int8", "int16", "int32", "uint8", "uint16", "uint32", "int8be", "int16be", "int32be", "uint8be", "uint16be",
    "uint32be",
];

/// The longest rule name YARA accepts.
const MAX_NAME: usize = 128;

/// One YARA rule, as an indicator carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YaraRule {
    pub name: String,
}

/// Checks the pattern of one indicator: it must hold exactly one rule YARA compiles.
pub fn check(text: &str) -> Result<YaraRule, Problem> {
    let ast = AST::from(text);
    if let Some(error) = ast.errors().first() {
        return Err(syntax_problem(error));
    }
    for item in ast.items() {
        if let Item::Include(include) = item {
            return Err(Problem::at(include.span().start(), "`include` is not allowed: the rule must stand alone"));
        }
        if let Item::Import(import) = item {
            if !MODULES.contains(&import.module_name) {
                let message = format!("YARA has no module \"{}\" ({})", import.module_name, MODULES.join(", "));
                return Err(Problem::at(import.span().start(), message));
            }
        }
    }
    let rules: Vec<&Rule> = ast.rules().collect();
    let rule = match rules.as_slice() {
        [] => return Err(Problem::at(0, "the pattern defines no YARA rule (`rule NAME { condition: … }`)")),
        [rule] => rule,
        [_, second, ..] => {
            let message = format!(
                "the pattern holds {} YARA rules (the second is `{}`); an indicator carries exactly one",
                rules.len(),
                second.identifier.name
            );
            return Err(Problem::at(second.identifier.span().start(), message));
        }
    };
    if rule.identifier.name.len() > MAX_NAME {
        return Err(Problem::at(rule.identifier.span().start(), "a YARA rule name has at most 128 characters"));
    }
    check_strings(rule)?;
    let imported: Vec<&str> = ast.imports().map(|i| i.module_name).collect();
    check_identifiers(rule, &imported)?;
    Ok(YaraRule { name: rule.identifier.name.to_owned() })
}

/// Checks a whole rule file before it is published: it parses, and holds exactly the rules
/// expected, in order (nothing hidden in a comment or string crossed from one rule into the next).
pub fn check_file(text: &str, expected: &[&str]) -> Result<(), Problem> {
    let ast = AST::from(text);
    if let Some(error) = ast.errors().first() {
        return Err(syntax_problem(error));
    }
    let found: Vec<&str> = ast.rules().map(|r| r.identifier.name).collect();
    if found != expected {
        return Err(Problem::at(0, format!("the file holds the rules {found:?}, not {expected:?}")));
    }
    Ok(())
}

fn syntax_problem(error: &Error) -> Problem {
    let (span, message) = match error {
        Error::SyntaxError { message, span }
        | Error::InvalidInteger { message, span }
        | Error::InvalidFloat { message, span }
        | Error::InvalidRegexpModifier { message, span }
        | Error::InvalidEscapeSequence { message, span } => (span, message.as_str()),
        Error::InvalidUTF8(span) => (span, "invalid UTF-8"),
        Error::UnexpectedEscapeSequence(span) => (span, "unexpected escape sequence"),
    };
    Problem::at(span.start(), format!("YARA syntax: {message}"))
}

/// YARA refuses a condition that names a string the rule does not define, and a defined string
/// that nothing in the condition uses.
fn check_strings(rule: &Rule<'_>) -> Result<(), Problem> {
    let defined: Vec<(&str, usize)> =
        rule.patterns.iter().flatten().map(|p| (p.identifier().name, p.span().start())).collect();
    let names: BTreeSet<&str> = defined.iter().map(|(name, _)| name.trim_start_matches('$')).collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut sets_use_all = false;
    let mut wildcards: Vec<String> = Vec::new();
    for event in DFSIter::new(&rule.condition) {
        let DFSEvent::Enter(expr) = event else { continue };
        let (name, at) = match expr {
            Expr::PatternMatch(m) => (m.identifier.name, m.identifier.span().start()),
            Expr::PatternCount(m) => (m.identifier.name, m.identifier.span().start()),
            Expr::PatternOffset(m) | Expr::PatternLength(m) => (m.identifier.name, m.identifier.span().start()),
            Expr::Of(of) => {
                if let OfItems::PatternSet(set) = &of.items {
                    note_set(set, &mut sets_use_all, &mut wildcards, &mut used);
                }
                continue;
            }
            Expr::ForOf(for_of) => {
                note_set(&for_of.pattern_set, &mut sets_use_all, &mut wildcards, &mut used);
                continue;
            }
            _ => continue,
        };
        // `$`, `#`, `@`, `!` alone are the anonymous string of a `for … of` loop.
        let bare = name.get(1..).unwrap_or_default();
        if bare.is_empty() {
            continue;
        }
        if !names.contains(bare) {
            return Err(Problem::at(at, format!("the condition names `${bare}`, which the rule does not define")));
        }
        used.insert(bare.to_owned());
    }
    for set_item in &wildcards {
        if !super::any_starts_with(&names, set_item) {
            return Err(Problem::at(0, format!("no string of the rule matches `${set_item}*`")));
        }
    }
    let covering = covering(&wildcards);
    for (name, at) in &defined {
        let bare = name.trim_start_matches('$');
        let covered = sets_use_all || used.contains(bare) || covered_by(&covering, bare);
        if !covered {
            let message = if bare.is_empty() {
                "an anonymous string (`$ = …`) is used only through `them` or a set".to_owned()
            } else {
                format!("the string `${bare}` is defined but the condition never uses it (YARA refuses that)")
            };
            return Err(Problem::at(*at, message));
        }
    }
    Ok(())
}

/// The wildcards (`$a*`, as `a`) that no shorter one covers, sorted, for [`covered_by`]. A rule
/// may name a wildcard for each of its strings: each string is then looked up, not compared
/// with every wildcard.
fn covering(wildcards: &[String]) -> Vec<&str> {
    let mut sorted: Vec<&str> = wildcards.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut kept: Vec<&str> = Vec::new();
    for wildcard in sorted {
        // Sorted, whatever starts with a kept wildcard comes right after it.
        if !kept.last().is_some_and(|shorter| wildcard.starts_with(shorter)) {
            kept.push(wildcard);
        }
    }
    kept
}

/// Whether `name` starts with a wildcard of `covering`: only the last one not after `name` can
/// be its start (any between that one and `name` would start with it, and none is kept).
fn covered_by(covering: &[&str], name: &str) -> bool {
    let before = covering.partition_point(|wildcard| *wildcard <= name);
    before > 0 && name.starts_with(covering[before - 1])
}

/// The names a condition uses must be a module the pattern imports, a loop variable, or a
/// built-in function: YARA refuses an undefined identifier, and a rule that names another rule
/// would depend on another indicator. `with` is yara-x's alone; YARA (yara-python) refuses it.
fn check_identifiers(rule: &Rule<'_>, imported: &[&str]) -> Result<(), Problem> {
    let mut variables: Vec<Vec<&str>> = Vec::new();
    // Field names after the first part of `a.b.c`, and a call's name: not looked up alone.
    let mut members: HashSet<*const Ident<'_>> = HashSet::new();
    let mut members_expr: HashSet<*const Expr<'_>> = HashSet::new();
    for event in DFSIter::new(&rule.condition) {
        match event {
            DFSEvent::Enter(Expr::With(with)) => {
                return Err(Problem::at(
                    with.span().start(),
                    "`with` is yara-x's alone: YARA (libyara, yara-python) refuses it",
                ));
            }
            DFSEvent::Enter(Expr::ForIn(for_in)) => variables.push(for_in.variables.iter().map(|v| v.name).collect()),
            DFSEvent::Leave(Expr::ForIn(_)) => {
                variables.pop();
            }
            DFSEvent::Enter(Expr::FieldAccess(access)) => {
                members_expr.extend(access.operands.iter().skip(1).map(|e| e as *const _))
            }
            DFSEvent::Enter(Expr::FuncCall(call)) => {
                members.insert(&call.identifier as *const _);
                let built_in = BUILT_INS.contains(&call.identifier.name);
                if call.object.is_none() && !built_in {
                    let message = format!(
                        "`{}` is not a function YARA builds in (call module functions as module.function)",
                        call.identifier.name
                    );
                    return Err(Problem::at(call.identifier.span().start(), message));
                }
            }
            DFSEvent::Enter(expr @ Expr::Ident(ident)) => {
                let name = ident.name;
                let bound = members_expr.contains(&(expr as *const _))
                    || members.contains(&(&**ident as *const _))
                    || imported.contains(&name)
                    || variables.iter().flatten().any(|v| *v == name);
                if !bound {
                    let message = format!("the condition names `{name}`, which is neither a module the pattern imports nor a loop variable (a rule stands alone: it cannot use another rule)");
                    return Err(Problem::at(ident.span().start(), message));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn note_set(set: &PatternSet<'_>, all: &mut bool, wildcards: &mut Vec<String>, used: &mut BTreeSet<String>) {
    match set {
        PatternSet::Them { .. } => *all = true,
        PatternSet::Set(items) => {
            for item in items {
                let bare = item.identifier.trim_start_matches('$').to_owned();
                if item.wildcard {
                    wildcards.push(bare);
                } else {
                    used.insert(bare);
                }
            }
        }
    }
}

/// An indicator's name as text for a `//` comment line of a rule file: control characters
/// (line breaks) and the characters that open or close a comment or a string become spaces,
/// so the name can never end the comment, whatever came before it.
pub fn comment_text(name: &str) -> String {
    name.chars().map(|c| if c.is_control() || matches!(c, '/' | '*' | '"' | '\\') { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        check(text).expect_err(text).message
    }

    #[test]
    fn one_rule_that_yara_compiles_passes() {
        let rule = "import \"pe\"\nrule a_1 : tag {\n strings: $a = \"}\" // }\n $b = { 4D 5A }\n condition: $a and #b > 0 and pe.is_pe }";
        assert_eq!(check(rule), Ok(YaraRule { name: "a_1".into() }));
        assert!(check("rule s { strings: $x1 = \"a\" $x2 = \"b\" condition: any of ($x*) }").is_ok());
        assert!(check("rule t { strings: $ = \"a\" $ = \"b\" condition: all of them }").is_ok());
        assert!(check("rule f { strings: $a = \"a\" condition: for any of ($a) : ($ at 0) }").is_ok());
        let loops = "import \"pe\" rule l { condition: for any i in (0..pe.number_of_sections - 1) : (pe.sections[i].name == \".text\" and uint32be(i) > 0) }";
        assert_eq!(check(loops).map(|r| r.name), Ok("l".to_owned()));
        assert!(check("import \"math\" rule m { condition: math.entropy(0, filesize) > 7.0 }").is_ok());
    }

    #[test]
    fn what_yara_would_refuse_is_found() {
        assert!(problem("alert tcp any any -> any any (msg:\"x\"; sid:1;)").contains("YARA syntax"));
        assert!(problem("rule 1bad { condition: true }").contains("YARA syntax"));
        assert!(problem("rule open { condition: true").contains("YARA syntax"));
        assert!(problem("rule extra { condition: true } }").contains("YARA syntax"));
        assert!(problem("rule a { condition: $b }").contains("does not define"));
        assert!(problem("rule a { strings: $a = \"x\" condition: true }").contains("never uses"));
        assert!(problem("import \"nope\" rule a { condition: true }").contains("no module"));
        assert!(problem("include \"other.yar\" rule a { condition: true }").contains("include"));
        assert!(problem("").contains("no YARA rule"));
        assert!(problem("rule a { condition: other_rule }").contains("cannot use another rule"));
        assert!(problem("rule a { condition: pe.is_pe }").contains("`pe`"));
        assert!(problem("rule a { condition: frob(0) == 1 }").contains("not a function"));
        assert!(problem("rule a { condition: with x = 1 : (x == 1) }").contains("yara-x's alone"));
    }

    #[test]
    fn wildcards_cover_the_strings_they_start() {
        let rule =
            |strings: &str, set: &str| check(&format!("rule r {{ strings: {strings} condition: any of ({set}) }}"));
        assert!(rule("$ab = \"x\" $b = \"y\"", "$a*, $b*").is_ok());
        assert!(rule("$ab = \"x\" $b = \"y\"", "$*").is_ok());
        assert!(rule("$a = \"x\" $ab = \"y\" $b1 = \"z\"", "$ab*, $a*, $b1").is_ok());
        let unused = rule("$ab = \"x\" $ac = \"y\" $b = \"z\"", "$ab*, $ac*, $aa*, $b");
        assert!(unused.unwrap_err().message.contains("no string of the rule matches `$aa*`"));
        let first_unmatched = rule("$ab = \"x\"", "$c*, $ab, $b*");
        assert!(first_unmatched.unwrap_err().message.contains("`$c*`"));
        let uncovered = rule("$ab = \"x\" $ac = \"y\" $b = \"z\" $ba = \"w\"", "$ab*, $ac, $ba*");
        assert!(uncovered.unwrap_err().message.contains("`$b` is defined"));
    }

    #[test]
    fn a_name_is_covered_exactly_when_a_wildcard_starts_it() {
        // Every word of up to three letters of two, so that wildcards often start one another.
        let words: Vec<String> = (0..15u32)
            .map(|i| {
                let length = (i + 1).ilog2();
                (0..length).rev().map(|bit| if ((i + 1) >> bit) & 1 == 0 { 'a' } else { 'b' }).collect()
            })
            .collect();
        // Every set of the seven words of up to two letters, each given twice.
        for set in 0..1u32 << 7 {
            let once = words[..7].iter().enumerate().filter(|(i, _)| (set >> i) & 1 == 1).map(|(_, w)| w.clone());
            let wildcards: Vec<String> = once.clone().chain(once.rev()).collect();
            let covering = covering(&wildcards);
            for name in &words {
                let plain = wildcards.iter().any(|w| name.starts_with(w.as_str()));
                assert_eq!(covered_by(&covering, name), plain, "{name} by {wildcards:?}");
            }
        }
    }

    #[test]
    fn a_rule_with_a_hundred_thousand_wildcards_is_checked_at_once() {
        // Each wildcard compared with every string, and each string with every wildcard, this
        // took half a minute at 80,000.
        let strings: String = (0..100_000).map(|i| format!("$a{i:07} = \"{i}\"\n")).collect();
        let set: Vec<String> = (0..100_000).map(|i| format!("$a{i:07}*")).collect();
        let text = format!("rule r {{ strings: {strings} condition: any of ({}) }}", set.join(", "));
        assert_eq!(check(&text).map(|r| r.name), Ok("r".to_owned()));
    }

    #[test]
    fn comments_and_second_rules_cannot_hide() {
        let second = check("rule a { condition: true } /**/ rule legit { condition: true }").unwrap_err();
        assert!(second.message.contains("2 YARA rules"), "{second:?}");
        assert_eq!(second.offset, 37);
        assert!(problem("rule a { condition: true } /*").contains("YARA syntax"));
        assert!(problem("rule a { condition: true } */ rule b { condition: true } /*").contains("YARA syntax"));
    }

    #[test]
    fn deep_nesting_is_refused_without_a_crash() {
        let deep = format!("rule a {{ condition: {}true{} }}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(check(&deep).is_err());
    }

    #[test]
    fn names_in_comments_cannot_close_or_open_one() {
        let name = "x */ rule match_everything { condition: true } /*\n\"";
        let text = comment_text(name);
        assert!(!text.contains(['/', '*', '\n', '"']), "{text}");
    }

    #[test]
    fn a_file_holds_exactly_the_rules_expected() {
        let file = "// a\nrule a { condition: true }\n// b\nrule b { condition: false }\n";
        assert!(check_file(file, &["a", "b"]).is_ok());
        assert!(check_file(file, &["a"]).is_err());
        assert!(check_file("rule a { condition: true } /*", &["a"]).is_err());
    }
}
