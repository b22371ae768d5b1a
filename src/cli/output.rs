//! Output modes and the stdout/stderr split: data on stdout, everything else
//! (progress, warnings, errors) on stderr.

use std::io::IsTerminal;

use clap::ValueEnum;

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
