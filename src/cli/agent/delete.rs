//! `pipecat cloud agent delete`: delete an agent. New starts fail at once;
//! sessions already running keep running until they are stopped.
//!
//! Any 2xx is success, a 204 without a body too (see docs/compatibility.md).

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use serde_json::{Map, Value, json};

use super::super::complete;
use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::{Answer, Question};

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Agent to delete
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: String,
    /// Delete without asking (needed when stdin is not a terminal)
    #[arg(short = 'f', long)]
    pub force: bool,
}

pub async fn run(args: DeleteArgs, ctx: &Context) -> CliResult {
    let agent = args.agent_name;
    if !args.force {
        ctx.out.confirm(&Question {
            action: "deleting an agent",
            prompt: format!("Delete agent {agent}? New sessions can no longer start"),
            default_yes: false,
            skip_flag: "--force (-f)",
            declined: "not deleted",
        })?;
    }
    let client = ctx.management_client().await?;
    let deleted = match client.delete_agent(&agent).await {
        Ok(deleted) => deleted,
        Err(err) => {
            let command = ["agent", "delete", agent.as_str()];
            return Err(super::agent_failure(ctx, &client, &agent, &err, &command).await);
        }
    };
    // The server's answer (`{"status": "OK"}`; a 204 has none) with the
    // agent named, the same whichever surface answered.
    let mut document = match deleted.raw {
        Value::Object(answer) => answer,
        _ => Map::from_iter([("status".to_string(), json!("OK"))]),
    };
    document.insert("agentName".into(), Value::String(agent.clone()));
    ctx.out
        .answer(Answer::new(Value::Object(document)).note(format!(
            "Deleted agent `{agent}`. Sessions still running keep running until stopped."
        )))
}
