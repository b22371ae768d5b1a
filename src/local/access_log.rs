//! The access log: one line per request in `DATA_DIR/access.log`
//! (timestamp, method, path with query, status, duration in ms), so a user
//! or a test can see exactly which requests reached the server. Never the
//! `Authorization` header or a body: they hold keys and user data.
//!
//! A request appends its line to a buffer in memory under a short lock
//! (no allocation, no system call, and no wake-up except for the first
//! line after a write). One thread writes the buffer out at most every
//! [`FLUSH_EVERY`], so the file is current within a moment and a busy
//! server costs a few writes a second. The buffer holds at most
//! [`MAX_PENDING`] bytes: lines beyond that are dropped and counted, and
//! the count is written in their place.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::time::{now_ns, rfc3339_millis};

/// The file name in the data dir.
pub const FILE_NAME: &str = "access.log";

/// The longest a line waits in memory before it is written.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Lines waiting to be written, at most (about 10,000 lines).
const MAX_PENDING: usize = 1024 * 1024;

/// Handle to the writer thread. When the last handle is dropped, the
/// thread writes what is pending and ends.
pub struct AccessLog {
    shared: Arc<Shared>,
}

struct Shared {
    pending: Mutex<Pending>,
    /// Told when the buffer gets its first line, and at the end.
    ready: Condvar,
}

#[derive(Default)]
struct Pending {
    text: String,
    /// Lines dropped because the buffer was full.
    dropped: u64,
    closed: bool,
    /// The timestamp of the current millisecond, formatted once.
    stamp_ms: i64,
    stamp: String,
}

impl AccessLog {
    pub fn start(data_dir: &Path) -> anyhow::Result<Arc<AccessLog>> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(data_dir.join(FILE_NAME))?;
        let shared = Arc::new(Shared {
            pending: Mutex::new(Pending::default()),
            ready: Condvar::new(),
        });
        let writer = shared.clone();
        std::thread::Builder::new()
            .name("pipecat-local-access-log".into())
            .spawn(move || write_loop(&writer, file))?;
        Ok(Arc::new(AccessLog { shared }))
    }

    fn record(&self, method: &axum::http::Method, target: &str, status: u16, took: Duration) {
        let now = now_ns();
        let mut pending = self.shared.lock();
        let first = pending.text.is_empty() && pending.dropped == 0;
        if pending.text.len() >= MAX_PENDING {
            pending.dropped += 1;
        } else {
            let ms = now.div_euclid(1_000_000);
            if pending.stamp_ms != ms || pending.stamp.is_empty() {
                pending.stamp_ms = ms;
                pending.stamp = rfc3339_millis(now);
            }
            let Pending { text, stamp, .. } = &mut *pending;
            // Writing to a String cannot fail.
            let _ = writeln!(
                text,
                "{stamp} {method} {target} {status} {:.1}ms",
                took.as_secs_f64() * 1000.0
            );
        }
        drop(pending);
        if first {
            self.shared.ready.notify_one();
        }
    }
}

impl Drop for AccessLog {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_one();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // Plain text: a panic while holding the lock cannot corrupt it.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Waits for a first line, lets more gather for [`FLUSH_EVERY`], writes
/// them all; ends once closed and written out.
fn write_loop(shared: &Shared, mut file: File) {
    let mut out = String::new();
    loop {
        let mut pending = shared.lock();
        while pending.text.is_empty() && pending.dropped == 0 && !pending.closed {
            pending = shared
                .ready
                .wait(pending)
                .unwrap_or_else(|p| p.into_inner());
        }
        let closed = pending.closed;
        if !closed {
            drop(pending);
            std::thread::sleep(FLUSH_EVERY);
            pending = shared.lock();
        }
        std::mem::swap(&mut out, &mut pending.text);
        let dropped = std::mem::take(&mut pending.dropped);
        drop(pending);
        if dropped > 0 {
            let _ = writeln!(
                out,
                "{} access log: {dropped} lines dropped (more than {MAX_PENDING} bytes waited to be written)",
                rfc3339_millis(now_ns())
            );
        }
        // A failed write (e.g. a full disk) loses these lines, not the
        // server.
        let _ = file.write_all(out.as_bytes());
        out.clear();
        if closed {
            return;
        }
    }
}

/// The middleware: times the request and logs it once answered.
pub async fn log_request(
    State(log): State<Arc<AccessLog>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let target = request.uri().path_and_query().cloned();
    let response = next.run(request).await;
    let target = target.as_ref().map_or("/", |pq| pq.as_str());
    log.record(
        &method,
        target,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
