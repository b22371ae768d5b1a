//! Black-box tests of `pipecat cloud local serve`: the real binary on an
//! ephemeral port, raw HTTP, assertions on the JSON field names of the
//! documented API (never through our own client types).
//!
//! Nothing here asserts on timing: waits poll with generous deadlines.

mod common;

use std::time::{Duration, Instant};

use common::LocalCloud;
use common::api::Api;
use reqwest::StatusCode;
use serde_json::{Value, json};

const AGENT: &str = "my-first-agent";
/// Generous: the suite must pass on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// Starts a session of `agent` with the public key; returns its id.
async fn start(api: &Api, cloud: &LocalCloud, agent: &str, body: Value) -> String {
    start_with_key(api, &cloud.public_key, agent, body).await
}

async fn start_with_key(api: &Api, public_key: &str, agent: &str, body: Value) -> String {
    let (status, answer) = api
        .post(
            &format!("/v1/public/{agent}/start"),
            public_key,
            json!({"createDailyRoom": false, "body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "start answered {answer}");
    answer["sessionId"].as_str().expect("sessionId").to_string()
}

async fn session(api: &Api, cloud: &LocalCloud, agent: &str, id: &str) -> Value {
    let (status, answer) = api
        .get(
            &format!("/v1/agents/{agent}/sessions/{id}"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "get session answered {answer}");
    answer
}

/// Polls the session until it has ended; returns it.
async fn wait_ended(api: &Api, cloud: &LocalCloud, agent: &str, id: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let s = session(api, cloud, agent, id).await;
        if !s["endedAt"].is_null() {
            return s;
        }
        assert!(Instant::now() < deadline, "session {id} did not end: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls the agent's logs until one line contains `needle`; returns all
/// its lines (oldest first).
async fn wait_log(api: &Api, cloud: &LocalCloud, agent: &str, needle: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    let logs_path = format!("/v1/agents/{agent}/logs");
    let search = reqwest::Url::parse_with_params("http://x/", [("query", needle)]).unwrap();
    let search = search.query().unwrap();
    loop {
        let (status, found) = api
            .get(&format!("{logs_path}?limit=1&{search}"), &cloud.private_key)
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        if found["total"]["value"].as_u64() > Some(0) {
            let (_, all) = api
                .get(
                    &format!("{logs_path}?limit=10000&order=asc"),
                    &cloud.private_key,
                )
                .await;
            return all;
        }
        assert!(Instant::now() < deadline, "no log line contains {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn log_lines(logs: &Value) -> Vec<String> {
    logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["log"].as_str().unwrap().to_string())
        .collect()
}

async fn create_agent(api: &Api, cloud: &LocalCloud, spec: Value) -> Value {
    let (status, answer) = api.post("/v1/agents", &cloud.private_key, spec).await;
    assert_eq!(status, StatusCode::OK, "create answered {answer}");
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_body_reaches_the_process_and_shows_in_its_logs() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let id = start(
        &api,
        &cloud,
        AGENT,
        json!({"greeting": "Hello-From-Test", "n": 7}),
    )
    .await;

    let logs = wait_log(&api, &cloud, AGENT, "Hello-From-Test").await;
    let body_line = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["log"].as_str().unwrap().contains("Hello-From-Test"))
        .unwrap();
    assert!(body_line["log"].as_str().unwrap().contains(r#""n":7"#));
    assert_eq!(body_line["sessionId"], json!(id));
    assert!(body_line["deploymentId"].is_string());
    let timestamp = body_line["timestamp"].as_str().unwrap();
    assert!(timestamp.ends_with('Z') && timestamp.len() == "2025-04-18T20:34:17.153744602Z".len());
    assert!(
        log_lines(&logs).iter().any(|l| l.contains(&id)),
        "the bot logs its session id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_listed_got_and_stopped() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let id = start(&api, &cloud, AGENT, json!({"tag": "list-get-stop"})).await;
    // A bot stopped before it has even set up its SIGTERM handler dies
    // silently; wait until it runs to see its goodbye.
    wait_log(&api, &cloud, AGENT, "list-get-stop").await;

    let (status, list) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions?status=active"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total_count"], json!(1));
    assert_eq!(list["sessions"][0]["sessionId"], json!(id));

    let s = session(&api, &cloud, AGENT, &id).await;
    for field in [
        "sessionId",
        "serviceId",
        "organizationId",
        "deploymentId",
        "createdAt",
        "updatedAt",
        "endedAt",
        "botStartSeconds",
        "coldStart",
        "completionStatus",
        "endState",
        "maxSessionDuration",
        "billedSeconds",
        "lifecycle",
    ] {
        assert!(s.get(field).is_some(), "session lacks {field}: {s}");
    }
    assert_eq!(s["endState"], "active");
    assert!(s["completionStatus"].is_null());
    assert_eq!(s["maxSessionDuration"], json!(7200));

    let (status, stopped) = api
        .delete(
            &format!("/v1/agents/{AGENT}/sessions/{id}"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped, json!({"status": "terminated", "session_id": id}));

    let s = wait_ended(&api, &cloud, AGENT, &id).await;
    assert_eq!(s["completionStatus"], "TERMINATED");
    assert_eq!(s["endState"], "terminated");
    let lifecycle = &s["lifecycle"];
    for step in [
        "requestedAt",
        "processStartedAt",
        "stopRequestedAt",
        "endedAt",
    ] {
        assert!(lifecycle[step].is_string(), "lifecycle lacks {step}: {s}");
    }
    assert!(s["billedSeconds"].as_f64().unwrap() > 0.0);

    // Stopping it again, or a session that never existed, is 404.
    let (status, _) = api
        .delete(
            &format!("/v1/agents/{AGENT}/sessions/{id}"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, ended) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions?status=ended"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(ended["total_count"], json!(1));
    let (_, active) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions?status=active"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(active["total_count"], json!(0));
    wait_log(&api, &cloud, AGENT, "SIGTERM received, goodbye").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_ends_or_crashes_on_its_own_says_how() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let done = start(&api, &cloud, AGENT, json!({"duration_secs": 0})).await;
    let crashed = start(&api, &cloud, AGENT, json!({"crash": true})).await;
    let done = wait_ended(&api, &cloud, AGENT, &done).await;
    assert_eq!(done["completionStatus"], "COMPLETED");
    assert_eq!(done["endState"], "completed");
    let crashed = wait_ended(&api, &cloud, AGENT, &crashed).await;
    assert_eq!(crashed["completionStatus"], "EXIT_3");
    assert_eq!(crashed["endState"], "agent_error");
    wait_log(&api, &cloud, AGENT, "exited with code 3").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_filter_page_and_order() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let before = jiff::Timestamp::now().as_second() - 1;
    let first = start(
        &api,
        &cloud,
        AGENT,
        json!({"duration_secs": 0, "tag": "First-Session"}),
    )
    .await;
    wait_ended(&api, &cloud, AGENT, &first).await;
    let second = start(
        &api,
        &cloud,
        AGENT,
        json!({"duration_secs": 0, "tag": "second-session"}),
    )
    .await;
    wait_ended(&api, &cloud, AGENT, &second).await;
    wait_log(&api, &cloud, AGENT, "exited with code 0").await;
    let logs_path = format!("/v1/agents/{AGENT}/logs");
    let key = &cloud.private_key;

    // Default: newest first, 10 at most, exact total.
    let (status, all) = api.get(&format!("{logs_path}?limit=1000"), key).await;
    assert_eq!(status, StatusCode::OK);
    let total = all["total"]["value"].as_u64().unwrap();
    assert_eq!(all["total"]["relation"], "eq");
    assert_eq!(all["logs"].as_array().unwrap().len() as u64, total);
    let desc: Vec<&str> = all["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["timestamp"].as_str().unwrap())
        .collect();
    assert!(
        desc.windows(2).all(|w| w[0] >= w[1]),
        "desc order: {desc:?}"
    );
    let (_, default_page) = api.get(&logs_path, key).await;
    assert_eq!(
        default_page["logs"].as_array().unwrap().len() as u64,
        total.min(10)
    );

    // asc is the exact reverse of desc.
    let (_, asc) = api
        .get(&format!("{logs_path}?limit=1000&order=asc"), key)
        .await;
    let mut reversed = log_lines(&all);
    reversed.reverse();
    assert_eq!(log_lines(&asc), reversed);

    // limit + offset page through asc order without gaps.
    let (_, page) = api
        .get(&format!("{logs_path}?order=asc&limit=2&offset=1"), key)
        .await;
    assert_eq!(log_lines(&page), log_lines(&asc)[1..3].to_vec());
    assert_eq!(page["total"]["value"].as_u64(), Some(total));

    // sessionId, query (case-insensitive), deploymentId.
    let (_, one) = api
        .get(&format!("{logs_path}?limit=1000&sessionId={first}"), key)
        .await;
    assert!(
        one["logs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["sessionId"] == json!(first))
    );
    assert!(log_lines(&one).iter().any(|l| l.contains("First-Session")));
    let (_, found) = api
        .get(&format!("{logs_path}?limit=1000&query=FIRST-session"), key)
        .await;
    assert_eq!(found["total"]["value"], json!(1));
    let deployment = one["logs"][0]["deploymentId"].as_str().unwrap().to_string();
    let (_, by_deployment) = api
        .get(
            &format!("{logs_path}?limit=1000&deploymentId={deployment}"),
            key,
        )
        .await;
    assert!(
        by_deployment["total"]["value"].as_u64().unwrap()
            >= one["total"]["value"].as_u64().unwrap()
    );
    let (_, none) = api
        .get(
            &format!("{logs_path}?deploymentId=00000000-0000-0000-0000-000000000000"),
            key,
        )
        .await;
    assert_eq!(none["total"]["value"], json!(0));

    // startTime / endTime in Unix seconds (fractions accepted).
    let (_, since) = api
        .get(&format!("{logs_path}?limit=1000&startTime={before}.5"), key)
        .await;
    assert_eq!(since["total"]["value"].as_u64(), Some(total));
    let (_, until) = api
        .get(&format!("{logs_path}?limit=1000&endTime={before}"), key)
        .await;
    assert_eq!(until["total"]["value"], json!(0));
    let (status, bad) = api
        .get(&format!("{logs_path}?startTime=yesterday"), key)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, _) = api.get(&format!("{logs_path}?order=sideways"), key).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_missing_or_misused_keys_are_401() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let unauthorized = json!({"error": "Unauthorized / token expired", "code": "401"});
    let start_path = format!("/v1/public/{AGENT}/start");

    let (status, body) = api
        .send(
            reqwest::Method::POST,
            &start_path,
            None,
            Some(b"{}".to_vec()),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, unauthorized.clone())
    );
    let (status, body) = api.post(&start_path, "pk_wrong", json!({})).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, unauthorized.clone())
    );
    // The private key manages; it does not start sessions.
    let (status, _) = api.post(&start_path, &cloud.private_key, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The public key only starts sessions.
    for path in [
        "/v1/agents",
        "/v1/agents/my-first-agent",
        "/v1/organizations",
        "/v1/organizations/local/apiKeys",
    ] {
        let (status, body) = api.get(path, &cloud.public_key).await;
        assert_eq!(
            (status, body),
            (StatusCode::UNAUTHORIZED, unauthorized.clone()),
            "{path}"
        );
    }
    let (status, _) = api
        .send(reqwest::Method::GET, "/v1/agents", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The private key and the user token both manage.
    for key in [&cloud.private_key, &cloud.user_token] {
        let (status, _) = api.get("/v1/agents", key).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_things_are_404_as_json() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let key = &cloud.private_key;
    let unknown_session = "00000000-0000-4000-8000-000000000000";

    let (status, body) = api
        .post(
            "/v1/public/no-such-agent/start",
            &cloud.public_key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"].is_string() && body["code"].is_string(),
        "{body}"
    );
    for path in [
        "/v1/agents/no-such-agent".to_string(),
        "/v1/agents/no-such-agent/sessions".to_string(),
        "/v1/agents/no-such-agent/logs".to_string(),
        format!("/v1/agents/{AGENT}/sessions/{unknown_session}"),
        "/v1/organizations/someone-else/services".to_string(),
        "/v1/no/such/route".to_string(),
    ] {
        let (status, body) = api.get(&path, key).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let (status, _) = api
        .delete(
            &format!("/v1/agents/{AGENT}/sessions/{unknown_session}"),
            key,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.delete("/v1/agents/no-such-agent", key).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_400_or_413_as_json_and_spawns_nothing() {
    let cloud = LocalCloud::start_with(&[]);
    let api = Api::new(&cloud);
    let key = &cloud.private_key;
    let start_path = format!("/v1/public/{AGENT}/start");

    let (status, body) = api
        .send(
            reqwest::Method::POST,
            &start_path,
            Some(&cloud.public_key),
            Some(b"{\"body\": ".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("JSON"));
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "/v1/agents",
            Some(key),
            Some(b"not json".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Bad names, in paths and in bodies.
    for name in [
        "Bad_Name",
        "-leading",
        "trailing-",
        "UPPER",
        &"x".repeat(55),
    ] {
        let (status, body) = api.get(&format!("/v1/agents/{name}"), key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        let (status, _) = api
            .post(
                "/v1/agents",
                key,
                json!({"serviceName": name, "image": "x/y:1"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
    }
    let (status, _) = api.get("/v1/agents/a%2F..%2Fb", key).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // maxSessionDuration outside 60..14400 (this server keeps the floor).
    for seconds in [0, 59, 14401] {
        let (status, body) = api
            .post(
                &format!("/v1/agents/{AGENT}"),
                key,
                json!({"maxSessionDuration": seconds}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{seconds}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("maxSessionDuration")
        );
    }
    let (status, _) = api
        .post(
            &format!("/v1/agents/{AGENT}"),
            key,
            json!({"autoScaling": {"maxAgents": 0}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .post(
            &format!("/v1/agents/{AGENT}"),
            key,
            json!({"autoScaling": {"minAgents": 5, "maxAgents": 2}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = api
        .post(
            "/v1/agents",
            key,
            json!({"serviceName": AGENT, "image": "x/y:1"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "Service already exists");

    // Over 1 MB.
    let huge = json!({"body": {"blob": "x".repeat(1_100_000)}});
    let (status, body) = api.post(&start_path, &cloud.public_key, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "413");

    // Daily rooms cannot be made here: a clear 400, never a fake room.
    let (status, body) = api
        .post(
            &start_path,
            &cloud.public_key,
            json!({"createDailyRoom": true}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("Daily"), "{body}");
    assert!(body.get("dailyRoom").is_none());

    // None of that started a session.
    let (_, sessions) = api.get(&format!("/v1/agents/{AGENT}/sessions"), key).await;
    assert_eq!(sessions["total_count"], json!(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_starts_never_exceed_max_agents() {
    let cloud = LocalCloud::start();
    let api = std::sync::Arc::new(Api::new(&cloud));
    create_agent(
        &api,
        &cloud,
        json!({"serviceName": "busy", "image": "pipecat-local/demo-bot:1", "autoScaling": {"maxAgents": 50}}),
    )
    .await;
    let starts: Vec<_> = (0..60)
        .map(|_| {
            let api = api.clone();
            let key = cloud.public_key.clone();
            tokio::spawn(async move { api.post("/v1/public/busy/start", &key, json!({})).await })
        })
        .collect();
    let mut ok = 0;
    let mut limited = 0;
    for start in starts {
        let (status, body) = start.await.unwrap();
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(
                    body,
                    json!({"status": 429, "code": "429", "message": "Rate limit exceeded. Please try again later"})
                );
                limited += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, limited), (50, 10));
    let (_, sessions) = api
        .get("/v1/agents/busy/sessions?status=all", &cloud.private_key)
        .await;
    assert_eq!(
        sessions["total_count"],
        json!(50),
        "no record, so no process, for a 429"
    );
    let (_, agent) = api.get("/v1/agents/busy", &cloud.private_key).await;
    assert_eq!(agent["activeSessionCount"], json!(50));
    assert_eq!(agent["autoScaling"]["maxReplicas"], json!(50));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_cut_off_at_its_max_duration() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let (status, agent) = api
        .post(
            &format!("/v1/agents/{AGENT}"),
            &cloud.private_key,
            json!({"maxSessionDuration": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{agent}");
    assert_eq!(
        agent["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"],
        json!(2)
    );
    let id = start(&api, &cloud, AGENT, json!(null)).await;
    let s = wait_ended(&api, &cloud, AGENT, &id).await;
    assert_eq!(s["completionStatus"], "MAX_DURATION_EXCEEDED");
    assert_eq!(s["maxSessionDuration"], json!(2));
    assert!(
        s["lifecycle"]["stopRequestedAt"].is_null(),
        "cut off without notice"
    );
    wait_log(&api, &cloud, AGENT, "cut off at max duration (2 s)").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_agent_takes_no_new_sessions_but_running_ones_go_on() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let key = &cloud.private_key;
    create_agent(
        &api,
        &cloud,
        json!({"serviceName": "short-lived", "image": "pipecat-local/demo-bot:latest"}),
    )
    .await;
    let id = start(&api, &cloud, "short-lived", json!(null)).await;

    let (status, body) = api.delete("/v1/agents/short-lived", key).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "OK"})));
    let (status, _) = api
        .post("/v1/public/short-lived/start", &cloud.public_key, json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.get("/v1/agents/short-lived", key).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let s = session(&api, &cloud, "short-lived", &id).await;
    assert_eq!(s["endState"], "active", "still running after the delete");
    let (status, _) = api
        .delete(&format!("/v1/agents/short-lived/sessions/{id}"), key)
        .await;
    assert_eq!(status, StatusCode::OK);
    let s = wait_ended(&api, &cloud, "short-lived", &id).await;
    assert_eq!(s["completionStatus"], "TERMINATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duration_change_makes_a_new_deployment_and_old_sessions_keep_their_cap() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let key = &cloud.private_key;
    let (_, before) = api.get(&format!("/v1/agents/{AGENT}"), key).await;
    let old_deployment = before["desiredDeploymentId"].as_str().unwrap().to_string();
    assert!(
        before["deployment"]["manifest"]["spec"]
            .get("maxSessionDurationSeconds")
            .is_none()
    );
    let old = start(&api, &cloud, AGENT, json!(null)).await;

    let (status, after) = api
        .post(
            &format!("/v1/agents/{AGENT}"),
            key,
            json!({"maxSessionDuration": 300}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let new_deployment = after["desiredDeploymentId"].as_str().unwrap().to_string();
    assert_ne!(new_deployment, old_deployment);
    assert_eq!(after["activeDeploymentId"], json!(new_deployment));
    // An update that changes nothing makes no new deployment.
    let (_, same) = api
        .post(
            &format!("/v1/agents/{AGENT}"),
            key,
            json!({"maxSessionDuration": 300}),
        )
        .await;
    assert_eq!(same["desiredDeploymentId"], json!(new_deployment));

    let new = start(&api, &cloud, AGENT, json!(null)).await;
    let old = session(&api, &cloud, AGENT, &old).await;
    let new = session(&api, &cloud, AGENT, &new).await;
    assert_eq!(
        (&old["maxSessionDuration"], &old["deploymentId"]),
        (&json!(7200), &json!(old_deployment))
    );
    assert_eq!(
        (&new["maxSessionDuration"], &new["deploymentId"]),
        (&json!(300), &json!(new_deployment))
    );

    let (_, deployments) = api
        .get(
            &format!("/v1/organizations/local/services/{AGENT}/deployments"),
            key,
        )
        .await;
    let ids: Vec<&str> = deployments["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![new_deployment.as_str(), old_deployment.as_str()],
        "newest first"
    );
    let (_, by_deployment) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions?deploymentId={old_deployment}"),
            key,
        )
        .await;
    assert_eq!(by_deployment["total_count"], json!(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_sessions_and_logs_and_ends_what_the_old_server_left() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let mut cloud = LocalCloud::start_in(&data_dir, &[]);
    let api = Api::new(&cloud);
    let done = start(&api, &cloud, AGENT, json!({"duration_secs": 0})).await;
    wait_ended(&api, &cloud, AGENT, &done).await;
    let orphan = start(&api, &cloud, AGENT, json!({"mark": "orphan-body"})).await;
    wait_log(&api, &cloud, AGENT, "orphan-body").await;
    let (_, logs_before) = api
        .get(&format!("/v1/agents/{AGENT}/logs"), &cloud.private_key)
        .await;
    let lines_before = logs_before["total"]["value"].as_u64().unwrap();
    cloud.kill_hard();

    let mut cloud = LocalCloud::start_in(&data_dir, &[]);
    let api = Api::new(&cloud);
    let orphan = wait_ended(&api, &cloud, AGENT, &orphan).await;
    assert_eq!(orphan["completionStatus"], "SERVER_RESTARTED");
    let done = session(&api, &cloud, AGENT, &done).await;
    assert_eq!(done["completionStatus"], "COMPLETED");
    let logs = wait_log(&api, &cloud, AGENT, "SERVER_RESTARTED").await;
    assert!(logs["total"]["value"].as_u64().unwrap() > lines_before);
    assert!(log_lines(&logs).iter().any(|l| l.contains("orphan-body")));

    // A graceful stop ends running sessions as SERVER_SHUTDOWN, exit 0.
    let running = start(&api, &cloud, AGENT, json!(null)).await;
    assert_eq!(cloud.stop(), Some(0));
    assert_eq!(common::read_state(&data_dir)["running"], json!(false));
    let cloud = LocalCloud::start_in(&data_dir, &[]);
    let api = Api::new(&cloud);
    let running = session(&api, &cloud, AGENT, &running).await;
    assert_eq!(running["completionStatus"], "SERVER_SHUTDOWN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_surface_serves_the_user_token() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let token = &cloud.user_token;
    assert_eq!(cloud.org, "local");

    let (_, orgs) = api.get("/v1/organizations", token).await;
    assert_eq!(orgs["organizations"][0]["name"], "local");
    assert!(orgs["organizations"][0]["verboseName"].is_string());
    let (_, user) = api.get("/v1/users", token).await;
    assert!(user["user"]["userId"].is_string());
    assert!(user["user"]["emails"][0]["emailAddress"].is_string());

    let services = "/v1/organizations/local/services";
    let (status, created) = api
        .post(services, token, json!({"serviceName": "org-agent", "image": "pipecat-local/demo-bot:2", "autoScaling": {"minAgents": 0, "maxAgents": 3}, "krispViva": {}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (status, updated) = api
        .put(services, token, json!({"serviceName": "org-agent", "image": "pipecat-local/demo-bot:2", "maxSessionDuration": 600}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_ne!(
        updated["desiredDeploymentId"],
        created["desiredDeploymentId"]
    );
    let (_, list) = api.get(services, token).await;
    let names: Vec<&str> = list["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec![AGENT, "org-agent"]);
    let (_, details) = api.get(&format!("{services}/org-agent"), token).await;
    let body = &details["body"];
    assert_eq!(body["name"], "org-agent");
    assert_eq!(body["ready"], json!(true));
    assert_eq!(
        body["autoScaling"],
        json!({"minReplicas": 0, "maxReplicas": 3})
    );
    assert_eq!(
        body["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"],
        json!(600)
    );

    let id = start(&api, &cloud, "org-agent", json!({"duration_secs": 0})).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, completed) = api
            .get(
                &format!("{services}/org-agent/sessions?endState=completed"),
                token,
            )
            .await;
        if completed["sessions"].as_array().unwrap().len() == 1 {
            assert_eq!(completed["sessions"][0]["sessionId"], json!(id));
            break;
        }
        assert!(Instant::now() < deadline, "session never completed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, one) = api
        .get(&format!("{services}/org-agent/sessions/{id}"), token)
        .await;
    assert_eq!(one["sessionId"], json!(id));
    let (_, logs) = api
        .get(
            &format!("{services}/org-agent/logs?limit=100&sessionId={id}"),
            token,
        )
        .await;
    assert!(!logs["logs"].as_array().unwrap().is_empty());
    let (_, deployments) = api
        .get(&format!("{services}/org-agent/deployments"), token)
        .await;
    assert_eq!(deployments["deployments"].as_array().unwrap().len(), 2);
    let (status, _) = api.delete(&format!("{services}/org-agent"), token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.get(&format!("{services}/org-agent"), token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_keys_are_listed_created_and_revoked_at_once() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let keys = "/v1/organizations/local/apiKeys";
    let (_, list) = api.get(keys, &cloud.user_token).await;
    let seeded = &list["public"][0];
    assert_eq!(seeded["key"], json!(cloud.public_key));
    assert_eq!(seeded["revoked"], json!(false));
    assert!(
        seeded["id"].is_string()
            && seeded["createdAt"].is_string()
            && seeded["metadata"]["name"].is_string()
    );

    let (status, created) = api
        .post(
            keys,
            &cloud.private_key,
            json!({"name": "ci", "type": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let new_key = created["key"].as_str().unwrap().to_string();
    assert!(new_key.starts_with("pk_") && new_key.len() >= 35);
    assert_eq!(created["metadata"]["name"], "ci");
    start_with_key(&api, &new_key, AGENT, json!({"duration_secs": 0})).await;

    let id = created["id"].as_str().unwrap();
    let (status, _) = api.delete(&format!("{keys}/{id}"), &cloud.user_token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .post(&format!("/v1/public/{AGENT}/start"), &new_key, json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked key stops working at once"
    );
    let (_, list) = api.get(keys, &cloud.user_token).await;
    let revoked = list["public"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == json!(id))
        .unwrap();
    assert_eq!(revoked["revoked"], json!(true));
    let (status, _) = api
        .post(
            keys,
            &cloud.private_key,
            json!({"name": "x", "type": "private"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_map_to_commands_and_unknown_images_are_not_ready() {
    let cloud = LocalCloud::start_with(&[
        "--min-session-duration",
        "1",
        "--image",
        "acme/echo=echo \"hello from $PIPECAT_AGENT_NAME after $PIPECAT_MAX_SESSION_DURATION s\"; cat; echo; cat \"$PIPECAT_SESSION_BODY_FILE\"",
    ]);
    let api = Api::new(&cloud);
    let key = &cloud.private_key;

    let created = create_agent(
        &api,
        &cloud,
        json!({"serviceName": "echo", "image": "acme/echo:7", "maxSessionDuration": 90}),
    )
    .await;
    assert_eq!(created["ready"], json!(true));
    let id = start(&api, &cloud, "echo", json!({"said": "stdin-and-file"})).await;
    let s = wait_ended(&api, &cloud, "echo", &id).await;
    assert_eq!(s["completionStatus"], "COMPLETED");
    let logs = wait_log(&api, &cloud, "echo", "hello from echo after 90 s").await;
    let body_lines = log_lines(&logs)
        .iter()
        .filter(|l| l.contains("stdin-and-file"))
        .count();
    assert_eq!(
        body_lines, 2,
        "the body came on stdin and in the file: {logs}"
    );

    let missing = create_agent(
        &api,
        &cloud,
        json!({"serviceName": "missing", "image": "nobody/nothing:1"}),
    )
    .await;
    assert_eq!(missing["ready"], json!(false));
    assert_eq!(missing["errors"][0]["code"], "PCC_IMAGE_NOT_FOUND");
    assert!(
        missing["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nobody/nothing:1")
    );
    assert!(missing["currentRevision"]["health"]["reason"].is_string());
    let (status, body) = api
        .post("/v1/public/missing/start", &cloud.public_key, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "PCC-1001");
    let (_, sessions) = api.get("/v1/agents/missing/sessions", key).await;
    assert_eq!(sessions["total_count"], json!(0));
}

#[test]
fn local_env_prints_exports_for_a_data_dir_running_or_not() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("fresh");
    let env_of = |dir: &std::path::Path| {
        let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
        common::scrub_env(&mut cmd);
        let out = cmd
            .args(["cloud", "local", "env", "--data-dir"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let fresh = env_of(&data_dir);
    let names: Vec<&str> = fresh
        .lines()
        .map(|l| l.split('=').next().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "export PIPECAT_API_HOST",
            "export PIPECAT_TOKEN",
            "export PIPECAT_PRIVATE_API_KEY",
            "export PIPECAT_DEFAULT_PUBLIC_KEY",
            "export PIPECAT_ORG",
        ]
    );
    assert!(fresh.contains("export PIPECAT_API_HOST='http://127.0.0.1:7463'"));
    assert!(fresh.contains("export PIPECAT_TOKEN='pcc_pat_"));
    assert!(fresh.contains("export PIPECAT_ORG='local'"));

    // A server on that data dir uses the same keys; env then names its URL.
    let cloud = LocalCloud::start_in(&data_dir, &[]);
    let running = env_of(&data_dir);
    assert!(running.contains(&format!("export PIPECAT_API_HOST='{}'", cloud.url)));
    assert!(running.contains(&format!(
        "export PIPECAT_DEFAULT_PUBLIC_KEY='{}'",
        cloud.public_key
    )));
    assert!(running.contains(&format!(
        "export PIPECAT_PRIVATE_API_KEY='{}'",
        cloud.private_key
    )));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(data_dir.join("server.json"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_lines_pages_in_order_without_gaps_or_repeats() {
    let cloud = LocalCloud::start_with(&["--image", "acme/burst=seq 1 3000"]);
    let api = Api::new(&cloud);
    create_agent(
        &api,
        &cloud,
        json!({"serviceName": "burst", "image": "acme/burst:1"}),
    )
    .await;
    let id = start(&api, &cloud, "burst", json!(null)).await;
    wait_ended(&api, &cloud, "burst", &id).await;
    wait_log(&api, &cloud, "burst", "exited with code 0").await;

    // Page through in ascending order, 700 at a time, as a follower would.
    let mut numbers = Vec::new();
    let mut timestamps = Vec::new();
    let mut offset = 0;
    loop {
        let (status, page) = api
            .get(
                &format!(
                    "/v1/agents/burst/logs?order=asc&limit=700&offset={offset}&sessionId={id}"
                ),
                &cloud.private_key,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let entries = page["logs"].as_array().unwrap();
        if entries.is_empty() {
            break;
        }
        offset += entries.len();
        for entry in entries {
            timestamps.push(entry["timestamp"].as_str().unwrap().to_string());
            if let Ok(n) = entry["log"].as_str().unwrap().parse::<u32>() {
                numbers.push(n);
            }
        }
    }
    assert_eq!(numbers, (1..=3000).collect::<Vec<_>>());
    assert!(
        timestamps.windows(2).all(|w| w[0] <= w[1]),
        "timestamps never go back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_queries_and_wrong_methods_answer_json() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let (status, body) = api
        .get(
            &format!("/v1/agents/{AGENT}/logs?limit=many"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].is_string(), "{body}");
    let (status, _) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions?limit=10001"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions?status=sleeping"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions/not-a-uuid"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = api.put("/v1/agents", &cloud.private_key, json!({})).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body["error"].is_string(), "{body}");
}

#[test]
fn sigint_stops_the_server_cleanly_too() {
    let mut cloud = LocalCloud::start();
    let mut child = cloud.child.take().unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no exit within {PATIENCE:?} of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    assert_eq!(common::read_state(&cloud.data_dir)["running"], json!(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_bot_stopped_while_starting_still_says_goodbye() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let id = start(&api, &cloud, AGENT, json!(null)).await;
    let (status, _) = api
        .delete(
            &format!("/v1/agents/{AGENT}/sessions/{id}"),
            &cloud.private_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let s = wait_ended(&api, &cloud, AGENT, &id).await;
    assert_eq!(s["completionStatus"], "TERMINATED");
    let logs = wait_log(&api, &cloud, AGENT, "exited with code 0").await;
    assert!(
        log_lines(&logs)
            .iter()
            .any(|l| l.contains("SIGTERM received, goodbye"))
    );
}
