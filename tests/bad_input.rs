//! Bad input is refused before anything is sent (exit 2), and a broken
//! config file is reported and left untouched. A scripted server records
//! every request, so "nothing was sent" is checked, not assumed.

mod common;

use std::path::Path;

use common::scripted::{Reply, Scripted};
use predicates::prelude::*;

const START: &str = "/v1/public/my-agent/start";

fn server() -> Scripted {
    Scripted::start(vec![(
        START,
        vec![Reply::json(200, r#"{"sessionId":"s-1"}"#)],
    )])
}

fn start(url: &str, dir: &Path) -> assert_cmd::Command {
    let mut cmd = common::pipecat_at(url, dir);
    cmd.args([
        "cloud",
        "agent",
        "start",
        "my-agent",
        "-k",
        "pk_test_0123456789",
    ]);
    cmd
}

#[test]
fn invalid_json_in_data_is_exit_2_with_line_and_column_and_nothing_is_sent() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    start(&server.url, dir.path())
        .args(["--data", "{\"room\": \"r\",\n  oops}"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--data is not valid JSON"))
        .stderr(predicate::str::contains("line 2 column 3"))
        .stderr(predicate::str::contains("nothing was sent"));
    start(&server.url, dir.path())
        .args(["-D", "-p", "[1, 2]"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--daily-properties must be a JSON object",
        ));
    assert!(server.requests().is_empty());
}

#[test]
fn data_file_problems_are_exit_2_and_name_the_file() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, "{\n  \"a\": 1,\n  \"b\": \n}\n").unwrap();
    start(&server.url, dir.path())
        .arg("--data-file")
        .arg(&bad_json)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "data file {} is not valid JSON",
            bad_json.display()
        )))
        .stderr(predicate::str::contains("line 4 column 1"));

    let missing = dir.path().join("missing.json");
    start(&server.url, dir.path())
        .arg("--data-file")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "data file {} does not exist",
            missing.display()
        )));

    start(&server.url, dir.path())
        .arg("--data-file")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));

    let latin1 = dir.path().join("latin1.json");
    std::fs::write(&latin1, b"{\"name\": \"Jos\xe9\"}").unwrap();
    start(&server.url, dir.path())
        .arg("--data-file")
        .arg(&latin1)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not UTF-8 text (invalid byte at offset 13)",
        ));

    start(&server.url, dir.path())
        .args(["--data-file", "-"])
        .write_stdin("not json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the data on stdin is not valid JSON",
        ));

    start(&server.url, dir.path())
        .args(["--data", "{}", "--data-file", "x.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    assert!(server.requests().is_empty());
}

#[test]
fn data_from_a_file_and_from_stdin_is_sent_as_the_body() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.json");
    std::fs::write(&data, r#"{"room": "from-file"}"#).unwrap();
    start(&server.url, dir.path())
        .arg("--data-file")
        .arg(&data)
        .assert()
        .success();
    start(&server.url, dir.path())
        .args(["--data-file", "-"])
        .write_stdin(r#"["from", "stdin"]"#)
        .assert()
        .success();
    let requests = server.requests();
    assert_eq!(
        requests[0].json(),
        serde_json::json!({"createDailyRoom": false, "body": {"room": "from-file"}})
    );
    assert_eq!(
        requests[1].json()["body"],
        serde_json::json!(["from", "stdin"])
    );
}

#[test]
fn a_corrupt_config_file_is_exit_2_naming_file_and_line_and_is_never_rewritten() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pipecatcloud.toml");
    let corrupt = "token = \"pcc_pat_x\"\norg = \"acme\"\n[acme\ndefault_public_key = \"pk\"\n";
    std::fs::write(&config, corrupt).unwrap();
    // Reading it (start without --api-key) ...
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "config file {}:3:",
            config.display()
        )))
        .stderr(predicate::str::contains("left untouched"));
    // ... and commands that would write it.
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "auth", "logout"])
        .assert()
        .code(2);
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "auth", "use-pat"])
        .write_stdin("pcc_pat_abc")
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), corrupt);
    // A plain top-level key would crash the official CLI: refused too.
    std::fs::write(&config, "org = \"acme\"\noutput = \"json\"\n").unwrap();
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "auth", "logout"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":2: `output` must be a table"));
    assert!(server.requests().is_empty());
}

#[test]
fn the_agent_name_comes_from_pcc_deploy_toml_when_missing() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pcc-deploy.toml"),
        "agent_name = \"my-agent\"\n",
    )
    .unwrap();
    start_without_name(&server.url, dir.path())
        .assert()
        .success();
    assert_eq!(server.requests()[0].target, START);

    // A broken file is an error with its line; an explicit name never reads it.
    std::fs::write(
        dir.path().join("pcc-deploy.toml"),
        "agent_name = \"my-agent\"\nenable_krisp = true\n",
    )
    .unwrap();
    start_without_name(&server.url, dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pcc-deploy.toml:2:"))
        .stderr(predicate::str::contains("enable_krisp"));
    start(&server.url, dir.path()).assert().success();

    let elsewhere = dir.path().join("elsewhere.toml");
    std::fs::write(&elsewhere, "agent_name = \"my-agent\"\n").unwrap();
    std::fs::remove_file(dir.path().join("pcc-deploy.toml")).unwrap();
    start_without_name(&server.url, dir.path())
        .env("PIPECAT_DEPLOY_CONFIG_PATH", &elsewhere)
        .assert()
        .success();
    start_without_name(&server.url, dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no agent name given"));
    assert_eq!(server.requests().len(), 3);
}

fn start_without_name(url: &str, dir: &Path) -> assert_cmd::Command {
    let mut cmd = common::pipecat_at(url, dir);
    cmd.args(["cloud", "agent", "start", "-k", "pk_test_0123456789"]);
    cmd
}

#[test]
fn prompts_are_never_shown_without_a_terminal() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_test")
        .args(["cloud", "agent", "stop", "my-agent", "-s", "s-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "auth", "use-pat"])
        .write_stdin("not-a-pat")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must start with `pcc_pat_`"));
    assert!(server.requests().is_empty());
}

#[test]
fn an_api_that_is_not_running_is_exit_5_naming_the_url() {
    // Bind and drop: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    start(&url, dir.path())
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "cannot reach the API at {url}"
        )));
    common::pipecat_at(&url, dir.path())
        .env("PIPECAT_TOKEN", "pcc_pat_x")
        .env("PIPECAT_ORG", "acme")
        .args(["cloud", "agent", "sessions", "my-agent"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(&url));
}

#[test]
fn no_credentials_is_exit_3_saying_how_to_log_in() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "sessions", "my-agent"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not logged in"))
        .stderr(predicate::str::contains("pipecat cloud auth login"))
        .stderr(predicate::str::contains("PIPECAT_PRIVATE_API_KEY"));
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("organizations keys use"));
    assert!(server.requests().is_empty());
}

#[cfg(unix)]
#[test]
fn a_config_file_others_can_read_is_made_private_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pipecatcloud.toml");
    let text = "org = \"acme\"\n\n[acme]\ndefault_public_key = \"pk_from_config\"\n";
    std::fs::write(&config, text).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "start", "my-agent"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "was readable by others (mode 644); it is now 0600",
        ));
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    assert_eq!(
        server.requests()[0].headers["authorization"],
        "Bearer pk_from_config"
    );
}

/// Every duration flag, with a value in each form the parser accepts.
const DURATION_FLAGS: &[&[&str]] = &[
    &[
        "cloud",
        "deploy",
        "my-agent",
        "me/bot:1",
        "--yes",
        "--wait-timeout",
    ],
    &[
        "cloud",
        "agent",
        "start",
        "my-agent",
        "--wait-for-capacity=",
    ],
    &[
        "cloud",
        "agent",
        "start",
        "my-agent",
        "--follow",
        "--interval",
    ],
    &[
        "cloud",
        "agent",
        "logs",
        "my-agent",
        "--follow",
        "--interval",
    ],
    &[
        "cloud",
        "agent",
        "sessions",
        "my-agent",
        "--watch",
        "--interval",
    ],
    &["cloud", "agent", "sessions", "my-agent", "--timeout"],
];

/// The flag's words with `value` appended (glued to a trailing `=`).
fn with_value(words: &[&str], value: &str) -> Vec<String> {
    let mut args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let last = args.last_mut().unwrap();
    if last.ends_with('=') {
        last.push_str(value);
    } else {
        args.push(value.to_string());
    }
    args
}

#[test]
fn every_duration_flag_accepts_the_same_forms() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    for words in DURATION_FLAGS {
        for value in ["90", "2.5", "30s", "5m", "1h30m"] {
            // Parsed, then stopped for want of credentials (exit 3), not
            // refused as a bad flag (exit 2).
            common::pipecat_at(&server.url, dir.path())
                .args(with_value(words, value))
                .assert()
                .code(3);
        }
        common::pipecat_at(&server.url, dir.path())
            .args(with_value(words, "soon"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a duration"))
            .stderr(predicate::str::contains("1h30m"));
    }
    common::pipecat_at(&server.url, dir.path())
        .args(["cloud", "agent", "logs", "my-agent", "--since", "1h30m"])
        .assert()
        .code(3);
    assert!(server.requests().is_empty());
}
