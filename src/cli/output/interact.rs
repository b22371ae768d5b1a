//! Talking with a person on the terminal: prompts (dialoguer) and
//! spinners (indicatif). Both draw on stderr and only ever run when a
//! person is there; this is the one place that starts them.

use std::time::Duration;

use super::Output;
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
        let confirmed = dialoguer::Confirm::new()
            .with_prompt(sanitize::text(&question.prompt))
            .default(question.default_yes)
            .interact()
            .map_err(|err| Failure::usage(format!("cannot ask for confirmation: {err}")))?;
        if confirmed {
            Ok(())
        } else {
            Err(Failure::new(
                Exit::ApiFailure,
                format!("{}: cancelled at the prompt", question.declined),
            ))
        }
    }

    /// The index of the item a person picks from `items`; Esc picks
    /// nothing, which fails (exit 1). Callers check [`Output::can_prompt`]
    /// first, to name the argument that replaces the picker.
    pub fn pick(&self, prompt: &str, items: &[String]) -> CliResult<usize> {
        // The items are names a server sent.
        let items: Vec<String> = items
            .iter()
            .map(|item| sanitize::text(item).into_owned())
            .collect();
        dialoguer::Select::new()
            .with_prompt(prompt)
            .items(&items)
            .default(0)
            .interact_opt()
            .map_err(|err| Failure::usage(format!("cannot show the picker: {err}")))?
            .ok_or_else(|| Failure::new(Exit::ApiFailure, "nothing selected"))
    }

    /// A line of text typed by a person (`what` names it in errors).
    pub fn ask(&self, prompt: &str, what: &str) -> CliResult<String> {
        dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .interact_text()
            .map_err(|err| Failure::usage(format!("cannot ask for {what}: {err}")))
    }

    /// A secret typed by a person, not echoed (`what` names it in errors).
    pub fn ask_secret(&self, prompt: &str, what: &str) -> CliResult<String> {
        dialoguer::Password::new()
            .with_prompt(prompt)
            .interact()
            .map_err(|err| Failure::usage(format!("cannot read {what}: {err}")))
    }

    /// Progress of a wait: a spinner on a terminal, else a note each time
    /// the message changes; nothing with `-q`.
    pub fn progress(&self) -> Progress {
        let bar = (!self.quiet && self.stderr.terminal).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Progress {
            bar,
            out: self.clone(),
            last: String::new(),
        }
    }
}

/// A wait in progress, from [`Output::progress`]; the spinner is cleared
/// when it is dropped, on every way out.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    out: Output,
    last: String,
}

impl Progress {
    /// Shows where the wait is.
    pub fn say(&mut self, message: String) {
        if message == self.last {
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_message(sanitize::text(&message).into_owned()),
            None => self.out.note(&message),
        }
        self.last = message;
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
    fn progress_without_a_terminal_is_a_note_per_change() {
        let (out, captured) = Output::capture(OutputMode::Rich);
        let mut progress = out.progress();
        progress.say("deploying".into());
        progress.say("deploying".into());
        progress.say("ready".into());
        drop(progress);
        assert_eq!(captured.stderr(), "deploying\nready\n");
        assert_eq!(captured.stdout(), "");
    }
}
