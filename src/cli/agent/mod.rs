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

use super::context::Context;
use super::exit::{CliResult, Failure};
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
        if let Some(name) = argument.filter(|name| !name.is_empty()) {
            return Ok(name);
        }
        match super::deploy::load_config(self.config_file.as_deref())? {
            Some((path, config)) => config.agent_name.filter(|n| !n.is_empty()).ok_or_else(|| {
                Failure::usage(format!(
                    "no agent name given, and {} has no `agent_name`",
                    path.display()
                ))
                .with_hint("pass the agent name as the first argument")
            }),
            None => Err(Failure::usage(format!(
                "no agent name given, and there is no {DEFAULT_FILE_NAME} here"
            ))
            .with_hint(format!(
                "pass the agent name as the first argument, or point --config-file or {} at a deploy config",
                env::DEPLOY_CONFIG_PATH
            ))),
        }
    }
}

/// The agent a command without `--config-file` acts on: the argument,
/// else `agent_name` from the current project's deploy config.
pub fn agent_name(argument: Option<String>) -> CliResult<String> {
    DeployConfigArg::default().agent_name(argument)
}

/// An API error about agent `agent`: a 404 is exit 4 naming the agent.
pub fn agent_failure(agent: &str, err: &pipecat_cloud::api::ApiError) -> Failure {
    match err.kind {
        pipecat_cloud::api::ErrorKind::NotFound => Failure::new(
            super::exit::Exit::NotFound,
            format!("agent `{agent}` not found: {err}"),
        )
        .with_hint("list the agents with `pipecat cloud agent list`"),
        _ => super::context::api_failure(err),
    }
}
