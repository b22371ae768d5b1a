//! Odd input that once panicked, leaked or misbehaved: each gets a clear
//! error and the right exit code.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use common::pipecat_bin;

fn pipecat() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(pipecat_bin());
    common::scrub_env(&mut cmd);
    cmd.env("HOME", "/nonexistent").env("NO_COLOR", "1");
    cmd
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn absurd_timeouts_and_durations_are_usage_errors() {
    for timeout in ["inf", "1e400", "NaN", "0", "-1", "abc"] {
        let output = pipecat()
            .arg(format!("--timeout={timeout}"))
            .args(["cloud", "agent", "sessions", "x"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "--timeout {timeout}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("--timeout"), "{}", stderr(&output));
    }
    let output = pipecat()
        .env("PIPECAT_TIMEOUT", "1e400")
        .args(["cloud", "agent", "sessions", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    let output = pipecat()
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", "pk_0123456789")
        .env("PIPECAT_API_HOST", "http://127.0.0.1:9")
        .args(["cloud", "agent", "start", "x", "--wait-for-capacity=1e300"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn a_closed_pipe_ends_output_quietly_and_a_full_disk_is_an_error() {
    let mut child = Command::new(pipecat_bin())
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(pipecat_bin())
        .args(["cloud", "local", "env", "--data-dir"])
        .arg(dir.path().join("data"))
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot write the output"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_open_data_dir_is_refused_unchanged_and_a_new_one_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = pipecat()
        .args(["cloud", "local", "env", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("mode 0755"), "{}", stderr(&output));
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);

    let fresh = dir.path().join("new").join("data");
    let output = pipecat()
        .args(["cloud", "local", "env", "--data-dir"])
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    for created in [&fresh, &dir.path().join("new")] {
        let mode = std::fs::metadata(created).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", created.display());
    }
}

#[test]
fn a_key_with_a_newline_is_bad_input_not_a_network_failure() {
    let output = pipecat()
        .env("PIPECAT_PRIVATE_API_KEY", "sk_0123456789\nabc")
        .env("PIPECAT_API_HOST", "http://127.0.0.1:9")
        .args(["cloud", "agent", "sessions", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("stray characters"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("0123456789"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn local_stop_never_signals_a_pid_a_state_file_makes_up() {
    // Something listens at the URL, and the state file names pid 0 (this
    // process group) of a server that stopped: nothing must be signalled.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    for (pid, running) in [(0, false), (0, true), (1, true)] {
        let state = serde_json::json!({
            "url": url, "pid": pid, "running": running, "org": "local",
            "publicKey": "pk_x", "privateKey": "sk_x", "userToken": "pcc_pat_x",
        });
        std::fs::write(dir.path().join("server.json"), state.to_string()).unwrap();
        let output = pipecat()
            .args(["cloud", "local", "stop", "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "pid {pid}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("no local cloud was running"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_password_in_the_api_host_is_never_printed() {
    let output = pipecat()
        .env("PIPECAT_PRIVATE_API_KEY", "sk_0123456789")
        .env("PIPECAT_API_HOST", "http://user:hunter2@127.0.0.1:9")
        .args(["cloud", "agent", "sessions", "x"])
        .output()
        .unwrap();
    // Refused: the API authenticates with the key, never with a password.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!stderr(&output).contains("hunter2"), "{}", stderr(&output));
}
