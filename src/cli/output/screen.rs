//! A view redrawn in place for a person at a terminal (`--watch`): it is
//! drawn on the alternate screen, so redraws never reach the scrollback and
//! the person's screen comes back afterwards; it is clipped to the
//! terminal's height (the heading always shows, rows that do not fit are
//! counted); it follows the terminal's size as it changes. The terminal is
//! put back (normal screen, cursor, line wrapping) on every way out.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::{cursor, queue, terminal};
use tokio::signal::unix::{Signal, SignalKind, signal};

use super::format::Clock;
use super::view::Table;
use super::{Output, OutputMode, terminal_width};
use crate::cli::exit::CliResult;

/// The rows assumed when the terminal does not say.
const FALLBACK_ROWS: u16 = 24;

/// A live screen is on: a panic must leave it too.
static ON_ALTERNATE_SCREEN: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back if a panic ends the run while something changed
/// it (a prompt or a spinner hid the cursor, a live screen is on): even
/// then the shell gets a usable terminal. Installed once, in `main`.
pub fn restore_terminal_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let mut restore = Vec::new();
        if ON_ALTERNATE_SCREEN.load(Ordering::SeqCst) && io::stdout().is_terminal() {
            let _ = queue!(
                restore,
                terminal::EnableLineWrap,
                terminal::LeaveAlternateScreen
            );
        }
        let _ = io::stdout().write_all(&restore);
        let _ = io::stdout().flush();
        if io::stderr().is_terminal() {
            let _ = write!(io::stderr(), "{}", cursor::Show);
        }
        previous(info);
    }));
}

/// The alternate screen, from [`Output::live_screen`]; left when dropped.
pub struct LiveScreen {
    out: Output,
    resized: Option<Signal>,
}

impl Output {
    /// A screen to redraw in place, when a person looks at rich output on
    /// stdout; `None` otherwise (the caller prints records instead).
    pub fn live_screen(&self) -> CliResult<Option<LiveScreen>> {
        if self.mode != OutputMode::Rich || !self.stdout.terminal {
            return Ok(None);
        }
        let mut enter = Vec::new();
        let _ = queue!(
            enter,
            terminal::EnterAlternateScreen,
            terminal::DisableLineWrap,
            cursor::Hide
        );
        let screen = LiveScreen {
            out: self.clone(),
            // Without the signal a resize shows at the next redraw.
            resized: signal(SignalKind::window_change()).ok(),
        };
        ON_ALTERNATE_SCREEN.store(true, Ordering::SeqCst);
        screen.write(enter)?;
        Ok(Some(screen))
    }
}

impl Output {
    /// True when a full-screen view can run: rich output on a terminal,
    /// with a terminal on stdin for its keys.
    pub fn full_screen(&self) -> bool {
        self.mode == OutputMode::Rich && self.stdout.terminal && self.stdin_terminal
    }
}

impl LiveScreen {
    /// Draws `heading` and then `table` from the top of the screen, at the
    /// terminal's size now. Table rows that do not fit make way for a line
    /// that says how many are not shown.
    pub fn draw(&self, heading: &str, table: &Table) -> CliResult {
        let (columns, rows) = terminal::size().unwrap_or((0, 0));
        // The width every table is drawn for (`COLUMNS` when the terminal
        // reports none), and as many rows as it has.
        let columns = terminal_width(Some(columns), std::env::var("COLUMNS").ok().as_deref());
        let rows = if rows > 0 { rows } else { FALLBACK_ROWS };
        let mut lines: Vec<String> = heading.lines().map(str::to_string).collect();
        let room = usize::from(rows).saturating_sub(lines.len());
        lines.extend(clipped(table, columns, room, &self.out.clock));
        lines.truncate(usize::from(rows));
        let mut frame = Vec::new();
        let _ = queue!(frame, cursor::MoveTo(0, 0));
        for (i, line) in lines.iter().enumerate() {
            // The last row gets no newline: that would scroll the screen.
            let end = if i + 1 < lines.len() { "\r\n" } else { "" };
            let _ = write!(frame, "{line}");
            let _ = queue!(frame, terminal::Clear(terminal::ClearType::UntilNewLine));
            let _ = write!(frame, "{end}");
        }
        let _ = queue!(frame, terminal::Clear(terminal::ClearType::FromCursorDown));
        self.write(frame)
    }

    /// Waits until the terminal's size changes (forever if it cannot tell).
    pub async fn resized(&mut self) {
        match &mut self.resized {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    }

    fn write(&self, bytes: Vec<u8>) -> CliResult {
        self.out.data(&String::from_utf8_lossy(&bytes))
    }
}

impl Drop for LiveScreen {
    fn drop(&mut self) {
        let mut leave = Vec::new();
        let _ = queue!(
            leave,
            cursor::Show,
            terminal::EnableLineWrap,
            terminal::LeaveAlternateScreen
        );
        let _ = self.write(leave);
        ON_ALTERNATE_SCREEN.store(false, Ordering::SeqCst);
    }
}

/// The lines of `table` drawn `columns` wide in at most `room` lines: as
/// many rows as fit, then a line counting the rest.
fn clipped(table: &Table, columns: u16, room: usize, clock: &Clock) -> Vec<String> {
    let lines_of = |table: &Table| -> Vec<String> {
        match table.empty_note() {
            Some(note) => vec![note.to_string()],
            None => table
                .rich(Some(columns), clock)
                .lines()
                .map(str::to_string)
                .collect(),
        }
    };
    let whole = lines_of(table);
    let total = table.len();
    if whole.len() <= room || total == 0 {
        return whole;
    }
    // Most rows take one line: start from that guess, and drop rows until
    // the table and the count line fit.
    let frame = whole.len() - total;
    let mut shown = room.saturating_sub(frame + 1).min(total);
    loop {
        let lines = lines_of(&table.first(shown));
        if lines.len() < room || shown == 0 {
            let mut lines = lines;
            lines.truncate(room.saturating_sub(1));
            lines.push(format!(
                "… {} more not shown; a taller terminal shows them",
                total - shown
            ));
            return lines;
        }
        shown -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::view::Column;
    use super::*;

    fn sessions(count: usize) -> Table {
        let mut table = Table::new([Column::id("Session ID").key(), Column::label("Status")]);
        for i in 0..count {
            table.push(vec![format!("session-{i:02}"), "Active".into()]);
        }
        table
    }

    #[test]
    fn a_table_that_fits_is_drawn_whole() {
        let lines = clipped(&sessions(3), 80, 20, &Clock::new(true));
        assert!(lines.iter().any(|l| l.contains("session-02")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("more")), "{lines:#?}");
    }

    #[test]
    fn a_table_taller_than_the_room_keeps_its_header_and_counts_the_rest() {
        let lines = clipped(&sessions(30), 80, 10, &Clock::new(true));
        assert_eq!(lines.len(), 10, "{lines:#?}");
        assert!(lines[0].contains("Session ID"), "{lines:#?}");
        assert!(lines[1].chars().all(|c| c == '─'), "{lines:#?}");
        let shown = lines.iter().filter(|l| l.contains("session-")).count();
        assert_eq!(
            lines.last().unwrap(),
            &format!(
                "… {} more not shown; a taller terminal shows them",
                30 - shown
            )
        );
        // Whole rows above the count, as many as fit.
        assert_eq!(shown, 7, "{lines:#?}");
        assert!(lines[lines.len() - 2].starts_with("session-"), "{lines:#?}");
    }
}
