//! The accept loop: HTTP/1.1 and HTTP/2 over hyper, with the bounds that
//! keep any local user without credentials from making the API unreachable
//! (documented in docs/local-cloud.md, "Limits"):
//!
//! - a new connection must complete its first request head within
//!   [`HEADER_READ_TIMEOUT`], and a later request head must complete within
//!   it once its first byte arrived; else the connection is closed;
//! - a connection with no request in flight and no traffic for
//!   [`IDLE_TIMEOUT`] is closed;
//! - at most [`connection_limit`] connections are open. When a new one
//!   comes at the limit, the idle connection that has been quiet longest
//!   (one that never sent a request first) is closed to make room; if every
//!   connection has a request in flight, the newcomer gets a `503` JSON
//!   answer naming the limit and is closed.
//!
//! So a flood of idle connections (even one that reconnects whenever it is
//! dropped) only ever evicts itself: a client that sends its request right
//! after connecting is served. Request bodies are limited while they are
//! read (the router's body limit), never buffered whole first.
//!
//! Every request answered gets its access log line here (`access_log.rs`).

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

use super::access_log::{AccessLog, Entry};

/// Time to complete a request head: from the connection's opening for its
/// first request, from the head's first byte for later ones.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a connection may stay open with no request in flight and no
/// traffic (keep-alive).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Most connections at once, when the open-file limit allows.
pub const MAX_CONNECTIONS: usize = 1024;

/// Refusals being written at once, at most; beyond it a newcomer is just
/// closed.
const MAX_REFUSALS: usize = 64;

/// At most [`MAX_CONNECTIONS`], and at most a quarter of the open-file
/// limit (the rest is for the store, logs and the sessions' pipes).
pub fn connection_limit() -> usize {
    let files = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map(|(soft, _)| soft)
        .unwrap_or(1024);
    usize::try_from(files / 4)
        .unwrap_or(MAX_CONNECTIONS)
        .clamp(16, MAX_CONNECTIONS)
}

/// What [`serve`] answers requests with: the router, and what wraps it
/// whole (a layer put around the router runs once per request; one put on
/// the router wraps each of its routes).
pub trait App:
    Service<Request<Incoming>, Response = Response, Error = Infallible, Future: Send>
    + Clone
    + Send
    + 'static
{
}

impl<S> App for S where
    S: Service<Request<Incoming>, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static
{
}

/// Serves `app` on `listener` until `stop` changes to true, then lets
/// connections finish their requests and close.
pub async fn serve(
    listener: TcpListener,
    app: impl App,
    access_log: Arc<AccessLog>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let limit = connection_limit();
    let registry = Arc::new(Registry::default());
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
        };
        // Reap finished connection tasks as we go.
        while tasks.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors (or a connection reset before we
                // took it): make room if we can, else take a breath.
                if !registry.evict_one() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                continue;
            }
        };
        if registry.len() >= limit && !registry.evict_one() {
            if let Ok(permit) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream, limit).await;
                    drop(permit);
                });
            }
            continue;
        }
        let _ = stream.set_nodelay(true);
        let connection = registry.open();
        tasks.spawn(serve_connection(
            stream,
            app.clone(),
            access_log.clone(),
            connection,
            registry.clone(),
            stop.clone(),
        ));
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Answers 503 and closes, reading what the client sent meanwhile (a
/// close with unread data would reset the connection before the client
/// reads the answer).
async fn refuse(stream: TcpStream, limit: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let body = serde_json::json!({
        "error": format!("the local cloud has too many connections open (limit {limit}); retry shortly"),
        "code": "503",
    })
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = stream;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        std::io::Result::Ok(())
    })
    .await;
}

async fn serve_connection(
    stream: TcpStream,
    app: impl App,
    access_log: Arc<AccessLog>,
    connection: Arc<Connection>,
    registry: Arc<Registry>,
    mut stop: watch::Receiver<bool>,
) {
    let io = TokioIo::new(Tracked {
        inner: stream,
        connection: connection.clone(),
    });
    let service = {
        let connection = connection.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            connection.request_began();
            let entry = Entry::begin(&request);
            let (connection, access_log) = (connection.clone(), access_log.clone());
            let answer = app.clone().oneshot(request);
            async move {
                let response = match answer.await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                access_log.record(&entry, response.status().as_u16());
                connection.request_ended();
                Ok::<_, Infallible>(response)
            }
        })
    };
    let builder = auto::Builder::new(TokioExecutor::new());
    let serving = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(serving);
    let mut stopping = *stop.borrow();
    if stopping {
        serving.as_mut().graceful_shutdown();
    }
    loop {
        let deadline = connection.deadline();
        // Biased: the connection's own traffic first, and no random
        // order to draw on every wake-up.
        tokio::select! {
            biased;
            _ = serving.as_mut() => break,
            () = connection.evicted.notified() => break,
            changed = stop.changed(), if !stopping => {
                if changed.is_err() || *stop.borrow() {
                    stopping = true;
                    serving.as_mut().graceful_shutdown();
                }
            }
            () = tokio::time::sleep_until(deadline) => {
                if connection.deadline() <= Instant::now() {
                    break;
                }
            }
        }
    }
    registry.close(connection.id);
}

/// One open connection, as the accept loop and its watchdog see it.
struct Connection {
    id: u64,
    opened: Instant,
    /// Last byte read or written, in ms since `opened`.
    last_traffic_ms: AtomicU64,
    /// When the current request head began (ms since `opened`, plus one);
    /// 0 while none is being read.
    head_began_ms: AtomicU64,
    in_flight: AtomicUsize,
    requests: AtomicU64,
    evicted: Notify,
}

impl Connection {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn at(&self, ms: u64) -> Instant {
        self.opened + Duration::from_millis(ms)
    }

    fn traffic(&self, read: bool) {
        let now = self.now_ms();
        self.last_traffic_ms.store(now, Ordering::Relaxed);
        if read && self.in_flight.load(Ordering::Relaxed) == 0 {
            let _ = self.head_began_ms.compare_exchange(
                0,
                now + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
    }

    fn request_began(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_began_ms.store(0, Ordering::Relaxed);
    }

    fn request_ended(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.last_traffic_ms.store(self.now_ms(), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0
    }

    /// When this connection is to be closed unless something happens.
    fn deadline(&self) -> Instant {
        if !self.idle() {
            // A request is being answered: check again later.
            return Instant::now() + IDLE_TIMEOUT;
        }
        let head_began = self.head_began_ms.load(Ordering::Relaxed);
        if head_began > 0 {
            return self.at(head_began - 1) + HEADER_READ_TIMEOUT;
        }
        if self.requests.load(Ordering::Relaxed) == 0 {
            return self.opened + HEADER_READ_TIMEOUT;
        }
        self.at(self.last_traffic_ms.load(Ordering::Relaxed)) + IDLE_TIMEOUT
    }

    /// Which idle connection to close first: one that never sent a request,
    /// then the one quiet the longest.
    fn eviction_rank(&self) -> (bool, Instant) {
        (
            self.requests.load(Ordering::Relaxed) > 0,
            self.at(self.last_traffic_ms.load(Ordering::Relaxed)),
        )
    }
}

#[derive(Default)]
struct Registry {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
}

impl Registry {
    fn connections(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn len(&self) -> usize {
        self.connections().len()
    }

    fn open(&self) -> Arc<Connection> {
        let connection = Arc::new(Connection {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            opened: Instant::now(),
            last_traffic_ms: AtomicU64::new(0),
            head_began_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            evicted: Notify::new(),
        });
        self.connections().insert(connection.id, connection.clone());
        connection
    }

    fn close(&self, id: u64) {
        self.connections().remove(&id);
    }

    /// Closes the idle connection that should go first; false if every
    /// connection has a request in flight.
    fn evict_one(&self) -> bool {
        let mut open = self.connections();
        let victim = open
            .values()
            .filter(|c| c.idle())
            .min_by_key(|c| c.eviction_rank())
            .map(|c| c.id);
        match victim.and_then(|id| open.remove(&id)) {
            Some(connection) => {
                connection.evicted.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A connection's socket, noting its traffic for the watchdog.
struct Tracked {
    inner: TcpStream,
    connection: Arc<Connection>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.connection.traffic(true);
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.connection.traffic(false);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.connection.traffic(false);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_leaves_room_for_other_files() {
        let limit = connection_limit();
        assert!((16..=MAX_CONNECTIONS).contains(&limit));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_connections_are_evicted_first_and_busy_ones_never() {
        let registry = Registry::default();
        let never_asked = registry.open();
        tokio::time::advance(Duration::from_secs(1)).await;
        let served = registry.open();
        served.request_began();
        served.request_ended();
        let busy = registry.open();
        busy.request_began();
        assert!(registry.evict_one());
        assert_eq!(registry.len(), 2);
        assert!(!registry.connections().contains_key(&never_asked.id));
        assert!(registry.evict_one());
        assert!(!registry.connections().contains_key(&served.id));
        assert!(
            !registry.evict_one(),
            "a request in flight is never evicted"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn deadlines_follow_the_request_cycle() {
        let registry = Registry::default();
        let connection = registry.open();
        assert_eq!(
            connection.deadline(),
            connection.opened + HEADER_READ_TIMEOUT
        );
        connection.request_began();
        connection.request_ended();
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            connection.deadline(),
            connection.opened + IDLE_TIMEOUT,
            "idle after its answer"
        );
        connection.traffic(true);
        assert_eq!(
            connection.deadline(),
            connection.opened + Duration::from_secs(2) + HEADER_READ_TIMEOUT,
            "a head began"
        );
    }
}
