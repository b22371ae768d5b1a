//! The access log: one line per request in `DATA_DIR/access.log`
//! (timestamp, method, path with query, status, duration in ms), so a user
//! or a test can see exactly which requests reached the server. Never the
//! `Authorization` header or a body: they hold keys and user data.
//!
//! Requests only format a line and hand it to a channel; one thread writes
//! through a buffer and flushes whenever the channel is empty, so the file
//! is current within a moment and a burst of requests costs a few writes.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::time::{now_ns, rfc3339_millis};

/// The file name in the data dir.
pub const FILE_NAME: &str = "access.log";

/// Handle to the writer thread. The thread ends (after writing what is
/// queued) when the last handle is dropped.
pub struct AccessLog {
    sender: Sender<String>,
}

impl AccessLog {
    pub fn start(data_dir: &Path) -> anyhow::Result<Arc<AccessLog>> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(data_dir.join(FILE_NAME))?;
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("pipecat-local-access-log".into())
            .spawn(move || write_loop(BufWriter::new(file), receiver))?;
        Ok(Arc::new(AccessLog { sender }))
    }

    fn record(&self, line: String) {
        let _ = self.sender.send(line);
    }
}

fn write_loop(mut out: BufWriter<std::fs::File>, receiver: Receiver<String>) {
    while let Ok(first) = receiver.recv() {
        let mut next = Some(first);
        while let Some(line) = next {
            let _ = out.write_all(line.as_bytes());
            next = receiver.try_recv().ok();
        }
        let _ = out.flush();
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
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), |pq| pq.to_string());
    let response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    log.record(format!(
        "{} {method} {target} {} {millis:.1}ms\n",
        rfc3339_millis(now_ns()),
        response.status().as_u16()
    ));
    response
}
