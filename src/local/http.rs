//! HTTP plumbing shared by every route: the error type and its two JSON
//! shapes, and extractors that answer bad input with JSON (axum's own
//! rejections are plain text).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::api::names;
use crate::api::types::ErrorBody;

use super::store::StoreError;

/// Largest request body accepted (the platform's limit).
pub use crate::api::limits::MAX_BODY_BYTES;

/// An error answer: `{"error": message, "code": code}` with `status`,
/// except capacity, which answers the seed's exact 429 body.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Status {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    AtCapacity,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Status {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "GENERIC_BAD_REQUEST", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "404", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "401",
            "Unauthorized / token expired",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "500", message)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Status { status, .. } => *status,
            ApiError::AtCapacity => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        eprintln!("pipecat local: {err}");
        ApiError::internal(
            "Internal server error. Please check logs for more information or contact support.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match self {
            ApiError::Status { code, message, .. } => ErrorBody {
                error: Some(message),
                code: Some(code.into()),
                ..ErrorBody::default()
            },
            ApiError::AtCapacity => ErrorBody {
                status: Some(429.into()),
                code: Some("429".into()),
                message: Some("Rate limit exceeded. Please try again later".into()),
                ..ErrorBody::default()
            },
        };
        (status, axum::Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<axum::Json<T>, ApiError>;

/// A JSON request body. Malformed JSON is a 400 and an oversized body a
/// 413, both as JSON. The content type is not checked: `curl -d` sends
/// form encoding for what is JSON.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "413",
                    format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
                )
            } else {
                ApiError::bad_request(format!("Cannot read the request body: {rejection}"))
            }
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
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
    ApiError::not_found("API endpoint not found")
}

/// Known routes with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "405",
        "Method not allowed on this endpoint",
    )
}

/// An agent name that breaks the platform rule (see
/// [`crate::api::names::check_agent_name`]) is a 400.
pub fn validate_agent_name(name: &str) -> Result<(), ApiError> {
    names::check_agent_name(name).map_err(|err| ApiError::bad_request(err.to_string()))
}

/// Session ids are UUIDs; anything else is a 400.
pub fn validate_session_id(id: &str) -> Result<(), ApiError> {
    names::session_id(id)
        .map(|_| ())
        .map_err(|err| ApiError::bad_request(err.to_string()))
}
