//! Finding, starting and stopping the local cloud of a data dir from other
//! processes: what `--local`, `local status` and `local stop` build on.
//!
//! A running server is known by its state file (`server.json`, written by
//! `serve` once it listens) whose pid holds the data dir's server lock (the
//! kernel says who holds it) and whose URL accepts a connection. A stale
//! state file naming some other process is never trusted, let alone
//! signalled. Starting one is serialised by an exclusive lock on
//! `autostart.lock`, so two concurrent `--local` invocations never start two
//! servers.

use std::fs::OpenOptions;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The state file `serve` writes in its data dir.
pub const STATE_FILE: &str = "server.json";
/// Where a background server's stdout and stderr go.
pub const BACKGROUND_LOG_FILE: &str = "server.log";
const LOCK_FILE: &str = "autostart.lock";

/// How long a freshly spawned server may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a graceful stop may take before we report failure.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// A running local cloud, as its state file describes it.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub url: String,
    pub pid: u32,
    /// False once the server that wrote the file stopped cleanly.
    #[serde(default = "running_by_default")]
    pub running: bool,
    pub org: String,
    pub public_key: String,
    pub private_key: String,
    pub user_token: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("pid", &self.pid)
            .field("org", &self.org)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    #[error(transparent)]
    DataDir(#[from] super::DataDirError),
    #[error("cannot use the local cloud data dir {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the local cloud did not start within {}s; see {}", START_TIMEOUT.as_secs(), log.display())]
    StartTimeout { log: PathBuf },
    #[error("the local cloud exited while starting ({status}); see {}", log.display())]
    StartFailed { status: String, log: PathBuf },
    #[error("the local cloud (pid {pid}) did not stop within {}s", STOP_TIMEOUT.as_secs())]
    StopTimeout { pid: u32 },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AutostartError + '_ {
    move |source| AutostartError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn running_by_default() -> bool {
    true
}

/// The local cloud serving `data_dir`, if one is running and answering.
/// A state file left by a stopped server, or naming a process that does not
/// hold the data dir's server lock, never counts: `stop` would signal it.
pub fn running(data_dir: &Path) -> Option<Endpoint> {
    let text = std::fs::read_to_string(data_dir.join(STATE_FILE)).ok()?;
    let endpoint: Endpoint = serde_json::from_str(&text).ok()?;
    let plausible = endpoint.running && endpoint.pid > 1 && i32::try_from(endpoint.pid).is_ok();
    (plausible
        && pid_alive(endpoint.pid)
        && lock_holders(&data_dir.join(super::SERVER_LOCK_FILE)).contains(&endpoint.pid)
        && accepts_connections(&endpoint.url))
    .then_some(endpoint)
}

/// Pids holding a `flock` on `path`, as the kernel lists them in
/// `/proc/locks` (without taking the lock: a server starting at this
/// moment must not find it taken by a probe).
fn lock_holders(path: &Path) -> Vec<u32> {
    use std::os::unix::fs::MetadataExt;

    let Ok(metadata) = std::fs::metadata(path) else {
        return Vec::new();
    };
    let device = format!(
        "{:02x}:{:02x}:{}",
        nix::sys::stat::major(metadata.dev()),
        nix::sys::stat::minor(metadata.dev()),
        metadata.ino()
    );
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        return Vec::new();
    };
    // "1: FLOCK  ADVISORY  WRITE 4242 00:1f:1234 0 EOF"; waiters have "->"
    // after the number.
    locks
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [_, "FLOCK", _, _, pid, file, ..] if *file == device => pid.parse().ok(),
                _ => None,
            }
        })
        .collect()
}

/// The local cloud serving `data_dir`, started in the background with
/// `exe cloud local serve` when none runs. The flag says whether this call
/// started it.
pub fn ensure_running(data_dir: &Path, exe: &Path) -> Result<(Endpoint, bool), AutostartError> {
    if let Some(endpoint) = running(data_dir) {
        return Ok((endpoint, false));
    }
    super::create_private_dir(data_dir)?;
    let lock_path = data_dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    // Whoever holds the lock starts the server; the others wait for it and
    // then find the server running.
    lock.lock().map_err(io(&lock_path))?;
    if let Some(endpoint) = running(data_dir) {
        return Ok((endpoint, false));
    }
    let endpoint = spawn_and_wait(data_dir, exe)?;
    drop(lock);
    Ok((endpoint, true))
}

/// Starts a server on the usual port, so `local env` stays valid across
/// restarts, or on any free port when something else has it (another
/// server, another program, or a race with either).
fn spawn_and_wait(data_dir: &Path, exe: &Path) -> Result<Endpoint, AutostartError> {
    if port_is_free(super::DEFAULT_PORT) {
        match spawn_on(data_dir, exe, super::DEFAULT_PORT) {
            Err(AutostartError::StartFailed { .. }) => {}
            outcome => return outcome,
        }
    }
    spawn_on(data_dir, exe, 0)
}

fn spawn_on(data_dir: &Path, exe: &Path, port: u16) -> Result<Endpoint, AutostartError> {
    use std::os::unix::process::CommandExt;

    let log_path = data_dir.join(BACKGROUND_LOG_FILE);
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&log_path)
        .map_err(io(&log_path))?;
    let log_err = log.try_clone().map_err(io(&log_path))?;
    let mut child = Command::new(exe)
        .args([
            "cloud",
            "local",
            "serve",
            "--port",
            &port.to_string(),
            "--data-dir",
        ])
        .arg(data_dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        // Its own process group: a Ctrl-C meant for this command must not
        // reach the server it leaves running.
        .process_group(0)
        .spawn()
        .map_err(io(exe))?;
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(endpoint) = running(data_dir).filter(|e| e.pid == child.id()) {
            return Ok(endpoint);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(AutostartError::StartFailed {
                status: status.to_string(),
                log: log_path,
            });
        }
        if Instant::now() > deadline {
            return Err(AutostartError::StartTimeout { log: log_path });
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Stops the local cloud of `data_dir` gracefully (SIGTERM: its sessions
/// are stopped and recorded as ended). Returns the stopped server's pid, or
/// `None` when none was running. Only a process that holds the data dir's
/// server lock is signalled (see [`running`]).
pub fn stop(data_dir: &Path) -> Result<Option<u32>, AutostartError> {
    let Some(endpoint) = running(data_dir) else {
        return Ok(None);
    };
    let Ok(raw_pid) = i32::try_from(endpoint.pid) else {
        return Ok(None);
    };
    let pid = nix::unistd::Pid::from_raw(raw_pid);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while pid_alive(endpoint.pid) {
        if Instant::now() > deadline {
            return Err(AutostartError::StopTimeout { pid: endpoint.pid });
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(Some(endpoint.pid))
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn pid_alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    // Signal 0 checks existence; a zombie still "exists", so also look at
    // its state where /proc tells.
    if nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None).is_err() {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => true,
    }
}

fn accepts_connections(url: &str) -> bool {
    let Some(addr) = socket_addr(url) else {
        return false;
    };
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

fn socket_addr(url: &str) -> Option<SocketAddr> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    (host, port).to_socket_addrs().ok()?.next()
}
