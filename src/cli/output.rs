//! Output modes and the stdout/stderr split: data on stdout, everything else
//! (progress, warnings, errors) on stderr. Tables, key/value views, JSON,
//! colours and the formats of timestamps and durations live here so every
//! command renders the same way.

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table as ComfyTable, presets};
use serde_json::Value;

use pipecat_cloud::config::env;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputMode {
    /// Tables and colours for a person at a terminal.
    Rich,
    /// Tab-separated, uncoloured, for pipes and grep.
    Plain,
    /// Exactly one JSON document on stdout (NDJSON for streams).
    Json,
}

impl OutputMode {
    /// Flag (or `PIPECAT_OUTPUT`, which clap folds into the flag), then
    /// `--json`, then rich on a terminal, plain otherwise.
    pub fn resolve(flag: Option<OutputMode>, json: bool) -> OutputMode {
        if json {
            return OutputMode::Json;
        }
        flag.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                OutputMode::Rich
            } else {
                OutputMode::Plain
            }
        })
    }
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Colours text for one stream, or leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    enabled: bool,
}

impl Painter {
    /// `--color always` colours; `never` does not; `auto` colours a
    /// terminal unless `NO_COLOR` is set (to anything but empty).
    pub fn new(choice: ColorChoice, is_terminal: bool) -> Painter {
        let no_color = std::env::var_os(env::NO_COLOR).is_some_and(|v| !v.is_empty());
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !no_color,
        };
        Painter { enabled }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.enabled {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

pub const DIM: Style = Style::new().dimmed();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();
pub const RED: Style = AnsiColor::Red.on_default();
pub const BLUE: Style = AnsiColor::Blue.on_default();

/// Write `text` to stdout. A closed pipe (`| head`) ends the program
/// quietly (exit 0: the reader has what it wanted) instead of panicking
/// like `print!` would; any other failure (a full disk) ends it with
/// exit 1 and says so, since the output, perhaps a new key, was lost.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output to stdout: {err}");
        std::process::exit(super::exit::Exit::ApiFailure as i32);
    }
}

/// Print one JSON document, pretty, on stdout.
pub fn print_json(value: &Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    stdout(&format!("{text}\n"));
}

/// A table: boxed on a terminal (rich), tab-separated values (plain).
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Table {
        Table {
            headers,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text: rich draws boxes, plain (and json, which callers
    /// do not use tables for) writes a header line and one TSV line a row.
    pub fn render(&self, mode: OutputMode) -> String {
        match mode {
            OutputMode::Rich => {
                let mut table = ComfyTable::new();
                table
                    .load_style(presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_header(self.headers.clone());
                for row in &self.rows {
                    table.add_row(row.clone());
                }
                format!("{table}\n")
            }
            OutputMode::Plain | OutputMode::Json => {
                let mut text = tsv_line(self.headers.iter().map(|h| h.to_string()));
                for row in &self.rows {
                    text.push_str(&tsv_line(row.iter().cloned()));
                }
                text
            }
        }
    }
}

/// Labelled values (one record): `Label: value` lines aligned on a
/// terminal, `label<TAB>value` lines for pipes.
pub fn key_values(mode: OutputMode, pairs: &[(&str, String)]) -> String {
    match mode {
        OutputMode::Rich => {
            let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
            pairs
                .iter()
                .map(|(key, value)| format!("{:<width$} {value}\n", format!("{key}:")))
                .collect()
        }
        OutputMode::Plain | OutputMode::Json => pairs
            .iter()
            .map(|(key, value)| {
                tsv_line([key.to_lowercase().replace(' ', "_"), value.to_string()].into_iter())
            })
            .collect(),
    }
}

/// One TSV line; tabs and line breaks inside a cell become spaces so a
/// value can never shift a column.
fn tsv_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells
        .map(|cell| cell.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t");
    line.push('\n');
    line
}

/// `YYYY-MM-DD HH:MM:SS` in UTC, as the official CLI shows times; the raw
/// text when it is not an RFC 3339 timestamp.
pub fn format_timestamp(raw: &str) -> String {
    match raw.parse::<jiff::Timestamp>() {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => raw.to_string(),
    }
}

/// `HH:MM:SS` for a number of seconds (hours grow past 99 if need be).
pub fn format_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}",
        total / 3600,
        (total % 3600) / 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tables_are_tsv_and_cells_cannot_break_columns() {
        let mut table = Table::new(vec!["A", "B"]);
        table.push(vec!["1".into(), "x\ty\nz".into()]);
        assert_eq!(table.render(OutputMode::Plain), "A\tB\n1\tx y z\n");
    }

    #[test]
    fn rich_tables_have_headers_and_cells() {
        let mut table = Table::new(vec!["Name", "Key"]);
        table.push(vec!["main".into(), "pk_1…".into()]);
        let text = table.render(OutputMode::Rich);
        assert!(text.contains("Name") && text.contains("pk_1…"), "{text}");
    }

    #[test]
    fn key_values_align_or_tab() {
        let pairs = [
            ("Session ID", "s1".to_string()),
            ("Join URL", "u".to_string()),
        ];
        assert_eq!(
            key_values(OutputMode::Rich, &pairs),
            "Session ID: s1\nJoin URL:   u\n"
        );
        assert_eq!(
            key_values(OutputMode::Plain, &pairs),
            "session_id\ts1\njoin_url\tu\n"
        );
    }

    #[test]
    fn timestamps_and_durations() {
        assert_eq!(
            format_timestamp("2025-10-22T08:39:26.123456789Z"),
            "2025-10-22 08:39:26"
        );
        assert_eq!(format_timestamp("yesterday"), "yesterday");
        assert_eq!(format_duration(3725.4), "01:02:05");
        assert_eq!(format_duration(-3.0), "00:00:00");
    }

    #[test]
    fn painter_respects_the_choice() {
        assert_eq!(Painter::new(ColorChoice::Never, true).paint(RED, "x"), "x");
        assert_ne!(
            Painter::new(ColorChoice::Always, false).paint(RED, "x"),
            "x"
        );
    }
}
