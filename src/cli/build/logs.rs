//! `pipecat cloud build logs BUILD_ID`: a build's log lines; with
//! `--follow`, then the new ones until the build ends.

use clap::Args;

use super::super::agent::live::until_interrupted;
use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::Answer;
use super::follow::{self, Lines, LogLine};
use pipecat_cloud::api::builds::BuildFollower;
use pipecat_cloud::api::limits::{DEFAULT_BUILD_LOG_LINES, MAX_BUILD_LOG_LINES};
use pipecat_cloud::api::types::BuildStatus;

/// How long `--follow` waits for a build to end (the platform's builds
/// time out well before).
const FOLLOW_LIMIT: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The build (its id, as `build list` and `deploy` show it)
    pub build_id: String,
    /// How many lines to show from the first, 1..10000 (--follow then
    /// shows the rest as it comes)
    #[arg(short = 'n', long, default_value_t = DEFAULT_BUILD_LOG_LINES,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_BUILD_LOG_LINES)))]
    pub limit: u32,
    /// Keep printing new lines until the build ends; exit 1 if it failed
    #[arg(short = 'f', long)]
    pub follow: bool,
}

/// JSON is the API's answer (`{"logs": [...]}`); with --follow, one
/// `{"log": ...}` object per line (NDJSON), as they come.
pub async fn run(args: LogsArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let page = client
        .build_logs(&args.build_id, Some(args.limit), None)
        .await
        .map_err(|err| super::build_failure(ctx, &args.build_id, &err))?;
    if !args.follow {
        let lines = page.value.logs;
        let answer = Answer::new(page.raw);
        let answer = if lines.is_empty() {
            answer.note(format!("Build {} has no log lines yet.", args.build_id))
        } else {
            answer.lines(move |_| {
                lines
                    .iter()
                    .map(|line| format!("{}\n", line.trim_end_matches(['\n', '\r'])))
                    .collect()
            })
        };
        return ctx.out.answer(answer);
    }
    let shown = page.value.logs.len();
    let records: Vec<LogLine> = page.value.logs.iter().map(|l| LogLine(l)).collect();
    ctx.out.records(&records)?;
    until_interrupted(async {
        // The follower reads on from the end of the page shown.
        let mut follower = BuildFollower::new(client.clone(), &args.build_id, shown);
        let build = follow::until_done(ctx, &mut follower, Lines::Data, FOLLOW_LIMIT).await?;
        match build.status {
            BuildStatus::Success => {
                ctx.out.note(&format!("Build {} succeeded.", build.id));
                Ok(())
            }
            _ => Err(follow::failed(ctx, &build)),
        }
    })
    .await
}
