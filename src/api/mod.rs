//! The typed REST client: the only place that speaks HTTP to the cloud.
//! Nothing here prints.

mod body;
pub mod build_context;
pub mod builds;
mod client;
mod error;
pub mod limits;
pub mod logs;
pub mod names;
pub mod oauth;
mod retry;
mod session;
pub mod status;
mod token_source;
mod trace;
pub mod types;

pub use client::{
    BuildQuery, CONTEXT_CONTENT_TYPE, CONTEXT_FILE_NAME, Client, Credential, DEFAULT_API_HOST,
    DEFAULT_RETRIES, LogOrder, LogQuery, LogsBody, MAX_RESPONSE_BYTES, Raw, SessionQuery,
    SessionStatus, USER_AGENT, redact,
};
pub use error::{ApiError, ErrorKind};
pub use retry::{Backoff, RetryNotice, RetryObserver};
pub use session::{Session, SessionParams, Transport};
pub use status::Phase;
pub use token_source::{
    PERSONAL_ACCESS_TOKEN_PREFIX, TokenFuture, TokenSource, is_personal_access_token,
};
pub use trace::{RequestNotice, RequestObserver};
