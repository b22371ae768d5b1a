//! The local cloud's server against its floors, measured in the same run
//! and interleaved (ours, floor, ours, floor, ...), reported as the median
//! of per-round ratios with their spread (lowest..highest). Each row is a
//! performance target (see the README's benchmark table):
//!
//! | row | ours | floor | target |
//! |---|---|---|---|
//! | `logs-100` | `agent logs -n 100` on an agent with 1M stored lines | the same on an agent with 10k | ≤ 2x |
//! | `fetch-all` | server CPU to page through every line of 1M | the same for 100k | ≤ 12x |
//! | `start-busy` | start latency p99 while 2 clients page through the 1M agent's logs | idle | ≤ 2x |
//! | `rate-429` | 429 answers per second | `examples/floor_429.rs` | ≥ 0.8x |
//! | `start-p50` | start latency p50 | `examples/floor_spawn.rs` | ≤ 1.5x |
//! | `huge` | the slowest start and 429 while a `query=` search scans 10M lines | | < 50 ms |
//!
//! The store is built once, fast: the server creates the agents, then the
//! lines go in through SQLite directly, in one transaction, while the
//! server is stopped. It lives in a temp dir that is deleted at the end
//! (10M lines take about 2 GB).
//!
//! ```sh
//! cargo build --release --examples && cargo bench --bench server [-- ROW...]
//! ```
//!
//! `PIPECAT_BENCH_SERVER=/path/to/pipecat` measures another build of the
//! server (e.g. the one before a change) with this harness;
//! `PIPECAT_BENCH_HUGE_LINES` changes the 10M of `huge` (0 leaves it out).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "support/tiny_http.rs"]
mod tiny_http;
use tiny_http::Http;

#[path = "support/local_server.rs"]
mod local_server;
use local_server::LocalServer;

const SMALL: (&str, u64) = ("small", 10_000);
const HUNDRED: (&str, u64) = ("hundred", 100_000);
const BIG: (&str, u64) = ("big", 1_000_000);
const HUGE: &str = "huge";
const HUGE_LINES: u64 = 10_000_000;
/// Sessions each bulk-loaded agent's lines are spread over.
const SESSIONS_PER_AGENT: u64 = 10;
/// Lines are a microsecond apart, ending an hour ago.
const LINE_STEP_NS: i64 = 1_000;

const PAGE: u64 = 10_000;
const START_BODY: &str = r#"{"createDailyRoom": false, "body": {"duration_secs": 0}}"#;

fn main() {
    let rows: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |row: &str| rows.is_empty() || rows.iter().any(|r| r == row);
    let binary = std::env::var_os("PIPECAT_BENCH_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_pipecat")));
    let huge_lines = std::env::var("PIPECAT_BENCH_HUGE_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(HUGE_LINES);
    let examples = Path::new(env!("CARGO_BIN_EXE_pipecat"))
        .parent()
        .unwrap()
        .join("examples");
    println!("server: {}", binary.display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let temp = tempfile::Builder::new()
        .prefix("pipecat-bench-")
        .tempdir()
        .expect("temp dir");
    let mut report = Report::default();

    if wanted("rate-429") {
        runtime.block_on(rate_429(&binary, &examples, temp.path(), &mut report));
    }
    if wanted("start-p50") {
        runtime.block_on(start_p50(&binary, &examples, temp.path(), &mut report));
    }
    let store_rows = ["logs-100", "fetch-all", "start-busy", "huge"];
    if store_rows.iter().any(|row| wanted(row)) {
        let huge = if wanted("huge") { huge_lines } else { 0 };
        let began = Instant::now();
        let data_dir = temp.path().join("store");
        let agents = [SMALL, HUNDRED, BIG, (HUGE, huge)];
        build_store(&binary, &data_dir, &agents);
        println!(
            "store: {} lines in {:.0} s",
            agents.iter().map(|a| a.1).sum::<u64>(),
            began.elapsed().as_secs_f64()
        );
        let server = Server::start(&binary, &data_dir, &[]);
        runtime.block_on(async {
            if wanted("logs-100") {
                logs_100(&server, &binary, temp.path(), &mut report).await;
            }
            if wanted("fetch-all") {
                fetch_all(&server, &mut report).await;
            }
            if wanted("start-busy") {
                start_busy(&server, &mut report).await;
            }
            if wanted("huge") && huge > 0 {
                huge_query(&server, huge, &mut report).await;
            }
        });
        drop(server);
    }
    report.print();
}

// --- rows --------------------------------------------------------------------

/// 429 answers per second: ours (an agent at capacity) against the
/// minimal axum server, 64 connections for 2 s a round.
async fn rate_429(binary: &Path, examples: &Path, temp: &Path, report: &mut Report) {
    const CONNECTIONS: usize = 64;
    const ROUND: Duration = Duration::from_secs(2);
    let server = Server::start(binary, &temp.join("rate"), &[]);
    server
        .create(json!({"serviceName": "full", "image": "pipecat-local/demo-bot:latest", "autoScaling": {"maxAgents": 1}}))
        .await;
    let http = Http::new(&server.url);
    let (status, _) = http
        .post("/v1/public/full/start", &server.public, "{}")
        .await;
    assert_eq!(status, 200, "the first start of `full`");
    let floor = Floor::start(&examples.join("floor_429"), &[]);
    let ours_path = "/v1/public/full/start";
    let mut rounds = Vec::new();
    for _ in 0..7 {
        let ours = flood(&server.url, ours_path, &server.public, CONNECTIONS, ROUND).await;
        let theirs = flood(&floor.url, ours_path, &server.public, CONNECTIONS, ROUND).await;
        rounds.push((ours, theirs));
    }
    report.row(
        "rate-429",
        "429 answers/s vs minimal axum 429 server",
        &rounds,
        Target::AtLeast(0.8),
        "/s",
    );
    drop(floor);
    drop(server);
}

/// Start latency p50: ours against the spawn-only server, 100 starts a
/// round, one connection.
async fn start_p50(binary: &Path, examples: &Path, temp: &Path, report: &mut Report) {
    const STARTS: usize = 100;
    let server = Server::start(binary, &temp.join("starts"), &[]);
    let floor = Floor::start(&examples.join("floor_spawn"), &[binary.as_os_str()]);
    let path = "/v1/public/my-first-agent/start";
    let mut rounds = Vec::new();
    for round in 0..10 {
        let ours = latencies(&server.url, path, &server.public, STARTS).await;
        let theirs = latencies(&floor.url, path, &server.public, STARTS).await;
        // The first round warms both up.
        if round > 0 {
            rounds.push((ms(percentile(&ours, 0.5)), ms(percentile(&theirs, 0.5))));
        }
    }
    report.row(
        "start-p50",
        "start latency p50 vs spawn-only server",
        &rounds,
        Target::AtMost(1.5),
        " ms",
    );
    drop(floor);
    drop(server);
}

/// `agent logs -n 100` (the CLI, end to end) on the 1M agent against the
/// 10k one; the server's own time for the same request is shown beside.
async fn logs_100(server: &Server, binary: &Path, temp: &Path, report: &mut Report) {
    let env = server.client_env(temp);
    let cli = |agent: &str| {
        let began = Instant::now();
        let status = Command::new(binary)
            .args(["cloud", "agent", "logs", agent, "-n", "100"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run agent logs");
        assert!(status.success(), "agent logs {agent} failed");
        ms(began.elapsed())
    };
    let mut rounds = Vec::new();
    for round in 0..21 {
        let big = cli(BIG.0);
        let small = cli(SMALL.0);
        if round > 0 {
            rounds.push((big, small));
        }
    }
    report.row(
        "logs-100",
        "`agent logs -n 100`: 1M stored lines vs 10k",
        &rounds,
        Target::AtMost(2.0),
        " ms",
    );
    let http = Http::new(&server.url);
    let mut rounds = Vec::new();
    for round in 0..51 {
        let big = timed_get(
            &http,
            &format!("/v1/agents/{}/logs?limit=100", BIG.0),
            &server.private,
        )
        .await;
        let small = timed_get(
            &http,
            &format!("/v1/agents/{}/logs?limit=100", SMALL.0),
            &server.private,
        )
        .await;
        if round > 0 {
            rounds.push((big, small));
        }
    }
    report.row(
        "logs-100/server",
        "  the request alone (limit=100)",
        &rounds,
        Target::Info,
        " ms",
    );
}

/// Server CPU to hand out every line of an agent, newest first, in pages
/// of 10,000 by `offset` (as `agent logs -n N` pages): 1M lines against
/// 100k.
async fn fetch_all(server: &Server, report: &mut Report) {
    let mut rounds = Vec::new();
    let mut walls = Vec::new();
    for _ in 0..5 {
        let (big_cpu, big_wall) = read_all(server, BIG).await;
        let (small_cpu, small_wall) = read_all(server, HUNDRED).await;
        rounds.push((big_cpu, small_cpu));
        walls.push((big_wall, small_wall));
    }
    report.row(
        "fetch-all",
        "server CPU to fetch every line: 1M vs 100k",
        &rounds,
        Target::AtMost(12.0),
        " ms",
    );
    report.row(
        "fetch-all/wall",
        "  wall time of the same",
        &walls,
        Target::Info,
        " ms",
    );
}

async fn read_all(server: &Server, (agent, lines): (&str, u64)) -> (f64, f64) {
    let http = Http::new(&server.url);
    let cpu = server.cpu();
    let began = Instant::now();
    let mut offset = 0;
    let mut read = 0;
    loop {
        let path = format!("/v1/agents/{agent}/logs?limit={PAGE}&offset={offset}");
        let (status, body) = http.get(&path, &server.private).await;
        assert_eq!(status, 200);
        let count = count_lines(&body);
        read += count;
        offset += PAGE;
        if count < PAGE {
            break;
        }
    }
    // Every stored line, and the server's own "agent created" event.
    assert!(
        read > lines,
        "every line of {agent}: read {read} of {lines}"
    );
    (ms(server.cpu() - cpu), ms(began.elapsed()))
}

/// Start latency p99 while two clients page through the 1M agent's logs
/// over and over (as `agent logs -n 1000000` would), against the same with
/// nobody reading.
async fn start_busy(server: &Server, report: &mut Report) {
    const STARTS: usize = 200;
    let path = "/v1/public/my-first-agent/start";
    let mut rounds = Vec::new();
    for _ in 0..9 {
        let idle = latencies_apart(&server.url, path, &server.public, STARTS).await;
        let stop = Arc::new(AtomicBool::new(false));
        let pages = Arc::new(AtomicU64::new(0));
        let readers: Vec<_> = (0..2u64)
            .map(|reader| {
                let (url, key, stop, pages) = (
                    server.url.clone(),
                    server.private.clone(),
                    stop.clone(),
                    pages.clone(),
                );
                tokio::spawn(async move {
                    let http = Http::new(&url);
                    // The two readers start at different depths.
                    let mut offset = reader * BIG.1 / 2;
                    while !stop.load(Ordering::Relaxed) {
                        let path =
                            format!("/v1/agents/{}/logs?limit={PAGE}&offset={offset}", BIG.0);
                        let (status, _) = http.get(&path, &key).await;
                        assert_eq!(status, 200);
                        pages.fetch_add(1, Ordering::Relaxed);
                        offset = (offset + PAGE) % BIG.1;
                    }
                })
            })
            .collect();
        // Both readers are under way.
        while pages.load(Ordering::Relaxed) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let busy = latencies_apart(&server.url, path, &server.public, STARTS).await;
        stop.store(true, Ordering::Relaxed);
        for reader in readers {
            reader.await.unwrap();
        }
        println!(
            "  start-busy round: idle p99 {:.2} ms, busy p99 {:.2} ms ({} pages read meanwhile)",
            ms(percentile(&idle, 0.99)),
            ms(percentile(&busy, 0.99)),
            pages.load(Ordering::Relaxed)
        );
        rounds.push((ms(percentile(&busy, 0.99)), ms(percentile(&idle, 0.99))));
    }
    report.row(
        "start-busy",
        "start latency p99: 2 log readers vs idle",
        &rounds,
        Target::AtMost(2.0),
        " ms",
    );
}

/// The bar: with 10M lines stored and a `query=` search scanning
/// them, a start and a 429 are answered within 50 ms. Reports the slowest
/// of 20 of each, sent while the search runs.
async fn huge_query(server: &Server, lines: u64, report: &mut Report) {
    server
        .create(json!({"serviceName": "full-huge", "image": "pipecat-local/demo-bot:latest", "autoScaling": {"maxAgents": 1}}))
        .await;
    let http = Http::new(&server.url);
    let (status, _) = http
        .post("/v1/public/full-huge/start", &server.public, "{}")
        .await;
    assert_eq!(status, 200);
    let (url, key) = (server.url.clone(), server.private.clone());
    let began = Instant::now();
    let search = tokio::spawn(async move {
        let http = Http::new(&url);
        let (status, _) = http
            .get(
                &format!("/v1/agents/{HUGE}/logs?query=no-such-text&limit=100"),
                &key,
            )
            .await;
        assert_eq!(status, 200);
        began.elapsed()
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut starts = Vec::new();
    let mut refusals = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let (status, _) = http
            .post(
                "/v1/public/my-first-agent/start",
                &server.public,
                START_BODY,
            )
            .await;
        assert_eq!(status, 200);
        starts.push(t.elapsed());
        let t = Instant::now();
        let (status, _) = http
            .post("/v1/public/full-huge/start", &server.public, "{}")
            .await;
        assert_eq!(status, 429);
        refusals.push(t.elapsed());
    }
    let searched = search.await.unwrap();
    let worst = |all: &[Duration]| ms(*all.iter().max().unwrap());
    report.single(
        "huge",
        &format!(
            "slowest start / 429 during a {:.1} s search of {lines} lines",
            searched.as_secs_f64()
        ),
        format!("{:.1} ms / {:.1} ms", worst(&starts), worst(&refusals)),
        worst(&starts).max(worst(&refusals)) < 50.0,
        "< 50 ms",
    );
}

// --- measuring ---------------------------------------------------------------

/// Requests per second from `connections` keep-alive connections for `for_`.
async fn flood(url: &str, path: &str, key: &str, connections: usize, for_: Duration) -> f64 {
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + for_;
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (url, path, key, count) = (
                url.to_string(),
                path.to_string(),
                key.to_string(),
                count.clone(),
            );
            tokio::spawn(async move {
                let http = Http::new(&url);
                while Instant::now() < deadline {
                    let (status, _) = http.post(&path, &key, "{}").await;
                    assert_eq!(status, 429);
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    count.load(Ordering::Relaxed) as f64 / for_.as_secs_f64()
}

/// The time of one GET that must succeed, in ms.
async fn timed_get(http: &Http, path: &str, key: &str) -> f64 {
    let began = Instant::now();
    let (status, _) = http.get(path, key).await;
    assert_eq!(status, 200, "GET {path}");
    ms(began.elapsed())
}

/// The time of each of `n` starts, one after the other on one connection.
async fn latencies(url: &str, path: &str, key: &str, n: usize) -> Vec<Duration> {
    let http = Http::new(url);
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        let began = Instant::now();
        let (status, body) = http.post(path, key, START_BODY).await;
        assert_eq!(status, 200, "start: {}", String::from_utf8_lossy(&body));
        all.push(began.elapsed());
    }
    all
}

/// `latencies` measured by a client of its own, as `agent start` is: a
/// thread with its own runtime, so that the readers' tasks on the bench's
/// runtime never delay the measuring client's wake-ups.
async fn latencies_apart(url: &str, path: &str, key: &str, n: usize) -> Vec<Duration> {
    let (url, path, key) = (url.to_string(), path.to_string(), key.to_string());
    let client = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(latencies(&url, &path, &key, n))
    });
    tokio::task::spawn_blocking(move || client.join().unwrap())
        .await
        .unwrap()
}

fn percentile(all: &[Duration], p: f64) -> Duration {
    let mut sorted = all.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Lines in a logs answer, without decoding it (each has one `"log":`).
fn count_lines(body: &[u8]) -> u64 {
    body.windows(6).filter(|w| w == b"\"log\":").count() as u64
}

// --- the report --------------------------------------------------------------

#[derive(Clone, Copy)]
enum Target {
    AtMost(f64),
    AtLeast(f64),
    Info,
}

#[derive(Default)]
struct Report {
    lines: Vec<String>,
}

impl Report {
    /// One row from per-round (ours, floor) pairs.
    fn row(&mut self, name: &str, what: &str, rounds: &[(f64, f64)], target: Target, unit: &str) {
        let mut ratios: Vec<f64> = rounds.iter().map(|(ours, floor)| ours / floor).collect();
        ratios.sort_by(f64::total_cmp);
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let ours = median(rounds.iter().map(|r| r.0).collect());
        let floor = median(rounds.iter().map(|r| r.1).collect());
        let ratio = ratios[ratios.len() / 2];
        let (goal, met) = match target {
            Target::AtMost(max) => (format!("≤ {max}x"), Some(ratio <= max)),
            Target::AtLeast(min) => (format!("≥ {min}x"), Some(ratio >= min)),
            Target::Info => (String::new(), None),
        };
        let line = format!(
            "{name:<16} {what:<46} ours {ours:>10.2}{unit:<3} floor {floor:>10.2}{unit:<3} ratio {ratio:>6.2} ({:.2}..{:.2}, {} rounds) {goal} {}",
            ratios[0],
            ratios[ratios.len() - 1],
            ratios.len(),
            match met {
                Some(true) => "ok",
                Some(false) => "MISSED",
                None => "",
            }
        );
        println!("{line}");
        self.lines.push(line);
    }

    fn single(&mut self, name: &str, what: &str, result: String, met: bool, goal: &str) {
        let line = format!(
            "{name:<16} {what:<46} {result} {goal} {}",
            if met { "ok" } else { "MISSED" }
        );
        println!("{line}");
        self.lines.push(line);
    }

    fn print(&self) {
        println!("\n== summary (medians of per-round ratios; spread lowest..highest)");
        for line in &self.lines {
            println!("{line}");
        }
    }
}

// --- processes -----------------------------------------------------------------

/// A `pipecat cloud local serve` on a free port.
struct Server {
    child: Child,
    url: String,
    public: String,
    private: String,
    user_token: String,
}

impl Server {
    fn start(binary: &Path, data_dir: &Path, extra: &[&str]) -> Server {
        let local = LocalServer::start(binary, data_dir, |command| {
            command
                .args(["--default-max-agents", "100000"])
                .args(extra)
                .stderr(Stdio::null());
        });
        Server {
            url: local.text("url"),
            public: local.text("publicKey"),
            private: local.text("privateKey"),
            user_token: local.text("userToken"),
            child: local.child,
        }
    }

    async fn create(&self, spec: Value) -> Value {
        let (status, body) = Http::new(&self.url)
            .post("/v1/agents", &self.private, &spec.to_string())
            .await;
        assert_eq!(status, 200, "create: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    /// What `pipecat` needs to talk to this server.
    fn client_env(&self, temp: &Path) -> Vec<(String, String)> {
        vec![
            ("PIPECAT_API_HOST".into(), self.url.clone()),
            ("PIPECAT_TOKEN".into(), self.user_token.clone()),
            ("PIPECAT_ORG".into(), "local".into()),
            ("PIPECAT_PRIVATE_API_KEY".into(), self.private.clone()),
            (
                "PIPECAT_CONFIG_PATH".into(),
                temp.join("config.toml").display().to_string(),
            ),
            ("HOME".into(), temp.display().to_string()),
            ("NO_COLOR".into(), "1".into()),
        ]
    }

    /// User plus system CPU time the server has used so far.
    /// The CPU time of the server's live threads, in nanoseconds
    /// (`/proc/PID/task/*/schedstat`; `/proc/PID/stat` counts whole clock
    /// ticks, 10 ms, a tenth of the 100k fetch). The threads that do the
    /// work measured here (the async workers, the store's read threads)
    /// live as long as the server.
    fn cpu(&self) -> Duration {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id())).unwrap();
        let nanos: u64 = tasks
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
            .filter_map(|stat| stat.split(' ').next()?.parse::<u64>().ok())
            .sum();
        Duration::from_nanos(nanos)
    }
}

/// A benchmark that fails still stops its server (SIGTERM: it stops its
/// sessions too).
impl Drop for Server {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
    }
}

/// A floor program (`examples/floor_*.rs`) serving on a free port.
struct Floor {
    child: Child,
    url: String,
}

impl Floor {
    fn start(program: &Path, args: &[&std::ffi::OsStr]) -> Floor {
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot run {}: {err}; build the floors first: cargo build --release --examples",
                    program.display()
                )
            });
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        Floor {
            child,
            url: url.trim().to_string(),
        }
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// --- the store -----------------------------------------------------------------

/// A data dir whose agents have the given numbers of log lines: the server
/// (the one measured, so the schema is its own) creates the agents, then
/// the lines are inserted directly, in one transaction, while it is
/// stopped.
fn build_store(binary: &Path, data_dir: &Path, agents: &[(&str, u64)]) {
    let server = Server::start(binary, data_dir, &[]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut deployments = Vec::new();
    for (name, lines) in agents {
        if *lines == 0 {
            continue;
        }
        let agent =
            runtime
                .block_on(server.create(
                    json!({"serviceName": name, "image": "pipecat-local/demo-bot:latest"}),
                ));
        let deployment = agent["deployment"]["id"].as_str().unwrap().to_string();
        deployments.push((*name, *lines, deployment));
    }
    drop(server);

    let mut conn = rusqlite::Connection::open(data_dir.join("local-cloud.sqlite3")).unwrap();
    // A rollback journal for the load: in WAL mode a transaction this big
    // would sit in the WAL (as big as the data) until a checkpoint.
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let total: u64 = deployments.iter().map(|d| d.1).sum();
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let mut ts = now_ns - 3_600_000_000_000 - total as i64 * LINE_STEP_NS;
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO logs(agent_name, deployment_id, session_id, ts_ns, line) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        for (name, lines, deployment) in &deployments {
            let per_session = lines.div_ceil(SESSIONS_PER_AGENT);
            let mut session = String::new();
            for i in 0..*lines {
                if i % per_session == 0 {
                    session = uuid::Uuid::new_v4().to_string();
                }
                ts += LINE_STEP_NS;
                let line =
                    format!("INFO bot: line {i} of {name}, turn ended, waiting for the user");
                insert
                    .execute(rusqlite::params![name, deployment, session, ts, line])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
}
