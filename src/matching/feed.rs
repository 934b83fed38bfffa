//! Known values from a published feed: `feeds/blocklists/indicators.csv` (RFC 4180, formula
//! guards removed), on disk or from the site's address, so that a consumer needs no repository.
//! The CSV holds no markings, so the hits name no TLP.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::known::{Known, Source};
use crate::error::Error;
use crate::stix::observables::Kind;

/// The CSV in `dir`: a site root, its `feeds/` folder, `feeds/blocklists/`, or the file itself.
pub fn csv_path(dir: &Path) -> Result<PathBuf, Error> {
    let candidates = [
        dir.to_path_buf(),
        dir.join("indicators.csv"),
        dir.join("blocklists/indicators.csv"),
        dir.join("feeds/blocklists/indicators.csv"),
    ];
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| Error::Usage(format!("no feeds/blocklists/indicators.csv in {}", dir.display())))
}

/// The most of a feed read from an address: a million values' CSV is a few hundred MiB.
const MAX_FEED_BYTES: u64 = 4 << 30;

/// The feed at `source`: an `http://` or `https://` address, else a path relative to `cwd`.
pub fn read_source(source: &str, cwd: &Path) -> Result<Known, Error> {
    if source.starts_with("http://") || source.starts_with("https://") {
        fetch(source)
    } else {
        read(&cwd.join(source))
    }
}

pub fn read(dir: &Path) -> Result<Known, Error> {
    let path = csv_path(dir)?;
    let text = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    parse(&String::from_utf8_lossy(&text), &path.display().to_string())
}

/// The CSV at `url` itself when it names a `.csv` file, else the first of the site's, the feeds
/// folder's and the blocklists folder's `indicators.csv` that the server has.
fn fetch(url: &str) -> Result<Known, Error> {
    let client = crate::import::http::Client::new(MAX_FEED_BYTES, None).map_err(Error::Usage)?;
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let candidates: Vec<String> = if url[..path_end].ends_with(".csv") {
        vec![url.to_owned()]
    } else {
        let base = if url.ends_with('/') { url.to_owned() } else { format!("{url}/") };
        ["feeds/blocklists/indicators.csv", "blocklists/indicators.csv", "indicators.csv"]
            .iter()
            .map(|file| format!("{base}{file}"))
            .collect()
    };
    let mut problems = Vec::new();
    for candidate in &candidates {
        match client.get(candidate, "text/csv, */*;q=0.5") {
            Ok(fetched) => return parse(&fetched.text, candidate),
            Err(problem) => problems.push(format!("{candidate}: {}", problem.message)),
        }
    }
    Err(Error::Usage(format!("no feed found: {}", problems.join("; "))))
}

/// The known values of an `indicators.csv` read from `origin`.
fn parse(text: &str, origin: &str) -> Result<Known, Error> {
    let rows = parse_csv(text);
    let Some((header, rows)) = rows.split_first() else { return Ok(Known::default()) };
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(value), Some(kind), Some(id)) = (column("value"), column("kind"), column("indicator_id")) else {
        return Err(Error::Usage(format!("{origin}: not a stixpress indicators.csv (no value, kind, indicator_id)")));
    };
    let (name, labels, report_ids, report_names) =
        (column("indicator_name"), column("labels"), column("report_ids"), column("report_names"));
    let kinds: HashMap<&str, Kind> = Kind::ALL.iter().map(|k| (k.name(), *k)).collect();
    let mut sources: Vec<Source> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut triples = Vec::new();
    for row in rows {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| unguard(c)).unwrap_or_default();
        let Some(kind) = kinds.get(cell(Some(kind)).as_str()).copied() else { continue };
        let indicator = cell(Some(id));
        let source = *by_id.entry(indicator.clone()).or_insert_with(|| {
            let split = |text: String| -> Vec<String> {
                text.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect()
            };
            let reports = split(cell(report_ids)).into_iter().zip(split(cell(report_names))).collect();
            sources.push(Source { id: indicator, name: cell(name), labels: split(cell(labels)), tlp: None, reports });
            sources.len() - 1
        });
        triples.push((kind, cell(Some(value)), source));
    }
    Ok(Known::from_triples(sources, triples))
}

/// The feed's CSV guard: a field a contributor wrote that starts with `'` had one added.
fn unguard(cell: &str) -> String {
    cell.strip_prefix('\'').unwrap_or(cell).to_owned()
}

/// RFC 4180 rows (quoted fields may hold commas, quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_guards() {
        let rows = parse_csv("a,b\r\n\"'=x,y\",\"two\nlines\"\r\n");
        assert_eq!(rows, vec![vec!["a", "b"], vec!["'=x,y", "two\nlines"]]);
        assert_eq!(unguard("'=x,y"), "=x,y");
    }
}
