//! Exit codes and the failure type every command returns.
//!
//! The codes are part of the interface (scripts branch on them), documented
//! in `--help` and the README, and never 0 on failure.

use std::fmt;
use std::process::ExitCode;

/// What a run ended with. The discriminant is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// The API refused or failed the request (other than below).
    ApiFailure = 1,
    /// Usage error or invalid input (bad flag, bad JSON, bad config file).
    Usage = 2,
    /// Not authenticated or not allowed (no key, 401, 403).
    Auth = 3,
    /// Not found (agent, session, key).
    NotFound = 4,
    /// Cannot reach the API, timeout, or a malformed answer.
    Unreachable = 5,
    /// Temporary: agent at capacity (429) or not ready (409); retry later.
    Temporary = 75,
    /// Interrupted (Ctrl-C).
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// The exit code table, as shown at the end of `pipecat --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    the API refused or failed the request
  2    usage error or invalid input (bad flag, bad JSON, bad config file)
  3    not authenticated or not allowed (no key, 401, 403)
  4    not found (agent, session, key)
  5    cannot reach the API, timeout, or a malformed answer
  75   temporary: agent at capacity (429) or not ready (409); retry later
  130  interrupted (Ctrl-C)";

/// A failed run: the exit code, a one-line message naming the problem, and
/// optionally what to do about it. A command in the hint is written
/// `` `pipecat cloud ...` `` without global flags: the run adds those it
/// needs (`--local`, `--org`, `--api-host`) when it reports the failure.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
    /// Ends the run with `exit` without an error line (e.g. stdout was
    /// closed: the reader has what it wanted).
    pub silent: bool,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
            hint: None,
            silent: false,
        }
    }

    /// An end that is not reported: `message` says why, for the code only.
    pub fn silent(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            silent: true,
            ..Failure::new(exit, message)
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

pub type CliResult<T = ()> = Result<T, Failure>;
