//! The README's first command, run exactly as written (with the binary
//! under test standing in for `cargo run --release --`, which would build a
//! second, release copy) in a fresh HOME: a session starts on a local cloud
//! started for it, and the demo bot's log lines are shown until it ends.

mod common;

use std::path::Path;

const CARGO_RUN: &str = "cargo run --release -- ";

/// The first line of the README's first `sh` block.
fn first_command() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .expect("README has an sh block");
    block.lines().next().unwrap().to_string()
}

#[test]
fn the_readme_first_command_starts_a_session_and_shows_it_running() {
    let command = first_command();
    let args = command.strip_prefix(CARGO_RUN).unwrap_or_else(|| {
        panic!("the README's first command should start with {CARGO_RUN:?}: {command}")
    });
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
        common::scrub_env(&mut cmd);
        cmd.env("HOME", home.path())
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap()
    };

    let output = run(&args.split_whitespace().collect::<Vec<_>>());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("started a local Pipecat Cloud"), "{stderr}");
    assert!(
        stderr.contains("Started a session of agent `my-first-agent`"),
        "{stderr}"
    );
    for line in [
        "INFO demo-bot: body: {\"duration_secs\":8,\"room\":\"my-room\",\"user\":{\"name\":\"Ada\"}}",
        "INFO bot: user said \"hello?\"",
        "goodbye",
        "exited with code 0",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    // The local cloud lives in the default data dir under the fresh HOME.
    let data_dir = home.path().join(".local/share/pipecat-cloud/local");
    assert!(data_dir.join("server.json").exists());

    let stop = run(&["cloud", "local", "stop"]);
    assert!(stop.status.success());
    let status = run(&["cloud", "local", "status"]);
    assert_eq!(status.status.code(), Some(5), "the local cloud still runs");
}
