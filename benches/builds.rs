//! Benchmark of cloud builds and built-image sessions in the local Pipecat
//! Cloud, through its HTTP API, against a release server it spawns on a
//! temp data dir (needs python3):
//!
//! - a cold build of examples/pipecat-bot (upload, create, until
//!   `success`), then the same context again (upload, create: `cached`),
//!   and the cache lookup a client makes before uploading;
//! - from creating an agent on the build to `ready`;
//! - session start latency, p50 over 20 sessions: from the start request
//!   (the session's `lifecycle.requestedAt`) to the bot's first own log
//!   line, for the built image (agent host, `/readyz`, `POST /bot`) and for
//!   the built-in demo bot (the floor), and their ratio.
//!
//! Run: `cargo bench --bench builds`

use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::time::{Duration, Instant};

use pipecat_cloud::api::build_context::{self, ContextOptions};
use serde_json::{Value, json};

#[path = "support/local_server.rs"]
mod local_server;
use local_server::LocalServer;

const SESSIONS: usize = 20;
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pipecat-bot");

struct Api {
    http: reqwest::blocking::Client,
    url: String,
    private: String,
    public: String,
}

impl Api {
    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.private);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().expect("the local cloud answers");
        let status = response.status();
        let answer: Value = response.json().expect("a JSON answer");
        assert!(status.is_success(), "{path}: {status} {answer}");
        answer
    }

    fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body))
    }

    /// Upload and create: the answer to `POST /builds`.
    fn build(&self, tarball: &[u8]) -> Value {
        let slot = self.post("/v1/builds/upload-url", json!({"region": "local"}));
        let mut form = reqwest::blocking::multipart::Form::new();
        for (name, value) in slot["uploadFields"].as_object().unwrap() {
            form = form.text(name.clone(), value.as_str().unwrap().to_string());
        }
        let file = reqwest::blocking::multipart::Part::bytes(tarball.to_vec())
            .file_name("context.tar.gz")
            .mime_str("application/gzip")
            .unwrap();
        let response = self
            .http
            .post(slot["uploadUrl"].as_str().unwrap())
            .multipart(form.part("file", file))
            .send()
            .unwrap();
        assert!(
            response.status().is_success(),
            "upload: {}",
            response.status()
        );
        self.post(
            "/v1/builds",
            json!({"uploadId": slot["uploadId"], "region": "local"}),
        )
    }

    fn wait_build(&self, id: &str) -> Value {
        loop {
            let build = self.get(&format!("/v1/builds/{id}"))["build"].clone();
            if build["status"] != "pending" && build["status"] != "building" {
                return build;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Seconds from the start request to the session's first line that
    /// contains `marker`.
    fn start_latency(&self, agent: &str, marker: &str) -> f64 {
        let response = self
            .http
            .post(format!("{}/v1/public/{agent}/start", self.url))
            .bearer_auth(&self.public)
            .json(&json!({"createDailyRoom": false, "body": {"duration_secs": 0}}))
            .send()
            .unwrap();
        let started: Value = response.json().unwrap();
        let session = started["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let logs = self.get(&format!(
                "/v1/agents/{agent}/logs?sessionId={session}&order=asc&limit=100"
            ));
            let line = logs["logs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|entry| entry["log"].as_str().unwrap().contains(marker))
                .cloned();
            if let Some(line) = line {
                let details = self.get(&format!("/v1/agents/{agent}/sessions/{session}"));
                let requested = nanos(details["lifecycle"]["requestedAt"].as_str().unwrap());
                let logged = nanos(line["timestamp"].as_str().unwrap());
                // Let it end before the next one starts.
                while
                    self.get(&format!("/v1/agents/{agent}/sessions/{session}"))["completionStatus"]
                        .is_null()
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return (logged - requested) as f64 / 1e9;
            }
            assert!(
                Instant::now() < deadline,
                "session {session} never logged {marker:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn nanos(rfc3339: &str) -> i128 {
    let time = jiff::Timestamp::from_str(rfc3339).expect("an RFC 3339 time");
    time.as_nanosecond()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !python {
        eprintln!("skipped: no python3 on this machine");
        return;
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let data_dir = temp.path().join("data");
    let local = LocalServer::start(env!("CARGO_BIN_EXE_pipecat"), &data_dir, |_| {});
    let api = Api {
        http: reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap(),
        url: local.text("url"),
        private: local.text("privateKey"),
        public: local.text("publicKey"),
    };
    let mut server = local.child;
    let context = build_context::create(Path::new(EXAMPLE), &ContextOptions::default()).unwrap();

    let began = Instant::now();
    let created = api.build(&context.tarball);
    let id = created["build"]["id"].as_str().unwrap().to_string();
    let build = api.wait_build(&id);
    let cold = began.elapsed();
    assert_eq!(build["status"], "success", "{build}");

    let began = Instant::now();
    let lookup = api.get(&format!(
        "/v1/builds?contextHash={}&region=local&status=success&limit=1",
        context.context_hash
    ));
    let lookup_time = began.elapsed();
    assert_eq!(lookup["builds"][0]["id"], id.as_str());
    let began = Instant::now();
    let cached = api.build(&context.tarball);
    let cached_time = began.elapsed();
    assert_eq!(cached["cached"], true);

    let began = Instant::now();
    api.post("/v1/agents", json!({"serviceName": "built", "buildId": id}));
    while api.get("/v1/agents/built")["ready"] != true {
        std::thread::sleep(Duration::from_millis(10));
    }
    let to_ready = began.elapsed();

    let built: Vec<f64> = (0..SESSIONS)
        .map(|_| api.start_latency("built", "started with body"))
        .collect();
    let demo: Vec<f64> = (0..SESSIONS)
        .map(|_| api.start_latency("my-first-agent", "INFO demo-bot: session"))
        .collect();
    let (built, demo) = (median(built), median(demo));

    println!(
        "cold build of examples/pipecat-bot: {:.2} s",
        cold.as_secs_f64()
    );
    println!(
        "same context again: {:.1} ms (cached), cache lookup alone {:.1} ms",
        cached_time.as_secs_f64() * 1000.0,
        lookup_time.as_secs_f64() * 1000.0
    );
    println!(
        "agent on the build to ready: {:.1} ms",
        to_ready.as_secs_f64() * 1000.0
    );
    println!(
        "start to the bot's first line, p50 of {SESSIONS}: built image {:.0} ms, demo bot {:.0} ms (floor), ratio {:.1}",
        built * 1000.0,
        demo * 1000.0,
        built / demo
    );

    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = server.wait();
}
