//! The log writer: session output and server events go through a queue to
//! one thread that writes them to SQLite in batched transactions, so a
//! chatty session never waits on each commit and thousands of lines cost a
//! few commits. A line that finds the thread idle is committed at once.
//! Lines that keep coming right after a commit (a shutdown ending every
//! session) are grouped: the next commit waits until the queue has been
//! quiet for [`GROUP_QUIET`], for at most [`GROUP_WAIT`]. A commit writes
//! every page it touched, and each session's lines and end touch pages of
//! their own in the indexes, so fewer, larger commits write fewer pages.
//!
//! Everything here is bounded (see docs/local-cloud.md, "Limits"):
//!
//! - a line is at most [`MAX_LINE_BYTES`]; a longer one is stored as several
//!   entries, every one after the first starting with
//!   [`CONTINUATION_PREFIX`]. Lines are split while reading: a giant line is
//!   never held whole. Nothing is cut, unlike the build steps' output
//!   (`lines.rs` cuts a long line there, for display);
//! - one session may log at most its lines-per-second limit (per wall-clock
//!   second, stdout and stderr together); the excess is read and dropped,
//!   its pipe is then read at a slow pace until the second is over, and the
//!   count is logged once per second that dropped lines, in the session's
//!   logs ([`EVENT_PREFIX`] `dropped N lines ...`) and on the server's
//!   stderr;
//! - the queue in front of the writer holds at most [`QUEUE_BYTES`] of
//!   session output. When it is full a session's reader waits, so its pipe
//!   fills and the session blocks on its next write: a session that writes
//!   faster than the disk stores is slowed, the server is not;
//! - a batch that fails to insert is retried line by line, so one bad line
//!   loses only itself; the failure is logged.
//!
//! Session ends are written here too, in the same transaction as (or one
//! after) the session's last lines: one writer, so the store's connection
//! and this one never wait for each other's lock at a shutdown, and a
//! follower that sees a session ended has its last line.
//!
//! Timestamps are taken when a line is read, then clamped so the stored
//! sequence never goes back in time: `(ts_ns, id)` order equals insertion
//! order, which lets a follower poll with `startTime` + `offset` without
//! missing or repeating lines.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};

use super::store::{SessionEnd, WriteGate, connect, last_line, record_ends};
use super::time::now_ns;

/// The longest log entry, in bytes; longer lines are split.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Starts every piece of a split line after the first.
pub const CONTINUATION_PREFIX: &str = "[continued] ";
/// Session output waiting to be stored, at most (line bytes plus a small
/// allowance per line).
pub const QUEUE_BYTES: usize = 8 * 1024 * 1024;
/// How many lines one session may log per second unless the server is
/// told otherwise (`serve --max-log-lines-per-second`).
pub const DEFAULT_LINES_PER_SECOND: u32 = 10_000;
/// Prefix of the server's own events in a session's logs.
pub const EVENT_PREFIX: &str = "[pipecat-local]";

/// What a queued line costs beyond its text (its share of the queue entry).
const LINE_OVERHEAD: usize = 64;
/// Lines per transaction at most.
const MAX_BATCH: usize = 4096;
/// A line that arrives this soon after a commit waits for the queue to be
/// quiet this long ...
const GROUP_QUIET: Duration = Duration::from_micros(500);
/// ... but no longer than this in all (and the last sleep).
const GROUP_WAIT: Duration = Duration::from_millis(20);
/// While a session is over its limit, its pipe is read at most once per
/// this long (64 KiB per read), so a flood costs the server little CPU.
const OVER_LIMIT_PACE: Duration = Duration::from_millis(10);

/// Where a line came from.
#[derive(Debug, Clone)]
pub struct LogSource {
    pub agent_name: String,
    pub deployment_id: Option<String>,
    pub session_id: Option<String>,
}

struct Line {
    source: Arc<LogSource>,
    ts_ns: i64,
    line: String,
    /// Its room in the queue, given back once it is stored. Server events
    /// have none: they are few and must never wait.
    _room: Option<OwnedSemaphorePermit>,
}

enum Message {
    Line(Line),
    /// A session's end, recorded with (or after) its last lines; told
    /// whether it was.
    End(SessionEnd, oneshot::Sender<bool>),
    Flush(SyncSender<()>),
}

/// Handle to the writer thread; cheap to share.
pub struct LogWriter {
    sender: Mutex<Option<Sender<Message>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    room: Arc<Semaphore>,
}

impl LogWriter {
    /// Starts the thread, which holds `gate` while it writes.
    pub fn start(db_path: &Path, gate: WriteGate) -> anyhow::Result<LogWriter> {
        let conn = connect(db_path)?;
        let last_ns = last_line(&conn)?.map_or(0, |line| line.ts_ns);
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("pipecat-local-logs".into())
            .spawn(move || write_loop(conn, &gate, receiver, last_ns))?;
        Ok(LogWriter {
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
            room: Arc::new(Semaphore::new(QUEUE_BYTES)),
        })
    }

    fn send(&self, message: Message) -> bool {
        let guard = self.sender.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().is_some_and(|s| s.send(message).is_ok())
    }

    /// A line, timestamped now, queued without waiting.
    pub fn line(&self, source: &LogSource, line: String) {
        self.send(Message::Line(Line {
            source: Arc::new(source.clone()),
            ts_ns: now_ns(),
            line,
            _room: None,
        }));
    }

    /// A line a session wrote: waits for room in the queue first.
    async fn session_line(&self, source: &Arc<LogSource>, line: String) {
        let cost = (line.len() + LINE_OVERHEAD).min(QUEUE_BYTES) as u32;
        // The semaphore is never closed, so this only fails if it were.
        let room = self.room.clone().acquire_many_owned(cost).await.ok();
        self.send(Message::Line(Line {
            source: source.clone(),
            ts_ns: now_ns(),
            line,
            _room: room,
        }));
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

    /// Records a session's end in the same transaction as its last lines
    /// (or a later one), and waits until it is committed. False if it could
    /// not be (the writer is gone, or the store cannot write).
    pub async fn end_session(&self, end: SessionEnd) -> bool {
        let (done, wait) = oneshot::channel();
        self.send(Message::End(end, done)) && wait.await.unwrap_or(false)
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

/// One session's output: its two pipes share its lines-per-second limit.
pub struct SessionOutput {
    source: Arc<LogSource>,
    writer: Arc<LogWriter>,
    limit: u32,
    window: Mutex<RateWindow>,
    /// Told when no more output is expected (see [`SessionOutput::stop_reading`]).
    stop: watch::Sender<bool>,
    /// The last lines stored, for a failure's message.
    recent: Mutex<VecDeque<String>>,
}

/// Lines [`SessionOutput::last_lines`] keeps, and the characters of each.
const RECENT_LINES: usize = 8;
const RECENT_LINE_CHARS: usize = 300;

/// Lines taken and dropped in the current wall-clock second.
struct RateWindow {
    started: Instant,
    taken: u32,
    dropped: u64,
}

impl SessionOutput {
    pub fn new(source: LogSource, writer: Arc<LogWriter>, lines_per_second: u32) -> Self {
        SessionOutput {
            source: Arc::new(source),
            writer,
            limit: lines_per_second.max(1),
            window: Mutex::new(RateWindow {
                started: Instant::now(),
                taken: 0,
                dropped: 0,
            }),
            stop: watch::Sender::new(false),
            recent: Mutex::new(VecDeque::with_capacity(RECENT_LINES)),
        }
    }

    /// The last lines stored (at most 8, each cut at 300 characters).
    pub fn last_lines(&self) -> Vec<String> {
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn remember(&self, line: &str) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT_LINES {
            recent.pop_front();
        }
        recent.push_back(line.chars().take(RECENT_LINE_CHARS).collect());
    }

    /// Stops waiting for more output (a process that escaped its session
    /// still holds the pipe): what the pipe holds now (up to the queue's
    /// size) is still read and stored.
    pub fn stop_reading(&self) {
        self.stop.send_replace(true);
    }

    fn window(&self) -> std::sync::MutexGuard<'_, RateWindow> {
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether one more line fits in this second; reports what the last
    /// second dropped when a new one begins.
    fn admit(&self) -> bool {
        let now = Instant::now();
        let mut window = self.window();
        if now.duration_since(window.started) >= Duration::from_secs(1) {
            let dropped = std::mem::take(&mut window.dropped);
            window.started = now;
            window.taken = 0;
            drop(window);
            self.report_dropped(dropped);
            window = self.window();
        }
        if window.taken < self.limit {
            window.taken += 1;
            true
        } else {
            window.dropped += 1;
            false
        }
    }

    fn report_dropped(&self, dropped: u64) {
        if dropped == 0 {
            return;
        }
        let limit = self.limit;
        self.writer.event(
            &self.source,
            &format!("dropped {dropped} lines over the limit of {limit} lines per second"),
        );
        eprintln!(
            "pipecat local: session {} dropped {dropped} log lines over its limit of {limit} per second",
            self.source.session_id.as_deref().unwrap_or("-")
        );
    }

    /// Reports lines dropped in the last, unfinished second. Call once the
    /// pipes are closed.
    pub fn finish(&self) {
        let dropped = std::mem::take(&mut self.window().dropped);
        self.report_dropped(dropped);
    }

    /// Reads `stream` to its end: every line (split at [`MAX_LINE_BYTES`];
    /// invalid UTF-8 replaced, not dropped) becomes a log entry, within the
    /// session's limit.
    pub async fn forward<R: AsyncRead + Unpin>(&self, stream: R) {
        let mut reader = BufReader::with_capacity(MAX_LINE_BYTES, stream);
        let mut splitter = Splitter::default();
        let mut stop = self.stop.subscribe();
        // Read once told to stop: what the pipe already holds is still
        // taken (however slow the queue), more is not waited for.
        let mut read_after_stop = 0;
        loop {
            let chunk = tokio::select! {
                biased;
                read = reader.fill_buf() => match read {
                    Ok([]) | Err(_) => break,
                    Ok(chunk) => chunk,
                },
                _ = stop.wait_for(|stop| *stop) => break,
            };
            let read = chunk.len();
            if *stop.borrow() {
                read_after_stop += read;
                if read_after_stop > QUEUE_BYTES {
                    break;
                }
            }
            let mut pieces = Vec::new();
            let dropped_any = splitter.push(chunk, |piece| {
                if self.admit() {
                    pieces.push(piece());
                    true
                } else {
                    false
                }
            });
            reader.consume(read);
            for piece in pieces {
                self.remember(&piece);
                self.writer.session_line(&self.source, piece).await;
            }
            if dropped_any {
                tokio::time::sleep(OVER_LIMIT_PACE).await;
            }
        }
        if let Some(piece) = splitter.finish()
            && self.admit()
        {
            self.remember(&piece);
            self.writer.session_line(&self.source, piece).await;
        }
    }
}

/// Cuts a byte stream into log entries: at each `\n` (a `\r` before it is
/// dropped), and every [`MAX_LINE_BYTES`] within a longer line.
#[derive(Default)]
struct Splitter {
    /// The unfinished line so far (less than `MAX_LINE_BYTES`).
    partial: Vec<u8>,
    /// The unfinished line already gave a piece.
    continued: bool,
}

impl Splitter {
    /// Feeds `chunk`; `take` is offered each piece as a closure that builds
    /// it (so a dropped piece costs no allocation) and says whether it took
    /// it. Returns whether any piece was refused.
    fn push(
        &mut self,
        mut chunk: &[u8],
        mut take: impl FnMut(&dyn Fn() -> String) -> bool,
    ) -> bool {
        let mut refused = false;
        while !chunk.is_empty() {
            let room = MAX_LINE_BYTES - self.partial.len();
            match chunk.iter().take(room + 1).position(|b| *b == b'\n') {
                Some(end) => {
                    let continued = self.continued;
                    let partial = &self.partial;
                    let line = &chunk[..end];
                    refused |= !take(&|| {
                        let mut bytes = partial.clone();
                        bytes.extend_from_slice(line);
                        if bytes.last() == Some(&b'\r') {
                            bytes.pop();
                        }
                        entry(&bytes, continued)
                    });
                    self.partial.clear();
                    self.continued = false;
                    chunk = &chunk[end + 1..];
                }
                None if chunk.len() <= room => {
                    self.partial.extend_from_slice(chunk);
                    chunk = &[];
                }
                None => {
                    self.partial.extend_from_slice(&chunk[..room]);
                    chunk = &chunk[room..];
                    let cut = char_boundary(&self.partial);
                    let rest = self.partial.split_off(cut);
                    let continued = self.continued;
                    let piece = &self.partial;
                    refused |= !take(&|| entry(piece, continued));
                    self.partial = rest;
                    self.continued = true;
                }
            }
        }
        refused
    }

    /// The last line, if the stream did not end with `\n`.
    fn finish(&mut self) -> Option<String> {
        if self.partial.is_empty() {
            return None;
        }
        let line = entry(&self.partial, self.continued);
        self.partial.clear();
        self.continued = false;
        Some(line)
    }
}

/// Where to cut a full piece: before a UTF-8 character it would split.
fn char_boundary(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Err(err) if err.error_len().is_none() && err.valid_up_to() > 0 => err.valid_up_to(),
        _ => bytes.len(),
    }
}

fn entry(bytes: &[u8], continued: bool) -> String {
    let text = String::from_utf8_lossy(bytes);
    if continued {
        format!("{CONTINUATION_PREFIX}{text}")
    } else {
        text.into_owned()
    }
}

fn write_loop(
    mut conn: Connection,
    gate: &WriteGate,
    receiver: Receiver<Message>,
    mut last_ns: i64,
) {
    let mut last_commit: Option<Instant> = None;
    while let Ok(first) = receiver.recv() {
        let grouping = last_commit.is_some_and(|at| at.elapsed() < GROUP_QUIET);
        let mut batch = vec![first];
        take_queued(&receiver, &mut batch);
        let until = Instant::now() + GROUP_WAIT;
        while grouping && batch.len() < MAX_BATCH {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            // A sleep, not a wait on the queue: a waiting receiver is
            // woken by every line sent.
            std::thread::sleep(GROUP_QUIET.min(left));
            let before = batch.len();
            take_queued(&receiver, &mut batch);
            if batch.len() == before {
                break;
            }
        }
        let mut lines = Vec::new();
        let mut ends = Vec::new();
        for message in &batch {
            match message {
                Message::Line(line) => lines.push(line),
                Message::End(end, _) => ends.push(end.clone()),
                Message::Flush(_) => {}
            }
        }
        let ended = {
            let _held = gate.hold();
            store(&mut conn, &lines, &ends, &mut last_ns)
        };
        last_commit = Some(Instant::now());
        for message in batch {
            match message {
                Message::Flush(done) => {
                    let _ = done.send(());
                }
                Message::End(_, done) => {
                    let _ = done.send(ended);
                }
                Message::Line(_) => {}
            }
        }
    }
}

/// Moves what is queued into `batch`, up to [`MAX_BATCH`].
fn take_queued(receiver: &Receiver<Message>, batch: &mut Vec<Message>) {
    while batch.len() < MAX_BATCH {
        match receiver.try_recv() {
            Ok(message) => batch.push(message),
            Err(_) => break,
        }
    }
}

/// Stores `lines` and `ends` in one transaction; if that fails, stores the
/// lines one by one so that only those that cannot be stored are lost, then
/// the ends, and says so. Returns whether the ends were recorded.
fn store(conn: &mut Connection, lines: &[&Line], ends: &[SessionEnd], last_ns: &mut i64) -> bool {
    if lines.is_empty() && ends.is_empty() {
        return true;
    }
    let batch_error = match insert(conn, lines, ends, last_ns, false) {
        Ok(_) => return true,
        Err(err) => err,
    };
    match insert(conn, lines, &[], last_ns, true) {
        Ok(0) => eprintln!(
            "pipecat local: a batch of {} log lines failed ({batch_error}); stored them one by one",
            lines.len()
        ),
        Ok(lost) => eprintln!(
            "pipecat local: could not store {lost} of {} log lines ({batch_error}); stored the others",
            lines.len()
        ),
        Err(err) => eprintln!(
            "pipecat local: could not store {} log lines: {err}",
            lines.len()
        ),
    }
    if ends.is_empty() {
        return true;
    }
    match insert(conn, &[], ends, last_ns, false) {
        Ok(_) => true,
        Err(err) => {
            eprintln!(
                "pipecat local: could not record the end of {} sessions: {err}",
                ends.len()
            );
            false
        }
    }
}

/// Inserts `lines`, then records `ends`, in one transaction. With
/// `skip_failures`, a line whose insert fails is left out (SQLite undoes
/// only that statement) and counted.
fn insert(
    conn: &mut Connection,
    lines: &[&Line],
    ends: &[SessionEnd],
    last_ns: &mut i64,
    skip_failures: bool,
) -> rusqlite::Result<usize> {
    let tx = conn.transaction()?;
    let mut failed = 0;
    let mut clamp = *last_ns;
    {
        let mut statement = tx.prepare_cached(
            "INSERT INTO logs(agent_name, deployment_id, session_id, ts_ns, line) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for line in lines {
            let ts = line.ts_ns.max(clamp);
            let inserted = statement.execute(params![
                line.source.agent_name,
                line.source.deployment_id,
                line.source.session_id,
                ts,
                line.line
            ]);
            match inserted {
                Ok(_) => clamp = ts,
                Err(_) if skip_failures => failed += 1,
                Err(err) => return Err(err),
            }
        }
    }
    record_ends(&tx, ends)?;
    tx.commit()?;
    *last_ns = clamp;
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[&[u8]]) -> Vec<String> {
        let mut splitter = Splitter::default();
        let mut out = Vec::new();
        for chunk in input {
            splitter.push(chunk, |piece| {
                out.push(piece());
                true
            });
        }
        out.extend(splitter.finish());
        out
    }

    #[test]
    fn lines_are_split_at_newlines_and_at_the_length_limit() {
        assert_eq!(split(&[b"a\r\nb", b"c\n", b"d"]), ["a", "bc", "d"]);
        let long = vec![b'x'; MAX_LINE_BYTES * 2 + 10];
        let pieces = split(&[&long[..100], &long[100..], b"\nnext\n"]);
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces[0].len(), MAX_LINE_BYTES);
        assert_eq!(
            pieces[1],
            format!("{CONTINUATION_PREFIX}{}", "x".repeat(MAX_LINE_BYTES))
        );
        assert_eq!(pieces[2], format!("{CONTINUATION_PREFIX}xxxxxxxxxx"));
        assert_eq!(pieces[3], "next");
        // A line of exactly the limit is one entry, however it arrives.
        let exact = [vec![b'y'; MAX_LINE_BYTES], b"\n".to_vec()].concat();
        assert_eq!(split(&[&exact]), ["y".repeat(MAX_LINE_BYTES)]);
        let (body, end) = exact.split_at(MAX_LINE_BYTES);
        assert_eq!(split(&[body, end]), ["y".repeat(MAX_LINE_BYTES)]);
        assert_eq!(split(&[body]), ["y".repeat(MAX_LINE_BYTES)]);
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let mut line = vec![b'x'; MAX_LINE_BYTES - 1];
        line.extend("é".as_bytes());
        let pieces = split(&[&line]);
        assert_eq!(pieces[0].len(), MAX_LINE_BYTES - 1);
        assert_eq!(pieces[1], format!("{CONTINUATION_PREFIX}é"));
    }

    /// A log writer on a fresh database in `dir` with `schema`, and a
    /// source to write as.
    fn writer_on(dir: &Path, schema: &str) -> (std::path::PathBuf, LogWriter, LogSource) {
        let path = dir.join("logs.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute_batch(schema)
            .unwrap();
        let writer = LogWriter::start(&path, WriteGate::default()).unwrap();
        let source = LogSource {
            agent_name: "a".into(),
            deployment_id: None,
            session_id: None,
        };
        (path, writer, source)
    }

    /// Lines that keep coming right after a commit go into a few commits,
    /// not one each: every commit writes each page it touched again.
    #[test]
    fn lines_that_keep_coming_are_committed_in_groups() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer, source) = writer_on(
            dir.path(),
            "CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT NOT NULL,
             deployment_id TEXT, session_id TEXT, ts_ns INTEGER NOT NULL, line TEXT NOT NULL);
             CREATE INDEX logs_time ON logs(ts_ns)",
        );
        writer.line(&source, "first".into());
        writer.flush();
        // In WAL mode (the writer's), counted from an empty WAL: the
        // pages each commit writes.
        let conn = Connection::open(&path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        for n in 0..100 {
            writer.line(&source, format!("line {n}"));
            let next = Instant::now() + Duration::from_micros(300);
            while Instant::now() < next {
                std::hint::spin_loop();
            }
        }
        writer.flush();
        let pages: i64 = conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
            .unwrap();
        // A commit per line writes three pages each (the table, its index
        // and the id sequence); without the grouping this wrote about 230.
        assert!(pages < 120, "{pages} pages written for 100 lines");
        writer.close();
        let stored: i64 = conn
            .query_row("SELECT count(*) FROM logs", [], |row| row.get(0))
            .unwrap();
        assert_eq!(stored, 101);
    }

    /// While someone holds the write gate, nothing is committed; then all
    /// of it is ([`Store::write_small`] counts on that).
    ///
    /// [`Store::write_small`]: super::super::store::Store::write_small
    #[test]
    fn the_writer_commits_only_while_it_holds_the_gate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT NOT NULL,
                 deployment_id TEXT, session_id TEXT, ts_ns INTEGER NOT NULL, line TEXT NOT NULL)",
            )
            .unwrap();
        let gate = WriteGate::default();
        let writer = Arc::new(LogWriter::start(&path, gate.clone()).unwrap());
        let source = LogSource {
            agent_name: "a".into(),
            deployment_id: None,
            session_id: None,
        };
        let held = gate.hold();
        writer.line(&source, "held back".into());
        let flushed = std::thread::spawn({
            let writer = writer.clone();
            move || writer.flush()
        });
        std::thread::sleep(Duration::from_millis(300));
        let conn = Connection::open(&path).unwrap();
        let count = || -> i64 {
            conn.query_row("SELECT count(*) FROM logs", [], |row| row.get(0))
                .unwrap()
        };
        assert!(!flushed.is_finished(), "the writer committed past the gate");
        assert_eq!(count(), 0);
        drop(held);
        flushed.join().unwrap();
        assert_eq!(count(), 1);
        writer.close();
    }

    #[test]
    fn a_line_that_cannot_be_stored_loses_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer, source) = writer_on(
            dir.path(),
            "CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT NOT NULL,
             deployment_id TEXT, session_id TEXT, ts_ns INTEGER NOT NULL,
             line TEXT NOT NULL CHECK (line <> 'poison'))",
        );
        let conn = Connection::open(&path).unwrap();
        for line in ["one", "poison", "two"] {
            writer.line(&source, line.to_string());
        }
        writer.close();
        let stored: Vec<String> = conn
            .prepare("SELECT line FROM logs ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stored, ["one", "two"]);
    }
}
