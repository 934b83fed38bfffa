//! `stixpress match --audience`: the values an audience's blocklists hold (its indicators that
//! apply at `now`, each value in the blocklists' normal form), with the indicators that list
//! them, for `matching`. The repository is loaded and linked as for `build`; objects that fail
//! a per-object rule are left out, as `build --allow-errors` does.

use std::collections::HashMap;
use std::path::Path;

use super::{load_and_check, Content};
use crate::audience::{self, highest_tlp};
use crate::config::Config;
use crate::error::Error;
use crate::link::{LinkPlan, Store};
use crate::matching::known::{Known, Source};
use crate::provenance::History;
use crate::publish::feeds::indicators;
use crate::stix::Timestamp;

/// The known values of `audience` (default: `public`, else the first configured) at `now`.
pub fn known_for_audience(config: &Config, audience: Option<&str>, now: Timestamp, cwd: &Path) -> Result<Known, Error> {
    let chosen = match audience {
        Some(name) => config.audiences.iter().find(|a| a.name == name),
        None => config.audiences.iter().find(|a| a.name == "public").or(config.audiences.first()),
    };
    let Some(chosen) = chosen else {
        let known: Vec<&str> = config.audiences.iter().map(|a| a.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "no audience `{}`; stixpress.toml has: {}",
            audience.unwrap_or("public"),
            known.join(", ")
        )));
    };
    let (_, objects) = load_and_check(config, Content::Files(&[]), cwd, now, None)?;
    let plan = LinkPlan::of_valid(&objects);
    let store = Store::built_as_planned(objects, plan);
    let history = History::off();
    let view = audience::view(&store, &history, chosen);
    let indicators = indicators::indicators(&view, now);
    let mut sources = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut triples = Vec::new();
    for indicator in indicators.iter().filter(|i| i.current && !i.observables.is_empty()) {
        let source = *by_id.entry(indicator.entry.id()).or_insert_with(|| {
            sources.push(Source {
                id: indicator.entry.id().to_owned(),
                name: indicator.name.clone(),
                labels: indicator.labels.clone(),
                tlp: highest_tlp(indicator.entry.object).map(|t| t.label().to_owned()),
                reports: indicator.reports.iter().map(|r| (r.id().to_owned(), r.display_name().to_owned())).collect(),
            });
            sources.len() - 1
        });
        triples.extend(indicator.observables.iter().map(|o| (o.kind, o.value.clone(), source)));
    }
    Ok(Known::from_triples(sources, triples))
}
