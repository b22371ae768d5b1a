//! `pipecat cloud agent status`: an agent's readiness, deployment, scaling
//! and limits, with the fields the official CLI shows.

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::super::complete;
use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::{Answer, format_timestamp};
use pipecat_cloud::api::limits::DEFAULT_MAX_SESSION_DURATION;
use pipecat_cloud::api::types::AgentDetails;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Agent to show [default: `agent_name` in pcc-deploy.toml]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
}

pub async fn run(args: StatusArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let client = ctx.management_client().await?;
    let found = client
        .get_agent(&agent)
        .await
        .map_err(|err| super::agent_failure(&agent, &err))?;
    let pairs = fields(&found.value);
    ctx.out.answer(Answer::new(found.raw).key_values(pairs))
}

/// A max session duration as set (`None`: the platform default).
pub fn max_session_duration(seconds: Option<u32>) -> String {
    match seconds {
        Some(seconds) => format!("{seconds} s"),
        None => format!("default ({DEFAULT_MAX_SESSION_DURATION} s)"),
    }
}

fn fields(d: &AgentDetails) -> Vec<(&'static str, String)> {
    let dash = |value: Option<String>| value.unwrap_or_else(|| "-".into());
    let image = match (d.image(), d.build_id()) {
        (_, Some(build)) => format!("cloud build {build}"),
        (Some(image), None) => image.to_string(),
        (None, None) => "-".into(),
    };
    let mut pairs = vec![
        ("Agent", d.name.clone()),
        ("Ready", if d.ready { "yes" } else { "no" }.into()),
        ("Phase", d.phase().describe(d)),
        ("Deployment ID", dash(d.deployment_id().map(str::to_string))),
        ("Image", image),
        ("Region", dash(d.region.clone())),
        ("Profile", dash(d.agent_profile.clone())),
        ("Min agents", dash(d.min_agents().map(|n| n.to_string()))),
        ("Max agents", dash(d.max_agents().map(|n| n.to_string()))),
        (
            "Max session duration",
            max_session_duration(d.max_session_duration()),
        ),
        (
            "Krisp VIVA",
            match d.krisp_filter() {
                Some(filter) => format!("enabled ({filter})"),
                None => "disabled".into(),
            },
        ),
        (
            "Active sessions",
            dash(d.active_session_count.map(|n| n.to_string())),
        ),
        (
            "Created",
            d.created_at
                .as_deref()
                .map_or_else(|| "-".into(), format_timestamp),
        ),
        (
            "Updated",
            d.updated_at
                .as_deref()
                .map_or_else(|| "-".into(), format_timestamp),
        ),
    ];
    if let Some(health) = d.current_revision.as_ref().and_then(|r| r.health.as_ref())
        && health.ready != Some(true)
    {
        if let Some(reason) = &health.reason {
            pairs.push(("Health", reason.clone()));
        }
        if let Some(code) = health.last_exit_code {
            pairs.push(("Last exit code", code.to_string()));
        }
    }
    for error in &d.errors {
        pairs.push((
            "Error",
            format!(
                "{} {}",
                error.code.as_deref().unwrap_or("-"),
                error.message.as_deref().unwrap_or("")
            )
            .trim_end()
            .to_string(),
        ));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_max_duration_is_the_default() {
        let pairs = fields(&AgentDetails::default());
        let max = pairs
            .iter()
            .find(|(k, _)| *k == "Max session duration")
            .unwrap();
        assert_eq!(max.1, "default (7200 s)");
    }
}
