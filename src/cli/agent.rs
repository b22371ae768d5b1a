//! `pipecat cloud agent ...` (placeholder until the session commands land).

use clap::{Args, Subcommand};

use super::context::Context;
use super::exit::{CliResult, Failure};

#[derive(Debug, Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub command: AgentCommand,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Start a session of an agent.
    Start,
}

pub async fn run(_args: AgentArgs, _ctx: &Context) -> CliResult {
    Err(Failure::usage("placeholder"))
}
