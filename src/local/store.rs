//! The SQLite store under the data dir: keys, agents, deployments, sessions
//! and log lines. Every statement binds its parameters; nothing from a
//! request is ever spliced into SQL.
//!
//! Deployments are records: each agent change that matters (image, scaling,
//! max duration) adds one and points the agent at it; sessions keep the
//! deployment and the cap they started with. Log lines carry a monotonic
//! `id` so that `(ts_ns, id)` is a total order that followers can page by.
//!
//! The schema is versioned: to change it, append a migration to
//! [`MIGRATIONS`] (see there); never `CREATE ... IF NOT EXISTS` at open.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::time::now_ns;

mod builds;
mod secrets;

pub use builds::{
    BuildFilter, BuildRecord, UPLOAD_PENDING, UPLOAD_RECEIVING, UPLOAD_UPLOADED, UPLOAD_USED,
    UploadRecord,
};
pub use secrets::{SecretKind, SecretSetRecord};

/// The schema, as forward migrations: entry `i` takes a database from
/// version `i` to `i + 1` (SQLite's `PRAGMA user_version`). To change the
/// schema, append an entry; never edit or reorder a released one (data
/// dirs out there already ran it). Pending entries run in one transaction
/// with the version bump, so an upgrade is all or nothing. Later entries may
/// move data as well as create things.
const MIGRATIONS: &[&str] = &[
    // 1: the first release's schema.
    "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    secret TEXT NOT NULL UNIQUE,
    name TEXT,
    created_ns INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    agent_profile TEXT,
    deployment_id TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    deleted_ns INTEGER
);
CREATE UNIQUE INDEX agents_live_name ON agents(name) WHERE deleted_ns IS NULL;
CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    image TEXT NOT NULL,
    min_agents INTEGER NOT NULL,
    max_agents INTEGER,
    max_session_duration INTEGER,
    created_ns INTEGER NOT NULL
);
CREATE INDEX deployments_agent ON deployments(agent_id, created_ns);
CREATE TABLE sessions (
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
CREATE INDEX sessions_agent ON sessions(agent_name, requested_ns);
CREATE TABLE logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_name TEXT NOT NULL,
    deployment_id TEXT,
    session_id TEXT,
    ts_ns INTEGER NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX logs_agent_time ON logs(agent_name, ts_ns, id);
",
    // 2: an agent's sessions are listed by agent id, so an agent created
    // again under a deleted one's name starts with none.
    "CREATE INDEX sessions_agent_id ON sessions(agent_id, requested_ns);",
    // 3: secret sets and their values, organization properties, and the
    // deployment fields an agent is created or updated with.
    "
CREATE TABLE secret_sets (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    region TEXT NOT NULL,
    host TEXT,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
);
CREATE TABLE secret_values (
    set_name TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (set_name, key)
);
CREATE TABLE properties (name TEXT PRIMARY KEY, value TEXT NOT NULL);
ALTER TABLE deployments ADD COLUMN secret_set TEXT;
ALTER TABLE deployments ADD COLUMN image_pull_secret_set TEXT;
ALTER TABLE deployments ADD COLUMN krisp_viva_filter TEXT;
ALTER TABLE deployments ADD COLUMN node_type TEXT;
ALTER TABLE deployments ADD COLUMN websocket_auth TEXT;
ALTER TABLE deployments ADD COLUMN architecture TEXT;
",
    // 4: the identity provider (see `identity`): a grant is one browser
    // login, the family of every token issued from it; codes and tokens
    // are stored as the SHA-256 of their value, never the value.
    "
CREATE TABLE oauth_grants (
    id TEXT PRIMARY KEY,
    created_ns INTEGER NOT NULL,
    revoked_ns INTEGER
);
CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    used_ns INTEGER,
    grant_id TEXT
);
CREATE INDEX oauth_codes_expiry ON oauth_codes(expires_ns);
CREATE TABLE oauth_access_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    expires_ns INTEGER NOT NULL
);
CREATE INDEX oauth_access_tokens_grant ON oauth_access_tokens(grant_id);
CREATE INDEX oauth_access_tokens_expiry ON oauth_access_tokens(expires_ns);
CREATE TABLE oauth_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    rotated_ns INTEGER
);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens(grant_id);
CREATE INDEX oauth_refresh_tokens_expiry ON oauth_refresh_tokens(expires_ns);
",
    // 5: where each running session's processes are (see `containment`),
    // so that a server restarted after a crash can find and kill what the
    // dead one left; a row goes when its session ends. The server's
    // heartbeat is the meta key 'heartbeat_ns'.
    "
CREATE TABLE session_processes (
    session_id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    start_ticks INTEGER,
    boot_id TEXT,
    cgroup TEXT
);
",
    // 6: cloud builds (see `cloud/builds.rs`): upload slots (the upload's
    // token is stored as its SHA-256, never the value), builds and their
    // log lines, and the build a deployment runs.
    "
CREATE TABLE build_uploads (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    state TEXT NOT NULL,
    size_bytes INTEGER,
    context_hash TEXT
);
CREATE TABLE builds (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    status TEXT NOT NULL,
    context_hash TEXT NOT NULL,
    dockerfile_path TEXT NOT NULL,
    context_size_bytes INTEGER NOT NULL,
    image_size_bytes INTEGER,
    error_message TEXT,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    started_ns INTEGER,
    completed_ns INTEGER
);
CREATE INDEX builds_cache ON builds(context_hash, region, status);
CREATE INDEX builds_created ON builds(created_ns);
CREATE TABLE build_logs (
    build_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts_ns INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (build_id, seq)
);
ALTER TABLE deployments ADD COLUMN build_id TEXT;
",
];

/// The tables of version 1. The first release created them without
/// setting `user_version`: a database at version 0 that has them is that
/// release's, already at version 1.
const FIRST_RELEASE_TABLES: [&str; 6] = [
    "meta",
    "api_keys",
    "agents",
    "deployments",
    "sessions",
    "logs",
];

/// The kinds of credential; only `Public` is listed and created by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Public,
    Private,
    UserToken,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Public => "public",
            KeyKind::Private => "private",
            KeyKind::UserToken => "user",
        }
    }

    fn parse(text: &str) -> Option<KeyKind> {
        match text {
            "public" => Some(KeyKind::Public),
            "private" => Some(KeyKind::Private),
            "user" => Some(KeyKind::UserToken),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: String,
    pub kind: KeyKind,
    pub secret: String,
    pub name: Option<String>,
    pub created_ns: i64,
    pub revoked: bool,
}

/// Credentials of a local cloud, as the state file and `local env` show them.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub public_key: String,
    pub private_key: String,
    pub user_token: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRecord {
    pub id: String,
    pub agent_id: String,
    pub image: String,
    pub min_agents: u32,
    /// `None`: the server's default (`--default-max-agents`).
    pub max_agents: Option<u32>,
    /// `None`: the platform default (7200 s).
    pub max_session_duration: Option<u32>,
    pub created_ns: i64,
    /// What else the deployment was made with (all optional).
    pub options: DeploymentOptions,
}

/// The fields of a deployment that only name things or pass through: each
/// is stored and shown back as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeploymentOptions {
    /// The secret set whose values its sessions get as environment variables.
    pub secret_set: Option<String>,
    pub image_pull_secret_set: Option<String>,
    /// `tel` or `pro`; `None`: Krisp VIVA off.
    pub krisp_viva_filter: Option<String>,
    pub node_type: Option<String>,
    pub websocket_auth: Option<String>,
    pub architecture: Option<String>,
    /// The cloud build it runs (its image is the build's `imageUri`).
    pub build_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub id: String,
    pub name: String,
    pub region: String,
    pub agent_profile: Option<String>,
    pub created_ns: i64,
    pub updated_ns: i64,
    pub deployment: DeploymentRecord,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub agent_name: String,
    pub agent_id: String,
    pub deployment_id: String,
    pub max_session_duration: u32,
    pub requested_ns: i64,
    pub process_started_ns: Option<i64>,
    pub stop_requested_ns: Option<i64>,
    pub ended_ns: Option<i64>,
    pub updated_ns: i64,
    pub completion_status: Option<String>,
    pub end_state: String,
}

/// Where a running session's processes are (see `containment.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionProcess {
    pub session_id: String,
    /// The leader: its pid is the session's process group.
    pub pid: i32,
    /// The leader's start time in clock ticks since boot.
    pub start_ticks: Option<i64>,
    pub boot_id: Option<String>,
    pub cgroup: Option<String>,
}

/// How a session ended, for [`record_ends`].
#[derive(Debug, Clone)]
pub struct SessionEnd {
    pub session_id: String,
    pub ended_ns: i64,
    pub completion_status: String,
    pub end_state: String,
}

/// Which sessions to list.
#[derive(Debug, Default)]
pub struct SessionFilter {
    /// `Some(true)`: running only; `Some(false)`: ended only.
    pub active: Option<bool>,
    pub end_state: Option<String>,
    pub deployment_id: Option<String>,
    pub start_ns: Option<i64>,
    pub end_ns: Option<i64>,
    pub limit: u32,
    pub offset: u32,
}

/// Which log lines to read.
#[derive(Debug, Default)]
pub struct LogFilter {
    pub session_id: Option<String>,
    pub deployment_id: Option<String>,
    pub query: Option<String>,
    pub start_ns: Option<i64>,
    pub end_ns: Option<i64>,
    pub ascending: bool,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone)]
pub struct LogRow {
    pub ts_ns: i64,
    pub line: String,
    pub deployment_id: Option<String>,
    pub session_id: Option<String>,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (disk full, I/O error, corrupt file, ...): the
    /// server's fault, not the caller's.
    #[error("local cloud store: {0}")]
    Sqlite(rusqlite::Error),
    /// The database was written by a newer release.
    #[error(
        "{} is at schema version {found}, newer than the {known} this pipecat knows: \
         it was written by a newer pipecat; use that one, or another --data-dir",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// The database file cannot be created or made private.
    #[error("cannot create {} with mode 0600: {err}", path.display())]
    Private { path: PathBuf, err: std::io::Error },
    /// A version-0 database with only some of the first release's tables.
    #[error(
        "{} is not a local cloud database this pipecat can upgrade (tables missing: {missing}); \
         move it away or use another --data-dir",
        path.display()
    )]
    Unrecognised { path: PathBuf, missing: String },
}

/// The one place a store failure is logged: where it happens (this
/// conversion is what every `?` on a SQLite call in this module goes
/// through), so whoever receives the error only passes it on.
impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        eprintln!("pipecat local: local cloud store: {err}");
        StoreError::Sqlite(err)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database file in the data dir.
const DB_FILE: &str = "local-cloud.sqlite3";

/// One connection behind a mutex: statements are short, and callers never
/// hold it across an `.await`. Log lines are written by their own
/// connection (see `logs.rs`); WAL lets both work at once.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// Opens a connection with the pragmas every connection needs.
pub fn connect(path: &Path) -> StoreResult<Connection> {
    open_connection(path).map_err(StoreError::Sqlite)
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_handler(Some(wait_for_lock))?;
    Ok(conn)
}

/// Waits for another connection's write lock for up to 10 s, retrying every
/// 200 µs: SQLite's own busy timeout sleeps up to 100 ms a try, which two
/// writers (the store and the log writer) hit constantly under load.
fn wait_for_lock(attempt: i32) -> bool {
    const RETRY: std::time::Duration = std::time::Duration::from_micros(200);
    const TRIES: i32 = 50_000;
    if attempt >= TRIES {
        return false;
    }
    std::thread::sleep(RETRY);
    true
}

/// Runs the `migrations` that `conn` has not run yet, in one transaction
/// that also sets the new version. Taken with a write lock first, so two
/// processes opening one data dir (`serve` and `local env`) never both
/// migrate. Failures are reported to the caller (startup), not logged.
fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> StoreResult<()> {
    let known = migrations.len() as i64;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(StoreError::Sqlite)?;
    let mut version: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(StoreError::Sqlite)?;
    if version > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    if version == 0 {
        let mut present = Vec::new();
        for table in FIRST_RELEASE_TABLES {
            let found = tx
                .query_row(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |_| Ok(()),
                )
                .optional()
                .map_err(StoreError::Sqlite)?;
            if found.is_some() {
                present.push(table);
            }
        }
        if present.len() == FIRST_RELEASE_TABLES.len() {
            version = 1;
        } else if !present.is_empty() {
            let missing: Vec<&str> = FIRST_RELEASE_TABLES
                .into_iter()
                .filter(|table| !present.contains(table))
                .collect();
            return Err(StoreError::Unrecognised {
                path: path.to_path_buf(),
                missing: missing.join(", "),
            });
        }
    }
    for migration in &migrations[version as usize..] {
        tx.execute_batch(migration).map_err(StoreError::Sqlite)?;
    }
    tx.pragma_update(None, "user_version", known)
        .map_err(StoreError::Sqlite)?;
    tx.commit().map_err(StoreError::Sqlite)
}

impl Store {
    /// Opens (creating and seeding if new) `DATA_DIR/local-cloud.sqlite3`,
    /// bringing its schema up to the last of [`MIGRATIONS`].
    pub fn open(data_dir: &Path) -> StoreResult<Store> {
        let path = data_dir.join(DB_FILE);
        make_private(&path)?;
        let mut conn = open_connection(&path).map_err(StoreError::Sqlite)?;
        migrate(&mut conn, &path, MIGRATIONS)?;
        let store = Store {
            conn: Mutex::new(conn),
            path,
        };
        store.seed_if_new()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(in crate::local) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (statements are atomic), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh data dir gets org `local`, one key of each kind and the
    /// agent `my-first-agent` running the demo bot.
    fn seed_if_new(&self) -> StoreResult<()> {
        if self.meta("org_id")?.is_some() {
            return Ok(());
        }
        let now = now_ns();
        {
            let conn = self.conn();
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('org_id', ?1), ('user_id', ?2)",
                params![new_id(), new_id()],
            )?;
        }
        self.insert_key(KeyKind::Public, Some("default"))?;
        self.insert_key(KeyKind::Private, Some("private"))?;
        self.insert_key(KeyKind::UserToken, Some("local user"))?;
        let agent_id = new_id();
        self.insert_agent(&AgentRecord {
            id: agent_id.clone(),
            name: "my-first-agent".into(),
            region: "local".into(),
            agent_profile: None,
            created_ns: now,
            updated_ns: now,
            deployment: DeploymentRecord {
                id: new_id(),
                agent_id,
                image: super::images::DEMO_BOT_IMAGE.into(),
                min_agents: 0,
                max_agents: None,
                max_session_duration: None,
                created_ns: now,
                options: DeploymentOptions::default(),
            },
        })
    }

    pub fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    // --- keys -------------------------------------------------------------

    pub fn keys(&self) -> StoreResult<Vec<KeyRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, kind, secret, name, created_ns, revoked FROM api_keys ORDER BY created_ns, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeyRecord {
                id: r.get(0)?,
                kind: KeyKind::parse(&r.get::<_, String>(1)?).unwrap_or(KeyKind::Public),
                secret: r.get(2)?,
                name: r.get(3)?,
                created_ns: r.get(4)?,
                revoked: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_key(&self, kind: KeyKind, name: Option<&str>) -> StoreResult<KeyRecord> {
        let key = KeyRecord {
            id: new_id(),
            kind,
            secret: new_secret(kind),
            name: name.map(str::to_string),
            created_ns: now_ns(),
            revoked: false,
        };
        self.conn().execute(
            "INSERT INTO api_keys(id, kind, secret, name, created_ns) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key.id, kind.as_str(), key.secret, key.name, key.created_ns],
        )?;
        Ok(key)
    }

    /// The first usable key of each kind.
    pub fn credentials(&self) -> StoreResult<Credentials> {
        let keys = self.keys()?;
        let first = |kind| {
            keys.iter()
                .find(|k| k.kind == kind && !k.revoked)
                .map(|k| k.secret.clone())
                .unwrap_or_default()
        };
        Ok(Credentials {
            public_key: first(KeyKind::Public),
            private_key: first(KeyKind::Private),
            user_token: first(KeyKind::UserToken),
        })
    }

    /// Soft-revokes a public key; false if there is no such public key.
    pub fn revoke_public_key(&self, id: &str) -> StoreResult<bool> {
        let changed = self.conn().execute(
            "UPDATE api_keys SET revoked = 1 WHERE id = ?1 AND kind = 'public'",
            [id],
        )?;
        Ok(changed > 0)
    }

    // --- agents and deployments -------------------------------------------

    /// Agents that are not deleted, with their current deployment.
    pub fn live_agents(&self) -> StoreResult<Vec<AgentRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT a.id, a.name, a.region, a.agent_profile, a.created_ns, a.updated_ns,
                    d.id, d.agent_id, d.image, d.min_agents, d.max_agents, d.max_session_duration, d.created_ns,
                    d.secret_set, d.image_pull_secret_set, d.krisp_viva_filter, d.node_type,
                    d.websocket_auth, d.architecture, d.build_id
             FROM agents a JOIN deployments d ON d.id = a.deployment_id
             WHERE a.deleted_ns IS NULL ORDER BY a.created_ns, a.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AgentRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                region: r.get(2)?,
                agent_profile: r.get(3)?,
                created_ns: r.get(4)?,
                updated_ns: r.get(5)?,
                deployment: deployment_from(r, 6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_agent(&self, agent: &AgentRecord) -> StoreResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO agents(id, name, region, agent_profile, deployment_id, created_ns, updated_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                agent.id,
                agent.name,
                agent.region,
                agent.agent_profile,
                agent.deployment.id,
                agent.created_ns,
                agent.updated_ns
            ],
        )?;
        insert_deployment(&tx, &agent.deployment)?;
        tx.commit()?;
        Ok(())
    }

    /// Saves an updated agent; `new_deployment` is added first when the
    /// change made one.
    pub fn update_agent(&self, agent: &AgentRecord, new_deployment: bool) -> StoreResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if new_deployment {
            insert_deployment(&tx, &agent.deployment)?;
        }
        tx.execute(
            "UPDATE agents SET region = ?2, agent_profile = ?3, deployment_id = ?4, updated_ns = ?5 WHERE id = ?1",
            params![
                agent.id,
                agent.region,
                agent.agent_profile,
                agent.deployment.id,
                agent.updated_ns
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The id of the live agent called `name`, else of the last one deleted.
    pub fn newest_agent_id(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id FROM agents WHERE name = ?1
                 ORDER BY deleted_ns IS NOT NULL, deleted_ns DESC, created_ns DESC LIMIT 1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn delete_agent(&self, agent_id: &str) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE agents SET deleted_ns = ?2 WHERE id = ?1",
            params![agent_id, now_ns()],
        )?;
        Ok(())
    }

    /// All deployments of an agent, newest first.
    pub fn deployments(&self, agent_id: &str) -> StoreResult<Vec<DeploymentRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, agent_id, image, min_agents, max_agents, max_session_duration, created_ns,
                    secret_set, image_pull_secret_set, krisp_viva_filter, node_type,
                    websocket_auth, architecture, build_id
             FROM deployments WHERE agent_id = ?1 ORDER BY created_ns DESC, rowid DESC",
        )?;
        let rows = stmt.query_map([agent_id], |r| deployment_from(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // --- sessions ---------------------------------------------------------

    pub fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO sessions(id, agent_name, agent_id, deployment_id, max_session_duration,
                                  requested_ns, updated_ns, end_state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.id,
                s.agent_name,
                s.agent_id,
                s.deployment_id,
                s.max_session_duration,
                s.requested_ns,
                s.updated_ns,
                s.end_state
            ],
        )?;
        Ok(())
    }

    pub fn mark_process_started(&self, id: &str, at_ns: i64) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE sessions SET process_started_ns = ?2, updated_ns = ?2 WHERE id = ?1",
            params![id, at_ns],
        )?;
        Ok(())
    }

    pub fn mark_stop_requested(&self, id: &str, at_ns: i64) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE sessions SET stop_requested_ns = COALESCE(stop_requested_ns, ?2), updated_ns = ?2
             WHERE id = ?1",
            params![id, at_ns],
        )?;
        Ok(())
    }

    pub fn mark_ended(
        &self,
        id: &str,
        at_ns: i64,
        completion_status: &str,
        end_state: &str,
    ) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE sessions SET ended_ns = ?2, updated_ns = ?2, completion_status = ?3, end_state = ?4
             WHERE id = ?1 AND ended_ns IS NULL",
            params![id, at_ns, completion_status, end_state],
        )?;
        Ok(())
    }

    /// Ends every session still marked running (the previous server died
    /// while they ran) and returns them. Each ends at the server's last
    /// heartbeat, so the time it was down is not billed, but never before
    /// its process started.
    pub fn end_orphaned_sessions(
        &self,
        completion_status: &str,
        end_state: &str,
    ) -> StoreResult<Vec<SessionRecord>> {
        let orphans = {
            let conn = self.conn();
            let mut stmt = conn.prepare(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE ended_ns IS NULL"
            ))?;
            let rows = stmt.query_map([], session_from)?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let now = now_ns();
        let last_alive = self.last_heartbeat()?.unwrap_or(now).min(now);
        for session in &orphans {
            let began = session.process_started_ns.unwrap_or(session.requested_ns);
            self.mark_ended(
                &session.id,
                last_alive.max(began),
                completion_status,
                end_state,
            )?;
        }
        Ok(orphans)
    }

    pub fn session(&self, agent_name: &str, id: &str) -> StoreResult<Option<SessionRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE agent_name = ?1 AND id = ?2"
                ),
                params![agent_name, id],
                session_from,
            )
            .optional()?)
    }

    pub fn has_sessions(&self, agent_name: &str) -> StoreResult<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM sessions WHERE agent_name = ?1 LIMIT 1",
                [agent_name],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Matching sessions, newest first, and how many match in all.
    pub fn sessions(
        &self,
        agent_id: &str,
        f: &SessionFilter,
    ) -> StoreResult<(u64, Vec<SessionRecord>)> {
        let filter = "agent_id = ?1
            AND (?2 IS NULL OR (?2 = 1 AND ended_ns IS NULL) OR (?2 = 0 AND ended_ns IS NOT NULL))
            AND (?3 IS NULL OR end_state = ?3)
            AND (?4 IS NULL OR deployment_id = ?4)
            AND (?5 IS NULL OR requested_ns >= ?5)
            AND (?6 IS NULL OR requested_ns <= ?6)";
        let conn = self.conn();
        let args = params![
            agent_id,
            f.active,
            f.end_state,
            f.deployment_id,
            f.start_ns,
            f.end_ns
        ];
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM sessions WHERE {filter}"),
            args,
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE {filter}
             ORDER BY requested_ns DESC, rowid DESC LIMIT ?7 OFFSET ?8"
        ))?;
        let rows = stmt.query_map(
            params![
                agent_id,
                f.active,
                f.end_state,
                f.deployment_id,
                f.start_ns,
                f.end_ns,
                f.limit,
                f.offset
            ],
            session_from,
        )?;
        Ok((total.max(0) as u64, rows.collect::<Result<_, _>>()?))
    }

    // --- logs -------------------------------------------------------------

    /// Matching log lines in `(ts_ns, id)` order, and how many match in all.
    pub fn logs(&self, agent_name: &str, f: &LogFilter) -> StoreResult<(u64, Vec<LogRow>)> {
        let filter = "agent_name = ?1
            AND (?2 IS NULL OR session_id = ?2)
            AND (?3 IS NULL OR deployment_id = ?3)
            AND (?4 IS NULL OR ts_ns >= ?4)
            AND (?5 IS NULL OR ts_ns <= ?5)
            AND (?6 IS NULL OR instr(lower(line), lower(?6)) > 0)";
        let order = if f.ascending {
            "ts_ns ASC, id ASC"
        } else {
            "ts_ns DESC, id DESC"
        };
        let conn = self.conn();
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM logs WHERE {filter}"),
            params![
                agent_name,
                f.session_id,
                f.deployment_id,
                f.start_ns,
                f.end_ns,
                f.query
            ],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT ts_ns, line, deployment_id, session_id FROM logs WHERE {filter}
             ORDER BY {order} LIMIT ?7 OFFSET ?8"
        ))?;
        let rows = stmt.query_map(
            params![
                agent_name,
                f.session_id,
                f.deployment_id,
                f.start_ns,
                f.end_ns,
                f.query,
                f.limit,
                f.offset
            ],
            |r| {
                Ok(LogRow {
                    ts_ns: r.get(0)?,
                    line: r.get(1)?,
                    deployment_id: r.get(2)?,
                    session_id: r.get(3)?,
                })
            },
        )?;
        Ok((total.max(0) as u64, rows.collect::<Result<_, _>>()?))
    }

    // --- session runtime: processes and heartbeat ------------------------

    pub fn record_session_process(&self, p: &SessionProcess) -> StoreResult<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO session_processes(session_id, pid, start_ticks, boot_id, cgroup)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![p.session_id, p.pid, p.start_ticks, p.boot_id, p.cgroup],
        )?;
        Ok(())
    }

    pub fn forget_session_process(&self, session_id: &str) -> StoreResult<()> {
        self.conn().execute(
            "DELETE FROM session_processes WHERE session_id = ?1",
            [session_id],
        )?;
        Ok(())
    }

    /// Every recorded process set (after a crash: what the sessions the
    /// dead server ran may have left).
    pub fn session_processes(&self) -> StoreResult<Vec<SessionProcess>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT session_id, pid, start_ticks, boot_id, cgroup FROM session_processes",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SessionProcess {
                session_id: r.get(0)?,
                pid: r.get(1)?,
                start_ticks: r.get(2)?,
                boot_id: r.get(3)?,
                cgroup: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A graceful shutdown: every running session's stop is requested now.
    pub fn mark_running_stop_requested(&self, at_ns: i64) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE sessions SET stop_requested_ns = COALESCE(stop_requested_ns, ?1), updated_ns = ?1
             WHERE ended_ns IS NULL",
            [at_ns],
        )?;
        Ok(())
    }

    /// Records that the server is alive at `at_ns`. A failure is not
    /// logged here (unlike the rest of the store): the heartbeat says once
    /// that it fails, not every second.
    pub fn beat(&self, at_ns: i64) -> StoreResult<()> {
        self.conn()
            .execute(
                "INSERT INTO meta(key, value) VALUES ('heartbeat_ns', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [at_ns.to_string()],
            )
            .map_err(StoreError::Sqlite)?;
        Ok(())
    }

    pub fn last_heartbeat(&self) -> StoreResult<Option<i64>> {
        Ok(self
            .meta("heartbeat_ns")?
            .and_then(|value| value.parse().ok()))
    }
}

const SESSION_COLUMNS: &str = "id, agent_name, agent_id, deployment_id, max_session_duration,
    requested_ns, process_started_ns, stop_requested_ns, ended_ns, updated_ns,
    completion_status, end_state";

fn session_from(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id: r.get(0)?,
        agent_name: r.get(1)?,
        agent_id: r.get(2)?,
        deployment_id: r.get(3)?,
        max_session_duration: r.get(4)?,
        requested_ns: r.get(5)?,
        process_started_ns: r.get(6)?,
        stop_requested_ns: r.get(7)?,
        ended_ns: r.get(8)?,
        updated_ns: r.get(9)?,
        completion_status: r.get(10)?,
        end_state: r.get(11)?,
    })
}

fn deployment_from(r: &Row<'_>, at: usize) -> rusqlite::Result<DeploymentRecord> {
    Ok(DeploymentRecord {
        id: r.get(at)?,
        agent_id: r.get(at + 1)?,
        image: r.get(at + 2)?,
        min_agents: r.get(at + 3)?,
        max_agents: r.get(at + 4)?,
        max_session_duration: r.get(at + 5)?,
        created_ns: r.get(at + 6)?,
        options: DeploymentOptions {
            secret_set: r.get(at + 7)?,
            image_pull_secret_set: r.get(at + 8)?,
            krisp_viva_filter: r.get(at + 9)?,
            node_type: r.get(at + 10)?,
            websocket_auth: r.get(at + 11)?,
            architecture: r.get(at + 12)?,
            build_id: r.get(at + 13)?,
        },
    })
}

fn insert_deployment(conn: &Connection, d: &DeploymentRecord) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO deployments(id, agent_id, image, min_agents, max_agents, max_session_duration, created_ns,
                                 secret_set, image_pull_secret_set, krisp_viva_filter, node_type,
                                 websocket_auth, architecture, build_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            d.id,
            d.agent_id,
            d.image,
            d.min_agents,
            d.max_agents,
            d.max_session_duration,
            d.created_ns,
            d.options.secret_set,
            d.options.image_pull_secret_set,
            d.options.krisp_viva_filter,
            d.options.node_type,
            d.options.websocket_auth,
            d.options.architecture,
            d.options.build_id
        ],
    )?;
    Ok(())
}

/// Records session ends (as [`Store::mark_ended`] each) and forgets their
/// processes, on `conn` (the log writer's, inside its transaction: a
/// session's end is committed with or after its last log line).
pub fn record_ends(conn: &Connection, ends: &[SessionEnd]) -> rusqlite::Result<()> {
    if ends.is_empty() {
        return Ok(());
    }
    let mut end = conn.prepare_cached(
        "UPDATE sessions SET ended_ns = ?2, updated_ns = ?2, completion_status = ?3, end_state = ?4
         WHERE id = ?1 AND ended_ns IS NULL",
    )?;
    let mut forget = conn.prepare_cached("DELETE FROM session_processes WHERE session_id = ?1")?;
    for e in ends {
        end.execute(params![
            e.session_id,
            e.ended_ns,
            e.completion_status,
            e.end_state
        ])?;
        forget.execute([&e.session_id])?;
    }
    Ok(())
}

/// The database holds keys and secret values: it is created 0600 before
/// SQLite opens it, whatever the umask (and a data dir's database from a
/// release that did not do so is made 0600). SQLite gives the `-wal` and
/// `-shm` files it creates the database's mode; ones an older release left
/// wider are narrowed too.
fn make_private(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let private = || std::fs::Permissions::from_mode(0o600);
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |err| StoreError::Private { path, err }
    };
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .and_then(|file| file.set_permissions(private()))
        .map_err(failed(path))?;
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let companion = PathBuf::from(name);
        if let Ok(metadata) = std::fs::metadata(&companion)
            && metadata.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&companion, private()).map_err(failed(&companion))?;
        }
    }
    Ok(())
}

/// A random UUID (v4) for records.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A credential: a kind prefix and 32 random bytes from the OS, in hex.
fn new_secret(kind: KeyKind) -> String {
    use rand::TryRng;
    let mut bytes = [0u8; 32];
    // The OS RNG failing is not recoverable for a server that must hand
    // out unguessable keys.
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    let prefix = match kind {
        KeyKind::Public => "pk_",
        KeyKind::Private => "sk_",
        KeyKind::UserToken => "pcc_pat_",
    };
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    fn user_version(path: &Path) -> i64 {
        Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_data_dir_runs_every_migration_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(user_version(store.path()), SCHEMA_VERSION);
        let agents = store.live_agents().unwrap();
        drop(store);
        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(user_version(reopened.path()), SCHEMA_VERSION);
        assert_eq!(reopened.live_agents().unwrap().len(), agents.len());
    }

    #[test]
    fn a_database_from_a_newer_release_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = Store::open(dir.path()).unwrap().path().to_path_buf();
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = Store::open(dir.path()).err().expect("refused");
        assert!(
            matches!(err, StoreError::TooNew { found, known, .. } if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
            "{err}"
        );
        assert!(err.to_string().contains("newer pipecat"), "{err}");
        assert_eq!(user_version(&path), SCHEMA_VERSION + 1);
    }

    #[test]
    fn a_failing_migration_leaves_the_database_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let mut conn = open_connection(&path).unwrap();
        let migrations = ["CREATE TABLE first (x INTEGER);", "CREATE TABLE broken ("];
        assert!(migrate(&mut conn, &path, &migrations).is_err());
        assert_eq!(user_version(&path), 0);
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            tables, 0,
            "the first migration was rolled back with the second"
        );
        migrate(&mut conn, &path, &migrations[..1]).unwrap();
        assert_eq!(user_version(&path), 1);
    }

    #[test]
    fn a_version_zero_database_with_only_some_first_release_tables_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let mut conn = open_connection(&path).unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
            .unwrap();
        let err = migrate(&mut conn, &path, MIGRATIONS).unwrap_err();
        assert!(
            err.to_string().contains("tables missing: api_keys"),
            "{err}"
        );
        assert_eq!(user_version(&path), 0);
    }
}
