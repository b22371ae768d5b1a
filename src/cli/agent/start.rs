//! `pipecat cloud agent start`: start a session with a public API key.
//!
//! Only the public key is needed: no login, no health check and no other
//! request before the start itself (the official CLI needs a login and
//! checks the agent first, one more round trip on every start).

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::super::context::{Context, api_failure, env_value};
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{OutputMode, key_values, print_json, stdout};
use pipecat_cloud::api::types::StartResponse;
use pipecat_cloud::api::{ApiError, Credential, ErrorKind, SessionParams, Transport, redact};
use pipecat_cloud::config::env;

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Agent to start [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
    /// Public API key [default: PIPECAT_DEFAULT_PUBLIC_KEY, else the organization's default key]
    #[arg(short = 'k', long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Data for the agent (its `body`), as JSON
    #[arg(short = 'd', long, value_name = "JSON", conflicts_with = "data_file")]
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
    let agent = super::agent_name(args.agent_name)?;
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
    let client = ctx.client(Credential::PublicKey(key.key.clone()), None)?;
    let started = client
        .start_session(&agent, &params.to_request())
        .await
        .map_err(|err| start_failure(&agent, &key, &err))?;
    if ctx.output == OutputMode::Json {
        print_json(&started.raw);
        return Ok(());
    }
    ctx.note(&format!("Started a session of agent `{agent}`."));
    let pairs = answer_fields(&started.value);
    if pairs.is_empty() {
        ctx.warn("the API answered without a session id");
    }
    if started.value.token.is_some() {
        ctx.note("The session token is shortened here; --output json prints it in full.");
    }
    stdout(&key_values(ctx.output, &pairs));
    if let (OutputMode::Rich, Some(id)) = (ctx.output, &started.value.session_id) {
        ctx.note(&format!(
            "Logs: pipecat cloud agent logs {agent} --session {id}\n\
             Stop: pipecat cloud agent stop {agent} --session {id}"
        ));
    }
    Ok(())
}

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
    if let Some(key) = env_value(env::DEFAULT_PUBLIC_KEY) {
        return Ok(PublicKey {
            key,
            source: env::DEFAULT_PUBLIC_KEY.into(),
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

fn start_failure(agent: &str, key: &PublicKey, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::Capacity => Failure::new(
            Exit::Temporary,
            format!("agent `{agent}` is at its session limit: {err}"),
        )
        .with_hint(format!(
            "raise the limit with `pipecat cloud deploy {agent} --max-agents N`, stop sessions \
             (`pipecat cloud agent sessions {agent} --status active`, then `agent stop`), or retry later"
        )),
        ErrorKind::NotReady => Failure::new(
            Exit::Temporary,
            format!("agent `{agent}` is not ready to start sessions: {err}"),
        )
        .with_hint("wait for its deployment to become ready, then retry"),
        ErrorKind::NotFound => Failure::new(
            Exit::NotFound,
            format!("agent `{agent}` not found: {err}"),
        )
        .with_hint("check the agent name and the organization of the key"),
        ErrorKind::Auth => Failure::new(
            Exit::Auth,
            format!(
                "the public API key {} ({}) was refused: {err}",
                redact(&key.key),
                key.source
            ),
        )
        .with_hint("choose a valid key with `pipecat cloud organizations keys use`, or pass --api-key"),
        _ => api_failure(err),
    }
}

/// The session data from `--data` or `--data-file`, parsed: invalid JSON is
/// an error (with line and column) and nothing is sent.
fn read_data(data: Option<&str>, data_file: Option<&Path>) -> CliResult<Option<Value>> {
    if let Some(text) = data {
        return parse_json("--data", text).map(Some);
    }
    let Some(path) = data_file else {
        return Ok(None);
    };
    let (what, bytes) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|err| Failure::usage(format!("cannot read the data from stdin: {err}")))?;
        ("the data on stdin".to_string(), bytes)
    } else {
        (
            format!("data file {}", path.display()),
            read_data_file(path)?,
        )
    };
    let text = String::from_utf8(bytes).map_err(|err| {
        Failure::usage(format!(
            "{what} is not UTF-8 text (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        ))
        .with_hint("save it as UTF-8 JSON")
    })?;
    parse_json(&what, &text).map(Some)
}

fn read_data_file(path: &Path) -> CliResult<Vec<u8>> {
    if path.is_dir() {
        return Err(
            Failure::usage(format!("data file {} is a directory", path.display()))
                .with_hint("pass the path of a JSON file"),
        );
    }
    std::fs::read(path).map_err(|err| {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => format!("data file {} does not exist", path.display()),
            _ => format!("cannot read data file {}: {err}", path.display()),
        };
        Failure::usage(message)
    })
}

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
