//! Why a login, a token exchange or a refresh failed.

use std::time::Duration;

use crate::api::{ApiError, ErrorKind};

/// A failed step of the OAuth login or refresh. [`OAuthError::kind`] says
/// which exit code it deserves: [`ErrorKind::Auth`] (3) when the login
/// itself failed (refused, denied, wrong state, nobody logged in in time),
/// [`ErrorKind::Malformed`] (5) when the identity provider's setup cannot be
/// used safely, and the inner error's kind for transport and HTTP failures.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    /// Reaching the API or the identity provider failed, or it answered an
    /// HTTP error without an OAuth error body (kind of the inner error:
    /// connect, timeout and malformed answers are 5).
    #[error("{0}")]
    Http(ApiError),
    /// Discovery found something a safe login cannot use: a mismatched
    /// issuer, no S256 PKCE, no code flow, an endpoint that is not https, a
    /// document of the wrong shape or an error status. Exit 5.
    #[error("the login provider at {url} cannot be used: {problem}")]
    Provider { url: String, problem: String },
    /// The token endpoint refused the grant (`invalid_grant`: a used or
    /// expired code, a revoked or already rotated refresh token). Exit 3.
    #[error(
        "the identity provider refused the {grant}: {}",
        describe(error, description)
    )]
    Refused {
        /// `authorization code` or `refresh token`.
        grant: &'static str,
        error: String,
        description: Option<String>,
    },
    /// The callback's `state` is not the one this login sent: the answer
    /// belongs to another login (or to an attacker). Exit 3.
    #[error(
        "the login answer was refused: its state does not match the login this command started"
    )]
    StateMismatch,
    /// The provider sent the browser back with `error=` (e.g. the user
    /// declined). Exit 3.
    #[error("the login was not approved: {}", describe(error, description))]
    Denied {
        error: String,
        description: Option<String>,
    },
    /// The callback carried neither a code nor an error. Exit 3.
    #[error("the login answer carried no authorization code")]
    MissingCode,
    /// Nobody completed the login in the browser in time. Exit 3.
    #[error("no login arrived within {}s", .0.as_secs())]
    CallbackTimeout(Duration),
    /// Every callback port is taken (another login waiting?). Exit 3.
    #[error(
        "cannot listen for the login answer: ports {first}-{last} on 127.0.0.1 are all in use ({reason})"
    )]
    NoFreePort {
        first: u16,
        last: u16,
        reason: String,
    },
    /// The operating system's random number generator failed. Exit 3.
    #[error("cannot make the login secrets: the system's random number generator failed: {0}")]
    Randomness(String),
}

fn describe(error: &str, description: &Option<String>) -> String {
    match description {
        Some(description) => format!("{error} ({description})"),
        None => error.to_string(),
    }
}

impl OAuthError {
    /// The kind, i.e. the exit code the CLI gives this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            OAuthError::Http(error) => error.kind,
            OAuthError::Provider { .. } => ErrorKind::Malformed,
            OAuthError::Refused { .. }
            | OAuthError::StateMismatch
            | OAuthError::Denied { .. }
            | OAuthError::MissingCode
            | OAuthError::CallbackTimeout(_)
            | OAuthError::NoFreePort { .. }
            | OAuthError::Randomness(_) => ErrorKind::Auth,
        }
    }

    /// The OAuth error code when the provider sent one (`invalid_grant`,
    /// `access_denied`, ...).
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            OAuthError::Refused { error, .. } | OAuthError::Denied { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A request that refreshes its token first reports a failed refresh as an
/// [`ApiError`] of the same kind, with the OAuth error code as `code`.
impl From<OAuthError> for ApiError {
    fn from(error: OAuthError) -> ApiError {
        match error {
            OAuthError::Http(error) => error,
            other => {
                let url = match &other {
                    OAuthError::Provider { url, .. } => url.clone(),
                    _ => String::new(),
                };
                ApiError {
                    kind: other.kind(),
                    status: None,
                    code: other.oauth_code().map(str::to_string),
                    message: other.to_string(),
                    retry_after: None,
                    url,
                }
            }
        }
    }
}
