//! The login stored in the user config, and keeping it fresh.
//!
//! An OAuth login is three keys of the config file: `token` (the access
//! token), `refresh_token` and `token_expires_at` (epoch seconds). A
//! personal access token is stored as `auth use-pat` writes it (empty
//! refresh token, expiry 0) and is never refreshed.
//!
//! [`ConfigTokenSource`] is the [`TokenSource`] a [`Client`] uses for a
//! token from the config file:
//!
//! - before each request, if the token expires within [`REFRESH_SKEW`] (or
//!   has expired) and a refresh token is stored, it refreshes;
//! - after a 401 to a request sent with an OAuth token, it refreshes once
//!   and the client retries once;
//! - a refresh happens under the config lock ([`super::lock`]): take it,
//!   re-read the file, and only if the token on disk is still the one that
//!   needs replacing, spend the refresh token and store the answer (the new
//!   access token, the new refresh token if one came, the new expiry)
//!   before releasing the lock. If the file holds another token by then,
//!   another process refreshed (or logged in) first: that token is used.
//!   So concurrent commands spend a rotating refresh token exactly once.
//!
//! Nothing is written when a refresh fails.
//!
//! [`Client`]: crate::api::Client

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::Mutex;

use super::lock::ConfigLock;
use super::user::{ConfigError, UserConfig};
use crate::api::oauth::OAuthProvider;
use crate::api::types::Organization;
use crate::api::{ApiError, ErrorKind, TokenFuture, TokenSource, is_personal_access_token, redact};

/// A token is refreshed when it expires within this (the official CLI's
/// margin), so it does not expire on the way to the server.
pub const REFRESH_SKEW: Duration = Duration::from_secs(60);

/// The login stored in the config file. `Debug` redacts the tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredLogin {
    token: String,
    refresh_token: Option<String>,
    expires_at: Option<Timestamp>,
    refreshable: bool,
}

impl StoredLogin {
    /// From the file's values: `refresh_token` `None` when absent or empty,
    /// `expires_at` as stored (epoch seconds).
    pub(crate) fn new(token: &str, refresh_token: Option<&str>, expires_at: Option<f64>) -> Self {
        // `auth use-pat` marks a personal access token with expiry 0.
        let marked_as_pat = expires_at == Some(0.0);
        let refreshable =
            !is_personal_access_token(token) && refresh_token.is_some() && !marked_as_pat;
        // Milliseconds: as precise as the file is written.
        let expires_at = expires_at
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .and_then(|seconds| {
                Timestamp::from_millisecond((seconds * 1000.0).round() as i64).ok()
            });
        StoredLogin {
            token: token.to_string(),
            refresh_token: refresh_token.map(str::to_string),
            expires_at,
            refreshable,
        }
    }

    /// The token requests are sent with.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The refresh token stored with an OAuth login (what a logout
    /// revokes); `None` for a personal access token.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token
            .as_deref()
            .filter(|_| !self.is_personal_access_token())
    }

    /// When the token expires, if the file says (never for a personal
    /// access token).
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }

    /// A personal access token (`pcc_pat_...`) rather than an OAuth login:
    /// the "auth method" `whoami` shows.
    pub fn is_personal_access_token(&self) -> bool {
        is_personal_access_token(&self.token)
    }

    /// True for an OAuth login with a refresh token.
    pub fn is_refreshable(&self) -> bool {
        self.refreshable
    }

    /// True when a request at `now` should refresh first.
    pub fn needs_refresh(&self, now: Timestamp) -> bool {
        let skew = SignedDuration::try_from(REFRESH_SKEW).unwrap_or(SignedDuration::ZERO);
        self.refreshable
            && self.expires_at.is_some_and(|expires_at| {
                now >= expires_at.saturating_sub(skew).unwrap_or(expires_at)
            })
    }

    /// True once the token has expired (as far as the file says).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|expires_at| now >= expires_at)
    }
}

impl fmt::Debug for StoredLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredLogin")
            .field("token", &redact(&self.token))
            .field("refresh_token", &self.refresh_token.as_deref().map(redact))
            .field("expires_at", &self.expires_at)
            .field("refreshable", &self.refreshable)
            .finish()
    }
}

/// The organization to make active after a login: the previous one if the
/// user still belongs to it, else the first they belong to; `None` when
/// they belong to none.
pub fn choose_org<'a>(previous: Option<&str>, orgs: &'a [Organization]) -> Option<&'a str> {
    previous
        .and_then(|previous| orgs.iter().find(|org| org.name == previous))
        .or_else(|| orgs.first())
        .map(|org| org.name.as_str())
}

/// The token of the login stored in a config file, refreshed as the module
/// doc says. One per client (clones of the client share it); concurrent
/// requests of one process refresh once.
pub struct ConfigTokenSource {
    path: PathBuf,
    api_host: String,
    timeout: Duration,
    state: Mutex<State>,
}

struct State {
    login: StoredLogin,
    /// Discovered on the first refresh, then kept.
    provider: Option<OAuthProvider>,
}

impl fmt::Debug for ConfigTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigTokenSource")
            .field("path", &self.path)
            .field("api_host", &self.api_host)
            .finish()
    }
}

impl ConfigTokenSource {
    /// The login stored in `config` (`None` when it holds no token). A
    /// refresh discovers the identity provider through `api_host`; each of
    /// its requests waits at most `timeout`.
    pub fn new(
        config: &UserConfig,
        api_host: &str,
        timeout: Duration,
    ) -> Option<ConfigTokenSource> {
        Some(ConfigTokenSource {
            path: config.path().to_path_buf(),
            api_host: api_host.to_string(),
            timeout,
            state: Mutex::new(State {
                login: config.login()?,
                provider: None,
            }),
        })
    }

    /// The login as this source now knows it (after any refresh).
    pub async fn login(&self) -> StoredLogin {
        self.state.lock().await.login.clone()
    }

    async fn fresh_token(&self) -> Result<String, ApiError> {
        let mut state = self.state.lock().await;
        if !state.login.needs_refresh(Timestamp::now()) {
            return Ok(state.login.token.clone());
        }
        let stale = state.login.token.clone();
        match self.refresh(&mut state, &stale).await {
            Ok(Some(token)) => Ok(token),
            Ok(None) => Ok(state.login.token.clone()),
            // Not expired yet: the old token still serves this request,
            // and the next one tries again.
            Err(_) if !state.login.is_expired(Timestamp::now()) => Ok(stale),
            Err(error) => Err(error),
        }
    }

    async fn replace_rejected(&self, rejected: &str) -> Result<Option<String>, ApiError> {
        let mut state = self.state.lock().await;
        if state.login.token != rejected {
            // Another request of this process refreshed meanwhile.
            return Ok(Some(state.login.token.clone()));
        }
        if !state.login.refreshable {
            return Ok(None);
        }
        self.refresh(&mut state, rejected).await
    }

    /// The lock protocol of the module doc. `Ok(None)` when the login on
    /// disk cannot be refreshed.
    async fn refresh(&self, state: &mut State, stale: &str) -> Result<Option<String>, ApiError> {
        let lock = ConfigLock::acquire(&self.path)
            .await
            .map_err(|e| config_error(&e))?;
        let mut config = UserConfig::load(&self.path).map_err(|e| config_error(&e))?;
        let Some(on_disk) = config.login() else {
            return Err(logged_out(&self.path));
        };
        if on_disk.token != stale {
            state.login = on_disk;
            return Ok(Some(state.login.token.clone()));
        }
        let refresh_token = match &on_disk.refresh_token {
            Some(token) if on_disk.refreshable => token.clone(),
            _ => {
                state.login = on_disk;
                return Ok(None);
            }
        };
        let provider = match &state.provider {
            Some(provider) => provider.clone(),
            None => {
                let provider = OAuthProvider::discover(&self.api_host, self.timeout)
                    .await
                    .map_err(|e| self.refresh_failed(e.into()))?;
                state.provider.insert(provider).clone()
            }
        };
        let tokens = provider
            .refresh(&refresh_token)
            .await
            .map_err(|e| self.refresh_failed(e.into()))?;
        config.set_refreshed_tokens(&tokens);
        config.save_locked(&lock).map_err(|e| config_error(&e))?;
        drop(lock);
        // What was written is what this source knows from now on.
        state.login = config.login().ok_or_else(|| logged_out(&self.path))?;
        Ok(Some(tokens.access_token))
    }

    /// Says which login could not be refreshed, keeping the kind and code.
    fn refresh_failed(&self, error: ApiError) -> ApiError {
        ApiError {
            message: format!(
                "cannot refresh the login stored in {}: {}",
                self.path.display(),
                error.message
            ),
            ..error
        }
    }
}

impl TokenSource for ConfigTokenSource {
    fn token(&self) -> TokenFuture<'_, String> {
        Box::pin(self.fresh_token())
    }

    fn after_unauthorized<'a>(&'a self, rejected: &'a str) -> TokenFuture<'a, Option<String>> {
        Box::pin(self.replace_rejected(rejected))
    }
}

/// A config file that cannot be read, locked or written is bad input, as
/// everywhere else (exit 2).
fn config_error(error: &ConfigError) -> ApiError {
    ApiError::usage(error.to_string())
}

fn logged_out(path: &Path) -> ApiError {
    ApiError {
        kind: ErrorKind::Auth,
        ..ApiError::usage(format!(
            "the login stored in {} was removed while this command ran",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn epoch(text: &str) -> f64 {
        at(text).as_second() as f64
    }

    #[test]
    fn an_oauth_login_is_refreshed_within_the_skew() {
        let login = StoredLogin::new("at", Some("rt"), Some(epoch("2026-01-01T12:00:00Z")));
        assert!(login.is_refreshable() && !login.is_personal_access_token());
        assert!(!login.needs_refresh(at("2026-01-01T11:58:59Z")));
        assert!(login.needs_refresh(at("2026-01-01T11:59:00Z")));
        assert!(!login.is_expired(at("2026-01-01T11:59:30Z")));
        assert!(login.needs_refresh(at("2026-01-02T00:00:00Z")));
        assert!(login.is_expired(at("2026-01-02T00:00:00Z")));
    }

    #[test]
    fn a_personal_access_token_is_never_refreshed() {
        let past = Some(epoch("2000-01-01T00:00:00Z"));
        let now = at("2026-01-01T00:00:00Z");
        for login in [
            StoredLogin::new("pcc_pat_abc", Some("rt"), past),
            StoredLogin::new("pcc_pat_abc", None, Some(0.0)),
            StoredLogin::new("opaque", None, past),
            StoredLogin::new("opaque", Some("rt"), Some(0.0)),
        ] {
            assert!(!login.is_refreshable(), "{login:?}");
            assert!(!login.needs_refresh(now), "{login:?}");
        }
        assert!(StoredLogin::new("pcc_pat_abc", None, Some(0.0)).is_personal_access_token());
        assert_eq!(StoredLogin::new("x", None, Some(0.0)).expires_at(), None);
    }

    #[test]
    fn a_login_without_expiry_is_refreshed_only_after_a_401() {
        let login = StoredLogin::new("at", Some("rt"), None);
        assert!(login.is_refreshable());
        assert!(!login.needs_refresh(at("2100-01-01T00:00:00Z")));
    }

    #[test]
    fn debug_never_shows_a_token() {
        let login = StoredLogin::new("access-secret-value", Some("refresh-secret-value"), None);
        let shown = format!("{login:?}");
        assert!(!shown.contains("access-secret-value"), "{shown}");
        assert!(!shown.contains("refresh-secret-value"), "{shown}");
    }

    #[test]
    fn the_previous_org_stays_active_if_still_a_member() {
        let orgs: Vec<Organization> = ["first", "acme"]
            .iter()
            .map(|name| Organization {
                name: name.to_string(),
                verbose_name: None,
            })
            .collect();
        assert_eq!(choose_org(Some("acme"), &orgs), Some("acme"));
        assert_eq!(choose_org(Some("gone"), &orgs), Some("first"));
        assert_eq!(choose_org(None, &orgs), Some("first"));
        assert_eq!(choose_org(Some("acme"), &[]), None);
    }
}
