//! The bounded HTTP every OAuth step uses: a timeout, no redirects (an
//! answer must come from the URL that was checked), and a cap on how much
//! of an answer is read.

use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};

use super::OAuthError;
use crate::api::body::{self, BodyError};
use crate::api::client::{USER_AGENT, root_cause};
use crate::api::error::summarize;
use crate::api::{ApiError, ErrorKind};

/// No discovery document, token answer or error body is longer than this.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Connecting never waits longer than this, whatever the request timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP client for OAuth requests with `timeout` per request.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| {
            OAuthError::Http(ApiError::usage(format!(
                "cannot set up the HTTP client: {}",
                root_cause(&e)
            )))
        })
}

/// A complete answer: status and a body of at most [`MAX_RESPONSE_BYTES`].
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// Sends `request` to `url` (as it may be shown) and reads the answer,
/// refusing one longer than the cap.
pub(crate) async fn send(
    request: RequestBuilder,
    url: &str,
    what: &str,
) -> Result<Answer, OAuthError> {
    let response = request.send().await.map_err(|e| transport(&e, url, what))?;
    let status = response.status();
    let body = read_capped(response, url, what).await?;
    Ok(Answer { status, body })
}

async fn read_capped(response: Response, url: &str, what: &str) -> Result<Vec<u8>, OAuthError> {
    body::read_capped(response, MAX_RESPONSE_BYTES)
        .await
        .map_err(|err| match err {
            BodyError::TooLarge => OAuthError::Http(ApiError::transport(
                ErrorKind::Malformed,
                url,
                format!("{what} at {url} sent an answer larger than {MAX_RESPONSE_BYTES} bytes"),
            )),
            BodyError::Read(e) => transport(&e, url, what),
        })
}

fn transport(error: &reqwest::Error, url: &str, what: &str) -> OAuthError {
    let (kind, message) = if error.is_timeout() {
        (
            ErrorKind::Timeout,
            format!("{what} at {url} did not answer in time"),
        )
    } else if error.is_builder() {
        (
            ErrorKind::Usage,
            format!("cannot build the request to {url}: {}", root_cause(error)),
        )
    } else if error.is_body() || error.is_decode() {
        (
            ErrorKind::Malformed,
            format!(
                "the answer of {what} at {url} was cut off: {}",
                root_cause(error)
            ),
        )
    } else {
        (
            ErrorKind::Connect,
            format!("cannot reach {what} at {url}: {}", root_cause(error)),
        )
    };
    OAuthError::Http(ApiError::transport(kind, url, message))
}

/// Parses a JSON body; the error says what came back instead, as a
/// predicate ("answered ...") for the caller to put after a subject.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, String> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!(
                "answered HTTP {} with something that is not JSON ({:?})",
                answer.status.as_u16(),
                summarize(&answer.body)
            )
        } else {
            format!("answered an unexpected document: {e}")
        }
    })
}
