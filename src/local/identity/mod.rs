//! The local cloud as an OAuth 2 identity provider, so that `pipecat cloud
//! auth login` (and the official CLI's) runs against it as against the real
//! cloud: the authorization code flow with PKCE for a public client on a
//! loopback redirect (RFC 6749, RFC 7636, RFC 8252), rotating refresh
//! tokens, and logout. There is one user, the local one; the authorization
//! endpoint approves at once (or, with `serve --login-prompt`, after a
//! person presses a button).
//!
//! # Where things are
//!
//! | what | where |
//! |---|---|
//! | which provider, which client | `GET /auth/config` ([`Identity::auth_config`]) |
//! | discovery (the issuer is the server's URL + [`ISSUER_PATH`]) | `GET /auth/.well-known/openid-configuration` |
//! | authorization endpoint | `GET /auth/authorize` (`POST` from the prompt page) |
//! | token endpoint (both grants, form-encoded) | `POST /auth/token` |
//! | revoke a login | `POST /auth/logout {"refresh_token"}` |
//!
//! # Data model
//!
//! A *grant* is one completed login: the family of every token issued from
//! it. An authorization code starts a grant when redeemed; each refresh
//! rotates the refresh token within the grant. Codes, access tokens and
//! refresh tokens are random 256-bit values handed out once and stored only
//! as their SHA-256 ([`digest`]), so the database cannot be replayed.
//!
//! # Rules
//!
//! - A code lives [`CODE_TTL`] and is consumed by its first redemption,
//!   successful or not: a second one is refused with `invalid_grant` and
//!   revokes the grant the first one started (RFC 6749 section 4.1.2).
//! - The verifier must match the code's S256 challenge, and the
//!   `redirect_uri` and client must be the ones the code was issued for.
//! - A refresh token works once: the answer carries its successor. A
//!   rotated refresh token presented again means two parties hold the
//!   family: it is refused with `invalid_grant` and the whole grant is
//!   revoked (RFC 9700, refresh token rotation).
//! - An access token lives [`Settings::access_ttl`] (24 h unless `serve
//!   --token-ttl`); once expired, or its grant revoked, every route answers
//!   401 (the router's credential guard asks [`Identity::is_valid_access_token`]).
//! - Logout revokes the grant of the refresh token it is given (all its
//!   tokens). Possessing the refresh token is the proof, so a logout works
//!   after the access token expired (as RFC 7009 has public clients do).
//! - Everything is bounded: at most [`MAX_PENDING_CODES`] unredeemed codes;
//!   expired codes and tokens are deleted as new ones are made.

mod grants;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRng;
use reqwest::Url;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api::oauth::discovery::is_loopback;
use crate::api::oauth::{
    AuthConfig, PKCE_METHOD, ProviderMetadata, TokenResponse, is_valid_verifier, s256_challenge,
};

use super::error::{CloudError, CloudResult};
use super::store::Store;
use super::time::now_ns;
use grants::{CodeRecord, CodeRedemption, IssuedTokens, Rotation};

/// The one client: the command-line programs (ours and the official CLI).
pub const CLIENT_ID: &str = "pipecat-cli";
/// The scopes `/auth/config` names (accepted, not enforced: the local user
/// may do everything).
pub const SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The issuer is the server's URL with this path.
pub const ISSUER_PATH: &str = "/auth";
pub const AUTHORIZE_PATH: &str = "/auth/authorize";
pub const TOKEN_PATH: &str = "/auth/token";
/// The local user, as `GET /v1/users` names it.
pub const LOCAL_USER_EMAIL: &str = "local@localhost";

/// How long an access token lives unless `serve --token-ttl` says.
pub const DEFAULT_ACCESS_TTL: Duration = Duration::from_secs(86_400);
/// How long a refresh token lives (each refresh makes a new one).
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 86_400);
/// How long an authorization code waits to be redeemed.
pub const CODE_TTL: Duration = Duration::from_secs(60);
/// Unredeemed, unexpired codes beyond this are refused (the authorization
/// endpoint needs no credential, so it must not grow the store freely).
pub const MAX_PENDING_CODES: u32 = 100;

/// Prefixes that tell the three kinds of secret apart (and from the keys).
const CODE_PREFIX: &str = "pcl_ac_";
const ACCESS_PREFIX: &str = "pcl_at_";
const REFRESH_PREFIX: &str = "pcl_rt_";

/// How the identity provider behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Show a page with a button instead of approving at once.
    pub login_prompt: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_ttl: DEFAULT_ACCESS_TTL,
            login_prompt: false,
        }
    }
}

/// The query (or, from the prompt page, the form) of an authorization
/// request. Every field is optional here: [`Identity::check_authorization`]
/// says what is missing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizationRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

impl AuthorizationRequest {
    /// The parameters that are present, in a fixed order (for the prompt
    /// page's form, which sends them back).
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value.as_deref()?)))
        .collect()
    }
}

/// A checked authorization request, ready to be approved.
#[derive(Debug, Clone)]
pub struct Approval {
    redirect_uri: Url,
    state: Option<String>,
    code_challenge: String,
    scope: String,
}

impl Approval {
    /// Where the answer goes (a loopback URL).
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }
}

/// Why an authorization request is refused.
#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or its `redirect_uri` cannot be trusted with an answer:
    /// tell the person in the browser, send nothing anywhere.
    Unredirectable(String),
    /// Send the error back to the client's `redirect_uri` (this URL).
    Redirect(Url),
    Cloud(CloudError),
}

impl From<CloudError> for AuthorizeError {
    fn from(err: CloudError) -> Self {
        AuthorizeError::Cloud(err)
    }
}

/// The token endpoint's form (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
}

/// The identity provider of one local cloud.
pub struct Identity {
    store: Arc<Store>,
    settings: Settings,
    /// The server's URL + [`ISSUER_PATH`], once it listens.
    issuer: OnceLock<String>,
}

impl Identity {
    pub fn new(store: Arc<Store>, settings: Settings) -> Identity {
        Identity {
            store,
            settings,
            issuer: OnceLock::new(),
        }
    }

    /// Names the server's URL (`http://127.0.0.1:PORT`) once it listens:
    /// the issuer and the endpoints are under it.
    pub fn set_server_url(&self, url: &str) {
        let _ = self
            .issuer
            .set(format!("{}{ISSUER_PATH}", url.trim_end_matches('/')));
    }

    pub fn login_prompt(&self) -> bool {
        self.settings.login_prompt
    }

    fn issuer(&self) -> CloudResult<&str> {
        self.issuer
            .get()
            .map(String::as_str)
            .ok_or_else(|| CloudError::Internal("the server does not listen yet".into()))
    }

    /// The server's URL (the issuer without its path).
    fn server_url(&self) -> CloudResult<&str> {
        let issuer = self.issuer()?;
        Ok(issuer.strip_suffix(ISSUER_PATH).unwrap_or(issuer))
    }

    /// `GET /auth/config`.
    pub fn auth_config(&self) -> CloudResult<AuthConfig> {
        Ok(AuthConfig {
            issuer: self.issuer()?.to_string(),
            client_id: CLIENT_ID.to_string(),
            scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// The discovery document at the issuer + `/.well-known/openid-configuration`.
    pub fn metadata(&self) -> CloudResult<ProviderMetadata> {
        let server = self.server_url()?;
        let list = |items: &[&str]| Some(items.iter().map(|s| s.to_string()).collect());
        Ok(ProviderMetadata {
            issuer: self.issuer()?.to_string(),
            authorization_endpoint: format!("{server}{AUTHORIZE_PATH}"),
            token_endpoint: format!("{server}{TOKEN_PATH}"),
            code_challenge_methods_supported: list(&[PKCE_METHOD]),
            response_types_supported: list(&["code"]),
            grant_types_supported: list(&["authorization_code", "refresh_token"]),
            scopes_supported: list(&SCOPES),
            token_endpoint_auth_methods_supported: list(&["none"]),
            end_session_endpoint: None,
            revocation_endpoint: None,
        })
    }

    /// Checks an authorization request in the order RFC 6749 section
    /// 4.1.2.1 asks: the client and its `redirect_uri` first (errors about
    /// them are shown, never redirected), then the rest (errors go back to
    /// the client).
    pub fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<Approval, AuthorizeError> {
        match request.client_id.as_deref() {
            Some(CLIENT_ID) => {}
            Some(other) => {
                return Err(AuthorizeError::Unredirectable(format!(
                    "unknown client_id {other:?}; this server knows only {CLIENT_ID:?}"
                )));
            }
            None => {
                return Err(AuthorizeError::Unredirectable(
                    "the request has no client_id".into(),
                ));
            }
        }
        let redirect_uri = request
            .redirect_uri
            .as_deref()
            .ok_or_else(|| AuthorizeError::Unredirectable("the request has no redirect_uri".into()))
            .and_then(|uri| check_redirect_uri(uri).map_err(AuthorizeError::Unredirectable))?;
        let state = request.state.clone();
        let refuse = |error: &'static str, description: &str| {
            AuthorizeError::Redirect(answer_url(
                &redirect_uri,
                &[("error", error), ("error_description", description)],
                state.as_deref(),
            ))
        };
        if request.response_type.as_deref() != Some("code") {
            return Err(refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
        if request.code_challenge_method.as_deref() != Some(PKCE_METHOD) {
            return Err(refuse(
                "invalid_request",
                "PKCE is required: code_challenge_method must be S256",
            ));
        }
        let code_challenge = match request.code_challenge.as_deref() {
            // An S256 challenge has the verifier's alphabet and length.
            Some(challenge) if is_valid_verifier(challenge) => challenge.to_string(),
            _ => {
                return Err(refuse(
                    "invalid_request",
                    "PKCE is required: code_challenge is missing or malformed",
                ));
            }
        };
        Ok(Approval {
            redirect_uri,
            state,
            code_challenge,
            scope: request.scope.clone().unwrap_or_default(),
        })
    }

    /// Approves `approval` as the local user: a fresh code, and the URL
    /// that takes the browser back to the client with it (and the state).
    pub fn approve(&self, approval: &Approval) -> Result<Url, AuthorizeError> {
        let code = new_secret(CODE_PREFIX)?;
        let now = now_ns();
        let record = CodeRecord {
            client_id: CLIENT_ID.to_string(),
            redirect_uri: approval.redirect_uri.to_string(),
            code_challenge: approval.code_challenge.clone(),
            scope: approval.scope.clone(),
            expires_ns: now.saturating_add(nanos(CODE_TTL)),
        };
        if !self
            .store
            .insert_code(&digest(&code), &record, now, MAX_PENDING_CODES)
            .map_err(CloudError::from)?
        {
            return Err(AuthorizeError::Redirect(answer_url(
                &approval.redirect_uri,
                &[
                    ("error", "temporarily_unavailable"),
                    (
                        "error_description",
                        "too many logins are waiting; finish or wait a minute",
                    ),
                ],
                approval.state.as_deref(),
            )));
        }
        Ok(answer_url(
            &approval.redirect_uri,
            &[("code", &code)],
            approval.state.as_deref(),
        ))
    }

    /// `POST /auth/token`: the authorization code grant or the refresh
    /// token grant. Refusals are [`CloudError::OAuth`].
    pub fn token(&self, request: &TokenRequest) -> CloudResult<TokenResponse> {
        if request.client_id.as_deref() != Some(CLIENT_ID) {
            return Err(CloudError::oauth(
                "invalid_client",
                format!("client_id must be {CLIENT_ID:?}"),
            ));
        }
        match request.grant_type.as_deref() {
            Some("authorization_code") => self.redeem_code(request),
            Some("refresh_token") => self.refresh(request),
            Some(other) => Err(CloudError::oauth(
                "unsupported_grant_type",
                format!(
                    "grant_type {other:?} is not supported (authorization_code, refresh_token)"
                ),
            )),
            None => Err(CloudError::oauth(
                "invalid_request",
                "the request has no grant_type",
            )),
        }
    }

    fn redeem_code(&self, request: &TokenRequest) -> CloudResult<TokenResponse> {
        let required = |value: &Option<String>, name: &str| {
            value.clone().ok_or_else(|| {
                CloudError::oauth("invalid_request", format!("the request has no {name}"))
            })
        };
        let code = required(&request.code, "code")?;
        let redirect_uri = required(&request.redirect_uri, "redirect_uri")?;
        let verifier = required(&request.code_verifier, "code_verifier")?;
        let now = now_ns();
        let record = match self.store.redeem_code(&digest(&code), now)? {
            CodeRedemption::Unknown => {
                return Err(invalid_grant("the authorization code is not known"));
            }
            CodeRedemption::Expired => {
                return Err(invalid_grant(
                    "the authorization code has expired; log in again",
                ));
            }
            CodeRedemption::AlreadyUsed => {
                return Err(invalid_grant(
                    "the authorization code was already used; the login it started is revoked",
                ));
            }
            CodeRedemption::Fresh(record) => record,
        };
        if record.client_id != CLIENT_ID || record.redirect_uri != redirect_uri {
            return Err(invalid_grant(
                "redirect_uri differs from the one the code was issued for",
            ));
        }
        let challenge = s256_challenge(&verifier);
        if !is_valid_verifier(&verifier)
            || !bool::from(challenge.as_bytes().ct_eq(record.code_challenge.as_bytes()))
        {
            return Err(invalid_grant(
                "the code_verifier does not match the code_challenge (PKCE)",
            ));
        }
        let (tokens, answer) = self.new_tokens(now)?;
        self.store.start_grant(&digest(&code), &tokens, now)?;
        Ok(answer)
    }

    fn refresh(&self, request: &TokenRequest) -> CloudResult<TokenResponse> {
        let presented = request.refresh_token.as_deref().ok_or_else(|| {
            CloudError::oauth("invalid_request", "the request has no refresh_token")
        })?;
        let now = now_ns();
        let (tokens, answer) = self.new_tokens(now)?;
        match self
            .store
            .rotate_refresh(&digest(presented), &tokens, now)?
        {
            Rotation::Rotated => Ok(answer),
            Rotation::Unknown => Err(invalid_grant("the refresh token is not known")),
            Rotation::Expired => Err(invalid_grant("the refresh token has expired; log in again")),
            Rotation::Revoked => Err(invalid_grant(
                "the login was revoked by a logout; log in again",
            )),
            Rotation::Reused => {
                eprintln!(
                    "pipecat local: a rotated refresh token was presented again; its login is revoked"
                );
                Err(invalid_grant(
                    "the refresh token was already used; the login is revoked, log in again",
                ))
            }
        }
    }

    /// A fresh access and refresh token: their hashes for the store and
    /// the answer for the client.
    fn new_tokens(&self, now: i64) -> CloudResult<(IssuedTokens, TokenResponse)> {
        let access = new_secret(ACCESS_PREFIX)?;
        let refresh = new_secret(REFRESH_PREFIX)?;
        let tokens = IssuedTokens {
            access_hash: digest(&access),
            access_expires_ns: now.saturating_add(nanos(self.settings.access_ttl)),
            refresh_hash: digest(&refresh),
            refresh_expires_ns: now.saturating_add(nanos(REFRESH_TTL)),
        };
        let answer = TokenResponse {
            access_token: access,
            token_type: Some("Bearer".into()),
            refresh_token: Some(refresh),
            expires_in: Some(self.settings.access_ttl.as_secs().into()),
        };
        Ok((tokens, answer))
    }

    /// `POST /auth/logout`: revokes the grant of `refresh_token` (every
    /// token of that login). An unknown token changes nothing and is not
    /// an error (RFC 7009: the client's goal, the token not working, holds).
    pub fn logout(&self, refresh_token: &str) -> CloudResult<()> {
        self.store
            .revoke_grant_of_refresh(&digest(refresh_token), now_ns())?;
        Ok(())
    }

    /// True when `token` is an access token this provider issued that has
    /// not expired and whose login was not revoked.
    pub fn is_valid_access_token(&self, token: &str) -> CloudResult<bool> {
        if !token.starts_with(ACCESS_PREFIX) {
            return Ok(false);
        }
        Ok(self.store.access_token_valid(&digest(token), now_ns())?)
    }
}

fn invalid_grant(description: &str) -> CloudError {
    CloudError::oauth("invalid_grant", description)
}

/// A `redirect_uri` this provider may send codes to: `http://` on a
/// loopback host (any port: RFC 8252 section 7.3), without a fragment or
/// credentials. Anything else would let a code leave the machine.
fn check_redirect_uri(uri: &str) -> Result<Url, String> {
    let url = Url::parse(uri).map_err(|e| format!("redirect_uri {uri:?} is not a URL ({e})"))?;
    if url.scheme() != "http" || !is_loopback(&url) {
        return Err(format!(
            "redirect_uri {uri:?} is refused: only http://127.0.0.1, http://[::1] or http://localhost (any port) may receive a login"
        ));
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "redirect_uri {uri:?} is refused: it must not carry a #fragment or credentials"
        ));
    }
    Ok(url)
}

/// `redirect_uri` with `pairs` and the state added to its query.
fn answer_url(redirect_uri: &Url, pairs: &[(&str, &str)], state: Option<&str>) -> Url {
    let mut url = redirect_uri.clone();
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    url
}

/// How a code or token is stored: the hex SHA-256 of its value. The values
/// are 256-bit random, so an unsalted hash cannot be reversed.
pub(in crate::local) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `prefix` and 32 bytes from the operating system's generator, base64url.
pub(in crate::local) fn new_secret(prefix: &str) -> CloudResult<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::SysRng.try_fill_bytes(&mut bytes).map_err(|e| {
        CloudError::Internal(format!("the system's random number generator failed: {e}"))
    })?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn nanos(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
