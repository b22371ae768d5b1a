//! Smaller defects of the local cloud, each pinned black-box against a
//! real server: concurrent stops, agents created again under a deleted
//! one's name, session ids in other spellings, start bodies that are not
//! objects, key-name lengths, `serve` failures, and `server.json` after a
//! key is revoked.
//!
//! Nothing here asserts on timing: waits poll with generous deadlines.

mod common;

use std::time::{Duration, Instant};

use common::api::Api;
use common::{LocalCloud, read_state};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AGENT: &str = "my-first-agent";
const PATIENCE: Duration = Duration::from_secs(30);

async fn start(api: &Api, cloud: &LocalCloud, agent: &str, body: Value) -> String {
    let (status, answer) = api
        .post(
            &format!("/v1/public/{agent}/start"),
            &cloud.public_key,
            json!({"createDailyRoom": false, "body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "start answered {answer}");
    answer["sessionId"].as_str().expect("sessionId").to_string()
}

/// Waits until a log line of `agent` contains `needle`.
async fn wait_log(api: &Api, cloud: &LocalCloud, agent: &str, needle: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, found) = api
            .get(
                &format!("/v1/agents/{agent}/logs?limit=1&query={needle}"),
                &cloud.private_key,
            )
            .await;
        if found["total"]["value"].as_u64() > Some(0) {
            return;
        }
        assert!(Instant::now() < deadline, "no log line contains {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_stops_of_one_session_exactly_one_answers_200() {
    // A session that ignores SIGTERM takes the whole grace period to stop,
    // so every stop below arrives while the first is still under way.
    let cloud = LocalCloud::start_with(&[
        "--image",
        "stubborn=trap '' TERM; echo stubborn-ready; sleep 60",
    ]);
    let api = Api::new(&cloud);
    let (status, created) = api
        .post(
            "/v1/agents",
            &cloud.private_key,
            json!({"serviceName": "stubborn", "image": "stubborn"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = start(&api, &cloud, "stubborn", json!({})).await;
    wait_log(&api, &cloud, "stubborn", "stubborn-ready").await;

    let path = format!("/v1/agents/stubborn/sessions/{id}");
    let stops: Vec<_> = (0..4)
        .map(|_| {
            let api = Api::new(&cloud);
            let (path, key) = (path.clone(), cloud.private_key.clone());
            tokio::spawn(async move { api.delete(&path, &key).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for stop in stops {
        let (status, body) = stop.await.unwrap();
        if status == StatusCode::NOT_FOUND {
            assert_eq!(body["error"], "Session not found or already ended");
        }
        statuses.push(status);
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND
        ]
    );
    let (status, _) = api.delete(&path, &cloud.private_key).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "and after it has ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_created_again_under_a_deleted_ones_name_starts_with_no_sessions() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let key = &cloud.private_key;
    let spec = json!({"serviceName": "phoenix", "image": "pipecat-local/demo-bot:latest", "autoScaling": {"maxAgents": 1}});

    let (status, _) = api.post("/v1/agents", key, spec.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let old = start(&api, &cloud, "phoenix", json!({})).await;
    let (status, _) = api.delete("/v1/agents/phoenix", key).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.post("/v1/agents", key, spec).await;
    assert_eq!(status, StatusCode::OK);

    // The old session runs on, but neither against the new agent's one
    // slot nor in its list.
    let new = start(&api, &cloud, "phoenix", json!({})).await;
    let (_, details) = api.get("/v1/agents/phoenix", key).await;
    assert_eq!(details["activeSessionCount"], 1, "{details}");
    let (_, list) = api.get("/v1/agents/phoenix/sessions", key).await;
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sessionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [new.as_str()], "{list}");
    assert_eq!(list["total_count"], 1);

    // The old one can still be read and stopped by its id.
    let (status, old_session) = api
        .get(&format!("/v1/agents/phoenix/sessions/{old}"), key)
        .await;
    assert_eq!(status, StatusCode::OK, "{old_session}");
    assert!(old_session["endedAt"].is_null());
    for id in [&old, &new] {
        let (status, body) = api
            .delete(&format!("/v1/agents/phoenix/sessions/{id}"), key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_ids_in_any_uuid_spelling_find_the_session() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let key = &cloud.private_key;
    let id = start(&api, &cloud, AGENT, json!({})).await;
    wait_log(&api, &cloud, AGENT, &id).await;
    let upper = id.to_uppercase();

    for spelling in [
        upper.clone(),
        format!("%7B{id}%7D"),
        format!("urn:uuid:{id}"),
        id.replace('-', ""),
    ] {
        let (status, session) = api
            .get(&format!("/v1/agents/{AGENT}/sessions/{spelling}"), key)
            .await;
        assert_eq!(status, StatusCode::OK, "{spelling}: {session}");
        assert_eq!(
            session["sessionId"],
            json!(id),
            "answered in canonical form"
        );
    }
    let (_, logs) = api
        .get(
            &format!("/v1/agents/{AGENT}/logs?limit=100&sessionId={upper}"),
            key,
        )
        .await;
    assert!(logs["total"]["value"].as_u64() > Some(0), "{logs}");
    let (status, stopped) = api
        .delete(&format!("/v1/agents/{AGENT}/sessions/{upper}"), key)
        .await;
    assert_eq!(
        (status, stopped),
        (
            StatusCode::OK,
            json!({"status": "terminated", "session_id": id})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_body_that_is_not_a_json_object_is_refused() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let start_path = format!("/v1/public/{AGENT}/start");
    for body in [
        "[]",
        "[false, null, null, null, null, {\"x\": 1}]",
        "\"start\"",
        "42",
        "null",
    ] {
        let (status, answer) = api
            .send(
                reqwest::Method::POST,
                &start_path,
                Some(&cloud.public_key),
                Some(body.as_bytes().to_vec()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["code"], "GENERIC_BAD_REQUEST");
    }
    let (_, sessions) = api
        .get(&format!("/v1/agents/{AGENT}/sessions"), &cloud.private_key)
        .await;
    assert_eq!(sessions["total_count"], 0, "nothing was started");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_names_are_limited_to_100_characters_not_bytes() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let keys = "/v1/organizations/local/apiKeys";
    let (status, created) = api
        .post(
            keys,
            &cloud.user_token,
            json!({"name": "é".repeat(100), "type": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["metadata"]["name"], "é".repeat(100));
    let (status, refused) = api
        .post(
            keys,
            &cloud.user_token,
            json!({"name": "é".repeat(101), "type": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["error"], "Key name must be 1 to 100 characters");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_json_never_advertises_a_revoked_public_key() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let keys = "/v1/organizations/local/apiKeys";
    let (_, list) = api.get(keys, &cloud.user_token).await;
    let default_id = list["public"][0]["id"].as_str().unwrap().to_string();
    let (_, second) = api
        .post(
            keys,
            &cloud.user_token,
            json!({"name": "second", "type": "public"}),
        )
        .await;
    assert_eq!(
        read_state(&cloud.data_dir)["publicKey"],
        json!(cloud.public_key)
    );

    let (status, _) = api
        .delete(&format!("{keys}/{default_id}"), &cloud.user_token)
        .await;
    assert_eq!(status, StatusCode::OK);
    let state = read_state(&cloud.data_dir);
    assert_eq!(state["publicKey"], second["key"], "{state}");
    assert_eq!(state["running"], true);
}

#[test]
fn serve_failures_name_their_real_cause() {
    let temp = tempfile::tempdir().unwrap();
    let serve = |data_dir: &std::path::Path, port: &str| {
        let mut serve = assert_cmd::Command::new(common::pipecat_bin());
        common::scrub_env(&mut serve);
        let output = serve
            .args(["cloud", "local", "serve", "--port", port, "--data-dir"])
            .arg(data_dir)
            .timeout(PATIENCE)
            .assert()
            .failure()
            .get_output()
            .clone();
        String::from_utf8_lossy(&output.stderr).into_owned()
    };

    // A data dir that cannot be created is not a port problem.
    let blocker = temp.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let stderr = serve(&blocker.join("data"), "0");
    assert!(stderr.contains("cannot create the data dir"), "{stderr}");
    assert!(!stderr.contains("port"), "{stderr}");

    // A port in use is, and says so.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let stderr = serve(&temp.path().join("data"), &port);
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")) && stderr.contains("--port 0"),
        "{stderr}"
    );
}
