//! Where a [`Client`](super::Client) holding a user token gets the token it
//! sends, when that token can expire and be refreshed (an OAuth login).
//! The client knows nothing of where tokens are stored: the config file's
//! implementation is `crate::config::login::ConfigTokenSource`.

use std::future::Future;
use std::pin::Pin;

use super::ApiError;

/// Personal access tokens start with this; they never expire on their own
/// and are never refreshed.
pub const PERSONAL_ACCESS_TOKEN_PREFIX: &str = "pcc_pat_";

/// True for a personal access token (`pcc_pat_...`).
pub fn is_personal_access_token(token: &str) -> bool {
    token.starts_with(PERSONAL_ACCESS_TOKEN_PREFIX)
}

/// What a [`TokenSource`] method returns.
pub type TokenFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// Gives a client the user token to send, refreshing it when needed. A
/// client with a source asks it before every request, and after a 401 asks
/// once for a better token and retries once.
pub trait TokenSource: Send + Sync {
    /// The token for the next request, refreshed first if it is about to
    /// expire.
    fn token(&self) -> TokenFuture<'_, String>;

    /// The server answered 401 to a request sent with `rejected`. The token
    /// to retry with (refreshed, or one refreshed meanwhile by someone
    /// else), or `None` when nothing better can be had: the 401 stands.
    fn after_unauthorized<'a>(&'a self, rejected: &'a str) -> TokenFuture<'a, Option<String>>;
}
