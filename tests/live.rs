//! Live commands against the real local cloud: `agent logs --follow`,
//! `agent start --follow` and `--wait-for-capacity`, `agent sessions
//! --watch`, with Ctrl-C and a server restart in the middle.
//!
//! Streaming commands run as child processes whose stdout and stderr are
//! read line by line on threads. Nothing asserts on timing: waits poll with
//! generous deadlines.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{LocalCloud, pipecat_bin};
use predicates::prelude::*;
use serde_json::{Value, json};

/// Generous: the suite must pass on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// A session that writes a burst of 1,500 lines (three pages of the
/// follower's 500) as fast as the shell can, two identical lines, then one
/// more line a moment later, and exits 0.
const BURST: &str = "burst/bot=i=0; while [ $i -lt 1500 ]; do i=$((i+1)); echo \"burst $i\"; done; \
                     echo twin; echo twin; sleep 0.3; echo \"last of $PIPECAT_SESSION_ID\"";

fn burst_cloud() -> LocalCloud {
    LocalCloud::start_with(&["--min-session-duration", "1", "--image", BURST])
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::new()
}

fn create_agent(cloud: &LocalCloud, spec: Value) {
    let answer = http()
        .post(format!("{}/v1/agents", cloud.url))
        .bearer_auth(&cloud.private_key)
        .json(&spec)
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{:?}", answer.text());
}

fn start_session(cloud: &LocalCloud, agent: &str, body: Value) -> String {
    let answer: Value = http()
        .post(format!("{}/v1/public/{agent}/start", cloud.url))
        .bearer_auth(&cloud.public_key)
        .json(&json!({ "body": body }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    answer["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("start answered {answer}"))
        .to_string()
}

fn stop_session(cloud: &LocalCloud, agent: &str, id: &str) {
    let answer = http()
        .delete(format!("{}/v1/agents/{agent}/sessions/{id}", cloud.url))
        .bearer_auth(&cloud.private_key)
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{:?}", answer.text());
}

/// Every stored line of `agent`, oldest first, as the API has them.
fn stored_lines(cloud: &LocalCloud, agent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let answer: Value = http()
            .get(format!(
                "{}/v1/agents/{agent}/logs?order=asc&limit=10000&offset={}",
                cloud.url,
                lines.len()
            ))
            .bearer_auth(&cloud.private_key)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let page = answer["logs"].as_array().unwrap();
        lines.extend(
            page.iter()
                .map(|entry| entry["log"].as_str().unwrap().to_string()),
        );
        if page.len() < 10_000 {
            return lines;
        }
    }
}

/// A `pipecat` child process with the scrubbed environment of
/// [`LocalCloud::cmd`], its output read line by line.
struct Streaming {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    out: Vec<String>,
    err: Vec<String>,
}

impl Streaming {
    fn spawn(url: &str, private_key: &str, config_dir: &Path, args: &[&str]) -> Streaming {
        Self::spawn_with(url, private_key, config_dir, args, &[])
    }

    fn spawn_with(
        url: &str,
        private_key: &str,
        config_dir: &Path,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Streaming {
        let mut command = Command::new(pipecat_bin());
        for (key, _) in std::env::vars() {
            if key.starts_with("PIPECAT_") || key == "NO_COLOR" || key == "CLICOLOR_FORCE" {
                command.env_remove(key);
            }
        }
        let mut child = command
            .env("PIPECAT_API_HOST", url)
            .env("PIPECAT_PRIVATE_API_KEY", private_key)
            .env("PIPECAT_CONFIG_PATH", config_dir.join("pipecatcloud.toml"))
            .env("HOME", config_dir)
            .env("NO_COLOR", "1")
            .envs(envs.iter().copied())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pipecat");
        let stdout = read_lines(child.stdout.take().unwrap());
        let stderr = read_lines(child.stderr.take().unwrap());
        Streaming {
            child,
            stdout,
            stderr,
            out: Vec::new(),
            err: Vec::new(),
        }
    }

    fn drain(&mut self) {
        self.out.extend(self.stdout.try_iter());
        self.err.extend(self.stderr.try_iter());
    }

    /// Waits until `done` holds for the stdout lines so far.
    fn until(&mut self, what: &str, done: impl Fn(&[String], &[String]) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.drain();
            if done(&self.out, &self.err) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200));
                self.drain();
                if done(&self.out, &self.err) {
                    return;
                }
                panic!(
                    "exited ({status}) before {what}; stdout: {:?}; stderr: {:?}",
                    tail(&self.out),
                    self.err
                );
            }
            assert!(
                Instant::now() < deadline,
                "never {what}; stdout: {:?}; stderr: {:?}",
                tail(&self.out),
                self.err
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn interrupt(&self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    }

    /// Waits for the exit; returns its code with all output read.
    fn finish(&mut self) -> Option<i32> {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not exit; stderr: {:?}", self.err);
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // The reader threads end at end of file.
        self.out.extend(self.stdout.iter());
        self.err.extend(self.stderr.iter());
        status.code()
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(lines: &[String]) -> &[String] {
    &lines[lines.len().saturating_sub(5)..]
}

/// Lines of `source` on a channel. Raw bytes, so a line cut short at the
/// end would show up (without its newline) instead of being hidden.
fn read_lines(source: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(source);
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).to_string();
                    if send.send(text).is_err() {
                        return;
                    }
                }
            }
        }
    });
    receive
}

/// The `log` field of NDJSON lines, checking that each is a whole record.
fn logged(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            assert!(line.ends_with('\n'), "a cut line: {line:?}");
            let record: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
            record["log"].as_str().unwrap().to_string()
        })
        .collect()
}

fn has_line(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|line| line.contains(needle))
}

#[test]
fn follow_shows_every_new_line_once_in_order_and_ctrl_c_ends_it_cleanly() {
    let cloud = burst_cloud();
    create_agent(
        &cloud,
        json!({"serviceName": "burst", "image": "burst/bot:1"}),
    );
    let config = tempfile::tempdir().unwrap();
    // Started before the agent has a single line: everything it shows was
    // written after it started.
    let mut follow = Streaming::spawn(
        &cloud.url,
        &cloud.private_key,
        config.path(),
        &[
            "cloud",
            "agent",
            "logs",
            "burst",
            "--follow",
            "--interval",
            "0.2",
            "-f",
            "json",
        ],
    );
    if let Some(status) = follow.child.try_wait().unwrap() {
        panic!("follow exited at once: {status}");
    }
    std::thread::sleep(Duration::from_millis(500));
    let first = start_session(&cloud, "burst", json!(null));
    follow.until("the first session's exit", |out, _| {
        has_line(out, "session exited with code 0")
    });
    let second = start_session(&cloud, "burst", json!(null));
    follow.until("the second session's exit", |out, _| {
        out.iter()
            .filter(|line| line.contains("session exited with code 0"))
            .count()
            == 2
    });
    // What was followed is exactly what is stored: in order, nothing
    // skipped, nothing twice (the twins once each, as written).
    let followed = logged(&follow.out);
    assert_eq!(followed, stored_lines(&cloud, "burst"));
    assert_eq!(followed.iter().filter(|l| *l == "twin").count(), 4);
    assert!(followed.contains(&format!("last of {first}")));
    assert!(followed.contains(&format!("last of {second}")));
    assert!(followed.len() > 3_000, "{}", followed.len());

    follow.interrupt();
    assert_eq!(follow.finish(), Some(130), "stderr: {:?}", follow.err);
    logged(&follow.out);
    // Ctrl-C is what the person asked for: no error line.
    assert!(!has_line(&follow.err, "error"), "{:?}", follow.err);
}

#[test]
fn follow_of_a_session_and_start_follow_end_by_themselves_when_it_ends() {
    let cloud = burst_cloud();
    create_agent(
        &cloud,
        json!({"serviceName": "burst", "image": "burst/bot:1"}),
    );
    let config = tempfile::tempdir().unwrap();
    let id = start_session(&cloud, "my-first-agent", json!({"duration_secs": 2}));
    let output = cloud
        .cmd(&config.path().join("pipecatcloud.toml"))
        .env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
        .args(["cloud", "agent", "logs", "my-first-agent", "--session", &id])
        .args(["--tail", "--interval", "0.2"])
        .timeout(PATIENCE)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let last = text.lines().last().unwrap_or_default();
    assert!(last.contains("[pipecat-local] session exited"), "{text}");

    // One command from birth to death: the answer, then the session's
    // lines as NDJSON, then exit 0 once it has ended.
    let output = cloud
        .cmd(&config.path().join("pipecatcloud.toml"))
        .env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", &cloud.public_key)
        .args(["cloud", "agent", "start", "burst", "--follow"])
        .args(["--interval", "0.2", "--output", "json"])
        .timeout(PATIENCE)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let mut lines = text.lines();
    let answer: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let session = answer["sessionId"].as_str().unwrap();
    let logs: Vec<String> = lines
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            assert_eq!(record["sessionId"], session);
            record["log"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        logs.iter().filter(|l| l.starts_with("burst ")).count(),
        1500
    );
    assert_eq!(
        logs.last().unwrap(),
        "[pipecat-local] session exited with code 0"
    );

    // An unknown session fails at once instead of waiting forever.
    const UNKNOWN: &str = "00000000-0000-4000-8000-000000000000";
    cloud
        .cmd(&config.path().join("pipecatcloud.toml"))
        .env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
        .args([
            "cloud",
            "agent",
            "logs",
            "burst",
            "--session",
            UNKNOWN,
            "--follow",
        ])
        .timeout(PATIENCE)
        .assert()
        .code(4)
        .stderr(predicate::str::contains(format!("session `{UNKNOWN}`")));
}

#[test]
fn follow_survives_a_server_restart_with_nothing_lost_or_doubled() {
    let mut cloud = burst_cloud();
    create_agent(
        &cloud,
        json!({"serviceName": "burst", "image": "burst/bot:1"}),
    );
    let port = cloud.url.rsplit(':').next().unwrap().to_string();
    let config = tempfile::tempdir().unwrap();
    let mut follow = Streaming::spawn(
        &cloud.url,
        &cloud.private_key,
        config.path(),
        &[
            "cloud",
            "agent",
            "logs",
            "burst",
            "--follow",
            "--interval",
            "0.2",
            "-f",
            "json",
        ],
    );
    std::thread::sleep(Duration::from_millis(500));
    start_session(&cloud, "burst", json!(null));
    follow.until("the first session's exit", |out, _| {
        has_line(out, "session exited with code 0")
    });
    cloud.stop();
    follow.until("a word about the outage", |_, err| {
        has_line(err, "still trying")
    });
    let restarted = LocalCloud::start_in(
        &cloud.data_dir,
        &[
            "--port",
            &port,
            "--min-session-duration",
            "1",
            "--image",
            BURST,
        ],
    );
    assert_eq!(restarted.url, cloud.url);
    start_session(&restarted, "burst", json!(null));
    follow.until("the second session's exit", |out, err| {
        has_line(err, "back")
            && out
                .iter()
                .filter(|line| line.contains("session exited with code 0"))
                .count()
                == 2
    });
    assert_eq!(logged(&follow.out), stored_lines(&restarted, "burst"));
    // Said once, however long it took.
    let said = |needle| follow.err.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(said("still trying"), 1, "{:?}", follow.err);
    assert_eq!(said("The API is back"), 1, "{:?}", follow.err);
}

#[test]
fn wait_for_capacity_starts_once_a_slot_frees_and_gives_up_after_its_duration() {
    let cloud = LocalCloud::start();
    create_agent(
        &cloud,
        json!({"serviceName": "single", "image": "pipecat-local/demo-bot:1", "autoScaling": {"maxAgents": 1}}),
    );
    let busy = start_session(&cloud, "single", json!(null));
    let config = tempfile::tempdir().unwrap();
    cloud
        .cmd(&config.path().join("pipecatcloud.toml"))
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", &cloud.public_key)
        .args([
            "cloud",
            "agent",
            "start",
            "single",
            "--wait-for-capacity=2s",
        ])
        .timeout(PATIENCE)
        .assert()
        .code(75)
        .stdout("")
        .stderr(predicate::str::contains("attempt 2 in"))
        .stderr(predicate::str::contains("is at its session limit"));

    let mut waiting = Streaming::spawn(
        &cloud.url,
        &cloud.private_key,
        config.path(),
        &[
            "cloud",
            "agent",
            "start",
            "single",
            "--wait-for-capacity=60s",
            "-k",
            &cloud.public_key,
        ],
    );
    waiting.until("a retry", |_, err| has_line(err, "attempt 3 in"));
    stop_session(&cloud, "single", &busy);
    assert_eq!(waiting.finish(), Some(0), "stderr: {:?}", waiting.err);
    assert!(has_line(&waiting.out, "Session ID: "), "{:?}", waiting.out);
}

#[test]
fn watch_without_a_terminal_prints_parseable_snapshots() {
    let cloud = LocalCloud::start();
    let id = start_session(&cloud, "my-first-agent", json!(null));
    let config = tempfile::tempdir().unwrap();
    let spawn = |extra: &[&str]| {
        let mut args = vec![
            "cloud",
            "agent",
            "sessions",
            "my-first-agent",
            "--watch",
            "--interval",
            "0.2",
        ];
        args.extend_from_slice(extra);
        Streaming::spawn(&cloud.url, &cloud.private_key, config.path(), &args)
    };
    let mut json_watch = spawn(&["--output", "json"]);
    json_watch.until("three snapshots", |out, _| out.len() >= 3);
    json_watch.interrupt();
    assert_eq!(json_watch.finish(), Some(130));
    for line in &json_watch.out {
        let snapshot: Value = serde_json::from_str(line).unwrap();
        assert_eq!(snapshot["agent"], "my-first-agent");
        assert_eq!(snapshot["active"], 1);
        assert_eq!(snapshot["capacity"], 50);
        assert_eq!(snapshot["sessions"][0]["sessionId"], id.as_str());
    }

    let mut plain = spawn(&[]);
    plain.until("two snapshots", |out, _| {
        out.iter().filter(|l| l.starts_with("# ")).count() >= 2
    });
    plain.interrupt();
    assert_eq!(plain.finish(), Some(130));
    let text: String = plain.out.concat();
    let block = text.split("\n\n").next().unwrap();
    let mut lines = block.lines();
    assert!(lines.next().unwrap().contains("active=1\tcapacity=50"));
    assert!(lines.next().unwrap().starts_with("Session ID\tCreated"));
    assert!(lines.next().unwrap().starts_with(&id));
}

#[test]
fn follow_ends_quietly_when_its_reader_goes_away() {
    let cloud = LocalCloud::start();
    start_session(&cloud, "my-first-agent", json!(null));
    let config = tempfile::tempdir().unwrap();
    let mut follow = Streaming::spawn(
        &cloud.url,
        &cloud.private_key,
        config.path(),
        &[
            "cloud",
            "agent",
            "logs",
            "my-first-agent",
            "--follow",
            "--interval",
            "0.2",
        ],
    );
    follow.until("a first line", |out, _| !out.is_empty());
    // Like `| head -1`: the reading end closes; the demo bot's next line
    // finds no reader.
    let (_, closed) = channel();
    drop(std::mem::replace(&mut follow.stdout, closed));
    assert_eq!(follow.finish(), Some(0), "stderr: {:?}", follow.err);
    assert!(follow.err.is_empty(), "{:?}", follow.err);
}

/// A per-session line rate (`serve --max-log-lines-per-second`) no session
/// here reaches: tests of a follower under a flood need every line stored.
const UNCAPPED: &str = "100000000";

/// A session that writes `flood 1` to `flood 60000` as fast as `seq` can,
/// two identical lines, and exits 0.
const FLOOD: &str = "flood/bot=seq -f 'flood %.0f' 1 60000; echo twin; echo twin";

#[test]
fn follow_keeps_up_with_a_burst_of_sixty_thousand_lines_and_shows_each_once() {
    // Above the server's default per-session line rate: every line is
    // stored, so the follower has all of them to keep up with.
    let cloud = LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--max-log-lines-per-second",
        UNCAPPED,
        "--image",
        FLOOD,
    ]);
    create_agent(
        &cloud,
        json!({"serviceName": "flood", "image": "flood/bot:1"}),
    );
    let config = tempfile::tempdir().unwrap();
    let mut follow = Streaming::spawn(
        &cloud.url,
        &cloud.private_key,
        config.path(),
        &[
            "cloud",
            "agent",
            "logs",
            "flood",
            "--follow",
            "--interval",
            "0.2",
            "-f",
            "json",
        ],
    );
    std::thread::sleep(Duration::from_millis(500));
    start_session(&cloud, "flood", json!(null));
    follow.until("the session's exit", |out, _| {
        has_line(out, "session exited with code 0")
    });
    follow.interrupt();
    assert_eq!(follow.finish(), Some(130), "stderr: {:?}", follow.err);
    let followed = logged(&follow.out);
    assert_eq!(followed, stored_lines(&cloud, "flood"));
    assert_eq!(
        followed.iter().filter(|l| l.starts_with("flood ")).count(),
        60_000
    );
    assert!(!has_line(&follow.err, "skipped"), "{:?}", follow.err);
}

#[test]
fn a_follower_that_cannot_keep_up_says_how_many_lines_it_skipped_and_goes_on() {
    // A session that writes 300,000 numbered lines as fast as `seq` can,
    // then waits for the test's word to write its last line.
    let go = tempfile::tempdir().unwrap();
    let go = go.path().join("go");
    let image = format!(
        "deluge/bot=seq -f 'n %.0f' 1 300000; while [ ! -e '{}' ]; do sleep 0.1; done; echo the end",
        go.display()
    );
    let cloud = LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--max-log-lines-per-second",
        UNCAPPED,
        "--image",
        &image,
    ]);
    create_agent(
        &cloud,
        json!({"serviceName": "deluge", "image": "deluge/bot:1"}),
    );
    let config = tempfile::tempdir().unwrap();
    let mut command = Command::new(pipecat_bin());
    for (key, _) in std::env::vars() {
        if key.starts_with("PIPECAT_") || key == "NO_COLOR" || key == "CLICOLOR_FORCE" {
            command.env_remove(key);
        }
    }
    let mut child = Reaped(
        command
            .env("PIPECAT_API_HOST", &cloud.url)
            .env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
            .env(
                "PIPECAT_CONFIG_PATH",
                config.path().join("pipecatcloud.toml"),
            )
            .env("HOME", config.path())
            .args([
                "cloud",
                "agent",
                "logs",
                "deluge",
                "--follow",
                "--interval",
                "0.2",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = read_lines(child.0.stderr.take().unwrap());
    std::thread::sleep(Duration::from_millis(500));
    start_session(&cloud, "deluge", json!(null));
    // Nobody reads what it prints (a slow terminal): its first page fills
    // the pipe and it waits, while the session writes everything.
    let deadline = Instant::now() + PATIENCE;
    while stored_newest(&cloud, "deluge") != "n 300000" {
        assert!(Instant::now() < deadline, "the session never wrote it all");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(6));
    let stdout = read_lines(child.0.stdout.take().unwrap());
    let mut out: Vec<String> = Vec::new();
    let mut err: Vec<String> = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while !has_line(&err, "skipped") {
        assert!(Instant::now() < deadline, "no word about skipping: {err:?}");
        out.extend(stdout.try_iter());
        err.extend(stderr.recv_timeout(Duration::from_millis(100)));
    }
    // What comes after the skip is shown.
    std::fs::write(&go, "").unwrap();
    loop {
        assert!(
            Instant::now() < deadline,
            "never the exit line; {:?}",
            tail(&out)
        );
        let Ok(line) = stdout.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        let last = line.contains("session exited with code 0");
        out.push(line);
        if last {
            break;
        }
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.0.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    child.0.wait().unwrap();
    let said = err.iter().find(|line| line.contains("skipped")).unwrap();
    let skipped: usize = said
        .split_whitespace()
        .skip_while(|word| *word != "skipped")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    // What it showed, in order, and what it skipped add up to what was
    // written; the end was shown.
    let numbers: Vec<usize> = out
        .iter()
        .filter_map(|line| line.trim_end().split(" n ").nth(1)?.parse().ok())
        .collect();
    assert!(
        numbers.windows(2).all(|pair| pair[0] < pair[1]),
        "out of order"
    );
    assert!(has_line(&out, "the end"), "{:?}", tail(&out));
    assert!(skipped > 100_000, "{said}");
    assert_eq!(
        out.len() + skipped,
        stored_count(&cloud, "deluge"),
        "{said}"
    );
}

/// A child process killed (and reaped) when the test ends, however.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The newest stored line of `agent`.
fn stored_newest(cloud: &LocalCloud, agent: &str) -> String {
    let answer: Value = http()
        .get(format!("{}/v1/agents/{agent}/logs?limit=1", cloud.url))
        .bearer_auth(&cloud.private_key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    answer["logs"][0]["log"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// How many lines of `agent` are stored.
/// How many lines the agent has: asked past its last line, the local cloud
/// counts them all (nearer the start it stops counting early).
fn stored_count(cloud: &LocalCloud, agent: &str) -> usize {
    let answer: Value = http()
        .get(format!(
            "{}/v1/agents/{agent}/logs?limit=1&offset=100000000",
            cloud.url
        ))
        .bearer_auth(&cloud.private_key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    answer["total"]["value"].as_u64().unwrap() as usize
}

#[test]
fn a_failing_first_request_is_retried_like_any_other() {
    use common::logstore::{Line, LogStore};
    let id = "11111111-aaaa-4aaa-8aaa-000000000001";
    let lines = (0..3)
        .map(|i| Line::new(1_767_225_600_000_000_000 + i, format!("INFO line {i}")).session(id))
        .collect();
    let store = LogStore::serve(lines);
    store.set_session(pipecat_cloud::api::types::Session {
        session_id: id.into(),
        ended_at: Some("2026-01-01T00:00:01Z".into()),
        ..Default::default()
    });
    store.fail_next(1);
    let config = tempfile::tempdir().unwrap();
    let output = common::pipecat_at(&store.url, config.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789")
        .args(["cloud", "agent", "logs", "bot", "--follow", "--session", id])
        .args(["--interval", "0.2"])
        .timeout(PATIENCE)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.ends_with("INFO line 2\n"), "{stdout}");
    assert!(stderr.contains("still trying"), "{stderr}");
    assert!(stderr.contains("The API is back"), "{stderr}");
}

#[test]
fn start_follow_ends_with_a_closing_line_and_fails_when_the_session_failed() {
    let cloud = LocalCloud::start();
    let config = tempfile::tempdir().unwrap();
    let start = |data: &str| {
        cloud
            .cmd(&config.path().join("pipecatcloud.toml"))
            .env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
            .env("PIPECAT_DEFAULT_PUBLIC_KEY", &cloud.public_key)
            .args(["cloud", "agent", "start", "my-first-agent", "--follow"])
            .args(["--interval", "0.2", "--data", data])
            .timeout(PATIENCE)
            .output()
            .unwrap()
    };
    // The demo bot told to crash exits 3: a CI step must see it fail.
    let crashed = start(r#"{"crash": true}"#);
    let stderr = String::from_utf8_lossy(&crashed.stderr);
    assert_eq!(crashed.status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: session ")
            && last.contains(" ended: Agent error (EXIT_3) after 00:00:0"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&crashed.stdout);
    assert!(stdout.contains("crashing as the body asked"), "{stdout}");

    let completed = start(r#"{"duration_secs": 1}"#);
    let stderr = String::from_utf8_lossy(&completed.stderr);
    assert_eq!(completed.status.code(), Some(0), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Session ") && last.contains(" ended: Complete (COMPLETED) after 00:00:0"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_on_start_follow_ends_quietly_and_says_how_to_stop_the_session() {
    let cloud = LocalCloud::start();
    let config = tempfile::tempdir().unwrap();
    let mut follow = Streaming::spawn_with(
        &cloud.url,
        &cloud.private_key,
        config.path(),
        &[
            "cloud",
            "agent",
            "start",
            "my-first-agent",
            "--follow",
            "--interval",
            "0.2",
        ],
        &[("PIPECAT_DEFAULT_PUBLIC_KEY", &cloud.public_key)],
    );
    follow.until("a line of the session", |out, _| has_line(out, "demo-bot"));
    follow.interrupt();
    assert_eq!(follow.finish(), Some(130), "stderr: {:?}", follow.err);
    assert!(!has_line(&follow.err, "error"), "{:?}", follow.err);
    let id = follow
        .out
        .iter()
        .find_map(|line| {
            line.strip_prefix("Session ID: ")
                .map(|rest| rest.trim().to_string())
        })
        .unwrap_or_else(|| panic!("{:?}", follow.out));
    let said = follow.err.last().unwrap();
    assert!(
        said.contains(&format!("Session {id} is still running"))
            && said.contains(&format!("agent stop my-first-agent --session {id}`")),
        "{said}"
    );
}

#[test]
fn top_without_a_terminal_prints_snapshots_of_every_agent_and_stops_on_ctrl_c() {
    let cloud = LocalCloud::start();
    create_agent(
        &cloud,
        json!({"serviceName": "second", "image": "pipecat-local/demo-bot:1"}),
    );
    let id = start_session(&cloud, "my-first-agent", json!(null));
    let config = tempfile::tempdir().unwrap();
    let spawn = |extra: &[&str]| {
        let mut args = vec!["cloud", "top", "--interval", "0.2"];
        args.extend_from_slice(extra);
        Streaming::spawn(&cloud.url, &cloud.private_key, config.path(), &args)
    };
    let mut json_top = spawn(&["--output", "json"]);
    json_top.until("two snapshots", |out, _| out.len() >= 2);
    json_top.interrupt();
    assert_eq!(json_top.finish(), Some(130), "{:?}", json_top.err);
    assert!(!has_line(&json_top.err, "error"), "{:?}", json_top.err);
    for line in &json_top.out {
        let snapshot: Value = serde_json::from_str(line).unwrap();
        let agents: Vec<&str> = snapshot["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|agent| agent["name"].as_str().unwrap())
            .collect();
        assert!(agents.contains(&"my-first-agent") && agents.contains(&"second"));
        assert_eq!(snapshot["sessions"][0]["sessionId"], id.as_str());
        assert_eq!(snapshot["sessions"][0]["agent"], "my-first-agent");
    }

    let mut plain = spawn(&[]);
    plain.until("a snapshot", |out, _| {
        out.iter()
            .any(|line| line.starts_with(&format!("my-first-agent\t{id}\t")))
    });
    plain.interrupt();
    assert_eq!(plain.finish(), Some(130));
    let first = plain.out.iter().position(|l| l.starts_with("# ")).unwrap();
    assert!(
        plain.out[first].contains("active=1\tmy-first-agent=1/50\tsecond=0/50"),
        "{:?}",
        plain.out
    );
    assert!(
        plain.out[first + 1].starts_with("Agent\tSession ID"),
        "{:?}",
        plain.out
    );
}
