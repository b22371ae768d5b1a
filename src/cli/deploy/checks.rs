//! What a deploy names must exist before it is sent: the region (against
//! the organization's regions), the secret set and the image pull secret
//! (each of its kind, in the agent's region). Only reads reach the API
//! here; a failure sends nothing else.

use super::plan::Plan;
use crate::cli::context::{Context, api_failure};
use crate::cli::exit::{CliResult, Exit, Failure};
use crate::cli::regions::check_region;
use pipecat_cloud::api::Client;
use pipecat_cloud::api::types::{AgentDetails, SecretSetSummary};

/// Checks `plan` against the organization; fills in the default region a
/// new agent without `--region` goes to (for the review).
pub async fn check(
    ctx: &Context,
    client: &Client,
    plan: &mut Plan,
    current: Option<&AgentDetails>,
) -> CliResult {
    let spec = &plan.spec;
    if let Some(region) = &spec.region {
        check_region(client, region, "--region").await?;
    }
    let named = [
        (spec.secret_set.clone(), Kind::Secrets),
        (spec.image_pull_secret_set.clone(), Kind::Credentials),
    ];
    let needs_sets = named.iter().any(|(name, _)| name.is_some());
    // Where the agent will be: the region asked for, else the one it is
    // in, else (a new agent) the organization's default. That default is
    // for the review and the sets' check only: an API that does not say
    // it leaves both to the server.
    let region = match (&spec.region, current) {
        (Some(region), _) => Some(region.clone()),
        (None, Some(current)) => current.region.clone(),
        (None, None) => {
            let properties = client.properties().await.ok();
            let default = properties.and_then(|p| p.value.default_region().map(str::to_string));
            plan.default_region = default.clone();
            default
        }
    };
    if !needs_sets {
        return Ok(());
    }
    let sets = client
        .list_secret_sets(None)
        .await
        .map_err(|err| api_failure(&err))?
        .value
        .sets;
    for (name, kind) in named {
        let Some(name) = name else { continue };
        check_set(ctx, &sets, &name, kind, region.as_deref())?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `--secrets`: a secret set.
    Secrets,
    /// `--credentials`: an image pull secret.
    Credentials,
}

fn check_set(
    ctx: &Context,
    sets: &[SecretSetSummary],
    name: &str,
    kind: Kind,
    region: Option<&str>,
) -> CliResult {
    let (what, flag) = match kind {
        Kind::Secrets => ("secret set", "--secrets"),
        Kind::Credentials => ("image pull secret", "--credentials"),
    };
    let Some(set) = sets.iter().find(|set| set.name == name) else {
        let create: Vec<&str> = match kind {
            Kind::Secrets => vec!["secrets", "set", name, "--file", ".env"],
            Kind::Credentials => vec!["secrets", "image-pull-secret", name, "HOST"],
        };
        let mut create = create;
        if let Some(region) = region {
            create.extend(["--region", region]);
        }
        return Err(Failure::new(
            Exit::NotFound,
            format!("{what} `{name}` ({flag}) does not exist"),
        )
        .with_hint(format!("create it: `{}`", ctx.settings.suggest(&create))));
    };
    if set.is_image_pull_secret() != (kind == Kind::Credentials) {
        let (is, other_flag) = match kind {
            Kind::Secrets => ("an image pull secret", "--credentials"),
            Kind::Credentials => ("a secret set", "--secrets"),
        };
        return Err(
            Failure::usage(format!("`{name}` ({flag}) is {is}, not a {what}"))
                .with_hint(format!("{is} goes to {other_flag}")),
        );
    }
    if let (Some(region), Some(in_region)) = (region, set.region.as_deref())
        && region != in_region
    {
        return Err(Failure::usage(format!(
            "{what} `{name}` ({flag}) is in region `{in_region}`, but the agent is deployed to `{region}`"
        ))
        .with_hint("an agent can use only secrets in its own region: create the set there, or deploy to its region"));
    }
    Ok(())
}
