//! The session commands against a real local cloud: start → sessions →
//! logs → stop, with the private key and with the user token, in every
//! output mode; capacity; unknown agent; wrong keys.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::LocalCloud;
use predicates::prelude::*;
use serde_json::Value;

const AGENT: &str = "my-first-agent";

struct Setup {
    cloud: LocalCloud,
    _dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new(cloud: LocalCloud) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pipecatcloud.toml");
        Setup {
            cloud,
            _dir: dir,
            config,
        }
    }

    fn cmd(&self) -> assert_cmd::Command {
        self.cloud.cmd(&self.config)
    }

    /// A command holding the private API key (the `/v1/agents` surface).
    fn private(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key);
        cmd
    }

    /// A command holding the user token (the organization surface); the
    /// org is found from the token.
    fn user(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.env("PIPECAT_TOKEN", &self.cloud.user_token);
        cmd
    }

    fn start_plain(&self, data: &str) -> String {
        let out = self
            .cmd()
            .args([
                "cloud",
                "agent",
                "start",
                AGENT,
                "-k",
                &self.cloud.public_key,
            ])
            .args(["--data", data, "--output", "plain"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix("Session ID: "))
            .unwrap_or_else(|| panic!("no session id in {text:?}"))
            .to_string()
    }
}

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

/// Run `make` until its stdout satisfies `ok` (the bot writes its lines
/// shortly after the start answer), at most 15 s.
fn eventually(mut make: impl FnMut() -> assert_cmd::Command, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = stdout_of(&mut make());
        if ok(&text) || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn json_of(cmd: &mut assert_cmd::Command) -> Value {
    let text = stdout_of(cmd);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

#[test]
fn round_trip_with_the_private_key_in_plain_mode() {
    let setup = Setup::new(LocalCloud::start());
    let id = setup.start_plain(r#"{"greeting": "hello from the test"}"#);

    let table = stdout_of(setup.private().args(["cloud", "agent", "sessions", AGENT]));
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("Session ID\tCreated At\tEnded At\tDuration\tStatus\tBot Start Seconds\tCold Start")
    );
    let row: Vec<&str> = lines
        .find(|line| line.starts_with(&id))
        .unwrap_or_else(|| panic!("{id} not listed: {table}"))
        .split('\t')
        .collect();
    assert_eq!(row.len(), 7, "{row:?}");
    assert_eq!(row[4], "Active");
    assert_eq!(row[2], "-");

    let detail = stdout_of(
        setup
            .private()
            .args(["cloud", "agent", "sessions", AGENT, "--id", &id]),
    );
    assert!(detail.contains(&format!("session_id\t{id}\n")), "{detail}");
    assert!(detail.contains("status\tActive\n"), "{detail}");

    let logs = eventually(
        || {
            let mut cmd = setup.private();
            cmd.args(["cloud", "agent", "logs", AGENT, "--session", &id]);
            cmd
        },
        |text| text.contains("hello from the test"),
    );
    assert!(logs.contains("hello from the test"), "{logs}");
    // An RFC 3339 time with its offset, then the line, oldest first.
    for line in logs.lines() {
        let (date, rest) = line.split_once(' ').unwrap();
        assert!(date.parse::<jiff::Timestamp>().is_ok(), "{line}");
        assert!(!rest.is_empty(), "{line}");
    }

    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "--session", &id, "-f"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(format!("Stopped session `{id}`")));
    let detail = stdout_of(
        setup
            .private()
            .args(["cloud", "agent", "sessions", AGENT, "-i", &id]),
    );
    assert!(!detail.contains("status\tActive\n"), "{detail}");
    assert!(!detail.contains("ended\t-\n"), "{detail}");
    // Stopping it again: the session is not running (exit 4, not "success").
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "-s", &id, "-f"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(format!(
            "no running session `{id}`"
        )));
}

#[test]
fn round_trip_with_the_user_token_in_json_mode() {
    let setup = Setup::new(LocalCloud::start());
    let started = json_of(
        setup
            .cmd()
            .args([
                "cloud",
                "agent",
                "start",
                AGENT,
                "-k",
                &setup.cloud.public_key,
            ])
            .args(["--data", r#"{"n": 42}"#, "--json"]),
    );
    let id = started["sessionId"]
        .as_str()
        .expect("sessionId")
        .to_string();

    let listing = json_of(
        setup
            .user()
            .args(["cloud", "agent", "sessions", AGENT, "--json"]),
    );
    let sessions = listing["sessions"].as_array().expect("sessions array");
    assert!(
        sessions.iter().any(|s| s["sessionId"] == id.as_str()),
        "{listing}"
    );

    let one = json_of(
        setup
            .user()
            .args(["cloud", "agent", "sessions", AGENT, "--id", &id, "--json"]),
    );
    assert_eq!(one["sessionId"], id.as_str());

    let ndjson = eventually(
        || {
            let mut cmd = setup.user();
            cmd.args([
                "cloud", "agent", "logs", AGENT, "-s", &id, "--format", "JSON",
            ]);
            cmd
        },
        |text| text.contains("42"),
    );
    let records: Vec<Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(!records.is_empty());
    for record in &records {
        assert!(
            record["log"].is_string() && record["timestamp"].is_string(),
            "{record}"
        );
        assert!(
            ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
                .contains(&record["level"].as_str().unwrap()),
            "{record}"
        );
    }
    let raw = json_of(
        setup
            .user()
            .args(["cloud", "agent", "logs", AGENT, "-s", &id, "--json"]),
    );
    assert!(raw["logs"].is_array(), "{raw}");

    let stopped = json_of(
        setup
            .user()
            .args(["cloud", "agent", "stop", AGENT, "-s", &id, "-f", "--json"]),
    );
    assert!(stopped.is_object(), "{stopped}");
    let ended = json_of(setup.user().args([
        "cloud", "agent", "sessions", AGENT, "--status", "ended", "--json",
    ]));
    assert!(
        ended["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sessionId"] == id.as_str()),
        "{ended}"
    );
}

#[test]
fn rich_mode_draws_a_table_with_a_summary() {
    let setup = Setup::new(LocalCloud::start());
    let first = setup.start_plain("{}");
    let second = setup.start_plain("{}");
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "-s", &first, "-f"])
        .assert()
        .success();
    let table = stdout_of(
        setup
            .private()
            .args(["cloud", "agent", "sessions", AGENT, "--output", "rich"]),
    );
    assert!(table.starts_with("Session ID "), "{table}");
    assert!(table.contains(&first) && table.contains(&second), "{table}");
    assert!(
        table.contains("2 shown of 2, 1 active; ended: p50 "),
        "{table}"
    );
    let detail = stdout_of(setup.private().args([
        "cloud", "agent", "sessions", AGENT, "--id", &first, "--output", "rich",
    ]));
    assert!(
        detail.contains(&format!("Session ID:        {first}\n")),
        "{detail}"
    );
    assert!(detail.contains("Duration:          00:00:"), "{detail}");
    let active = stdout_of(setup.private().args([
        "cloud", "agent", "sessions", AGENT, "--status", "active", "--output", "plain",
    ]));
    assert!(
        active.contains(&second) && !active.contains(&first),
        "{active}"
    );
}

#[test]
fn the_capacity_path_is_exit_75_with_the_message_until_a_slot_frees() {
    let setup = Setup::new(LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--default-max-agents",
        "1",
    ]));
    let id = setup.start_plain("{}");
    setup
        .cmd()
        .args([
            "cloud",
            "agent",
            "start",
            AGENT,
            "-k",
            &setup.cloud.public_key,
        ])
        .assert()
        .code(75)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "agent `{AGENT}` is at its session limit"
        )))
        .stderr(predicate::str::contains("--max-agents"))
        .stderr(predicate::str::contains("--wait-for-capacity=5m"));
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "-s", &id, "-f"])
        .assert()
        .success();
    // The slot is free once the process is gone.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let output = setup
            .cmd()
            .args([
                "cloud",
                "agent",
                "start",
                AGENT,
                "-k",
                &setup.cloud.public_key,
            ])
            .output()
            .unwrap();
        match output.status.code() {
            Some(0) => break,
            Some(75) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            other => panic!(
                "start after stop: {other:?} {}",
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }
}

#[test]
fn unknown_agent_is_exit_4_on_every_command() {
    let setup = Setup::new(LocalCloud::start());
    setup
        .cmd()
        .args([
            "cloud",
            "agent",
            "start",
            "no-such-agent",
            "-k",
            &setup.cloud.public_key,
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("agent `no-such-agent` not found"));
    for surface in [setup.private(), setup.user()] {
        let mut cmd = surface;
        cmd.args(["cloud", "agent", "sessions", "no-such-agent"])
            .assert()
            .code(4)
            .stderr(predicate::str::contains("no-such-agent"));
    }
    setup
        .private()
        .args(["cloud", "agent", "logs", "no-such-agent"])
        .assert()
        .code(4);
    setup
        .user()
        .args([
            "cloud",
            "agent",
            "sessions",
            AGENT,
            "--id",
            "00000000-0000-0000-0000-000000000000",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "session `00000000-0000-0000-0000-000000000000`",
        ));
}

#[test]
fn wrong_keys_are_exit_3() {
    let setup = Setup::new(LocalCloud::start());
    let assert = setup
        .cmd()
        .args([
            "cloud",
            "agent",
            "start",
            AGENT,
            "-k",
            "pk_wrong_0123456789abcdef",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("was refused"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        !stderr.contains("pk_wrong_0123456789abcdef"),
        "key leaked: {stderr}"
    );
    setup
        .cmd()
        .env("PIPECAT_PRIVATE_API_KEY", "sk_wrong")
        .args(["cloud", "agent", "sessions", AGENT])
        .assert()
        .code(3);
    setup
        .cmd()
        .env("PIPECAT_TOKEN", "pcc_pat_wrong")
        .env("PIPECAT_ORG", &setup.cloud.org)
        .args(["cloud", "agent", "logs", AGENT])
        .assert()
        .code(3);
    // The private key cannot start sessions: only a public key can.
    setup
        .cmd()
        .args([
            "cloud",
            "agent",
            "start",
            AGENT,
            "-k",
            &setup.cloud.private_key,
        ])
        .assert()
        .code(3);
}

#[test]
fn empty_logs_are_exit_0_with_nothing_on_stdout() {
    let setup = Setup::new(LocalCloud::start());
    setup
        .private()
        .args([
            "cloud",
            "agent",
            "logs",
            AGENT,
            "--query",
            "no line says this 8c1f",
        ])
        .assert()
        .success()
        .stdout("");
    setup
        .private()
        .args([
            "cloud", "agent", "logs", AGENT, "--since", "1m", "--until", "30s", "-f", "json",
        ])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn data_file_body_reaches_the_bot() {
    let setup = Setup::new(LocalCloud::start());
    let data = Path::new(setup.config.parent().unwrap()).join("data.json");
    std::fs::write(&data, r#"{"from": "a data file"}"#).unwrap();
    let out = stdout_of(
        setup
            .cmd()
            .args([
                "cloud",
                "agent",
                "start",
                AGENT,
                "-k",
                &setup.cloud.public_key,
                "--data-file",
            ])
            .arg(&data)
            .args(["--output", "plain"]),
    );
    let id = out
        .lines()
        .find_map(|line| line.strip_prefix("Session ID: "))
        .unwrap()
        .to_string();
    let logs = eventually(
        || {
            let mut cmd = setup.user();
            cmd.args(["cloud", "agent", "logs", AGENT, "-s", &id, "--order", "asc"]);
            cmd
        },
        |text| text.contains("a data file"),
    );
    assert!(logs.contains("a data file"), "{logs}");
}

/// The ids of the agent's active sessions, as the API lists them.
fn active_ids(setup: &Setup) -> Vec<String> {
    let listing = json_of(setup.private().args([
        "cloud", "agent", "sessions", AGENT, "--status", "active", "--output", "json",
    ]));
    listing["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sessionId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn stop_all_stops_every_active_session_and_without_a_terminal_needs_yes() {
    let setup = Setup::new(LocalCloud::start());
    let mut started: Vec<String> = (0..3).map(|_| setup.start_plain("{}")).collect();
    started.sort();

    // Neither a session nor --all, and no terminal to pick one: usage.
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--session").and(predicate::str::contains("--all")));
    // --all without a terminal to ask and without --yes: usage, nothing stopped.
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "--all"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let mut active = active_ids(&setup);
    active.sort();
    assert_eq!(active, started);

    let answer = json_of(setup.private().args([
        "cloud", "agent", "stop", AGENT, "--all", "--yes", "--output", "json",
    ]));
    let mut stopped: Vec<String> = answer["stopped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    stopped.sort();
    assert_eq!(stopped, started, "{answer}");
    assert_eq!(answer["failed"], serde_json::json!([]));
    assert!(active_ids(&setup).is_empty());

    // Nothing left: still a success, and it says so.
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "--all", "-y"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no active sessions"));
}
