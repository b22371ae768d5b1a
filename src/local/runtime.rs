//! The session runtime: one session is one child process and whatever it
//! starts.
//!
//! # Session process contract
//!
//! The process runs the image's command (`/bin/sh -c COMMAND` for
//! `--image` mappings; `pipecat cloud local demo-bot` for the built-in demo
//! bot; the agent host of a built image, see below) in its own process
//! session and group, and its own cgroup where the machine allows it (see
//! `containment.rs`), with the server's environment plus:
//!
//! | variable | value |
//! |---|---|
//! | `PIPECAT_SESSION_ID` | the session id (UUID) |
//! | `PIPECAT_AGENT_NAME` | the agent name |
//! | `PIPECAT_DEPLOYMENT_ID` | the deployment the session runs |
//! | `PIPECAT_MAX_SESSION_DURATION` | its cap in seconds |
//! | `PIPECAT_SESSION_BODY_FILE` | a file holding the start request's `body` as JSON (`null` if none), mode 0600 (where: `bodies.rs`) |
//!
//! and each key of its deployment's secret set (`secretSet`) with its
//! value, as read when the session starts (the variables above win over a
//! secret of the same name).
//!
//! The same JSON is written to its stdin, which is then closed. Each line
//! it writes to stdout or stderr becomes a log entry of the session, within
//! the limits of `logs.rs`.
//!
//! # Images that serve the agent container contract
//!
//! A built image (`pipecat-local/builds:<id>`: our agent host, started as
//! its manifest says, with the Dockerfile's `ENV` under the variables
//! above) and an `--image NAME=http:COMMAND` mapping are driven the way the
//! platform drives an agent image (see `contract.rs`): the process also
//! gets `PORT`, a free port on 127.0.0.1, and stdin is empty. The runtime
//! waits for `GET /readyz` to answer 200 (at most the ready timeout,
//! `serve --ready-timeout`), then sends `POST /bot` with the body (`{}`
//! when none), `X-Daily-Session-Id` and `X-Pcc-Max-Session-Seconds` (what
//! is left of the max duration, in whole seconds rounded up). The session
//! ends when that request is answered: the agent is then stopped as on a
//! stop (SIGTERM, SIGKILL after [`STOP_GRACE`]). Since the agent cancels
//! `bot()` itself at the budget, such a session is cut off only
//! [`STOP_GRACE`] after its max duration.
//!
//! Stopping (`DELETE .../sessions/{id}`, or the server shutting down) sends
//! SIGTERM to every process of the session, then SIGKILL after
//! [`STOP_GRACE`]. At the max session duration they all get SIGKILL without
//! notice. When the first process exits, whatever is left of the session
//! (background jobs, daemons) is killed, so nothing outlives it or holds its
//! output open. If the server dies, the kernel kills the first process
//! (parent-death signal), and the next server on the data dir kills the
//! rest before it serves.
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
//! | `SERVER_SHUTDOWN` | `terminated` | the server was stopped (SIGINT/SIGTERM/SIGHUP) |
//! | `SERVER_RESTARTED` | `terminated` | it was running when the previous server died; it ended at that server's last heartbeat |
//! | `START_FAILED` | `agent_error` | its process could not be started; or, for the contract, it was not ready in time, exited first, or refused the session (its last lines are in the event) |
//!
//! Through the contract, the answer to `POST /bot` decides instead of the
//! exit status: `COMPLETED` when `bot()` returned, `BOT_ERROR`
//! (`agent_error`) when it raised (the traceback is in the logs),
//! `MAX_DURATION_EXCEEDED` when the agent cancelled it at the budget. A
//! process that dies during the session ends it as in the table.
//!
//! While it runs, `completionStatus` is null and `endState` is `active`.

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use nix::sys::signal::{SigSet, Signal};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::bodies::BodyDir;
use super::build::manifest::Manifest;
use super::capacity::Capacity;
use super::containment::{self, Containment, ProcessSet, Sweeper};
use super::contract::{
    AgentClient, ContractError, SessionCall, SessionOutcome, free_loopback_port,
};
use super::demo_bot;
use super::error::CloudError;
use super::images::Launch;
use super::logs::{LogSource, LogWriter, SessionOutput};
use super::spawn::{self, GroupSignal, SessionChild};
use super::store::{SessionEnd, SessionProcess, SessionRecord, Store};
use super::time::now_ns;
use crate::api::types::SecretValue;

/// How long a stopped session may take to exit before SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(5);
/// How often the server records that it is alive: a session ended by a
/// crash is billed up to the last heartbeat, not for the time the server
/// was down.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long a dead session's pipes may stay open before we stop reading
/// them (only a process that escaped its session can hold them that long).
const OUTPUT_DRAIN: Duration = Duration::from_secs(2);

pub const COMPLETED: &str = "COMPLETED";
pub const TERMINATED: &str = "TERMINATED";
pub const MAX_DURATION_EXCEEDED: &str = "MAX_DURATION_EXCEEDED";
pub const SERVER_SHUTDOWN: &str = "SERVER_SHUTDOWN";
pub const SERVER_RESTARTED: &str = "SERVER_RESTARTED";
pub const START_FAILED: &str = "START_FAILED";
pub const BOT_ERROR: &str = "BOT_ERROR";

pub const END_ACTIVE: &str = "active";
pub const END_COMPLETED: &str = "completed";
pub const END_TERMINATED: &str = "terminated";
pub const END_AGENT_ERROR: &str = "agent_error";

/// Why we are stopping a session.
#[derive(Debug, Clone, Copy)]
enum StopReason {
    Api,
    /// The server stops; it signals the session's process group itself
    /// where the kernel can ([`spawn::group_signals_work`]).
    Shutdown,
}

#[derive(Clone)]
struct RunningSession {
    stop: mpsc::UnboundedSender<StopReason>,
    ended: watch::Receiver<bool>,
    /// Set by whichever comes first: the shutdown, which then logs and
    /// signals the session itself, or its supervisor, once it stops or
    /// ends the session. So a session is told once, and the shutdown's
    /// event never follows its end in its logs.
    claimed: Arc<AtomicBool>,
    /// For a shutdown, which signals every session's group in one pass.
    group: GroupSignal,
    source: LogSource,
}

/// A session about to start: its record (already counted against the
/// agent's capacity) and what to run.
pub struct SessionPlan {
    pub session: SessionRecord,
    pub launch: Launch,
    pub body: Option<Value>,
    /// Extra environment variables (its secret set's keys and values).
    pub env: Vec<(String, SecretValue)>,
}

/// Bounds of the runtime.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeSettings {
    /// Lines one session may log per second (see `logs.rs`).
    pub lines_per_second: u32,
    /// How long a contract agent may take to answer `/readyz`.
    pub ready_timeout: Duration,
}

pub struct Runtime {
    store: Arc<Store>,
    logs: Arc<LogWriter>,
    capacity: Arc<Capacity>,
    bodies: BodyDir,
    containment: Containment,
    sweeper: Arc<Sweeper>,
    settings: RuntimeSettings,
    running: Mutex<HashMap<String, RunningSession>>,
    heartbeat: Option<JoinHandle<()>>,
}

/// Ends the sessions a dead server left running, after killing every
/// process they left (see `containment.rs`). Call before serving.
pub fn recover(store: &Store, logs: &LogWriter) -> anyhow::Result<()> {
    let processes = store.session_processes()?;
    let orphans = store.end_orphaned_sessions(SERVER_RESTARTED, END_TERMINATED)?;
    let mut ids: Vec<String> = orphans.iter().map(|s| s.id.clone()).collect();
    ids.extend(processes.iter().map(|p| p.session_id.clone()));
    let left_running = containment::reap_orphans(&processes, &ids);
    if left_running > 0 {
        eprintln!(
            "pipecat local: killed what {left_running} sessions of the previous server left running"
        );
    }
    for orphan in &orphans {
        logs.event(
            &session_source(orphan),
            "session ended: the server stopped while it ran (SERVER_RESTARTED)",
        );
    }
    for process in &processes {
        store.forget_session_process(&process.session_id)?;
    }
    Ok(())
}

impl Runtime {
    pub fn new(
        store: Arc<Store>,
        logs: Arc<LogWriter>,
        capacity: Arc<Capacity>,
        bodies: BodyDir,
        settings: RuntimeSettings,
    ) -> Self {
        let heartbeat = tokio::runtime::Handle::try_current().ok().map(|handle| {
            let store = store.clone();
            handle.spawn(async move {
                let mut every = tokio::time::interval(HEARTBEAT);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut failing = false;
                loop {
                    every.tick().await;
                    let at = now_ns();
                    match store.write(move |store| store.beat(at)).await {
                        Ok(()) => failing = false,
                        Err(err) if !failing => {
                            failing = true;
                            eprintln!("pipecat local: cannot record the heartbeat: {err}");
                        }
                        Err(_) => {}
                    }
                }
            })
        });
        Runtime {
            store,
            logs,
            capacity,
            bodies,
            containment: Containment::detect(),
            sweeper: Arc::default(),
            settings,
            running: Mutex::new(HashMap::new()),
            heartbeat,
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunningSession>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Spawns the session's process, records the session and supervises
    /// it. The capacity slot must already be reserved; it is released when
    /// the session ends (or here, if it cannot start). The record (the
    /// session and where its processes are) is one small write
    /// ([`Store::write_small`]), made once the process runs (so it holds
    /// when it started);
    /// if it cannot be written the processes are killed at once: no
    /// session runs unrecorded. A process that cannot be started is
    /// recorded as `START_FAILED`.
    ///
    /// Once its process runs, a session is recorded and supervised even if
    /// the caller stops waiting (a client that hangs up drops its
    /// request's future): the start is polled once here, and if it has to
    /// wait (its record went to the blocking pool), it goes on in a task of
    /// its own. Usually it does not, and a start costs no task of its own
    /// and no hand-off to another worker. A panic in it is an error of the
    /// start either way, not of the request's task.
    pub async fn launch(self: &Arc<Self>, plan: SessionPlan) -> Result<(), CloudError> {
        let interrupted = |why: &dyn std::fmt::Display| {
            CloudError::Internal(format!("the start was interrupted: {why}"))
        };
        let mut start = Box::pin(self.clone().start(plan));
        let first = std::future::poll_fn(|cx| {
            Poll::Ready(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                || start.as_mut().poll(cx),
            )))
        })
        .await;
        match first {
            Ok(Poll::Ready(started)) => started,
            Ok(Poll::Pending) => tokio::spawn(start)
                .await
                .unwrap_or_else(|err| Err(interrupted(&err))),
            Err(_) => Err(interrupted(&"it panicked")),
        }
    }

    async fn start(self: Arc<Self>, plan: SessionPlan) -> Result<(), CloudError> {
        let mut session = plan.session;
        let source = session_source(&session);
        let cgroup = self.containment.cgroup_for(&session.id);
        let contract_body = plan
            .body
            .clone()
            .unwrap_or_else(|| Value::Object(Default::default()));
        let body_json = serde_json::to_vec(&plan.body.unwrap_or(Value::Null))
            .map_err(|e| CloudError::Internal(format!("cannot encode the session body: {e}")));
        let port = match plan.launch.speaks_contract() {
            true => free_loopback_port().map(Some).map_err(|e| {
                CloudError::Internal(format!("cannot find a free port for the agent: {e}"))
            }),
            false => Ok(None),
        };
        let spawned = body_json.and_then(|body| {
            let port = port?;
            let body_file = self.bodies.write(&session.id, &body).map_err(|e| {
                CloudError::Internal(format!("cannot write the session body file: {e}"))
            })?;
            match spawn(
                &plan.launch,
                &session,
                &body_file,
                &plan.env,
                cgroup.as_deref(),
                port,
            ) {
                Ok(child) => Ok((child, body, port, body_file)),
                Err(e) => {
                    self.bodies.remove(&body_file);
                    Err(CloudError::Internal(format!(
                        "cannot start the agent's process: {e}"
                    )))
                }
            }
        });
        let now = now_ns();
        session.updated_ns = now;
        let (mut child, body, port, body_file) = match spawned {
            Ok(spawned) => spawned,
            Err(err) => {
                if let Some(cgroup) = &cgroup {
                    let _ = std::fs::remove_dir(cgroup);
                }
                session.ended_ns = Some(now);
                session.completion_status = Some(START_FAILED.into());
                session.end_state = END_AGENT_ERROR.into();
                let record = session.clone();
                let recorded = self
                    .store
                    .write_small(move |store| store.insert_session(&record))
                    .await;
                // After the record: sent before, it would wake the log
                // writer, which would then take the write gate first.
                self.logs
                    .event(&source, &format!("session failed to start: {err}"));
                self.capacity.release(&session.agent_id);
                recorded?;
                return Err(err);
            }
        };
        let pid = child.pid().as_raw();
        let processes = ProcessSet::new(
            &session.id,
            child.pid(),
            cgroup.map(|dir| (dir, child.in_cgroup())),
            self.sweeper.clone(),
        );
        session.process_started_ns = Some(now);
        let record = session.clone();
        let process = SessionProcess {
            session_id: session.id.clone(),
            pid,
            start_ticks: child.start_ticks(),
            boot_id: containment::boot_id(),
            cgroup: processes
                .cgroup()
                .map(|dir| dir.to_string_lossy().into_owned()),
        };
        let recorded = self
            .store
            .write_small(move |store| store.insert_running_session(&record, &process))
            .await;
        if let Err(err) = recorded {
            processes.kill();
            tokio::spawn(async move {
                let _ = child.wait().await;
                processes.kill_leftovers().await;
                processes.release();
            });
            self.bodies.remove(&body_file);
            self.capacity.release(&session.agent_id);
            return Err(err.into());
        }
        self.logs.event(
            &source,
            &format!(
                "session {} started (pid {pid}, max duration {} s)",
                session.id, session.max_session_duration
            ),
        );

        let output = Arc::new(SessionOutput::new(
            source.clone(),
            self.logs.clone(),
            self.settings.lines_per_second,
        ));
        let contract = port.map(|port| Contract {
            client: AgentClient::new(port),
            call: SessionCall {
                session_id: session.id.clone(),
                body: contract_body,
                ..SessionCall::default()
            },
        });
        let readers = [
            child.stdout.take().map(|out| {
                let output = output.clone();
                tokio::spawn(async move { output.forward(out).await })
            }),
            child.stderr.take().map(|err| {
                let output = output.clone();
                tokio::spawn(async move { output.forward(err).await })
            }),
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
        let claimed = Arc::new(AtomicBool::new(false));
        self.running().insert(
            session.id.clone(),
            RunningSession {
                stop: stop_tx,
                ended: ended_rx,
                claimed: claimed.clone(),
                group: child.group_signal(),
                source: source.clone(),
            },
        );
        let runtime = self.clone();
        tokio::spawn(async move {
            runtime
                .supervise(Supervised {
                    child,
                    session,
                    source,
                    processes,
                    output,
                    readers,
                    body_file,
                    stop_rx,
                    claimed,
                    contract,
                })
                .await;
            let _ = ended_tx.send(true);
        });
        Ok(())
    }

    async fn supervise(self: Arc<Self>, s: Supervised) {
        let Supervised {
            mut child,
            session,
            source,
            processes,
            output,
            readers,
            body_file,
            mut stop_rx,
            claimed,
            contract,
        } = s;
        let cap_ns = i64::from(session.max_session_duration) * 1_000_000_000;
        // A contract agent stops its bot at the budget itself; the hard
        // cut comes a grace period later.
        let grace_ns = if contract.is_some() {
            STOP_GRACE.as_nanos() as i64
        } else {
            0
        };
        let remaining_ns = (session.requested_ns + cap_ns + grace_ns - now_ns()).max(0);
        let cutoff = tokio::time::sleep(Duration::from_nanos(remaining_ns as u64));
        tokio::pin!(cutoff);

        let ready = AtomicBool::new(false);
        let conversation = async {
            let Some(contract) = &contract else {
                return std::future::pending().await;
            };
            // The process's exit is watched by the select below.
            let limit = self.settings.ready_timeout;
            if let Err(err) = contract
                .client
                .wait_ready(limit, std::future::pending::<()>())
                .await
            {
                return Conversation::NotReady(err);
            }
            ready.store(true, Ordering::SeqCst);
            let left_ns = (session.requested_ns + cap_ns - now_ns()).max(1);
            let budget = u32::try_from((left_ns + 999_999_999) / 1_000_000_000).unwrap_or(u32::MAX);
            self.logs.event(
                &source,
                &format!("agent ready: sending the session (POST /bot, budget {budget} s)"),
            );
            let call = SessionCall {
                max_session_seconds: Some(budget),
                ..contract.call.clone()
            };
            Conversation::Answered(contract.client.run_session(&call, None).await)
        };
        tokio::pin!(conversation);

        let mut stopped_by: Option<&'static str> = None;
        let mut ended_by: Option<Ending> = None;
        let status = tokio::select! {
            biased;
            Some(reason) = stop_rx.recv() => {
                // A shutdown records and logs every session's stop at
                // once, and signals each group it claimed.
                let shutdown_claimed = claimed.swap(true, Ordering::SeqCst);
                match reason {
                    StopReason::Api => {
                        let (id, at) = (session.id.clone(), now_ns());
                        let _ = self.store.write(move |store| store.mark_stop_requested(&id, at)).await;
                        self.logs.event(&source, "stop requested: sending SIGTERM");
                        stopped_by = Some(TERMINATED);
                    }
                    StopReason::Shutdown => stopped_by = Some(SERVER_SHUTDOWN),
                }
                signal_unless_shutdown_did(&processes, shutdown_claimed);
                self.stop_processes(&mut child, &processes, &source).await
            }
            () = &mut cutoff => {
                claimed.store(true, Ordering::SeqCst);
                processes.kill();
                self.logs.event(&source, &format!(
                    "session cut off at max duration ({} s)", session.max_session_duration));
                stopped_by = Some(MAX_DURATION_EXCEEDED);
                child.wait().await
            }
            conversation = &mut conversation => {
                let ending = match conversation {
                    // Its lines up to now, not those of its stopping.
                    Conversation::NotReady(err) => Some(Ending::StartFailed {
                        why: err.to_string(),
                        last_lines: Some(output.last_lines()),
                    }),
                    Conversation::Answered(Ok(outcome)) => Some(Ending::Answered(outcome)),
                    Conversation::Answered(Err(ContractError::Refused { status, message })) => {
                        Some(Ending::StartFailed {
                            why: format!("the agent refused the session: HTTP {status}: {message}"),
                            last_lines: Some(output.last_lines()),
                        })
                    }
                    // The connection broke: the process is most likely
                    // dying, and its exit says how.
                    Conversation::Answered(Err(err)) => {
                        match tokio::time::timeout(OUTPUT_DRAIN, child.wait()).await {
                            Ok(_) => None,
                            Err(_) => Some(Ending::Broken(err.to_string())),
                        }
                    }
                };
                ended_by = ending;
                signal_unless_shutdown_did(&processes, claimed.swap(true, Ordering::SeqCst));
                self.stop_processes(&mut child, &processes, &source).await
            }
            status = child.wait() => {
                claimed.store(true, Ordering::SeqCst);
                status
            }
        };
        // Leftovers (a shell's background jobs, daemons) go too, and must
        // not hold the output pipes open.
        processes.kill_leftovers().await;
        let ended_ns = now_ns();
        // The pipes reach their end once every process is gone; only one
        // that escaped the session can hold them open. What was read is
        // stored even if the queue is slow.
        let drained_by = tokio::time::Instant::now() + OUTPUT_DRAIN;
        let mut told = false;
        for mut reader in readers.into_iter().flatten() {
            let drained = !told
                && tokio::time::timeout_at(drained_by, &mut reader)
                    .await
                    .is_ok();
            if !drained {
                output.stop_reading();
                told = true;
                let _ = reader.await;
            }
        }
        output.finish();

        if contract.is_some()
            && stopped_by.is_none()
            && ended_by.is_none()
            && !ready.load(Ordering::SeqCst)
        {
            ended_by = Some(Ending::StartFailed {
                why: format!(
                    "the agent's process {} before it was ready",
                    describe_exit(&status)
                ),
                last_lines: None,
            });
        }
        let (completion, end_state, event) = match ended_by {
            Some(ending) if stopped_by.is_none() => ending.outcome(&output.last_lines()),
            _ => outcome(stopped_by, status),
        };
        self.logs.event(&source, &event);
        // Recorded by the log writer after its last line: a follower that
        // sees the end and reads once more gets every line. If it cannot
        // (a full disk), the store keeps the end in memory, shows it and
        // writes it again later (a failure is logged where it happens).
        let end = SessionEnd {
            session_id: session.id.clone(),
            ended_ns,
            completion_status: completion,
            end_state: end_state.to_string(),
        };
        if !self.logs.end_session(end.clone()).await {
            let _ = self
                .store
                .write(move |store| {
                    store.mark_ended(
                        &end.session_id,
                        end.ended_ns,
                        &end.completion_status,
                        &end.end_state,
                    )
                })
                .await;
        }
        processes.release();
        self.capacity.release(&session.agent_id);
        self.running().remove(&session.id);
        self.bodies.remove(&body_file);
    }

    /// Once a session's processes have had SIGTERM: SIGKILL after the
    /// grace period; returns how the first one ended.
    async fn stop_processes(
        &self,
        child: &mut SessionChild,
        processes: &ProcessSet,
        source: &LogSource,
    ) -> std::io::Result<ExitStatus> {
        match tokio::time::timeout(STOP_GRACE, child.wait()).await {
            Ok(status) => status,
            Err(_) => {
                self.logs.event(
                    source,
                    &format!(
                        "still running {} s after SIGTERM: sending SIGKILL",
                        STOP_GRACE.as_secs()
                    ),
                );
                processes.kill();
                child.wait().await
            }
        }
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
        wait_ended(ended, ended_deadline()).await;
        true
    }

    /// Stops every session at once (recorded as `SERVER_SHUTDOWN`) and
    /// waits for them all to end. Every session's process group gets
    /// SIGTERM here, in one pass, where the kernel can: were each
    /// signalled by its supervisor, the sessions signalled first would
    /// compete for the CPU with those still to signal, and the last would
    /// get SIGTERM a quarter of a second later at 1,000 sessions, each
    /// running (and costing CPU) until then.
    pub async fn shutdown(&self) {
        if let Some(heartbeat) = &self.heartbeat {
            heartbeat.abort();
        }
        // A store failure is logged by the store.
        let at = now_ns();
        let _ = self
            .store
            .write(move |store| store.mark_running_stop_requested(at))
            .await;
        // Copied out of the lock, which each session takes as it ends.
        let sessions: Vec<RunningSession> = self.running().values().cloned().collect();
        // Sessions whose supervisor is already stopping or ending them are
        // left to it. The others are logged first, so that each session's
        // logs show it before what the session answers to the signal; and
        // each supervisor is told before, so that a session that dies of
        // it is recorded as stopped.
        let claimed: Vec<&RunningSession> = sessions
            .iter()
            .filter(|session| !session.claimed.swap(true, Ordering::SeqCst))
            .collect();
        for session in &claimed {
            self.logs
                .event(&session.source, "server shutting down: sending SIGTERM");
            let _ = session.stop.send(StopReason::Shutdown);
        }
        // Where the kernel cannot, each supervisor signals its own.
        for session in claimed {
            let _ = session.group.send(Signal::SIGTERM);
        }
        let deadline = ended_deadline();
        for session in sessions {
            wait_ended(session.ended, deadline).await;
        }
        self.bodies.close();
    }
}

/// SIGTERM to a session's processes, or, if the shutdown claimed the
/// session (and so signalled its group where the kernel can), to those
/// that left the group.
fn signal_unless_shutdown_did(processes: &ProcessSet, shutdown_claimed: bool) {
    if shutdown_claimed && spawn::group_signals_work() {
        processes.signal_outside_group(Signal::SIGTERM);
    } else {
        processes.signal(Signal::SIGTERM);
    }
}

/// A spawned session and what its supervisor needs.
struct Supervised {
    child: SessionChild,
    session: SessionRecord,
    source: LogSource,
    processes: ProcessSet,
    output: Arc<SessionOutput>,
    readers: [Option<JoinHandle<()>>; 2],
    body_file: PathBuf,
    stop_rx: mpsc::UnboundedReceiver<StopReason>,
    /// See [`RunningSession::claimed`].
    claimed: Arc<AtomicBool>,
    /// How to speak to it, for images that serve the container contract.
    contract: Option<Contract>,
}

/// A session driven through the agent container contract.
struct Contract {
    client: AgentClient,
    /// The budget is set when the call is sent.
    call: SessionCall,
}

/// How the contract exchange ended.
enum Conversation {
    NotReady(ContractError),
    Answered(Result<SessionOutcome, ContractError>),
}

/// Why a contract session ended, when not by its process's exit.
enum Ending {
    /// Why, and the lines to show (`None`: its last lines at the end).
    StartFailed {
        why: String,
        last_lines: Option<Vec<String>>,
    },
    Answered(SessionOutcome),
    /// The exchange broke while the process lived on.
    Broken(String),
}

impl Ending {
    /// Completion status, end state and the event line; `at_end` are the
    /// session's last output lines, for a start that failed.
    fn outcome(self, at_end: &[String]) -> (String, &'static str, String) {
        match self {
            Ending::StartFailed { why, last_lines } => {
                let last_lines = last_lines.as_deref().unwrap_or(at_end);
                let tail = if last_lines.is_empty() {
                    "; it printed nothing".to_string()
                } else {
                    format!("; its last lines: {}", last_lines.join(" | "))
                };
                (
                    START_FAILED.into(),
                    END_AGENT_ERROR,
                    format!("session failed to start: {why}{tail}"),
                )
            }
            Ending::Answered(SessionOutcome::Completed) => (
                COMPLETED.into(),
                END_COMPLETED,
                "session ended: bot() returned".into(),
            ),
            Ending::Answered(SessionOutcome::BudgetExhausted) => (
                MAX_DURATION_EXCEEDED.into(),
                END_TERMINATED,
                "session ended: the agent cancelled bot() at the session's budget".into(),
            ),
            Ending::Answered(SessionOutcome::Terminated) => (
                TERMINATED.into(),
                END_TERMINATED,
                "session ended: the agent was stopped while bot() ran".into(),
            ),
            Ending::Answered(SessionOutcome::Failed { message }) => (
                BOT_ERROR.into(),
                END_AGENT_ERROR,
                format!("session failed: bot() raised {message}"),
            ),
            Ending::Broken(why) => (
                BOT_ERROR.into(),
                END_AGENT_ERROR,
                format!("session failed: {why}"),
            ),
        }
    }
}

fn session_source(session: &SessionRecord) -> LogSource {
    LogSource {
        agent_name: session.agent_name.clone(),
        deployment_id: Some(session.deployment_id.clone()),
        session_id: Some(session.id.clone()),
    }
}

/// How long a stop waits for its sessions to end: the grace period and a
/// little.
fn ended_deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + STOP_GRACE + Duration::from_secs(3)
}

async fn wait_ended(mut ended: watch::Receiver<bool>, deadline: tokio::time::Instant) {
    let _ = tokio::time::timeout_at(deadline, ended.wait_for(|ended| *ended)).await;
}

/// "exited with code 1", "killed by signal 9", ...
fn describe_exit(status: &std::io::Result<ExitStatus>) -> String {
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            _ => "ended".to_string(),
        },
        Err(err) => format!("could not be waited for: {err}"),
    }
}

/// Completion status, end state and the event line for how a process ended.
fn outcome(
    stopped_by: Option<&'static str>,
    status: std::io::Result<ExitStatus>,
) -> (String, &'static str, String) {
    let exit = describe_exit(&status);
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
    env: &[(String, SecretValue)],
    cgroup: Option<&std::path::Path>,
    port: Option<u16>,
) -> std::io::Result<SessionChild> {
    let mut command = match launch {
        Launch::DemoBot(program) => {
            let mut command = Command::new(program);
            command.args(demo_bot::ARGS);
            command
        }
        Launch::Shell(script) | Launch::Http(script) => {
            let mut command = Command::new("/bin/sh");
            command.arg("-c").arg(script);
            command
        }
        // The image's own environment (Dockerfile `ENV`, its venv) first:
        // secrets and the variables below win, as `docker run -e` does.
        Launch::Built(image_dir) => Manifest::load(image_dir)?
            .host_launch(image_dir, port.unwrap_or_default())
            .command()
            .into_std(),
    };
    // First, so that the contract's variables below win over a secret of
    // the same name.
    command.envs(env.iter().map(|(key, value)| (key, value.expose())));
    if let Some(port) = port {
        command.env("PORT", port.to_string());
    }
    command
        .env(containment::SESSION_MARKER, &session.id)
        .env("PIPECAT_AGENT_NAME", &session.agent_name)
        .env("PIPECAT_DEPLOYMENT_ID", &session.deployment_id)
        .env(
            "PIPECAT_MAX_SESSION_DURATION",
            session.max_session_duration.to_string(),
        )
        .env("PIPECAT_SESSION_BODY_FILE", body_file);
    spawn::spawn(
        &command,
        spawn::Options {
            stdin: if port.is_some() {
                spawn::Stdin::Null
            } else {
                spawn::Stdin::Piped
            },
            cgroup,
            // Held until the bot has its handlers, so a stop that comes
            // while it starts still gets its goodbye (it unblocks them).
            blocked: match launch {
                Launch::DemoBot(_) => demo_bot::stop_signals(),
                _ => SigSet::empty(),
            },
        },
    )
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
    /// A runtime on a fresh store in `dir`, and a session of its seeded
    /// agent with a reserved slot.
    fn runtime_with_a_session(
        dir: &std::path::Path,
    ) -> (
        Arc<Store>,
        Arc<LogWriter>,
        Arc<Capacity>,
        Arc<Runtime>,
        SessionRecord,
    ) {
        let store = Arc::new(Store::open(dir).unwrap());
        let logs = Arc::new(LogWriter::start(store.path(), store.write_gate()).unwrap());
        let capacity = Arc::new(Capacity::default());
        let bodies = BodyDir::open(dir);
        let runtime = Arc::new(Runtime::new(
            store.clone(),
            logs.clone(),
            capacity.clone(),
            bodies,
            RuntimeSettings {
                lines_per_second: 100,
                ready_timeout: Duration::from_secs(1),
            },
        ));
        let agent = store.live_agents().unwrap().remove(0);
        assert!(capacity.try_reserve(&agent.id, 1));
        let session = SessionRecord {
            // Its own id: tests run at once, and a session's cgroup is
            // named after it.
            id: crate::local::store::new_id(),
            agent_name: agent.name.clone(),
            agent_id: agent.id.clone(),
            deployment_id: agent.deployment.id.clone(),
            max_session_duration: 60,
            requested_ns: now_ns(),
            process_started_ns: None,
            stop_requested_ns: None,
            ended_ns: None,
            updated_ns: now_ns(),
            completion_status: None,
            end_state: END_ACTIVE.into(),
        };
        (store, logs, capacity, runtime, session)
    }

    /// The start of `session` running `sleep 30`.
    fn sleeping(session: SessionRecord) -> SessionPlan {
        SessionPlan {
            session,
            launch: Launch::Shell("sleep 30".into()),
            body: None,
            env: Vec::new(),
        }
    }

    /// One poll of `future`.
    async fn poll_once<F: std::future::Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        std::future::poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut *future).poll(cx))).await
    }

    /// A session whose first process exits at once keeps its cgroup: its
    /// set is made here once the process has exited (and its cgroup lists
    /// nobody), as it can be on a busy machine.
    #[tokio::test]
    async fn a_process_that_exits_at_once_keeps_its_cgroup() {
        let id = crate::local::store::new_id();
        let Some(cgroup) = Containment::detect().cgroup_for(&id) else {
            eprintln!("skipped: no writable cgroup v2 hierarchy here");
            return;
        };
        let mut child = spawn::spawn(
            &Command::new("true"),
            spawn::Options {
                stdin: spawn::Stdin::Null,
                cgroup: Some(&cgroup),
                blocked: SigSet::empty(),
            },
        )
        .unwrap();
        assert!(child.wait().await.unwrap().success());
        let processes = ProcessSet::new(
            &id,
            child.pid(),
            Some((cgroup.clone(), child.in_cgroup())),
            Arc::new(Sweeper::default()),
        );
        assert_eq!(processes.cgroup(), Some(cgroup.as_path()));
        // Nothing is left: the empty cgroup is removed.
        processes.kill_leftovers().await;
        assert!(!cgroup.exists());
    }

    /// A start whose record needs no wait (nobody else is writing) is
    /// done in one poll: no task of its own.
    #[tokio::test]
    async fn a_start_with_nothing_to_wait_for_is_done_in_one_poll() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, logs, _capacity, runtime, session) = runtime_with_a_session(dir.path());
        let id = session.id.clone();
        let mut launch = Box::pin(runtime.launch(sleeping(session)));
        let first = poll_once(&mut launch).await;
        assert!(matches!(first, Poll::Ready(Ok(()))), "{first:?}");
        assert!(runtime.running().contains_key(&id));
        assert!(runtime.stop(&id).await);
        logs.close();
    }

    /// A start whose caller stops waiting (a client that hangs up drops
    /// its request's future) still records and supervises its session.
    /// On one thread, with the write gate held (so the record goes to the
    /// blocking pool), so that the start cannot finish before the first
    /// poll returns.
    #[tokio::test]
    async fn a_start_whose_caller_stops_waiting_still_runs_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let (store, logs, _capacity, runtime, session) = runtime_with_a_session(dir.path());
        let release = store.write_gate().hold_elsewhere();
        let mut launch = Box::pin(runtime.launch(sleeping(session.clone())));
        // Polled once, then dropped.
        let first = poll_once(&mut launch).await;
        assert!(first.is_pending(), "the start answered at once");
        drop(launch);
        drop(release);
        let (name, id) = (session.agent_name.clone(), session.id.clone());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let supervised = runtime.running().contains_key(&id);
            let (name, id) = (name.clone(), id.clone());
            let stored = store.read(move |r| r.session(&name, &id)).await.unwrap();
            if let Some(stored) = stored
                && supervised
                && !store.session_processes().unwrap().is_empty()
            {
                assert_eq!(stored.end_state, END_ACTIVE);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "never recorded");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(runtime.stop(&id).await);
        logs.close();
    }

    /// A process that cannot be started leaves its session recorded as
    /// ended `START_FAILED`, with no process to find after a restart, and
    /// its slot free.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_process_that_cannot_start_is_recorded_as_start_failed() {
        let dir = tempfile::tempdir().unwrap();
        let (store, logs, capacity, runtime, session) = runtime_with_a_session(dir.path());
        let agent = store.live_agents().unwrap().remove(0);
        let launched = runtime
            .launch(SessionPlan {
                session: session.clone(),
                launch: Launch::DemoBot(dir.path().join("no-such-program")),
                body: None,
                env: Vec::new(),
            })
            .await;
        let err = launched.unwrap_err().to_string();
        assert!(err.contains("cannot start the agent's process"), "{err}");
        let (name, id) = (agent.name.clone(), session.id.clone());
        let stored = store
            .read(move |r| r.session(&name, &id))
            .await
            .unwrap()
            .expect("the session is recorded");
        assert_eq!(stored.completion_status.as_deref(), Some(START_FAILED));
        assert_eq!(stored.end_state, END_AGENT_ERROR);
        assert!(stored.ended_ns.is_some());
        assert!(store.session_processes().unwrap().is_empty());
        assert_eq!(capacity.active(&agent.id), 0);
        logs.close();
    }
}
