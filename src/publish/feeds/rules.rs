//! `feeds/rules/`: indicators whose pattern is a detection rule, in files the engines load:
//! one YAML file per Sigma rule, one `.yar` for YARA, one `.rules` each for Snort and Suricata.
//! Each rule is preceded by a comment naming the indicator it comes from.

use std::collections::BTreeSet;

use super::indicators::Indicator;
use super::FeedFile;
use crate::error::Error;
use crate::stix::id::uuid_of;
use crate::stix::yara;
use crate::write::Sink;

pub const DIR: &str = "feeds/rules";

/// A rule left out, and why (shown on the feeds' index page).
pub struct LeftOutRule {
    pub indicator: String,
    pub reason: String,
}

pub struct Rules {
    pub files: Vec<FeedFile>,
    pub left_out: Vec<LeftOutRule>,
}

/// Rule files for the indicators that apply at the build time.
pub fn write(indicators: &[Indicator<'_>], sink: &dyn Sink) -> Result<Rules, Error> {
    let current = || indicators.iter().filter(|i| i.current);
    let of_type = |kind: &'static str| current().filter(move |i| i.pattern_type == kind);
    let mut files = Vec::new();
    let mut left_out = Vec::new();

    let mut sigma = 0;
    for indicator in of_type("sigma") {
        let uuid = uuid_of(indicator.entry.id());
        let text = format!("{}{}", comment("#", indicator), with_final_newline(&indicator.pattern));
        sink.write(&format!("{DIR}/sigma/{uuid}.yml"), text.as_bytes())?;
        sigma += 1;
    }
    if sigma > 0 {
        files.push(FeedFile::new(
            format!("{DIR}/sigma/"),
            "Sigma rules, one YAML file per indicator (named by its UUID)",
            sigma,
        ));
    }

    let mut yara = String::new();
    let mut yara_count = 0;
    let mut rule_names: BTreeSet<&str> = BTreeSet::new();
    for indicator in of_type("yara") {
        let names: Vec<&str> = yara::rule_names(&indicator.pattern).into_iter().filter(|n| !n.is_empty()).collect();
        if let Some(taken) = names.iter().find(|n| rule_names.contains(**n)) {
            // YARA refuses a whole file that defines a rule twice: keep the first, say so.
            left_out.push(LeftOutRule {
                indicator: indicator.entry.id().to_owned(),
                reason: format!("YARA rule {taken} is already defined by another indicator"),
            });
            continue;
        }
        rule_names.extend(names);
        yara.push_str(&comment("//", indicator));
        yara.push_str(&with_final_newline(&indicator.pattern));
        yara.push('\n');
        yara_count += 1;
    }
    sink.write(&format!("{DIR}/yara.yar"), yara.as_bytes())?;
    files.push(FeedFile::new(format!("{DIR}/yara.yar"), "YARA rules, all in one file", yara_count));

    for engine in ["snort", "suricata"] {
        let mut text = String::new();
        let mut count = 0;
        for indicator in of_type(engine) {
            text.push_str(&comment("#", indicator));
            text.push_str(&with_final_newline(&indicator.pattern));
            count += 1;
        }
        let path = format!("{DIR}/{engine}.rules");
        sink.write(&path, text.as_bytes())?;
        let label = if engine == "snort" { "Snort rules" } else { "Suricata rules" };
        files.push(FeedFile::new(path, label, count));
    }
    Ok(Rules { files, left_out })
}

/// `# indicator--…: name` on one line: a line break in the name cannot end the comment.
fn comment(marker: &str, indicator: &Indicator<'_>) -> String {
    let name: String = indicator.name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("{marker} {}: {name}\n", indicator.entry.id())
}

fn with_final_newline(text: &str) -> String {
    let mut text = text.replace("\r\n", "\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
