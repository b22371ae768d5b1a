//! The completion scripts committed under `completions/` are what
//! `pipecat completions SHELL` prints now. When a flag or command changes,
//! regenerate them with `UPDATE_COMPLETIONS=1 cargo test --test completions`.

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

#[test]
fn completions_know_the_commands() {
    let output = std::process::Command::new(common::pipecat_bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8(output.stdout).unwrap();
    for word in [
        "cloud",
        "agent",
        "start",
        "--data-file",
        "organizations",
        "keys",
        "--local",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
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
