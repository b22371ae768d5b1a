//! The local cloud's domain errors. `Cloud`, `Runtime` and the store speak
//! only these; they know nothing of HTTP. `http.rs` alone turns them into
//! status codes and JSON bodies.

use super::store::StoreError;

/// Things a request can name that may not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Agent,
    Session,
    Organization,
    ApiKey,
    SecretSet,
    Secret,
    Build,
}

impl std::fmt::Display for What {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The API's own words ("Service" is the platform's name for an agent).
        f.write_str(match self {
            What::Agent => "Service",
            What::Session => "Session",
            What::Organization => "Organization",
            What::ApiKey => "API key",
            What::SecretSet => "Set",
            What::Secret => "Secret",
            What::Build => "Build",
        })
    }
}

/// Why an operation of the local cloud failed. The `Display` text is the
/// message a caller sees (except for store failures, whose details stay in
/// the server's log).
#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    /// The request is malformed or out of bounds; nothing was changed.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0} not found")]
    NotFound(What),
    /// Stopping a session that is unknown, already ended, or already being
    /// stopped by another request.
    #[error("Session not found or already ended")]
    SessionNotRunning,
    #[error("{0} already exists")]
    AlreadyExists(What),
    /// The agent runs `maxAgents` sessions already.
    #[error("the agent is at capacity")]
    AtCapacity,
    /// The agent's deployment cannot run sessions (its image is unknown).
    #[error("Attempt to start agent when deployment is not in ready state: {0}")]
    NotReady(String),
    /// The request contradicts the current state (e.g. deleting a secret
    /// set that a deployment uses); nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// The server cannot take more of this work for now (e.g. its build
    /// queue is full); nothing was changed, the same request may succeed
    /// later.
    #[error("{0}")]
    Busy(String),
    /// A request without an API credential whose own proof (an upload's
    /// signature) is missing, wrong, expired or used.
    #[error("{0}")]
    Forbidden(String),
    /// A body over a limit that is not the API's general one (an upload).
    #[error("{0}")]
    TooLarge(String),
    /// No credential, or one that may not do this.
    #[error("Unauthorized / token expired")]
    Unauthorized,
    /// The identity provider refused an OAuth request (the token endpoint's
    /// `{"error", "error_description"}` answer).
    #[error("{0}")]
    OAuth(OAuthRefusal),
    /// The store failed; it logged the details where it happened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something of the server's own failed (a file, a process to spawn).
    #[error("{0}")]
    Internal(String),
}

pub type CloudResult<T> = Result<T, CloudError>;

/// An OAuth error (RFC 6749 section 5.2): its code (`invalid_grant`,
/// `invalid_request`, ...) and what went wrong, for the client to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthRefusal {
    pub error: &'static str,
    pub description: String,
}

impl CloudError {
    /// An OAuth refusal with its code and description.
    pub fn oauth(error: &'static str, description: impl Into<String>) -> CloudError {
        CloudError::OAuth(OAuthRefusal {
            error,
            description: description.into(),
        })
    }
}
