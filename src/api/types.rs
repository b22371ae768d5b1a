//! Wire types of the Pipecat Cloud REST API, named exactly as the OpenAPI
//! document names them (camelCase, except the stop answer's `session_id` and
//! the session list's `total_count`).
//!
//! The typed client reads these and the local Pipecat Cloud writes them, so
//! the two cannot drift apart. Optional fields the real API may omit are
//! `Option`s; fields only the local cloud adds are skipped when absent so the
//! JSON we serve stays a superset of the documented shape.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /v1/public/{agentName}/start` request body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    #[serde(default)]
    pub create_daily_room: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_room_properties: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_meeting_token_properties: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_default_ice_servers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// Arbitrary user data handed to the agent. The OpenAPI document says
    /// "object", but the official clients send any JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// `POST /v1/public/{agentName}/start` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StartResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_room: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_token: Option<String>,
    /// WebSocket transport only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ws_url: Option<String>,
    /// WebSocket transport only: HMAC session token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// WebSocket transport only: base64 of the request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_config: Option<Value>,
}

/// `DELETE /v1/agents/{agentName}/sessions/{sessionId}` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StopResponse {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
}

/// The error body. Two shapes occur: `{"error", "code"}` (most routes) and
/// the capacity answer `{"status": 429, "code": "429", "message"}`.
/// `code` and `status` are strings or numbers depending on the route.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// One session, as listed by `GET .../sessions` and returned by
/// `GET .../sessions/{sessionId}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub session_id: String,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub deployment_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub ended_at: Option<String>,
    /// Seconds between the start request and the bot running. The OpenAPI
    /// document says integer; fractions are accepted.
    #[serde(default)]
    pub bot_start_seconds: Option<f64>,
    #[serde(default)]
    pub cold_start: Option<bool>,
    #[serde(default)]
    pub completion_status: Option<String>,
    /// Read by the official CLI (active, completed, terminated, agent_error, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_metrics: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_ids: Option<Vec<Value>>,
    /// Local cloud only: the max session duration (seconds) this session
    /// runs under; fixed when it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u32>,
    /// Local cloud only: billed duration in seconds, instantiate + run +
    /// teardown (from the start request to the process being gone; up to
    /// now while the session runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_seconds: Option<f64>,
    /// Local cloud only: when each lifecycle step happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<SessionLifecycle>,
}

/// Local cloud only: timestamps of a session's lifecycle (RFC 3339, UTC).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionLifecycle {
    pub requested_at: Option<String>,
    pub process_started_at: Option<String>,
    pub stop_requested_at: Option<String>,
    pub ended_at: Option<String>,
}

/// `GET .../sessions` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SessionList {
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub sessions: Vec<Session>,
}

/// `GET .../logs` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LogsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<LogTotal>,
    #[serde(default)]
    pub logs: Vec<LogEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogTotal {
    pub value: u64,
    /// `eq` (exact) or `gte` (at least).
    pub relation: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    #[serde(default)]
    pub log: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// Local cloud only: the session that wrote the line, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// `GET .../logs` answer decoded without copying: its strings borrow from
/// the body unless they hold escapes. Readers of many lines use this (see
/// `LogsBody::page`); [`LogsResponse`] owns its entries.
#[derive(Debug, Default, Deserialize)]
pub struct LogsPage<'a> {
    #[serde(default)]
    pub total: Option<LogTotal>,
    #[serde(default, borrow)]
    pub logs: Vec<LogEntryRef<'a>>,
}

/// A [`LogEntry`] borrowed from the body it was decoded from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LogEntryRef<'a> {
    #[serde(default, borrow)]
    pub log: Cow<'a, str>,
    #[serde(default, borrow)]
    pub timestamp: Cow<'a, str>,
    #[serde(default, borrow)]
    pub deployment_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Cow<'a, str>>,
}

impl LogEntryRef<'_> {
    pub fn to_owned_entry(&self) -> LogEntry {
        LogEntry {
            log: self.log.to_string(),
            timestamp: self.timestamp.to_string(),
            deployment_id: self.deployment_id.as_deref().map(str::to_string),
            session_id: self.session_id.as_deref().map(str::to_string),
        }
    }
}

impl LogEntry {
    pub fn as_ref(&self) -> LogEntryRef<'_> {
        LogEntryRef {
            log: Cow::Borrowed(&self.log),
            timestamp: Cow::Borrowed(&self.timestamp),
            deployment_id: self.deployment_id.as_deref().map(Cow::Borrowed),
            session_id: self.session_id.as_deref().map(Cow::Borrowed),
        }
    }
}

/// `autoScaling` in a create/update request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AutoScalingRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_agents: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_agents: Option<u32>,
}

/// `autoScaling` in an agent's status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AutoScalingStatus {
    #[serde(default)]
    pub min_replicas: Option<u32>,
    #[serde(default)]
    pub max_replicas: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KrispViva {
    #[serde(default)]
    pub audio_filter: Option<String>,
}

/// `POST /v1/agents` request (and, with `serviceName`, the org surface's
/// create/update payload).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreateAgentRequest {
    pub service_name: String,
    #[serde(flatten)]
    pub spec: AgentSpec,
}

/// The fields of an agent a create or update can set; absent means "keep"
/// (update) or "default" (create).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AgentSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secret_set: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_set: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling: Option<AutoScalingRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krisp_viva: Option<KrispViva>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_redeploy: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_auth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
}

/// `GET /v1/agents` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AgentList {
    #[serde(default)]
    pub services: Vec<AgentListItem>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AgentListItem {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub desired_deployment_id: Option<String>,
    #[serde(default)]
    pub active_deployment_id: Option<String>,
    #[serde(default)]
    pub reconciled_deployment_id: Option<String>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Value>,
}

/// An agent's details and status (`GET /v1/agents/{agentName}`; the org
/// surface wraps the same object as `{"body": {...}}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AgentDetails {
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub available: Option<bool>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub desired_deployment_id: Option<String>,
    #[serde(default)]
    pub active_deployment_id: Option<String>,
    #[serde(default)]
    pub reconciled_deployment_id: Option<String>,
    #[serde(default)]
    pub active_deployment_ready: Option<bool>,
    #[serde(default)]
    pub auto_scaling: Option<AutoScalingStatus>,
    #[serde(default)]
    pub active_session_count: Option<u32>,
    #[serde(default)]
    pub deployment: Option<Deployment>,
    #[serde(default)]
    pub agent_profile: Option<String>,
    #[serde(default)]
    pub krisp_viva: Option<KrispViva>,
    #[serde(default)]
    pub current_revision: Option<RevisionInfo>,
    #[serde(default)]
    pub previous_revision: Option<RevisionInfo>,
    /// Read by the official CLI: `[{code, message|error}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<AgentError>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AgentError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default, alias = "error")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: String,
    #[serde(default)]
    pub manifest: Option<Manifest>,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(default)]
    pub spec: Option<ManifestSpec>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ManifestSpec {
    #[serde(default)]
    pub daily_node_type: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub auto_scaling: Option<AutoScalingStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secret_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_from_secret_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krisp_models: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krisp_viva: Option<Value>,
    /// Absent when the agent uses the platform default (7200 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration_seconds: Option<u32>,
    /// The CPU architecture it runs on (amd64, arm64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Local cloud only: the `websocketAuth` it was deployed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_auth: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RevisionInfo {
    #[serde(default, rename = "deploymentID")]
    pub deployment_id: Option<String>,
    /// Creating, Validating, Active, Draining, Failed.
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub ready_replicas: Option<u32>,
    #[serde(default)]
    pub phase_started_at: Option<String>,
    #[serde(default)]
    pub health: Option<RevisionHealth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_infrastructure_issue: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RevisionHealth {
    #[serde(default)]
    pub ready: Option<bool>,
    /// running, waiting, terminated.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub restart_count: Option<u32>,
    #[serde(default)]
    pub replicas_started: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_termination_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `GET /v1/organizations/{org}/services/{name}` answer (org surface).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AgentDetailsEnvelope {
    pub body: AgentDetails,
}

/// `GET .../deployments` answer (org surface).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DeploymentList {
    #[serde(default)]
    pub deployments: Vec<Deployment>,
}

/// `GET /v1/organizations` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct OrganizationList {
    #[serde(default)]
    pub organizations: Vec<Organization>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The org's slug, used in paths and in the config file.
    pub name: String,
    #[serde(default)]
    pub verbose_name: Option<String>,
}

/// `GET /v1/users` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UserResponse {
    pub user: User,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    #[serde(default)]
    pub emails: Vec<UserEmail>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserEmail {
    pub email_address: String,
}

/// `GET /v1/organizations/{org}/daily` answer: the organization's Daily
/// API key (a secret; `auth whoami` shows it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DailyApiKey {
    #[serde(default)]
    pub api_key: Option<String>,
}

/// `GET /v1/organizations/{org}/apiKeys` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ApiKeyList {
    #[serde(default)]
    pub public: Vec<ApiKey>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub revoked: bool,
    #[serde(default)]
    pub metadata: Option<ApiKeyMetadata>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ApiKeyMetadata {
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /v1/organizations/{org}/apiKeys` request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CreateApiKeyRequest {
    pub name: String,
    /// Always "public" from this client.
    #[serde(rename = "type")]
    pub key_type: String,
}

/// A secret's value. It never shows in `Debug` output (so never in a log
/// line or a panic message); only serialization writes it, as a plain
/// JSON string.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> SecretValue {
        SecretValue(value.into())
    }

    /// The value itself, for the one place that needs it (an environment
    /// variable of a session, a request body).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[secret value]")
    }
}

/// One key and value of a regular secret set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretPair {
    pub secret_key: String,
    pub secret_value: SecretValue,
}

/// `PUT .../secrets/{setName}` request. Three shapes share it:
/// - the documented regular set: `{"secrets": [{secretKey, secretValue}], "region"?}`;
/// - the official CLI's, one key per request: `{"name", "isImagePullSecret": false, "secretKey", "secretValue", "region"?}`;
/// - an image pull secret: `{"isImagePullSecret": true, "host", "secretValue", "region"?}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretSetRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_image_pull_secret: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<SecretPair>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_value: Option<SecretValue>,
    /// Image pull secrets: the registry (e.g. `https://index.docker.io/v1/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Omitted: the organization's default region. Fixed once the set exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// `PUT .../secrets/{setName}` answer (202).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SecretSetStored {
    #[serde(default)]
    pub status: Option<String>,
    /// Where the set is (the region asked for, or the organization's default).
    #[serde(default)]
    pub region: Option<String>,
}

/// `type` of a secret set.
pub const SECRET_SET_TYPE: &str = "secret";
/// `type` of an image pull secret.
pub const IMAGE_PULL_SECRET_TYPE: &str = "imagePullSecret";
/// `status` of a set that deploys may bind.
pub const SECRET_SET_READY: &str = "ready";

/// `GET .../secrets` answer: regular sets and image pull secrets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SecretSetList {
    #[serde(default)]
    pub sets: Vec<SecretSetSummary>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretSetSummary {
    pub name: String,
    /// [`SECRET_SET_TYPE`] or [`IMAGE_PULL_SECRET_TYPE`].
    #[serde(rename = "type", default)]
    pub set_type: String,
    #[serde(default)]
    pub region: Option<String>,
    /// pending, ready or failed.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl SecretSetSummary {
    pub fn is_image_pull_secret(&self) -> bool {
        self.set_type == IMAGE_PULL_SECRET_TYPE
    }
}

/// `GET .../secrets/{setName}` answer: the keys, never the values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretSet {
    #[serde(default)]
    pub secrets: Vec<SecretKey>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// `referenced`: a Kubernetes secret of a self-hosted region, managed
    /// there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretKey {
    pub field_name: String,
}

/// `GET .../regions` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RegionList {
    #[serde(default)]
    pub regions: Vec<Region>,
}

/// A region (snake_case on the wire, as the API sends it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Region {
    pub code: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_architectures: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_architecture: Option<String>,
}

/// The organization property that names the default region.
pub const DEFAULT_REGION_PROPERTY: &str = "defaultRegion";

/// `GET .../properties` answer: each property's current value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Properties {
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, Value>,
}

impl Properties {
    /// Where agents and secret sets go when a request names no region.
    pub fn default_region(&self) -> Option<&str> {
        self.properties.get(DEFAULT_REGION_PROPERTY)?.as_str()
    }
}

/// `GET .../properties/schema` answer, and `PATCH .../properties`'s.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PropertySchemas {
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, PropertySchema>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PropertySchema {
    /// string, number, boolean, array, ...
    #[serde(rename = "type", default)]
    pub value_type: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub default: Value,
    #[serde(default)]
    pub current_value: Value,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_values: Option<Vec<Value>>,
}

/// `POST /builds/upload-url` request body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UploadUrlRequest {
    pub region: String,
}

/// `POST /builds/upload-url` answer: where and how to upload a build context.
/// The form fields go first in the multipart form, then the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UploadUrlResponse {
    pub upload_id: String,
    pub upload_url: String,
    #[serde(default)]
    pub upload_fields: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// `POST /builds` request body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreateBuildRequest {
    pub upload_id: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile_path: Option<String>,
}

/// `POST /builds` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreateBuildResponse {
    pub build: Build,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_hash: Option<String>,
    /// True when an earlier successful build of the same context was reused.
    #[serde(default)]
    pub cached: bool,
}

/// `GET /builds/{buildId}` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GetBuildResponse {
    pub build: Build,
}

/// `GET /builds` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ListBuildsResponse {
    #[serde(default)]
    pub builds: Vec<Build>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// `GET /builds/{buildId}/logs` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GetBuildLogsResponse {
    #[serde(default, deserialize_with = "build_log_lines")]
    pub logs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Build log lines as the API sends them: strings (as documented), or
/// objects with the text in `message` or `log` (which the official client
/// also reads), so either shape reads as lines.
fn build_log_lines<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let entries = Vec::<Value>::deserialize(deserializer)?;
    Ok(entries
        .into_iter()
        .map(|entry| match entry {
            Value::String(line) => line,
            Value::Object(mut fields) => {
                match fields.remove("message").or_else(|| fields.remove("log")) {
                    Some(Value::String(line)) => line,
                    Some(other) => other.to_string(),
                    None => Value::Object(fields).to_string(),
                }
            }
            other => other.to_string(),
        })
        .collect())
}

/// A cloud build (`Build` in the OpenAPI document).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub status: BuildStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile_path: Option<String>,
    /// Only when the build succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_duration_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// Where a build is. `Other` keeps a status a newer API may add readable.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BuildStatus {
    #[default]
    Pending,
    Building,
    Success,
    Failed,
    Timeout,
    #[serde(other)]
    Other,
}

impl BuildStatus {
    /// The wire spelling, also used for `--status` filters.
    pub fn as_str(&self) -> &'static str {
        match self {
            BuildStatus::Pending => "pending",
            BuildStatus::Building => "building",
            BuildStatus::Success => "success",
            BuildStatus::Failed => "failed",
            BuildStatus::Timeout => "timeout",
            BuildStatus::Other => "unknown",
        }
    }

    /// True once the build will not change any more.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            BuildStatus::Success | BuildStatus::Failed | BuildStatus::Timeout
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_log_lines_read_as_strings_or_as_entries() {
        let answer: GetBuildLogsResponse = serde_json::from_str(
            r#"{"logs": ["plain", {"message": "from message", "timestamp": "t"},
                {"log": "from log"}, {"other": 1}], "nextToken": "7"}"#,
        )
        .unwrap();
        assert_eq!(
            answer.logs,
            vec!["plain", "from message", "from log", r#"{"other":1}"#]
        );
        assert_eq!(answer.next_token.as_deref(), Some("7"));
        let empty: GetBuildLogsResponse = serde_json::from_str("{}").unwrap();
        assert!(empty.logs.is_empty());
    }
}
