//! The README's first command, and its walkthrough of deploying
//! examples/pipecat-bot to the local cloud, run as written.
//!
//! The first command, run exactly as written (with the binary
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

/// The README's walkthrough of deploying examples/pipecat-bot to the local
/// cloud from its folder, run as written by `sh` (with the binary under
/// test as `pipecat`) in a fresh HOME: the build is deployed and the
/// session prints the bot's own lines with its id and the body given.
#[test]
fn the_readme_deploys_the_example_bot_from_its_folder_and_starts_a_session() {
    if !std::process::Command::new("python3")
        .args(["-c", "import venv"])
        .output()
        .is_ok_and(|output| output.status.success())
    {
        eprintln!("skipped: no python3 with venv on this machine to build with");
        return;
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block = readme
        .split("```sh\n")
        .find(|block| block.starts_with("cd examples/pipecat-bot\n"))
        .expect("README has the pipecat-bot walkthrough")
        .split("```")
        .next()
        .unwrap();
    // The comments are for people; a `#` inside the JSON is not one.
    let script: String = block
        .lines()
        .map(|line| line.split("  #").next().unwrap().trim_end())
        .collect::<Vec<_>>()
        .join(" && ");
    assert!(
        script.contains("pipecat cloud --local agent start pipecat-bot"),
        "{script}"
    );
    let home = tempfile::tempdir().unwrap();
    let bin_dir = common::pipecat_bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let run = |line: &str| {
        let mut cmd = assert_cmd::Command::new("sh");
        common::scrub_env(&mut cmd);
        cmd.env("HOME", home.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-c", line])
            .timeout(std::time::Duration::from_secs(300))
            .output()
            .unwrap()
    };
    let output = run(&script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stop = run("pipecat cloud local stop");
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stop.status.success());
    assert!(stderr.contains("Build "), "{stderr}");
    assert!(stderr.contains("Agent `pipecat-bot` is ready"), "{stderr}");
    let session = stderr
        .lines()
        .chain(stdout.lines())
        .find_map(|line| line.strip_prefix("Session ID: "))
        .unwrap_or_else(|| panic!("no session id:\n{stdout}{stderr}"))
        .trim()
        .to_string();
    for line in [
        format!(r#"session {session} started with body {{"duration_secs": 3}}"#),
        format!("session {session} done"),
    ] {
        assert!(stdout.contains(&line), "missing {line:?} in:\n{stdout}");
    }
}
