//! `pipecat cloud build list`: the organization's builds, newest first.

use clap::Args;

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table, format_duration};
use pipecat_cloud::api::BuildQuery;
use pipecat_cloud::api::limits::MAX_BUILD_PAGE;
use pipecat_cloud::api::types::BuildStatus;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// How many builds to show, 1..100
    #[arg(short = 'n', long, default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_BUILD_PAGE)))]
    pub limit: u32,
    /// Only builds with this status
    #[arg(short = 's', long, value_parser = ["pending", "building", "success", "failed", "timeout"])]
    pub status: Option<String>,
    /// Only builds made in this region
    #[arg(short = 'r', long)]
    pub region: Option<String>,
}

/// JSON is the API's answer (`{"builds": [...], "total", "limit",
/// "offset"}`); the table has the official CLI's columns, then ours.
pub async fn run(args: ListArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let query = BuildQuery {
        status: args.status.as_deref().map(parse_status),
        region: args.region,
        limit: Some(args.limit),
        ..BuildQuery::default()
    };
    let listing = client
        .list_builds(&query)
        .await
        .map_err(|err| api_failure(&err))?;
    let dash = |value: Option<String>| value.unwrap_or_else(|| "-".into());
    let mut table = Table::new([
        Column::id("Build ID").key(),
        Column::label("Status").key(),
        Column::label("Region"),
        Column::number("Duration").low(),
        Column::time("Created"),
        Column::id("Context Hash").low(),
        Column::name("Dockerfile").low(),
    ])
    .when_empty("No builds yet: `deploy` in a project folder with a Dockerfile makes one.");
    for build in &listing.value.builds {
        table.push(vec![
            build.id.clone(),
            build.status.as_str().to_string(),
            dash(build.region.clone()),
            dash(
                build
                    .build_duration_seconds
                    .map(|s| format_duration(s as f64)),
            ),
            dash(build.created_at.clone()),
            dash(build.context_hash.clone()),
            dash(build.dockerfile_path.clone()),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
}

fn parse_status(status: &str) -> BuildStatus {
    serde_json::from_value(serde_json::Value::String(status.to_string()))
        .unwrap_or(BuildStatus::Other)
}
