//! `pipecat cloud agent start`: start a session with a public API key.
//!
//! Only the public key is needed: no login, no health check and no other
//! request before the start itself (the official CLI needs a login and
//! checks the agent first, one more round trip on every start).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use clap_complete::engine::ArgValueCompleter;
use serde_json::{Value, json};

use super::super::complete;
use super::super::context::{Context, api_failure};
use super::super::duration;
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, format_elapsed};
use super::live::until_interrupted;
use super::logs::{Follow, LogFormat, Render};
use pipecat_cloud::api::limits::MAX_BODY_BYTES;
use pipecat_cloud::api::types::{StartRequest, StartResponse};
use pipecat_cloud::api::{
    ApiError, Backoff, Client, Credential, ErrorKind, Raw, SessionParams, Transport, redact,
};
use pipecat_cloud::files;

/// How long `--wait-for-capacity` waits when given no duration (and
/// `--retries` alone), as the flag reads it and as a value.
const DEFAULT_CAPACITY_WAIT: &str = "5m";
const DEFAULT_CAPACITY_WAIT_DURATION: Duration = Duration::from_secs(300);

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Agent to start [default: `agent_name` in pcc-deploy.toml]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
    #[command(flatten)]
    pub deploy_config: super::DeployConfigArg,
    /// Public API key [default: PIPECAT_DEFAULT_PUBLIC_KEY, else the organization's default key]
    #[arg(short = 'k', long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Data for the agent (its `body`), as JSON
    #[arg(
        short = 'd',
        long,
        value_name = "JSON",
        conflicts_with = "data_file",
        allow_hyphen_values = true
    )]
    pub data: Option<String>,
    /// Read the data from a JSON file (`-` reads stdin)
    #[arg(long, value_name = "PATH")]
    pub data_file: Option<PathBuf>,
    /// Create a Daily room for the session
    #[arg(short = 'D', long)]
    pub use_daily: bool,
    /// Daily room properties, as a JSON object
    #[arg(short = 'p', long, value_name = "JSON", requires = "use_daily")]
    pub daily_properties: Option<String>,
    /// Transport the agent should use
    #[arg(long, value_enum)]
    pub transport: Option<TransportArg>,
    /// Accepted for compatibility with the official CLI: start never asks
    /// for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
    /// When the agent is at its session limit (429), keep retrying for up
    /// to DURATION (e.g. 30s, 5m, 1h; default 5m), with growing pauses,
    /// honouring the API's Retry-After
    #[arg(
        long,
        value_name = "DURATION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = DEFAULT_CAPACITY_WAIT,
        value_parser = duration::wait
    )]
    pub wait_for_capacity: Option<Duration>,
    /// Retry at most N times on a 429 (waits up to 5m unless
    /// --wait-for-capacity says otherwise)
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Then follow the session's logs until it ends (Ctrl-C stops
    /// following, not the session)
    #[arg(long)]
    pub follow: bool,
    /// Time between two checks for new lines with --follow: seconds, or a
    /// duration such as 500ms
    #[arg(long, value_name = "DURATION", value_parser = duration::interval, default_value = "1", requires = "follow")]
    pub interval: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    Daily,
    Webrtc,
    Websocket,
}

impl From<TransportArg> for Transport {
    fn from(arg: TransportArg) -> Transport {
        match arg {
            TransportArg::Daily => Transport::Daily,
            TransportArg::Webrtc => Transport::Webrtc,
            TransportArg::Websocket => Transport::Websocket,
        }
    }
}

pub async fn run(args: StartArgs, ctx: &Context) -> CliResult {
    let agent = args.deploy_config.agent_name(args.agent_name)?;
    // Every input is checked before anything is sent.
    let data = read_data(args.data.as_deref(), args.data_file.as_deref())?;
    let daily_room_properties = args
        .daily_properties
        .as_deref()
        .map(|text| parse_json_object("--daily-properties", text))
        .transpose()?;
    let key = public_key(ctx, args.api_key)?;
    let params = SessionParams {
        data,
        use_daily: args.use_daily,
        daily_room_properties,
        transport: args.transport.map(Transport::from),
        ..SessionParams::default()
    };
    // Following needs a management credential: found (or refused) before
    // anything starts.
    let logs_client = if args.follow {
        Some(ctx.management_client().await?)
    } else {
        None
    };
    let client = ctx.client(Credential::PublicKey(key.key.clone()), None)?;
    let patience = match (args.wait_for_capacity, args.retries) {
        (None, None) => None,
        (wait, retries) => Some(Patience {
            budget: wait.unwrap_or(DEFAULT_CAPACITY_WAIT_DURATION),
            retries,
        }),
    };
    let request = params.to_request();
    let outcome = match patience {
        None => client
            .start_session(&agent, &request)
            .await
            .map_err(|err| (err, None)),
        Some(patience) => start_patiently(ctx, &client, &agent, &request, patience).await,
    };
    let started = match outcome {
        Ok(started) => started,
        Err((err, waited)) => return Err(start_failure(ctx, &agent, &key, &err, waited).await),
    };
    let session_id = started.value.session_id.clone();
    let answer = started_answer(&agent, started);
    if let Some(logs_client) = logs_client {
        // One JSON object per line, so the answer and the log lines after it
        // form a single NDJSON stream.
        ctx.out.answer(answer.first_of_stream())?;
        let Some(id) = session_id else {
            return Err(Failure::new(
                Exit::Unreachable,
                "the API answered without a session id: nothing to follow",
            ));
        };
        ctx.out.note(&format!(
            "Following its logs until it ends (Ctrl-C stops following; the session goes on; \
             stop it with `{}`).",
            ctx.settings
                .suggest(&["agent", "stop", &agent, "--session", &id])
        ));
        let follow = Follow {
            agent,
            session_id: Some(id),
            deployment_id: None,
            query: None,
            since: None,
            tail: 10_000,
            interval: args.interval,
            render: Render {
                level: None,
                format: LogFormat::Text,
            },
        };
        return until_interrupted(follow.run(&logs_client, ctx)).await;
    }
    let answer = match &session_id {
        Some(id) => answer.aside(format!(
            "Logs: {}\nStop: {}",
            ctx.settings
                .suggest(&["agent", "logs", &agent, "--session", id]),
            ctx.settings
                .suggest(&["agent", "stop", &agent, "--session", id]),
        )),
        None => answer,
    };
    ctx.out.answer(answer)
}

/// A start's answer: the API's own in JSON (an empty object when it sent
/// none, as the official CLI prints); else `Session ID: ...` and how to
/// join, one `Label: value` line each; with `-q` the bare session id.
fn started_answer<'a>(agent: &str, started: Raw<StartResponse>) -> Answer<'a> {
    let pairs = answer_fields(&started.value);
    let document = if started.raw.is_object() {
        started.raw
    } else {
        json!({})
    };
    let mut answer = Answer::new(document).note(format!("Started a session of agent `{agent}`."));
    if pairs.is_empty() {
        answer = answer.warn("the API answered without a session id");
    }
    if started.value.token.is_some() {
        answer =
            answer.note("The session token is shortened here; --output json prints it in full.");
    }
    if let Some(id) = &started.value.session_id {
        answer = answer.quiet(id.clone());
    }
    answer.lines(move |_| {
        pairs
            .iter()
            .map(|(label, value)| format!("{label}: {value}\n"))
            .collect()
    })
}

/// How long, and how many times, to retry a start that found the agent at
/// its session limit.
#[derive(Debug, Clone, Copy)]
struct Patience {
    budget: Duration,
    retries: Option<u32>,
}

/// How a patient start that gave up had waited.
#[derive(Debug, Clone, Copy)]
struct Waited {
    elapsed: Duration,
    attempts: u32,
    budget: Duration,
}

/// Starts a session, retrying while (and only while) the API answers 429:
/// pauses grow exponentially with jitter, a `Retry-After` sets the pause,
/// and no pause runs past the budget. The last 429 is returned, with how
/// long it waited, when the budget or the retries run out. Each retry is a
/// new start request, safe because a 429 started nothing. On a terminal
/// a spinner counts down to the next attempt; otherwise each attempt is a
/// note.
async fn start_patiently(
    ctx: &Context,
    client: &Client,
    agent: &str,
    request: &StartRequest,
    patience: Patience,
) -> Result<Raw<StartResponse>, (ApiError, Option<Waited>)> {
    let backoff = Backoff {
        base: Duration::from_millis(500),
        max: Duration::from_secs(15),
    };
    let mut progress = ctx.out.progress();
    let budget = format_elapsed(patience.budget);
    let mut attempts = 0;
    // The spinner (dropped on return) lasts the whole loop.
    loop {
        attempts += 1;
        let err = match client.start_session(agent, request).await {
            Err(err) if err.kind == ErrorKind::Capacity => err,
            outcome => return outcome.map_err(|err| (err, None)),
        };
        let left = patience.budget.saturating_sub(progress.elapsed());
        if left.is_zero() || patience.retries.is_some_and(|max| attempts > max) {
            let waited = Waited {
                elapsed: progress.elapsed(),
                attempts,
                budget: patience.budget,
            };
            return Err((err, Some(waited)));
        }
        let pause = backoff.delay(attempts, err.retry_after).min(left);
        progress.say(format!(
            "agent `{agent}` is at its session limit; attempt {} in {:.1}s, waiting up to {budget}",
            attempts + 1,
            pause.as_secs_f64(),
        ));
        let resume = Instant::now() + pause;
        loop {
            let left = resume.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            progress.show(format!(
                "agent `{agent}` is at its session limit; attempt {} in {}s, waiting up to {budget}",
                attempts + 1,
                left.as_secs_f64().ceil()
            ));
            tokio::time::sleep(left.min(COUNTDOWN_TICK)).await;
        }
    }
}

/// How often the countdown to the next attempt is redrawn.
const COUNTDOWN_TICK: Duration = Duration::from_millis(250);

/// The public key to start with and where it came from.
struct PublicKey {
    key: String,
    source: String,
}

/// `--api-key`, else `PIPECAT_DEFAULT_PUBLIC_KEY`, else the default key of
/// the organization in effect (`--org`/`PIPECAT_ORG`/the config's `org`).
fn public_key(ctx: &Context, flag: Option<String>) -> CliResult<PublicKey> {
    if let Some(key) = flag.filter(|key| !key.is_empty()) {
        return Ok(PublicKey {
            key,
            source: "--api-key".into(),
        });
    }
    if let Some(key) = &ctx.settings.default_public_key {
        return Ok(PublicKey {
            key: key.clone(),
            source: match &ctx.settings.default_public_key_name {
                Some(name) => format!("key `{name}` from PIPECAT_DEFAULT_PUBLIC_KEY"),
                None => "PIPECAT_DEFAULT_PUBLIC_KEY".into(),
            },
        });
    }
    let config = ctx.user_config()?;
    let org = ctx.effective_org(&config);
    if let Some(stored) = org
        .as_deref()
        .and_then(|org| config.default_public_key(org))
    {
        let name = stored.name.unwrap_or_else(|| "unnamed".into());
        return Ok(PublicKey {
            key: stored.key,
            source: format!("key `{name}` of organization `{}`", org.unwrap_or_default()),
        });
    }
    let message = match org {
        Some(org) => {
            format!("no public API key to start with: organization `{org}` has no default key")
        }
        None => "no public API key to start with".to_string(),
    };
    Err(Failure::new(Exit::Auth, message).with_hint(
        "choose one with `pipecat cloud organizations keys use NAME`, \
         or pass --api-key / set PIPECAT_DEFAULT_PUBLIC_KEY",
    ))
}

/// What to show of a start answer: the session id, and how to join.
fn answer_fields(answer: &StartResponse) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if let Some(id) = &answer.session_id {
        pairs.push(("Session ID", id.clone()));
    }
    match (&answer.daily_room, &answer.daily_token) {
        (Some(room), Some(token)) => pairs.push(("Join URL", join_url(room, token))),
        (Some(room), None) => pairs.push(("Daily room", room.clone())),
        _ => {}
    }
    if let Some(ws_url) = &answer.ws_url {
        pairs.push(("WebSocket URL", ws_url.clone()));
    }
    if let Some(token) = &answer.token {
        pairs.push(("Session token", redact(token)));
    }
    pairs
}

/// `{dailyRoom}?t={dailyToken}`, the documented way to join.
fn join_url(room: &str, token: &str) -> String {
    let separator = if room.contains('?') { '&' } else { '?' };
    format!("{room}{separator}t={token}")
}

/// `5m`, `90s`, `1h`: a duration as a duration flag reads it.
fn flag_duration(duration: Duration) -> String {
    match duration.as_secs() {
        secs if secs >= 3600 && secs % 3600 == 0 => format!("{}h", secs / 3600),
        secs if secs >= 60 && secs % 60 == 0 => format!("{}m", secs / 60),
        secs => format!("{secs}s"),
    }
}

async fn start_failure(
    ctx: &Context,
    agent: &str,
    key: &PublicKey,
    err: &ApiError,
    waited: Option<Waited>,
) -> Failure {
    // The start command again, with the key's flag when it came from one
    // (the key itself is never printed).
    let start = |extra: &str| {
        let mut words = vec!["agent", "start", agent];
        if key.source == "--api-key" {
            words.extend(["--api-key", "KEY"]);
        }
        words.push(extra);
        ctx.settings.suggest(&words)
    };
    match err.kind {
        ErrorKind::Capacity => {
            let (message, wait) = match waited {
                None => (
                    format!("agent `{agent}` is at its session limit: {err}"),
                    format!(
                        "wait for a free slot with `{}`",
                        start(&format!("--wait-for-capacity={DEFAULT_CAPACITY_WAIT}"))
                    ),
                ),
                Some(waited) => (
                    format!(
                        "agent `{agent}` is still at its session limit after waiting {} \
                         ({} attempts): {err}",
                        format_elapsed(waited.elapsed),
                        waited.attempts
                    ),
                    format!(
                        "wait longer with `{}`",
                        start(&format!(
                            "--wait-for-capacity={}",
                            flag_duration((waited.budget * 2).max(Duration::from_secs(60)))
                        ))
                    ),
                ),
            };
            Failure::new(Exit::Temporary, message).with_hint(format!(
                "{wait}, stop a session (`{}` lists them), or raise the limit with `{}`",
                ctx.settings
                    .suggest(&["agent", "sessions", agent, "--status", "active"]),
                ctx.settings
                    .suggest(&["deploy", agent, "--max-agents", "N"]),
            ))
        }
        ErrorKind::NotReady => Failure::new(
            Exit::Temporary,
            format!("agent `{agent}` is not ready to start sessions: {err}"),
        )
        .with_hint("wait for its deployment to become ready, then retry"),
        ErrorKind::NotFound => match ctx.management_client().await {
            // The names are one request away with a management credential.
            Ok(client) => {
                super::agent_not_found(
                    ctx,
                    &client,
                    agent,
                    err.to_string(),
                    &["agent", "start", agent],
                )
                .await
            }
            Err(_) => Failure::new(Exit::NotFound, format!("agent `{agent}` not found: {err}"))
                .with_hint("check the agent name and the organization of the key"),
        },
        ErrorKind::Auth => Failure::new(
            Exit::Auth,
            format!(
                "the public API key {} ({}) was refused: {err}",
                redact(&key.key),
                key.source
            ),
        )
        .with_hint(
            "choose a valid key with `pipecat cloud organizations keys use`, or pass --api-key",
        ),
        _ => api_failure(err),
    }
}

/// The session data from `--data` or `--data-file`, parsed: invalid JSON is
/// an error (with line and column) and nothing is sent. A file (or stdin)
/// is read up to the API's body limit, no further; a UTF-8 byte-order mark
/// at its start (which some editors write) is skipped.
fn read_data(data: Option<&str>, data_file: Option<&Path>) -> CliResult<Option<Value>> {
    if let Some(text) = data {
        return parse_json("--data", text).map(Some);
    }
    let Some(path) = data_file else {
        return Ok(None);
    };
    let (what, read) = if path == Path::new("-") {
        (
            "the data on stdin".to_string(),
            files::read_capped_from(std::io::stdin(), MAX_BODY_BYTES),
        )
    } else if path.is_dir() {
        return Err(
            Failure::usage(format!("data file {} is a directory", path.display()))
                .with_hint("pass the path of a JSON file"),
        );
    } else {
        (
            format!("data file {}", path.display()),
            files::read_capped(path, MAX_BODY_BYTES),
        )
    };
    let bytes = read.map_err(|err| {
        Failure::usage(match err.kind() {
            std::io::ErrorKind::NotFound => format!("{what} does not exist"),
            std::io::ErrorKind::FileTooLarge => format!(
                "{what} is {err}, the most the API accepts as a session's data; nothing was sent"
            ),
            _ => format!("cannot read {what}: {err}"),
        })
    })?;
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        Failure::usage(format!(
            "{what} is not UTF-8 text (invalid byte at offset {})",
            err.valid_up_to()
        ))
        .with_hint("save it as UTF-8 JSON")
    })?;
    parse_json(&what, text).map(Some)
}

/// The byte-order mark some editors put at the start of a UTF-8 file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn parse_json(what: &str, text: &str) -> CliResult<Value> {
    serde_json::from_str(text).map_err(|err| {
        // serde_json's message ends with "at line L column C".
        Failure::usage(format!("{what} is not valid JSON: {err}"))
            .with_hint("nothing was sent; fix the JSON and retry")
    })
}

fn parse_json_object(what: &str, text: &str) -> CliResult<Value> {
    let value = parse_json(what, text)?;
    if !value.is_object() {
        return Err(Failure::usage(format!(
            "{what} must be a JSON object, like {{\"exp\": 1700000000}}"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_url_appends_the_token() {
        assert_eq!(
            join_url("https://x.daily.co/r", "tok"),
            "https://x.daily.co/r?t=tok"
        );
        assert_eq!(join_url("https://x/r?a=1", "tok"), "https://x/r?a=1&t=tok");
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let err = parse_json("--data", "{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(err.message.contains("line 2 column"), "{}", err.message);
    }

    #[test]
    fn websocket_answers_show_the_url_and_a_shortened_token() {
        let answer = StartResponse {
            session_id: Some("s1".into()),
            ws_url: Some("wss://x/ws".into()),
            token: Some("abcdefghijklmnopqrstuvwxyz".into()),
            ..StartResponse::default()
        };
        let pairs = answer_fields(&answer);
        assert_eq!(pairs[1], ("WebSocket URL", "wss://x/ws".to_string()));
        assert!(!pairs[2].1.contains("mnopqrstuvwxyz"), "{:?}", pairs[2]);
    }
}
