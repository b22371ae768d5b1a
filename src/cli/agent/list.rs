//! `pipecat cloud agent list`: the organization's agents, with whether
//! each is ready and how many sessions it runs.
//!
//! JSON is the official CLI's `{"agents": [...]}` whichever credential
//! answered; the table has its columns in its order, then ours
//! (docs/compatibility.md).

use clap::Args;
use serde_json::{Value, json};

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table};
use super::super::regions::check_region;
use pipecat_cloud::api::types::AgentDetails;

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
    // Readiness and sessions are not in the listing: one request per
    // agent, made only when a person (or a TSV reader) sees them. One that
    // fails leaves its cells at `?`.
    let details: Vec<Option<AgentDetails>> = if ctx.out.prints_documents() {
        Vec::new()
    } else {
        let names: Vec<String> = listing
            .value
            .services
            .iter()
            .map(|agent| agent.name.clone())
            .collect();
        super::each_agent(&names, |name| {
            let client = client.clone();
            async move { client.get_agent(&name).await.ok().map(|found| found.value) }
        })
        .await
    };
    // Unlike the official CLI, no agents is not an error: an empty list.
    // Ready and Active come last so plain output keeps the official columns
    // first.
    let mut table = Table::new([
        Column::name("Name").key(),
        Column::label("Region"),
        Column::id("Agent ID").low(),
        Column::id("Active Deployment ID").low(),
        Column::time("Created At").low(),
        Column::time("Updated At"),
        Column::name("GitHub").low(),
        Column::label("Ready"),
        Column::number("Active"),
    ])
    .when_empty(match &region {
        Some(region) => format!("No agents in region `{region}`."),
        None => format!(
            "No agents yet: `{}` creates one.",
            ctx.settings.suggest(&["deploy", "NAME", "IMAGE:TAG"])
        ),
    });
    let agents = listing
        .raw
        .get_mut("services")
        .map(Value::take)
        .unwrap_or_else(|| json!([]));
    let dash = |value: Option<&str>| value.unwrap_or("-").to_string();
    for (index, agent) in listing.value.services.iter().enumerate() {
        let detail = details.get(index).and_then(Option::as_ref);
        table.push(vec![
            agent.name.clone(),
            dash(agent.region.as_deref()),
            dash(agent.id.as_deref()),
            dash(agent.active_deployment_id.as_deref()),
            dash(agent.created_at.as_deref()),
            dash(agent.updated_at.as_deref()),
            github_link(&agents[index]),
            detail
                .map_or("?", |d| if d.ready { "yes" } else { "no" })
                .into(),
            detail.map_or_else(|| "?".into(), active_of_max),
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

/// `2 / 50`: active sessions of the most the agent may run.
fn active_of_max(details: &AgentDetails) -> String {
    let active = details
        .active_session_count
        .map_or_else(|| "?".to_string(), |n| n.to_string());
    match details.max_agents() {
        Some(max) => format!("{active} / {max}"),
        None => active,
    }
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

    #[test]
    fn active_sessions_read_against_the_limit() {
        let mut details = AgentDetails {
            active_session_count: Some(2),
            ..AgentDetails::default()
        };
        assert_eq!(active_of_max(&details), "2");
        details.active_session_count = None;
        assert_eq!(active_of_max(&details), "?");
    }
}
