//! The command line (clap derive). Only parsing lives here; `main` runs what was asked.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diag::Format;

#[derive(Debug, Parser)]
#[command(
    name = "stixpress",
    version,
    about = "Check and publish STIX threat intelligence as a static site and TAXII feeds"
)]
pub struct Cli {
    /// Where stixpress.toml is (default: search upward from the current folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The folder of bundles (default: from stixpress.toml, else content/).
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check bundles like a strict reviewer: every file, every object, every reference.
    Check {
        /// Files or folders to check (default: the content folder).
        paths: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Check everything, but report only on objects changed since this git revision (and
        /// the rules the change breaks): what a pull request's review needs.
        #[arg(long, value_name = "REV", conflicts_with = "paths")]
        changed_since: Option<String>,
        /// List every diagnostic in the human format (default: at most `[check] max_per_code`
        /// of each code, then a summary per code).
        #[arg(long)]
        all: bool,
        /// Keep what checking each file found in this folder (outside the repository), so the
        /// next run with it reads only the files that changed.
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
    },
    /// What a change does to the content: objects added, new versions, revoked, deprecated,
    /// removed, and the diagnostics it introduces (Markdown for a pull-request comment, or JSON).
    Diff {
        /// The revision before (e.g. origin/main).
        base: String,
        /// The revision after (default: the working tree).
        head: Option<String>,
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
    },
    /// Build the website of every audience (or one) into its output folder.
    Build {
        /// Where to write the site (default: the audience's `output`, public/ for the default
        /// audience). With several audiences, give --audience too.
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Build only this audience from stixpress.toml (default: every audience).
        #[arg(long, value_name = "NAME")]
        audience: Option<String>,
        /// Publish despite errors; objects with errors are left out and listed.
        #[arg(long)]
        allow_errors: bool,
        /// The build time, which decides which indicators apply in the feeds
        /// (e.g. 2026-01-01T00:00:00Z; default: SOURCE_DATE_EPOCH, else now).
        #[arg(long, value_name = "TIMESTAMP")]
        now: Option<String>,
        /// Build the content as this git revision holds it (default: the working tree).
        #[arg(long, value_name = "REV")]
        rev: Option<String>,
        /// Do not read git history (no History sections or contributor pages).
        #[arg(long)]
        no_history: bool,
        /// Keep what loading and checking each file found in this folder (outside the
        /// repository), so the next build with it reads only the files that changed.
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
    },
    /// Build one audience and serve it on 127.0.0.1: the site, and TAXII 2.1 with its full
    /// query semantics. Rebuilds when the content, templates, theme or config change.
    Serve {
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The audience to preview (default: public, else the first configured).
        #[arg(long, value_name = "NAME")]
        audience: Option<String>,
        /// Serve despite errors; objects with errors are left out.
        #[arg(long)]
        allow_errors: bool,
        /// Build once and do not watch for changes.
        #[arg(long)]
        no_watch: bool,
    },
    /// Print a new object of a STIX type to fill in: a fresh id, created and modified now, the
    /// required properties (TODO where only you know), and the [new] defaults of stixpress.toml.
    New {
        /// The type: indicator, malware, report, relationship, …
        #[arg(value_name = "TYPE")]
        object_type: String,
        /// The object's name.
        #[arg(long)]
        name: Option<String>,
        /// Print a bundle holding the object, ready to save as a file of its own.
        #[arg(long)]
        bundle: bool,
    },
    /// Import MISP events, indicator lists (plain or CSV) and written reports (text, Markdown,
    /// HTML) as one STIX 2.1 bundle, referencing what the repository already holds.
    Import {
        /// The files (or folders of STIX bundles) to import.
        #[arg(value_name = "SOURCE")]
        sources: Vec<PathBuf>,
        /// What the sources are (default: from their names and contents).
        #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
        format: ImportFormat,
        /// The name of the report made (default: the source's title).
        #[arg(long)]
        name: Option<String>,
        /// Write the bundle to this file inside the content folder (default: standard output).
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
        /// The time of objects whose source gives none (e.g. 2026-01-01T00:00:00Z; default:
        /// SOURCE_DATE_EPOCH, else the source file's modification time).
        #[arg(long, value_name = "TIMESTAMP")]
        now: Option<String>,
        /// The TAXII collection to pull when SOURCE is an API root.
        #[arg(long, value_name = "ID")]
        collection: Option<String>,
        /// Pull what a TAXII collection added after this time (default: what the state file
        /// beside --to remembers, else everything).
        #[arg(long, value_name = "TIMESTAMP")]
        since: Option<String>,
        /// The environment variable holding `user:password` for HTTP Basic authentication.
        #[arg(long, value_name = "VAR")]
        auth_env: Option<String>,
        /// The most objects to ask a TAXII server for per page.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Find the values of known indicators in logs (plain text, JSON lines, CSV, gzip; `-` for
    /// standard input). Exit code as grep: 0 when something was found, 1 when nothing was, 2
    /// when it could not run.
    Match {
        /// The logs to scan.
        #[arg(value_name = "LOG", required = true)]
        logs: Vec<String>,
        /// The audience whose indicators to look for (default: public, else the first).
        #[arg(long, value_name = "NAME", conflicts_with = "feed")]
        audience: Option<String>,
        /// A published site or feeds folder, on disk or at an http(s) address (its
        /// feeds/blocklists/indicators.csv), instead of this repository: no repository needed.
        #[arg(long, value_name = "DIR|URL")]
        feed: Option<String>,
        /// Which indicators apply, and when sightings are made (default: now).
        #[arg(long, value_name = "TIMESTAMP")]
        now: Option<String>,
        #[arg(long, value_enum, default_value_t = crate::matching::Format::Jsonl)]
        format: crate::matching::Format,
        /// The identity that saw them, for the sightings' where_sighted_refs (identity--…).
        #[arg(long, value_name = "IDENTITY_ID")]
        sighted_by: Option<String>,
    },
    /// Create a new intelligence repository in DIR: stixpress.toml, a first identity, a
    /// CONTRIBUTING guide and GitHub Actions workflows.
    Init {
        dir: PathBuf,
        /// The organisation or community publishing it (default: the folder's name).
        #[arg(long)]
        name: Option<String>,
    },
}

/// What `stixpress import` reads a source as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// From the file's name and first bytes.
    Auto,
    /// A MISP event (JSON).
    Misp,
    /// An indicator list: CSV with a header, or one value a line.
    Csv,
    /// A written report: plain text, Markdown or HTML.
    Text,
    /// STIX bundles (2.0 or 2.1), or a folder of them: objects kept as published.
    Stix,
    /// A TAXII 2.1 collection (its address, or an API root with --collection), pulled.
    Taxii,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}
