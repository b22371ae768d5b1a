//! `pipecat cloud agent delete`: delete an agent. New starts fail at once;
//! sessions already running keep running until they are stopped.
//!
//! Any 2xx is success, a 204 without a body too (the official CLI calls a
//! 204 "Agent not found", Q-DEL-1).

use clap::Args;
use serde_json::json;

use super::super::context::{Context, Question};
use super::super::exit::CliResult;
use super::super::output::{OutputMode, print_json};

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Agent to delete
    pub agent_name: String,
    /// Delete without asking (needed when stdin is not a terminal)
    #[arg(short = 'f', long)]
    pub force: bool,
}

pub async fn run(args: DeleteArgs, ctx: &Context) -> CliResult {
    let agent = args.agent_name;
    if !args.force {
        ctx.confirm(&Question {
            action: "deleting an agent",
            prompt: format!("Delete agent {agent}? New sessions can no longer start"),
            default_yes: false,
            skip_flag: "--force (-f)",
            declined: "not deleted",
        })?;
    }
    let client = ctx.management_client().await?;
    let deleted = client
        .delete_agent(&agent)
        .await
        .map_err(|err| super::agent_failure(&agent, &err))?;
    if ctx.output == OutputMode::Json {
        let answer = if deleted.raw.is_null() {
            json!({"status": "OK", "agentName": agent})
        } else {
            deleted.raw
        };
        print_json(&answer);
    } else {
        ctx.note(&format!(
            "Deleted agent `{agent}`. Sessions still running keep running until stopped."
        ));
    }
    Ok(())
}
