//! Odd input the client must survive: files that never end, a config
//! file behind a symlink, a host with a password, a byte-order mark, and
//! obviously bad names, ids, limits, times and durations, each refused
//! (exit 2) before anything is sent. A scripted server records every
//! request, so "nothing was sent" is checked, not assumed.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::scripted::{Reply, Scripted};
use serde_json::json;

const PRIVATE_KEY: &str = "sk_private_0123456789";
const PUBLIC_KEY: &str = "pk_public_0123456789";
const SESSION: &str = "8c0b4f5e-5b8f-4b8e-9f3a-1d2c3b4a5f6e";

fn server() -> Scripted {
    Scripted::start(vec![
        (
            "/v1/public/my-agent/start",
            vec![Reply::json(200, r#"{"sessionId":"s-1"}"#)],
        ),
        ("/v1/agents", vec![Reply::json(200, r#"{"services": []}"#)]),
        (
            "/v1/agents/my-agent",
            vec![Reply::json(200, r#"{"name": "my-agent"}"#)],
        ),
        (
            "/v1/agents/my-agent/logs",
            vec![Reply::json(200, r#"{"logs": []}"#)],
        ),
        (
            "/v1/agents/my-agent/sessions",
            vec![Reply::json(200, r#"{"sessions": []}"#)],
        ),
    ])
}

/// `pipecat` with at most 2 GiB of address space (so a client that reads
/// without bound fails at once instead of taking the machine's memory),
/// pointed at `url`, with `dir` as its home and working directory.
fn pipecat(url: &str, dir: &Path) -> assert_cmd::Command {
    pipecat_reading(url, dir, "/dev/null")
}

/// [`pipecat`] with `stdin` as its standard input, opened by the shell
/// (never read by the test: `/dev/zero` would fill its memory).
fn pipecat_reading(url: &str, dir: &Path, stdin: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new("sh");
    common::scrub_env(&mut cmd);
    cmd.args([
        "-c",
        &format!("ulimit -v 2097152 && exec \"$0\" \"$@\" < {stdin}"),
    ])
    .arg(common::pipecat_bin())
    .env("PIPECAT_API_HOST", url)
    .env("PIPECAT_CONFIG_PATH", dir.join("pipecatcloud.toml"))
    .env("HOME", dir)
    .env("NO_COLOR", "1")
    .current_dir(dir)
    .timeout(Duration::from_secs(120));
    cmd
}

fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let output = cmd.output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_usage(cmd: &mut assert_cmd::Command, says: &[&str]) {
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(2), "{stderr}");
    for words in says {
        assert!(stderr.contains(words), "{words:?} not in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

const START: [&str; 6] = ["cloud", "agent", "start", "my-agent", "-k", PUBLIC_KEY];

#[test]
fn a_data_file_that_never_ends_is_refused_at_the_apis_limit() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    assert_usage(
        pipecat(&server.url, dir.path())
            .args(START)
            .args(["--data-file", "/dev/zero"]),
        &["data file /dev/zero", "larger than 1 MiB"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn data_on_stdin_that_never_ends_is_refused_at_the_apis_limit() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    assert_usage(
        pipecat_reading(&server.url, dir.path(), "/dev/zero")
            .args(START)
            .args(["--data-file", "-"]),
        &["the data on stdin", "larger than 1 MiB"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_config_file_that_never_ends_is_refused_at_1_mib() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    assert_usage(
        pipecat(&server.url, dir.path())
            .env("PIPECAT_CONFIG_PATH", "/dev/zero")
            .args(["cloud", "agent", "list"]),
        &["config file /dev/zero", "larger than 1 MiB"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_deploy_config_that_never_ends_is_refused_at_1_mib() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    // Named by the flag, or by the environment.
    assert_usage(
        pipecat(&server.url, dir.path())
            .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
            .args(["cloud", "deploy", "--config-file", "/dev/zero", "--yes"]),
        &["deploy config /dev/zero", "larger than 1 MiB"],
    );
    assert_usage(
        pipecat(&server.url, dir.path())
            .env("PIPECAT_DEPLOY_CONFIG_PATH", "/dev/zero")
            .args(["cloud", "agent", "start", "-k", PUBLIC_KEY]),
        &["deploy config /dev/zero", "larger than 1 MiB"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_named_pipe_that_never_ends_is_refused_at_the_limit() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("data.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut pipe = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let chunk = vec![b' '; 64 * 1024];
            // Until the reader goes away.
            while pipe.write_all(&chunk).is_ok() {}
        })
    };
    assert_usage(
        pipecat(&server.url, dir.path())
            .args(["cloud", "agent", "start", "my-agent", "-k", PUBLIC_KEY])
            .arg("--data-file")
            .arg(&fifo),
        &["larger than 1 MiB"],
    );
    writer.join().unwrap();
    assert!(server.requests().is_empty());
}

#[test]
fn saving_a_symlinked_config_file_writes_through_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("dotfiles");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("pipecatcloud.toml");
    std::fs::write(&real, "token = \"pcc_pat_abc\"\norg = \"acme\"\n").unwrap();
    let link = dir.path().join("pipecatcloud.toml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (code, stderr) =
        run(pipecat("http://127.0.0.1:9", dir.path()).args(["cloud", "auth", "logout"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(!text.contains("pcc_pat_abc"), "{text}");
    assert!(text.contains("org = \"acme\""), "{text}");
    // Nothing was left beside the link or the file.
    let mut names: Vec<String> = std::fs::read_dir(&real_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".lock"))
        .collect();
    names.sort();
    assert_eq!(names, ["pipecatcloud.toml"]);
}

#[test]
fn an_api_host_with_a_user_or_password_is_refused() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let with_password = server.url.replace("http://", "http://admin:hunter2@");
    assert_usage(
        pipecat(&with_password, dir.path())
            .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
            .args(["cloud", "agent", "list"]),
        &["user name or password"],
    );
    let (_, stderr) = run(pipecat(&with_password, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
        .args(["cloud", "agent", "list"]));
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let with_user = server.url.replace("http://", "http://admin@");
    assert_usage(
        pipecat(&server.url, dir.path())
            .args(["--api-host", &with_user])
            .args(["cloud", "agent", "start", "my-agent", "-k", PUBLIC_KEY]),
        &["user name or password"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_data_file_with_a_byte_order_mark_is_read() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.json");
    std::fs::write(&data, "\u{feff}{\"room\": \"r\"}\n").unwrap();
    let (code, stderr) = run(pipecat(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent", "-k", PUBLIC_KEY])
        .arg("--data-file")
        .arg(&data));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(server.requests()[0].json()["body"], json!({"room": "r"}));
}

/// `pipecat` holding a private key, pointed at `server`.
fn private(server: &Scripted, dir: &Path) -> assert_cmd::Command {
    let mut cmd = pipecat(&server.url, dir);
    cmd.env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY);
    cmd
}

#[test]
fn an_agent_name_outside_the_platforms_rule_is_refused_before_sending() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    for name in ["My_Agent", "bad name", "x-", "a.b", &"x".repeat(55)] {
        assert_usage(
            private(&server, dir.path()).args(["cloud", "agent", "status", name]),
            &[
                "invalid agent name",
                "lowercase letters, digits and hyphens",
            ],
        );
        assert_usage(
            pipecat(&server.url, dir.path())
                .args(["cloud", "agent", "start", name, "-k", PUBLIC_KEY]),
            &["invalid agent name"],
        );
    }
    assert_usage(
        private(&server, dir.path()).args(["cloud", "deploy", "My_Agent", "me/bot:1", "--yes"]),
        &["invalid agent name"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_session_id_that_is_not_a_uuid_is_refused_before_sending() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    for id in ["s-1", "not-a-uuid", "../x"] {
        assert_usage(
            private(&server, dir.path()).args([
                "cloud",
                "agent",
                "stop",
                "my-agent",
                "--force",
                "--session",
                id,
            ]),
            &["invalid session id", "UUID"],
        );
        assert_usage(
            private(&server, dir.path())
                .args(["cloud", "agent", "sessions", "my-agent", "--id", id]),
            &["invalid session id"],
        );
        assert_usage(
            private(&server, dir.path()).args([
                "cloud",
                "agent",
                "logs",
                "my-agent",
                "--session",
                id,
            ]),
            &["invalid session id"],
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // Any spelling of a UUID is one, sent as the API writes it.
    let (code, stderr) = run(private(&server, dir.path()).args([
        "cloud",
        "agent",
        "logs",
        "my-agent",
        "--session",
        &SESSION.to_uppercase(),
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        server.requests()[0]
            .target
            .contains(&format!("sessionId={SESSION}")),
        "{:?}",
        server.requests()
    );
}

#[test]
fn a_session_limit_over_the_apis_page_is_refused_before_sending() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    assert_usage(
        private(&server, dir.path())
            .args(["cloud", "agent", "sessions", "my-agent", "--limit", "10001"]),
        &["--limit", "10000"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    let (code, stderr) = run(private(&server, dir.path())
        .args(["cloud", "agent", "sessions", "my-agent", "--limit", "10000"]));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_time_out_of_range_is_refused_before_sending() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    for since in ["99999999999999", "-99999999999999", "7000000d"] {
        assert_usage(
            private(&server, dir.path())
                .args(["cloud", "agent", "logs", "my-agent"])
                .arg(format!("--since={since}")),
            &["--since", "out of range"],
        );
    }
    assert_usage(
        private(&server, dir.path()).args([
            "cloud",
            "agent",
            "logs",
            "my-agent",
            "--until",
            "99999999999999",
        ]),
        &["--until", "out of range"],
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_poll_interval_under_200ms_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pipecat = || pipecat("http://127.0.0.1:9", dir.path());
    for interval in ["1e-9", "0.1", "100ms"] {
        assert_usage(
            pipecat().args([
                "cloud",
                "agent",
                "logs",
                "my-agent",
                "--follow",
                "--interval",
                interval,
            ]),
            &["--interval", "at least 200ms"],
        );
        assert_usage(
            pipecat().args([
                "cloud",
                "agent",
                "sessions",
                "my-agent",
                "--watch",
                "--interval",
                interval,
            ]),
            &["--interval", "at least 200ms"],
        );
    }
}

#[test]
fn a_request_timeout_under_100ms_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pipecat = || pipecat("http://127.0.0.1:9", dir.path());
    for timeout in ["1e-300", "0.05", "99ms"] {
        assert_usage(
            pipecat().args(["--timeout", timeout, "cloud", "agent", "list"]),
            &["--timeout", "at least 100ms"],
        );
    }
}

#[test]
fn a_session_limit_too_large_for_the_api_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run(pipecat("http://127.0.0.1:9", dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", PRIVATE_KEY)
        .args(["cloud", "deploy", "my-agent", "me/bot:1", "--yes"])
        .args(["--max-agents", "99999999999"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--max-agents is 99999999999"), "{stderr}");
    assert!(stderr.contains("at most 4294967295"), "{stderr}");
    assert!(!stderr.contains("at least"), "{stderr}");
}
