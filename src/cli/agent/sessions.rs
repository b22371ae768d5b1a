//! `pipecat cloud agent sessions`: an agent's sessions (or, without an
//! agent, every agent's) as a table with a summary, or one session in
//! full; `--watch` keeps the table current.

use std::time::Duration;

use clap::{Args, ValueEnum};
use clap_complete::engine::ArgValueCompleter;
use serde_json::{Value, json};

use super::super::complete;
use super::super::context::{Context, api_failure};
use super::super::duration;
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, Column, Human, Record, Table, counted, format_duration};
use super::live::{Outage, until_interrupted};
use pipecat_cloud::api::types::{AgentDetails, Session};
use pipecat_cloud::api::{ApiError, Client, ErrorKind, SessionQuery, SessionStatus, limits};

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Agent whose sessions to list [default: `agent_name` in
    /// pcc-deploy.toml, else every agent's]
    #[arg(add = ArgValueCompleter::new(complete::agent_names))]
    pub agent_name: Option<String>,
    #[command(flatten)]
    pub deploy_config: super::DeployConfigArg,
    /// Show this one session in full
    #[arg(short = 'i', long = "id", value_name = "SESSION_ID")]
    pub id: Option<String>,
    /// Which sessions to list [default: all]
    #[arg(long, value_enum, ignore_case = true)]
    pub status: Option<StatusArg>,
    /// At most this many sessions, newest first (over 10000, read page by
    /// page)
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
    let agent = args.deploy_config.project_agent(args.agent_name)?;
    let client = ctx.management_client().await?;
    if let Some(id) = args.id {
        let agent = agent.ok_or_else(|| {
            Failure::usage("--id needs the agent of the session")
                .with_hint("pass the agent name as the first argument")
        })?;
        let session = match client.get_session(&agent, &id).await {
            Ok(session) => session,
            Err(err) => {
                return Err(session_failure(ctx, &client, &agent, &id, &err).await);
            }
        };
        let pairs = details(&session.value, jiff::Timestamp::now(), |raw| {
            ctx.out.timestamp(raw)
        });
        return ctx.out.answer(Answer::new(session.raw).key_values(pairs));
    }
    let query = SessionQuery {
        limit: Some(args.limit),
        status: args.status.map(SessionStatus::from),
        end_state: args.end_state,
        ..SessionQuery::default()
    };
    let scope = match agent {
        Some(agent) => Scope::One(agent),
        None => Scope::All,
    };
    if args.watch {
        let watch = Watch {
            scope,
            query,
            interval: args.interval,
        };
        return until_interrupted(watch.run(&client, ctx)).await;
    }
    // The counts are for the summary a person reads.
    let counts = !ctx.out.prints_documents();
    let snapshot = match scope.look(&client, &query, counts).await {
        Ok(snapshot) => snapshot,
        Err(err) => return Err(scope.failure(ctx, &client, &err).await),
    };
    let now = jiff::Timestamp::now();
    // The summary is for people; plain output stays one TSV table.
    let table = snapshot
        .table(&scope, now)
        .when_empty(match &scope {
            Scope::One(agent) => format!("No sessions of agent `{agent}` match."),
            Scope::All => "No sessions of any agent match.".to_string(),
        })
        .footer(snapshot.summary(now));
    ctx.out.answer(Answer::new(snapshot.document).table(table))
}

/// Whose sessions to list.
enum Scope {
    One(String),
    /// Every agent of the organization (no agent named, and no
    /// pcc-deploy.toml naming one).
    All,
}

/// One look at the sessions: the listing (merged across agents, newest
/// first, for [`Scope::All`]), how many sessions run, and the document
/// `--output json` prints.
struct Snapshot {
    /// Each session with its agent.
    sessions: Vec<(String, Session)>,
    /// Sessions of the scope in all, as the API counts them.
    total: u64,
    /// Active sessions of the scope in all (not only of those shown),
    /// when known.
    active: Option<u64>,
    /// The agent's session limit (for one agent).
    capacity: Option<u32>,
    /// Agents looked at.
    agents: usize,
    /// One agent: the API's answer as it came. Every agent: the same
    /// shape, `{"total_count": N, "sessions": [...]}`, each session with
    /// its `agentName`.
    document: Value,
}

impl Scope {
    /// The sessions `query` selects; with `counts`, also how many are
    /// active and the limit (one more request per agent).
    async fn look(
        &self,
        client: &Client,
        query: &SessionQuery,
        counts: bool,
    ) -> Result<Snapshot, ApiError> {
        match self {
            Scope::One(agent) => {
                let count = query.limit.unwrap_or(limits::MAX_PAGE);
                let listing = client.newest_sessions(agent, query, count);
                let (listing, details) = tokio::join!(listing, async {
                    if counts {
                        client.get_agent(agent).await.map(|found| Some(found.value))
                    } else {
                        Ok(None)
                    }
                });
                let listing = listing?;
                let details = details?;
                let sessions = listing.value.sessions;
                Ok(Snapshot {
                    total: listing.value.total_count.unwrap_or(sessions.len() as u64),
                    active: details
                        .as_ref()
                        .and_then(|d| d.active_session_count)
                        .map(u64::from),
                    capacity: details.as_ref().and_then(AgentDetails::max_agents),
                    sessions: sessions.into_iter().map(|s| (agent.clone(), s)).collect(),
                    agents: 1,
                    document: listing.raw,
                })
            }
            Scope::All => {
                let names = client.agent_names().await?;
                let looks = super::each_agent(&names, |name| async move {
                    let one = Scope::One(name);
                    let look = one.look(client, query, counts).await;
                    (one, look)
                })
                .await;
                let mut merged = Snapshot {
                    sessions: Vec::new(),
                    total: 0,
                    active: counts.then_some(0),
                    capacity: None,
                    agents: 0,
                    document: Value::Null,
                };
                // Each session with its agent and its document.
                let mut entries: Vec<(String, Session, Value)> = Vec::new();
                for (one, look) in looks {
                    let Scope::One(name) = one else { continue };
                    let look = match look {
                        Ok(look) => look,
                        // Deleted since the agents were listed.
                        Err(err) if err.kind == ErrorKind::NotFound => continue,
                        Err(err) => return Err(err),
                    };
                    merged.agents += 1;
                    merged.total += look.total;
                    merged.active = merged.active.zip(look.active).map(|(a, b)| a + b);
                    let raw = look.document.get("sessions").and_then(Value::as_array);
                    for (i, (_, session)) in look.sessions.into_iter().enumerate() {
                        let mut document = raw
                            .and_then(|raw| raw.get(i))
                            .cloned()
                            .unwrap_or_else(|| json!({}));
                        if let Some(object) = document.as_object_mut() {
                            object.insert("agentName".into(), Value::String(name.clone()));
                        }
                        entries.push((name.clone(), session, document));
                    }
                }
                // Newest first across agents, as each agent's list is.
                let created = |session: &Session| {
                    session
                        .created_at
                        .as_deref()
                        .and_then(|at| at.parse::<jiff::Timestamp>().ok())
                };
                entries.sort_by_key(|(_, session, _)| std::cmp::Reverse(created(session)));
                entries.truncate(query.limit.map_or(usize::MAX, |n| n as usize));
                let mut documents = Vec::with_capacity(entries.len());
                for (name, session, document) in entries {
                    merged.sessions.push((name, session));
                    documents.push(document);
                }
                merged.document = json!({"total_count": merged.total, "sessions": documents});
                Ok(merged)
            }
        }
    }

    /// The failure for `err`, met while listing.
    async fn failure(&self, ctx: &Context, client: &Client, err: &ApiError) -> Failure {
        match self {
            Scope::One(agent) => {
                let command = ["agent", "sessions", agent.as_str()];
                super::agent_failure(ctx, client, agent, err, &command).await
            }
            Scope::All => api_failure(err),
        }
    }
}

impl Snapshot {
    /// The sessions as a table, in the order given (newest first), with
    /// the official CLI's columns in its order, then their agent when they
    /// are of several (so `cut -f1` reads session ids either way).
    fn table(&self, scope: &Scope, now: jiff::Timestamp) -> Table {
        let every_agent = matches!(scope, Scope::All);
        let agent_column = every_agent.then(|| Column::name("Agent").key());
        let mut table = Table::new(
            [
                Column::id("Session ID").key(),
                Column::time("Created At"),
                Column::time("Ended At").low(),
                Column::number("Duration"),
                Column::label("Status").high(),
                Column::number("Bot Start Seconds").low(),
                Column::label("Cold Start").low(),
            ]
            .into_iter()
            .chain(agent_column),
        );
        for (agent, session) in &self.sessions {
            let agent_cell = every_agent.then(|| agent.clone());
            table.push(
                [
                    session.session_id.clone(),
                    optional(session.created_at.as_deref()),
                    optional(session.ended_at.as_deref()),
                    duration_seconds(session, now).map_or_else(|| "-".into(), format_duration),
                    status_label(session),
                    session
                        .bot_start_seconds
                        .map_or_else(|| "-".into(), |s| format!("{s:.1}")),
                    session
                        .cold_start
                        .map_or_else(|| "-".into(), |cold| if cold { "yes" } else { "no" }.into()),
                ]
                .into_iter()
                .chain(agent_cell)
                .collect(),
            );
        }
        table
    }

    /// `3 shown of 7, 4 active; ended: p50 .., p95 ..`:
    /// the active count is the agent's (or agents'), not only of those
    /// shown.
    fn summary(&self, now: jiff::Timestamp) -> String {
        let shown_active = self
            .sessions
            .iter()
            .filter(|(_, s)| status_label(s) == "Active")
            .count() as u64;
        let mut ended: Vec<f64> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.ended_at.is_some())
            .filter_map(|(_, s)| duration_seconds(s, now))
            .collect();
        ended.sort_by(f64::total_cmp);
        let (shown, total) = (self.sessions.len(), self.total);
        let mut text = match self.active {
            Some(active) => format!("{shown} shown of {total}, {active} active"),
            None => format!("{shown} shown of {total}, {shown_active} of them active"),
        };
        if self.agents != 1 {
            text.push_str(&format!(" across {}", counted(self.agents, "agent")));
        }
        if let (Some(p50), Some(p95)) = (percentile(&ended, 50.0), percentile(&ended, 95.0)) {
            text.push_str(&format!(
                "; ended: p50 {}, p95 {}",
                format_duration(p50),
                format_duration(p95)
            ));
        }
        text
    }
}

/// A `--watch` run: a snapshot of the sessions every interval.
struct Watch {
    scope: Scope,
    query: SessionQuery,
    interval: Duration,
}

impl Watch {
    /// On a terminal (rich output) the snapshot is redrawn in place, and
    /// at once when the terminal's size changes; else one record per
    /// snapshot.
    async fn run(self, client: &Client, ctx: &Context) -> CliResult {
        let mut outage = Outage::new();
        let mut screen = ctx.out.live_screen()?;
        loop {
            let snapshot = match self.scope.look(client, &self.query, true).await {
                Ok(snapshot) => snapshot,
                Err(err) if err.kind == ErrorKind::NotFound => {
                    return Err(self.scope.failure(ctx, client, &err).await);
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
            let Some(screen) = &mut screen else {
                ctx.out.records(&[frame])?;
                tokio::time::sleep(self.interval).await;
                continue;
            };
            let heading = frame.heading(&ctx.out.time_of_day(&frame.now.to_string()));
            let next = tokio::time::Instant::now() + self.interval;
            loop {
                screen.draw(&heading, &frame.table())?;
                tokio::select! {
                    _ = tokio::time::sleep_until(next) => break,
                    _ = screen.resized() => {}
                }
            }
        }
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
        let snapshot = &self.snapshot;
        let sessions = snapshot
            .document
            .get("sessions")
            .cloned()
            .unwrap_or(json!([]));
        match &self.watch.scope {
            Scope::One(agent) => json!({
                "time": self.now.to_string(),
                "agent": agent,
                "active": snapshot.active,
                "capacity": snapshot.capacity,
                "sessions": sessions,
            }),
            Scope::All => json!({
                "time": self.now.to_string(),
                "agents": snapshot.agents,
                "active": snapshot.active,
                "sessions": sessions,
            }),
        }
    }

    /// One snapshot after the other (rich output on a terminal is
    /// redrawn in place instead, see [`Watch::run`]).
    fn human(&self, human: &Human) -> String {
        let time = human.time_of_day(&self.now.to_string());
        let what = match &self.watch.scope {
            Scope::One(agent) => format!(
                "agent={agent}\tactive={}\tcapacity={}",
                self.active(),
                self.capacity()
            ),
            Scope::All => format!("agents={}\tactive={}", self.snapshot.agents, self.active()),
        };
        format!("# {time}\t{what}\n{}\n", human.table(&self.table()))
    }
}

impl Frame<'_> {
    /// The line above the table on a live screen, the time as `time`.
    fn heading(&self, time: &str) -> String {
        let what = match &self.watch.scope {
            Scope::One(agent) => {
                format!("{agent}: {} active of {}", self.active(), self.capacity())
            }
            Scope::All => format!(
                "{} active across {} agents",
                self.active(),
                self.snapshot.agents
            ),
        };
        format!(
            "{what} · {time} · every {}s · Ctrl-C stops",
            self.watch.interval.as_secs_f64()
        )
    }

    fn table(&self) -> Table {
        self.snapshot.table(&self.watch.scope, self.now)
    }

    fn active(&self) -> String {
        self.snapshot
            .active
            .map_or_else(|| "?".to_string(), |n| n.to_string())
    }

    fn capacity(&self) -> String {
        self.snapshot
            .capacity
            .map_or_else(|| "?".to_string(), |max| max.to_string())
    }
}

/// Sessions per request when every active one is read.
const ACTIVE_PAGE: u32 = 100;
/// The most active sessions read (far above any agent's capacity).
const MAX_ACTIVE: usize = 10_000;

/// Every active session of `agent`, newest first.
pub async fn active_sessions(client: &Client, agent: &str) -> Result<Vec<Session>, ApiError> {
    let mut sessions = Vec::new();
    loop {
        let query = SessionQuery {
            limit: Some(ACTIVE_PAGE),
            offset: Some(u32::try_from(sessions.len()).unwrap_or(u32::MAX)),
            status: Some(SessionStatus::Active),
            ..SessionQuery::default()
        };
        let page = client.list_sessions(agent, &query).await?.value.sessions;
        let last = page.len() < ACTIVE_PAGE as usize;
        sessions.extend(page);
        if last || sessions.len() >= MAX_ACTIVE {
            return Ok(sessions);
        }
    }
}

/// The failure for `err`, met reading session `id` of `agent`.
async fn session_failure(
    ctx: &Context,
    client: &Client,
    agent: &str,
    id: &str,
    err: &ApiError,
) -> Failure {
    if err.kind != ErrorKind::NotFound {
        return api_failure(err);
    }
    // A 404 is about the session or the agent: the agent's status says.
    if let Err(agent_err) = client.get_agent(agent).await
        && agent_err.kind == ErrorKind::NotFound
    {
        let command = ["agent", "sessions", agent, "--id", id];
        return super::agent_failure(ctx, client, agent, &agent_err, &command).await;
    }
    Failure::new(
        Exit::NotFound,
        format!("session `{id}` of agent `{agent}` not found: {err}"),
    )
    .with_hint(format!(
        "list the agent's sessions with `{}`",
        ctx.settings.suggest(&["agent", "sessions", agent])
    ))
}

/// A cell's text, `-` when there is none.
fn optional(raw: Option<&str>) -> String {
    raw.unwrap_or("-").to_string()
}

fn seconds_of(raw: Option<&str>) -> Option<f64> {
    let ts: jiff::Timestamp = raw?.parse().ok()?;
    Some(ts.as_millisecond() as f64 / 1000.0)
}

/// How long the session ran: to its end, or until now while it runs.
pub fn duration_seconds(session: &Session, now: jiff::Timestamp) -> Option<f64> {
    let created = seconds_of(session.created_at.as_deref())?;
    let ended = match &session.ended_at {
        Some(ended) => seconds_of(Some(ended))?,
        None => now.as_millisecond() as f64 / 1000.0,
    };
    Some(ended - created)
}

/// The official CLI's status words: an HTTP 500 completion is an error;
/// otherwise the end state, else ended or active by `endedAt`.
pub fn status_label(session: &Session) -> String {
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

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// One session's fields as shown, times through `time`.
fn details(
    session: &Session,
    now: jiff::Timestamp,
    time: impl Fn(&str) -> String,
) -> Vec<(&'static str, String)> {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    let optional_time = |raw: Option<&str>| raw.map_or_else(|| "-".into(), &time);
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
                pairs.push((label, time(at)));
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

    fn snapshot(sessions: Vec<Session>, total: u64, active: Option<u64>) -> Snapshot {
        Snapshot {
            sessions: sessions.into_iter().map(|s| ("bot".into(), s)).collect(),
            total,
            active,
            capacity: None,
            agents: 1,
            document: Value::Null,
        }
    }

    #[test]
    fn summary_counts_every_active_session_and_ended_durations() {
        let now: jiff::Timestamp = "2025-01-01T01:00:00Z".parse().unwrap();
        let sessions = vec![
            session("2025-01-01T00:00:00Z", Some("2025-01-01T00:00:10Z")),
            session("2025-01-01T00:00:00Z", Some("2025-01-01T00:01:40Z")),
            session("2025-01-01T00:59:00Z", None),
        ];
        // One active among those shown, four in all (`-n` cut the rest).
        assert_eq!(
            snapshot(sessions.clone(), 7, Some(4)).summary(now),
            "3 shown of 7, 4 active; ended: p50 00:00:10, p95 00:01:40"
        );
        assert!(
            snapshot(sessions.clone(), 7, None)
                .summary(now)
                .starts_with("3 shown of 7, 1 of them active;")
        );
        let mut all = snapshot(sessions, 9, Some(5));
        all.agents = 3;
        assert!(
            all.summary(now)
                .starts_with("3 shown of 9, 5 active across 3 agents;"),
            "{}",
            all.summary(now)
        );
    }

    #[test]
    fn every_agents_sessions_name_their_agent() {
        let now: jiff::Timestamp = "2025-01-01T01:00:00Z".parse().unwrap();
        let snapshot = snapshot(vec![session("2025-01-01T00:00:00Z", None)], 1, Some(1));
        let (out, captured) =
            crate::cli::output::Output::capture(crate::cli::output::OutputMode::Plain);
        out.answer(Answer::new(Value::Null).table(snapshot.table(&Scope::All, now)))
            .unwrap();
        assert!(
            captured
                .stdout()
                .starts_with("Session ID\tCreated At\tEnded At\tDuration\tStatus\t"),
            "{}",
            captured.stdout()
        );
        assert!(
            captured.stdout().contains("\tCold Start\tAgent\n")
                && captured
                    .stdout()
                    .contains("\ns\t2025-01-01T00:00:00Z\t-\t01:00:00\tActive\t-\t-\tbot\n"),
            "{}",
            captured.stdout()
        );
    }

    #[test]
    fn end_state_rule() {
        assert!(parse_end_state("agent_error").is_ok());
        assert!(parse_end_state("Agent").is_err());
        assert!(parse_end_state("").is_err());
    }
}
