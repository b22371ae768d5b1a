//! The one error type of the client: what went wrong, in terms a caller can
//! branch on (capacity, auth, not found, ...) and a person can act on.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::client::redact;
use super::types::ErrorBody;

/// What kind of failure an [`ApiError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 429: the agent is at its session limit (or the API rate-limits us).
    Capacity,
    /// 401 or 403: missing, wrong or insufficient credentials.
    Auth,
    /// 404: agent, session, key or organization not found.
    NotFound,
    /// 409: the agent's deployment is not ready.
    NotReady,
    /// 400, 413, 422: the API refused the request as invalid.
    BadRequest,
    /// Any other error status.
    Api,
    /// The API could not be reached (refused, DNS, TLS, reset).
    Connect,
    /// The request or the connection timed out.
    Timeout,
    /// The API answered something that is not the expected JSON.
    Malformed,
    /// The caller asked for something impossible before anything was sent
    /// (e.g. no organization for an organization-scoped call).
    Usage,
}

/// A failed API call: HTTP status, the body's `code`, its message (from
/// `error` or `message`), `Retry-After` if the server sent one, and the URL
/// (without credentials, which only ever travel in headers).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
    pub retry_after: Option<Duration>,
    pub url: String,
}

impl ApiError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        ApiError {
            kind: ErrorKind::Usage,
            status: None,
            code: None,
            message: message.into(),
            retry_after: None,
            url: String::new(),
        }
    }

    pub(crate) fn transport(kind: ErrorKind, url: &str, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            status: None,
            code: None,
            message: message.into(),
            retry_after: None,
            url: url.to_string(),
        }
    }

    /// Builds the error for a non-success status from the raw body. Both
    /// body shapes are read; a body that is not JSON is summarised.
    pub(crate) fn from_status(
        status: u16,
        reason: &str,
        body: &[u8],
        retry_after: Option<Duration>,
        url: &str,
    ) -> Self {
        let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
        let (code, message) = match parsed {
            Some(body) => (
                body.code.as_ref().map(value_to_string),
                body.error
                    .or(body.message)
                    .map(|message| sanitize(&message))
                    .unwrap_or_else(|| reason.to_string()),
            ),
            None => {
                let text = summarize(body);
                let message = if text.is_empty() {
                    reason.to_string()
                } else {
                    format!("{reason}: {text}")
                };
                (None, message)
            }
        };
        ApiError {
            kind: kind_for_status(status),
            status: Some(status),
            code,
            message,
            retry_after,
            url: url.to_string(),
        }
    }

    /// True when the start request hit the agent's session limit (429).
    pub fn is_capacity(&self) -> bool {
        self.kind == ErrorKind::Capacity
    }

    /// True for failures worth retrying as-is later (capacity, not ready).
    pub fn is_temporary(&self) -> bool {
        matches!(self.kind, ErrorKind::Capacity | ErrorKind::NotReady)
    }

    /// True for failures that may pass if one waits: the API cannot be
    /// reached, did not answer in time, or failed on its side (5xx).
    pub fn is_outage(&self) -> bool {
        matches!(self.kind, ErrorKind::Connect | ErrorKind::Timeout)
            || self.status.is_some_and(|status| status >= 500)
    }
}

fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        429 => ErrorKind::Capacity,
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::NotReady,
        400 | 413 | 422 => ErrorKind::BadRequest,
        _ => ErrorKind::Api,
    }
}

fn value_to_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first line of a non-JSON body, shortened: enough to tell an HTML
/// error page or a proxy message apart, never a wall of markup.
pub(crate) fn summarize(body: &[u8]) -> String {
    const MAX: usize = 80;
    let line = sanitize(&String::from_utf8_lossy(body));
    if line.chars().count() > MAX {
        let short: String = line.chars().take(MAX).collect();
        format!("{short}...")
    } else {
        line
    }
}

/// A server's message made safe to print as one line: its first non-empty
/// line, without terminal escapes or control characters (so none can hide
/// a key from what follows), and with anything that looks like a key or
/// bearer token redacted, in case the server echoes the request's
/// credentials.
pub(crate) fn sanitize(message: &str) -> String {
    let line = message
        .lines()
        .map(|line| crate::sanitize::text(line).replace('\t', " "))
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    let mut after_bearer = false;
    let words: Vec<String> = line
        .trim()
        .split(' ')
        .map(|word| {
            let secret = (after_bearer && !word.is_empty()) || looks_like_key(word);
            after_bearer = word.eq_ignore_ascii_case("bearer");
            if secret {
                redact(word)
            } else {
                word.to_string()
            }
        })
        .collect();
    words.join(" ")
}

fn looks_like_key(word: &str) -> bool {
    let word = word.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    ["pk_", "sk_", "pcc_pat_"]
        .iter()
        .any(|prefix| word.starts_with(prefix) && word.len() > prefix.len() + 4)
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, &self.code) {
            (Some(status), Some(code)) if code != &status.to_string() => {
                write!(f, "{} (HTTP {status}, {code})", self.message)
            }
            (Some(status), _) => write!(f, "{} (HTTP {status})", self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreachable_or_server_side_failures_are_outages() {
        let at = |status| ApiError::from_status(status, "", b"", None, "u");
        assert!(at(503).is_outage());
        assert!(at(500).is_outage());
        assert!(!at(404).is_outage());
        assert!(!at(401).is_outage());
        assert!(!at(429).is_outage());
    }

    #[test]
    fn reads_the_error_shape() {
        let e = ApiError::from_status(
            404,
            "Not Found",
            br#"{"error":"Service not found","code":"NOT_FOUND"}"#,
            None,
            "u",
        );
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.code.as_deref(), Some("NOT_FOUND"));
        assert_eq!(e.message, "Service not found");
    }

    #[test]
    fn reads_the_capacity_shape_with_numeric_status() {
        let e = ApiError::from_status(
            429,
            "Too Many Requests",
            br#"{"status":429,"code":"429","message":"Rate limit exceeded. Please try again later"}"#,
            Some(Duration::from_secs(1)),
            "u",
        );
        assert!(e.is_capacity());
        assert_eq!(e.code.as_deref(), Some("429"));
        assert_eq!(e.message, "Rate limit exceeded. Please try again later");
        assert_eq!(e.retry_after, Some(Duration::from_secs(1)));
    }

    #[test]
    fn summarizes_a_text_body() {
        let e = ApiError::from_status(502, "Bad Gateway", b"<html>\n<body>oops</body>", None, "u");
        assert_eq!(e.kind, ErrorKind::Api);
        assert_eq!(e.message, "Bad Gateway: <html>");
        assert_eq!(e.code, None);
    }

    #[test]
    fn a_server_message_is_one_safe_line() {
        let e = ApiError::from_status(
            401,
            "Unauthorized",
            "{\"error\":\"bad token Bearer abcdefghijklmnop for sk_0123456789abcdef\\nsecond line\\u001b[2J\"}".as_bytes(),
            None,
            "u",
        );
        assert!(!e.message.contains("abcdefghijklmnop"), "{}", e.message);
        assert!(!e.message.contains("0123456789abcdef"), "{}", e.message);
        assert!(!e.message.contains("second line"), "{}", e.message);
        assert!(!e.message.contains('\u{1b}'), "{}", e.message);
        assert!(e.message.starts_with("bad token Bearer "), "{}", e.message);
        // An escape inside a key does not hide it.
        let e = ApiError::from_status(
            401,
            "Unauthorized",
            "{\"error\":\"bad key sk_0123\\u001b[0m456789abcdef\\u001b]52;c;eA==\\u0007\"}"
                .as_bytes(),
            None,
            "u",
        );
        assert!(!e.message.contains("456789abcdef"), "{}", e.message);
        assert!(!e.message.contains("52;c;"), "{}", e.message);
    }

    #[test]
    fn a_401_without_code_has_no_code() {
        let e = ApiError::from_status(
            401,
            "Unauthorized",
            br#"{"error":"Unauthorized"}"#,
            None,
            "u",
        );
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.code, None);
        assert_eq!(e.to_string(), "Unauthorized (HTTP 401)");
    }
}
