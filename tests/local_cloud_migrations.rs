//! The local cloud's data dir across releases: a data dir written by the
//! first release (no schema version, tables made with `CREATE TABLE IF NOT
//! EXISTS`) opens in this one with every row intact, every migration since
//! applied, and one written by a newer release is refused without being
//! touched.

mod common;

use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use common::LocalCloud;
use common::api::Api;
use reqwest::StatusCode;
use rusqlite::{Connection, params};
use serde_json::json;

/// The schema exactly as the first release created it (its `SCHEMA` text).
const FIRST_RELEASE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    secret TEXT NOT NULL UNIQUE,
    name TEXT,
    created_ns INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    agent_profile TEXT,
    deployment_id TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    deleted_ns INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS agents_live_name ON agents(name) WHERE deleted_ns IS NULL;
CREATE TABLE IF NOT EXISTS deployments (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    image TEXT NOT NULL,
    min_agents INTEGER NOT NULL,
    max_agents INTEGER,
    max_session_duration INTEGER,
    created_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deployments_agent ON deployments(agent_id, created_ns);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    agent_name TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    max_session_duration INTEGER NOT NULL,
    requested_ns INTEGER NOT NULL,
    process_started_ns INTEGER,
    stop_requested_ns INTEGER,
    ended_ns INTEGER,
    updated_ns INTEGER NOT NULL,
    completion_status TEXT,
    end_state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_agent ON sessions(agent_name, requested_ns);
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_name TEXT NOT NULL,
    deployment_id TEXT,
    session_id TEXT,
    ts_ns INTEGER NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_agent_time ON logs(agent_name, ts_ns, id);
";

const PUBLIC_KEY: &str = "pk_00000000000000000000000000000000000000000000000000000000000000aa";
const PRIVATE_KEY: &str = "sk_00000000000000000000000000000000000000000000000000000000000000bb";
const USER_TOKEN: &str = "pcc_pat_00000000000000000000000000000000000000000000000000000000000000cc";
const AGENT: &str = "legacy-agent";
const AGENT_ID: &str = "6d1c3f0e-7a39-4a8e-9d43-5c2a1b0f9e01";
const DEPLOYMENT_ID: &str = "0b7e4c52-1f6a-4c3d-8e2b-9a5d7f1c3e02";
const ENDED_SESSION: &str = "3f2a9c1d-4b5e-4f60-8a7b-1c2d3e4f5a03";
const ORPHANED_SESSION: &str = "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a504";
/// 2025-04-18T20:34:17Z, in nanoseconds.
const T0: i64 = 1_745_008_457_000_000_000;

/// A data dir as the first release left it: seeded, with one agent that
/// ran one session to completion and had one running when the server died.
fn first_release_data_dir(data_dir: &Path) {
    // The first release created its data dirs with mode 0700.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .unwrap();
    let db = Connection::open(data_dir.join("local-cloud.sqlite3")).unwrap();
    db.pragma_update(None, "journal_mode", "WAL").unwrap();
    db.execute_batch(FIRST_RELEASE_SCHEMA).unwrap();
    db.execute(
        "INSERT INTO meta(key, value) VALUES ('org_id', 'org-legacy'), ('user_id', 'user-legacy')",
        [],
    )
    .unwrap();
    for (id, kind, secret, name) in [
        ("key-public", "public", PUBLIC_KEY, "default"),
        ("key-private", "private", PRIVATE_KEY, "private"),
        ("key-user", "user", USER_TOKEN, "local user"),
    ] {
        db.execute(
            "INSERT INTO api_keys(id, kind, secret, name, created_ns) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, kind, secret, name, T0],
        )
        .unwrap();
    }
    db.execute(
        "INSERT INTO agents(id, name, region, deployment_id, created_ns, updated_ns)
         VALUES (?1, ?2, 'local', ?3, ?4, ?4)",
        params![AGENT_ID, AGENT, DEPLOYMENT_ID, T0],
    )
    .unwrap();
    db.execute(
        "INSERT INTO deployments(id, agent_id, image, min_agents, max_agents, max_session_duration, created_ns)
         VALUES (?1, ?2, 'pipecat-local/demo-bot:latest', 0, 3, 600, ?3)",
        params![DEPLOYMENT_ID, AGENT_ID, T0],
    )
    .unwrap();
    db.execute(
        "INSERT INTO sessions(id, agent_name, agent_id, deployment_id, max_session_duration,
                              requested_ns, process_started_ns, ended_ns, updated_ns,
                              completion_status, end_state)
         VALUES (?1, ?2, ?3, ?4, 600, ?5, ?5, ?6, ?6, 'COMPLETED', 'completed')",
        params![
            ENDED_SESSION,
            AGENT,
            AGENT_ID,
            DEPLOYMENT_ID,
            T0 + 1_000_000_000,
            T0 + 5_000_000_000
        ],
    )
    .unwrap();
    db.execute(
        "INSERT INTO sessions(id, agent_name, agent_id, deployment_id, max_session_duration,
                              requested_ns, process_started_ns, updated_ns, end_state)
         VALUES (?1, ?2, ?3, ?4, 600, ?5, ?5, ?5, 'active')",
        params![
            ORPHANED_SESSION,
            AGENT,
            AGENT_ID,
            DEPLOYMENT_ID,
            T0 + 10_000_000_000
        ],
    )
    .unwrap();
    for (n, line) in ["legacy line one", "legacy line two", "legacy line three"]
        .iter()
        .enumerate()
    {
        db.execute(
            "INSERT INTO logs(agent_name, deployment_id, session_id, ts_ns, line) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![AGENT, DEPLOYMENT_ID, ENDED_SESSION, T0 + 2_000_000_000 + n as i64, line],
        )
        .unwrap();
    }
}

fn user_version(data_dir: &Path) -> i64 {
    Connection::open(data_dir.join("local-cloud.sqlite3"))
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// The schema version this build writes: that of a data dir it creates.
fn current_version(scratch: &Path) -> i64 {
    let fresh = scratch.join("fresh");
    let mut env = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut env);
    env.args(["cloud", "local", "env", "--data-dir"])
        .arg(&fresh)
        .assert()
        .success();
    user_version(&fresh)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_dir_from_the_first_release_opens_with_every_row_intact() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    first_release_data_dir(&data_dir);
    assert_eq!(user_version(&data_dir), 0);
    // As the first release left it: readable by others.
    std::fs::set_permissions(
        data_dir.join("local-cloud.sqlite3"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();

    let mut cloud = LocalCloud::start_in(&data_dir, &[]);
    assert_eq!(
        (
            cloud.public_key.as_str(),
            cloud.private_key.as_str(),
            cloud.user_token.as_str()
        ),
        (PUBLIC_KEY, PRIVATE_KEY, USER_TOKEN),
        "the keys are the old ones"
    );
    let api = Api::new(&cloud);

    let (status, agents) = api.get("/v1/agents", PRIVATE_KEY).await;
    assert_eq!(status, StatusCode::OK, "{agents}");
    let legacy = agents["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == AGENT)
        .unwrap_or_else(|| panic!("{AGENT} is listed: {agents}"));
    assert_eq!(legacy["id"], AGENT_ID);
    let (_, details) = api.get(&format!("/v1/agents/{AGENT}"), USER_TOKEN).await;
    assert_eq!(details["activeDeploymentId"], DEPLOYMENT_ID);
    assert_eq!(details["autoScaling"]["maxReplicas"], 3);
    assert_eq!(
        details["deployment"]["manifest"]["spec"]["maxSessionDurationSeconds"],
        600
    );

    let (_, sessions) = api
        .get(&format!("/v1/agents/{AGENT}/sessions"), PRIVATE_KEY)
        .await;
    assert_eq!(sessions["total_count"], 2, "{sessions}");
    let (_, ended) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions/{ENDED_SESSION}"),
            PRIVATE_KEY,
        )
        .await;
    assert_eq!(ended["completionStatus"], "COMPLETED");
    assert_eq!(ended["createdAt"], "2025-04-18T20:34:18.000Z");
    let (_, orphan) = api
        .get(
            &format!("/v1/agents/{AGENT}/sessions/{ORPHANED_SESSION}"),
            PRIVATE_KEY,
        )
        .await;
    assert_eq!(
        orphan["completionStatus"], "SERVER_RESTARTED",
        "what the old server left running is ended: {orphan}"
    );

    let (_, logs) = api
        .get(
            &format!("/v1/agents/{AGENT}/logs?order=asc&limit=100&sessionId={ENDED_SESSION}"),
            PRIVATE_KEY,
        )
        .await;
    let lines: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["log"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["legacy line one", "legacy line two", "legacy line three"]
    );

    // Secret sets, properties and the new deployment fields work on the
    // upgraded data dir; the old deployment has none of the new fields.
    assert_eq!(
        details["krispViva"],
        json!({"audioFilter": null}),
        "{details}"
    );
    assert_eq!(
        api.get("/v1/secrets", PRIVATE_KEY).await,
        (StatusCode::OK, json!({"sets": []}))
    );
    let (status, _) = api
        .put(
            "/v1/secrets/legacy-keys",
            PRIVATE_KEY,
            json!({"secrets": [{"secretKey": "A", "secretValue": "1"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, updated) = api
        .post(
            &format!("/v1/agents/{AGENT}"),
            PRIVATE_KEY,
            json!({"secretSet": "legacy-keys", "krispViva": {"audioFilter": "pro"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        updated["deployment"]["manifest"]["spec"]["envFromSecretNames"],
        json!(["legacy-keys"])
    );
    assert_eq!(updated["krispViva"], json!({"audioFilter": "pro"}));
    // The database the first release made readable by others is private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data_dir.join("local-cloud.sqlite3"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");

    // The old agent runs new sessions, listed beside its old ones.
    let (status, started) = api
        .post(
            &format!("/v1/public/{AGENT}/start"),
            PUBLIC_KEY,
            json!({"body": {"duration_secs": 0}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let (_, sessions) = api
        .get(&format!("/v1/agents/{AGENT}/sessions"), PRIVATE_KEY)
        .await;
    assert_eq!(sessions["total_count"], 3, "{sessions}");

    // Migration 5: a running session's processes are recorded (for the
    // next server to kill, should this one crash), and forgotten once it
    // ends.
    let (status, running) = api
        .post(
            &format!("/v1/public/{AGENT}/start"),
            PUBLIC_KEY,
            json!({"body": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{running}");
    let running_id = running["sessionId"].as_str().unwrap().to_string();
    let recorded = |id: &str| -> Vec<i64> {
        let db = Connection::open(data_dir.join("local-cloud.sqlite3")).unwrap();
        db.prepare("SELECT pid FROM session_processes WHERE session_id = ?1")
            .unwrap()
            .query_map([id], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let pids = recorded(&running_id);
    assert!(
        pids.len() == 1 && pids[0] > 1,
        "the running session's leader is recorded: {pids:?}"
    );

    cloud.stop();
    assert_eq!(recorded(&running_id), Vec::<i64>::new());
    let current = current_version(temp.path());
    assert!(current >= 5, "version {current}");
    assert_eq!(user_version(&data_dir), current);

    // And it opens again, as is.
    let cloud = LocalCloud::start_in(&data_dir, &[]);
    let (_, sessions) = Api::new(&cloud)
        .get(&format!("/v1/agents/{AGENT}/sessions"), PRIVATE_KEY)
        .await;
    assert_eq!(sessions["total_count"], 4, "{sessions}");
}

#[test]
fn a_data_dir_from_a_newer_pipecat_is_refused_and_left_alone() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    first_release_data_dir(&data_dir);
    let future = current_version(temp.path()) + 1;
    Connection::open(data_dir.join("local-cloud.sqlite3"))
        .unwrap()
        .pragma_update(None, "user_version", future)
        .unwrap();

    let mut serve = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut serve);
    let output = serve
        .args(["cloud", "local", "serve", "--port", "0", "--data-dir"])
        .arg(&data_dir)
        // A release that took the data dir would serve on until killed.
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .failure()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("schema version {future}")) && stderr.contains("newer pipecat"),
        "{stderr}"
    );
    assert!(!stderr.contains("port"), "not a port problem: {stderr}");
    assert_eq!(user_version(&data_dir), future);
    assert!(!data_dir.join("server.json").exists());
    let db = Connection::open(data_dir.join("local-cloud.sqlite3")).unwrap();
    let sessions: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM sessions WHERE ended_ns IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sessions, 1, "the running session was not touched");
}
