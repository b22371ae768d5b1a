//! `pipecat cloud agent stop`: stop a running session.

use clap::Args;
use serde_json::json;

use super::super::context::{Context, api_failure};
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, Question};
use pipecat_cloud::api::ErrorKind;

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Agent whose session to stop [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
    /// The session to stop
    #[arg(
        short = 's',
        long = "session-id",
        visible_alias = "session",
        value_name = "ID"
    )]
    pub session_id: String,
    /// Stop without asking (needed when stdin is not a terminal)
    #[arg(short = 'f', long)]
    pub force: bool,
}

pub async fn run(args: StopArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let session = args.session_id;
    if !args.force {
        // Stopping cuts off whoever is in the session, so a person is asked
        // first, like the official CLI does; a script says `--force`.
        ctx.out.confirm(&Question {
            action: "stopping a session",
            prompt: format!("Stop session {session} of agent {agent}? Anyone in it is cut off"),
            default_yes: false,
            skip_flag: "--force (-f)",
            declined: "not stopped",
        })?;
    }
    let client = ctx.management_client().await?;
    let stopped = match client.stop_session(&agent, &session).await {
        Ok(stopped) => stopped,
        Err(err) if err.kind == ErrorKind::NotFound => {
            // A 404 is about the session or the agent: the agent's status says.
            if let Err(agent_err) = client.get_agent(&agent).await
                && agent_err.kind == ErrorKind::NotFound
            {
                let command = [
                    "agent",
                    "stop",
                    agent.as_str(),
                    "--session",
                    session.as_str(),
                ];
                return Err(super::agent_failure(ctx, &client, &agent, &agent_err, &command).await);
            }
            return Err(Failure::new(
                Exit::NotFound,
                format!("no running session `{session}` of agent `{agent}`: {err}"),
            )
            .with_hint(format!(
                "list the active ones with `{}`",
                ctx.settings
                    .suggest(&["agent", "sessions", &agent, "--status", "active"])
            )));
        }
        Err(err) => return Err(api_failure(&err)),
    };
    // A 204 has no body: say what happened in the stop answer's shape.
    let document = if stopped.raw.is_null() {
        json!({"status": "stopped", "session_id": session})
    } else {
        stopped.raw
    };
    ctx.out.answer(
        Answer::new(document).note(format!("Stopped session `{session}` of agent `{agent}`.")),
    )
}
