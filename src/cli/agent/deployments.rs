//! `pipecat cloud agent deployments`: an agent's deployments, newest first.

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::super::complete;
use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table};
use super::status::max_session_duration;

#[derive(Debug, Args)]
pub struct DeploymentsArgs {
    /// Agent whose deployments to list [default: `agent_name` in pcc-deploy.toml]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
}

pub async fn run(args: DeploymentsArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let client = ctx.management_client().await?;
    let listing = match client.list_deployments(&agent).await {
        Ok(listing) => listing,
        Err(err) => {
            let command = ["agent", "deployments", agent.as_str()];
            return Err(super::agent_failure(ctx, &client, &agent, &err, &command).await);
        }
    };
    // The official CLI's columns in its order, then ours.
    let mut table = Table::new([
        Column::id("ID").key(),
        Column::label("Node Type").low(),
        Column::name("Image / Build"),
        Column::time("Created At"),
        Column::time("Updated At").low(),
        Column::number("Max Session Duration").low(),
        Column::number("Min Agents").low(),
        Column::number("Max Agents").low(),
    ]);
    let count = |n: Option<u32>| n.map_or_else(|| "-".into(), |n| n.to_string());
    let time = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    for deployment in &listing.value.deployments {
        table.push(vec![
            deployment.id.clone(),
            deployment.node_type().unwrap_or("-").to_string(),
            deployment
                .image()
                .or(deployment.build_id.as_deref())
                .unwrap_or("-")
                .to_string(),
            time(&deployment.created_at),
            time(&deployment.updated_at),
            max_session_duration(deployment.max_session_duration()),
            count(deployment.min_agents()),
            count(deployment.max_agents()),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
}
