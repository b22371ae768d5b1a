//! After the API accepted a deployment: waiting until it is ready (or
//! failed, or the wait is over), then saying how it ended.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::cli::context::{Context, api_failure};
use crate::cli::exit::{CliResult, Exit, Failure};
use crate::cli::output::Answer;
use pipecat_cloud::api::types::AgentDetails;
use pipecat_cloud::api::{Client, Phase};

/// The default of `--wait-timeout`: the official CLI's 120 polls of 5 s.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);
/// How often readiness is polled. The official CLI waits 5 s between
/// polls; a deployment that is ready in a second should not take five.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Failed polls in a row tolerated before giving up (as the official CLI).
const MAX_POLL_FAILURES: u32 = 5;

/// How a wait ended.
enum Outcome {
    Ready,
    NotWaited,
    Failed(String),
    TimedOut { phase: String },
}

/// Waits for readiness (unless `wait` is `None`, `--no-wait`) and answers
/// with the outcome: the agent's deployment in JSON, else a line saying
/// where it is; a failed or unfinished deployment is an error.
pub async fn finish(
    ctx: &Context,
    client: &Client,
    agent: &str,
    wait: Option<Duration>,
) -> CliResult {
    let (details, outcome) = match wait {
        None => (status(client, agent).await?, Outcome::NotWaited),
        Some(limit) => wait_ready(ctx, client, agent, limit).await?,
    };
    let deployment_id = details.deployment_id().unwrap_or_default().to_string();
    let available = details.is_available();
    let answer = Answer::new(json!({
        "agentName": agent,
        "deploymentId": deployment_id,
        "ready": details.ready,
        "available": available,
    }));
    match outcome {
        Outcome::Ready => {
            ctx.out.answer(answer.key_values(vec![
                ("Agent", agent.to_string()),
                ("Deployment ID", deployment_id),
                ("Ready", "yes".into()),
            ]))?;
            ctx.out.note(&format!(
                "Agent `{agent}` is ready: `{}` starts a session.",
                ctx.settings.suggest(&["agent", "start", agent])
            ));
            Ok(())
        }
        Outcome::NotWaited => {
            ctx.out.answer(answer)?;
            ctx.out.note(&format!(
                "Not waiting for readiness: `{}` shows it.",
                ctx.settings.suggest(&["agent", "status", agent])
            ));
            Ok(())
        }
        Outcome::Failed(reason) => {
            ctx.out.answer(answer)?;
            Err(Failure::new(
                Exit::ApiFailure,
                format!("deployment of agent `{agent}` failed: {reason}"),
            )
            .with_hint(format!(
                "check the image and `{}`, then deploy again",
                ctx.settings.suggest(&["agent", "status", agent])
            )))
        }
        Outcome::TimedOut { phase } if available => {
            ctx.out.answer(answer)?;
            ctx.out.warn(&format!(
                "agent `{agent}` is still rolling out after the wait ({phase}); \
                 its previous deployment keeps serving"
            ));
            Ok(())
        }
        Outcome::TimedOut { phase } => {
            ctx.out.answer(answer)?;
            Err(Failure::new(
                Exit::ApiFailure,
                format!("agent `{agent}` did not become available within the wait ({phase})"),
            )
            .with_hint(format!(
                "wait longer with --wait-timeout, or check `{}`",
                ctx.settings.suggest(&["agent", "status", agent])
            )))
        }
    }
}

async fn status(client: &Client, agent: &str) -> CliResult<AgentDetails> {
    client
        .get_agent(agent)
        .await
        .map(|found| found.value)
        .map_err(|err| api_failure(&err))
}

/// Polls the agent's status until it is ready, failed, or `limit` is
/// over, showing the phase as it goes; a few failed polls in a row (the
/// API briefly away) are ridden out.
async fn wait_ready(
    ctx: &Context,
    client: &Client,
    agent: &str,
    limit: Duration,
) -> CliResult<(AgentDetails, Outcome)> {
    let started = Instant::now();
    let mut progress = ctx.out.progress();
    let mut phase_text = String::new();
    let mut failures = 0;
    let mut last: Option<AgentDetails> = None;
    let outcome = loop {
        match client.get_agent(agent).await {
            Ok(found) => {
                failures = 0;
                let details = found.value;
                let phase = details.phase();
                phase_text = phase.describe(&details);
                progress.say(format!("agent `{agent}`: {phase_text}"));
                let failure = details.failure();
                last = Some(details);
                if let Some(reason) = failure {
                    break Outcome::Failed(reason);
                }
                if phase == Phase::Ready {
                    break Outcome::Ready;
                }
            }
            Err(err) if err.is_outage() && failures < MAX_POLL_FAILURES => failures += 1,
            Err(err) => return Err(api_failure(&err)),
        }
        if started.elapsed() + POLL_INTERVAL > limit {
            break Outcome::TimedOut {
                phase: phase_text.clone(),
            };
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    };
    drop(progress);
    match last {
        Some(details) => Ok((details, outcome)),
        // Every poll failed transiently until the deadline.
        None => Err(Failure::new(
            Exit::Unreachable,
            format!("could not read the status of agent `{agent}` while waiting"),
        )),
    }
}
