//! The local cloud's routing, black-box: routes of the official API it
//! does not emulate, browsers on the public start route, and the query
//! parameters both surfaces share.

mod common;

use common::LocalCloud;
use common::api::Api;
use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use serde_json::{Value, json};

const AGENT: &str = "my-first-agent";
const SESSION: &str = "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b";
const WEB_APP: &str = "http://localhost:5173";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_the_local_cloud_does_not_emulate_answer_501_not_a_404() {
    let cloud = LocalCloud::start();
    let api = Api::new(&cloud);
    let org = "/v1/organizations/local";
    let (manager, token, public) = (
        cloud.private_key.as_str(),
        cloud.user_token.as_str(),
        cloud.public_key.as_str(),
    );
    let cases = [
        (
            "POST",
            format!("{org}/secrets/references"),
            token,
            "secrets",
        ),
        ("POST", format!("{org}/regions"), token, "regions"),
        ("GET", format!("{org}/regions/pce-1"), token, "regions"),
        (
            "GET",
            format!("{org}/spend-limit"),
            token,
            "the spend limit",
        ),
        (
            "POST",
            format!("{org}/registry-keys"),
            token,
            "registry keys",
        ),
        (
            "GET",
            format!("{org}/agent-profiles"),
            token,
            "agent profiles",
        ),
        (
            "GET",
            format!("{org}/github/repositories/acme/bot/branches"),
            token,
            "GitHub",
        ),
        (
            "POST",
            format!("{org}/services/{AGENT}/environments/production/git"),
            token,
            "deploys from git",
        ),
        (
            "GET",
            format!("{org}/daily"),
            token,
            "the organization's Daily API key",
        ),
        (
            "PATCH",
            format!("/v1/public/{AGENT}/sessions/{SESSION}/api/offer"),
            public,
            "requests to a running session (session sub-resources)",
        ),
    ];
    for (method, path, key, what) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method != reqwest::Method::GET).then(|| b"{}".to_vec());
        let (status, answer) = api.send(method.clone(), &path, Some(key), body).await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::NOT_IMPLEMENTED,
                json!({"error": format!("the local cloud does not emulate {what}"), "code": "NOT_EMULATED"})
            ),
            "{method} {path}"
        );
    }

    // The credential and the org are checked first, as on every route.
    let (status, _) = api
        .send(reqwest::Method::GET, "/v1/secrets", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api.get("/v1/regions", public).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = api.get("/v1/organizations/elsewhere/secrets", token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "Organization not found");

    // Paths no API has are still 404, and a wrong method is still 405.
    for path in [
        "/v1/spend-limit".to_string(),
        format!("{org}/nothing-here"),
        "/v1/secretz".to_string(),
    ] {
        let (status, body) = api.get(&path, manager).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, _) = api.post("/v1/regions", manager, json!({})).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_may_start_sessions_with_a_public_key() {
    let cloud = LocalCloud::start();
    let http = reqwest::Client::new();
    let start = format!("{}/v1/public/{AGENT}/start", cloud.url);

    let preflight = http
        .request(reqwest::Method::OPTIONS, &start)
        .header(ORIGIN, WEB_APP)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let header = |response: &reqwest::Response, name| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .unwrap_or_default()
    };
    assert_eq!(header(&preflight, ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    assert!(preflight.headers().get(VARY).is_none());
    assert!(header(&preflight, ACCESS_CONTROL_ALLOW_METHODS).contains("post"));
    let allowed_headers = header(&preflight, ACCESS_CONTROL_ALLOW_HEADERS);
    assert!(
        allowed_headers.contains("authorization") && allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );

    // Every answer of the route may be read by the page: success and errors.
    for (key, agent, expected) in [
        (cloud.public_key.as_str(), AGENT, StatusCode::OK),
        ("pk_wrong", AGENT, StatusCode::UNAUTHORIZED),
        // A management key is no public key.
        (cloud.private_key.as_str(), AGENT, StatusCode::UNAUTHORIZED),
        (
            cloud.public_key.as_str(),
            "no-such-agent",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = http
            .post(format!("{}/v1/public/{agent}/start", cloud.url))
            .header(ORIGIN, WEB_APP)
            .bearer_auth(key)
            .json(&json!({"createDailyRoom": false, "body": {"duration_secs": 0}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected);
        assert_eq!(
            header(&response, ACCESS_CONTROL_ALLOW_ORIGIN),
            "*",
            "{agent} with {expected}"
        );
        // The same answer for every origin: nothing for a cache to vary on.
        assert!(response.headers().get(VARY).is_none(), "{agent}");
    }

    // Management routes are not for browsers.
    let response = http
        .get(format!("{}/v1/agents", cloud.url))
        .header(ORIGIN, WEB_APP)
        .bearer_auth(&cloud.private_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

fn names(list: &Value) -> Vec<&str> {
    list["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_are_filtered_by_region_on_both_surfaces() {
    // Agents go only to regions the server has.
    let cloud = LocalCloud::start_with(&["--region", "us-west", "--region", "us-east"]);
    let api = Api::new(&cloud);
    for (name, region) in [
        ("west", "us-west"),
        ("east", "us-east"),
        ("west-2", "us-west"),
    ] {
        let (status, created) = api
            .post(
                "/v1/agents",
                &cloud.private_key,
                json!({"serviceName": name, "image": "pipecat-local/demo-bot:latest", "region": region}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{created}");
    }

    let (_, west) = api
        .get("/v1/agents?region=us-west", &cloud.private_key)
        .await;
    assert_eq!(names(&west), ["west", "west-2"]);
    let (_, east) = api
        .get(
            "/v1/organizations/local/services?region=us-east",
            &cloud.user_token,
        )
        .await;
    assert_eq!(names(&east), ["east"]);
    let (_, none) = api
        .get("/v1/agents?region=eu-central", &cloud.private_key)
        .await;
    assert_eq!(names(&none), Vec::<&str>::new());
    let (_, all) = api.get("/v1/agents", &cloud.private_key).await;
    assert_eq!(names(&all), [AGENT, "west", "east", "west-2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_without_a_limit_are_the_documented_page_of_ten() {
    let cloud = LocalCloud::start_with(&["--image", "quick=true"]);
    let api = Api::new(&cloud);
    let (status, created) = api
        .post(
            "/v1/agents",
            &cloud.private_key,
            json!({"serviceName": "quick", "image": "quick"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    for _ in 0..12 {
        let (status, started) = api
            .post("/v1/public/quick/start", &cloud.public_key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{started}");
    }

    for path in [
        "/v1/agents/quick/sessions",
        "/v1/organizations/local/services/quick/sessions",
    ] {
        let (_, page) = api.get(path, &cloud.user_token).await;
        assert_eq!(page["total_count"], 12, "{path}");
        assert_eq!(page["sessions"].as_array().unwrap().len(), 10, "{path}");
    }
    let (_, all) = api
        .get("/v1/agents/quick/sessions?limit=12", &cloud.private_key)
        .await;
    assert_eq!(all["sessions"].as_array().unwrap().len(), 12);
}
