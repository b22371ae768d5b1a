//! `pipecat cloud agent status`: an agent's readiness, deployment, scaling
//! and limits, with the fields the official CLI shows.

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::super::complete;
use super::super::context::Context;
use super::super::exit::CliResult;
use super::super::output::Answer;
use pipecat_cloud::api::limits::DEFAULT_MAX_SESSION_DURATION;
use pipecat_cloud::api::types::AgentDetails;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Agent to show [default: `agent_name` in pcc-deploy.toml]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
    #[command(flatten)]
    pub deploy_config: super::DeployConfigArg,
}

pub async fn run(args: StatusArgs, ctx: &Context) -> CliResult {
    let agent = args.deploy_config.agent_name(args.agent_name)?;
    let client = ctx.management_client().await?;
    let found = match client.get_agent(&agent).await {
        Ok(found) => found,
        Err(err) => {
            let command = ["agent", "status", agent.as_str()];
            return Err(super::agent_failure(ctx, &client, &agent, &err, &command).await);
        }
    };
    let pairs = fields(&found.value, |raw| ctx.out.timestamp(raw));
    ctx.out.answer(Answer::new(found.raw).key_values(pairs))
}

/// A max session duration as set (`None`: the platform default).
pub fn max_session_duration(seconds: Option<u32>) -> String {
    match seconds {
        Some(seconds) => format!("{seconds} s"),
        None => format!("default ({DEFAULT_MAX_SESSION_DURATION} s)"),
    }
}

/// The official CLI's lines in its order (those it has), then ours;
/// times through `time`.
fn fields(d: &AgentDetails, time: impl Fn(&str) -> String) -> Vec<(&'static str, String)> {
    let dash = |value: Option<String>| value.unwrap_or_else(|| "-".into());
    let time = |value: &Option<String>| value.as_deref().map_or_else(|| "-".into(), &time);
    let (artifact, artifact_value) = match (d.image(), d.build_id()) {
        (Some(image), _) => ("Image", image.to_string()),
        (None, Some(build)) => ("Build", build.to_string()),
        (None, None) => ("Image", "-".into()),
    };
    let mut pairs = vec![
        ("Agent", d.name.clone()),
        ("Ready", if d.ready { "yes" } else { "no" }.into()),
        ("Deployment Phase", d.phase().describe(d)),
        (
            "Active Session Count",
            dash(d.active_session_count.map(|n| n.to_string())),
        ),
        (artifact, artifact_value),
        ("Agent Profile", dash(d.agent_profile.clone())),
        ("Active Deployment ID", dash(d.active_deployment_id.clone())),
        ("Created At", time(&d.created_at)),
        ("Updated At", time(&d.updated_at)),
        (
            "Krisp VIVA",
            match d.krisp_filter() {
                Some(filter) => format!("enabled ({filter})"),
                None => "disabled".into(),
            },
        ),
        (
            "Max Session Duration",
            max_session_duration(d.max_session_duration()),
        ),
        ("Min Agents", dash(d.min_agents().map(|n| n.to_string()))),
        ("Max Agents", dash(d.max_agents().map(|n| n.to_string()))),
    ];
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
    // Ours: where it runs, the deployment it is moving to, and why the new
    // revision is unhealthy.
    pairs.push(("Region", dash(d.region.clone())));
    if let Some(desired) = d.deployment_id()
        && d.active_deployment_id.as_deref() != Some(desired)
    {
        pairs.push(("Desired Deployment ID", desired.to_string()));
    }
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
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_max_duration_is_the_default() {
        let pairs = fields(&AgentDetails::default(), str::to_string);
        let max = pairs
            .iter()
            .find(|(k, _)| *k == "Max Session Duration")
            .unwrap();
        assert_eq!(max.1, "default (7200 s)");
    }
}
