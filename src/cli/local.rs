//! `pipecat cloud local serve|env`: run a local Pipecat Cloud and point
//! clients at it. (`demo-bot` is the hidden subcommand the built-in
//! `pipecat-local/demo-bot` image runs; it never reaches `run`.)

use std::path::PathBuf;

use clap::{Args, Subcommand};

use pipecat_cloud::local::{self, ImageMapping, Options, Server, autostart};

use pipecat_cloud::api::{Client, Credential, limits};
use serde_json::json;

use super::context::{Context, api_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::{Answer, Column, Table};

#[derive(Debug, Args)]
pub struct LocalArgs {
    #[command(subcommand)]
    pub command: LocalCommand,
}

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes).
    Serve(ServeArgs),
    /// Print `export PIPECAT_...=` lines that point clients at a local cloud.
    Env(EnvArgs),
    /// Show whether a local cloud runs, its URL, pid, agents and active sessions.
    Status(DataDirArgs),
    /// Stop the local cloud gracefully (its sessions are stopped and recorded).
    Stop(DataDirArgs),
    /// The built-in demo bot (what `pipecat-local/demo-bot` runs).
    #[command(hide = true)]
    DemoBot,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = local::DEFAULT_PORT)]
    pub port: u16,
    /// Data directory (state, logs, keys) [default: $PIPECAT_LOCAL_DATA_DIR, else the user's local data dir]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run image NAME as shell COMMAND (repeatable); with
    /// NAME=http:COMMAND, COMMAND gets $PORT and must serve the agent
    /// container contract there (/readyz, POST /bot), e.g.
    /// `docker run --rm -p $PORT:8080 IMAGE`. NAME without a tag matches
    /// every tag of that repository. `pipecat-local/demo-bot` and cloud
    /// builds (`pipecat-local/builds:ID`) are built in.
    #[arg(long = "image", value_name = "NAME=COMMAND")]
    pub images: Vec<ImageMapping>,
    /// Session limit of agents that do not set `maxAgents`
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_MAX_AGENTS, value_parser = clap::value_parser!(u32).range(1..))]
    pub default_max_agents: u32,
    /// Lowest `maxSessionDuration` accepted, in seconds (the platform's is
    /// 60). For tests and demos only: lets a short cap be tried quickly.
    #[arg(long, value_name = "SECS", default_value_t = limits::MIN_SESSION_DURATION, value_parser = clap::value_parser!(u32).range(1..=i64::from(limits::MAX_SESSION_DURATION)))]
    pub min_session_duration: u32,
    /// Serve region NAME too, besides `local` (repeatable), e.g. to
    /// deploy a pcc-deploy.toml that names one. Every region runs here.
    #[arg(long = "region", value_name = "NAME", value_parser = region_code)]
    pub regions: Vec<String>,
    /// How long the access token of a browser login (`auth login`) lives:
    /// seconds or a duration such as 10m. A short one lets tests see
    /// tokens expire and be refreshed.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = super::duration::lifetime)]
    pub token_ttl: std::time::Duration,
    /// Show a page with a "Log in" button when a browser login arrives,
    /// instead of approving it at once (to try `auth login` in a browser).
    #[arg(long)]
    pub login_prompt: bool,
    /// Lines one session may log per second; the excess is dropped and
    /// counted in its logs
    #[arg(long, value_name = "N", default_value_t = local::DEFAULT_MAX_LOG_LINES_PER_SECOND, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_log_lines_per_second: u32,
    /// How long the agent of a built or http: image may take to answer
    /// /readyz before its session fails with START_FAILED
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = super::duration::timeout)]
    pub ready_timeout: std::time::Duration,
    /// How long one cloud build may run before it ends as `timeout`
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = super::duration::timeout)]
    pub build_timeout: std::time::Duration,
    /// Largest build context upload accepted, in bytes (the platform's
    /// limit is 500 MB)
    #[arg(long, value_name = "BYTES", default_value_t = pipecat_cloud::api::build_context::MAX_CONTEXT_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_context_bytes: u64,
}

fn region_code(code: &str) -> Result<String, String> {
    pipecat_cloud::api::names::check_region_code(code).map(|()| code.to_string())
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Data directory of the local cloud [default: as for `serve`]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `--local`: attaches `ctx` to the local cloud of its data dir, starting
/// one in the background (and saying so, once) when none runs.
pub fn attach(ctx: &mut Context) -> CliResult {
    let data_dir = ctx
        .settings
        .local
        .clone()
        .unwrap_or_else(local::default_data_dir);
    let exe = std::env::current_exe().map_err(|err| {
        Failure::new(
            Exit::ApiFailure,
            format!("cannot find this program to start the local cloud: {err}"),
        )
    })?;
    let (endpoint, started) =
        autostart::ensure_running(&data_dir, &exe).map_err(|err| match err {
            autostart::AutostartError::DataDir(err) => Failure::usage(err.to_string()),
            err => Failure::new(Exit::Unreachable, err.to_string()),
        })?;
    if started {
        ctx.out.note(&format!(
            "started a local Pipecat Cloud at {} (data dir {}; server log {}; stop it with `pipecat cloud local stop`)",
            endpoint.url,
            data_dir.display(),
            data_dir.join(autostart::BACKGROUND_LOG_FILE).display()
        ));
    }
    ctx.use_local(&endpoint)
}

#[derive(Debug, Args)]
pub struct DataDirArgs {
    /// Data directory of the local cloud [default: as for `serve`]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

pub async fn run(args: LocalArgs, ctx: &Context) -> CliResult {
    match args.command {
        LocalCommand::Status(args) => status(args, ctx).await,
        LocalCommand::Stop(args) => stop(args, ctx),
        LocalCommand::Serve(args) => serve(args, ctx).await,
        LocalCommand::Env(args) => print_env(args, ctx),
        LocalCommand::DemoBot => Err(Failure::usage("demo-bot runs outside the async runtime")),
    }
}

async fn serve(args: ServeArgs, ctx: &Context) -> CliResult {
    let data_dir = args.data_dir.unwrap_or_else(local::default_data_dir);
    // With -v, each request is shown as the access log records it.
    let access_observer = (ctx.out.verbosity() > 0).then(|| {
        let out = ctx.out.clone();
        local::AccessObserver(std::sync::Arc::new(move |line: &str| out.detail(line)))
    });
    let options = Options {
        port: args.port,
        images: args.images,
        default_max_agents: args.default_max_agents,
        min_session_duration: args.min_session_duration,
        access_observer,
        regions: args.regions,
        token_ttl: args.token_ttl,
        login_prompt: args.login_prompt,
        max_log_lines_per_second: args.max_log_lines_per_second,
        ready_timeout: args.ready_timeout,
        build_timeout: args.build_timeout,
        max_context_bytes: args.max_context_bytes,
        ..Options::new(data_dir)
    };
    ctx.out.detail(&format!(
        "serving {} on 127.0.0.1:{}; default maxAgents {}, lowest maxSessionDuration {} s; at most {} log lines per second per session; image mappings: {:?}; extra regions: {:?}",
        options.data_dir.display(),
        options.port,
        options.default_max_agents,
        options.min_session_duration,
        options.max_log_lines_per_second,
        options.images,
        options.regions
    ));
    // Listen for signals before anyone can know we run (the line below):
    // a stop sent right after it must not be lost or kill us uncleanly.
    let stop_signal = StopSignal::listen()?;
    let port = options.port;
    let server = Server::start(options).await.map_err(|err| {
        if let Some(err) = err.downcast_ref::<local::DataDirError>() {
            return Failure::usage(err.to_string());
        }
        let failure = Failure::new(Exit::ApiFailure, format!("{err:#}"));
        let port_taken = err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|err| err.kind() == std::io::ErrorKind::AddrInUse);
        if port_taken {
            failure.with_hint(format!(
                "another program (or local cloud) uses port {port}; `--port 0` picks a free one"
            ))
        } else {
            failure
        }
    })?;
    // The server goes on even when nobody reads this line (stdout closed
    // or full): clients find it through the state file. In JSON mode the
    // line is one JSON object (`{"url", "dataDir"}`).
    let announcement = format!(
        "Local Pipecat Cloud listening on {} (data dir: {})\n",
        server.url(),
        server.data_dir().display()
    );
    let answer = Answer::new(json!({"url": server.url(), "dataDir": server.data_dir()}))
        .first_of_stream()
        .lines(|_| announcement);
    if let Err(failure) = ctx.out.answer(answer) {
        ctx.out.warn(&format!(
            "cannot print the server's URL to stdout ({}); it is in server.json",
            failure.message
        ));
    }
    stop_signal.wait().await;
    server.shutdown().await;
    Ok(())
}

/// SIGTERM, SIGINT or SIGHUP (a closed terminal or a dropped SSH
/// connection): the signals that stop `serve` cleanly.
struct StopSignal {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn listen() -> CliResult<StopSignal> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind| {
            signal(kind).map_err(|err| {
                Failure::new(
                    Exit::ApiFailure,
                    format!("cannot listen for signals: {err}"),
                )
            })
        };
        Ok(StopSignal {
            terminate: listen(SignalKind::terminate())?,
            interrupt: listen(SignalKind::interrupt())?,
            hangup: listen(SignalKind::hangup())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}

/// `export NAME='value'` lines, or one JSON object with `--output json`.
fn print_env(args: EnvArgs, ctx: &Context) -> CliResult {
    let data_dir = args.data_dir.unwrap_or_else(local::default_data_dir);
    let variables = local::client_environment(&data_dir).map_err(|err| match err
        .downcast_ref::<local::DataDirError>()
    {
        Some(err) => Failure::usage(err.to_string()),
        None => Failure::new(Exit::ApiFailure, format!("{err:#}")),
    })?;
    let object: serde_json::Map<String, serde_json::Value> = variables
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone().into()))
        .collect();
    ctx.out.answer(Answer::new(object.into()).lines(|_| {
        variables
            .iter()
            .map(|(name, value)| format!("export {name}={}\n", shell_quote(value)))
            .collect()
    }))
}

async fn status(args: DataDirArgs, ctx: &Context) -> CliResult {
    let data_dir = args.data_dir.unwrap_or_else(local::default_data_dir);
    let Some(endpoint) = autostart::running(&data_dir) else {
        ctx.out
            .answer(Answer::new(json!({"running": false, "dataDir": data_dir})))?;
        return Err(Failure::new(
            Exit::Unreachable,
            format!("no local cloud is running in {}", data_dir.display()),
        )
        .with_hint("start one with `pipecat cloud local serve`, or run any command with --local"));
    };
    let client = Client::new(
        &endpoint.url,
        Credential::PrivateKey(endpoint.private_key.clone()),
        None,
        ctx.settings.timeout,
    )
    .map_err(|err| api_failure(&err))?;
    let agents = client
        .list_agents(None)
        .await
        .map_err(|err| api_failure(&err))?;
    let mut details = Vec::new();
    for agent in &agents.value.services {
        let agent = client
            .get_agent(&agent.name)
            .await
            .map_err(|err| api_failure(&err))?;
        details.push(agent.value);
    }
    let active: u64 = details
        .iter()
        .filter_map(|agent| agent.active_session_count)
        .map(u64::from)
        .sum();
    let agents: Vec<_> = details
        .iter()
        .map(|agent| {
            json!({
                "name": agent.name,
                "ready": agent.ready,
                "activeSessionCount": agent.active_session_count,
                "maxAgents": agent.max_agents(),
            })
        })
        .collect();
    let document = json!({
        "running": true,
        "url": endpoint.url,
        "pid": endpoint.pid,
        "dataDir": data_dir,
        "activeSessions": active,
        "agents": agents,
    });
    let mut table = Table::new([
        Column::name("Agent").key(),
        Column::label("Ready"),
        Column::number("Active sessions"),
        Column::number("Max agents"),
    ]);
    for agent in &details {
        table.push(vec![
            agent.name.clone(),
            if agent.ready { "yes" } else { "no" }.to_string(),
            agent.active_session_count.unwrap_or(0).to_string(),
            agent
                .max_agents()
                .map_or_else(|| "-".to_string(), |max| max.to_string()),
        ]);
    }
    let mut answer = Answer::new(document).key_values(vec![
        ("URL", endpoint.url.clone()),
        ("PID", endpoint.pid.to_string()),
        ("Data dir", data_dir.display().to_string()),
        ("Agents", details.len().to_string()),
        ("Active sessions", active.to_string()),
    ]);
    if !table.is_empty() {
        answer = answer.table(table);
    }
    ctx.out.answer(answer)
}

fn stop(args: DataDirArgs, ctx: &Context) -> CliResult {
    let data_dir = args.data_dir.unwrap_or_else(local::default_data_dir);
    let stopped = autostart::stop(&data_dir)
        .map_err(|err| Failure::new(Exit::ApiFailure, err.to_string()))?;
    let said = match stopped {
        Some(pid) => format!(
            "stopped the local cloud (pid {pid}) in {}",
            data_dir.display()
        ),
        None => format!("no local cloud was running in {}", data_dir.display()),
    };
    ctx.out.answer(
        Answer::new(json!({"stopped": stopped.is_some(), "pid": stopped, "dataDir": data_dir}))
            .note(said),
    )
}

/// Single-quotes a value for POSIX shells.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(
            shell_quote("http://127.0.0.1:7463"),
            "'http://127.0.0.1:7463'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
