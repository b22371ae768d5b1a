//! The JSON document of every command, and the plain tables, against a
//! real local cloud, under snapshot: the official CLI's document where it
//! has the command (docs/compatibility.md), ours (documented in the README)
//! otherwise. Agent and session documents are the same whichever
//! credential answered: each is taken with the private key and with the
//! user token, and compared. Ids, keys, times, paths and measured numbers
//! are redacted.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use common::LocalCloud;
use serde_json::{Map, Value};

const IMAGE: &str = "pipecat-local/demo-bot:latest";
/// Generous: the suite must pass on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(60);

struct Setup {
    cloud: LocalCloud,
    dir: tempfile::TempDir,
    config: PathBuf,
}

#[derive(Clone, Copy, Debug)]
enum Credential {
    PrivateKey,
    UserToken,
}

const BOTH: [Credential; 2] = [Credential::PrivateKey, Credential::UserToken];

impl Setup {
    fn new() -> Setup {
        let cloud = LocalCloud::start();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pipecatcloud.toml");
        Setup { cloud, dir, config }
    }

    /// A command with no credential, run in the temp dir.
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.config);
        cmd.current_dir(self.dir.path());
        cmd
    }

    fn with(&self, credential: Credential) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        match credential {
            Credential::PrivateKey => cmd.env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key),
            Credential::UserToken => cmd.env("PIPECAT_TOKEN", &self.cloud.user_token),
        };
        cmd
    }

    /// The one JSON document `args --json` prints, redacted.
    fn json(&self, mut cmd: assert_cmd::Command, args: &[&str]) -> Value {
        let output = cmd.args(args).arg("--json").output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let document: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {stdout}"));
        self.redact(document)
    }

    /// The document of `args` with each credential, the same for both.
    fn json_both(&self, args: &[&str]) -> Value {
        let [private, user] = BOTH.map(|credential| self.json(self.with(credential), args));
        assert_eq!(private, user, "{args:?} differs between the credentials");
        private
    }

    /// What `args --output plain` prints, redacted.
    fn plain(&self, mut cmd: assert_cmd::Command, args: &[&str]) -> String {
        let output = cmd.args(args).args(["--output", "plain"]).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        redact_table(&self.redact_text(&String::from_utf8(output.stdout).unwrap()))
    }

    fn redact(&self, value: Value) -> Value {
        redact_value(None, value, &|text| self.redact_text(text))
    }

    /// Paths under the temp dirs and the server's URL, in any text.
    fn redact_text(&self, text: &str) -> String {
        text.replace(&self.cloud.data_dir.display().to_string(), "[data dir]")
            .replace(&self.dir.path().display().to_string(), "[dir]")
            .replace(&self.cloud.url, "[url]")
    }

    fn login(&self) {
        self.cmd()
            .args(["cloud", "auth", "use-pat"])
            .write_stdin(self.cloud.user_token.clone())
            .assert()
            .success();
    }

    fn deploy(&self, agent: &str) -> Value {
        self.json(
            self.with(Credential::PrivateKey),
            &["cloud", "deploy", agent, IMAGE, "--yes"],
        )
    }

    fn start(&self, agent: &str) -> String {
        let output = self
            .cmd()
            .args(["-q", "cloud", "agent", "start", agent])
            .args([
                "-k",
                &self.cloud.public_key,
                "--data",
                r#"{"hello": "shapes"}"#,
            ])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }
}

/// Redacts what changes from run to run, by the key it is under: ids,
/// times, keys and tokens, measured numbers, log text.
fn redact_value(key: Option<&str>, value: Value, text: &dyn Fn(&str) -> String) -> Value {
    let key = key.unwrap_or("");
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = redact_value(Some(&k), v, text);
                    (k, v)
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| redact_value(Some(key), item, text))
                .collect(),
        ),
        Value::String(s) => Value::String(if s.starts_with("pk_") {
            "[public key]".into()
        } else if s.starts_with("sk_") {
            "[private key]".into()
        } else if s.starts_with("pcc_pat_") && s.len() > 20 {
            "[token]".into()
        } else if key == "id" || key.ends_with("Id") || key.ends_with("ID") || key == "session_id" {
            "[id]".into()
        } else if key.ends_with("At") || key == "timestamp" || key == "time" {
            "[time]".into()
        } else if key == "log" {
            "[log line]".into()
        } else {
            text(&s)
        }),
        Value::Number(_)
            if matches!(key, "pid" | "botStartSeconds" | "billedSeconds" | "value") =>
        {
            Value::String(format!("[{key}]"))
        }
        other => other,
    }
}

/// Redacts the cells of a TSV table that change from run to run: ids,
/// times, keys, durations (by what they look like).
fn redact_table(text: &str) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        if index == 0 {
            header = cells.iter().map(|c| c.to_string()).collect();
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let redacted: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                let title = header.get(column).map(String::as_str).unwrap_or("");
                redact_cell(title, cell)
            })
            .collect();
        out.push_str(&redacted.join("\t"));
        out.push('\n');
    }
    out
}

fn redact_cell(title: &str, cell: &str) -> String {
    let is_uuid = cell.len() == 36
        && cell
            .char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'));
    if is_uuid {
        "[id]".into()
    } else if cell.starts_with("pk_") {
        "[public key]".into()
    } else if cell.parse::<jiff::Timestamp>().is_ok() {
        "[time]".into()
    } else if matches!(title, "Duration" | "Bot Start Seconds") && cell != "-" {
        "[seconds]".into()
    } else {
        cell.to_string()
    }
}

#[test]
fn the_agent_and_session_commands_print_the_official_documents_whatever_the_credential() {
    let setup = Setup::new();
    let deployed = setup.deploy("shapes");
    insta::assert_json_snapshot!("deploy", deployed);

    // Only the new agent: the seeded one is gone.
    setup
        .with(Credential::PrivateKey)
        .args(["cloud", "agent", "delete", "my-first-agent", "--force"])
        .assert()
        .success();
    insta::assert_json_snapshot!("agent_list", setup.json_both(&["cloud", "agent", "list"]));
    insta::assert_snapshot!(
        "agent_list_plain",
        setup.plain(
            setup.with(Credential::UserToken),
            &["cloud", "agent", "list"]
        )
    );
    insta::assert_json_snapshot!(
        "agent_status",
        setup.json_both(&["cloud", "agent", "status", "shapes"])
    );
    insta::assert_snapshot!(
        "agent_status_plain",
        setup.plain(
            setup.with(Credential::UserToken),
            &["cloud", "agent", "status", "shapes"]
        )
    );
    insta::assert_json_snapshot!(
        "agent_deployments",
        setup.json_both(&["cloud", "agent", "deployments", "shapes"])
    );
    insta::assert_snapshot!(
        "agent_deployments_plain",
        setup.plain(
            setup.with(Credential::PrivateKey),
            &["cloud", "agent", "deployments", "shapes"]
        )
    );

    let started = setup.json(
        setup.cmd(),
        &[
            "cloud",
            "agent",
            "start",
            "shapes",
            "-k",
            &setup.cloud.public_key,
        ],
    );
    insta::assert_json_snapshot!("agent_start", started);
    let first = setup.start("shapes");
    insta::assert_json_snapshot!(
        "agent_sessions",
        setup.json_both(&["cloud", "agent", "sessions", "shapes", "--status", "active"])
    );
    insta::assert_snapshot!(
        "agent_sessions_plain",
        setup.plain(
            setup.with(Credential::UserToken),
            &["cloud", "agent", "sessions", "shapes", "--status", "active"]
        )
    );
    insta::assert_json_snapshot!(
        "agent_sessions_id",
        setup.json_both(&["cloud", "agent", "sessions", "shapes", "--id", &first])
    );

    // Wait for the bot's first line, then take one.
    let logs_args = ["cloud", "agent", "logs", "shapes", "-s", &first, "-n", "1"];
    let deadline = Instant::now() + PATIENCE;
    let logs = loop {
        let logs = setup.json_both(&logs_args);
        if logs["logs"]
            .as_array()
            .is_some_and(|lines| !lines.is_empty())
            || Instant::now() > deadline
        {
            break logs;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    insta::assert_json_snapshot!("agent_logs", logs);

    // One stop with each credential, the same document.
    let second = setup.start("shapes");
    let stops = [
        (Credential::PrivateKey, &first),
        (Credential::UserToken, &second),
    ]
    .map(|(credential, id)| {
        setup.json(
            setup.with(credential),
            &["cloud", "agent", "stop", "shapes", "-s", id, "--force"],
        )
    });
    assert_eq!(stops[0], stops[1]);
    insta::assert_json_snapshot!("agent_stop", stops[0]);

    setup.deploy("shapes-2");
    let deletes = [
        (Credential::PrivateKey, "shapes"),
        (Credential::UserToken, "shapes-2"),
    ]
    .map(|(credential, agent)| {
        let mut deleted = setup.json(
            setup.with(credential),
            &["cloud", "agent", "delete", agent, "--force"],
        );
        deleted["agentName"] = "[agent]".into();
        deleted
    });
    assert_eq!(deletes[0], deletes[1]);
    insta::assert_json_snapshot!("agent_delete", deletes[0]);
}

#[test]
fn the_organization_key_and_auth_commands_print_the_official_documents() {
    let setup = Setup::new();
    let json = |args: &[&str]| setup.json(setup.cmd(), args);
    let logged_in = setup.json(
        {
            let mut cmd = setup.cmd();
            cmd.write_stdin(setup.cloud.user_token.clone());
            cmd
        },
        &["cloud", "auth", "use-pat"],
    );
    insta::assert_json_snapshot!("auth_use_pat", logged_in);
    insta::assert_json_snapshot!("auth_whoami", json(&["cloud", "auth", "whoami"]));
    insta::assert_json_snapshot!(
        "organizations_list",
        json(&["cloud", "organizations", "list"])
    );
    insta::assert_snapshot!(
        "organizations_list_plain",
        setup.plain(setup.cmd(), &["cloud", "organizations", "list"])
    );
    insta::assert_json_snapshot!(
        "organizations_select",
        json(&["cloud", "organizations", "select", "local"])
    );
    insta::assert_json_snapshot!(
        "organizations_keys_create",
        json(&["cloud", "organizations", "keys", "create", "-n", "shapes"])
    );
    insta::assert_snapshot!(
        "organizations_keys_create_plain",
        setup.plain(
            setup.cmd(),
            &["cloud", "organizations", "keys", "create", "-n", "shapes-2"]
        )
    );
    insta::assert_json_snapshot!(
        "organizations_keys_use",
        json(&["cloud", "organizations", "keys", "use", "shapes"])
    );
    insta::assert_json_snapshot!(
        "organizations_keys_list",
        json(&["cloud", "organizations", "keys", "list"])
    );
    insta::assert_snapshot!(
        "organizations_keys_list_plain",
        setup.plain(setup.cmd(), &["cloud", "organizations", "keys", "list"])
    );
    insta::assert_json_snapshot!(
        "organizations_keys_revoke",
        json(&["cloud", "organizations", "keys", "revoke", "shapes", "-f"])
    );
    insta::assert_json_snapshot!("auth_logout", json(&["cloud", "auth", "logout"]));
}

#[test]
fn the_secret_region_and_property_commands_print_their_documents() {
    let setup = Setup::new();
    std::fs::write(setup.dir.path().join("app.env"), "A=1\nB=\"two words\"\n").unwrap();
    let json = |args: &[&str]| setup.json(setup.with(Credential::PrivateKey), args);
    insta::assert_json_snapshot!(
        "secrets_set",
        json(&[
            "cloud", "secrets", "set", "app-keys", "--file", "app.env", "-s"
        ])
    );
    let pull = setup.json(
        {
            let mut cmd = setup.with(Credential::PrivateKey);
            cmd.write_stdin("me:password");
            cmd
        },
        &[
            "cloud",
            "secrets",
            "image-pull-secret",
            "registry-creds",
            "https://index.docker.io/v1/",
            "-s",
        ],
    );
    insta::assert_json_snapshot!("secrets_image_pull_secret", pull);
    insta::assert_json_snapshot!(
        "secrets_list",
        setup.json_both(&["cloud", "secrets", "list"])
    );
    insta::assert_snapshot!(
        "secrets_list_plain",
        setup.plain(
            setup.with(Credential::PrivateKey),
            &["cloud", "secrets", "list"]
        )
    );
    insta::assert_json_snapshot!(
        "secrets_list_name",
        setup.json_both(&["cloud", "secrets", "list", "app-keys"])
    );
    insta::assert_snapshot!(
        "secrets_list_name_plain",
        setup.plain(
            setup.with(Credential::PrivateKey),
            &["cloud", "secrets", "list", "app-keys"]
        )
    );
    insta::assert_json_snapshot!(
        "secrets_unset",
        json(&["cloud", "secrets", "unset", "app-keys", "B", "-s"])
    );
    insta::assert_json_snapshot!(
        "secrets_delete",
        json(&["cloud", "secrets", "delete", "app-keys", "-s"])
    );
    insta::assert_json_snapshot!(
        "regions_list",
        setup.json_both(&["cloud", "regions", "list"])
    );
    insta::assert_snapshot!(
        "regions_list_plain",
        setup.plain(
            setup.with(Credential::PrivateKey),
            &["cloud", "regions", "list"]
        )
    );
    insta::assert_json_snapshot!(
        "organizations_default_region",
        setup.json_both(&["cloud", "organizations", "default-region"])
    );
    insta::assert_json_snapshot!(
        "organizations_default_region_set",
        json(&["cloud", "organizations", "default-region", "local"])
    );
    insta::assert_json_snapshot!(
        "organizations_properties_list",
        setup.json_both(&["cloud", "organizations", "properties", "list"])
    );
    insta::assert_json_snapshot!(
        "organizations_properties_schema",
        setup.json_both(&["cloud", "organizations", "properties", "schema"])
    );
    insta::assert_snapshot!(
        "organizations_properties_schema_plain",
        setup.plain(
            setup.with(Credential::PrivateKey),
            &["cloud", "organizations", "properties", "schema"]
        )
    );
    insta::assert_json_snapshot!(
        "organizations_properties_set",
        json(&[
            "cloud",
            "organizations",
            "properties",
            "set",
            "defaultRegion",
            "local"
        ])
    );
}

#[test]
fn the_build_commands_print_the_official_documents_whatever_the_credential() {
    if !std::process::Command::new("python3")
        .args(["-c", "import venv"])
        .output()
        .is_ok_and(|output| output.status.success())
    {
        eprintln!("skipped: no python3 with venv on this machine to build with");
        return;
    }
    let setup = Setup::new();
    // A build of examples/pipecat-bot, made by deploying its folder.
    let project = setup.dir.path().join("pipecat-bot");
    std::fs::create_dir(&project).unwrap();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pipecat-bot");
    for entry in std::fs::read_dir(example).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), project.join(entry.file_name())).unwrap();
    }
    let mut deploy = setup.with(Credential::UserToken);
    deploy
        .current_dir(&project)
        .timeout(Duration::from_secs(300));
    let deployed = setup.json(deploy, &["cloud", "deploy", "--yes"]);
    insta::assert_json_snapshot!("deploy_build", deployed);

    // The build's id, unredacted.
    let listing = setup
        .with(Credential::PrivateKey)
        .args(["cloud", "build", "list", "--json"])
        .output()
        .unwrap();
    let listing: Value = serde_json::from_slice(&listing.stdout).unwrap();
    let id = listing["builds"][0]["id"].as_str().unwrap().to_string();
    // What varies with the machine's Python and load, beside ids and times.
    let steady = |mut document: Value| {
        fn scrub(value: &mut Value, id: &str) {
            match value {
                Value::Object(map) => {
                    for (key, item) in map.iter_mut() {
                        if matches!(key.as_str(), "buildDurationSeconds" | "imageSizeBytes") {
                            *item = Value::String(format!("[{key}]"));
                        } else {
                            scrub(item, id);
                        }
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|item| scrub(item, id)),
                Value::String(text) => *text = text.replace(id, "[id]"),
                _ => {}
            }
        }
        scrub(&mut document, &id);
        document
    };
    insta::assert_json_snapshot!(
        "build_list",
        steady(setup.json_both(&["cloud", "build", "list"]))
    );
    insta::assert_json_snapshot!(
        "build_status",
        steady(setup.json_both(&["cloud", "build", "status", &id]))
    );
    let logs = setup.json_both(&["cloud", "build", "logs", &id, "-n", "1"]);
    insta::assert_json_snapshot!("build_logs", steady(logs));
    let plain = setup.plain(
        setup.with(Credential::UserToken),
        &["cloud", "build", "list"],
    );
    insta::assert_snapshot!("build_list_plain", plain);
}

#[test]
fn our_own_commands_print_their_documented_documents() {
    let setup = Setup::new();
    setup.login();
    std::fs::write(
        setup.dir.path().join("pcc-deploy.toml"),
        "agent_name = \"shapes\"\nimage = \"me/bot:1\"\n\n[scaling]\nmin_agents = 0\n",
    )
    .unwrap();
    let show = setup.json(
        {
            let mut cmd = setup.cmd();
            cmd.env("PIPECAT_DEFAULT_PUBLIC_KEY_NAME", "ignored without the key");
            cmd
        },
        &["cloud", "--show-cli-config"],
    );
    insta::assert_json_snapshot!("show_cli_config", show);
    insta::assert_snapshot!(
        "show_cli_config_plain",
        setup.plain(setup.cmd(), &["cloud", "--show-cli-config"])
    );

    let data_dir = setup.cloud.data_dir.display().to_string();
    let local = |args: &[&str]| {
        let mut all = vec!["cloud", "local"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", &data_dir]);
        setup.json(setup.cmd(), &all)
    };
    insta::assert_json_snapshot!("local_status", local(&["status"]));
    insta::assert_json_snapshot!("local_env", local(&["env"]));

    // The streams: one JSON object per line.
    let id = setup.start("my-first-agent");
    let watch = stream(
        &setup,
        &["cloud", "agent", "sessions", "my-first-agent", "--watch"],
        1,
    );
    insta::assert_json_snapshot!("agent_sessions_watch_record", watch[0]);
    let follow = stream(
        &setup,
        &[
            "cloud",
            "agent",
            "logs",
            "my-first-agent",
            "-s",
            &id,
            "--follow",
        ],
        1,
    );
    insta::assert_json_snapshot!("agent_logs_follow_record", follow[0]);
    let key = setup.cloud.public_key.clone();
    let started = stream(
        &setup,
        &[
            "cloud",
            "agent",
            "start",
            "my-first-agent",
            "-k",
            &key,
            "--follow",
        ],
        2,
    );
    insta::assert_json_snapshot!("agent_start_follow", started);

    let serve_dir = tempfile::tempdir().unwrap();
    let serve_data = serve_dir.path().join("data");
    let serve_data = serve_data.display().to_string();
    let mut announced = stream(
        &setup,
        &[
            "cloud",
            "local",
            "serve",
            "--port",
            "0",
            "--data-dir",
            &serve_data,
        ],
        1,
    );
    let url = announced[0]["url"].as_str().unwrap_or_default().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{announced:?}");
    announced[0]["url"] = "[url]".into();
    announced[0]["dataDir"] = announced[0]["dataDir"]
        .as_str()
        .unwrap_or_default()
        .replace(&serve_data, "[serve data dir]")
        .into();
    insta::assert_json_snapshot!("local_serve", announced[0]);

    insta::assert_json_snapshot!("local_stop", local(&["stop"]));
}

/// Runs `args --json` (without a terminal) until it printed `lines` lines
/// of stdout, then interrupts it; each line parsed and redacted.
fn stream(setup: &Setup, args: &[&str], lines: usize) -> Vec<Value> {
    let mut command = Command::new(common::pipecat_bin());
    for (key, _) in std::env::vars() {
        if key.starts_with("PIPECAT_") || key == "NO_COLOR" {
            command.env_remove(key);
        }
    }
    let mut child = command
        .env("PIPECAT_API_HOST", &setup.cloud.url)
        .env("PIPECAT_PRIVATE_API_KEY", &setup.cloud.private_key)
        .env("PIPECAT_CONFIG_PATH", &setup.config)
        .env("HOME", setup.dir.path())
        .current_dir(setup.dir.path())
        .args(args)
        .arg("--json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut read = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while read.len() < lines && Instant::now() < deadline {
        if let Ok(line) = receiver.recv_timeout(Duration::from_millis(200)) {
            read.push(line);
        }
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
    let deadline = Instant::now() + PATIENCE;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.wait();
    assert_eq!(read.len(), lines, "{args:?} printed {read:?}");
    read.iter()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{args:?}: not a JSON line ({e}): {line}"));
            setup.redact(value)
        })
        .collect()
}
