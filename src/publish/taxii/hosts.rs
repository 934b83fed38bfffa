//! Host configurations written beside the site, so that a static host answers TAXII clients:
//! the TAXII media type on every `taxii2/` response (clients refuse `application/json`),
//! `index.json` for directory URLs, `?next=` routed to page files, object URLs of every
//! collection routed to the one shared file per object, and CORS for browser clients.

use super::json::TAXII_MEDIA_TYPE;
use super::TAXII_DIR;
use crate::config::Taxii;

/// An nginx include for the `server` block that serves the folder.
pub(crate) fn nginx(taxii: &Taxii) -> String {
    let root = &taxii.api_root;
    format!(
        r#"# nginx: include this file in the server block whose root is this folder, e.g.
#     server {{ listen 80; root /srv/site; include /srv/site/nginx.conf; }}
# It serves TAXII 2.1 under /{TAXII_DIR}/ with the TAXII media type, answers directory URLs with
# index.json, routes ?next= to page files and every collection's object URLs to the shared
# object files, and lets browser clients on other sites read it (CORS).
# A static host ignores the other TAXII filters (added_after, match[...], limit): clients get
# every object, in pages of at most {page_size}. `stixpress serve` applies them.

location /{TAXII_DIR}/ {{
    types {{ }}
    default_type "{TAXII_MEDIA_TYPE}";
    index index.json;
    add_header Access-Control-Allow-Origin "*" always;
    add_header Access-Control-Allow-Headers "Accept, Authorization" always;
    add_header Access-Control-Expose-Headers "X-TAXII-Date-Added-First, X-TAXII-Date-Added-Last" always;
    if ($request_method = OPTIONS) {{
        return 204;
    }}
    error_page 404 /{TAXII_DIR}/not-found.json;

    location ~ "^/{TAXII_DIR}/{root}/collections/(?<collection>[0-9a-f-]{{36}})/(?<listing>objects|manifest)/$" {{
        if ($arg_next ~ "^[0-9A-Za-z-]+$") {{
            rewrite ^ /{TAXII_DIR}/{root}/collections/$collection/$listing/next/$arg_next.json break;
        }}
        # Any other `next` is none this server gave: not the first page again, where a client
        # would page forever.
        if ($arg_next != "") {{
            return 404;
        }}
    }}
    location ~ "^/{TAXII_DIR}/{root}/collections/[0-9a-f-]{{36}}/objects/(?<object>[a-z0-9-]+--[0-9A-Fa-f-]{{36}})/(versions/)?$" {{
        try_files /{TAXII_DIR}/{root}/objects/$object.json =404;
    }}
}}
"#,
        page_size = taxii.page_size
    )
}

/// Netlify's and Cloudflare Pages' `_headers`.
pub(crate) fn headers() -> String {
    format!(
        "/{TAXII_DIR}/*\n  Content-Type: {TAXII_MEDIA_TYPE}\n  Access-Control-Allow-Origin: *\n  \
         Access-Control-Expose-Headers: X-TAXII-Date-Added-First, X-TAXII-Date-Added-Last\n"
    )
}

/// Netlify's `_redirects` (rewrites, status 200). Cloudflare Pages reads the same file but
/// cannot match query parameters, so its clients get the first page only.
pub(crate) fn redirects(taxii: &Taxii) -> String {
    let base = format!("/{TAXII_DIR}/{}", taxii.api_root);
    let collection = format!("{base}/collections/:collection");
    let mut rules = vec![
        format!("/{TAXII_DIR}/ /{TAXII_DIR}/index.json 200"),
        format!("{base}/ {base}/index.json 200"),
        format!("{base}/collections/ {base}/collections/index.json 200"),
    ];
    for listing in ["objects", "manifest"] {
        rules.push(format!("{collection}/{listing}/ next=:next {collection}/{listing}/next/:next.json 200"));
        rules.push(format!("{collection}/{listing}/ {collection}/{listing}/index.json 200"));
    }
    rules.push(format!("{collection}/ {collection}/index.json 200"));
    rules.push(format!("{collection}/objects/:object/versions/ {base}/objects/:object.json 200"));
    rules.push(format!("{collection}/objects/:object/ {base}/objects/:object.json 200"));
    let mut text = String::from("# TAXII 2.1 addresses to the files that answer them (stixpress).\n");
    for rule in rules {
        text.push_str(&rule);
        text.push('\n');
    }
    text
}

/// Writes the files that tell nginx, Netlify and Cloudflare Pages how to serve the output.
pub(crate) fn write(taxii: &Taxii, sink: &dyn crate::write::Sink) -> Result<(), crate::error::Error> {
    sink.write("nginx.conf", nginx(taxii).as_bytes())?;
    sink.write("_headers", headers().as_bytes())?;
    sink.write("_redirects", redirects(taxii).as_bytes())
}
