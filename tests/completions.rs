//! The completion scripts committed under `completions/` are what
//! `pipecat completions SHELL` prints now (regenerate them with
//! `UPDATE_COMPLETIONS=1 cargo test --test completions`). The scripts ask
//! the binary for candidates on every Tab: commands and flags from the
//! command tree, agent names and session ids from a real local cloud.

mod common;

use std::path::Path;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "pipecat.bash"),
    ("zsh", "_pipecat"),
    ("fish", "pipecat.fish"),
    ("powershell", "_pipecat.ps1"),
    ("elvish", "pipecat.elv"),
];

#[test]
fn committed_completions_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let output = std::process::Command::new(common::pipecat_bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "completions {shell} failed");
        assert!(
            !output.stdout.is_empty(),
            "completions {shell} printed nothing"
        );
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &output.stdout).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&output.stdout[..]) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run `UPDATE_COMPLETIONS=1 cargo test --test completions`"
    );
}

/// What a Tab after `words` offers (the last word is the one being
/// completed), asked as fish asks: one candidate per line, then a tab and
/// its description.
fn tab(cmd: &mut assert_cmd::Command, words: &[&str]) -> Vec<String> {
    let output = cmd
        .env("PIPECAT_COMPLETE", "fish")
        .args(["--", "pipecat"])
        .args(words)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "a Tab printed into the shell: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| line.split('\t').next().unwrap().to_string())
        .collect()
}

/// The candidates that are values, not flags.
fn values(candidates: Vec<String>) -> Vec<String> {
    candidates
        .into_iter()
        .filter(|candidate| !candidate.starts_with('-'))
        .collect()
}

#[test]
fn scripts_ask_the_binary_which_completes_commands_and_flags() {
    let output = std::process::Command::new(common::pipecat_bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8(output.stdout).unwrap();
    assert!(script.contains("PIPECAT_COMPLETE=\"bash\""), "{script}");
    let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut cmd);
    let commands = tab(&mut cmd, &["cloud", "agent", "st"]);
    assert_eq!(commands, ["start", "stop", "status"]);
    let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut cmd);
    assert!(
        tab(&mut cmd, &["cloud", "agent", "start", "--data-f"]).contains(&"--data-file".into())
    );
}

#[test]
fn agent_names_and_active_session_ids_complete_from_the_api_and_are_cached() {
    let cloud = common::LocalCloud::start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("pipecatcloud.toml");
    let pipecat = || {
        let mut cmd = cloud.cmd(&config);
        cmd.env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
            .env("XDG_CACHE_HOME", home.path().join("cache"));
        cmd
    };
    assert_eq!(
        values(tab(&mut pipecat(), &["cloud", "agent", "start", ""])),
        ["my-first-agent"]
    );
    assert_eq!(
        tab(&mut pipecat(), &["cloud", "agent", "logs", "my-"]),
        ["my-first-agent"]
    );
    assert!(tab(&mut pipecat(), &["cloud", "agent", "status", "other"]).is_empty());

    let http = reqwest::blocking::Client::new();
    let start = || -> String {
        let answer: serde_json::Value = http
            .post(format!("{}/v1/public/my-first-agent/start", cloud.url))
            .bearer_auth(&cloud.public_key)
            .json(&serde_json::json!({}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        answer["sessionId"].as_str().unwrap().to_string()
    };
    let (first, second) = (start(), start());
    let mut ids = tab(
        &mut pipecat(),
        &["cloud", "agent", "stop", "my-first-agent", "--session", ""],
    );
    ids.sort();
    let mut started = vec![first.clone(), second];
    started.sort();
    assert_eq!(ids, started);
    // The word being completed narrows them down.
    assert_eq!(
        tab(
            &mut pipecat(),
            &[
                "cloud",
                "agent",
                "stop",
                "my-first-agent",
                "-s",
                &first[..8]
            ],
        ),
        [first]
    );

    // The answers are kept in the cache dir, in files named by a hash.
    let cached = home.path().join("cache/pipecat-cloud/completion");
    let files: Vec<_> = std::fs::read_dir(&cached).unwrap().collect();
    assert_eq!(
        files.len(),
        2,
        "agents, and sessions of one agent: {files:?}"
    );
    let texts: String = files
        .into_iter()
        .map(|file| std::fs::read_to_string(file.unwrap().path()).unwrap())
        .collect();
    assert!(texts.contains("my-first-agent"), "{texts}");
    assert!(!texts.contains(&cloud.private_key), "{texts}");
}

#[test]
fn a_tab_never_prints_an_error_or_waits_for_an_unreachable_api() {
    let home = tempfile::tempdir().unwrap();
    // Nothing listens on port 1; the config file is not TOML.
    std::fs::write(home.path().join("broken.toml"), "token = [").unwrap();
    for (host, config) in [
        ("http://127.0.0.1:1", "pipecatcloud.toml"),
        ("http://127.0.0.1:1", "broken.toml"),
    ] {
        let mut cmd = common::pipecat_at(host, home.path());
        cmd.env("PIPECAT_CONFIG_PATH", home.path().join(config))
            .env("PIPECAT_TOKEN", "pcc_pat_x")
            .env("XDG_CACHE_HOME", home.path().join("cache"));
        assert!(values(tab(&mut cmd, &["cloud", "agent", "start", ""])).is_empty());
    }
    // No agent named anywhere: no session ids, no error.
    let mut cmd = common::pipecat_at("http://127.0.0.1:1", home.path());
    assert!(tab(&mut cmd, &["cloud", "agent", "stop", "--session", ""]).is_empty());
}

#[test]
fn the_man_page_documents_the_commands() {
    let output = std::process::Command::new(common::pipecat_bin())
        .arg("man")
        .output()
        .unwrap();
    assert!(output.status.success());
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.contains(".TH pipecat 1"), "not a man page");
    assert!(page.contains("cloud"), "{page}");
}
