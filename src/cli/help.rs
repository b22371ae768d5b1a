//! Help that teaches: `-h` shows a command's own options and points at
//! `pipecat help globals` for the options every command takes; `--help`
//! shows everything, the command's options first, and ends with a few
//! examples that work as written (tests/help_examples.rs runs each).
//! `pipecat help TOPIC` and `pipecat man` come from here too.

use std::path::Path;

use clap::{Args, Command, CommandFactory};

use super::exit::{CliResult, EXIT_CODES_HELP, Exit, Failure};
use super::output::{Answer, Output};
use super::settings::GlobalArgs;
use super::{Cli, PccCli};

/// The line `-h` ends with.
const GLOBALS_POINTER: &str =
    "Global options (--output, --org, --local, -v, ...): `pipecat help globals`";

/// Commands with exit codes at the end of their long help.
const WITH_EXIT_CODES: [&str; 2] = ["pipecat", "pipecat cloud"];

/// Examples of each command, by its path: a comment, then the command as
/// a person types it. Uppercase words are for the reader to fill in
/// (SESSION_ID, BUILD_ID, ORG).
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "pipecat",
        &[
            (
                "Try it on a local Pipecat Cloud, started in the background",
                "pipecat cloud --local agent start my-first-agent",
            ),
            ("Your agents on Pipecat Cloud", "pipecat cloud agent list"),
            ("The options every command takes", "pipecat help globals"),
        ],
    ),
    (
        "pipecat cloud",
        &[
            (
                "Your agents, then one's sessions",
                "pipecat cloud agent list",
            ),
            ("", "pipecat cloud agent sessions my-first-agent"),
            (
                "The same on the local cloud, as JSON",
                "pipecat cloud --local --json agent list",
            ),
        ],
    ),
    (
        "pipecat cloud deploy",
        &[
            (
                "Create or update an agent, and wait until it is ready",
                "pipecat cloud deploy my-agent me/my-agent:1.0",
            ),
            (
                "In CI: no question, the outcome as JSON",
                "pipecat cloud deploy my-agent me/my-agent:1.1 --yes --json",
            ),
            (
                "From a project folder with a Dockerfile: build it, then deploy",
                "cd my-bot && pipecat cloud deploy my-bot --yes",
            ),
            (
                "At most 10 sessions at once, each at most 5 minutes",
                "pipecat cloud deploy my-agent --max-agents 10 --max-session-duration 300",
            ),
        ],
    ),
    (
        "pipecat cloud build",
        &[
            ("The builds `deploy` made", "pipecat cloud build list"),
            ("Why one failed", "pipecat cloud build logs BUILD_ID"),
        ],
    ),
    (
        "pipecat cloud build list",
        &[
            ("The last 10 builds", "pipecat cloud build list"),
            (
                "The last 20 that failed, as JSON",
                "pipecat cloud build list --status failed --limit 20 --json",
            ),
        ],
    ),
    (
        "pipecat cloud build status",
        &[
            ("One build in full", "pipecat cloud build status BUILD_ID"),
            (
                "Just its status, for a script",
                "pipecat cloud build status BUILD_ID -q",
            ),
        ],
    ),
    (
        "pipecat cloud build logs",
        &[
            ("A build's log", "pipecat cloud build logs BUILD_ID"),
            (
                "Show its log until it ends (exit 1 if it failed)",
                "pipecat cloud build logs BUILD_ID --follow",
            ),
        ],
    ),
    (
        "pipecat cloud agent",
        &[
            ("Your agents", "pipecat cloud agent list"),
            (
                "Start a session",
                "pipecat cloud agent start my-first-agent",
            ),
            ("Every agent's sessions", "pipecat cloud agent sessions"),
        ],
    ),
    (
        "pipecat cloud agent start",
        &[
            (
                "Start a session, with data for the agent",
                r#"pipecat cloud agent start my-first-agent --data '{"room": "demo"}'"#,
            ),
            (
                "At the session limit, keep trying for up to 90 seconds",
                "pipecat cloud agent start my-first-agent --wait-for-capacity=90s",
            ),
            (
                "Start one and follow its logs until it ends",
                r#"pipecat cloud agent start my-first-agent -d '{"duration_secs":2}' --follow"#,
            ),
        ],
    ),
    (
        "pipecat cloud agent stop",
        &[
            (
                "Stop a session (it asks first)",
                "pipecat cloud agent stop my-first-agent --session SESSION_ID",
            ),
            (
                "In a script",
                "pipecat cloud agent stop my-first-agent --session SESSION_ID --force",
            ),
            (
                "Every active session of the agent, without a question",
                "pipecat cloud agent stop my-first-agent --all --yes",
            ),
        ],
    ),
    (
        "pipecat cloud agent sessions",
        &[
            (
                "Every agent's sessions, newest first",
                "pipecat cloud agent sessions",
            ),
            (
                "The sessions of one agent that run now",
                "pipecat cloud agent sessions my-first-agent --status active",
            ),
            (
                "One session in full",
                "pipecat cloud agent sessions my-first-agent --id SESSION_ID",
            ),
        ],
    ),
    (
        "pipecat cloud agent logs",
        &[
            (
                "The last 100 lines, oldest first",
                "pipecat cloud agent logs my-first-agent",
            ),
            (
                "One session's lines, then new ones until it ends",
                "pipecat cloud agent logs my-first-agent --session SESSION_ID --follow",
            ),
            (
                "The errors of the last 10 minutes, one JSON object a line",
                "pipecat cloud agent logs my-first-agent --level error --since 10m -f json",
            ),
        ],
    ),
    (
        "pipecat cloud agent list",
        &[
            ("", "pipecat cloud agent list"),
            (
                "Only the names, for a script",
                "pipecat cloud agent list --output plain | cut -f1",
            ),
            (
                "The agents of the local cloud",
                "pipecat cloud --local agent list",
            ),
        ],
    ),
    (
        "pipecat cloud agent status",
        &[
            ("", "pipecat cloud agent status my-first-agent"),
            (
                "As JSON",
                "pipecat cloud agent status my-first-agent --json",
            ),
        ],
    ),
    (
        "pipecat cloud agent deployments",
        &[
            ("", "pipecat cloud agent deployments my-first-agent"),
            (
                "Tab-separated, for a script",
                "pipecat cloud agent deployments my-first-agent --output plain",
            ),
        ],
    ),
    (
        "pipecat cloud agent delete",
        &[
            (
                "Delete an agent (it asks first); running sessions go on until stopped",
                "pipecat cloud agent delete my-agent",
            ),
            ("In a script", "pipecat cloud agent delete my-agent --force"),
        ],
    ),
    (
        "pipecat cloud organizations",
        &[
            ("Your organizations", "pipecat cloud organizations list"),
            (
                "The public API keys of the active one",
                "pipecat cloud organizations keys list",
            ),
        ],
    ),
    (
        "pipecat cloud organizations list",
        &[
            ("", "pipecat cloud organizations list"),
            ("As JSON", "pipecat cloud organizations list --json"),
        ],
    ),
    (
        "pipecat cloud organizations select",
        &[
            (
                "Make an organization the active one",
                "pipecat cloud organizations select ORG",
            ),
            (
                "The same, named by --org",
                "pipecat cloud --org ORG organizations select",
            ),
        ],
    ),
    (
        "pipecat cloud organizations keys",
        &[
            ("", "pipecat cloud organizations keys list"),
            (
                "A new key, made the default for `agent start`",
                "pipecat cloud organizations keys create --name web --default",
            ),
        ],
    ),
    (
        "pipecat cloud organizations keys list",
        &[
            ("", "pipecat cloud organizations keys list"),
            ("As JSON", "pipecat cloud organizations keys list --json"),
        ],
    ),
    (
        "pipecat cloud organizations keys create",
        &[
            ("", "pipecat cloud organizations keys create --name ci"),
            (
                "And make it the default for `agent start`",
                "pipecat cloud organizations keys create --name staging --default",
            ),
        ],
    ),
    (
        "pipecat cloud organizations keys revoke",
        &[
            (
                "Revoke a key by name or ID (it asks first)",
                "pipecat cloud organizations keys revoke ci",
            ),
            (
                "In a script",
                "pipecat cloud organizations keys revoke staging --force",
            ),
        ],
    ),
    (
        "pipecat cloud organizations keys use",
        &[
            (
                "The key `agent start` uses by default",
                "pipecat cloud organizations keys use web",
            ),
            (
                "The same for another organization",
                "pipecat cloud --org ORG organizations keys use web",
            ),
        ],
    ),
    (
        "pipecat cloud auth",
        &[
            ("Log in in the browser", "pipecat cloud auth login"),
            (
                "Store a personal access token from a file",
                "pipecat cloud auth use-pat < token.txt",
            ),
            ("Who it belongs to", "pipecat cloud auth whoami"),
        ],
    ),
    (
        "pipecat cloud auth login",
        &[
            (
                "Log in in the browser (the usual first step)",
                "pipecat cloud auth login",
            ),
            (
                "Without a browser here: open the printed URL elsewhere",
                "pipecat cloud auth login --no-browser",
            ),
        ],
    ),
    (
        "pipecat cloud auth use-pat",
        &[
            ("From a file", "pipecat cloud auth use-pat < token.txt"),
            (
                "From another program",
                "cat token.txt | pipecat cloud auth use-pat",
            ),
        ],
    ),
    (
        "pipecat cloud auth whoami",
        &[
            ("", "pipecat cloud auth whoami"),
            ("As JSON", "pipecat cloud auth whoami --json"),
        ],
    ),
    (
        "pipecat cloud auth logout",
        &[
            ("", "pipecat cloud auth logout"),
            ("As JSON", "pipecat cloud auth logout --json"),
        ],
    ),
    (
        "pipecat cloud local",
        &[
            (
                "Point this shell's clients at the local cloud",
                r#"eval "$(pipecat cloud local env)""#,
            ),
            (
                "Whether it runs, and its sessions",
                "pipecat cloud local status",
            ),
        ],
    ),
    (
        "pipecat cloud local serve",
        &[
            (
                "In the foreground, on a free port, with its own data",
                "pipecat cloud local serve --port 0 --data-dir ./local-cloud",
            ),
            (
                "And print each request it answers",
                "pipecat cloud local serve --port 0 --data-dir ./local-cloud -v",
            ),
            (
                "Run image me/my-agent as the command ./bot, with data in ./lc",
                "pipecat cloud local serve --port 0 --data-dir lc --image 'me/my-agent=./bot'",
            ),
            (
                "Run image bot through the agent container contract (./agent gets $PORT)",
                "pipecat cloud local serve --port 0 --data-dir lc --image 'bot=http:./agent'",
            ),
        ],
    ),
    (
        "pipecat cloud local env",
        &[
            ("", r#"eval "$(pipecat cloud local env)""#),
            ("As JSON", "pipecat cloud local env --json"),
        ],
    ),
    (
        "pipecat cloud local status",
        &[
            ("", "pipecat cloud local status"),
            ("As JSON", "pipecat cloud local status --json"),
        ],
    ),
    (
        "pipecat cloud local stop",
        &[
            (
                "The local cloud of the default data dir",
                "pipecat cloud local stop",
            ),
            (
                "Another one",
                "pipecat cloud local stop --data-dir ./local-cloud",
            ),
        ],
    ),
    (
        "pipecat cloud top",
        &[
            (
                "Every agent's active sessions, live, full screen (q quits)",
                "pipecat cloud top",
            ),
            (
                "One snapshot as JSON, for a script",
                "pipecat cloud top --output json | head -n 1",
            ),
        ],
    ),
    (
        "pipecat completions",
        &[
            ("", "pipecat completions bash > pipecat.bash"),
            ("", "pipecat completions zsh > _pipecat"),
            ("", "pipecat completions fish > pipecat.fish"),
        ],
    ),
    (
        "pipecat man",
        &[
            ("The page of `pipecat`", "pipecat man > pipecat.1"),
            (
                "A page per command, in a directory",
                "pipecat man --dir man",
            ),
        ],
    ),
    (
        "pipecat help",
        &[
            ("The options every command takes", "pipecat help globals"),
            (
                "The full help of a command",
                "pipecat help cloud agent start",
            ),
        ],
    ),
    (
        "pipecat cloud secrets",
        &[
            (
                "Store a project's .env file as a secret set (values are never shown)",
                "pipecat cloud secrets set my-agent-secrets --file .env --skip",
            ),
            (
                "The keys of a set, never their values",
                "pipecat cloud secrets list my-agent-secrets",
            ),
        ],
    ),
    (
        "pipecat cloud secrets set",
        &[
            (
                "Store the keys of a .env file (asks first on a terminal)",
                "pipecat cloud secrets set staging-secrets --file .env",
            ),
            (
                "In a script, from standard input",
                "pipecat cloud secrets set ci-secrets --file - --skip < .env",
            ),
        ],
    ),
    (
        "pipecat cloud secrets unset",
        &[
            (
                "Remove one key from a set",
                "pipecat cloud secrets unset staging-secrets DEEPGRAM_API_KEY",
            ),
            (
                "In a script",
                "pipecat cloud secrets unset staging-secrets CARTESIA_API_KEY --skip",
            ),
        ],
    ),
    (
        "pipecat cloud secrets list",
        &[
            (
                "Every secret set and image pull secret",
                "pipecat cloud secrets list",
            ),
            (
                "The keys of one set",
                "pipecat cloud secrets list staging-secrets",
            ),
        ],
    ),
    (
        "pipecat cloud secrets delete",
        &[
            (
                "Delete a set (asks first on a terminal)",
                "pipecat cloud secrets delete staging-secrets",
            ),
            (
                "In a script",
                "pipecat cloud secrets delete ci-secrets --skip",
            ),
        ],
    ),
    (
        "pipecat cloud secrets image-pull-secret",
        &[
            (
                "USER:PASSWORD read from a file, never typed on the command line",
                "pipecat cloud secrets image-pull-secret ghcr ghcr.io --skip < registry.txt",
            ),
            (
                "Another registry",
                "pipecat cloud secrets image-pull-secret quay quay.io -s < registry.txt",
            ),
        ],
    ),
    (
        "pipecat cloud regions",
        &[
            (
                "The regions you can deploy to",
                "pipecat cloud regions list",
            ),
            ("As JSON", "pipecat cloud regions list --json"),
        ],
    ),
    (
        "pipecat cloud regions list",
        &[
            ("", "pipecat cloud regions list"),
            ("As JSON", "pipecat cloud regions list --json"),
        ],
    ),
    (
        "pipecat cloud organizations default-region",
        &[
            (
                "Where agents and secret sets go when no region is named",
                "pipecat cloud organizations default-region",
            ),
            (
                "Change it",
                "pipecat cloud organizations default-region local",
            ),
        ],
    ),
    (
        "pipecat cloud organizations properties",
        &[
            (
                "Every property and its value",
                "pipecat cloud organizations properties list",
            ),
            (
                "What can be set, and to what",
                "pipecat cloud organizations properties schema",
            ),
        ],
    ),
    (
        "pipecat cloud organizations properties list",
        &[
            ("", "pipecat cloud organizations properties list"),
            (
                "As JSON",
                "pipecat cloud organizations properties list --json",
            ),
        ],
    ),
    (
        "pipecat cloud organizations properties schema",
        &[
            ("", "pipecat cloud organizations properties schema"),
            (
                "As JSON",
                "pipecat cloud organizations properties schema --json",
            ),
        ],
    ),
    (
        "pipecat cloud organizations properties set",
        &[
            (
                "The default region",
                "pipecat cloud organizations properties set defaultRegion local",
            ),
            (
                "As JSON",
                "pipecat cloud organizations properties set defaultRegion local --json",
            ),
        ],
    ),
];

/// The command tree as parsed and shown: `Cli` (or `PccCli` when invoked
/// as `pcc`), with the pointer to the global options on `-h` and the
/// examples on `--help` of every command.
pub fn command(pcc: bool) -> Command {
    let command = if pcc {
        PccCli::command()
    } else {
        Cli::command()
    };
    decorate(command, &[], pcc)
}

fn decorate(command: Command, parents: &[&str], pcc: bool) -> Command {
    let name = command.get_name().to_string();
    let mut path: Vec<&str> = parents.to_vec();
    path.push(&name);
    // `pcc X` is `pipecat cloud X`.
    let key = match (pcc, path.split_first()) {
        (true, Some((_, rest))) => ["pipecat", "cloud"]
            .into_iter()
            .chain(rest.iter().copied())
            .collect::<Vec<_>>()
            .join(" "),
        _ => path.join(" "),
    };
    let mut long = String::new();
    if WITH_EXIT_CODES.contains(&key.as_str()) || (pcc && parents.is_empty()) {
        long.push_str(EXIT_CODES_HELP);
        long.push_str("\n\n");
    }
    long.push_str(&examples_text(&key));
    let subcommands: Vec<Command> = command
        .get_subcommands()
        .map(|sub| decorate(sub.clone(), &path, pcc))
        .collect();
    let mut command = command
        .after_help(GLOBALS_POINTER)
        .after_long_help(long.trim_end().to_string());
    for sub in subcommands {
        let name = sub.get_name().to_string();
        command = command.mut_subcommand(name, |_| sub);
    }
    command
}

/// The `Examples:` section of the command at `path`.
fn examples_text(path: &str) -> String {
    let Some((_, examples)) = EXAMPLES.iter().find(|(p, _)| *p == path) else {
        return String::new();
    };
    let mut text = String::from("Examples:\n");
    for (comment, line) in *examples {
        if !comment.is_empty() {
            text.push_str(&format!("  # {comment}\n"));
        }
        text.push_str(&format!("  {line}\n"));
    }
    text
}

/// `pipecat help [TOPIC | COMMAND...]`.
#[derive(Debug, Args)]
pub struct HelpArgs {
    /// `globals` (the options every command takes), or a command (e.g.
    /// `cloud agent start`) [default: this program]
    #[arg(value_name = "TOPIC")]
    pub topic: Vec<String>,
}

/// Prints the long help of a topic or a command.
pub fn help(args: HelpArgs, out: &Output) -> CliResult {
    let words: Vec<&str> = args.topic.iter().map(String::as_str).collect();
    if words == ["globals"] {
        return out.raw(&globals());
    }
    let mut command = command(false);
    command.build();
    let mut found = &mut command;
    for word in &words {
        let names: Vec<String> = found
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .map(|sub| sub.get_name().to_string())
            .collect();
        found = match found.find_subcommand_mut(word) {
            Some(sub) => sub,
            None => {
                return Err(Failure::usage(format!(
                    "no help topic or command `{}`",
                    words.join(" ")
                ))
                .with_hint(format!("try `globals`, or one of: {}", names.join(", "))));
            }
        };
    }
    out.raw(&found.render_long_help().to_string())
}

/// The global options, as `--help` shows them.
fn globals() -> String {
    let mut command = GlobalArgs::augment_args(
        Command::new("globals")
            .disable_help_flag(true)
            .help_template(
                "The options every command takes, before or after its name.\n\n{all-args}\n",
            ),
    );
    command.render_long_help().to_string()
}

/// `pipecat man`: the page of `pipecat` on stdout, or with `dir` a page
/// per command written there.
pub fn man(dir: Option<&Path>, out: &Output) -> CliResult {
    let failed = |err: std::io::Error| {
        Failure::new(
            Exit::ApiFailure,
            format!("cannot write the man pages: {err}"),
        )
    };
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command(false))
            .render(&mut page)
            .map_err(failed)?;
        return out.raw(&String::from_utf8_lossy(&page));
    };
    std::fs::create_dir_all(dir).map_err(|err| {
        Failure::usage(format!("cannot create directory {}: {err}", dir.display()))
    })?;
    let mut command = command(false);
    command.build();
    let mut pages = Vec::new();
    write_pages(&command, dir, &mut pages).map_err(failed)?;
    let count = pages.len();
    let listed: Vec<String> = pages.iter().map(|p| p.display().to_string()).collect();
    out.answer(
        Answer::new(serde_json::json!({"pages": listed}))
            .lines(move |_| listed.iter().map(|page| format!("{page}\n")).collect())
            .note(format!("Wrote {count} man pages in {}.", dir.display())),
    )
}

/// A page for `command` and for each of its visible subcommands, named
/// after their path (`pipecat-cloud-agent-start.1`).
fn write_pages(
    command: &Command,
    dir: &Path,
    pages: &mut Vec<std::path::PathBuf>,
) -> std::io::Result<()> {
    pages.push(clap_mangen::Man::new(command.clone()).generate_to(dir)?);
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_pages(sub, dir, pages)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's path, as the examples name them.
    fn paths(command: &Command, parents: &str, into: &mut Vec<String>) {
        let path = if parents.is_empty() {
            command.get_name().to_string()
        } else {
            format!("{parents} {}", command.get_name())
        };
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            paths(sub, &path, into);
        }
        into.push(path);
    }

    #[test]
    fn every_command_has_two_to_four_examples_and_no_other_path_has_any() {
        let mut all = Vec::new();
        paths(&Cli::command(), "", &mut all);
        for path in &all {
            let examples = EXAMPLES.iter().find(|(p, _)| p == path);
            let count = examples.map_or(0, |(_, e)| e.len());
            assert!((2..=4).contains(&count), "{path}: {count} examples");
        }
        for (path, _) in EXAMPLES {
            assert!(
                all.iter().any(|p| p == path),
                "examples of no command: {path}"
            );
        }
    }

    #[test]
    fn examples_fit_80_columns_so_help_never_wraps_them() {
        for (path, examples) in EXAMPLES {
            for (comment, line) in *examples {
                assert!(line.chars().count() <= 76, "{path}: {line}");
                assert!(comment.chars().count() <= 74, "{path}: {comment}");
            }
        }
    }

    #[test]
    fn long_help_ends_with_the_examples_and_short_help_points_at_the_globals() {
        let mut command = command(false);
        command.build();
        let start = command
            .find_subcommand_mut("cloud")
            .and_then(|c| c.find_subcommand_mut("agent"))
            .and_then(|c| c.find_subcommand_mut("start"))
            .unwrap();
        let long = start.render_long_help().to_string();
        assert!(
            long.trim_end()
                .ends_with(r#"-d '{"duration_secs":2}' --follow"#),
            "{long}"
        );
        assert!(long.contains("Global options:"), "{long}");
        let short = start.render_help().to_string();
        assert!(short.trim_end().ends_with(GLOBALS_POINTER), "{short}");
        assert!(!short.contains("--api-host"), "{short}");
        assert!(!short.contains("--version"), "{short}");
    }

    #[test]
    fn pcc_commands_get_the_examples_of_pipecat_cloud() {
        let mut command = command(true);
        command.build();
        let list = command
            .find_subcommand_mut("agent")
            .and_then(|c| c.find_subcommand_mut("list"))
            .unwrap();
        assert!(
            list.render_long_help()
                .to_string()
                .contains("pipecat cloud agent list --output plain | cut -f1")
        );
    }

    #[test]
    fn the_globals_topic_lists_the_global_options_only() {
        let text = globals();
        for flag in [
            "--output",
            "--org",
            "--api-host",
            "--local",
            "--utc",
            "--verbose",
        ] {
            assert!(text.contains(flag), "{flag}: {text}");
        }
        assert!(!text.contains("--session"), "{text}");
    }
}
