//! The building blocks of built images, end to end with a real Python: the
//! native builder (examples/pipecat-bot and hand-made projects), the agent
//! host it writes out, and the contract client that drives a session
//! through it. (The same through the server's API: tests/local_builds.rs.)
//! Tests that need python3 skip with a note when it is missing.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::builder::{self, BuildError, BuildOptions, Installer};
use super::manifest::Manifest;
use super::{AGENT_HOST, manifest};
use crate::local::contract::{
    AgentClient, ContractError, DailyRoom, SessionCall, SessionOutcome, free_loopback_port,
};
use crate::local::lines::LineReader;
use serde_json::json;
use tokio::process::{Child, Command};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pipecat-bot");
/// Generous: a shared 2-core machine may be slow to start Python.
const READY_LIMIT: Duration = Duration::from_secs(30);
const SESSION_LIMIT: Duration = Duration::from_secs(60);

fn python3() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import sys; assert sys.version_info >= (3, 8)"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !ok {
        eprintln!("skipped: no python3 (3.8+) on this machine");
    }
    ok
}

/// A running agent host and everything it printed so far.
struct Host {
    child: Child,
    client: AgentClient,
    output: Arc<Mutex<Vec<String>>>,
    _dir: Option<tempfile::TempDir>,
}

impl Host {
    fn spawn(mut command: Command, port: u16, dir: Option<tempfile::TempDir>) -> Host {
        command
            .env("PORT", port.to_string())
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start the agent host");
        let output = Arc::new(Mutex::new(Vec::new()));
        let streams: Vec<Box<dyn tokio::io::AsyncRead + Unpin + Send>> = vec![
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for stream in streams {
            let output = output.clone();
            tokio::spawn(async move {
                let mut reader = LineReader::new(stream, 8192);
                while let Ok(Some(line)) = reader.next_line().await {
                    output.lock().unwrap().push(line);
                }
            });
        }
        Host {
            child,
            client: AgentClient::new(port),
            output,
            _dir: dir,
        }
    }

    /// python3 running our agent host in a project made of `files`.
    fn project(files: &[(&str, &str)]) -> Host {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            fs::write(dir.path().join(name), text).unwrap();
        }
        let host = dir.path().join("agent_host.py");
        fs::write(&host, AGENT_HOST).unwrap();
        let mut command = Command::new("python3");
        command.arg(&host).current_dir(dir.path());
        Host::spawn(command, free_loopback_port().unwrap(), Some(dir))
    }

    async fn ready(&mut self) -> Result<(), ContractError> {
        self.client.wait_ready(READY_LIMIT, self.child.wait()).await
    }

    async fn session(&self, call: &SessionCall) -> Result<SessionOutcome, ContractError> {
        self.client.run_session(call, Some(SESSION_LIMIT)).await
    }

    /// The output once it has a line containing `needle` (waits a little,
    /// since the readers run on their own).
    async fn output_with(&self, needle: &str) -> String {
        for _ in 0..100 {
            let text = self.output.lock().unwrap().join("\n");
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no line with {needle:?} in:\n{}",
            self.output.lock().unwrap().join("\n")
        );
    }
}

fn call(session_id: &str, body: serde_json::Value) -> SessionCall {
    SessionCall {
        session_id: session_id.into(),
        body,
        ..SessionCall::default()
    }
}

// ---------------------------------------------------------------------
// The agent host and the contract client.

const LOGGING_BOT: &str = r#"
import asyncio, json
async def bot(args):
    print("bot got", type(args).__name__, args.session_id, json.dumps(args.body, sort_keys=True))
    print("room", getattr(args, "room_url", None), "flow", getattr(args, "flow_config", None))
    await asyncio.sleep(float(args.body.get("sleep", 0)))
"#;

#[tokio::test]
async fn a_session_runs_through_the_contract_and_its_lines_carry_its_id() {
    if !python3() {
        return;
    }
    let mut host = Host::project(&[("bot.py", LOGGING_BOT)]);
    host.ready().await.unwrap();
    assert!(host.client.live().await);
    let outcome = host
        .session(&call(
            "4f1c2d3e-0000-4000-8000-000000000001",
            json!({"hello": "world", "n": 1}),
        ))
        .await
        .unwrap();
    assert_eq!(outcome, SessionOutcome::Completed);
    let text = host.output_with("session ended").await;
    assert!(
        text.contains(
            "[4f1c2d3e-0000-4000-8000-000000000001] bot got PipecatSessionArguments 4f1c2d3e-0000-4000-8000-000000000001 {\"hello\": \"world\", \"n\": 1}"
        ),
        "{text}"
    );
    assert!(
        text.contains("[4f1c2d3e-0000-4000-8000-000000000001] room None flow None"),
        "{text}"
    );

    // A Daily room and a start envelope reach the bot; the token is never
    // printed by the host.
    let daily = SessionCall {
        daily_room: Some(DailyRoom {
            url: "https://example.daily.co/room".into(),
            token: "room-token-secret".into(),
        }),
        transport_type: Some("webrtc".into()),
        flow_config: Some("initial_node: greet".into()),
        ..call("s-daily", json!({"a": 1}))
    };
    assert_eq!(
        host.session(&daily).await.unwrap(),
        SessionOutcome::Completed
    );
    let text = host
        .output_with("[s-daily] agent-host: session ended")
        .await;
    assert!(
        text.contains("[s-daily] bot got DailySessionArguments s-daily {\"a\": 1}"),
        "{text}"
    );
    assert!(
        text.contains("[s-daily] room https://example.daily.co/room flow initial_node: greet"),
        "{text}"
    );
    assert!(text.contains("Daily room, transport webrtc"), "{text}");
    assert!(!text.contains("room-token-secret"), "{text}");
}

#[tokio::test]
async fn a_bot_that_raises_fails_its_session_with_the_traceback_in_its_output() {
    if !python3() {
        return;
    }
    let bot = "async def bot(args):\n    raise ValueError('no ' + args.body['what'])\n";
    let mut host = Host::project(&[("bot.py", bot)]);
    host.ready().await.unwrap();
    let outcome = host
        .session(&call("s-raise", json!({"what": "luck"})))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        SessionOutcome::Failed {
            message: "ValueError: no luck".into()
        }
    );
    let text = host.output_with("[s-raise] ValueError: no luck").await;
    assert!(
        text.contains("[s-raise] Traceback (most recent call last):"),
        "{text}"
    );
    assert!(text.contains("line 2, in bot"), "{text}");
    // The host lives on for the next session.
    assert!(host.client.live().await);
}

#[tokio::test]
async fn a_bot_that_is_never_ready_fails_the_start_within_the_limit() {
    if !python3() {
        return;
    }
    let bot = "def readyz():\n    return {'ready': False, 'why': 'warming up'}\nasync def bot(args):\n    pass\n";
    let mut host = Host::project(&[("bot.py", bot)]);
    let err = host
        .client
        .wait_ready(Duration::from_secs(3), host.child.wait())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ContractError::NotReady { .. }), "{message}");
    assert!(
        message.starts_with("the agent was not ready within 3 s"),
        "{message}"
    );
    assert!(message.contains("/readyz answered 503"), "{message}");
    assert!(message.contains("warming up"), "{message}");

    // readyz() raising is not ready either; an async one that says True is.
    let bot = "async def readyz():\n    return True\nasync def bot(args):\n    pass\n";
    let mut host = Host::project(&[("bot.py", bot)]);
    host.ready().await.unwrap();

    // A bot module that does not import: the process exits, and the start
    // fails at once with its traceback in the output.
    let mut host = Host::project(&[("bot.py", "import no_such_module_here\n")]);
    let err = host.ready().await.unwrap_err();
    assert!(matches!(err, ContractError::ExitedBeforeReady), "{err}");
    let text = host.output_with("ModuleNotFoundError").await;
    assert!(
        text.contains("agent-host: cannot import the bot module"),
        "{text}"
    );
}

#[tokio::test]
async fn the_budget_header_reaches_the_host_and_cancels_a_bot_that_runs_over() {
    if !python3() {
        return;
    }
    let bot = r#"
import asyncio
async def bot(args):
    print("bot", args.session_id, "body", args.body)
    try:
        await asyncio.sleep(300)
    except asyncio.CancelledError:
        print("bot cancelled")
        raise
"#;
    let mut host = Host::project(&[("bot.py", bot)]);
    host.ready().await.unwrap();
    let over = SessionCall {
        max_session_seconds: Some(1),
        ..call("s-budget", json!({"long": true}))
    };
    // Without the budget this would run 300 s and hit SESSION_LIMIT.
    assert_eq!(
        host.session(&over).await.unwrap(),
        SessionOutcome::BudgetExhausted
    );
    let text = host.output_with("[s-budget] bot cancelled").await;
    assert!(
        text.contains("[s-budget] bot s-budget body {'long': True}"),
        "{text}"
    );
    assert!(
        text.contains(
            "[s-budget] agent-host: session starts: no room, transport default, budget 1 s"
        ),
        "{text}"
    );
    assert!(
        text.contains("budget of 1 s is spent: cancelling bot()"),
        "{text}"
    );
}

#[tokio::test]
async fn sigterm_ends_a_running_session_as_terminated_and_the_host_exits() {
    if !python3() {
        return;
    }
    let bot = "import asyncio\nasync def bot(args):\n    print('running')\n    await asyncio.sleep(300)\n";
    let mut host = Host::project(&[("bot.py", bot)]);
    host.ready().await.unwrap();
    let client = host.client.clone();
    let session = tokio::spawn(async move {
        client
            .run_session(&call("s-term", json!({})), Some(SESSION_LIMIT))
            .await
    });
    host.output_with("[s-term] running").await;
    let pid = host.child.id().unwrap() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(session.await.unwrap().unwrap(), SessionOutcome::Terminated);
    let status = tokio::time::timeout(Duration::from_secs(30), host.child.wait())
        .await
        .expect("the host exits")
        .unwrap();
    assert!(status.success(), "{status}");
}

// ---------------------------------------------------------------------
// The native builder.

fn options(cache: &Path) -> BuildOptions {
    BuildOptions {
        installer: Installer::Pip,
        cache_dir: Some(cache.to_path_buf()),
        ..BuildOptions::default()
    }
}

async fn build(
    context: &Path,
    image: &Path,
    options: &BuildOptions,
) -> (Result<Manifest, BuildError>, Vec<String>) {
    let mut lines = Vec::new();
    let result = builder::build(context, "Dockerfile", image, options, &mut |line| {
        lines.push(line)
    })
    .await;
    (result, lines)
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[tokio::test]
async fn the_example_builds_offline_and_runs_a_session_under_the_agent_host() {
    if !python3() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let (result, log) = build(
        Path::new(EXAMPLE),
        &image,
        &options(&work.path().join("cache")),
    )
    .await;
    let text = log.join("\n");
    let manifest = result.unwrap_or_else(|err| panic!("{err}\n{text}"));

    // The build log, step by step.
    assert_eq!(log[0], "[1/4] FROM dailyco/pipecat-base:latest");
    for step in [
        "[2/4] COPY ./requirements.txt requirements.txt",
        "[3/4] RUN pip install --no-cache-dir --upgrade -r requirements.txt",
        "[4/4] COPY ./bot.py bot.py",
        "  copied 1 file to /app/bot.py",
        "  creating the virtual environment (python -m venv)",
    ] {
        assert!(
            log.iter().any(|line| line == step),
            "{step:?} missing:\n{text}"
        );
    }
    assert!(
        log.last().unwrap().starts_with("build finished in "),
        "{text}"
    );

    // The layout and the manifest.
    assert_eq!(manifest.workdir, "/app");
    assert_eq!(manifest.installer, "pip");
    assert_eq!(manifest.base_image, "dailyco/pipecat-base:latest");
    assert_eq!(Manifest::load(&image).unwrap(), manifest);
    assert_eq!(
        fs::read(image.join("root/app/bot.py")).unwrap(),
        fs::read(Path::new(EXAMPLE).join("bot.py")).unwrap()
    );
    assert!(image.join("root/app/requirements.txt").is_file());
    assert!(!image.join("root/app/Dockerfile").exists());
    assert!(image.join(&manifest.python).is_file());
    assert_eq!(
        fs::read_to_string(image.join(manifest::HOST_FILE)).unwrap(),
        AGENT_HOST
    );

    // The built image runs a session through the contract.
    let port = free_loopback_port().unwrap();
    let launch = manifest.host_launch(&image, port);
    let mut host = Host::spawn(launch.command(), port, None);
    host.ready().await.unwrap();
    let outcome = host
        .session(&call(
            "0d1e2f3a-0000-4000-8000-00000000000e",
            json!({"duration_secs": 1.5, "topic": "weather"}),
        ))
        .await
        .unwrap();
    assert_eq!(outcome, SessionOutcome::Completed);
    let text = host
        .output_with("session 0d1e2f3a-0000-4000-8000-00000000000e done")
        .await;
    assert!(
        text.contains("[0d1e2f3a-0000-4000-8000-00000000000e] session 0d1e2f3a-0000-4000-8000-00000000000e started with body {\"duration_secs\": 1.5, \"topic\": \"weather\"}"),
        "{text}"
    );
    assert!(text.contains("talking (1/1.5 s)"), "{text}");
    let crash = host
        .session(&call("s-crash", json!({"crash": true})))
        .await
        .unwrap();
    assert_eq!(
        crash,
        SessionOutcome::Failed {
            message: "RuntimeError: the body asked this bot to crash".into()
        }
    );
}

#[tokio::test]
async fn copy_workdir_and_env_lay_files_out_as_docker_would() {
    if !python3() {
        return;
    }
    let context = project(&[
        (
            "Dockerfile",
            "FROM dailyco/pipecat-base:0.1.19-py3.99\n\
             ARG APP=/srv/agent\n\
             WORKDIR $APP\n\
             ENV GREETING=\"hello there\" MODE=test\n\
             COPY --chown=1000:1000 bot.py helpers/*.py ./\n\
             COPY [\"data dir\", \"data/\"]\n\
             COPY --chmod=700 tools/run.sh /usr/local/bin/run\n\
             COPY tools /opt/tools\n\
             COPY wheels wheels/\n\
             EXPOSE 7860\n\
             RUN python -m pip install --no-index /srv/agent/wheels/tinypkg-1.0-py3-none-any.whl\n",
        ),
        ("bot.py", "async def bot(args):\n    pass\n"),
        ("helpers/a.py", "A = 1\n"),
        ("helpers/b.py", "B = 2\n"),
        ("helpers/notes.txt", "not python\n"),
        ("data dir/one.json", "{}\n"),
        ("data dir/deep/two.json", "[]\n"),
        ("tools/run.sh", "#!/bin/sh\n"),
    ]);
    // A wheel for the RUN line, named by its container path (read under
    // the image root), installed without the package index.
    let wheel = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("tinypkg/__init__.py", "VALUE = 7\n")
    z.writestr("tinypkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n")
    z.writestr("tinypkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("tinypkg-1.0.dist-info/RECORD", "")
"#;
    fs::create_dir_all(context.path().join("wheels")).unwrap();
    let status = std::process::Command::new("python3")
        .args(["-c", wheel])
        .arg(context.path().join("wheels/tinypkg-1.0-py3-none-any.whl"))
        .status()
        .unwrap();
    assert!(status.success());

    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let (result, log) = build(context.path(), &image, &options(&work.path().join("cache"))).await;
    let text = log.join("\n");
    let manifest = result.unwrap_or_else(|err| panic!("{err}\n{text}"));
    let root = image.join("root");
    assert_eq!(manifest.workdir, "/srv/agent");
    assert_eq!(
        manifest.env,
        [("GREETING", "hello there"), ("MODE", "test")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    );
    assert!(root.join("srv/agent/bot.py").is_file());
    assert!(root.join("srv/agent/a.py").is_file() && root.join("srv/agent/b.py").is_file());
    assert!(!root.join("srv/agent/notes.txt").exists());
    assert!(root.join("srv/agent/data/one.json").is_file());
    assert!(root.join("srv/agent/data/deep/two.json").is_file());
    assert!(root.join("opt/tools/run.sh").is_file());
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(root.join("usr/local/bin/run"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(
        text.contains("the base image asks for Python 3.99, which is not on this machine"),
        "{text}"
    );
    assert!(text.contains("ignoring --chown=1000:1000"), "{text}");
    assert!(text.contains("EXPOSE: ignored"), "{text}");
    assert!(text.contains("environment: GREETING, MODE"), "{text}");

    // The package installed from a container path is in the venv.
    let output = std::process::Command::new(image.join(&manifest.python))
        .args(["-c", "import tinypkg; print(tinypkg.VALUE)"])
        .current_dir("/")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "7",
        "{text}"
    );
}

#[tokio::test]
async fn an_unsupported_line_fails_the_build_before_anything_runs() {
    let context = project(&[
        (
            "Dockerfile",
            "FROM dailyco/pipecat-base\nCOPY . .\n\nRUN apt-get install -y ffmpeg\n",
        ),
        ("bot.py", ""),
    ]);
    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let (result, _) = build(context.path(), &image, &BuildOptions::default()).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, BuildError::Dockerfile(ref e) if e.line == 4),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("Dockerfile line 4: `RUN apt-get install -y ffmpeg`: the local cloud runs only `pip install ...`"),
        "{err}"
    );
    assert!(!image.exists());

    let context = project(&[("Dockerfile", "# base\nFROM node:20\n"), ("bot.py", "")]);
    let (result, _) = build(context.path(), &image, &BuildOptions::default()).await;
    let message = result.unwrap_err().to_string();
    assert!(message.starts_with("Dockerfile line 2: `FROM node:20`: the base image node:20 is not supported: the local cloud builds FROM dailyco/pipecat-base"), "{message}");
}

#[tokio::test]
async fn without_python_the_build_fails_saying_so() {
    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let options = BuildOptions {
        python: Some(PathBuf::from("/nonexistent/python3")),
        ..BuildOptions::default()
    };
    let (result, _) = build(Path::new(EXAMPLE), &image, &options).await;
    let message = result.unwrap_err().to_string();
    assert_eq!(
        message,
        "no Python 3 on this machine (tried /nonexistent/python3): the local cloud builds agents in a Python virtual environment; install Python 3.8 or newer"
    );
    assert!(!image.exists());
}

#[tokio::test]
async fn a_failing_step_names_its_line_and_removes_the_image() {
    if !python3() {
        return;
    }
    let cases: HashMap<&str, (&str, usize, &str)> = HashMap::from([
        (
            "pip",
            (
                "FROM dailyco/pipecat-base\nCOPY bot.py .\nRUN pip install --no-index no-such-package-for-pipecat-tests\n",
                3,
                "No matching distribution found for no-such-package-for-pipecat-tests",
            ),
        ),
        (
            "missing source",
            (
                "FROM dailyco/pipecat-base\nCOPY nothing-here.py .\n",
                2,
                "nothing-here.py: no such file in the build context",
            ),
        ),
        (
            "outside",
            (
                "FROM dailyco/pipecat-base\nCOPY ../secret .\n",
                2,
                "../secret is outside the build context",
            ),
        ),
    ]);
    let work = tempfile::tempdir().unwrap();
    for (name, (dockerfile, line, needle)) in cases {
        let context = project(&[
            ("Dockerfile", dockerfile),
            ("bot.py", "async def bot(args): pass\n"),
        ]);
        let image = work.path().join(name);
        let (result, log) =
            build(context.path(), &image, &options(&work.path().join("cache"))).await;
        let err = result.unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(&err, BuildError::Dockerfile(e) if e.line == line),
            "{name}: {message}"
        );
        assert!(
            message.contains(needle),
            "{name}: {message}\n{}",
            log.join("\n")
        );
        assert!(!image.exists(), "{name}");
    }

    // No bot module where the host will look.
    let context = project(&[
        (
            "Dockerfile",
            "FROM dailyco/pipecat-base\nCOPY bot.py /elsewhere/\n",
        ),
        ("bot.py", ""),
    ]);
    let image = work.path().join("nobot");
    let (result, _) = build(context.path(), &image, &options(&work.path().join("cache"))).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "no `bot` module in the working directory /app after the build: COPY your bot.py there (the agent host imports `bot` and calls bot(args))"
    );
}

/// With `uv` on PATH the builder uses it (skipped without uv).
#[tokio::test]
async fn uv_builds_the_example_when_it_is_on_path() {
    let Some(uv) = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("uv"))
            .find(|candidate| candidate.is_file())
    }) else {
        eprintln!("skipped: uv is not on PATH");
        return;
    };
    if !python3() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let options = BuildOptions {
        installer: Installer::Uv(uv),
        ..options(&work.path().join("cache"))
    };
    let (result, log) = build(Path::new(EXAMPLE), &image, &options).await;
    let text = log.join("\n");
    let manifest = result.unwrap_or_else(|err| panic!("{err}\n{text}"));
    assert_eq!(manifest.installer, "uv");
    assert!(
        text.contains("creating the virtual environment with"),
        "{text}"
    );
    assert!(image.join("root/app/bot.py").is_file());
}

#[tokio::test]
async fn a_build_dropped_half_way_leaves_no_image_behind() {
    if !python3() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let venv_started = Arc::new(tokio::sync::Notify::new());
    let signal = venv_started.clone();
    let options = options(&work.path().join("cache"));
    let mut log = move |line: String| {
        if line.contains("creating the virtual environment") {
            signal.notify_one();
        }
    };
    let build = builder::build(Path::new(EXAMPLE), "Dockerfile", &image, &options, &mut log);
    tokio::select! {
        result = build => panic!("the build should still be running: {result:?}"),
        _ = venv_started.notified() => {}
    }
    assert!(!image.exists(), "the half-built image is removed");
}
