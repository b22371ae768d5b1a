//! Talking with a person on the terminal: prompts (dialoguer) and
//! spinners (indicatif). Both draw on stderr and only ever run when a
//! person is there; this is the one place that starts them.
//!
//! A prompt hides the cursor and may switch the terminal to raw mode or
//! turn echo off; Ctrl-C must not leave it so. Every prompt therefore runs
//! on a thread of its own while the caller waits for its answer or for
//! Ctrl-C (see [`Output::interact`]); on Ctrl-C the caller puts the
//! terminal back as it found it and the run ends with exit 130 and no
//! error line.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};

use super::Output;
use super::format::format_elapsed;
use crate::cli::exit::{CliResult, Exit, Failure};
use pipecat_cloud::sanitize;

/// A yes/no question asked by [`Output::confirm`].
pub struct Question {
    /// What needs it, for the error without a terminal ("deleting an agent").
    pub action: &'static str,
    /// The question itself.
    pub prompt: String,
    pub default_yes: bool,
    /// The flag that skips it ("--force (-f)").
    pub skip_flag: &'static str,
    /// The outcome of a "no" ("not deleted").
    pub declined: &'static str,
}

impl Output {
    /// True when a person can answer a prompt: prompts read stdin and draw
    /// on stderr, so both must be terminals.
    pub fn can_prompt(&self) -> bool {
        self.stdin_terminal && self.stderr.terminal
    }

    /// True when stdin is a terminal (else it carries data, e.g. a piped
    /// token).
    pub fn stdin_is_terminal(&self) -> bool {
        self.stdin_terminal
    }

    /// Asks a yes/no question before something hard to undo. Without a
    /// terminal it fails at once (exit 2) naming the flag that skips the
    /// question; a "no" fails (exit 1) saying nothing was done.
    pub fn confirm(&self, question: &Question) -> CliResult {
        if !self.can_prompt() {
            return Err(Failure::usage(format!(
                "{} needs confirmation, and stdin is not a terminal",
                question.action
            ))
            .with_hint(format!(
                "pass {} to go ahead without asking",
                question.skip_flag
            )));
        }
        let prompt = sanitize::text(&question.prompt).into_owned();
        let default = question.default_yes;
        let confirmed = self.interact("ask for confirmation", move || {
            dialoguer::Confirm::new()
                .with_prompt(prompt)
                .default(default)
                .interact()
        })?;
        if confirmed {
            Ok(())
        } else {
            Err(Failure::new(
                Exit::ApiFailure,
                format!("{}: cancelled at the prompt", question.declined),
            ))
        }
    }

    /// The index of the item a person picks from `items`, starting on
    /// item `start`; typing filters the list (fuzzy), Esc picks nothing,
    /// which fails (exit 1). Items must differ from each other. Callers
    /// check [`Output::can_prompt`] first, to name the argument that
    /// replaces the picker.
    pub fn pick(&self, prompt: &str, items: &[String], start: usize) -> CliResult<usize> {
        let prompt = format!("{prompt} (type to filter, Esc to cancel)");
        // The items are names a server sent.
        let items: Vec<String> = items
            .iter()
            .map(|item| sanitize::text(item).into_owned())
            .collect();
        let start = start.min(items.len().saturating_sub(1));
        self.interact("show the picker", move || {
            dialoguer::FuzzySelect::new()
                .with_prompt(prompt)
                .items(&items)
                .default(start)
                .interact_opt()
        })?
        .ok_or_else(|| Failure::new(Exit::ApiFailure, "nothing selected"))
    }

    /// A line of text typed by a person (`what` names it in errors).
    pub fn ask(&self, prompt: &str, what: &str) -> CliResult<String> {
        let prompt = prompt.to_string();
        self.interact(&format!("ask for {what}"), move || {
            dialoguer::Input::<String>::new()
                .with_prompt(prompt)
                .interact_text()
        })
    }

    /// A secret typed by a person, not echoed (`what` names it in errors).
    pub fn ask_secret(&self, prompt: &str, what: &str) -> CliResult<String> {
        let prompt = prompt.to_string();
        self.interact(&format!("read {what}"), move || {
            dialoguer::Password::new().with_prompt(prompt).interact()
        })
    }

    /// Runs `prompt` (which reads the terminal) on a thread of its own and
    /// waits for its answer or for Ctrl-C, whichever comes first; `doing`
    /// names it in errors ("ask for confirmation").
    ///
    /// Prompts read keys in raw mode, where Ctrl-C is a key that dialoguer
    /// turns into SIGINT, or read a line with echo off, where the terminal
    /// sends SIGINT and the read goes on. While the prompt runs, SIGINT
    /// only raises a flag, and the terminal's settings from before are
    /// kept; on Ctrl-C they are put back, the cursor is shown, and the
    /// prompt's thread is left blocked until the process ends, which it
    /// does at once (exit 130, no error line). The SIGINT action of before
    /// is restored on every way out.
    fn interact<T: Send + 'static>(
        &self,
        doing: &str,
        prompt: impl FnOnce() -> dialoguer::Result<T> + Send + 'static,
    ) -> CliResult<T> {
        let saved = tcgetattr(io::stdin()).ok();
        let _interrupts = InterruptFlag::raise_on_sigint();
        let (answer, answered) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = answer.send(prompt());
        });
        let outcome = loop {
            match answered.recv_timeout(Duration::from_millis(50)) {
                Ok(outcome) => break Some(outcome),
                Err(mpsc::RecvTimeoutError::Timeout) if !InterruptFlag::raised() => {}
                // Interrupted, or the prompt's thread died.
                Err(_) => break None,
            }
        };
        match outcome {
            Some(Ok(value)) => Ok(value),
            Some(Err(dialoguer::Error::IO(err))) if err.kind() != io::ErrorKind::Interrupted => {
                self.restore_terminal(saved.as_ref(), false);
                Err(Failure::usage(format!("cannot {doing}: {err}")))
            }
            _ => {
                self.restore_terminal(saved.as_ref(), true);
                Err(Failure::silent(
                    Exit::Interrupted,
                    "interrupted at a prompt",
                ))
            }
        }
    }

    /// Puts the terminal back after a prompt that did not finish: its
    /// settings, a visible cursor, and (after Ctrl-C) a fresh line for
    /// the shell's prompt.
    fn restore_terminal(&self, saved: Option<&Termios>, new_line: bool) {
        if let Some(saved) = saved {
            let _ = tcsetattr(io::stdin(), SetArg::TCSANOW, saved);
        }
        let end = if new_line { "\n" } else { "" };
        self.message(&format!("{}{end}", crossterm::cursor::Show));
    }

    /// Progress of a wait, with the time it has taken: a spinner on a
    /// terminal, else a note each time the message changes; nothing with
    /// `-q`.
    pub fn progress(&self) -> Progress {
        let bar = (!self.quiet && self.stderr.terminal).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Progress {
            bar,
            out: self.clone(),
            last: String::new(),
            began: Instant::now(),
        }
    }
}

/// Set by SIGINT while a prompt runs.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: nix::libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// SIGINT raising [`INTERRUPTED`] instead of its usual action, until
/// dropped, which restores the action of before.
struct InterruptFlag {
    before: Option<SigAction>,
}

impl InterruptFlag {
    fn raise_on_sigint() -> InterruptFlag {
        INTERRUPTED.store(false, Ordering::SeqCst);
        let action = SigAction::new(
            SigHandler::Handler(on_sigint),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        let before = unsafe { sigaction(Signal::SIGINT, &action) }.ok();
        InterruptFlag { before }
    }

    fn raised() -> bool {
        INTERRUPTED.load(Ordering::SeqCst)
    }
}

impl Drop for InterruptFlag {
    fn drop(&mut self) {
        if let Some(before) = &self.before {
            // SAFETY: puts back the action that was in place, as it was.
            let _ = unsafe { sigaction(Signal::SIGINT, before) };
        }
    }
}

/// A wait in progress, from [`Output::progress`]; the spinner is cleared
/// when it is dropped, on every way out.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    out: Output,
    last: String,
    began: Instant,
}

impl Progress {
    /// Shows where the wait is: the spinner's message, or (when it
    /// changed) a note saying it after how long the wait has taken so far
    /// (`[3s] agent `bot`: deploying`).
    pub fn say(&mut self, message: String) {
        if message == self.last {
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_message(sanitize::text(&message).into_owned()),
            None => self.out.note(&format!(
                "[{}] {message}",
                format_elapsed(self.began.elapsed())
            )),
        }
        self.last = message;
    }

    /// Updates the spinner's message (a countdown, say); without a
    /// spinner, nothing: notes come from [`Progress::say`] only.
    pub fn show(&mut self, message: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(sanitize::text(&message).into_owned());
        }
    }

    /// Runs `write` (which prints lines, on stdout or stderr) with the
    /// spinner taken off the terminal, then draws it again below them, so
    /// lines written during a wait are never torn by the spinner.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// How long the wait has taken.
    pub fn elapsed(&self) -> Duration {
        self.began.elapsed()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::OutputMode;
    use super::*;

    #[test]
    fn without_a_terminal_a_question_fails_naming_the_flag() {
        let (out, captured) = Output::capture(OutputMode::Plain);
        let err = out
            .confirm(&Question {
                action: "deleting an agent",
                prompt: "Delete?".into(),
                default_yes: false,
                skip_flag: "--force (-f)",
                declined: "not deleted",
            })
            .unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(
            err.message
                .starts_with("deleting an agent needs confirmation")
        );
        assert_eq!(
            err.hint.as_deref(),
            Some("pass --force (-f) to go ahead without asking")
        );
        assert_eq!(captured.stderr(), "");
    }

    #[test]
    fn progress_without_a_terminal_is_a_note_per_change_with_the_time_taken() {
        let (out, captured) = Output::capture(OutputMode::Rich);
        let mut progress = out.progress();
        progress.say("deploying".into());
        progress.show("deploying, 3s".into());
        progress.say("deploying".into());
        progress.say("ready".into());
        drop(progress);
        assert_eq!(captured.stderr(), "[0s] deploying\n[0s] ready\n");
        assert_eq!(captured.stdout(), "");
    }
}
