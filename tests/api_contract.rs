//! Contract tests of the typed client against a scripted HTTP server: the
//! answers the local cloud cannot give (Daily rooms, websocket transport) and
//! the error shapes the real API uses.

mod common;

use std::time::Duration;

use common::scripted::{Reply, Scripted};
use pipecat_cloud::api::types::StartRequest;
use pipecat_cloud::api::{
    Client, Credential, ErrorKind, LogOrder, LogQuery, Session, SessionParams, SessionQuery,
    SessionStatus, Transport, USER_AGENT,
};
use serde_json::json;

const START: &str = "/v1/public/my-agent/start";

fn public(url: &str) -> Client {
    Client::new(
        url,
        Credential::PublicKey("pk_test_0123456789".into()),
        None,
        Duration::from_secs(5),
    )
    .unwrap()
}

#[tokio::test]
async fn a_daily_start_answer_is_read_and_the_request_is_as_documented() {
    let server = Scripted::start(vec![(
        START,
        vec![Reply::json(
            200,
            r#"{"dailyRoom":"https://x.daily.co/room","dailyToken":"tok","sessionId":"s-1"}"#,
        )],
    )]);
    let started = Session::new("my-agent", "pk_test_0123456789")
        .api_host(&server.url)
        .params(SessionParams {
            data: Some(json!({"room": "r"})),
            use_daily: true,
            daily_room_properties: Some(json!({"start_video_off": false})),
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    assert_eq!(
        started.daily_room.as_deref(),
        Some("https://x.daily.co/room")
    );
    assert_eq!(started.daily_token.as_deref(), Some("tok"));
    assert_eq!(started.session_id.as_deref(), Some("s-1"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.headers["authorization"],
        "Bearer pk_test_0123456789"
    );
    assert_eq!(request.headers["user-agent"], USER_AGENT);
    assert_eq!(
        request.json(),
        json!({"createDailyRoom": true, "dailyRoomProperties": {"start_video_off": false}, "body": {"room": "r"}})
    );
}

#[tokio::test]
async fn daily_properties_are_only_sent_with_a_daily_room() {
    let server = Scripted::start(vec![(
        START,
        vec![Reply::json(200, r#"{"sessionId":"s"}"#)],
    )]);
    Session::new("my-agent", "pk_x")
        .api_host(&server.url)
        .params(SessionParams {
            daily_room_properties: Some(json!({"a": 1})),
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].json(),
        json!({"createDailyRoom": false})
    );
}

#[tokio::test]
async fn a_websocket_start_answer_is_read() {
    let server = Scripted::start(vec![(
        START,
        vec![Reply::json(
            200,
            r#"{"wsUrl":"wss://us-west.api.pipecat.daily.co/ws/generic/my-agent.org","token":"hmac","body":"eyJhIjoxfQ==","sessionId":"s-2"}"#,
        )],
    )]);
    let started = public(&server.url)
        .start_session(
            "my-agent",
            &SessionParams {
                transport: Some(Transport::Websocket),
                data: Some(json!({"a": 1})),
                ..Default::default()
            }
            .to_request(),
        )
        .await
        .unwrap();
    assert_eq!(
        started.value.ws_url.as_deref(),
        Some("wss://us-west.api.pipecat.daily.co/ws/generic/my-agent.org")
    );
    assert_eq!(started.value.token.as_deref(), Some("hmac"));
    assert_eq!(started.raw["body"], "eyJhIjoxfQ==");
    assert_eq!(server.requests()[0].json()["transport"], "websocket");
}

#[tokio::test]
async fn capacity_is_told_apart_with_either_body_shape_and_retry_after() {
    let server = Scripted::start(vec![
        (
            START,
            vec![
                Reply::json(
                    429,
                    r#"{"error":"Agent at capacity","code":"PCC-AGENT-AT-CAPACITY"}"#,
                )
                .header("Retry-After", "3"),
            ],
        ),
        (
            "/v1/public/seed/start",
            vec![Reply::json(
                429,
                r#"{"status":429,"code":"429","message":"Rate limit exceeded. Please try again later"}"#,
            )],
        ),
        (
            "/v1/public/text/start",
            vec![Reply::text(429, "text/plain", "Too Many Requests")],
        ),
    ]);
    let client = public(&server.url);
    let request = StartRequest::default();

    let e = client
        .start_session("my-agent", &request)
        .await
        .unwrap_err();
    assert!(e.is_capacity());
    assert_eq!(e.status, Some(429));
    assert_eq!(e.code.as_deref(), Some("PCC-AGENT-AT-CAPACITY"));
    assert_eq!(e.message, "Agent at capacity");
    assert_eq!(e.retry_after, Some(Duration::from_secs(3)));

    let e = client.start_session("seed", &request).await.unwrap_err();
    assert!(e.is_capacity());
    assert_eq!(e.message, "Rate limit exceeded. Please try again later");
    assert_eq!(e.retry_after, None);

    let e = client.start_session("text", &request).await.unwrap_err();
    assert!(e.is_capacity());
    assert_eq!(e.code, None);
    assert!(e.message.contains("Too Many Requests"), "{}", e.message);
}

#[tokio::test]
async fn a_401_without_code_is_an_auth_error_with_a_readable_message() {
    let server = Scripted::start(vec![(
        START,
        vec![Reply::json(401, r#"{"error":"Unauthorized"}"#)],
    )]);
    let e = Session::new("my-agent", "pk_wrong")
        .api_host(&server.url)
        .start()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.code, None);
    assert_eq!(e.to_string(), "Unauthorized (HTTP 401)");
}

#[tokio::test]
async fn html_and_truncated_answers_are_malformed_and_say_what_came_back() {
    let server = Scripted::start(vec![
        (
            START,
            vec![Reply::text(
                200,
                "text/html",
                "<html><body>gateway</body></html>",
            )],
        ),
        (
            "/v1/public/cut/start",
            vec![Reply::json(200, r#"{"sessionId":"s"#).truncated(10)],
        ),
        (
            "/v1/public/half/start",
            vec![Reply::json(200, r#"{"sessionId":"s"#)],
        ),
    ]);
    let client = public(&server.url);
    let request = StartRequest::default();

    let e = client
        .start_session("my-agent", &request)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert!(
        e.message.contains("not JSON") && e.message.contains("<html>"),
        "{}",
        e.message
    );

    let e = client.start_session("cut", &request).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert!(e.message.contains("cut off"), "{}", e.message);

    let e = client.start_session("half", &request).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert!(e.message.contains("cut off"), "{}", e.message);
}

#[tokio::test]
async fn refused_connections_and_slow_answers_are_transport_errors() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let e = public(&url)
        .start_session("my-agent", &StartRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connect);
    assert!(e.message.contains(&url), "{}", e.message);

    let server = Scripted::start(vec![(
        START,
        vec![Reply::json(200, "{}").delayed(Duration::from_secs(5))],
    )]);
    let slow = Client::new(
        &server.url,
        Credential::PublicKey("pk_x".into()),
        None,
        Duration::from_millis(300),
    )
    .unwrap();
    let e = slow
        .start_session("my-agent", &StartRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
}

#[tokio::test]
async fn management_calls_follow_the_credential_and_send_every_filter() {
    let server = Scripted::start(vec![
        (
            "/v1/agents/bot/sessions",
            vec![Reply::json(200, r#"{"total_count":0,"sessions":[]}"#)],
        ),
        (
            "/v1/organizations/acme/services/bot/logs",
            vec![Reply::json(
                200,
                r#"{"logs":[{"log":"hi","timestamp":"2025-04-18T20:34:17.153744602Z"}]}"#,
            )],
        ),
        (
            "/v1/organizations/acme/services/bot",
            vec![Reply::json(200, r#"{"body":{"name":"bot","ready":true}}"#)],
        ),
        (
            "/v1/organizations/acme/services/bot/sessions/0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
            vec![Reply::text(204, "text/plain", "")],
        ),
    ]);
    let private = Client::new(
        &server.url,
        Credential::PrivateKey("sk_x".into()),
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    let listed = private
        .list_sessions(
            "bot",
            &SessionQuery {
                limit: Some(5),
                offset: Some(10),
                status: Some(SessionStatus::Active),
                deployment_id: Some("d1".into()),
                start_time: Some(100),
                end_time: Some(200),
                end_state: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.value.total_count, Some(0));

    let token = private
        .with_credential(Credential::UserToken("pcc_pat_x".into()))
        .with_org(Some("acme".into()));
    let logs = token
        .logs(
            "bot",
            &LogQuery {
                limit: Some(3),
                session_id: Some("0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b".into()),
                order: Some(LogOrder::Asc),
                query: Some("a b".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(logs.value.logs[0].log, "hi");
    let agent = token.get_agent("bot").await.unwrap();
    assert!(agent.value.ready);
    // The envelope is gone from `raw` too: an agent reads the same
    // whichever surface answered.
    assert_eq!(agent.raw["name"], "bot");
    assert!(agent.raw.get("body").is_none());
    let stopped = token
        .stop_session("bot", "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b")
        .await
        .unwrap();
    assert_eq!(stopped.raw, serde_json::Value::Null);

    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        vec![
            "/v1/agents/bot/sessions?limit=5&offset=10&status=active&deploymentId=d1&startTime=100&endTime=200",
            "/v1/organizations/acme/services/bot/logs?limit=3&sessionId=0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b&query=a+b&order=asc",
            "/v1/organizations/acme/services/bot",
            "/v1/organizations/acme/services/bot/sessions/0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
        ]
    );
    assert!(
        server.requests()[0].headers["authorization"] == "Bearer sk_x"
            && server.requests()[1].headers["authorization"] == "Bearer pcc_pat_x"
    );
}

#[tokio::test]
async fn agent_listings_send_the_region_and_ask_the_organization_surface_for_git_links() {
    let listing = r#"{"services":[{"name":"bot","region":"us-west"}]}"#;
    let server = Scripted::start(vec![
        ("/v1/agents", vec![Reply::json(200, listing)]),
        (
            "/v1/organizations/acme/services",
            vec![Reply::json(200, listing)],
        ),
    ]);
    let private = private(&server.url, Duration::from_secs(5));
    let token = private
        .with_credential(Credential::UserToken("pcc_pat_x".into()))
        .with_org(Some("acme".into()));
    private.list_agents(Some("us-west")).await.unwrap();
    private.list_agents(None).await.unwrap();
    let listed = token.list_agents(Some("us-west")).await.unwrap();
    assert_eq!(listed.value.services[0].name, "bot");
    token.list_agents(None).await.unwrap();
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        vec![
            "/v1/agents?region=us-west",
            "/v1/agents",
            "/v1/organizations/acme/services?region=us-west&include=git",
            "/v1/organizations/acme/services?include=git",
        ]
    );
}

fn private(url: &str, timeout: Duration) -> Client {
    Client::new(url, Credential::PrivateKey("sk_x".into()), None, timeout).unwrap()
}

#[tokio::test]
async fn idempotent_requests_ride_out_a_refused_connection() {
    let server = Scripted::start_later(
        Duration::from_millis(400),
        vec![(
            "/v1/agents/bot/sessions",
            vec![Reply::json(200, r#"{"sessions":[]}"#)],
        )],
    );
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = notices.clone();
    let client = private(&server.url, Duration::from_secs(5))
        .with_retries(
            8,
            pipecat_cloud::api::Backoff {
                base: Duration::from_millis(100),
                max: Duration::from_millis(300),
            },
        )
        .on_retry(std::sync::Arc::new(
            move |n: &pipecat_cloud::api::RetryNotice| seen.lock().unwrap().push(n.reason.clone()),
        ));
    let listed = client
        .list_sessions("bot", &SessionQuery::default())
        .await
        .unwrap();
    assert!(listed.value.sessions.is_empty());
    let notices = notices.lock().unwrap();
    assert!(!notices.is_empty(), "no retry was reported");
    assert!(notices[0].contains("cannot reach"), "{}", notices[0]);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_503_is_retried_but_a_400_and_a_start_are_not() {
    let server = Scripted::start(vec![
        (
            "/v1/agents/bot/sessions/0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
            vec![
                Reply::text(503, "text/plain", "Service Unavailable").header("Retry-After", "0"),
                Reply::json(
                    200,
                    r#"{"status":"terminated","session_id":"0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b"}"#,
                ),
            ],
        ),
        (
            "/v1/agents/bot/logs",
            vec![Reply::json(
                400,
                r#"{"error":"Invalid timestamp format","code":"GENERIC_BAD_REQUEST"}"#,
            )],
        ),
        (
            START,
            vec![Reply::text(503, "text/plain", "Service Unavailable")],
        ),
    ]);
    let client = private(&server.url, Duration::from_secs(5));
    let stopped = client
        .stop_session("bot", "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b")
        .await
        .unwrap();
    assert_eq!(
        stopped.value.session_id.as_deref(),
        Some("0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b")
    );

    let e = client.logs("bot", &LogQuery::default()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);

    let e = public(&server.url)
        .start_session("my-agent", &StartRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, Some(503));

    let methods: Vec<(String, String)> = server
        .requests()
        .into_iter()
        .map(|r| (r.method, r.target))
        .collect();
    assert_eq!(
        methods,
        vec![
            (
                "DELETE".into(),
                "/v1/agents/bot/sessions/0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b".into()
            ),
            (
                "DELETE".into(),
                "/v1/agents/bot/sessions/0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b".into()
            ),
            ("GET".into(), "/v1/agents/bot/logs".into()),
            ("POST".into(), START.into()),
        ]
    );
}
