//! The site's files, as a static host would serve them, with a small script added to each page
//! that reloads it after a rebuild.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Response, StatusCode};

use super::reload::RELOAD_PATH;

pub(super) async fn answer(output: &Path, path: &str, generation: u64) -> Response<Body> {
    let Some(file) = file_for(output, path) else {
        return super::plain(StatusCode::NOT_FOUND, "not found");
    };
    let file = if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        if !path.ends_with('/') {
            // Relative links in a page resolve against its folder: send the browser there.
            return Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, format!("{path}/"))
                .body(Body::empty())
                .expect("a response");
        }
        file.join("index.html")
    } else {
        file
    };
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return super::plain(StatusCode::NOT_FOUND, "not found");
    };
    let media_type = media_type(&file);
    let body = if media_type.starts_with("text/html") { with_reload_script(bytes, generation) } else { bytes };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, media_type)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(body))
        .expect("a response")
}

/// The file a URL path names inside `output`, or None for a path that would leave it.
fn file_for(output: &Path, path: &str) -> Option<PathBuf> {
    let mut file = output.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let part = percent_decoded(part)?;
        if part == "." || part == ".." || part.contains(['/', '\\', '\0']) || part.starts_with('.') {
            return None;
        }
        file.push(part);
    }
    Some(file)
}

fn percent_decoded(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn media_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "gz" => "application/gzip",
        "txt" | "csv" | "conf" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page with a script that waits for the next rebuild and then reloads it.
fn with_reload_script(mut html: Vec<u8>, generation: u64) -> Vec<u8> {
    let script = format!(
        "<script>(async()=>{{for(;;){{try{{const r=await fetch('{RELOAD_PATH}?since={generation}');\
         if((await r.text()).trim()!=='{generation}'){{location.reload();return}}}}\
         catch(e){{await new Promise(d=>setTimeout(d,2000))}}}}}})()</script>"
    );
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_output() {
        let out = Path::new("/srv/site");
        assert_eq!(file_for(out, "/objects/x/"), Some(PathBuf::from("/srv/site/objects/x")));
        for bad in ["/../etc/passwd", "/a/%2e%2e/b", "/a/%2F/b", "/.stixpress-output", "/a%00"] {
            assert_eq!(file_for(out, bad), None, "{bad}");
        }
    }

    #[test]
    fn the_reload_script_goes_before_the_end_of_the_body() {
        let page = with_reload_script(b"<html><body><p>x</p></body></html>".to_vec(), 3);
        let text = String::from_utf8(page).unwrap();
        assert!(text.contains("since=3"));
        assert!(text.ends_with("</script></body></html>"));
    }
}
