//! The HTTP surface: one set of handlers, mounted on every surface.
//!
//! # Layout
//!
//! | surface | root | credential |
//! |---|---|---|
//! | public | `/v1/public` | the public key |
//! | documented ([`Surface::Documented`]) | `/v1` | private key or user token |
//! | organization ([`Surface::Organization`]) | `/v1/organizations/{org}` | the same, for org `local` only |
//!
//! plus `/v1/organizations` and `/v1/users` (the official CLI's account
//! routes), the identity provider's `/auth/...` (`login_routes.rs`,
//! no credential: they are how one is obtained), and the build context
//! upload ([`UPLOAD_PATH`], no credential either: like the platform's
//! presigned form, the slot's signed fields are the authority). Each
//! management surface is a router nested at its root; the public surface's
//! few routes are written out in full ([`PUBLIC_ROOT`]). Each has a
//! [`Guard`] that checks the credential (and the org) once per request,
//! before any handler: handlers never check either. Handlers are thin:
//! extract, call one `Cloud` operation, serialize; every error goes
//! through `http.rs`.
//!
//! # Adding a route
//!
//! - On both management surfaces: one `.route(...)` line in
//!   [`management`], its path relative to the surface root
//!   (`"/secrets/{set}"`), or in [`agent_routes`], relative to the agent
//!   collection (`"/{agent}/builds"`). Extract path parameters by name
//!   into a struct (`PathParams<AgentPath>`): the org surface's paths also
//!   carry `{org}`.
//! - On one surface only: in the `match surface` of those functions.
//! - A route of the official API that the local cloud does not serve: a
//!   row of [`NOT_EMULATED`]. When a route gets a handler, delete its row
//!   (a handler and a row for the same path and method make the router
//!   panic when it is built, so every test that starts a server says so).
//!
//! # Where the surfaces differ
//!
//! - the agent collection is `/agents` or `/services` ([`Surface::agents`]);
//! - GET of an agent: the org surface wraps it in `{"body": ...}`
//!   ([`Surface::agent_answer`]);
//! - update: the documented surface POSTs to the agent; the org surface
//!   PUTs to the collection with the name in the body ([`agent_routes`]);
//! - API keys are on the org surface only.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, delete, get, on, post, put};
use axum::{Extension, Json, Router};
use futures_util::FutureExt;
use futures_util::future::Either;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::{Layer, Service};
use tower_http::cors::{Any, CorsLayer};

use crate::api::types::{
    AgentDetails, AgentDetailsEnvelope, AgentList, AgentSpec, ApiKey, ApiKeyList,
    CreateAgentRequest, CreateApiKeyRequest, CreateBuildRequest, CreateBuildResponse,
    DeploymentList, GetBuildLogsResponse, GetBuildResponse, ListBuildsResponse, OrganizationList,
    Properties, PropertySchemas, RegionList, SecretSet, SecretSetList, SecretSetRequest,
    SecretSetStored, Session, SessionList, StartRequest, StartResponse, StopResponse,
    UploadUrlRequest, UploadUrlResponse, UserResponse,
};

use super::auth::{Needs, authorize};
use super::cloud::{
    BuildLogQuery, BuildQuery, Cloud, EncodedJson, INVALID_SECRETS_REQUEST, LogQuery, SessionQuery,
    UPLOAD_PATH,
};
use super::connections::App;
use super::error::CloudError;
use super::http::{
    ApiError, ApiResult, JsonBody, MAX_BODY_BYTES, PathParams, QueryParams, method_not_allowed,
    route_not_found,
};
use super::login_routes;

type AppState = State<Arc<Cloud>>;

/// The two surfaces that manage agents; see the module doc for how they
/// differ. Handlers that answer differently take `Extension<Surface>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `/v1/...`: the documented API (the private key, what CI uses).
    Documented,
    /// `/v1/organizations/{org}/...`: the official CLI's (the user token).
    Organization,
}

impl Surface {
    fn root(self) -> &'static str {
        match self {
            Surface::Documented => "/v1",
            Surface::Organization => "/v1/organizations/{org}",
        }
    }

    /// The agent collection, relative to the root.
    fn agents(self) -> &'static str {
        match self {
            Surface::Documented => "/agents",
            Surface::Organization => "/services",
        }
    }

    fn access(self) -> Access {
        match self {
            Surface::Documented => Access::Manage,
            Surface::Organization => Access::ManageOrg,
        }
    }

    /// The answer to a GET of one agent.
    fn agent_answer(self, details: AgentDetails) -> Response {
        match self {
            Surface::Documented => Json(details).into_response(),
            Surface::Organization => Json(AgentDetailsEnvelope { body: details }).into_response(),
        }
    }
}

/// What the guard checks before a handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// The public key.
    Public,
    /// The private key or the user token.
    Manage,
    /// As `Manage`, and the `{org}` of the path must be the local org.
    ManageOrg,
}

/// The whole API, with JSON answers for unknown routes and wrong methods,
/// and the body limit of every request (a route may lift it, as the upload
/// does). The limit is put around the router whole: a layer on the router
/// would wrap each route, and cost every request one more boxed service.
pub fn router(cloud: Arc<Cloud>) -> impl App {
    let routes = Router::new()
        .merge(public(&cloud))
        .nest(
            Surface::Documented.root(),
            management(&cloud, Surface::Documented),
        )
        .nest(
            Surface::Organization.root(),
            management(&cloud, Surface::Organization),
        )
        .merge(account(&cloud))
        .merge(login_routes::router())
        .route(
            UPLOAD_PATH,
            // The upload bounds itself (see `receive_upload`).
            post(receive_upload).layer(DefaultBodyLimit::disable()),
        )
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(cloud);
    DefaultBodyLimit::max(MAX_BODY_BYTES).layer(routes)
}

/// The public surface's root. Its routes are written out in full rather
/// than nested: a nested router costs each request a second lookup and a
/// rewritten URI, and a start at capacity is the request a busy server
/// answers most.
const PUBLIC_ROOT: &str = "/v1/public";

/// `/v1/public`: starting sessions with the public key. Its answers are
/// for browsers too (CORS), so that web apps holding a public key can start
/// sessions, as the Pipecat client SDKs do.
fn public(cloud: &Arc<Cloud>) -> Router<Arc<Cloud>> {
    let routes = Router::new()
        .route(
            &format!("{PUBLIC_ROOT}/{{agent}}/start"),
            post(start_session),
        )
        .merge(not_emulated(PUBLIC_ROOT, |on| on == On::Public));
    with_guard(routes, cloud, Access::Public)
        // Set before the CORS layer so that the layer wraps this fallback
        // too: a preflight (OPTIONS, without credential) is answered there.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(public_cors())
}

/// Preflights are answered for any origin, and every answer (errors too)
/// says any origin may read it. No cookies are involved: the credential is
/// a bearer key. No `Vary`: every answer is the same whatever the origin
/// and the preflight's request headers (and the layer, cloned for every
/// request, then allocates nothing).
fn public_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(3600))
        .vary([])
}

/// The routes of one management surface, relative to its root.
fn management(cloud: &Arc<Cloud>, surface: Surface) -> Router<Arc<Cloud>> {
    // Routes on both surfaces: one `.route(...)` line each, after the
    // agents.
    let shared = Router::new()
        .nest(surface.agents(), agent_routes(surface))
        .route("/secrets", get(list_secret_sets))
        .route(
            "/secrets/{set}",
            get(get_secret_set)
                .put(store_secret_set)
                .delete(delete_secret_set),
        )
        .route("/secrets/{set}/{key}", delete(delete_secret))
        .route("/regions", get(regions))
        .route("/properties", get(properties).patch(update_properties))
        .route("/properties/schema", get(property_schemas))
        .route("/builds", get(list_builds).post(create_build))
        .route("/builds/upload-url", post(build_upload_url))
        .route("/builds/{build}", get(get_build))
        .route("/builds/{build}/logs", get(build_logs));
    // Routes on one surface only.
    let own = match surface {
        Surface::Documented => Router::new(),
        Surface::Organization => Router::new()
            .route("/apiKeys", get(list_keys).post(create_key))
            .route("/apiKeys/{id}", delete(revoke_key)),
    };
    let routes = shared
        .merge(own)
        .merge(not_emulated("", |on| surface.has(on)));
    with_guard(routes, cloud, surface.access()).layer(Extension(surface))
}

/// The agent collection and everything under it, relative to
/// `/v1/agents` or `/v1/organizations/{org}/services`.
fn agent_routes(surface: Surface) -> Router<Arc<Cloud>> {
    let routes = Router::new()
        .route("/", get(list_agents).post(create_agent))
        .route("/{agent}", get(get_agent).delete(delete_agent))
        .route("/{agent}/sessions", get(list_sessions))
        .route(
            "/{agent}/sessions/{session}",
            get(get_session).delete(stop_session),
        )
        .route("/{agent}/logs", get(logs))
        // Not in the OpenAPI document: the org surface's route, mirrored
        // so that a private key can list deployments too.
        .route("/{agent}/deployments", get(deployments));
    match surface {
        Surface::Documented => routes.route("/{agent}", post(update_agent)),
        Surface::Organization => routes.route("/", put(update_agent_named_in_body)),
    }
}

/// `/v1/organizations` and `/v1/users`: the caller's account.
fn account(cloud: &Arc<Cloud>) -> Router<Arc<Cloud>> {
    let routes = Router::new()
        .route("/v1/organizations", get(organizations))
        .route("/v1/users", get(user));
    with_guard(routes, cloud, Access::Manage)
}

/// Puts a [`Guard`] in front of every route of `routes` (`route_layer`:
/// only requests that match a route; unknown paths stay a 404 whatever the
/// credential).
fn with_guard(
    routes: Router<Arc<Cloud>>,
    cloud: &Arc<Cloud>,
    access: Access,
) -> Router<Arc<Cloud>> {
    routes.route_layer(GuardLayer {
        cloud: cloud.clone(),
        access,
    })
}

#[derive(Clone)]
struct GuardLayer {
    cloud: Arc<Cloud>,
    access: Access,
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            cloud: self.cloud.clone(),
            access: self.access,
        }
    }
}

/// Checks the credential first (so a caller without one learns nothing
/// about orgs), then the org, and answers the refusal itself. A hand-written
/// service rather than `middleware::from_fn`: the check never waits, so a
/// refused or admitted request costs no boxed future and no copy of the
/// route behind it (every start at capacity passes here).
#[derive(Clone)]
struct Guard<S> {
    inner: S,
    cloud: Arc<Cloud>,
    access: Access,
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<std::future::Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match check(&self.cloud, self.access, request) {
            Ok(request) => Either::Right(self.inner.call(request)),
            Err(err) => Either::Left(std::future::ready(Ok(err.into_response()))),
        }
    }
}

fn check(cloud: &Cloud, access: Access, request: Request) -> Result<Request, ApiError> {
    let needs = match access {
        Access::Public => Needs::PublicKey,
        Access::Manage | Access::ManageOrg => Needs::ManagementKey,
    };
    authorize(request.headers(), cloud.keys(), cloud.identity(), needs)?;
    if access != Access::ManageOrg {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    // The path extractor reads what the router put in the request and
    // never waits.
    let org = PathParams::<OrgPath>::from_request_parts(&mut parts, &())
        .now_or_never()
        .ok_or(ApiError::Cloud(CloudError::Internal(
            "the path extractor did not answer at once".into(),
        )))??
        .0
        .org;
    cloud.check_org(&org)?;
    Ok(Request::from_parts(parts, body))
}

// --- routes the local cloud does not emulate --------------------------------

/// A route of the official API that the local cloud does not serve.
struct Gap {
    on: On,
    /// Relative to the surface root.
    path: &'static str,
    methods: MethodFilter,
    /// Completes "the local cloud does not emulate ...".
    what: &'static str,
}

/// Which surfaces have a [`Gap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// The organization surface only.
    Org,
    /// `/v1/public`.
    Public,
}

impl Surface {
    fn has(self, on: On) -> bool {
        matches!((self, on), (Surface::Organization, On::Org))
    }
}

use On::{Org, Public};

const GET: MethodFilter = MethodFilter::GET;
const POST: MethodFilter = MethodFilter::POST;
const PUT: MethodFilter = MethodFilter::PUT;
const PATCH: MethodFilter = MethodFilter::PATCH;
const DELETE: MethodFilter = MethodFilter::DELETE;

/// Routes of the official API (the OpenAPI document and the official CLI's
/// endpoints) that the local cloud does not emulate. Each answers 501
/// `{"error": "the local cloud does not emulate <what>", "code":
/// "NOT_EMULATED"}` after the surface's credential check, never the 404
/// that clients read as "nothing there". Paths that no API has stay 404.
/// When a route gets a handler, delete its row.
#[rustfmt::skip]
const NOT_EMULATED: &[Gap] = &[
    Gap { on: Org, path: "/secrets/references", methods: POST, what: "secrets" },
    Gap { on: Org, path: "/regions", methods: POST, what: "regions" },
    Gap { on: Org, path: "/regions/{region}", methods: GET.or(DELETE), what: "regions" },
    Gap { on: Org, path: "/regions/{region}/enrollment-tokens", methods: POST, what: "regions" },
    Gap { on: Org, path: "/spend-limit", methods: GET.or(PUT), what: "the spend limit" },
    Gap { on: Org, path: "/registry-keys", methods: GET.or(POST), what: "registry keys" },
    Gap { on: Org, path: "/registry-keys/{id}", methods: DELETE, what: "registry keys" },
    Gap { on: Org, path: "/agent-profiles", methods: GET.or(POST), what: "agent profiles" },
    Gap { on: Org, path: "/agent-profiles/{profile}", methods: PATCH, what: "agent profiles" },
    Gap { on: Org, path: "/github/install-url", methods: GET, what: "GitHub" },
    Gap { on: Org, path: "/github/link-url", methods: GET, what: "GitHub" },
    Gap { on: Org, path: "/github/installation", methods: GET.or(DELETE), what: "GitHub" },
    Gap { on: Org, path: "/github/repositories", methods: GET, what: "GitHub" },
    Gap { on: Org, path: "/github/repositories/{owner}/{repo}/branches", methods: GET, what: "GitHub" },
    Gap { on: Org, path: "/services/{agent}/environments/production/git", methods: POST.or(DELETE), what: "deploys from git" },
    Gap { on: Org, path: "/services/{agent}/environments/production/git/deploy", methods: POST, what: "deploys from git" },
    Gap { on: Org, path: "/daily", methods: GET, what: "the organization's Daily API key" },
    Gap { on: Public, path: "/{agent}/sessions/{session}/{*path}", methods: GET.or(POST).or(PUT).or(PATCH).or(DELETE), what: "requests to a running session (session sub-resources)" },
];

/// The 501 routes of the surfaces `wanted` accepts.
fn not_emulated(root: &str, wanted: impl Fn(On) -> bool) -> Router<Arc<Cloud>> {
    NOT_EMULATED
        .iter()
        .filter(|gap| wanted(gap.on))
        .fold(Router::new(), |routes, gap| {
            let what = gap.what;
            routes.route(
                &format!("{root}{}", gap.path),
                on(
                    gap.methods,
                    move || async move { ApiError::NotEmulated(what) },
                ),
            )
        })
}

// --- path parameters -------------------------------------------------------

#[derive(Deserialize)]
struct OrgPath {
    org: String,
}

#[derive(Deserialize)]
struct AgentPath {
    agent: String,
}

#[derive(Deserialize)]
struct SessionPath {
    agent: String,
    session: String,
}

#[derive(Deserialize)]
struct BuildPath {
    build: String,
}

#[derive(Deserialize)]
struct KeyPath {
    id: String,
}

/// Query of the agent list.
#[derive(Deserialize)]
struct AgentListQuery {
    region: Option<String>,
}

#[derive(Deserialize)]
struct SecretSetPath {
    set: String,
}

#[derive(Deserialize)]
struct SecretPath {
    set: String,
    key: String,
}

/// Query of the secret set list.
#[derive(Deserialize)]
struct SecretListQuery {
    region: Option<String>,
}

// --- handlers ----------------------------------------------------------------

async fn start_session(
    State(cloud): AppState,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
    JsonBody(request): JsonBody<StartRequest>,
) -> ApiResult<StartResponse> {
    Ok(Json(cloud.start_session(&agent, request).await?))
}

async fn list_agents(
    State(cloud): AppState,
    QueryParams(query): QueryParams<AgentListQuery>,
) -> Json<AgentList> {
    Json(cloud.list_agents(query.region.as_deref()))
}

async fn create_agent(
    State(cloud): AppState,
    JsonBody(request): JsonBody<CreateAgentRequest>,
) -> ApiResult<AgentDetails> {
    Ok(Json(cloud.create_agent(request)?))
}

async fn get_agent(
    State(cloud): AppState,
    Extension(surface): Extension<Surface>,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
) -> Result<Response, ApiError> {
    Ok(surface.agent_answer(cloud.agent(&agent)?))
}

async fn update_agent(
    State(cloud): AppState,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
    JsonBody(spec): JsonBody<AgentSpec>,
) -> ApiResult<AgentDetails> {
    Ok(Json(cloud.update_agent(&agent, &spec)?))
}

async fn update_agent_named_in_body(
    State(cloud): AppState,
    JsonBody(request): JsonBody<CreateAgentRequest>,
) -> ApiResult<AgentDetails> {
    Ok(Json(
        cloud.update_agent(&request.service_name, &request.spec)?,
    ))
}

async fn delete_agent(
    State(cloud): AppState,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
) -> ApiResult<Value> {
    cloud.delete_agent(&agent)?;
    Ok(Json(json!({"status": "OK"})))
}

async fn list_sessions(
    State(cloud): AppState,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
    QueryParams(query): QueryParams<SessionQuery>,
) -> ApiResult<SessionList> {
    Ok(Json(cloud.sessions(&agent, &query).await?))
}

async fn get_session(
    State(cloud): AppState,
    PathParams(SessionPath { agent, session }): PathParams<SessionPath>,
) -> ApiResult<Session> {
    Ok(Json(cloud.session(&agent, &session).await?))
}

async fn stop_session(
    State(cloud): AppState,
    PathParams(SessionPath { agent, session }): PathParams<SessionPath>,
) -> ApiResult<StopResponse> {
    Ok(Json(cloud.stop_session(&agent, &session).await?))
}

async fn logs(
    State(cloud): AppState,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
    QueryParams(query): QueryParams<LogQuery>,
) -> Result<EncodedJson, ApiError> {
    Ok(cloud.logs(&agent, &query).await?)
}

async fn deployments(
    State(cloud): AppState,
    PathParams(AgentPath { agent }): PathParams<AgentPath>,
) -> ApiResult<DeploymentList> {
    Ok(Json(cloud.deployments(&agent).await?))
}

async fn organizations(State(cloud): AppState) -> Json<OrganizationList> {
    Json(cloud.organizations())
}

async fn user(State(cloud): AppState) -> Json<UserResponse> {
    Json(cloud.user())
}

async fn list_keys(State(cloud): AppState) -> ApiResult<ApiKeyList> {
    Ok(Json(cloud.api_keys()?))
}

async fn create_key(
    State(cloud): AppState,
    JsonBody(request): JsonBody<CreateApiKeyRequest>,
) -> ApiResult<ApiKey> {
    Ok(Json(cloud.create_api_key(&request)?))
}

async fn revoke_key(
    State(cloud): AppState,
    PathParams(KeyPath { id }): PathParams<KeyPath>,
) -> ApiResult<Value> {
    cloud.revoke_api_key(&id)?;
    Ok(Json(json!({"status": "OK"})))
}

// --- secrets, regions, properties --------------------------------------------

async fn list_secret_sets(
    State(cloud): AppState,
    QueryParams(query): QueryParams<SecretListQuery>,
) -> ApiResult<SecretSetList> {
    Ok(Json(cloud.secret_sets(query.region.as_deref())?))
}

async fn get_secret_set(
    State(cloud): AppState,
    PathParams(SecretSetPath { set }): PathParams<SecretSetPath>,
) -> ApiResult<SecretSet> {
    Ok(Json(cloud.secret_set(&set)?))
}

/// 202, as documented: the values are stored (a local set is ready at
/// once). The body is read as JSON first and then as the request, so
/// that a body of the wrong shape is refused without serde's message,
/// which may quote a value.
async fn store_secret_set(
    State(cloud): AppState,
    PathParams(SecretSetPath { set }): PathParams<SecretSetPath>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<SecretSetStored>), ApiError> {
    let request: SecretSetRequest = serde_json::from_value(body)
        .map_err(|_| CloudError::InvalidInput(INVALID_SECRETS_REQUEST.into()))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(cloud.store_secret_set(&set, request)?),
    ))
}

async fn delete_secret_set(
    State(cloud): AppState,
    PathParams(SecretSetPath { set }): PathParams<SecretSetPath>,
) -> ApiResult<Value> {
    cloud.delete_secret_set(&set)?;
    Ok(Json(json!({"status": "OK"})))
}

async fn delete_secret(
    State(cloud): AppState,
    PathParams(SecretPath { set, key }): PathParams<SecretPath>,
) -> ApiResult<Value> {
    cloud.delete_secret(&set, &key)?;
    Ok(Json(json!({"status": "OK"})))
}

async fn regions(State(cloud): AppState) -> Json<RegionList> {
    Json(cloud.regions())
}

async fn properties(State(cloud): AppState) -> ApiResult<Properties> {
    Ok(Json(cloud.properties()?))
}

async fn property_schemas(State(cloud): AppState) -> ApiResult<PropertySchemas> {
    Ok(Json(cloud.property_schemas()?))
}

async fn update_properties(
    State(cloud): AppState,
    JsonBody(changes): JsonBody<serde_json::Map<String, Value>>,
) -> ApiResult<PropertySchemas> {
    Ok(Json(cloud.update_properties(changes)?))
}

// --- builds --------------------------------------------------------------------

async fn build_upload_url(
    State(cloud): AppState,
    JsonBody(request): JsonBody<UploadUrlRequest>,
) -> ApiResult<UploadUrlResponse> {
    Ok(Json(cloud.build_upload_url(&request)?))
}

/// 201 for a new build, 200 for a cached one (as documented).
async fn create_build(
    State(cloud): AppState,
    JsonBody(request): JsonBody<CreateBuildRequest>,
) -> Result<(StatusCode, Json<CreateBuildResponse>), ApiError> {
    let (answer, created) = cloud.create_build(&request)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)))
}

async fn list_builds(
    State(cloud): AppState,
    QueryParams(query): QueryParams<BuildQuery>,
) -> ApiResult<ListBuildsResponse> {
    Ok(Json(cloud.list_builds(&query)?))
}

async fn get_build(
    State(cloud): AppState,
    PathParams(BuildPath { build }): PathParams<BuildPath>,
) -> ApiResult<GetBuildResponse> {
    Ok(Json(cloud.get_build(&build)?))
}

async fn build_logs(
    State(cloud): AppState,
    PathParams(BuildPath { build }): PathParams<BuildPath>,
    QueryParams(query): QueryParams<BuildLogQuery>,
) -> ApiResult<GetBuildLogsResponse> {
    Ok(Json(cloud.build_logs(&build, &query)?))
}

/// Form fields an upload may send before its file, and the bytes of each.
const MAX_UPLOAD_FIELDS: usize = 32;
const MAX_UPLOAD_FIELD_BYTES: usize = 8 * 1024;
/// What is read past a refused upload's limit before answering.
const UPLOAD_DRAIN_BYTES: usize = 1024 * 1024;

/// The build context upload: a multipart form whose fields (the slot's
/// `uploadFields`) come first, then `file`. Answers 204 once the file is
/// stored, as S3 does. The file is bounded by the cloud while it streams;
/// the fields here.
async fn receive_upload(
    State(cloud): AppState,
    form: Result<Multipart, MultipartRejection>,
) -> Result<StatusCode, ApiError> {
    let mut form = form.map_err(|rejection| {
        ApiError::from(CloudError::InvalidInput(format!(
            "Send the build context as a multipart form: {}",
            rejection.body_text()
        )))
    })?;
    let mut fields = BTreeMap::new();
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let mut upload = cloud.begin_upload(&fields)?;
            while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
                if let Err(err) = upload.write(&chunk).await {
                    drop(upload);
                    // A little more is read (and dropped) so that a client
                    // just over the limit gets the answer before the
                    // connection closes.
                    let mut left = UPLOAD_DRAIN_BYTES;
                    while let Ok(Some(chunk)) = field.chunk().await {
                        left = left.saturating_sub(chunk.len());
                        if left == 0 {
                            break;
                        }
                    }
                    return Err(err.into());
                }
            }
            upload.finish().await?;
            return Ok(StatusCode::NO_CONTENT);
        }
        if fields.len() == MAX_UPLOAD_FIELDS {
            return Err(CloudError::InvalidInput(format!(
                "The upload form has more than {MAX_UPLOAD_FIELDS} fields before its file"
            ))
            .into());
        }
        let value = field_text(&mut field).await?;
        fields.insert(name, value);
    }
    Err(CloudError::InvalidInput(
        "The upload form has no `file` field: send the upload fields, then the file".into(),
    )
    .into())
}

async fn field_text(field: &mut Field<'_>) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
        if bytes.len() + chunk.len() > MAX_UPLOAD_FIELD_BYTES {
            return Err(CloudError::InvalidInput(format!(
                "The upload form's field {:?} is over {MAX_UPLOAD_FIELD_BYTES} bytes",
                field.name().unwrap_or_default()
            ))
            .into());
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        CloudError::InvalidInput(format!(
            "The upload form's field {:?} is not UTF-8 text",
            field.name().unwrap_or_default()
        ))
        .into()
    })
}

fn bad_form(err: axum::extract::multipart::MultipartError) -> ApiError {
    CloudError::InvalidInput(format!("Cannot read the upload form: {}", err.body_text())).into()
}
