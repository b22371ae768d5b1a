//! Graceful stop of the local cloud with many live sessions, against its
//! floor measured in the same run: SIGTERM to as many demo bots, each in its
//! own process group, and reaping them all (no server, no bookkeeping).
//!
//! Rounds alternate floor and server; medians are reported, and the ratio
//! of the medians (the target is at most 2).
//!
//! Run: `cargo bench --bench shutdown` (`SHUTDOWN_SESSIONS`, default 1000;
//! `SHUTDOWN_ROUNDS`, default 3; `PIPECAT_BENCH_SERVER` runs another build
//! of `pipecat`, for the server and the floor's bots). The server contains
//! sessions in cgroups where it can; `PIPECAT_LOCAL_CGROUPS=0` measures
//! the process-group fallback (most machines without root).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use serde_json::json;

#[path = "support/local_server.rs"]
mod local_server;
use local_server::LocalServer;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The floor: SIGTERM to `count` demo bots' process groups, then reap them.
fn floor(exe: &str, count: usize) -> Duration {
    let mut bots: Vec<Child> = (0..count)
        .map(|i| {
            Command::new(exe)
                .args(["cloud", "local", "demo-bot"])
                .env("PIPECAT_SESSION_ID", format!("floor-{i}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("spawn a demo bot")
        })
        .collect();
    // Every bot has its handlers in by then (they start in milliseconds).
    std::thread::sleep(Duration::from_secs(3));
    let began = Instant::now();
    for bot in &bots {
        let _ = killpg(Pid::from_raw(bot.id() as i32), Signal::SIGTERM);
    }
    for bot in &mut bots {
        let _ = bot.wait();
    }
    began.elapsed()
}

/// A server with `count` live demo-bot sessions, stopped with SIGTERM:
/// from the signal until it has exited (every session stopped, recorded
/// and its logs committed).
async fn server(exe: &str, count: usize) -> Duration {
    let temp = tempfile::tempdir().expect("temp dir");
    let data_dir = temp.path().join("data");
    let local = LocalServer::start(exe, &data_dir, |command| {
        command
            .args(["--default-max-agents", &count.to_string()])
            .stderr(Stdio::null());
    });
    let (url, public) = (local.text("url"), local.text("publicKey"));
    let mut server = local.child;
    let http = reqwest::Client::new();
    for _ in 0..count {
        let answer = http
            .post(format!("{url}/v1/public/my-first-agent/start"))
            .bearer_auth(&public)
            .json(&json!({"createDailyRoom": false}))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "start: {}", answer.status());
    }
    std::thread::sleep(Duration::from_secs(3));
    let began = Instant::now();
    kill(Pid::from_raw(server.id() as i32), Signal::SIGTERM).unwrap();
    let status = server.wait().unwrap();
    let took = began.elapsed();
    assert!(status.success(), "server exit: {status}");
    took
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    // `PIPECAT_BENCH_SERVER` measures another build (as `--bench server`).
    let exe = std::env::var("PIPECAT_BENCH_SERVER")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_pipecat").to_string());
    let exe = exe.as_str();
    let count = env_number("SHUTDOWN_SESSIONS", 1000);
    let rounds = env_number("SHUTDOWN_ROUNDS", 3).max(1);
    let (mut floors, mut ours) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let f = floor(exe, count);
        let s = server(exe, count).await;
        println!(
            "round {round}: floor (SIGTERM + reap of {count} process groups) {:.0} ms; graceful stop with {count} sessions {:.0} ms",
            f.as_secs_f64() * 1e3,
            s.as_secs_f64() * 1e3
        );
        floors.push(f);
        ours.push(s);
    }
    let (floor, ours) = (median(floors), median(ours));
    println!(
        "median: floor {:.0} ms, graceful stop {:.0} ms, ratio {:.2} (target at most 2)",
        floor.as_secs_f64() * 1e3,
        ours.as_secs_f64() * 1e3,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}
