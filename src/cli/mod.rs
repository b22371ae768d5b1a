//! The command tree: `pipecat cloud <group> <command>`. One module per
//! command group; each has an `Args` type and a `run` function.

pub mod agent;
pub mod auth;
pub mod context;
pub mod exit;
pub mod local;
pub mod organizations;
pub mod output;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

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
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct CloudArgs {
    #[command(subcommand)]
    pub command: CloudCommand,
}

#[derive(Debug, Subcommand)]
pub enum CloudCommand {
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
    let cli = Cli::parse();
    // The demo bot is a session process, many at a time: plain sync code,
    // no async runtime.
    if let TopCommand::Cloud(CloudArgs {
        command:
            CloudCommand::Local(local::LocalArgs {
                command: local::LocalCommand::DemoBot,
            }),
    }) = &cli.command
    {
        let code = pipecat_cloud::local::demo_bot::run();
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let ctx = Context::new(cli.global);
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
    let outcome = runtime.block_on(run(cli.command, &ctx));
    match outcome {
        Ok(()) => Exit::Success.into(),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            if let Some(hint) = &failure.hint {
                eprintln!("hint: {hint}");
            }
            failure.exit.into()
        }
    }
}

async fn run(command: TopCommand, ctx: &Context) -> CliResult {
    match command {
        TopCommand::Cloud(cloud) => match cloud.command {
            CloudCommand::Agent(args) => agent::run(args, ctx).await,
            CloudCommand::Organizations(args) => organizations::run(args, ctx).await,
            CloudCommand::Auth(args) => auth::run(args, ctx).await,
            CloudCommand::Local(args) => local::run(args, ctx).await,
        },
    }
}
