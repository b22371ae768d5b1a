//! `pipecat cloud agent list`: the organization's agents.
//!
//! JSON is the official CLI's `{"agents": [...]}` whichever credential
//! answered; the table has its columns in its order (docs/compatibility.md).

use clap::Args;
use serde_json::{Value, json};

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table, format_timestamp};
use super::super::regions::check_region;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the agents in this region (e.g. us-west)
    #[arg(short = 'r', long)]
    pub region: Option<String>,
}

pub async fn run(args: ListArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let region = args.region.filter(|region| !region.is_empty());
    if let Some(region) = &region {
        check_region(&client, region, "--region").await?;
    }
    let mut listing = client
        .list_agents(region.as_deref())
        .await
        .map_err(|err| api_failure(&err))?;
    // Unlike the official CLI, no agents is not an error: an empty list.
    let mut table = Table::new([
        Column::name("Name").key(),
        Column::label("Region").low(),
        Column::id("Agent ID").low(),
        Column::id("Active Deployment ID"),
        Column::time("Created At").low(),
        Column::time("Updated At"),
        Column::name("GitHub").low(),
    ])
    .when_empty(match &region {
        Some(region) => format!("No agents in region `{region}`."),
        None => "No agents yet: `pipecat cloud deploy NAME IMAGE:TAG` creates one.".into(),
    });
    let agents = listing
        .raw
        .get_mut("services")
        .map(Value::take)
        .unwrap_or_else(|| json!([]));
    let dash = |value: Option<&str>| value.unwrap_or("-").to_string();
    let time = |value: &Option<String>| {
        value
            .as_deref()
            .map_or_else(|| "-".into(), format_timestamp)
    };
    for (index, agent) in listing.value.services.iter().enumerate() {
        table.push(vec![
            agent.name.clone(),
            dash(agent.region.as_deref()),
            dash(agent.id.as_deref()),
            dash(agent.active_deployment_id.as_deref()),
            time(&agent.created_at),
            time(&agent.updated_at),
            github_link(&agents[index]),
        ]);
    }
    ctx.out
        .answer(Answer::new(json!({ "agents": agents })).table(table))
}

/// `owner/repo@branch` of an agent's GitHub link (listed with
/// `include=git`), else a dash.
fn github_link(agent: &Value) -> String {
    let git = &agent["git"];
    if !git.is_object() {
        return "-".into();
    }
    let part = |key: &str| git[key].as_str().unwrap_or("?").to_string();
    format!("{}@{}", part("repoFullName"), part("branch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_github_link_reads_repo_at_branch() {
        let linked = json!({"git": {"repoFullName": "me/bot", "branch": "main"}});
        assert_eq!(github_link(&linked), "me/bot@main");
        assert_eq!(github_link(&json!({"name": "bot"})), "-");
        assert_eq!(github_link(&json!({"git": null})), "-");
    }
}
