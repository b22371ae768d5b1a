//! `pipecat cloud agent stop`: stop a running session.

use clap::Args;
use serde_json::{Map, Value, json};

use super::super::context::{Context, api_failure};
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, Question};
use pipecat_cloud::api::ErrorKind;

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Agent whose session to stop [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
    #[command(flatten)]
    pub deploy_config: super::DeployConfigArg,
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
    let agent = args.deploy_config.agent_name(args.agent_name)?;
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
    let stopped = client
        .stop_session(&agent, &session)
        .await
        .map_err(|err| match err.kind {
            ErrorKind::NotFound => Failure::new(
                Exit::NotFound,
                format!("no running session `{session}` of agent `{agent}`: {err}"),
            )
            .with_hint(format!(
                "list the active ones with `pipecat cloud agent sessions {agent} --status active`"
            )),
            _ => api_failure(&err),
        })?;
    // The stop answer's shape (a 204 has no body: then it says what
    // happened), always naming the session.
    let mut document = match stopped.raw {
        Value::Object(answer) => answer,
        _ => Map::from_iter([("status".to_string(), json!("stopped"))]),
    };
    document
        .entry("session_id")
        .or_insert_with(|| Value::String(session.clone()));
    ctx.out.answer(
        Answer::new(Value::Object(document))
            .note(format!("Stopped session `{session}` of agent `{agent}`.")),
    )
}
