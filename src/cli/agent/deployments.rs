//! `pipecat cloud agent deployments`: an agent's deployments, newest first.

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::super::complete;
use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table, format_timestamp};
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
    let listing = client
        .list_deployments(&agent)
        .await
        .map_err(|err| super::agent_failure(&agent, &err))?;
    let mut table = Table::new([
        Column::id("ID").key(),
        Column::name("Image / Build"),
        Column::number("Max session duration").low(),
        Column::number("Min agents").low(),
        Column::number("Max agents").low(),
        Column::time("Created"),
    ]);
    let count = |n: Option<u32>| n.map_or_else(|| "-".into(), |n| n.to_string());
    for deployment in &listing.value.deployments {
        table.push(vec![
            deployment.id.clone(),
            match (&deployment.build_id, deployment.image()) {
                (Some(build), _) => format!("build {build}"),
                (None, Some(image)) => image.to_string(),
                (None, None) => "-".into(),
            },
            max_session_duration(deployment.max_session_duration()),
            count(deployment.min_agents()),
            count(deployment.max_agents()),
            deployment
                .created_at
                .as_deref()
                .map_or_else(|| "-".into(), format_timestamp),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
}
