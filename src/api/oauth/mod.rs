//! Logging in with OAuth 2 as the official CLI does: the authorization code
//! flow with PKCE (S256) in the browser, a callback on 127.0.0.1, and
//! refresh tokens that may rotate. Nothing here prints or touches the
//! config file (storing tokens and refreshing them before requests is
//! [`crate::config::login`]'s job).
//!
//! A login, step by step:
//!
//! ```no_run
//! # async fn login(api_host: &str) -> Result<(), pipecat_cloud::api::oauth::OAuthError> {
//! use std::time::Duration;
//! use pipecat_cloud::api::oauth::{CallbackServer, LoginSecrets, OAuthProvider};
//!
//! let provider = OAuthProvider::discover(api_host, Duration::from_secs(30)).await?;
//! let server = CallbackServer::bind()?; // 127.0.0.1, first free of 8400..=8404
//! let redirect_uri = server.redirect_uri();
//! let secrets = LoginSecrets::generate()?; // fresh PKCE verifier and state
//! let url = provider.authorization_url(&redirect_uri, &secrets);
//! eprintln!("{url}"); // the caller shows the URL and opens the browser
//! // Dropping this future (Ctrl-C) stops waiting and frees the port.
//! let code = server.wait(secrets.state(), Duration::from_secs(300)).await?;
//! let tokens = provider
//!     .exchange_code(&code, &redirect_uri, secrets.verifier())
//!     .await?;
//! // Then: choose the org and store `tokens` (see `crate::config::login`).
//! # let _ = tokens; Ok(()) }
//! ```
//!
//! The wire types and constants here are the ones the local cloud's
//! identity provider serves, so both sides share one definition.

pub(crate) mod callback;
pub(crate) mod discovery;
mod error;
mod http;
mod pkce;
mod token;

pub use callback::{CALLBACK_PATH, CALLBACK_PORTS, CallbackServer};
pub use discovery::{
    AUTH_CONFIG_PATH, AuthConfig, DISCOVERY_SUFFIX, OAuthProvider, PKCE_METHOD, ProviderMetadata,
};
pub use error::OAuthError;
pub use http::MAX_RESPONSE_BYTES;
pub use pkce::{LoginSecrets, VERIFIER_LENGTH, is_valid_verifier, s256_challenge};
pub use token::{
    AuthorizationCode, DEFAULT_EXPIRES_IN, LOGOUT_PATH, LOGOUT_TIMEOUT, LogoutRequest,
    OAuthErrorBody, TokenResponse, TokenSet, logout,
};
