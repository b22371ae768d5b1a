//! `pipecat cloud organizations ...` (placeholder until the session commands land).

use clap::{Args, Subcommand};

use super::context::Context;
use super::exit::{CliResult, Failure};

#[derive(Debug, Args)]
pub struct OrganizationsArgs {
    #[command(subcommand)]
    pub command: OrganizationsCommand,
}

#[derive(Debug, Subcommand)]
pub enum OrganizationsCommand {
    /// List organizations.
    List,
}

pub async fn run(_args: OrganizationsArgs, _ctx: &Context) -> CliResult {
    Err(Failure::usage("placeholder"))
}
