//! `pipecat cloud local serve|env`: run a local Pipecat Cloud and point
//! clients at it. (`demo-bot` is the hidden subcommand the built-in
//! `pipecat-local/demo-bot` image runs; it never reaches `run`.)

use std::path::PathBuf;

use clap::{Args, Subcommand};

use pipecat_cloud::local::{self, ImageMapping, Options, Server};

use super::context::Context;
use super::exit::{CliResult, Exit, Failure};
use super::output::OutputMode;

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
    /// Run image NAME as shell COMMAND (repeatable). NAME without a tag
    /// matches every tag of that repository. `pipecat-local/demo-bot` is built in.
    #[arg(long = "image", value_name = "NAME=COMMAND")]
    pub images: Vec<ImageMapping>,
    /// Session limit of agents that do not set `maxAgents`
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub default_max_agents: u32,
    /// Lowest `maxSessionDuration` accepted, in seconds (the platform's is
    /// 60). For tests and demos only: lets a short cap be tried quickly.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=14400))]
    pub min_session_duration: u32,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Data directory of the local cloud [default: as for `serve`]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

pub async fn run(args: LocalArgs, ctx: &Context) -> CliResult {
    match args.command {
        LocalCommand::Serve(args) => serve(args, ctx).await,
        LocalCommand::Env(args) => print_env(args, ctx),
        LocalCommand::DemoBot => Err(Failure::usage("demo-bot runs outside the async runtime")),
    }
}

async fn serve(args: ServeArgs, ctx: &Context) -> CliResult {
    let data_dir = args.data_dir.unwrap_or_else(local::default_data_dir);
    let options = Options {
        port: args.port,
        images: args.images,
        default_max_agents: args.default_max_agents,
        min_session_duration: args.min_session_duration,
        ..Options::new(data_dir)
    };
    if ctx.global.verbose > 0 {
        eprintln!(
            "serving {} on 127.0.0.1:{}; default maxAgents {}, lowest maxSessionDuration {} s; image mappings: {:?}",
            options.data_dir.display(),
            options.port,
            options.default_max_agents,
            options.min_session_duration,
            options.images
        );
    }
    let port = options.port;
    let server = Server::start(options).await.map_err(|err| {
        Failure::new(Exit::ApiFailure, format!("{err:#}")).with_hint(format!(
            "is another server using port {port}? `--port 0` picks a free one"
        ))
    })?;
    println!(
        "Local Pipecat Cloud listening on {} (data dir: {})",
        server.url(),
        server.data_dir().display()
    );
    wait_for_stop_signal().await?;
    server.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() -> CliResult {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind| {
        signal(kind).map_err(|err| {
            Failure::new(
                Exit::ApiFailure,
                format!("cannot listen for signals: {err}"),
            )
        })
    };
    let mut terminate = listen(SignalKind::terminate())?;
    let mut interrupt = listen(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

/// `export NAME='value'` lines, or one JSON object with `--output json`.
fn print_env(args: EnvArgs, ctx: &Context) -> CliResult {
    let data_dir = args.data_dir.unwrap_or_else(local::default_data_dir);
    let variables = local::client_environment(&data_dir)
        .map_err(|err| Failure::new(Exit::ApiFailure, format!("{err:#}")))?;
    if ctx.output == OutputMode::Json {
        let object: serde_json::Map<String, serde_json::Value> = variables
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.into()))
            .collect();
        println!("{}", serde_json::Value::Object(object));
        return Ok(());
    }
    for (name, value) in variables {
        println!("export {name}={}", shell_quote(&value));
    }
    Ok(())
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
