//! What a client tells an observer about each request it sent (the CLI
//! shows it with `-v`): never a credential, never a secret of the query.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;

use super::client::redact;

/// One request and how it went, safe to print.
#[derive(Debug, Clone)]
pub struct RequestNotice {
    pub method: String,
    /// Path and query; a query parameter that may hold a secret (a
    /// token, a code, a key) has its value shortened.
    pub target: String,
    /// The answer's status; `None` when none came.
    pub status: Option<u16>,
    /// Why no answer came, one line (when `status` is `None`).
    pub failure: Option<String>,
    /// From sending the request to the end of the answer's body.
    pub elapsed: Duration,
    /// The headers sent, credentials shortened.
    pub request_headers: Vec<(String, String)>,
    /// The headers received, cookies shortened.
    pub response_headers: Vec<(String, String)>,
}

/// Receives a [`RequestNotice`] after each request; shared by clones of a
/// client.
pub type RequestObserver = Arc<dyn Fn(&RequestNotice) + Send + Sync>;

/// Query parameters whose values are never shown whole: any name
/// containing one of these.
const SECRET_PARAMETERS: [&str; 6] = ["token", "secret", "key", "password", "code", "signature"];

/// Headers whose values are never shown whole.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// `url`'s path and query as it may be printed.
pub(crate) fn shown_target(url: &Url) -> String {
    let mut target = url.path().to_string();
    if url.query().is_some() {
        let pairs: Vec<String> = url
            .query_pairs()
            .map(|(name, value)| {
                let lower = name.to_ascii_lowercase();
                let value = if SECRET_PARAMETERS.iter().any(|s| lower.contains(s)) {
                    redact(&value)
                } else {
                    value.into_owned()
                };
                let mut pair = url::form_urlencoded::Serializer::new(String::new());
                pair.append_pair(&name, &value);
                pair.finish()
            })
            .collect();
        target.push('?');
        target.push_str(&pairs.join("&"));
    }
    target
}

/// `headers` as they may be printed: credentials and cookies shortened.
pub(crate) fn shown_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                match value.split_once(' ') {
                    // Keep the scheme: `Bearer pk_abc…`.
                    Some((scheme, secret)) => format!("{scheme} {}", redact(secret)),
                    None => redact(&value),
                }
            } else {
                value.into_owned()
            };
            (name.as_str().to_string(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

    #[test]
    fn secrets_in_the_query_are_shortened_and_the_rest_kept() {
        let url = Url::parse(
            "http://h/v1/agents/bot/logs?limit=5&query=a+b&token=pcc_0123456789abcdef&apiKey=pk_0123456789",
        )
        .unwrap();
        let shown = shown_target(&url);
        assert!(
            shown.starts_with("/v1/agents/bot/logs?limit=5&query=a+b&token=pcc_0"),
            "{shown}"
        );
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(!shown.contains("pk_0123456789"), "{shown}");
        let plain = Url::parse("http://user:pw@h/v1/agents").unwrap();
        assert_eq!(shown_target(&plain), "/v1/agents");
    }

    #[test]
    fn credentials_in_headers_keep_only_their_scheme_and_a_prefix() {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer sk_0123456789abcdef0123"),
        );
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let shown = shown_headers(&headers);
        assert_eq!(shown[0].0, "authorization");
        assert!(shown[0].1.starts_with("Bearer sk_"), "{shown:?}");
        assert!(!shown[0].1.contains("0123456789abcdef"), "{shown:?}");
        assert_eq!(
            shown[1],
            ("content-type".to_string(), "application/json".to_string())
        );
    }
}
