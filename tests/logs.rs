//! `agent logs` against a log store whose timestamps the test chooses
//! (`common::logstore`): what is printed for a fixed store (pinned, so a
//! faster pipeline cannot change a byte), windows whose edge falls inside
//! a run of lines sharing a timestamp, and lines written while it reads.

mod common;

use common::logstore::{Line, LogStore};
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
            let group = if (15_000..15_400).contains(&i) { 5_000 } else { i / 3 };
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
        Sha256::digest(&output.stdout)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>(),
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
            format!("$ logs bot {}\n{}", args.join(" "), digest(&run(store, &args)))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_fixed_store_prints_exactly_what_it_always_has() {
    let store = LogStore::serve(fixed_lines());
    insta::assert_snapshot!(pinned_output(&store));
}
