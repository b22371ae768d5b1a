//! `pipecat cloud agent list`: the organization's agents.

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::{OutputMode, Table, format_timestamp, print_json, stdout};

pub async fn run(ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let listing = client
        .list_agents()
        .await
        .map_err(|err| api_failure(&err))?;
    if ctx.output == OutputMode::Json {
        print_json(&listing.raw);
        return Ok(());
    }
    let mut table = Table::new(vec![
        "Name",
        "Region",
        "Agent ID",
        "Deployment ID",
        "Created",
        "Updated",
    ]);
    let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    let time = |value: &Option<String>| {
        value
            .as_deref()
            .map_or_else(|| "-".into(), format_timestamp)
    };
    for agent in &listing.value.services {
        table.push(vec![
            agent.name.clone(),
            dash(&agent.region),
            dash(&agent.id),
            dash(
                &agent
                    .desired_deployment_id
                    .clone()
                    .or_else(|| agent.active_deployment_id.clone()),
            ),
            time(&agent.created_at),
            time(&agent.updated_at),
        ]);
    }
    // Unlike the official CLI, no agents is not an error: an empty list.
    if table.is_empty() && ctx.output == OutputMode::Rich {
        ctx.note("No agents yet: `pipecat cloud deploy NAME IMAGE:TAG` creates one.");
        return Ok(());
    }
    stdout(&table.render(ctx.output));
    Ok(())
}
