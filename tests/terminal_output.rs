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

/// A HOME and a data dir for `--local` (the local cloud it starts is
/// stopped on drop).
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    fn env(&self, cmd: &mut Command) {
        for (key, _) in std::env::vars() {
            if key.starts_with("PIPECAT_") || key == "NO_COLOR" {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("PIPECAT_LOCAL_DATA_DIR", self.dir.path().join("data"))
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .current_dir(self.dir.path());
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(pipecat_bin());
        self.env(&mut cmd);
        cmd.args(args).stdin(Stdio::null()).output().unwrap()
    }

    /// A suggested command line, run by a shell as a person would paste it.
    fn paste(&self, line: &str) -> Output {
        paste(line, |cmd| self.env(cmd))
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.run(&["cloud", "local", "stop"]);
    }
}

/// `line` run by `sh`, with `pipecat` found on the PATH as the binary
/// under test, in the environment `env` sets up.
fn paste(line: &str, env: impl FnOnce(&mut Command)) -> Output {
    let bin_dir = pipecat_bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut cmd = Command::new("sh");
    env(&mut cmd);
    cmd.arg("-c")
        .arg(line)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The commands quoted in `text` (`` `pipecat cloud ...` ``), in order.
fn suggested(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.starts_with("pipecat cloud "))
        .map(String::from)
        .collect()
}

/// A session id that no session has.
const NO_SESSION: &str = "00000000-0000-4000-8000-000000000000";

#[test]
fn suggested_commands_keep_local_and_run_as_printed() {
    let sandbox = Sandbox::new();
    let deployed = sandbox.run(&[
        "cloud",
        "--local",
        "deploy",
        "capped",
        "pipecat-local/demo-bot:1",
        "--max-agents",
        "1",
        "--yes",
    ]);
    assert!(deployed.status.success(), "{}", stderr(&deployed));
    let started = sandbox.run(&["cloud", "--local", "agent", "start", "capped", "--json"]);
    assert!(started.status.success(), "{}", stderr(&started));
    let first = json(&started)["sessionId"].as_str().unwrap().to_string();

    // At capacity: every suggestion keeps --local.
    let full = sandbox.run(&["cloud", "--local", "agent", "start", "capped"]);
    assert_eq!(full.status.code(), Some(75), "{}", stderr(&full));
    let hint = stderr(&full);
    let commands = suggested(&hint);
    assert_eq!(
        commands,
        [
            "pipecat cloud --local agent start capped --wait-for-capacity=5m",
            "pipecat cloud --local agent sessions capped --status active",
            "pipecat cloud --local deploy capped --max-agents N",
        ],
        "{hint}"
    );
    let sessions = sandbox.paste(&commands[1]);
    assert!(sessions.status.success(), "{}", stderr(&sessions));
    assert!(stdout(&sessions).contains(&first), "{}", stdout(&sessions));
    let raised = sandbox.paste(&commands[2].replace(" N", " 2 --yes"));
    assert!(raised.status.success(), "{}", stderr(&raised));
    let waited = sandbox.paste(&commands[0]);
    assert!(waited.status.success(), "{}", stderr(&waited));

    // A wrong agent name: the command for the closest one.
    let typo = sandbox.run(&["cloud", "--local", "agent", "status", "caped"]);
    assert_eq!(typo.status.code(), Some(4));
    let commands = suggested(&stderr(&typo));
    assert_eq!(
        commands,
        ["pipecat cloud --local agent status capped"],
        "{}",
        stderr(&typo)
    );
    assert!(stderr(&typo).contains("did you mean `capped`?"));
    assert!(sandbox.paste(&commands[0]).status.success());

    // A session that does not exist, and a hint written without settings
    // at hand (completed when reported).
    for args in [
        &[
            "cloud", "--local", "agent", "sessions", "capped", "--id", NO_SESSION,
        ][..],
        &[
            "cloud", "--local", "agent", "stop", "capped", "-s", NO_SESSION, "-f",
        ][..],
        &["cloud", "--local", "organizations", "keys", "use", "nope"][..],
    ] {
        let failed = sandbox.run(args);
        assert_eq!(
            failed.status.code(),
            Some(4),
            "{args:?}: {}",
            stderr(&failed)
        );
        let commands = suggested(&stderr(&failed));
        assert_eq!(commands.len(), 1, "{args:?}: {}", stderr(&failed));
        assert!(
            commands[0].starts_with("pipecat cloud --local "),
            "{commands:?}"
        );
        let pasted = sandbox.paste(&commands[0]);
        assert!(pasted.status.success(), "{commands:?}: {}", stderr(&pasted));
    }
}

#[test]
fn suggested_commands_keep_org_and_api_host() {
    let setup = Setup::new();
    let env = |cmd: &mut Command| {
        for (key, _) in std::env::vars() {
            if key.starts_with("PIPECAT_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("PIPECAT_TOKEN", &setup.cloud.user_token)
            .env("PIPECAT_CONFIG_PATH", setup.config())
            .env("HOME", setup.dir.path())
            .env("NO_COLOR", "1")
            .current_dir(setup.dir.path());
    };
    let mut cmd = Command::new(pipecat_bin());
    env(&mut cmd);
    let typo = cmd
        .args([
            "cloud",
            "--api-host",
            &setup.cloud.url,
            "--org",
            &setup.cloud.org,
        ])
        .args(["agent", "sessions", "my-frist-agent"])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(4), "{}", stderr(&typo));
    let commands = suggested(&stderr(&typo));
    assert_eq!(
        commands,
        [format!(
            "pipecat cloud --org {} --api-host {} agent sessions my-first-agent",
            setup.cloud.org, setup.cloud.url
        )],
        "{}",
        stderr(&typo)
    );
    let pasted = paste(&commands[0], env);
    assert!(pasted.status.success(), "{}", stderr(&pasted));
}

#[test]
fn a_wait_for_capacity_that_gives_up_says_how_long_it_waited() {
    let setup = Setup::new();
    let deployed = setup.run(&[
        "cloud",
        "deploy",
        "capped",
        "pipecat-local/demo-bot:1",
        "--max-agents",
        "1",
        "--yes",
    ]);
    assert!(deployed.status.success(), "{}", stderr(&deployed));
    setup.start("capped");
    let gave_up = setup.run(&[
        "cloud",
        "agent",
        "start",
        "capped",
        "--wait-for-capacity=2s",
    ]);
    assert_eq!(gave_up.status.code(), Some(75));
    let text = stderr(&gave_up);
    assert!(
        text.contains("error: agent `capped` is still at its session limit after waiting 2s ("),
        "{text}"
    );
    assert!(text.contains(" attempts): "), "{text}");
    assert!(
        text.contains("wait longer with `pipecat cloud agent start capped --wait-for-capacity=1m`"),
        "{text}"
    );
    // Without a terminal, a line per attempt, after the time taken.
    let attempts: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("] agent `capped` is at its session limit; attempt "))
        .collect();
    assert!(!attempts.is_empty(), "{text}");
    assert!(
        attempts
            .iter()
            .all(|l| l.starts_with('[') && l.ends_with(", waiting up to 2s")),
        "{text}"
    );
}

/// A server where agent `bot` does not exist, then is picked up after
/// a few polls, then is ready.
fn slow_deployment() -> common::scripted::Scripted {
    use common::scripted::{Reply, Scripted};
    let waiting = r#"{"name": "bot", "ready": false, "available": false,
        "desiredDeploymentId": "d1", "reconciledDeploymentId": "d0"}"#;
    let ready = r#"{"name": "bot", "ready": true, "available": true,
        "desiredDeploymentId": "d1", "reconciledDeploymentId": "d1"}"#;
    let mut replies = vec![Reply::json(
        404,
        r#"{"error":"Not found","code":"NOT_FOUND"}"#,
    )];
    replies.extend(std::iter::repeat_n(Reply::json(200, waiting), 4));
    replies.push(Reply::json(200, ready));
    Scripted::start(vec![
        ("/v1/agents/bot", replies),
        ("/v1/agents", vec![Reply::json(200, "{}")]),
    ])
}

#[test]
fn deploy_says_each_phase_once_after_the_time_taken() {
    let server = slow_deployment();
    let dir = tempfile::tempdir().unwrap();
    let output = common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_test")
        .args(["cloud", "deploy", "bot", "me/bot:1", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    // Polled five times, two phases: a line each, after the time taken.
    let phases: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("] agent `bot`: "))
        .collect();
    assert_eq!(phases.len(), 2, "{text}");
    assert!(phases[0].starts_with("[0s] agent `bot`: waiting"), "{text}");
    assert!(phases[1].ends_with("] agent `bot`: ready"), "{text}");
    assert!(!phases[1].starts_with("[0s]"), "{text}");
}

#[test]
fn a_value_after_a_flag_that_takes_none_that_way_is_an_error_naming_the_form_that_works() {
    let setup = Setup::new();
    let sessions = |setup: &Setup| {
        json(&setup.run(&["cloud", "agent", "sessions", "--json"]))["total_count"].clone()
    };
    let before = sessions(&setup);
    for args in [
        // Without an agent name, `30s` would start an agent called `30s`.
        &["cloud", "agent", "start", "--wait-for-capacity", "30s"][..],
        &[
            "cloud",
            "agent",
            "start",
            "my-first-agent",
            "--wait-for-capacity",
            "30s",
        ][..],
    ] {
        let output = setup.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let text = stderr(&output);
        assert!(
            text.contains("hint: write --wait-for-capacity=30s"),
            "{text}"
        );
    }
    assert_eq!(sessions(&setup), before, "nothing was started");

    let output = setup.run(&["cloud", "agent", "logs", "my-first-agent", "--tail", "10"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("hint: -n 10 shows the last 10 lines (add --follow to keep following)"),
        "{}",
        stderr(&output)
    );
    for args in [
        &["cloud", "agent", "logs", "my-first-agent", "-f"][..],
        &["cloud", "agent", "logs", "-f", "my-first-agent"][..],
    ] {
        let output = setup.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("tip: -f is --format (text or json), as in the official CLI; to follow the logs, use --follow"),
            "{}",
            stderr(&output)
        );
    }
    // The forms that work.
    assert!(
        setup
            .run(&["cloud", "agent", "logs", "my-first-agent", "-n", "10"])
            .status
            .success()
    );
}

#[test]
fn the_version_flag_is_on_the_top_command_only() {
    let setup = Setup::new();
    let top = setup.run(&["-V"]);
    assert!(top.status.success());
    assert!(stdout(&top).starts_with("pipecat "), "{}", stdout(&top));
    let sub = setup.run(&["cloud", "agent", "start", "-V"]);
    assert_eq!(sub.status.code(), Some(2));
}

#[test]
fn times_are_local_and_name_their_zone_or_utc_with_utc_and_json_keeps_the_api_text() {
    let setup = Setup::new();
    setup.start("my-first-agent");
    let listing = json(&setup.run(&["cloud", "agent", "sessions", "my-first-agent", "--json"]));
    let created = listing["sessions"][0]["createdAt"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(created.ends_with('Z'), "{created}");
    let in_zone = |tz: &str, args: &[&str]| {
        let output = setup.cmd().env("TZ", tz).args(args).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    // A zone 5:30 east of UTC, as a POSIX rule (no time zone database).
    let zone = "XST-5:30";
    let sessions = ["cloud", "agent", "sessions", "my-first-agent"];
    let rich = in_zone(zone, &[&sessions[..], &["--output", "rich"]].concat());
    assert!(rich.contains("Created At (XST)"), "{rich}");
    let plain = in_zone(zone, &[&sessions[..], &["--output", "plain"]].concat());
    let cell = plain
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .nth(1)
        .unwrap()
        .to_string();
    let utc: jiff::Timestamp = created.parse().unwrap();
    let local: jiff::Timestamp = cell.parse().unwrap();
    assert!(cell.ends_with("+05:30"), "{plain}");
    assert_eq!(utc.as_second(), local.as_second(), "{cell} is {created}");
    // --utc: UTC, said so.
    let rich = in_zone(
        zone,
        &[&sessions[..], &["--output", "rich", "--utc"]].concat(),
    );
    assert!(rich.contains("Created At (UTC)"), "{rich}");
    let plain = in_zone(
        zone,
        &[&sessions[..], &["--output", "plain", "--utc"]].concat(),
    );
    assert!(plain.lines().nth(1).unwrap().contains("Z\t"), "{plain}");
    // JSON is the API's text in every zone.
    let json_text = in_zone(zone, &[&sessions[..], &["--json"]].concat());
    assert!(
        json_text.contains(&format!("\"createdAt\": \"{created}\"")),
        "{json_text}"
    );
    // A key/value view says the zone after each time.
    let status = in_zone(
        zone,
        &[
            "cloud",
            "agent",
            "status",
            "my-first-agent",
            "--output",
            "rich",
        ],
    );
    let updated = status
        .lines()
        .find(|l| l.starts_with("Updated At:"))
        .unwrap();
    assert!(updated.ends_with(" XST"), "{status}");
}

#[test]
fn the_summary_counts_every_active_session_not_only_those_shown() {
    let setup = Setup::new();
    for _ in 0..3 {
        setup.start("my-first-agent");
    }
    let output = setup.run(&[
        "cloud",
        "agent",
        "sessions",
        "my-first-agent",
        "-n",
        "2",
        "--output",
        "rich",
    ]);
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("\n2 shown of 3, 3 active"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn sessions_without_an_agent_are_every_agents_newest_first() {
    let setup = Setup::new();
    let deployed = setup.run(&[
        "cloud",
        "deploy",
        "second",
        "pipecat-local/demo-bot:1",
        "--yes",
    ]);
    assert!(deployed.status.success(), "{}", stderr(&deployed));
    let first = setup.start("my-first-agent");
    let second = setup.start("second");
    let third = setup.start("my-first-agent");
    let all = json(&setup.run(&["cloud", "agent", "sessions", "--json"]));
    assert_eq!(all["total_count"], 3, "{all}");
    let sessions = all["sessions"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = sessions
        .iter()
        .map(|s| {
            (
                s["agentName"].as_str().unwrap(),
                s["sessionId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("my-first-agent", third.as_str()),
            ("second", second.as_str()),
            ("my-first-agent", first.as_str())
        ]
    );
    // The API's fields are kept as they came.
    assert!(sessions[0]["createdAt"].is_string(), "{all}");
    // -n applies to the whole list.
    let two = json(&setup.run(&["cloud", "agent", "sessions", "-n", "2", "--json"]));
    assert_eq!(two["sessions"].as_array().unwrap().len(), 2);
    // Plain: the official columns first, then the agent.
    let plain = stdout(&setup.run(&["cloud", "agent", "sessions", "--output", "plain"]));
    let header = plain.lines().next().unwrap();
    assert!(header.starts_with("Session ID\t"), "{plain}");
    assert!(header.ends_with("\tCold Start\tAgent"), "{plain}");
    assert!(
        plain
            .lines()
            .any(|line| line.starts_with(&format!("{second}\t")) && line.ends_with("\tsecond")),
        "{plain}"
    );
    let rich = stdout(&setup.run(&["cloud", "agent", "sessions", "--output", "rich"]));
    assert!(
        rich.contains("3 shown of 3, 3 active across 2 agents"),
        "{rich}"
    );
}

#[test]
fn agent_list_says_whether_each_agent_is_ready_and_its_active_sessions() {
    let setup = Setup::new();
    setup.start("my-first-agent");
    let plain = stdout(&setup.run(&["cloud", "agent", "list", "--output", "plain"]));
    let header: Vec<&str> = plain.lines().next().unwrap().split('\t').collect();
    let row: Vec<&str> = plain.lines().nth(1).unwrap().split('\t').collect();
    let cell = |title: &str| row[header.iter().position(|h| *h == title).unwrap()];
    assert_eq!(cell("Name"), "my-first-agent");
    assert_eq!(cell("Ready"), "yes");
    assert_eq!(cell("Active"), "1 / 50");
    // JSON stays the API's listing.
    let listing = json(&setup.run(&["cloud", "agent", "list", "--json"]));
    assert_eq!(listing["agents"][0]["name"], "my-first-agent", "{listing}");
    assert!(listing["agents"][0].get("ready").is_none(), "{listing}");
}
