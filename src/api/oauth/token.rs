//! The token endpoint (authorization code and refresh grants, form-encoded,
//! public client) and the API's logout.

use std::fmt;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::OAuthError;
use super::discovery::OAuthProvider;
use super::http::{self, Answer, parse_json};
use crate::api::error::sanitize;
use crate::api::{ApiError, ErrorKind, redact};

/// Lifetime assumed when the token endpoint does not say (`expires_in`
/// absent), as the official CLI assumes.
pub const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(86_400);

/// No lifetime is believed beyond this (a larger `expires_in` is capped).
const MAX_EXPIRES_IN: Duration = Duration::from_secs(10 * 365 * 86_400);

/// The API path that revokes a refresh token.
pub const LOGOUT_PATH: &str = "/auth/logout";

/// How long logging out waits for the API.
pub const LOGOUT_TIMEOUT: Duration = Duration::from_secs(10);

/// The token endpoint's answer, as sent on the wire (RFC 6749 section 5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds; a number, or a string holding one, as providers differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<Value>,
}

/// An OAuth error body (RFC 6749 section 5.2), e.g. `{"error":
/// "invalid_grant", "error_description": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The body of `POST /auth/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutRequest {
    pub refresh_token: String,
}

/// Tokens from a code exchange or a refresh. `Debug` redacts them.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    pub access_token: String,
    /// `None` when the provider sent none: after a refresh, keep the one
    /// stored; after a login, there is nothing to refresh with.
    pub refresh_token: Option<String>,
    /// When the access token expires: receipt time plus `expires_in`
    /// ([`DEFAULT_EXPIRES_IN`] when absent).
    pub expires_at: Timestamp,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &redact(&self.access_token))
            .field("refresh_token", &self.refresh_token.as_deref().map(redact))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl TokenResponse {
    /// The tokens, with the expiry counted from `received_at`.
    pub fn into_token_set(self, received_at: Timestamp) -> Result<TokenSet, String> {
        if self.access_token.trim().is_empty() {
            return Err("its access_token is empty".into());
        }
        if let Some(kind) = &self.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(format!("its token_type is {kind:?}, not Bearer"));
        }
        let lifetime = self
            .expires_in
            .as_ref()
            .and_then(|value| match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .filter(|seconds| seconds.is_finite())
            .map_or(DEFAULT_EXPIRES_IN, |seconds| {
                Duration::from_secs_f64(seconds.clamp(0.0, MAX_EXPIRES_IN.as_secs_f64()))
            });
        let expires_at = received_at
            .checked_add(SignedDuration::try_from(lifetime).unwrap_or(SignedDuration::ZERO))
            .unwrap_or(received_at);
        Ok(TokenSet {
            access_token: self.access_token,
            refresh_token: self.refresh_token.filter(|token| !token.is_empty()),
            expires_at,
        })
    }
}

impl OAuthProvider {
    /// Exchanges the code the callback received for tokens
    /// (`grant_type=authorization_code` with the PKCE verifier). A used or
    /// expired code is [`OAuthError::Refused`] with `invalid_grant`.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenSet, OAuthError> {
        self.token_request(
            "authorization code",
            &[
                ("grant_type", "authorization_code"),
                ("code", code.secret()),
                ("redirect_uri", redirect_uri),
                ("client_id", &self.client_id),
                ("code_verifier", verifier),
            ],
        )
        .await
    }

    /// Trades `refresh_token` for a new access token
    /// (`grant_type=refresh_token`). The answer may carry a new refresh
    /// token (rotation): the old one must not be used again. A revoked or
    /// already rotated one is [`OAuthError::Refused`] with `invalid_grant`.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet, OAuthError> {
        self.token_request(
            "refresh token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", &self.client_id),
            ],
        )
        .await
    }

    async fn token_request(
        &self,
        grant: &'static str,
        form: &[(&str, &str)],
    ) -> Result<TokenSet, OAuthError> {
        let url = self.token_endpoint.to_string();
        let request = self
            .http
            .post(self.token_endpoint.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form);
        let answer = http::send(request, &url, "the token endpoint").await?;
        token_answer(grant, &answer, &url, Timestamp::now())
    }
}

/// Reads the token endpoint's answer: tokens on success, the OAuth error
/// it names on failure.
fn token_answer(
    grant: &'static str,
    answer: &Answer,
    url: &str,
    received_at: Timestamp,
) -> Result<TokenSet, OAuthError> {
    if !answer.status.is_success() {
        if let Ok(body) = serde_json::from_slice::<OAuthErrorBody>(&answer.body) {
            return Err(OAuthError::Refused {
                grant,
                error: sanitize(&body.error),
                description: body
                    .error_description
                    .map(|description| sanitize(&description))
                    .filter(|description| !description.is_empty()),
            });
        }
        return Err(OAuthError::Http(ApiError::from_status(
            answer.status.as_u16(),
            answer.status.canonical_reason().unwrap_or("error"),
            &answer.body,
            None,
            url,
        )));
    }
    let malformed =
        |message: String| OAuthError::Http(ApiError::transport(ErrorKind::Malformed, url, message));
    let response: TokenResponse = parse_json(answer)
        .map_err(|problem| malformed(format!("the token endpoint at {url} {problem}")))?;
    response.into_token_set(received_at).map_err(|problem| {
        malformed(format!(
            "the token endpoint at {url} answered tokens that cannot be used: {problem}"
        ))
    })
}

/// The code the callback received. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationCode(String);

impl AuthorizationCode {
    pub(crate) fn new(code: String) -> Self {
        AuthorizationCode(code)
    }

    /// The code itself, to send to the token endpoint.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthorizationCode({})", redact(&self.0))
    }
}

/// Revokes `refresh_token` at the API (`POST {api_host}/auth/logout
/// {"refresh_token"}`, authorized with `access_token`), waiting at most
/// [`LOGOUT_TIMEOUT`]. The caller removes the stored credentials whatever
/// the outcome and shows a failure as a warning.
pub async fn logout(
    api_host: &str,
    access_token: &str,
    refresh_token: &str,
) -> Result<(), OAuthError> {
    let http = http::client(LOGOUT_TIMEOUT)?;
    let base = api_host.trim().trim_end_matches('/');
    let url = format!("{base}{LOGOUT_PATH}");
    let request = http
        .post(&url)
        .bearer_auth(access_token)
        .json(&LogoutRequest {
            refresh_token: refresh_token.to_string(),
        });
    let answer = http::send(request, &url, "the API").await?;
    if answer.status.is_success() {
        return Ok(());
    }
    Err(OAuthError::Http(ApiError::from_status(
        answer.status.as_u16(),
        answer.status.canonical_reason().unwrap_or("error"),
        &answer.body,
        None,
        &url,
    )))
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn parse(status: u16, body: &str) -> Result<TokenSet, OAuthError> {
        token_answer("refresh token", &answer(status, body), "u", now())
    }

    #[test]
    fn reads_tokens_and_the_lifetime() {
        let set = parse(
            200,
            r#"{"access_token":"at","token_type":"bearer","refresh_token":"rt","expires_in":3600,"scope":"x"}"#,
        )
        .unwrap();
        assert_eq!(set.access_token, "at");
        assert_eq!(set.refresh_token.as_deref(), Some("rt"));
        assert_eq!(set.expires_at, now() + SignedDuration::from_secs(3600));
    }

    #[test]
    fn a_missing_lifetime_is_a_day_and_a_missing_refresh_token_is_none() {
        let set = parse(200, r#"{"access_token":"at"}"#).unwrap();
        assert_eq!(set.refresh_token, None);
        assert_eq!(set.expires_at, now() + SignedDuration::from_secs(86_400));
        let empty = parse(200, r#"{"access_token":"at","refresh_token":""}"#).unwrap();
        assert_eq!(empty.refresh_token, None);
        let text = parse(200, r#"{"access_token":"at","expires_in":"60"}"#).unwrap();
        assert_eq!(text.expires_at, now() + SignedDuration::from_secs(60));
        let negative = parse(200, r#"{"access_token":"at","expires_in":-5}"#).unwrap();
        assert_eq!(negative.expires_at, now());
    }

    #[test]
    fn unusable_tokens_are_malformed() {
        for body in [
            r#"{"access_token":""}"#,
            r#"{"access_token":"at","token_type":"mac"}"#,
            r#"{"token_type":"bearer"}"#,
            "<html>",
        ] {
            let err = parse(200, body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Malformed, "{body}: {err}");
        }
    }

    #[test]
    fn an_oauth_error_body_is_a_refusal() {
        let err = parse(
            400,
            r#"{"error":"invalid_grant","error_description":"refresh token reused"}"#,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert_eq!(err.oauth_code(), Some("invalid_grant"));
        assert_eq!(
            err.to_string(),
            "the identity provider refused the refresh token: invalid_grant (refresh token reused)"
        );
        let api: ApiError = err.into();
        assert_eq!(api.kind, ErrorKind::Auth);
        assert_eq!(api.code.as_deref(), Some("invalid_grant"));
    }

    #[test]
    fn another_error_status_keeps_its_kind() {
        let err = parse(503, "<html>down</html>").unwrap_err();
        assert!(
            matches!(&err, OAuthError::Http(e) if e.status == Some(503)),
            "{err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Api);
    }

    #[test]
    fn debug_never_shows_a_token() {
        let set = parse(
            200,
            r#"{"access_token":"secret-access-token","refresh_token":"secret-refresh-token"}"#,
        )
        .unwrap();
        let shown = format!("{set:?}");
        assert!(!shown.contains("secret-access-token"), "{shown}");
        assert!(!shown.contains("secret-refresh-token"), "{shown}");
        let code = AuthorizationCode::new("secret-code-value".into());
        assert!(!format!("{code:?}").contains("secret-code-value"));
    }
}
