//! Benchmark of the local Pipecat Cloud through its HTTP API, against a
//! release server it spawns on a temp data dir:
//!
//! - start-session latency (p50/p99 over 500 starts of the demo bot, each
//!   told to end at once so sessions do not pile up);
//! - 429 answers per second (64 concurrent loops for 3 s against an agent
//!   at capacity; median of 3 rounds);
//! - server RSS with 200 live demo-bot sessions.
//!
//! Run: `cargo bench --bench local_cloud`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "support/local_server.rs"]
mod local_server;
use local_server::LocalServer;

const STARTS: usize = 500;
const LIVE_SESSIONS: usize = 200;
const FLOOD_TASKS: usize = 64;
const FLOOD_FOR: Duration = Duration::from_secs(3);

#[tokio::main]
async fn main() {
    let temp = tempfile::tempdir().expect("temp dir");
    let data_dir = temp.path().join("data");
    let local = LocalServer::start(env!("CARGO_BIN_EXE_pipecat"), &data_dir, |command| {
        command.args(["--default-max-agents", "1000"]);
    });
    let (url, public, private) = (
        local.text("url"),
        local.text("publicKey"),
        local.text("privateKey"),
    );
    let mut server = local.child;
    let http = reqwest::Client::new();

    // 1. Start latency.
    let mut latencies = Vec::with_capacity(STARTS);
    for _ in 0..STARTS {
        let began = Instant::now();
        let response = http
            .post(format!("{url}/v1/public/my-first-agent/start"))
            .bearer_auth(&public)
            .json(&json!({"createDailyRoom": false, "body": {"duration_secs": 0}}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "start failed: {}",
            response.status()
        );
        let _ = response.bytes().await;
        latencies.push(began.elapsed());
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "start latency over {STARTS} starts: p50 {:.2} ms, p99 {:.2} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );

    // 2. 429s per second against an agent at capacity.
    create(&http, &url, &private, json!({"serviceName": "full", "image": "pipecat-local/demo-bot:latest", "autoScaling": {"maxAgents": 1}})).await;
    start(&http, &url, &public, "full").await;
    let mut rates = Vec::new();
    for _ in 0..3 {
        let count = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + FLOOD_FOR;
        let tasks: Vec<_> = (0..FLOOD_TASKS)
            .map(|_| {
                let (http, url, public, count) =
                    (http.clone(), url.clone(), public.clone(), count.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let response = http
                            .post(format!("{url}/v1/public/full/start"))
                            .bearer_auth(&public)
                            .body("{}")
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status(), 429);
                        let _ = response.bytes().await;
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        rates.push(count.load(Ordering::Relaxed) as f64 / FLOOD_FOR.as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "429 answers per second ({FLOOD_TASKS} concurrent loops, median of 3 x {} s): {:.0}",
        FLOOD_FOR.as_secs(),
        rates[1]
    );

    // 3. Server memory with 200 live demo-bot sessions.
    create(&http, &url, &private, json!({"serviceName": "crowd", "image": "pipecat-local/demo-bot:latest", "autoScaling": {"maxAgents": LIVE_SESSIONS}})).await;
    for _ in 0..LIVE_SESSIONS {
        start(&http, &url, &public, "crowd").await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let agent: Value = http
            .get(format!("{url}/v1/agents/crowd"))
            .bearer_auth(&private)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if agent["activeSessionCount"] == json!(LIVE_SESSIONS) || Instant::now() > deadline {
            println!("live crowd sessions: {}", agent["activeSessionCount"]);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let every bot log a few lines so the log path is exercised too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    println!(
        "server RSS with {LIVE_SESSIONS} live demo-bot sessions: {:.1} MB",
        rss_mb(server.id())
    );
    let bots = children(server.id());
    if !bots.is_empty() {
        let total: f64 = bots.iter().map(|pid| rss_mb(*pid)).sum();
        println!(
            "demo-bot RSS: {:.1} MB each on average ({} processes)",
            total / bots.len() as f64,
            bots.len()
        );
    }

    // Graceful stop with 201 live sessions.
    let began = Instant::now();
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let status = server.wait().unwrap();
    println!(
        "graceful shutdown with {} live sessions: {:.2} s ({status})",
        LIVE_SESSIONS + 1,
        began.elapsed().as_secs_f64()
    );
}

async fn create(http: &reqwest::Client, url: &str, key: &str, spec: Value) {
    let response = http
        .post(format!("{url}/v1/agents"))
        .bearer_auth(key)
        .json(&spec)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "create failed: {}",
        response.text().await.unwrap_or_default()
    );
}

async fn start(http: &reqwest::Client, url: &str, key: &str, agent: &str) {
    let response = http
        .post(format!("{url}/v1/public/{agent}/start"))
        .bearer_auth(key)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "start failed: {}",
        response.status()
    );
}

/// VmRSS of a process, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Direct children of a process (its session processes).
fn children(pid: u32) -> Vec<u32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    let mut all: Vec<u32> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    // Tokio may fork from any worker thread: look at every task.
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let file = task.path().join("children");
            all.extend(
                std::fs::read_to_string(file)
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    all.sort();
    all.dedup();
    all
}
