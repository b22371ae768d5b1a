//! `agent logs` against a log store whose timestamps the test chooses
//! (`common::logstore`): what is printed for a fixed store (pinned, so a
//! faster pipeline cannot change a byte), windows whose edge falls inside
//! a run of lines sharing a timestamp, and lines written while it reads.

mod common;

use common::logstore::{Line, LogStore, StartTime};
use sha2::{Digest, Sha256};

const KEY: &str = "sk_private_0123456789";
/// 2026-01-01T00:00:00Z.
const BASE_NS: i64 = 1_767_225_600 * 1_000_000_000;
const SESSIONS: [&str; 3] = [
    "11111111-aaaa-4aaa-8aaa-000000000001",
    "22222222-bbbb-4bbb-8bbb-000000000002",
    "33333333-cccc-4ccc-8ccc-000000000003",
];

/// 30,000 lines over four seconds: three lines share each timestamp, lines
/// 15,000 to 15,399 share one (a run longer than any look-ahead), three
/// lines fall exactly on a whole second, levels of every kind, empty
/// lines, lines that need escaping, and lines of three sessions and of none.
fn fixed_lines() -> Vec<Line> {
    (0..30_000)
        .map(|i: i64| {
            let group = if (15_000..15_400).contains(&i) {
                5_000
            } else {
                i / 3
            };
            let ts = BASE_NS + group * 400_000;
            let log = match i {
                _ if i % 97 == 0 => format!("2026-01-01 | ERROR | boom {i}"),
                _ if i % 13 == 0 => format!("WARNING: careful {i}"),
                _ if i % 31 == 0 => String::new(),
                _ if i % 17 == 0 => format!("level=debug msg=\"quoted \\\" {i}\" é ✓"),
                _ if i % 7 == 0 => format!("plain text {i}\twith a tab"),
                _ => format!("INFO line {i}"),
            };
            let line = Line::new(ts, log);
            match i % 4 {
                3 => line,
                s => line.session(SESSIONS[s as usize]),
            }
        })
        .collect()
}

fn run(store: &LogStore, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&store.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", KEY)
        .args(["cloud", "agent", "logs", "bot"])
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

/// A command's result in a few lines: exit code, how many lines, a hash of
/// every byte, and the first and last two lines.
fn digest(output: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let ends: Vec<&str> = if lines.len() <= 4 {
        lines.clone()
    } else {
        [&lines[..2], &lines[lines.len() - 2..]].concat()
    };
    format!(
        "exit {:?}, {} lines, sha256 {}\n{}",
        output.status.code(),
        lines.len(),
        hex::encode(Sha256::digest(&output.stdout)),
        ends.iter()
            .map(|line| format!("  | {line}\n"))
            .collect::<String>()
    )
}

/// The commands whose output is pinned: windows whose first line falls
/// inside a run of shared timestamps (`-n 10001`, `14800`, `25000`), more
/// lines than exist, both orders, every filter, both JSON forms.
fn pinned_commands() -> Vec<Vec<String>> {
    let second = |s: i64| (BASE_NS / 1_000_000_000 + s).to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec![],
        vec!["-n", "10000"],
        vec!["-n", "10001"],
        vec!["-n", "14800"],
        vec!["-n", "25000"],
        vec!["-n", "100000"],
        vec!["-n", "12345", "--order", "asc"],
        vec!["-n", "12345", "--order", "desc"],
        vec!["-n", "14800", "-f", "json"],
        vec!["-n", "25000", "--output", "json"],
        vec!["-n", "100", "--output", "json"],
        vec!["-n", "20000", "--session", SESSIONS[0]],
        vec!["-n", "500", "--query", "boom"],
    ];
    let mut commands: Vec<Vec<String>> = commands
        .into_iter()
        .map(|args| args.into_iter().map(String::from).collect())
        .collect();
    commands.push(vec![
        "-n".into(),
        "20000".into(),
        "--since".into(),
        second(1),
        "--until".into(),
        second(3),
    ]);
    commands
}

fn pinned_output(store: &LogStore) -> String {
    pinned_commands()
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            format!(
                "$ logs bot {}\n{}",
                args.join(" "),
                digest(&run(store, &args))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_fixed_store_prints_exactly_what_it_always_has() {
    let store = LogStore::serve(fixed_lines());
    insta::assert_snapshot!(pinned_output(&store));
    // Never more than the API gives at once.
    for target in store.requests() {
        let limit = url::form_urlencoded::parse(target.split_once('?').unwrap().1.as_bytes())
            .find(|(key, _)| key == "limit")
            .map(|(_, value)| value.parse::<u32>().unwrap());
        assert!(limit.is_some_and(|limit| limit <= 10_000), "{target}");
    }
}

#[test]
fn a_server_that_reads_start_time_as_after_the_whole_second_prints_the_same() {
    // The documented `startTime` is "after this Unix timestamp", in whole
    // seconds: a server may leave out the whole second it names.
    let usual = LogStore::serve(fixed_lines());
    let strict = LogStore::serve_with(fixed_lines(), StartTime::AfterTheWholeSecond);
    for args in pinned_commands() {
        if args.contains(&"--since".to_string()) {
            continue;
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(
            digest(&run(&strict, &args)),
            digest(&run(&usual, &args)),
            "logs bot {args:?}"
        );
    }
}

/// The numbers of `INFO line N` / `grown N` lines printed, in order.
fn numbers(stdout: &[u8]) -> Vec<usize> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect()
}

#[test]
fn lines_written_while_it_reads_are_neither_doubled_nor_lost() {
    // 1,500 lines land on top before every request: a newest-first read
    // paged by offset would see every page shifted.
    let lines = (0..40_000)
        .map(|i: i64| Line::new(BASE_NS + (i / 3) * 1_000, format!("INFO line {i}")))
        .collect();
    let store = LogStore::serve(lines);
    store.grow_on_every_request(1_500);
    let output = run(&store, &["-n", "30000", "--format", "json"]);
    assert!(output.status.success(), "{:?}", output.status);
    let printed: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["log"].as_str().unwrap().to_string()
        })
        .collect();
    // Exactly the 30,000 lines that were the newest when it began: a run
    // of the store, in the order written.
    let stored: Vec<String> = store.lines().into_iter().map(|l| l.log).collect();
    assert_eq!(printed.len(), 30_000);
    let first = stored.iter().position(|l| *l == printed[0]).unwrap();
    assert_eq!(printed, stored[first..first + 30_000]);
    // The first request's growth came before the window was placed.
    assert_eq!(
        printed.last().unwrap(),
        "grown 41499",
        "{:?}",
        &printed[29_990..]
    );
}

#[test]
fn a_long_read_moves_its_start_time_up_and_checks_where_it_landed() {
    let lines: Vec<Line> = (0..120_000)
        .map(|i: i64| Line::new(BASE_NS + (i / 3) * 200_000, format!("INFO line {i}")))
        .collect();
    let usual = LogStore::serve(lines.clone());
    let strict = LogStore::serve_with(lines, StartTime::AfterTheWholeSecond);
    let output = run(&usual, &["-n", "110000"]);
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(
        numbers(&output.stdout),
        (10_000..120_000).collect::<Vec<_>>()
    );
    assert_eq!(run(&strict, &["-n", "110000"]).stdout, output.stdout);
    // Past a page the offsets start again from a later startTime.
    let forward: Vec<(u64, u64)> = usual
        .requests()
        .iter()
        .filter(|target| target.contains("order=asc"))
        .map(|target| {
            let query = target.split_once('?').unwrap().1.as_bytes();
            let value = |name: &str| {
                url::form_urlencoded::parse(query)
                    .find(|(key, _)| key == name)
                    .map_or(0, |(_, value)| value.parse().unwrap())
            };
            (value("startTime"), value("offset"))
        })
        .collect();
    let anchors: std::collections::BTreeSet<u64> = forward.iter().map(|(at, _)| *at).collect();
    assert!(anchors.len() > 1, "{forward:?}");
    assert!(
        forward.iter().all(|(_, offset)| *offset <= 60_000),
        "{forward:?}"
    );
}

/// A session that writes `line 1`, `line 2`, ... for as long as it runs,
/// about 200 lines every few milliseconds.
const CHATTY: &str = "chatty/bot=i=0; while :; do j=0; while [ $j -lt 200 ]; do \
                      i=$((i+1)); j=$((j+1)); echo \"line $i\"; done; sleep 0.01; done";

#[test]
fn logs_of_a_session_that_keeps_writing_are_a_run_of_what_it_wrote() {
    // Every line stored, however fast it writes (above the server's
    // default per-session line rate).
    let cloud = common::LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--max-log-lines-per-second",
        "100000000",
        "--image",
        CHATTY,
    ]);
    let http = reqwest::blocking::Client::new();
    let created = http
        .post(format!("{}/v1/agents", cloud.url))
        .bearer_auth(&cloud.private_key)
        .json(&serde_json::json!({"serviceName": "chatty", "image": "chatty/bot:1"}))
        .send()
        .unwrap();
    assert!(created.status().is_success());
    let started: serde_json::Value = http
        .post(format!("{}/v1/public/chatty/start", cloud.url))
        .bearer_auth(&cloud.public_key)
        .json(&serde_json::json!({}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let session = started["sessionId"].as_str().unwrap().to_string();
    let config = tempfile::tempdir().unwrap();
    let logs = |n: &str| {
        cloud
            .cmd(&config.path().join("pipecatcloud.toml"))
            .env("PIPECAT_PRIVATE_API_KEY", &cloud.private_key)
            .args([
                "cloud",
                "agent",
                "logs",
                "chatty",
                "-n",
                n,
                "--session",
                &session,
            ])
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap()
    };
    // Wait until well over 30,000 lines are stored.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let newest = numbers(&logs("1").stdout);
        if newest.first().is_some_and(|&n| n > 45_000) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the session wrote too little"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for _ in 0..3 {
        let output = logs("30000");
        assert!(output.status.success(), "{:?}", output.status);
        let printed = numbers(&output.stdout);
        let first = printed[0];
        assert_eq!(printed, (first..first + 30_000).collect::<Vec<_>>());
    }
}

#[test]
fn a_level_filter_finds_lines_older_than_the_newest_hundred() {
    // Five errors among the first 1,000 lines, then 20,000 without one.
    let lines = (0..21_000)
        .map(|i: i64| {
            let log = if i < 1_000 && i % 200 == 0 {
                format!("ERROR boom {i}")
            } else {
                format!("INFO line {i}")
            };
            Line::new(BASE_NS + i * 1_000, log)
        })
        .collect();
    let store = LogStore::serve(lines);
    let texts = |args: &[&str]| {
        let output = run(&store, args);
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            // After the time (one word in plain output).
            .map(|line| line.split_once(' ').unwrap().1.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        texts(&["--level", "error"]),
        [
            "ERROR boom 0",
            "ERROR boom 200",
            "ERROR boom 400",
            "ERROR boom 600",
            "ERROR boom 800"
        ]
    );
    assert_eq!(
        texts(&["--level", "error", "-n", "2"]),
        ["ERROR boom 600", "ERROR boom 800"]
    );
    assert_eq!(
        texts(&["--level", "error", "-n", "2", "--order", "asc"]),
        ["ERROR boom 0", "ERROR boom 200"]
    );
    assert_eq!(
        texts(&["--level", "error", "-n", "2", "--order", "desc"]),
        ["ERROR boom 800", "ERROR boom 600"]
    );
    assert_eq!(texts(&["--level", "critical"]), Vec::<String>::new());
    // The JSON document holds those lines, newest first, as the API lists.
    let output = run(&store, &["--level", "error", "-n", "2", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let logs: Vec<&str> = document["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["log"].as_str().unwrap())
        .collect();
    assert_eq!(logs, ["ERROR boom 800", "ERROR boom 600"]);
    assert_eq!(document["total"]["value"], 21_000);
}

#[test]
fn newest_first_lines_written_while_it_reads_are_neither_doubled_nor_lost() {
    let lines = (0..40_000)
        .map(|i: i64| Line::new(BASE_NS + (i / 3) * 1_000, format!("INFO line {i}")))
        .collect();
    let store = LogStore::serve(lines);
    // Lines written after the first page share its newest second: they
    // push the rest down inside the pinned window.
    store.grow_on_every_request(700);
    let output = run(&store, &["-n", "25000", "--order", "desc"]);
    assert!(output.status.success(), "{:?}", output.status);
    let printed = numbers(&output.stdout);
    // The 25,000 newest when it began, newest first, each once: `grown`
    // lines were written before the first page was answered.
    assert_eq!(printed.len(), 25_000);
    let newest = printed[0];
    assert_eq!(newest, 40_699);
    assert_eq!(
        printed,
        (newest - 24_999..=newest).rev().collect::<Vec<_>>()
    );
}

#[test]
fn a_window_whose_first_lines_share_a_time_with_more_than_a_page_of_older_ones() {
    // Lines 0 to 19,999 share one timestamp; -n 25000 begins at line 5,000,
    // in the middle of them.
    let lines = (0..30_000)
        .map(|i: i64| {
            Line::new(
                BASE_NS + (i - 19_999).max(0) * 1_000,
                format!("INFO line {i}"),
            )
        })
        .collect();
    let store = LogStore::serve(lines);
    let output = run(&store, &["-n", "25000"]);
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(numbers(&output.stdout), (5_000..30_000).collect::<Vec<_>>());
}
