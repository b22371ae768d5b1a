//! The lock that serializes changes to the user config's credentials
//! between processes (and between threads, each with its own handle).
//!
//! The protocol: a writer takes an exclusive lock on `.{config file
//! name}.lock` beside the config file (created 0600 on first use and left
//! in place: removing a lock file while another process waits on it would
//! let two holders in), re-reads the config file while holding it, decides
//! from what is on disk, writes, and releases the lock by dropping it. The
//! operating system releases it too when a holder dies, so a crash never
//! leaves a stale lock. A refresh holds it from the re-read to the write,
//! so two processes never spend the same rotating refresh token.

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::user::ConfigError;

/// How long a writer waits for another to finish before giving up. A
/// holder only holds it for a refresh (a few bounded requests) or a write.
pub const LOCK_WAIT: Duration = Duration::from_secs(120);

/// Pause between attempts to take a held lock.
const POLL: Duration = Duration::from_millis(25);

/// An exclusive lock on the config file's credentials, released on drop.
#[derive(Debug)]
pub struct ConfigLock {
    /// `None` where the file system cannot lock: writers then run unlocked,
    /// as the official CLI always does.
    _file: Option<File>,
    config_path: PathBuf,
}

impl ConfigLock {
    /// The lock file guarding `config_path`.
    pub fn lock_path(config_path: &Path) -> PathBuf {
        let name = config_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "config".into());
        parent_dir(config_path).join(format!(".{name}.lock"))
    }

    /// Takes the lock, blocking the thread while another holder finishes
    /// (at most [`LOCK_WAIT`]).
    pub fn acquire_blocking(config_path: &Path) -> Result<ConfigLock, ConfigError> {
        let file = open(config_path)?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            if let Some(locked) = try_lock(config_path, &file)? {
                return Ok(ConfigLock::new(config_path, file, locked));
            }
            if Instant::now() >= deadline {
                return Err(timed_out(config_path));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Takes the lock, yielding to the runtime while another holder
    /// finishes (at most [`LOCK_WAIT`]).
    pub async fn acquire(config_path: &Path) -> Result<ConfigLock, ConfigError> {
        let file = open(config_path)?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            if let Some(locked) = try_lock(config_path, &file)? {
                return Ok(ConfigLock::new(config_path, file, locked));
            }
            if Instant::now() >= deadline {
                return Err(timed_out(config_path));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The config file this lock guards.
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    fn new(config_path: &Path, file: File, locked: bool) -> ConfigLock {
        ConfigLock {
            _file: locked.then_some(file),
            config_path: config_path.to_path_buf(),
        }
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Opens (creating if needed, mode 0600, in a 0700 directory) the lock file.
fn open(config_path: &Path) -> Result<File, ConfigError> {
    let lock_path = ConfigLock::lock_path(config_path);
    let failed = |source: io::Error| ConfigError::Lock {
        path: lock_path.clone(),
        source,
    };
    super::user::create_private_dir(&parent_dir(config_path)).map_err(failed)?;
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(&lock_path).map_err(failed)
}

/// One attempt: `Some(true)` when the lock is ours, `Some(false)` when
/// the file system cannot lock at all, `None` when someone else holds it.
fn try_lock(config_path: &Path, file: &File) -> Result<Option<bool>, ConfigError> {
    match file.try_lock() {
        Ok(()) => Ok(Some(true)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(error)) if error.kind() == io::ErrorKind::Unsupported => {
            Ok(Some(false))
        }
        Err(TryLockError::Error(source)) => Err(ConfigError::Lock {
            path: ConfigLock::lock_path(config_path),
            source,
        }),
    }
}

fn timed_out(config_path: &Path) -> ConfigError {
    ConfigError::LockTimeout {
        path: ConfigLock::lock_path(config_path),
        waited: LOCK_WAIT,
    }
}
