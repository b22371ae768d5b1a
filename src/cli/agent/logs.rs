//! `pipecat cloud agent logs`: an agent's (or one session's) log lines.
//!
//! By default the newest `--limit` lines are fetched and printed oldest
//! first, like `tail`; `--follow` then keeps printing new lines as they are
//! written. Levels are not a field of the API: a line's level is inferred
//! from its text (see [`infer_level`]).

use std::time::Duration;

use anstyle::Style;
use clap::{Args, ValueEnum};
use clap_complete::engine::ArgValueCompleter;
use serde_json::{Map, Value};

use super::super::complete;
use super::super::context::{Context, api_failure};
use super::super::duration;
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, BLUE, DIM, GREEN, Human, RED, Record, YELLOW};
use super::live::{Outage, until_interrupted};
use pipecat_cloud::api::follow::LogFollower;
use pipecat_cloud::api::types::LogEntry;
use pipecat_cloud::api::{ApiError, Client, ErrorKind, LogOrder, LogQuery, limits};

/// The most lines the logs endpoint returns per request; more are fetched
/// page by page.
const API_MAX_PAGE: u32 = limits::MAX_PAGE;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Agent whose logs to show [default: `agent_name` in pcc-deploy.toml]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
    /// Only lines of this session
    #[arg(
        short = 's',
        long = "session-id",
        visible_alias = "session",
        value_name = "ID"
    )]
    pub session_id: Option<String>,
    /// Only lines of this deployment
    #[arg(short = 'd', long = "deployment", value_name = "ID")]
    pub deployment: Option<String>,
    /// Only lines of exactly this level (case-insensitive), as inferred
    /// from the first level word in the line; lines without one are INFO
    #[arg(short = 'l', long, value_enum, ignore_case = true)]
    pub level: Option<Level>,
    /// How many lines to fetch (the level filter applies after fetching);
    /// with --follow, how many existing lines to show first (at most 10000)
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u32).range(1..), default_value_t = 100)]
    pub limit: u32,
    /// Text lines, or one JSON object per line
    #[arg(short = 'f', long, value_enum, ignore_case = true, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
    /// asc: the oldest lines, oldest first; desc: the newest, newest first
    /// [default: the newest lines, oldest first]
    #[arg(long, value_enum, ignore_case = true)]
    pub order: Option<OrderArg>,
    /// Only lines at or after TIME: RFC 3339, Unix seconds, or an age
    /// such as 10m, 2h, 1d
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only lines before TIME (same forms as --since)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only lines matching this free-text search (done by the API)
    #[arg(long, value_name = "TEXT")]
    pub query: Option<String>,
    /// Keep printing new lines as they are written, until Ctrl-C (with
    /// --session: until the session has ended)
    #[arg(long, visible_alias = "tail", conflicts_with_all = ["order", "until"])]
    pub follow: bool,
    /// Time between two checks for new lines with --follow: seconds, or a
    /// duration such as 500ms
    #[arg(long, value_name = "DURATION", value_parser = duration::interval, default_value = "1", requires = "follow")]
    pub interval: Duration,
}

/// A log level, as the official CLI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Debug,
    Info,
    #[value(alias = "warn")]
    Warning,
    Error,
    Critical,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    fn style(self) -> Style {
        match self {
            Level::Debug => BLUE,
            Level::Info => GREEN,
            Level::Warning => YELLOW,
            Level::Error => RED,
            Level::Critical => RED.bold(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    Asc,
    Desc,
}

pub async fn run(args: LogsArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let now = jiff::Timestamp::now();
    let start_time = args
        .since
        .as_deref()
        .map(|text| parse_time("--since", text, now))
        .transpose()?;
    let end_time = args
        .until
        .as_deref()
        .map(|text| parse_time("--until", text, now))
        .transpose()?;
    if let (Some(start), Some(end)) = (start_time, end_time)
        && start > end
    {
        return Err(Failure::usage("--since is after --until"));
    }
    let client = ctx.management_client().await?;
    let render = Render {
        level: args.level,
        format: args.format,
    };
    if args.follow {
        let follow = Follow {
            agent,
            session_id: args.session_id,
            deployment_id: args.deployment,
            query: args.query,
            since: start_time,
            tail: args.limit,
            interval: args.interval,
            render,
        };
        return until_interrupted(follow.run(&client, ctx)).await;
    }
    let order = match args.order {
        Some(OrderArg::Asc) => LogOrder::Asc,
        Some(OrderArg::Desc) | None => LogOrder::Desc,
    };
    let query = LogQuery {
        limit: None,
        deployment_id: args.deployment,
        session_id: args.session_id,
        query: args.query,
        order: Some(order),
        start_time,
        end_time,
        offset: None,
    };
    let (mut entries, raw) = fetch(&client, &agent, &query, args.limit).await?;
    if args.order.is_none() {
        // The newest lines were fetched; show them in the order they happened.
        entries.reverse();
    }
    let lines = render.lines(&entries);
    let answer = if lines.is_empty() {
        Answer::new(raw).aside("No log lines match.")
    } else {
        Answer::new(raw).lines(|human| lines.iter().map(|line| line.human(human)).collect())
    };
    ctx.out.answer(answer)
}

fn agent_failure(agent: &str, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::NotFound => {
            Failure::new(Exit::NotFound, format!("agent `{agent}` not found: {err}"))
        }
        _ => api_failure(err),
    }
}

/// How many pages are asked for at once when more than one is needed: the
/// API's time per page, not ours, dominates a large fetch.
const PAGES_AT_ONCE: u32 = 4;

/// Up to `limit` entries of `query`, page by page when `limit` is more than
/// the API gives at once (a few pages in flight at a time, until a page
/// comes back short); also the answer as JSON (one page's, or the pages'
/// lines joined under `logs`).
async fn fetch(
    client: &Client,
    agent: &str,
    query: &LogQuery,
    limit: u32,
) -> CliResult<(Vec<LogEntry>, Value)> {
    let failed = |err: ApiError| agent_failure(agent, &err);
    let page_query = |offset: u32| LogQuery {
        limit: Some((limit - offset).min(API_MAX_PAGE)),
        offset: (offset > 0).then_some(offset),
        ..query.clone()
    };
    let first = client.logs(agent, &page_query(0)).await.map_err(failed)?;
    let mut entries = first.value.logs;
    let mut raw = first.raw;
    let mut offset = entries.len() as u32;
    let mut more = offset == API_MAX_PAGE && offset < limit;
    while more {
        let offsets: Vec<u32> = (0..PAGES_AT_ONCE)
            .map(|page| offset + page * API_MAX_PAGE)
            .filter(|&at| at < limit)
            .collect();
        let mut wave = tokio::task::JoinSet::new();
        for (index, &at) in offsets.iter().enumerate() {
            let (client, agent, page) = (client.clone(), agent.to_string(), page_query(at));
            wave.spawn(async move { (index, client.logs(&agent, &page).await) });
        }
        let mut pages = vec![None; offsets.len()];
        while let Some(done) = wave.join_next().await {
            let (index, page) = done.map_err(|err| {
                Failure::new(Exit::ApiFailure, format!("a page request failed: {err}"))
            })?;
            pages[index] = Some(page.map_err(failed)?);
        }
        for page in pages.into_iter().flatten() {
            let count = page.value.logs.len() as u32;
            entries.extend(page.value.logs);
            if let (Some(Value::Array(all)), Value::Object(mut page_raw)) =
                (raw.get_mut("logs"), page.raw)
                && let Some(Value::Array(lines)) = page_raw.remove("logs")
            {
                all.extend(lines);
            }
            offset += count;
            if count < API_MAX_PAGE || offset >= limit {
                more = false;
                break;
            }
        }
    }
    Ok((entries, raw))
}

/// Which entries are shown, and how.
#[derive(Clone, Copy)]
pub struct Render {
    pub level: Option<Level>,
    /// Text lines, or (`--format json`) one JSON object a line; JSON
    /// output is always the latter.
    pub format: LogFormat,
}

impl Render {
    /// The entries that pass the level filter, as lines; empty lines are
    /// skipped.
    fn lines<'a>(&self, entries: &'a [LogEntry]) -> Vec<LogLine<'a>> {
        entries
            .iter()
            .filter(|entry| !entry.log.is_empty())
            .map(|entry| LogLine {
                entry,
                level: infer_level(&entry.log),
                format: self.format,
            })
            .filter(|line| self.level.is_none_or(|wanted| wanted == line.level))
            .collect()
    }
}

/// One log line as output.
struct LogLine<'a> {
    entry: &'a LogEntry,
    level: Level,
    format: LogFormat,
}

impl Record for LogLine<'_> {
    /// The entry as the API sent it, plus the level.
    fn document(&self) -> Value {
        let mut record = match serde_json::to_value(self.entry) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        record.retain(|_, value| !value.is_null());
        record.insert("level".into(), Value::String(self.level.name().into()));
        Value::Object(record)
    }

    fn human(&self, human: &Human) -> String {
        match self.format {
            LogFormat::Json => format!("{}\n", self.document()),
            LogFormat::Text => {
                let timestamp = human.paint(DIM.bold(), &human.timestamp(&self.entry.timestamp));
                let log = human.paint(
                    self.level.style(),
                    self.entry.log.trim_end_matches(['\n', '\r']),
                );
                format!("{timestamp} {log}\n")
            }
        }
    }
}

/// A `--follow` run: what exists, then new lines as they come.
pub struct Follow {
    pub agent: String,
    pub session_id: Option<String>,
    pub deployment_id: Option<String>,
    pub query: Option<String>,
    /// Unix seconds of `--since`.
    pub since: Option<i64>,
    /// How many existing lines to show first.
    pub tail: u32,
    pub interval: Duration,
    pub render: Render,
}

impl Follow {
    /// Prints until stopped; with a session, until that session has ended
    /// and its last lines are out.
    pub async fn run(self, client: &Client, ctx: &Context) -> CliResult {
        if let Some(id) = &self.session_id {
            // An unknown session fails now, not after a silent wait.
            client
                .get_session(&self.agent, id)
                .await
                .map_err(|err| session_failure(&self.agent, id, &err))?;
        }
        let filter = LogQuery {
            session_id: self.session_id.clone(),
            deployment_id: self.deployment_id.clone(),
            query: self.query.clone(),
            ..LogQuery::default()
        };
        let mut follower = LogFollower::new(client.clone(), self.agent.clone(), filter);
        let existing = follower
            .start(self.since, self.tail.min(API_MAX_PAGE))
            .await
            .map_err(|err| agent_failure(&self.agent, &err))?;
        ctx.out.records(&self.render.lines(&existing))?;
        let mut outage = Outage::new();
        let mut session_ended = false;
        loop {
            tokio::time::sleep(self.interval).await;
            match follower.poll().await {
                Ok(entries) => {
                    outage.succeeded(ctx);
                    ctx.out.records(&self.render.lines(&entries))?;
                }
                Err(err) => {
                    outage.failed(ctx, &err).await?;
                    continue;
                }
            }
            // This poll came after the session was seen ended, so its
            // last lines (and the platform's exit event) are out.
            if session_ended {
                return Ok(());
            }
            if let Some(id) = &self.session_id {
                match client.get_session(&self.agent, id).await {
                    Ok(session) => session_ended = session.value.ended_at.is_some(),
                    Err(err) => outage.failed(ctx, &err).await?,
                }
            }
        }
    }
}

fn session_failure(agent: &str, id: &str, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::NotFound => Failure::new(
            Exit::NotFound,
            format!("session `{id}` of agent `{agent}` not found: {err}"),
        ),
        _ => api_failure(err),
    }
}

/// The level of a log line: the first word of the line (words split at
/// anything but letters) that is a level name in capitals, as loguru and
/// Python's logging write them (`WARN` and `FATAL` count as WARNING and
/// CRITICAL); else, for structured lines, the word after `level`
/// in any case (`level=error`, `"level": "warn"`); else INFO.
///
/// The official CLI takes the first level name found *anywhere* as a
/// substring, case-insensitively (see docs/compatibility.md): "INFO: no
/// error" became ERROR if ERROR came first in its list, and "terrors"
/// matched too.
pub fn infer_level(line: &str) -> Level {
    let words: Vec<&str> = line
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| !word.is_empty())
        .collect();
    if let Some(level) = words.iter().find_map(|word| level_named(word)) {
        return level;
    }
    words
        .windows(2)
        .filter(|pair| pair[0].eq_ignore_ascii_case("level"))
        .find_map(|pair| level_named(&pair[1].to_ascii_uppercase()))
        .unwrap_or(Level::Info)
}

fn level_named(word: &str) -> Option<Level> {
    match word {
        "DEBUG" | "TRACE" => Some(Level::Debug),
        "INFO" => Some(Level::Info),
        "WARNING" | "WARN" => Some(Level::Warning),
        "ERROR" => Some(Level::Error),
        "CRITICAL" | "FATAL" => Some(Level::Critical),
        _ => None,
    }
}

/// A point in time as Unix seconds: RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC),
/// Unix seconds, or an age before `now` such as `10m`, `2h`, `1d 12h`;
/// between 1970 and the end of 9999.
pub fn parse_time(flag: &str, text: &str, now: jiff::Timestamp) -> CliResult<i64> {
    let text = text.trim();
    // The times a timestamp can be: the end of 9999, give or take a day.
    let latest = jiff::Timestamp::MAX.as_second();
    let in_range = |seconds: i64| {
        if (0..=latest).contains(&seconds) {
            Ok(seconds)
        } else {
            Err(Failure::usage(format!(
                "{flag} `{text}` is out of range: give a time from 1970 to 9999 \
                 (Unix seconds 0 to {latest})"
            )))
        }
    };
    if let Ok(seconds) = text.parse::<i64>() {
        return in_range(seconds);
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return in_range(ts.as_second());
    }
    if let Ok(civil) = text.parse::<jiff::civil::DateTime>()
        && let Ok(ts) = jiff::tz::TimeZone::UTC.to_timestamp(civil)
    {
        return in_range(ts.as_second());
    }
    if let Some(age) = duration::age(text) {
        // `as` saturates an age too long for an i64.
        let age = age.as_secs_f64().round() as i64;
        return in_range(now.as_second().saturating_sub(age));
    }
    Err(Failure::usage(format!(
        "{flag} `{text}` is not a time: use RFC 3339 (2025-01-02T03:04:05Z), \
         Unix seconds, or an age such as 10m, 2h, 1d"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::{Output, OutputMode};

    #[test]
    fn level_is_the_first_capitalised_level_word() {
        assert_eq!(
            infer_level("2025-01-01 | INFO | bot:12 - no ERROR here"),
            Level::Info
        );
        assert_eq!(infer_level("ERROR:root:boom"), Level::Error);
        assert_eq!(infer_level("WARN something"), Level::Warning);
        assert_eq!(infer_level("terrors and errors in lower case"), Level::Info);
        assert_eq!(infer_level(r#"{"level":"error","msg":"x"}"#), Level::Error);
        assert_eq!(infer_level("level=debug msg=x"), Level::Debug);
        assert_eq!(infer_level("CRITICAL failure"), Level::Critical);
        assert_eq!(infer_level("plain line"), Level::Info);
    }

    #[test]
    fn times_in_every_accepted_form() {
        let now: jiff::Timestamp = "2025-01-02T00:00:00Z".parse().unwrap();
        let base = now.as_second();
        assert_eq!(
            parse_time("--since", "1700000000", now).unwrap(),
            1_700_000_000
        );
        assert_eq!(
            parse_time("--since", "2025-01-01T00:00:00Z", now).unwrap(),
            base - 86_400
        );
        assert_eq!(
            parse_time("--since", "2025-01-01 12:00:00", now).unwrap(),
            base - 43_200
        );
        assert_eq!(parse_time("--since", "10m", now).unwrap(), base - 600);
        assert_eq!(parse_time("--since", "2h", now).unwrap(), base - 7_200);
        assert_eq!(parse_time("--since", "1d", now).unwrap(), base - 86_400);
        assert_eq!(parse_time("--since", "1h30m", now).unwrap(), base - 5_400);
        for out_of_range in ["99999999999999", "-1", "7000000d"] {
            let err = parse_time("--since", out_of_range, now).unwrap_err();
            assert_eq!(err.exit, Exit::Usage);
            assert!(err.message.contains("out of range"), "{}", err.message);
        }
        assert_eq!(parse_time("--until", "0", now).unwrap(), 0);
        assert_eq!(
            parse_time("--until", "9999-12-30T22:00:00Z", now).unwrap(),
            jiff::Timestamp::MAX.as_second()
        );
        let err = parse_time("--since", "yesterday-ish", now).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(err.message.starts_with("--since `yesterday-ish`"));
    }

    fn entries() -> Vec<LogEntry> {
        ["INFO started", "", "ERROR boom"]
            .into_iter()
            .map(|log| LogEntry {
                log: log.into(),
                timestamp: "2025-01-01T00:00:00Z".into(),
                deployment_id: None,
                session_id: Some("s1".into()),
            })
            .collect()
    }

    #[test]
    fn json_lines_keep_the_entry_and_add_the_level() {
        let entries = entries();
        let render = Render {
            level: Some(Level::Error),
            format: LogFormat::Json,
        };
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.records(&render.lines(&entries)).unwrap();
        let value: Value = serde_json::from_str(&captured.stdout()).unwrap();
        assert_eq!(value["level"], "ERROR");
        assert_eq!(value["sessionId"], "s1");
        assert!(value.get("deploymentId").is_none());
    }

    #[test]
    fn lines_are_text_for_people_and_ndjson_in_json_output() {
        let entries = entries();
        let render = Render {
            level: None,
            format: LogFormat::Text,
        };
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.records(&render.lines(&entries)).unwrap();
        assert_eq!(
            captured.stdout(),
            "2025-01-01T00:00:00Z INFO started\n2025-01-01T00:00:00Z ERROR boom\n"
        );
        let (out, captured) = Output::capture(OutputMode::Json);
        out.records(&render.lines(&entries)).unwrap();
        let levels: Vec<String> = captured
            .stdout()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["level"].to_string())
            .collect();
        assert_eq!(levels, ["\"INFO\"", "\"ERROR\""]);
    }
}
