//! `deploy` and agent management against a real local cloud, through the
//! private-key surface and the user-token surface; validation proven by the
//! server's access log (no request reached it); the exact update payload
//! and a 204 delete pinned with a scripted server.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::LocalCloud;
use common::scripted::{Reply, Scripted};
use predicates::prelude::*;
use serde_json::Value;

const IMAGE: &str = "pipecat-local/demo-bot:1";

struct Setup {
    cloud: LocalCloud,
    dir: tempfile::TempDir,
    config: PathBuf,
}

#[derive(Clone, Copy, Debug)]
enum Surface {
    PrivateKey,
    UserToken,
}

impl Setup {
    fn new(cloud: LocalCloud) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pipecatcloud.toml");
        Setup { cloud, dir, config }
    }

    /// A command on `surface`, run in the temp dir (so no stray
    /// pcc-deploy.toml is read).
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

    fn json(&self, surface: Surface, args: &[&str]) -> Value {
        let out = self
            .on(surface)
            .args(args)
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e})"))
    }

    /// The agent's status object, the same on both surfaces (the org
    /// surface's `body` envelope is not printed, as the official CLI).
    fn status(&self, surface: Surface, agent: &str) -> Value {
        let status = self.json(surface, &["cloud", "agent", "status", agent]);
        assert!(status.get("body").is_none(), "{status}");
        status
    }

    fn deployments(&self, surface: Surface, agent: &str) -> Vec<Value> {
        self.json(surface, &["cloud", "agent", "deployments", agent])["deployments"]
            .as_array()
            .expect("deployments array")
            .clone()
    }

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

    fn session(&self, agent: &str, id: &str) -> Value {
        self.json(
            Surface::PrivateKey,
            &["cloud", "agent", "sessions", agent, "--id", id],
        )
    }

    /// `pipecat ARGS` on a pseudo-terminal (util-linux `script`), with
    /// `keys` typed in; its terminal output (stdout and stderr) and exit.
    fn on_terminal(&self, args: &str, keys: &str) -> (String, Option<i32>) {
        let mut cmd = assert_cmd::Command::new("script");
        common::scrub_env(&mut cmd);
        let line = format!("{} {args}", common::pipecat_bin().display());
        cmd.env("PIPECAT_API_HOST", &self.cloud.url)
            .env("PIPECAT_CONFIG_PATH", &self.config)
            .env("PIPECAT_PRIVATE_API_KEY", &self.cloud.private_key)
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path())
            .args(["-qec", &line, "/dev/null"])
            .write_stdin(keys)
            .timeout(Duration::from_secs(120));
        let output = cmd.output().expect("run script");
        (
            String::from_utf8_lossy(&output.stdout).to_string(),
            output.status.code(),
        )
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.cloud.data_dir.join("access.log")).unwrap_or_default()
    }
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// Polls `check` until it returns true, at most `limit`.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
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

fn create_then_update(surface: Surface) {
    let setup = Setup::new(LocalCloud::start());
    let agent = "deploy-me";
    let output = setup
        .on(surface)
        .args([
            "cloud",
            "deploy",
            agent,
            IMAGE,
            "--max-session-duration",
            "300",
        ])
        .args(["--min-agents", "1", "--yes", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("billed all the time"), "{stderr}");
    assert!(stderr.contains("is ready"), "{stderr}");
    let created: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(created["agentName"], agent, "{created}");
    assert_eq!(created["ready"], true, "{created}");
    assert_eq!(created["available"], true, "{created}");
    let first_deployment = created["deploymentId"].as_str().unwrap().to_string();
    assert!(!first_deployment.is_empty());

    let status = setup.status(surface, agent);
    assert_eq!(
        status["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"], 300,
        "{status}"
    );
    assert_eq!(status["desiredDeploymentId"], first_deployment.as_str());
    let deployments = setup.deployments(surface, agent);
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    assert_eq!(
        deployments[0]["manifest"]["spec"]["maxSessionDurationSeconds"],
        300
    );
    // The person-readable status says it too.
    let plain = setup
        .on(surface)
        .args(["cloud", "agent", "status", agent, "--output", "plain"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plain = String::from_utf8(plain).unwrap();
    assert!(plain.contains("max_session_duration\t300 s\n"), "{plain}");
    assert!(plain.contains("ready\tyes\n"), "{plain}");
    assert!(plain.contains("min_agents\t1\n"), "{plain}");

    // An update of max agents only: min agents stays 1 (never reset).
    let updated = setup.json(
        surface,
        &["cloud", "deploy", agent, "--max-agents", "3", "--yes"],
    );
    assert_ne!(updated["deploymentId"], first_deployment.as_str());
    let status = setup.status(surface, agent);
    assert_eq!(status["autoScaling"]["minReplicas"], 1, "{status}");
    assert_eq!(status["autoScaling"]["maxReplicas"], 3, "{status}");
    assert_eq!(
        status["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"], 300,
        "{status}"
    );
    assert_eq!(setup.deployments(surface, agent).len(), 2);

    // A secret set (it must exist) is part of the deployment: a new one,
    // shown back in the status; the same set again changes nothing.
    setup
        .on(surface)
        .args(["cloud", "secrets", "set", "set-1", "KEY=1", "--skip"])
        .assert()
        .success();
    for _ in 0..2 {
        setup
            .on(surface)
            .args(["cloud", "deploy", agent, "--secrets", "set-1", "--yes"])
            .assert()
            .success();
        assert_eq!(setup.deployments(surface, agent).len(), 3);
    }
    let status = setup.status(surface, agent);
    assert_eq!(
        status["deployment"]["manifest"]["spec"]["envFromSecretNames"],
        serde_json::json!(["set-1"]),
        "{status}"
    );
    // --force redeploys the same configuration, and implies --yes (no
    // terminal here) as in the official CLI.
    setup
        .on(surface)
        .args(["cloud", "deploy", agent, "--force"])
        .assert()
        .success();
    assert_eq!(setup.deployments(surface, agent).len(), 4);

    let list = setup.json(surface, &["cloud", "agent", "list"]);
    let names: Vec<&str> = list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&agent), "{list}");
}

#[test]
fn create_then_update_with_the_private_key() {
    create_then_update(Surface::PrivateKey);
}

#[test]
fn create_then_update_with_the_user_token() {
    create_then_update(Surface::UserToken);
}

#[test]
fn a_running_session_keeps_its_cap_when_the_max_duration_changes() {
    // The CLI refuses caps under 60 s, as the platform does; the agent is
    // created through the API with a 3 s cap (the test server's floor is
    // lowered to 1 s) so the first session's cutoff comes quickly.
    let setup = Setup::new(LocalCloud::start());
    let agent = "capped";
    let created = reqwest::blocking::Client::new()
        .post(format!("{}/v1/agents", setup.cloud.url))
        .bearer_auth(&setup.cloud.private_key)
        .json(&serde_json::json!({"serviceName": agent, "image": IMAGE, "maxSessionDuration": 3}))
        .send()
        .unwrap();
    assert!(created.status().is_success(), "{:?}", created.text());
    let first = setup.start(agent);
    let output = setup
        .on(Surface::UserToken)
        .args([
            "cloud",
            "deploy",
            agent,
            "--max-session-duration",
            "300",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    // Warned: a new deployment, running sessions keep their cap.
    let warning = stderr_of(&output);
    assert!(warning.contains("3 s → 300 s"), "{warning}");
    assert!(warning.contains("running sessions keep"), "{warning}");
    // The review lists the change.
    assert!(warning.contains("Update agent `capped`:"), "{warning}");
    assert!(
        warning.contains("Max session duration: 3 s → 300 s"),
        "{warning}"
    );
    let second = setup.start(agent);

    assert_eq!(setup.session(agent, &first)["maxSessionDuration"], 3);
    assert_eq!(setup.session(agent, &second)["maxSessionDuration"], 300);
    assert_ne!(
        setup.session(agent, &first)["deploymentId"],
        setup.session(agent, &second)["deploymentId"]
    );
    // The first is cut off at its own 3 s; the second still runs.
    let cut = eventually(Duration::from_secs(60), || {
        setup.session(agent, &first)["completionStatus"] == "MAX_DURATION_EXCEEDED"
    });
    assert!(cut, "{}", setup.session(agent, &first));
    let second_now = setup.session(agent, &second);
    assert_eq!(second_now["endState"], "active", "{second_now}");
    let status = setup.status(Surface::PrivateKey, agent);
    assert_eq!(
        status["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"],
        300
    );
}

#[test]
fn an_unknown_image_fails_with_the_health_reason() {
    let setup = Setup::new(LocalCloud::start());
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "ghost", "nobody/ghost:1", "--yes"])
        .args(["--wait-timeout", "30s"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("PCC_IMAGE_NOT_FOUND"), "{stderr}");
    assert!(stderr.contains("ImageNotFound"), "{stderr}");
    assert!(stderr.contains("nobody/ghost:1"), "{stderr}");
    // One line per phase without a terminal.
    assert!(
        stderr.contains("agent `ghost`: unavailable (ImageNotFound)"),
        "{stderr}"
    );
    // --no-wait returns once the API accepted it, whatever the readiness.
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "ghost-2", "nobody/ghost:2", "--yes"])
        .args(["--no-wait", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(doc["agentName"], "ghost-2");
    assert_eq!(doc["ready"], false);
    // The status shows the error too.
    let plain = setup
        .on(Surface::UserToken)
        .args(["cloud", "agent", "status", "ghost", "--output", "plain"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plain = String::from_utf8(plain).unwrap();
    assert!(plain.contains("ready\tno\n"), "{plain}");
    assert!(plain.contains("error\tPCC_IMAGE_NOT_FOUND "), "{plain}");
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let setup = Setup::new(LocalCloud::start());
    // The access log works: a request shows up in it (in JSON, `agent
    // list` makes just that one, so none can land after the snapshot).
    setup
        .on(Surface::PrivateKey)
        .args(["cloud", "agent", "list", "--output", "json"])
        .assert()
        .success();
    assert!(eventually(Duration::from_secs(10), || setup
        .access_log()
        .contains("GET /v1/agents 200")));
    let before = setup.access_log();

    let cases: &[(&[&str], &str)] = &[
        (&["--max-session-duration", "59"], "outside 60..14400"),
        (&["--max-session-duration", "14401"], "default 7200"),
        (&["--min-agents", "-1"], "--min-agents is -1"),
        (&["--max-agents", "0"], "--max-agents is 0"),
        (
            &["--min-agents", "3", "--max-agents", "2"],
            "less than min agents",
        ),
        (&["--build-id", "b-1"], "--build-id were both given"),
        (&["--krisp-viva-audio-filter", "studio"], "use tel"),
    ];
    for (flags, expected) in cases {
        let output = setup
            .on(Surface::PrivateKey)
            .args(["cloud", "deploy", "bot", IMAGE, "--yes"])
            .args(*flags)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{flags:?}: {}",
            stderr_of(&output)
        );
        let stderr = stderr_of(&output);
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error:")).count(),
            1
        );
    }
    let untagged = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "bot", "me/bot", "--yes"])
        .output()
        .unwrap();
    assert_eq!(untagged.status.code(), Some(2));
    assert!(stderr_of(&untagged).contains("has no tag"));
    assert!(stderr_of(&untagged).contains("me/bot:1.0"));

    // No terminal and no --yes (nor --force, which implies it): refused,
    // naming both.
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "bot", IMAGE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("--yes (-y) or --force (-f)"),
        "{}",
        stderr_of(&output)
    );
    // Delete needs --force without a terminal.
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "agent", "delete", "my-first-agent"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--force"));

    // A broken pcc-deploy.toml: file and line, exit 2.
    let dir = setup.dir.path();
    std::fs::write(
        dir.join("pcc-deploy.toml"),
        "agent_name = \"bot\"\nimage = \"pipecat-local/demo-bot:1\"\nenable_krisp = true\n",
    )
    .unwrap();
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("pcc-deploy.toml:3:"), "{stderr}");
    assert!(stderr.contains("enable_krisp"), "{stderr}");
    std::fs::write(
        dir.join("broken.toml"),
        "agent_name = \"bot\"\n\nimage = \n",
    )
    .unwrap();
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "--yes", "--config-file", "broken.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("broken.toml:3:"),
        "{}",
        stderr_of(&output)
    );
    std::fs::write(
        dir.join("range.toml"),
        "agent_name = \"bot\"\nmax_session_duration = 30\n",
    )
    .unwrap();
    let output = setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "--yes", "--config-file", "range.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("`max_session_duration` in range.toml"));

    // A later request is logged, and nothing came in between (in JSON,
    // `agent list` makes one request).
    setup
        .on(Surface::PrivateKey)
        .args(["cloud", "agent", "list", "--output", "json"])
        .assert()
        .success();
    assert!(eventually(Duration::from_secs(10), || setup
        .access_log()
        .len()
        > before.len()));
    let after = setup.access_log();
    let new: Vec<&str> = after[before.len()..].lines().collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].contains(" GET /v1/agents 200 "), "{new:?}");
    // Never a key in the log.
    assert!(!after.contains(&setup.cloud.private_key));
}

#[test]
fn flags_override_pcc_deploy_toml_field_by_field() {
    let setup = Setup::new(LocalCloud::start());
    let dir = setup.dir.path();
    std::fs::write(
        dir.join("pcc-deploy.toml"),
        "agent_name = \"from-file\"\nimage = \"pipecat-local/demo-bot:1\"\n\
         max_session_duration = 600\n\n[scaling]\nmin_agents = 0\nmax_agents = 5\n",
    )
    .unwrap();
    setup
        .on(Surface::PrivateKey)
        .args(["cloud", "deploy", "--max-session-duration", "900", "--yes"])
        .assert()
        .success();
    let status = setup.status(Surface::PrivateKey, "from-file");
    let spec = &status["deployment"]["manifest"]["spec"];
    assert_eq!(spec["maxSessionDurationSeconds"], 900, "{status}");
    assert_eq!(spec["image"], "pipecat-local/demo-bot:1");
    assert_eq!(status["autoScaling"]["maxReplicas"], 5);

    // --config-file beats PIPECAT_DEPLOY_CONFIG_PATH, which beats ./pcc-deploy.toml.
    std::fs::write(
        dir.join("env.toml"),
        "agent_name = \"from-env\"\nimage = \"pipecat-local/demo-bot:2\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("flag.toml"),
        "agent_name = \"from-flag\"\nimage = \"pipecat-local/demo-bot:3\"\n",
    )
    .unwrap();
    setup
        .on(Surface::PrivateKey)
        .env("PIPECAT_DEPLOY_CONFIG_PATH", dir.join("env.toml"))
        .args(["cloud", "deploy", "--yes"])
        .assert()
        .success();
    setup
        .on(Surface::PrivateKey)
        .env("PIPECAT_DEPLOY_CONFIG_PATH", dir.join("env.toml"))
        .args(["cloud", "deploy", "--yes", "--config-file", "flag.toml"])
        .assert()
        .success();
    let image = |agent: &str| {
        setup.status(Surface::PrivateKey, agent)["deployment"]["manifest"]["spec"]["image"].clone()
    };
    assert_eq!(image("from-env"), "pipecat-local/demo-bot:2");
    assert_eq!(image("from-flag"), "pipecat-local/demo-bot:3");
    // The positional image beats the file's.
    setup
        .on(Surface::PrivateKey)
        .args([
            "cloud",
            "deploy",
            "from-file",
            "pipecat-local/demo-bot:4",
            "--yes",
        ])
        .assert()
        .success();
    assert_eq!(image("from-file"), "pipecat-local/demo-bot:4");
    assert_eq!(
        setup.status(Surface::PrivateKey, "from-file")["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"],
        600,
        "the file's value applies where no flag overrides it"
    );
}

fn delete_keeps_running_sessions(surface: Surface) {
    let setup = Setup::new(LocalCloud::start());
    let agent = "short-lived";
    setup
        .on(surface)
        .args([
            "cloud",
            "deploy",
            agent,
            IMAGE,
            "--max-agents",
            "1",
            "--yes",
        ])
        .assert()
        .success();
    let id = setup.start(agent);
    // --max-agents 1 is the agent's capacity: a second session is a 429.
    setup
        .on(surface)
        .args([
            "cloud",
            "agent",
            "start",
            agent,
            "-k",
            &setup.cloud.public_key,
        ])
        .assert()
        .code(75);
    setup
        .on(surface)
        .args(["cloud", "agent", "delete", agent, "-f"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("Deleted agent `{agent}`")));
    setup
        .on(surface)
        .args([
            "cloud",
            "agent",
            "start",
            agent,
            "-k",
            &setup.cloud.public_key,
        ])
        .assert()
        .code(4);
    setup
        .on(surface)
        .args(["cloud", "agent", "status", agent])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(format!(
            "agent `{agent}` not found"
        )));
    setup
        .on(surface)
        .args(["cloud", "agent", "delete", agent, "-f"])
        .assert()
        .code(4);
    assert_eq!(setup.session(agent, &id)["endState"], "active");
    setup
        .on(surface)
        .args(["cloud", "agent", "stop", agent, "-s", &id, "-f"])
        .assert()
        .success();
    let ended = setup.session(agent, &id);
    assert_eq!(ended["completionStatus"], "TERMINATED", "{ended}");
}

#[test]
fn delete_then_start_is_exit_4_while_a_running_session_runs_on_private_key() {
    delete_keeps_running_sessions(Surface::PrivateKey);
}

#[test]
fn delete_then_start_is_exit_4_while_a_running_session_runs_user_token() {
    delete_keeps_running_sessions(Surface::UserToken);
}

#[test]
fn an_update_sends_only_what_the_user_set() {
    let ready = r#"{"body": {"name": "bot", "ready": true, "available": true,
        "desiredDeploymentId": "d1", "reconciledDeploymentId": "d1",
        "autoScaling": {"minReplicas": 2, "maxReplicas": 9},
        "krispViva": {"audioFilter": "tel"}}}"#;
    let server = Scripted::start(vec![
        (
            "/v1/organizations/acme/services/bot",
            vec![Reply::json(200, ready)],
        ),
        (
            "/v1/organizations/acme/services",
            vec![Reply::json(200, "{}")],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_TOKEN", "pcc_pat_test")
        .env("PIPECAT_ORG", "acme")
        .args([
            "cloud",
            "deploy",
            "bot",
            "--max-session-duration",
            "600",
            "--yes",
        ])
        .assert()
        .success();
    let put: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(put.len(), 1);
    assert_eq!(put[0].target, "/v1/organizations/acme/services");
    assert_eq!(
        put[0].json(),
        serde_json::json!({"serviceName": "bot", "maxSessionDuration": 600})
    );
}

#[test]
fn a_204_delete_is_success() {
    let server = Scripted::start(vec![(
        "/v1/agents/bot",
        vec![Reply::text(204, "text/plain", "")],
    )]);
    let dir = tempfile::tempdir().unwrap();
    common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_test")
        .args(["cloud", "agent", "delete", "bot", "--force", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""agentName": "bot""#));
    assert_eq!(server.requests()[0].method, "DELETE");
}

#[test]
fn a_crash_looping_revision_fails_with_its_reason_and_exit_code() {
    let crashing = r#"{"name": "bot", "ready": false, "available": false,
        "desiredDeploymentId": "d1", "reconciledDeploymentId": "d1",
        "currentRevision": {"deploymentID": "d1", "phase": "Failed",
          "health": {"ready": false, "state": "waiting", "reason": "CrashLoopBackOff",
            "lastExitCode": 1, "lastTerminationReason": "Error",
            "message": "ModuleNotFoundError: No module named 'bot'"}}}"#;
    let server = Scripted::start(vec![
        (
            "/v1/agents/bot",
            vec![
                Reply::json(404, r#"{"error":"Not found","code":"NOT_FOUND"}"#),
                Reply::json(200, crashing),
            ],
        ),
        ("/v1/agents", vec![Reply::json(200, "{}")]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let output = common::pipecat_at(&server.url, dir.path())
        .env("PIPECAT_PRIVATE_API_KEY", "sk_test")
        .args(["cloud", "deploy", "bot", "me/bot:1", "--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("reason CrashLoopBackOff"), "{stderr}");
    assert!(stderr.contains("exit code 1"), "{stderr}");
    assert!(stderr.contains("No module named 'bot'"), "{stderr}");
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(
        doc,
        serde_json::json!({"agentName": "bot", "deploymentId": "d1", "ready": false, "available": false})
    );
}

#[test]
fn on_a_terminal_deploy_asks_and_defaults_to_yes() {
    if !Path::new("/usr/bin/script").exists() && !Path::new("/bin/script").exists() {
        eprintln!("skipped: util-linux `script` is needed for a pseudo-terminal");
        return;
    }
    let setup = Setup::new(LocalCloud::start());
    // "n" declines: exit 1, nothing created.
    let (screen, code) =
        setup.on_terminal(&format!("cloud deploy asked {IMAGE} --no-credentials"), "n");
    assert_eq!(code, Some(1), "{screen}");
    assert!(screen.contains("Create agent asked?"), "{screen}");
    assert!(screen.contains("cancelled"), "{screen}");
    setup
        .on(Surface::PrivateKey)
        .args(["cloud", "agent", "status", "asked"])
        .assert()
        .code(4);
    // Enter takes the default, yes; the review was shown first.
    let (screen, code) = setup.on_terminal(
        &format!("cloud deploy asked {IMAGE} --no-credentials"),
        "\n",
    );
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("Pull secret: none (public image)"),
        "{screen}"
    );
    assert!(screen.contains("Ready:         yes"), "{screen}");
    assert_eq!(setup.status(Surface::PrivateKey, "asked")["ready"], true);
}
