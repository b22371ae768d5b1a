//! The bars of the local cloud's hardening, measured on a release build
//! (tests check the behaviour with generous limits; this measures it):
//!
//! 1. a session running `yes` for 30 s: the server's peak RSS (bar: under
//!    100 MB), the time `local stop` takes (bar: under 2 s), and whether
//!    `logs --follow --session` printed the session's last line;
//! 2. 2,000 idle connections that reconnect when dropped: latency of 100
//!    requests from a normal client (bar: answered within 100 ms), beside
//!    the same requests without the flood;
//! 3. `kill -9` of the server with 20 sessions (demo bots, `sh -c` wrapped
//!    commands, `setsid` daemons): time from the restart until no process
//!    of those sessions is alive (bar: 2 s).
//!
//! Run: `cargo bench --bench hardening`.

use std::collections::HashSet;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "support/procs.rs"]
mod procs;
use procs::session_processes;

#[path = "support/local_server.rs"]
mod local_server;
use local_server::LocalServer;

const EXE: &str = env!("CARGO_BIN_EXE_pipecat");

struct Server {
    child: Child,
    url: String,
    public: String,
    private: String,
}

fn serve(data_dir: &Path, extra: &[&str]) -> Server {
    let local = LocalServer::start(EXE, data_dir, |command| {
        command.args(extra).stderr(Stdio::null());
    });
    Server {
        url: local.text("url"),
        public: local.text("publicKey"),
        private: local.text("privateKey"),
        child: local.child,
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn create(server: &Server, name: &str, image: &str) {
    let answer = client()
        .post(format!("{}/v1/agents", server.url))
        .bearer_auth(&server.private)
        .json(&json!({"serviceName": name, "image": image}))
        .send()
        .unwrap();
    assert!(
        answer.status().is_success(),
        "create {name}: {}",
        answer.status()
    );
}

fn start(server: &Server, agent: &str) -> String {
    let answer: Value = client()
        .post(format!("{}/v1/public/{agent}/start", server.url))
        .bearer_auth(&server.public)
        .json(&json!({"createDailyRoom": false}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    answer["sessionId"].as_str().expect("sessionId").to_string()
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn flood() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let mut server = serve(&data_dir, &["--image", "acme/flood=yes"]);
    create(&server, "flood", "acme/flood:1");
    let id = start(&server, "flood");
    let follow = Command::new(EXE)
        .args([
            "cloud",
            "agent",
            "logs",
            "flood",
            "--follow",
            "--session",
            &id,
        ])
        .env_clear()
        .env("PIPECAT_API_HOST", &server.url)
        .env("PIPECAT_PRIVATE_API_KEY", &server.private)
        .env("PIPECAT_CONFIG_PATH", temp.path().join("config.toml"))
        .env("HOME", temp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(30));
    let peak = peak_rss_kib(server.child.id());
    // Stopping the session: the follower prints its last line and exits.
    let answer = client()
        .delete(format!("{}/v1/agents/flood/sessions/{id}", server.url))
        .bearer_auth(&server.private)
        .send()
        .unwrap();
    assert!(answer.status().is_success());
    let printed = follow.wait_with_output().unwrap();
    let printed = String::from_utf8_lossy(&printed.stdout);
    let last = printed.lines().last().unwrap_or_default().to_string();
    // `local stop` with another flood running.
    start(&server, "flood");
    std::thread::sleep(Duration::from_secs(5));
    let began = Instant::now();
    let stopped = Command::new(EXE)
        .args(["cloud", "local", "stop", "--data-dir"])
        .arg(&data_dir)
        .env_clear()
        .env("HOME", temp.path())
        .output()
        .unwrap();
    let stop_took = began.elapsed();
    assert!(stopped.status.success());
    let _ = server.child.wait();
    println!(
        "1. `yes` for 30 s: server peak RSS {:.1} MB (bar 100 MB); follow's last line {last:?}; `local stop` with a flood running {:.0} ms (bar 2 s)",
        peak as f64 / 1024.0,
        stop_took.as_secs_f64() * 1e3
    );
}

fn latencies(url: &str, key: &str, count: usize) -> Vec<Duration> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut taken: Vec<Duration> = (0..count)
        .map(|_| {
            let began = Instant::now();
            let answer = client
                .get(format!("{url}/v1/agents"))
                .bearer_auth(key)
                .send();
            let took = began.elapsed();
            std::thread::sleep(Duration::from_millis(20));
            match answer {
                Ok(answer) if answer.status().is_success() => took,
                _ => Duration::from_secs(10),
            }
        })
        .collect();
    taken.sort();
    taken
}

fn summary(taken: &[Duration]) -> String {
    let pct = |p: f64| taken[((taken.len() as f64 * p) as usize).min(taken.len() - 1)];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        pct(1.0).as_secs_f64() * 1e3
    )
}

fn idle_flood() {
    let temp = tempfile::tempdir().unwrap();
    let mut server = serve(&temp.path().join("data"), &[]);
    let quiet = latencies(&server.url, &server.private, 100);
    let addr: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let holder = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let connect = || {
                let stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
                stream.set_nonblocking(true).ok()?;
                Some(stream)
            };
            let mut held: Vec<Option<TcpStream>> = (0..2000).map(|_| connect()).collect();
            while !stop.load(Ordering::Relaxed) {
                for slot in held.iter_mut() {
                    let mut byte = [0u8; 64];
                    let gone = match slot {
                        Some(stream) => {
                            !matches!(stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
                        }
                        None => true,
                    };
                    if gone {
                        *slot = connect();
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let flooded = latencies(&server.url, &server.private, 100);
    stop.store(true, Ordering::Relaxed);
    holder.join().unwrap();
    println!(
        "2. GET /v1/agents on a fresh connection: quiet {}; under 2,000 idle connections {} (bar 100 ms)",
        summary(&quiet),
        summary(&flooded)
    );
    let _ = server.child.kill();
    let _ = server.child.wait();
}

fn orphans() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let images = [
        "--image",
        "acme/wrapped=sleep 1000; echo never",
        "--image",
        "acme/daemon=setsid sleep 1000 & sleep 1000",
    ];
    let mut server = serve(&data_dir, &images);
    create(&server, "wrapped", "acme/wrapped:1");
    create(&server, "daemon", "acme/daemon:1");
    let ids: HashSet<String> = (0..20)
        .map(|i| start(&server, ["my-first-agent", "wrapped", "daemon"][i % 3]))
        .collect();
    let expected = 7 + 7 * 2 + 6 * 3;
    let deadline = Instant::now() + Duration::from_secs(30);
    while session_processes(&ids) < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    std::thread::sleep(Duration::from_millis(500));
    let left = session_processes(&ids);
    let began = Instant::now();
    let mut restarted = serve(&data_dir, &images);
    let serving = began.elapsed();
    while session_processes(&ids) > 0 && began.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let clean = began.elapsed();
    println!(
        "3. kill -9 with 20 sessions: {left} of their processes outlived the server; the restart served after {:.0} ms and none was alive after {:.0} ms (bar 2 s)",
        serving.as_secs_f64() * 1e3,
        clean.as_secs_f64() * 1e3
    );
    let _ = restarted.child.kill();
    let _ = restarted.child.wait();
}

fn main() {
    flood();
    idle_flood();
    orphans();
}
