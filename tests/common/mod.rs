//! Helpers for end-to-end tests: a throw-away repository and the `stixpress` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A temporary intelligence repository.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        Repo { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn from_fixture(name: &str) -> Repo {
        let repo = Repo::new();
        copy_dir(&fixture_path(name), repo.path());
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file under the repository, creating folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// Runs `stixpress check --format json` in the repository; returns exit code and report.
    pub fn check_json(&self, extra: &[&str]) -> (i32, Value) {
        let output = self.stixpress().args(["check", "--format", "json"]).args(extra).output().expect("run");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (output.status.code().unwrap_or(-1), report)
    }

    pub fn stixpress(&self) -> Command {
        Repo::stixpress_in(self.path())
    }

    /// The binary run in `dir`, with a clean environment.
    pub fn stixpress_in(dir: &Path) -> Command {
        let mut cmd = Command::cargo_bin("stixpress").expect("binary");
        cmd.current_dir(dir).env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd
    }
}

/// The diagnostics of a report with a given code.
pub fn with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["diagnostics"].as_array().expect("diagnostics").iter().filter(|d| d["code"] == code).collect()
}

/// A valid STIX 2.1 indicator.
pub fn indicator(id_suffix: &str) -> Value {
    serde_json::json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3{id_suffix}"),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": "C2 address",
        "pattern": "[ipv4-addr:value = '198.51.100.7']",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z"
    })
}

/// A bundle around some objects, pretty-printed.
pub fn bundle(objects: &[Value]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": objects
    }))
    .expect("json")
}

impl Repo {
    /// Runs `stixpress build` in the repository; returns the exit code and stderr.
    pub fn build(&self, extra: &[&str]) -> (i32, String) {
        let output = self.stixpress().arg("build").args(extra).output().expect("run");
        (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
    }

    /// A repository holding a copy of the bundled example (content/ and stixpress.toml).
    pub fn example() -> Repo {
        let repo = Repo::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&root.join("content"), &repo.path().join("content"));
        std::fs::copy(root.join("stixpress.toml"), repo.path().join("stixpress.toml")).expect("copy the config");
        repo
    }

    /// Copies the bundled example (content/ and stixpress.toml) in and builds its public
    /// audience into `site/`; returns that folder.
    pub fn build_example(&self) -> PathBuf {
        let example = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&example.join("content"), &self.path().join("content"));
        std::fs::copy(example.join("stixpress.toml"), self.path().join("stixpress.toml")).expect("copy the config");
        let (code, out) = self.build(&["--audience", "public", "--output", "site"]);
        assert_eq!(code, 0, "{out}");
        self.path().join("site")
    }

    /// Every file under `relative` (e.g. `public`), by path relative to it.
    pub fn tree(&self, relative: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
        read_tree(&self.path().join(relative))
    }
}

/// Every file under `dir`, by `/`-separated path relative to it.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
            files.insert(relative, std::fs::read(entry.path()).expect("read"));
        }
    }
    files
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Copies a folder (a fixture) into the repository.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A STIX 2.1 object of `object_type` with id suffix `n` and extra properties.
pub fn object(object_type: &str, n: u32, extra: Value) -> Value {
    let mut object = serde_json::json!({
        "type": object_type,
        "spec_version": "2.1",
        "id": format!("{object_type}--6f0e6f4c-1c39-4b5a-9f8e-{n:012}"),
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
    });
    if let (Some(target), Some(extra)) = (object.as_object_mut(), extra.as_object()) {
        target.extend(extra.clone());
    }
    object
}

pub fn id(object_type: &str, n: u32) -> String {
    format!("{object_type}--6f0e6f4c-1c39-4b5a-9f8e-{n:012}")
}

/// Whether the peer tests must run: scripts/test sets STIXPRESS_PEERS (and installs the peers),
/// and then a missing peer fails the test instead of skipping it.
pub fn peers_required() -> bool {
    std::env::var_os("STIXPRESS_PEERS").is_some()
}

/// A command running the peers' Python (`STIXPRESS_PYTHON`, the venv scripts/test makes).
pub fn peer_python() -> std::process::Command {
    let python = std::env::var("STIXPRESS_PYTHON")
        .expect("STIXPRESS_PEERS is set: STIXPRESS_PYTHON must name the peers' python");
    std::process::Command::new(python)
}

/// Runs `tests/<script>` with the peers' Python on `args`; fails the test with its stderr
/// (saying `what` was refused) unless it succeeds, and returns what it printed, read as JSON.
pub fn peer_script_json(script: &str, args: &[&std::ffi::OsStr], what: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(script);
    let output = peer_python().arg(path).args(args).output().expect("python runs");
    assert!(output.status.success(), "{what}:\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{script} printed no JSON ({e})"))
}

/// A static file server (Python's) on a free port of 127.0.0.1, killed when dropped.
pub struct StaticServer {
    child: std::process::Child,
    pub url: String,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn static_server(dir: &Path) -> StaticServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new("python3")
        .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    StaticServer { child, url: format!("http://127.0.0.1:{port}/") }
}

/// Serves `site` and runs `tests/browser/<script>` on it with `spec` (its cases or pages);
/// screenshots go to target/test-output/screenshots/<label>. Fails with what the script found.
pub fn browser_test(script: &str, site: &Path, spec: &Value, label: &str) {
    let server = static_server(site);
    let modules = std::env::var("STIXPRESS_NODE_MODULES").expect("STIXPRESS_NODE_MODULES (set by scripts/test)");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = manifest.join("target/test-output/screenshots").join(label);
    let spec_file = site.with_file_name(format!("{label}.json"));
    std::fs::write(&spec_file, spec.to_string()).unwrap();
    let output = std::process::Command::new("node")
        .arg(manifest.join("tests/browser").join(script))
        .arg(&server.url)
        .arg(&spec_file)
        .arg(&shots)
        .env("STIXPRESS_NODE_MODULES", modules)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{label}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file of an output folder, by path, its bytes decompressed when it is gzip: what a
/// reader of the output could see.
pub fn readable_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut tree = read_tree(dir);
    assert!(tree.len() > 5, "{} was not built", dir.display());
    for (path, bytes) in tree.iter_mut() {
        if path.ends_with(".gz") || bytes.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut plain).expect(path);
            *bytes = plain;
        }
        // Suricata's string datasets hold base64: read them decoded too.
        if path.ends_with(".lst") {
            let decoded: Vec<u8> = String::from_utf8_lossy(bytes)
                .lines()
                .filter_map(base64_decoded)
                .flat_map(|mut line| {
                    line.push(b'\n');
                    line
                })
                .collect();
            bytes.extend(decoded);
        }
    }
    tree
}

/// Standard base64 (with padding) decoded; None when the text is not that.
fn base64_decoded(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let text = text.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0);
    for c in text.bytes() {
        bits = bits << 6 | value(c)? as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// The files whose path or bytes hold `needle`, case ignored.
pub fn traces(tree: &std::collections::BTreeMap<String, Vec<u8>>, needle: &str) -> Vec<String> {
    let needle = needle.to_ascii_lowercase();
    tree.iter()
        .filter(|(path, bytes)| {
            path.to_ascii_lowercase().contains(&needle)
                || bytes.to_ascii_lowercase().windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .map(|(path, _)| path.clone())
        .collect()
}
