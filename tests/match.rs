//! `stixpress match`: logs generated with every kind of listed value planted in every position
//! (a line, inside a URL, a JSON field, an escaped JSON string, a CSV field, upper case), with
//! defanged forms and decoys that must not match; the same hits from a published feed, from
//! gzip and from standard input; the sighting bundle checked, built into pages and (with
//! STIXPRESS_PEERS) read by the OASIS validator; hostile logs that must not crash it.

mod common;

use std::collections::BTreeSet;
use std::io::Write;

use common::{bundle, id, object, peer_python, peers_required, Repo};
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T00:00:00Z";
const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MD5: &str = "0123456789abcdef0123456789abcdef";

/// Indicators for every kind `match` looks for, a report listing two, an identity, and an
/// expired indicator whose value must not be found.
fn repo() -> Repo {
    let repo = Repo::new();
    let indicator = |n: u32, pattern: &str| {
        object(
            "indicator",
            n,
            json!({
                "name": format!("indicator {n}"), "pattern_type": "stix", "pattern": pattern,
                "valid_from": "2025-01-01T00:00:00Z", "object_marking_refs": [TLP_CLEAR], "labels": ["malicious-activity"],
            }),
        )
    };
    let mut expired = indicator(9, "[domain-name:value = 'expired.example']");
    expired["valid_until"] = json!("2026-01-01T00:00:00Z");
    let objects = vec![
        indicator(1, "[ipv4-addr:value = '203.0.113.7'] OR [ipv6-addr:value = '2001:db8::7']"),
        indicator(2, "[ipv4-addr:value = '198.51.100.0/24']"),
        indicator(3, "[domain-name:value = 'evil.example'] OR [email-addr:value = 'boss@evil.example']"),
        indicator(4, "[url:value = 'https://drop.example/Payload.bin']"),
        indicator(5, &format!("[file:hashes.'SHA-256' = '{SHA256}'] OR [file:hashes.MD5 = '{MD5}']")),
        indicator(6, "[file:name = 'dropper.exe'] OR [mutex:name = 'Global\\\\EvilMutex']"),
        expired,
        object(
            "identity",
            1,
            json!({ "name": "Our SOC", "identity_class": "organization", "object_marking_refs": [TLP_CLEAR] }),
        ),
        object(
            "report",
            1,
            json!({
                "name": "Evil campaign", "published": "2025-02-01T00:00:00Z", "object_marking_refs": [TLP_CLEAR],
                "object_refs": [id("indicator", 3), id("indicator", 4)],
            }),
        ),
    ];
    repo.write("content/intel.json", bundle(&objects));
    repo.write("stixpress.toml", "[site]\ntitle = \"t\"\n");
    repo
}

/// Lines with planted values, each with the (value, indicator) pairs it must give, and lines
/// that must give nothing.
fn planted() -> Vec<(String, Vec<(&'static str, u32)>)> {
    let sha_upper = SHA256.to_uppercase();
    vec![
        ("2026-11-20T10:00:00Z conn 203.0.113.7:443 -> 10.0.0.1".into(), vec![("203.0.113.7", 1)]),
        ("dst=2001:DB8:0:0:0:0:0:7 port=53".into(), vec![("2001:db8::7", 1)]),
        ("{\"src\":\"198.51.100.200\",\"msg\":\"x\"}".into(), vec![("198.51.100.0/24", 2)]),
        ("GET http://EVIL.EXAMPLE/index.html HTTP/1.1".into(), vec![("evil.example", 3)]),
        ("{\"query\":\"evil.example.\",\"type\":\"A\"}".into(), vec![("evil.example", 3)]),
        ("mail from=<Boss@Evil.Example> to=<a@b.example>".into(), vec![("boss@evil.example", 3), ("evil.example", 3)]),
        ("{\"url\":\"https:\\/\\/drop.example\\/Payload.bin\"}".into(), vec![("https://drop.example/Payload.bin", 4)]),
        (
            "2026-11-21 08:00:00,HTTPS://DROP.EXAMPLE/Payload.bin,200".into(),
            vec![("https://drop.example/Payload.bin", 4)],
        ),
        (format!("file,{sha_upper},C:\\Users\\x\\Downloads\\DROPPER.EXE"), vec![(SHA256, 5), ("dropper.exe", 6)]),
        (format!("{{\"hashes\":{{\"md5\":\"{MD5}\"}}}}"), vec![(MD5, 5)]),
        ("mutex created: Global\\EvilMutex".into(), vec![("Global\\EvilMutex", 6)]),
        // Defanged forms and decoys: nothing.
        ("see evil[.]example and hxxps://drop[.]example/Payload.bin and 203.0.113[.]7".into(), vec![]),
        ("notevil.example evil.example.com sub.evil.example evil.examples".into(), vec![]),
        ("203.0.113.70 1203.0.113.7 203.0.113.7.5 198.51.101.1 2001:db8::77".into(), vec![]),
        (format!("{SHA256}00 x{MD5} dropper.exe.txt global\\evilmutex"), vec![]),
        ("https://drop.example/payload.bin https://drop.example/Payload.bin2 expired.example".into(), vec![]),
    ]
}

fn write_log(repo: &Repo) -> String {
    let text: String = planted().iter().map(|(line, _)| format!("{line}\n")).collect();
    repo.write("logs/app.log", text);
    "logs/app.log".into()
}

/// (line, value, indicator number) of every hit printed.
fn hits(stdout: &[u8]) -> BTreeSet<(u64, String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let hit: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            (
                hit["line"].as_u64().unwrap(),
                hit["value"].as_str().unwrap().to_owned(),
                hit["indicator_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn expected() -> BTreeSet<(u64, String, String)> {
    let mut expected = BTreeSet::new();
    for (n, (_, values)) in planted().iter().enumerate() {
        for (value, indicator) in values {
            expected.insert((n as u64 + 1, (*value).to_owned(), id("indicator", *indicator)));
        }
    }
    expected
}

fn run(repo: &Repo, args: &[&str]) -> std::process::Output {
    repo.stixpress().arg("match").args(args).output().unwrap()
}

#[test]
fn every_planted_value_is_found_with_its_indicator_and_no_decoy() {
    let repo = repo();
    let log = write_log(&repo);
    let output = run(&repo, &[&log, "--now", NOW]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(hits(&output.stdout), expected());
    let first: Value = serde_json::from_slice(output.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["kind"], "ipv4");
    assert_eq!(first["tlp"], "TLP:CLEAR");
    assert_eq!(first["labels"], json!(["malicious-activity"]));
    assert_eq!(first["seen"], "2026-11-20T10:00:00.000Z");
    let url =
        String::from_utf8_lossy(&output.stdout).lines().find(|l| l.contains("\"kind\":\"url\"")).unwrap().to_owned();
    let url: Value = serde_json::from_str(&url).unwrap();
    assert_eq!(url["reports"], json!([{ "id": id("report", 1), "name": "Evil campaign" }]));
}

#[test]
fn a_published_feed_gzip_and_standard_input_give_the_same_hits() {
    let repo = repo();
    let log = write_log(&repo);
    let (code, stderr) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{stderr}");
    let from_feed = run(&repo, &["--feed", "public", &log]);
    assert_eq!(from_feed.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_feed.stderr));
    assert_eq!(hits(&from_feed.stdout), expected());
    // The same feed from the site's address: the site root, and the CSV's own address.
    let csv = std::fs::read(repo.path().join("public/feeds/blocklists/indicators.csv")).unwrap();
    let base = serve_one_file("/site/feeds/blocklists/indicators.csv", csv);
    for feed in
        [format!("{base}/site/"), format!("{base}/site"), format!("{base}/site/feeds/blocklists/indicators.csv")]
    {
        let from_url = run(&repo, &["--feed", &feed, &log]);
        assert_eq!(from_url.status.code(), Some(0), "{feed}: {}", String::from_utf8_lossy(&from_url.stderr));
        assert_eq!(hits(&from_url.stdout), expected(), "{feed}");
    }
    let nowhere = run(&repo, &["--feed", &format!("{base}/elsewhere/"), &log]);
    assert_eq!(nowhere.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&nowhere.stderr).contains("HTTP 404"),
        "{}",
        String::from_utf8_lossy(&nowhere.stderr)
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(repo.path().join(&log)).unwrap()).unwrap();
    repo.write("logs/app.log.gz", gz.finish().unwrap());
    let gzipped = run(&repo, &["logs/app.log.gz", "--now", NOW]);
    assert_eq!(hits(&gzipped.stdout), expected());
    let piped = repo
        .stixpress()
        .args(["match", "-", "--now", NOW])
        .write_stdin(std::fs::read(repo.path().join(&log)).unwrap())
        .output()
        .unwrap();
    assert_eq!(hits(&piped.stdout), expected());
}

#[test]
fn exit_codes_are_grep_s() {
    let repo = repo();
    repo.write("logs/clean.log", "nothing here\nevil[.]example\n");
    assert_eq!(run(&repo, &["logs/clean.log", "--now", NOW]).status.code(), Some(1));
    assert_eq!(run(&repo, &["logs/missing.log", "--now", NOW]).status.code(), Some(2));
    assert_eq!(run(&repo, &["logs/clean.log", "--feed", "nowhere"]).status.code(), Some(2));
    assert_eq!(run(&repo, &["logs/clean.log", "--sighted-by", "x"]).status.code(), Some(2));
}

#[test]
fn sightings_pass_check_and_build_into_pages() {
    let repo = repo();
    let log = write_log(&repo);
    let identity = id("identity", 1);
    let output = run(&repo, &[&log, "--now", NOW, "--format", "stix", "--sighted-by", &identity]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let sightings: Value = serde_json::from_slice(&output.stdout).unwrap();
    let objects = sightings["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 6, "one sighting per indicator seen");
    let of_url = objects.iter().find(|o| o["sighting_of_ref"] == id("indicator", 4)).unwrap();
    assert_eq!(of_url["count"], 2);
    assert_eq!(of_url["first_seen"], "2026-11-21T08:00:00.000Z");
    assert_eq!(of_url["where_sighted_refs"], json!([identity]));
    repo.write("content/sightings.json", serde_json::to_vec_pretty(&sightings).unwrap());
    let (code, report) = repo.check_json(&[]);
    assert_eq!(code, 0, "{report}");
    // The fixture's ids share UUIDs across types (`uuid-shared`); the sightings add nothing.
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(diagnostics.iter().all(|d| d["code"] == "uuid-shared"), "{report}");
    assert_eq!(report["errors"], json!(0), "{report}");
    let (code, stderr) = repo.build(&["--now", NOW]);
    assert_eq!(code, 0, "{stderr}");
    for sighting in objects {
        let page = repo.path().join("public/objects").join(sighting["id"].as_str().unwrap()).join("index.html");
        assert!(page.is_file(), "no page for {}", sighting["id"]);
    }
    if peers_required() {
        let path = repo.path().join("content/sightings.json");
        let script = "import sys\nfrom stix2validator import validate_file, print_results\nr = validate_file(sys.argv[1])\nprint_results(r)\nsys.exit(0 if r.is_valid else 1)";
        let output = peer_python().args(["-c", script]).arg(&path).output().expect("python runs");
        assert!(
            output.status.success(),
            "stix2-validator refused the sightings:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn hostile_logs_never_crash_and_long_lines_are_scanned_whole() {
    let repo = repo();
    // Binary and invalid UTF-8 around a value; NUL bytes; a lone CR.
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    binary.extend_from_slice(b"\n\xff\xfe evil.example \xc3\x28\r\n\0\x00203.0.113.7\0\n");
    repo.write("logs/binary.log", &binary);
    let output = run(&repo, &["logs/binary.log", "--now", NOW]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let found: BTreeSet<String> = hits(&output.stdout).into_iter().map(|(_, v, _)| v).collect();
    assert!(found.contains("evil.example") && found.contains("203.0.113.7"), "{found:?}");
    // One line of 20 MB (several windows) with values at the start, across window cuts and at the end.
    let mut long = b"evil.example ".to_vec();
    while long.len() < 20 << 20 {
        long.extend_from_slice(b"aaaa bbbb 1.2.3.4 cccc ");
        if long.len() % (1 << 20) < 23 {
            long.extend_from_slice(b"dropper.exe ");
        }
    }
    long.extend_from_slice(SHA256.as_bytes());
    repo.write("logs/long.log", &long);
    let output = run(&repo, &["logs/long.log", "--now", NOW]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let values: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["value"].as_str().unwrap().to_owned())
        .collect();
    let planted_names = long.windows(12).filter(|w| *w == b"dropper.exe ").count();
    assert_eq!(values.iter().filter(|v| *v == "dropper.exe").count(), planted_names, "each one once");
    assert!(values.contains(&"evil.example".to_owned()) && values.contains(&SHA256.to_owned()));
}

/// An HTTP server on a free port of 127.0.0.1 that answers `path` with `body` and anything else
/// with 404, for as long as the test runs; returns its `http://host:port`.
fn serve_one_file(path: &'static str, body: Vec<u8>) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut header = String::new();
            while reader.read_line(&mut header).map(|n| n > 2).unwrap_or(false) {
                header.clear();
            }
            let asked = request.split(' ').nth(1).unwrap_or("");
            let (status, body): (&str, &[u8]) =
                if asked == path { ("200 OK", &body) } else { ("404 Not Found", b"not here") };
            let mut stream = &stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    base
}
