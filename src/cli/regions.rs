//! `pipecat cloud regions list`, and the check every command that takes a
//! region makes before it sends anything else: the region is one the
//! organization can use.

use clap::{Args, Subcommand};
use serde_json::json;

use super::context::{Context, api_failure};
use super::exit::{CliResult, Failure};
use super::output::{Answer, Column, Table};
use pipecat_cloud::api::Client;
use pipecat_cloud::api::types::Region;

#[derive(Debug, Args)]
pub struct RegionsArgs {
    #[command(subcommand)]
    pub command: RegionsCommand,
}

#[derive(Debug, Subcommand)]
pub enum RegionsCommand {
    /// List the regions agents and secret sets can be in.
    List,
}

pub async fn run(args: RegionsArgs, ctx: &Context) -> CliResult {
    match args.command {
        RegionsCommand::List => list(ctx).await,
    }
}

/// JSON is the official CLI's `{"regions": [...]}`; the table its
/// columns.
async fn list(ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let listing = client.regions().await.map_err(|err| api_failure(&err))?;
    let dash = |value: Option<String>| value.unwrap_or_else(|| "-".into());
    let mut table = Table::new([
        Column::name("Code").key(),
        Column::text("Name"),
        Column::label("Architectures").low(),
        Column::label("Default").low(),
    ])
    .when_empty("No regions available.");
    for region in &listing.value.regions {
        table.push(vec![
            region.code.clone(),
            region.display_name.clone(),
            dash(
                region
                    .supported_architectures
                    .as_ref()
                    .filter(|a| !a.is_empty())
                    .map(|a| a.join(", ")),
            ),
            dash(region.default_architecture.clone()),
        ]);
    }
    let regions = listing
        .raw
        .get("regions")
        .cloned()
        .unwrap_or_else(|| json!([]));
    ctx.out
        .answer(Answer::new(json!({ "regions": regions })).table(table))
}

/// Fails (exit 2, nothing else sent) unless `region` is one of the
/// organization's; `given_as` names where it came from (`--region`).
pub async fn check_region(client: &Client, region: &str, given_as: &str) -> CliResult<Vec<Region>> {
    let regions = client
        .regions()
        .await
        .map_err(|err| api_failure(&err))?
        .value
        .regions;
    if regions.iter().any(|r| r.code == region) {
        return Ok(regions);
    }
    let codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
    Err(
        Failure::usage(format!("{given_as}: region `{region}` is not available")).with_hint(
            format!(
                "use one of: {} (`pipecat cloud regions list`)",
                codes.join(", ")
            ),
        ),
    )
}
