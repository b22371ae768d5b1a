//! The command tree: `pipecat cloud <group> <command>`. One module per
//! command group; each has an `Args` type and a `run` function.

pub mod agent;
pub mod argv;
pub mod auth;
pub mod build;
pub mod cli_config;
pub mod complete;
pub mod context;
pub mod deploy;
pub mod duration;
pub mod exit;
pub mod help;
pub mod local;
pub mod organizations;
pub mod output;
pub mod regions;
pub mod secrets;
pub mod settings;
pub mod top;
mod traps;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use context::Context;
use exit::{CliResult, Exit, Failure};
use output::{Output, OutputMode, OutputSettings, Terminals};
use pipecat_cloud::local::demo_bot;
use settings::{GlobalArgs, Settings};

/// The command tree of `pipecat`. Parse it with [`help::command`], which
/// adds the examples and the pointer to the global options.
#[derive(Debug, Parser)]
#[command(
    name = "pipecat",
    version,
    about = "A fast, scriptable client for Pipecat Cloud, with a local Pipecat Cloud for development and CI",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: TopCommand,
}

#[derive(Debug, Subcommand)]
pub enum TopCommand {
    /// Deploy and manage agents and sessions on Pipecat Cloud.
    Cloud(CloudArgs),
    /// Print a shell completion script (e.g. `pipecat completions bash`);
    /// it completes agent names and session ids too, asking the API.
    Completions(CompletionsArgs),
    /// Print the man page (roff) of `pipecat`, or write a page per command.
    Man(ManArgs),
    /// Show the help of a command, or of the options every command takes
    /// (`pipecat help globals`).
    Help(help::HelpArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write a page per command (`pipecat-cloud-agent-start.1`, ...) in
    /// DIR, made if missing, instead of printing the page of `pipecat`
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `pcc` is `pipecat cloud`: invoked under that name, the binary parses
/// this instead of [`Cli`].
#[derive(Debug, Parser)]
#[command(
    name = "pcc",
    version,
    about = "Pipecat Cloud from the command line (the same as `pipecat cloud`)",
    arg_required_else_help = true
)]
pub struct PccCli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub show: ShowCliConfig,
    #[command(subcommand)]
    pub command: Option<CloudCommand>,
}

#[derive(Debug, Args)]
#[command(arg_required_else_help = true)]
pub struct CloudArgs {
    #[command(flatten)]
    pub show: ShowCliConfig,
    #[command(subcommand)]
    pub command: Option<CloudCommand>,
}

/// `--show-cli-config`, the official CLI's look at its settings.
#[derive(Debug, Args)]
pub struct ShowCliConfig {
    /// Show every setting with its value and where it came from
    /// (credentials shortened), and the deploy config
    #[arg(long)]
    pub show_cli_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Create or update an agent, then wait until it is ready.
    Deploy(Box<deploy::DeployArgs>),
    /// Cloud builds (what `deploy` makes from a project folder): list
    /// them, show one, show its logs.
    Build(build::BuildArgs),
    /// Start, stop and inspect agents and their sessions.
    Agent(agent::AgentArgs),
    /// Organizations, their public API keys, properties and default region.
    #[command(visible_alias = "org")]
    Organizations(organizations::OrganizationsArgs),
    /// Secret sets (environment variables of an agent's sessions) and
    /// image pull secrets.
    Secrets(secrets::SecretsArgs),
    /// The regions agents and secret sets can be in.
    Regions(regions::RegionsArgs),
    /// Log in (in the browser, or with a personal access token), check who you are, log out.
    Auth(auth::AuthArgs),
    /// Run and manage a local Pipecat Cloud on this machine.
    Local(local::LocalArgs),
    /// Every agent's active sessions, live, full screen: select, stop, quit.
    ///
    /// Each agent's active sessions against its capacity, kept current;
    /// session starts and ends as they happen; the selected session's
    /// logs. Keys: ↑/↓ (or j/k) select a session, s stops it (after a
    /// yes), q or Esc quits.
    ///
    /// Without a terminal it prints a snapshot per interval, as `agent
    /// sessions --watch` does (one JSON object per line with --output
    /// json), until Ctrl-C.
    Top(top::TopArgs),
}

/// What a run does, once parsed.
enum Run {
    Cloud(CloudCommand),
    ShowCliConfig,
    /// `pipecat cloud` with global flags only.
    NoCommand,
    Completions(clap_complete::Shell),
    Man(ManArgs),
    Help(help::HelpArgs),
}

impl Run {
    fn cloud(show: ShowCliConfig, command: Option<CloudCommand>) -> Run {
        match (show.show_cli_config, command) {
            (true, _) => Run::ShowCliConfig,
            (false, Some(command)) => Run::Cloud(command),
            (false, None) => Run::NoCommand,
        }
    }
}

fn run_demo_bot() -> ExitCode {
    let code = demo_bot::run();
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Parse, resolve the settings, run, and turn the outcome into an exit
/// code; the one place that ends the process.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // The demo bot is a session process, many at a time: plain sync code,
    // no async runtime, no settings, and, run as the local cloud runs it,
    // not even the parser (building the command tree is most of what a
    // run of this program costs).
    if args.iter().skip(1).eq(demo_bot::ARGS.iter()) {
        return run_demo_bot();
    }
    if complete::answer_if_asked() {
        return ExitCode::SUCCESS;
    }
    let (global, run) = match parse(args) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    if let Run::Cloud(CloudCommand::Local(local::LocalArgs {
        command: local::LocalCommand::DemoBot,
    })) = &run
    {
        return run_demo_bot();
    }
    output::restore_terminal_on_panic();
    let terminals = Terminals::detect();
    // `--local` points every command but `local ...` (which manages the
    // server itself) at the local cloud.
    let local = (global.local && !matches!(run, Run::Cloud(CloudCommand::Local(_))))
        .then(pipecat_cloud::local::default_data_dir);
    let settings = match Settings::resolve(&global, local, &Settings::process_env, terminals) {
        Ok(settings) => settings,
        Err(failure) => {
            Output::new(Settings::fallback_output(&global), terminals).error(&failure);
            return failure.exit.into();
        }
    };
    let out = Output::new(settings.output, terminals);
    let reporting = settings.clone();
    match start(run, &global, settings, terminals, &out) {
        Ok(()) => Exit::Success.into(),
        Err(mut failure) => {
            // A hint's commands run as printed: with --local, --org or
            // --api-host when this run had them.
            failure.hint = failure.hint.map(|hint| reporting.complete_commands(&hint));
            out.error(&failure);
            failure.exit.into()
        }
    }
}

/// The command line, parsed; or, when it is not one to run (a usage
/// error, `--help`, `--version`), the exit code after saying so. Help and
/// usage errors follow `--color`; a flag that traps people gets a hint.
fn parse(args: Vec<OsString>) -> Result<(GlobalArgs, Run), ExitCode> {
    let pcc = invoked_as_pcc(&args);
    let args = if pcc {
        argv::expand_official_shorts(args, PccCli::command)
    } else {
        argv::expand_official_shorts(args, Cli::command)
    };
    let color = traps::color(&args);
    if let Some(failure) = traps::swallowed_value(&args) {
        let settings = OutputSettings {
            mode: OutputMode::Plain,
            color,
            no_color: Settings::process_env(pipecat_cloud::config::env::NO_COLOR).is_some(),
            quiet: false,
            verbose: 0,
            utc: false,
        };
        Output::new(settings, Terminals::detect()).error(&failure);
        return Err(failure.exit.into());
    }
    let command = help::command(pcc).color(match color {
        output::ColorChoice::Auto => clap::ColorChoice::Auto,
        output::ColorChoice::Always => clap::ColorChoice::Always,
        output::ColorChoice::Never => clap::ColorChoice::Never,
    });
    let parsed = command.try_get_matches_from(&args).and_then(|matches| {
        // `auth login` waits as long as a --timeout given on its command
        // line says (the default is for requests, not for a person).
        let timeout_given =
            matches.value_source("timeout") == Some(clap::parser::ValueSource::CommandLine);
        if pcc {
            let mut pcc = PccCli::from_arg_matches(&matches)?;
            pcc.global.timeout_given = timeout_given;
            Ok((pcc.global, Run::cloud(pcc.show, pcc.command)))
        } else {
            let mut cli = Cli::from_arg_matches(&matches)?;
            cli.global.timeout_given = timeout_given;
            let run = match cli.command {
                TopCommand::Cloud(cloud) => Run::cloud(cloud.show, cloud.command),
                TopCommand::Completions(completions) => Run::Completions(completions.shell),
                TopCommand::Man(man) => Run::Man(man),
                TopCommand::Help(topic) => Run::Help(topic),
            };
            Ok((cli.global, run))
        }
    });
    parsed.map_err(|err| {
        let err = traps::explain(err, &args);
        // A closed stream has nothing left to tell.
        let _ = err.print();
        ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
    })
}

fn start(
    run: Run,
    global: &GlobalArgs,
    settings: Settings,
    terminals: Terminals,
    out: &Output,
) -> CliResult {
    let command = match run {
        Run::Cloud(command) => command,
        Run::ShowCliConfig => {
            let answer = cli_config::report(global, &settings, &Settings::process_env, terminals)?;
            return out.answer(answer);
        }
        Run::NoCommand => {
            return Err(Failure::usage("no command given")
                .with_hint("`pipecat cloud --help` lists the commands"));
        }
        Run::Completions(shell) => return print_completions(shell, out),
        Run::Man(man) => return help::man(man.dir.as_deref(), out),
        Run::Help(topic) => return help::help(topic, out),
    };
    let mut ctx = Context::new(settings, out.clone());
    // With `--local`: start the local cloud when none runs.
    if ctx.settings.local.is_some() {
        local::attach(&mut ctx)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| {
            Failure::new(
                Exit::ApiFailure,
                format!("cannot start the async runtime: {err}"),
            )
        })?;
    runtime.block_on(run_command(command, &ctx))
}

async fn run_command(command: CloudCommand, ctx: &Context) -> CliResult {
    match command {
        CloudCommand::Deploy(args) => deploy::run(*args, ctx).await,
        CloudCommand::Build(args) => build::run(args, ctx).await,
        CloudCommand::Agent(args) => agent::run(args, ctx).await,
        CloudCommand::Organizations(args) => organizations::run(args, ctx).await,
        CloudCommand::Secrets(args) => secrets::run(args, ctx).await,
        CloudCommand::Regions(args) => regions::run(args, ctx).await,
        CloudCommand::Auth(args) => auth::run(args, ctx).await,
        CloudCommand::Local(args) => local::run(args, ctx).await,
        CloudCommand::Top(args) => top::run(args, ctx).await,
    }
}

/// Parses the command line as `P` (exiting with clap's message and code on
/// a usage error, as `Parser::parse_from` does), keeping the matches to
/// tell where a value came from.
/// True when the binary was started as `pcc` (a link or a copy named so).
fn invoked_as_pcc(args: &[OsString]) -> bool {
    args.first()
        .and_then(|arg0| Path::new(arg0).file_stem())
        .is_some_and(|stem| stem == "pcc")
}

fn print_completions(shell: clap_complete::Shell, out: &Output) -> CliResult {
    out.raw(&String::from_utf8_lossy(&complete::script(shell)))
}
