//! The command tree: `pipecat cloud <group> <command>`. One module per
//! command group; each has an `Args` type and a `run` function.

pub mod agent;
pub mod auth;
pub mod context;
pub mod deploy;
pub mod duration;
pub mod exit;
pub mod local;
pub mod organizations;
pub mod output;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use context::{Context, GlobalArgs};
use exit::{CliResult, EXIT_CODES_HELP, Exit};

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
    propagate_version = true
)]
pub struct PccCli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: CloudCommand,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct CloudArgs {
    #[command(subcommand)]
    pub command: CloudCommand,
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
    /// Store, check and remove your credentials.
    Auth(auth::AuthArgs),
    /// Run and manage a local Pipecat Cloud on this machine.
    Local(local::LocalArgs),
}

/// Parse, run, and turn the outcome into an exit code.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (global, command) = if invoked_as_pcc(&args) {
        let pcc = PccCli::parse_from(args);
        (pcc.global, pcc.command)
    } else {
        let cli = Cli::parse_from(args);
        match cli.command {
            TopCommand::Cloud(cloud) => (cli.global, cloud.command),
            TopCommand::Completions(completions) => {
                print_completions(completions.shell);
                return Exit::Success.into();
            }
            TopCommand::Man => return print_man_page(),
        }
    };
    // The demo bot is a session process, many at a time: plain sync code,
    // no async runtime.
    if let CloudCommand::Local(local::LocalArgs {
        command: local::LocalCommand::DemoBot,
    }) = &command
    {
        let code = pipecat_cloud::local::demo_bot::run();
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let mut ctx = Context::new(global);
    // `--local` points every command but `local ...` (which manages the
    // server itself) at the local cloud, starting it when none runs.
    let attached = if ctx.global.local && !matches!(command, CloudCommand::Local(_)) {
        local::attach(&mut ctx)
    } else {
        Ok(())
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return Exit::ApiFailure.into();
        }
    };
    let outcome = attached.and_then(|()| runtime.block_on(run(command, &ctx)));
    match outcome {
        Ok(()) => Exit::Success.into(),
        Err(failure) => {
            let paint = |style, text| ctx.stderr_painter.paint(style, text);
            eprintln!(
                "{} {}",
                paint(output::RED.bold(), "error:"),
                failure.message
            );
            if let Some(hint) = &failure.hint {
                eprintln!("{} {hint}", paint(output::DIM, "hint:"));
            }
            failure.exit.into()
        }
    }
}

async fn run(command: CloudCommand, ctx: &Context) -> CliResult {
    match command {
        CloudCommand::Deploy(args) => deploy::run(*args, ctx).await,
        CloudCommand::Agent(args) => agent::run(args, ctx).await,
        CloudCommand::Organizations(args) => organizations::run(args, ctx).await,
        CloudCommand::Auth(args) => auth::run(args, ctx).await,
        CloudCommand::Local(args) => local::run(args, ctx).await,
    }
}

/// True when the binary was started as `pcc` (a link or a copy named so).
fn invoked_as_pcc(args: &[OsString]) -> bool {
    args.first()
        .and_then(|arg0| Path::new(arg0).file_stem())
        .is_some_and(|stem| stem == "pcc")
}

fn print_completions(shell: clap_complete::Shell) {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "pipecat", &mut script);
    output::stdout(&String::from_utf8_lossy(&script));
}

fn print_man_page() -> ExitCode {
    let mut page = Vec::new();
    if let Err(err) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        eprintln!("error: cannot render the man page: {err}");
        return Exit::ApiFailure.into();
    }
    output::stdout(&String::from_utf8_lossy(&page));
    Exit::Success.into()
}
