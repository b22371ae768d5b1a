//! The official CLI's flags and settings, each run as a script would run
//! it: no terminal, against a real local cloud (or a scripted server where
//! the request itself is the point). See docs/compatibility.md.

mod common;

use std::path::{Path, PathBuf};

use common::LocalCloud;
use common::scripted::{Reply, Scripted};
use predicates::prelude::*;
use serde_json::Value;

const IMAGE: &str = "pipecat-local/demo-bot:latest";
const AGENT: &str = "my-first-agent";

struct Setup {
    cloud: LocalCloud,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let cloud = LocalCloud::start();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pipecatcloud.toml");
        Setup { cloud, dir, config }
    }

    /// A command run in the temp dir with no credential.
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.config);
        cmd.current_dir(self.dir.path());
        cmd
    }

    fn private(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key);
        cmd
    }

    fn user(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.env("PIPECAT_TOKEN", &self.cloud.user_token);
        cmd
    }

    fn status(&self, agent: &str) -> Value {
        json_of(
            self.private()
                .args(["cloud", "agent", "status", agent, "--json"]),
        )
    }
}

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn json_of(cmd: &mut assert_cmd::Command) -> Value {
    let text = stdout_of(cmd);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

fn scaling(status: &Value) -> (u64, u64) {
    let scaling = &status["autoScaling"];
    (
        scaling["minReplicas"].as_u64().unwrap(),
        scaling["maxReplicas"].as_u64().unwrap(),
    )
}

#[test]
fn deploy_takes_the_official_min_max_and_nc() {
    let setup = Setup::new();
    setup
        .private()
        .args([
            "cloud", "deploy", "bot", IMAGE, "-min", "1", "-max", "3", "-nc",
        ])
        .arg("--yes")
        .assert()
        .success();
    assert_eq!(scaling(&setup.status("bot")), (1, 3));
    // The `=` form too, and anywhere on the line.
    setup
        .private()
        .args(["cloud", "deploy", "-max=2", "bot", "-min=0", "--yes"])
        .assert()
        .success();
    assert_eq!(scaling(&setup.status("bot")), (0, 2));
}

#[test]
fn a_min_that_is_the_value_of_another_flag_is_left_alone() {
    let setup = Setup::new();
    // `--data -min` is data (invalid JSON here), not `--min-agents`.
    setup
        .cmd()
        .args([
            "cloud",
            "agent",
            "start",
            AGENT,
            "-k",
            &setup.cloud.public_key,
        ])
        .args(["--data", "-min"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--data is not valid JSON"));
    // A negative number is JSON, so it is data too.
    setup
        .cmd()
        .args([
            "cloud",
            "agent",
            "start",
            AGENT,
            "-k",
            &setup.cloud.public_key,
        ])
        .args(["--data", "-1"])
        .assert()
        .success();
    // After `--` nothing is a flag: `-max` is the image here, and refused
    // as one (no tag), not read as --max-agents.
    setup
        .private()
        .args(["cloud", "deploy", "--yes", "bot", "--", "-max"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-max"))
        .stderr(predicate::str::contains("tag"));
}

#[test]
fn deploy_force_implies_yes() {
    let setup = Setup::new();
    setup
        .private()
        .args(["cloud", "deploy", "bot", IMAGE, "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains("is ready"));
    assert_eq!(setup.status("bot")["name"], "bot");
    // Without either, a script is told which flags go ahead.
    setup
        .private()
        .args(["cloud", "deploy", "bot", IMAGE, "--max-agents", "4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes (-y) or --force (-f)"));
}

#[test]
fn config_file_names_the_agent_of_start_stop_sessions_and_status() {
    let setup = Setup::new();
    let elsewhere = setup.dir.path().join("project");
    std::fs::create_dir(&elsewhere).unwrap();
    let file = elsewhere.join("deploy.toml");
    std::fs::write(&file, format!("agent_name = \"{AGENT}\"\n")).unwrap();
    let file = file.display().to_string();
    let with_file = |mut cmd: assert_cmd::Command, args: &[&str]| {
        cmd.args(["cloud", "agent"])
            .args(args)
            .args(["--config-file", &file]);
        cmd
    };

    let status = json_of(&mut with_file(setup.private(), &["status", "--json"]));
    assert_eq!(status["name"], AGENT);
    let id = stdout_of(&mut with_file(
        setup.cmd(),
        &["start", "-q", "-k", &setup.cloud.public_key],
    ))
    .trim()
    .to_string();
    let sessions = json_of(&mut with_file(setup.user(), &["sessions", "--json"]));
    assert!(
        sessions["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sessionId"] == id.as_str()),
        "{sessions}"
    );
    let stopped = json_of(&mut with_file(
        setup.private(),
        &["stop", "-s", &id, "--force", "--json"],
    ));
    assert_eq!(stopped["session_id"], id.as_str());

    // A file that is not there is an error naming it.
    setup
        .private()
        .args(["cloud", "agent", "status", "--config-file", "missing.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
}

#[test]
fn agent_list_region_is_sent_as_region() {
    let server = Scripted::start(vec![
        (
            "/v1/agents",
            vec![Reply::json(
                200,
                r#"{"services":[{"name":"bot","region":"us-west"}]}"#,
            )],
        ),
        (
            "/v1/regions",
            vec![Reply::json(
                200,
                r#"{"regions":[{"code":"us-west","display_name":"US West"},{"code":"eu-central","display_name":"EU"}]}"#,
            )],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789")
        .args(["cloud", "agent", "list", "--region", "us-west", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["agents"][0]["region"], "us-west");
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_private_0123456789")
        .args(["cloud", "agent", "list", "-r", "eu-central"])
        .assert()
        .success();
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    // Each region is checked against the regions first; the table (not the
    // JSON run) also asks each agent's status for its Ready and Active
    // columns.
    assert_eq!(
        targets,
        [
            "/v1/regions",
            "/v1/agents?region=us-west",
            "/v1/regions",
            "/v1/agents?region=eu-central",
            "/v1/agents/bot"
        ]
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn show_cli_config_shows_every_setting_with_credentials_shortened() {
    let setup = Setup::new();
    let token = setup.cloud.user_token.clone();
    // `output = "json"` in the active organization's table: the report is
    // the JSON document.
    write(
        &setup.config,
        &format!(
            "token = \"{token}\"\norg = \"local\"\nrefresh_token = \"short-secret\"\n\
             token_expires_at = 0\n\n[local]\ndefault_public_key = \"{}\"\n\
             default_public_key_name = \"ci\"\noutput = \"json\"\ncli_log_level = \"WARNING\"\n",
            setup.cloud.public_key
        ),
    );
    let output = setup
        .cmd()
        .env("PIPECAT_PRIVATE_API_KEY", &setup.cloud.private_key)
        .args(["cloud", "--show-cli-config"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for secret in [
        &token,
        &setup.cloud.private_key,
        &"short-secret".to_string(),
    ] {
        assert!(!text.contains(secret.as_str()), "a secret is shown: {text}");
    }
    let report: Value = serde_json::from_str(&text).unwrap();
    let setting = |name: &str| {
        let entry = &report["settings"][name];
        (
            entry["value"].as_str().unwrap_or("-").to_string(),
            entry["source"].as_str().unwrap_or("-").to_string(),
        )
    };
    let shown = |value: &str, source: &str| (value.to_string(), source.to_string());
    assert_eq!(setting("token"), shown("pcc_pat_****", "config file"));
    assert_eq!(setting("refresh_token"), shown("****", "config file"));
    assert_eq!(
        setting("private_api_key"),
        shown(
            &format!("{}****", &setup.cloud.private_key[..8]),
            "PIPECAT_PRIVATE_API_KEY"
        )
    );
    assert_eq!(setting("org"), shown("local", "config file"));
    assert_eq!(setting("output"), shown("json", "config file [local]"));
    assert_eq!(
        setting("cli_log_level"),
        shown("WARNING", "config file [local]")
    );
    assert_eq!(
        setting("default_public_key"),
        shown(&setup.cloud.public_key, "config file [local]")
    );
    assert_eq!(
        setting("default_public_key_name"),
        shown("ci", "config file [local]")
    );
    assert_eq!(
        setting("api_host"),
        shown(&setup.cloud.url, "PIPECAT_API_HOST")
    );
    assert_eq!(report["deployConfig"], Value::Null);

    // A malformed deploy config: its error, exit 0 as the official CLI.
    write(
        &setup.dir.path().join("pcc-deploy.toml"),
        "agent_name = \"bot\"\nenable_krisp = true\n",
    );
    let output = setup
        .cmd()
        .args(["cloud", "--show-cli-config"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let error = report["deployConfig"]["error"].as_str().unwrap();
    assert!(error.contains("pcc-deploy.toml:2"), "{error}");
    // A config file that does not parse: said, and the rest still shown.
    let broken = setup.dir.path().join("broken.toml");
    write(&broken, "org = \n");
    setup
        .cmd()
        .env("PIPECAT_CONFIG_PATH", &broken)
        .args(["cloud", "--show-cli-config", "--output", "plain"])
        .assert()
        .success()
        .stdout(predicate::str::contains("api_host\t"))
        .stderr(predicate::str::contains("broken.toml:1"));
    // `pcc --show-cli-config` is the same.
    let pcc_dir = tempfile::tempdir().unwrap();
    let pcc = pcc_dir.path().join("pcc");
    std::os::unix::fs::symlink(common::pipecat_bin(), &pcc).unwrap();
    let mut cmd = assert_cmd::Command::new(&pcc);
    common::scrub_env(&mut cmd);
    cmd.env("PIPECAT_CONFIG_PATH", &setup.config)
        .env("HOME", setup.dir.path())
        .args(["--show-cli-config", "--output", "plain"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Setting\tValue\tSource\n"))
        .stdout(predicate::str::contains(
            "token\tpcc_pat_****\tconfig file\n",
        ));
}

#[test]
fn the_settings_of_the_organization_table_are_honoured() {
    let setup = Setup::new();
    // A token in the active organization's table logs in (the official
    // lookup order: PIPECAT_TOKEN, top-level `token`, then `[org].token`).
    write(
        &setup.config,
        &format!(
            "org = \"local\"\n\n[local]\ntoken = \"{}\"\noutput = \"json\"\n",
            setup.cloud.user_token
        ),
    );
    let listed = json_of(setup.cmd().args(["cloud", "organizations", "list"]));
    assert_eq!(listed["organizations"][0]["name"], "local");
    // PIPECAT_DEFAULT_PUBLIC_KEY_NAME names the key from the environment.
    setup
        .cmd()
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", "pk_not_a_key_0123456789")
        .env("PIPECAT_DEFAULT_PUBLIC_KEY_NAME", "ci key")
        .args(["cloud", "agent", "start", AGENT])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "key `ci key` from PIPECAT_DEFAULT_PUBLIC_KEY",
        ));
}

#[test]
fn start_prints_the_session_id_line_and_quiet_the_bare_id() {
    let setup = Setup::new();
    let key = setup.cloud.public_key.clone();
    let plain = stdout_of(
        setup
            .cmd()
            .args(["cloud", "agent", "start", AGENT, "-k", &key]),
    );
    let id = plain
        .strip_prefix("Session ID: ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{plain:?}"));
    assert_eq!(id.len(), 36, "{plain:?}");
    // -q: the id alone, ready for `$(...)`.
    let quiet = stdout_of(
        setup
            .cmd()
            .args(["-q", "cloud", "agent", "start", AGENT, "-k", &key]),
    );
    let quiet_id = quiet.trim_end();
    assert_eq!(quiet, format!("{quiet_id}\n"));
    setup
        .private()
        .args(["cloud", "agent", "stop", AGENT, "-s", quiet_id, "--force"])
        .assert()
        .success();
}

#[test]
fn keys_are_whole_in_plain_and_json_and_shortened_in_rich_unless_revealed() {
    let setup = Setup::new();
    let key = setup.cloud.public_key.clone();
    let list = |args: &[&str]| {
        stdout_of(
            setup
                .user()
                .args(["cloud", "organizations", "keys", "list"])
                .args(args),
        )
    };
    let plain = list(&[]);
    assert!(
        plain.starts_with("Name\tKey\tCreated At\tStatus\t"),
        "{plain}"
    );
    assert!(plain.contains(&format!("\t{key}\t")), "{plain}");
    let json: Value = serde_json::from_str(&list(&["--json"])).unwrap();
    assert_eq!(json["public"][0]["key"], key.as_str());
    let rich = list(&["--output", "rich"]);
    assert!(!rich.contains(&key), "{rich}");
    assert!(rich.contains(&key[..8]), "{rich}");
    assert!(list(&["--output", "rich", "--reveal"]).contains(&key));

    // keys create: the official table, and a note on stderr.
    let output = setup
        .user()
        .args(["cloud", "organizations", "keys", "create", "-n", "ci"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let mut lines = table.lines();
    assert_eq!(lines.next(), Some("Name\tKey\tOrganization ID"));
    let row: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!((row[0], row[2]), ("ci", "local"));
    assert!(row[1].starts_with("pk_") && row[1].len() > 20, "{table}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("Copy the key now"));
}
