//! How log lines look: text for people (a page at a time, into one
//! buffer), one JSON object a line otherwise. Levels are not a field of
//! the API: a line's level is read from its text (see [`find_level`]).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;
use serde_json::{Map, Value};

use super::super::super::output::{BLUE, DIM, GREEN, Human, RED, Record, YELLOW};
use pipecat_cloud::api::logs::second_of;
use pipecat_cloud::api::types::LogEntryRef;

/// A log level, as the official CLI names them, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Debug,
    Info,
    #[value(alias = "warn")]
    Warning,
    Error,
    Critical,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    /// How the level's word is coloured in a line.
    fn style(self) -> Style {
        match self {
            Level::Debug => BLUE,
            Level::Info => GREEN,
            Level::Warning => YELLOW,
            Level::Error => RED.bold(),
            Level::Critical => RED.bold().underline(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Which lines are shown, and how.
#[derive(Debug, Clone, Copy)]
pub struct Render {
    pub level: Option<Level>,
    /// Text lines, or (`--format json`) one JSON object a line; JSON
    /// output is always the latter.
    pub format: LogFormat,
    /// Lines of several sessions may mix: each text line starts with its
    /// session's short id (when the API names sessions in its lines).
    pub sessions: bool,
}

impl Render {
    /// Whether a line is shown: not empty, and of the level asked for.
    pub fn shows(&self, entry: &LogEntryRef<'_>) -> bool {
        !entry.log.is_empty() && self.is_of_level(entry)
    }

    /// Whether a line is of the level asked for (any, without `--level`).
    pub fn is_of_level(&self, entry: &LogEntryRef<'_>) -> bool {
        self.level
            .is_none_or(|wanted| wanted == infer_level(&entry.log))
    }

    /// The lines shown of `entries`, one record each (for JSON output).
    pub fn records<'e>(
        &self,
        entries: impl IntoIterator<Item = &'e LogEntryRef<'e>>,
    ) -> Vec<LogRecord<'e>> {
        entries
            .into_iter()
            .filter(|entry| self.shows(entry))
            .map(|entry| LogRecord { entry })
            .collect()
    }

    /// The lines shown of `entries` as one record that people read.
    pub fn text<'e>(&self, entries: impl IntoIterator<Item = &'e LogEntryRef<'e>>) -> LogText<'e> {
        LogText {
            render: *self,
            lines: entries
                .into_iter()
                .filter(|entry| self.shows(entry))
                .collect(),
        }
    }
}

/// One log line as a JSON object: the entry as the API sent it, plus the
/// level.
pub struct LogRecord<'e> {
    entry: &'e LogEntryRef<'e>,
}

impl Record for LogRecord<'_> {
    fn document(&self) -> Value {
        document(self.entry)
    }

    fn human(&self, _human: &Human) -> String {
        format!("{}\n", document(self.entry))
    }
}

fn document(entry: &LogEntryRef<'_>) -> Value {
    let mut record = match serde_json::to_value(entry) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    record.retain(|_, value| !value.is_null());
    record.insert(
        "level".into(),
        Value::String(infer_level(&entry.log).name().into()),
    );
    Value::Object(record)
}

/// Lines for people, rendered together into one piece of text.
pub struct LogText<'e> {
    render: Render,
    lines: Vec<&'e LogEntryRef<'e>>,
}

impl LogText<'_> {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Keeps the first `count` lines.
    pub fn truncate(&mut self, count: usize) {
        self.lines.truncate(count);
    }
}

impl Record for LogText<'_> {
    fn document(&self) -> Value {
        Value::Array(self.lines.iter().map(|entry| document(entry)).collect())
    }

    fn human(&self, human: &Human) -> String {
        let mut writer = LineWriter {
            // Painting an empty text shows whether this output gets colours.
            colour: !human.paint(DIM, "").is_empty(),
            // The real API names no session in its lines: no column then.
            sessions: self.render.sessions && self.lines.iter().any(|e| e.session_id.is_some()),
            second: String::new(),
            time: String::new(),
        };
        let mut text = String::with_capacity(self.lines.len() * 96);
        for entry in &self.lines {
            match self.render.format {
                LogFormat::Json => {
                    text.push_str(&document(entry).to_string());
                    text.push('\n');
                }
                LogFormat::Text => writer.line(human, entry, &mut text),
            }
        }
        text
    }
}

/// Writes lines of text for people: the time (dim; in full with its zone
/// for a person, RFC 3339 in plain output), the session's short id
/// when lines of several sessions mix (a colour per session), then the
/// line as written with its level word coloured, and all of it red for
/// errors. A line without a level word stays as it is.
struct LineWriter {
    colour: bool,
    sessions: bool,
    /// The second of the last time shown, and that time as shown: the time
    /// of a line depends only on its second, so it is formatted once per
    /// second, not once per line.
    second: String,
    time: String,
}

/// How many characters of a session id tell sessions apart in a listing.
const SHORT_ID: usize = 8;

/// Colours for session ids: none of them red (errors are red).
const SESSION_COLOURS: [AnsiColor; 6] = [
    AnsiColor::Cyan,
    AnsiColor::Magenta,
    AnsiColor::Blue,
    AnsiColor::BrightCyan,
    AnsiColor::BrightMagenta,
    AnsiColor::BrightBlue,
];

impl LineWriter {
    fn line(&mut self, human: &Human, entry: &LogEntryRef<'_>, text: &mut String) {
        self.time(human, &entry.timestamp, text);
        text.push(' ');
        if self.sessions {
            self.session(entry.session_id.as_deref(), text);
            text.push(' ');
        }
        let log = entry.log.trim_end_matches(['\n', '\r']);
        match self.colour.then(|| find_level(log)).flatten() {
            Some((level, word)) => {
                let rest = if level >= Level::Error {
                    RED
                } else {
                    Style::new()
                };
                paint(text, rest, &log[..word.start]);
                paint(text, level.style(), &log[word.clone()]);
                paint(text, rest, &log[word.end..]);
            }
            _ => text.push_str(log),
        }
        text.push('\n');
    }

    fn time(&mut self, human: &Human, timestamp: &str, text: &mut String) {
        let (whole, zone) = second_of(timestamp);
        if self.second.len() != whole.len() + zone.len()
            || !self.second.starts_with(whole)
            || !self.second.ends_with(zone)
        {
            self.second = format!("{whole}{zone}");
            let shown = human.timestamp(&self.second);
            self.time.clear();
            if self.colour {
                paint(&mut self.time, DIM, &shown);
            } else {
                self.time.push_str(&shown);
            }
        }
        text.push_str(&self.time);
    }

    fn session(&self, id: Option<&str>, text: &mut String) {
        let Some(id) = id else {
            let _ = write!(text, "{:SHORT_ID$}", "-");
            return;
        };
        let short = id
            .char_indices()
            .nth(SHORT_ID)
            .map_or(id, |(end, _)| &id[..end]);
        if self.colour {
            paint(text, session_colour(id).on_default(), short);
        } else {
            text.push_str(short);
        }
        let _ = write!(text, "{:1$}", "", SHORT_ID - short.chars().count());
    }
}

/// The colour of a session: the same for the same id, run after run.
fn session_colour(id: &str) -> AnsiColor {
    // FNV-1a: tiny and stable (std's hashers may change between releases).
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    SESSION_COLOURS[(hash % SESSION_COLOURS.len() as u64) as usize]
}

/// Appends `part` in `style` (nothing around an empty part or a plain
/// style).
fn paint(text: &mut String, style: Style, part: &str) {
    if part.is_empty() || style == Style::new() {
        text.push_str(part);
        return;
    }
    let _ = write!(text, "{}{part}{}", style.render(), style.render_reset());
}

/// The level of a log line: see [`find_level`]; INFO when it has none.
pub fn infer_level(line: &str) -> Level {
    find_level(line).map_or(Level::Info, |(level, _)| level)
}

/// The level of a log line and where its word is: the first word of the
/// line (words split at anything but ASCII letters) that is a level name
/// in capitals, as loguru and Python's logging write them (`WARN` and
/// `FATAL` count as WARNING and CRITICAL); else, for structured lines, the
/// word after `level` in any case (`level=error`, `"level": "warn"`).
///
/// The official CLI takes the first level name found *anywhere* as a
/// substring, case-insensitively (see docs/compatibility.md): "INFO: no
/// error" became ERROR if ERROR came first in its list, and "terrors"
/// matched too.
pub fn find_level(line: &str) -> Option<(Level, std::ops::Range<usize>)> {
    if let Some((word, at)) = words(line).find(|(word, _)| level_named(word).is_some()) {
        return level_named(word).map(|level| (level, at));
    }
    let mut previous: Option<&str> = None;
    for (word, at) in words(line) {
        if previous.is_some_and(|p| p.eq_ignore_ascii_case("level"))
            && let Some(level) = level_named_any_case(word)
        {
            return Some((level, at));
        }
        previous = Some(word);
    }
    None
}

/// The words of a line (runs of ASCII letters) and where each is.
fn words(line: &str) -> impl Iterator<Item = (&str, std::ops::Range<usize>)> {
    let bytes = line.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !bytes[at].is_ascii_alphabetic() {
            at += 1;
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && bytes[at].is_ascii_alphabetic() {
            at += 1;
        }
        Some((&line[start..at], start..at))
    })
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

fn level_named_any_case(word: &str) -> Option<Level> {
    const NAMES: [&str; 8] = [
        "DEBUG", "TRACE", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL",
    ];
    NAMES
        .iter()
        .find(|name| name.eq_ignore_ascii_case(word))
        .and_then(|name| level_named(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::{Output, OutputMode};
    use std::borrow::Cow;

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
        assert_eq!(
            find_level("é 12 | WARNING | x"),
            Some((Level::Warning, 8..15))
        );
        assert_eq!(find_level("plain line"), None);
    }

    fn entries() -> Vec<LogEntryRef<'static>> {
        ["INFO started", "", "ERROR boom"]
            .into_iter()
            .map(|log| LogEntryRef {
                log: Cow::Borrowed(log),
                timestamp: Cow::Borrowed("2025-01-01T00:00:00Z"),
                deployment_id: None,
                session_id: Some(Cow::Borrowed("s1")),
            })
            .collect()
    }

    #[test]
    fn json_lines_keep_the_entry_and_add_the_level() {
        let entries = entries();
        let render = Render {
            level: Some(Level::Error),
            format: LogFormat::Json,
            sessions: false,
        };
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.records(&[render.text(&entries)]).unwrap();
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
            sessions: false,
        };
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.records(&[render.text(&entries)]).unwrap();
        assert_eq!(
            captured.stdout(),
            "2025-01-01T00:00:00Z INFO started\n2025-01-01T00:00:00Z ERROR boom\n"
        );
        let (out, captured) = Output::capture(OutputMode::Json);
        out.records(&render.records(&entries)).unwrap();
        let levels: Vec<String> = captured
            .stdout()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["level"].to_string())
            .collect();
        assert_eq!(levels, ["\"INFO\"", "\"ERROR\""]);
    }

    fn entry(log: &'static str, session: Option<&'static str>) -> LogEntryRef<'static> {
        LogEntryRef {
            log: Cow::Borrowed(log),
            timestamp: Cow::Borrowed("2025-01-01T10:20:30.123456789Z"),
            deployment_id: None,
            session_id: session.map(Cow::Borrowed),
        }
    }

    fn shown(entries: &[LogEntryRef<'static>], sessions: bool, colour: bool) -> String {
        let render = Render {
            level: None,
            format: LogFormat::Text,
            sessions,
        };
        let (out, captured) = Output::capture_with(
            crate::cli::output::OutputSettings {
                mode: OutputMode::Rich,
                color: if colour {
                    crate::cli::output::ColorChoice::Always
                } else {
                    crate::cli::output::ColorChoice::Never
                },
                no_color: false,
                quiet: false,
                verbose: 0,
                utc: true,
            },
            crate::cli::output::Terminals::default(),
        );
        out.records(&[render.text(entries)]).unwrap();
        captured.stdout()
    }

    const A: &str = "3f2a1b4c-0000-4000-8000-000000000001";
    const B: &str = "77e0c9d2-0000-4000-8000-000000000003";

    #[test]
    fn only_the_level_word_is_coloured_and_the_time_is_dim() {
        let text = shown(&[entry("12 | INFO | bot ready", None)], false, true);
        assert_eq!(
            text,
            "\u{1b}[2m2025-01-01 10:20:30 UTC\u{1b}[0m 12 | \u{1b}[32mINFO\u{1b}[0m | bot ready\n"
        );
    }

    #[test]
    fn an_error_line_is_red_with_its_level_word_in_bold() {
        let text = shown(&[entry("ERROR: boom", None)], false, true);
        assert_eq!(
            text,
            "\u{1b}[2m2025-01-01 10:20:30 UTC\u{1b}[0m \u{1b}[1m\u{1b}[31mERROR\u{1b}[0m\u{1b}[31m: boom\u{1b}[0m\n"
        );
    }

    #[test]
    fn a_line_without_a_level_is_left_as_it_is() {
        let text = shown(
            &[entry("[pipecat-local] session exited with code 3", None)],
            false,
            true,
        );
        assert_eq!(
            text,
            "\u{1b}[2m2025-01-01 10:20:30 UTC\u{1b}[0m [pipecat-local] session exited with code 3\n"
        );
    }

    #[test]
    fn lines_of_several_sessions_start_with_a_short_id_in_a_colour_of_their_own() {
        let entries = [
            entry("INFO hello", Some(A)),
            entry("INFO hello", Some(B)),
            entry("agent event", None),
        ];
        assert_eq!(
            shown(&entries, true, false),
            "2025-01-01 10:20:30 UTC 3f2a1b4c INFO hello\n\
             2025-01-01 10:20:30 UTC 77e0c9d2 INFO hello\n\
             2025-01-01 10:20:30 UTC -        agent event\n"
        );
        let coloured = shown(&entries, true, true);
        let colour_of = |id: &str| session_colour(id).on_default().render().to_string();
        assert!(
            coloured.contains(&format!("{}3f2a1b4c", colour_of(A))),
            "{coloured:?}"
        );
        assert!(
            coloured.contains(&format!("{}77e0c9d2", colour_of(B))),
            "{coloured:?}"
        );
        // The same session, the same colour, run after run.
        assert_eq!(session_colour(A), session_colour(A));
        assert_ne!(session_colour(A), session_colour(B));
        // One session's lines have no such column, nor have lines that
        // name no session (the real API's).
        assert_eq!(
            shown(&entries[..1], false, false),
            "2025-01-01 10:20:30 UTC INFO hello\n"
        );
        assert_eq!(
            shown(&entries[2..], true, false),
            "2025-01-01 10:20:30 UTC agent event\n"
        );
    }
}
