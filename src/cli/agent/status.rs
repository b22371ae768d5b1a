//! `pipecat cloud agent status`: an agent's readiness, deployment, scaling
//! and limits, as the official CLI shows them (official-cli.md §6.4).

use clap::Args;

use super::super::context::Context;
use super::super::deploy::Phase;
use super::super::exit::CliResult;
use super::super::output::{OutputMode, format_timestamp, key_values, print_json, stdout};
use pipecat_cloud::api::types::AgentDetails;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Agent to show [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
}

pub async fn run(args: StatusArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let client = ctx.management_client().await?;
    let found = client
        .get_agent(&agent)
        .await
        .map_err(|err| super::agent_failure(&agent, &err))?;
    if ctx.output == OutputMode::Json {
        print_json(&found.raw);
    } else {
        stdout(&key_values(ctx.output, &fields(&found.value)));
    }
    Ok(())
}

fn fields(d: &AgentDetails) -> Vec<(&'static str, String)> {
    let dash = |value: Option<String>| value.unwrap_or_else(|| "-".into());
    let deployment = d.deployment.as_ref();
    let spec = deployment
        .and_then(|dep| dep.manifest.as_ref())
        .and_then(|m| m.spec.as_ref());
    let scaling = d.auto_scaling.clone().unwrap_or_default();
    let image = match (
        spec.and_then(|s| s.image.clone()),
        deployment.and_then(|dep| dep.build_id.clone()),
    ) {
        (_, Some(build)) => format!("cloud build {build}"),
        (Some(image), None) => image,
        (None, None) => "-".into(),
    };
    let mut pairs = vec![
        ("Agent", d.name.clone()),
        ("Ready", if d.ready { "yes" } else { "no" }.into()),
        ("Phase", Phase::of(d).describe(d)),
        (
            "Deployment ID",
            dash(
                d.desired_deployment_id
                    .clone()
                    .or_else(|| d.active_deployment_id.clone()),
            ),
        ),
        ("Image", image),
        ("Region", dash(d.region.clone())),
        ("Profile", dash(d.agent_profile.clone())),
        (
            "Min agents",
            dash(scaling.min_replicas.map(|n| n.to_string())),
        ),
        (
            "Max agents",
            dash(scaling.max_replicas.map(|n| n.to_string())),
        ),
        (
            "Max session duration",
            match spec.and_then(|s| s.max_session_duration_seconds) {
                Some(seconds) => format!("{seconds} s"),
                None => "default (7200 s)".into(),
            },
        ),
        (
            "Krisp VIVA",
            match d.krisp_viva.as_ref().and_then(|k| k.audio_filter.clone()) {
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
