//! `pipecat cloud agent sessions`: an agent's sessions as a table with a
//! summary, or one session in full; `--watch` keeps the table current.

use std::time::Duration;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::super::context::{Context, api_failure};
use super::super::duration;
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{
    Answer, Column, Human, Record, Table, format_duration, format_timestamp,
};
use super::live::{Outage, until_interrupted};
use pipecat_cloud::api::types::Session;
use pipecat_cloud::api::{ApiError, Client, ErrorKind, SessionQuery, SessionStatus};

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Agent whose sessions to list [default: `agent_name` in pcc-deploy.toml]
    pub agent_name: Option<String>,
    /// Show this one session in full
    #[arg(short = 'i', long = "id", value_name = "SESSION_ID")]
    pub id: Option<String>,
    /// Which sessions to list [default: all]
    #[arg(long, value_enum, ignore_case = true)]
    pub status: Option<StatusArg>,
    /// At most this many sessions, newest first
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u32).range(1..), default_value_t = 50)]
    pub limit: u32,
    /// Only sessions that ended this way (e.g. completed, agent_error)
    #[arg(long, value_name = "STATE", value_parser = parse_end_state)]
    pub end_state: Option<String>,
    /// Keep the list current until Ctrl-C: redrawn in place on a terminal,
    /// else one snapshot per interval (NDJSON with --output json)
    #[arg(short = 'w', long, conflicts_with = "id")]
    pub watch: bool,
    /// Time between two snapshots with --watch: seconds, or a duration
    /// such as 500ms
    #[arg(long, value_name = "DURATION", value_parser = duration::interval, default_value = "2", requires = "watch")]
    pub interval: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Active,
    Ended,
    All,
}

impl From<StatusArg> for SessionStatus {
    fn from(arg: StatusArg) -> SessionStatus {
        match arg {
            StatusArg::Active => SessionStatus::Active,
            StatusArg::Ended => SessionStatus::Ended,
            StatusArg::All => SessionStatus::All,
        }
    }
}

/// The official CLI's rule for end states: `^[a-z][a-z0-9_]*$`.
fn parse_end_state(text: &str) -> Result<String, String> {
    let mut chars = text.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(text.to_string())
    } else {
        Err("lower-case letters, digits and `_`, starting with a letter (e.g. completed)".into())
    }
}

pub async fn run(args: SessionsArgs, ctx: &Context) -> CliResult {
    let agent = super::agent_name(args.agent_name)?;
    let client = ctx.management_client().await?;
    let now = jiff::Timestamp::now();
    if let Some(id) = args.id {
        let session = client
            .get_session(&agent, &id)
            .await
            .map_err(|err| not_found(&err, format!("session `{id}` of agent `{agent}`")))?;
        let pairs = details(&session.value, now);
        return ctx.out.answer(Answer::new(session.raw).key_values(pairs));
    }
    let query = SessionQuery {
        limit: Some(args.limit),
        status: args.status.map(SessionStatus::from),
        end_state: args.end_state,
        ..SessionQuery::default()
    };
    if args.watch {
        let watch = Watch {
            agent,
            query,
            interval: args.interval,
        };
        return until_interrupted(watch.run(&client, ctx)).await;
    }
    let listing = client
        .newest_sessions(&agent, &query, args.limit)
        .await
        .map_err(|err| not_found(&err, format!("agent `{agent}`")))?;
    let sessions = &listing.value.sessions;
    let total = listing.value.total_count.unwrap_or(sessions.len() as u64);
    // The summary is for people; plain output stays one TSV table.
    let table = table(sessions, now)
        .when_empty(format!("No sessions of agent `{agent}` match."))
        .footer(summary(sessions, total, now));
    ctx.out.answer(Answer::new(listing.raw).table(table))
}

/// Sessions as a table, in the order given (the API's: newest first).
fn table(sessions: &[Session], now: jiff::Timestamp) -> Table {
    let mut table = Table::new([
        Column::id("Session ID").key(),
        Column::time("Created"),
        Column::time("Ended").low(),
        Column::number("Duration"),
        Column::label("Status").key(),
        Column::number("Bot start").low(),
        Column::label("Cold start").low(),
    ]);
    for session in sessions {
        table.push(vec![
            session.session_id.clone(),
            optional_time(session.created_at.as_deref()),
            optional_time(session.ended_at.as_deref()),
            duration_seconds(session, now).map_or_else(|| "-".into(), format_duration),
            status_label(session),
            session
                .bot_start_seconds
                .map_or_else(|| "-".into(), |s| format!("{s:.1}s")),
            session
                .cold_start
                .map_or_else(|| "-".into(), |cold| if cold { "yes" } else { "no" }.into()),
        ]);
    }
    table
}

/// A `--watch` run: a snapshot of the agent's sessions every interval.
struct Watch {
    agent: String,
    query: SessionQuery,
    interval: Duration,
}

/// One look at the agent: how many sessions run, how many may, and the
/// listing (as typed and as the API sent it).
struct Snapshot {
    active: u64,
    capacity: Option<u32>,
    sessions: Vec<Session>,
    raw_sessions: Value,
}

impl Watch {
    async fn run(self, client: &Client, ctx: &Context) -> CliResult {
        let mut outage = Outage::new();
        loop {
            let snapshot = match self.snapshot(client).await {
                Ok(snapshot) => snapshot,
                Err(err) if err.kind == ErrorKind::NotFound => {
                    return Err(not_found(&err, format!("agent `{}`", self.agent)));
                }
                Err(err) => {
                    outage.failed(ctx, &err).await?;
                    continue;
                }
            };
            outage.succeeded(ctx);
            let frame = Frame {
                watch: &self,
                snapshot,
                now: jiff::Timestamp::now(),
            };
            ctx.out.records(&[frame])?;
            tokio::time::sleep(self.interval).await;
        }
    }

    async fn snapshot(&self, client: &Client) -> Result<Snapshot, ApiError> {
        let agent = client.get_agent(&self.agent).await?.value;
        let listing = client.list_sessions(&self.agent, &self.query).await?;
        let sessions = listing.value.sessions;
        let active = match agent.active_session_count {
            Some(count) => u64::from(count),
            None => sessions
                .iter()
                .filter(|s| status_label(s) == "Active")
                .count() as u64,
        };
        Ok(Snapshot {
            active,
            capacity: agent.max_agents(),
            sessions,
            raw_sessions: listing.raw.get("sessions").cloned().unwrap_or(json!([])),
        })
    }
}

/// One snapshot of a watch, as shown.
struct Frame<'a> {
    watch: &'a Watch,
    snapshot: Snapshot,
    now: jiff::Timestamp,
}

impl Record for Frame<'_> {
    fn document(&self) -> Value {
        json!({
            "time": self.now.to_string(),
            "agent": self.watch.agent,
            "active": self.snapshot.active,
            "capacity": self.snapshot.capacity,
            "sessions": self.snapshot.raw_sessions,
        })
    }

    /// Redrawn in place where a person looks at a table (rich output on a
    /// terminal), else one snapshot after the other.
    fn human(&self, human: &Human) -> String {
        let capacity = self
            .snapshot
            .capacity
            .map_or_else(|| "?".to_string(), |max| max.to_string());
        let time = self.now.strftime("%Y-%m-%d %H:%M:%S").to_string();
        let table = human.table(&table(&self.snapshot.sessions, self.now));
        let (agent, active) = (&self.watch.agent, self.snapshot.active);
        if human.rich && human.terminal {
            format!(
                // Home and clear, then the whole picture.
                "\x1b[H\x1b[2J{agent}: {active} active of {capacity} · {time} UTC · every {}s, Ctrl-C stops\n{table}",
                self.watch.interval.as_secs_f64(),
            )
        } else {
            format!("# {time}\tagent={agent}\tactive={active}\tcapacity={capacity}\n{table}\n")
        }
    }
}

fn not_found(err: &ApiError, what: String) -> Failure {
    match err.kind {
        ErrorKind::NotFound => Failure::new(Exit::NotFound, format!("{what} not found: {err}")),
        _ => api_failure(err),
    }
}

fn optional_time(raw: Option<&str>) -> String {
    raw.map_or_else(|| "-".into(), format_timestamp)
}

fn seconds_of(raw: Option<&str>) -> Option<f64> {
    let ts: jiff::Timestamp = raw?.parse().ok()?;
    Some(ts.as_millisecond() as f64 / 1000.0)
}

/// How long the session ran: to its end, or until now while it runs.
pub(super) fn duration_seconds(session: &Session, now: jiff::Timestamp) -> Option<f64> {
    let created = seconds_of(session.created_at.as_deref())?;
    let ended = match &session.ended_at {
        Some(ended) => seconds_of(Some(ended))?,
        None => now.as_millisecond() as f64 / 1000.0,
    };
    Some(ended - created)
}

/// The official CLI's status words: an HTTP 500 completion is an error;
/// otherwise the end state, else ended or active by `endedAt`.
pub(super) fn status_label(session: &Session) -> String {
    if session.completion_status.as_deref() == Some("500") {
        return "Error (500)".into();
    }
    match session.end_state.as_deref() {
        Some("active") => "Active".into(),
        Some("completed") => "Complete".into(),
        Some("ended_before_agent_start") => "Ended before agent start".into(),
        Some("agent_start_timeout") => "Timeout".into(),
        Some("terminated") => "Terminated".into(),
        Some("agent_error") => "Agent error".into(),
        Some(_) => "Ended".into(),
        None if session.ended_at.is_some() => "Complete".into(),
        None => "Active".into(),
    }
}

fn summary(sessions: &[Session], total: u64, now: jiff::Timestamp) -> String {
    let active = sessions
        .iter()
        .filter(|s| status_label(s) == "Active")
        .count();
    let mut ended: Vec<f64> = sessions
        .iter()
        .filter(|s| s.ended_at.is_some())
        .filter_map(|s| duration_seconds(s, now))
        .collect();
    ended.sort_by(f64::total_cmp);
    let shown = sessions.len();
    let mut text = format!("{shown} shown of {total}, {active} active");
    if let (Some(p50), Some(p95)) = (percentile(&ended, 50.0), percentile(&ended, 95.0)) {
        text.push_str(&format!(
            "; duration of ended sessions p50 {}, p95 {}",
            format_duration(p50),
            format_duration(p95)
        ));
    }
    text
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn details(session: &Session, now: jiff::Timestamp) -> Vec<(&'static str, String)> {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    let mut pairs = vec![
        ("Session ID", session.session_id.clone()),
        ("Status", status_label(session)),
        ("Created", optional_time(session.created_at.as_deref())),
        ("Ended", optional_time(session.ended_at.as_deref())),
        (
            "Duration",
            duration_seconds(session, now).map_or_else(|| "-".into(), format_duration),
        ),
        (
            "Bot start",
            session
                .bot_start_seconds
                .map_or_else(|| "-".into(), |s| format!("{s:.1}s")),
        ),
        (
            "Cold start",
            session
                .cold_start
                .map_or_else(|| "-".into(), |cold| if cold { "yes" } else { "no" }.into()),
        ),
        ("Completion status", text(&session.completion_status)),
        ("Deployment ID", text(&session.deployment_id)),
    ];
    if let Some(max) = session.max_session_duration {
        pairs.push(("Max duration", format!("{max}s")));
    }
    if let Some(billed) = session.billed_seconds {
        pairs.push(("Billed", format!("{billed:.1}s")));
    }
    if let Some(lifecycle) = &session.lifecycle {
        for (label, at) in [
            ("Requested", &lifecycle.requested_at),
            ("Process started", &lifecycle.process_started_at),
            ("Stop requested", &lifecycle.stop_requested_at),
        ] {
            if let Some(at) = at {
                pairs.push((label, format_timestamp(at)));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: &str, ended: Option<&str>) -> Session {
        Session {
            session_id: "s".into(),
            created_at: Some(created.into()),
            ended_at: ended.map(str::to_string),
            ..Session::default()
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), Some(10.0));
        assert_eq!(percentile(&values, 95.0), Some(19.0));
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn status_follows_the_official_mapping() {
        let mut s = session("2025-01-01T00:00:00Z", None);
        assert_eq!(status_label(&s), "Active");
        s.ended_at = Some("2025-01-01T00:01:00Z".into());
        assert_eq!(status_label(&s), "Complete");
        s.end_state = Some("agent_error".into());
        assert_eq!(status_label(&s), "Agent error");
        s.completion_status = Some("500".into());
        assert_eq!(status_label(&s), "Error (500)");
    }

    #[test]
    fn summary_counts_active_and_ended_durations() {
        let now: jiff::Timestamp = "2025-01-01T01:00:00Z".parse().unwrap();
        let sessions = [
            session("2025-01-01T00:00:00Z", Some("2025-01-01T00:00:10Z")),
            session("2025-01-01T00:00:00Z", Some("2025-01-01T00:01:40Z")),
            session("2025-01-01T00:59:00Z", None),
        ];
        assert_eq!(
            summary(&sessions, 7, now),
            "3 shown of 7, 1 active; duration of ended sessions p50 00:00:10, p95 00:01:40"
        );
    }

    #[test]
    fn end_state_rule() {
        assert!(parse_end_state("agent_error").is_ok());
        assert!(parse_end_state("Agent").is_err());
        assert!(parse_end_state("").is_err());
    }
}
