//! `pipecat cloud top`: every agent's active sessions against its
//! capacity, kept current; session starts and ends as they happen; the
//! selected session's logs; keys to move, stop a session (after a yes)
//! and quit.
//!
//! It polls the API's ordinary routes (agent list, agent status, active
//! sessions, logs), so it works against Pipecat Cloud and the local cloud
//! alike. On a terminal (rich output, stdin and stdout terminals) it is a
//! full-screen view (ratatui); without one it prints a snapshot per
//! interval as `sessions --watch` does (NDJSON with `--output json`).

mod poll;
mod view;

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::signal::unix::SignalKind;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use super::agent::live::{Outage, until_interrupted};
use super::agent::sessions::{duration_seconds, status_label};
use super::context::{Context, api_failure};
use super::duration;
use super::exit::{CliResult, Exit, Failure};
use super::output::{Column, Human, Record, Table, format_duration};
use pipecat_cloud::api::types::LogEntry;
use pipecat_cloud::api::{ApiError, Client};
use poll::{Poller, Snapshot};
use view::{Action, View};

#[derive(Debug, Args)]
pub struct TopArgs {
    /// Time between two looks at the API: seconds, or a duration such as
    /// 500ms
    #[arg(long, value_name = "DURATION", value_parser = duration::interval, default_value = "2")]
    pub interval: Duration,
}

pub async fn run(args: TopArgs, ctx: &Context) -> CliResult {
    let client = ctx.management_client().await?;
    if ctx.out.full_screen() {
        return full_screen(client, args.interval).await;
    }
    until_interrupted(snapshots(ctx, client, args.interval)).await
}

/// Without a full screen: a snapshot per interval, redrawn in place on a
/// terminal (rich output), else one record each.
async fn snapshots(ctx: &Context, client: Client, interval: Duration) -> CliResult {
    let mut screen = ctx.out.live_screen()?;
    let mut poller = Poller::new(client);
    let mut outage = Outage::new();
    loop {
        let snapshot = match poller.look().await {
            Ok(snapshot) => snapshot,
            Err(err) => {
                outage.failed(ctx, &err).await?;
                continue;
            }
        };
        outage.succeeded(ctx);
        let frame = Frame(snapshot);
        match &mut screen {
            Some(screen) => {
                let next = tokio::time::Instant::now() + interval;
                loop {
                    screen.draw(&frame.heading(ctx), &frame.table())?;
                    tokio::select! {
                        _ = tokio::time::sleep_until(next) => break,
                        _ = screen.resized() => {}
                    }
                }
            }
            None => {
                ctx.out.records(&[frame])?;
                tokio::time::sleep(interval).await;
            }
        }
    }
}

/// A snapshot as `--watch`-style output.
struct Frame(Snapshot);

impl Frame {
    /// The line above the table on a live screen, the time in the zone
    /// every time is shown in.
    fn heading(&self, ctx: &Context) -> String {
        format!(
            "{} agents · {} active sessions · {} · Ctrl-C stops",
            self.0.agents.len(),
            self.0.active(),
            ctx.out.time_of_day(&self.0.at.to_string())
        )
    }

    fn table(&self) -> Table {
        let mut table = Table::new([
            Column::name("Agent").key(),
            Column::id("Session ID").key(),
            Column::number("Running"),
            Column::label("Status"),
            Column::time("Created").low(),
        ])
        .when_empty("No active sessions.");
        for row in &self.0.sessions {
            table.push(vec![
                row.agent.clone(),
                row.session.session_id.clone(),
                duration_seconds(&row.session, self.0.at)
                    .map_or_else(|| "-".into(), format_duration),
                status_label(&row.session),
                row.session.created_at.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        table
    }
}

impl Record for Frame {
    fn document(&self) -> Value {
        self.0.document()
    }

    fn human(&self, human: &Human) -> String {
        let capacity: Vec<String> = self
            .0
            .agents
            .iter()
            .map(|agent| {
                let max = agent
                    .capacity
                    .map_or_else(|| "?".to_string(), |max| max.to_string());
                format!("{}={}/{max}", agent.name, agent.active)
            })
            .collect();
        format!(
            "# {}\tactive={}\t{}\n{}\n",
            human.time_of_day(&self.0.at.to_string()),
            self.0.active(),
            capacity.join("\t"),
            human.table(&self.table())
        )
    }
}

/// What the background tasks tell the view.
enum Update {
    Looked(Result<Snapshot, ApiError>),
    Logs(String, Result<Vec<LogEntry>, ApiError>),
    Stopped(String, String, Result<(), ApiError>),
}

/// A task that is aborted when this is dropped (on every way out).
struct Task(JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The terminal in full-screen mode (raw, alternate screen) until dropped,
/// which puts it back on every way out; ratatui's panic hook does the same
/// on a panic.
struct FullScreen(ratatui::DefaultTerminal);

impl FullScreen {
    fn enter() -> CliResult<FullScreen> {
        ratatui::try_init().map(FullScreen).map_err(|err| {
            Failure::new(Exit::ApiFailure, format!("cannot use the terminal: {err}"))
        })
    }
}

impl Drop for FullScreen {
    fn drop(&mut self) {
        let _ = ratatui::try_restore();
        let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    }
}

async fn full_screen(client: Client, interval: Duration) -> CliResult {
    let (updates_tx, mut updates) = mpsc::channel(16);
    let (selection_tx, selection) = watch::channel(None);
    let look_now = Arc::new(Notify::new());
    let _looking = Task(tokio::spawn(look(
        Poller::new(client.clone()),
        interval,
        look_now.clone(),
        updates_tx.clone(),
    )));
    let _reading = Task(tokio::spawn(read_logs(
        client.clone(),
        interval,
        selection,
        updates_tx.clone(),
    )));
    let mut view = View::new(client.base_url(), interval);
    let mut screen = FullScreen::enter()?;
    let mut keys = EventStream::new();
    // In raw mode Ctrl-C is a key; these come from elsewhere (kill).
    let listen = |kind| {
        tokio::signal::unix::signal(kind).map_err(|err| {
            Failure::new(
                Exit::ApiFailure,
                format!("cannot listen for signals: {err}"),
            )
        })
    };
    let mut interrupt = listen(SignalKind::interrupt())?;
    let mut terminate = listen(SignalKind::terminate())?;
    let draw_failed =
        |err: std::io::Error| Failure::new(Exit::ApiFailure, format!("cannot draw: {err}"));
    loop {
        screen
            .0
            .draw(|frame| view.draw(frame))
            .map_err(draw_failed)?;
        let action = tokio::select! {
            Some(update) = updates.recv() => match update {
                Update::Looked(Ok(snapshot)) => {
                    view.looked(snapshot);
                    Action::Nothing
                }
                // Before a first look, only an outage is waited out.
                Update::Looked(Err(err)) if !view.has_looked() && !err.is_outage() => {
                    drop(screen);
                    return Err(api_failure(&err));
                }
                Update::Looked(Err(err)) => {
                    view.failed(&err);
                    Action::Nothing
                }
                Update::Logs(id, Ok(lines)) => {
                    view.logs(id, lines);
                    Action::Nothing
                }
                Update::Logs(_, Err(err)) => {
                    view.failed(&err);
                    Action::Nothing
                }
                Update::Stopped(agent, id, outcome) => {
                    view.stopped(&agent, &id, outcome);
                    look_now.notify_one();
                    Action::Nothing
                }
            },
            event = keys.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Press => view.key(key),
                Some(Ok(_)) => Action::Nothing,
                // No more keys: nobody can quit by a key any more.
                None | Some(Err(_)) => Action::Quit,
            },
            _ = interrupt.recv() => Action::Interrupt,
            _ = terminate.recv() => Action::Interrupt,
        };
        match action {
            Action::Nothing => {}
            Action::Quit => return Ok(()),
            Action::Interrupt => return Err(Failure::silent(Exit::Interrupted, "interrupted")),
            Action::Stop(agent, id) => {
                let (client, updates) = (client.clone(), updates_tx.clone());
                tokio::spawn(async move {
                    let outcome = client.stop_session(&agent, &id).await.map(|_| ());
                    let _ = updates.send(Update::Stopped(agent, id, outcome)).await;
                });
            }
        }
        selection_tx.send_if_modified(|selected| {
            let now = view.selection();
            let changed = *selected != now;
            *selected = now;
            changed
        });
    }
}

/// Looks at the API every `interval`, or at once when told.
async fn look(
    mut poller: Poller,
    interval: Duration,
    now: Arc<Notify>,
    updates: mpsc::Sender<Update>,
) {
    loop {
        let looked = poller.look().await;
        if updates.send(Update::Looked(looked)).await.is_err() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = now.notified() => {}
        }
    }
}

/// Reads the selected session's logs every `interval`, and at once when
/// the selection changes.
async fn read_logs(
    client: Client,
    interval: Duration,
    mut selection: watch::Receiver<Option<(String, String)>>,
    updates: mpsc::Sender<Update>,
) {
    loop {
        let selected = selection.borrow_and_update().clone();
        if let Some((agent, id)) = selected {
            let lines = poll::session_logs(&client, &agent, &id).await;
            if updates.send(Update::Logs(id, lines)).await.is_err() {
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            changed = selection.changed() => if changed.is_err() { return },
        }
    }
}
