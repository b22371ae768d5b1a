//! What the long-running commands (`logs --follow`, `sessions --watch`,
//! `start --follow`) share: writing a stream to stdout line by line, ending
//! on Ctrl-C with exit 130, and riding out an API that goes away.

use std::io::{self, Write};
use std::time::Duration;

use super::super::context::Context;
use super::super::exit::{CliResult, Exit, Failure};
use pipecat_cloud::api::{ApiError, Backoff, ErrorKind};

/// Why a stream stopped before its natural end.
pub enum Stop {
    /// Stdout was closed (`| head`): end quietly, exit 0.
    Closed,
    /// A failure to report.
    Failed(Failure),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Stop {
        Stop::Failed(failure)
    }
}

/// Runs `stream` until it ends, stdout closes, or Ctrl-C (exit 130). The
/// stream writes whole lines between its awaits, so an interrupt, which
/// lands only at an await, never cuts a line.
pub async fn until_interrupted(
    stream: impl std::future::Future<Output = Result<(), Stop>>,
) -> CliResult {
    // Listening before the first request replaces the default SIGINT action
    // (die mid-write) for the rest of the run.
    let interrupt = tokio::signal::ctrl_c();
    tokio::select! {
        outcome = stream => match outcome {
            Ok(()) | Err(Stop::Closed) => Ok(()),
            Err(Stop::Failed(failure)) => Err(failure),
        },
        _ = interrupt => {
            let _ = io::stdout().flush();
            Err(Failure::new(Exit::Interrupted, "interrupted"))
        }
    }
}

/// Writes `text` (whole lines) to stdout and flushes, so each line is out
/// as soon as it is known; a closed stdout is [`Stop::Closed`].
pub fn emit(text: &str) -> Result<(), Stop> {
    if text.is_empty() {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|_| Stop::Closed)
}

/// True for failures that may pass if we wait: the API cannot be reached,
/// did not answer in time, or failed on its side.
pub fn is_outage(err: &ApiError) -> bool {
    matches!(err.kind, ErrorKind::Connect | ErrorKind::Timeout)
        || err.status.is_some_and(|status| status >= 500)
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
        if !is_outage(err) {
            return Err(super::super::context::api_failure(err));
        }
        if self.attempts == 0 {
            ctx.warn(&format!("{err}; still trying"));
        }
        self.attempts += 1;
        tokio::time::sleep(self.backoff.delay(self.attempts, None)).await;
        Ok(())
    }

    /// A request went through: if the API had been gone, say it is back.
    pub fn succeeded(&mut self, ctx: &Context) {
        if self.attempts > 0 {
            ctx.note("The API is back; resuming.");
            self.attempts = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreachable_or_server_side_failures_are_outages() {
        let at = |status| ApiError {
            kind: ErrorKind::Api,
            status: Some(status),
            code: None,
            message: String::new(),
            retry_after: None,
            url: String::new(),
        };
        assert!(is_outage(&at(503)));
        assert!(is_outage(&at(500)));
        assert!(!is_outage(&at(404)));
        assert!(!is_outage(&at(401)));
    }
}
