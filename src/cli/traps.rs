//! Flags that trap people, caught before or while the command line is
//! parsed, each with a hint naming the form that works:
//!
//! - `--wait-for-capacity 30s`: the flag's value is optional, so it only
//!   takes one after `=`; the duration would be read as the agent name
//!   (starting an agent called `30s`) or be an unexpected argument.
//! - `logs --tail 10`: `--tail` is `--follow`, which takes no value; `-n`
//!   is the line count.
//! - `logs -f`: `-f` is `--format`, as in the official CLI, not follow.
//!
//! And `--color` is read here too, so that help and usage errors, which
//! come before the settings, follow it.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::duration;
use super::exit::Failure;
use super::output::ColorChoice;

/// Flags whose value is optional and must follow `=`.
const OPTIONAL_VALUE_FLAGS: [&str; 1] = ["--wait-for-capacity"];

/// The spellings of `logs --follow`, which takes no value.
const FOLLOW_FLAGS: [&str; 2] = ["--follow", "--tail"];

/// The arguments before `--` (after it, every word is a value).
fn options(args: &[OsString]) -> impl Iterator<Item = &str> {
    args.iter()
        .map(|arg| arg.to_str().unwrap_or(""))
        .take_while(|arg| *arg != "--")
}

/// A value that would be read as something else: the word after an
/// optional-value flag given without `=` when it is a duration, or a
/// number after `logs --tail`/`--follow`.
pub fn swallowed_value(args: &[OsString]) -> Option<Failure> {
    let words: Vec<&str> = options(args).collect();
    let logs = words.contains(&"logs");
    words.windows(2).find_map(|pair| {
        let (flag, next) = (pair[0], pair[1]);
        if OPTIONAL_VALUE_FLAGS.contains(&flag) && duration::wait(next).is_ok() {
            return Some(
                Failure::usage(format!(
                    "{flag} takes its value after `=`: `{next}` would not be read as its duration"
                ))
                .with_hint(format!("write {flag}={next}")),
            );
        }
        if logs
            && FOLLOW_FLAGS.contains(&flag)
            && !next.is_empty()
            && next.chars().all(|c| c.is_ascii_digit())
        {
            return Some(
                Failure::usage(format!(
                    "{flag} follows the logs and takes no value: `{next}` would not be read as a line count"
                ))
                .with_hint(format!(
                    "-n {next} shows the last {next} lines (add --follow to keep following)"
                )),
            );
        }
        None
    })
}

/// A parse error with a tip when it comes from a trap: `-f` of `logs`
/// (which is `--format`) given without a format.
pub fn explain(mut err: clap::Error, args: &[OsString]) -> clap::Error {
    let words: Vec<&str> = options(args).collect();
    let about_format = matches!(
        err.get(ContextKind::InvalidArg),
        Some(ContextValue::String(arg)) if arg.starts_with("--format")
    );
    let invalid_value = matches!(
        err.kind(),
        ErrorKind::InvalidValue | ErrorKind::NoEquals | ErrorKind::WrongNumberOfValues
    );
    if about_format && invalid_value && words.contains(&"logs") && words.contains(&"-f") {
        let tip = "-f is --format (text or json), as in the official CLI; \
                   to follow the logs, use --follow";
        let mut tips = match err.get(ContextKind::Suggested) {
            Some(ContextValue::StyledStrs(tips)) => tips.clone(),
            _ => Vec::new(),
        };
        tips.push(tip.into());
        err.insert(ContextKind::Suggested, ContextValue::StyledStrs(tips));
    }
    err
}

/// `--color` as given on the command line (the last one wins), for what
/// is printed before the settings are resolved.
pub fn color(args: &[OsString]) -> ColorChoice {
    use clap::ValueEnum;
    let words: Vec<&str> = options(args).collect();
    let mut choice = ColorChoice::Auto;
    for (i, word) in words.iter().enumerate() {
        let value = match word.strip_prefix("--color") {
            Some("") => words.get(i + 1).copied(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(parsed) = value.and_then(|v| ColorChoice::from_str(v, true).ok()) {
            choice = parsed;
        }
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn a_duration_after_wait_for_capacity_is_caught_with_the_form_that_works() {
        for line in [
            "pipecat cloud agent start --wait-for-capacity 30s",
            "pipecat cloud agent start bot --wait-for-capacity 30s",
        ] {
            let failure = swallowed_value(&args(line)).expect(line);
            assert_eq!(
                failure.hint.as_deref(),
                Some("write --wait-for-capacity=30s")
            );
        }
        for line in [
            "pipecat cloud agent start bot --wait-for-capacity=30s",
            "pipecat cloud agent start --wait-for-capacity bot",
            "pipecat cloud agent start bot --wait-for-capacity",
            "pipecat cloud agent start -- --wait-for-capacity 30s",
        ] {
            assert!(swallowed_value(&args(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn a_number_after_logs_tail_points_at_n() {
        let failure = swallowed_value(&args("pipecat cloud agent logs bot --tail 10")).unwrap();
        assert_eq!(
            failure.hint.as_deref(),
            Some("-n 10 shows the last 10 lines (add --follow to keep following)")
        );
        assert!(swallowed_value(&args("pipecat cloud agent logs --follow 10")).is_some());
        assert!(swallowed_value(&args("pipecat cloud agent logs --tail bot")).is_none());
        assert!(swallowed_value(&args("pipecat cloud agent start --follow 10")).is_none());
    }

    #[test]
    fn color_is_read_in_every_spelling() {
        assert_eq!(
            color(&args("pipecat --color never cloud")),
            ColorChoice::Never
        );
        assert_eq!(
            color(&args("pipecat cloud --color=always")),
            ColorChoice::Always
        );
        assert_eq!(color(&args("pipecat cloud")), ColorChoice::Auto);
        assert_eq!(color(&args("pipecat -- --color never")), ColorChoice::Auto);
    }
}
