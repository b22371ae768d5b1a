//! The context every command runs with: its settings and its output, and
//! what follows from them (the config file, the organization, API clients).

use std::sync::Arc;

use super::exit::{CliResult, Exit, Failure};
use super::output::Output;
use super::settings::Settings;
use pipecat_cloud::api::{ApiError, Client, Credential, ErrorKind, RequestNotice, RetryNotice};
use pipecat_cloud::config::login::ConfigTokenSource;
use pipecat_cloud::config::user::{ConfigError, Place, TOKEN, UserConfig};
use pipecat_cloud::local::autostart::Endpoint;

/// What every command runs with.
pub struct Context {
    pub settings: Settings,
    pub out: Output,
}

/// A user token and where it was found, for messages.
struct FoundToken {
    credential: Credential,
    source: &'static str,
    /// For an OAuth login stored in the config file: what keeps it fresh
    /// (never for PIPECAT_TOKEN, which this program does not store).
    refresher: Option<Arc<ConfigTokenSource>>,
}

impl Context {
    pub fn new(settings: Settings, out: Output) -> Self {
        Context { settings, out }
    }

    /// Points every command at the local cloud `endpoint`: its URL, its
    /// organization, and the config file `--local` keeps in its data dir
    /// (see [`Settings::resolve`]), seeded with its user token and public
    /// key, so `keys use`, `organizations select` and the rest work as
    /// with the real cloud without touching the user's config.
    pub fn use_local(&mut self, endpoint: &Endpoint) -> CliResult {
        self.settings.attach_local(&endpoint.url, &endpoint.org);
        let path = self
            .settings
            .config_path
            .as_deref()
            .ok_or_else(|| config_failure(ConfigError::NoHome))?;
        let mut config = UserConfig::load(path).map_err(config_failure)?;
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
        Ok(())
    }

    /// The user config file (empty when it does not exist yet). It holds
    /// credentials, so a file others can read is made private, with a
    /// warning, as the official CLI does.
    pub fn user_config(&self) -> CliResult<UserConfig> {
        let path = self
            .settings
            .config_path
            .as_deref()
            .ok_or_else(|| config_failure(ConfigError::NoHome))?;
        let config = UserConfig::load(path).map_err(config_failure)?;
        #[cfg(unix)]
        if let Some(mode) = config.repair_permissions().map_err(config_failure)? {
            self.out.warn(&format!(
                "config file {} was readable by others (mode {mode:o}); it is now 0600",
                config.path().display()
            ));
        }
        Ok(config)
    }

    /// The organization to act on: `--org`/`PIPECAT_ORG`, else the config
    /// file's active org. `None` when neither says.
    pub fn effective_org(&self, config: &UserConfig) -> Option<String> {
        self.settings
            .org
            .clone()
            .or_else(|| config.org().map(str::to_string))
    }

    /// A client with `credential` and the request timeout; with `-v` each
    /// request is shown on stderr, with `-vv` its headers and each retry.
    pub fn client(&self, credential: Credential, org: Option<String>) -> CliResult<Client> {
        let client = Client::new(
            self.settings.api_host(),
            credential,
            org,
            self.settings.timeout,
        )
        .map_err(|err| api_failure(&err))?;
        if self.out.verbosity() == 0 {
            return Ok(client);
        }
        let out = self.out.clone();
        let client = client.on_request(Arc::new(move |notice: &RequestNotice| {
            out.detail(&request_line(notice));
            for (name, value) in &notice.request_headers {
                out.trace(&format!("  > {name}: {value}"));
            }
            for (name, value) in &notice.response_headers {
                out.trace(&format!("  < {name}: {value}"));
            }
        }));
        let out = self.out.clone();
        Ok(client.on_retry(Arc::new(move |notice: &RetryNotice| {
            out.trace(&format!(
                "retry {}/{} in {:.1}s: {}",
                notice.attempt,
                notice.max_attempts,
                notice.delay.as_secs_f64(),
                notice.reason
            ));
        })))
    }

    /// A client for agent management: `PIPECAT_PRIVATE_API_KEY` (the
    /// documented `/v1/agents` surface) if set, else the user token from
    /// `PIPECAT_TOKEN` or the config file (the organization surface).
    pub async fn management_client(&self) -> CliResult<Client> {
        if let Some(key) = &self.settings.private_api_key {
            return self.client(Credential::PrivateKey(key.clone()), None);
        }
        let config = self.user_config()?;
        let token = self
            .user_token(&config)
            .ok_or_else(|| not_logged_in(true))?;
        self.with_resolved_org(token, &config).await
    }

    /// A client holding the user token (organizations, keys and whoami
    /// need one: a private API key only manages agents), with its
    /// organization resolved: flag, env, config, else the first the token
    /// belongs to.
    pub async fn user_client(&self, config: &UserConfig) -> CliResult<Client> {
        let token = self
            .user_token(config)
            .ok_or_else(|| not_logged_in(false))?;
        self.with_resolved_org(token, config).await
    }

    /// A client holding the user token, for calls outside any organization
    /// (listing them, who am I).
    pub fn user_client_without_org(&self, config: &UserConfig) -> CliResult<Client> {
        let token = self
            .user_token(config)
            .ok_or_else(|| not_logged_in(false))?;
        self.token_holder(token)
    }

    /// A client holding `token` whatever is configured (to verify a token
    /// before storing it), for calls outside any organization.
    pub fn token_client(&self, token: &str) -> CliResult<Client> {
        self.client(Credential::UserToken(token.to_string()), None)
    }

    /// The user token: `PIPECAT_TOKEN`, else the config file's `token`,
    /// else `token` in the active organization's table (the official CLI's
    /// order).
    fn user_token(&self, config: &UserConfig) -> Option<FoundToken> {
        if let Some(token) = &self.settings.token {
            return Some(FoundToken {
                credential: Credential::UserToken(token.clone()),
                source: "PIPECAT_TOKEN",
                refresher: None,
            });
        }
        config.setting(TOKEN).map(|(token, place)| FoundToken {
            credential: Credential::UserToken(token),
            refresher: match place {
                // The login's three keys are top-level (see `config::login`).
                Place::TopLevel if config.login().is_some_and(|l| l.is_refreshable()) => {
                    ConfigTokenSource::new(config, self.settings.api_host(), self.settings.timeout)
                        .map(Arc::new)
                }
                _ => None,
            },
            source: match place {
                Place::TopLevel => "the config file",
                Place::OrgTable(_) => "the active organization's table of the config file",
            },
        })
    }

    /// A client holding `token`, refreshing it first when it is an OAuth
    /// login about to expire (and once after a 401).
    fn token_holder(&self, token: FoundToken) -> CliResult<Client> {
        let client = self.client(token.credential, None)?;
        Ok(match token.refresher {
            Some(refresher) => client.with_token_source(refresher),
            None => client,
        })
    }

    async fn with_resolved_org(&self, token: FoundToken, config: &UserConfig) -> CliResult<Client> {
        let source = token.source;
        let client = self.token_holder(token)?;
        let org = match self.effective_org(config) {
            Some(org) => org,
            None => first_organization(&client, source).await?,
        };
        Ok(client.with_org(Some(org)))
    }
}

/// `GET /v1/agents → 200 (12 ms)`: one request, as `-v` shows it.
fn request_line(notice: &RequestNotice) -> String {
    let outcome = match (notice.status, &notice.failure) {
        (Some(status), None) => status.to_string(),
        (Some(status), Some(failure)) => format!("{status}, {failure}"),
        (None, Some(failure)) => failure.clone(),
        (None, None) => "no answer".to_string(),
    };
    format!(
        "{} {} → {outcome} ({} ms)",
        notice.method,
        notice.target,
        notice.elapsed.as_millis()
    )
}

fn not_logged_in(private_key_would_do: bool) -> Failure {
    let hint = if private_key_would_do {
        "log in with `pipecat cloud auth login` (or store a personal access token with \
         `auth use-pat`), or set PIPECAT_TOKEN or PIPECAT_PRIVATE_API_KEY"
    } else {
        "log in with `pipecat cloud auth login` (or store a personal access token with \
         `auth use-pat`), or set PIPECAT_TOKEN (a private API key only manages agents)"
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
    let failure = Failure::new(exit_for(err.kind), err.to_string());
    match err.kind {
        // The refresh of a stored login was refused: only a new login helps.
        ErrorKind::Auth if err.code.as_deref() == Some("invalid_grant") => failure.with_hint(
            "the stored login has expired or was revoked: log in again with `pipecat cloud auth login`",
        ),
        ErrorKind::Auth => failure.with_hint(
            "check the credential: `pipecat cloud auth login` logs in again (or `auth use-pat` \
             stores a personal access token); PIPECAT_PRIVATE_API_KEY and PIPECAT_TOKEN \
             override the config file",
        ),
        ErrorKind::Connect => {
            failure.with_hint("check the network, or --api-host / PIPECAT_API_HOST")
        }
        ErrorKind::Timeout => failure.with_hint("retry, or allow more time with --timeout SECONDS"),
        ErrorKind::Capacity | ErrorKind::NotReady => failure.with_hint("retry later"),
        _ => failure,
    }
}

/// The exit code of a failure of this kind.
pub fn exit_for(kind: ErrorKind) -> Exit {
    match kind {
        ErrorKind::Capacity | ErrorKind::NotReady => Exit::Temporary,
        ErrorKind::Auth => Exit::Auth,
        ErrorKind::NotFound => Exit::NotFound,
        ErrorKind::BadRequest | ErrorKind::Api => Exit::ApiFailure,
        ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Malformed => Exit::Unreachable,
        ErrorKind::Usage => Exit::Usage,
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
