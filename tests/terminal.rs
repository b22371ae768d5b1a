//! Terminal behaviour, seen through a pseudo-terminal of a fixed size and a
//! terminal parser (see `tests/common/pty.rs`).

mod common;

use std::time::Duration;

use common::pty::PtyCommand;

#[test]
fn the_harness_shows_the_screen_and_the_exit_code_a_person_would_see() {
    let mut pty = PtyCommand::pipecat(&["cloud", "agent", "--help"], 24, 80).spawn();
    let code = pty.wait_exit(Duration::from_secs(30));
    assert_eq!(code, 0);
    let screen = pty.scrollback_and_screen();
    assert!(screen.contains("Usage: pipecat cloud agent"), "{screen}");
    assert!(
        screen.lines().all(|line| line.chars().count() <= 80),
        "a line wider than the terminal: {screen}"
    );
}

/// A local cloud with sessions to show, and commands pointed at it.
struct Cloud {
    cloud: common::LocalCloud,
    dir: tempfile::TempDir,
}

/// An agent with a name longer than any table would like.
const LONG_AGENT: &str = "customer-support-voice-agent";

impl Cloud {
    /// Three sessions of `my-first-agent` (one stopped) and one of
    /// [`LONG_AGENT`].
    fn with_sessions() -> Cloud {
        let cloud = Cloud {
            cloud: common::LocalCloud::start(),
            dir: tempfile::tempdir().unwrap(),
        };
        cloud
            .cmd()
            .args([
                "cloud",
                "deploy",
                LONG_AGENT,
                "pipecat-local/demo-bot:1",
                "--yes",
            ])
            .assert()
            .success();
        let first = cloud.start("my-first-agent");
        cloud.start("my-first-agent");
        cloud.start("my-first-agent");
        cloud.start(LONG_AGENT);
        cloud
            .cmd()
            .args([
                "cloud",
                "agent",
                "stop",
                "my-first-agent",
                "-s",
                &first,
                "-f",
            ])
            .assert()
            .success();
        cloud
    }

    fn config(&self) -> std::path::PathBuf {
        self.dir.path().join("pipecatcloud.toml")
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.config());
        cmd.env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key)
            .env("PIPECAT_TOKEN", &self.cloud.user_token)
            .current_dir(self.dir.path());
        cmd
    }

    fn start(&self, agent: &str) -> String {
        let output = self
            .cmd()
            .args([
                "cloud",
                "agent",
                "start",
                agent,
                "-k",
                &self.cloud.public_key,
            ])
            .args(["--output", "json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        answer["sessionId"].as_str().unwrap().to_string()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let output = self.cmd().args(args).arg("--json").output().unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// `args` in a terminal of `rows` x `cols`, as this cloud's user.
    fn pty(&self, args: &[&str], rows: u16, cols: u16) -> PtyCommand {
        PtyCommand::pipecat(args, rows, cols)
            .env("PIPECAT_API_HOST", &self.cloud.url)
            .env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key)
            .env("PIPECAT_TOKEN", &self.cloud.user_token)
            .env("PIPECAT_CONFIG_PATH", self.config())
            .env("HOME", self.dir.path())
            .cwd(self.dir.path())
    }

    /// The rows `args` leave on a terminal of 50 rows x `cols` (a line
    /// longer than the terminal continues on the next row).
    fn screen(&self, args: &[&str], cols: u16) -> String {
        let mut pty = self.pty(args, 50, cols).spawn();
        assert_eq!(
            pty.wait_exit(Duration::from_secs(60)),
            0,
            "{}",
            pty.screen()
        );
        pty.rows().join("\n").trim_end().to_string()
    }
}

fn widest_line(screen: &str) -> usize {
    screen.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The width of the rule under a table's titles (as wide as the table).
fn rule_width(screen: &str) -> usize {
    screen
        .lines()
        .find(|line| !line.is_empty() && line.chars().all(|c| c == '─'))
        .map_or(0, |rule| rule.chars().count())
}

/// `value` is on the screen whole, or not at all: never a part of it at
/// the end of one line and the rest on the next.
fn whole_or_absent(screen: &str, value: &str) -> bool {
    let start: String = value.chars().take(8).collect();
    screen.matches(&start).count() == screen.matches(value).count()
}

#[test]
fn tables_fit_80_120_and_200_columns_without_splitting_an_id_a_name_or_a_time() {
    let cloud = Cloud::with_sessions();
    let sessions = cloud.json(&["cloud", "agent", "sessions"])["sessions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sessions.len(), 4);
    let agents = cloud.json(&["cloud", "agent", "list"])["services"]
        .as_array()
        .unwrap()
        .clone();
    let deployments = cloud.json(&["cloud", "agent", "deployments", "my-first-agent"]);
    let keys = cloud.json(&["cloud", "organizations", "keys", "list"]);
    let mut ids: Vec<String> = Vec::new();
    for session in &sessions {
        ids.push(session["sessionId"].as_str().unwrap().into());
    }
    for agent in &agents {
        for field in ["id", "activeDeploymentId"] {
            ids.extend(agent[field].as_str().map(String::from));
        }
    }
    for deployment in deployments["deployments"].as_array().unwrap() {
        ids.push(deployment["id"].as_str().unwrap().into());
    }
    for key in keys["public"].as_array().unwrap() {
        ids.push(key["id"].as_str().unwrap().into());
    }
    // Times are shown as HH:MM:SS today (in UTC here).
    let times: Vec<String> = sessions
        .iter()
        .map(|s| s["createdAt"].as_str().unwrap()[11..19].to_string())
        .collect();
    let commands: [&[&str]; 5] = [
        &["cloud", "agent", "sessions", "my-first-agent"],
        &["cloud", "agent", "sessions"],
        &["cloud", "agent", "list"],
        &["cloud", "agent", "deployments", "my-first-agent"],
        &["cloud", "organizations", "keys", "list"],
    ];
    for cols in [80, 120, 200] {
        for args in commands {
            let screen = cloud.screen(args, cols);
            let at = format!("{args:?} at {cols} columns:\n{screen}");
            let rule = rule_width(&screen);
            assert!(rule > 0 && rule <= usize::from(cols), "{at}");
            for value in ids.iter().chain(&times) {
                assert!(whole_or_absent(&screen, value), "{value} split; {at}");
            }
            for name in ["my-first-agent", LONG_AGENT] {
                assert!(whole_or_absent(&screen, name), "{name} split; {at}");
            }
            let footnote = screen
                .lines()
                .any(|line| line.contains(" hidden") && line.ends_with("use --output plain"));
            if cols == 200 {
                assert!(!footnote, "nothing needs hiding at 200 columns; {at}");
            }
        }
        // Sessions: every id is there (the key column), and at 80 columns
        // the footnote says columns are hidden.
        let screen = cloud.screen(commands[1], cols);
        for session in &sessions {
            let id = session["sessionId"].as_str().unwrap();
            assert!(screen.contains(id), "{id} missing at {cols}:\n{screen}");
        }
        assert!(screen.contains(LONG_AGENT), "{screen}");
        assert_eq!(screen.contains("Created (UTC)"), cols > 80, "{screen}");
        if cols == 80 {
            assert!(
                screen.contains("hidden; widen the terminal or use --output plain"),
                "{screen}"
            );
        }
    }
}

#[test]
fn a_terminal_without_a_size_is_drawn_for_columns_else_80() {
    let cloud = Cloud::with_sessions();
    let args = ["cloud", "agent", "sessions", "my-first-agent"];
    // The parser is 200 wide so a line drawn wider than 80 would show.
    let mut pty = cloud.pty(&args, 40, 200).reporting_size(0, 0).spawn();
    assert_eq!(pty.wait_exit(Duration::from_secs(60)), 0);
    let screen = pty.screen();
    assert!(widest_line(&screen) <= 80, "{screen}");
    assert!(widest_line(&screen) > 60, "{screen}");
    assert!(screen.contains("hidden; widen the terminal"), "{screen}");

    let mut pty = cloud
        .pty(&args, 40, 200)
        .reporting_size(0, 0)
        .env("COLUMNS", "120")
        .spawn();
    assert_eq!(pty.wait_exit(Duration::from_secs(60)), 0);
    let screen = pty.screen();
    assert!(widest_line(&screen) > 80, "{screen}");
    assert!(widest_line(&screen) <= 120, "{screen}");

    // `--watch` draws for the same width.
    let mut pty = cloud
        .pty(
            &["cloud", "agent", "sessions", "my-first-agent", "--watch"],
            40,
            200,
        )
        .reporting_size(0, 0)
        .spawn();
    pty.wait_for("Session ID", Duration::from_secs(30));
    pty.wait_for("hidden; widen the terminal", Duration::from_secs(30));
    let screen = pty.screen();
    assert!(widest_line(&screen) <= 80, "{screen}");
    pty.ctrl_c();
    pty.wait_exit(Duration::from_secs(30));
}

#[test]
fn a_wait_for_capacity_counts_down_and_shows_the_time_it_has_taken() {
    let cloud = Cloud::with_sessions();
    cloud
        .cmd()
        .args([
            "cloud",
            "deploy",
            "capped",
            "pipecat-local/demo-bot:1",
            "--max-agents",
            "1",
        ])
        .arg("--yes")
        .assert()
        .success();
    let blocking = cloud.start("capped");
    // The countdown to the next attempt runs, and the time waited grows.
    let mut pty = cloud
        .pty(
            &[
                "cloud",
                "agent",
                "start",
                "capped",
                "--wait-for-capacity=1m",
            ],
            24,
            120,
        )
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", &cloud.cloud.public_key)
        .spawn();
    for elapsed in ["(1s)", "(2s)"] {
        pty.wait_for_screen(elapsed, Duration::from_secs(30), |screen| {
            screen.contains("agent `capped` is at its session limit; attempt ")
                && screen.contains(&format!("waiting up to 1m {elapsed}"))
        });
    }
    cloud
        .cmd()
        .args(["cloud", "agent", "stop", "capped", "-s", &blocking, "-f"])
        .assert()
        .success();
    assert_eq!(
        pty.wait_exit(Duration::from_secs(60)),
        0,
        "{}",
        pty.screen()
    );
    assert!(
        pty.screen()
            .contains("Started a session of agent `capped`.")
    );
}

#[test]
fn a_deploy_shows_its_phase_and_the_time_it_has_taken_as_it_goes() {
    use common::scripted::{Reply, Scripted};
    let waiting = r#"{"name": "bot", "ready": false, "available": false,
        "desiredDeploymentId": "d1", "reconciledDeploymentId": "d0"}"#;
    let server = Scripted::start(vec![
        (
            "/v1/agents/bot",
            vec![
                Reply::json(404, r#"{"error":"Not found","code":"NOT_FOUND"}"#),
                Reply::json(200, waiting),
            ],
        ),
        ("/v1/agents", vec![Reply::json(200, "{}")]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let pty = PtyCommand::pipecat(&["cloud", "deploy", "bot", "me/bot:1", "--yes"], 24, 120)
        .env("PIPECAT_API_HOST", &server.url)
        .env("PIPECAT_PRIVATE_API_KEY", "sk_test")
        .env("HOME", dir.path())
        .env("PIPECAT_CONFIG_PATH", dir.path().join("config.toml"))
        .cwd(dir.path())
        .spawn();
    for elapsed in ["(1s)", "(2s)"] {
        pty.wait_for_screen(elapsed, Duration::from_secs(30), |screen| {
            screen.contains("agent `bot`: waiting") && screen.contains(elapsed)
        });
    }
}

#[test]
fn short_help_shows_the_commands_own_options_and_points_at_the_global_ones() {
    let mut pty = PtyCommand::pipecat(&["cloud", "agent", "start", "-h"], 24, 80).spawn();
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    let help = pty.scrollback_and_screen();
    let lines: Vec<&str> = help.trim_end().lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 80), "{help}");
    // Before: 68 lines at 80 columns, the global options included.
    assert!(lines.len() <= 45, "{} lines:\n{help}", lines.len());
    assert!(help.contains("--wait-for-capacity"), "{help}");
    assert!(
        !help.contains("--api-host") && !help.contains("--version"),
        "{help}"
    );
    assert_eq!(
        lines.last().map(|l| l.trim_end()),
        Some("Global options (--output, --org, --local, -v, ...): `pipecat help globals`"),
        "{help}"
    );

    // --help: the command's options, then the global ones, then examples.
    let mut pty = PtyCommand::pipecat(&["cloud", "agent", "start", "--help"], 24, 80).spawn();
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    let help = pty.scrollback_and_screen();
    let at = |text: &str| {
        help.find(text)
            .unwrap_or_else(|| panic!("no {text}: {help}"))
    };
    assert!(at("\nOptions:") < at("\nGlobal options:"), "{help}");
    assert!(at("\nGlobal options:") < at("\nExamples:"), "{help}");
    assert!(help.contains("[env: PIPECAT_ORG]"), "{help}");
    assert!(!help.contains("PIPECAT_ORG="), "{help}");
}

#[test]
fn color_never_applies_to_help_and_usage_errors_too() {
    let escapes = |args: &[&str]| {
        let mut pty = PtyCommand::pipecat(args, 24, 100).spawn();
        pty.wait_exit(Duration::from_secs(30));
        String::from_utf8_lossy(&pty.raw()).contains("\x1b[")
    };
    // Styled by default on a terminal...
    assert!(escapes(&["cloud", "agent", "start", "--help"]));
    assert!(escapes(&["cloud", "agent", "start", "--bogus"]));
    // ...and not with --color never, wherever it is.
    assert!(!escapes(&[
        "cloud", "agent", "start", "--help", "--color", "never"
    ]));
    assert!(!escapes(&[
        "--color=never",
        "cloud",
        "agent",
        "start",
        "--bogus"
    ]));
    assert!(!escapes(&[
        "cloud",
        "agent",
        "start",
        "--wait-for-capacity",
        "1m",
        "--color",
        "never"
    ]));
}
