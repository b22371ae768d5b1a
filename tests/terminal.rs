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
