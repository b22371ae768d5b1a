//! `pipecat cloud agent ...`: inspect and delete agents; start, stop and
//! inspect their sessions.

pub mod delete;
pub mod deployments;
pub mod list;
pub mod live;
pub mod logs;
pub mod sessions;
pub mod start;
pub mod status;
pub mod stop;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use futures_util::StreamExt;

use super::context::{Context, api_failure};
use super::exit::{CliResult, Exit, Failure};
use pipecat_cloud::api::{ApiError, Client, ErrorKind};
use pipecat_cloud::config::deploy::DEFAULT_FILE_NAME;
use pipecat_cloud::config::env;

#[derive(Debug, Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub command: AgentCommand,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Start a session of an agent (needs only a public API key).
    Start(start::StartArgs),
    /// Stop a running session.
    Stop(stop::StopArgs),
    /// List an agent's sessions, or show one in full.
    Sessions(sessions::SessionsArgs),
    /// Show an agent's logs.
    Logs(logs::LogsArgs),
    /// List the organization's agents.
    List(list::ListArgs),
    /// Show an agent's readiness, deployment, scaling and limits.
    Status(status::StatusArgs),
    /// List an agent's deployments, newest first.
    Deployments(deployments::DeploymentsArgs),
    /// Delete an agent (running sessions keep running until stopped).
    Delete(delete::DeleteArgs),
}

pub async fn run(args: AgentArgs, ctx: &Context) -> CliResult {
    match args.command {
        AgentCommand::Start(args) => start::run(args, ctx).await,
        AgentCommand::Stop(args) => stop::run(args, ctx).await,
        AgentCommand::Sessions(args) => sessions::run(args, ctx).await,
        AgentCommand::Logs(args) => logs::run(args, ctx).await,
        AgentCommand::List(args) => list::run(args, ctx).await,
        AgentCommand::Status(args) => status::run(args, ctx).await,
        AgentCommand::Deployments(args) => deployments::run(args, ctx).await,
        AgentCommand::Delete(args) => delete::run(args, ctx).await,
    }
}

/// `--config-file`: the deploy config a command reads `agent_name` from
/// when no agent is named (the official CLI's option on these commands).
#[derive(Debug, Clone, Default, Args)]
pub struct DeployConfigArg {
    /// Deploy config to read `agent_name` from [default:
    /// PIPECAT_DEPLOY_CONFIG_PATH, else ./pcc-deploy.toml]
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
}

impl DeployConfigArg {
    /// The agent a command acts on: the argument, else `agent_name` from
    /// the deploy config. The file is read only when the name is missing,
    /// so a broken file never gets in the way of an explicit name.
    pub fn agent_name(&self, argument: Option<String>) -> CliResult<String> {
        self.project_agent(argument)?.ok_or_else(|| {
            Failure::usage(format!(
                "no agent name given, and there is no {DEFAULT_FILE_NAME} here"
            ))
            .with_hint(format!(
                "pass the agent name as the first argument, or point --config-file or {} at a deploy config",
                env::DEPLOY_CONFIG_PATH
            ))
        })
    }

    /// The argument, else `agent_name` from the deploy config; `None` when
    /// neither is there (for commands that then act on every agent). A
    /// deploy config without `agent_name` is an error.
    pub fn project_agent(&self, argument: Option<String>) -> CliResult<Option<String>> {
        if let Some(name) = argument.filter(|name| !name.is_empty()) {
            return Ok(Some(name));
        }
        match super::deploy::load_config(self.config_file.as_deref())? {
            Some((path, config)) => match config.agent_name.filter(|n| !n.is_empty()) {
                Some(name) => Ok(Some(name)),
                None => Err(Failure::usage(format!(
                    "no agent name given, and {} has no `agent_name`",
                    path.display()
                ))
                .with_hint("pass the agent name as the first argument")),
            },
            None => Ok(None),
        }
    }
}

/// The agent a command without `--config-file` acts on: the argument,
/// else `agent_name` from the current project's deploy config.
pub fn agent_name(argument: Option<String>) -> CliResult<String> {
    DeployConfigArg::default().agent_name(argument)
}

/// At most this many requests about agents run at once.
const CONCURRENT_REQUESTS: usize = 8;

/// `request` for each of `names`, a few at a time; the answers in the
/// order of `names`.
pub async fn each_agent<T, F, Fut>(names: &[String], request: F) -> Vec<T>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = T>,
{
    futures_util::stream::iter(names.iter().cloned())
        .map(request)
        .buffered(CONCURRENT_REQUESTS)
        .collect()
        .await
}

/// An API error about agent `agent`, met running `command` (the words
/// after `pipecat cloud`, the agent name among them): a 404 is exit 4
/// naming the agent, with the command for the closest existing name when
/// one is close (the list is one request away), else how to list them.
pub async fn agent_failure(
    ctx: &Context,
    client: &Client,
    agent: &str,
    err: &ApiError,
    command: &[&str],
) -> Failure {
    if err.kind != ErrorKind::NotFound {
        return api_failure(err);
    }
    agent_not_found(ctx, client, agent, err.to_string(), command).await
}

/// Agent `agent` does not exist (`why` says how we know): exit 4, and the
/// hint of [`agent_failure`].
pub async fn agent_not_found(
    ctx: &Context,
    client: &Client,
    agent: &str,
    why: String,
    command: &[&str],
) -> Failure {
    let failure = Failure::new(Exit::NotFound, format!("agent `{agent}` not found: {why}"));
    let names = client.agent_names().await.unwrap_or_default();
    match closest(agent, &names) {
        Some(name) => {
            let corrected: Vec<&str> = command
                .iter()
                .map(|word| if *word == agent { name } else { word })
                .collect();
            failure.with_hint(format!(
                "did you mean `{name}`? `{}`",
                ctx.settings.suggest(&corrected)
            ))
        }
        None => failure.with_hint(format!(
            "list the agents with `{}`",
            ctx.settings.suggest(&["agent", "list"])
        )),
    }
}

/// The name in `names` most like `wanted`, if any is alike enough: a
/// small typo, or one containing the other.
fn closest<'a>(wanted: &str, names: &'a [String]) -> Option<&'a str> {
    names
        .iter()
        .filter(|name| name.as_str() != wanted)
        .map(|name| {
            let contained = name.contains(wanted) || wanted.contains(name.as_str());
            let score = strsim::jaro_winkler(wanted, name).max(if contained { 0.85 } else { 0.0 });
            (score, name.as_str())
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_name_is_a_small_typo_or_a_part() {
        let names: Vec<String> = ["my-first-agent", "support-bot", "sales"]
            .map(String::from)
            .into();
        assert_eq!(closest("my-frist-agent", &names), Some("my-first-agent"));
        assert_eq!(closest("support", &names), Some("support-bot"));
        assert_eq!(closest("zzz", &names), None);
        assert_eq!(closest("sales", &names), None);
        assert_eq!(closest("x", &[]), None);
    }
}
