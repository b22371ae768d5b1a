//! `pipecat cloud local ...` (placeholder until the session commands land).

use clap::{Args, Subcommand};

use super::context::Context;
use super::exit::{CliResult, Failure};

#[derive(Debug, Args)]
pub struct LocalArgs {
    #[command(subcommand)]
    pub command: LocalCommand,
}

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Serve.
    Serve,
}

pub async fn run(_args: LocalArgs, _ctx: &Context) -> CliResult {
    Err(Failure::usage("placeholder"))
}
