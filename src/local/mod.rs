//! The local Pipecat Cloud: a server on 127.0.0.1 that speaks the Pipecat
//! Cloud REST API and runs each session as a local process.
//!
//! The public interface is small: [`Server::start`] with [`Options`] gives
//! a [`RunningServer`]; [`autostart`] finds, starts and stops the server of
//! a data dir from other processes; [`client_environment`] is what
//! `local env` prints; [`demo_bot`] is what the built-in image runs.
//!
//! Inside (crate-private):
//! - `store`: SQLite state under the data dir (keys, agents, deployments,
//!   sessions, logs), with versioned migrations;
//! - `logs`: the batched, bounded log writer; `access_log`: one line per
//!   request;
//! - `runtime`: session processes (the process contract and completion
//!   statuses are documented there); `spawn`: starting a session process
//!   without copying the server (clone, vfork semantics, a pidfd);
//!   `containment`: keeping each session's
//!   processes together (cgroups or process groups) and killing what a
//!   crashed server left;
//! - `cloud`: the operations both API surfaces share, returning the domain
//!   errors of `error`; `names`: names and ids in requests;
//! - `identity`: the OAuth identity provider (browser logins, their codes
//!   and tokens);
//! - `routes`, `login_routes`, `auth`, `http`: the HTTP layer (`http` alone
//!   maps errors to answers); `connections`: the accept loop and its bounds
//!   (timeouts, connection limit);
//! - `images`: which command an image runs;
//! - `build` (unpacking a context, the Dockerfile subset, the native
//!   builder, the image layout and the agent host), `cloud/builds.rs`
//!   (uploads, the build queue and worker) and `contract` (driving an
//!   agent through the container contract); `lines`: a bounded line reader.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use pipecat_cloud::local::{Options, Server};
//! let server = Server::start(Options::new("/tmp/pipecat-local".into())).await?;
//! println!("{} (public key {})", server.url(), server.credentials().public_key);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod access_log;
mod auth;
pub mod autostart;
mod bodies;
pub(crate) mod build;
mod capacity;
mod cloud;
mod connections;
mod containment;
pub(crate) mod contract;
pub mod demo_bot;
mod error;
mod http;
mod identity;
mod images;
pub(crate) mod lines;
mod login_routes;
mod logs;
mod names;
mod routes;
mod runtime;
mod sched;
mod spawn;
mod store;
mod time;

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

pub use access_log::AccessObserver;
pub use images::ImageMapping;
pub use store::Credentials;

/// The port `serve` uses when none is given.
pub const DEFAULT_PORT: u16 = 7463;
/// How long the access tokens of a browser login live unless `serve
/// --token-ttl` says.
pub const DEFAULT_TOKEN_TTL: Duration = identity::DEFAULT_ACCESS_TTL;
/// The state file in the data dir (mode 0600; it holds the keys).
pub use autostart::STATE_FILE;
/// How many lines one session may log per second unless `serve
/// --max-log-lines-per-second` says.
pub const DEFAULT_MAX_LOG_LINES_PER_SECOND: u32 = logs::DEFAULT_LINES_PER_SECOND;
/// How long an agent served through the container contract may take to
/// become ready unless `serve --ready-timeout` says.
pub const DEFAULT_READY_TIMEOUT: Duration = contract::DEFAULT_READY_LIMIT;
/// How long a cloud build may take unless `serve --build-timeout` says.
pub const DEFAULT_BUILD_TIMEOUT: Duration = cloud::DEFAULT_BUILD_TIMEOUT;
/// The file `serve` holds an exclusive lock on while it serves a data dir.
pub(crate) const SERVER_LOCK_FILE: &str = "server.lock";

/// How to run a local cloud.
#[derive(Debug, Clone)]
pub struct Options {
    /// Holds everything the server keeps (created private if missing).
    pub data_dir: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Which shell command each image reference runs (`--image NAME=COMMAND`).
    pub images: Vec<ImageMapping>,
    /// `maxAgents` of agents that do not set one.
    pub default_max_agents: u32,
    /// The lowest accepted `maxSessionDuration` (tests and demos only).
    pub min_session_duration: u32,
    /// The program whose `cloud local demo-bot` subcommand is the demo bot.
    pub demo_bot_program: PathBuf,
    /// Also given each line of the access log (`serve -v` prints them).
    pub access_observer: Option<AccessObserver>,
    /// Regions besides `local` (`--region`, repeatable): names that
    /// agents and secret sets can be in, all on this machine.
    pub regions: Vec<String>,
    /// How long the access tokens of a browser login live (`--token-ttl`).
    pub token_ttl: Duration,
    /// Ask a person to press a button before approving a browser login
    /// (`--login-prompt`), instead of approving at once.
    pub login_prompt: bool,
    /// Lines one session may log per second (`--max-log-lines-per-second`);
    /// the excess is dropped and counted in its logs.
    pub max_log_lines_per_second: u32,
    /// How long the agent of a built image (or an `http:` image) may take
    /// to answer `/readyz` before its session fails with `START_FAILED`
    /// (`--ready-timeout`).
    pub ready_timeout: Duration,
    /// The largest build context an upload may send
    /// (`--max-context-bytes`; the platform's is 500 MB).
    pub max_context_bytes: u64,
    /// The longest one cloud build may take (`--build-timeout`).
    pub build_timeout: Duration,
}

impl Options {
    /// The defaults of `serve` for `data_dir`: port [`DEFAULT_PORT`], no
    /// image mappings, `maxAgents` 50, the platform's 60 s floor, this
    /// program as the demo bot, region `local` only, browser logins
    /// approved at once with access tokens that live [`DEFAULT_TOKEN_TTL`],
    /// [`DEFAULT_READY_TIMEOUT`] for agents to get ready, and the
    /// platform's build context limit with [`DEFAULT_BUILD_TIMEOUT`].
    pub fn new(data_dir: PathBuf) -> Self {
        Options {
            data_dir,
            port: DEFAULT_PORT,
            images: Vec::new(),
            default_max_agents: crate::api::limits::DEFAULT_MAX_AGENTS,
            min_session_duration: cloud::MIN_SESSION_DURATION,
            demo_bot_program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("pipecat")),
            access_observer: None,
            regions: Vec::new(),
            token_ttl: DEFAULT_TOKEN_TTL,
            login_prompt: false,
            max_log_lines_per_second: DEFAULT_MAX_LOG_LINES_PER_SECOND,
            ready_timeout: DEFAULT_READY_TIMEOUT,
            max_context_bytes: crate::api::build_context::MAX_CONTEXT_BYTES,
            build_timeout: DEFAULT_BUILD_TIMEOUT,
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

/// Starts local clouds (see [`Server::start`]).
pub struct Server;

/// A running local cloud. Drop it only after [`RunningServer::shutdown`]:
/// that is what stops its sessions and records them as ended.
pub struct RunningServer {
    url: String,
    data_dir: PathBuf,
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
    #[error("cannot create the data dir {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
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
pub(crate) fn create_private_dir(data_dir: &Path) -> Result<(), DataDirError> {
    use std::os::unix::fs::MetadataExt;

    let io = |source| DataDirError::Io {
        path: data_dir.to_path_buf(),
        source,
    };
    if let Err(err) = std::fs::metadata(data_dir) {
        use std::io::ErrorKind::{NotADirectory, NotFound};
        if !matches!(err.kind(), NotFound | NotADirectory) {
            return Err(io(err));
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)
            .map_err(|source| DataDirError::Create {
                path: data_dir.to_path_buf(),
                source,
            })?;
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
    ///
    /// Fails, with the cause in the message, when the data dir cannot be
    /// created, locked (another server serves it) or opened (e.g. it was
    /// written by a newer pipecat), or the port cannot be bound. A port
    /// already in use is an [`std::io::Error`] of kind
    /// [`AddrInUse`](std::io::ErrorKind::AddrInUse) in the error's chain
    /// (`err.downcast_ref::<std::io::Error>()`), so a caller can suggest
    /// another port for that case only.
    pub async fn start(options: Options) -> anyhow::Result<RunningServer> {
        create_private_dir(&options.data_dir)?;
        let data_dir_lock = lock_data_dir(&options.data_dir)?;
        let images = images::ImageCatalog::new(
            options.images.clone(),
            options.demo_bot_program.clone(),
            cloud::BuildDirs::new(&options.data_dir).images,
        );
        let mut builds = cloud::BuildSettings::new(&options.data_dir);
        builds.max_context_bytes = options.max_context_bytes.max(1);
        builds.timeout = options.build_timeout.max(Duration::from_secs(1));
        builds.builder.step_timeout = builds.builder.step_timeout.min(builds.timeout);
        let settings = cloud::Settings {
            default_max_agents: options.default_max_agents.max(1),
            min_session_duration: options.min_session_duration.max(1),
            regions: regions(&options.regions),
            identity: identity::Settings {
                access_ttl: options.token_ttl,
                login_prompt: options.login_prompt,
            },
            max_log_lines_per_second: options.max_log_lines_per_second.max(1),
            ready_timeout: options.ready_timeout.max(Duration::from_millis(100)),
            builds,
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
        cloud.set_server_url(&url);
        let (stop_serving, stopped) = watch::channel(false);
        let access_log =
            access_log::AccessLog::start(&options.data_dir, options.access_observer.clone())
                .context("cannot open the access log")?;
        let app = routes::router(cloud.clone());
        let serving = tokio::spawn(connections::serve(listener, app, access_log, stopped));
        let server = RunningServer {
            url: url.clone(),
            data_dir: options.data_dir.clone(),
            cloud: cloud.clone(),
            stop_serving,
            serving,
            _data_dir_lock: data_dir_lock,
        };
        cloud.publish(StateFile {
            data_dir: options.data_dir,
            url,
        })?;
        Ok(server)
    }
}

impl RunningServer {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The first usable key of each kind, now (a revoked key is replaced
    /// by the next usable one).
    pub fn credentials(&self) -> Credentials {
        self.cloud.credentials()
    }

    /// Stops serving, stops every session (recorded as ended), commits the
    /// logs and marks the state file stopped.
    pub async fn shutdown(self) {
        let _ = self.stop_serving.send(true);
        // Requests in flight get a moment to finish; a stop waiting on a
        // slow session must not hold the shutdown.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.serving).await;
        self.cloud.shutdown().await;
    }
}

/// `local` first, then `extra` in order, each once.
fn regions(extra: &[String]) -> Vec<String> {
    let mut regions = vec![cloud::LOCAL_REGION.to_string()];
    for region in extra {
        if !regions.contains(region) {
            regions.push(region.clone());
        }
    }
    regions
}

/// `server.json` of a serving local cloud: how other processes find it and
/// its keys (read by [`autostart::running`]).
pub(crate) struct StateFile {
    data_dir: PathBuf,
    url: String,
}

impl StateFile {
    /// Writes the file atomically with mode 0600.
    pub(crate) fn write(&self, running: bool, credentials: &Credentials) -> anyhow::Result<()> {
        let state = json!({
            "url": self.url,
            "pid": std::process::id(),
            "running": running,
            "dataDir": self.data_dir,
            "org": cloud::ORG,
            "publicKey": credentials.public_key,
            "privateKey": credentials.private_key,
            "userToken": credentials.user_token,
        });
        write_state_file(&self.data_dir, &state)
    }
}

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
        (env::ORG, cloud::ORG.to_string()),
    ])
}
