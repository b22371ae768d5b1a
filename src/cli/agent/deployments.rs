//! `pipecat cloud agent deployments`: an agent's deployments, newest first.

use clap::Args;

use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::{OutputMode, Table, format_timestamp, print_json, stdout};

#[derive(Debug, Args)]
pub struct DeploymentsArgs {
    /// Agent whose deployments to list [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
}

pub async fn run(args: DeploymentsArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let client = ctx.management_client().await?;
    let listing = client
        .list_deployments(&agent)
        .await
        .map_err(|err| super::agent_failure(&agent, &err))?;
    if ctx.output == OutputMode::Json {
        print_json(&listing.raw);
        return Ok(());
    }
    let mut table = Table::new(vec![
        "ID",
        "Image / Build",
        "Max session duration",
        "Min agents",
        "Max agents",
        "Created",
    ]);
    for deployment in &listing.value.deployments {
        let spec = deployment
            .manifest
            .as_ref()
            .and_then(|m| m.spec.clone())
            .unwrap_or_default();
        let scaling = spec.auto_scaling.clone().unwrap_or_default();
        let count = |n: Option<u32>| n.map_or_else(|| "-".into(), |n| n.to_string());
        table.push(vec![
            deployment.id.clone(),
            match (&deployment.build_id, &spec.image) {
                (Some(build), _) => format!("build {build}"),
                (None, Some(image)) => image.clone(),
                (None, None) => "-".into(),
            },
            spec.max_session_duration_seconds
                .map_or_else(|| "default (7200 s)".into(), |s| format!("{s} s")),
            count(scaling.min_replicas),
            count(scaling.max_replicas),
            deployment
                .created_at
                .as_deref()
                .map_or_else(|| "-".into(), format_timestamp),
        ]);
    }
    stdout(&table.render(ctx.output));
    Ok(())
}
