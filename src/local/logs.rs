//! The log writer: session output and server events go through a channel to
//! one thread that writes them to SQLite in batched transactions, so a
//! chatty session never waits on the disk and thousands of lines cost a few
//! commits. A line is committed as soon as the thread sees it (batches form
//! only while it is busy).
//!
//! Timestamps are taken when a line is read, then clamped so the stored
//! sequence never goes back in time: `(ts_ns, id)` order equals insertion
//! order, which lets a follower poll with `startTime` + `offset` without
//! missing or repeating lines.

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use rusqlite::{Connection, params};

use super::store::{connect, last_line};
use super::time::now_ns;

/// Where a line came from.
#[derive(Debug, Clone)]
pub struct LogSource {
    pub agent_name: String,
    pub deployment_id: Option<String>,
    pub session_id: Option<String>,
}

enum Message {
    Line {
        source: LogSource,
        ts_ns: i64,
        line: String,
    },
    Flush(SyncSender<()>),
}

/// Handle to the writer thread; cheap to share.
pub struct LogWriter {
    sender: Mutex<Option<Sender<Message>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// Lines per transaction at most.
const MAX_BATCH: usize = 4096;

/// Prefix of the server's own events in a session's logs.
pub const EVENT_PREFIX: &str = "[pipecat-local]";

impl LogWriter {
    pub fn start(db_path: &Path) -> anyhow::Result<LogWriter> {
        let conn = connect(db_path)?;
        let last_ns = last_line(&conn)?.map_or(0, |line| line.ts_ns);
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("pipecat-local-logs".into())
            .spawn(move || write_loop(conn, receiver, last_ns))?;
        Ok(LogWriter {
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
        })
    }

    fn send(&self, message: Message) -> bool {
        let guard = self.sender.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().is_some_and(|s| s.send(message).is_ok())
    }

    /// A line a session wrote, timestamped now.
    pub fn line(&self, source: &LogSource, line: String) {
        self.send(Message::Line {
            source: source.clone(),
            ts_ns: now_ns(),
            line,
        });
    }

    /// A server event about a session or agent.
    pub fn event(&self, source: &LogSource, text: &str) {
        self.line(source, format!("{EVENT_PREFIX} {text}"));
    }

    /// Blocks until every line sent so far is committed.
    pub fn flush(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.send(Message::Flush(done)) {
            let _ = wait.recv();
        }
    }

    /// Commits what is queued and stops the thread.
    pub fn close(&self) {
        self.flush();
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = thread.join();
        }
    }
}

fn write_loop(mut conn: Connection, receiver: Receiver<Message>, mut last_ns: i64) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(message) => batch.push(message),
                Err(_) => break,
            }
        }
        if let Err(err) = write_batch(&mut conn, &batch, &mut last_ns) {
            eprintln!(
                "pipecat local: could not store {} log lines: {err}",
                batch.len()
            );
        }
        for message in batch {
            if let Message::Flush(done) = message {
                let _ = done.send(());
            }
        }
    }
}

fn write_batch(
    conn: &mut Connection,
    batch: &[Message],
    last_ns: &mut i64,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO logs(agent_name, deployment_id, session_id, ts_ns, line) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for message in batch {
            if let Message::Line {
                source,
                ts_ns,
                line,
            } = message
            {
                let ts = (*ts_ns).max(*last_ns);
                *last_ns = ts;
                insert.execute(params![
                    source.agent_name,
                    source.deployment_id,
                    source.session_id,
                    ts,
                    line
                ])?;
            }
        }
    }
    tx.commit()
}
