//! `--local`: every command talks to the local cloud of the default data
//! dir, started in the background when none runs; `local status` and
//! `local stop` manage it; `pcc` is `pipecat cloud`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{pipecat_bin, scrub_env};
use serde_json::Value;

/// A fresh HOME and data dir; stops whatever server was started in it.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(pipecat_bin());
        scrub_env(&mut cmd);
        cmd.env("HOME", self.home())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("PIPECAT_LOCAL_DATA_DIR", self.data_dir())
            .env("NO_COLOR", "1")
            // Real credentials in the environment must not reach the local
            // cloud, nor be replaced in the user's config.
            .env("PIPECAT_TOKEN", "pcc_pat_real_user_token")
            .env("PIPECAT_PRIVATE_API_KEY", "sk_real_private_key")
            .env("PIPECAT_DEFAULT_PUBLIC_KEY", "pk_real_public_key")
            .env("PIPECAT_API_HOST", "http://127.0.0.1:9")
            .env("PIPECAT_ORG", "real-org");
        cmd
    }

    fn state(&self) -> Value {
        common::read_state(&self.data_dir())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.cmd().args(["cloud", "local", "stop"]).output();
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

fn pid_alive(pid: i64) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z")
}

#[test]
fn local_starts_a_server_once_and_uses_its_credentials() {
    let sandbox = Sandbox::new();

    let first = sandbox
        .cmd()
        .args([
            "--json",
            "cloud",
            "--local",
            "agent",
            "start",
            "my-first-agent",
        ])
        .args(["--data", r#"{"duration_secs": 30}"#])
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let session = json(&first)["sessionId"].as_str().unwrap().to_string();
    assert!(
        stderr(&first).contains("started a local Pipecat Cloud at http://127.0.0.1:"),
        "{}",
        stderr(&first)
    );
    let pid = sandbox.state()["pid"].as_i64().unwrap();
    assert!(pid_alive(pid));

    // The second invocation finds it running and says nothing about it.
    let listed = sandbox
        .cmd()
        .args(["--json", "cloud", "agent", "sessions", "my-first-agent"])
        .env("PIPECAT_LOCAL", "1")
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(!stderr(&listed).contains("started"), "{}", stderr(&listed));
    let sessions = json(&listed);
    assert_eq!(sessions["sessions"][0]["sessionId"], session.as_str());
    assert_eq!(sandbox.state()["pid"].as_i64().unwrap(), pid);

    // Its config lives in the data dir; the user's home stays empty.
    assert!(sandbox.data_dir().join("pipecatcloud.toml").exists());
    assert_eq!(std::fs::read_dir(sandbox.home()).unwrap().count(), 0);

    let status = sandbox
        .cmd()
        .args(["--json", "cloud", "local", "status"])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", stderr(&status));
    let status = json(&status);
    assert_eq!(status["running"], true);
    assert_eq!(status["pid"].as_i64(), Some(pid));
    assert_eq!(status["activeSessions"], 1);
    assert_eq!(status["agents"][0]["name"], "my-first-agent");

    let stop = sandbox
        .cmd()
        .args(["cloud", "local", "stop"])
        .output()
        .unwrap();
    assert!(stop.status.success(), "{}", stderr(&stop));
    assert!(
        stderr(&stop).contains(&format!("pid {pid}")),
        "{}",
        stderr(&stop)
    );
    assert!(!pid_alive(pid));

    // Stopped gracefully: the session was recorded as ended.
    let restarted = sandbox
        .cmd()
        .args([
            "--json",
            "cloud",
            "--local",
            "agent",
            "sessions",
            "my-first-agent",
        ])
        .args(["--id", &session])
        .output()
        .unwrap();
    assert!(restarted.status.success(), "{}", stderr(&restarted));
    let detail = json(&restarted);
    assert_eq!(detail["completionStatus"], "SERVER_SHUTDOWN");

    let status = sandbox
        .cmd()
        .args(["cloud", "local", "stop"])
        .output()
        .unwrap();
    assert!(status.status.success());
    let status = sandbox
        .cmd()
        .args(["cloud", "local", "status"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(5), "{}", stderr(&status));
    assert!(stderr(&status).contains("no local cloud is running"));
}

#[test]
fn two_concurrent_local_invocations_start_one_server() {
    let sandbox = Sandbox::new();
    let run = || {
        let mut cmd = std::process::Command::new(pipecat_bin());
        for (key, _) in std::env::vars() {
            if key.starts_with("PIPECAT_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", sandbox.home())
            .env("PIPECAT_LOCAL_DATA_DIR", sandbox.data_dir())
            .args([
                "--json",
                "cloud",
                "--local",
                "agent",
                "sessions",
                "my-first-agent",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..4).map(|_| run()).collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(output.status.success(), "{}", stderr(output));
        assert!(json(output)["sessions"].is_array());
    }
    let announced = outputs
        .iter()
        .filter(|o| stderr(o).contains("started a local Pipecat Cloud"))
        .count();
    assert_eq!(announced, 1);
    // One server: one pid recorded, and every other process it could have
    // been is gone (a second server would have failed on the lock or left
    // its own pid).
    let log = std::fs::read_to_string(sandbox.data_dir().join("server.log")).unwrap();
    assert_eq!(
        log.matches("Local Pipecat Cloud listening").count(),
        1,
        "{log}"
    );
    assert!(pid_alive(sandbox.state()["pid"].as_i64().unwrap()));
}

#[test]
fn a_second_server_on_the_same_data_dir_is_refused() {
    let mut first = common::LocalCloud::start();
    let second = assert_cmd::Command::new(pipecat_bin())
        .args(["cloud", "local", "serve", "--port", "0", "--data-dir"])
        .arg(&first.data_dir)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("another local cloud already serves"),
        "{}",
        stderr(&second)
    );
    assert!(stderr(&second).contains(&first.url), "{}", stderr(&second));
    assert_eq!(first.stop(), Some(0));
}

#[test]
fn pcc_is_pipecat_cloud() {
    let dir = tempfile::tempdir().unwrap();
    let pcc = dir.path().join("pcc");
    std::os::unix::fs::symlink(pipecat_bin(), &pcc).unwrap();
    let help = assert_cmd::Command::new(&pcc)
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let text = stdout(&help);
    assert!(text.contains("Usage: pcc [OPTIONS] [COMMAND]"), "{text}");
    assert!(
        text.contains("agent") && text.contains("organizations"),
        "{text}"
    );

    let mut cloud = common::LocalCloud::start();
    let config = dir.path().join("config.toml");
    let mut cmd = assert_cmd::Command::new(&pcc);
    scrub_env(&mut cmd);
    let started = cmd
        .env("PIPECAT_API_HOST", &cloud.url)
        .env("PIPECAT_CONFIG_PATH", &config)
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", &cloud.public_key)
        .args(["--json", "agent", "start", "my-first-agent"])
        .output()
        .unwrap();
    assert!(started.status.success(), "{}", stderr(&started));
    assert!(json(&started)["sessionId"].is_string());
    cloud.stop();
}
