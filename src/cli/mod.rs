//! The command tree: `pipecat cloud <group> <command>`. One module per
//! command group; each has an `Args` type and a `run` function.

pub mod agent;
pub mod argv;
pub mod auth;
pub mod cli_config;
pub mod context;
pub mod deploy;
pub mod duration;
pub mod exit;
pub mod local;
pub mod organizations;
pub mod output;
pub mod settings;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use context::Context;
use exit::{CliResult, EXIT_CODES_HELP, Exit, Failure};
use output::{Output, Terminals};
use settings::{GlobalArgs, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "pipecat",
    version,
    about = "A fast, scriptable client for Pipecat Cloud, with a local Pipecat Cloud for development and CI",
    after_help = EXIT_CODES_HELP,
    propagate_version = true
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
    /// Print a shell completion script (e.g. `pipecat completions bash`).
    Completions(CompletionsArgs),
    /// Print the man page (roff) of `pipecat`.
    Man,
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
    after_help = EXIT_CODES_HELP,
    propagate_version = true,
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
#[command(after_help = EXIT_CODES_HELP, arg_required_else_help = true)]
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
    /// Start, stop and inspect agents and their sessions.
    Agent(agent::AgentArgs),
    /// Organizations and their public API keys.
    #[command(visible_alias = "org")]
    Organizations(organizations::OrganizationsArgs),
    /// Log in (in the browser, or with a personal access token), check who you are, log out.
    Auth(auth::AuthArgs),
    /// Run and manage a local Pipecat Cloud on this machine.
    Local(local::LocalArgs),
}

/// What a run does, once parsed.
enum Run {
    Cloud(CloudCommand),
    ShowCliConfig,
    /// `pipecat cloud` with global flags only.
    NoCommand,
    Completions(clap_complete::Shell),
    Man,
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

/// Parse, resolve the settings, run, and turn the outcome into an exit
/// code; the one place that ends the process.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (mut global, run, matches) = if invoked_as_pcc(&args) {
        let (pcc, matches) = parse::<PccCli>(args);
        (pcc.global, Run::cloud(pcc.show, pcc.command), matches)
    } else {
        let (cli, matches) = parse::<Cli>(args);
        let run = match cli.command {
            TopCommand::Cloud(cloud) => Run::cloud(cloud.show, cloud.command),
            TopCommand::Completions(completions) => Run::Completions(completions.shell),
            TopCommand::Man => Run::Man,
        };
        (cli.global, run, matches)
    };
    global.timeout_given =
        matches.value_source("timeout") == Some(clap::parser::ValueSource::CommandLine);
    // The demo bot is a session process, many at a time: plain sync code,
    // no async runtime, no settings.
    if let Run::Cloud(CloudCommand::Local(local::LocalArgs {
        command: local::LocalCommand::DemoBot,
    })) = &run
    {
        let code = pipecat_cloud::local::demo_bot::run();
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
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
    match start(run, &global, settings, terminals, &out) {
        Ok(()) => Exit::Success.into(),
        Err(failure) => {
            out.error(&failure);
            failure.exit.into()
        }
    }
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
        Run::Man => return print_man_page(out),
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
        CloudCommand::Agent(args) => agent::run(args, ctx).await,
        CloudCommand::Organizations(args) => organizations::run(args, ctx).await,
        CloudCommand::Auth(args) => auth::run(args, ctx).await,
        CloudCommand::Local(args) => local::run(args, ctx).await,
    }
}

/// Parses the command line as `P` (exiting with clap's message and code on
/// a usage error, as `Parser::parse_from` does), keeping the matches to
/// tell where a value came from.
fn parse<P: Parser>(args: Vec<OsString>) -> (P, clap::ArgMatches) {
    let matches = P::command().get_matches_from(argv::expand_official_shorts(args, P::command));
    let parsed = P::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    (parsed, matches)
}

/// True when the binary was started as `pcc` (a link or a copy named so).
fn invoked_as_pcc(args: &[OsString]) -> bool {
    args.first()
        .and_then(|arg0| Path::new(arg0).file_stem())
        .is_some_and(|stem| stem == "pcc")
}

fn print_completions(shell: clap_complete::Shell, out: &Output) -> CliResult {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "pipecat", &mut script);
    out.raw(&String::from_utf8_lossy(&script))
}

fn print_man_page(out: &Output) -> CliResult {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|err| {
            Failure::new(
                Exit::ApiFailure,
                format!("cannot render the man page: {err}"),
            )
        })?;
    out.raw(&String::from_utf8_lossy(&page))
}
