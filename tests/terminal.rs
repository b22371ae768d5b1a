//! Terminal behaviour, seen through a pseudo-terminal of a fixed size and a
//! terminal parser (see `tests/common/pty.rs`).

mod common;

use std::time::Duration;

use common::LocalCloud;
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
    let agents = cloud.json(&["cloud", "agent", "list"])["agents"]
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
        assert_eq!(screen.contains("Created At (UTC)"), cols > 80, "{screen}");
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

/// Generous: the suite runs on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// `pipecat ARGS` in a 24x100 terminal, with a fresh HOME and config path
/// in `home` and these extra variables.
fn pipecat_in(home: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> common::pty::Pty {
    let mut command = PtyCommand::pipecat(args, 24, 100)
        .env("HOME", home)
        .env("PIPECAT_CONFIG_PATH", home.join("pipecatcloud.toml"))
        .cwd(home);
    for (key, value) in env {
        command = command.env(key, value);
    }
    command.spawn()
}

/// Ctrl-C once `prompt` is on the screen must end the run with exit 130,
/// no error line, and the cursor visible again.
fn ctrl_c_at(mut pty: common::pty::Pty, prompt: &str) {
    pty.wait_for(prompt, PATIENCE);
    pty.ctrl_c();
    let code = pty.wait_exit(PATIENCE);
    let screen = pty.scrollback_and_screen();
    assert_eq!(code, 130, "{screen}");
    assert!(!screen.contains("error:"), "{screen}");
    assert!(!pty.cursor_hidden(), "the cursor is left hidden:\n{screen}");
}

#[test]
fn ctrl_c_at_a_yes_no_question_exits_130_quietly_with_the_cursor_shown() {
    let home = tempfile::tempdir().unwrap();
    let delete = pipecat_in(home.path(), &["cloud", "agent", "delete", "bot"], &[]);
    ctrl_c_at(delete, "Delete agent bot?");
    let stop = pipecat_in(
        home.path(),
        &["cloud", "agent", "stop", "bot", "--session", "s1"],
        &[],
    );
    ctrl_c_at(stop, "Stop session s1 of agent bot?");
}

#[test]
fn ctrl_c_at_deploys_question_exits_130_quietly_with_the_cursor_shown() {
    let cloud = LocalCloud::start();
    let home = tempfile::tempdir().unwrap();
    let deploy = pipecat_in(
        home.path(),
        &["cloud", "deploy", "fresh", "pipecat-local/demo-bot:1"],
        &[
            ("PIPECAT_API_HOST", &cloud.url),
            ("PIPECAT_PRIVATE_API_KEY", &cloud.private_key),
        ],
    );
    ctrl_c_at(deploy, "Create agent fresh?");
}

#[test]
fn ctrl_c_at_a_text_or_secret_prompt_exits_130_quietly_with_the_terminal_restored() {
    let home = tempfile::tempdir().unwrap();
    let ask = pipecat_in(
        home.path(),
        &["cloud", "organizations", "keys", "create"],
        &[("PIPECAT_TOKEN", "pcc_pat_unused"), ("PIPECAT_ORG", "acme")],
    );
    ctrl_c_at(ask, "Name of the new key");
    let mut secret = pipecat_in(home.path(), &["cloud", "auth", "use-pat"], &[]);
    secret.wait_for("Personal access token", PATIENCE);
    secret.ctrl_c();
    assert_eq!(secret.wait_exit(PATIENCE), 130, "{}", secret.screen());
    assert!(!secret.screen().contains("error:"), "{}", secret.screen());
    assert!(!secret.cursor_hidden());
}

/// A user-token environment for `cloud` with a config file in `home`.
fn user_env(cloud: &LocalCloud) -> Vec<(&'static str, String)> {
    vec![
        ("PIPECAT_API_HOST", cloud.url.clone()),
        ("PIPECAT_TOKEN", cloud.user_token.clone()),
        ("NO_COLOR", "1".into()),
    ]
}

fn pipecat_as_user(home: &std::path::Path, cloud: &LocalCloud, args: &[&str]) -> common::pty::Pty {
    let env = user_env(cloud);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pipecat_in(home, args, &env)
}

#[test]
fn ctrl_c_in_the_key_picker_exits_130_quietly_with_the_cursor_shown() {
    let cloud = LocalCloud::start();
    let home = tempfile::tempdir().unwrap();
    let picker = pipecat_as_user(
        home.path(),
        &cloud,
        &["cloud", "organizations", "keys", "use"],
    );
    ctrl_c_at(picker, "Public API key");
}

#[test]
fn the_key_picker_marks_the_default_starts_on_it_and_filters_as_you_type() {
    let cloud = LocalCloud::start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("pipecatcloud.toml");
    for args in [
        &["create", "--name", "alpha"][..],
        &["create", "--name", "beta", "--default"][..],
    ] {
        cloud
            .cmd(&config)
            .env("PIPECAT_TOKEN", &cloud.user_token)
            .args(["cloud", "organizations", "keys"])
            .args(args)
            .assert()
            .success();
    }
    let mut picker = pipecat_as_user(
        home.path(),
        &cloud,
        &["cloud", "organizations", "keys", "use"],
    );
    picker.wait_for("[default]", PATIENCE);
    let rows = picker.rows();
    let marked: Vec<&String> = rows.iter().filter(|r| r.contains("[default]")).collect();
    assert_eq!(marked.len(), 1, "{rows:#?}");
    assert!(marked[0].contains("beta"), "{rows:#?}");
    // The cursor starts on the default.
    assert!(marked[0].trim_start().starts_with('>'), "{rows:#?}");

    picker.send(b"alph");
    picker.wait_for_screen("only alpha listed", PATIENCE, |screen| {
        screen.contains("alpha (") && !screen.contains("beta (")
    });
    picker.send(b"\r");
    assert_eq!(picker.wait_exit(PATIENCE), 0, "{}", picker.screen());
    assert!(picker.screen().contains("`alpha`"), "{}", picker.screen());
    assert!(!picker.cursor_hidden());
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("default_public_key_name = \"alpha\""),
        "{text}"
    );
}

#[test]
fn ctrl_c_ends_follow_and_watch_quietly_with_exit_130() {
    let cloud = LocalCloud::start();
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PIPECAT_API_HOST", cloud.url.as_str()),
        ("PIPECAT_PRIVATE_API_KEY", cloud.private_key.as_str()),
        ("PIPECAT_DEFAULT_PUBLIC_KEY", cloud.public_key.as_str()),
    ];
    let agent = "my-first-agent";
    let runs: [(&[&str], &str); 3] = [
        (
            &["cloud", "agent", "start", agent, "--follow"],
            "Following its logs",
        ),
        (
            &[
                "cloud",
                "agent",
                "logs",
                agent,
                "--follow",
                "--interval",
                "0.2",
            ],
            "session",
        ),
        (
            &[
                "cloud",
                "agent",
                "sessions",
                agent,
                "--watch",
                "--interval",
                "0.2",
            ],
            "active of",
        ),
    ];
    for (args, shown) in runs {
        let mut pty = pipecat_in(home.path(), args, &env);
        pty.wait_for(shown, PATIENCE);
        pty.ctrl_c();
        let code = pty.wait_exit(PATIENCE);
        let screen = pty.scrollback_and_screen();
        assert_eq!(code, 130, "{args:?}: {screen}");
        assert!(!screen.contains("error"), "{args:?}: {screen}");
        assert!(!pty.cursor_hidden(), "{args:?}: {screen}");
    }
}

/// Starts `count` sessions of `agent` with the public key; their ids.
fn start_sessions(cloud: &LocalCloud, agent: &str, count: usize) -> Vec<String> {
    let http = reqwest::blocking::Client::new();
    (0..count)
        .map(|_| {
            let answer: serde_json::Value = http
                .post(format!("{}/v1/public/{agent}/start", cloud.url))
                .bearer_auth(&cloud.public_key)
                .json(&serde_json::json!({}))
                .send()
                .unwrap()
                .json()
                .unwrap();
            answer["sessionId"]
                .as_str()
                .unwrap_or_else(|| panic!("start answered {answer}"))
                .to_string()
        })
        .collect()
}

#[test]
fn watch_taller_than_the_screen_keeps_its_heading_counts_the_rest_and_never_fills_the_scrollback() {
    let cloud = LocalCloud::start();
    start_sessions(&cloud, "my-first-agent", 30);
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PIPECAT_API_HOST", cloud.url.as_str()),
        ("PIPECAT_PRIVATE_API_KEY", cloud.private_key.as_str()),
    ];
    let mut pty = pipecat_in(
        home.path(),
        &[
            "cloud",
            "agent",
            "sessions",
            "my-first-agent",
            "--watch",
            "--interval",
            "0.2",
        ],
        &env,
    );
    pty.wait_for("more not shown", PATIENCE);
    let heading_on_top = |rows: &[String]| rows[0].starts_with("my-first-agent: 30 active of 50");
    let rows = pty.rows();
    assert!(heading_on_top(&rows), "{rows:#?}");
    assert!(
        rows.iter().any(|row| row.contains("Session ID")),
        "{rows:#?}"
    );
    assert!(pty.alternate_screen());
    // Several redraws later, still one copy and nothing scrolled away.
    let first = rows[0].clone();
    pty.wait_for_screen("a redraw at a later second", PATIENCE, |screen| {
        !screen.starts_with(&first)
    });
    let everything = pty.scrollback_and_screen();
    assert_eq!(everything.matches("Session ID").count(), 1, "{everything}");
    assert_eq!(everything.lines().count(), 24, "{everything}");

    // A shorter terminal: the heading stays, more rows are counted.
    let count = |rows: &[String]| -> usize {
        let line = rows
            .iter()
            .find(|row| row.contains("more not shown"))
            .unwrap();
        line.trim_start_matches("… ")
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = count(&pty.rows());
    pty.resize(12, 100);
    pty.wait_for_screen("the redraw at 12 rows", PATIENCE, |_| {
        let rows = pty.rows();
        rows.iter().any(|row| row.contains("more not shown")) && count(&rows) > before
    });
    assert!(heading_on_top(&pty.rows()), "{:#?}", pty.rows());

    pty.ctrl_c();
    assert_eq!(pty.wait_exit(PATIENCE), 130);
    assert!(!pty.alternate_screen());
    assert!(!pty.cursor_hidden());
    let left = pty.scrollback_and_screen();
    assert!(
        !left.contains("Session ID"),
        "the normal screen got a copy:\n{left}"
    );
    assert!(!left.contains("error"), "{left}");
}

/// Whether session `id` of `agent` has ended, as the API says.
fn has_ended(cloud: &LocalCloud, agent: &str, id: &str) -> bool {
    let session: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{}/v1/agents/{agent}/sessions/{id}", cloud.url))
        .bearer_auth(&cloud.private_key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    !session["endedAt"].is_null()
}

#[test]
fn stop_without_a_session_picks_one_of_the_active_ones_then_asks() {
    let cloud = LocalCloud::start();
    let ids = start_sessions(&cloud, "my-first-agent", 2);
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PIPECAT_API_HOST", cloud.url.as_str()),
        ("PIPECAT_PRIVATE_API_KEY", cloud.private_key.as_str()),
    ];
    let mut pty = pipecat_in(
        home.path(),
        &["cloud", "agent", "stop", "my-first-agent"],
        &env,
    );
    pty.wait_for("Session of agent my-first-agent to stop", PATIENCE);
    pty.wait_for_screen("both sessions listed", PATIENCE, |screen| {
        ids.iter().all(|id| screen.contains(id.as_str()))
    });
    assert!(pty.screen().contains("running 00:0"), "{}", pty.screen());
    // Filter down to the first session by typing its id, pick it, say yes.
    let (target, other) = (&ids[0], &ids[1]);
    pty.send(&target.as_bytes()[..13]);
    pty.wait_for_screen("only the typed session listed", PATIENCE, |screen| {
        !screen.contains(other.as_str())
    });
    pty.send(b"\r");
    pty.wait_for(
        &format!("Stop session {target} of agent my-first-agent?"),
        PATIENCE,
    );
    pty.send(b"y");
    assert_eq!(pty.wait_exit(PATIENCE), 0, "{}", pty.screen());
    assert!(
        pty.screen()
            .contains(&format!("Stopped session `{target}`"))
    );
    assert!(!pty.cursor_hidden());
    assert!(has_ended(&cloud, "my-first-agent", target));
    assert!(!has_ended(&cloud, "my-first-agent", other));
}

#[test]
fn top_shows_sessions_live_stops_one_after_a_yes_and_quits_leaving_the_terminal_restored() {
    let cloud = LocalCloud::start();
    let ids = start_sessions(&cloud, "my-first-agent", 2);
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PIPECAT_API_HOST", cloud.url.as_str()),
        ("PIPECAT_PRIVATE_API_KEY", cloud.private_key.as_str()),
    ];
    let mut top = PtyCommand::pipecat(&["cloud", "top", "--interval", "0.3"], 40, 120)
        .env("HOME", home.path())
        .env("PIPECAT_CONFIG_PATH", home.path().join("pipecatcloud.toml"));
    for (key, value) in env {
        top = top.env(key, value);
    }
    let mut top = top.spawn();
    top.wait_for_screen(
        "both sessions and the agent's capacity",
        PATIENCE,
        |screen| ids.iter().all(|id| screen.contains(id.as_str())) && screen.contains("2 / 50"),
    );
    assert!(top.alternate_screen());
    // A session started now shows up, as a row and as an event.
    let third = start_sessions(&cloud, "my-first-agent", 1).remove(0);
    top.wait_for_screen("the new session and its event", PATIENCE, |screen| {
        screen.contains(third.as_str()) && screen.contains(&format!("+ {}", &third[..8]))
    });
    // The selected session's logs (the demo bot logs its session id).
    top.wait_for("Logs of ", PATIENCE);
    if std::env::var_os("TOP_SCREEN").is_some() {
        println!("{}", top.screen());
    }

    // Select the last row, ask to stop it, say no, then yes.
    let sessions = [ids[0].clone(), ids[1].clone(), third];
    let session_rows = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .filter(|row| row.contains("my-first-agent "))
            .filter(|row| sessions.iter().any(|id| row.contains(&format!("{id} "))))
            .collect()
    };
    top.send(b"G");
    top.wait_for_screen("the last session selected", PATIENCE, |_| {
        session_rows(top.rows())
            .last()
            .is_some_and(|row| row.contains("> "))
    });
    let selected = session_rows(top.rows()).pop().unwrap();
    let victim = sessions
        .iter()
        .find(|id| selected.contains(id.as_str()))
        .unwrap()
        .clone();
    top.send(b"s");
    top.wait_for(&format!("Stop session {victim}"), PATIENCE);
    top.send(b"n");
    top.wait_for_screen("the question gone", PATIENCE, |screen| {
        !screen.contains("Stop session ")
    });
    assert!(!has_ended(&cloud, "my-first-agent", &victim));
    top.send(b"s");
    top.wait_for(&format!("Stop session {victim}"), PATIENCE);
    top.send(b"y");
    top.wait_for_screen("the session gone and its end told", PATIENCE, |screen| {
        !screen.contains(victim.as_str()) && screen.contains(&format!("- {} of", &victim[..8]))
    });
    assert!(has_ended(&cloud, "my-first-agent", &victim));

    top.send(b"q");
    assert_eq!(top.wait_exit(PATIENCE), 0, "{}", top.screen());
    assert!(!top.alternate_screen(), "left in the alternate screen");
    assert!(!top.cursor_hidden(), "the cursor is left hidden");
    assert!(!top.scrollback_and_screen().contains("error"));
}

#[test]
fn ctrl_c_in_top_exits_130_with_the_terminal_restored() {
    let cloud = LocalCloud::start();
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PIPECAT_API_HOST", cloud.url.as_str()),
        ("PIPECAT_PRIVATE_API_KEY", cloud.private_key.as_str()),
    ];
    let mut top = pipecat_in(home.path(), &["cloud", "top"], &env);
    top.wait_for("my-first-agent", PATIENCE);
    top.ctrl_c();
    assert_eq!(top.wait_exit(PATIENCE), 130, "{}", top.screen());
    assert!(!top.alternate_screen());
    assert!(!top.cursor_hidden());
    assert!(!top.scrollback_and_screen().contains("error"));
}
