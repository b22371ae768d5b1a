//! The one place where errors become HTTP answers: domain errors
//! ([`CloudError`]) and the HTTP layer's own (unknown route, wrong method,
//! body too large, route not emulated) map to a status code and a JSON
//! body in [`ApiError`]'s `IntoResponse`, which has no side effects. Also
//! the extractors that answer bad input with JSON (axum's own rejections
//! are plain text).
//!
//! Bodies are `{"error": message, "code": code}`, except capacity, which
//! answers the seed's exact 429 body
//! `{"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"}`.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::api::oauth::OAuthErrorBody;
use crate::api::types::ErrorBody;

use super::cloud::EncodedJson;
use super::error::{CloudError, OAuthRefusal};

/// Largest request body accepted (the platform's limit).
pub use crate::api::limits::MAX_BODY_BYTES;

/// The code of every route the local cloud does not emulate.
pub const NOT_EMULATED_CODE: &str = "NOT_EMULATED";
/// The code of a start refused because the store cannot write.
pub const STORE_UNWRITABLE_CODE: &str = "STORE_UNWRITABLE";

/// Everything a request can fail with.
#[derive(Debug)]
pub enum ApiError {
    Cloud(CloudError),
    /// No route has this path.
    NoRoute,
    /// A route has this path, but not this method.
    WrongMethod,
    BodyTooLarge,
    /// A route of the official API that the local cloud does not serve;
    /// names what it is.
    NotEmulated(&'static str),
}

impl From<CloudError> for ApiError {
    fn from(err: CloudError) -> Self {
        ApiError::Cloud(err)
    }
}

impl ApiError {
    fn bad_request(message: String) -> Self {
        ApiError::Cloud(CloudError::InvalidInput(message))
    }

    /// Status, `code` and message of an `{"error", "code"}` answer; `None`
    /// for capacity and OAuth refusals, which have their own bodies.
    fn parts(&self) -> Option<(StatusCode, &'static str, String)> {
        let answer = match self {
            ApiError::Cloud(err) => match err {
                CloudError::InvalidInput(_) | CloudError::AlreadyExists(_) => {
                    (StatusCode::BAD_REQUEST, "GENERIC_BAD_REQUEST", err.to_string())
                }
                CloudError::NotFound(_) | CloudError::SessionNotRunning => {
                    (StatusCode::NOT_FOUND, "404", err.to_string())
                }
                CloudError::AtCapacity | CloudError::OAuth(_) => return None,
                CloudError::NotReady(_) => (StatusCode::CONFLICT, "PCC-1001", err.to_string()),
                CloudError::Conflict(_) => (StatusCode::CONFLICT, "CONFLICT", err.to_string()),
                CloudError::Busy(_) => (StatusCode::TOO_MANY_REQUESTS, "429", err.to_string()),
                CloudError::Forbidden(_) => (StatusCode::FORBIDDEN, "403", err.to_string()),
                CloudError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "413", err.to_string()),
                CloudError::Unauthorized => (StatusCode::UNAUTHORIZED, "401", err.to_string()),
                // The details are in the server's log, not for the caller.
                CloudError::Store(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500",
                    "Internal server error. Please check logs for more information or contact support."
                        .to_string(),
                ),
                CloudError::Internal(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "500", err.to_string())
                }
                CloudError::StoreUnwritable(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    STORE_UNWRITABLE_CODE,
                    err.to_string(),
                ),
            },
            ApiError::NoRoute => (
                StatusCode::NOT_FOUND,
                "404",
                "API endpoint not found".to_string(),
            ),
            ApiError::WrongMethod => (
                StatusCode::METHOD_NOT_ALLOWED,
                "405",
                "Method not allowed on this endpoint".to_string(),
            ),
            ApiError::BodyTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "413",
                format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
            ),
            ApiError::NotEmulated(what) => (
                StatusCode::NOT_IMPLEMENTED,
                NOT_EMULATED_CODE,
                format!("the local cloud does not emulate {what}"),
            ),
        };
        Some(answer)
    }
}

impl IntoResponse for EncodedJson {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "application/json")],
            self.into_bytes(),
        )
            .into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Cloud(CloudError::OAuth(refusal)) = self {
            return oauth_refusal(refusal);
        }
        let Some((status, code, message)) = self.parts() else {
            return at_capacity();
        };
        let body = ErrorBody {
            error: Some(message),
            code: Some(code.into()),
            ..ErrorBody::default()
        };
        (status, axum::Json(body)).into_response()
    }
}

/// The platform's 429 at capacity, its body serialized once: it never
/// changes, and it is the answer a server at capacity sends most.
fn at_capacity() -> Response {
    static BODY: LazyLock<Bytes> = LazyLock::new(|| {
        let body = ErrorBody {
            status: Some(429.into()),
            code: Some("429".into()),
            message: Some("Rate limit exceeded. Please try again later".into()),
            ..ErrorBody::default()
        };
        // Serializing strings and a number cannot fail.
        Bytes::from(serde_json::to_vec(&body).unwrap_or_default())
    });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "application/json")],
        BODY.clone(),
    )
        .into_response()
}

/// The token endpoint's error answer (RFC 6749 section 5.2): 401 for an
/// unknown client, 503 when it cannot take more logins for now, else 400;
/// never cached.
fn oauth_refusal(refusal: OAuthRefusal) -> Response {
    let status = match refusal.error {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = OAuthErrorBody {
        error: refusal.error.to_string(),
        error_description: Some(refusal.description),
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

pub type ApiResult<T> = Result<axum::Json<T>, ApiError>;

/// A JSON object as request body (every body of the API is one: serde
/// would take an array for a struct, field by field). Malformed JSON is a
/// 400 and an oversized body a 413, both as JSON. An empty body is `{}`.
/// The content type is not checked: `curl -d` sends form encoding for what
/// is JSON.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::BodyTooLarge
            } else {
                ApiError::bad_request(format!("Cannot read the request body: {rejection}"))
            }
        })?;
        let bytes: &[u8] = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => b"{}",
            Some(b'{') => &bytes,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "Invalid JSON body: expected a JSON object".to_string(),
                ));
            }
        };
        serde_json::from_slice(bytes)
            .map(JsonBody)
            .map_err(|err| ApiError::bad_request(format!("Invalid JSON body: {err}")))
    }
}

/// Query parameters; a malformed one is a JSON 400.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|err| {
                ApiError::bad_request(format!("Invalid query parameters: {}", err.body_text()))
            })
    }
}

/// Path parameters; a malformed one is a JSON 400.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|err| ApiError::bad_request(format!("Invalid path: {}", err.body_text())))
    }
}

/// Unknown routes.
pub async fn route_not_found() -> ApiError {
    ApiError::NoRoute
}

/// Known routes with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::WrongMethod
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::error::What;
    use crate::local::store::StoreError;
    use serde_json::{Value, json};

    fn answer(err: impl Into<ApiError>) -> (u16, Value) {
        let response = err.into().into_response();
        let status = response.status().as_u16();
        let bytes = body_bytes(response);
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    fn body_bytes(response: Response) -> Bytes {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap()
    }

    #[test]
    fn capacity_answers_the_seeds_exact_429_body() {
        assert_eq!(
            answer(CloudError::AtCapacity),
            (
                429,
                json!({"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"})
            )
        );
    }

    #[test]
    fn domain_errors_map_to_status_code_and_message() {
        let cases: Vec<(ApiError, u16, &str, &str)> = vec![
            (
                CloudError::InvalidInput("limit must be at most 10000, got 10001".into()).into(),
                400,
                "GENERIC_BAD_REQUEST",
                "limit must be at most 10000, got 10001",
            ),
            (
                CloudError::AlreadyExists(What::Agent).into(),
                400,
                "GENERIC_BAD_REQUEST",
                "Service already exists",
            ),
            (
                CloudError::NotFound(What::Agent).into(),
                404,
                "404",
                "Service not found",
            ),
            (
                CloudError::NotFound(What::Session).into(),
                404,
                "404",
                "Session not found",
            ),
            (
                CloudError::NotFound(What::Organization).into(),
                404,
                "404",
                "Organization not found",
            ),
            (
                CloudError::NotFound(What::ApiKey).into(),
                404,
                "404",
                "API key not found",
            ),
            (
                CloudError::SessionNotRunning.into(),
                404,
                "404",
                "Session not found or already ended",
            ),
            (
                CloudError::NotReady("image \"x\" is not known".into()).into(),
                409,
                "PCC-1001",
                "Attempt to start agent when deployment is not in ready state: image \"x\" is not known",
            ),
            (
                CloudError::Unauthorized.into(),
                401,
                "401",
                "Unauthorized / token expired",
            ),
            (
                CloudError::Internal("cannot start the agent's process: no such file".into())
                    .into(),
                500,
                "500",
                "cannot start the agent's process: no such file",
            ),
            (
                CloudError::StoreUnwritable("cannot record new sessions".into()).into(),
                503,
                "STORE_UNWRITABLE",
                "cannot record new sessions",
            ),
            (
                CloudError::NotFound(What::SecretSet).into(),
                404,
                "404",
                "Set not found",
            ),
            (
                CloudError::Conflict("Secret set \"keys\" is used by agent \"bot\"".into()).into(),
                409,
                "CONFLICT",
                "Secret set \"keys\" is used by agent \"bot\"",
            ),
            (
                CloudError::NotFound(What::Build).into(),
                404,
                "404",
                "Build not found",
            ),
            (
                CloudError::Busy("16 builds are waiting already".into()).into(),
                429,
                "429",
                "16 builds are waiting already",
            ),
            (
                CloudError::Forbidden("Upload refused: wrong signature".into()).into(),
                403,
                "403",
                "Upload refused: wrong signature",
            ),
            (
                CloudError::TooLarge("the build context is larger than 1 MB".into()).into(),
                413,
                "413",
                "the build context is larger than 1 MB",
            ),
            (ApiError::NoRoute, 404, "404", "API endpoint not found"),
            (
                ApiError::WrongMethod,
                405,
                "405",
                "Method not allowed on this endpoint",
            ),
            (
                ApiError::BodyTooLarge,
                413,
                "413",
                "Request body is larger than 1048576 bytes",
            ),
            (
                ApiError::NotEmulated("secrets"),
                501,
                "NOT_EMULATED",
                "the local cloud does not emulate secrets",
            ),
        ];
        for (err, status, code, message) in cases {
            let described = format!("{err:?}");
            assert_eq!(
                answer(err),
                (status, json!({"error": message, "code": code})),
                "{described}"
            );
        }
    }

    #[test]
    fn oauth_refusals_answer_the_oauth_error_body() {
        let refused = |error| CloudError::oauth(error, "why");
        for (error, status) in [
            ("invalid_grant", 400),
            ("invalid_request", 400),
            ("unsupported_grant_type", 400),
            ("invalid_client", 401),
            ("temporarily_unavailable", 503),
        ] {
            assert_eq!(
                answer(refused(error)),
                (status, json!({"error": error, "error_description": "why"})),
                "{error}"
            );
        }
    }

    #[test]
    fn store_failures_keep_their_details_out_of_the_answer() {
        let failure = StoreError::from(rusqlite::Error::InvalidQuery);
        assert_eq!(
            answer(CloudError::Store(failure)),
            (
                500,
                json!({"error": "Internal server error. Please check logs for more information or contact support.", "code": "500"})
            )
        );
    }
}
