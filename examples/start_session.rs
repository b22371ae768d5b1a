//! Start one session of an agent, like the seed document's Python example.
//!
//! ```sh
//! # against a local Pipecat Cloud:
//! eval "$(pipecat cloud local env)"
//! cargo run --example start_session -- my-first-agent
//! ```
//!
//! The public key comes from `PIPECAT_DEFAULT_PUBLIC_KEY` and the API host
//! from `PIPECAT_API_HOST` (Pipecat Cloud when unset).

use pipecat_cloud::api::{Session, SessionParams};
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let agent = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "my-first-agent".into());
    let Ok(api_key) = std::env::var("PIPECAT_DEFAULT_PUBLIC_KEY") else {
        eprintln!("error: set PIPECAT_DEFAULT_PUBLIC_KEY to a public API key (pk_...)");
        return std::process::ExitCode::from(3);
    };

    let session = Session::new(agent, api_key).params(SessionParams {
        data: Some(json!({"key": "value"})),
        ..Default::default()
    });

    match session.start().await {
        Ok(started) => {
            if let (Some(room), Some(token)) = (&started.daily_room, &started.daily_token) {
                println!("Join Daily room: {room}?t={token}");
            }
            println!("Session ID: {}", started.session_id.unwrap_or_default());
            std::process::ExitCode::SUCCESS
        }
        Err(e) if e.is_capacity() => {
            eprintln!("error: the agent is at capacity; retry later ({e})");
            std::process::ExitCode::from(75)
        }
        Err(e) => {
            eprintln!("error: could not start the session: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
