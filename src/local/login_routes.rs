//! The identity provider's HTTP surface (`/auth/...`, see `identity.rs`
//! for the rules): thin handlers around [`Identity`](super::identity::Identity), the browser's side of
//! the authorization endpoint (redirects and small HTML pages), and the
//! token endpoint's form. No route here needs a credential: they are how a
//! client gets one (logout proves itself with the refresh token it revokes).

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reqwest::Url;
use serde_json::{Value, json};

use crate::api::oauth::callback::{escape_html, page};
use crate::api::oauth::{
    AUTH_CONFIG_PATH, AuthConfig, DISCOVERY_SUFFIX, LOGOUT_PATH, LogoutRequest, ProviderMetadata,
    TokenResponse,
};

use super::cloud::Cloud;
use super::error::CloudError;
use super::http::{ApiError, ApiResult, JsonBody, QueryParams};
use super::identity::{
    AUTHORIZE_PATH, AuthorizationRequest, AuthorizeError, ISSUER_PATH, LOCAL_USER_EMAIL,
    TOKEN_PATH, TokenRequest,
};

type AppState = State<Arc<Cloud>>;

/// The identity provider's routes, at their absolute paths.
pub fn router() -> Router<Arc<Cloud>> {
    Router::new()
        .route(AUTH_CONFIG_PATH, get(auth_config))
        .route(&format!("{ISSUER_PATH}{DISCOVERY_SUFFIX}"), get(discovery))
        .route(AUTHORIZE_PATH, get(authorize).post(approve))
        .route(TOKEN_PATH, post(token))
        .route(LOGOUT_PATH, post(logout))
}

async fn auth_config(State(cloud): AppState) -> ApiResult<AuthConfig> {
    Ok(Json(cloud.identity().auth_config()?))
}

async fn discovery(State(cloud): AppState) -> ApiResult<ProviderMetadata> {
    Ok(Json(cloud.identity().metadata()?))
}

/// `GET /auth/authorize`: approves at once and sends the browser back to
/// the client with a code, or (with `--login-prompt`) shows a page whose
/// button posts the same request to [`approve`].
async fn authorize(
    State(cloud): AppState,
    QueryParams(request): QueryParams<AuthorizationRequest>,
) -> Response {
    let identity = cloud.identity();
    let outcome = identity.check_authorization(&request).and_then(|approval| {
        if identity.login_prompt() {
            Ok(prompt_page(&request, approval.redirect_uri()))
        } else {
            identity
                .approve(&approval)
                .map(|url| redirect(StatusCode::FOUND, &url))
        }
    });
    outcome.unwrap_or_else(refusal)
}

/// `POST /auth/authorize`: the prompt page's button.
async fn approve(
    State(cloud): AppState,
    form: Result<Form<AuthorizationRequest>, FormRejection>,
) -> Response {
    let Ok(Form(request)) = form else {
        return page(
            StatusCode::BAD_REQUEST,
            "Login refused",
            "The login form could not be read. Start the login again from the terminal.",
        );
    };
    let identity = cloud.identity();
    identity
        .check_authorization(&request)
        .and_then(|approval| identity.approve(&approval))
        // See Other: the browser follows with a GET.
        .map(|url| redirect(StatusCode::SEE_OTHER, &url))
        .unwrap_or_else(refusal)
}

fn refusal(err: AuthorizeError) -> Response {
    match err {
        AuthorizeError::Unredirectable(message) => page(
            StatusCode::BAD_REQUEST,
            "Login refused",
            &format!("{message}. Nothing was sent to the application."),
        ),
        AuthorizeError::Redirect(url) => redirect(StatusCode::FOUND, &url),
        AuthorizeError::Cloud(err) => ApiError::from(err).into_response(),
    }
}

fn redirect(status: StatusCode, url: &Url) -> Response {
    (
        status,
        [
            (header::LOCATION, url.as_str()),
            (header::CACHE_CONTROL, "no-store"),
        ],
    )
        .into_response()
}

/// The one-button page of `--login-prompt`. It may not be framed by
/// another site (a framed one-button page is a clickjacking target).
fn prompt_page(request: &AuthorizationRequest, redirect_uri: &Url) -> Response {
    let fields: String = request
        .pairs()
        .into_iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape_html(value)
            )
        })
        .collect();
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Log in to the local Pipecat Cloud</title></head>\n\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>Log in to the local Pipecat Cloud</h1>\n\
         <p>The command-line client asks to log in as <b>{user}</b>. The answer goes to <code>{target}</code>.</p>\n\
         <form method=\"post\" action=\"{AUTHORIZE_PATH}\">\n{fields}<button type=\"submit\">Log in</button>\n</form>\n\
         <p>If you did not start a login in a terminal, close this page.</p></body></html>\n",
        user = escape_html(LOCAL_USER_EMAIL),
        target = escape_html(redirect_uri.as_str()),
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
        ],
        body,
    )
        .into_response()
}

/// `POST /auth/token` with a form-encoded body (RFC 6749 section 3.2); a
/// body that is not one (or names a parameter twice) is `invalid_request`.
async fn token(
    State(cloud): AppState,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(request) = form.map_err(|rejection| {
        CloudError::oauth(
            "invalid_request",
            format!(
                "the body must be application/x-www-form-urlencoded: {}",
                rejection.body_text()
            ),
        )
    })?;
    let answer: TokenResponse = cloud.identity().token(&request)?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(answer),
    )
        .into_response())
}

/// `POST /auth/logout {"refresh_token"}`: revokes that login. Answers
/// success for an unknown token too (the goal, the token not working,
/// holds).
async fn logout(
    State(cloud): AppState,
    JsonBody(request): JsonBody<LogoutRequest>,
) -> ApiResult<Value> {
    cloud.identity().logout(&request.refresh_token)?;
    Ok(Json(json!({"status": "OK"})))
}
