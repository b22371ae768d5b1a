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
//!
//! # Connections
//!
//! - one writer connection (behind a mutex) for writes and the few reads
//!   that startup and key changes make; requests reach it off the async
//!   workers ([`Store::write`]), or on them for a small write when neither
//!   the log writer nor another write is under way ([`Store::write_small`],
//!   [`WriteGate`]);
//! - read connections on their own threads for the reads requests make
//!   ([`Store::read`], `store/pool.rs`, queries in `store/reads.rs`), so a
//!   long read never holds the writer, a start or a 429;
//! - the log writer's own connection (`logs.rs`), which holds the
//!   [`WriteGate`] for each of its transactions.
//!
//! Every query has an index that serves it: see the query-plan test at the
//! end of this file.
//!
//! # When the store cannot write
//!
//! A write that fails because the disk is full (or the file cannot be
//! written) marks the store unwritable until a write succeeds
//! ([`Store::write_failure`]; starts are refused meanwhile). A session
//! end that cannot be written is kept in memory, shown by every read as if
//! it were written, and written again by [`Store::retry`].

mod anchors;
mod pool;
#[cfg(test)]
mod query_tests;
mod reads;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};

use super::time::now_ns;
use anchors::Anchors;
use pool::ReadPool;
pub use reads::{Reader, last_line};

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
    // 6: an index for each query the store makes (the query-plan test
    // checks that each is used): an agent's lines by session and by
    // deployment, its running sessions and its sessions by end state and
    // by deployment, agents by name, keys and live agents in order.
    "
CREATE INDEX logs_agent_session ON logs(agent_name, session_id, ts_ns);
CREATE INDEX logs_agent_deployment ON logs(agent_name, deployment_id, ts_ns);
CREATE INDEX sessions_running ON sessions(agent_id, requested_ns) WHERE ended_ns IS NULL;
CREATE INDEX sessions_agent_state ON sessions(agent_id, end_state, requested_ns);
CREATE INDEX sessions_agent_deployment ON sessions(agent_id, deployment_id, requested_ns);
CREATE INDEX agents_name ON agents(name, deleted_ns, created_ns);
CREATE INDEX agents_live ON agents(created_ns, name) WHERE deleted_ns IS NULL;
CREATE INDEX api_keys_created ON api_keys(created_ns, id);
",
    // 7: cloud builds (see `cloud/builds.rs`): upload slots (the upload's
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

/// The WAL is cut back to this size after a checkpoint empties it (it
/// would otherwise keep the size of its largest burst).
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// WAL pages after which a commit of the store's writer checkpoints (the
/// log writer keeps SQLite's 1,000). A checkpoint syncs the WAL and the
/// database to the disk, milliseconds here, and a session's record (on an
/// async worker, see [`Store::write_small`]) would wait for it: one start
/// in fifty did. The log writer commits whenever sessions run, so it does
/// the checkpoints; this one only bounds the WAL (40 MB) when nothing is
/// logged.
const WRITER_CHECKPOINT_PAGES: i64 = 10_000;
/// Statements each connection keeps prepared (one per query shape in use).
const PREPARED_STATEMENTS: usize = 64;

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

/// How a session ended, for [`record_ends`] and [`Store::mark_ended`].
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
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    pub session_id: Option<String>,
    pub deployment_id: Option<String>,
    pub query: Option<String>,
    pub start_ns: Option<i64>,
    pub end_ns: Option<i64>,
    pub ascending: bool,
    pub limit: u32,
    /// Lines skipped, counted from `after` if given, else from the first
    /// match.
    pub offset: u32,
    /// Start after this line (in the page's order): a keyset page.
    pub after: Option<LogPosition>,
}

/// A line's place in the logs' total order: by time, then by when it was
/// stored (a new line always sorts after every stored one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogPosition {
    pub ts_ns: i64,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    pub position: LogPosition,
    pub line: String,
    pub deployment_id: Option<String>,
    pub session_id: Option<String>,
}

/// A page of log lines and how many lines match: `total` exactly when
/// `total_exact`, else at least `total` (the count stops
/// [`reads::TOTAL_LOOKAHEAD`] lines past the page). With [`LogFilter::after`],
/// lines are counted from there.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPage {
    pub rows: Vec<LogRow>,
    pub total: u64,
    pub total_exact: bool,
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
    /// A read's thread went away before it answered.
    #[error("local cloud store: a read was lost (its thread ended)")]
    ReadLost,
    /// A read thread could not be started.
    #[error("local cloud store: cannot start a read thread: {0}")]
    Thread(String),
}

/// The one place a store failure is logged: where it happens (this
/// conversion is what every `?` on a SQLite call in this module goes
/// through), so whoever receives the error only passes it on.
impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        // An interrupted read is one whose caller went away: not a failure.
        if err.sqlite_error_code() != Some(ErrorCode::OperationInterrupted) {
            eprintln!("pipecat local: local cloud store: {err}");
        }
        StoreError::Sqlite(err)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database file in the data dir.
const DB_FILE: &str = "local-cloud.sqlite3";

/// The writer connection behind a mutex (statements are short, and callers
/// never hold it across an `.await`), the read connections, and what both
/// share. See the module doc.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Started by the first read.
    readers: Mutex<Option<Arc<ReadPool>>>,
    shared: Arc<Shared>,
    gate: WriteGate,
}

/// Held by the store's other writer (the log writer) for the whole of each
/// of its transactions. Whoever holds it knows that no other writer of
/// this process holds SQLite's write lock, or will take it meanwhile, so a
/// write of its own gets the lock without waiting ([`Store::write_small`]).
#[derive(Clone, Default)]
pub struct WriteGate(Arc<Mutex<()>>);

/// The gate held by another thread ([`WriteGate::hold_elsewhere`]);
/// dropping it returns once the gate is free.
#[cfg(test)]
pub struct HeldElsewhere {
    release: std::sync::mpsc::Sender<()>,
    holder: Option<std::thread::JoinHandle<()>>,
}

#[cfg(test)]
impl Drop for HeldElsewhere {
    fn drop(&mut self) {
        let _ = self.release.send(());
        if let Some(holder) = self.holder.take() {
            let _ = holder.join();
        }
    }
}

impl WriteGate {
    /// Waits until no one holds it.
    pub fn hold(&self) -> MutexGuard<'_, ()> {
        lock(&self.0)
    }

    /// Holds it on a thread of its own (as the log writer does while it
    /// commits) until the returned value is dropped.
    #[cfg(test)]
    pub fn hold_elsewhere(&self) -> HeldElsewhere {
        let gate = self.clone();
        let (held, is_held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _held = gate.hold();
            held.send(()).unwrap();
            let _ = released.recv();
        });
        is_held.recv().unwrap();
        HeldElsewhere {
            release,
            holder: Some(holder),
        }
    }

    /// Holds it if no one does.
    fn try_hold(&self) -> Option<MutexGuard<'_, ()>> {
        match self.0.try_lock() {
            Ok(held) => Some(held),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }
}

/// What the writer and the read threads share.
#[derive(Default)]
pub struct Shared {
    anchors: Mutex<Anchors>,
    /// Session ends not written yet, by session id.
    ends: Mutex<HashMap<String, SessionEnd>>,
    /// Why the last write failed, until one succeeds.
    write_failure: Mutex<Option<String>>,
    /// Every statement the store's connections ran (for the query-plan
    /// test).
    #[cfg(test)]
    issued: Arc<Mutex<std::collections::BTreeSet<String>>>,
}

impl Shared {
    /// Shows the ends not written yet on records read from the store.
    fn overlay_ends(&self, records: &mut [SessionRecord]) {
        let ends = lock(&self.ends);
        if ends.is_empty() {
            return;
        }
        for record in records.iter_mut().filter(|r| r.ended_ns.is_none()) {
            if let Some(end) = ends.get(&record.id) {
                record.ended_ns = Some(end.ended_ns);
                record.updated_ns = end.ended_ns;
                record.completion_status = Some(end.completion_status.clone());
                record.end_state = end.end_state.clone();
            }
        }
    }

    /// Notes whether a write worked: one that failed for lack of room or
    /// of a writable file makes the store unwritable until one works.
    fn note_write<T>(&self, result: &rusqlite::Result<T>) {
        let mut failure = lock(&self.write_failure);
        match result {
            Ok(_) => *failure = None,
            Err(err) if cannot_write(err) => *failure = Some(err.to_string()),
            Err(_) => {}
        }
    }

    /// Sets up a connection of the store; in tests, records every
    /// statement it runs.
    fn prepare(&self, conn: &mut Connection) {
        #[cfg(test)]
        self.trace(conn);
        #[cfg(not(test))]
        let _ = conn;
    }

    #[cfg(test)]
    fn trace(&self, conn: &mut Connection) {
        let issued = self.issued.clone();
        conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: rusqlite::trace::TraceEvent<'_>| {
                if let rusqlite::trace::TraceEvent::Stmt(statement, _) = event {
                    lock(&issued).insert(statement.sql().into_owned());
                }
            }),
        )
        .expect("trace the store's statements");
    }
}

/// Errors that mean the database cannot be written (rather than a bad
/// statement or a constraint).
fn cannot_write(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(
            ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::ReadOnly
                | ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
        )
    )
}

/// Opens a connection with the pragmas every connection needs.
pub fn connect(path: &Path) -> StoreResult<Connection> {
    open_connection(path).map_err(StoreError::Sqlite)
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)?;
    conn.busy_handler(Some(wait_for_lock))?;
    conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
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
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)
            .map_err(StoreError::Sqlite)?;
        migrate(&mut conn, &path, MIGRATIONS)?;
        let shared = Arc::new(Shared::default());
        shared.prepare(&mut conn);
        let store = Store {
            conn: Mutex::new(conn),
            path,
            readers: Mutex::new(None),
            shared,
            gate: WriteGate::default(),
        };
        store.seed_if_new()?;
        Ok(store)
    }

    /// Runs `read` on a read connection, off the async workers.
    pub async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Reader<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let shared = self.shared.clone();
        self.readers()?
            .run(move |conn| {
                read(&Reader {
                    conn,
                    shared: &shared,
                })
            })
            .await
    }

    /// [`Store::read`], waiting on this thread.
    #[cfg(test)]
    pub fn read_blocking<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Reader<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let shared = self.shared.clone();
        self.readers()?.run_blocking(move |conn| {
            read(&Reader {
                conn,
                shared: &shared,
            })
        })
    }

    fn readers(&self) -> StoreResult<Arc<ReadPool>> {
        let mut readers = lock(&self.readers);
        if let Some(pool) = readers.as_ref() {
            return Ok(pool.clone());
        }
        let pool = Arc::new(ReadPool::start(&self.path, &self.shared)?);
        *readers = Some(pool.clone());
        Ok(pool)
    }

    /// Runs `write` (calls of this store's write methods) on the blocking
    /// pool, off the async workers.
    pub async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        write: impl FnOnce(&Store) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || write(&store))
            .await
            .map_err(|err| StoreError::Thread(err.to_string()))?
    }

    /// [`Store::write`] for a small write a request waits for (a session's
    /// record): run here, on the async worker, when the log writer is not
    /// in a transaction and no other write holds the writer connection,
    /// which saves the hand-off to the blocking pool and back (a start
    /// spent a tenth of its time in those four context switches). Else,
    /// when it could wait for either, off the workers like any write.
    /// (Another process holding SQLite's lock, `pipecat local` commands
    /// that open the store, would still make it wait, as it does every
    /// write the handlers make.)
    pub async fn write_small<T: Send + 'static>(
        self: &Arc<Self>,
        write: impl FnOnce(&Store) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        if let Some(_held) = self.gate.try_hold() {
            // Only looked at: the write takes the connection itself.
            let writer_free = self.conn.try_lock().is_ok();
            if writer_free {
                return write(self);
            }
        }
        self.write(write).await
    }

    /// The gate the log writer holds while it writes.
    pub fn write_gate(&self) -> WriteGate {
        self.gate.clone()
    }

    /// Runs a write on the writer connection, noting whether the store
    /// can write.
    fn writing<T>(
        &self,
        write: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        let result = write(&mut self.conn());
        self.shared.note_write(&result);
        Ok(result?)
    }

    /// Why writes fail, while they do (e.g. "database or disk is full").
    pub fn write_failure(&self) -> Option<String> {
        lock(&self.shared.write_failure).clone()
    }

    /// Whether [`Store::retry`] has work: ends to write, or a failure to
    /// check.
    pub fn needs_retry(&self) -> bool {
        !lock(&self.shared.ends).is_empty() || self.write_failure().is_some()
    }

    /// Writes the session ends that could not be written before (or, with
    /// none waiting, tries a harmless write to learn whether the store can
    /// write again); returns how many ends still wait.
    pub fn retry(&self) -> usize {
        let waiting: Vec<SessionEnd> = lock(&self.shared.ends).values().cloned().collect();
        if waiting.is_empty() {
            if self.write_failure().is_some() {
                // Failures are logged where they happen.
                let _ = self.writing(|conn| {
                    conn.execute("UPDATE meta SET value = value WHERE key = 'org_id'", [])
                });
            }
            return 0;
        }
        for end in waiting {
            if self.write_end(&end).is_ok() {
                lock(&self.shared.ends).remove(&end.session_id);
            }
        }
        lock(&self.shared.ends).len()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(in crate::local) fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// A fresh data dir gets org `local`, one key of each kind and the
    /// agent `my-first-agent` running the demo bot.
    fn seed_if_new(&self) -> StoreResult<()> {
        if self.meta("org_id")?.is_some() {
            return Ok(());
        }
        let now = now_ns();
        self.writing(|conn| {
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('org_id', ?1), ('user_id', ?2)",
                params![new_id(), new_id()],
            )
        })?;
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
        self.writing(|conn| {
            conn.execute(
                "INSERT INTO api_keys(id, kind, secret, name, created_ns) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key.id, kind.as_str(), key.secret, key.name, key.created_ns],
            )
        })?;
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
        let changed = self.writing(|conn| {
            conn.execute(
                "UPDATE api_keys SET revoked = 1 WHERE id = ?1 AND kind = 'public'",
                [id],
            )
        })?;
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
        self.writing(|conn| {
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
            tx.commit()
        })
    }

    /// Saves an updated agent; `new_deployment` is added first when the
    /// change made one.
    pub fn update_agent(&self, agent: &AgentRecord, new_deployment: bool) -> StoreResult<()> {
        self.writing(|conn| {
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
            tx.commit()
        })
    }

    pub fn delete_agent(&self, agent_id: &str) -> StoreResult<()> {
        self.writing(|conn| {
            conn.execute(
                "UPDATE agents SET deleted_ns = ?2 WHERE id = ?1",
                params![agent_id, now_ns()],
            )
        })?;
        Ok(())
    }

    // --- sessions ---------------------------------------------------------

    /// Saves a new session as it is (here: one whose process could not
    /// start, already ended).
    pub fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        self.writing(|conn| insert_session(conn, s))?;
        Ok(())
    }

    pub fn mark_stop_requested(&self, id: &str, at_ns: i64) -> StoreResult<()> {
        self.writing(|conn| {
            conn.prepare_cached(
                "UPDATE sessions SET stop_requested_ns = COALESCE(stop_requested_ns, ?2), updated_ns = ?2
                 WHERE id = ?1",
            )?
            .execute(params![id, at_ns])
        })?;
        Ok(())
    }

    /// Records a session's end. If that fails (e.g. a full disk), the end
    /// is kept in memory, shown by every read, and written again by
    /// [`Store::retry`]: a session whose process is gone never shows as
    /// running.
    pub fn mark_ended(
        &self,
        id: &str,
        at_ns: i64,
        completion_status: &str,
        end_state: &str,
    ) -> StoreResult<()> {
        let end = SessionEnd {
            session_id: id.to_string(),
            ended_ns: at_ns,
            completion_status: completion_status.to_string(),
            end_state: end_state.to_string(),
        };
        let written = self.write_end(&end);
        if written.is_err() {
            lock(&self.shared.ends).insert(end.session_id.clone(), end);
        }
        written
    }

    fn write_end(&self, end: &SessionEnd) -> StoreResult<()> {
        self.writing(|conn| {
            let tx = conn.transaction()?;
            record_ends(&tx, std::slice::from_ref(end))?;
            tx.commit()
        })?;
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
                "SELECT {SESSION_COLUMNS} FROM sessions INDEXED BY sessions_running
                 WHERE ended_ns IS NULL"
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

    // --- session runtime: processes and heartbeat ------------------------

    /// Saves a new running session and where its processes are, in one
    /// transaction (once its process runs, so the record holds when it
    /// started).
    pub fn insert_running_session(
        &self,
        s: &SessionRecord,
        process: &SessionProcess,
    ) -> StoreResult<()> {
        self.writing(|conn| {
            let tx = conn.transaction()?;
            insert_session(&tx, s)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO session_processes(session_id, pid, start_ticks, boot_id, cgroup)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                process.session_id,
                process.pid,
                process.start_ticks,
                process.boot_id,
                process.cgroup
            ])?;
            tx.commit()
        })
    }

    pub fn forget_session_process(&self, session_id: &str) -> StoreResult<()> {
        self.writing(|conn| {
            conn.prepare_cached("DELETE FROM session_processes WHERE session_id = ?1")?
                .execute([session_id])
        })?;
        Ok(())
    }

    /// Every recorded process set (after a crash: what the sessions the
    /// dead server ran may have left).
    pub fn session_processes(&self) -> StoreResult<Vec<SessionProcess>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT session_id, pid, start_ticks, boot_id, cgroup FROM session_processes
             ORDER BY session_id",
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
        self.writing(|conn| {
            conn.execute(
                "UPDATE sessions INDEXED BY sessions_running
                 SET stop_requested_ns = COALESCE(stop_requested_ns, ?1), updated_ns = ?1
                 WHERE ended_ns IS NULL",
                [at_ns],
            )
        })?;
        Ok(())
    }

    /// Records that the server is alive at `at_ns` (which also tells a
    /// store that could not write whether it can again). A failure is not
    /// logged here (unlike the rest of the store): the heartbeat says once
    /// that it fails, not every second.
    pub fn beat(&self, at_ns: i64) -> StoreResult<()> {
        let result = self.conn().execute(
            "INSERT INTO meta(key, value) VALUES ('heartbeat_ns', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [at_ns.to_string()],
        );
        self.shared.note_write(&result);
        result.map_err(StoreError::Sqlite)?;
        Ok(())
    }

    pub fn last_heartbeat(&self) -> StoreResult<Option<i64>> {
        Ok(self
            .meta("heartbeat_ns")?
            .and_then(|value| value.parse().ok()))
    }
}

pub(crate) const SESSION_COLUMNS: &str =
    "id, agent_name, agent_id, deployment_id, max_session_duration,
    requested_ns, process_started_ns, stop_requested_ns, ended_ns, updated_ns,
    completion_status, end_state";

pub(crate) fn session_from(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
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

pub(crate) fn deployment_from(r: &Row<'_>, at: usize) -> rusqlite::Result<DeploymentRecord> {
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

fn insert_session(conn: &Connection, s: &SessionRecord) -> rusqlite::Result<usize> {
    // Cached, as are the other statements each start and end runs: a
    // start does not parse SQL.
    conn.prepare_cached(&format!(
        "INSERT INTO sessions({SESSION_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        s.id,
        s.agent_name,
        s.agent_id,
        s.deployment_id,
        s.max_session_duration,
        s.requested_ns,
        s.process_started_ns,
        s.stop_requested_ns,
        s.ended_ns,
        s.updated_ns,
        s.completion_status,
        s.end_state
    ])
}

fn insert_deployment(conn: &Connection, d: &DeploymentRecord) -> rusqlite::Result<()> {
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

/// A panic while holding one of the store's locks cannot leave SQLite or
/// the data behind it half-written (statements are atomic), so a poisoned
/// lock is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Records session ends and forgets their processes, on `conn`: the log
/// writer's, inside its transaction (a session's end is committed with or
/// after its last log line), or the store's writer for an end the log
/// writer could not record ([`Store::mark_ended`]).
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
    format!("{prefix}{}", hex::encode(bytes))
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

    /// A small write runs on the caller's thread while the gate is free,
    /// and off it (on the blocking pool, which does not need the gate)
    /// while the log writer holds it.
    #[tokio::test]
    async fn a_small_write_runs_here_unless_another_write_is_under_way() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let here = std::thread::current().id();
        let written_on = |store: &Arc<Store>| {
            let store = store.clone();
            async move {
                store
                    .write_small(|store| {
                        store.writing(|conn| conn.execute("UPDATE meta SET value = value", []))?;
                        Ok(std::thread::current().id())
                    })
                    .await
                    .unwrap()
            }
        };
        assert_eq!(written_on(&store).await, here);
        // Another thread holds the gate, as the log writer does.
        let release = store.write_gate().hold_elsewhere();
        assert_ne!(written_on(&store).await, here);
        drop(release);
        assert_eq!(written_on(&store).await, here);
        // Another write holds the writer connection for a moment.
        let (held, is_held) = std::sync::mpsc::channel();
        let holder = std::thread::spawn({
            let store = store.clone();
            move || {
                let _conn = store.conn();
                held.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        is_held.recv().unwrap();
        assert_ne!(written_on(&store).await, here);
        holder.join().unwrap();
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

    /// The store's writer leaves checkpoints (and their syncs) to the log
    /// writer, which keeps SQLite's default.
    #[test]
    fn checkpoints_are_the_log_writers_job() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let pages = |conn: &Connection| -> i64 {
            conn.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(pages(&store.conn()), WRITER_CHECKPOINT_PAGES);
        assert_eq!(pages(&connect(store.path()).unwrap()), 1000);
    }

    #[test]
    fn every_connection_cuts_the_wal_back_after_a_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let conn = connect(store.path()).unwrap();
        let limit: i64 = conn
            .pragma_query_value(None, "journal_size_limit", |r| r.get(0))
            .unwrap();
        assert_eq!(limit, JOURNAL_SIZE_LIMIT);
    }

    /// A data dir left at any earlier version (a release that stopped
    /// there) opens at the current one with its sessions and lines.
    #[test]
    fn a_data_dir_at_every_earlier_version_opens_with_its_rows() {
        for version in 1..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(DB_FILE);
            {
                let mut conn = open_connection(&path).unwrap();
                migrate(&mut conn, &path, &MIGRATIONS[..version]).unwrap();
                conn.execute_batch(
                    "INSERT INTO sessions(id, agent_name, agent_id, deployment_id, max_session_duration,
                                          requested_ns, updated_ns, end_state)
                     VALUES ('s1', 'bot', 'a1', 'd1', 60, 10, 10, 'active');
                     INSERT INTO logs(agent_name, deployment_id, session_id, ts_ns, line)
                     VALUES ('bot', 'd1', 's1', 20, 'hello');",
                )
                .unwrap();
            }
            let store = Store::open(dir.path()).unwrap();
            assert_eq!(user_version(&path), SCHEMA_VERSION, "from {version}");
            let (session, page) = store
                .read_blocking(|r| {
                    let filter = LogFilter {
                        session_id: Some("s1".into()),
                        limit: 10,
                        ..LogFilter::default()
                    };
                    Ok((r.session("bot", "s1")?, r.logs("bot", &filter)?))
                })
                .unwrap();
            assert_eq!(
                session.map(|s| s.end_state),
                Some("active".into()),
                "from {version}"
            );
            let lines: Vec<&str> = page.rows.iter().map(|row| row.line.as_str()).collect();
            assert_eq!(lines, ["hello"], "from {version}");
        }
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
