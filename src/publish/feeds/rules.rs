//! `feeds/rules/`: indicators whose pattern is a detection rule, in files the engines load:
//! one YAML file per Sigma rule, one `.yar` for YARA, one `.rules` each for Snort and Suricata.
//! Each rule is preceded by a comment naming the indicator it comes from. A rule its engine
//! would refuse, or a second rule with a name or `sid` already taken, is left out and listed:
//! one bad rule must never make an engine refuse the whole file.

use std::collections::BTreeMap;

use super::indicators::Indicator;
use super::FeedFile;
use crate::error::Error;
use crate::stix::detection::{self, yara, Engine, RuleKey};
use crate::stix::id::uuid_of;
use crate::write::Sink;

pub(crate) const DIR: &str = "feeds/rules";

/// A rule left out, and why (shown on the feeds' index page).
pub(crate) struct LeftOutRule {
    pub(crate) indicator: String,
    pub(crate) reason: String,
}

pub(crate) struct Rules {
    pub(crate) files: Vec<FeedFile>,
    pub(crate) left_out: Vec<LeftOutRule>,
}

/// Rule files for the indicators that apply at the build time. Each rule is checked again by
/// its engine's grammar (whatever `check` let through, a feed never holds a rule its engine
/// refuses), each name or `sid` is kept once, and the joined YARA file is parsed whole before
/// it is written.
pub(crate) fn write(indicators: &[Indicator<'_>], sink: &dyn Sink) -> Result<Rules, Error> {
    let mut files = Vec::new();
    let mut left_out = Vec::new();

    let sigma = usable(indicators, Engine::Sigma, &mut left_out);
    for (indicator, _) in &sigma {
        let uuid = uuid_of(indicator.entry.id());
        let text = format!("{}{}", comment("#", indicator), with_final_newline(&indicator.pattern));
        sink.write(&format!("{DIR}/sigma/{uuid}.yml"), text.as_bytes())?;
    }
    if !sigma.is_empty() {
        files.push(FeedFile::new(
            format!("{DIR}/sigma/"),
            "Sigma rules, one YAML file per indicator (named by its UUID)",
            sigma.len(),
        ));
    }

    let rules = usable(indicators, Engine::Yara, &mut left_out);
    let mut yara = String::new();
    let mut names = Vec::new();
    for (indicator, key) in &rules {
        yara.push_str(&comment("//", indicator));
        yara.push_str(&with_final_newline(&indicator.pattern));
        yara.push('\n');
        if let RuleKey::YaraName(name) = key {
            names.push(name.as_str());
        }
    }
    if let Err(problem) = yara::check_file(&yara, &names) {
        return Err(Error::Feed(format!("{DIR}/yara.yar would not parse as a whole: {}", problem.located(&yara))));
    }
    sink.write(&format!("{DIR}/yara.yar"), yara.as_bytes())?;
    files.push(FeedFile::new(format!("{DIR}/yara.yar"), "YARA rules, all in one file", rules.len()));

    for engine in [Engine::Snort, Engine::Suricata] {
        let mut text = String::new();
        let rules = usable(indicators, engine, &mut left_out);
        for (indicator, _) in &rules {
            text.push_str(&comment("#", indicator));
            text.push_str(&with_final_newline(&indicator.pattern));
        }
        let path = format!("{DIR}/{}", engine.feed_file());
        sink.write(&path, text.as_bytes())?;
        files.push(FeedFile::new(path, &format!("{} rules", engine.name()), rules.len()));
    }
    Ok(Rules { files, left_out })
}

/// The current indicators of an engine whose rule the engine accepts, each name or `sid` once
/// (the indicator first by id keeps it); the others go to `left_out`, with the reason.
fn usable<'i, 'v>(
    indicators: &'i [Indicator<'v>],
    engine: Engine,
    left_out: &mut Vec<LeftOutRule>,
) -> Vec<(&'i Indicator<'v>, RuleKey)> {
    let mut kept = Vec::new();
    let mut keys: BTreeMap<RuleKey, &str> = BTreeMap::new();
    let of_engine = indicators.iter().filter(|i| i.current && Engine::of_pattern_type(&i.pattern_type) == Some(engine));
    for indicator in of_engine {
        let id = indicator.entry.id();
        let reason = match detection::check(engine, &indicator.pattern) {
            Err(problem) => format!("{} rule refused: {}", engine.name(), problem.located(&indicator.pattern)),
            Ok(RuleKey::None) => {
                kept.push((indicator, RuleKey::None));
                continue;
            }
            Ok(key) => match keys.get(&key) {
                Some(first) => format!("{} {} is already used by {first}", engine.name(), describe(&key)),
                None => {
                    keys.insert(key.clone(), id);
                    kept.push((indicator, key));
                    continue;
                }
            },
        };
        left_out.push(LeftOutRule { indicator: id.to_owned(), reason });
    }
    kept
}

fn describe(key: &RuleKey) -> String {
    match key {
        RuleKey::YaraName(name) => format!("rule name {name}"),
        RuleKey::Sid(sid) => format!("sid {sid}"),
        RuleKey::None => String::new(),
    }
}

/// `# indicator--…: name` on one line: the name can neither end the comment line nor open or
/// close a comment or a string.
fn comment(marker: &str, indicator: &Indicator<'_>) -> String {
    format!("{marker} {}: {}\n", indicator.entry.id(), yara::comment_text(&indicator.name))
}

fn with_final_newline(text: &str) -> String {
    let mut text = text.replace("\r\n", "\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
