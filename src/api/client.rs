//! The typed async client. One [`Client`] holds one credential; which REST
//! surface an operation uses follows from that credential:
//!
//! - a public key (`pk_...`) only starts sessions (`/v1/public/{agent}/start`);
//! - a private API key uses the documented `/v1/agents/...` surface;
//! - a user token or personal access token uses the organization surface
//!   `/v1/organizations/{org}/...` that the official CLI uses.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, ErrorKind, summarize};
use super::limits;
use super::retry::{Backoff, RetryNotice, RetryObserver};
use super::token_source::TokenSource;
use super::types::{
    AgentDetails, AgentDetailsEnvelope, AgentList, AgentSpec, ApiKey, ApiKeyList,
    CreateAgentRequest, CreateApiKeyRequest, DeploymentList, LogsPage, LogsResponse,
    OrganizationList, Session, SessionList, StartRequest, StartResponse, StopResponse,
    UserResponse,
};

/// Where Pipecat Cloud's API lives.
pub const DEFAULT_API_HOST: &str = "https://api.pipecat.daily.co";

/// Sent on every request, so server logs can tell our traffic apart.
pub const USER_AGENT: &str = concat!("pipecat-cloud/", env!("CARGO_PKG_VERSION"));

/// Connecting never waits longer than this, even with a longer request
/// timeout: a host that does not accept a connection in 10 s is down.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A secret that authenticates requests. `Debug` shows a redacted prefix only.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A public API key: starts sessions, nothing else.
    PublicKey(String),
    /// A private API key: the documented `/v1/agents` management surface.
    PrivateKey(String),
    /// A user token or personal access token: the organization surface.
    /// An OAuth token that can expire is sent through a [`TokenSource`]
    /// (see [`Client::with_token_source`]).
    UserToken(String),
}

impl Credential {
    fn secret(&self) -> &str {
        match self {
            Credential::PublicKey(s) | Credential::PrivateKey(s) | Credential::UserToken(s) => s,
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Credential::PublicKey(_) => "PublicKey",
            Credential::PrivateKey(_) => "PrivateKey",
            Credential::UserToken(_) => "UserToken",
        };
        write!(f, "{kind}({})", redact(self.secret()))
    }
}

/// A secret shortened to a recognisable prefix, safe to print.
pub fn redact(secret: &str) -> String {
    // Enough to tell keys apart (and to see the `pk_`/`pcc_pat_` kind),
    // never enough to use one: at most a third of it, at most 8 chars.
    let shown = (secret.chars().count() / 3).min(8);
    let prefix: String = secret.chars().take(shown).collect();
    format!("{prefix}…")
}

/// A parsed answer together with exactly what the server sent, so
/// `--output json` can print the server's own words.
#[derive(Debug, Clone)]
pub struct Raw<T> {
    pub value: T,
    /// The answer's JSON; `Null` when the body was empty (e.g. a 204).
    pub raw: Value,
}

/// One page of logs exactly as the server sent it.
#[derive(Debug, Clone)]
pub struct LogsBody {
    bytes: Vec<u8>,
    status: u16,
    url: String,
}

impl LogsBody {
    /// The page decoded into entries that borrow from the body. An empty
    /// body is an empty page.
    pub fn page(&self) -> Result<LogsPage<'_>, ApiError> {
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(LogsPage::default());
        }
        serde_json::from_slice(&self.bytes).map_err(|e| self.malformed(&e))
    }

    /// The page as JSON, for output that shows the server's own words.
    pub fn document(&self) -> Result<Value, ApiError> {
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.bytes).map_err(|e| self.malformed(&e))
    }

    fn malformed(&self, error: &serde_json::Error) -> ApiError {
        let (status, url) = (self.status, &self.url);
        let what = if error.is_eof() {
            "JSON that was cut off".to_string()
        } else if error.is_syntax() {
            format!("something that is not JSON ({:?})", summarize(&self.bytes))
        } else {
            format!("an unexpected shape: {error}")
        };
        ApiError::transport(
            ErrorKind::Malformed,
            url,
            format!("the API at {url} answered HTTP {status} with {what}"),
        )
    }
}

/// Which sessions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Active,
    Ended,
    All,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Active => "active",
            SessionStatus::Ended => "ended",
            SessionStatus::All => "all",
        }
    }
}

/// Filters and paging of `GET .../sessions`. Times are Unix seconds.
#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub status: Option<SessionStatus>,
    pub deployment_id: Option<String>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    /// The organization surface's `endState` filter (e.g. `completed`).
    pub end_state: Option<String>,
}

/// Sort order of logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogOrder {
    Asc,
    Desc,
}

impl LogOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            LogOrder::Asc => "asc",
            LogOrder::Desc => "desc",
        }
    }
}

/// Filters and paging of `GET .../logs`. Times are Unix seconds.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub deployment_id: Option<String>,
    pub session_id: Option<String>,
    pub query: Option<String>,
    pub order: Option<LogOrder>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
}

/// How far back each page of [`Client::newest_sessions`] after the first
/// starts: as many sessions as may end between two of its requests.
const SESSION_OVERLAP: u32 = 1_000;

/// How many times an idempotent request is retried after a connection
/// failure or a 502/503/504, unless told otherwise.
pub const DEFAULT_RETRIES: u32 = 3;

/// The REST client. Cloning is cheap and shares one connection pool.
///
/// Idempotent requests (every GET, and stopping a session) are retried up to
/// [`DEFAULT_RETRIES`] times, with backoff, when the connection fails or a
/// gateway answers 502/503/504. Starting a session is never retried here: a
/// retried start could start two sessions.
///
/// A user-token client with a [`TokenSource`] asks it for the token before
/// each request, and after a 401 refreshes once and retries once (any
/// request: a 401 means the server did nothing).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credential: Credential,
    token_source: Option<Arc<dyn TokenSource>>,
    org: Option<String>,
    timeout: Duration,
    retries: u32,
    backoff: Backoff,
    observer: Option<RetryObserver>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("credential", &self.credential)
            .field("token_source", &self.token_source.is_some())
            .field("org", &self.org)
            .finish()
    }
}

/// The management surface a credential selects.
enum Surface<'a> {
    Agents,
    Organization(&'a str),
}

impl Client {
    /// A client for `base_url` (e.g. [`DEFAULT_API_HOST`]) holding one
    /// credential. `org` is needed by the organization surface only.
    pub fn new(
        base_url: &str,
        credential: Credential,
        org: Option<String>,
        timeout: Duration,
    ) -> Result<Client, ApiError> {
        let base = parse_base(base_url)?;
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
            .build()
            .map_err(|e| {
                ApiError::usage(format!("cannot set up the HTTP client: {}", root_cause(&e)))
            })?;
        Ok(Client {
            http,
            base,
            credential,
            token_source: None,
            org,
            timeout,
            retries: DEFAULT_RETRIES,
            backoff: Backoff::default(),
            observer: None,
        })
    }

    /// Retry idempotent requests at most `retries` times (0: never).
    pub fn with_retries(self, retries: u32, backoff: Backoff) -> Client {
        Client {
            retries,
            backoff,
            ..self
        }
    }

    /// Call `observer` before each retry (e.g. to show it with `-v`).
    pub fn on_retry(self, observer: RetryObserver) -> Client {
        Client {
            observer: Some(observer),
            ..self
        }
    }

    /// The same connection pool with another credential (a start needs the
    /// public key while everything else needs a management credential).
    /// A token source does not carry over to it.
    pub fn with_credential(&self, credential: Credential) -> Client {
        Client {
            credential,
            token_source: None,
            ..self.clone()
        }
    }

    /// Takes the user token to send from `source` (an OAuth login that
    /// refreshes itself) instead of the credential's fixed string. Only a
    /// [`Credential::UserToken`] client consults it; the credential still
    /// selects the surface.
    pub fn with_token_source(&self, source: Arc<dyn TokenSource>) -> Client {
        Client {
            token_source: Some(source),
            ..self.clone()
        }
    }

    /// The same client acting on another organization.
    pub fn with_org(&self, org: Option<String>) -> Client {
        Client {
            org,
            ..self.clone()
        }
    }

    /// The API base URL this client talks to (without any password).
    pub fn base_url(&self) -> String {
        shown(&self.base).trim_end_matches('/').to_string()
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    pub fn org(&self) -> Option<&str> {
        self.org.as_deref()
    }

    // ---- sessions -------------------------------------------------------

    /// Starts a session of `agent` (`POST /v1/public/{agent}/start`). Needs a
    /// public key. A full pool answers 429: see [`ApiError::is_capacity`].
    pub async fn start_session(
        &self,
        agent: &str,
        request: &StartRequest,
    ) -> Result<Raw<StartResponse>, ApiError> {
        if !matches!(self.credential, Credential::PublicKey(_)) {
            return Err(ApiError::usage(
                "starting a session needs a public API key (pk_...)",
            ));
        }
        let url = self.url(&["v1", "public", agent, "start"]);
        self.send_once(Method::POST, url, Some(request)).await
    }

    /// Lists sessions of `agent`, newest first.
    pub async fn list_sessions(
        &self,
        agent: &str,
        query: &SessionQuery,
    ) -> Result<Raw<SessionList>, ApiError> {
        let mut url = self.agent_url(agent, &["sessions"])?;
        {
            let mut pairs = url.query_pairs_mut();
            push(&mut pairs, "limit", query.limit);
            push(&mut pairs, "offset", query.offset);
            push(
                &mut pairs,
                "status",
                query.status.map(SessionStatus::as_str),
            );
            push(&mut pairs, "deploymentId", query.deployment_id.as_deref());
            push(&mut pairs, "startTime", query.start_time);
            push(&mut pairs, "endTime", query.end_time);
            push(&mut pairs, "endState", query.end_state.as_deref());
        }
        clear_empty_query(&mut url);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Up to `count` sessions of `agent`, newest first, in pages of at most
    /// what the API gives at once (`query`'s own limit and offset are not
    /// used). The list moves while it is read (new sessions push it down;
    /// with `status=active`, sessions that end pull it up), so each page
    /// after the first is asked for from [`SESSION_OVERLAP`] sessions
    /// before where the last one ended, and sessions already read are left
    /// out. `raw` is the first page's answer with every session read.
    pub async fn newest_sessions(
        &self,
        agent: &str,
        query: &SessionQuery,
        count: u32,
    ) -> Result<Raw<SessionList>, ApiError> {
        let page_query = |offset: u32, limit: u32| SessionQuery {
            limit: Some(limit),
            offset: (offset > 0).then_some(offset),
            ..query.clone()
        };
        let first = self
            .list_sessions(agent, &page_query(0, count.min(limits::MAX_PAGE)))
            .await?;
        if count <= limits::MAX_PAGE {
            return Ok(first);
        }
        let Raw { mut value, mut raw } = first;
        let mut read = value.sessions.len() as u32;
        let mut seen: HashSet<String> = value
            .sessions
            .iter()
            .map(|s| s.session_id.clone())
            .collect();
        let mut raw_sessions = match raw.get_mut("sessions").map(Value::take) {
            Some(Value::Array(sessions)) => sessions,
            _ => Vec::new(),
        };
        while read >= limits::MAX_PAGE && (value.sessions.len() as u32) < count {
            let from = read.saturating_sub(SESSION_OVERLAP);
            let page = self
                .list_sessions(agent, &page_query(from, limits::MAX_PAGE))
                .await?;
            let answered = page.value.sessions.len() as u32;
            let page_raw = match page.raw.get("sessions") {
                Some(Value::Array(sessions)) => sessions.clone(),
                _ => Vec::new(),
            };
            let mut raws = page_raw.into_iter();
            for session in page.value.sessions {
                let session_raw = raws.next();
                if (value.sessions.len() as u32) < count && seen.insert(session.session_id.clone())
                {
                    raw_sessions.extend(session_raw);
                    value.sessions.push(session);
                }
            }
            read = if answered < limits::MAX_PAGE {
                0
            } else {
                from + answered
            };
        }
        if let Some(sessions) = raw.get_mut("sessions") {
            *sessions = Value::Array(raw_sessions);
        }
        Ok(Raw { value, raw })
    }

    /// One session in full.
    pub async fn get_session(
        &self,
        agent: &str,
        session_id: &str,
    ) -> Result<Raw<Session>, ApiError> {
        let url = self.agent_url(agent, &["sessions", session_id])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Stops a running session. An unknown or already ended session is
    /// [`ErrorKind::NotFound`].
    pub async fn stop_session(
        &self,
        agent: &str,
        session_id: &str,
    ) -> Result<Raw<StopResponse>, ApiError> {
        let url = self.agent_url(agent, &["sessions", session_id])?;
        self.send(Method::DELETE, url, None::<&()>).await
    }

    /// Logs of `agent`, filtered and paged as `query` says.
    pub async fn logs(&self, agent: &str, query: &LogQuery) -> Result<Raw<LogsResponse>, ApiError> {
        self.send(Method::GET, self.logs_url(agent, query)?, None::<&()>)
            .await
    }

    /// One page of logs as the server sent it, undecoded: readers of many
    /// pages decode each straight into borrowed entries
    /// ([`LogsBody::page`]) and keep the JSON only when they need it.
    pub async fn logs_body(&self, agent: &str, query: &LogQuery) -> Result<LogsBody, ApiError> {
        let url = self.logs_url(agent, query)?;
        let (bytes, status, url) = self.send_for_bytes(Method::GET, url, None::<&()>).await?;
        Ok(LogsBody { bytes, status, url })
    }

    fn logs_url(&self, agent: &str, query: &LogQuery) -> Result<Url, ApiError> {
        let mut url = self.agent_url(agent, &["logs"])?;
        {
            let mut pairs = url.query_pairs_mut();
            push(&mut pairs, "limit", query.limit);
            push(&mut pairs, "offset", query.offset);
            push(&mut pairs, "deploymentId", query.deployment_id.as_deref());
            push(&mut pairs, "sessionId", query.session_id.as_deref());
            push(&mut pairs, "query", query.query.as_deref());
            push(&mut pairs, "order", query.order.map(LogOrder::as_str));
            push(&mut pairs, "startTime", query.start_time);
            push(&mut pairs, "endTime", query.end_time);
        }
        clear_empty_query(&mut url);
        Ok(url)
    }

    // ---- agents ---------------------------------------------------------

    /// An agent's details and status. On the organization surface the
    /// answer is wrapped as `{"body": ...}`; `value` is the inner object and
    /// `raw` what the server sent.
    pub async fn get_agent(&self, agent: &str) -> Result<Raw<AgentDetails>, ApiError> {
        let url = self.agent_url(agent, &[])?;
        match self.management()? {
            Surface::Agents => self.send(Method::GET, url, None::<&()>).await,
            Surface::Organization(_) => {
                let Raw { value, raw } = self
                    .send::<AgentDetailsEnvelope>(Method::GET, url, None::<&()>)
                    .await?;
                Ok(Raw {
                    value: value.body,
                    raw,
                })
            }
        }
    }

    /// Every agent of the organization.
    pub async fn list_agents(&self) -> Result<Raw<AgentList>, ApiError> {
        let url = match self.management()? {
            Surface::Agents => self.url(&["v1", "agents"]),
            Surface::Organization(org) => self.url(&["v1", "organizations", org, "services"]),
        };
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Creates an agent (`POST /v1/agents`, or `POST .../services` on the
    /// organization surface). The answer is the raw server JSON: its shape
    /// differs between surfaces.
    pub async fn create_agent(&self, request: &CreateAgentRequest) -> Result<Raw<Value>, ApiError> {
        let url = match self.management()? {
            Surface::Agents => self.url(&["v1", "agents"]),
            Surface::Organization(org) => self.url(&["v1", "organizations", org, "services"]),
        };
        self.send_once(Method::POST, url, Some(request)).await
    }

    /// Updates an agent with only the fields `spec` sets (`POST
    /// /v1/agents/{name}`, or `PUT .../services` with `serviceName` in the
    /// body on the organization surface).
    pub async fn update_agent(
        &self,
        agent: &str,
        spec: &AgentSpec,
    ) -> Result<Raw<Value>, ApiError> {
        match self.management()? {
            Surface::Agents => {
                let url = self.url(&["v1", "agents", agent]);
                self.send_once(Method::POST, url, Some(spec)).await
            }
            Surface::Organization(org) => {
                let url = self.url(&["v1", "organizations", org, "services"]);
                let request = CreateAgentRequest {
                    service_name: agent.to_string(),
                    spec: spec.clone(),
                };
                self.send_once(Method::PUT, url, Some(&request)).await
            }
        }
    }

    /// Deletes an agent. Running sessions keep running.
    pub async fn delete_agent(&self, agent: &str) -> Result<Raw<Value>, ApiError> {
        let url = self.agent_url(agent, &[])?;
        self.send_once(Method::DELETE, url, None::<&()>).await
    }

    /// The agent's deployments, newest first.
    pub async fn list_deployments(&self, agent: &str) -> Result<Raw<DeploymentList>, ApiError> {
        let url = self.agent_url(agent, &["deployments"])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    // ---- organizations, user, keys ----------------------------------------

    /// The organizations the credential belongs to.
    pub async fn list_organizations(&self) -> Result<Raw<OrganizationList>, ApiError> {
        self.require_management_credential()?;
        let url = self.url(&["v1", "organizations"]);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Who the credential belongs to (`GET /v1/users`).
    pub async fn whoami(&self) -> Result<Raw<UserResponse>, ApiError> {
        self.require_management_credential()?;
        let url = self.url(&["v1", "users"]);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// The organization's public API keys, revoked ones included.
    pub async fn list_api_keys(&self) -> Result<Raw<ApiKeyList>, ApiError> {
        let url = self.org_url(&["apiKeys"])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Creates a public API key named `name`; the answer holds the key.
    pub async fn create_api_key(&self, name: &str) -> Result<Raw<ApiKey>, ApiError> {
        let url = self.org_url(&["apiKeys"])?;
        let request = CreateApiKeyRequest {
            name: name.to_string(),
            key_type: "public".to_string(),
        };
        self.send_once(Method::POST, url, Some(&request)).await
    }

    /// Revokes the public API key with this id; it stops working at once.
    pub async fn revoke_api_key(&self, id: &str) -> Result<Raw<Value>, ApiError> {
        let url = self.org_url(&["apiKeys", id])?;
        self.send_once(Method::DELETE, url, None::<&()>).await
    }

    // ---- plumbing ---------------------------------------------------------

    /// Refuses a public key, which only starts sessions, before anything
    /// is sent.
    fn require_management_credential(&self) -> Result<(), ApiError> {
        match &self.credential {
            Credential::PublicKey(_) => Err(public_key_cannot_manage()),
            Credential::PrivateKey(_) | Credential::UserToken(_) => Ok(()),
        }
    }

    fn management(&self) -> Result<Surface<'_>, ApiError> {
        match &self.credential {
            Credential::PublicKey(_) => Err(public_key_cannot_manage()),
            Credential::PrivateKey(_) => Ok(Surface::Agents),
            Credential::UserToken(_) => match self.org.as_deref() {
                Some(org) => Ok(Surface::Organization(org)),
                None => Err(ApiError::usage("no organization selected for a user token")),
            },
        }
    }

    /// URL of an agent resource on the surface the credential selects.
    fn agent_url(&self, agent: &str, rest: &[&str]) -> Result<Url, ApiError> {
        let mut segments: Vec<&str> = match self.management()? {
            Surface::Agents => vec!["v1", "agents", agent],
            Surface::Organization(org) => vec!["v1", "organizations", org, "services", agent],
        };
        segments.extend_from_slice(rest);
        Ok(self.url(&segments))
    }

    /// URL of an organization resource (`/v1/organizations/{org}/...`).
    fn org_url(&self, rest: &[&str]) -> Result<Url, ApiError> {
        self.management()?;
        let org = self.org.as_deref().ok_or_else(|| {
            ApiError::usage("no organization selected: pass --org or set PIPECAT_ORG")
        })?;
        let mut segments = vec!["v1", "organizations", org];
        segments.extend_from_slice(rest);
        Ok(self.url(&segments))
    }

    /// Appends path segments, percent-encoding each, so a name from the
    /// command line can never change the path's shape.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends an idempotent request, retrying transient failures, and
    /// decodes the answer.
    async fn send<T: DeserializeOwned + Default>(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<Raw<T>, ApiError> {
        let (bytes, status, shown) = self.send_for_bytes(method, url, body).await?;
        decode(&bytes, status, &shown)
    }

    /// Sends an idempotent request, retrying transient failures; the body
    /// of a successful answer, its status and the URL as it may be shown.
    async fn send_for_bytes(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<(Vec<u8>, u16, String), ApiError> {
        let mut attempt = 0;
        loop {
            match self.exchange(method.clone(), url.clone(), body).await {
                Err(error) if attempt < self.retries && is_transient(&error) => {
                    attempt += 1;
                    let delay = self.backoff.delay(attempt, error.retry_after);
                    if let Some(observer) = &self.observer {
                        observer(&RetryNotice {
                            attempt,
                            max_attempts: self.retries,
                            delay,
                            reason: error.to_string(),
                        });
                    }
                    tokio::time::sleep(delay).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// Sends a request once and decodes the answer.
    async fn send_once<T: DeserializeOwned + Default>(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<Raw<T>, ApiError> {
        let (bytes, status, shown) = self.exchange(method, url, body).await?;
        decode(&bytes, status, &shown)
    }

    /// Sends a request once; with a token source, a 401 gets one refresh
    /// and one retry.
    async fn exchange(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<(Vec<u8>, u16, String), ApiError> {
        let source = match (&self.credential, &self.token_source) {
            (Credential::UserToken(_), Some(source)) => source,
            _ => {
                let secret = self.credential.secret();
                return self.send_with(method, url, body, secret).await;
            }
        };
        let token = source.token().await?;
        match self
            .send_with(method.clone(), url.clone(), body, &token)
            .await
        {
            Err(error) if error.status == Some(401) => {
                match source.after_unauthorized(&token).await? {
                    Some(fresh) => self.send_with(method, url, body, &fresh).await,
                    None => Err(error),
                }
            }
            outcome => outcome,
        }
    }

    /// Sends a request once with `bearer` as its token; the body of a
    /// successful answer, its status and the URL as it may be shown.
    async fn send_with(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
        bearer: &str,
    ) -> Result<(Vec<u8>, u16, String), ApiError> {
        let shown = shown(&url);
        let mut request = self.http.request(method, url).bearer_auth(bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&e, &shown))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let bytes = response.bytes().await.map_err(|e| {
            if e.is_timeout() {
                self.transport_error(&e, &shown)
            } else {
                ApiError::transport(
                    ErrorKind::Malformed,
                    &shown,
                    format!(
                        "the answer from {shown} was cut off (HTTP {}): {}",
                        status.as_u16(),
                        root_cause(&e)
                    ),
                )
            }
        })?;
        if !status.is_success() {
            return Err(ApiError::from_status(
                status.as_u16(),
                status.canonical_reason().unwrap_or("error"),
                &bytes,
                retry_after,
                &shown,
            ));
        }
        Ok((Vec::from(bytes), status.as_u16(), shown))
    }

    fn transport_error(&self, error: &reqwest::Error, url: &str) -> ApiError {
        let base = self.base_url();
        if error.is_builder() {
            // Nothing was sent: a credential or host with characters HTTP
            // cannot carry (a pasted newline, say).
            return ApiError::usage(format!(
                "cannot build the request to {base}: {}; check the key or token and the API host for stray characters",
                root_cause(error)
            ));
        }
        if error.is_connect() {
            ApiError::transport(
                ErrorKind::Connect,
                url,
                format!("cannot reach the API at {base}: {}", root_cause(error)),
            )
        } else if error.is_timeout() {
            ApiError::transport(
                ErrorKind::Timeout,
                url,
                format!(
                    "the API at {base} did not answer within {:.0?}",
                    self.timeout
                ),
            )
        } else {
            ApiError::transport(
                ErrorKind::Connect,
                url,
                format!("cannot reach the API at {base}: {}", root_cause(error)),
            )
        }
    }
}

fn public_key_cannot_manage() -> ApiError {
    ApiError {
        kind: ErrorKind::Auth,
        ..ApiError::usage(
            "a public API key can only start sessions; this needs a private API key or a user token",
        )
    }
}

/// A URL as it may be printed: a password in it (`https://user:pw@host`)
/// is dropped.
fn shown(url: &Url) -> String {
    let mut url = url.clone();
    let _ = url.set_password(None);
    url.to_string()
}

/// Worth trying again unchanged: the connection failed, or a gateway in
/// front of the API could not reach it.
fn is_transient(error: &ApiError) -> bool {
    error.kind == ErrorKind::Connect || matches!(error.status, Some(502..=504))
}

fn parse_base(base_url: &str) -> Result<Url, ApiError> {
    let url = Url::parse(base_url.trim()).map_err(|e| {
        ApiError::usage(format!(
            "invalid API host {base_url:?}: {e}; expected e.g. {DEFAULT_API_HOST}"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(ApiError::usage(format!(
            "invalid API host {base_url:?}: expected an http(s) URL such as {DEFAULT_API_HOST}"
        )));
    }
    Ok(url)
}

fn push<V: ToString>(
    pairs: &mut url::form_urlencoded::Serializer<'_, url::UrlQuery<'_>>,
    key: &str,
    value: Option<V>,
) {
    if let Some(value) = value {
        pairs.append_pair(key, &value.to_string());
    }
}

/// `query_pairs_mut` leaves a bare `?` behind when nothing was appended.
fn clear_empty_query(url: &mut Url) {
    if url.query() == Some("") {
        url.set_query(None);
    }
}

/// Parses a success body. An empty body (204) is the type's default; a body
/// that is not JSON, is cut short, or has another shape is `Malformed` and
/// says what came back.
fn decode<T: DeserializeOwned + Default>(
    bytes: &[u8],
    status: u16,
    url: &str,
) -> Result<Raw<T>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Raw {
            value: T::default(),
            raw: Value::Null,
        });
    }
    let raw: Value = serde_json::from_slice(bytes).map_err(|e| {
        let what = if e.is_eof() {
            "JSON that was cut off".to_string()
        } else {
            format!("something that is not JSON ({:?})", summarize(bytes))
        };
        ApiError::transport(
            ErrorKind::Malformed,
            url,
            format!("the API at {url} answered HTTP {status} with {what}"),
        )
    })?;
    let value = <T as serde::Deserialize>::deserialize(&raw).map_err(|e| {
        ApiError::transport(
            ErrorKind::Malformed,
            url,
            format!("the API at {url} answered HTTP {status} with an unexpected shape: {e}"),
        )
    })?;
    Ok(Raw { value, raw })
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(text).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The innermost cause of an error: "connection refused" rather than
/// "error sending request for url (...)".
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(credential: Credential, org: Option<&str>) -> Client {
        Client::new(
            "http://127.0.0.1:9/base/",
            credential,
            org.map(String::from),
            Duration::from_secs(1),
        )
        .unwrap()
    }

    #[test]
    fn the_credential_selects_the_surface() {
        let private = client(Credential::PrivateKey("sk_x".into()), None);
        assert_eq!(
            private.agent_url("bot", &["sessions"]).unwrap().as_str(),
            "http://127.0.0.1:9/base/v1/agents/bot/sessions"
        );
        let token = client(Credential::UserToken("pcc_pat_x".into()), Some("acme"));
        assert_eq!(
            token.agent_url("bot", &["logs"]).unwrap().as_str(),
            "http://127.0.0.1:9/base/v1/organizations/acme/services/bot/logs"
        );
        let public = client(Credential::PublicKey("pk_x".into()), None);
        assert_eq!(
            public.agent_url("bot", &[]).unwrap_err().kind,
            ErrorKind::Auth
        );
    }

    #[test]
    fn names_cannot_change_the_path() {
        let private = client(Credential::PrivateKey("sk_x".into()), None);
        let url = private.agent_url("../x?y#z", &["sessions"]).unwrap();
        assert_eq!(url.path(), "/base/v1/agents/..%2Fx%3Fy%23z/sessions");
        assert_eq!(url.query(), None);
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let c = Credential::PrivateKey("sk_0123456789abcdef0123456789".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.starts_with("PrivateKey(sk_"), "{shown}");
    }

    #[test]
    fn decodes_empty_and_rejects_html() {
        let empty: Raw<StopResponse> = decode(b"", 204, "u").unwrap();
        assert_eq!(empty.raw, Value::Null);
        let html = decode::<StopResponse>(b"<html>oops</html>", 200, "u").unwrap_err();
        assert_eq!(html.kind, ErrorKind::Malformed);
        assert!(html.message.contains("not JSON"), "{}", html.message);
        let cut = decode::<StopResponse>(br#"{"status": "termin"#, 200, "u").unwrap_err();
        assert!(cut.message.contains("cut off"), "{}", cut.message);
    }
}
