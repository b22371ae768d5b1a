//! Soak benchmark of the local cloud (release build): for `SOAK_SECS`
//! seconds (default 600) it runs
//!
//! - 50 concurrent chatty sessions (a shell loop logging about 200 lines a
//!   second each), each stopped after 2-10 s and replaced by a new start
//!   (starts and stops in a loop);
//! - 20 log followers (`pipecat cloud agent logs chatty --follow`);
//! - an idle-connection flood (2,000 connections that send nothing and
//!   reconnect whenever the server drops them);
//!
//! and reports the server's RSS over time, start latency (p50/p99), lines
//! written by the sessions against lines stored, and processes of its
//! sessions left alive once the server has stopped (must be 0).
//!
//! Run: `cargo bench --bench soak` (`SOAK_SECS=60` for a short run;
//! `SOAK_FOLLOWERS` and `SOAK_IDLE` change the load). Not run in CI.

use std::collections::HashSet;
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "support/procs.rs"]
mod procs;
use procs::session_processes;

#[path = "support/local_server.rs"]
mod local_server;
use local_server::LocalServer;

const SESSIONS: usize = 50;
/// Logs 20 lines, then sleeps 0.1 s; keeps its count in `$SOAK_DIR/<id>`
/// (every 20 lines, and when stopped).
const CHATTY: &str = r#"acme/chatty=i=0; trap 'echo $i > "$SOAK_DIR/$PIPECAT_SESSION_ID"; exit 0' TERM; while :; do i=$((i+1)); echo "chatty line $i of the soak"; if [ $((i % 20)) = 0 ]; then echo $i > "$SOAK_DIR/$PIPECAT_SESSION_ID"; sleep 0.1; fi; done"#;

#[tokio::main]
async fn main() {
    let soak_for = Duration::from_secs(env_number("SOAK_SECS", 600) as u64);
    // For finding what costs what: SOAK_FOLLOWERS, SOAK_IDLE.
    let followers_wanted = env_number("SOAK_FOLLOWERS", 20);
    let idle_connections = env_number("SOAK_IDLE", 2000);
    let temp = tempfile::tempdir().expect("temp dir");
    let data_dir = temp.path().join("data");
    let counts_dir = temp.path().join("counts");
    std::fs::create_dir(&counts_dir).unwrap();
    let exe = env!("CARGO_BIN_EXE_pipecat");
    let local = LocalServer::start(exe, &data_dir, |command| {
        command
            .args(["--image", CHATTY])
            .env("SOAK_DIR", &counts_dir)
            .stderr(Stdio::null());
    });
    let (url, public, private) = (
        local.text("url"),
        local.text("publicKey"),
        local.text("privateKey"),
    );
    let mut server = local.child;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let created = http
        .post(format!("{url}/v1/agents"))
        .bearer_auth(&private)
        .json(&json!({"serviceName": "chatty", "image": "acme/chatty:1", "autoScaling": {"maxAgents": SESSIONS}}))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "create: {}",
        created.status()
    );
    println!(
        "soak for {} s: {SESSIONS} chatty sessions, {followers_wanted} followers, {idle_connections} idle connections",
        soak_for.as_secs()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let flood = {
        let stop = stop.clone();
        std::thread::spawn(move || idle_flood(addr, idle_connections, &stop))
    };
    let followed = Arc::new(AtomicU64::new(0));
    let mut followers = Vec::new();
    for _ in 0..followers_wanted {
        let mut child = Command::new(exe)
            .args(["cloud", "agent", "logs", "chatty", "--follow"])
            .env_clear()
            .env("PIPECAT_API_HOST", &url)
            .env("PIPECAT_PRIVATE_API_KEY", &private)
            .env("PIPECAT_CONFIG_PATH", temp.path().join("config.toml"))
            .env("HOME", temp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let followed = followed.clone();
        std::thread::spawn(move || {
            let mut buffer = vec![0u8; 64 * 1024];
            while let Ok(n) = out.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let lines = buffer[..n].iter().filter(|b| **b == b'\n').count();
                followed.fetch_add(lines as u64, Ordering::Relaxed);
            }
        });
        followers.push(child);
    }

    let began = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started_ids = Arc::new(Mutex::new(Vec::new()));
    let mut slots = Vec::new();
    for slot in 0..SESSIONS {
        let (http, url, public, private) =
            (http.clone(), url.clone(), public.clone(), private.clone());
        let (latencies, started_ids, stop) = (latencies.clone(), started_ids.clone(), stop.clone());
        slots.push(tokio::spawn(async move {
            let mut turn = slot as u64;
            while !stop.load(Ordering::Relaxed) {
                let asked = Instant::now();
                let answer = http
                    .post(format!("{url}/v1/public/chatty/start"))
                    .bearer_auth(&public)
                    .json(&json!({"createDailyRoom": false}))
                    .send()
                    .await;
                let Ok(answer) = answer else { continue };
                if !answer.status().is_success() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                let body: Value = answer.json().await.unwrap_or_default();
                latencies.lock().unwrap().push(asked.elapsed());
                let Some(id) = body["sessionId"].as_str().map(str::to_string) else {
                    continue;
                };
                started_ids.lock().unwrap().push(id.clone());
                turn = turn
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let run_for = Duration::from_millis(2000 + (turn >> 33) % 8000);
                let until = Instant::now() + run_for;
                while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let _ = http
                    .delete(format!("{url}/v1/agents/chatty/sessions/{id}"))
                    .bearer_auth(&private)
                    .send()
                    .await;
            }
        }));
    }

    println!(
        "{:>8}  {:>10}  {:>9}  {:>14}",
        "time s", "RSS MB", "started", "lines followed"
    );
    let server_pid = server.id();
    let mut peak_rss = 0;
    while began.elapsed() < soak_for {
        tokio::time::sleep(Duration::from_secs(30).min(soak_for)).await;
        let rss = rss_kib(server_pid);
        peak_rss = peak_rss.max(rss);
        println!(
            "{:>8}  {:>10.1}  {:>9}  {:>14}",
            began.elapsed().as_secs(),
            rss as f64 / 1024.0,
            started_ids.lock().unwrap().len(),
            followed.load(Ordering::Relaxed)
        );
    }
    stop.store(true, Ordering::Relaxed);
    for slot in slots {
        let _ = slot.await;
    }
    let reconnects = flood.join().unwrap();
    for mut follower in followers {
        let _ = follower.kill();
        let _ = follower.wait();
    }
    let stopping = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server_pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = server.wait().unwrap();
    let stop_took = stopping.elapsed();

    let ids: HashSet<String> = started_ids.lock().unwrap().iter().cloned().collect();
    let orphans = session_processes(&ids);
    let written: u64 = ids
        .iter()
        .filter_map(|id| std::fs::read_to_string(counts_dir.join(id)).ok())
        .filter_map(|count| count.trim().parse::<u64>().ok())
        .sum();
    let db = rusqlite::Connection::open(data_dir.join("local-cloud.sqlite3")).unwrap();
    let stored: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM logs WHERE line LIKE 'chatty line %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let pct = |p: f64| {
        latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64()
            * 1e3
    };
    println!("server exit: {status}; graceful stop took {stop_took:.2?}");
    println!("peak sampled RSS: {:.1} MB", peak_rss as f64 / 1024.0);
    println!(
        "sessions started: {}; start latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "lines written {written}, stored {stored} ({:.3}% of written); lines printed by {followers_wanted} followers {}",
        stored as f64 * 100.0 / written.max(1) as f64,
        followed.load(Ordering::Relaxed)
    );
    println!("idle-flood reconnects (connections the server closed): {reconnects}");
    println!("orphan processes of the soak's sessions: {}", orphans);
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Holds `count` connections that send nothing, reconnecting each one the
/// server drops; returns how many times it reconnected.
fn idle_flood(addr: SocketAddr, count: usize, stop: &AtomicBool) -> u64 {
    let connect = || {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
        stream.set_nonblocking(true).ok()?;
        Some(stream)
    };
    let mut held: Vec<Option<TcpStream>> = (0..count).map(|_| connect()).collect();
    let mut reconnects = 0;
    while !stop.load(Ordering::Relaxed) {
        for slot in held.iter_mut() {
            let dropped = match slot {
                Some(stream) => {
                    let mut byte = [0u8; 512];
                    // Data (a refusal) or the end: either way, gone.
                    match stream.peek(&mut byte) {
                        Ok(_) => true,
                        Err(err) => err.kind() != std::io::ErrorKind::WouldBlock,
                    }
                }
                None => true,
            };
            if dropped {
                *slot = connect();
                reconnects += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reconnects
}
