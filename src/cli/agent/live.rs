//! What the long-running commands (`logs --follow`, `sessions --watch`,
//! `start --follow`) share: ending on Ctrl-C with exit 130, and riding out
//! an API that goes away. They write through the context's output, a
//! record at a time; a closed stdout ends them quietly.

use std::time::Duration;

use super::super::context::Context;
use super::super::exit::{CliResult, Exit, Failure};
use pipecat_cloud::api::{ApiError, Backoff};

/// Runs `stream` until it ends, fails, or Ctrl-C, which ends it quietly
/// (exit 130, no error line: the person asked for it). The stream writes
/// (and flushes) whole records between its awaits, so an interrupt, which
/// lands only at an await, never cuts a line.
pub async fn until_interrupted<T>(
    stream: impl std::future::Future<Output = CliResult<T>>,
) -> CliResult<T> {
    // Listening before the first request replaces the default SIGINT action
    // (die mid-write) for the rest of the run.
    let interrupt = tokio::signal::ctrl_c();
    tokio::select! {
        outcome = stream => outcome,
        _ = interrupt => Err(Failure::silent(Exit::Interrupted, "interrupted")),
    }
}

/// Tracks an outage of the API during a stream: says once that it is gone
/// and once that it is back, and paces the attempts in between.
pub struct Outage {
    backoff: Backoff,
    attempts: u32,
}

impl Outage {
    pub fn new() -> Outage {
        Outage {
            backoff: Backoff {
                base: Duration::from_millis(500),
                max: Duration::from_secs(5),
            },
            attempts: 0,
        }
    }

    /// A failed request: an outage is waited out (announced on its first
    /// failure), anything else ends the stream.
    pub async fn failed(&mut self, ctx: &Context, err: &ApiError) -> Result<(), Failure> {
        if !err.is_outage() {
            return Err(super::super::context::api_failure(err));
        }
        if self.attempts == 0 {
            ctx.out.warn(&format!("{err}; still trying"));
        }
        self.attempts += 1;
        tokio::time::sleep(self.backoff.delay(self.attempts, None)).await;
        Ok(())
    }

    /// A request went through: if the API had been gone, say it is back.
    pub fn succeeded(&mut self, ctx: &Context) {
        if self.attempts > 0 {
            ctx.out.note("The API is back; resuming.");
            self.attempts = 0;
        }
    }
}
