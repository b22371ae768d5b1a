//! Secret sets, regions and organization properties against a real local
//! cloud: what `secrets set` reads from arguments and dotenv files reaches
//! a session's environment exactly as written; no value is ever shown,
//! logged or echoed; deploy checks the region and the sets it names before
//! it sends anything; the API serves both surfaces with the documented
//! fields.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::LocalCloud;
use common::api::Api;
use common::pty::PtyCommand;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Generous: the suite must pass on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// The session prints the variables it got, one per line.
const ENV_IMAGE: &str = "me/env:1=printenv PLAIN EXPORTED QUOTED SINGLE EQUALS COMMENTED CRLF";

/// A dotenv file with the lines people write, CRLF line ends included.
const TRICKY_DOTENV: &str = "# the team's keys\r\n\
    \r\n\
    PLAIN=plain-value\r\n\
    export EXPORTED=exported-value\r\n\
    QUOTED=\"two words # and a hash\"\r\n\
    SINGLE='it is $HOME, literally'\r\n\
    EQUALS=a=b==c\r\n\
    COMMENTED=kept # a comment\r\n\
       CRLF = crlf-value   \r\n";

/// What each key of [`TRICKY_DOTENV`] must hold.
const TRICKY_VALUES: [(&str, &str); 7] = [
    ("PLAIN", "plain-value"),
    ("EXPORTED", "exported-value"),
    ("QUOTED", "two words # and a hash"),
    ("SINGLE", "it is $HOME, literally"),
    ("EQUALS", "a=b==c"),
    ("COMMENTED", "kept"),
    ("CRLF", "crlf-value"),
];

#[derive(Clone, Copy, Debug)]
enum Surface {
    PrivateKey,
    UserToken,
}

struct Setup {
    cloud: LocalCloud,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new(cloud: LocalCloud) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pipecatcloud.toml");
        Setup { cloud, dir, config }
    }

    fn on(&self, surface: Surface) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.config);
        cmd.current_dir(self.dir.path());
        match surface {
            Surface::PrivateKey => cmd.env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key),
            Surface::UserToken => cmd
                .env("PIPECAT_TOKEN", &self.cloud.user_token)
                .env("PIPECAT_ORG", "local"),
        };
        cmd
    }

    fn run(&self, surface: Surface, args: &[&str]) -> Output {
        self.on(surface).args(args).output().unwrap()
    }

    /// Runs `args`, which must succeed; its output.
    fn ok(&self, surface: Surface, args: &[&str]) -> Output {
        let output = self.run(surface, args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    fn json(&self, surface: Surface, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let output = self.ok(surface, &all);
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e})"))
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.cloud.data_dir.join("access.log")).unwrap_or_default()
    }

    /// The access log once `marker` (a path) shows in it.
    fn access_log_with(&self, marker: &str) -> String {
        let mut log = String::new();
        assert!(
            eventually(|| {
                log = self.access_log();
                log.contains(marker)
            }),
            "{marker} never reached the access log: {log}"
        );
        log
    }

    /// Starts a session of `agent`; its id.
    fn start(&self, agent: &str) -> String {
        let answer = self.json(
            Surface::PrivateKey,
            &[
                "cloud",
                "agent",
                "start",
                agent,
                "-k",
                &self.cloud.public_key,
            ],
        );
        answer["sessionId"].as_str().expect("sessionId").to_string()
    }

    /// The lines session `id` of `agent` wrote, once it has ended.
    fn session_lines(&self, agent: &str, id: &str) -> Vec<String> {
        let ended = eventually(|| {
            let session = self.json(
                Surface::PrivateKey,
                &["cloud", "agent", "sessions", agent, "--id", id],
            );
            !session["endedAt"].is_null()
        });
        assert!(ended, "session {id} never ended");
        let logs = self.json(
            Surface::PrivateKey,
            &["cloud", "agent", "logs", agent, "-s", id, "-n", "100"],
        );
        let mut lines: Vec<(String, String)> = logs["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["timestamp"].as_str().unwrap().to_string(),
                    l["log"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        lines.sort();
        lines.into_iter().map(|(_, line)| line).collect()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn secrets_from_a_tricky_dotenv_file_and_from_pairs_reach_a_session_as_written() {
    let setup = Setup::new(LocalCloud::start_with(&["--image", ENV_IMAGE]));
    let file = setup.write("team.env", TRICKY_DOTENV);
    let file = file.to_str().unwrap();
    let created = setup.json(
        Surface::UserToken,
        &[
            "cloud",
            "secrets",
            "set",
            "team-keys",
            "--file",
            file,
            "--skip",
        ],
    );
    let keys: Vec<&str> = TRICKY_VALUES.iter().map(|(key, _)| *key).collect();
    assert_eq!(
        created,
        json!({"name": "team-keys", "region": "local", "created": true, "keys": keys})
    );

    // Pairs, as the official CLI reads them (outer double quotes dropped).
    let output = setup.ok(
        Surface::PrivateKey,
        &[
            "cloud",
            "secrets",
            "set",
            "pair-keys",
            "PAIR_A=alpha",
            "PAIR_B=\"with spaces\"",
            "-s",
        ],
    );
    assert!(stderr(&output).contains("Created secret set `pair-keys`"));

    // `list` shows the keys, in the file's order, and never a value, on
    // both surfaces and in every output mode.
    for surface in [Surface::PrivateKey, Surface::UserToken] {
        let listed = setup.json(surface, &["cloud", "secrets", "list", "team-keys"]);
        assert_eq!(
            listed,
            json!({
                "secrets": keys.iter().map(|k| json!({"fieldName": k})).collect::<Vec<_>>(),
                "region": "local",
                "status": "ready",
            })
        );
        let sets = setup.json(surface, &["cloud", "secrets", "list"]);
        assert_eq!(
            sets,
            json!({"secretSets": [
                {"name": "pair-keys", "type": "secret", "region": "local", "status": "ready"},
                {"name": "team-keys", "type": "secret", "region": "local", "status": "ready"},
            ]})
        );
    }
    let plain = setup.ok(
        Surface::PrivateKey,
        &["cloud", "secrets", "list", "team-keys", "--output", "plain"],
    );
    let shown = String::from_utf8_lossy(&plain.stdout).to_string() + &stderr(&plain);
    assert!(shown.starts_with("Key\nPLAIN\nEXPORTED\n"), "{shown}");
    for (_, value) in TRICKY_VALUES {
        assert!(!shown.contains(value), "a value is shown: {shown}");
    }

    // A session of an agent deployed with the set has it in its
    // environment, each value exactly as written in the file.
    setup.ok(
        Surface::PrivateKey,
        &[
            "cloud",
            "deploy",
            "envbot",
            "me/env:1",
            "--secrets",
            "team-keys",
            "--no-credentials",
            "--yes",
        ],
    );
    let status = setup.json(Surface::UserToken, &["cloud", "agent", "status", "envbot"]);
    assert_eq!(
        status["deployment"]["manifest"]["spec"]["envFromSecretNames"],
        json!(["team-keys"])
    );
    let id = setup.start("envbot");
    let lines = setup.session_lines("envbot", &id);
    let printed: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|line| !line.starts_with("[pipecat-local]"))
        .collect();
    let expected: Vec<&str> = TRICKY_VALUES.iter().map(|(_, value)| *value).collect();
    assert_eq!(printed, expected, "{lines:?}");

    // A changed value reaches new sessions.
    let changed = setup.write("changed.env", "PLAIN=changed-value\n");
    setup.ok(
        Surface::PrivateKey,
        &[
            "cloud",
            "secrets",
            "set",
            "team-keys",
            "-f",
            changed.to_str().unwrap(),
            "--yes",
        ],
    );
    let id = setup.start("envbot");
    let lines = setup.session_lines("envbot", &id);
    assert!(lines.iter().any(|l| l == "changed-value"), "{lines:?}");
    assert!(!lines.iter().any(|l| l == "plain-value"), "{lines:?}");
}

#[test]
fn bad_secrets_are_refused_before_anything_is_sent() {
    let setup = Setup::new(LocalCloud::start());
    setup.ok(Surface::PrivateKey, &["cloud", "regions", "list"]);
    let before = setup.access_log_with("GET /v1/regions 200");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--file".into(),
                setup
                    .write("empty.env", "A=1\nEMPTY=\n")
                    .display()
                    .to_string(),
            ],
            "empty.env:2: EMPTY has an empty value",
        ),
        (
            vec![
                "--file".into(),
                setup
                    .write("open.env", "A=\"sk-open-1\n")
                    .display()
                    .to_string(),
            ],
            "open.env:1: the value of A opens a quote",
        ),
        (
            vec![
                "--file".into(),
                setup.write("key.env", "BAD KEY=1\n").display().to_string(),
            ],
            "key.env:1: expected `=` after BAD",
        ),
        (
            vec![
                "--file".into(),
                setup
                    .write("none.env", "# nothing\n\n")
                    .display()
                    .to_string(),
            ],
            "the file holds no KEY=VALUE line",
        ),
        (
            vec!["A=1".into(), "sk-no-equals".into()],
            "secret 2 has no `=`",
        ),
        (vec!["BAD.KEY=1".into()], "invalid secret key \"BAD.KEY\""),
        (vec![], "no secrets given"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["cloud", "secrets", "set", "keys-1", "--skip"];
        all.extend(args.iter().map(String::as_str));
        let output = setup.run(Surface::PrivateKey, &all);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let said = stderr(&output);
        assert!(said.contains(expected), "{args:?}: {said}");
        assert!(!said.contains("sk-"), "a value in the error: {said}");
    }
    // A bad set name, and a prompt that cannot be shown.
    let output = setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "set", "Bad_Name", "A=1", "-s"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("invalid secret set name \"Bad_Name\""));
    let output = setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "set", "keys-1", "A=1"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--skip (-s) or --yes (-y)"),
        "{}",
        stderr(&output)
    );

    setup.ok(Surface::PrivateKey, &["cloud", "secrets", "list"]);
    let after = setup.access_log_with("GET /v1/secrets 200");
    let new: Vec<&str> = after[before.len()..].lines().collect();
    assert_eq!(
        new.len(),
        1,
        "only the last list reached the server: {new:?}"
    );
}

#[test]
fn unset_and_delete_and_a_set_in_use_is_kept() {
    let setup = Setup::new(LocalCloud::start());
    let file = setup.write("keys.env", "A=1\nB=2\nC=3\n");
    let file = file.to_str().unwrap();
    setup.ok(
        Surface::PrivateKey,
        &["cloud", "secrets", "set", "keys-1", "-f", file, "-s"],
    );

    let unset = setup.json(
        Surface::UserToken,
        &["cloud", "secrets", "unset", "keys-1", "B", "--skip"],
    );
    assert_eq!(
        unset,
        json!({"name": "keys-1", "key": "B", "deleted": true})
    );
    let listed = setup.json(Surface::PrivateKey, &["cloud", "secrets", "list", "keys-1"]);
    assert_eq!(
        listed["secrets"],
        json!([{"fieldName": "A"}, {"fieldName": "C"}])
    );
    let missing = setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "unset", "keys-1", "B", "-s"],
    );
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("has no key `B`"));
    // Without a terminal, unset and delete need --skip.
    let asked = setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "unset", "keys-1", "A"],
    );
    assert_eq!(asked.status.code(), Some(2));

    // A set a deployment uses cannot be deleted.
    setup.ok(
        Surface::PrivateKey,
        &[
            "cloud",
            "deploy",
            "bot",
            "pipecat-local/demo-bot:1",
            "-s",
            "keys-1",
            "--yes",
        ],
    );
    let in_use = setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "delete", "keys-1", "-s"],
    );
    assert_eq!(in_use.status.code(), Some(1), "{}", stderr(&in_use));
    assert!(
        stderr(&in_use).contains("is used by agent(s) bot"),
        "{}",
        stderr(&in_use)
    );
    setup.ok(
        Surface::PrivateKey,
        &["cloud", "agent", "delete", "bot", "--force"],
    );
    let deleted = setup.json(
        Surface::UserToken,
        &["cloud", "secrets", "delete", "keys-1", "--yes"],
    );
    assert_eq!(deleted, json!({"name": "keys-1", "deleted": true}));
    let sets = setup.json(Surface::PrivateKey, &["cloud", "secrets", "list"]);
    assert_eq!(sets, json!({"secretSets": []}));
    let again = setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "delete", "keys-1", "-s"],
    );
    assert_eq!(again.status.code(), Some(4));
    let gone = setup.run(Surface::PrivateKey, &["cloud", "secrets", "list", "keys-1"]);
    assert_eq!(gone.status.code(), Some(4));
}

#[test]
fn a_deploy_naming_a_missing_set_or_region_sends_nothing_but_reads() {
    let setup = Setup::new(LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--region",
        "eu-test",
    ]));
    setup.ok(
        Surface::PrivateKey,
        &["cloud", "secrets", "set", "local-keys", "A=1", "-s"],
    );
    setup.ok(
        Surface::PrivateKey,
        &[
            "cloud", "secrets", "set", "eu-keys", "A=1", "-s", "--region", "eu-test",
        ],
    );
    let pull = setup
        .on(Surface::PrivateKey)
        .args([
            "cloud",
            "secrets",
            "image-pull-secret",
            "registry-creds",
            "https://registry.example/",
            "-s",
        ])
        .write_stdin("me:registry-password\n")
        .output()
        .unwrap();
    assert!(pull.status.success(), "{}", stderr(&pull));
    let before = setup.access_log_with("/v1/secrets/registry-creds ");

    let deploy = |flags: &[&str]| {
        let mut args = vec![
            "cloud",
            "deploy",
            "bot",
            "pipecat-local/demo-bot:1",
            "--yes",
        ];
        args.extend_from_slice(flags);
        setup.run(Surface::PrivateKey, &args)
    };
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["--secrets", "nope"],
            4,
            "secret set `nope` (--secrets) does not exist",
        ),
        (
            &["--credentials", "nope"],
            4,
            "image pull secret `nope` (--credentials) does not exist",
        ),
        (
            &["--region", "mars"],
            2,
            "--region: region `mars` is not available",
        ),
        (
            &["--secrets", "registry-creds"],
            2,
            "`registry-creds` (--secrets) is an image pull secret",
        ),
        (
            &["--credentials", "local-keys"],
            2,
            "`local-keys` (--credentials) is a secret set",
        ),
        (
            &["--secrets", "eu-keys"],
            2,
            "secret set `eu-keys` (--secrets) is in region `eu-test`, but the agent is deployed to `local`",
        ),
        (
            &["--secrets", "local-keys", "--region", "eu-test"],
            2,
            "is in region `local`, but the agent is deployed to `eu-test`",
        ),
    ];
    for (flags, code, expected) in cases {
        let output = deploy(flags);
        assert_eq!(
            output.status.code(),
            Some(*code),
            "{flags:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{flags:?}: {}",
            stderr(&output)
        );
    }
    // The missing set's error says how to create it, with a file.
    let output = deploy(&["--secrets", "nope"]);
    assert!(
        stderr(&output).contains("secrets set nope --file .env --region local"),
        "{}",
        stderr(&output)
    );
    // Only reads reached the server: no agent was created or changed.
    setup.ok(Surface::PrivateKey, &["cloud", "agent", "list"]);
    let after = setup.access_log_with("GET /v1/agents 200");
    let new: Vec<&str> = after[before.len()..].lines().collect();
    assert!(!new.is_empty());
    for line in &new {
        assert!(
            line.contains(" GET /v1/"),
            "a request that was not a read: {line}"
        );
    }
    let agents = setup.json(Surface::PrivateKey, &["cloud", "agent", "list"]);
    assert_eq!(agents["agents"].as_array().unwrap().len(), 1, "{agents}");

    // The same names in the right places deploy.
    let output = deploy(&[
        "--secrets",
        "eu-keys",
        "--credentials",
        "registry-creds",
        "--region",
        "eu-test",
    ]);
    assert_eq!(output.status.code(), Some(2), "the pull secret is in local");
    let output = deploy(&["--secrets", "local-keys", "--credentials", "registry-creds"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let status = setup.json(Surface::PrivateKey, &["cloud", "agent", "status", "bot"]);
    let spec = &status["deployment"]["manifest"]["spec"];
    assert_eq!(spec["envFromSecretNames"], json!(["local-keys"]));
    assert_eq!(spec["imagePullSecretName"], "registry-creds");

    // `agent list --region` is checked the same way.
    let output = setup.run(
        Surface::PrivateKey,
        &["cloud", "agent", "list", "--region", "mars"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("use one of: local, eu-test"));
    let listed = setup.json(
        Surface::UserToken,
        &["cloud", "agent", "list", "--region", "eu-test"],
    );
    assert_eq!(listed, json!({"agents": []}));
}

#[test]
fn regions_and_the_default_region() {
    let setup = Setup::new(LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--region",
        "eu-test",
    ]));
    for surface in [Surface::PrivateKey, Surface::UserToken] {
        let regions = setup.json(surface, &["cloud", "regions", "list"]);
        let codes: Vec<&str> = regions["regions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["local", "eu-test"]);
        assert!(regions["regions"][0]["display_name"].is_string());
    }
    let shown = setup.json(
        Surface::PrivateKey,
        &["cloud", "organizations", "default-region"],
    );
    assert_eq!(
        shown,
        json!({"defaultRegion": "local", "availableRegions": ["local", "eu-test"]})
    );
    let set = setup.json(
        Surface::UserToken,
        &["cloud", "organizations", "default-region", "eu-test"],
    );
    assert_eq!(set, json!({"defaultRegion": "eu-test"}));
    let shown = setup.json(
        Surface::UserToken,
        &["cloud", "organizations", "default-region"],
    );
    assert_eq!(shown["defaultRegion"], "eu-test");
    let plain = setup.ok(
        Surface::PrivateKey,
        &[
            "cloud",
            "organizations",
            "default-region",
            "--output",
            "plain",
        ],
    );
    assert!(
        String::from_utf8_lossy(&plain.stdout).contains("eu-test"),
        "{plain:?}"
    );
    let unknown = setup.run(
        Surface::PrivateKey,
        &["cloud", "organizations", "default-region", "mars"],
    );
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));

    // New sets and agents without a region go to the default.
    let created = setup.json(
        Surface::PrivateKey,
        &["cloud", "secrets", "set", "keys-1", "A=1", "-s"],
    );
    assert_eq!(created["region"], "eu-test");
    setup.ok(
        Surface::PrivateKey,
        &[
            "cloud",
            "deploy",
            "bot",
            "pipecat-local/demo-bot:1",
            "-s",
            "keys-1",
            "--yes",
        ],
    );
    let status = setup.json(Surface::PrivateKey, &["cloud", "agent", "status", "bot"]);
    assert_eq!(status["region"], "eu-test");

    // Properties: the official documents, and a typed set.
    let properties = setup.json(Surface::UserToken, &["cloud", "org", "properties", "list"]);
    assert_eq!(properties, json!({"defaultRegion": "eu-test"}));
    let schema = setup.json(
        Surface::PrivateKey,
        &["cloud", "org", "properties", "schema"],
    );
    assert_eq!(schema["defaultRegion"]["currentValue"], "eu-test");
    assert_eq!(schema["defaultRegion"]["default"], "local");
    assert_eq!(
        schema["defaultRegion"]["availableValues"],
        json!(["local", "eu-test"])
    );
    let set = setup.json(
        Surface::PrivateKey,
        &[
            "cloud",
            "org",
            "properties",
            "set",
            "defaultRegion",
            "local",
        ],
    );
    assert_eq!(set, json!({"defaultRegion": "local"}));
    let unknown = setup.run(
        Surface::PrivateKey,
        &["cloud", "org", "properties", "set", "colour", "blue"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("there is no property `colour`"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_serves_secret_sets_on_both_surfaces_and_never_a_value() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let (key, token) = (cloud.private_key.as_str(), cloud.user_token.as_str());
    let org = "/v1/organizations/local";

    // The documented shape: all pairs at once; 202 with the region.
    let (status, answer) = api
        .put(
            "/v1/secrets/app-keys",
            key,
            json!({"secrets": [
                {"secretKey": "API_KEY", "secretValue": "value-one"},
                {"secretKey": "DB_URL", "secretValue": "postgres://u:value-two@h/db"},
            ]}),
        )
        .await;
    assert_eq!(
        (status, answer),
        (
            StatusCode::ACCEPTED,
            json!({"status": "OK", "region": "local"})
        )
    );
    // The official CLI's shape: one key per request, on the org surface.
    let (status, _) = api
        .put(
            &format!("{org}/secrets/app-keys"),
            token,
            json!({"name": "app-keys", "isImagePullSecret": false, "secretKey": "JWT", "secretValue": "value-three"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let expected = json!({
        "secrets": [{"fieldName": "API_KEY"}, {"fieldName": "DB_URL"}, {"fieldName": "JWT"}],
        "region": "local",
        "status": "ready",
    });
    assert_eq!(
        api.get("/v1/secrets/app-keys", key).await,
        (StatusCode::OK, expected.clone())
    );
    assert_eq!(
        api.get(&format!("{org}/secrets/app-keys"), token).await,
        (StatusCode::OK, expected)
    );

    // An image pull secret: listed with its type, never readable by name.
    let (status, _) = api
        .put(
            "/v1/secrets/pull-creds",
            key,
            json!({"isImagePullSecret": true, "host": "https://index.docker.io/v1", "secretValue": "dXNlcjp2YWx1ZS1mb3Vy"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, body) = api.get("/v1/secrets/pull-creds", key).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "Cannot retrieve image pull secrets by name", "code": "GENERIC_BAD_REQUEST"})
        )
    );
    let listed = json!({"sets": [
        {"name": "app-keys", "type": "secret", "region": "local", "status": "ready"},
        {"name": "pull-creds", "type": "imagePullSecret", "region": "local", "status": "ready"},
    ]});
    assert_eq!(
        api.get("/v1/secrets", key).await,
        (StatusCode::OK, listed.clone())
    );
    assert_eq!(
        api.get(&format!("{org}/secrets"), token).await,
        (StatusCode::OK, listed)
    );
    let (_, filtered) = api.get("/v1/secrets?region=elsewhere", key).await;
    assert_eq!(filtered, json!({"sets": []}));

    // Refusals never quote a value, whatever was wrong.
    let refusals = [
        json!({"secrets": [{"secretKey": "A", "secretValue": 987654321}]}),
        json!({"secretKey": "A", "secretValue": ["value-five"]}),
        json!({"secrets": [{"secretKey": "bad key", "secretValue": "value-six"}]}),
        json!({"secrets": []}),
        json!({"isImagePullSecret": true, "secretValue": "value-seven"}),
    ];
    for body in refusals {
        let (status, answer) = api.put("/v1/secrets/app-keys", key, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let text = answer.to_string();
        for value in ["987654321", "value-five", "value-six", "value-seven"] {
            assert!(!text.contains(value), "{body}: {text}");
        }
    }
    let (status, answer) = api
        .put(
            "/v1/secrets/app-keys",
            key,
            json!({"isImagePullSecret": true, "host": "h", "secretValue": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["error"],
        "Cannot update existing regular secrets to image pull secrets"
    );
    let (status, answer) = api
        .put(
            "/v1/secrets/app-keys",
            key,
            json!({"secretKey": "B", "secretValue": "x", "region": "elsewhere"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"].as_str().unwrap().contains("not available"),
        "{answer}"
    );

    // Deleting: a key, then the set; unknown ones are 404.
    assert_eq!(
        api.delete("/v1/secrets/app-keys/JWT", key).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.delete(&format!("{org}/secrets/app-keys/JWT"), token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.delete(&format!("{org}/secrets/app-keys"), token).await,
        (StatusCode::OK, json!({"status": "OK"}))
    );
    let (status, body) = api.get("/v1/secrets/app-keys", key).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "Set not found", "code": "404"})
        )
    );

    // Regions and properties on both surfaces.
    for (prefix, credential) in [("/v1", key), (org, token)] {
        let (status, regions) = api.get(&format!("{prefix}/regions"), credential).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(regions["regions"][0]["code"], "local");
        let (_, properties) = api.get(&format!("{prefix}/properties"), credential).await;
        assert_eq!(
            properties,
            json!({"properties": {"defaultRegion": "local"}})
        );
        let (_, schema) = api
            .get(&format!("{prefix}/properties/schema"), credential)
            .await;
        assert_eq!(
            schema,
            json!({"properties": {"defaultRegion": {
                "type": "string",
                "description": "Default region for new service deployments",
                "default": "local",
                "currentValue": "local",
                "readOnly": false,
                "availableValues": ["local"],
            }}})
        );
    }
    for (body, message) in [
        (json!({}), "No properties provided"),
        (
            json!({"colour": "blue"}),
            "Property 'colour' is not a valid property",
        ),
        (
            json!({"defaultRegion": "mars"}),
            "Region 'mars' is not available. Available regions: local",
        ),
    ] {
        let bytes = serde_json::to_vec(&body).unwrap();
        let (status, answer) = api
            .send(
                reqwest::Method::PATCH,
                "/v1/properties",
                Some(key),
                Some(bytes),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"], message);
    }
}

#[test]
fn no_secret_value_reaches_a_log_or_a_message() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let seen = temp.path().join("seen");
    std::fs::create_dir(&seen).unwrap();
    // The session keeps what it got in a file (its own business), and
    // logs only that it did.
    let image = format!(
        "me/quiet:1=env > {}/$PIPECAT_SESSION_ID.env && echo stored the environment",
        seen.display()
    );
    let server_log = temp.path().join("server.log");
    let cloud = LocalCloud::start_logging(
        &data_dir,
        &["--min-session-duration", "1", "--image", &image, "-v"],
        std::fs::File::create(&server_log).unwrap(),
    );
    let setup = Setup::new(cloud);

    let values = [
        "leak-file-value-1",
        "leak file value two # spaced",
        "leak-pair-value-3",
        "leak-stdin-value-4",
        "leak-registry-password-5",
    ];
    let mut stderrs = Vec::new();
    let mut record = |output: Output| {
        stderrs.push(stderr(&output));
        output
    };
    let file = setup.write(
        "app.env",
        &format!("FILE_ONE={}\nFILE_TWO=\"{}\"\n", values[0], values[1]),
    );
    let file = file.to_str().unwrap();
    let runs: Vec<Vec<String>> = vec![
        vec!["secrets", "set", "app-keys", "--file", file, "-s"],
        vec![
            "secrets",
            "set",
            "app-keys",
            &format!("PAIR={}", values[2]),
            "-s",
        ],
        vec!["secrets", "list"],
        vec!["secrets", "list", "app-keys"],
        vec![
            "secrets", "set", "app-keys", "-f", file, "-s", "--region", "mars",
        ],
        vec![
            "deploy",
            "quiet",
            "me/quiet:1",
            "--secrets",
            "app-keys",
            "--no-credentials",
            "--yes",
        ],
        vec!["secrets", "unset", "app-keys", "PAIR", "-s"],
        vec!["secrets", "delete", "app-keys", "-s"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(String::from).collect())
    .collect();
    for args in &runs {
        let mut all = vec!["cloud"];
        all.extend(args.iter().map(String::as_str));
        for surface in [Surface::PrivateKey, Surface::UserToken] {
            record(setup.run(surface, &all));
        }
        record(setup.run(
            Surface::PrivateKey,
            &[all.clone(), vec!["-v", "--json"]].concat(),
        ));
    }
    let from_stdin = record(
        setup
            .on(Surface::PrivateKey)
            .args(["cloud", "secrets", "set", "app-keys", "--file", "-", "-s"])
            .write_stdin(format!("STDIN_KEY={}\n", values[3]))
            .output()
            .unwrap(),
    );
    assert!(from_stdin.status.success(), "{}", stderr(&from_stdin));
    let pull = record(
        setup
            .on(Surface::UserToken)
            .args([
                "cloud",
                "secrets",
                "image-pull-secret",
                "creds",
                "https://r.example/",
                "-s",
            ])
            .write_stdin(format!("me:{}", values[4]))
            .output()
            .unwrap(),
    );
    assert!(pull.status.success(), "{}", stderr(&pull));
    // Sessions ran with the values.
    let id = setup.start("quiet");
    let lines = setup.session_lines("quiet", &id);
    assert!(
        lines.iter().any(|l| l == "stored the environment"),
        "{lines:?}"
    );
    let environment = std::fs::read_to_string(seen.join(format!("{id}.env"))).unwrap();
    assert!(
        environment.contains(&format!("FILE_ONE={}", values[0])),
        "the session got the values"
    );
    assert!(environment.contains(&format!("STDIN_KEY={}", values[3])));
    // A failing deploy and a 409 say why without a value.
    record(setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "delete", "app-keys", "-s"],
    ));
    setup.ok(
        Surface::PrivateKey,
        &["cloud", "agent", "delete", "quiet", "--force"],
    );
    record(setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "delete", "app-keys", "-s"],
    ));
    record(setup.run(
        Surface::PrivateKey,
        &["cloud", "secrets", "delete", "creds", "-s"],
    ));

    let mut cloud = setup.cloud;
    assert_eq!(cloud.stop(), Some(0));
    let mut places: Vec<(String, String)> = vec![
        ("access.log".into(), read(&data_dir.join("access.log"))),
        ("the server's log".into(), read(&server_log)),
    ];
    let db = rusqlite::Connection::open(data_dir.join("local-cloud.sqlite3")).unwrap();
    let mut stmt = db.prepare("SELECT line FROM logs").unwrap();
    let logged: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(logged.iter().any(|l| l == "stored the environment"));
    places.push(("the sessions' logs".into(), logged.join("\n")));
    for (index, text) in stderrs.iter().enumerate() {
        places.push((format!("stderr of command {index}"), text.clone()));
    }
    assert!(
        places[0].1.contains("PUT /v1/secrets/app-keys 202"),
        "{}",
        places[0].1
    );
    assert!(
        places[1].1.contains("extra regions"),
        "the server logged: {}",
        places[1].1
    );
    let encoded = "bWU6bGVhay1yZWdpc3RyeS1wYXNzd29yZC01"; // base64 of me:<password>
    for (place, text) in &places {
        for value in values.iter().copied().chain([encoded]) {
            assert!(!text.contains(value), "{value:?} is in {place}:\n{text}");
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn on_a_terminal_values_are_never_shown_and_a_password_is_asked_hidden() {
    let setup = Setup::new(LocalCloud::start());
    let file = setup.write(
        "app.env",
        "API_KEY=terminal-value-1\nOTHER=terminal-value-2\n",
    );
    let pty = |args: &[&str]| {
        PtyCommand::pipecat(args, 30, 100)
            .env("PIPECAT_API_HOST", &setup.cloud.url)
            .env("PIPECAT_PRIVATE_API_KEY", &setup.cloud.private_key)
            .env("PIPECAT_CONFIG_PATH", &setup.config)
            .env("HOME", setup.dir.path())
            .env("NO_COLOR", "1")
            .cwd(setup.dir.path())
            .spawn()
    };
    let mut set = pty(&[
        "cloud",
        "secrets",
        "set",
        "app-keys",
        "--file",
        file.to_str().unwrap(),
    ]);
    set.wait_for("Create secret set app-keys with 2 key(s)?", PATIENCE);
    let review = set.screen();
    assert!(review.contains("API_KEY (new), OTHER (new)"), "{review}");
    assert!(review.contains("local (organization default)"), "{review}");
    set.send(b"y\r");
    assert_eq!(
        set.wait_exit(PATIENCE),
        0,
        "{}",
        set.scrollback_and_screen()
    );
    let screen = set.scrollback_and_screen();
    assert!(screen.contains("Created secret set `app-keys`"), "{screen}");
    assert!(!screen.contains("terminal-value"), "{screen}");

    // An update says which keys replace a value.
    let again = setup.write(
        "again.env",
        "OTHER=terminal-value-3\nNEW=terminal-value-4\n",
    );
    let mut set = pty(&[
        "cloud",
        "secrets",
        "set",
        "app-keys",
        "-f",
        again.to_str().unwrap(),
    ]);
    set.wait_for("Update secret set app-keys with 2 key(s)?", PATIENCE);
    let review = set.screen();
    assert!(
        review.contains("OTHER (replaces its value), NEW (new)"),
        "{review}"
    );
    assert!(review.contains("1 other key(s), unchanged"), "{review}");
    set.send(b"n\r");
    assert_eq!(set.wait_exit(PATIENCE), 1);
    assert!(!set.scrollback_and_screen().contains("terminal-value"));

    let mut pull = pty(&[
        "cloud",
        "secrets",
        "image-pull-secret",
        "creds",
        "https://r.example/",
    ]);
    pull.wait_for("Username for https://r.example/", PATIENCE);
    pull.send(b"me\r");
    pull.wait_for("Password or access token for https://r.example/", PATIENCE);
    pull.send(b"hidden-password-1\r");
    assert_eq!(
        pull.wait_exit(PATIENCE),
        0,
        "{}",
        pull.scrollback_and_screen()
    );
    let screen = pull.scrollback_and_screen();
    assert!(
        screen.contains("Created image pull secret `creds`"),
        "{screen}"
    );
    assert!(!screen.contains("hidden-password"), "{screen}");
    let sets = setup.json(Surface::PrivateKey, &["cloud", "secrets", "list"]);
    assert_eq!(sets["secretSets"][0]["name"], "app-keys");
    assert_eq!(sets["secretSets"][1]["type"], "imagePullSecret");
}

#[test]
fn the_deployment_fields_are_stored_so_a_redeploy_changes_nothing() {
    let setup = Setup::new(LocalCloud::start());
    setup.ok(
        Surface::PrivateKey,
        &["cloud", "secrets", "set", "keys-1", "A=1", "-s"],
    );
    let deploy = |surface| {
        setup.ok(
            surface,
            &[
                "cloud",
                "deploy",
                "bot",
                "pipecat-local/demo-bot:1",
                "--krisp-viva-audio-filter",
                "tel",
                "--secrets",
                "keys-1",
                "--yes",
            ],
        )
    };
    deploy(Surface::PrivateKey);
    let status = setup.json(Surface::UserToken, &["cloud", "agent", "status", "bot"]);
    assert_eq!(
        status["krispViva"],
        json!({"audioFilter": "tel"}),
        "{status}"
    );
    let spec = &status["deployment"]["manifest"]["spec"];
    assert_eq!(spec["krispViva"], json!({"audioFilters": true}), "{status}");
    assert_eq!(spec["envFromSecretNames"], json!(["keys-1"]), "{status}");
    // The same flags again: nothing differs, so nothing is sent.
    for surface in [Surface::PrivateKey, Surface::UserToken] {
        let again = deploy(surface);
        assert!(
            stderr(&again).contains("already runs this configuration"),
            "{}",
            stderr(&again)
        );
    }
    let deployments = setup.json(
        Surface::PrivateKey,
        &["cloud", "agent", "deployments", "bot"],
    );
    assert_eq!(deployments["deployments"].as_array().unwrap().len(), 1);
}
