//! `pipecat cloud agent logs`: an agent's (or one session's) log lines.
//!
//! By default the newest `--limit` lines are printed oldest first, like
//! `tail`, page by page as they arrive; `--follow` then keeps printing new
//! lines as they are written. How lines are read exactly while they are
//! being written is `pipecat_cloud::api::logs`'s business; how they look
//! is [`render`]'s.

mod follow;
mod render;

use std::time::Duration;

use clap::{Args, ValueEnum};
use clap_complete::engine::ArgValueCompleter;
use serde_json::Value;

use super::super::complete;
use super::super::context::{Context, api_failure};
use super::super::duration;
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, OutputMode};
use super::live::until_interrupted;
use pipecat_cloud::api::logs::{
    Backward, Batch, Flow, Forward, PAGE, ReadError, newest_beginning, newest_page,
};
use pipecat_cloud::api::types::LogEntry;
use pipecat_cloud::api::{ApiError, Client, ErrorKind, LogQuery};

pub use follow::Follow;
pub use render::{Level, LogFormat, Render};

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
    /// How many lines to show (with --level: lines of that level, however
    /// far back they are); with --follow, how many existing lines to show
    /// first (at most 10000)
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
        sessions: args.session_id.is_none(),
    };
    let filter = LogQuery {
        session_id: args.session_id,
        deployment_id: args.deployment,
        query: args.query,
        start_time,
        end_time,
        ..LogQuery::default()
    };
    if args.follow {
        let follow = Follow {
            agent,
            filter,
            tail: args.limit,
            interval: args.interval,
            render,
        };
        return until_interrupted(async { follow.run(&client, ctx).await.map(|_| ()) }).await;
    }
    let read = Read {
        client: &client,
        agent: &agent,
        filter: &filter,
        count: args.limit,
    };
    let mut printer = Printer::new(ctx, render);
    match (args.order, args.level) {
        (None, None) => read.newest(&mut printer).await,
        (Some(OrderArg::Asc), _) => read.oldest(&mut printer).await,
        (Some(OrderArg::Desc), _) => read.newest_first(&mut printer).await,
        (None, Some(_)) => read.newest_matching(&mut printer).await,
    }
    .map_err(|err| match err {
        ReadError::Api(err) => agent_failure(&agent, &err),
        ReadError::Sink(failure) => failure,
    })?;
    printer.finish()
}

/// One listing of lines (not `--follow`).
struct Read<'a> {
    client: &'a Client,
    agent: &'a str,
    filter: &'a LogQuery,
    count: u32,
}

type ReadResult = Result<(), ReadError<Failure>>;

impl Read<'_> {
    /// The newest lines, oldest first: one request when a page holds them;
    /// else the oldest page of them first, then the rest read forwards.
    async fn newest(&self, printer: &mut Printer<'_>) -> ReadResult {
        printer.json_newest_first();
        if self.count <= PAGE {
            newest_page(self.client, self.agent, self.filter, self.count, |batch| {
                printer.first(&batch)?;
                printer.batch(&batch).map(|_| ())
            })
            .await?;
            return Ok(());
        }
        let (start, shown) =
            newest_beginning(self.client, self.agent, self.filter, self.count, |batch| {
                printer.first(&batch)?;
                printer.batch(&batch).map(|_| ())
            })
            .await?;
        let forward = Forward::new(self.client.clone(), self.agent, self.filter.clone());
        let mut forward = match start {
            Some(start) => forward.from_start(start),
            None => forward,
        }
        .take(u64::from(self.count) - shown);
        forward.read(|batch| printer.batch(&batch)).await
    }

    /// The oldest lines (from `--since`), oldest first; with `--level`,
    /// the oldest lines of that level, however many lines that takes.
    async fn oldest(&self, printer: &mut Printer<'_>) -> ReadResult {
        let forward = Forward::new(self.client.clone(), self.agent, self.filter.clone());
        let mut forward = match printer.render.level {
            Some(_) => forward,
            None => forward.take(u64::from(self.count)),
        };
        printer.limit(self.count);
        forward
            .read(|batch| {
                printer.first(&batch)?;
                printer.batch(&batch)
            })
            .await
    }

    /// The newest lines, newest first; with `--level`, the newest lines of
    /// that level, however many lines that takes.
    async fn newest_first(&self, printer: &mut Printer<'_>) -> ReadResult {
        let backward = Backward::new(self.client.clone(), self.agent, self.filter.clone());
        let mut backward = match printer.render.level {
            Some(_) => backward,
            None => backward.take(u64::from(self.count)),
        };
        printer.limit(self.count);
        backward
            .read(|batch| {
                printer.first(&batch)?;
                printer.batch(&batch)
            })
            .await
    }

    /// The newest lines of a level, oldest first: read newest first until
    /// there are enough (or none are left), then shown.
    async fn newest_matching(&self, printer: &mut Printer<'_>) -> ReadResult {
        printer.hold();
        self.newest_first(printer).await
    }
}

/// Where the lines of a listing go: printed a page at a time; or held
/// until the end (newest first, to be shown oldest first); or, for
/// `--output json`, kept for the one document printed at the end (the
/// API's answer with the lines read under `logs`, newest first unless
/// `--order asc`).
struct Printer<'c> {
    ctx: &'c Context,
    render: Render,
    json: Option<Document>,
    held: Option<Vec<LogEntry>>,
    /// Lines to show at most (lines of the level asked for).
    limit: Option<u64>,
    shown: u64,
}

struct Document {
    first: Option<Value>,
    lines: Vec<Value>,
    /// The lines came oldest first and the document lists them newest
    /// first, as the API does.
    reverse: bool,
}

impl<'c> Printer<'c> {
    fn new(ctx: &'c Context, render: Render) -> Printer<'c> {
        let json = (ctx.settings.output.mode == OutputMode::Json).then_some(Document {
            first: None,
            lines: Vec::new(),
            reverse: false,
        });
        Printer {
            ctx,
            render,
            json,
            held: None,
            limit: None,
            shown: 0,
        }
    }

    fn json_newest_first(&mut self) {
        if let Some(document) = &mut self.json {
            document.reverse = true;
        }
    }

    fn hold(&mut self) {
        self.held = Some(Vec::new());
    }

    /// With a level, at most `count` lines of it; without, the read
    /// counts lines itself.
    fn limit(&mut self, count: u32) {
        if self.render.level.is_some() {
            self.limit = Some(u64::from(count));
        }
    }

    /// The answer whose fields (other than its lines) the JSON document
    /// keeps: the first one.
    fn first(&mut self, batch: &Batch<'_>) -> Result<(), Failure> {
        if let Some(document) = &mut self.json
            && document.first.is_none()
        {
            document.first = Some(batch.document().map_err(|err| api_failure(&err))?);
        }
        Ok(())
    }

    fn batch(&mut self, batch: &Batch<'_>) -> Result<Flow, Failure> {
        let left = self.limit.map_or(usize::MAX, |limit| {
            usize::try_from(limit - self.shown).unwrap_or(usize::MAX)
        });
        let render = self.render;
        match (&mut self.json, &mut self.held) {
            (Some(document), _) => {
                // The document keeps every line of the level, empty ones too.
                let raw = batch.raw().map_err(|err| api_failure(&err))?;
                let lines: Vec<Value> = batch
                    .iter()
                    .zip(raw)
                    .filter(|(entry, _)| render.is_of_level(entry))
                    .map(|(_, raw)| raw)
                    .take(left)
                    .collect();
                self.shown += lines.len() as u64;
                document.lines.extend(lines);
            }
            (None, Some(held)) => {
                let before = held.len();
                held.extend(
                    batch
                        .iter()
                        .filter(|entry| render.shows(entry))
                        .take(left)
                        .map(|entry| entry.to_owned_entry()),
                );
                self.shown += (held.len() - before) as u64;
            }
            (None, None) => {
                let mut text = render.text(batch.iter());
                text.truncate(left);
                self.shown += text.len() as u64;
                if !text.is_empty() {
                    self.ctx.out.records(&[text])?;
                }
            }
        }
        Ok(self.limit.is_none_or(|limit| self.shown < limit))
    }

    /// Prints what was held (oldest first) or the JSON document, or says
    /// that nothing matched.
    fn finish(self) -> CliResult {
        if let Some(Document {
            first,
            mut lines,
            reverse,
        }) = self.json
        {
            if reverse {
                lines.reverse();
            }
            let mut document = first.unwrap_or(Value::Null);
            if let Some(logs) = document.get_mut("logs") {
                *logs = Value::Array(lines);
            }
            return self.ctx.out.answer(Answer::new(document));
        }
        if self.shown == 0 {
            return self
                .ctx
                .out
                .answer(Answer::new(Value::Null).aside("No log lines match."));
        }
        if let Some(held) = &self.held {
            let entries: Vec<_> = held.iter().rev().map(LogEntry::as_ref).collect();
            self.ctx.out.records(&[self.render.text(&entries)])?;
        }
        Ok(())
    }
}

fn agent_failure(agent: &str, err: &ApiError) -> Failure {
    match err.kind {
        ErrorKind::NotFound => {
            Failure::new(Exit::NotFound, format!("agent `{agent}` not found: {err}"))
        }
        _ => api_failure(err),
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
}
