//! `cargo xtask bench taxii`: `stixpress serve` against the OASIS reference server medallion,
//! both holding MITRE ATT&CK enterprise, under the same bounded load generator on 127.0.0.1;
//! then `serve` alone on the synthetic repository (1,000,000 objects by default).
//!
//! The load generator: C keep-alive connections (one thread each) asking for objects by id,
//! ids taken round-robin from the collection, for a fixed time; and single requests for
//! `objects/?limit=100` pages (first, middle, last, with `added_after`, with `match[type]`, with
//! both), repeated, median reported. medallion gets the same requests with a time limit per
//! request, since its listing cost grows with the square of the collection.
//! Targets for `serve`: over 5,000 object-by-id requests per second, every page under 10 ms.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::format::thousands;

const ALL: &str = "53cc8462-778d-5082-8f0a-1f0bdda37ed7";
const MEDALLION_COLLECTION: &str = "e41c49b8-49a8-44e5-9643-e2b380b93dd9";
const CONNECTIONS: usize = 8;
const LOAD_SECONDS: u64 = 10;
const PAGE_REPEATS: usize = 25;

/// A server under test: its address, the collection's URL path, and what to send.
struct Target {
    name: String,
    host: String,
    collection: String,
    /// Basic credentials (medallion requires them; serve ignores them).
    auth: &'static str,
    /// How long one request may take before it counts as unanswered.
    timeout: Duration,
}

/// A running server process, stopped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(
    binary: &Path,
    root: &Path,
    target_dir: &Path,
    synthetic: Option<&Path>,
    medallion_timeout: u64,
) -> Result<usize, String> {
    let attack = root.join("../shared/data/mitre-cti/enterprise-attack");
    let mut missed = 0;
    let (attack_missed, output) =
        bench_serve(binary, &target_dir.join("bench-taxii/attack"), &attack, "serve (ATT&CK)")?;
    missed += attack_missed;

    match start_medallion(root, target_dir, &attack) {
        Ok((process, host)) => {
            let target = Target {
                name: "medallion (ATT&CK)".into(),
                host,
                collection: format!("/api/collections/{MEDALLION_COLLECTION}"),
                auth: "Authorization: Basic cmVhZGVyOnJlYWRlcg==\r\n",
                timeout: Duration::from_secs(medallion_timeout),
            };
            let ids = object_ids(&output)?;
            let load = load(&target, &ids);
            println!("{:<22} object by id: {}", target.name, load);
            let path = format!("{}/objects/?limit=100", target.collection);
            match timed_get(&target, &path) {
                Some(seconds) => println!("{:<22} objects/?limit=100 (first page): {:.1} s", target.name, seconds),
                None => println!(
                    "{:<22} objects/?limit=100 (first page): no answer within {medallion_timeout} s",
                    target.name
                ),
            }
            drop(process);
        }
        Err(problem) => println!("medallion not measured: {problem}"),
    }

    let Some(synthetic) = synthetic else { return Ok(missed) };
    let content = synthetic.join("content");
    missed += bench_serve(binary, &target_dir.join("bench-taxii/synthetic"), &content, "serve (synthetic)")?.0;
    Ok(missed)
}

/// Starts `serve` on `content` in `root`, measures it under `name`, stops it; returns the
/// targets missed and the folder it served.
fn bench_serve(binary: &Path, root: &Path, content: &Path, name: &str) -> Result<(usize, PathBuf), String> {
    let (serve, host, output) = start_serve(binary, root, content)?;
    let target = Target {
        name: name.into(),
        host,
        collection: format!("/taxii2/api/collections/{ALL}"),
        auth: "",
        timeout: Duration::from_secs(10),
    };
    let missed = measure_serve(&target, &output, &serve)?;
    Ok((missed, output))
}

/// Object-by-id throughput and page latencies of `serve`; returns targets missed.
fn measure_serve(target: &Target, output: &Path, serve: &Process) -> Result<usize, String> {
    let ids = object_ids(output)?;
    let load = load(target, &ids);
    let mut missed = usize::from(load.per_second() < 5000.0);
    println!("{:<22} {} objects; object by id: {} (target > 5,000/s)", target.name, thousands(ids.len() as u64), load);
    let manifest = output.join("taxii2/api/collections").join(ALL).join("manifest/next");
    let mut tokens: Vec<u64> = std::fs::read_dir(&manifest)
        .map_err(|e| format!("{}: {e}", manifest.display()))?
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json")?.parse().ok())
        .collect();
    tokens.sort_unstable();
    let middle = tokens.get(tokens.len() / 2).copied().unwrap_or(0);
    let last = tokens.last().copied().unwrap_or(0);
    let middle_page: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest.join(format!("{middle}.json"))).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let date = middle_page["objects"][0]["date_added"].as_str().unwrap_or("2020-01-01T00:00:00.000Z").to_owned();
    let type_ = "attack-pattern";
    let pages = [
        ("first page", String::new()),
        ("middle page", format!("&next={middle}")),
        ("last page", format!("&next={last}")),
        ("added_after", format!("&added_after={date}")),
        ("match[type]", format!("&match[type]={type_}")),
        ("both", format!("&added_after={date}&match[type]={type_}")),
    ];
    for (what, query) in pages {
        let path = format!("{}/objects/?limit=100{query}", target.collection);
        let mut times: Vec<f64> = (0..PAGE_REPEATS).filter_map(|_| timed_get(target, &path)).collect();
        times.sort_by(f64::total_cmp);
        let Some(median) = times.get(times.len() / 2) else {
            println!("{:<22} objects/?limit=100 {what}: no answer", target.name);
            missed += 1;
            continue;
        };
        let ms = median * 1000.0;
        missed += usize::from(ms >= 10.0);
        println!("{:<22} objects/?limit=100 {what:<12} median {ms:.2} ms (target < 10 ms)", target.name);
    }
    println!("{:<22} peak memory of serve (build included): {}", target.name, peak_memory(serve));
    Ok(missed)
}

/// The peak resident memory of a running process, from /proc.
fn peak_memory(process: &Process) -> String {
    let status = std::fs::read_to_string(format!("/proc/{}/status", process.0.id())).unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix(" kB")?.trim().parse::<u64>().ok());
    kib.map_or_else(|| "unknown".to_owned(), |kib| format!("{} MiB", kib / 1024))
}

/// Builds `content` into `root` and starts `stixpress serve` on a free port.
fn start_serve(binary: &Path, root: &Path, content: &Path) -> Result<(Process, String, PathBuf), String> {
    std::fs::create_dir_all(root).map_err(|e| e.to_string())?;
    // Every object public: the benchmark measures serving, not withholding.
    let config = "[audiences.public]\ntlp = [\"clear\", \"white\", \"green\", \"amber\", \"amber+strict\", \"red\"]\n";
    std::fs::write(root.join("stixpress.toml"), config).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["serve", "--port", "0", "--no-watch", "--allow-errors", "--root"])
        .arg(root)
        .arg("--content")
        .arg(content)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let process = Process(child);
    let host = loop {
        let Some(Ok(line)) = lines.next() else { return Err("serve stopped before listening".into()) };
        if let Some(rest) = line.split(" at http://").nth(1) {
            break rest.split('/').next().unwrap_or("").to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    println!("serve: built and listening in {:.1} s", started.elapsed().as_secs_f64());
    Ok((process, host, root.join("public")))
}

fn start_medallion(root: &Path, target_dir: &Path, content: &Path) -> Result<(Process, String), String> {
    let python = std::env::var_os("STIXPRESS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir.join("peers-venv/bin/python"));
    if !python.exists() {
        return Err(format!("no python with medallion at {} (scripts/test installs it)", python.display()));
    }
    let data = target_dir.join("bench-taxii/medallion-attack.json");
    let made = Command::new(&python)
        .arg(root.join("tests/taxii/medallion_data.py"))
        .arg(content)
        .arg("--out")
        .arg(&data)
        .status()
        .map_err(|e| e.to_string())?;
    if !made.success() {
        return Err("medallion_data.py failed".into());
    }
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let child = Command::new(&python)
        .arg(root.join("tests/taxii/medallion_run.py"))
        .arg(&data)
        .arg(port.to_string())
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let process = Process(child);
    let host = format!("127.0.0.1:{port}");
    for _ in 0..600 {
        if TcpStream::connect(&host).is_ok() {
            return Ok((process, host));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("medallion did not listen within 60 s".into())
}

/// The ids of the objects the static output holds (one `<id>.json` each).
fn object_ids(output: &Path) -> Result<Vec<String>, String> {
    let dir = output.join("taxii2/api/objects");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| Some(e.ok()?.file_name().into_string().ok()?.strip_suffix(".json")?.to_owned()))
        .collect();
    ids.sort();
    Ok(ids)
}

struct Load {
    requests: u64,
    failures: u64,
    seconds: f64,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

impl std::fmt::Display for Load {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests in {:.1} s = {:.1}/s over {CONNECTIONS} connections ({} failed)",
            thousands(self.requests),
            self.seconds,
            self.per_second(),
            self.failures
        )
    }
}

/// C connections asking for objects by id for `LOAD_SECONDS`.
fn load(target: &Target, ids: &[String]) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..CONNECTIONS {
            let (stop, done, failed) = (stop.clone(), done.clone(), failed.clone());
            scope.spawn(move || {
                let mut client = Client::new(target);
                let mut i = worker * 7919;
                while !stop.load(Ordering::Relaxed) {
                    i = (i + CONNECTIONS * 104_729) % ids.len().max(1);
                    let path = format!("{}/objects/{}/", target.collection, ids[i]);
                    match client.get(&path) {
                        Some(200) => done.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            });
        }
        std::thread::sleep(Duration::from_secs(LOAD_SECONDS));
        stop.store(true, Ordering::Relaxed);
    });
    Load {
        requests: done.load(Ordering::Relaxed),
        failures: failed.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// One request on a new connection; its time in seconds, or None past the time limit.
fn timed_get(target: &Target, path: &str) -> Option<f64> {
    let mut client = Client::new(target);
    client.connect()?;
    let started = Instant::now();
    (client.get(path)? == 200).then(|| started.elapsed().as_secs_f64())
}

/// A keep-alive HTTP/1.1 client, just enough for these servers.
struct Client<'t> {
    target: &'t Target,
    stream: Option<BufReader<TcpStream>>,
}

impl<'t> Client<'t> {
    fn new(target: &'t Target) -> Client<'t> {
        Client { target, stream: None }
    }

    fn connect(&mut self) -> Option<()> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.target.host).ok()?;
            stream.set_read_timeout(Some(self.target.timeout)).ok()?;
            stream.set_nodelay(true).ok()?;
            self.stream = Some(BufReader::new(stream));
        }
        Some(())
    }

    /// The status of a GET, reading the whole body; None on a network failure or timeout.
    fn get(&mut self, path: &str) -> Option<u16> {
        self.connect()?;
        let result = self.exchange(path);
        if result.is_none_or(|(_, keep)| !keep) {
            self.stream = None;
        }
        result.map(|(status, _)| status)
    }

    fn exchange(&mut self, path: &str) -> Option<(u16, bool)> {
        let reader = self.stream.as_mut()?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/taxii+json;version=2.1\r\n{}\r\n",
            self.target.host, self.target.auth
        );
        reader.get_mut().write_all(request.as_bytes()).ok()?;
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let status: u16 = line.split(' ').nth(1)?.parse().ok()?;
        let mut keep = line.starts_with("HTTP/1.1");
        let mut length = None;
        loop {
            line.clear();
            reader.read_line(&mut line).ok()?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':')?;
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse::<u64>().ok(),
                "connection" => keep = !value.trim().eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        match length {
            Some(n) => {
                std::io::copy(&mut reader.by_ref().take(n), &mut std::io::sink()).ok()?;
            }
            None => {
                std::io::copy(reader, &mut std::io::sink()).ok()?;
                keep = false;
            }
        }
        Some((status, keep))
    }
}
