//! The agent container contract, from the runtime's side: how the local
//! cloud drives an agent host (ours, written into built images, or any
//! program that serves the official base image's contract) over loopback.
//!
//! A session through the contract:
//! 1. [`free_loopback_port`], then start the host with `PORT` set to it;
//! 2. [`AgentClient::wait_ready`] polls `GET /readyz` until 200, failing
//!    when the process exits first or the limit passes;
//! 3. [`AgentClient::run_session`] sends `POST /bot` (the body as JSON, the
//!    session id, the budget and room headers) and returns when the host
//!    answers, which it does only once the session is over.
//!
//! The answer's JSON `status` tells how (`completed`, `failed` with
//! `error`, `budget_exhausted`, `terminated`); an answer without one (the
//! official image answers `{}`) is a completed session, and any other
//! 5xx a failed one.

use std::future::Future;
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::time::Instant;

/// How often `/readyz` is asked while a host starts: every 10 ms while
/// nothing listens yet, during the first [`QUICK_POLLS_FOR`] (a small bot
/// listens within a tenth of a second, and a refused loopback connection
/// costs next to nothing), else every 100 ms (an answer that is not ready
/// runs the bot's own `readyz()`).
const QUICK_READY_POLL: Duration = Duration::from_millis(10);
const QUICK_POLLS_FOR: Duration = Duration::from_secs(2);
pub const READY_POLL: Duration = Duration::from_millis(100);
/// The longest one `/readyz` poll may take.
const POLL_TIMEOUT: Duration = Duration::from_secs(2);
/// A reasonable start limit: importing a Pipecat bot can take many seconds.
pub const DEFAULT_READY_LIMIT: Duration = Duration::from_secs(60);
/// The most of an answer's body that is read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A port on 127.0.0.1 that was free a moment ago. Another process may
/// take it before the host binds it; the host then exits, and the caller
/// may try again with a new port.
pub fn free_loopback_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// One session to run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionCall {
    /// `X-Daily-Session-Id`.
    pub session_id: String,
    /// The start request's `body` (`{}` when it had none, as the official
    /// image expects an object).
    pub body: Value,
    /// `X-Pcc-Max-Session-Seconds`: the host cancels `bot()` after it.
    pub max_session_seconds: Option<u32>,
    /// `X-Daily-Room-Url` and `X-Daily-Room-Token`.
    pub daily_room: Option<DailyRoom>,
    /// `X-Daily-Transport-Type`.
    pub transport_type: Option<String>,
    /// When set, the body goes as the envelope `{"body", "flow_config"}`
    /// with `X-Pcc-Start-Envelope: 1`.
    pub flow_config: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct DailyRoom {
    pub url: String,
    /// A secret: never shown.
    pub token: String,
}

impl std::fmt::Debug for DailyRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DailyRoom")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// How a session that ran ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOutcome {
    /// `bot()` returned.
    Completed,
    /// The host cancelled `bot()` at the session's budget.
    BudgetExhausted,
    /// The host was stopped while the session ran.
    Terminated,
    /// `bot()` raised (its traceback is in the host's output).
    Failed { message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("the agent was not ready within {} s ({last})", .waited.as_secs_f32())]
    NotReady { waited: Duration, last: String },
    #[error("the agent process exited before it was ready")]
    ExitedBeforeReady,
    #[error("the agent refused the session: HTTP {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the agent's session did not end within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("the session request failed: {0}")]
    Transport(String),
}

/// Talks to one agent host.
#[derive(Debug, Clone)]
pub struct AgentClient {
    base: String,
    http: reqwest::Client,
}

impl AgentClient {
    pub fn new(port: u16) -> Self {
        let http = reqwest::Client::builder()
            // Loopback only: never through a proxy from the environment.
            .no_proxy()
            .connect_timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(0)
            .build()
            .expect("a client without TLS settings always builds");
        AgentClient {
            base: format!("http://127.0.0.1:{port}"),
            http,
        }
    }

    /// Whether `GET /livez` answers 200.
    #[cfg(test)]
    pub async fn live(&self) -> bool {
        let request = self.http.get(format!("{}/livez", self.base));
        matches!(
            tokio::time::timeout(Duration::from_secs(2), request.send()).await,
            Ok(Ok(response)) if response.status().is_success()
        )
    }

    /// Poll `GET /readyz` until it answers 200. Fails when `exited`
    /// resolves first (pass the process's `wait()`), or after `limit`,
    /// saying what the last poll saw.
    pub async fn wait_ready<F: Future>(
        &self,
        limit: Duration,
        exited: F,
    ) -> Result<(), ContractError> {
        tokio::pin!(exited);
        let started = Instant::now();
        let deadline = started + limit;
        let mut last = String::from("/readyz did not answer in time");
        loop {
            let mut refused = false;
            let left = deadline.saturating_duration_since(Instant::now());
            let full = left >= POLL_TIMEOUT;
            let poll = tokio::time::timeout(
                left.min(POLL_TIMEOUT),
                self.http.get(format!("{}/readyz", self.base)).send(),
            );
            tokio::select! {
                _ = &mut exited => return Err(ContractError::ExitedBeforeReady),
                answer = poll => match answer {
                    Ok(Ok(response)) if response.status().is_success() => return Ok(()),
                    Ok(Ok(response)) => {
                        let status = response.status().as_u16();
                        let text = read_bounded(response).await.unwrap_or_default();
                        last = format!("/readyz answered {status} {}", text.trim());
                    }
                    Ok(Err(err)) if err.is_connect() => {
                        refused = true;
                        last = "nothing listens on its port yet".into();
                    }
                    Ok(Err(err)) => last = format!("/readyz failed: {err}"),
                    // A poll cut short by the deadline says nothing new.
                    Err(_) if full => last = "/readyz did not answer in time".into(),
                    Err(_) => {}
                },
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let pause = if refused && started.elapsed() < QUICK_POLLS_FOR {
                QUICK_READY_POLL
            } else {
                READY_POLL
            };
            if left.is_zero() {
                return Err(ContractError::NotReady {
                    waited: limit,
                    last,
                });
            }
            tokio::select! {
                _ = &mut exited => return Err(ContractError::ExitedBeforeReady),
                _ = tokio::time::sleep(pause.min(left)) => {}
            }
        }
    }

    /// Run one session: `POST /bot`, answered when the session is over.
    /// `limit` bounds the wait (the runtime's own cap, plus a grace).
    pub async fn run_session(
        &self,
        call: &SessionCall,
        limit: Option<Duration>,
    ) -> Result<SessionOutcome, ContractError> {
        let body = match &call.flow_config {
            Some(flow) => json!({"body": call.body, "flow_config": flow}),
            None => call.body.clone(),
        };
        let request = self
            .http
            .post(format!("{}/bot", self.base))
            .headers(headers(call)?)
            .json(&body);
        let exchange = async {
            let response = request
                .send()
                .await
                .map_err(|err| ContractError::Transport(transport_message(&err)))?;
            let status = response.status().as_u16();
            let text = read_bounded(response)
                .await
                .map_err(|err| ContractError::Transport(transport_message(&err)))?;
            Ok::<_, ContractError>((status, text))
        };
        let (status, text) = match limit {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .map_err(|_| ContractError::Timeout(limit))??,
            None => exchange.await?,
        };
        outcome(status, &text)
    }
}

fn headers(call: &SessionCall) -> Result<HeaderMap, ContractError> {
    let mut headers = HeaderMap::new();
    let mut add = |name: &'static str, value: &str, secret: bool| {
        let mut value = HeaderValue::from_str(value).map_err(|_| ContractError::Refused {
            status: 0,
            message: format!("{name} is not a valid header value"),
        })?;
        value.set_sensitive(secret);
        headers.insert(HeaderName::from_static(name), value);
        Ok::<_, ContractError>(())
    };
    add("x-daily-session-id", &call.session_id, false)?;
    if let Some(seconds) = call.max_session_seconds {
        add("x-pcc-max-session-seconds", &seconds.to_string(), false)?;
    }
    if let Some(room) = &call.daily_room {
        add("x-daily-room-url", &room.url, false)?;
        add("x-daily-room-token", &room.token, true)?;
    }
    if let Some(transport) = &call.transport_type {
        add("x-daily-transport-type", transport, false)?;
    }
    if call.flow_config.is_some() {
        add("x-pcc-start-envelope", "1", false)?;
    }
    Ok(headers)
}

fn outcome(status: u16, text: &str) -> Result<SessionOutcome, ContractError> {
    let answer: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let field = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_string);
    let failed = || SessionOutcome::Failed {
        message: field("error").unwrap_or_else(|| format!("HTTP {status}: {}", text.trim())),
    };
    match status {
        200..=299 => Ok(match field("status").as_deref() {
            Some("failed") => failed(),
            Some("budget_exhausted") => SessionOutcome::BudgetExhausted,
            Some("terminated") => SessionOutcome::Terminated,
            _ => SessionOutcome::Completed,
        }),
        500..=599 => Ok(failed()),
        _ => Err(ContractError::Refused {
            status,
            message: field("error")
                .or_else(|| field("detail"))
                .unwrap_or_else(|| text.trim().to_string()),
        }),
    }
}

fn transport_message(err: &reqwest::Error) -> String {
    if err.is_connect() {
        "the agent host is not listening".into()
    } else if err.is_request() || err.is_body() {
        "the agent host closed the connection before the session ended".into()
    } else {
        err.to_string()
    }
}

async fn read_bounded(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_ANSWER_BYTES - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_ANSWER_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(200, "{}").unwrap(), SessionOutcome::Completed);
        assert_eq!(outcome(200, "").unwrap(), SessionOutcome::Completed);
        assert_eq!(
            outcome(200, r#"{"status":"completed"}"#).unwrap(),
            SessionOutcome::Completed
        );
        assert_eq!(
            outcome(200, r#"{"status":"budget_exhausted"}"#).unwrap(),
            SessionOutcome::BudgetExhausted
        );
        assert_eq!(
            outcome(200, r#"{"status":"terminated"}"#).unwrap(),
            SessionOutcome::Terminated
        );
        assert_eq!(
            outcome(500, r#"{"status":"failed","error":"ValueError: boom"}"#).unwrap(),
            SessionOutcome::Failed {
                message: "ValueError: boom".into()
            }
        );
        assert_eq!(
            outcome(502, "bad gateway").unwrap(),
            SessionOutcome::Failed {
                message: "HTTP 502: bad gateway".into()
            }
        );
        let err = outcome(422, r#"{"detail":"body must be an object"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the agent refused the session: HTTP 422: body must be an object"
        );
    }

    #[test]
    fn headers_carry_the_session_and_hide_the_token() {
        let call = SessionCall {
            session_id: "s-1".into(),
            body: json!({}),
            max_session_seconds: Some(90),
            daily_room: Some(DailyRoom {
                url: "https://x.daily.co/r".into(),
                token: "secret-token".into(),
            }),
            transport_type: Some("webrtc".into()),
            flow_config: Some("nodes: {}".into()),
        };
        let headers = headers(&call).unwrap();
        assert_eq!(headers["x-daily-session-id"], "s-1");
        assert_eq!(headers["x-pcc-max-session-seconds"], "90");
        assert_eq!(headers["x-pcc-start-envelope"], "1");
        assert!(headers["x-daily-room-token"].is_sensitive());
        assert!(!format!("{call:?}").contains("secret-token"));
        let bad = SessionCall {
            session_id: "a\nb".into(),
            ..SessionCall::default()
        };
        assert!(super::headers(&bad).is_err());
    }

    #[tokio::test]
    async fn nothing_listening_is_not_ready_within_the_limit() {
        let port = free_loopback_port().unwrap();
        let client = AgentClient::new(port);
        let err = client
            .wait_ready(Duration::from_millis(300), std::future::pending::<()>())
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the agent was not ready within 0.3 s (nothing listens on its port yet)"
        );
        let err = client
            .wait_ready(Duration::from_secs(30), async {})
            .await
            .unwrap_err();
        assert!(matches!(err, ContractError::ExitedBeforeReady));
        assert!(!client.live().await);
    }
}
