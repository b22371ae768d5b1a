//! The local cloud's operations, shared by both API surfaces (`/v1/agents`
//! and `/v1/organizations/{org}`): routes only parse, call one of these and
//! serialize the wire type it returns.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::api::types::{
    AgentDetails, AgentError, AgentList, AgentListItem, AgentSpec, ApiKey, ApiKeyList,
    ApiKeyMetadata, AutoScalingStatus, BuildStatus, CreateAgentRequest, CreateApiKeyRequest,
    Deployment, DeploymentList, KrispViva, LogEntry, LogTotal, LogsResponse, Manifest,
    ManifestSpec, Organization, OrganizationList, RevisionHealth, RevisionInfo, SecretValue,
    Session, SessionLifecycle, SessionList, StartRequest, StartResponse, StopResponse, User,
    UserEmail, UserResponse,
};

mod builds;
mod organization;
mod secrets;

pub use builds::{
    BuildDirs, BuildLogQuery, BuildQuery, BuildSettings, Builds, DEFAULT_BUILD_TIMEOUT, UPLOAD_PATH,
};
pub use organization::LOCAL_REGION;
pub use secrets::INVALID_SECRETS_REQUEST;

use super::StateFile;
use super::auth::KeyCache;
use super::bodies::BodyDir;
use super::capacity::Capacity;
use super::error::{CloudError, CloudResult, What};
use super::identity::{self, Identity, LOCAL_USER_EMAIL};
use super::images::{ImageCatalog, Launch, build_image_uri};
use super::logs::{LogSource, LogWriter};
use super::names::{self, validate_agent_name};
use super::runtime::{self, Runtime, RuntimeSettings, SessionPlan};
use super::store::{
    AgentRecord, Credentials, DeploymentOptions, DeploymentRecord, KeyKind, LogFilter,
    SessionFilter, SessionRecord, Store, new_id,
};
use super::time::{now_ns, parse_unix_seconds, rfc3339_millis, rfc3339_nanos, seconds_between};

/// The only organization of a local cloud.
pub const ORG: &str = "local";
/// The platform's limits, defined once for the client and this server.
pub use crate::api::limits::{
    ARCHITECTURES, DEFAULT_MAX_SESSION_DURATION, DEFAULT_PAGE, KRISP_VIVA_FILTERS, MAX_PAGE,
    MAX_SESSION_DURATION, MIN_SESSION_DURATION,
};
/// The longest name of an API key, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// Server-wide settings that shape validation and defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `maxAgents` of agents that do not set one.
    pub default_max_agents: u32,
    /// The lowest `maxSessionDuration` accepted (60 unless lowered).
    pub min_session_duration: u32,
    /// The regions it has: [`LOCAL_REGION`] first, then those `serve
    /// --region` names.
    pub regions: Vec<String>,
    /// The identity provider's token lifetime and login page.
    pub identity: identity::Settings,
    /// Lines one session may log per second (see `logs.rs`).
    pub max_log_lines_per_second: u32,
    /// How long a contract session's agent may take to become ready.
    pub ready_timeout: Duration,
    /// Cloud builds: limits, timeout, the builder's options.
    pub builds: BuildSettings,
}

/// A JSON answer encoded where it was built: a logs page (up to 10,000
/// lines, about 1.5 MB) is built and encoded on a store read thread, which
/// runs at a lower priority, so that the async workers answering starts and
/// 429s never spend milliseconds on one.
pub struct EncodedJson(Vec<u8>);

impl EncodedJson {
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

pub struct Cloud {
    store: Arc<Store>,
    logs: Arc<LogWriter>,
    keys: KeyCache,
    capacity: Arc<Capacity>,
    runtime: Arc<Runtime>,
    images: ImageCatalog,
    settings: Settings,
    /// Live agents by name; the store is the truth, this is its cache.
    /// Shared records: a start reads its agent without copying it.
    agents: Mutex<HashMap<String, Arc<AgentRecord>>>,
    /// Sessions a stop request is stopping right now.
    stopping: Mutex<HashSet<String>>,
    /// The first usable key of each kind, as `server.json` shows them.
    credentials: Mutex<Credentials>,
    /// Where the running server publishes them (none until it listens, and
    /// again none once it has stopped).
    state_file: Mutex<Option<StateFile>>,
    /// Writes again what the store could not write (see [`STORE_RETRY`]).
    retrying: Option<tokio::task::JoinHandle<()>>,
    org_id: String,
    user_id: String,
    identity: Identity,
    builds: Builds,
    /// `http://127.0.0.1:PORT` once the server listens.
    server_url: OnceLock<String>,
}

impl Cloud {
    /// Opens the data dir's store, ends sessions the previous server left
    /// running, and starts the log writer.
    pub fn open(
        data_dir: &Path,
        images: ImageCatalog,
        settings: Settings,
    ) -> anyhow::Result<Cloud> {
        let store = Arc::new(Store::open(data_dir)?);
        let logs = Arc::new(LogWriter::start(store.path(), store.write_gate())?);
        runtime::recover(&store, &logs)?;
        // After the recovery: its sessions' files are leftovers.
        let bodies = BodyDir::open(data_dir);
        let keys = KeyCache::default();
        keys.replace(&store.keys()?);
        let credentials = store.credentials()?;
        let agents = store
            .live_agents()?
            .into_iter()
            .map(|a| (a.name.clone(), Arc::new(a)))
            .collect();
        let builds = Builds::open(&store, BuildDirs::new(data_dir), settings.builds.clone())?;
        builds.start_worker(store.clone());
        let capacity = Arc::new(Capacity::default());
        let runtime = Arc::new(Runtime::new(
            store.clone(),
            logs.clone(),
            capacity.clone(),
            bodies,
            RuntimeSettings {
                lines_per_second: settings.max_log_lines_per_second,
                ready_timeout: settings.ready_timeout,
            },
        ));
        let identity = Identity::new(store.clone(), settings.identity.clone());
        let org_id = store.meta("org_id")?.unwrap_or_default();
        let user_id = store.meta("user_id")?.unwrap_or_default();
        let retrying = tokio::runtime::Handle::try_current()
            .ok()
            .map(|runtime| runtime.spawn(retry_store_writes(store.clone())));
        Ok(Cloud {
            store,
            logs,
            keys,
            capacity,
            runtime,
            images,
            settings,
            agents: Mutex::new(agents),
            stopping: Mutex::new(HashSet::new()),
            credentials: Mutex::new(credentials),
            state_file: Mutex::new(None),
            retrying,
            org_id,
            user_id,
            identity,
            builds,
            server_url: OnceLock::new(),
        })
    }

    /// Names the server's URL once it listens (upload URLs and the
    /// identity provider's issuer are under it).
    pub fn set_server_url(&self, url: &str) {
        let url = url.trim_end_matches('/');
        let _ = self.server_url.set(url.to_string());
        self.identity.set_server_url(url);
    }

    fn server_url(&self) -> CloudResult<&str> {
        self.server_url
            .get()
            .map(String::as_str)
            .ok_or_else(|| CloudError::Internal("the server does not listen yet".into()))
    }

    pub fn keys(&self) -> &KeyCache {
        &self.keys
    }

    /// The identity provider (browser logins and their tokens).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The first usable key of each kind.
    pub fn credentials(&self) -> Credentials {
        lock(&self.credentials).clone()
    }

    /// Writes `state_file` (running, with the current credentials) and
    /// keeps it current as keys are created and revoked.
    pub fn publish(&self, state_file: StateFile) -> anyhow::Result<()> {
        let mut published = lock(&self.state_file);
        state_file.write(true, &self.credentials())?;
        *published = Some(state_file);
        Ok(())
    }

    /// Stops every session, commits every log line and marks the state
    /// file stopped.
    pub async fn shutdown(&self) {
        self.builds.shutdown(&self.store).await;
        self.runtime.shutdown().await;
        self.logs.close();
        if let Some(retrying) = &self.retrying {
            retrying.abort();
        }
        let store = self.store.clone();
        let unwritten = self.store.write(move |store| Ok(store.retry())).await;
        if let Ok(unwritten @ 1..) = unwritten {
            eprintln!(
                "pipecat local: the end of {unwritten} sessions could not be written to {} ({}); \
                 the next server on this data dir records them as ended by a restart",
                store.path().display(),
                store.write_failure().unwrap_or_default()
            );
        }
        if let Some(state_file) = lock(&self.state_file).take()
            && let Err(err) = state_file.write(false, &self.credentials())
        {
            eprintln!("pipecat local: {err:#}");
        }
    }

    /// A key was created or revoked: authorisation and the published
    /// credentials follow at once.
    fn keys_changed(&self) -> CloudResult<()> {
        // Held throughout, so concurrent changes publish in order.
        let state_file = lock(&self.state_file);
        self.keys.replace(&self.store.keys()?);
        let credentials = self.store.credentials()?;
        *lock(&self.credentials) = credentials.clone();
        if let Some(state_file) = state_file.as_ref()
            && let Err(err) = state_file.write(true, &credentials)
        {
            // The key change itself is done; only its advertisement failed.
            eprintln!("pipecat local: {err:#}");
        }
        Ok(())
    }

    fn agents(&self) -> MutexGuard<'_, HashMap<String, Arc<AgentRecord>>> {
        lock(&self.agents)
    }

    fn stopping(&self) -> MutexGuard<'_, HashSet<String>> {
        lock(&self.stopping)
    }

    fn live_agent(&self, name: &str) -> CloudResult<Arc<AgentRecord>> {
        validate_agent_name(name)?;
        self.agents()
            .get(name)
            .cloned()
            .ok_or(CloudError::NotFound(What::Agent))
    }

    /// Session and log routes also serve a deleted agent's past sessions.
    async fn known_agent(&self, name: &str) -> CloudResult<()> {
        validate_agent_name(name)?;
        let live = self.agents().contains_key(name);
        let name = name.to_string();
        if live || self.store.read(move |r| r.has_sessions(&name)).await? {
            Ok(())
        } else {
            Err(CloudError::NotFound(What::Agent))
        }
    }

    // --- sessions ---------------------------------------------------------

    /// Starts a session: checks and the capacity slot in memory (a 429
    /// touches nothing else), then the record and the process, off the
    /// async workers.
    pub async fn start_session(
        &self,
        name: &str,
        request: StartRequest,
    ) -> CloudResult<StartResponse> {
        let agent = self.live_agent(name)?;
        if request.create_daily_room {
            return Err(CloudError::InvalidInput(
                "The local cloud cannot create Daily rooms (no Daily account behind it): \
                 send createDailyRoom false; the session still runs and receives its body"
                    .into(),
            ));
        }
        let deployment = &agent.deployment;
        // First: the answer at capacity reads no secret, build or image.
        if !self
            .capacity
            .try_reserve(&agent.id, self.max_agents(deployment))
        {
            return Err(CloudError::AtCapacity);
        }
        let requested_ns = now_ns();
        let (env, launch) = match self.session_inputs(deployment) {
            Ok(inputs) => inputs,
            Err(refusal) => {
                self.capacity.release(&agent.id);
                return Err(refusal);
            }
        };
        let session = SessionRecord {
            id: new_id(),
            agent_name: agent.name.clone(),
            agent_id: agent.id.clone(),
            deployment_id: deployment.id.clone(),
            max_session_duration: deployment
                .max_session_duration
                .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
            requested_ns,
            process_started_ns: None,
            stop_requested_ns: None,
            ended_ns: None,
            updated_ns: requested_ns,
            completion_status: None,
            end_state: runtime::END_ACTIVE.into(),
        };
        let session_id = session.id.clone();
        self.runtime
            .launch(SessionPlan {
                session,
                launch,
                body: request.body,
                env,
            })
            .await
            .map_err(|err| match err {
                CloudError::Store(_) => self.unwritable().unwrap_or(err),
                err => err,
            })?;
        Ok(StartResponse {
            session_id: Some(session_id),
            ..StartResponse::default()
        })
    }

    /// The refusal of a start while the store cannot write, if it cannot.
    fn unwritable(&self) -> Option<CloudError> {
        let reason = self.store.write_failure()?;
        Some(CloudError::StoreUnwritable(format!(
            "The local cloud cannot record new sessions: writing its store failed ({reason}). \
             Free disk space for {}; starts resume once a write succeeds",
            self.store.path().display()
        )))
    }

    /// Sessions of the live agent `name`, else of the last one deleted
    /// under that name: an agent created again under a deleted one's name
    /// starts with none.
    pub async fn sessions(&self, name: &str, query: &SessionQuery) -> CloudResult<SessionList> {
        self.known_agent(name).await?;
        let live_id = self.agents().get(name).map(|agent| agent.id.clone());
        let active = match query.status.as_deref() {
            None | Some("all") => None,
            Some("active") => Some(true),
            Some("ended") => Some(false),
            Some(other) => {
                return Err(CloudError::InvalidInput(format!(
                    "Invalid status {other:?}: use active, ended or all"
                )));
            }
        };
        let filter = SessionFilter {
            active,
            end_state: query.end_state.clone(),
            deployment_id: query.deployment_id.clone(),
            start_ns: time_param("startTime", query.start_time.as_deref())?,
            end_ns: time_param("endTime", query.end_time.as_deref())?,
            limit: page_limit(query.limit)?,
            offset: query.offset.unwrap_or(0),
        };
        let name = name.to_string();
        let (total, records) = self
            .store
            .read(move |r| {
                let agent_id = match live_id {
                    Some(id) => Some(id),
                    None => r.newest_agent_id(&name)?,
                };
                agent_id.map(|id| r.sessions(&id, &filter)).transpose()
            })
            .await?
            .ok_or(CloudError::NotFound(What::Agent))?;
        Ok(SessionList {
            total_count: Some(total),
            sessions: records.iter().map(|s| self.session_view(s)).collect(),
        })
    }

    /// A session of any agent that had the name `name` (a deleted agent's
    /// sessions stay readable and stoppable by id).
    pub async fn session(&self, name: &str, session_id: &str) -> CloudResult<Session> {
        self.known_agent(name).await?;
        let record = self
            .stored_session(name, &names::session_id(session_id)?)
            .await?
            .ok_or(CloudError::NotFound(What::Session))?;
        Ok(self.session_view(&record))
    }

    async fn stored_session(
        &self,
        name: &str,
        session_id: &str,
    ) -> CloudResult<Option<SessionRecord>> {
        let (name, session_id) = (name.to_string(), session_id.to_string());
        Ok(self
            .store
            .read(move |r| r.session(&name, &session_id))
            .await?)
    }

    /// Stops a running session and answers once it has ended. Of
    /// concurrent stops of one session, the first stops it and the others
    /// find it not running.
    pub async fn stop_session(&self, name: &str, session_id: &str) -> CloudResult<StopResponse> {
        self.known_agent(name).await?;
        let session_id = names::session_id(session_id)?;
        let running = self
            .stored_session(name, &session_id)
            .await?
            .is_some_and(|s| s.ended_ns.is_none());
        if !running || !self.stopping().insert(session_id.clone()) {
            return Err(CloudError::SessionNotRunning);
        }
        // Released when this stop is done, even if its caller goes away.
        let _stopping = Stopping {
            cloud: self,
            session_id: &session_id,
        };
        if !self.runtime.stop(&session_id).await {
            return Err(CloudError::SessionNotRunning);
        }
        Ok(StopResponse {
            status: Some("terminated".into()),
            session_id: Some(session_id.clone()),
        })
    }

    fn session_view(&self, s: &SessionRecord) -> Session {
        let now = now_ns();
        Session {
            session_id: s.id.clone(),
            service_id: Some(s.agent_id.clone()),
            organization_id: Some(self.org_id.clone()),
            deployment_id: Some(s.deployment_id.clone()),
            created_at: Some(rfc3339_millis(s.requested_ns)),
            updated_at: Some(rfc3339_millis(s.updated_ns)),
            ended_at: s.ended_ns.map(rfc3339_millis),
            bot_start_seconds: s
                .process_started_ns
                .map(|at| seconds_between(s.requested_ns, at)),
            cold_start: Some(false),
            completion_status: s.completion_status.clone(),
            end_state: Some(s.end_state.clone()),
            resource_metrics: None,
            meeting_ids: None,
            max_session_duration: Some(s.max_session_duration),
            billed_seconds: Some(seconds_between(s.requested_ns, s.ended_ns.unwrap_or(now))),
            lifecycle: Some(SessionLifecycle {
                requested_at: Some(rfc3339_nanos(s.requested_ns)),
                process_started_at: s.process_started_ns.map(rfc3339_nanos),
                stop_requested_at: s.stop_requested_ns.map(rfc3339_nanos),
                ended_at: s.ended_ns.map(rfc3339_nanos),
            }),
        }
    }

    // --- logs -------------------------------------------------------------

    /// A page of an agent's log lines. `total` counts the matching lines up
    /// to 10,000 past the page (`relation: "eq"`), else is the lower bound
    /// that gives (`"gte"`); see the store's `TOTAL_LOOKAHEAD`.
    pub async fn logs(&self, name: &str, query: &LogQuery) -> CloudResult<EncodedJson> {
        self.known_agent(name).await?;
        let ascending = match query.order.as_deref() {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(other) => {
                return Err(CloudError::InvalidInput(format!(
                    "Invalid order {other:?}: use asc or desc"
                )));
            }
        };
        let filter = LogFilter {
            // Any spelling of a session id finds its lines; what is not a
            // UUID is matched as given (and finds nothing).
            session_id: query
                .session_id
                .as_deref()
                .map(|id| names::session_id(id).unwrap_or_else(|_| id.to_string())),
            deployment_id: query.deployment_id.clone(),
            query: query.query.clone().filter(|q| !q.is_empty()),
            start_ns: time_param("startTime", query.start_time.as_deref())?,
            end_ns: time_param("endTime", query.end_time.as_deref())?,
            ascending,
            limit: page_limit(query.limit)?,
            offset: query.offset.unwrap_or(0),
            after: None,
        };
        let name = name.to_string();
        let encoded = self
            .store
            .read(move |r| {
                let page = r.logs(&name, &filter)?;
                let response = LogsResponse {
                    total: Some(LogTotal {
                        value: page.total,
                        relation: if page.total_exact { "eq" } else { "gte" }.into(),
                    }),
                    logs: page
                        .rows
                        .into_iter()
                        .map(|row| LogEntry {
                            log: row.line,
                            timestamp: rfc3339_nanos(row.position.ts_ns),
                            deployment_id: row.deployment_id,
                            session_id: row.session_id,
                        })
                        .collect(),
                };
                Ok(serde_json::to_vec(&response))
            })
            .await?;
        encoded
            .map(EncodedJson)
            .map_err(|err| CloudError::Internal(format!("cannot encode the logs page: {err}")))
    }

    // --- agents -----------------------------------------------------------

    /// Live agents, oldest first; only those in `region` if given.
    pub fn list_agents(&self, region: Option<&str>) -> AgentList {
        let agents = self.agents();
        let mut items: Vec<_> = agents
            .values()
            .filter(|agent| region.is_none_or(|region| agent.region == region))
            .collect();
        items.sort_by(|a, b| (a.created_ns, &a.name).cmp(&(b.created_ns, &b.name)));
        AgentList {
            services: items
                .into_iter()
                .map(|a| AgentListItem {
                    id: Some(a.id.clone()),
                    name: a.name.clone(),
                    region: Some(a.region.clone()),
                    desired_deployment_id: Some(a.deployment.id.clone()),
                    active_deployment_id: Some(a.deployment.id.clone()),
                    reconciled_deployment_id: Some(a.deployment.id.clone()),
                    organization_id: Some(self.org_id.clone()),
                    created_at: Some(rfc3339_millis(a.created_ns)),
                    updated_at: Some(rfc3339_millis(a.updated_ns)),
                    deleted_at: None,
                    deployment: None,
                })
                .collect(),
        }
    }

    pub fn agent(&self, name: &str) -> CloudResult<AgentDetails> {
        Ok(self.details(&*self.live_agent(name)?))
    }

    pub fn create_agent(&self, request: CreateAgentRequest) -> CloudResult<AgentDetails> {
        validate_agent_name(&request.service_name)?;
        let spec = &request.spec;
        let named = |field: &Option<String>| {
            field
                .as_deref()
                .map(str::trim)
                .is_some_and(|value| !value.is_empty())
        };
        if !named(&spec.image) && !named(&spec.build_id) {
            return Err(CloudError::InvalidInput(
                "Either image or buildId is required for service creation".into(),
            ));
        }
        let mut agents = self.agents();
        if agents.contains_key(&request.service_name) {
            return Err(CloudError::AlreadyExists(What::Agent));
        }
        let now = now_ns();
        let agent_id = new_id();
        let base = DeploymentRecord {
            id: String::new(),
            agent_id: agent_id.clone(),
            image: String::new(),
            min_agents: 0,
            max_agents: None,
            max_session_duration: None,
            created_ns: now,
            options: DeploymentOptions::default(),
        };
        let deployment = self.apply_spec(&base, spec)?;
        let region = match spec.region.clone().filter(|r| !r.is_empty()) {
            Some(region) => region,
            None => self.default_region()?,
        };
        self.check_region(&region)?;
        self.check_bound_sets(&region, &deployment.options)?;
        self.check_build_region(&region, &deployment.options)?;
        let agent = AgentRecord {
            id: agent_id,
            name: request.service_name.clone(),
            region,
            agent_profile: spec.agent_profile.clone(),
            created_ns: now,
            updated_ns: now,
            deployment: DeploymentRecord {
                id: new_id(),
                ..deployment
            },
        };
        self.store.insert_agent(&agent)?;
        self.logs.event(
            &agent_source(&agent),
            &format!(
                "agent created (deployment {}, image {})",
                agent.deployment.id, agent.deployment.image
            ),
        );
        let details = self.details(&agent);
        agents.insert(agent.name.clone(), Arc::new(agent));
        Ok(details)
    }

    /// Applies `spec` to an existing agent; a change of image, scaling or
    /// max duration (or `forceRedeploy`) makes a new deployment.
    pub fn update_agent(&self, name: &str, spec: &AgentSpec) -> CloudResult<AgentDetails> {
        validate_agent_name(name)?;
        let mut agents = self.agents();
        let current = agents
            .get(name)
            .map(|agent| AgentRecord::clone(agent))
            .ok_or(CloudError::NotFound(What::Agent))?;
        let proposed = self.apply_spec(&current.deployment, spec)?;
        let redeploy = proposed != current.deployment || spec.force_redeploy == Some(true);
        let now = now_ns();
        let mut agent = current;
        if let Some(region) = spec.region.as_ref().filter(|r| !r.is_empty()) {
            self.check_region(region)?;
            agent.region = region.clone();
        }
        self.check_bound_sets(&agent.region, &proposed.options)?;
        self.check_build_region(&agent.region, &proposed.options)?;
        if spec.agent_profile.is_some() {
            agent.agent_profile = spec.agent_profile.clone();
        }
        agent.updated_ns = now;
        if redeploy {
            agent.deployment = DeploymentRecord {
                id: new_id(),
                created_ns: now,
                ..proposed
            };
        }
        self.store.update_agent(&agent, redeploy)?;
        if redeploy {
            self.logs.event(
                &agent_source(&agent),
                &format!("agent updated: new deployment {}", agent.deployment.id),
            );
        }
        let details = self.details(&agent);
        agents.insert(agent.name.clone(), Arc::new(agent));
        Ok(details)
    }

    /// Deletes an agent: new starts are 404, running sessions keep running
    /// until stopped one by one (as on the platform).
    pub fn delete_agent(&self, name: &str) -> CloudResult<()> {
        validate_agent_name(name)?;
        let mut agents = self.agents();
        let agent = agents.get(name).ok_or(CloudError::NotFound(What::Agent))?;
        self.store.delete_agent(&agent.id)?;
        self.logs.event(
            &agent_source(agent),
            "agent deleted; running sessions keep running until stopped",
        );
        agents.remove(name);
        Ok(())
    }

    pub async fn deployments(&self, name: &str) -> CloudResult<DeploymentList> {
        let agent = self.live_agent(name)?;
        let agent_id = agent.id.clone();
        let deployments = self.store.read(move |r| r.deployments(&agent_id)).await?;
        Ok(DeploymentList {
            deployments: deployments
                .iter()
                .map(|d| self.deployment_view(&agent, d))
                .collect(),
        })
    }

    /// The deployment `spec` asks for on top of `base` (id unchanged).
    fn apply_spec(
        &self,
        base: &DeploymentRecord,
        spec: &AgentSpec,
    ) -> CloudResult<DeploymentRecord> {
        let mut next = base.clone();
        let build_id = spec
            .build_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty());
        if let Some(image) = &spec.image {
            let image = image.trim();
            if image.is_empty() {
                return Err(CloudError::InvalidInput("image must not be empty".into()));
            }
            if build_id.is_some() {
                return Err(CloudError::InvalidInput(
                    "Give either image or buildId, not both".into(),
                ));
            }
            next.image = image.to_string();
            next.options.build_id = None;
        }
        if let Some(build_id) = build_id {
            let build = self.existing_build(build_id).map_err(|err| match err {
                CloudError::NotFound(_) => CloudError::InvalidInput(format!(
                    "buildId {build_id}: no such build in this organization (see `pipecat cloud build list`)"
                )),
                other => other,
            })?;
            next.image = build_image_uri(&build.id);
            next.options.build_id = Some(build.id);
        }
        if let Some(seconds) = spec.max_session_duration {
            let floor = self.settings.min_session_duration;
            if !(floor..=MAX_SESSION_DURATION).contains(&seconds) {
                return Err(CloudError::InvalidInput(format!(
                    "maxSessionDuration must be between {floor} and {MAX_SESSION_DURATION} seconds, got {seconds}"
                )));
            }
            next.max_session_duration = Some(seconds);
        }
        if let Some(scaling) = &spec.auto_scaling {
            if let Some(max) = scaling.max_agents {
                if max < 1 {
                    return Err(CloudError::InvalidInput(
                        "autoScaling.maxAgents must be at least 1".into(),
                    ));
                }
                next.max_agents = Some(max);
            }
            if let Some(min) = scaling.min_agents {
                next.min_agents = min;
            }
        }
        apply_options(&mut next.options, spec)?;
        if next.min_agents > self.max_agents(&next) {
            return Err(CloudError::InvalidInput(format!(
                "autoScaling.minAgents ({}) must not exceed maxAgents ({})",
                next.min_agents,
                self.max_agents(&next)
            )));
        }
        Ok(next)
    }

    /// What a session of `deployment` starts with (its secrets and what it
    /// runs), or why none can start now.
    fn session_inputs(
        &self,
        deployment: &DeploymentRecord,
    ) -> CloudResult<(Vec<(String, SecretValue)>, Launch)> {
        let env = self.session_env(&deployment.options)?;
        let launch = match self.readiness(deployment) {
            Readiness::Ready(launch) => launch,
            Readiness::Waiting { message, .. } | Readiness::Failed { message, .. } => {
                return Err(CloudError::NotReady(message));
            }
        };
        if let Some(refusal) = self.unwritable() {
            return Err(refusal);
        }
        Ok((env, launch))
    }

    fn max_agents(&self, deployment: &DeploymentRecord) -> u32 {
        deployment
            .max_agents
            .unwrap_or(self.settings.default_max_agents)
    }

    /// Whether sessions of `deployment` can start: what they run, or why
    /// not (its build is still running or failed, its image is unknown).
    fn readiness(&self, deployment: &DeploymentRecord) -> Readiness {
        if let Some(build_id) = &deployment.options.build_id {
            // A store failure is logged by the store; the deployment waits.
            let build = self.store.build(build_id).ok().flatten();
            match build.as_ref().map(|b| &b.status) {
                Some(BuildStatus::Success) => {}
                Some(BuildStatus::Failed | BuildStatus::Timeout) => {
                    let build = build.as_ref().expect("matched Some");
                    return Readiness::Failed {
                        reason: "BuildFailed",
                        code: "PCC_BUILD_FAILED",
                        message: format!(
                            "Build {build_id} {}: {}",
                            if build.status == BuildStatus::Timeout {
                                "timed out"
                            } else {
                                "failed"
                            },
                            build.error_message.as_deref().unwrap_or("no error message")
                        ),
                    };
                }
                Some(status) => {
                    return Readiness::Waiting {
                        message: format!(
                            "Build {build_id} is {}: the agent is ready when it succeeds",
                            status.as_str()
                        ),
                    };
                }
                None => {
                    return Readiness::Failed {
                        reason: "BuildNotFound",
                        code: "PCC_BUILD_FAILED",
                        message: format!("Build {build_id} no longer exists"),
                    };
                }
            }
        }
        match self.images.resolve(&deployment.image) {
            Some(launch) => Readiness::Ready(launch),
            None if deployment.options.build_id.is_some() => Readiness::Failed {
                reason: "ImageNotFound",
                code: "PCC_IMAGE_NOT_FOUND",
                message: format!(
                    "The image of build {} is missing from the data dir: create the build again",
                    deployment.options.build_id.as_deref().unwrap_or_default()
                ),
            },
            None => Readiness::Failed {
                reason: "ImageNotFound",
                code: "PCC_IMAGE_NOT_FOUND",
                message: format!(
                    "Image {:?} is not known to this local cloud: map it to a command with `--image NAME=COMMAND`",
                    deployment.image
                ),
            },
        }
    }

    /// A build named by a deployment must be in the agent's region.
    fn check_build_region(&self, region: &str, options: &DeploymentOptions) -> CloudResult<()> {
        let Some(build_id) = &options.build_id else {
            return Ok(());
        };
        let build = self.existing_build(build_id)?;
        if build.region != region {
            return Err(CloudError::InvalidInput(format!(
                "Build {build_id} is in region {:?}, the agent in {region:?}: build in the agent's region",
                build.region
            )));
        }
        Ok(())
    }

    fn details(&self, agent: &AgentRecord) -> AgentDetails {
        let d = &agent.deployment;
        let readiness = self.readiness(d);
        let ready = matches!(readiness, Readiness::Ready(_));
        let max = self.max_agents(d);
        let (phase, state, reason, message, error) = match &readiness {
            Readiness::Ready(_) => ("Active", "running", None, None, None),
            Readiness::Waiting { message } => (
                "Pending",
                "waiting",
                Some("BuildInProgress"),
                Some(message.clone()),
                None,
            ),
            Readiness::Failed {
                reason,
                code,
                message,
            } => (
                "Failed",
                "waiting",
                Some(*reason),
                Some(message.clone()),
                Some(AgentError {
                    code: Some((*code).into()),
                    message: Some(message.clone()),
                }),
            ),
        };
        AgentDetails {
            name: agent.name.clone(),
            region: Some(agent.region.clone()),
            ready,
            available: Some(ready),
            created_at: Some(rfc3339_millis(agent.created_ns)),
            updated_at: Some(rfc3339_millis(agent.updated_ns)),
            desired_deployment_id: Some(d.id.clone()),
            active_deployment_id: Some(d.id.clone()),
            // The deployment is always picked up at once; readiness alone says
            // whether it runs.
            reconciled_deployment_id: Some(d.id.clone()),
            active_deployment_ready: Some(ready),
            auto_scaling: Some(AutoScalingStatus {
                min_replicas: Some(d.min_agents),
                max_replicas: Some(max),
            }),
            active_session_count: Some(self.capacity.active(&agent.id)),
            deployment: Some(self.deployment_view(agent, d)),
            agent_profile: agent.agent_profile.clone(),
            krisp_viva: Some(KrispViva {
                audio_filter: d.options.krisp_viva_filter.clone(),
            }),
            current_revision: Some(RevisionInfo {
                deployment_id: Some(d.id.clone()),
                phase: Some(phase.into()),
                ready_replicas: Some(if ready { d.min_agents } else { 0 }),
                phase_started_at: Some(rfc3339_millis(d.created_ns)),
                health: Some(RevisionHealth {
                    ready: Some(ready),
                    state: Some(state.into()),
                    restart_count: Some(0),
                    replicas_started: Some(if ready { d.min_agents } else { 0 }),
                    reason: reason.map(Into::into),
                    message,
                    ..RevisionHealth::default()
                }),
                has_infrastructure_issue: Some(false),
            }),
            previous_revision: None,
            errors: error.into_iter().collect(),
        }
    }

    fn deployment_view(&self, agent: &AgentRecord, d: &DeploymentRecord) -> Deployment {
        Deployment {
            id: d.id.clone(),
            manifest: Some(Manifest {
                api_version: Some("pipecatcloud.daily.co/v1".into()),
                kind: Some("PCService".into()),
                metadata: Some(json!({"name": agent.name, "namespace": ORG})),
                spec: Some(ManifestSpec {
                    image: Some(d.image.clone()),
                    daily_node_type: d.options.node_type.clone(),
                    auto_scaling: Some(AutoScalingStatus {
                        min_replicas: Some(d.min_agents),
                        max_replicas: Some(self.max_agents(d)),
                    }),
                    image_pull_secret_name: d.options.image_pull_secret_set.clone(),
                    env_from_secret_names: d.options.secret_set.clone().map(|set| vec![set]),
                    krisp_viva: Some(
                        json!({"audioFilters": d.options.krisp_viva_filter.is_some()}),
                    ),
                    max_session_duration_seconds: d.max_session_duration,
                    arch: d.options.architecture.clone(),
                    websocket_auth: d.options.websocket_auth.clone(),
                    ..ManifestSpec::default()
                }),
            }),
            service_id: Some(agent.id.clone()),
            build_id: d.options.build_id.clone(),
            created_at: Some(rfc3339_millis(d.created_ns)),
            updated_at: Some(rfc3339_millis(d.created_ns)),
        }
    }

    // --- organization, user, keys ------------------------------------------

    /// The org surface serves only org `local`.
    pub fn check_org(&self, org: &str) -> CloudResult<()> {
        if org == ORG {
            Ok(())
        } else {
            Err(CloudError::NotFound(What::Organization))
        }
    }

    pub fn organizations(&self) -> OrganizationList {
        OrganizationList {
            organizations: vec![Organization {
                name: ORG.into(),
                verbose_name: Some("Local Pipecat Cloud".into()),
            }],
        }
    }

    pub fn user(&self) -> UserResponse {
        UserResponse {
            user: User {
                user_id: self.user_id.clone(),
                emails: vec![UserEmail {
                    email_address: LOCAL_USER_EMAIL.into(),
                }],
            },
        }
    }

    pub fn api_keys(&self) -> CloudResult<ApiKeyList> {
        Ok(ApiKeyList {
            public: self
                .store
                .keys()?
                .into_iter()
                .filter(|k| k.kind == KeyKind::Public)
                .map(|k| ApiKey {
                    id: k.id,
                    key: k.secret,
                    created_at: Some(rfc3339_millis(k.created_ns)),
                    revoked: k.revoked,
                    metadata: Some(ApiKeyMetadata { name: k.name }),
                })
                .collect(),
        })
    }

    pub fn create_api_key(&self, request: &CreateApiKeyRequest) -> CloudResult<ApiKey> {
        if request.key_type != "public" {
            return Err(CloudError::InvalidInput(
                "Only public API keys can be created (type \"public\")".into(),
            ));
        }
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > MAX_KEY_NAME_CHARS {
            return Err(CloudError::InvalidInput(format!(
                "Key name must be 1 to {MAX_KEY_NAME_CHARS} characters"
            )));
        }
        let key = self.store.insert_key(KeyKind::Public, Some(name))?;
        self.keys_changed()?;
        Ok(ApiKey {
            id: key.id,
            key: key.secret,
            created_at: Some(rfc3339_millis(key.created_ns)),
            revoked: false,
            metadata: Some(ApiKeyMetadata { name: key.name }),
        })
    }

    /// Soft-revokes a public key; it stops working at once.
    pub fn revoke_api_key(&self, id: &str) -> CloudResult<()> {
        if !self.store.revoke_public_key(id)? {
            return Err(CloudError::NotFound(What::ApiKey));
        }
        self.keys_changed()
    }
}

/// Query of the session list routes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    /// active, ended or all.
    pub status: Option<String>,
    /// The org surface's filter (active, completed, terminated, agent_error).
    pub end_state: Option<String>,
    pub deployment_id: Option<String>,
    /// Unix seconds, fractions allowed.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

/// Query of the logs routes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub deployment_id: Option<String>,
    pub session_id: Option<String>,
    /// Case-insensitive substring.
    pub query: Option<String>,
    /// asc or desc (default, as documented).
    pub order: Option<String>,
    /// Unix seconds, fractions allowed (inclusive).
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

/// How often writes the store could not make are tried again.
const STORE_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Tries again, every [`STORE_RETRY`], what the store could not write
/// (session ends), and whether it can write at all, so that starts resume
/// once it can.
async fn retry_store_writes(store: Arc<Store>) {
    let mut every = tokio::time::interval(STORE_RETRY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if store.needs_retry() {
            let _ = store.write(|store| Ok(store.retry())).await;
        }
    }
}

/// A session in `Cloud::stopping`, for as long as this lives.
struct Stopping<'a> {
    cloud: &'a Cloud,
    session_id: &'a str,
}

impl Drop for Stopping<'_> {
    fn drop(&mut self) {
        self.cloud.stopping().remove(self.session_id);
    }
}

/// Every lock here guards plain data that a panic cannot leave half
/// changed, so a poisoned lock is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether a deployment can run sessions.
enum Readiness {
    Ready(super::images::Launch),
    /// Its build has not finished yet.
    Waiting {
        message: String,
    },
    /// It cannot run: the platform's reason and error code, and why.
    Failed {
        reason: &'static str,
        code: &'static str,
        message: String,
    },
}

/// The deployment options `spec` sets on top of `options`. An empty set
/// name, or a `krispViva` without a filter, clears the field.
fn apply_options(options: &mut DeploymentOptions, spec: &AgentSpec) -> CloudResult<()> {
    let named = |name: &String| (!name.trim().is_empty()).then(|| name.clone());
    if let Some(set) = &spec.secret_set {
        options.secret_set = named(set);
    }
    if let Some(set) = &spec.image_pull_secret_set {
        options.image_pull_secret_set = named(set);
    }
    if let Some(krisp) = &spec.krisp_viva {
        if let Some(filter) = &krisp.audio_filter
            && !KRISP_VIVA_FILTERS.contains(&filter.as_str())
        {
            return Err(CloudError::InvalidInput(format!(
                "krispViva.audioFilter must be tel, pro or null, got {filter:?}"
            )));
        }
        options.krisp_viva_filter = krisp.audio_filter.clone();
    }
    if let Some(architecture) = &spec.architecture {
        if !ARCHITECTURES.contains(&architecture.as_str()) {
            return Err(CloudError::InvalidInput(format!(
                "architecture must be amd64 or arm64, got {architecture:?}"
            )));
        }
        options.architecture = Some(architecture.clone());
    }
    if let Some(node_type) = &spec.node_type {
        options.node_type = named(node_type);
    }
    if let Some(auth) = &spec.websocket_auth {
        options.websocket_auth = named(auth);
    }
    Ok(())
}

fn page_limit(limit: Option<u32>) -> CloudResult<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(limit) if limit <= MAX_PAGE => Ok(limit),
        Some(limit) => Err(CloudError::InvalidInput(format!(
            "limit must be at most {MAX_PAGE}, got {limit}"
        ))),
    }
}

fn time_param(name: &str, value: Option<&str>) -> CloudResult<Option<i64>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            parse_unix_seconds(v).ok_or_else(|| {
                CloudError::InvalidInput(format!(
                    "{name} must be Unix seconds (e.g. 1713472457.5), got {v:?}"
                ))
            })
        })
        .transpose()
}

fn agent_source(agent: &AgentRecord) -> LogSource {
    LogSource {
        agent_name: agent.name.clone(),
        deployment_id: Some(agent.deployment.id.clone()),
        session_id: None,
    }
}
