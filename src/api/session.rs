//! The high-level session starter: the Rust twin of the official Python
//! library's `Session(agent_name, api_key, params).start()`.

use std::time::Duration;

use serde_json::Value;

use super::client::{Client, Credential, DEFAULT_API_HOST};
use super::error::ApiError;
use super::types::{StartRequest, StartResponse};
use crate::config::env;

/// Which transport the agent should use for the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Daily,
    Webrtc,
    Websocket,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Daily => "daily",
            Transport::Webrtc => "webrtc",
            Transport::Websocket => "websocket",
        }
    }
}

/// What to start the session with.
#[derive(Debug, Clone, Default)]
pub struct SessionParams {
    /// Data handed to the agent as its `body` (any JSON value).
    pub data: Option<Value>,
    /// Ask the platform to create a Daily room for the session.
    pub use_daily: bool,
    /// Daily room properties; only sent with `use_daily`.
    pub daily_room_properties: Option<Value>,
    /// Daily meeting token properties; only sent with `use_daily`.
    pub daily_meeting_token_properties: Option<Value>,
    /// Explicit transport.
    pub transport: Option<Transport>,
    /// Ask for the platform's default STUN/TURN servers (WebRTC).
    pub enable_default_ice_servers: bool,
}

impl SessionParams {
    /// The start request these parameters make.
    pub fn to_request(&self) -> StartRequest {
        StartRequest {
            create_daily_room: self.use_daily,
            daily_room_properties: self
                .daily_room_properties
                .clone()
                .filter(|_| self.use_daily),
            daily_meeting_token_properties: self
                .daily_meeting_token_properties
                .clone()
                .filter(|_| self.use_daily),
            enable_default_ice_servers: self.enable_default_ice_servers.then_some(true),
            transport: self.transport.map(|t| t.as_str().to_string()),
            body: self.data.clone(),
        }
    }
}

/// Starts one session of an agent with a public API key.
///
/// ```no_run
/// use pipecat_cloud::api::{Session, SessionParams};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let session = Session::new("my-first-agent", "pk_...").params(SessionParams {
///     data: Some(serde_json::json!({"key": "value"})),
///     ..Default::default()
/// });
/// match session.start().await {
///     Ok(started) => println!("session {}", started.session_id.unwrap_or_default()),
///     Err(e) if e.is_capacity() => eprintln!("agent at capacity, retry later"),
///     Err(e) => eprintln!("could not start: {e}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    agent_name: String,
    api_key: String,
    params: SessionParams,
    api_host: String,
    timeout: Duration,
}

impl Session {
    /// A session of `agent_name`, started with the public key `api_key`.
    /// The API host is `PIPECAT_API_HOST` when set, else Pipecat Cloud.
    pub fn new(agent_name: impl Into<String>, api_key: impl Into<String>) -> Session {
        Session {
            agent_name: agent_name.into(),
            api_key: api_key.into(),
            params: SessionParams::default(),
            api_host: std::env::var(env::API_HOST).unwrap_or_else(|_| DEFAULT_API_HOST.into()),
            timeout: Duration::from_secs(30),
        }
    }

    pub fn params(mut self, params: SessionParams) -> Session {
        self.params = params;
        self
    }

    /// Talk to another API host (e.g. a local Pipecat Cloud).
    pub fn api_host(mut self, api_host: impl Into<String>) -> Session {
        self.api_host = api_host.into();
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Session {
        self.timeout = timeout;
        self
    }

    /// Starts the session. Every failure is an error (never a silent
    /// `None`); [`ApiError::is_capacity`] tells a full pool apart.
    pub async fn start(&self) -> Result<StartResponse, ApiError> {
        if self.agent_name.trim().is_empty() {
            return Err(ApiError::usage("agent name is required"));
        }
        if self.api_key.trim().is_empty() {
            return Err(ApiError::usage("a public API key is required"));
        }
        let client = Client::new(
            &self.api_host,
            Credential::PublicKey(self.api_key.clone()),
            None,
            self.timeout,
        )?;
        let started = client
            .start_session(&self.agent_name, &self.params.to_request())
            .await?;
        Ok(started.value)
    }
}
