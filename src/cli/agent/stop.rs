//! `pipecat cloud agent stop`: stop a running session, one picked from
//! the active ones on a terminal, or every active one (`--all`).

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use serde_json::{Map, Value, json};
use tokio::task::JoinSet;

use super::super::complete;
use super::super::context::{Context, api_failure};
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, Question, format_duration};
use super::sessions::{active_sessions, duration_seconds, status_label};
use pipecat_cloud::api::types::Session;
use pipecat_cloud::api::{ApiError, Client, ErrorKind};

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Agent whose session to stop [default: `agent_name` in pcc-deploy.toml]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
    #[command(flatten)]
    pub deploy_config: super::DeployConfigArg,
    /// The session to stop (without it, a terminal offers a picker of the
    /// active ones)
    #[arg(
        short = 's',
        long = "session-id",
        visible_alias = "session",
        value_name = "ID",
        conflicts_with = "all",
        add = ArgValueCompleter::new(complete::session_ids)
    )]
    pub session_id: Option<String>,
    /// Stop every active session of the agent
    #[arg(long)]
    pub all: bool,
    /// Stop without asking (needed when stdin is not a terminal)
    #[arg(short = 'f', long, visible_alias = "yes", visible_short_alias = 'y')]
    pub force: bool,
}

/// Stop requests in flight at once with `--all`.
const STOPS_AT_ONCE: usize = 8;

pub async fn run(args: StopArgs, ctx: &Context) -> CliResult {
    let agent = args.deploy_config.agent_name(args.agent_name)?;
    match args.session_id {
        Some(session) => {
            if !args.force {
                confirm_one(ctx, &agent, &session)?;
            }
            stop_one(ctx, &agent, &session).await
        }
        None if args.all => stop_all(ctx, &agent, args.force).await,
        None if ctx.out.can_prompt() => {
            let client = ctx.management_client().await?;
            let Some(session) = pick(ctx, &client, &agent).await? else {
                return Ok(());
            };
            if !args.force {
                confirm_one(ctx, &agent, &session)?;
            }
            stop_one(ctx, &agent, &session).await
        }
        None => Err(
            Failure::usage("no session given, and stdin is not a terminal to pick one").with_hint(
                "pass --session ID to stop one session, or --all to stop every active one",
            ),
        ),
    }
}

/// Stopping cuts off whoever is in the session, so a person is asked
/// first, as the official CLI does; a script says `--force`.
fn confirm_one(ctx: &Context, agent: &str, session: &str) -> CliResult {
    ctx.out.confirm(&Question {
        action: "stopping a session",
        prompt: format!("Stop session {session} of agent {agent}? Anyone in it is cut off"),
        default_yes: false,
        skip_flag: "--yes (-y, or --force)",
        declined: "not stopped",
    })
}

async fn stop_one(ctx: &Context, agent: &str, session: &str) -> CliResult {
    let client = ctx.management_client().await?;
    let stopped = match client.stop_session(agent, session).await {
        Ok(stopped) => stopped,
        Err(err) if err.kind == ErrorKind::NotFound => {
            // A 404 is about the session or the agent: the agent's status says.
            if let Err(agent_err) = client.get_agent(agent).await
                && agent_err.kind == ErrorKind::NotFound
            {
                let command = ["agent", "stop", agent, "--session", session];
                return Err(super::agent_failure(ctx, &client, agent, &agent_err, &command).await);
            }
            return Err(Failure::new(
                Exit::NotFound,
                format!("no running session `{session}` of agent `{agent}`: {err}"),
            )
            .with_hint(format!(
                "list the active ones with `{}`",
                ctx.settings
                    .suggest(&["agent", "sessions", agent, "--status", "active"])
            )));
        }
        Err(err) => return Err(api_failure(&err)),
    };
    // The stop answer's shape (a 204 has no body: then it says what
    // happened), always naming the session.
    let mut document = match stopped.raw {
        Value::Object(answer) => answer,
        _ => Map::from_iter([("status".to_string(), json!("stopped"))]),
    };
    document
        .entry("session_id")
        .or_insert_with(|| Value::String(session.to_string()));
    ctx.out.answer(
        Answer::new(Value::Object(document))
            .note(format!("Stopped session `{session}` of agent `{agent}`.")),
    )
}

/// The session a person picks from the agent's active ones (id, age,
/// status), newest first; `None` when there is none.
async fn pick(ctx: &Context, client: &Client, agent: &str) -> CliResult<Option<String>> {
    let sessions = match active_sessions(client, agent).await {
        Ok(sessions) => sessions,
        Err(err) => {
            let command = ["agent", "stop", agent];
            return Err(super::agent_failure(ctx, client, agent, &err, &command).await);
        }
    };
    if sessions.is_empty() {
        ctx.out.note(&format!(
            "Agent `{agent}` has no active sessions: nothing to stop."
        ));
        return Ok(None);
    }
    let now = jiff::Timestamp::now();
    let items: Vec<String> = sessions.iter().map(|s| picker_item(s, now)).collect();
    let index = ctx
        .out
        .pick(&format!("Session of agent {agent} to stop"), &items, 0)?;
    Ok(Some(sessions[index].session_id.clone()))
}

/// `ID  running HH:MM:SS  Status`.
fn picker_item(session: &Session, now: jiff::Timestamp) -> String {
    let age = duration_seconds(session, now).map_or_else(|| "?".into(), format_duration);
    format!(
        "{}  running {age}  {}",
        session.session_id,
        status_label(session)
    )
}

/// Every active session, after one question (or `--yes`). Sessions that
/// end on their own meanwhile are not failures.
async fn stop_all(ctx: &Context, agent: &str, force: bool) -> CliResult {
    let question = |count: usize| Question {
        action: "stopping every active session",
        prompt: format!(
            "Stop all {count} active sessions of agent {agent}? Anyone in them is cut off"
        ),
        default_yes: false,
        skip_flag: "--yes (-y, or --force)",
        declined: "none stopped",
    };
    // Before any request: a script without --yes fails at once.
    if !force && !ctx.out.can_prompt() {
        return ctx.out.confirm(&question(0));
    }
    let client = ctx.management_client().await?;
    let sessions = match active_sessions(&client, agent).await {
        Ok(sessions) => sessions,
        Err(err) => {
            let command = ["agent", "stop", agent, "--all"];
            return Err(super::agent_failure(ctx, &client, agent, &err, &command).await);
        }
    };
    let ids: Vec<String> = sessions.into_iter().map(|s| s.session_id).collect();
    if ids.is_empty() {
        return ctx.out.answer(
            Answer::new(json!({"stopped": [], "alreadyEnded": [], "failed": []})).note(format!(
                "Agent `{agent}` has no active sessions: nothing to stop."
            )),
        );
    }
    if !force {
        ctx.out.confirm(&question(ids.len()))?;
    }
    let outcomes = stop_each(&client, agent, ids).await;
    let mut stopped = Vec::new();
    let mut ended = Vec::new();
    let mut failed: Vec<(String, ApiError)> = Vec::new();
    for (id, outcome) in outcomes {
        match outcome {
            Ok(()) => stopped.push(id),
            Err(err) if err.kind == ErrorKind::NotFound => ended.push(id),
            Err(err) => failed.push((id, err)),
        }
    }
    let document = json!({
        "stopped": stopped,
        "alreadyEnded": ended,
        "failed": failed
            .iter()
            .map(|(id, err)| json!({"sessionId": id, "error": err.to_string()}))
            .collect::<Vec<Value>>(),
    });
    let mut note = format!(
        "Stopped {} of agent `{agent}`.",
        count(stopped.len(), "session")
    );
    if !ended.is_empty() {
        note.push_str(&format!(
            " {} had ended already.",
            count(ended.len(), "session")
        ));
    }
    ctx.out.answer(Answer::new(document).note(note))?;
    match failed.first() {
        None => Ok(()),
        Some((id, err)) => {
            let failure = api_failure(err);
            Err(Failure {
                message: format!(
                    "could not stop {} (first: `{id}`: {err})",
                    count(failed.len(), "session")
                ),
                ..failure
            })
        }
    }
}

/// Stops `ids`, a few at a time; each id with its outcome, in the order
/// given.
async fn stop_each(
    client: &Client,
    agent: &str,
    ids: Vec<String>,
) -> Vec<(String, Result<(), ApiError>)> {
    let mut outcomes: Vec<(String, Result<(), ApiError>)> = Vec::with_capacity(ids.len());
    for batch in ids.chunks(STOPS_AT_ONCE) {
        let mut running = JoinSet::new();
        for (index, id) in batch.iter().enumerate() {
            let (client, agent, id) = (client.clone(), agent.to_string(), id.clone());
            running.spawn(async move {
                let outcome = client.stop_session(&agent, &id).await.map(|_| ());
                (index, outcome)
            });
        }
        let mut done: Vec<(usize, Result<(), ApiError>)> = running.join_all().await;
        done.sort_by_key(|(index, _)| *index);
        outcomes.extend(
            done.into_iter()
                .map(|(index, outcome)| (batch[index].clone(), outcome)),
        );
    }
    outcomes
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picker_item_shows_the_id_the_age_and_the_status() {
        let session = Session {
            session_id: "6594d881-616a-4088-ac20-3e6357ec3c76".into(),
            created_at: Some("2025-01-01T00:00:00Z".into()),
            ..Session::default()
        };
        let now = "2025-01-01T00:01:23Z".parse().unwrap();
        assert_eq!(
            picker_item(&session, now),
            "6594d881-616a-4088-ac20-3e6357ec3c76  running 00:01:23  Active"
        );
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count(1, "session"), "1 session");
        assert_eq!(count(3, "session"), "3 sessions");
    }
}
