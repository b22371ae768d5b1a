//! `pipecat cloud deploy`: create or update an agent, then wait until its
//! deployment is ready.
//!
//! Differences from the official CLI, on purpose (official-cli.md §8):
//! every input is checked before any request (Q-DEPLOY-1/2, an untagged
//! image or a bad Krisp filter is exit 2, not a traceback); a broken
//! `pcc-deploy.toml` is an error with file and line (Q-CFG-4); an update
//! sends only what the user set, so min agents and Krisp are never reset
//! to defaults behind their back, and `--force` forces a redeploy without
//! also meaning `--yes` (Q-DEPLOY-3); the wait is `--wait-timeout` long or
//! skipped with `--no-wait` (Q-DEPLOY-4).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;

use super::context::{Context, Question, api_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::{OutputMode, key_values, print_json, stdout};
use pipecat_cloud::api::types::{
    AgentDetails, AgentSpec, AutoScalingRequest, CreateAgentRequest, KrispViva,
};
use pipecat_cloud::api::{ApiError, Client, ErrorKind};
use pipecat_cloud::config::deploy::{DEFAULT_FILE_NAME, DeployConfig, DeployConfigError};
use pipecat_cloud::config::env;

/// The platform's bounds and default for the max session duration (s).
const MIN_SESSION_DURATION: i64 = 60;
const MAX_SESSION_DURATION: i64 = 14_400;
const DEFAULT_SESSION_DURATION: i64 = 7200;
const KRISP_FILTERS: [&str; 2] = ["tel", "pro"];
/// How often readiness is polled. The official CLI waits 5 s between
/// polls; a deployment that is ready in a second should not take five.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Failed polls in a row tolerated before giving up (as the official CLI).
const MAX_POLL_FAILURES: u32 = 5;

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
    /// Deploy an image without a pull secret (a public image)
    #[arg(long)]
    pub no_credentials: bool,
    /// Agents kept running even without sessions (billed all the time)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub min_agents: Option<i64>,
    /// Most sessions at once; the next start gets 429 [platform default: 50]
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
    /// Make a new deployment even if nothing changed (e.g. to pull a moved tag)
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

/// The default of `--wait-timeout`: the official CLI's 120 polls of 5 s.
const DEFAULT_WAIT: Duration = Duration::from_secs(600);

/// What to deploy, merged from flags and file and checked.
#[derive(Debug)]
struct Plan {
    agent: String,
    spec: AgentSpec,
    no_credentials: bool,
}

pub async fn run(args: DeployArgs, ctx: &Context) -> CliResult {
    // Everything is checked before the first request.
    let config = load_config(args.config_file.as_deref())?;
    if let Some((path, file)) = &config
        && (file.resources.is_some() || file.git.is_some())
    {
        // Valid official keys this client cannot deploy yet: said, not
        // silently dropped.
        ctx.warn(&format!(
            "{}: [resources] and [git] are not deployed by this client; they are ignored",
            path.display()
        ));
    }
    let wait = if args.no_wait {
        None
    } else {
        Some(args.wait_timeout.unwrap_or(DEFAULT_WAIT))
    };
    let (yes, force) = (args.yes, args.force);
    let plan = merge(args, config)?;
    let question = Question {
        action: "deploying",
        prompt: String::new(),
        default_yes: true,
        skip_flag: "--yes (-y)",
        declined: "not deployed",
    };
    // Before any request: a CI job without --yes fails at once.
    if !yes && !ctx.can_prompt() {
        return ctx.confirm(&question);
    }

    let client = ctx.management_client().await?;
    let current = match client.get_agent(&plan.agent).await {
        Ok(found) => Some(found.value),
        Err(err) if err.kind == ErrorKind::NotFound => None,
        Err(err) => return Err(api_failure(&err)),
    };
    if current.is_none() && plan.spec.image.is_none() && plan.spec.build_id.is_none() {
        return Err(Failure::usage(format!(
            "agent `{}` does not exist yet, and there is no image to create it with",
            plan.agent
        ))
        .with_hint("pass the image: `pipecat cloud deploy NAME IMAGE:TAG`"));
    }
    let changes = changes(&plan, current.as_ref());
    if current.is_some() && changes.is_empty() && !force {
        ctx.note(&format!(
            "Agent `{}` already runs this configuration: nothing to deploy (--force redeploys anyway).",
            plan.agent
        ));
        return finish(ctx, &client, &plan.agent, wait).await;
    }
    warn_about(ctx, &plan, current.as_ref());
    if ctx.output != OutputMode::Json && !ctx.global.quiet {
        let verb = if current.is_some() {
            "Update"
        } else {
            "Create"
        };
        eprintln!("{verb} agent `{}`:", plan.agent);
        let mut rows = changes;
        if force {
            rows.push(("Force redeploy", "yes".into()));
        }
        eprint!("{}", key_values(OutputMode::Rich, &rows));
    }
    if !yes {
        let verb = if current.is_some() {
            "Update"
        } else {
            "Create"
        };
        ctx.confirm(&Question {
            prompt: format!("{verb} agent {}?", plan.agent),
            ..question
        })?;
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
    ctx.note(&format!(
        "{} agent `{}`.",
        if current.is_some() {
            "Updated"
        } else {
            "Created"
        },
        plan.agent
    ));
    finish(ctx, &client, &plan.agent, wait).await
}

/// `--config-file`, else `PIPECAT_DEPLOY_CONFIG_PATH`, else
/// `./pcc-deploy.toml` if there is one.
fn load_config(flag: Option<&std::path::Path>) -> CliResult<Option<(PathBuf, DeployConfig)>> {
    let bad = |err: DeployConfigError| {
        Failure::usage(err.to_string()).with_hint("fix the file; nothing was sent")
    };
    match flag {
        Some(path) => match DeployConfig::load(path).map_err(bad)? {
            Some(config) => Ok(Some((path.to_path_buf(), config))),
            None => Err(Failure::usage(format!(
                "deploy config {} (--config-file) does not exist",
                path.display()
            ))),
        },
        None => DeployConfig::load_current().map_err(bad),
    }
}

/// Flags over the file, field by field; then every rule checked.
fn merge(args: DeployArgs, loaded: Option<(PathBuf, DeployConfig)>) -> CliResult<Plan> {
    let (path, file) = loaded.unwrap_or_default();
    let in_file = |key: &str| format!("`{key}` in {}", path.display());
    let file_scaling = file.scaling.clone().unwrap_or_default();

    let agent = args
        .agent_name
        .filter(|n| !n.is_empty())
        .or(file.agent_name.clone())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            Failure::usage(format!(
                "no agent name given, and no `agent_name` in a {DEFAULT_FILE_NAME}"
            ))
            .with_hint(format!(
                "pass it: `pipecat cloud deploy NAME IMAGE:TAG`, or set {} / --config-file",
                env::DEPLOY_CONFIG_PATH
            ))
        })?;

    if let (Some(_), Some(_)) = (&args.image, &args.build_id) {
        return Err(Failure::usage("an image and --build-id were both given")
            .with_hint("deploy either an image or a cloud build, not both"));
    }
    if let (Some(_), Some(_)) = (&file.image, &file.build_id) {
        return Err(
            Failure::usage(format!("{} and `build_id` are both set", in_file("image")))
                .with_hint("keep one of them"),
        );
    }
    // A flag of either kind replaces what the file deploys.
    let (image, build_id) = if args.image.is_some() || args.build_id.is_some() {
        (args.image, args.build_id)
    } else {
        (file.image.clone(), file.build_id.clone())
    };
    if let Some(image) = &image {
        check_image(image)?;
    }

    let max_session_duration = match (args.max_session_duration, file.max_session_duration) {
        (Some(secs), _) => Some(check_duration(secs, "--max-session-duration")?),
        (None, Some(secs)) => Some(check_duration(
            i64::from(secs),
            &in_file("max_session_duration"),
        )?),
        (None, None) => None,
    };
    let min_agents = match args.min_agents {
        Some(n) => Some(check_count(n, 0, "--min-agents")?),
        None => file_scaling.min_agents,
    };
    let max_agents = match args.max_agents {
        Some(n) => Some(check_count(n, 1, "--max-agents")?),
        None => match file_scaling.max_agents {
            Some(0) => {
                return Err(Failure::usage(format!(
                    "{} must be at least 1",
                    in_file("[scaling] max_agents")
                )));
            }
            other => other,
        },
    };
    if let (Some(min), Some(max)) = (min_agents, max_agents)
        && max < min
    {
        return Err(Failure::usage(format!(
            "max agents ({max}) is less than min agents ({min})"
        ))
        .with_hint("raise --max-agents or lower --min-agents"));
    }
    let krisp = match args.krisp_viva_audio_filter {
        Some(filter) => Some(check_krisp(&filter, "--krisp-viva-audio-filter")?),
        None => match file
            .krisp_viva
            .as_ref()
            .and_then(|k| k.audio_filter.clone())
        {
            Some(filter) => Some(check_krisp(&filter, &in_file("[krisp_viva] audio_filter"))?),
            None => None,
        },
    };
    let auto_scaling =
        (min_agents.is_some() || max_agents.is_some()).then_some(AutoScalingRequest {
            min_agents,
            max_agents,
        });
    let spec = AgentSpec {
        image,
        build_id,
        region: args.region.or(file.region),
        image_pull_secret_set: args.credentials.or(file.image_credentials),
        secret_set: args.secrets.or(file.secret_set),
        auto_scaling,
        krisp_viva: krisp.map(|filter| KrispViva {
            audio_filter: Some(filter),
        }),
        agent_profile: args.profile.or(file.agent_profile),
        max_session_duration,
        force_redeploy: args.force.then_some(true),
        websocket_auth: file.websocket_auth,
        architecture: file.architecture,
        ..AgentSpec::default()
    };
    Ok(Plan {
        agent,
        spec,
        no_credentials: args.no_credentials,
    })
}

/// An image needs a tag (or a digest): an untagged one silently means
/// `latest`, which is rarely what a deploy should pin.
fn check_image(image: &str) -> CliResult {
    let name = image.rsplit('/').next().unwrap_or(image);
    if image.trim().is_empty() || !(name.contains(':') || image.contains('@')) {
        return Err(Failure::usage(format!("image {image:?} has no tag"))
            .with_hint(format!("name the version to deploy, e.g. {image}:1.0")));
    }
    Ok(())
}

fn check_duration(seconds: i64, what: &str) -> CliResult<u32> {
    if !(MIN_SESSION_DURATION..=MAX_SESSION_DURATION).contains(&seconds) {
        return Err(Failure::usage(format!(
            "{what} is {seconds}, outside {MIN_SESSION_DURATION}..{MAX_SESSION_DURATION} seconds"
        ))
        .with_hint(format!(
            "choose 60 to 14400 seconds, or leave it out for the default {DEFAULT_SESSION_DURATION}"
        )));
    }
    Ok(seconds as u32)
}

fn check_count(n: i64, least: i64, what: &str) -> CliResult<u32> {
    u32::try_from(n)
        .ok()
        .filter(|n| i64::from(*n) >= least)
        .ok_or_else(|| Failure::usage(format!("{what} is {n}; it must be at least {least}")))
}

fn check_krisp(filter: &str, what: &str) -> CliResult<String> {
    if KRISP_FILTERS.contains(&filter) {
        Ok(filter.to_string())
    } else {
        Err(
            Failure::usage(format!("{what} is {filter:?}, not a Krisp VIVA filter"))
                .with_hint("use tel (telephony, up to 16 kHz) or pro (WebRTC, up to 32 kHz)"),
        )
    }
}

/// What the deploy sets, as `field: old → new` for an update (only the
/// fields that differ) or `field: value` for a create.
fn changes(plan: &Plan, current: Option<&AgentDetails>) -> Vec<(&'static str, String)> {
    let spec = &plan.spec;
    let now = current.map(Observed::of);
    let mut rows = Vec::new();
    let mut row = |label: &'static str, new: Option<String>, old: Option<Option<String>>| {
        let Some(new) = new else { return };
        match old {
            None => rows.push((label, new)),
            Some(old) if old.as_deref() != Some(new.as_str()) => rows.push((
                label,
                format!("{} → {new}", old.unwrap_or_else(|| "-".into())),
            )),
            Some(_) => {}
        }
    };
    let o = now.as_ref();
    row("Image", spec.image.clone(), o.map(|o| o.image.clone()));
    row(
        "Cloud build",
        spec.build_id.clone(),
        o.map(|o| o.build_id.clone()),
    );
    // The status does not show these back: always listed when set.
    row("Region", spec.region.clone(), o.map(|o| o.region.clone()));
    row("Secret set", spec.secret_set.clone(), None);
    row(
        "Pull secret",
        spec.image_pull_secret_set
            .clone()
            .or_else(|| plan.no_credentials.then(|| "none (public image)".into())),
        None,
    );
    row(
        "Profile",
        spec.agent_profile.clone(),
        o.map(|o| o.profile.clone()),
    );
    let scaling = spec.auto_scaling.clone().unwrap_or_default();
    row(
        "Min agents",
        scaling.min_agents.map(|n| n.to_string()),
        o.map(|o| o.min_agents.map(|n| n.to_string())),
    );
    row(
        "Max agents",
        scaling.max_agents.map(|n| n.to_string()),
        o.map(|o| o.max_agents.map(|n| n.to_string())),
    );
    row(
        "Krisp VIVA",
        spec.krisp_viva
            .as_ref()
            .and_then(|k| k.audio_filter.clone()),
        o.map(|o| o.krisp.clone()),
    );
    row(
        "Max session duration",
        spec.max_session_duration.map(|s| format!("{s} s")),
        o.map(|o| Some(format!("{} s", o.max_session_duration))),
    );
    row("Websocket auth", spec.websocket_auth.clone(), None);
    row("Architecture", spec.architecture.clone(), None);
    rows
}

/// What an agent's status says of the fields a deploy sets.
struct Observed {
    image: Option<String>,
    build_id: Option<String>,
    region: Option<String>,
    profile: Option<String>,
    min_agents: Option<u32>,
    max_agents: Option<u32>,
    krisp: Option<String>,
    max_session_duration: u32,
}

impl Observed {
    fn of(details: &AgentDetails) -> Observed {
        let deployment = details.deployment.as_ref();
        let spec = deployment
            .and_then(|d| d.manifest.as_ref())
            .and_then(|m| m.spec.as_ref());
        let scaling = details.auto_scaling.clone().unwrap_or_default();
        Observed {
            image: spec.and_then(|s| s.image.clone()),
            build_id: deployment.and_then(|d| d.build_id.clone()),
            region: details.region.clone(),
            profile: details.agent_profile.clone(),
            min_agents: scaling.min_replicas,
            max_agents: scaling.max_replicas,
            krisp: details
                .krisp_viva
                .as_ref()
                .and_then(|k| k.audio_filter.clone()),
            max_session_duration: spec
                .and_then(|s| s.max_session_duration_seconds)
                .unwrap_or(DEFAULT_SESSION_DURATION as u32),
        }
    }
}

fn warn_about(ctx: &Context, plan: &Plan, current: Option<&AgentDetails>) {
    let scaling = plan.spec.auto_scaling.clone().unwrap_or_default();
    if let Some(min) = scaling.min_agents.filter(|n| *n > 0) {
        ctx.warn(&format!(
            "--min-agents {min}: {min} reserved agent(s) are billed all the time, even without sessions"
        ));
    }
    if let (Some(new), Some(current)) = (plan.spec.max_session_duration, current) {
        let old = Observed::of(current).max_session_duration;
        if old != new {
            ctx.warn(&format!(
                "max session duration {old} s → {new} s makes a new deployment; \
                 running sessions keep their {old} s cap, new sessions get {new} s"
            ));
        }
    }
    let deploys_image = plan.spec.image.is_some() && plan.spec.build_id.is_none();
    if deploys_image
        && current.is_none()
        && plan.spec.image_pull_secret_set.is_none()
        && !plan.no_credentials
    {
        ctx.warn(
            "no image pull secret: a private image will fail to pull \
             (--credentials SET names one; --no-credentials says the image is public)",
        );
    }
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

/// Waits for readiness (unless `--no-wait`) and prints the outcome.
async fn finish(ctx: &Context, client: &Client, agent: &str, wait: Option<Duration>) -> CliResult {
    let (details, outcome) = match wait {
        None => (status(client, agent).await?, Outcome::NotWaited),
        Some(limit) => wait_ready(ctx, client, agent, limit).await?,
    };
    let deployment_id = details
        .desired_deployment_id
        .clone()
        .or_else(|| details.active_deployment_id.clone())
        .unwrap_or_default();
    let available = details.available.unwrap_or(details.ready);
    if ctx.output == OutputMode::Json {
        print_json(&json!({
            "agentName": agent,
            "deploymentId": deployment_id,
            "ready": details.ready,
            "available": available,
        }));
    }
    match outcome {
        Outcome::Ready => {
            if ctx.output != OutputMode::Json {
                stdout(&key_values(
                    ctx.output,
                    &[
                        ("Agent", agent.to_string()),
                        ("Deployment ID", deployment_id),
                        ("Ready", "yes".into()),
                    ],
                ));
            }
            ctx.note(&format!(
                "Agent `{agent}` is ready: `pipecat cloud agent start {agent}` starts a session."
            ));
            Ok(())
        }
        Outcome::NotWaited => {
            ctx.note(&format!(
                "Not waiting for readiness: `pipecat cloud agent status {agent}` shows it."
            ));
            Ok(())
        }
        Outcome::Failed(reason) => Err(Failure::new(
            Exit::ApiFailure,
            format!("deployment of agent `{agent}` failed: {reason}"),
        )
        .with_hint(format!(
            "check the image and `pipecat cloud agent status {agent}`, then deploy again"
        ))),
        Outcome::TimedOut { phase } if available => {
            ctx.warn(&format!(
                "agent `{agent}` is still rolling out after the wait ({phase}); \
                 its previous deployment keeps serving"
            ));
            Ok(())
        }
        Outcome::TimedOut { phase } => Err(Failure::new(
            Exit::ApiFailure,
            format!("agent `{agent}` did not become available within the wait ({phase})"),
        )
        .with_hint(format!(
            "wait longer with --wait-timeout, or check `pipecat cloud agent status {agent}`"
        ))),
    }
}

enum Outcome {
    Ready,
    NotWaited,
    Failed(String),
    TimedOut { phase: String },
}

async fn status(client: &Client, agent: &str) -> CliResult<AgentDetails> {
    client
        .get_agent(agent)
        .await
        .map(|found| found.value)
        .map_err(|err| api_failure(&err))
}

async fn wait_ready(
    ctx: &Context,
    client: &Client,
    agent: &str,
    limit: Duration,
) -> CliResult<(AgentDetails, Outcome)> {
    let started = Instant::now();
    let spinner = (!ctx.global.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let mut shown_phase = String::new();
    let mut failures = 0;
    let mut last: Option<AgentDetails> = None;
    let outcome = loop {
        match client.get_agent(agent).await {
            Ok(found) => {
                failures = 0;
                let details = found.value;
                let phase = Phase::of(&details);
                let text = phase.describe(&details);
                if let Some(bar) = &spinner {
                    bar.set_message(format!("agent `{agent}`: {text}"));
                } else if text != shown_phase {
                    ctx.note(&format!("agent `{agent}`: {text}"));
                }
                shown_phase = text.clone();
                let failure = failure_reason(&details);
                last = Some(details);
                if let Some(reason) = failure {
                    break Outcome::Failed(reason);
                }
                if phase == Phase::Ready {
                    break Outcome::Ready;
                }
            }
            Err(err) if transient(&err) && failures < MAX_POLL_FAILURES => failures += 1,
            Err(err) => {
                if let Some(bar) = &spinner {
                    bar.finish_and_clear();
                }
                return Err(api_failure(&err));
            }
        }
        if started.elapsed() + POLL_INTERVAL > limit {
            break Outcome::TimedOut {
                phase: shown_phase.clone(),
            };
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    };
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    match last {
        Some(details) => Ok((details, outcome)),
        // Every poll failed transiently until the deadline.
        None => Err(Failure::new(
            Exit::Unreachable,
            format!("could not read the status of agent `{agent}` while waiting"),
        )),
    }
}

fn transient(err: &ApiError) -> bool {
    matches!(err.kind, ErrorKind::Connect | ErrorKind::Timeout)
        || err.status.is_some_and(|s| s >= 500)
}

/// Why a deployment failed, if the status says so: the `errors` array (as
/// the official CLI reads it), or a current revision in phase `Failed`;
/// with the revision's health reason, exit code and termination reason
/// when there are any (e.g. `CrashLoopBackOff, exit code 1`).
fn failure_reason(details: &AgentDetails) -> Option<String> {
    let revision = details.current_revision.as_ref();
    let failed_revision = revision.and_then(|r| r.phase.as_deref()) == Some("Failed");
    let mut text = match details.errors.first() {
        Some(error) => match (&error.code, &error.message) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.clone(),
            (None, Some(message)) => message.clone(),
            (None, None) => "the platform reported an error".into(),
        },
        None if failed_revision => "the new revision failed".into(),
        None => return None,
    };
    if let Some(health) = revision.and_then(|r| r.health.as_ref()) {
        let mut extra = Vec::new();
        if let Some(reason) = &health.reason {
            extra.push(format!("reason {reason}"));
        }
        if let Some(code) = health.last_exit_code {
            extra.push(format!("exit code {code}"));
        }
        if let Some(why) = &health.last_termination_reason {
            extra.push(format!("last termination {why}"));
        }
        if !extra.is_empty() {
            text.push_str(&format!(" ({})", extra.join(", ")));
        }
        if details.errors.is_empty()
            && let Some(message) = &health.message
        {
            text.push_str(&format!(": {}", message.trim()));
        }
    }
    Some(text)
}

/// The official CLI's reading of a status (official-cli.md §3.6.3); the
/// first rule that matches wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    WaitingForOperator,
    Ready,
    DegradedAvailable,
    ProgressingAvailable,
    ProgressingNew,
    Unavailable,
}

impl Phase {
    pub fn of(details: &AgentDetails) -> Phase {
        let desired = details
            .desired_deployment_id
            .as_ref()
            .or(details.active_deployment_id.as_ref());
        if let Some(desired) = desired
            && details.reconciled_deployment_id.as_ref() != Some(desired)
        {
            return Phase::WaitingForOperator;
        }
        let ready = details.ready || details.active_deployment_ready == Some(true);
        let available = details.available.unwrap_or(details.ready);
        if available && ready {
            Phase::Ready
        } else if available && degraded(details).is_some() {
            Phase::DegradedAvailable
        } else if available {
            Phase::ProgressingAvailable
        } else if details
            .current_revision
            .as_ref()
            .and_then(|r| r.phase.as_deref())
            .is_some_and(|p| p == "Creating" || p == "Validating")
        {
            Phase::ProgressingNew
        } else {
            Phase::Unavailable
        }
    }

    /// The phase in words, with the health reason when there is one.
    pub fn describe(self, details: &AgentDetails) -> String {
        let base = match self {
            Phase::WaitingForOperator => "waiting for the platform to pick up the deployment",
            Phase::Ready => "ready",
            Phase::DegradedAvailable => "available, but the new deployment is degraded",
            Phase::ProgressingAvailable => "available, new deployment rolling out",
            Phase::ProgressingNew => "deploying",
            Phase::Unavailable => "unavailable",
        };
        match (self, degraded(details)) {
            (Phase::DegradedAvailable | Phase::Unavailable, Some(reason)) => {
                format!("{base} ({reason})")
            }
            _ => base.to_string(),
        }
    }
}

/// The revision's health reason: the status carries no `conditions` in
/// the typed view, so the revision health stands in for `Degraded`.
fn degraded(details: &AgentDetails) -> Option<String> {
    let health = details.current_revision.as_ref()?.health.as_ref()?;
    if health.ready == Some(true) {
        return None;
    }
    health.reason.clone().or_else(|| health.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipecat_cloud::api::types::{RevisionHealth, RevisionInfo};

    #[test]
    fn images_need_a_tag() {
        assert!(check_image("me/bot:1.0").is_ok());
        assert!(check_image("reg:5000/me/bot:1").is_ok());
        assert!(check_image("me/bot@sha256:abc").is_ok());
        assert!(check_image("me/bot").is_err());
        assert!(check_image("reg:5000/me/bot").is_err());
    }

    #[test]
    fn phases_follow_the_official_rules() {
        let mut d = AgentDetails {
            desired_deployment_id: Some("d2".into()),
            reconciled_deployment_id: Some("d1".into()),
            ..AgentDetails::default()
        };
        assert_eq!(Phase::of(&d), Phase::WaitingForOperator);
        d.reconciled_deployment_id = Some("d2".into());
        d.ready = true;
        d.available = Some(true);
        assert_eq!(Phase::of(&d), Phase::Ready);
        d.ready = false;
        assert_eq!(Phase::of(&d), Phase::ProgressingAvailable);
        d.current_revision = Some(RevisionInfo {
            health: Some(RevisionHealth {
                ready: Some(false),
                reason: Some("CrashLoopBackOff".into()),
                ..RevisionHealth::default()
            }),
            ..RevisionInfo::default()
        });
        assert_eq!(Phase::of(&d), Phase::DegradedAvailable);
        d.available = Some(false);
        assert_eq!(Phase::of(&d), Phase::Unavailable);
        assert_eq!(
            Phase::Unavailable.describe(&d),
            "unavailable (CrashLoopBackOff)"
        );
    }
}
