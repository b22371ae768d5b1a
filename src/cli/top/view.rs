//! The full-screen view of `top`: what it holds (the last look, the
//! selection, the events, the selected session's logs, a pending
//! question), how keys change it, and how it is drawn (ratatui).

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pipecat_cloud::api::ApiError;
use pipecat_cloud::api::types::LogEntry;
use pipecat_cloud::sanitize;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, TableState};

use super::super::agent::sessions::{duration_seconds, status_label};
use super::super::output::format_duration;
use super::poll::{Change, SessionRow, Snapshot};

/// The agents pane beside the names: state, active, gauge, the gaps
/// between columns, and the borders.
const AGENT_COLUMNS_WIDTH: u16 = 11 + 9 + 10 + 3 + 2;

/// Events kept (the oldest go first).
const EVENTS_KEPT: usize = 200;

/// What a key asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    Nothing,
    /// `q` or Esc.
    Quit,
    /// Ctrl-C.
    Interrupt,
    /// Stop this session (agent, id): the person said yes.
    Stop(String, String),
}

/// One line of the events pane.
struct Event {
    at: jiff::Timestamp,
    text: String,
    style: Style,
}

pub struct View {
    /// Where the API is, for the title.
    host: String,
    interval: Duration,
    snapshot: Option<Snapshot>,
    /// The selected session's id.
    selected: Option<String>,
    events: VecDeque<Event>,
    /// Log lines of a session (its id, the lines).
    logs: Option<(String, Vec<LogEntry>)>,
    /// A session waiting for a yes to be stopped (agent, id).
    confirming: Option<(String, String)>,
    /// What went wrong last, shown until things work again.
    trouble: Option<String>,
}

impl View {
    pub fn new(host: String, interval: Duration) -> View {
        View {
            host,
            interval,
            snapshot: None,
            selected: None,
            events: VecDeque::new(),
            logs: None,
            confirming: None,
            trouble: None,
        }
    }

    /// The selected session (agent, id), for its logs.
    pub fn selection(&self) -> Option<(String, String)> {
        let id = self.selected.as_ref()?;
        self.rows()
            .iter()
            .find(|row| &row.session.session_id == id)
            .map(|row| (row.agent.clone(), id.clone()))
    }

    pub fn has_looked(&self) -> bool {
        self.snapshot.is_some()
    }

    /// A new look: its changes become events; the selection stays on
    /// its session while that runs, else moves to the first.
    pub fn looked(&mut self, snapshot: Snapshot) {
        for change in &snapshot.changes {
            let (text, style) = match change {
                Change::Started(row) => (
                    format!(
                        "+ {} of {} started",
                        short(&row.session.session_id),
                        row.agent
                    ),
                    Style::new().fg(Color::Green),
                ),
                Change::Ended { agent, id, session } => {
                    let how = session
                        .as_ref()
                        .map(|session| {
                            let ran = duration_seconds(session, snapshot.at)
                                .map_or_else(String::new, |s| format!(", {}", format_duration(s)));
                            format!(" ({}{ran})", status_label(session).to_lowercase())
                        })
                        .unwrap_or_default();
                    (
                        format!("- {} of {agent} ended{how}", short(id)),
                        Style::new().fg(Color::Yellow),
                    )
                }
            };
            self.event(snapshot.at, text, style);
        }
        self.trouble = None;
        self.snapshot = Some(snapshot);
        let still_there = self.selection().is_some();
        if !still_there {
            self.selected = self
                .rows()
                .first()
                .map(|row| row.session.session_id.clone());
        }
    }

    /// A look that failed: said in the footer; the last look stays.
    pub fn failed(&mut self, err: &ApiError) {
        self.trouble = Some(format!("{err}; still trying"));
    }

    pub fn logs(&mut self, session: String, lines: Vec<LogEntry>) {
        self.logs = Some((session, lines));
    }

    /// The outcome of a stop the person asked for.
    pub fn stopped(&mut self, agent: &str, id: &str, outcome: Result<(), ApiError>) {
        let now = jiff::Timestamp::now();
        match outcome {
            Ok(()) => self.event(
                now,
                format!("x {} of {agent} stopped by you", short(id)),
                Style::new().fg(Color::Magenta),
            ),
            Err(err) => self.event(
                now,
                format!("! could not stop {} of {agent}: {err}", short(id)),
                Style::new().fg(Color::Red),
            ),
        }
    }

    fn event(&mut self, at: jiff::Timestamp, text: String, style: Style) {
        if self.events.len() == EVENTS_KEPT {
            self.events.pop_front();
        }
        self.events.push_back(Event { at, text, style });
    }

    fn rows(&self) -> &[SessionRow] {
        self.snapshot
            .as_ref()
            .map_or(&[], |snapshot| snapshot.sessions.as_slice())
    }

    fn selected_index(&self) -> Option<usize> {
        let id = self.selected.as_ref()?;
        self.rows()
            .iter()
            .position(|row| &row.session.session_id == id)
    }

    /// What `key` asks for; moving the selection and the question happen
    /// here.
    pub fn key(&mut self, key: KeyEvent) -> Action {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Action::Interrupt;
        }
        if let Some((agent, id)) = self.confirming.take() {
            return match key.code {
                KeyCode::Char('y' | 'Y') => Action::Stop(agent, id),
                // Anything else keeps the session.
                _ => Action::Nothing,
            };
        }
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return Action::Quit,
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1),
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1),
            KeyCode::Home | KeyCode::Char('g') => self.move_selection(isize::MIN),
            KeyCode::End | KeyCode::Char('G') => self.move_selection(isize::MAX),
            KeyCode::Char('s' | 'x') | KeyCode::Delete => {
                self.confirming = self.selection();
            }
            _ => {}
        }
        Action::Nothing
    }

    fn move_selection(&mut self, by: isize) {
        let count = self.rows().len();
        if count == 0 {
            return;
        }
        let at = self.selected_index().unwrap_or(0) as isize;
        let to = at.saturating_add(by).clamp(0, count as isize - 1) as usize;
        self.selected = Some(self.rows()[to].session.session_id.clone());
    }

    pub fn draw(&self, frame: &mut Frame) {
        let agents = self.snapshot.as_ref().map_or(0, |s| s.agents.len());
        let upper = (agents as u16 + 3).clamp(5, 12);
        let [title, upper_area, sessions, logs, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(upper),
            Constraint::Percentage(40),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        // The agents pane as wide as its names need, the events the rest.
        let agents_width = self.name_width() + AGENT_COLUMNS_WIDTH;
        let [agents_area, events_area] =
            Layout::horizontal([Constraint::Max(agents_width), Constraint::Min(20)])
                .areas(upper_area);
        frame.render_widget(self.title(), title);
        frame.render_widget(self.agents(), agents_area);
        frame.render_widget(self.events(events_area.height), events_area);
        let mut state = TableState::default().with_selected(self.selected_index());
        frame.render_stateful_widget(self.sessions(), sessions, &mut state);
        frame.render_widget(self.log_lines(logs.height), logs);
        frame.render_widget(self.footer(), footer);
        if let Some((agent, id)) = &self.confirming {
            question(frame, agent, id);
        }
    }

    /// The width of the widest agent name (at least the title's).
    fn name_width(&self) -> u16 {
        let widest = self
            .snapshot
            .iter()
            .flat_map(|snapshot| &snapshot.agents)
            .map(|agent| agent.name.chars().count())
            .max()
            .unwrap_or(0)
            .max("Agent".len());
        u16::try_from(widest).unwrap_or(u16::MAX)
    }

    fn title(&self) -> Line<'_> {
        let mut spans = vec![
            Span::from(" pipecat top ").bold().reversed(),
            Span::from(format!(" {} ", self.host)),
        ];
        if let Some(snapshot) = &self.snapshot {
            spans.push(Span::from(format!(
                "· {} agents · {} active sessions · {} UTC · every {}s",
                snapshot.agents.len(),
                snapshot.active(),
                snapshot.at.strftime("%H:%M:%S"),
                self.interval.as_secs_f64()
            )));
        } else {
            spans.push(Span::from("· looking…"));
        }
        Line::from(spans)
    }

    fn agents(&self) -> Table<'_> {
        let rows = self
            .snapshot
            .iter()
            .flat_map(|snapshot| &snapshot.agents)
            .map(|agent| {
                let capacity = agent
                    .capacity
                    .map_or_else(|| "?".to_string(), |max| max.to_string());
                let full = agent
                    .capacity
                    .is_some_and(|max| agent.active >= max as usize);
                Row::new(vec![
                    printable(&agent.name),
                    agent.state().to_string(),
                    format!("{} / {capacity}", agent.active),
                    gauge(agent.active, agent.capacity, 10),
                ])
                .style(if full {
                    Style::new().fg(Color::Red)
                } else {
                    Style::new()
                })
            });
        Table::new(
            rows,
            [
                Constraint::Min(self.name_width()),
                Constraint::Length(11),
                Constraint::Length(9),
                Constraint::Length(10),
            ],
        )
        .header(Row::new(["Agent", "State", "Active", "Capacity"]).bold())
        .block(Block::bordered().title(" Agents "))
    }

    fn events(&self, height: u16) -> Paragraph<'_> {
        let shown = usize::from(height.saturating_sub(2));
        let lines: Vec<Line> = self
            .events
            .iter()
            .skip(self.events.len().saturating_sub(shown))
            .map(|event| {
                Line::from(vec![
                    Span::from(event.at.strftime("%H:%M:%S ").to_string()).dim(),
                    Span::styled(printable(&event.text), event.style),
                ])
            })
            .collect();
        let paragraph = if lines.is_empty() {
            Paragraph::new("Session starts and ends show here.").dim()
        } else {
            Paragraph::new(lines)
        };
        paragraph.block(Block::bordered().title(" Events "))
    }

    fn sessions(&self) -> Table<'_> {
        let now = self
            .snapshot
            .as_ref()
            .map_or_else(jiff::Timestamp::now, |s| s.at);
        let rows = self.rows().iter().map(|row| {
            Row::new(vec![
                printable(&row.agent),
                row.session.session_id.clone(),
                duration_seconds(&row.session, now).map_or_else(|| "-".into(), format_duration),
                status_label(&row.session),
                row.session
                    .created_at
                    .as_deref()
                    .and_then(|at| at.parse::<jiff::Timestamp>().ok())
                    .map_or_else(|| "-".into(), |at| at.strftime("%H:%M:%S").to_string()),
            ])
        });
        let title = format!(" Active sessions ({}) ", self.rows().len());
        Table::new(
            rows,
            [
                Constraint::Length(self.name_width()),
                Constraint::Length(36),
                Constraint::Length(9),
                Constraint::Length(12),
                Constraint::Length(8),
            ],
        )
        .header(Row::new(["Agent", "Session ID", "Running", "Status", "Started"]).bold())
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("> ")
        .block(Block::bordered().title(title))
    }

    fn log_lines(&self, height: u16) -> Paragraph<'_> {
        let shown = usize::from(height.saturating_sub(2));
        let selected = self.selected.as_deref();
        let (title, lines) = match (&self.logs, selected) {
            (Some((id, lines)), Some(selected)) if id == selected => (
                format!(" Logs of {id} "),
                lines
                    .iter()
                    .skip(lines.len().saturating_sub(shown))
                    .map(|entry| {
                        let at = entry.timestamp.parse::<jiff::Timestamp>().map_or_else(
                            |_| entry.timestamp.clone(),
                            |at| at.strftime("%H:%M:%S").to_string(),
                        );
                        Line::from(vec![
                            Span::from(format!("{at} ")).dim(),
                            Span::from(printable(&entry.log)),
                        ])
                    })
                    .collect(),
            ),
            (_, Some(selected)) => (format!(" Logs of {selected} "), vec![]),
            (_, None) => (" Logs ".to_string(), vec![]),
        };
        Paragraph::new(lines).block(Block::bordered().title(title))
    }

    fn footer(&self) -> Line<'_> {
        let keys = " ↑/↓ select · s stop the session · q quit ";
        match &self.trouble {
            Some(trouble) => Line::from(vec![
                Span::from(keys).reversed(),
                Span::from(format!(" {}", printable(trouble))).fg(Color::Red),
            ]),
            None => Line::from(Span::from(keys).reversed()),
        }
    }
}

/// The question before a stop, in a box over the view.
fn question(frame: &mut Frame, agent: &str, id: &str) {
    let [area] = Layout::horizontal([Constraint::Length(64)])
        .flex(Flex::Center)
        .areas(frame.area());
    let [area] = Layout::vertical([Constraint::Length(7)])
        .flex(Flex::Center)
        .areas(area);
    let text = vec![
        Line::from(format!("Stop session {id}")),
        Line::from(format!("of agent {}?", printable(agent))),
        Line::from("Anyone in it is cut off.").dim(),
        Line::from(""),
        Line::from(vec![
            Span::from(" y ").reversed(),
            Span::from(" stop   "),
            Span::from(" any other key ").reversed(),
            Span::from(" keep it"),
        ]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(text).block(Block::bordered().title(" Stop a session ").red()),
        area,
    );
}

/// A bar of `width` cells, filled as `active` is of `capacity`.
fn gauge(active: usize, capacity: Option<u32>, width: usize) -> String {
    let Some(capacity) = capacity.filter(|&max| max > 0) else {
        return String::new();
    };
    let filled = (active * width).div_ceil(capacity as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// The first 8 characters of an id, as events show it.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Text from the API as it may be drawn on one line: without its
/// terminal escapes (see [`sanitize`]; one in a log line would drive the
/// terminal), tabs and line breaks as spaces.
fn printable(text: &str) -> String {
    sanitize::text(text).replace(['\t', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipecat_cloud::api::types::Session;

    fn snapshot(ids: &[&str]) -> Snapshot {
        Snapshot {
            at: "2025-01-01T00:01:00Z".parse().unwrap(),
            agents: vec![],
            sessions: ids
                .iter()
                .map(|id| SessionRow {
                    agent: "bot".into(),
                    session: Session {
                        session_id: id.to_string(),
                        ..Session::default()
                    },
                })
                .collect(),
            changes: vec![],
        }
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_move_the_selection_and_a_stop_needs_a_yes() {
        let mut view = View::new("host".into(), Duration::from_secs(2));
        view.looked(snapshot(&["a", "b", "c"]));
        assert_eq!(view.selection(), Some(("bot".into(), "a".into())));
        view.key(press(KeyCode::Down));
        view.key(press(KeyCode::Down));
        view.key(press(KeyCode::Down));
        assert_eq!(view.selection(), Some(("bot".into(), "c".into())));
        assert_eq!(view.key(press(KeyCode::Char('s'))), Action::Nothing);
        assert_eq!(view.key(press(KeyCode::Char('n'))), Action::Nothing);
        assert_eq!(view.key(press(KeyCode::Char('y'))), Action::Nothing);
        view.key(press(KeyCode::Char('s')));
        assert_eq!(
            view.key(press(KeyCode::Char('y'))),
            Action::Stop("bot".into(), "c".into())
        );
        assert_eq!(view.key(press(KeyCode::Char('q'))), Action::Quit);
        assert_eq!(
            view.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Action::Interrupt
        );
    }

    #[test]
    fn the_selection_follows_its_session_and_moves_on_when_it_ends() {
        let mut view = View::new("host".into(), Duration::from_secs(2));
        view.looked(snapshot(&["a", "b"]));
        view.key(press(KeyCode::Down));
        view.looked(snapshot(&["new", "a", "b"]));
        assert_eq!(view.selection().unwrap().1, "b");
        view.looked(snapshot(&["new", "a"]));
        assert_eq!(view.selection().unwrap().1, "new");
    }

    #[test]
    fn gauges_and_printable_text() {
        assert_eq!(gauge(1, Some(50), 10), "█░░░░░░░░░");
        assert_eq!(gauge(50, Some(50), 10), "██████████");
        assert_eq!(gauge(0, None, 10), "");
        assert_eq!(printable("a\x1b[2Jb\tc\nd\x1b]52;c;eA==\x07e"), "ab c de");
    }
}
