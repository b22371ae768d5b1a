//! How log lines look: text for people (a page at a time, into one
//! buffer), one JSON object a line otherwise. Levels are not a field of
//! the API: a line's level is read from its text (see [`find_level`]).

use std::cell::RefCell;

use anstyle::Style;
use clap::ValueEnum;
use serde_json::{Map, Value};

use super::super::super::output::{BLUE, DIM, GREEN, Human, RED, Record, YELLOW, format_timestamp};
use pipecat_cloud::api::types::LogEntryRef;

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
    pub fn name(self) -> &'static str {
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

/// Which lines are shown, and how.
#[derive(Debug, Clone, Copy)]
pub struct Render {
    pub level: Option<Level>,
    /// Text lines, or (`--format json`) one JSON object a line; JSON
    /// output is always the latter.
    pub format: LogFormat,
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
        let mut text = String::with_capacity(self.lines.len() * 96);
        let times = TimeCache::default();
        for entry in &self.lines {
            match self.render.format {
                LogFormat::Json => {
                    text.push_str(&document(entry).to_string());
                    text.push('\n');
                }
                LogFormat::Text => line(human, &times, entry, &mut text),
            }
        }
        text
    }
}

/// One line of text: the time, then the line as written.
fn line(human: &Human, times: &TimeCache, entry: &LogEntryRef<'_>, text: &mut String) {
    text.push_str(&human.paint(DIM.bold(), &times.format(&entry.timestamp)));
    text.push(' ');
    let log = entry.log.trim_end_matches(['\n', '\r']);
    text.push_str(&human.paint(infer_level(log).style(), log));
    text.push('\n');
}

/// The time shown for a line depends only on its second: formatted once
/// per second, not once per line.
#[derive(Default)]
struct TimeCache {
    last: RefCell<(String, String)>,
}

impl TimeCache {
    fn format(&self, timestamp: &str) -> String {
        let whole = whole_second(timestamp);
        let mut last = self.last.borrow_mut();
        if last.0 != whole {
            *last = (whole.clone(), format_timestamp(&whole));
        }
        last.1.clone()
    }
}

/// A timestamp without its fraction of a second (`...:17.1537Z` becomes
/// `...:17Z`).
fn whole_second(timestamp: &str) -> String {
    match timestamp.find('.') {
        Some(dot) => {
            let rest = &timestamp[dot + 1..];
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            format!("{}{}", &timestamp[..dot], &rest[digits..])
        }
        None => timestamp.to_string(),
    }
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
        };
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.records(&[render.text(&entries)]).unwrap();
        assert_eq!(
            captured.stdout(),
            "2025-01-01 00:00:00 INFO started\n2025-01-01 00:00:00 ERROR boom\n"
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
}
