//! The `pipecat` binary against a scripted HTTP server, for what the local
//! cloud cannot answer: Daily rooms, websocket answers, the real API's
//! error shapes, and broken answers.

mod common;

use common::scripted::{Reply, Scripted};
use predicates::prelude::*;
use serde_json::{Value, json};

const START: &str = "/v1/public/my-agent/start";
const KEY: &str = "pk_contract_0123456789";

fn start_with(reply: Reply) -> (Scripted, tempfile::TempDir) {
    (
        Scripted::start(vec![(START, vec![reply])]),
        tempfile::tempdir().unwrap(),
    )
}

#[test]
fn a_daily_answer_prints_the_session_id_and_the_join_url() {
    let body = r#"{"dailyRoom":"https://x.daily.co/room","dailyToken":"tok123","sessionId":"s-1"}"#;
    let (server, dir) = start_with(Reply::json(200, body));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY, "-D"])
        .args([
            "-p",
            r#"{"start_video_off":false}"#,
            "-d",
            r#"{"room":"r"}"#,
        ])
        .args(["--output", "plain"])
        .assert()
        .success()
        // The official CLI's `Session ID: ...` line, then how to join.
        .stdout("Session ID: s-1\nJoin URL: https://x.daily.co/room?t=tok123\n");
    common::pipecat_at(&server.url, dir.path())
        .args([
            "cloud", "agent", "start", "my-agent", "-k", KEY, "--output", "rich",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Join URL: https://x.daily.co/room?t=tok123",
        ))
        .stderr(predicate::str::contains(
            "Started a session of agent `my-agent`",
        ));
    // -q leaves only the session id, for `$(...)`.
    common::pipecat_at(&server.url, dir.path())
        .args([
            "cloud", "agent", "start", "my-agent", "-k", KEY, "-q", "--output", "rich",
        ])
        .assert()
        .success()
        .stdout("s-1\n")
        .stderr("");
    let out = common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(printed, serde_json::from_str::<Value>(body).unwrap());

    // One request per start (no health check first), as documented.
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        requests[0].headers["authorization"],
        format!("Bearer {KEY}")
    );
    assert_eq!(
        requests[0].json(),
        json!({"createDailyRoom": true, "dailyRoomProperties": {"start_video_off": false}, "body": {"room": "r"}})
    );
}

#[test]
fn a_websocket_answer_shows_the_url_and_a_shortened_token() {
    let token = "wstoken_abcdefghijklmnopqrstuvwxyz";
    let body = format!(r#"{{"sessionId":"s-2","wsUrl":"wss://ws.example/ws","token":"{token}"}}"#);
    let (server, dir) = start_with(Reply::json(200, &body));
    let assert = common::pipecat_at(&server.url, dir.path())
        .args([
            "cloud",
            "agent",
            "start",
            "my-agent",
            "-k",
            KEY,
            "--transport",
            "websocket",
        ])
        .args(["--output", "plain"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "WebSocket URL: wss://ws.example/ws\n",
        ))
        .stdout(predicate::str::contains("Session token: wstoken"));
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(!stdout.contains(token), "the full token leaked: {stdout}");
    assert_eq!(server.requests()[0].json()["transport"], "websocket");
    // --output json is the server's answer, token included.
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY, "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(token));
}

#[test]
fn a_429_with_an_error_body_is_the_capacity_message_and_exit_75() {
    let (server, dir) = start_with(Reply::json(
        429,
        r#"{"error":"Agent my-agent has reached maximum capacity","code":"PCC-AGENT-AT-CAPACITY"}"#,
    ));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY, "--json"])
        .assert()
        .code(75)
        .stdout("")
        .stderr(predicate::str::contains(
            "agent `my-agent` is at its session limit",
        ))
        .stderr(predicate::str::contains("reached maximum capacity"))
        .stderr(predicate::str::contains("--max-agents"))
        .stderr(predicate::str::contains("--wait-for-capacity=5m"));
    // A start is never retried on its own.
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_429_with_a_text_body_is_still_capacity() {
    let (server, dir) = start_with(Reply::text(429, "text/plain", "Too Many Requests"));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY])
        .assert()
        .code(75)
        .stderr(predicate::str::contains("is at its session limit"));
}

#[test]
fn a_401_without_code_is_exit_3_naming_the_key_shortened() {
    let (server, dir) = start_with(Reply::json(401, r#"{"error":"Unauthorized"}"#));
    let assert = common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "was refused: Unauthorized (HTTP 401)",
        ))
        .stderr(predicate::str::contains("organizations keys use"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(!stderr.contains(KEY), "the key leaked: {stderr}");
}

#[test]
fn an_html_or_truncated_answer_is_exit_5() {
    let (server, dir) = start_with(Reply::text(
        200,
        "text/html",
        "<html><body>gateway</body></html>",
    ));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(&server.url));
    let (server, dir) = start_with(Reply::json(200, r#"{"sessionId":"s-"#).truncated(10));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("error:"));
}

#[test]
fn management_errors_map_to_exit_codes() {
    let server = Scripted::start(vec![
        (
            "/v1/agents/my-agent/sessions",
            vec![Reply::text(502, "text/html", "<html>bad gateway</html>")],
        ),
        (
            "/v1/agents/gone",
            vec![Reply::json(200, r#"{"name":"gone"}"#)],
        ),
        (
            "/v1/agents/gone/sessions/0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
            vec![Reply::json(
                404,
                r#"{"error":"Session not found","code":"NOT_FOUND"}"#,
            )],
        ),
        (
            "/v1/agents/my-agent/logs",
            vec![Reply::json(403, r#"{"error":"Forbidden"}"#)],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let private = |cmd: &mut assert_cmd::Command| {
        cmd.env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789");
    };
    let mut cmd = common::pipecat_at(&server.url, dir.path());
    private(&mut cmd);
    // 502 is retried (idempotent GET), shown with -vv, then reported as
    // the API failing.
    cmd.args(["cloud", "agent", "sessions", "my-agent", "-vv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("retry 1/3"))
        .stderr(predicate::str::contains("HTTP 502"));
    let mut cmd = common::pipecat_at(&server.url, dir.path());
    private(&mut cmd);
    cmd.args([
        "cloud",
        "agent",
        "stop",
        "gone",
        "-s",
        "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
        "-f",
    ])
    .assert()
    .code(4)
    .stderr(predicate::str::contains(
        "no running session `0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b` of agent `gone`",
    ));
    let mut cmd = common::pipecat_at(&server.url, dir.path());
    private(&mut cmd);
    cmd.args(["cloud", "agent", "logs", "my-agent"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Forbidden (HTTP 403)"));
}

#[test]
fn logs_are_shown_oldest_first_with_levels_filtered_and_ndjson() {
    // The API sends the newest first (order=desc).
    let body = r#"{"logs":[
        {"log":"2025-01-01 | ERROR | boom","timestamp":"2025-01-01T00:00:03.5Z"},
        {"log":"","timestamp":"2025-01-01T00:00:02Z"},
        {"log":"INFO: no error here","timestamp":"2025-01-01T00:00:01Z"}
    ]}"#;
    let server = Scripted::start(vec![(
        "/v1/agents/my-agent/logs",
        vec![Reply::json(200, body)],
    )]);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = common::pipecat_at(&server.url, dir.path());
        cmd.env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789")
            .args(["cloud", "agent", "logs", "my-agent"])
            .args(args);
        cmd
    };
    run(&[]).assert().success().stdout(
        "2025-01-01T00:00:01Z INFO: no error here\n2025-01-01T00:00:03Z 2025-01-01 | ERROR | boom\n",
    );
    run(&["--level", "error"])
        .assert()
        .success()
        .stdout("2025-01-01T00:00:03Z 2025-01-01 | ERROR | boom\n");
    run(&["-l", "WARNING"]).assert().success().stdout("");
    // Colours: never by default off a terminal (and NO_COLOR is set), on
    // request with --color always, red for ERROR.
    let coloured = run(&["--color", "always", "-l", "error"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let coloured = String::from_utf8(coloured).unwrap();
    assert!(
        coloured.contains("\u{1b}[31m2025-01-01 | ERROR | boom"),
        "{coloured:?}"
    );
    run(&["--color", "never", "-l", "error"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}").not());
    let out = run(&["-f", "json", "--order", "desc"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["level"], "ERROR");
    assert_eq!(lines[0]["timestamp"], "2025-01-01T00:00:03.5Z");
    assert_eq!(lines[1]["level"], "INFO");

    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert!(
        targets[0].contains("limit=100") && targets[0].contains("order=desc"),
        "{targets:?}"
    );
    assert!(targets[3].contains("order=desc"), "{targets:?}");
}

#[test]
fn logs_send_every_filter() {
    let server = Scripted::start(vec![(
        "/v1/agents/my-agent/logs",
        vec![Reply::json(200, r#"{"logs":[]}"#)],
    )]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789")
        .args([
            "cloud",
            "agent",
            "logs",
            "my-agent",
            "-n",
            "5",
            "-s",
            "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
            "-d",
            "dep1",
        ])
        .args([
            "--order",
            "asc",
            "--query",
            "hello world",
            "--since",
            "1700000000",
        ])
        .args(["--until", "2023-11-14T22:15:00Z"])
        .assert()
        .success()
        .stdout("");
    let target = server.requests()[0].target.clone();
    for part in [
        "limit=5",
        "sessionId=0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
        "deploymentId=dep1",
        "order=asc",
        "query=hello+world",
        "startTime=1700000000",
        "endTime=1700000100",
    ] {
        assert!(target.contains(part), "{part} missing in {target}");
    }
}

// ---- a flaky network, at the command line ------------------------------

const PRIVATE_KEY: &str = "sk_private_0123456789";
const LOGS: &str = "/v1/agents/my-agent/logs";
const ONE_LINE: &str = r#"{"logs":[{"log":"INFO hello","timestamp":"2026-01-01T00:00:00Z"}]}"#;

#[test]
fn a_refused_connection_then_an_answer_is_retried_and_shown_with_vv() {
    // Nothing listens for a moment: the first tries are refused. The three
    // retries' pauses add up to at least 0.875 s, more than the 0.5 s.
    let server = Scripted::start_later(
        std::time::Duration::from_millis(500),
        vec![(LOGS, vec![Reply::json(200, ONE_LINE)])],
    );
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
        .args(["cloud", "agent", "logs", "my-agent", "-vv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("INFO hello"))
        .stderr(predicate::str::contains("retry 1/3"))
        .stderr(predicate::str::contains("cannot reach the API"));
}

#[test]
fn a_503_then_an_answer_is_retried_and_shown_with_vv() {
    let server = Scripted::start(vec![(
        LOGS,
        vec![
            Reply::text(503, "text/plain", "Service Unavailable").header("Retry-After", "0"),
            Reply::json(200, ONE_LINE),
        ],
    )]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
        .args(["cloud", "agent", "logs", "my-agent", "-vv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("INFO hello"))
        .stderr(predicate::str::contains("retry 1/3"))
        .stderr(predicate::str::contains("503"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_hanging_answer_is_cut_by_the_timeout_with_exit_5() {
    let server = Scripted::start(vec![(
        LOGS,
        vec![Reply::json(200, ONE_LINE).delayed(std::time::Duration::from_secs(20))],
    )]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
        .env("PIPECAT_TIMEOUT", "0.5")
        .args(["cloud", "agent", "logs", "my-agent"])
        .assert()
        .code(5)
        .stdout("")
        .stderr(predicate::str::contains("did not answer within"))
        .stderr(predicate::str::contains("--timeout"));
}

#[test]
fn wait_for_capacity_honours_retry_after_then_starts() {
    let server = Scripted::start(vec![(
        START,
        vec![
            Reply::json(429, r#"{"error":"at capacity"}"#).header("Retry-After", "1"),
            Reply::json(200, r#"{"sessionId":"s-after-wait"}"#),
        ],
    )]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .args([
            "cloud",
            "agent",
            "start",
            "my-agent",
            "-k",
            KEY,
            "--wait-for-capacity=30s",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("s-after-wait"))
        // Without a terminal, one line per attempt; the pause is the
        // server's Retry-After.
        .stderr(predicate::str::contains("attempt 2 in 1.0s"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn wait_for_capacity_gives_up_after_its_retries_and_never_retries_other_4xx() {
    let server = Scripted::start(vec![
        (
            START,
            vec![Reply::json(429, r#"{"error":"at capacity"}"#).header("Retry-After", "0")],
        ),
        (
            "/v1/public/not-ready/start",
            vec![Reply::json(409, r#"{"error":"not ready"}"#)],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY])
        .args(["--wait-for-capacity", "--retries", "2"])
        .assert()
        .code(75)
        .stderr(predicate::str::contains("is at its session limit"));
    assert_eq!(server.requests().len(), 3, "one try and two retries");
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "not-ready", "-k", KEY])
        .arg("--wait-for-capacity=30s")
        .assert()
        .code(75)
        .stderr(predicate::str::contains("not ready"));
    assert_eq!(server.requests().len(), 4, "a 409 is not retried");
}

#[test]
fn a_bad_wait_duration_is_a_usage_error_and_sends_nothing() {
    let server = Scripted::start(vec![]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", KEY])
        .arg("--wait-for-capacity=soonish")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a duration"))
        .stderr(predicate::str::contains("(30s, 5m, 1h30m)"));
    assert!(server.requests().is_empty());
}

#[test]
fn more_lines_than_one_page_are_fetched_page_by_page() {
    let page = |from: usize, count: usize| {
        let logs: Vec<Value> = (from..from + count)
            .rev()
            .map(|i| json!({"log": format!("line {i}"), "timestamp": "2026-01-01T00:00:00Z"}))
            .collect();
        Reply::json(200, &json!({ "logs": logs }).to_string())
    };
    // Newest first, as the API sends by default: the second page is older.
    let server = Scripted::start(vec![(LOGS, vec![page(5, 10_000), page(0, 5)])]);
    let dir = tempfile::tempdir().unwrap();
    let out = common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
        .args(["cloud", "agent", "logs", "my-agent", "-n", "10005"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10_005);
    assert!(lines[0].ends_with("line 0"), "{}", lines[0]);
    assert!(lines[10_004].ends_with("line 10004"), "{}", lines[10_004]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert!(targets[0].contains("limit=10000"), "{targets:?}");
    assert!(
        targets[1].contains("limit=5") && targets[1].contains("offset=10000"),
        "{targets:?}"
    );
}

#[test]
fn the_output_mode_comes_from_the_flag_then_the_environment_then_the_config_file() {
    let server = Scripted::start(vec![(
        "/v1/agents",
        vec![Reply::json(200, r#"{"services":[{"name":"bot"}]}"#)],
    )]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pipecatcloud.toml");
    let list = || {
        let mut cmd = common::pipecat_at(&server.url, dir.path());
        cmd.env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789")
            .args(["cloud", "agent", "list"]);
        cmd
    };
    // The active organization's table says json, as the official CLI reads it.
    std::fs::write(&config, "org = \"acme\"\n\n[acme]\noutput = \"json\"\n").unwrap();
    let out = list().assert().success().get_output().stdout.clone();
    let listed: Value = serde_json::from_slice(&out).expect("one JSON document");
    assert_eq!(listed["agents"][0]["name"], "bot");
    list()
        .env("PIPECAT_OUTPUT", "plain")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Name\tRegion\t"));
    list()
        .env("PIPECAT_OUTPUT", "rich")
        .args(["--output", "plain"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Name\tRegion\t"));
    // A value that names no mode is exit 2 naming where it came from.
    list()
        .env("PIPECAT_OUTPUT", "yaml")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "PIPECAT_OUTPUT is \"yaml\", not an output mode",
        ));
    std::fs::write(&config, "org = \"acme\"\n\n[acme]\noutput = \"table\"\n").unwrap();
    list()
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "`output` in [acme] of config file {} is \"table\"",
            config.display()
        )))
        .stderr(predicate::str::contains("use rich, plain or json"));
    // The file is read, never rewritten.
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "org = \"acme\"\n\n[acme]\noutput = \"table\"\n"
    );
}
