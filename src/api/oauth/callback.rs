//! The login's callback server: a tiny HTTP server on 127.0.0.1 that waits
//! for the browser to come back from the identity provider with a code.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

use super::OAuthError;
use super::token::AuthorizationCode;
use crate::api::error::sanitize;

/// The ports the callback may listen on, first free one wins (the ones the
/// official CLI uses, so a provider's allowed redirect URIs fit both).
pub const CALLBACK_PORTS: RangeInclusive<u16> = 8400..=8404;

/// The callback's path.
pub const CALLBACK_PATH: &str = "/oauth_callback";

/// How long the server may take to finish answering the browser once the
/// login is decided.
const FINISH_TIMEOUT: Duration = Duration::from_secs(2);

/// Longest provider error text shown on the page or in the error.
const MAX_ERROR_CHARS: usize = 200;

/// A listening callback server. Bind it, put [`redirect_uri`] in the
/// authorization URL, then [`wait`] for the browser.
///
/// [`redirect_uri`]: CallbackServer::redirect_uri
/// [`wait`]: CallbackServer::wait
#[derive(Debug)]
pub struct CallbackServer {
    listener: TcpListener,
    port: u16,
}

impl CallbackServer {
    /// Listens on the first free port of [`CALLBACK_PORTS`] on 127.0.0.1.
    pub fn bind() -> Result<CallbackServer, OAuthError> {
        Self::bind_in(CALLBACK_PORTS)
    }

    /// Listens on the first free port of `ports` on 127.0.0.1.
    pub fn bind_in(ports: RangeInclusive<u16>) -> Result<CallbackServer, OAuthError> {
        let (first, last) = (*ports.start(), *ports.end());
        let mut reason = String::from("empty port range");
        for port in ports {
            match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))) {
                Ok(listener) => {
                    let port = listener.local_addr().map_or(port, |addr| addr.port());
                    return Ok(CallbackServer { listener, port });
                }
                Err(error) => reason = error.to_string(),
            }
        }
        Err(OAuthError::NoFreePort {
            first,
            last,
            reason,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:{port}/oauth_callback`: the `redirect_uri` of the
    /// authorization URL and of the code exchange.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Serves until the browser comes back, then answers it with a small
    /// page saying whether the login worked, and returns the code.
    ///
    /// Ends with [`OAuthError::StateMismatch`] when the callback's `state`
    /// is not `expected_state`, [`OAuthError::Denied`] when the provider
    /// sent `error=`, [`OAuthError::CallbackTimeout`] after `timeout`.
    /// Dropping the future (e.g. on Ctrl-C) stops waiting. In every case
    /// the port is released. Nothing is printed.
    pub async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<AuthorizationCode, OAuthError> {
        let unusable = |error: std::io::Error| OAuthError::NoFreePort {
            first: self.port,
            last: self.port,
            reason: error.to_string(),
        };
        self.listener.set_nonblocking(true).map_err(unusable)?;
        let listener = tokio::net::TcpListener::from_std(self.listener).map_err(unusable)?;
        let (outcome_tx, outcome_rx) = oneshot::channel();
        let shared = Arc::new(Shared {
            expected_state: expected_state.to_string(),
            outcome: Mutex::new(Some(outcome_tx)),
        });
        let app = Router::new()
            .route(CALLBACK_PATH, get(callback))
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
            .with_state(shared);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        });
        let mut server = std::pin::pin!(server.into_future());
        let outcome = tokio::select! {
            outcome = outcome_rx => outcome.ok(),
            _ = &mut server => None,
            _ = tokio::time::sleep(timeout) => Some(Err(OAuthError::CallbackTimeout(timeout))),
        };
        // Let the page reach the browser, then stop listening.
        let _ = stop_tx.send(());
        let _ = tokio::time::timeout(FINISH_TIMEOUT, &mut server).await;
        outcome.unwrap_or(Err(OAuthError::CallbackTimeout(timeout)))
    }
}

struct Shared {
    expected_state: String,
    /// Taken by the first callback: only one answer decides the login.
    outcome: Mutex<Option<oneshot::Sender<Result<AuthorizationCode, OAuthError>>>>,
}

async fn callback(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .fold(HashMap::new(), |mut params, (key, value)| {
                params.entry(key).or_insert(value);
                params
            });
    let Some(sender) = shared.outcome.lock().ok().and_then(|mut slot| slot.take()) else {
        return page(
            StatusCode::CONFLICT,
            "Login already finished",
            "This login has already been answered. Return to the terminal.",
        );
    };
    let outcome = decide(&params, &shared.expected_state);
    let response = match &outcome {
        Ok(_) => page(
            StatusCode::OK,
            "Logged in",
            "You are logged in to Pipecat Cloud. You can close this tab and return to the terminal.",
        ),
        Err(error) => page(
            StatusCode::BAD_REQUEST,
            "Login failed",
            &format!("{error}. Return to the terminal and try again."),
        ),
    };
    let _ = sender.send(outcome);
    response
}

/// The login's outcome from the callback's parameters: the state is
/// checked first (an answer meant for another login decides nothing
/// else), then the provider's error, then the code.
fn decide(
    params: &HashMap<String, String>,
    expected_state: &str,
) -> Result<AuthorizationCode, OAuthError> {
    let state = params.get("state").map(String::as_str).unwrap_or("");
    if !bool::from(state.as_bytes().ct_eq(expected_state.as_bytes())) {
        return Err(OAuthError::StateMismatch);
    }
    if let Some(error) = params.get("error") {
        return Err(OAuthError::Denied {
            error: short(error),
            description: params
                .get("error_description")
                .map(|description| short(description))
                .filter(|description| !description.is_empty()),
        });
    }
    match params.get("code") {
        Some(code) if !code.is_empty() => Ok(AuthorizationCode::new(code.clone())),
        _ => Err(OAuthError::MissingCode),
    }
}

/// A provider's text made safe and short for the terminal.
fn short(text: &str) -> String {
    let line = sanitize(text);
    if line.chars().count() > MAX_ERROR_CHARS {
        let cut: String = line.chars().take(MAX_ERROR_CHARS).collect();
        format!("{cut}...")
    } else {
        line
    }
}

/// A small HTML page with a title and one paragraph (also the local
/// identity provider's error page).
pub(crate) fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{title}</h1><p>{message}</p></body></html>\n",
        title = escape_html(title),
        message = escape_html(message)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_state_is_checked_before_anything_else() {
        let wrong = params(&[("state", "other"), ("code", "c")]);
        assert!(matches!(
            decide(&wrong, "s"),
            Err(OAuthError::StateMismatch)
        ));
        let missing = params(&[("code", "c")]);
        assert!(matches!(
            decide(&missing, "s"),
            Err(OAuthError::StateMismatch)
        ));
        let error_elsewhere = params(&[("state", "other"), ("error", "access_denied")]);
        assert!(matches!(
            decide(&error_elsewhere, "s"),
            Err(OAuthError::StateMismatch)
        ));
    }

    #[test]
    fn a_provider_error_is_a_denial() {
        let denied = params(&[
            ("state", "s"),
            ("error", "access_denied"),
            ("error_description", "The user said no\n\u{1b}[2J"),
        ]);
        match decide(&denied, "s") {
            Err(OAuthError::Denied { error, description }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("The user said no"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decide(&params(&[("state", "s")]), "s"),
            Err(OAuthError::MissingCode)
        ));
        assert_eq!(
            decide(&params(&[("state", "s"), ("code", "abc")]), "s")
                .unwrap()
                .secret(),
            "abc"
        );
    }

    #[test]
    fn the_page_escapes_what_the_provider_sent() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn no_free_port_is_an_error_naming_the_range() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let err = CallbackServer::bind_in(port..=port).unwrap_err();
        assert!(matches!(err, OAuthError::NoFreePort { .. }), "{err:?}");
        assert!(
            err.to_string().contains(&format!("ports {port}-{port}")),
            "{err}"
        );
    }
}
