//! Benchmark floor: the least an HTTP server built like the local cloud
//! (axum on tokio's multi-threaded runtime) can do to answer a start at
//! capacity: the seed's fixed 429 body to every request, nothing read,
//! nothing checked, nothing logged. `benches/server.rs` measures the local
//! cloud's 429 rate against this one in the same run.
//!
//! ```sh
//! cargo run --release --example floor_429    # prints http://127.0.0.1:PORT
//! ```

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

const BODY: &str =
    r#"{"status":429,"code":"429","message":"Rate limit exceeded. Please try again later"}"#;

async fn at_capacity() -> impl IntoResponse {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "application/json")],
        BODY,
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("http://{}", listener.local_addr()?);
    axum::serve(listener, Router::new().fallback(at_capacity)).await
}
