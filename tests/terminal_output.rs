//! What a person reads around the data, against a real local cloud: the
//! requests `-v` shows, suggested commands that run as printed, hints for
//! flags that take an optional value, waits that say how long, times in
//! the local zone.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{LocalCloud, pipecat_bin, scrub_env};
use serde_json::Value;

/// A local cloud and a config file for commands pointed at it.
struct Setup {
    cloud: LocalCloud,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup::with(LocalCloud::start())
    }

    fn with(cloud: LocalCloud) -> Setup {
        Setup {
            cloud,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("pipecatcloud.toml")
    }

    /// A command holding the private API key, run in a temp dir.
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.config());
        cmd.env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key)
            .env("PIPECAT_DEFAULT_PUBLIC_KEY", &self.cloud.public_key)
            .current_dir(self.dir.path());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn start(&self, agent: &str) -> String {
        let output = self.run(&["cloud", "agent", "start", agent, "--json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        json(&output)["sessionId"].as_str().unwrap().to_string()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", stdout(output)))
}

#[test]
fn v_shows_each_request_and_vv_its_headers_without_a_credential() {
    let setup = Setup::new();
    let quiet = setup.run(&["cloud", "agent", "list"]);
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");

    let verbose = setup.run(&[
        "-v",
        "cloud",
        "agent",
        "sessions",
        "my-first-agent",
        "-n",
        "5",
    ]);
    assert!(verbose.status.success(), "{}", stderr(&verbose));
    let text = stderr(&verbose);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.iter().any(|l| l
            .starts_with("GET /v1/agents/my-first-agent/sessions?limit=5 → 200 (")
            && l.ends_with(" ms)")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET /v1/agents/my-first-agent → 200 (")),
        "{text}"
    );
    assert!(!text.contains("authorization"), "{text}");

    let very = setup.run(&["-vv", "cloud", "agent", "status", "missing-agent"]);
    assert_eq!(very.status.code(), Some(4));
    let text = stderr(&very);
    assert!(
        text.contains("GET /v1/agents/missing-agent → 404 ("),
        "{text}"
    );
    assert!(text.contains("  > authorization: Bearer "), "{text}");
    assert!(
        text.contains("  < content-type: application/json"),
        "{text}"
    );
    assert!(!text.contains(&setup.cloud.private_key), "{text}");
}

#[test]
fn serve_v_prints_each_request_it_answers() {
    let temp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(pipecat_bin());
    cmd.args(["cloud", "local", "serve", "--port", "0", "-v", "--data-dir"])
        .arg(temp.path().join("data"))
        .env_remove("PIPECAT_LOCAL_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = cmd.spawn().unwrap();
    let mut announcement = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut announcement)
        .unwrap();
    let state = common::read_state(&temp.path().join("data"));
    let url = state["url"].as_str().unwrap().to_string();
    let key = state["privateKey"].as_str().unwrap().to_string();
    let mut client = assert_cmd::Command::new(pipecat_bin());
    scrub_env(&mut client);
    client
        .env("PIPECAT_API_HOST", &url)
        .env("PIPECAT_PRIVATE_API_KEY", &key)
        .env("HOME", temp.path())
        .env("PIPECAT_CONFIG_PATH", temp.path().join("config.toml"))
        .args(["cloud", "agent", "status", "my-first-agent"])
        .assert()
        .success();
    // The line comes on serve's stderr, after its settings.
    let (sender, receiver) = std::sync::mpsc::channel();
    let stderr = server.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let found = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match receiver.recv_timeout(left) {
            Ok(line) if line.contains(" GET /v1/agents/my-first-agent 200 ") => break true,
            Ok(line) => seen.push(line),
            Err(_) => break false,
        }
    };
    let pid = nix::unistd::Pid::from_raw(server.id() as i32);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let _ = server.wait();
    assert!(found, "no access line on stderr: {seen:?}");
    assert!(!seen.iter().any(|line| line.contains(&key)));
}
