//! `pipecat cloud build ...`: the organization's cloud builds (what
//! `deploy` makes from a project folder), their status and their logs.
//! [`follow`] is the wait for a build to end, which `deploy` shares.

pub mod follow;
mod list;
mod logs;
mod status;

use clap::{Args, Subcommand};

use super::context::{Context, api_failure};
use super::exit::{CliResult, Exit, Failure};
use pipecat_cloud::api::{ApiError, ErrorKind};

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(subcommand)]
    pub command: BuildCommand,
}

#[derive(Debug, Subcommand)]
pub enum BuildCommand {
    /// List the organization's cloud builds, newest first.
    List(list::ListArgs),
    /// Show one build: its status, region, context, image and error.
    Status(status::StatusArgs),
    /// Show a build's log lines; with --follow, until it ends.
    Logs(logs::LogsArgs),
}

pub async fn run(args: BuildArgs, ctx: &Context) -> CliResult {
    match args.command {
        BuildCommand::List(args) => list::run(args, ctx).await,
        BuildCommand::Status(args) => status::run(args, ctx).await,
        BuildCommand::Logs(args) => logs::run(args, ctx).await,
    }
}

/// A failed request about build `id`: a build that does not exist says
/// where to find the ones that do.
fn build_failure(ctx: &Context, id: &str, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::NotFound => Failure::new(Exit::NotFound, format!("build {id} not found"))
            .with_hint(format!(
                "`{}` lists the organization's builds",
                ctx.settings.suggest(&["build", "list"])
            )),
        _ => api_failure(err),
    }
}
