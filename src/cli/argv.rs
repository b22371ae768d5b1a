//! The official CLI's multi-letter short flags of `deploy` (`-min 1 -max 3
//! -nc`), which clap cannot declare: rewritten to their long forms before
//! clap parses, and nothing else changes.
//!
//! Only a token that is itself a flag of `deploy` is rewritten: the same
//! text as the value of another flag (`--org -min`), after `--`, or under
//! another command stays as it is. Which flags take a value is read from
//! the command tree itself, so a new flag cannot throw the walk off.

use std::ffi::{OsStr, OsString};

use clap::Command;

/// The official spellings and the long flags they stand for.
const SPELLINGS: [(&str, &str); 3] = [
    ("-min", "--min-agents"),
    ("-max", "--max-agents"),
    ("-nc", "--no-credentials"),
];

/// `args` (the program name first) with each official multi-letter short
/// flag of `deploy` in `root`'s tree replaced by its long form.
pub fn expand_official_shorts(
    args: Vec<OsString>,
    root: impl FnOnce() -> Command,
) -> Vec<OsString> {
    if !args.iter().skip(1).any(|arg| rewritten(arg).is_some()) {
        return args;
    }
    let mut root = root();
    root.build();
    let mut args = args;
    let mut command = &root;
    let mut index = 1;
    while index < args.len() {
        let Some(token) = args[index].to_str() else {
            // Not UTF-8: no flag of ours; a positional value.
            index += 1;
            continue;
        };
        if token == "--" {
            break;
        }
        if command.get_name() == "deploy"
            && let Some(long) = rewritten(&args[index])
        {
            args[index] = long;
            index += 1;
            continue;
        }
        let skip_value = if let Some(long) = token.strip_prefix("--") {
            !long.contains('=') && long_takes_next(command, long)
        } else if let Some(shorts) = token.strip_prefix('-').filter(|s| !s.is_empty()) {
            short_takes_next(command, shorts)
        } else {
            if let Some(sub) = command.find_subcommand(token) {
                command = sub;
            }
            false
        };
        index += if skip_value { 2 } else { 1 };
    }
    args
}

/// The long form of an official spelling (`-min`, `-min=2`), if `arg` is one.
fn rewritten(arg: &OsStr) -> Option<OsString> {
    let text = arg.to_str()?;
    let (flag, value) = match text.split_once('=') {
        Some((flag, value)) => (flag, Some(value)),
        None => (text, None),
    };
    let (_, long) = SPELLINGS.iter().find(|(short, _)| *short == flag)?;
    Some(match value {
        Some(value) => format!("{long}={value}").into(),
        None => OsString::from(long),
    })
}

/// The flag takes its value from the next token.
fn takes_next(arg: &clap::Arg) -> bool {
    arg.get_action().takes_values()
        && !arg.is_require_equals_set()
        && arg
            .get_num_args()
            .is_none_or(|range| range.min_values() > 0)
}

fn long_takes_next(command: &Command, long: &str) -> bool {
    command
        .get_arguments()
        .find(|arg| {
            arg.get_long() == Some(long)
                || arg
                    .get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&long))
        })
        .is_some_and(takes_next)
}

/// A cluster of short flags (`-qo`): the first that takes a value takes
/// the rest of the cluster, or the next token when nothing is left.
fn short_takes_next(command: &Command, shorts: &str) -> bool {
    for (at, short) in shorts.char_indices() {
        let Some(arg) = command.get_arguments().find(|arg| {
            arg.get_short() == Some(short)
                || arg
                    .get_all_short_aliases()
                    .is_some_and(|aliases| aliases.contains(&short))
        }) else {
            return false;
        };
        if arg.get_action().takes_values() {
            return at + short.len_utf8() == shorts.len() && takes_next(arg);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::{Cli, PccCli};

    fn expand(line: &str) -> String {
        let args = line.split(' ').map(OsString::from).collect();
        let expanded = expand_official_shorts(args, Cli::command);
        let words: Vec<String> = expanded
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        words.join(" ")
    }

    #[test]
    fn deploy_flags_become_long_ones() {
        assert_eq!(
            expand("pipecat cloud deploy bot me/bot:1 -min 1 -max 3 -nc --yes"),
            "pipecat cloud deploy bot me/bot:1 --min-agents 1 --max-agents 3 --no-credentials --yes"
        );
        assert_eq!(
            expand("pipecat --json cloud deploy -min=0 -max=2"),
            "pipecat --json cloud deploy --min-agents=0 --max-agents=2"
        );
        let pcc = ["pcc", "deploy", "bot", "-nc"].map(OsString::from).to_vec();
        assert_eq!(
            expand_official_shorts(pcc, PccCli::command),
            ["pcc", "deploy", "bot", "--no-credentials"].map(OsString::from)
        );
    }

    #[test]
    fn values_of_other_flags_stay() {
        for line in [
            // The value of a deploy flag, of a global flag, a short cluster.
            "pipecat cloud deploy bot -c -min -s -nc",
            "pipecat cloud deploy bot --secrets -max --org -nc",
            "pipecat cloud deploy bot -qo -min",
            // The value of a global flag before the subcommand.
            "pipecat --org -min cloud deploy bot",
            // After `--`, and under another command.
            "pipecat cloud deploy bot -- -min",
            "pipecat cloud agent start bot --data -min",
            "pipecat cloud agent start bot -d -nc",
        ] {
            assert_eq!(expand(line), line);
        }
        // A value given inline leaves the next token a flag.
        assert_eq!(
            expand("pipecat cloud deploy bot --secrets=s -min 1 -oacme -max 2"),
            "pipecat cloud deploy bot --secrets=s --min-agents 1 -oacme --max-agents 2"
        );
    }

    #[test]
    fn lines_without_them_are_not_looked_at() {
        let args: Vec<OsString> = ["pipecat", "cloud", "deploy", "--min-agents", "1"]
            .map(OsString::from)
            .to_vec();
        let untouched = expand_official_shorts(args.clone(), || unreachable!());
        assert_eq!(untouched, args);
    }
}
