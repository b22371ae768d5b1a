//! `pipecat cloud agent list`: the organization's agents, with whether
//! each is ready and how many sessions it runs.

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::{Answer, Column, Table};
use pipecat_cloud::api::types::AgentDetails;

pub async fn run(ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    let listing = client
        .list_agents()
        .await
        .map_err(|err| api_failure(&err))?;
    let agents = &listing.value.services;
    // Readiness and sessions are not in the listing: one request per
    // agent, made only when a person (or a TSV reader) sees them. One that
    // fails leaves its cells at `?`.
    let details: Vec<Option<AgentDetails>> = if ctx.out.prints_documents() {
        Vec::new()
    } else {
        let names: Vec<String> = agents.iter().map(|agent| agent.name.clone()).collect();
        super::each_agent(&names, |name| {
            let client = client.clone();
            async move { client.get_agent(&name).await.ok().map(|found| found.value) }
        })
        .await
    };
    // Unlike the official CLI, no agents is not an error: an empty list.
    // Ready and Active come last so plain output keeps its first columns.
    let mut table = Table::new([
        Column::name("Name").key(),
        Column::label("Region"),
        Column::id("Agent ID").low(),
        Column::id("Deployment ID").low(),
        Column::time("Created").low(),
        Column::time("Updated"),
        Column::label("Ready"),
        Column::number("Active"),
    ])
    .when_empty(format!(
        "No agents yet: `{}` creates one.",
        ctx.settings.suggest(&["deploy", "NAME", "IMAGE:TAG"])
    ));
    let dash = |value: Option<&str>| value.unwrap_or("-").to_string();
    for (i, agent) in agents.iter().enumerate() {
        let detail = details.get(i).and_then(Option::as_ref);
        table.push(vec![
            agent.name.clone(),
            dash(agent.region.as_deref()),
            dash(agent.id.as_deref()),
            dash(agent.deployment_id()),
            dash(agent.created_at.as_deref()),
            dash(agent.updated_at.as_deref()),
            detail
                .map_or("?", |d| if d.ready { "yes" } else { "no" })
                .into(),
            detail.map_or_else(|| "?".into(), active_of_max),
        ]);
    }
    ctx.out.answer(Answer::new(listing.raw).table(table))
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
