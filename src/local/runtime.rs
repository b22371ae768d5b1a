//! The session runtime: one session is one child process.
//!
//! # Session process contract
//!
//! The process runs the image's command (`/bin/sh -c COMMAND` for
//! `--image` mappings; `pipecat cloud local demo-bot` for the built-in demo
//! bot) in its own process group, with the server's environment plus:
//!
//! | variable | value |
//! |---|---|
//! | `PIPECAT_SESSION_ID` | the session id (UUID) |
//! | `PIPECAT_AGENT_NAME` | the agent name |
//! | `PIPECAT_DEPLOYMENT_ID` | the deployment the session runs |
//! | `PIPECAT_MAX_SESSION_DURATION` | its cap in seconds |
//! | `PIPECAT_SESSION_BODY_FILE` | a file holding the start request's `body` as JSON (`null` if none) |
//!
//! The same JSON is written to its stdin, which is then closed. Each line
//! it writes to stdout or stderr becomes a log entry of the session.
//!
//! Stopping (`DELETE .../sessions/{id}`, or the server shutting down) sends
//! SIGTERM to the group, then SIGKILL after [`STOP_GRACE`]. At the max
//! session duration the group gets SIGKILL without notice. If the server
//! dies, the kernel kills the process (parent-death signal).
//!
//! # Completion statuses
//!
//! | `completionStatus` | `endState` | meaning |
//! |---|---|---|
//! | `COMPLETED` | `completed` | the process exited 0 on its own |
//! | `EXIT_<n>` | `agent_error` | it exited with code n on its own |
//! | `SIGNAL_<n>` | `agent_error` | it was killed by signal n, not by us |
//! | `TERMINATED` | `terminated` | stopped through the API |
//! | `MAX_DURATION_EXCEEDED` | `terminated` | killed at its max session duration |
//! | `SERVER_SHUTDOWN` | `terminated` | the server was stopped (SIGINT/SIGTERM) |
//! | `SERVER_RESTARTED` | `terminated` | it was running when the previous server died |
//! | `START_FAILED` | `agent_error` | its process could not be started |
//!
//! While it runs, `completionStatus` is null and `endState` is `active`.

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::capacity::Capacity;
use super::demo_bot;
use super::error::CloudError;
use super::images::Launch;
use super::logs::{LogSource, LogWriter};
use super::store::{SessionRecord, Store};
use super::time::now_ns;

/// How long a stopped session may take to exit before SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// How long to wait for a dead process's last output to drain.
const OUTPUT_DRAIN: Duration = Duration::from_secs(2);

pub const COMPLETED: &str = "COMPLETED";
pub const TERMINATED: &str = "TERMINATED";
pub const MAX_DURATION_EXCEEDED: &str = "MAX_DURATION_EXCEEDED";
pub const SERVER_SHUTDOWN: &str = "SERVER_SHUTDOWN";
pub const SERVER_RESTARTED: &str = "SERVER_RESTARTED";
pub const START_FAILED: &str = "START_FAILED";

pub const END_ACTIVE: &str = "active";
pub const END_COMPLETED: &str = "completed";
pub const END_TERMINATED: &str = "terminated";
pub const END_AGENT_ERROR: &str = "agent_error";

/// Why we are stopping a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopReason {
    Api,
    Shutdown,
}

struct RunningSession {
    stop: mpsc::UnboundedSender<StopReason>,
    ended: watch::Receiver<bool>,
}

/// A session about to start: its record (already counted against the
/// agent's capacity) and what to run.
pub struct SessionPlan {
    pub session: SessionRecord,
    pub launch: Launch,
    pub body: Option<Value>,
}

pub struct Runtime {
    store: Arc<Store>,
    logs: Arc<LogWriter>,
    capacity: Arc<Capacity>,
    bodies_dir: PathBuf,
    running: Mutex<HashMap<String, RunningSession>>,
}

impl Runtime {
    pub fn new(
        store: Arc<Store>,
        logs: Arc<LogWriter>,
        capacity: Arc<Capacity>,
        bodies_dir: PathBuf,
    ) -> Self {
        Runtime {
            store,
            logs,
            capacity,
            bodies_dir,
            running: Mutex::new(HashMap::new()),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunningSession>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Spawns the session's process, records the session and supervises
    /// it. The capacity slot must already be reserved; it is released when
    /// the session ends (or here, if it cannot start). The record is one
    /// write, made off the async workers once the process runs (so it
    /// holds when it started); if it cannot be written the process is
    /// killed at once: no session runs unrecorded. A process that cannot
    /// be started is recorded as `START_FAILED`.
    pub async fn launch(self: &Arc<Self>, plan: SessionPlan) -> Result<(), CloudError> {
        let mut session = plan.session;
        let source = LogSource {
            agent_name: session.agent_name.clone(),
            deployment_id: Some(session.deployment_id.clone()),
            session_id: Some(session.id.clone()),
        };
        let body_json = serde_json::to_vec(&plan.body.unwrap_or(Value::Null))
            .map_err(|e| CloudError::Internal(format!("cannot encode the session body: {e}")));
        let body_file = self.bodies_dir.join(format!("{}.json", session.id));
        let spawned = body_json.and_then(|body| {
            std::fs::write(&body_file, &body).map_err(|e| {
                CloudError::Internal(format!("cannot write the session body file: {e}"))
            })?;
            spawn(&plan.launch, &session, &body_file)
                .map(|child| (child, body))
                .map_err(|e| CloudError::Internal(format!("cannot start the agent's process: {e}")))
        });
        let now = now_ns();
        session.updated_ns = now;
        let (mut child, body) = match spawned {
            Ok(spawned) => spawned,
            Err(err) => {
                self.logs
                    .event(&source, &format!("session failed to start: {err}"));
                let _ = std::fs::remove_file(&body_file);
                session.ended_ns = Some(now);
                session.completion_status = Some(START_FAILED.into());
                session.end_state = END_AGENT_ERROR.into();
                let record = session.clone();
                let recorded = self
                    .store
                    .write(move |store| store.insert_session(&record))
                    .await;
                self.capacity.release(&session.agent_id);
                recorded?;
                return Err(err);
            }
        };
        session.process_started_ns = Some(now);
        let record = session.clone();
        let recorded = self
            .store
            .write(move |store| store.insert_session(&record))
            .await;
        if let Err(err) = recorded {
            if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
                let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            }
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
            let _ = std::fs::remove_file(&body_file);
            self.capacity.release(&session.agent_id);
            return Err(err.into());
        }
        self.logs.event(
            &source,
            &format!(
                "session {} started (pid {}, max duration {} s)",
                session.id,
                child.id().unwrap_or_default(),
                session.max_session_duration
            ),
        );

        let readers = [
            child
                .stdout
                .take()
                .map(|out| forward_lines(out, source.clone(), self.logs.clone())),
            child
                .stderr
                .take()
                .map(|err| forward_lines(err, source.clone(), self.logs.clone())),
        ];
        if let Some(mut stdin) = child.stdin.take() {
            // In its own task: a process that never reads stdin must not
            // block the start answer once the pipe is full.
            tokio::spawn(async move {
                let _ = stdin.write_all(&body).await;
            });
        }
        let (stop_tx, stop_rx) = mpsc::unbounded_channel();
        let (ended_tx, ended_rx) = watch::channel(false);
        self.running().insert(
            session.id.clone(),
            RunningSession {
                stop: stop_tx,
                ended: ended_rx,
            },
        );
        let runtime = self.clone();
        tokio::spawn(async move {
            runtime
                .supervise(child, session, source, stop_rx, readers, body_file)
                .await;
            let _ = ended_tx.send(true);
        });
        Ok(())
    }

    async fn supervise(
        self: Arc<Self>,
        mut child: Child,
        session: SessionRecord,
        source: LogSource,
        mut stop_rx: mpsc::UnboundedReceiver<StopReason>,
        readers: [Option<JoinHandle<()>>; 2],
        body_file: PathBuf,
    ) {
        let group = child
            .id()
            .and_then(|pid| i32::try_from(pid).ok())
            .map(Pid::from_raw);
        let signal_group = |signal: Signal| {
            if let Some(group) = group {
                let _ = killpg(group, signal);
            }
        };
        let cap_ns = i64::from(session.max_session_duration) * 1_000_000_000;
        let remaining_ns = (session.requested_ns + cap_ns - now_ns()).max(0);
        let cutoff = tokio::time::sleep(Duration::from_nanos(remaining_ns as u64));
        tokio::pin!(cutoff);

        let mut stopped_by: Option<&'static str> = None;
        let status = tokio::select! {
            status = child.wait() => status,
            () = &mut cutoff => {
                signal_group(Signal::SIGKILL);
                self.logs.event(&source, &format!(
                    "session cut off at max duration ({} s)", session.max_session_duration));
                stopped_by = Some(MAX_DURATION_EXCEEDED);
                child.wait().await
            }
            Some(reason) = stop_rx.recv() => {
                let (id, at) = (session.id.clone(), now_ns());
                let _ = self.store.write(move |store| store.mark_stop_requested(&id, at)).await;
                self.logs.event(&source, match reason {
                    StopReason::Api => "stop requested: sending SIGTERM",
                    StopReason::Shutdown => "server shutting down: sending SIGTERM",
                });
                stopped_by = Some(match reason {
                    StopReason::Api => TERMINATED,
                    StopReason::Shutdown => SERVER_SHUTDOWN,
                });
                signal_group(Signal::SIGTERM);
                match tokio::time::timeout(STOP_GRACE, child.wait()).await {
                    Ok(status) => status,
                    Err(_) => {
                        self.logs.event(&source, &format!(
                            "still running {} s after SIGTERM: sending SIGKILL", STOP_GRACE.as_secs()));
                        signal_group(Signal::SIGKILL);
                        child.wait().await
                    }
                }
            }
        };
        // Leftovers of the group (e.g. a shell's background jobs) go too,
        // and must not keep the output pipes open.
        signal_group(Signal::SIGKILL);
        for reader in readers.into_iter().flatten() {
            let abort = reader.abort_handle();
            if tokio::time::timeout(OUTPUT_DRAIN, reader).await.is_err() {
                abort.abort();
            }
        }

        let (completion, end_state, event) = outcome(stopped_by, status);
        self.logs.event(&source, &event);
        // A store failure is logged by the store, which keeps the end and
        // writes it again later.
        let (id, at) = (session.id.clone(), now_ns());
        let _ = self
            .store
            .write(move |store| store.mark_ended(&id, at, &completion, end_state))
            .await;
        self.capacity.release(&session.agent_id);
        self.running().remove(&session.id);
        let _ = std::fs::remove_file(body_file);
    }

    /// Stops a running session and waits (up to the grace period and a
    /// little) for it to end. False if it is not running.
    pub async fn stop(&self, session_id: &str) -> bool {
        let ended = {
            let running = self.running();
            let Some(session) = running.get(session_id) else {
                return false;
            };
            let _ = session.stop.send(StopReason::Api);
            session.ended.clone()
        };
        wait_ended(ended).await;
        true
    }

    /// Stops every session (recorded as `SERVER_SHUTDOWN`) and waits for
    /// them to end.
    pub async fn shutdown(&self) {
        let waits: Vec<_> = self
            .running()
            .values()
            .map(|session| {
                let _ = session.stop.send(StopReason::Shutdown);
                session.ended.clone()
            })
            .collect();
        for ended in waits {
            wait_ended(ended).await;
        }
    }
}

async fn wait_ended(mut ended: watch::Receiver<bool>) {
    let _ = tokio::time::timeout(
        STOP_GRACE + Duration::from_secs(3),
        ended.wait_for(|ended| *ended),
    )
    .await;
}

/// Completion status, end state and the event line for how a process ended.
fn outcome(
    stopped_by: Option<&'static str>,
    status: std::io::Result<ExitStatus>,
) -> (String, &'static str, String) {
    let exit = match &status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            _ => "ended".to_string(),
        },
        Err(err) => format!("could not be waited for: {err}"),
    };
    if let Some(stopped_by) = stopped_by {
        return (
            stopped_by.to_string(),
            END_TERMINATED,
            format!("session {exit}"),
        );
    }
    let (completion, end_state) = match status {
        Ok(status) if status.success() => (COMPLETED.to_string(), END_COMPLETED),
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => (format!("EXIT_{code}"), END_AGENT_ERROR),
            (None, Some(signal)) => (format!("SIGNAL_{signal}"), END_AGENT_ERROR),
            _ => ("EXIT_UNKNOWN".to_string(), END_AGENT_ERROR),
        },
        Err(_) => ("EXIT_UNKNOWN".to_string(), END_AGENT_ERROR),
    };
    (completion, end_state, format!("session {exit}"))
}

fn spawn(
    launch: &Launch,
    session: &SessionRecord,
    body_file: &std::path::Path,
) -> std::io::Result<Child> {
    let mut command = match launch {
        Launch::DemoBot(program) => {
            let mut command = Command::new(program);
            command.args(["cloud", "local", "demo-bot"]);
            command
        }
        Launch::Shell(script) => {
            let mut command = Command::new("/bin/sh");
            command.arg("-c").arg(script);
            command
        }
    };
    command
        .env("PIPECAT_SESSION_ID", &session.id)
        .env("PIPECAT_AGENT_NAME", &session.agent_name)
        .env("PIPECAT_DEPLOYMENT_ID", &session.deployment_id)
        .env(
            "PIPECAT_MAX_SESSION_DURATION",
            session.max_session_duration.to_string(),
        )
        .env("PIPECAT_SESSION_BODY_FILE", body_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group: signals reach everything it starts, and a Ctrl-C
        // at the server's terminal reaches only the server, which then
        // stops sessions in order.
        .process_group(0)
        .kill_on_drop(false);
    let is_demo_bot = matches!(launch, Launch::DemoBot(_));
    // SAFETY: between fork and exec only async-signal-safe calls run
    // (prctl(2), sigprocmask(2)).
    unsafe {
        command.pre_exec(move || {
            // If the server dies without cleaning up, its sessions die too.
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)?;
            if is_demo_bot {
                // Held until the bot has its handlers, so a stop that comes
                // while it starts still gets its goodbye (it unblocks them).
                demo_bot::stop_signals()
                    .thread_block()
                    .map_err(std::io::Error::from)?;
            }
            Ok(())
        });
    }
    command.spawn()
}

/// Each line read becomes a log entry. Lines are split on `\n`; invalid
/// UTF-8 is replaced, not dropped.
fn forward_lines<R: AsyncRead + Unpin + Send + 'static>(
    stream: R,
    source: LogSource,
    logs: Arc<LogWriter>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buffer);
                    let line = text.trim_end_matches(['\n', '\r']);
                    logs.line(&source, line.to_string());
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_how_a_session_ended() {
        let exited = |code: i32| Ok(ExitStatus::from_raw(code << 8));
        let signalled = |signal: i32| Ok(ExitStatus::from_raw(signal));
        assert_eq!(outcome(None, exited(0)).0, "COMPLETED");
        assert_eq!(outcome(None, exited(3)).0, "EXIT_3");
        assert_eq!(outcome(None, exited(3)).1, "agent_error");
        assert_eq!(outcome(None, signalled(9)).0, "SIGNAL_9");
        assert_eq!(outcome(Some(TERMINATED), exited(0)).0, "TERMINATED");
        assert_eq!(
            outcome(Some(MAX_DURATION_EXCEEDED), signalled(9)).1,
            "terminated"
        );
        assert_eq!(outcome(None, exited(2)).2, "session exited with code 2");
    }
}
