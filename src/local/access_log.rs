//! The access log: one line per request in `DATA_DIR/access.log`
//! (timestamp, method, path with query, status, duration in ms), so a user
//! or a test can see exactly which requests reached the server. Never the
//! `Authorization` header or a body: they hold keys and user data. Nor the
//! values of the query parameters that carry login secrets ([`SECRET_PARAMETERS`]:
//! the authorization request's `state` and `code_challenge`, say), which
//! are written as `[hidden]`.
//!
//! Requests only format a line and hand it to a channel; one thread writes
//! through a buffer and flushes it at least every [`FLUSH_EVERY`], so the
//! file is current within a moment and a burst of requests costs a few
//! writes. That thread also hands each line to an [`AccessObserver`], if
//! one is given (`serve -v` prints them).

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;

use super::time::{now_ns, rfc3339_millis};

/// The file name in the data dir.
pub const FILE_NAME: &str = "access.log";

/// The longest a logged line waits in the buffer. Flushing per line would
/// be a write(2) per request, which halves the 429 throughput on a busy
/// server; this way a burst costs one write per 64 KiB.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Buffer size: a burst of ~800 lines per write.
const BUFFER: usize = 64 * 1024;

/// Given each line of the access log (without its newline), on the
/// writer thread.
#[derive(Clone)]
pub struct AccessObserver(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for AccessObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessObserver")
    }
}

/// Handle to the writer thread. The thread ends (after writing what is
/// queued) when the last handle is dropped.
pub struct AccessLog {
    sender: Sender<String>,
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
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("pipecat-local-access-log".into())
            .spawn(move || {
                write_loop(BufWriter::with_capacity(BUFFER, file), receiver, observer)
            })?;
        Ok(Arc::new(AccessLog { sender }))
    }

    fn record(&self, line: String) {
        let _ = self.sender.send(line);
    }
}

fn write_loop(
    mut out: BufWriter<std::fs::File>,
    receiver: Receiver<String>,
    observer: Option<AccessObserver>,
) {
    let mut last_flush = Instant::now();
    let mut unflushed = false;
    loop {
        match receiver.recv_timeout(FLUSH_EVERY) {
            Ok(line) => {
                let _ = out.write_all(line.as_bytes());
                if let Some(AccessObserver(observer)) = &observer {
                    observer(line.trim_end());
                }
                unflushed = true;
                if last_flush.elapsed() < FLUSH_EVERY {
                    continue;
                }
            }
            Err(RecvTimeoutError::Timeout) if unflushed => {}
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                let _ = out.flush();
                return;
            }
        }
        let _ = out.flush();
        unflushed = false;
        last_flush = Instant::now();
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
    let target = loggable_target(request.uri());
    let response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    log.record(format!(
        "{} {method} {target} {} {millis:.1}ms\n",
        rfc3339_millis(now_ns()),
        response.status().as_u16()
    ));
    response
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

/// The path and query as logged: the values of [`SECRET_PARAMETERS`]
/// replaced by `[hidden]`, everything else as sent.
fn loggable_target(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let decoded = url::form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(name, _)| name.into_owned())
                .unwrap_or_default();
            if SECRET_PARAMETERS.contains(&decoded.as_str()) {
                format!("{name}=[hidden]")
            } else {
                pair.to_string()
            }
        })
        .collect();
    format!("{}?{}", uri.path(), query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(target: &str) -> String {
        loggable_target(&target.parse::<Uri>().unwrap())
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
