//! The HTTP surface. Handlers are thin: check the caller, parse, call one
//! `Cloud` operation, serialize. The documented `/v1/agents` routes and the
//! official CLI's `/v1/organizations/{org}` routes share every operation.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::api::types::{
    AgentDetails, AgentDetailsEnvelope, AgentList, AgentSpec, ApiKey, ApiKeyList,
    CreateAgentRequest, CreateApiKeyRequest, DeploymentList, LogsResponse, OrganizationList,
    Session, SessionList, StartRequest, StartResponse, StopResponse, UserResponse,
};

use super::auth::{Manager, Starter};
use super::cloud::{Cloud, LogQuery, SessionQuery};
use super::http::{
    ApiResult, JsonBody, MAX_BODY_BYTES, PathParams, QueryParams, method_not_allowed,
    route_not_found,
};

type AppState = State<Arc<Cloud>>;

pub fn router(cloud: Arc<Cloud>) -> Router {
    let documented = Router::new()
        .route("/v1/public/{agent}/start", post(start_session))
        .route("/v1/agents", get(list_agents).post(create_agent))
        .route(
            "/v1/agents/{agent}",
            get(get_agent).post(update_agent).delete(delete_agent),
        )
        .route("/v1/agents/{agent}/sessions", get(list_sessions))
        .route(
            "/v1/agents/{agent}/sessions/{session}",
            get(get_session).delete(stop_session),
        )
        .route("/v1/agents/{agent}/logs", get(logs))
        .route("/v1/agents/{agent}/deployments", get(deployments));
    let org = Router::new()
        .route("/v1/organizations", get(organizations))
        .route("/v1/users", get(user))
        .route(
            "/v1/organizations/{org}/services",
            get(org_list_agents)
                .post(org_create_agent)
                .put(org_update_agent),
        )
        .route(
            "/v1/organizations/{org}/services/{agent}",
            get(org_get_agent).delete(org_delete_agent),
        )
        .route(
            "/v1/organizations/{org}/services/{agent}/sessions",
            get(org_list_sessions),
        )
        .route(
            "/v1/organizations/{org}/services/{agent}/sessions/{session}",
            get(org_get_session).delete(org_stop_session),
        )
        .route(
            "/v1/organizations/{org}/services/{agent}/logs",
            get(org_logs),
        )
        .route(
            "/v1/organizations/{org}/services/{agent}/deployments",
            get(org_deployments),
        )
        .route(
            "/v1/organizations/{org}/apiKeys",
            get(list_keys).post(create_key),
        )
        .route(
            "/v1/organizations/{org}/apiKeys/{id}",
            axum::routing::delete(revoke_key),
        );
    documented
        .merge(org)
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(cloud)
}

// --- /v1/public and /v1/agents ----------------------------------------------

async fn start_session(
    _: Starter,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
    JsonBody(request): JsonBody<StartRequest>,
) -> ApiResult<StartResponse> {
    cloud.start_session(&agent, request).map(Json)
}

async fn list_agents(_: Manager, State(cloud): AppState) -> Json<AgentList> {
    Json(cloud.list_agents())
}

async fn create_agent(
    _: Manager,
    State(cloud): AppState,
    JsonBody(request): JsonBody<CreateAgentRequest>,
) -> ApiResult<AgentDetails> {
    cloud.create_agent(request).map(Json)
}

async fn get_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
) -> ApiResult<AgentDetails> {
    cloud.agent(&agent).map(Json)
}

async fn update_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
    JsonBody(spec): JsonBody<AgentSpec>,
) -> ApiResult<AgentDetails> {
    cloud.update_agent(&agent, &spec).map(Json)
}

async fn delete_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
) -> ApiResult<Value> {
    cloud
        .delete_agent(&agent)
        .map(|()| Json(json!({"status": "OK"})))
}

async fn list_sessions(
    _: Manager,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
    QueryParams(query): QueryParams<SessionQuery>,
) -> ApiResult<SessionList> {
    cloud.sessions(&agent, &query).map(Json)
}

async fn get_session(
    _: Manager,
    State(cloud): AppState,
    PathParams((agent, session)): PathParams<(String, String)>,
) -> ApiResult<Session> {
    cloud.session(&agent, &session).map(Json)
}

async fn stop_session(
    _: Manager,
    State(cloud): AppState,
    PathParams((agent, session)): PathParams<(String, String)>,
) -> ApiResult<StopResponse> {
    cloud.stop_session(&agent, &session).await.map(Json)
}

async fn logs(
    _: Manager,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
    QueryParams(query): QueryParams<LogQuery>,
) -> ApiResult<LogsResponse> {
    cloud.logs(&agent, &query).map(Json)
}

/// Not in the OpenAPI document: the organization surface's deployments
/// route, mirrored so a private key can list them too.
async fn deployments(
    _: Manager,
    State(cloud): AppState,
    PathParams(agent): PathParams<String>,
) -> ApiResult<DeploymentList> {
    cloud.deployments(&agent).map(Json)
}

// --- /v1/organizations/{org} -------------------------------------------------

async fn organizations(_: Manager, State(cloud): AppState) -> Json<OrganizationList> {
    Json(cloud.organizations())
}

async fn user(_: Manager, State(cloud): AppState) -> Json<UserResponse> {
    Json(cloud.user())
}

async fn org_list_agents(
    _: Manager,
    State(cloud): AppState,
    PathParams(org): PathParams<String>,
) -> ApiResult<AgentList> {
    cloud.check_org(&org)?;
    Ok(Json(cloud.list_agents()))
}

async fn org_create_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams(org): PathParams<String>,
    JsonBody(request): JsonBody<CreateAgentRequest>,
) -> ApiResult<AgentDetails> {
    cloud.check_org(&org)?;
    cloud.create_agent(request).map(Json)
}

/// The official CLI updates with a PUT on the collection, name in the body.
async fn org_update_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams(org): PathParams<String>,
    JsonBody(request): JsonBody<CreateAgentRequest>,
) -> ApiResult<AgentDetails> {
    cloud.check_org(&org)?;
    cloud
        .update_agent(&request.service_name, &request.spec)
        .map(Json)
}

async fn org_get_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent)): PathParams<(String, String)>,
) -> ApiResult<AgentDetailsEnvelope> {
    cloud.check_org(&org)?;
    let body = cloud.agent(&agent)?;
    Ok(Json(AgentDetailsEnvelope { body }))
}

async fn org_delete_agent(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent)): PathParams<(String, String)>,
) -> ApiResult<Value> {
    cloud.check_org(&org)?;
    cloud
        .delete_agent(&agent)
        .map(|()| Json(json!({"status": "OK"})))
}

async fn org_list_sessions(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent)): PathParams<(String, String)>,
    QueryParams(query): QueryParams<SessionQuery>,
) -> ApiResult<SessionList> {
    cloud.check_org(&org)?;
    cloud.sessions(&agent, &query).map(Json)
}

async fn org_get_session(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent, session)): PathParams<(String, String, String)>,
) -> ApiResult<Session> {
    cloud.check_org(&org)?;
    cloud.session(&agent, &session).map(Json)
}

async fn org_stop_session(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent, session)): PathParams<(String, String, String)>,
) -> ApiResult<StopResponse> {
    cloud.check_org(&org)?;
    cloud.stop_session(&agent, &session).await.map(Json)
}

async fn org_logs(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent)): PathParams<(String, String)>,
    QueryParams(query): QueryParams<LogQuery>,
) -> ApiResult<LogsResponse> {
    cloud.check_org(&org)?;
    cloud.logs(&agent, &query).map(Json)
}

async fn org_deployments(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, agent)): PathParams<(String, String)>,
) -> ApiResult<DeploymentList> {
    cloud.check_org(&org)?;
    cloud.deployments(&agent).map(Json)
}

async fn list_keys(
    _: Manager,
    State(cloud): AppState,
    PathParams(org): PathParams<String>,
) -> ApiResult<ApiKeyList> {
    cloud.check_org(&org)?;
    cloud.api_keys().map(Json)
}

async fn create_key(
    _: Manager,
    State(cloud): AppState,
    PathParams(org): PathParams<String>,
    JsonBody(request): JsonBody<CreateApiKeyRequest>,
) -> ApiResult<ApiKey> {
    cloud.check_org(&org)?;
    cloud.create_api_key(&request).map(Json)
}

async fn revoke_key(
    _: Manager,
    State(cloud): AppState,
    PathParams((org, id)): PathParams<(String, String)>,
) -> ApiResult<Value> {
    cloud.check_org(&org)?;
    cloud
        .revoke_api_key(&id)
        .map(|()| Json(json!({"status": "OK"})))
}
