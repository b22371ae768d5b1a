//! Keeping all of a session's processes together, so that stop, the
//! duration cap, shutdown and a restart after a crash reach every one of
//! them, including daemons that left the process group (`setsid`) or were
//! orphaned when the server died.
//!
//! - Where the machine allows it (a writable cgroup v2 hierarchy, e.g. as
//!   root, or a delegated subtree), each session runs in its own cgroup,
//!   `<the server's cgroup>/pipecat-local/<session id>`. Nothing leaves a
//!   cgroup on its own: `cgroup.kill` ends them all at once, and
//!   `cgroup.events` says when they are gone.
//! - Everywhere else (or with `PIPECAT_LOCAL_CGROUPS=0`), each session is
//!   its own process group, signalled as a group;
//!   processes that left the group are found by the `PIPECAT_SESSION_ID`
//!   variable every session process inherits (a scan of `/proc`).
//!
//! The server records each session's leader pid, its start time and the
//! boot it belongs to, and its cgroup. After a crash, the next server
//! signals a recorded group only while its leader is still that very
//! process (pid reuse), kills a recorded cgroup (its path names the
//! session), and kills whatever still carries the session's id.
//!
//! Between reading a pid (from `cgroup.procs` or `/proc`) and signalling
//! it, the process could exit and its pid be reused; that takes a full
//! wrap of the pid space within microseconds, which we accept.

use std::collections::{HashMap, HashSet};
use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::{Pid, getpgid};

use super::store::SessionProcess;

/// The variable that marks every process of a session.
pub const SESSION_MARKER: &str = "PIPECAT_SESSION_ID";

/// How long a killed cgroup may take to empty before we go on.
const EMPTY_WAIT: Duration = Duration::from_secs(2);

/// How this server contains sessions.
#[derive(Debug, Clone)]
pub enum Containment {
    /// One cgroup per session under this directory.
    Cgroups(PathBuf),
    /// One process group per session.
    ProcessGroups,
}

impl Containment {
    /// Cgroups if a cgroup v2 hierarchy is mounted and we may create
    /// cgroups under our own, else process groups.
    pub fn detect() -> Containment {
        // `0` runs sessions without cgroups even where they work.
        if std::env::var(crate::config::env::LOCAL_CGROUPS).is_ok_and(|v| v == "0") {
            return Containment::ProcessGroups;
        }
        match cgroup_base() {
            Some(base) => Containment::Cgroups(base),
            None => Containment::ProcessGroups,
        }
    }

    /// A fresh cgroup for a session, if this server uses them and it can
    /// be made.
    pub fn cgroup_for(&self, session_id: &str) -> Option<PathBuf> {
        let Containment::Cgroups(base) = self else {
            return None;
        };
        let dir = base.join(session_id);
        std::fs::create_dir(&dir).ok().map(|()| dir)
    }
}

/// `<cgroup2 mount><our cgroup>/pipecat-local`, created if needed, if we
/// can create (and remove) a cgroup in it.
fn cgroup_base() -> Option<PathBuf> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    // "36 25 0:31 / /sys/fs/cgroup/unified rw,... - cgroup2 cgroup2 rw"
    let mount = mountinfo.lines().find_map(|line| {
        let (fields, fs) = line.split_once(" - ")?;
        let fields: Vec<&str> = fields.split(' ').collect();
        (fs.starts_with("cgroup2 ") && fields.get(3) == Some(&"/"))
            .then(|| fields.get(4).map(PathBuf::from))
            .flatten()
    })?;
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let own = own.lines().find_map(|line| line.strip_prefix("0::"))?;
    let base = mount
        .join(own.trim_start_matches('/'))
        .join("pipecat-local");
    if let Err(err) = std::fs::create_dir(&base)
        && err.kind() != std::io::ErrorKind::AlreadyExists
    {
        return None;
    }
    let probe = base.join(format!("probe-{}", std::process::id()));
    std::fs::create_dir(&probe).ok()?;
    let usable = probe.join("cgroup.kill").exists() && probe.join("cgroup.procs").exists();
    let _ = std::fs::remove_dir(&probe);
    usable.then_some(base)
}

/// What a session process writes to join its cgroup before it execs: the
/// path, prepared before the clone (no allocation after it).
pub fn procs_file(cgroup: &Path) -> Option<CString> {
    CString::new(cgroup.join("cgroup.procs").as_os_str().as_bytes()).ok()
}

/// In the child, between clone and exec: moves the calling process into the
/// cgroup whose `cgroup.procs` this is, and says whether it did. Only
/// async-signal-safe calls (open(2), write(2), close(2)); on a failure the
/// parent contains the session by its process group.
pub fn join_cgroup(procs: &CStr) -> bool {
    use nix::fcntl::{OFlag, open};
    use nix::sys::stat::Mode;
    open(procs, OFlag::O_WRONLY | OFlag::O_CLOEXEC, Mode::empty())
        .is_ok_and(|fd| nix::unistd::write(&fd, b"0").is_ok())
}

/// Scans of `/proc` for what sessions left (without cgroups), shared:
/// sessions that end together (a shutdown) wait for one scan between them
/// instead of one each, which at 1,000 sessions is the difference between
/// a few scans and a million `environ` reads.
#[derive(Default)]
pub struct Sweeper {
    state: std::sync::Mutex<Sweeps>,
}

#[derive(Default)]
struct Sweeps {
    /// Sessions waiting for the next scan, each told once it is done.
    waiting: Vec<(String, tokio::sync::oneshot::Sender<()>)>,
    /// A scan is running (it takes the next batch when it is done).
    busy: bool,
}

impl Sweeper {
    fn state(&self) -> std::sync::MutexGuard<'_, Sweeps> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Kills every process marked with `session_id`, in a scan that
    /// starts after this call (one already running may have missed them).
    async fn sweep(self: &Arc<Self>, session_id: String) {
        let (done, wait) = tokio::sync::oneshot::channel();
        let start = {
            let mut state = self.state();
            state.waiting.push((session_id, done));
            !std::mem::replace(&mut state.busy, true)
        };
        if start {
            let sweeper = self.clone();
            tokio::task::spawn_blocking(move || sweeper.run());
        }
        let _ = wait.await;
    }

    fn run(&self) {
        loop {
            let batch = {
                let mut state = self.state();
                if state.waiting.is_empty() {
                    state.busy = false;
                    return;
                }
                std::mem::take(&mut state.waiting)
            };
            let ids: HashSet<String> = batch.iter().map(|(id, _)| id.clone()).collect();
            kill_marked(&ids);
            for (_, done) in batch {
                let _ = done.send(());
            }
        }
    }
}

/// A running session's processes.
pub struct ProcessSet {
    session_id: String,
    /// The session's first process: its pid is its process group and
    /// session id. Signalled as a group only until it is reaped.
    leader: Pid,
    cgroup: Option<PathBuf>,
    /// The cgroup is already removed (it was empty when the leader ended).
    removed: AtomicBool,
    /// Finds what is left without a cgroup.
    sweeper: Arc<Sweeper>,
}

impl ProcessSet {
    /// The set of a freshly spawned leader, and the cgroup it was made
    /// for, if any. A cgroup the leader did not start in (see
    /// `SessionChild::in_cgroup`) is removed, and the set falls back to
    /// its process group and the marker.
    pub fn new(
        session_id: &str,
        leader: Pid,
        cgroup: Option<(PathBuf, bool)>,
        sweeper: Arc<Sweeper>,
    ) -> ProcessSet {
        let cgroup = cgroup.and_then(|(dir, joined)| {
            if !joined {
                let _ = std::fs::remove_dir(&dir);
            }
            joined.then_some(dir)
        });
        ProcessSet {
            session_id: session_id.to_string(),
            leader,
            cgroup,
            removed: AtomicBool::new(false),
            sweeper,
        }
    }

    pub fn cgroup(&self) -> Option<&Path> {
        self.cgroup.as_deref()
    }

    /// Sends `signal` to every process of the session, once each. Call
    /// only while the leader is not reaped (its group id cannot be reused
    /// until then).
    pub fn signal(&self, signal: Signal) {
        let _ = killpg(self.leader, signal);
        self.signal_outside_group(signal);
    }

    /// Sends `signal` to the session's processes that left its process
    /// group (found in its cgroup; without one, nothing), for when the
    /// group was signalled already: a process told twice may take the
    /// second as "stop now".
    pub fn signal_outside_group(&self, signal: Signal) {
        let Some(cgroup) = &self.cgroup else {
            return;
        };
        for pid in cgroup_pids(cgroup) {
            if getpgid(Some(pid)).is_ok_and(|group| group != self.leader) {
                let _ = kill(pid, signal);
            }
        }
    }

    /// Kills every process of the session at once. Call only while the
    /// leader is not reaped.
    pub fn kill(&self) {
        let _ = killpg(self.leader, Signal::SIGKILL);
        if let Some(cgroup) = &self.cgroup {
            kill_cgroup(cgroup);
        }
    }

    /// Once the leader has exited and been reaped: kills what is left
    /// (daemons, background jobs) and waits, briefly, until it is gone, so
    /// nothing holds the session's output pipes.
    pub async fn kill_leftovers(&self) {
        match &self.cgroup {
            Some(cgroup) => {
                // Usually nothing is left, and removing the empty cgroup is
                // the whole job (cgroupfs calls cost a fifth of a
                // millisecond each, which adds up at a shutdown).
                if std::fs::remove_dir(cgroup).is_ok() {
                    self.removed.store(true, Ordering::Relaxed);
                    return;
                }
                kill_cgroup(cgroup);
                let deadline = Instant::now() + EMPTY_WAIT;
                while cgroup_populated(cgroup) && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            None => self.sweeper.sweep(self.session_id.clone()).await,
        }
    }

    /// Removes the session's cgroup (once it is empty).
    pub fn release(&self) {
        if let Some(cgroup) = &self.cgroup
            && !self.removed.load(Ordering::Relaxed)
        {
            remove_cgroup(cgroup);
        }
    }
}

fn cgroup_pids(cgroup: &Path) -> Vec<Pid> {
    std::fs::read_to_string(cgroup.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .map(Pid::from_raw)
        .collect()
}

fn kill_cgroup(cgroup: &Path) {
    let _ = std::fs::write(cgroup.join("cgroup.kill"), b"1");
}

fn cgroup_populated(cgroup: &Path) -> bool {
    std::fs::read_to_string(cgroup.join("cgroup.events"))
        .map(|events| events.lines().any(|line| line == "populated 1"))
        .unwrap_or(false)
}

fn remove_cgroup(cgroup: &Path) {
    // A cgroup whose last process is still exiting is busy for a moment.
    for _ in 0..100 {
        match std::fs::remove_dir(cgroup) {
            Err(err) if err.raw_os_error() == Some(nix::libc::EBUSY) => {
                std::thread::sleep(Duration::from_millis(2));
            }
            _ => return,
        }
    }
}

/// The identity of a live process: its start time (clock ticks since
/// boot), which a reused pid does not share.
pub fn start_ticks(pid: Pid) -> Option<i64> {
    start_ticks_in(&std::fs::read(format!("/proc/{pid}/stat")).ok()?)
}

/// The start time in the text of `/proc/PID/stat`. Allocates nothing and
/// cannot panic: a session process reads its own before it execs, sharing
/// the server's memory (see `spawn.rs`).
pub fn start_ticks_in(stat: &[u8]) -> Option<i64> {
    // The command, in parentheses, may hold anything; the fields after it
    // start with the state (field 3); the start time is field 22.
    let after_command = stat.iter().rposition(|&b| b == b')')?;
    let field = stat
        .get(after_command + 1..)?
        .split(|&b| b == b' ')
        .filter(|field| !field.is_empty())
        .nth(19)?;
    std::str::from_utf8(field).ok()?.trim_end().parse().ok()
}

/// This boot's id: pids and start times of another boot mean nothing.
pub fn boot_id() -> Option<String> {
    static BOOT_ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BOOT_ID
        .get_or_init(|| {
            std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
                .ok()
                .map(|id| id.trim().to_string())
        })
        .clone()
}

/// Kills every process a dead server's sessions left: their cgroups, their
/// process groups while the recorded leader is still the same process, and
/// every process carrying one of their ids. Returns how many sessions had
/// processes left.
pub fn reap_orphans(orphans: &[SessionProcess], session_ids: &[String]) -> usize {
    let boot = boot_id();
    let mut touched = HashSet::new();
    for orphan in orphans {
        if let Some(cgroup) = orphan.cgroup.as_deref().map(Path::new)
            && cgroup.is_dir()
        {
            if cgroup_populated(cgroup) {
                touched.insert(orphan.session_id.clone());
            }
            kill_cgroup(cgroup);
        }
        let leader = Pid::from_raw(orphan.pid);
        let same_process = orphan.pid > 1
            && orphan.boot_id.is_some()
            && orphan.boot_id == boot
            && orphan.start_ticks.is_some()
            && start_ticks(leader) == orphan.start_ticks;
        if same_process {
            touched.insert(orphan.session_id.clone());
            let _ = killpg(leader, Signal::SIGKILL);
        }
    }
    let ids: HashSet<String> = session_ids.iter().cloned().collect();
    touched.extend(kill_marked(&ids));
    for orphan in orphans {
        if let Some(cgroup) = orphan.cgroup.as_deref().map(Path::new)
            && cgroup.is_dir()
        {
            let deadline = Instant::now() + EMPTY_WAIT;
            while cgroup_populated(cgroup) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            remove_cgroup(cgroup);
        }
    }
    touched.len()
}

/// SIGKILLs every process whose environment marks it as one of `ids`'
/// sessions, until a scan finds none (a process may fork between a scan
/// and its kill). Returns the sessions that had any.
fn kill_marked(ids: &HashSet<String>) -> HashSet<String> {
    let mut found = HashSet::new();
    if ids.is_empty() {
        return found;
    }
    for _ in 0..10 {
        let marked = marked_processes(ids);
        if marked.is_empty() {
            break;
        }
        for (pid, session) in marked {
            let _ = kill(pid, Signal::SIGKILL);
            found.insert(session);
        }
    }
    found
}

/// Live processes (not zombies) marked with one of `ids`, with the id.
fn marked_processes(ids: &HashSet<String>) -> HashMap<Pid, String> {
    let me = std::process::id();
    let mut found = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    let prefix = format!("{SESSION_MARKER}=");
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        if pid <= 1 || pid == me {
            continue;
        }
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let session = environ
            .split(|b| *b == 0)
            .find_map(|var| var.strip_prefix(prefix.as_bytes()))
            .and_then(|id| std::str::from_utf8(id).ok())
            .filter(|id| ids.contains(*id));
        let Some(session) = session else {
            continue;
        };
        let zombie = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|stat| {
                stat.rsplit_once(')')
                    .map(|(_, rest)| rest.trim_start().starts_with(['Z', 'X']))
            })
            .unwrap_or(true);
        if !zombie && let Ok(pid) = i32::try_from(pid) {
            found.insert(Pid::from_raw(pid), session.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_is_known_by_its_start_time() {
        let me = Pid::from_raw(std::process::id() as i32);
        let ticks = start_ticks(me).expect("our own start time");
        assert!(ticks > 0);
        assert_eq!(start_ticks(me), Some(ticks));
        assert!(boot_id().is_some_and(|id| id.len() >= 32));
    }

    #[test]
    fn marked_processes_are_found_and_killed() {
        let id = format!("test-{}", std::process::id());
        let mut child = std::process::Command::new("sleep")
            .arg("1000")
            .env(SESSION_MARKER, &id)
            .spawn()
            .unwrap();
        let pid = Pid::from_raw(child.id() as i32);
        let ids = HashSet::from([id.clone()]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !marked_processes(&ids).contains_key(&pid) {
            assert!(Instant::now() < deadline, "the marked child was not found");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(kill_marked(&ids), HashSet::from([id]));
        let status = child.wait().unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9)
        );
    }
}
