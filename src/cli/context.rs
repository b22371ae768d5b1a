//! Global flags and the context every command runs with.

use std::time::Duration;

use clap::Args;

use super::output::{ColorChoice, OutputMode};
use pipecat_cloud::config::env;

/// Flags accepted anywhere on the command line.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Output mode [default: rich on a terminal, plain otherwise]
    #[arg(long, global = true, value_enum, env = env::OUTPUT)]
    pub output: Option<OutputMode>,
    /// Shorthand for --output json
    #[arg(long, global = true)]
    pub json: bool,
    /// Organization to act on (default: the active one in the config file)
    #[arg(short = 'o', long = "org", visible_alias = "organization", global = true, env = env::ORG)]
    pub org: Option<String>,
    /// API base URL [default: https://api.pipecat.daily.co]
    #[arg(long, global = true, env = env::API_HOST)]
    pub api_host: Option<String>,
    /// When to use colour (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only data and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about what happens (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Request timeout in seconds
    #[arg(long, global = true, env = env::TIMEOUT, default_value_t = 30.0)]
    pub timeout: f64,
}

/// What every command runs with: the global flags, resolved.
#[derive(Debug)]
pub struct Context {
    pub global: GlobalArgs,
    pub output: OutputMode,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Self {
        let output = OutputMode::resolve(global.output, global.json);
        Context { global, output }
    }

    // Read by the client commands (branch `client`); no local command needs it.
    #[allow(dead_code)]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.global.timeout.max(0.001))
    }
}
