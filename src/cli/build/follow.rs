//! Following a build until it ends: its status and the time the wait has
//! taken (a spinner on a terminal, else a line each time the status
//! changes), and its log lines as they come. `deploy` and `build logs
//! --follow` both wait this way.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::super::agent::live::Outage;
use super::super::context::Context;
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Human, Record, format_elapsed};
use pipecat_cloud::api::builds::BuildFollower;
use pipecat_cloud::api::types::{Build, BuildStatus};

/// How often a build is polled. The official CLI waits 5 s between
/// polls; log lines should show about when they are written.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Where the build's log lines go while it is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Not shown (`deploy --quiet`).
    Hidden,
    /// On stderr, as progress (`deploy`).
    Progress,
    /// On stdout, as the command's data (`build logs --follow`).
    Data,
}

/// One build log line as data: `{"log": ...}` in JSON mode (one per
/// line), the text otherwise.
pub struct LogLine<'a>(pub &'a str);

impl Record for LogLine<'_> {
    fn document(&self) -> Value {
        json!({ "log": self.0 })
    }

    fn human(&self, _: &Human) -> String {
        format!("{}\n", self.0.trim_end_matches(['\n', '\r']))
    }
}

/// Polls the build until it ends (success, failed or timeout) and
/// returns it as it ended; `limit` bounds the wait (the build goes on
/// after it). API outages are waited out.
pub async fn until_done(
    ctx: &Context,
    follower: &mut BuildFollower,
    lines: Lines,
    limit: Duration,
) -> CliResult<Build> {
    let started = Instant::now();
    let short = short_id(follower.id()).to_string();
    let mut progress = ctx.out.progress();
    let mut outage = Outage::new();
    loop {
        let poll = match follower.poll(lines != Lines::Hidden).await {
            Ok(poll) => {
                outage.succeeded(ctx);
                poll
            }
            Err(err) => {
                outage.failed(ctx, &err).await?;
                continue;
            }
        };
        if !poll.new_lines.is_empty() {
            progress.suspend(|| match lines {
                Lines::Data => {
                    let records: Vec<LogLine> = poll.new_lines.iter().map(|l| LogLine(l)).collect();
                    ctx.out.records(&records)
                }
                _ => {
                    for line in &poll.new_lines {
                        ctx.out
                            .note(&format!("  {}", line.trim_end_matches(['\n', '\r'])));
                    }
                    Ok(())
                }
            })?;
        }
        let build = poll.build.value;
        if build.status.is_final() {
            return Ok(build);
        }
        progress.say(format!("build {short}: {}", phase(&build.status)));
        if started.elapsed() + POLL_INTERVAL > limit {
            drop(progress);
            let id = follower.id();
            return Err(Failure::new(
                Exit::ApiFailure,
                format!(
                    "build {id} is still {} after the wait of {}; it goes on",
                    build.status.as_str(),
                    format_elapsed(limit)
                ),
            )
            .with_hint(format!(
                "follow it with `{}`, then deploy it with --build-id {id}",
                ctx.settings.suggest(&["build", "logs", id, "--follow"])
            )));
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// The failure of a build that ended without success: its error message,
/// and a pointer to its whole log.
pub fn failed(ctx: &Context, build: &Build) -> Failure {
    let id = &build.id;
    let how = match build.status {
        BuildStatus::Timeout => "timed out",
        _ => "failed",
    };
    let message = match build.error_message.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => format!("build {id} {how}: {reason}"),
        _ => format!("build {id} {how}"),
    };
    Failure::new(Exit::ApiFailure, message).with_hint(format!(
        "its whole log: `{}`",
        ctx.settings.suggest(&["build", "logs", id])
    ))
}

/// What a person reads for a status.
fn phase(status: &BuildStatus) -> &'static str {
    match status {
        BuildStatus::Pending => "waiting to start",
        BuildStatus::Building => "building",
        other => other.as_str(),
    }
}

/// The first 8 characters of an id, enough to tell builds apart on a line.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
