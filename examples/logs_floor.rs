//! The floor that `agent logs` is measured against in `benches/logs.sh`:
//! pages of logs as the API sent them (files saved by curl) decoded into
//! typed entries borrowed from the page, and rendered as the same text
//! lines (the time as plain output writes it in UTC, RFC 3339 to the
//! second with `Z`; the session's short id; the line) on stdout. Nothing
//! else: no HTTP, no level inference, no time zone lookup, no colours
//! (`benches/logs.sh` runs the client with `TZ=UTC`, so both write the
//! same text).
//!
//! Run: `cargo run --release --example logs_floor -- PAGE_FILE...`

use std::io::Write;

use pipecat_cloud::api::types::LogsPage;

fn main() -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    for path in std::env::args_os().skip(1) {
        let bytes = std::fs::read(&path)?;
        let page: LogsPage<'_> = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
        for entry in &page.logs {
            // `2025-04-18T20:34:17.153744602Z` shown as `2025-04-18T20:34:17Z`.
            let time = entry.timestamp.get(..19).unwrap_or(&entry.timestamp);
            let session = entry.session_id.as_deref().unwrap_or("-");
            let session = session.get(..8).unwrap_or(session);
            writeln!(out, "{time}Z {session:8} {}", entry.log)?;
        }
    }
    out.flush()
}
