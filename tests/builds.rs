//! Cloud builds from the client's side: `deploy` of a project folder
//! against a real local cloud (build, cache, failure, refusals, Ctrl-C),
//! the `build` commands, and what only a scripted server can do (the
//! upload's form, an upload URL that fails, a build that times out).
//!
//! The local cloud builds natively with Python 3: tests that build skip
//! with a note when there is none.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::LocalCloud;
use common::pty::PtyCommand;
use common::scripted::{Reply, Scripted};
use serde_json::Value;

const PATIENCE: Duration = Duration::from_secs(180);
/// The request [`Setup::settle`] makes, as the access log shows it.
const MARKER: &str = "builds?limit=7 ";

/// True when python3 runs here (the local cloud builds with it).
fn python3() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import venv"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !ok {
        eprintln!("skipped: no python3 with venv on this machine to build with");
    }
    ok
}

/// A local cloud, a home for the config file, and a copy of
/// examples/pipecat-bot to deploy from.
struct Setup {
    cloud: LocalCloud,
    home: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let home = tempfile::tempdir().unwrap();
        copy_dir(&example(), &home.path().join("pipecat-bot"));
        Setup {
            cloud: LocalCloud::start(),
            home,
        }
    }

    fn project(&self) -> PathBuf {
        self.home.path().join("pipecat-bot")
    }

    /// `pipecat` as a user token holder, in `dir`.
    fn in_dir(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.home.path().join("pipecatcloud.toml"));
        cmd.env("PIPECAT_TOKEN", &self.cloud.user_token)
            .env("PIPECAT_ORG", &self.cloud.org)
            .current_dir(dir);
        cmd
    }

    fn pipecat(&self) -> assert_cmd::Command {
        self.in_dir(&self.project())
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.pipecat().args(args).arg("--json").output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// The requests of the access log whose path contains `part`,
    /// besides the marker of [`Setup::settle`].
    fn requests_to(&self, part: &str) -> Vec<String> {
        fs::read_to_string(self.cloud.data_dir.join("access.log"))
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains(part) && !line.contains(MARKER))
            .map(String::from)
            .collect()
    }

    /// Waits until every request made so far is in the access log (which
    /// is written a moment after each answer): a marker request, then
    /// until it shows.
    fn settle(&self) {
        self.pipecat()
            .args(["cloud", "build", "list", "--limit", "7"])
            .assert()
            .success();
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let log =
                fs::read_to_string(self.cloud.data_dir.join("access.log")).unwrap_or_default();
            if log.contains(MARKER) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the marker was never logged"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn builds(&self) -> Vec<Value> {
        self.json(&["cloud", "build", "list"])["builds"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pipecat-bot")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `contextHash` of `dir` as an independent packer computes it: Python's
/// tarfile and gzip with the settings the official client uses (sorted
/// members, mtime 0, root owner, 644/755, gzip mtime 0), on the files the
/// default exclusions keep in examples/pipecat-bot (pcc-deploy.toml is
/// left out).
fn python_context_hash(dir: &Path) -> String {
    let script = r#"
import gzip, hashlib, io, os, sys, tarfile
base = sys.argv[1]
names = sorted(n for n in os.listdir(base) if n != "pcc-deploy.toml")
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as tar:
    for name in names:
        path = os.path.join(base, name)
        info = tarfile.TarInfo(name)
        info.size = os.path.getsize(path)
        info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
        info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
        with open(path, "rb") as f:
            tar.addfile(info, f)
out = io.BytesIO()
with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
    gz.write(raw.getvalue())
print(hashlib.md5(out.getvalue()).hexdigest()[:16])
"#;
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout).trim().to_string()
}

#[test]
fn deploy_of_a_project_folder_builds_it_shows_its_log_and_becomes_ready() {
    if !python3() {
        return;
    }
    let setup = Setup::new();
    let output = setup
        .pipecat()
        .args(["cloud", "deploy", "--yes"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The build's own log lines, as they came, then the deployment.
    assert!(stderr.contains("[4/4] COPY ./bot.py bot.py"), "{stderr}");
    assert!(
        stderr.contains("creating the virtual environment"),
        "{stderr}"
    );
    let builds = setup.builds();
    assert_eq!(builds.len(), 1, "{builds:?}");
    let build = &builds[0];
    let id = build["id"].as_str().unwrap();
    assert_eq!(build["status"], "success");
    assert!(stderr.contains(&format!("Build {id} started")), "{stderr}");
    assert!(
        stderr.contains(&format!("Build {id} succeeded")),
        "{stderr}"
    );
    assert!(stderr.contains("Created agent `pipecat-bot`"), "{stderr}");
    // The contextHash sent is the one an independent packer computes.
    assert_eq!(
        build["contextHash"].as_str().unwrap(),
        python_context_hash(&setup.project())
    );
    let status = setup.json(&["cloud", "agent", "status", "pipecat-bot"]);
    assert_eq!(status["ready"], true, "{status}");
    let deployments = setup.json(&["cloud", "agent", "deployments", "pipecat-bot"]);
    assert_eq!(
        deployments["deployments"][0]["buildId"], id,
        "{deployments}"
    );

    // A session runs bot(): its own lines carry the id start printed and
    // the body it was given, and it ends COMPLETED when bot() returns.
    let output = setup
        .pipecat()
        .args(["cloud", "agent", "start", "pipecat-bot", "-k"])
        .arg(&setup.cloud.public_key)
        .args([
            "--data",
            r#"{"duration_secs": 1, "greeting": "hello"}"#,
            "--follow",
        ])
        .timeout(PATIENCE)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    let session = all
        .lines()
        .find_map(|line| line.strip_prefix("Session ID: "))
        .unwrap_or_else(|| panic!("no session id in:\n{all}"))
        .trim()
        .to_string();
    assert!(
        stdout.contains(&format!(
            r#"session {session} started with body {{"duration_secs": 1, "greeting": "hello"}}"#
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("session {session} done")),
        "{stdout}"
    );
    let sessions = setup.json(&["cloud", "agent", "sessions", "pipecat-bot"]);
    let ended = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == session.as_str())
        .unwrap_or_else(|| panic!("{sessions}"));
    assert_eq!(ended["completionStatus"], "COMPLETED", "{ended}");
    assert_eq!(ended["endState"], "completed", "{ended}");

    // The same context again: the build is reused, nothing is uploaded.
    setup.settle();
    let uploads = setup.requests_to("upload");
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    let output = setup
        .pipecat()
        .args(["cloud", "deploy", "--yes"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("Using cached build {id}")),
        "{stderr}"
    );
    setup.settle();
    assert_eq!(setup.requests_to("upload"), uploads);
    assert_eq!(setup.builds().len(), 1);

    // And the build deploys by id, to another agent.
    setup
        .pipecat()
        .args(["cloud", "deploy", "second-bot", "--build-id", id, "--yes"])
        .assert()
        .success();
    let status = setup.json(&["cloud", "agent", "status", "second-bot"]);
    assert_eq!(status["ready"], true, "{status}");
}

#[test]
fn build_list_status_and_logs_answer_in_json_and_plain() {
    if !python3() {
        return;
    }
    let setup = Setup::new();
    setup
        .pipecat()
        .args(["cloud", "deploy", "--yes", "--quiet"])
        .assert()
        .success();
    let listing = setup.json(&["cloud", "build", "list"]);
    assert_eq!(listing["total"], 1, "{listing}");
    assert_eq!(listing["limit"], 10, "{listing}");
    let id = listing["builds"][0]["id"].as_str().unwrap().to_string();

    // Filters reach the API.
    let failed = setup.json(&["cloud", "build", "list", "--status", "failed"]);
    assert_eq!(failed["builds"], serde_json::json!([]), "{failed}");
    let local = setup.json(&["cloud", "build", "list", "-r", "local", "-n", "1"]);
    assert_eq!(local["builds"][0]["id"], id.as_str(), "{local}");

    let plain = setup
        .pipecat()
        .args(["cloud", "build", "list", "--output", "plain"])
        .output()
        .unwrap();
    let plain = text(&plain.stdout);
    let mut rows = plain.lines();
    assert_eq!(
        rows.next().unwrap(),
        "Build ID\tStatus\tRegion\tDuration\tCreated\tContext Hash\tDockerfile"
    );
    let row: Vec<&str> = rows.next().unwrap().split('\t').collect();
    assert_eq!(&row[..3], &[id.as_str(), "success", "local"], "{plain}");

    let status = setup.json(&["cloud", "build", "status", &id]);
    assert_eq!(status["build"]["id"], id.as_str(), "{status}");
    assert_eq!(status["build"]["status"], "success", "{status}");
    let quiet = setup
        .pipecat()
        .args(["cloud", "build", "status", &id, "-q"])
        .output()
        .unwrap();
    assert_eq!(text(&quiet.stdout), "success\n");

    let logs = setup.json(&["cloud", "build", "logs", &id]);
    let lines = logs["logs"].as_array().unwrap();
    assert!(lines.iter().any(|l| l == "build succeeded"), "{logs}");
    let two = setup.json(&["cloud", "build", "logs", &id, "-n", "2"]);
    assert_eq!(two["logs"].as_array().unwrap().len(), 2, "{two}");
    // --follow of a build that ended: every line, one JSON object each.
    let followed = setup
        .pipecat()
        .args(["cloud", "build", "logs", &id, "--follow", "--json"])
        .timeout(PATIENCE)
        .output()
        .unwrap();
    assert!(followed.status.success(), "{}", text(&followed.stderr));
    let records: Vec<Value> = text(&followed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(records.len(), lines.len());
    assert_eq!(records.last().unwrap()["log"], "build succeeded");

    // Exact codes: an unknown build is 4, a malformed id 2, nothing sent.
    let unknown = "0d177456-711d-4acb-9411-2bc3db49e510";
    let missing = setup
        .pipecat()
        .args(["cloud", "build", "status", unknown])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(4));
    assert!(
        text(&missing.stderr).contains(&format!("error: build {unknown} not found")),
        "{}",
        text(&missing.stderr)
    );
    let bad = setup
        .pipecat()
        .args(["cloud", "build", "logs", "../x"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("invalid build id"));
    setup.settle();
    assert!(setup.requests_to("x/logs").is_empty());
    let deploy_missing = setup
        .pipecat()
        .args(["cloud", "deploy", "other", "--build-id", unknown, "--yes"])
        .output()
        .unwrap();
    assert_eq!(deploy_missing.status.code(), Some(4));
}

#[test]
fn an_unsupported_dockerfile_line_fails_deploy_naming_the_line_with_the_last_log_lines() {
    if !python3() {
        return;
    }
    let setup = Setup::new();
    let project = setup.project();
    fs::write(
        project.join("Dockerfile"),
        "FROM dailyco/pipecat-base:latest\nRUN apt-get install -y sox\nCOPY ./bot.py bot.py\n",
    )
    .unwrap();
    for quiet in [false, true] {
        let mut cmd = setup.pipecat();
        cmd.args(["cloud", "deploy", "--yes"]);
        if quiet {
            cmd.arg("--quiet");
        }
        let output = cmd.timeout(PATIENCE).output().unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        let error = stderr
            .lines()
            .find(|line| line.starts_with("error: build "))
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(
            error.contains("failed: Dockerfile line 2: `RUN apt-get install -y sox`"),
            "{stderr}"
        );
        // The log's last lines, shown as they came, or after the error's
        // cause with --quiet.
        assert!(stderr.contains("  unpacking the build context"), "{stderr}");
        assert_eq!(
            stderr.contains("The last lines of build"),
            quiet,
            "{stderr}"
        );
        assert!(stderr.contains("hint: its whole log: `pipecat cloud build logs "));
    }
    // Nothing was deployed.
    let missing = setup
        .pipecat()
        .args(["cloud", "agent", "status", "pipecat-bot"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(4));
}

#[test]
fn without_a_terminal_or_yes_deploy_refuses_before_any_request() {
    let setup = Setup::new();
    let output = setup.pipecat().args(["cloud", "deploy"]).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "error: building and deploying needs confirmation, and stdin is not a terminal"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: pass --yes (-y) or --force (-f)"),
        "{stderr}"
    );
    setup.settle();
    assert!(setup.requests_to("/v1/").is_empty());
    assert!(setup.requests_to("upload").is_empty());
}

#[test]
fn a_context_that_cannot_be_built_is_refused_before_any_request() {
    let setup = Setup::new();
    let project = setup.project();
    // A link out of the folder.
    std::os::unix::fs::symlink("/etc/hostname", project.join("host")).unwrap();
    let output = setup
        .pipecat()
        .args(["cloud", "deploy", "--yes"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: symlink host points outside the build context"),
        "{stderr}"
    );
    fs::remove_file(project.join("host")).unwrap();
    // Over 500 MB (a sparse file: nothing is read or written).
    let big = fs::File::create(project.join("weights.bin")).unwrap();
    big.set_len(501 * 1024 * 1024).unwrap();
    let output = setup
        .pipecat()
        .args(["cloud", "deploy", "--yes"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: the build context is larger than 500.0 MB"),
        "{stderr}"
    );
    setup.settle();
    assert!(setup.requests_to("/v1/").is_empty());
    assert!(setup.requests_to("upload").is_empty());
}

#[test]
fn ctrl_c_while_following_a_build_says_how_to_follow_it_and_exits_130() {
    if !python3() {
        return;
    }
    let setup = Setup::new();
    // --api-host given on the command line must be in the suggestion.
    let mut pty = PtyCommand::pipecat(
        &["cloud", "--api-host", &setup.cloud.url, "deploy", "--yes"],
        30,
        200,
    )
    .env("PIPECAT_TOKEN", &setup.cloud.user_token)
    .env("PIPECAT_ORG", &setup.cloud.org)
    .env(
        "PIPECAT_CONFIG_PATH",
        setup.home.path().join("pipecatcloud.toml"),
    )
    .env("HOME", setup.home.path())
    .cwd(&setup.project())
    .spawn();
    pty.wait_for("started (context", PATIENCE);
    pty.ctrl_c();
    let code = pty.wait_exit(PATIENCE);
    let screen = pty.scrollback_and_screen();
    assert_eq!(code, 130, "{screen}");
    assert!(!screen.contains("error:"), "{screen}");
    assert!(!pty.cursor_hidden(), "the cursor is left hidden:\n{screen}");
    let id = setup.builds()[0]["id"].as_str().unwrap().to_string();
    let follow = format!(
        "pipecat cloud --api-host {} build logs {id} --follow",
        setup.cloud.url
    );
    // The message as written (the screen wraps it).
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(raw.contains("the build goes on"), "{screen}");
    assert!(raw.contains(&follow), "{screen}");
    // It does go on: following it as told ends with its success.
    let output = setup
        .pipecat()
        .args(["cloud", "build", "logs", &id, "--follow"])
        .timeout(PATIENCE)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).ends_with("build succeeded\n"));
}

#[test]
fn on_a_terminal_deploy_asks_before_building_and_a_no_uploads_nothing() {
    let setup = Setup::new();
    let mut pty = PtyCommand::pipecat(&["cloud", "deploy"], 30, 120)
        .env("PIPECAT_API_HOST", &setup.cloud.url)
        .env("PIPECAT_TOKEN", &setup.cloud.user_token)
        .env("PIPECAT_ORG", &setup.cloud.org)
        .env(
            "PIPECAT_CONFIG_PATH",
            setup.home.path().join("pipecatcloud.toml"),
        )
        .env("HOME", setup.home.path())
        .cwd(&setup.project())
        .spawn();
    pty.wait_for("Build, then create agent pipecat-bot?", PATIENCE);
    let screen = pty.screen();
    assert!(screen.contains("Build:"), "{screen}");
    assert!(screen.contains("from . (Dockerfile, 3 files,"), "{screen}");
    pty.send(b"n");
    let code = pty.wait_exit(PATIENCE);
    let screen = pty.scrollback_and_screen();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("not deployed: cancelled at the prompt"),
        "{screen}"
    );
    setup.settle();
    assert!(setup.requests_to("upload").is_empty());
    assert!(setup.requests_to("/builds").is_empty());
}

// ---- against a scripted server ---------------------------------------------

const BUILD: &str = "5b1c0d2e-3f4a-4b5c-8d6e-7f8091a2b3c4";

/// A small project to deploy with a scripted server.
fn small_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Dockerfile"),
        "FROM dailyco/pipecat-base:latest\nCOPY ./bot.py bot.py\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("bot.py"),
        "async def bot(args):\n    pass\n",
    )
    .unwrap();
    dir
}

fn scripted_deploy(server: &Scripted, dir: &Path, extra: &[&str]) -> std::process::Output {
    common::pipecat_at(&server.url, dir)
        .env("PIPECAT_TOKEN", "pcc_pat_test")
        .env("PIPECAT_ORG", "acme")
        .args(["cloud", "deploy", "bot", "--region", "us-west", "--yes"])
        .args(extra)
        .timeout(PATIENCE)
        .output()
        .unwrap()
}

/// The organization surface of a scripted cloud where agent `bot` does
/// not exist yet and the builds go as `builds` says.
fn cloud_script(
    url: &str,
    upload: Vec<Reply>,
    builds: Vec<Reply>,
    logs: Vec<Reply>,
) -> Vec<(&'static str, Vec<Reply>)> {
    let ready = r#"{"body": {"name": "bot", "ready": true, "available": true,
        "desiredDeploymentId": "d1", "reconciledDeploymentId": "d1"}}"#;
    let slot = format!(
        r#"{{"uploadId": "u1", "uploadUrl": "{url}/storage/put", "uploadFields": {{"key": "acme/u1.tar.gz", "policy": "p0licy"}}}}"#
    );
    vec![
        (
            "/v1/organizations/acme/regions",
            vec![Reply::json(
                200,
                r#"{"regions": [{"code": "us-west", "displayName": "US West"}]}"#,
            )],
        ),
        (
            "/v1/organizations/acme/services/bot",
            vec![
                Reply::json(404, r#"{"error": "Not found", "code": "NOT_FOUND"}"#),
                Reply::json(200, ready),
            ],
        ),
        (
            "/v1/organizations/acme/builds",
            vec![
                Reply::json(200, r#"{"builds": [], "total": 0}"#),
                Reply::json(
                    201,
                    &format!(
                        r#"{{"build": {{"id": "{BUILD}", "status": "pending"}}, "cached": false}}"#
                    ),
                ),
            ],
        ),
        (
            "/v1/organizations/acme/builds/upload-url",
            vec![Reply::json(200, &slot)],
        ),
        ("/storage/put", upload),
        (
            leak(format!("/v1/organizations/acme/builds/{BUILD}")),
            builds,
        ),
        (
            leak(format!("/v1/organizations/acme/builds/{BUILD}/logs")),
            logs,
        ),
        (
            "/v1/organizations/acme/services",
            vec![Reply::json(200, "{}")],
        ),
    ]
}

fn leak(path: String) -> &'static str {
    Box::leak(path.into_boxed_str())
}

fn build(status: &str, extra: &str) -> Reply {
    Reply::json(
        200,
        &format!(r#"{{"build": {{"id": "{BUILD}", "status": "{status}"{extra}}}}}"#),
    )
}

#[test]
fn the_context_is_uploaded_as_a_form_fields_first_without_credentials_and_deployed_by_build_id() {
    let server = Scripted::start_for(|url| {
        cloud_script(
            url,
            vec![Reply::text(204, "text/plain", "")],
            vec![build("building", ""), build("success", "")],
            vec![
                Reply::json(200, r#"{"logs": ["step one"]}"#),
                Reply::json(200, r#"{"logs": ["step one", "step two"]}"#),
            ],
        )
    });
    let dir = small_project();
    let output = scripted_deploy(&server, dir.path(), &[]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // Each log line once, in order.
    assert_eq!(stderr.matches("  step one\n").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("  step two\n").count(), 1, "{stderr}");
    assert!(stderr.find("step one") < stderr.find("step two"));

    let requests = server.requests();
    let lookup = requests
        .iter()
        .find(|r| r.method == "GET" && r.target.starts_with("/v1/organizations/acme/builds?"))
        .expect("a cache lookup");
    let hash = lookup
        .target
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("contextHash="))
        .unwrap()
        .to_string();
    assert!(
        lookup.target.contains("status=success"),
        "{}",
        lookup.target
    );
    assert!(
        lookup.target.contains("region=us-west"),
        "{}",
        lookup.target
    );
    assert!(lookup.target.contains("limit=1"), "{}", lookup.target);

    let upload = requests
        .iter()
        .find(|r| r.target == "/storage/put")
        .expect("an upload");
    assert_eq!(upload.method, "POST");
    assert!(
        !upload.headers.contains_key("authorization"),
        "{:?}",
        upload.headers
    );
    assert!(upload.headers["content-type"].starts_with("multipart/form-data; boundary="));
    let body = &upload.body;
    let at = |needle: &str| {
        body.windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .unwrap_or_else(|| panic!("{needle} not in the form"))
    };
    let key = at("name=\"key\"");
    let policy = at("name=\"policy\"");
    let content_type = at("name=\"Content-Type\"");
    let file = at("name=\"file\"; filename=\"context.tar.gz\"");
    assert!(key < file && policy < file && content_type < file);
    // The file part is the gzip whose MD5 starts with the contextHash.
    let gzip_start = file
        + body[file..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap()
        + 4;
    let boundary = upload.headers["content-type"]
        .split("boundary=")
        .nth(1)
        .unwrap();
    let end = gzip_start
        + body[gzip_start..]
            .windows(boundary.len())
            .position(|w| w == boundary.as_bytes())
            .unwrap()
        - 4; // "\r\n--"
    let gzip = &body[gzip_start..end];
    assert_eq!(&gzip[..2], &[0x1f, 0x8b]);
    let digest = std::process::Command::new("md5sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(gzip)?;
            child.wait_with_output()
        });
    if let Ok(digest) = digest {
        assert_eq!(&text(&digest.stdout)[..16], hash);
    }

    let create = requests
        .iter()
        .find(|r| r.method == "POST" && r.target == "/v1/organizations/acme/builds")
        .unwrap();
    assert_eq!(
        create.json(),
        serde_json::json!({"uploadId": "u1", "region": "us-west", "dockerfilePath": "Dockerfile"})
    );
    let deployed = requests
        .iter()
        .find(|r| r.method == "POST" && r.target == "/v1/organizations/acme/services")
        .unwrap()
        .json();
    assert_eq!(deployed["buildId"], BUILD, "{deployed}");
    assert!(deployed.get("image").is_none(), "{deployed}");
}

#[test]
fn an_upload_url_that_fails_ends_deploy_with_its_error_and_nothing_built_or_deployed() {
    // The platform refuses the upload slot.
    let server = Scripted::start_for(|url| {
        let mut script = cloud_script(url, vec![], vec![], vec![]);
        for (path, replies) in &mut script {
            if *path == "/v1/organizations/acme/builds/upload-url" {
                *replies = vec![Reply::json(
                    400,
                    r#"{"error": "cloud build is not enabled for region us-west", "code": "BUILD_NOT_ENABLED"}"#,
                )];
            }
        }
        script
    });
    let dir = small_project();
    let output = scripted_deploy(&server, dir.path(), &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cloud build is not enabled for region us-west"),
        "{stderr}"
    );
    let requests = server.requests();
    assert!(!requests.iter().any(|r| r.target == "/storage/put"));
    assert!(
        !requests
            .iter()
            .any(|r| r.method == "POST" && r.target.ends_with("/builds"))
    );
    assert!(!requests.iter().any(|r| r.target.ends_with("/services")));

    // The storage refuses the upload (an expired form, in S3's words).
    let server = Scripted::start_for(|url| {
        cloud_script(
            url,
            vec![Reply::text(
                403,
                "application/xml",
                "<Error><Code>AccessDenied</Code><Message>Policy expired.</Message></Error>",
            )],
            vec![],
            vec![],
        )
    });
    let output = scripted_deploy(&server, dir.path(), &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: cannot upload the build context:"),
        "{stderr}"
    );
    assert!(!stderr.contains("auth login"), "{stderr}");
    assert!(stderr.contains("AccessDenied"), "{stderr}");
    let requests = server.requests();
    assert!(
        !requests
            .iter()
            .any(|r| r.method == "POST" && r.target.ends_with("/builds"))
    );
}

#[test]
fn a_build_that_times_out_fails_deploy_with_its_message_and_its_last_lines() {
    let server = Scripted::start_for(|url| {
        cloud_script(
            url,
            vec![Reply::text(204, "text/plain", "")],
            vec![
                build("building", ""),
                build(
                    "timeout",
                    r#", "errorMessage": "the build ran over its 600 s""#,
                ),
            ],
            vec![Reply::json(
                200,
                r#"{"logs": ["step one", "installing a large wheel"]}"#,
            )],
        )
    });
    let dir = small_project();
    let output = scripted_deploy(&server, dir.path(), &["--quiet"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: build {BUILD} timed out: the build ran over its 600 s"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "The last lines of build {BUILD}'s log:\n  step one\n  installing a large wheel\n"
        )),
        "{stderr}"
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.target.ends_with("/services") && r.method == "POST")
    );
}
