//! The one way out: every byte a command shows goes through the
//! [`Output`] on its context, which renders typed views in the mode in
//! effect and owns stdout and stderr.
//!
//! - Data goes to stdout. A command hands over an [`Answer`]: the JSON
//!   document `--output json` prints (exactly one), and what a person sees
//!   otherwise (a [`Table`], [`KeyValues`], lines, and messages about the
//!   answer). Streams (`--follow`, `--watch`) hand over [`Record`]s, one
//!   NDJSON line each in JSON mode.
//! - Everything else goes to stderr: notes (silenced by `-q`), warnings,
//!   details (`-v`; traces with `-vv`), errors, and prompts and spinners (only where a person
//!   is; see `interact`).
//! - A closed stdout (`| head`) ends the command quietly with exit 0; any
//!   other failure to write is an error (exit 1). Nothing here exits.
//! - Whatever a server sent is shown without its terminal escapes (see
//!   `pipecat_cloud::sanitize`): table cells, values, messages, lines and
//!   records are cleaned here, so no command has to remember to.
//!
//! A new command builds its views and answers once:
//!
//! ```ignore
//! let listing = client.list_agents().await.map_err(|err| api_failure(&err))?;
//! let mut table = Table::new([Column::name("Name").key(), Column::time("Created")])
//!     .when_empty("No agents yet.");
//! for agent in &listing.value.services {
//!     table.push(vec![agent.name.clone(), time(&agent.created_at)]);
//! }
//! ctx.out.answer(Answer::new(listing.raw).table(table))
//! ```
//!
//! Tests build an output with [`Output::capture`] and read what it wrote.

mod format;
mod interact;
mod screen;
mod style;
mod view;

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use clap::ValueEnum;
use serde_json::Value;

use super::exit::{CliResult, Exit, Failure};
use pipecat_cloud::sanitize;

pub use format::{Clock, counted, format_bytes, format_duration, format_elapsed};
pub use interact::Question;
pub use screen::restore_terminal_on_panic;
pub use style::{BLUE, ColorChoice, DIM, GREEN, Painter, RED, YELLOW};
pub use view::{Column, KeyValues, Table};

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
    /// The mode named `text` (`rich`, `plain` or `json`, in any case), as
    /// the environment or the config file give it.
    pub fn named(text: &str) -> Option<OutputMode> {
        OutputMode::from_str(text.trim(), true).ok()
    }
}

/// Which of the standard streams are terminals, and how wide stdout is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminals {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// Columns of the terminal on stdout, when it is one (see
    /// [`terminal_width`]).
    pub stdout_width: Option<u16>,
}

/// The width a terminal is drawn for when it says nothing of its size.
pub const FALLBACK_WIDTH: u16 = 80;

impl Terminals {
    pub fn detect() -> Terminals {
        use std::io::IsTerminal;
        let stdout = io::stdout().is_terminal();
        Terminals {
            stdin: io::stdin().is_terminal(),
            stdout,
            stderr: io::stderr().is_terminal(),
            // comfy-table draws the tables and knows how to ask the
            // terminal on stdout for its size.
            stdout_width: stdout.then(|| {
                terminal_width(
                    comfy_table::Table::new().width(),
                    std::env::var("COLUMNS").ok().as_deref(),
                )
            }),
        }
    }
}

/// The columns of a terminal that reports `reported` columns: that, unless
/// it reports none or 0 (`script`, some CI and editor terminals), then
/// `COLUMNS` if it is a positive number, else [`FALLBACK_WIDTH`].
pub fn terminal_width(reported: Option<u16>, columns: Option<&str>) -> u16 {
    reported
        .filter(|&width| width > 0)
        .or_else(|| columns?.trim().parse().ok().filter(|&width| width > 0))
        .unwrap_or(FALLBACK_WIDTH)
}

/// One of the two streams: where it writes, and whether a person reads it.
struct Sink {
    writer: Mutex<Box<dyn Write + Send>>,
    terminal: bool,
}

impl Sink {
    fn new(writer: Box<dyn Write + Send>, terminal: bool) -> Arc<Sink> {
        Arc::new(Sink {
            writer: Mutex::new(writer),
            terminal,
        })
    }

    fn write(&self, text: &str) -> io::Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        writer.write_all(text.as_bytes())?;
        writer.flush()
    }
}

/// Renders views and messages in one mode, on the process's stdout and
/// stderr (or, in tests, on buffers). Cheap to clone: clones share the
/// streams.
#[derive(Clone)]
pub struct Output {
    mode: OutputMode,
    quiet: bool,
    verbose: u8,
    stdin_terminal: bool,
    stdout_width: Option<u16>,
    clock: Clock,
    stdout: Arc<Sink>,
    stderr: Arc<Sink>,
    stdout_painter: Painter,
    stderr_painter: Painter,
}

/// How an [`Output`] renders, as resolved from flags, environment and
/// config file.
#[derive(Debug, Clone, Copy)]
pub struct OutputSettings {
    pub mode: OutputMode,
    pub color: ColorChoice,
    /// `NO_COLOR` is set.
    pub no_color: bool,
    /// `-q`: data and errors only.
    pub quiet: bool,
    /// `-v` (repeatable).
    pub verbose: u8,
    /// `--utc`: times in UTC rather than the local zone.
    pub utc: bool,
}

impl Output {
    /// The output of this process: stdout and stderr.
    pub fn new(settings: OutputSettings, terminals: Terminals) -> Output {
        Output::on(
            settings,
            terminals,
            Box::new(io::stdout()),
            Box::new(io::stderr()),
        )
    }

    /// An output that shows nothing (for a Tab of shell completion,
    /// which must not print into the shell).
    pub fn discard(settings: OutputSettings) -> Output {
        Output::on(
            settings,
            Terminals::default(),
            Box::new(io::sink()),
            Box::new(io::sink()),
        )
    }

    fn on(
        settings: OutputSettings,
        terminals: Terminals,
        stdout: Box<dyn Write + Send>,
        stderr: Box<dyn Write + Send>,
    ) -> Output {
        let painter = |terminal| Painter::new(settings.color, terminal, settings.no_color);
        Output {
            mode: settings.mode,
            quiet: settings.quiet,
            verbose: settings.verbose,
            stdin_terminal: terminals.stdin,
            stdout_width: terminals.stdout_width.filter(|_| terminals.stdout),
            clock: Clock::new(settings.utc),
            stdout: Sink::new(stdout, terminals.stdout),
            stderr: Sink::new(stderr, terminals.stderr),
            stdout_painter: painter(terminals.stdout),
            stderr_painter: painter(terminals.stderr),
        }
    }

    /// A command's answer: its document in JSON mode, else its parts in
    /// order (views on stdout, messages on stderr).
    pub fn answer(&self, answer: Answer<'_>) -> CliResult {
        if self.mode == OutputMode::Json {
            let text = if answer.in_stream {
                answer.document.to_string()
            } else {
                serde_json::to_string_pretty(&answer.document)
                    .unwrap_or_else(|_| answer.document.to_string())
            };
            return self.data(&format!("{text}\n"));
        }
        if self.quiet
            && let Some(value) = answer.quiet
        {
            return self.data(&format!("{}\n", sanitize::text(&value)));
        }
        let human = self.human();
        for part in answer.parts {
            match part {
                Part::Table(table) => match table.empty_note() {
                    Some(note) if human.rich => self.note(note),
                    _ => self.data(&human.table(&table))?,
                },
                Part::KeyValues(pairs) => self.data(&human.key_values(&pairs))?,
                Part::Lines(lines) => self.data(&human.clean(&lines(&human)))?,
                Part::Note(message) => self.note(&message),
                Part::Warn(message) => self.warn(&message),
                Part::Aside(message) if human.rich => self.note(&message),
                Part::Aside(_) => {}
            }
        }
        Ok(())
    }

    /// Records of a stream, written at once and flushed: one NDJSON line
    /// each in JSON mode, else as each renders itself.
    pub fn records<R: Record>(&self, records: &[R]) -> CliResult {
        let text: String = if self.mode == OutputMode::Json {
            records
                .iter()
                .map(|record| format!("{}\n", record.document()))
                .collect()
        } else {
            let human = self.human();
            let mut text = String::new();
            for record in records {
                text.push_str(&human.clean(&record.human(&human)));
            }
            text
        };
        self.data(&text)
    }

    /// Text that is the same in every mode (a completion script, the man
    /// page, a server's announcement), on stdout.
    pub fn raw(&self, text: &str) -> CliResult {
        self.data(text)
    }

    /// A progress or success message on stderr (silenced by `-q`).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            self.message(&format!("{}\n", sanitize::text(message)));
        }
    }

    /// A line a person must act on for the command to finish (the URL of
    /// a login), alone on its line on stderr: never silenced, in every
    /// mode.
    pub fn instruction(&self, line: &str) {
        self.message(&format!("{line}\n"));
    }

    /// A warning on stderr (never silenced: it may change what to do).
    pub fn warn(&self, message: &str) {
        let label = self.stderr_painter.paint(YELLOW, "warning:");
        self.message(&format!("{label} {}\n", sanitize::text(message)));
    }

    /// A detail shown with `-v` (each request, server settings).
    pub fn detail(&self, message: &str) {
        if self.verbose > 0 {
            self.message(&format!("{}\n", sanitize::text(message)));
        }
    }

    /// A detail shown with `-vv` only (headers, retries).
    pub fn trace(&self, message: &str) {
        if self.verbose > 1 {
            self.message(&format!("{message}\n"));
        }
    }

    /// How many `-v` were given.
    pub fn verbosity(&self) -> u8 {
        self.verbose
    }

    /// A block for a person before a change (what a deploy will do): a
    /// heading and aligned pairs on stderr; not with `-q` or in JSON mode.
    pub fn review(&self, heading: &str, pairs: &KeyValues) {
        if !self.quiet && self.mode != OutputMode::Json {
            self.message(&format!("{}\n{}", sanitize::text(heading), pairs.rich()));
        }
    }

    /// The failure a run ended with, on stderr (a silent one says nothing).
    pub fn error(&self, failure: &Failure) {
        if failure.silent {
            return;
        }
        let paint = |style, text| self.stderr_painter.paint(style, text);
        let mut text = format!(
            "{} {}\n",
            paint(RED.bold(), "error:"),
            sanitize::text(&failure.message)
        );
        if let Some(hint) = &failure.hint {
            text.push_str(&format!(
                "{} {}\n",
                paint(DIM, "hint:"),
                sanitize::text(hint)
            ));
        }
        self.message(&text);
    }

    fn human(&self) -> Human<'_> {
        Human {
            rich: self.mode == OutputMode::Rich,
            width: self.stdout_width,
            painter: &self.stdout_painter,
            clock: &self.clock,
        }
    }

    /// A time (the API's RFC 3339 text) for a key/value view or a line:
    /// in full with its zone for a person, RFC 3339 with the offset in
    /// plain output.
    pub fn timestamp(&self, raw: &str) -> String {
        self.human().timestamp(raw)
    }

    /// A time (RFC 3339 text) as short as a table shows it, with its zone
    /// for a person (a live screen's heading), RFC 3339 in plain output.
    pub fn time_of_day(&self, raw: &str) -> String {
        self.human().time_of_day(raw)
    }

    /// True when the answer's document is what gets printed (`--output
    /// json`): a command may then skip requests made only for the views.
    pub fn prints_documents(&self) -> bool {
        self.mode == OutputMode::Json
    }

    /// Writes data on stdout: a closed pipe is a silent success, any other
    /// failure an error, since the output (perhaps a new key) was lost.
    fn data(&self, text: &str) -> CliResult {
        if text.is_empty() {
            return Ok(());
        }
        self.stdout.write(text).map_err(|err| {
            if err.kind() == io::ErrorKind::BrokenPipe {
                Failure::silent(Exit::Success, "stdout was closed")
            } else {
                Failure::new(
                    Exit::ApiFailure,
                    format!("cannot write the output to stdout: {err}"),
                )
            }
        })
    }

    /// Writes a message on stderr. A failure is ignored: there is nowhere
    /// left to report it.
    fn message(&self, text: &str) {
        let _ = self.stderr.write(text);
    }
}

/// What a command answered, from [`Answer::new`]: the document `--output
/// json` prints, and the parts (views and messages) a person sees
/// otherwise, in order. Messages here describe the answer and are
/// replaced by the document in JSON mode; messages that hold in every mode
/// go through [`Output::note`] and [`Output::warn`].
pub struct Answer<'a> {
    document: Value,
    in_stream: bool,
    parts: Vec<Part<'a>>,
    quiet: Option<String>,
}

enum Part<'a> {
    Table(Table),
    KeyValues(KeyValues),
    Lines(Box<dyn FnOnce(&Human) -> String + 'a>),
    Note(String),
    Warn(String),
    Aside(String),
}

impl<'a> Answer<'a> {
    /// An answer whose JSON form is `document` (the server's answer as it
    /// came, or a value built for a command of our own).
    pub fn new(document: Value) -> Answer<'a> {
        Answer {
            document,
            in_stream: false,
            parts: Vec::new(),
            quiet: None,
        }
    }

    /// With `-q` (in rich or plain output), the whole answer on stdout is
    /// this one value on a line (a new session's id), for `$(...)`.
    pub fn quiet(mut self, value: impl Into<String>) -> Answer<'a> {
        self.quiet = Some(value.into());
        self
    }

    /// The document is the first line of a stream (records follow): one
    /// compact line instead of a pretty document.
    pub fn first_of_stream(mut self) -> Answer<'a> {
        self.in_stream = true;
        self
    }

    pub fn table(mut self, table: Table) -> Answer<'a> {
        self.parts.push(Part::Table(table));
        self
    }

    pub fn key_values(mut self, pairs: impl Into<KeyValues>) -> Answer<'a> {
        self.parts.push(Part::KeyValues(pairs.into()));
        self
    }

    /// Whole lines on stdout, made only when shown (they may be many).
    pub fn lines(mut self, lines: impl FnOnce(&Human) -> String + 'a) -> Answer<'a> {
        self.parts.push(Part::Lines(Box::new(lines)));
        self
    }

    /// A note on stderr (silenced by `-q`).
    pub fn note(mut self, message: impl Into<String>) -> Answer<'a> {
        self.parts.push(Part::Note(message.into()));
        self
    }

    /// A warning on stderr.
    pub fn warn(mut self, message: impl Into<String>) -> Answer<'a> {
        self.parts.push(Part::Warn(message.into()));
        self
    }

    /// A note for a person at a terminal, in rich output only (and not
    /// with `-q`): the commands to run next, or that nothing matched.
    pub fn aside(mut self, message: impl Into<String>) -> Answer<'a> {
        self.parts.push(Part::Aside(message.into()));
        self
    }
}

/// One item of a stream (a log line, a snapshot of a watch).
pub trait Record {
    /// The item as one NDJSON line, in JSON mode.
    fn document(&self) -> Value;
    /// The item as whole lines, in rich or plain mode.
    fn human(&self, human: &Human) -> String;
}

/// What rich or plain output is rendered for: how views look there.
pub struct Human<'a> {
    /// Rich (else plain).
    pub rich: bool,
    width: Option<u16>,
    painter: &'a Painter,
    clock: &'a Clock,
}

impl Human<'_> {
    /// Colours `text` if stdout gets colours.
    pub fn paint(&self, style: anstyle::Style, text: &str) -> String {
        self.painter.paint(style, text)
    }

    pub fn table(&self, table: &Table) -> String {
        if self.rich {
            table.rich(self.width, self.clock)
        } else {
            table.plain(self.clock)
        }
    }

    /// A time (RFC 3339 text) in full with its zone, or as RFC 3339 with
    /// the offset in plain output.
    pub fn timestamp(&self, raw: &str) -> String {
        if self.rich {
            self.clock.full(raw)
        } else {
            self.clock.machine(raw)
        }
    }

    /// A time (RFC 3339 text) as short as a table shows it, with its zone
    /// (`08:39:26 CEST` today), or as RFC 3339 in plain output.
    pub fn time_of_day(&self, raw: &str) -> String {
        if self.rich {
            format!("{} {}", self.clock.short(raw), self.clock.zone_label())
        } else {
            self.clock.machine(raw)
        }
    }

    pub fn key_values(&self, pairs: &KeyValues) -> String {
        if self.rich {
            pairs.rich()
        } else {
            pairs.plain()
        }
    }

    /// Lines as they may be shown: colours stay where they are shown,
    /// every other escape goes (see [`sanitize`]).
    fn clean<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.painter.enabled() {
            sanitize::coloured(text)
        } else {
            sanitize::text(text)
        }
    }
}

#[cfg(test)]
mod capture {
    use super::*;

    /// What a captured [`Output`] wrote.
    pub struct Captured {
        stdout: Arc<Mutex<Vec<u8>>>,
        stderr: Arc<Mutex<Vec<u8>>>,
    }

    impl Captured {
        pub fn stdout(&self) -> String {
            String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
        }

        pub fn stderr(&self) -> String {
            String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
        }
    }

    /// A writer into a shared buffer.
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Output {
        /// An output in `mode` writing into buffers, as to a pipe: no
        /// terminal, no colour, not quiet.
        pub fn capture(mode: OutputMode) -> (Output, Captured) {
            Output::capture_with(
                OutputSettings {
                    mode,
                    color: ColorChoice::Never,
                    no_color: false,
                    quiet: false,
                    verbose: 0,
                    utc: true,
                },
                Terminals::default(),
            )
        }

        /// An output with these settings, as if on these terminals,
        /// writing into buffers.
        pub fn capture_with(settings: OutputSettings, terminals: Terminals) -> (Output, Captured) {
            let stdout = Arc::new(Mutex::new(Vec::new()));
            let stderr = Arc::new(Mutex::new(Vec::new()));
            let out = Output::on(
                settings,
                terminals,
                Box::new(Buffer(stdout.clone())),
                Box::new(Buffer(stderr.clone())),
            );
            (out, Captured { stdout, stderr })
        }

        /// An output whose stdout fails with `kind` on every write.
        pub fn failing(mode: OutputMode, kind: io::ErrorKind) -> (Output, Captured) {
            struct Failing(io::ErrorKind);
            impl Write for Failing {
                fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                    Err(io::Error::from(self.0))
                }
                fn flush(&mut self) -> io::Result<()> {
                    Ok(())
                }
            }
            let (mut out, captured) = Output::capture(mode);
            out.stdout = Sink::new(Box::new(Failing(kind)), false);
            (out, captured)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn agents() -> Table {
        let mut table = Table::new([Column::name("Name").key(), Column::label("Region")])
            .when_empty("No agents yet.");
        table.push(vec!["bot".into(), "us-west".into()]);
        table
    }

    fn settings(mode: OutputMode) -> OutputSettings {
        OutputSettings {
            mode,
            color: ColorChoice::Auto,
            no_color: false,
            quiet: false,
            verbose: 0,
            utc: true,
        }
    }

    #[test]
    fn json_mode_prints_exactly_the_document() {
        let (out, captured) = Output::capture(OutputMode::Json);
        out.answer(
            Answer::new(json!({"agents": [{"name": "bot"}]}))
                .note("Listed.")
                .table(agents())
                .aside("try this"),
        )
        .unwrap();
        let printed: Value = serde_json::from_str(&captured.stdout()).unwrap();
        assert_eq!(printed, json!({"agents": [{"name": "bot"}]}));
        assert!(captured.stdout().ends_with("}\n"));
        assert_eq!(captured.stderr(), "");
    }

    #[test]
    fn plain_mode_prints_the_views_on_stdout_and_the_messages_on_stderr() {
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.answer(
            Answer::new(json!({}))
                .note("Listed.")
                .table(agents())
                .key_values(vec![("Active sessions", "2".to_string())])
                .lines(|_| "line\n".to_string())
                .warn("careful")
                .aside("rich only"),
        )
        .unwrap();
        assert_eq!(
            captured.stdout(),
            "Name\tRegion\nbot\tus-west\nactive_sessions\t2\nline\n"
        );
        assert_eq!(captured.stderr(), "Listed.\nwarning: careful\n");
    }

    #[test]
    fn rich_mode_shows_asides_and_says_when_a_table_is_empty() {
        let (out, captured) = Output::capture(OutputMode::Rich);
        let empty = Table::new([Column::name("Name")]).when_empty("No agents yet.");
        out.answer(Answer::new(json!([])).table(empty).aside("deploy one"))
            .unwrap();
        assert_eq!(captured.stdout(), "");
        assert_eq!(captured.stderr(), "No agents yet.\ndeploy one\n");
    }

    #[test]
    fn quiet_silences_notes_and_asides_but_not_data_warnings_or_errors() {
        let (out, captured) = Output::capture_with(
            OutputSettings {
                quiet: true,
                ..settings(OutputMode::Rich)
            },
            Terminals::default(),
        );
        out.answer(
            Answer::new(json!({}))
                .note("Started.")
                .key_values(vec![("Session ID", "s1".to_string())])
                .aside("Stop: ..."),
        )
        .unwrap();
        out.note("note");
        out.warn("warned");
        out.review(
            "Create agent `a`:",
            &vec![("Image", "x".to_string())].into(),
        );
        out.error(&Failure::usage("bad"));
        assert_eq!(captured.stdout(), "Session ID: s1\n");
        assert_eq!(captured.stderr(), "warning: warned\nerror: bad\n");
    }

    #[test]
    fn quiet_answers_are_the_bare_value_except_in_json() {
        let answer = || {
            Answer::new(json!({"sessionId": "s1"}))
                .note("Started.")
                .lines(|_| "Session ID: s1\n".to_string())
                .quiet("s1")
        };
        let quiet = |mode| OutputSettings {
            quiet: true,
            ..settings(mode)
        };
        for mode in [OutputMode::Rich, OutputMode::Plain] {
            let (out, captured) = Output::capture_with(quiet(mode), Terminals::default());
            out.answer(answer()).unwrap();
            assert_eq!(
                (captured.stdout(), captured.stderr()),
                ("s1\n".into(), "".into())
            );
        }
        let (out, captured) = Output::capture_with(quiet(OutputMode::Json), Terminals::default());
        out.answer(answer()).unwrap();
        assert!(captured.stdout().contains("\"sessionId\": \"s1\""));
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.answer(answer()).unwrap();
        assert_eq!(captured.stdout(), "Session ID: s1\n");
    }

    #[test]
    fn details_need_verbose_and_traces_need_it_twice() {
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.detail("retry 1/3");
        assert_eq!(captured.stderr(), "");
        let (out, captured) = Output::capture_with(
            OutputSettings {
                verbose: 1,
                ..settings(OutputMode::Plain)
            },
            Terminals::default(),
        );
        out.detail("GET /v1/agents → 200 (3 ms)");
        out.trace("retry 1/3");
        assert_eq!(captured.stderr(), "GET /v1/agents → 200 (3 ms)\n");
        let (out, captured) = Output::capture_with(
            OutputSettings {
                verbose: 2,
                ..settings(OutputMode::Plain)
            },
            Terminals::default(),
        );
        out.trace("retry 1/3");
        assert_eq!(captured.stderr(), "retry 1/3\n");
    }

    #[test]
    fn errors_carry_their_hint_and_silent_ones_say_nothing() {
        let (out, captured) = Output::capture(OutputMode::Json);
        out.error(&Failure::usage("no agent name").with_hint("pass it"));
        out.error(&Failure::silent(Exit::Success, "stdout was closed"));
        assert_eq!(captured.stderr(), "error: no agent name\nhint: pass it\n");
    }

    #[test]
    fn colours_follow_each_stream_and_the_choice() {
        let terminals = Terminals {
            stderr: true,
            ..Terminals::default()
        };
        let (out, captured) = Output::capture_with(settings(OutputMode::Plain), terminals);
        out.warn("w");
        out.records(&[Line("x")]).unwrap();
        assert!(
            captured.stderr().contains("\u{1b}["),
            "{:?}",
            captured.stderr()
        );
        assert_eq!(captured.stdout(), "x\n");
        let (out, captured) = Output::capture_with(
            OutputSettings {
                no_color: true,
                ..settings(OutputMode::Plain)
            },
            terminals,
        );
        out.warn("w");
        assert_eq!(captured.stderr(), "warning: w\n");
    }

    #[test]
    fn review_blocks_are_for_people_only() {
        let pairs: KeyValues = vec![("Image", "me/bot:1".to_string())].into();
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.review("Create agent `a`:", &pairs);
        assert_eq!(captured.stderr(), "Create agent `a`:\nImage: me/bot:1\n");
        let (out, captured) = Output::capture(OutputMode::Json);
        out.review("Create agent `a`:", &pairs);
        assert_eq!(captured.stderr(), "");
    }

    /// A record that is a word in rich and plain output.
    struct Line(&'static str);

    impl Record for Line {
        fn document(&self) -> Value {
            json!({"line": self.0})
        }
        fn human(&self, human: &Human) -> String {
            format!("{}\n", human.paint(GREEN, self.0))
        }
    }

    #[test]
    fn streams_are_ndjson_in_json_mode() {
        let (out, captured) = Output::capture(OutputMode::Json);
        out.answer(Answer::new(json!({"sessionId": "s1"})).first_of_stream())
            .unwrap();
        out.records(&[Line("a"), Line("b")]).unwrap();
        assert_eq!(
            captured.stdout(),
            "{\"sessionId\":\"s1\"}\n{\"line\":\"a\"}\n{\"line\":\"b\"}\n"
        );
        let (out, captured) = Output::capture(OutputMode::Rich);
        out.records(&[Line("a"), Line("b")]).unwrap();
        assert_eq!(captured.stdout(), "a\nb\n");
    }

    #[test]
    fn a_closed_stdout_is_a_silent_success_and_a_failed_write_an_error() {
        let (out, captured) = Output::failing(OutputMode::Plain, io::ErrorKind::BrokenPipe);
        let closed = out
            .answer(Answer::new(json!({})).table(agents()))
            .unwrap_err();
        assert_eq!((closed.exit, closed.silent), (Exit::Success, true));
        let (out, _) = Output::failing(OutputMode::Json, io::ErrorKind::StorageFull);
        let failed = out.raw("data\n").unwrap_err();
        assert_eq!((failed.exit, failed.silent), (Exit::ApiFailure, false));
        assert!(
            failed
                .message
                .starts_with("cannot write the output to stdout")
        );
        assert_eq!(captured.stderr(), "");
    }

    #[test]
    fn rich_tables_fit_the_width_of_the_terminal_on_stdout() {
        let mut wide = Table::new([Column::id("ID").key(), Column::label("Note").low()]);
        wide.push(vec!["x".repeat(30), "y".repeat(30)]);
        let terminals = Terminals {
            stdout: true,
            stdout_width: Some(40),
            ..Terminals::default()
        };
        let (out, captured) = Output::capture_with(settings(OutputMode::Rich), terminals);
        out.answer(Answer::new(json!({})).table(wide.clone()))
            .unwrap();
        assert!(captured.stdout().contains(&"x".repeat(30)));
        assert!(captured.stdout().contains("1 column hidden;"));
        // A width is only that of a terminal on stdout.
        let (out, captured) = Output::capture_with(
            settings(OutputMode::Rich),
            Terminals {
                stdout: false,
                ..terminals
            },
        );
        out.answer(Answer::new(json!({})).table(wide)).unwrap();
        assert!(!captured.stdout().contains("hidden"));
    }

    #[test]
    fn escapes_from_a_server_never_reach_rich_or_plain_output() {
        let evil = "bot\x1b]52;c;eA==\x07\x1b[2J\u{9b}1A\x1b[31m!";
        for mode in [OutputMode::Rich, OutputMode::Plain, OutputMode::Json] {
            let (out, captured) = Output::capture(mode);
            let mut table = Table::new([Column::name("Name")]);
            table.push(vec![evil.into()]);
            out.answer(
                Answer::new(json!({"name": evil}))
                    .table(table)
                    .key_values(vec![("Image", evil.to_string())])
                    .lines(|_| format!("{evil}\n"))
                    .note(evil),
            )
            .unwrap();
            out.records(&[Line(evil)]).unwrap();
            out.error(&Failure::usage(evil).with_hint(evil));
            let (stdout, stderr) = (captured.stdout(), captured.stderr());
            if mode == OutputMode::Json {
                // The document and the record as the server wrote them.
                assert_eq!(
                    stdout.matches(r"\u001b]52;c;eA==\u0007").count(),
                    2,
                    "{stdout}"
                );
            } else {
                assert!(stdout.contains("bot!"), "{stdout:?}");
                assert!(
                    !stdout.contains("52;c;") && !stdout.contains("1A"),
                    "{stdout:?}"
                );
                assert!(
                    !stdout
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "{stdout:?}"
                );
            }
            assert!(stderr.contains("bot!"), "{stderr:?}");
            assert!(
                !stderr.chars().any(|c| c.is_control() && c != '\n'),
                "{stderr:?}"
            );
        }
    }

    #[test]
    fn colours_in_lines_stay_only_where_colours_are_shown() {
        let line = "\x1b[32mgreen\x1b[0m\x1b[2K";
        let (out, captured) = Output::capture(OutputMode::Plain);
        out.records(&[Line(line)]).unwrap();
        assert_eq!(captured.stdout(), "green\n");
        let (out, captured) = Output::capture_with(
            OutputSettings {
                color: ColorChoice::Always,
                ..settings(OutputMode::Plain)
            },
            Terminals::default(),
        );
        out.answer(Answer::new(json!({})).lines(|_| format!("{line}\n")))
            .unwrap();
        assert_eq!(captured.stdout(), "\x1b[32mgreen\x1b[0m\n");
    }

    #[test]
    fn modes_are_named_in_any_case() {
        assert_eq!(OutputMode::named("JSON"), Some(OutputMode::Json));
        assert_eq!(OutputMode::named(" plain"), Some(OutputMode::Plain));
        assert_eq!(OutputMode::named("yaml"), None);
    }
}
