//! `pipecat cloud deploy`: create or update an agent, then wait until its
//! deployment is ready.
//!
//! - [`plan`]: the flags merged over `pcc-deploy.toml` and checked;
//! - [`checks`]: the region and secret sets it names, checked against
//!   the organization before anything is sent;
//! - [`review`]: what will change, and what to warn about;
//! - [`wait`]: the wait for readiness and how it ended.
//!
//! Where this differs from the official CLI on purpose (every input
//! checked before any request, an update that sends only what was set,
//! `--force` and `--yes`, the wait) is in docs/compatibility.md.

mod build;
mod checks;
mod plan;
mod review;
mod wait;

pub use plan::load_config;

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::agent::live::until_interrupted;
use super::context::{Context, api_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::{KeyValues, Question};
use pipecat_cloud::api::types::{AgentDetails, BuildStatus, CreateAgentRequest};
use pipecat_cloud::api::{ApiError, Client, ErrorKind};

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Agent to deploy [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
    /// Image to run, with a tag (e.g. me/bot:1.0) [default: `image` in pcc-deploy.toml]
    pub image: Option<String>,
    /// Image pull secret set for a private image
    #[arg(
        short = 'c',
        long,
        value_name = "SET",
        conflicts_with = "no_credentials"
    )]
    pub credentials: Option<String>,
    /// Deploy an image without a pull secret (a public image); the
    /// official `-nc` works too
    #[arg(long)]
    pub no_credentials: bool,
    /// Agents kept running even without sessions (billed all the time);
    /// the official `-min` works too
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub min_agents: Option<i64>,
    /// Most sessions at once; the next start gets 429 [platform default:
    /// 50]; the official `-max` works too
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_agents: Option<i64>,
    /// Secret set whose values the agent gets as environment variables
    #[arg(short = 's', long, value_name = "SET")]
    pub secrets: Option<String>,
    /// Agent profile (e.g. agent-1x, agent-2x, agent-3x)
    #[arg(short = 'p', long)]
    pub profile: Option<String>,
    /// Region to deploy in [default: the organization's]
    #[arg(short = 'r', long)]
    pub region: Option<String>,
    /// Krisp VIVA noise filter: tel or pro
    #[arg(long, value_name = "FILTER")]
    pub krisp_viva_audio_filter: Option<String>,
    /// Sessions are cut off after this many seconds, 60..14400 [platform default: 7200]
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub max_session_duration: Option<i64>,
    /// Deploy an existing cloud build instead of an image
    #[arg(short = 'b', long, value_name = "ID")]
    pub build_id: Option<String>,
    /// Without an image or --build-id: the project folder to build in the
    /// cloud [default: `[build] context_dir` in pcc-deploy.toml, else .]
    #[arg(short = 'd', long, value_name = "DIR")]
    pub build_dir: Option<PathBuf>,
    /// The Dockerfile, relative to the build folder [default: `[build]
    /// dockerfile` in pcc-deploy.toml, else Dockerfile]
    #[arg(long, value_name = "PATH")]
    pub dockerfile: Option<String>,
    /// Make a new deployment even if nothing changed (e.g. to pull a moved
    /// tag); implies --yes, as in the official CLI
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Deploy without asking (needed when stdin is not a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Deploy config to read [default: PIPECAT_DEPLOY_CONFIG_PATH, else ./pcc-deploy.toml]
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
    /// Return once the API accepted the deployment, without waiting for it
    #[arg(long, conflicts_with = "wait_timeout")]
    pub no_wait: bool,
    /// Give up waiting for readiness after this long (e.g. 90s, 10m, 1h30m) [default: 10m]
    #[arg(long, value_name = "DURATION", value_parser = super::duration::wait)]
    pub wait_timeout: Option<Duration>,
}

pub async fn run(args: DeployArgs, ctx: &Context) -> CliResult {
    // Everything is checked before the first request.
    let config = plan::load_config(args.config_file.as_deref())?;
    if let Some((path, file)) = &config
        && (file.resources.is_some() || file.git.is_some())
    {
        // Valid official keys this client cannot deploy yet: said, not
        // silently dropped.
        ctx.out.warn(&format!(
            "{}: [resources] and [git] are not deployed by this client; they are ignored",
            path.display()
        ));
    }
    let wait = if args.no_wait {
        None
    } else {
        Some(args.wait_timeout.unwrap_or(wait::DEFAULT_WAIT))
    };
    // `--force` implies `--yes`, as in the official CLI.
    let (yes, force) = (args.yes || args.force, args.force);
    let mut plan = plan::merge(args, config)?;
    // A project folder is built when one was named, or when the folder
    // has a Dockerfile; else an existing agent is updated as it is.
    let source = plan
        .source
        .take()
        .filter(|source| source.explicit || source.has_dockerfile());
    let question = Question {
        action: if source.is_some() {
            "building and deploying"
        } else {
            "deploying"
        },
        prompt: String::new(),
        default_yes: true,
        skip_flag: "--yes (-y) or --force (-f)",
        declined: "not deployed",
    };
    // Before any request: a CI job without --yes fails at once.
    if !yes && !ctx.out.can_prompt() {
        return ctx.out.confirm(&question);
    }
    // Packed before any request too: a context that cannot be built is
    // refused before anything is uploaded.
    let packed = match &source {
        Some(source) => Some((source, build::pack(source)?)),
        None => None,
    };

    let client = ctx.management_client().await?;
    let current = match client.get_agent(&plan.agent).await {
        Ok(found) => Some(found.value),
        Err(err) if err.kind == ErrorKind::NotFound => None,
        Err(err) => return Err(api_failure(&err)),
    };
    if current.is_none()
        && plan.spec.image.is_none()
        && plan.spec.build_id.is_none()
        && packed.is_none()
    {
        return Err(Failure::usage(format!(
            "agent `{}` does not exist yet, and there is no image to create it with, nor a Dockerfile here to build one",
            plan.agent
        ))
        .with_hint(
            "pass the image (`pipecat cloud deploy NAME IMAGE:TAG`), or the project folder to build (--build-dir DIR)",
        ));
    }
    if let Some(build_id) = plan.spec.build_id.clone() {
        check_build(ctx, &client, &build_id).await?;
    }
    checks::check(ctx, &client, &mut plan, current.as_ref()).await?;
    let mut changes = review::changes(&plan, current.as_ref());
    if let Some((source, context)) = &packed {
        changes.insert(0, ("Build", build::describe(source, context)));
    }
    if current.is_some() && changes.is_empty() && !force {
        ctx.out.note(&format!(
            "Agent `{}` already runs this configuration: nothing to deploy (--force redeploys anyway).",
            plan.agent
        ));
        return until_interrupted(wait::finish(ctx, &client, &plan.agent, wait)).await;
    }
    for warning in review::warnings(&plan, current.as_ref()) {
        ctx.out.warn(&warning);
    }
    let (verb, done) = if current.is_some() {
        ("Update", "Updated")
    } else {
        ("Create", "Created")
    };
    if force {
        changes.push(("Force redeploy", "yes".into()));
    }
    ctx.out.review(
        &format!("{verb} agent `{}`:", plan.agent),
        &KeyValues::from(changes),
    );
    if !yes {
        let prompt = match &packed {
            Some(_) => format!("Build, then {} agent {}?", verb.to_lowercase(), plan.agent),
            None => format!("{verb} agent {}?", plan.agent),
        };
        ctx.out.confirm(&Question { prompt, ..question })?;
    }

    if let Some((source, context)) = packed {
        let region = build_region(&client, &plan, current.as_ref()).await?;
        let limit = wait.unwrap_or(wait::DEFAULT_WAIT);
        let build_id = build::build(ctx, &client, source, context, &region, limit).await?;
        let unchanged = current
            .as_ref()
            .is_some_and(|agent| agent.build_id() == Some(build_id.as_str()))
            && review::changes(&plan, current.as_ref()).is_empty();
        if unchanged && !force {
            ctx.out.note(&format!(
                "Agent `{}` already runs build {build_id}: nothing to deploy (--force redeploys anyway).",
                plan.agent
            ));
            return until_interrupted(wait::finish(ctx, &client, &plan.agent, wait)).await;
        }
        plan.spec.build_id = Some(build_id);
    }

    let sent = match &current {
        None => client
            .create_agent(&CreateAgentRequest {
                service_name: plan.agent.clone(),
                spec: plan.spec.clone(),
            })
            .await
            .map(|_| ()),
        Some(_) => client
            .update_agent(&plan.agent, &plan.spec)
            .await
            .map(|_| ()),
    };
    sent.map_err(|err| deploy_failure(&plan.agent, &err))?;
    ctx.out.note(&format!("{done} agent `{}`.", plan.agent));
    until_interrupted(wait::finish(ctx, &client, &plan.agent, wait)).await
}

/// `--build-id`: the build must exist and have succeeded (a build still
/// running, or failed, has no image to run).
async fn check_build(ctx: &Context, client: &Client, id: &str) -> CliResult {
    let build = client.get_build(id).await.map_err(|err| match err.kind {
        ErrorKind::NotFound => Failure::new(Exit::NotFound, format!("build {id} not found"))
            .with_hint(format!(
                "`{}` lists the organization's builds",
                ctx.settings.suggest(&["build", "list"])
            )),
        _ => api_failure(&err),
    })?;
    match build.value.status {
        BuildStatus::Success => Ok(()),
        BuildStatus::Pending | BuildStatus::Building => Err(Failure::new(
            Exit::Temporary,
            format!(
                "build {id} is still {}; it has no image yet",
                build.value.status.as_str()
            ),
        )
        .with_hint(format!(
            "wait for it with `{}`, then deploy again",
            ctx.settings.suggest(&["build", "logs", id, "--follow"])
        ))),
        _ => Err(Failure::new(
            Exit::ApiFailure,
            format!(
                "build {id} did not succeed ({}): it has no image to deploy",
                build.value.status.as_str()
            ),
        )
        .with_hint(format!(
            "see why with `{}`",
            ctx.settings.suggest(&["build", "logs", id])
        ))),
    }
}

/// The region a build goes to: the agent's (asked for, or where it is),
/// else the organization's default, as the official CLI does.
async fn build_region(
    client: &Client,
    plan: &plan::Plan,
    current: Option<&AgentDetails>,
) -> CliResult<String> {
    if let Some(region) = plan
        .spec
        .region
        .clone()
        .or_else(|| current.and_then(|agent| agent.region.clone()))
        .or_else(|| plan.default_region.clone())
    {
        return Ok(region);
    }
    let properties = client.properties().await.map_err(|err| api_failure(&err))?;
    properties
        .value
        .default_region()
        .map(str::to_string)
        .ok_or_else(|| {
            Failure::usage("the organization has no default region to build in")
                .with_hint("pass --region (`pipecat cloud regions list` lists them)")
        })
}

fn deploy_failure(agent: &str, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::BadRequest | ErrorKind::Api => Failure::new(
            Exit::ApiFailure,
            format!("the API refused to deploy agent `{agent}`: {err}"),
        ),
        _ => api_failure(err),
    }
}
