//! The client against a hostile or broken server: terminal escapes in
//! what it sends, redirects, endless and empty bodies. Each test runs the
//! real binary against a scripted server on 127.0.0.1 that records every
//! request, so "nothing was sent" is checked, not assumed.

mod common;

use std::path::Path;
use std::time::Duration;

use common::scripted::{Reply, Scripted};
use serde_json::{Value, json};

const PRIVATE_KEY: &str = "sk_private_0123456789";
const PUBLIC_KEY: &str = "pk_public_0123456789";
const SESSION: &str = "8c0b4f5e-5b8f-4b8e-9f3a-1d2c3b4a5f6e";

/// Every kind of control a server could slip into a string: a clipboard
/// write (OSC 52), a window title, clearing the screen, moving and hiding
/// the cursor, a bell, a backspace, a carriage return that hides what
/// came before, colours, and the same in their one-character C1 forms.
const HOSTILE: &str = "evil\u{1b}]52;c;cm0gLXJmIH4K\u{7}\u{1b}]0;pwned\u{1b}\\\u{1b}[2J\u{1b}[1;1H\
                       \u{1b}[?25l\u{7}\u{1b}[31mred\u{1b}[0m\u{9b}2J\u{9d}52;c;eA==\u{9c}\u{8}\rname";

fn output_of(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let output = cmd.timeout(Duration::from_secs(120)).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// No terminal control at all: no escape, no C0 control but a line break
/// or a tab, no C1 control.
fn assert_inert(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(bad.is_empty(), "controls {bad:?} in {text:?}");
}

/// Only colours: every escape is an SGR sequence (`ESC [ digits;... m`),
/// and no other control but a line break or a tab.
fn assert_only_colours(text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        assert_inert(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find('m')
            .unwrap_or_else(|| panic!("an escape that is not a colour in {text:?}"));
        let sequence = &after[..end];
        assert!(
            sequence.starts_with('[')
                && sequence[1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ';'),
            "escape {sequence:?} is not a colour, in {text:?}"
        );
        rest = &after[end + 1..];
    }
    assert_inert(rest);
}

fn agents_body() -> String {
    json!({"services": [{
        "name": HOSTILE,
        "region": HOSTILE,
        "id": "a-1",
        "activeDeploymentId": HOSTILE,
        "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-01T00:00:00Z",
    }]})
    .to_string()
}

fn agent_body() -> String {
    json!({
        "name": "my-agent",
        "region": HOSTILE,
        "ready": true,
        "agentProfile": HOSTILE,
        "activeDeploymentId": "d-1",
        "deployment": {"id": "d-1", "manifest": {"spec": {"image": HOSTILE}}},
        "errors": [{"code": HOSTILE, "message": HOSTILE}],
    })
    .to_string()
}

fn keys_body() -> String {
    json!({"public": [{
        "id": HOSTILE,
        "key": "pk_0123456789abcdef",
        "createdAt": "2025-01-01T00:00:00Z",
        "revoked": false,
        "metadata": {"name": HOSTILE},
    }]})
    .to_string()
}

fn private(url: &str, dir: &Path) -> assert_cmd::Command {
    let mut cmd = common::pipecat_at(url, dir);
    cmd.env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY);
    cmd
}

#[test]
fn escapes_in_what_the_server_sends_never_reach_the_terminal_in_rich_or_plain_output() {
    let server = Scripted::start(vec![
        ("/v1/agents", vec![Reply::json(200, &agents_body())]),
        ("/v1/agents/my-agent", vec![Reply::json(200, &agent_body())]),
        (
            "/v1/organizations/acme/apiKeys",
            vec![Reply::json(200, &keys_body())],
        ),
        (
            "/v1/agents/my-agent/sessions",
            vec![Reply::json(
                400,
                &json!({"error": HOSTILE, "code": "BAD"}).to_string(),
            )],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 3] = [
        &["cloud", "agent", "list"],
        &["cloud", "agent", "status", "my-agent"],
        &["cloud", "organizations", "keys", "list"],
    ];
    let with_credentials = |cmd: &mut assert_cmd::Command| {
        cmd.env("PIPECAT_TOKEN", "pcc_pat_0123456789")
            .env("PIPECAT_ORG", "acme");
    };
    for words in commands {
        for mode in ["plain", "rich"] {
            let mut cmd = private(&server.url, dir.path());
            with_credentials(&mut cmd);
            let (code, stdout, stderr) = output_of(
                cmd.args(words)
                    .args(["--output", mode, "--color", "always"]),
            );
            assert_eq!(code, Some(0), "{words:?} {mode}: {stderr}");
            // What can be shown of the strings still is.
            assert!(stdout.contains("evil"), "{words:?} {mode}: {stdout}");
            // Colours are ours only: a server's colours in a name are gone.
            assert!(
                !stdout.contains("\u{1b}[31mred"),
                "{words:?} {mode}: {stdout:?}"
            );
            assert_only_colours(&stdout);
            assert_only_colours(&stderr);
            assert!(!stdout.contains("52;c;"), "{words:?} {mode}: {stdout:?}");
        }
        // JSON output is the server's document, untouched.
        let mut cmd = private(&server.url, dir.path());
        with_credentials(&mut cmd);
        let (code, stdout, stderr) = output_of(cmd.args(words).arg("--json"));
        assert_eq!(code, Some(0), "{words:?}: {stderr}");
        assert!(
            stdout.contains(r"evil\u001b]52;c;cm0gLXJmIH4K\u0007"),
            "{words:?}: {stdout}"
        );
        let _: Value = serde_json::from_str(&stdout).unwrap();
    }
    // An error message the server wrote is shown without its escapes.
    let (code, stdout, stderr) = output_of(private(&server.url, dir.path()).args([
        "cloud", "agent", "sessions", "my-agent", "--color", "always",
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("evil"), "{stderr}");
    assert_only_colours(&stderr);
    assert!(!stderr.contains("52;c;"), "{stderr:?}");
    assert_eq!(stdout, "");
}

#[test]
fn log_lines_keep_their_colours_and_lose_every_other_escape() {
    let logs = json!({"logs": [
        {"log": "\u{1b}[1;32mgreen\u{1b}[0m then \u{1b}[Aup\u{1b}[K", "timestamp": "2025-01-01T00:00:01Z"},
        {"log": format!("INFO {HOSTILE}"), "timestamp": "2025-01-01T00:00:00Z"},
    ]});
    let server = Scripted::start(vec![(
        "/v1/agents/my-agent/logs",
        vec![Reply::json(200, &logs.to_string())],
    )]);
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output_of(
        private(&server.url, dir.path())
            .args(["cloud", "agent", "logs", "my-agent"])
            .args(["--output", "plain", "--color", "always"]),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_only_colours(&stdout);
    assert!(stdout.contains("\u{1b}[31mred"), "{stdout:?}");
    assert!(stdout.contains("\u{1b}[1;32mgreen"), "{stdout:?}");
    assert!(!stdout.contains("52;c;"), "{stdout:?}");
    assert!(stdout.contains("evil"), "{stdout:?}");
    assert!(stdout.contains("up"), "{stdout:?}");
    assert_eq!(stdout.lines().count(), 2, "{stdout:?}");
    // Without colours (a pipe, NO_COLOR), no escape at all.
    let (code, stdout, stderr) = output_of(
        private(&server.url, dir.path())
            .args(["cloud", "agent", "logs", "my-agent", "--output", "plain"]),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_inert(&stdout);
    assert!(stdout.contains("green then up"), "{stdout:?}");
}

#[test]
fn a_redirected_start_is_reported_and_never_sent_again_as_a_get() {
    let server = Scripted::start(vec![
        (
            "/v1/public/my-agent/start",
            vec![Reply::text(302, "text/plain", "").header("Location", "/moved/start")],
        ),
        (
            "/moved/start",
            vec![Reply::json(200, r#"{"sessionId":"s-elsewhere"}"#)],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output_of(
        common::pipecat_at(&server.url, dir.path())
            .args(["cloud", "agent", "start", "my-agent", "-k", PUBLIC_KEY]),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("302"), "{stderr}");
    assert!(stderr.contains("/moved/start"), "{stderr}");
    assert!(!stderr.contains("Started"), "{stderr}");
    assert_eq!(stdout, "");
    let sent: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert_eq!(sent, ["POST /v1/public/my-agent/start"]);
}

#[test]
fn a_redirect_to_another_origin_is_never_followed_and_one_on_the_same_origin_is() {
    let elsewhere = Scripted::start(vec![("/v1/agents", vec![Reply::json(200, &agents_body())])]);
    let server = Scripted::start(vec![
        (
            "/v1/agents",
            vec![
                Reply::text(302, "text/plain", "")
                    .header("Location", &format!("{}/v1/agents", elsewhere.url)),
                Reply::text(307, "text/plain", "").header("Location", "/v1/agents-moved"),
            ],
        ),
        ("/v1/agents-moved", vec![Reply::json(200, &agents_body())]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) =
        output_of(private(&server.url, dir.path()).args(["cloud", "agent", "list"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}/v1/agents", elsewhere.url)),
        "{stderr}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
    // On the same origin a GET follows, with its credential.
    let (code, stdout, stderr) = output_of(
        private(&server.url, dir.path()).args(["cloud", "agent", "list", "--output", "plain"]),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("evil"), "{stdout}");
    let moved = server
        .requests()
        .into_iter()
        .find(|r| r.target == "/v1/agents-moved")
        .expect("the redirect was followed");
    assert_eq!(
        moved.headers.get("authorization"),
        Some(&format!("Bearer {PRIVATE_KEY}"))
    );
}

/// `pipecat` with at most 2 GiB of address space, so a client that reads
/// without bound fails at once instead of taking the machine's memory.
fn pipecat_capped(url: &str, dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new("sh");
    common::scrub_env(&mut cmd);
    cmd.args(["-c", "ulimit -v 2097152 && exec \"$0\" \"$@\""])
        .arg(common::pipecat_bin())
        .env("PIPECAT_API_HOST", url)
        .env("PIPECAT_CONFIG_PATH", dir.join("pipecatcloud.toml"))
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .current_dir(dir);
    cmd
}

#[test]
fn an_endless_answer_is_cut_at_the_limit_with_exit_5() {
    let server = Scripted::start(vec![
        (
            "/v1/agents",
            vec![Reply::json(200, r#"{"services": ["#).endless()],
        ),
        (
            "/v1/agents/my-agent/logs",
            vec![Reply::json(200, "").endless()],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    for words in [
        &["cloud", "agent", "list"][..],
        &["cloud", "agent", "logs", "my-agent"],
    ] {
        let (code, _, stderr) = output_of(
            pipecat_capped(&server.url, dir.path())
                .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
                .args(words),
        );
        assert_eq!(code, Some(5), "{words:?}: {stderr}");
        assert!(stderr.contains("larger than 64 MiB"), "{words:?}: {stderr}");
        assert!(stderr.contains(&server.url), "{words:?}: {stderr}");
    }
}

#[test]
fn an_empty_answer_is_exit_5_where_a_document_is_expected_and_fine_for_a_delete() {
    let stop = format!("/v1/agents/my-agent/sessions/{SESSION}");
    let server = Scripted::start(vec![
        ("/v1/agents", vec![Reply::json(200, "")]),
        ("/v1/public/my-agent/start", vec![Reply::json(200, "")]),
        (
            "/v1/agents/my-agent",
            vec![Reply::json(200, ""), Reply::text(204, "text/plain", "")],
        ),
        (&stop, vec![Reply::text(204, "text/plain", "")]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) =
        output_of(private(&server.url, dir.path()).args(["cloud", "agent", "list"]));
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stderr.contains("empty"), "{stderr}");
    let (code, stdout, stderr) = output_of(
        common::pipecat_at(&server.url, dir.path())
            .args(["cloud", "agent", "start", "my-agent", "-k", PUBLIC_KEY]),
    );
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stderr.contains("empty"), "{stderr}");
    assert!(!stderr.contains("Started"), "{stderr}");
    assert_eq!(stdout, "");
    // Deletes answer without a document (200 or 204).
    for _ in 0..2 {
        let (code, _, stderr) = output_of(
            private(&server.url, dir.path())
                .args(["cloud", "agent", "delete", "my-agent", "--force"]),
        );
        assert_eq!(code, Some(0), "{stderr}");
    }
    let (code, _, stderr) = output_of(private(&server.url, dir.path()).args([
        "cloud",
        "agent",
        "stop",
        "my-agent",
        "--session",
        SESSION,
        "--force",
    ]));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_tab_never_offers_a_name_or_session_id_with_terminal_escapes() {
    let sessions = json!({"sessions": [
        {"sessionId": SESSION, "serviceId": "a-1", "createdAt": "2025-01-01T00:00:00Z"},
        {"sessionId": HOSTILE, "serviceId": "a-1", "createdAt": "2025-01-01T00:00:00Z"},
    ]});
    let server = Scripted::start(vec![
        (
            "/v1/agents",
            vec![Reply::json(
                200,
                &json!({"services": [{"name": "good-agent"}, {"name": HOSTILE}]}).to_string(),
            )],
        ),
        (
            "/v1/agents/my-agent/sessions",
            vec![Reply::json(200, &sessions.to_string())],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    // A Tab asked as fish asks: one candidate per line.
    let tab = |words: &[&str]| {
        let (code, stdout, stderr) = output_of(
            private(&server.url, dir.path())
                .env("XDG_CACHE_HOME", dir.path().join("cache"))
                .env("PIPECAT_COMPLETE", "fish")
                .args(["--", "pipecat"])
                .args(words),
        );
        assert_eq!(code, Some(0), "{stderr}");
        assert_inert(&stdout);
        stdout
            .lines()
            .map(|line| line.split('\t').next().unwrap().to_string())
            .filter(|candidate| !candidate.starts_with('-'))
            .collect::<Vec<_>>()
    };
    assert_eq!(tab(&["cloud", "agent", "status", ""]), ["good-agent"]);
    assert_eq!(
        tab(&["cloud", "agent", "stop", "my-agent", "--session", ""]),
        [SESSION]
    );
    assert_eq!(server.requests().len(), 2, "{:?}", server.requests());
}
