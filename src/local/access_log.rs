//! The access log: one line per request in `DATA_DIR/access.log`
//! (timestamp, method, path with query, status, duration in ms), so a user
//! or a test can see exactly which requests reached the server. Never the
//! `Authorization` header or a body: they hold keys and user data. Nor the
//! values of the query parameters that carry login secrets ([`SECRET_PARAMETERS`]:
//! the authorization request's `state` and `code_challenge`, say), which
//! are written as `[hidden]`.
//!
//! The connection layer (`connections.rs`) takes an [`Entry`] when a
//! request's head is read and records it once the answer is ready, so no
//! router layer is involved. A request appends its line to a buffer in
//! memory under a short lock (no system call, and no wake-up except for
//! the first line after a write). One thread writes the buffer out at most
//! every [`FLUSH_EVERY`], so the file is current within a moment and a
//! busy server costs a few writes a second. The buffer holds at most
//! [`MAX_PENDING`] bytes: lines beyond that are dropped and counted, and
//! the count is written in their place. The writer thread also hands each line to an [`AccessObserver`], if
//! one is given (`serve -v` prints them).

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{Method, Uri};

use super::time::{now_ns, rfc3339_millis};

/// The file name in the data dir.
pub const FILE_NAME: &str = "access.log";

/// The longest a line waits in memory before it is written.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Lines waiting to be written, at most (about 10,000 lines).
const MAX_PENDING: usize = 1024 * 1024;

/// Given each line of the access log (without its newline), on the
/// writer thread.
#[derive(Clone)]
pub struct AccessObserver(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for AccessObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessObserver")
    }
}

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
    pub fn start(
        data_dir: &Path,
        observer: Option<AccessObserver>,
    ) -> anyhow::Result<Arc<AccessLog>> {
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
            .spawn(move || write_loop(&writer, file, observer))?;
        Ok(Arc::new(AccessLog { shared }))
    }

    /// Logs `entry`'s request, answered with `status` just now.
    pub fn record(&self, entry: &Entry, status: u16) {
        let Entry {
            started_ns,
            method,
            uri,
        } = entry;
        let now = now_ns();
        let took_ns = u64::try_from(now - started_ns).unwrap_or(0);
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
            // In tenths of a millisecond, rounded: integers format faster
            // than floats.
            let tenths = (took_ns + 50_000) / 100_000;
            // Writing to a String cannot fail.
            let _ = write!(text, "{stamp} {method} ");
            write_loggable_target(text, uri);
            let _ = writeln!(text, " {status} {}.{}ms", tenths / 10, tenths % 10);
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
fn write_loop(shared: &Shared, mut file: File, observer: Option<AccessObserver>) {
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
        if let Some(AccessObserver(observer)) = &observer {
            out.lines().for_each(|line| observer(line));
        }
        out.clear();
        if closed {
            return;
        }
    }
}

/// A request being answered: what its access log line needs from it.
/// (The wall clock times the request too: one clock read fewer per
/// request, and a line's duration is for reading, not for measuring.)
pub struct Entry {
    started_ns: i64,
    method: Method,
    /// Shares the request's buffer: nothing is copied until the line is
    /// written.
    uri: Uri,
}

impl Entry {
    /// Taken when the request head has been read.
    pub fn begin<B>(request: &axum::http::Request<B>) -> Entry {
        Entry {
            started_ns: now_ns(),
            method: request.method().clone(),
            uri: request.uri().clone(),
        }
    }
}

/// Query parameters whose values are secrets of a login (OAuth's, in any
/// request that carries them).
pub const SECRET_PARAMETERS: [&str; 7] = [
    "state",
    "code",
    "code_challenge",
    "code_verifier",
    "access_token",
    "refresh_token",
    "token",
];

/// Writes the path and query as logged: the values of
/// [`SECRET_PARAMETERS`] replaced by `[hidden]`, everything else as sent.
fn write_loggable_target(out: &mut String, uri: &Uri) {
    out.push_str(uri.path());
    let Some(query) = uri.query() else {
        return;
    };
    for (n, pair) in query.split('&').enumerate() {
        out.push(if n == 0 { '?' } else { '&' });
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let decoded = url::form_urlencoded::parse(name.as_bytes())
            .next()
            .map(|(name, _)| name)
            .unwrap_or_default();
        if SECRET_PARAMETERS.contains(&decoded.as_ref()) {
            out.push_str(name);
            out.push_str("=[hidden]");
        } else {
            out.push_str(pair);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(target: &str) -> String {
        let mut out = String::new();
        write_loggable_target(&mut out, &target.parse::<Uri>().unwrap());
        out
    }

    #[test]
    fn login_secrets_in_a_query_are_hidden() {
        assert_eq!(
            logged(
                "/auth/authorize?response_type=code&client_id=pipecat-cli&state=s3cret&code_challenge=abc&st%61te=x"
            ),
            "/auth/authorize?response_type=code&client_id=pipecat-cli&state=[hidden]&code_challenge=[hidden]&st%61te=[hidden]"
        );
        assert_eq!(
            logged("/cb?code=c&codes=kept"),
            "/cb?code=[hidden]&codes=kept"
        );
    }

    #[test]
    fn other_queries_are_logged_as_sent() {
        assert_eq!(
            logged("/v1/agents/a/logs?limit=5&query=x%20y"),
            "/v1/agents/a/logs?limit=5&query=x%20y"
        );
        assert_eq!(logged("/v1/agents"), "/v1/agents");
        assert_eq!(logged("/v1/agents?"), "/v1/agents?");
    }
}
