//! `pipecat cloud agent list`: the organization's agents.

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table, format_timestamp};

pub async fn run(ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let listing = client
        .list_agents()
        .await
        .map_err(|err| api_failure(&err))?;
    // Unlike the official CLI, no agents is not an error: an empty list.
    let mut table = Table::new([
        Column::name("Name").key(),
        Column::label("Region").low(),
        Column::id("Agent ID").low(),
        Column::id("Deployment ID"),
        Column::time("Created").low(),
        Column::time("Updated"),
    ])
    .when_empty("No agents yet: `pipecat cloud deploy NAME IMAGE:TAG` creates one.");
    let dash = |value: Option<&str>| value.unwrap_or("-").to_string();
    let time = |value: &Option<String>| {
        value
            .as_deref()
            .map_or_else(|| "-".into(), format_timestamp)
    };
    for agent in &listing.value.services {
        table.push(vec![
            agent.name.clone(),
            dash(agent.region.as_deref()),
            dash(agent.id.as_deref()),
            dash(agent.deployment_id()),
            time(&agent.created_at),
            time(&agent.updated_at),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
}
