//! Shared harness for black-box tests: a real `pipecat cloud local serve` on
//! an ephemeral 127.0.0.1 port, with its own temp data dir.

#![allow(dead_code)]

pub mod api;
pub mod login;
pub mod pty;
pub mod scripted;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Path of the `pipecat` binary under test.
pub fn pipecat_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pipecat"))
}

/// A running local cloud. Stopped with SIGTERM (and waited for) on drop.
pub struct LocalCloud {
    pub child: Option<Child>,
    pub data_dir: PathBuf,
    /// Kept alive so the temp dir outlives the server.
    _temp: Option<tempfile::TempDir>,
    pub url: String,
    pub public_key: String,
    pub private_key: String,
    pub user_token: String,
    pub org: String,
}

impl LocalCloud {
    /// A fresh server on a fresh data dir with the floor lowered to 1 s.
    pub fn start() -> LocalCloud {
        Self::start_with(&["--min-session-duration", "1"])
    }

    /// A fresh server on a fresh data dir, with extra `serve` arguments.
    pub fn start_with(extra: &[&str]) -> LocalCloud {
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().join("data");
        let mut cloud = Self::start_in(&data_dir, extra);
        cloud._temp = Some(temp);
        cloud
    }

    /// A server on the given data dir (e.g. to restart on the same one),
    /// on a free port unless `extra` names one (to keep the same URL).
    pub fn start_in(data_dir: &Path, extra: &[&str]) -> LocalCloud {
        Self::start_configured(data_dir, extra, |_| {})
    }

    /// As [`LocalCloud::start_in`], with the server's stderr (its log)
    /// going to `log`.
    pub fn start_logging(data_dir: &Path, extra: &[&str], log: impl Into<Stdio>) -> LocalCloud {
        let log = log.into();
        Self::start_configured(data_dir, extra, move |command| {
            command.stderr(log);
        })
    }

    /// As [`LocalCloud::start_in`], with a last say on the command (e.g. a
    /// `pre_exec` that lowers a limit or the umask).
    pub fn start_configured(
        data_dir: &Path,
        extra: &[&str],
        configure: impl FnOnce(&mut Command),
    ) -> LocalCloud {
        let port: &[&str] = if extra.contains(&"--port") {
            &[]
        } else {
            &["--port", "0"]
        };
        let mut command = Command::new(pipecat_bin());
        command
            .args(["cloud", "local", "serve"])
            .args(port)
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        configure(&mut command);
        let mut child = command.spawn().expect("spawn pipecat cloud local serve");
        // The server prints exactly one line once it listens; the state file
        // is written before that line.
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read serve's first line");
        assert!(
            line.contains("http://127.0.0.1:"),
            "unexpected first line from serve: {line:?}"
        );
        let state = read_state(data_dir);
        let s = |k: &str| state[k].as_str().unwrap_or_default().to_string();
        LocalCloud {
            child: Some(child),
            data_dir: data_dir.to_path_buf(),
            _temp: None,
            url: s("url"),
            public_key: s("publicKey"),
            private_key: s("privateKey"),
            user_token: s("userToken"),
            org: s("org"),
        }
    }

    /// SIGTERM, then wait for a clean exit; returns the exit status code.
    pub fn stop(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("local cloud did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kill the server without letting it clean up (simulates a crash).
    pub fn kill_hard(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A `pipecat` command with a clean environment pointing at this server:
    /// temp config path, no inherited PIPECAT_* variables, no colour.
    pub fn cmd(&self, config_path: &Path) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(pipecat_bin());
        scrub_env(&mut cmd);
        cmd.env("PIPECAT_API_HOST", &self.url)
            .env("PIPECAT_CONFIG_PATH", config_path)
            .env(
                "HOME",
                config_path.parent().unwrap_or(Path::new("/nonexistent")),
            )
            .env("NO_COLOR", "1");
        cmd
    }
}

impl LocalCloud {
    /// [`LocalCloud::cmd`] as a plain `std::process::Command`, for a test
    /// that reads the output while the command runs.
    pub fn process(&self, config_path: &Path) -> Command {
        let mut cmd = Command::new(pipecat_bin());
        for (key, _) in std::env::vars() {
            if key.starts_with("PIPECAT_") || key == "NO_COLOR" || key == "CLICOLOR_FORCE" {
                cmd.env_remove(key);
            }
        }
        cmd.env("PIPECAT_API_HOST", &self.url)
            .env("PIPECAT_CONFIG_PATH", config_path)
            .env(
                "HOME",
                config_path.parent().unwrap_or(Path::new("/nonexistent")),
            )
            .env("NO_COLOR", "1");
        cmd
    }
}

impl Drop for LocalCloud {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.stop()));
        }
    }
}

/// `pipecat` with a scrubbed environment talking to `url` (e.g. a scripted
/// server), with `dir` as its HOME and working directory and a config path
/// in it that does not exist yet.
pub fn pipecat_at(url: &str, dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(pipecat_bin());
    scrub_env(&mut cmd);
    cmd.env("PIPECAT_API_HOST", url)
        .env("PIPECAT_CONFIG_PATH", dir.join("pipecatcloud.toml"))
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .current_dir(dir);
    cmd
}

/// Remove every variable that could make a test read the user's real
/// setup; times are shown in UTC (a test that wants a zone sets `TZ`).
pub fn scrub_env(cmd: &mut assert_cmd::Command) {
    for (key, _) in std::env::vars() {
        if key.starts_with("PIPECAT_") || key == "NO_COLOR" || key == "CLICOLOR_FORCE" {
            cmd.env_remove(key);
        }
    }
    cmd.env("TZ", "UTC");
}

/// The machine-readable state file the server writes in its data dir.
pub fn read_state(data_dir: &Path) -> Value {
    let path = data_dir.join("server.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("server.json is JSON")
}
