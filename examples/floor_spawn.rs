//! Benchmark floor: a server that only spawns the session's process. On
//! `POST /v1/public/{agent}/start` it reads the body, spawns `PROGRAM cloud
//! local demo-bot` the way the session process contract asks (its own
//! process group, the session's environment, the body on stdin, and a
//! parent-death signal, which needs a fork rather than a `posix_spawn`)
//! and answers a session id; a task reaps the process. Nothing is
//! recorded, checked or logged, and the process's output goes nowhere.
//! `benches/server.rs` measures the local cloud's start latency against
//! this one in the same run.
//!
//! ```sh
//! cargo run --release --example floor_spawn -- target/release/pipecat
//! ```

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

async fn start(State(program): State<Arc<PathBuf>>, body: Bytes) -> impl IntoResponse {
    let id = uuid::Uuid::new_v4().to_string();
    let mut command = Command::new(program.as_path());
    command
        .args(["cloud", "local", "demo-bot"])
        .env("PIPECAT_SESSION_ID", &id)
        .env("PIPECAT_AGENT_NAME", "floor")
        .env("PIPECAT_DEPLOYMENT_ID", "floor")
        .env("PIPECAT_MAX_SESSION_DURATION", "7200")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    // SAFETY: only prctl(2) runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(std::io::Error::from)
        });
    }
    let spawned = command.spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => return (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    };
    // The demo bot reads its body from stdin when it has no body file.
    let body = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|request| request.get("body").cloned())
        .unwrap_or_default();
    let mut stdin = child.stdin.take();
    tokio::spawn(async move {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(body.to_string().as_bytes()).await;
        }
        drop(stdin);
        let _ = child.wait().await;
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(r#"{{"sessionId":"{id}"}}"#),
    )
        .into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let Some(program) = std::env::args_os().nth(1) else {
        return Err(std::io::Error::other("usage: floor_spawn PIPECAT_BINARY"));
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("http://{}", listener.local_addr()?);
    let app = Router::new()
        .route("/v1/public/{agent}/start", post(start))
        .with_state(Arc::new(PathBuf::from(program)));
    axum::serve(listener, app).await
}
