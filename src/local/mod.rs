//! The local Pipecat Cloud: a server on 127.0.0.1 that speaks the Pipecat
//! Cloud REST API and runs each session as a local process.
//!
//! - [`store`]: SQLite state under the data dir (keys, agents,
//!   deployments, sessions, logs);
//! - [`logs`]: the batched, bounded log writer; [`access_log`]: one line
//!   per request;
//! - [`runtime`]: session processes (the process contract and completion
//!   statuses are documented there); [`containment`]: keeping each
//!   session's processes together (cgroups or process groups) and killing
//!   what a crashed server left;
//! - [`cloud`]: the operations both API surfaces share;
//! - [`routes`], [`auth`], [`http`]: the HTTP layer; [`connections`]: the
//!   accept loop and its bounds (timeouts, connection limit);
//! - [`images`]: which command an image runs; [`demo_bot`]: the built-in bot.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use pipecat_cloud::local::{Options, Server};
//! let server = Server::start(Options::new("/tmp/pipecat-local".into())).await?;
//! println!("{} (public key {})", server.url(), server.credentials().public_key);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

pub mod access_log;
pub mod auth;
pub mod autostart;
pub mod capacity;
pub mod cloud;
pub mod connections;
pub mod containment;
pub mod demo_bot;
pub mod http;
pub mod images;
pub mod logs;
pub mod routes;
pub mod runtime;
pub mod store;
pub mod time;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::env;
use cloud::Cloud;

pub use cloud::ORG;
pub use images::ImageMapping;
pub use store::Credentials;

/// The port `serve` uses when none is given.
pub const DEFAULT_PORT: u16 = 7463;
/// The state file in the data dir (mode 0600; it holds the keys).
pub use autostart::STATE_FILE;
/// The file `serve` holds an exclusive lock on while it serves a data dir.
pub const SERVER_LOCK_FILE: &str = "server.lock";

/// How to run a local cloud.
#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
    pub images: Vec<ImageMapping>,
    /// `maxAgents` of agents that do not set one.
    pub default_max_agents: u32,
    /// The lowest accepted `maxSessionDuration` (tests and demos only).
    pub min_session_duration: u32,
    /// The program whose `cloud local demo-bot` subcommand is the demo bot.
    pub demo_bot_program: PathBuf,
    /// Lines one session may log per second; the excess is dropped.
    pub max_log_lines_per_second: u32,
}

impl Options {
    pub fn new(data_dir: PathBuf) -> Self {
        Options {
            data_dir,
            port: DEFAULT_PORT,
            images: Vec::new(),
            default_max_agents: 50,
            min_session_duration: cloud::MIN_SESSION_DURATION,
            demo_bot_program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("pipecat")),
            max_log_lines_per_second: logs::DEFAULT_LINES_PER_SECOND,
        }
    }
}

/// `PIPECAT_LOCAL_DATA_DIR`, else `<local data dir>/pipecat-cloud/local`.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(env::LOCAL_DATA_DIR).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_local_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("pipecat-cloud")
        .join("local")
}

pub struct Server;

/// A running local cloud.
pub struct RunningServer {
    url: String,
    data_dir: PathBuf,
    credentials: Credentials,
    cloud: Arc<Cloud>,
    stop_serving: watch::Sender<bool>,
    serving: JoinHandle<std::io::Result<()>>,
    /// Held while serving: one server per data dir (see [`lock_data_dir`]).
    _data_dir_lock: std::fs::File,
}

/// Why a data dir cannot be used. Its files hold every key and the
/// sessions' bodies, so it must be the user's own and closed to everyone
/// else; an existing directory is never changed to make it so.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "the data dir {} is open to other users (mode {mode:04o}); it would hold keys, so pass a directory only you can access (e.g. one that does not exist yet: it is created with mode 0700)",
        path.display()
    )]
    Shared { path: PathBuf, mode: u32 },
    #[error(
        "the data dir {} belongs to another user (uid {owner}); pass a directory of your own",
        path.display()
    )]
    NotOwned { path: PathBuf, owner: u32 },
    #[error("the data dir {} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error("cannot use the data dir {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Creates the data dir (and missing parents) with mode 0700, or checks
/// that an existing one is a directory of this user closed to everyone else.
/// An existing directory is refused, never chmod-ed: a shared one such as
/// `/tmp` is not ours to change.
pub fn create_private_dir(data_dir: &Path) -> Result<(), DataDirError> {
    use std::os::unix::fs::MetadataExt;

    let io = |source| DataDirError::Io {
        path: data_dir.to_path_buf(),
        source,
    };
    if let Err(err) = std::fs::metadata(data_dir) {
        if err.kind() != std::io::ErrorKind::NotFound {
            return Err(io(err));
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)
            .map_err(io)?;
    }
    let metadata = std::fs::metadata(data_dir).map_err(io)?;
    let path = data_dir.to_path_buf();
    if !metadata.is_dir() {
        return Err(DataDirError::NotADirectory { path });
    }
    if metadata.uid() != nix::unistd::geteuid().as_raw() {
        return Err(DataDirError::NotOwned {
            path,
            owner: metadata.uid(),
        });
    }
    let mode = metadata.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(DataDirError::Shared { path, mode });
    }
    Ok(())
}

/// Creates `path` with mode 0600 if it does not exist (so it is never
/// readable by others, whatever the umask), and takes an existing file of
/// ours back to 0600. For files whose first writer is not us (SQLite).
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;

    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    let mode = file.metadata()?.permissions().mode();
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

/// Makes the store's files private before SQLite opens them: a new database
/// file is created 0600 (its -wal and -shm are created with its mode), and
/// files of ours left wider by an older version are narrowed.
fn private_store_files(data_dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;

    let db = data_dir.join(store::DB_FILE);
    create_private_file(&db).with_context(|| format!("cannot create {}", db.display()))?;
    for suffix in ["-wal", "-shm"] {
        let path = data_dir.join(format!("{}{suffix}", store::DB_FILE));
        if let Ok(metadata) = std::fs::metadata(&path)
            && metadata.permissions().mode() & 0o077 != 0
        {
            let private = std::fs::Permissions::from_mode(metadata.permissions().mode() & 0o700);
            std::fs::set_permissions(&path, private)
                .with_context(|| format!("cannot make {} private", path.display()))?;
        }
    }
    Ok(())
}

/// Takes the data dir's server lock, or says who holds it. Two servers on
/// one store would each take the other's running sessions for orphans of a
/// crash and end them.
fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = data_dir.join(SERVER_LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {
            // Who holds it, for people reading the file; `local stop`
            // trusts only the kernel's record of the holder.
            file.set_len(0)?;
            writeln!(file, "{}", std::process::id())?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = autostart::running(data_dir)
                .map(|endpoint| format!(" at {} (pid {})", endpoint.url, endpoint.pid))
                .unwrap_or_default();
            anyhow::bail!(
                "another local cloud already serves {}{holder}; stop it with `pipecat cloud local stop` or pass another --data-dir",
                data_dir.display()
            )
        }
        Err(std::fs::TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

impl Server {
    /// Opens (or creates and seeds) the data dir, binds 127.0.0.1, writes
    /// the state file and serves until [`RunningServer::shutdown`].
    pub async fn start(options: Options) -> anyhow::Result<RunningServer> {
        create_private_dir(&options.data_dir)?;
        let data_dir_lock = lock_data_dir(&options.data_dir)?;
        private_store_files(&options.data_dir)?;
        let images =
            images::ImageCatalog::new(options.images.clone(), options.demo_bot_program.clone());
        let settings = cloud::Settings {
            default_max_agents: options.default_max_agents.max(1),
            min_session_duration: options.min_session_duration.max(1),
            max_log_lines_per_second: options.max_log_lines_per_second.max(1),
        };
        let cloud = Arc::new(
            Cloud::open(&options.data_dir, images, settings).with_context(|| {
                format!(
                    "cannot open the local cloud in {}",
                    options.data_dir.display()
                )
            })?,
        );
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, options.port)))
                .await
                .with_context(|| format!("cannot listen on 127.0.0.1:{}", options.port))?;
        let url = format!("http://{}", listener.local_addr()?);
        let credentials = cloud.credentials()?;
        let (stop_serving, stopped) = watch::channel(false);
        let access_log = access_log::AccessLog::start(&options.data_dir)
            .context("cannot open the access log")?;
        let app = routes::router(cloud.clone()).layer(axum::middleware::from_fn_with_state(
            access_log,
            access_log::log_request,
        ));
        let serving = tokio::spawn(connections::serve(listener, app, stopped));
        let server = RunningServer {
            url,
            data_dir: options.data_dir,
            credentials,
            cloud,
            stop_serving,
            serving,
            _data_dir_lock: data_dir_lock,
        };
        server.write_state(true)?;
        Ok(server)
    }
}

impl RunningServer {
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Stops serving, stops every session (recorded as ended), commits the
    /// logs and marks the state file stopped.
    pub async fn shutdown(self) {
        let stopped_state = self.state_json(false);
        let _ = self.stop_serving.send(true);
        // Requests in flight get a moment to finish; a stop waiting on a
        // slow session must not hold the shutdown.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.serving).await;
        self.cloud.shutdown().await;
        if let Err(err) = write_state_file(&self.data_dir, &stopped_state) {
            eprintln!("pipecat local: {err:#}");
        }
    }

    fn state_json(&self, running: bool) -> Value {
        json!({
            "url": self.url,
            "pid": std::process::id(),
            "running": running,
            "dataDir": self.data_dir,
            "org": ORG,
            "publicKey": self.credentials.public_key,
            "privateKey": self.credentials.private_key,
            "userToken": self.credentials.user_token,
        })
    }

    fn write_state(&self, running: bool) -> anyhow::Result<()> {
        write_state_file(&self.data_dir, &self.state_json(running))
    }
}

/// Writes `server.json` atomically with mode 0600.
fn write_state_file(data_dir: &Path, state: &Value) -> anyhow::Result<()> {
    let path = data_dir.join(STATE_FILE);
    let temp = data_dir.join(format!(".{STATE_FILE}.tmp"));
    let _ = std::fs::remove_file(&temp);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .with_context(|| format!("cannot write {}", temp.display()))?;
    file.write_all(serde_json::to_string_pretty(state)?.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The environment a client needs to use the local cloud in `data_dir`,
/// whether or not it runs (a never-used data dir is created and seeded).
/// The URL is the last one a server used there, else the default port.
pub fn client_environment(data_dir: &Path) -> anyhow::Result<Vec<(&'static str, String)>> {
    create_private_dir(data_dir)?;
    private_store_files(data_dir)?;
    let store = store::Store::open(data_dir)
        .with_context(|| format!("cannot open the local cloud in {}", data_dir.display()))?;
    let credentials = store.credentials()?;
    let url = std::fs::read_to_string(data_dir.join(STATE_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|state| state["url"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"));
    Ok(vec![
        (env::API_HOST, url),
        (env::TOKEN, credentials.user_token),
        (env::PRIVATE_API_KEY, credentials.private_key),
        (env::DEFAULT_PUBLIC_KEY, credentials.public_key),
        (env::ORG, ORG.to_string()),
    ])
}
