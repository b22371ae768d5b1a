//! Every command's `--help` ends with examples that work as written: each
//! is pasted into a shell on a terminal, against a real local cloud (the
//! environment points both the default and `--local` at it), answering
//! "y" where it asks (and "q" to a full-screen view), and must exit 0.
//! `SESSION_ID`, `BUILD_ID` and `ORG` are filled in with a running
//! session, a build of examples/pipecat-bot (in `my-bot`) and the cloud's
//! organization.

mod common;

use std::path::Path;
use std::time::Duration;

use common::LocalCloud;
use common::pty::PtyCommand;

/// The `--help` of `path`, wide enough that nothing wraps.
fn long_help(path: &[String]) -> String {
    let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut cmd);
    let output = cmd
        .env("COLUMNS", "200")
        .args(path)
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "{path:?} --help");
    String::from_utf8(output.stdout).unwrap()
}

/// The subcommands listed in a help text (clap's own `help` of a group
/// aside).
fn subcommands(help: &str, top: bool) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| top || *name != "help")
        .map(String::from)
        .collect()
}

/// The example command lines of a help text.
fn examples(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Examples:")
        .skip(1)
        .filter(|line| line.starts_with("  ") && !line.trim_start().starts_with('#'))
        .map(|line| line.trim().to_string())
        .collect()
}

/// Every command, a group before its subcommands, with its examples.
fn every_command(path: Vec<String>, into: &mut Vec<(Vec<String>, Vec<String>)>) {
    let help = long_help(&path);
    into.push((path.clone(), examples(&help)));
    for sub in subcommands(&help, path.is_empty()) {
        let mut sub_path = path.clone();
        sub_path.push(sub);
        every_command(sub_path, into);
    }
}

struct Examples {
    cloud: LocalCloud,
    dir: tempfile::TempDir,
}

impl Examples {
    fn new() -> Examples {
        // `me/my-agent`, the image of the examples, runs the demo bot.
        let demo_bot = format!("{} cloud local demo-bot", common::pipecat_bin().display());
        let cloud = LocalCloud::start_with(&[
            "--min-session-duration",
            "1",
            "--image",
            &format!("me/my-agent={demo_bot}"),
        ]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token.txt"), &cloud.user_token).unwrap();
        // What the secrets examples read: a project's .env and registry
        // credentials, never typed on a command line.
        std::fs::write(
            dir.path().join(".env"),
            "OPENAI_API_KEY=sk-example\nDEEPGRAM_API_KEY=dg-example\nCARTESIA_API_KEY=ca-example\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("registry.txt"), "me:registry-password\n").unwrap();
        // What the deploy-from-source example builds: examples/pipecat-bot.
        let project = dir.path().join("my-bot");
        std::fs::create_dir(&project).unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pipecat-bot");
        for entry in std::fs::read_dir(example).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), project.join(entry.file_name())).unwrap();
        }
        Examples { cloud, dir }
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.cloud.cmd(&self.home().join("pipecatcloud.toml"));
        cmd.env("PIPECAT_TOKEN", &self.cloud.user_token)
            .current_dir(self.home());
        cmd
    }

    /// A session that runs for a few seconds.
    fn session(&self) -> String {
        let output = self
            .cmd()
            .args(["cloud", "agent", "start", "my-first-agent", "-k"])
            .arg(&self.cloud.public_key)
            .args(["--data", r#"{"duration_secs": 8}"#, "--json"])
            .output()
            .unwrap();
        assert!(output.status.success());
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        answer["sessionId"].as_str().unwrap().to_string()
    }

    /// A successful build of the example project (deployed once; later
    /// calls reuse the cached build).
    fn build_id(&self) -> String {
        self.cmd()
            .current_dir(self.home().join("my-bot"))
            .args(["cloud", "deploy", "my-bot", "--yes", "--quiet"])
            .timeout(Duration::from_secs(300))
            .assert()
            .success();
        let output = self
            .cmd()
            .args(["cloud", "build", "list", "--status", "success", "--json"])
            .output()
            .unwrap();
        let listing: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        listing["builds"][0]["id"].as_str().unwrap().to_string()
    }

    /// `line` pasted into a shell on a terminal; its exit code and screen.
    fn paste(&self, line: &str) -> (u32, String) {
        let bin_dir = common::pipecat_bin().parent().unwrap().to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(bin_dir)
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        let serve = line.contains("local serve");
        // A server is stopped with Ctrl-C; `exec` so that it gets it.
        let script = if serve {
            format!("exec {line}")
        } else {
            line.to_string()
        };
        let mut pty = PtyCommand::shell(&script, 40, 120)
            .env("PATH", path)
            .env("HOME", self.home())
            .env("PIPECAT_CONFIG_PATH", self.home().join("pipecatcloud.toml"))
            .env("PIPECAT_API_HOST", &self.cloud.url)
            .env("PIPECAT_TOKEN", &self.cloud.user_token)
            .env("PIPECAT_DEFAULT_PUBLIC_KEY", &self.cloud.public_key)
            .env("PIPECAT_LOCAL_DATA_DIR", &self.cloud.data_dir)
            .cwd(self.home())
            .spawn();
        if serve {
            pty.wait_for("listening on", Duration::from_secs(90));
            pty.ctrl_c();
        } else if line.contains("auth login") {
            // Play the browser: open the printed URL; the local cloud
            // approves at once and redirects to the command's callback.
            let _ports = common::login::CallbackPorts::lock();
            let url = login_url(&pty);
            let browser = common::login::browser();
            let approved = browser.get(&url).send().unwrap();
            let callback = approved.headers()["location"].to_str().unwrap().to_string();
            browser.get(&callback).send().unwrap();
        } else if line == "pipecat cloud top" {
            // A full-screen view: quit it as a person does.
            pty.wait_for("active session", Duration::from_secs(90));
            pty.send(b"q");
        } else {
            // Answer a question, once, if one is asked.
            let deadline = std::time::Instant::now() + Duration::from_secs(90);
            while std::time::Instant::now() < deadline && !pty.exited() {
                let screen = pty.screen();
                if screen.contains("[y/N]") || screen.contains("[Y/n]") {
                    pty.send(b"y");
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let code = pty.wait_exit(Duration::from_secs(120));
        (code, pty.scrollback_and_screen())
    }
}

/// The authorization URL `auth login` prints, alone on its line (read
/// from the raw output: a long URL wraps on the screen).
fn login_url(pty: &common::pty::Pty) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
        if let Some(url) = raw
            .split(['\r', '\n'])
            .map(str::trim)
            .find(|line| line.starts_with("http") && line.contains("/authorize?"))
        {
            return url.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no login URL:\n{}",
            pty.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_example_in_the_help_works_as_written() {
    let examples = Examples::new();
    let mut commands = Vec::new();
    every_command(Vec::new(), &mut commands);
    assert!(commands.len() > 30, "{commands:?}");
    for (path, lines) in &commands {
        assert!(
            (2..=4).contains(&lines.len()),
            "`pipecat {}` has {} examples",
            path.join(" "),
            lines.len()
        );
    }
    // `local stop` stops the cloud every example runs against: last.
    let mut pasted: Vec<(&Vec<String>, &String)> = commands
        .iter()
        .flat_map(|(path, lines)| lines.iter().map(move |line| (path, line)))
        .collect();
    pasted.sort_by_key(|(_, line)| line.contains("local stop"));
    for (path, line) in pasted {
        let mut line = line.replace("ORG", &examples.cloud.org);
        if line.contains("SESSION_ID") {
            line = line.replace("SESSION_ID", &examples.session());
        }
        if line.contains("BUILD_ID") {
            line = line.replace("BUILD_ID", &examples.build_id());
        }
        if line.contains("agent delete my-agent") {
            examples
                .cmd()
                .args(["cloud", "deploy", "my-agent", "me/my-agent:1.0", "--yes"])
                .assert()
                .success();
        }
        let (code, screen) = examples.paste(&line);
        assert_eq!(
            code,
            0,
            "`{line}` (from `pipecat {} --help`):\n{screen}",
            path.join(" ")
        );
    }
}

#[test]
fn man_writes_a_page_per_command_with_dir() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man");
    let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut cmd);
    let output = cmd.args(["man", "--dir"]).arg(&pages).output().unwrap();
    assert!(output.status.success());
    for page in [
        "pipecat.1",
        "pipecat-cloud.1",
        "pipecat-cloud-agent-start.1",
        "pipecat-help.1",
    ] {
        let text =
            std::fs::read_to_string(pages.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie \\n(.g .ds Aq") || text.contains(".TH"),
            "{page}"
        );
    }
    let start = std::fs::read_to_string(pages.join("pipecat-cloud-agent-start.1")).unwrap();
    assert!(start.contains("wait\\-for\\-capacity"), "{start}");
    let listed = String::from_utf8(output.stdout).unwrap();
    assert!(listed.lines().count() > 30, "{listed}");
    // The demo bot is not a command for people.
    assert!(!pages.join("pipecat-cloud-local-demo-bot.1").exists());
}
