//! Fetching sources over HTTP(S) (TAXII collections, MISP feeds): one agent with timeouts, a
//! size limit on every body, and Basic authentication taken from an environment variable the
//! configuration names (the secret itself is never written anywhere). Failures are returned
//! as diagnostics located at the URL; this module never retries and never follows a server
//! into unbounded work.

use std::path::PathBuf;
use std::time::Duration;

use crate::diag::Diagnostic;

/// Connecting may take this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// One whole request (headers and body) may take this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

pub(crate) struct Client {
    agent: ureq::Agent,
    authorization: Option<String>,
    max_bytes: u64,
}

/// A body fetched, with the headers an importer reads.
pub(crate) struct Fetched {
    pub(crate) text: String,
    pub(crate) content_type: String,
    /// `X-TAXII-Date-Added-Last`, when the server sends it.
    pub(crate) date_added_last: Option<String>,
}

impl Client {
    /// A client whose bodies may be at most `max_bytes` long; with `auth_env`, the named
    /// environment variable holds `user:password` for HTTP Basic authentication.
    pub(crate) fn new(max_bytes: u64, auth_env: Option<&str>) -> Result<Client, String> {
        let authorization = match auth_env {
            None => None,
            Some(name) => {
                let secret = std::env::var(name)
                    .map_err(|_| format!("the environment variable `{name}` (auth_env) is not set"))?;
                if !secret.contains(':') {
                    return Err(format!("the environment variable `{name}` must hold `user:password`"));
                }
                Some(format!("Basic {}", crate::base64::encode(secret.as_bytes())))
            }
        };
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .user_agent(concat!("stixpress/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client { agent: config.into(), authorization, max_bytes })
    }

    /// GETs `url` asking for `accept`; a status other than 200, a body over the limit or one
    /// that is not UTF-8 is a diagnostic.
    pub(crate) fn get(&self, url: &str, accept: &str) -> Result<Fetched, Box<Diagnostic>> {
        let mut request = self.agent.get(url).header("Accept", accept);
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        let mut response = request.call().map_err(|e| Box::new(problem(url, format!("the request failed: {e}"))))?;
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = header("content-type").unwrap_or_default();
        let date_added_last = header("x-taxii-date-added-last");
        let body = response.body_mut().with_config().limit(self.max_bytes).read_to_string();
        let text = match body {
            Ok(text) => text,
            Err(ureq::Error::BodyExceedsLimit(limit)) => {
                let message =
                    format!("the answer is over the limit of {} MiB ([check] max_file_size_mib)", limit >> 20);
                return Err(Box::new(problem(url, message)));
            }
            Err(e) => return Err(Box::new(problem(url, format!("the answer could not be read: {e}")))),
        };
        if status != 200 {
            let message = format!("HTTP {status}: {}", crate::import::clip(text.trim(), 300));
            return Err(Box::new(problem(url, message).with_help(status_help(status))));
        }
        Ok(Fetched { text, content_type, date_added_last })
    }
}

/// An error at `url`.
pub(crate) fn problem(url: &str, message: String) -> Diagnostic {
    Diagnostic::error("import-http", message).in_file(PathBuf::from(url))
}

fn status_help(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            "check the credentials: set `auth_env` in the [[import]] table to a variable holding `user:password`"
        }
        404 => "check the address: an API root (…/taxii2/api/) with --collection, or a collection's address",
        406 | 415 => "the server does not offer TAXII 2.1 (application/taxii+json;version=2.1)",
        _ => "try again later, or ask the server's operator",
    }
}
