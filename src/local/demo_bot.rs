//! The built-in demo bot (`pipecat cloud local demo-bot`, hidden): what the
//! image `pipecat-local/demo-bot` runs. A tiny stand-in for a Pipecat
//! agent, plain synchronous code so a session costs a few MB:
//!
//! - logs its session id and the body it got (from
//!   `PIPECAT_SESSION_BODY_FILE`, else stdin);
//! - logs a pretend conversation, a line every 1.5 s;
//! - `body.crash: true`: logs an error and exits 3 at once;
//! - `body.duration_secs: N`: says goodbye and exits 0 after N seconds;
//! - otherwise runs until SIGTERM/SIGINT, then says goodbye and exits 0.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use serde_json::Value;

/// The arguments the local cloud runs the bot with (after the program).
pub const ARGS: [&str; 3] = ["cloud", "local", "demo-bot"];

/// Exit code when the body asks the bot to crash.
const CRASH_EXIT_CODE: i32 = 3;

const LINE_EVERY: Duration = Duration::from_millis(1500);
const TICK: Duration = Duration::from_millis(50);

const CONVERSATION: &[&str] = &[
    "INFO bot: user said \"hello?\"",
    "INFO bot: bot said \"Hi! I am the local Pipecat demo bot.\"",
    "INFO bot: user said \"what can you do?\"",
    "INFO bot: bot said \"I pretend to talk, write logs, and stop when asked.\"",
    "DEBUG bot: turn ended, waiting for the user",
];

/// The signals that stop the bot (blocked by the server until the bot
/// has installed its handlers).
pub(crate) fn stop_signals() -> SigSet {
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGTERM);
    signals.add(Signal::SIGINT);
    signals
}

static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: nix::libc::c_int) {
    STOP_REQUESTED.store(true, Ordering::SeqCst);
}

/// Runs the bot; returns its exit code.
pub fn run() -> i32 {
    let handler = SigAction::new(
        SigHandler::Handler(request_stop),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        // SAFETY: the handler only stores to an atomic (async-signal-safe).
        let _ = unsafe { sigaction(signal, &handler) };
    }
    // The server starts us with these blocked; one that came meanwhile is
    // delivered now, to the handler.
    let _ = stop_signals().thread_unblock();
    // A failed write means nobody reads our output any more: stop.
    converse().unwrap_or(1)
}

fn converse() -> std::io::Result<i32> {
    let mut out = std::io::stdout().lock();
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| "?".into());
    writeln!(
        out,
        "INFO demo-bot: session {} of agent {} (deployment {}) starting, max duration {} s",
        var("PIPECAT_SESSION_ID"),
        var("PIPECAT_AGENT_NAME"),
        var("PIPECAT_DEPLOYMENT_ID"),
        var("PIPECAT_MAX_SESSION_DURATION"),
    )?;
    let body = read_body();
    writeln!(out, "INFO demo-bot: body: {body}")?;
    if body.get("crash").and_then(Value::as_bool) == Some(true) {
        writeln!(
            out,
            "ERROR demo-bot: crashing as the body asked (crash: true)"
        )?;
        return Ok(CRASH_EXIT_CODE);
    }
    let run_for = body
        .get("duration_secs")
        .and_then(Value::as_f64)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok());
    let started = Instant::now();
    let mut next_line = started + LINE_EVERY;
    let mut lines = CONVERSATION.iter().cycle();
    loop {
        if STOP_REQUESTED.load(Ordering::SeqCst) {
            writeln!(out, "INFO demo-bot: SIGTERM received, goodbye")?;
            return Ok(0);
        }
        if let Some(run_for) = run_for
            && started.elapsed() >= run_for
        {
            writeln!(
                out,
                "INFO demo-bot: conversation over after {} s, goodbye",
                run_for.as_secs_f64()
            )?;
            return Ok(0);
        }
        if Instant::now() >= next_line {
            if let Some(line) = lines.next() {
                writeln!(out, "{line}")?;
            }
            next_line += LINE_EVERY;
        }
        std::thread::sleep(TICK);
    }
}

/// The start request's `body`: the file named by `PIPECAT_SESSION_BODY_FILE`,
/// else stdin. Unreadable or invalid input counts as `null`.
fn read_body() -> Value {
    let text = match std::env::var_os("PIPECAT_SESSION_BODY_FILE") {
        Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
        None => {
            let mut text = String::new();
            let _ = std::io::stdin().read_to_string(&mut text);
            text
        }
    };
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
