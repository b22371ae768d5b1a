//! Global flags, and the settings resolved from them once at start-up:
//! flags, then environment, then the config file, then defaults. Commands
//! read the resulting [`Settings`]; nothing looks the environment up again
//! later.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::exit::{CliResult, Failure};
use super::output::{ColorChoice, OutputMode, OutputSettings, Terminals};
use pipecat_cloud::api::DEFAULT_API_HOST;
use pipecat_cloud::config::env;
use pipecat_cloud::config::user::{self, Place, UserConfig};

/// Flags accepted anywhere on the command line.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Output mode [default: PIPECAT_OUTPUT, else `output` in the active
    /// organization's table of the config file, else rich on a terminal
    /// and plain otherwise]
    #[arg(long, global = true, hide_short_help = true, value_enum)]
    pub output: Option<OutputMode>,
    /// Shorthand for --output json
    #[arg(long, global = true, hide_short_help = true)]
    pub json: bool,
    /// Organization to act on (default: the active one in the config file)
    #[arg(short = 'o', long = "org", visible_alias = "organization", global = true, hide_short_help = true, env = env::ORG, hide_env_values = true)]
    pub org: Option<String>,
    /// API base URL [default: https://api.pipecat.daily.co]
    #[arg(long, global = true, hide_short_help = true, env = env::API_HOST, hide_env_values = true)]
    pub api_host: Option<String>,
    /// When to use colour (NO_COLOR is honoured)
    #[arg(long, global = true, hide_short_help = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only data and errors
    #[arg(short, long, global = true, hide_short_help = true)]
    pub quiet: bool,
    /// Print more about what happens: -v each request, -vv its headers
    /// and retries too
    #[arg(short, long, global = true, hide_short_help = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Show times in UTC [default: the local time zone]
    #[arg(long, global = true, hide_short_help = true)]
    pub utc: bool,
    /// Request timeout: seconds, or a duration such as 2m
    #[arg(long, global = true, hide_short_help = true, env = env::TIMEOUT, hide_env_values = true, default_value = "30", value_parser = super::duration::timeout)]
    pub timeout: Duration,
    /// True when `--timeout` is on the command line (not from the
    /// environment or the default); set by `main` from the parse.
    #[arg(skip)]
    pub timeout_given: bool,
    /// Talk to the local Pipecat Cloud in the default data dir (started in
    /// the background if none runs), with its own credentials and config
    #[arg(long, global = true, hide_short_help = true, env = env::LOCAL, hide_env_values = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub local: bool,
}

/// The name of the config file `--local` keeps in the data dir.
const LOCAL_CONFIG_FILE: &str = "pipecatcloud.toml";

/// Everything a command may read about how it was asked to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub output: OutputSettings,
    /// Bound of each request.
    pub timeout: Duration,
    /// `--timeout` was given on the command line: `auth login` then waits
    /// that long for the browser (instead of its own default).
    pub timeout_given: bool,
    /// `--api-host`/`PIPECAT_API_HOST`, else none (the real API).
    pub api_host: Option<String>,
    /// `--org`/`PIPECAT_ORG`, else none (the config file's, read by the
    /// commands that load it).
    pub org: Option<String>,
    /// The user config file in effect; `None` when there is no home
    /// directory to find it in.
    pub config_path: Option<PathBuf>,
    /// With `--local`: the data dir of the local cloud to talk to.
    pub local: Option<PathBuf>,
    /// `PIPECAT_TOKEN`.
    pub token: Option<String>,
    /// `PIPECAT_PRIVATE_API_KEY`.
    pub private_api_key: Option<String>,
    /// `PIPECAT_DEFAULT_PUBLIC_KEY`.
    pub default_public_key: Option<String>,
    /// The global flags a suggested command must repeat to reach the same
    /// cloud as this run: `--local`, else `--org`/`--api-host` when given.
    pub suggested_flags: Vec<String>,
    /// `PIPECAT_DEFAULT_PUBLIC_KEY_NAME`: what to call that key.
    pub default_public_key_name: Option<String>,
}

impl Settings {
    /// Resolves the settings of a run from its flags, its environment
    /// (`env` gives a variable's value, `None` when unset or empty) and the
    /// terminals it runs on. `local` is the local cloud's data dir when
    /// `--local` applies: then the credentials, organization and API host
    /// of the environment are not used (the local cloud's replace them,
    /// see [`Settings::attach_local`]), nor is the user's config file.
    pub fn resolve(
        flags: &GlobalArgs,
        local: Option<PathBuf>,
        env: &dyn Fn(&str) -> Option<String>,
        terminals: Terminals,
    ) -> CliResult<Settings> {
        let config_path = match &local {
            Some(data_dir) => Some(data_dir.join(LOCAL_CONFIG_FILE)),
            None => UserConfig::path_for(env(env::CONFIG_PATH).map(Into::into)).ok(),
        };
        // A file that cannot be read is skipped here: the commands that
        // need it report it.
        let file = config_path
            .as_deref()
            .and_then(|path| UserConfig::load(path).ok());
        let (mode, _) = output_mode(flags, env, file.as_ref(), terminals.stdout)?;
        let from_env = |name| if local.is_some() { None } else { env(name) };
        let api_host = flags.api_host.clone().filter(|host| !host.is_empty());
        let org = flags.org.clone().filter(|org| !org.is_empty());
        // A flag is repeated when the environment, still there when the
        // suggestion is pasted, would not give the same value.
        let suggested_flags = if local.is_some() {
            vec!["--local".to_string()]
        } else {
            [
                ("--org", &org, env::ORG),
                ("--api-host", &api_host, env::API_HOST),
            ]
            .into_iter()
            .filter(|(_, value, variable)| value.is_some() && **value != env(variable))
            .filter_map(|(flag, value, _)| Some([flag.to_string(), value.clone()?]))
            .flatten()
            .collect()
        };
        Ok(Settings {
            output: OutputSettings {
                mode,
                color: flags.color,
                no_color: env(env::NO_COLOR).is_some(),
                quiet: flags.quiet,
                verbose: flags.verbose.max(log_level_verbosity(env, file.as_ref())),
                utc: flags.utc,
            },
            timeout: flags.timeout,
            timeout_given: flags.timeout_given,
            api_host,
            org,
            config_path,
            token: from_env(env::TOKEN),
            private_api_key: from_env(env::PRIVATE_API_KEY),
            default_public_key: from_env(env::DEFAULT_PUBLIC_KEY),
            default_public_key_name: from_env(env::DEFAULT_PUBLIC_KEY_NAME),
            local,
            suggested_flags,
        })
    }

    /// The value of a variable of the process's environment, if set and
    /// not empty: what [`Settings::resolve`] reads in a real run.
    pub fn process_env(name: &str) -> Option<String> {
        std::env::var_os(name)
            .map(|value| value.to_string_lossy().into_owned())
            .filter(|value| !value.is_empty())
    }

    /// Settings good enough to report a failure to resolve the real ones.
    pub fn fallback_output(flags: &GlobalArgs) -> OutputSettings {
        OutputSettings {
            mode: OutputMode::Plain,
            color: flags.color,
            no_color: Settings::process_env(env::NO_COLOR).is_some(),
            quiet: flags.quiet,
            verbose: flags.verbose,
            utc: flags.utc,
        }
    }

    /// Points the run at a local cloud serving at `url` with organization
    /// `org` (with `--local`, once it runs).
    pub fn attach_local(&mut self, url: &str, org: &str) {
        self.api_host = Some(url.to_string());
        self.org = Some(org.to_string());
    }

    /// A `pipecat cloud` command line that can be pasted as printed: the
    /// words of `command` (e.g. `["agent", "stop", name, "--session", id]`)
    /// after the global flags that reach the same cloud as this run, each
    /// word quoted for a POSIX shell when it needs to be.
    pub fn suggest(&self, command: &[&str]) -> String {
        let words = ["pipecat", "cloud"].into_iter().map(str::to_string).chain(
            self.suggested_flags
                .iter()
                .map(String::as_str)
                .chain(command.iter().copied())
                .map(shell_word),
        );
        words.collect::<Vec<_>>().join(" ")
    }

    /// `text` with the global flags of [`Settings::suggest`] added to
    /// every command in it written `` `pipecat cloud ...` `` that lacks
    /// them: how a failure's hint, written where the settings are not at
    /// hand, becomes runnable as printed.
    pub fn complete_commands(&self, text: &str) -> String {
        const COMMAND: &str = "`pipecat cloud ";
        let flags: Vec<String> = self
            .suggested_flags
            .iter()
            .map(|flag| shell_word(flag))
            .collect();
        if flags.is_empty() {
            return text.to_string();
        }
        let flags = format!("{} ", flags.join(" "));
        let mut completed = String::with_capacity(text.len() + flags.len());
        let mut rest = text;
        while let Some(at) = rest.find(COMMAND) {
            let (before, after) = rest.split_at(at + COMMAND.len());
            completed.push_str(before);
            if !after.starts_with(&flags) {
                completed.push_str(&flags);
            }
            rest = after;
        }
        completed.push_str(rest);
        completed
    }

    /// The API base URL.
    pub fn api_host(&self) -> &str {
        self.api_host.as_deref().unwrap_or(DEFAULT_API_HOST)
    }
}

/// `word` as a POSIX shell reads it back: unchanged when it is made of
/// characters no shell treats specially, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The config file, at this place.
    File(Place),
    /// The built-in default.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(flag) => f.write_str(flag),
            Source::Env(name) => f.write_str(name),
            Source::File(Place::TopLevel) => f.write_str("config file"),
            Source::File(Place::OrgTable(org)) => write!(f, "config file [{org}]"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// `--json`, `--output`, then `PIPECAT_OUTPUT`, then `output` in the
/// config file's active organization, then rich on a terminal and plain
/// otherwise. A value that names no mode is an error naming its source.
pub(super) fn output_mode(
    flags: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
    file: Option<&UserConfig>,
    stdout_is_terminal: bool,
) -> CliResult<(OutputMode, Source)> {
    let invalid = |source: String, value: &str| {
        Failure::usage(format!("{source} is {value:?}, not an output mode"))
            .with_hint("use rich, plain or json")
    };
    if flags.json {
        return Ok((OutputMode::Json, Source::Flag("--json")));
    }
    if let Some(mode) = flags.output {
        return Ok((mode, Source::Flag("--output")));
    }
    if let Some(value) = env(env::OUTPUT) {
        return OutputMode::named(&value)
            .map(|mode| (mode, Source::Env(env::OUTPUT)))
            .ok_or_else(|| invalid(env::OUTPUT.to_string(), &value));
    }
    if let Some(config) = file
        && let Some(value) = config.active_org_setting(user::OUTPUT)
    {
        let org = config.org().unwrap_or_default().to_string();
        return OutputMode::named(value)
            .map(|mode| (mode, Source::File(Place::OrgTable(org.clone()))))
            .ok_or_else(|| {
                invalid(
                    format!(
                        "`output` in [{org}] of config file {}",
                        config.path().display()
                    ),
                    value,
                )
            });
    }
    let mode = if stdout_is_terminal {
        OutputMode::Rich
    } else {
        OutputMode::Plain
    };
    Ok((mode, Source::Default))
}

/// The official CLI's log level, `PIPECAT_CLI_LOG_LEVEL` else
/// `cli_log_level` in the config file, and where it came from.
pub(super) fn log_level(
    env: &dyn Fn(&str) -> Option<String>,
    file: Option<&UserConfig>,
) -> Option<(String, Source)> {
    if let Some(level) = env(env::CLI_LOG_LEVEL) {
        return Some((level, Source::Env(env::CLI_LOG_LEVEL)));
    }
    file?
        .setting(user::CLI_LOG_LEVEL)
        .map(|(level, place)| (level, Source::File(place)))
}

/// `-v` as the official log level asks for it: its DEBUG (or TRACE) shows
/// what `-v` shows; other levels change nothing.
fn log_level_verbosity(env: &dyn Fn(&str) -> Option<String>, file: Option<&UserConfig>) -> u8 {
    match log_level(env, file) {
        Some((level, _))
            if level.eq_ignore_ascii_case("debug") || level.eq_ignore_ascii_case("trace") =>
        {
            1
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser;

    use super::*;
    use crate::cli::exit::Exit;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        global: GlobalArgs,
    }

    /// Settings of a run with these arguments and variables, as if on a
    /// terminal when `terminal`.
    fn resolve(args: &[&str], vars: &[(&str, &str)], terminal: bool) -> CliResult<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // clap reads the variables it knows itself; hand them over.
        let cli =
            Cli::try_parse_from(std::iter::once("pipecat").chain(args.iter().copied())).unwrap();
        let env = move |name: &str| vars.get(name).cloned().filter(|v| !v.is_empty());
        let terminals = Terminals {
            stdout: terminal,
            ..Terminals::default()
        };
        Settings::resolve(&cli.global, None, &env, terminals)
    }

    fn mode(args: &[&str], vars: &[(&str, &str)]) -> OutputMode {
        resolve(args, vars, false).unwrap().output.mode
    }

    fn config(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipecatcloud.toml");
        std::fs::write(&path, text).unwrap();
        let path = path.display().to_string();
        (dir, path)
    }

    #[test]
    fn the_output_mode_is_flag_then_env_then_config_then_terminal() {
        let (_dir, path) = config("org = \"acme\"\n[acme]\noutput = \"json\"\n");
        let file = [(env::CONFIG_PATH, path.as_str())];
        let with_env = [(env::CONFIG_PATH, path.as_str()), (env::OUTPUT, "rich")];
        assert_eq!(mode(&["--output", "plain"], &with_env), OutputMode::Plain);
        assert_eq!(
            mode(&["--output", "plain", "--json"], &[]),
            OutputMode::Json
        );
        assert_eq!(mode(&[], &with_env), OutputMode::Rich);
        assert_eq!(mode(&[], &file), OutputMode::Json);
        let (_other, other) = config("org = \"other\"\n[acme]\noutput = \"json\"\n");
        assert_eq!(mode(&[], &[(env::CONFIG_PATH, &other)]), OutputMode::Plain);
        let (_dir, none) = config("");
        let nothing = [(env::CONFIG_PATH, none.as_str())];
        assert_eq!(mode(&[], &nothing), OutputMode::Plain);
        let on_terminal = resolve(&[], &nothing, true).unwrap();
        assert_eq!(on_terminal.output.mode, OutputMode::Rich);
    }

    #[test]
    fn an_invalid_mode_is_exit_2_naming_where_it_came_from() {
        let err = resolve(&[], &[(env::OUTPUT, "yaml")], false).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert_eq!(
            err.message,
            "PIPECAT_OUTPUT is \"yaml\", not an output mode"
        );
        assert_eq!(err.hint.as_deref(), Some("use rich, plain or json"));
        let (_dir, path) = config("org = \"acme\"\n[acme]\noutput = \"table\"\n");
        let err = resolve(&[], &[(env::CONFIG_PATH, &path)], false).unwrap_err();
        assert_eq!(
            err.message,
            format!("`output` in [acme] of config file {path} is \"table\", not an output mode")
        );
        // A flag or the environment wins before the file is read.
        assert!(resolve(&["--json"], &[(env::CONFIG_PATH, &path)], false).is_ok());
        // A file that does not parse is left to the commands that read it.
        let (_dir, broken) = config("org = \n");
        assert!(resolve(&[], &[(env::CONFIG_PATH, &broken)], false).is_ok());
    }

    #[test]
    fn suggested_commands_reach_the_same_cloud_and_survive_the_shell() {
        let plain = resolve(&[], &[], false).unwrap();
        assert_eq!(
            plain.suggest(&["agent", "stop", "bot", "--session", "ab-12"]),
            "pipecat cloud agent stop bot --session ab-12"
        );
        let flagged = resolve(
            &["--org", "acme", "--api-host", "http://127.0.0.1:9"],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            flagged.suggest(&["agent", "logs", "it's"]),
            "pipecat cloud --org acme --api-host http://127.0.0.1:9 agent logs 'it'\\''s'"
        );
        // What the environment gives is not repeated.
        let from_env = resolve(
            &["--org", "acme", "--api-host", "http://127.0.0.1:9"],
            &[(env::ORG, "acme"), (env::API_HOST, "http://other:1")],
            false,
        )
        .unwrap();
        assert_eq!(
            from_env.suggest(&["agent", "list"]),
            "pipecat cloud --api-host http://127.0.0.1:9 agent list"
        );
        let mut local = plain.clone();
        local.suggested_flags = vec!["--local".into()];
        assert_eq!(
            local.suggest(&["agent", "list"]),
            "pipecat cloud --local agent list"
        );
    }

    #[test]
    fn commands_in_a_hint_get_the_flags_they_lack() {
        let plain = resolve(&[], &[], false).unwrap();
        let hint = "list them with `pipecat cloud agent list`, then `pipecat cloud agent stop`";
        assert_eq!(plain.complete_commands(hint), hint);
        let flagged = resolve(&["--org", "acme corp"], &[], false).unwrap();
        assert_eq!(
            flagged.complete_commands(hint),
            "list them with `pipecat cloud --org 'acme corp' agent list`, \
             then `pipecat cloud --org 'acme corp' agent stop`"
        );
        // A command that has them already is left alone.
        let made = flagged.suggest(&["agent", "list"]);
        let twice = flagged.complete_commands(&format!("run `{made}`"));
        assert_eq!(twice, format!("run `{made}`"));
        // Text without a command, or a command outside backquotes, stays.
        assert_eq!(
            flagged.complete_commands("retry later; pipecat cloud agent list"),
            "retry later; pipecat cloud agent list"
        );
    }

    #[test]
    fn the_official_log_level_debug_means_verbose() {
        let verbose = |vars: &[(&str, &str)]| resolve(&[], vars, false).unwrap().output.verbose;
        assert_eq!(verbose(&[(env::CLI_LOG_LEVEL, "DEBUG")]), 1);
        assert_eq!(verbose(&[(env::CLI_LOG_LEVEL, "INFO")]), 0);
        let (_dir, path) = config("org = \"acme\"\n[acme]\ncli_log_level = \"debug\"\n");
        assert_eq!(verbose(&[(env::CONFIG_PATH, &path)]), 1);
        // The environment wins over the file, and -vv stays -vv.
        let both = [
            (env::CONFIG_PATH, path.as_str()),
            (env::CLI_LOG_LEVEL, "ERROR"),
        ];
        assert_eq!(verbose(&both), 0);
        let flags = resolve(&["-vv"], &[(env::CLI_LOG_LEVEL, "DEBUG")], false).unwrap();
        assert_eq!(flags.output.verbose, 2);
    }

    #[test]
    fn the_mode_says_where_it_came_from() {
        let cli = Cli::try_parse_from(["pipecat"]).unwrap();
        let none = |_: &str| None;
        let (mode, source) = output_mode(&cli.global, &none, None, true).unwrap();
        assert_eq!((mode, source), (OutputMode::Rich, Source::Default));
        let json = Cli::try_parse_from(["pipecat", "--json"]).unwrap();
        let (_, source) = output_mode(&json.global, &none, None, false).unwrap();
        assert_eq!(source.to_string(), "--json");
        let file = UserConfig::parse(
            std::path::Path::new("c.toml"),
            "org = \"acme\"\n[acme]\noutput = \"plain\"\n",
        )
        .unwrap();
        let (_, source) = output_mode(&cli.global, &none, Some(&file), true).unwrap();
        assert_eq!(source.to_string(), "config file [acme]");
    }

    #[test]
    fn credentials_come_from_the_environment_unless_local() {
        let vars = [
            (env::TOKEN, "pcc_pat_x"),
            (env::PRIVATE_API_KEY, "sk_x"),
            (env::DEFAULT_PUBLIC_KEY, ""),
            (env::DEFAULT_PUBLIC_KEY_NAME, "ci"),
            (env::NO_COLOR, "1"),
        ];
        let settings = resolve(&["--org", "acme", "-q", "-vv"], &vars, false).unwrap();
        assert_eq!(settings.token.as_deref(), Some("pcc_pat_x"));
        assert_eq!(settings.private_api_key.as_deref(), Some("sk_x"));
        assert_eq!(settings.default_public_key, None);
        assert_eq!(settings.default_public_key_name.as_deref(), Some("ci"));
        assert_eq!(settings.org.as_deref(), Some("acme"));
        assert!(settings.output.no_color && settings.output.quiet);
        assert_eq!(settings.output.verbose, 2);
        assert_eq!(settings.api_host(), DEFAULT_API_HOST);

        let cli = Cli::try_parse_from(["pipecat"]).unwrap();
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let data_dir = PathBuf::from("/data");
        let mut local = Settings::resolve(
            &cli.global,
            Some(data_dir.clone()),
            &env,
            Terminals::default(),
        )
        .unwrap();
        assert_eq!((&local.token, &local.private_api_key), (&None, &None));
        assert_eq!(local.config_path, Some(data_dir.join("pipecatcloud.toml")));
        local.attach_local("http://127.0.0.1:7463", "local");
        assert_eq!(local.api_host(), "http://127.0.0.1:7463");
        assert_eq!(local.org.as_deref(), Some("local"));
    }
}
