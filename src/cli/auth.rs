//! `pipecat cloud auth ...` (placeholder until the session commands land).

use clap::{Args, Subcommand};

use super::context::Context;
use super::exit::{CliResult, Failure};

#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Who am I.
    Whoami,
}

pub async fn run(_args: AuthArgs, _ctx: &Context) -> CliResult {
    Err(Failure::usage("placeholder"))
}
