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

use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::body::{BodyError, read_capped};
use super::error::{ApiError, ErrorKind, summarize};
use super::limits;
use super::names;
use super::retry::{Backoff, RetryNotice, RetryObserver};
use super::token_source::TokenSource;
use super::trace::{RequestNotice, RequestObserver, shown_headers, shown_target};
use super::types::{
    AgentDetails, AgentDetailsEnvelope, AgentList, AgentSpec, ApiKey, ApiKeyList, Build,
    BuildStatus, CreateAgentRequest, CreateApiKeyRequest, CreateBuildRequest, CreateBuildResponse,
    DailyApiKey, DeploymentList, GetBuildLogsResponse, ListBuildsResponse, LogsPage, LogsResponse,
    OrganizationList, Properties, PropertySchemas, RegionList, SecretPair, SecretSet,
    SecretSetList, SecretSetRequest, SecretSetStored, SecretValue, Session, SessionList,
    StartRequest, StartResponse, StopResponse, UploadUrlRequest, UploadUrlResponse, UserResponse,
};

/// Where Pipecat Cloud's API lives.
pub const DEFAULT_API_HOST: &str = "https://api.pipecat.daily.co";

/// Sent on every request, so server logs can tell our traffic apart.
pub const USER_AGENT: &str = concat!("pipecat-cloud/", env!("CARGO_PKG_VERSION"));

/// Connecting never waits longer than this, even with a longer request
/// timeout: a host that does not accept a connection in 10 s is down.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read, in bytes: far above any real one (a page of
/// 10,000 log lines is a few MB), small enough that a broken or hostile
/// server cannot make the client grow without bound.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// How many redirects a GET follows, all on the API's own origin.
const MAX_REDIRECTS: usize = 5;

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

/// One page of logs exactly as the server sent it (never empty: the send
/// path refuses an empty answer to a GET).
#[derive(Debug, Clone)]
pub struct LogsBody {
    bytes: Vec<u8>,
    status: u16,
    url: String,
}

impl LogsBody {
    /// The page decoded into entries that borrow from the body.
    pub fn page(&self) -> Result<LogsPage<'_>, ApiError> {
        serde_json::from_slice(&self.bytes).map_err(|e| self.malformed(&e))
    }

    /// The page as JSON, for output that shows the server's own words.
    pub fn document(&self) -> Result<Value, ApiError> {
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

/// Filters and paging of `GET .../builds`.
#[derive(Debug, Clone, Default)]
pub struct BuildQuery {
    pub context_hash: Option<String>,
    pub status: Option<BuildStatus>,
    pub region: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// The file name a build context is uploaded as.
pub const CONTEXT_FILE_NAME: &str = "context.tar.gz";
/// The content type of an uploaded build context.
pub const CONTEXT_CONTENT_TYPE: &str = "application/gzip";

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
    /// For GETs: follows redirects on the API's origin only.
    http: reqwest::Client,
    /// For every other method: follows no redirect (a 301, 302 or 303
    /// would turn a POST or a DELETE into a GET).
    http_no_redirects: reqwest::Client,
    base: Url,
    credential: Credential,
    token_source: Option<Arc<dyn TokenSource>>,
    org: Option<String>,
    timeout: Duration,
    retries: u32,
    backoff: Backoff,
    observer: Option<RetryObserver>,
    request_observer: Option<RequestObserver>,
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
        let build = |redirects: Policy| {
            reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .timeout(timeout)
                .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
                .redirect(redirects)
                .build()
                .map_err(|e| {
                    ApiError::usage(format!("cannot set up the HTTP client: {}", root_cause(&e)))
                })
        };
        Ok(Client {
            http: build(same_origin_redirects())?,
            http_no_redirects: build(Policy::none())?,
            base,
            credential,
            token_source: None,
            org,
            timeout,
            retries: DEFAULT_RETRIES,
            backoff: Backoff::default(),
            observer: None,
            request_observer: None,
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

    /// Call `observer` after each request, with what was asked and how it
    /// went (e.g. to show it with `-v`); it never sees a credential.
    pub fn on_request(self, observer: RequestObserver) -> Client {
        Client {
            request_observer: Some(observer),
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
        names::check_agent_name(agent).map_err(invalid)?;
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
    /// after the first is asked for from `SESSION_OVERLAP` sessions
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
        let session_id = names::session_id(session_id).map_err(invalid)?;
        let url = self.agent_url(agent, &["sessions", &session_id])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Stops a running session. An unknown or already ended session is
    /// [`ErrorKind::NotFound`].
    pub async fn stop_session(
        &self,
        agent: &str,
        session_id: &str,
    ) -> Result<Raw<StopResponse>, ApiError> {
        let session_id = names::session_id(session_id).map_err(invalid)?;
        let url = self.agent_url(agent, &["sessions", &session_id])?;
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
        let session_id = query
            .session_id
            .as_deref()
            .map(names::session_id)
            .transpose()
            .map_err(invalid)?;
        {
            let mut pairs = url.query_pairs_mut();
            push(&mut pairs, "limit", query.limit);
            push(&mut pairs, "offset", query.offset);
            push(&mut pairs, "deploymentId", query.deployment_id.as_deref());
            push(&mut pairs, "sessionId", session_id.as_deref());
            push(&mut pairs, "query", query.query.as_deref());
            push(&mut pairs, "order", query.order.map(LogOrder::as_str));
            push(&mut pairs, "startTime", query.start_time);
            push(&mut pairs, "endTime", query.end_time);
        }
        clear_empty_query(&mut url);
        Ok(url)
    }

    // ---- agents ---------------------------------------------------------

    /// An agent's details and status. The organization surface wraps the
    /// answer as `{"body": ...}`; both `value` and `raw` are the inner
    /// object, so an agent reads the same whichever surface answered.
    pub async fn get_agent(&self, agent: &str) -> Result<Raw<AgentDetails>, ApiError> {
        let url = self.agent_url(agent, &[])?;
        match self.management()? {
            Surface::Agents => self.send(Method::GET, url, None::<&()>).await,
            Surface::Organization(_) => {
                let Raw { value, mut raw } = self
                    .send::<AgentDetailsEnvelope>(Method::GET, url, None::<&()>)
                    .await?;
                Ok(Raw {
                    value: value.body,
                    raw: raw.get_mut("body").map(Value::take).unwrap_or_default(),
                })
            }
        }
    }

    /// The organization's agents, in `region` only when one is given. On
    /// the organization surface each agent comes with its GitHub link
    /// (`include=git`) when the API has one.
    /// The names of every agent, in the API's order.
    pub async fn agent_names(&self) -> Result<Vec<String>, ApiError> {
        Ok(self
            .list_agents(None)
            .await?
            .value
            .services
            .into_iter()
            .map(|agent| agent.name)
            .collect())
    }

    pub async fn list_agents(&self, region: Option<&str>) -> Result<Raw<AgentList>, ApiError> {
        let (mut url, include) = match self.management()? {
            Surface::Agents => (self.url(&["v1", "agents"]), None),
            Surface::Organization(org) => (
                self.url(&["v1", "organizations", org, "services"]),
                Some("git"),
            ),
        };
        {
            let mut pairs = url.query_pairs_mut();
            push(&mut pairs, "region", region);
            push(&mut pairs, "include", include);
        }
        clear_empty_query(&mut url);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Creates an agent (`POST /v1/agents`, or `POST .../services` on the
    /// organization surface). The answer is the raw server JSON: its shape
    /// differs between surfaces.
    pub async fn create_agent(&self, request: &CreateAgentRequest) -> Result<Raw<Value>, ApiError> {
        names::check_agent_name(&request.service_name).map_err(invalid)?;
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
        names::check_agent_name(agent).map_err(invalid)?;
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

    /// The organization's Daily API key (`GET
    /// /v1/organizations/{org}/daily`; a user token only).
    pub async fn daily_api_key(&self) -> Result<Raw<DailyApiKey>, ApiError> {
        let url = self.org_url(&["daily"])?;
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

    // ---- secrets, regions, organization properties ------------------------
    //
    // On both management surfaces: `/v1/...` with a private key,
    // `/v1/organizations/{org}/...` with a user token.

    /// The organization's secret sets and image pull secrets, in `region`
    /// only when one is given. Never a value.
    pub async fn list_secret_sets(
        &self,
        region: Option<&str>,
    ) -> Result<Raw<SecretSetList>, ApiError> {
        let mut url = self.surface_url(&["secrets"])?;
        push(&mut url.query_pairs_mut(), "region", region);
        clear_empty_query(&mut url);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// The keys of a regular secret set (never its values). An image pull
    /// secret cannot be read this way ([`ErrorKind::BadRequest`]).
    pub async fn get_secret_set(&self, set: &str) -> Result<Raw<SecretSet>, ApiError> {
        let url = self.surface_url(&["secrets", set])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Creates the regular secret set `set`, or adds and replaces keys in
    /// it (other keys stay). `region` applies to a new set only (omitted:
    /// the organization's default). The documented surface takes all pairs
    /// in one request; the organization surface one key per request, as
    /// the official CLI sends them: there, a failure after the first key
    /// says which keys were stored.
    pub async fn set_secrets(
        &self,
        set: &str,
        pairs: &[SecretPair],
        region: Option<&str>,
    ) -> Result<Raw<SecretSetStored>, ApiError> {
        let url = self.surface_url(&["secrets", set])?;
        let region = region.map(str::to_string);
        if let Surface::Agents = self.management()? {
            let request = SecretSetRequest {
                secrets: Some(pairs.to_vec()),
                region,
                ..SecretSetRequest::default()
            };
            return self.send(Method::PUT, url, Some(&request)).await;
        }
        let mut stored: Vec<&str> = Vec::new();
        let mut last = Raw {
            value: SecretSetStored::default(),
            raw: Value::Null,
        };
        for pair in pairs {
            let request = SecretSetRequest {
                name: Some(set.to_string()),
                is_image_pull_secret: Some(false),
                secret_key: Some(pair.secret_key.clone()),
                secret_value: Some(pair.secret_value.clone()),
                region: region.clone(),
                ..SecretSetRequest::default()
            };
            last = match self.send(Method::PUT, url.clone(), Some(&request)).await {
                Ok(answer) => answer,
                Err(mut err) if !stored.is_empty() => {
                    err.message = format!(
                        "{} (keys {} were stored before {} failed)",
                        err.message,
                        stored.join(", "),
                        pair.secret_key
                    );
                    return Err(err);
                }
                Err(err) => return Err(err),
            };
            stored.push(&pair.secret_key);
        }
        Ok(last)
    }

    /// Creates or replaces the image pull secret `set` for the registry
    /// `host`; `credentials` is what the registry takes (the official CLI
    /// sends base64 of `user:password`).
    pub async fn set_image_pull_secret(
        &self,
        set: &str,
        host: &str,
        credentials: &SecretValue,
        region: Option<&str>,
    ) -> Result<Raw<SecretSetStored>, ApiError> {
        let url = self.surface_url(&["secrets", set])?;
        let request = SecretSetRequest {
            is_image_pull_secret: Some(true),
            host: Some(host.to_string()),
            secret_value: Some(credentials.clone()),
            region: region.map(str::to_string),
            ..SecretSetRequest::default()
        };
        self.send(Method::PUT, url, Some(&request)).await
    }

    /// Removes one key from a regular secret set.
    pub async fn delete_secret(&self, set: &str, key: &str) -> Result<Raw<Value>, ApiError> {
        let url = self.surface_url(&["secrets", set, key])?;
        self.send_once(Method::DELETE, url, None::<&()>).await
    }

    /// Deletes a secret set or image pull secret with everything in it.
    pub async fn delete_secret_set(&self, set: &str) -> Result<Raw<Value>, ApiError> {
        let url = self.surface_url(&["secrets", set])?;
        self.send_once(Method::DELETE, url, None::<&()>).await
    }

    /// The regions agents and secret sets can be in.
    pub async fn regions(&self) -> Result<Raw<RegionList>, ApiError> {
        let url = self.surface_url(&["regions"])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// The organization's properties (e.g. `defaultRegion`) and their values.
    pub async fn properties(&self) -> Result<Raw<Properties>, ApiError> {
        let url = self.surface_url(&["properties"])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Each property with its type, default, current and allowed values.
    pub async fn property_schemas(&self) -> Result<Raw<PropertySchemas>, ApiError> {
        let url = self.surface_url(&["properties", "schema"])?;
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Sets properties (`{"defaultRegion": "us-west"}`); the answer is the
    /// schema of every property, with the new current values.
    pub async fn update_properties(
        &self,
        changes: &serde_json::Map<String, Value>,
    ) -> Result<Raw<PropertySchemas>, ApiError> {
        let url = self.surface_url(&["properties"])?;
        self.send(Method::PATCH, url, Some(changes)).await
    }

    // ---- cloud builds -------------------------------------------------------
    //
    // On both management surfaces, like secrets. The context itself goes to
    // the upload URL the API answers, which is another host on the real
    // platform (a presigned storage form): see [`Client::upload_build_context`].

    /// Where to upload a build context for a build in `region` (`POST
    /// /builds/upload-url`). Not retried: each call makes a new upload slot.
    pub async fn build_upload_url(&self, region: &str) -> Result<Raw<UploadUrlResponse>, ApiError> {
        names::check_region_code(region).map_err(invalid)?;
        let url = self.surface_url(&["builds", "upload-url"])?;
        let request = UploadUrlRequest {
            region: region.to_string(),
        };
        self.send_once(Method::POST, url, Some(&request)).await
    }

    /// Uploads a packed build context (`tarball`, a gzipped tar) where
    /// `upload` says: a multipart POST of its fields first, then
    /// `Content-Type` (unless a field gave it), then the file as
    /// `context.tar.gz`. No credential goes with it (the URL and its
    /// fields authorize it) and no redirect is followed. It is sent once,
    /// with the request timeout plus a second per 256 KiB, and any 2xx
    /// means stored; the answer's body is not read as a document.
    pub async fn upload_build_context(
        &self,
        upload: &UploadUrlResponse,
        tarball: Vec<u8>,
    ) -> Result<(), ApiError> {
        let url = Url::parse(upload.upload_url.trim())
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| {
                ApiError::transport(
                    ErrorKind::Malformed,
                    &self.base_url(),
                    format!(
                        "the API answered an upload URL that is not an http(s) URL: {:?}",
                        crate::sanitize::text(&upload.upload_url)
                    ),
                )
            })?;
        let shown = shown(&url);
        let timeout = self.timeout + Duration::from_secs(tarball.len() as u64 / (256 * 1024));
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &upload.upload_fields {
            form = form.text(name.clone(), value.clone());
        }
        if !upload
            .upload_fields
            .keys()
            .any(|name| name.eq_ignore_ascii_case("Content-Type"))
        {
            form = form.text("Content-Type", CONTEXT_CONTENT_TYPE);
        }
        let file = reqwest::multipart::Part::bytes(tarball)
            .file_name(CONTEXT_FILE_NAME)
            .mime_str(CONTEXT_CONTENT_TYPE)
            .map_err(|e| ApiError::usage(format!("cannot make the upload form: {e}")))?;
        form = form.part("file", file);
        let request = self
            .http_no_redirects
            .post(url)
            .timeout(timeout)
            .multipart(form)
            .build()
            .map_err(|e| self.transport_error(&e, &shown))?;
        let peer = Peer {
            name: format!("the upload URL {shown}"),
            timeout,
        };
        self.execute(&self.http_no_redirects, request, &shown, &peer)
            .await
            .map(|_| ())
    }

    /// Starts a build of an uploaded context (`POST /builds`); `cached` in
    /// the answer says an earlier build of the same context was reused.
    /// Not retried: a retry could start a second build.
    pub async fn create_build(
        &self,
        request: &CreateBuildRequest,
    ) -> Result<Raw<CreateBuildResponse>, ApiError> {
        names::check_region_code(&request.region).map_err(invalid)?;
        let url = self.surface_url(&["builds"])?;
        self.send_once(Method::POST, url, Some(request)).await
    }

    /// One build. The API wraps it as `{"build": ...}` (the official
    /// client also takes a bare build); both `value` and `raw` are the
    /// build itself.
    pub async fn get_build(&self, id: &str) -> Result<Raw<Build>, ApiError> {
        let id = names::build_id(id).map_err(invalid)?;
        let url = self.surface_url(&["builds", &id])?;
        let Raw { mut raw, .. } = self
            .send::<Value>(Method::GET, url.clone(), None::<&()>)
            .await?;
        if raw.get("build").is_some_and(Value::is_object) {
            raw = raw["build"].take();
        }
        let value = serde_json::from_value(raw.clone()).map_err(|e| {
            let shown = shown(&url);
            ApiError::transport(
                ErrorKind::Malformed,
                &shown,
                format!("the API at {shown} answered a build of an unexpected shape: {e}"),
            )
        })?;
        Ok(Raw { value, raw })
    }

    /// The organization's builds, newest first, filtered as `query` says.
    pub async fn list_builds(
        &self,
        query: &BuildQuery,
    ) -> Result<Raw<ListBuildsResponse>, ApiError> {
        if let Some(region) = &query.region {
            names::check_region_code(region).map_err(invalid)?;
        }
        let mut url = self.surface_url(&["builds"])?;
        {
            let mut pairs = url.query_pairs_mut();
            push(&mut pairs, "contextHash", query.context_hash.as_deref());
            push(
                &mut pairs,
                "status",
                query.status.as_ref().map(BuildStatus::as_str),
            );
            push(&mut pairs, "region", query.region.as_deref());
            push(&mut pairs, "limit", query.limit);
            push(&mut pairs, "offset", query.offset);
        }
        clear_empty_query(&mut url);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// A build's log lines, oldest first: at most `limit` of them (the
    /// API's default is 500) from the start, or from `next_token`, the
    /// `nextToken` of an earlier page that said more lines follow.
    pub async fn build_logs(
        &self,
        id: &str,
        limit: Option<u32>,
        next_token: Option<&str>,
    ) -> Result<Raw<GetBuildLogsResponse>, ApiError> {
        let id = names::build_id(id).map_err(invalid)?;
        let mut url = self.surface_url(&["builds", &id, "logs"])?;
        {
            let mut pairs = url.query_pairs_mut();
            push(&mut pairs, "limit", limit);
            push(&mut pairs, "nextToken", next_token);
        }
        clear_empty_query(&mut url);
        self.send(Method::GET, url, None::<&()>).await
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
        names::check_agent_name(agent).map_err(invalid)?;
        let mut segments: Vec<&str> = match self.management()? {
            Surface::Agents => vec!["v1", "agents", agent],
            Surface::Organization(org) => vec!["v1", "organizations", org, "services", agent],
        };
        segments.extend_from_slice(rest);
        Ok(self.url(&segments))
    }

    /// URL of a resource that both management surfaces have:
    /// `/v1/...` or `/v1/organizations/{org}/...`, as the credential selects.
    fn surface_url(&self, rest: &[&str]) -> Result<Url, ApiError> {
        let mut segments: Vec<&str> = match self.management()? {
            Surface::Agents => vec!["v1"],
            Surface::Organization(org) => vec!["v1", "organizations", org],
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
        let http = if method == Method::GET {
            &self.http
        } else {
            &self.http_no_redirects
        };
        let mut request = http.request(method.clone(), url).bearer_auth(bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        let request = request
            .build()
            .map_err(|e| self.transport_error(&e, &shown))?;
        let (status, bytes) = self
            .execute(http, request, &shown, &self.api_peer())
            .await?;
        // Only a delete may answer without a document (a 204, or an
        // empty 200); anything else that comes back empty did not do
        // what was asked, or did not say so.
        if method != Method::DELETE && is_blank(&bytes) {
            return Err(ApiError::transport(
                ErrorKind::Malformed,
                &shown,
                format!(
                    "the API at {shown} answered HTTP {} with an empty body where a document was expected",
                    status.as_u16()
                ),
            ));
        }
        Ok((bytes, status.as_u16(), shown))
    }

    /// Sends a built request once and reads its answer, at most
    /// [`MAX_RESPONSE_BYTES`]: the one place a request goes out, so every
    /// request is told to the observer, refuses redirects the same way and
    /// turns an error status into an [`ApiError`]. `shown` is its URL as it
    /// may be printed.
    async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        shown: &str,
        peer: &Peer,
    ) -> Result<(StatusCode, Vec<u8>), ApiError> {
        let method = request.method().clone();
        // What an observer is told, filled in as the request goes.
        let mut told = self.request_observer.as_ref().map(|_| RequestNotice {
            method: request.method().to_string(),
            target: shown_target(request.url()),
            status: None,
            failure: None,
            elapsed: Duration::ZERO,
            request_headers: shown_headers(request.headers()),
            response_headers: Vec::new(),
        });
        let started = std::time::Instant::now();
        let tell = |told: Option<RequestNotice>| {
            if let (Some(observer), Some(mut notice)) = (&self.request_observer, told) {
                notice.elapsed = started.elapsed();
                observer(&notice);
            }
        };
        let response = match http.execute(request).await {
            Ok(response) => response,
            Err(e) => {
                let error = self.peer_error(&e, shown, peer);
                if let Some(notice) = &mut told {
                    notice.failure = Some(error.to_string());
                }
                tell(told);
                return Err(error);
            }
        };
        let status = response.status();
        if let Some(notice) = &mut told {
            notice.status = Some(status.as_u16());
            notice.response_headers = shown_headers(response.headers());
        }
        if status.is_redirection() {
            tell(told);
            return Err(redirect_error(&method, status, &response, shown));
        }
        let retry_after = retry_after(response.headers());
        let bytes = read_capped(response, MAX_RESPONSE_BYTES)
            .await
            .map_err(|err| match err {
                BodyError::TooLarge => ApiError::transport(
                    ErrorKind::Malformed,
                    shown,
                    format!(
                        "the answer from {shown} (HTTP {}) is larger than {}, more than any answer of the API; it was not read to the end",
                        status.as_u16(),
                        crate::files::human_size(MAX_RESPONSE_BYTES)
                    ),
                ),
                BodyError::Read(e) if e.is_timeout() => self.peer_error(&e, shown, peer),
                BodyError::Read(e) => ApiError::transport(
                    ErrorKind::Malformed,
                    shown,
                    format!(
                        "the answer from {shown} was cut off (HTTP {}): {}",
                        status.as_u16(),
                        root_cause(&e)
                    ),
                ),
            });
        if let (Some(notice), Err(error)) = (&mut told, &bytes) {
            notice.failure = Some(error.to_string());
        }
        tell(told);
        let bytes = bytes?;
        if !status.is_success() {
            return Err(ApiError::from_status(
                status.as_u16(),
                status.canonical_reason().unwrap_or("error"),
                &bytes,
                retry_after,
                shown,
            ));
        }
        Ok((status, bytes))
    }

    fn transport_error(&self, error: &reqwest::Error, url: &str) -> ApiError {
        self.peer_error(error, url, &self.api_peer())
    }

    /// The API, as transport errors name it.
    fn api_peer(&self) -> Peer {
        Peer {
            name: format!("the API at {}", self.base_url()),
            timeout: self.timeout,
        }
    }

    fn peer_error(&self, error: &reqwest::Error, url: &str, peer: &Peer) -> ApiError {
        let name = &peer.name;
        if error.is_builder() {
            // Nothing was sent: a credential or host with characters HTTP
            // cannot carry (a pasted newline, say).
            return ApiError::usage(format!(
                "cannot build the request to {name}: {}; check the key or token and the API host for stray characters",
                root_cause(error)
            ));
        }
        if error.is_timeout() {
            ApiError::transport(
                ErrorKind::Timeout,
                url,
                format!("{name} did not answer within {:.0?}", peer.timeout),
            )
        } else {
            ApiError::transport(
                ErrorKind::Connect,
                url,
                format!("cannot reach {name}: {}", root_cause(error)),
            )
        }
    }
}

/// Who a request goes to, for its transport errors: the API, or the
/// storage a build context is uploaded to.
struct Peer {
    name: String,
    timeout: Duration,
}

/// A name or id that breaks the platform's rule: refused before sending.
fn invalid(message: String) -> ApiError {
    ApiError::usage(message)
}

/// Redirects a GET may follow: at most [`MAX_REDIRECTS`], all on the
/// origin of the first request. Any other comes back to
/// [`Client::send_with`] as the 3xx it is, and is reported: a credential
/// is never sent to another origin (nor over plain HTTP after HTTPS).
fn same_origin_redirects() -> Policy {
    Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if attempt.previous().len() > MAX_REDIRECTS || first != Some(attempt.url().origin()) {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// A 3xx that was not followed: its status and where it pointed.
fn redirect_error(
    method: &Method,
    status: StatusCode,
    response: &reqwest::Response,
    url: &str,
) -> ApiError {
    let location = response
        .headers()
        .get(LOCATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let target = location
        .as_deref()
        .and_then(|location| response.url().join(location).ok());
    let shown_target = match (&target, location) {
        (Some(target), _) => shown(target),
        (None, Some(location)) => location,
        (None, None) => "nowhere (no Location header)".to_string(),
    };
    let why = if *method != Method::GET {
        format!("a {method} is never sent again elsewhere")
    } else if target.is_some_and(|target| target.origin() != response.url().origin()) {
        "it leads to another origin, where the credential is never sent".to_string()
    } else {
        format!("at most {MAX_REDIRECTS} redirects (301, 302, 303, 307, 308) are followed")
    };
    ApiError {
        kind: ErrorKind::Api,
        status: Some(status.as_u16()),
        code: None,
        message: format!(
            "the API at {url} answered HTTP {} with a redirect to {shown_target}, which was not followed: {why}",
            status.as_u16()
        ),
        retry_after: None,
        url: url.to_string(),
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
    if !url.username().is_empty() || url.password().is_some() {
        let mut bare = url.clone();
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        return Err(ApiError::usage(format!(
            "the API host {bare} was given with a user name or password (`user:password@`); \
             remove it: requests authenticate with the API key or token, never with a password in the URL"
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
    if is_blank(bytes) {
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

/// An empty body, or only whitespace.
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
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
    fn secrets_regions_and_properties_are_on_both_surfaces() {
        let private = client(Credential::PrivateKey("sk_x".into()), None);
        assert_eq!(
            private
                .surface_url(&["secrets", "app-keys"])
                .unwrap()
                .path(),
            "/base/v1/secrets/app-keys"
        );
        let token = client(Credential::UserToken("pcc_pat_x".into()), Some("acme"));
        assert_eq!(
            token.surface_url(&["properties", "schema"]).unwrap().path(),
            "/base/v1/organizations/acme/properties/schema"
        );
        let public = client(Credential::PublicKey("pk_x".into()), None);
        assert_eq!(
            public.surface_url(&["regions"]).unwrap_err().kind,
            ErrorKind::Auth
        );
    }

    #[test]
    fn a_secret_value_never_shows_in_debug_output() {
        let request = SecretSetRequest {
            secrets: Some(vec![SecretPair {
                secret_key: "API_KEY".into(),
                secret_value: SecretValue::new("sk-live-0123"),
            }]),
            ..SecretSetRequest::default()
        };
        let shown = format!("{request:?}");
        assert!(shown.contains("API_KEY"), "{shown}");
        assert!(!shown.contains("sk-live"), "{shown}");
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"secrets": [{"secretKey": "API_KEY", "secretValue": "sk-live-0123"}]})
        );
    }

    #[test]
    fn names_cannot_change_the_path() {
        let private = client(Credential::PrivateKey("sk_x".into()), None);
        let refused = private.agent_url("../x?y#z", &["sessions"]).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Usage);
        assert!(refused.message.starts_with("invalid agent name"));
        let token = client(Credential::UserToken("pcc_pat_x".into()), Some("../x?y#z"));
        let url = token.org_url(&["apiKeys"]).unwrap();
        assert_eq!(url.path(), "/base/v1/organizations/..%2Fx%3Fy%23z/apiKeys");
        assert_eq!(url.query(), None);
    }

    #[test]
    fn a_host_with_a_user_or_password_is_refused_without_showing_it() {
        for host in ["http://me:secret@127.0.0.1:9", "http://me@127.0.0.1:9"] {
            let err = Client::new(
                host,
                Credential::PrivateKey("sk_x".into()),
                None,
                Duration::from_secs(1),
            )
            .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Usage);
            assert!(
                err.message.contains("user name or password"),
                "{}",
                err.message
            );
            assert!(!err.message.contains("secret"), "{}", err.message);
            assert!(
                err.message.contains("http://127.0.0.1:9/"),
                "{}",
                err.message
            );
        }
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
