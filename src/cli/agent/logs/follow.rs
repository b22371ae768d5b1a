//! `--follow`: what exists, then new lines as they are written, until
//! Ctrl-C or (following one session) until that session has ended.

use std::time::Duration;

use super::super::super::context::{Context, api_failure};
use super::super::super::exit::{CliResult, Exit, Failure};
use super::super::super::output::OutputMode;
use super::super::live::Outage;
use super::Render;
use pipecat_cloud::api::logs::{Batch, Flow, Follower, ReadError};
use pipecat_cloud::api::types::Session;
use pipecat_cloud::api::{ApiError, Client, ErrorKind, LogQuery};

/// A `--follow` run.
pub struct Follow {
    pub agent: String,
    /// Its session, deployment, query and `start_time` (`--since`).
    pub filter: LogQuery,
    /// How many existing lines to show first (at most a page).
    pub tail: u32,
    pub interval: Duration,
    pub render: Render,
}

impl Follow {
    /// Prints until stopped; following one session, until that session
    /// has ended and its last lines are out, and then returns it as it
    /// ended.
    pub async fn run(self, client: &Client, ctx: &Context) -> CliResult<Option<Session>> {
        let mut outage = Outage::new();
        if let Some(id) = &self.filter.session_id {
            // An unknown session fails now, not after a silent wait.
            loop {
                match client.get_session(&self.agent, id).await {
                    Ok(_) => break,
                    Err(err) if err.kind == ErrorKind::NotFound => {
                        return Err(session_failure(&self.agent, id, &err));
                    }
                    Err(err) => outage.failed(ctx, &err).await?,
                }
            }
            outage.succeeded(ctx);
        }
        let mut follower = Follower::new(client.clone(), self.agent.clone(), self.filter.clone());
        let json = ctx.settings.output.mode == OutputMode::Json;
        let show = |batch: Batch<'_>| -> Result<Flow, Failure> {
            if json {
                ctx.out.records(&self.render.records(batch.iter()))?;
            } else {
                ctx.out.records(&[self.render.text(batch.iter())])?;
            }
            Ok(true)
        };
        // The first request is retried like every later one.
        loop {
            match follower
                .start(self.tail, |batch| show(batch).map(|_| ()))
                .await
            {
                Ok(()) => break,
                Err(err) => self.failed(ctx, &mut outage, err).await?,
            }
        }
        outage.succeeded(ctx);
        let mut ended: Option<Session> = None;
        loop {
            let polled = match follower.poll(show).await {
                Ok(polled) => polled,
                Err(err) => {
                    self.failed(ctx, &mut outage, err).await?;
                    continue;
                }
            };
            outage.succeeded(ctx);
            if polled.skipped > 0 {
                ctx.out.warn(&format!(
                    "the logs were written faster than they could be shown: skipped {}{} lines \
                     to the newest",
                    if polled.exact { "" } else { "at least " },
                    polled.skipped
                ));
            }
            if polled.more {
                continue;
            }
            // This poll came after the session was seen ended, so its
            // last lines (and the platform's exit event) are out.
            if ended.is_some() {
                return Ok(ended);
            }
            if let Some(id) = &self.filter.session_id {
                match client.get_session(&self.agent, id).await {
                    Ok(session) if session.value.ended_at.is_some() => ended = Some(session.value),
                    Ok(_) => {}
                    Err(err) => {
                        outage.failed(ctx, &err).await?;
                        continue;
                    }
                }
            }
            tokio::time::sleep(self.interval).await;
        }
    }

    /// A failed read: an outage is waited out; an unknown agent, or
    /// anything else, ends the run.
    async fn failed(
        &self,
        ctx: &Context,
        outage: &mut Outage,
        err: ReadError<Failure>,
    ) -> CliResult {
        match err {
            ReadError::Sink(failure) => Err(failure),
            ReadError::Api(err) if err.kind == ErrorKind::NotFound => Err(Failure::new(
                Exit::NotFound,
                format!("agent `{}` not found: {err}", self.agent),
            )),
            ReadError::Api(err) => outage.failed(ctx, &err).await,
        }
    }
}

fn session_failure(agent: &str, id: &str, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::NotFound => Failure::new(
            Exit::NotFound,
            format!("session `{id}` of agent `{agent}` not found: {err}"),
        ),
        _ => api_failure(err),
    }
}
