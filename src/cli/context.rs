//! Global flags and the context every command runs with: output mode,
//! colours, and where credentials, organization and API host come from
//! (flag > environment > config file > default).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;

use super::exit::{CliResult, Exit, Failure};
use super::output::{ColorChoice, OutputMode, Painter};
use pipecat_cloud::api::{ApiError, Client, Credential, DEFAULT_API_HOST, ErrorKind, RetryNotice};
use pipecat_cloud::config::env;
use pipecat_cloud::config::user::{ConfigError, UserConfig};
use pipecat_cloud::local::autostart::Endpoint;

/// Flags accepted anywhere on the command line.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
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
    /// Request timeout: seconds, or a duration such as 2m
    #[arg(long, global = true, env = env::TIMEOUT, default_value = "30", value_parser = super::duration::timeout)]
    pub timeout: Duration,
    /// Talk to the local Pipecat Cloud in the default data dir (started in
    /// the background if none runs), with its own credentials and config
    #[arg(long, global = true, env = env::LOCAL, value_parser = clap::builder::BoolishValueParser::new())]
    pub local: bool,
}

/// What every command runs with: the global flags, resolved.
#[derive(Debug)]
pub struct Context {
    pub global: GlobalArgs,
    pub output: OutputMode,
    /// Colours for data on stdout (log levels).
    pub stdout_painter: Painter,
    /// Colours for messages on stderr.
    pub stderr_painter: Painter,
    /// With `--local`: the config file kept in the local cloud's data dir,
    /// used instead of the user's.
    local_config: Option<PathBuf>,
}

/// Set once by `--local`: the user's own credentials, organization and API
/// host from the environment must not leak into talking to the local cloud
/// (nor the local cloud's into the user's config).
static LOCAL_MODE: AtomicBool = AtomicBool::new(false);

/// The variables `--local` replaces with the local cloud's own values.
const REPLACED_BY_LOCAL: [&str; 5] = [
    env::API_HOST,
    env::TOKEN,
    env::ORG,
    env::DEFAULT_PUBLIC_KEY,
    env::PRIVATE_API_KEY,
];

/// The name of the config file `--local` keeps in the data dir.
const LOCAL_CONFIG_FILE: &str = "pipecatcloud.toml";

/// A confirmation asked by [`Context::confirm`].
pub struct Question {
    /// What needs it, for the error without a terminal ("deleting an agent").
    pub action: &'static str,
    /// The question itself.
    pub prompt: String,
    pub default_yes: bool,
    /// The flag that skips it ("--force (-f)").
    pub skip_flag: &'static str,
    /// The outcome of a "no" ("not deleted").
    pub declined: &'static str,
}

/// A user token and where it was found, for messages.
struct FoundToken {
    credential: Credential,
    source: &'static str,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Self {
        let output = OutputMode::resolve(global.output, global.json);
        let stdout_painter = Painter::new(global.color, std::io::stdout().is_terminal());
        let stderr_painter = Painter::new(global.color, std::io::stderr().is_terminal());
        Context {
            global,
            output,
            stdout_painter,
            stderr_painter,
            local_config: None,
        }
    }

    /// Points every command at the local cloud `endpoint` serving
    /// `data_dir`: its URL, its organization, and a config file of its own
    /// in the data dir, seeded with its user token and public key, so
    /// `keys use`, `organizations select` and the rest work as with the
    /// real cloud without touching the user's config.
    pub fn use_local(&mut self, endpoint: &Endpoint, data_dir: &std::path::Path) -> CliResult {
        LOCAL_MODE.store(true, Ordering::Relaxed);
        self.global.api_host = Some(endpoint.url.clone());
        self.global.org = Some(endpoint.org.clone());
        let path = data_dir.join(LOCAL_CONFIG_FILE);
        let mut config = UserConfig::load(&path).map_err(config_failure)?;
        if config.token() != Some(endpoint.user_token.as_str()) {
            config.set_personal_access_token(&endpoint.user_token, &endpoint.org);
            if config.default_public_key(&endpoint.org).is_none() {
                config
                    .set_default_public_key(
                        &endpoint.org,
                        &endpoint.public_key,
                        Some("local default key"),
                    )
                    .map_err(config_failure)?;
            }
            config.save().map_err(config_failure)?;
        }
        self.local_config = Some(path);
        Ok(())
    }

    pub fn timeout(&self) -> Duration {
        self.global.timeout
    }

    /// `--api-host` (or `PIPECAT_API_HOST`), else the real API.
    pub fn api_host(&self) -> &str {
        self.global
            .api_host
            .as_deref()
            .filter(|host| !host.is_empty())
            .unwrap_or(DEFAULT_API_HOST)
    }

    /// A progress or success message on stderr (silenced by `-q`).
    pub fn note(&self, message: &str) {
        if !self.global.quiet {
            eprintln!("{message}");
        }
    }

    /// A warning on stderr (never silenced: it may change what to do).
    pub fn warn(&self, message: &str) {
        eprintln!(
            "{} {message}",
            self.stderr_painter.paint(super::output::YELLOW, "warning:")
        );
    }

    /// True when a person can answer a prompt: prompts read stdin and draw
    /// on stderr, so both must be terminals.
    pub fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// Asks a yes/no question before something hard to undo. Without a
    /// terminal it fails at once (exit 2) naming the flag that skips the
    /// question; a "no" fails (exit 1) saying nothing was done.
    pub fn confirm(&self, question: &Question) -> CliResult {
        if !self.can_prompt() {
            return Err(Failure::usage(format!(
                "{} needs confirmation, and stdin is not a terminal",
                question.action
            ))
            .with_hint(format!(
                "pass {} to go ahead without asking",
                question.skip_flag
            )));
        }
        let confirmed = dialoguer::Confirm::new()
            .with_prompt(&question.prompt)
            .default(question.default_yes)
            .interact()
            .map_err(|err| Failure::usage(format!("cannot ask for confirmation: {err}")))?;
        if confirmed {
            Ok(())
        } else {
            Err(Failure::new(
                Exit::ApiFailure,
                format!("{}: cancelled at the prompt", question.declined),
            ))
        }
    }

    /// The user config file (empty when it does not exist yet). It holds
    /// credentials, so a file others can read is made private, with a
    /// warning, as the official CLI does.
    pub fn user_config(&self) -> CliResult<UserConfig> {
        let config = match &self.local_config {
            Some(path) => UserConfig::load(path),
            None => UserConfig::load_default(),
        }
        .map_err(config_failure)?;
        #[cfg(unix)]
        if let Some(mode) = config.repair_permissions().map_err(config_failure)? {
            self.warn(&format!(
                "config file {} was readable by others (mode {mode:o}); it is now 0600",
                config.path().display()
            ));
        }
        Ok(config)
    }

    /// The organization to act on: `--org`/`PIPECAT_ORG`, else the config
    /// file's active org. `None` when neither says.
    pub fn effective_org(&self, config: &UserConfig) -> Option<String> {
        self.global
            .org
            .clone()
            .filter(|org| !org.is_empty())
            .or_else(|| config.org().map(str::to_string))
    }

    /// A client with `credential`, the request timeout, and (with `-v`)
    /// each retry shown on stderr.
    pub fn client(&self, credential: Credential, org: Option<String>) -> CliResult<Client> {
        let client = Client::new(self.api_host(), credential, org, self.timeout())
            .map_err(|err| api_failure(&err))?;
        if self.global.verbose == 0 {
            return Ok(client);
        }
        Ok(client.on_retry(Arc::new(|notice: &RetryNotice| {
            eprintln!(
                "retry {}/{} in {:.1}s: {}",
                notice.attempt,
                notice.max_attempts,
                notice.delay.as_secs_f64(),
                notice.reason
            );
        })))
    }

    /// A client for agent management: `PIPECAT_PRIVATE_API_KEY` (the
    /// documented `/v1/agents` surface) if set, else the user token from
    /// `PIPECAT_TOKEN` or the config file (the organization surface).
    pub async fn management_client(&self) -> CliResult<Client> {
        if let Some(key) = env_value(env::PRIVATE_API_KEY) {
            return self.client(Credential::PrivateKey(key), None);
        }
        let config = self.user_config()?;
        let token = user_token(&config).ok_or_else(|| not_logged_in(true))?;
        self.with_resolved_org(token, &config).await
    }

    /// A client holding the user token (organizations, keys and whoami
    /// need one: a private API key only manages agents), with its
    /// organization resolved: flag, env, config, else the first the token
    /// belongs to.
    pub async fn user_client(&self, config: &UserConfig) -> CliResult<Client> {
        let token = user_token(config).ok_or_else(|| not_logged_in(false))?;
        self.with_resolved_org(token, config).await
    }

    /// A client holding the user token, for calls outside any organization
    /// (listing them, who am I).
    pub fn user_client_without_org(&self, config: &UserConfig) -> CliResult<Client> {
        let token = user_token(config).ok_or_else(|| not_logged_in(false))?;
        self.client(token.credential, None)
    }

    /// A client holding `token` whatever is configured (to verify a token
    /// before storing it), for calls outside any organization.
    pub fn token_client(&self, token: &str) -> CliResult<Client> {
        self.client(Credential::UserToken(token.to_string()), None)
    }

    async fn with_resolved_org(&self, token: FoundToken, config: &UserConfig) -> CliResult<Client> {
        let client = self.client(token.credential, None)?;
        let org = match self.effective_org(config) {
            Some(org) => org,
            None => first_organization(&client, token.source).await?,
        };
        Ok(client.with_org(Some(org)))
    }
}

/// The value of an environment variable, if set and not empty (and not
/// replaced by `--local`).
pub fn env_value(name: &str) -> Option<String> {
    if LOCAL_MODE.load(Ordering::Relaxed) && REPLACED_BY_LOCAL.contains(&name) {
        return None;
    }
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn user_token(config: &UserConfig) -> Option<FoundToken> {
    if let Some(token) = env_value(env::TOKEN) {
        return Some(FoundToken {
            credential: Credential::UserToken(token),
            source: "PIPECAT_TOKEN",
        });
    }
    config.token().map(|token| FoundToken {
        credential: Credential::UserToken(token.to_string()),
        source: "the config file",
    })
}

fn not_logged_in(private_key_would_do: bool) -> Failure {
    let hint = if private_key_would_do {
        "run `pipecat cloud auth use-pat` to store a personal access token, \
         or set PIPECAT_TOKEN or PIPECAT_PRIVATE_API_KEY"
    } else {
        "run `pipecat cloud auth use-pat` to store a personal access token, \
         or set PIPECAT_TOKEN (a private API key only manages agents)"
    };
    Failure::new(Exit::Auth, "not logged in: no user token").with_hint(hint)
}

/// The first organization a token belongs to, for a user who never chose
/// one (what the official CLI does too).
async fn first_organization(client: &Client, source: &str) -> CliResult<String> {
    let listing = client
        .list_organizations()
        .await
        .map_err(|err| api_failure(&err))?;
    listing
        .value
        .organizations
        .into_iter()
        .next()
        .map(|org| org.name)
        .ok_or_else(|| {
            Failure::new(
                Exit::NotFound,
                format!("the user token from {source} belongs to no organization"),
            )
            .with_hint("pass --org ORG or set PIPECAT_ORG")
        })
}

/// The exit code and message for a failed API call. Commands that know
/// more (which agent, which session) build their own for the kinds they
/// can explain better and fall back to this.
pub fn api_failure(err: &ApiError) -> Failure {
    let exit = match err.kind {
        ErrorKind::Capacity | ErrorKind::NotReady => Exit::Temporary,
        ErrorKind::Auth => Exit::Auth,
        ErrorKind::NotFound => Exit::NotFound,
        ErrorKind::BadRequest | ErrorKind::Api => Exit::ApiFailure,
        ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Malformed => Exit::Unreachable,
        ErrorKind::Usage => Exit::Usage,
    };
    let failure = Failure::new(exit, err.to_string());
    match err.kind {
        ErrorKind::Auth => failure.with_hint(
            "check the credential: `pipecat cloud auth use-pat` stores a new token; \
             PIPECAT_PRIVATE_API_KEY and PIPECAT_TOKEN override the config file",
        ),
        ErrorKind::Connect => {
            failure.with_hint("check the network, or --api-host / PIPECAT_API_HOST")
        }
        ErrorKind::Timeout => failure.with_hint("retry, or allow more time with --timeout SECONDS"),
        ErrorKind::Capacity | ErrorKind::NotReady => failure.with_hint("retry later"),
        _ => failure,
    }
}

/// A config file that cannot be read or written is bad input (exit 2).
pub fn config_failure(err: ConfigError) -> Failure {
    let hint = match &err {
        ConfigError::Syntax { .. } | ConfigError::Invalid { .. } => {
            Some("fix the file by hand; it is left untouched")
        }
        _ => None,
    };
    let failure = Failure::usage(err.to_string());
    match hint {
        Some(hint) => failure.with_hint(hint),
        None => failure,
    }
}
