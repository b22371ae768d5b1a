//! Shell completion, dynamic: the scripts that `pipecat completions SHELL`
//! prints (and `completions/` holds) ask the binary itself for candidates
//! on every Tab (clap_complete's `CompleteEnv`, under [`VAR`]). Commands
//! and flags come from the command tree, so the scripts never go stale;
//! agent names and session ids come from the API.
//!
//! A Tab must never hang or print an error into the shell: candidates from
//! the API are asked for within [`BUDGET`] in all (no retries), any failure
//! gives no candidates, a value the platform's rules refuse (one with
//! terminal escapes, say) is never offered, and answers are kept for
//! [`FRESH`] in the user's cache dir so that repeated Tabs ask once. `--local` completes only
//! against a local cloud that already runs: a Tab never starts a server.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use clap_complete::engine::CompletionCandidate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Cli;
use super::context::Context;
use super::output::{Output, Terminals};
use super::settings::{GlobalArgs, Settings};
use pipecat_cloud::api::{Backoff, Client, Credential, names};
use pipecat_cloud::local::autostart;

/// The variable that turns a run into a completion request.
pub const VAR: &str = "PIPECAT_COMPLETE";

/// The most a Tab waits for the API, all requests together.
const BUDGET: Duration = Duration::from_millis(1500);

/// How long an answer from the API is reused.
const FRESH: Duration = Duration::from_secs(5);

/// Most candidates kept (a bound on what a cache file holds).
const MAX_CANDIDATES: usize = 1000;

/// Answers a completion request if this run is one (then `true`: the
/// candidates, or the script, are on stdout and the run is over).
pub fn answer_if_asked() -> bool {
    let request = clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .bin("pipecat")
        .completer("pipecat");
    // An error here is a shell the engine cannot serve: nothing to print.
    request
        .try_complete(std::env::args_os(), std::env::current_dir().ok().as_deref())
        .unwrap_or(true)
}

/// The script that registers dynamic completion of `pipecat` in `shell`.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    if let Some(completer) = clap_complete::env::Shells::builtins().completer(&shell.to_string()) {
        let _ = completer.write_registration(VAR, "pipecat", "pipecat", "pipecat", &mut script);
    }
    script
}

/// Candidates for an agent name: the organization's agents.
pub fn agent_names(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, |line| Some((line, Wanted::Agents)))
}

/// Candidates for a session id: the active sessions of the agent named on
/// the command line (or in `pcc-deploy.toml`).
pub fn session_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, |line| {
        let agent = line.agent.clone()?;
        Some((line, Wanted::ActiveSessions(agent)))
    })
}

/// What to ask the API for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Wanted {
    Agents,
    ActiveSessions(String),
}

/// The command line being completed, up to the word under the cursor.
struct Line {
    global: GlobalArgs,
    agent: Option<String>,
}

impl Line {
    /// The words before the one being completed, from the completion
    /// request (`pipecat -- pipecat WORDS...`), parsed as far as they go.
    fn read() -> Option<Line> {
        let mut words: Vec<OsString> = std::env::args_os()
            .skip_while(|arg| arg != "--")
            .skip(1)
            .collect();
        let current = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|index| index.parse().ok())
            .unwrap_or(words.len().saturating_sub(1));
        words.truncate(current);
        let matches = Cli::command()
            .ignore_errors(true)
            .try_get_matches_from(words)
            .ok()?;
        let mut deepest: &ArgMatches = &matches;
        while let Some((_, sub)) = deepest.subcommand() {
            deepest = sub;
        }
        let global = GlobalArgs::from_arg_matches(deepest).ok()?;
        let named = deepest
            .try_get_one::<String>("agent_name")
            .ok()
            .flatten()
            .cloned();
        let agent = named.or_else(|| super::agent::agent_name(None).ok());
        Some(Line { global, agent })
    }
}

/// The candidates `wanted` names that start with `current`; none on any
/// failure.
fn candidates(
    current: &OsStr,
    wanted: impl FnOnce(Line) -> Option<(Line, Wanted)>,
) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let values = Line::read()
        .and_then(wanted)
        .and_then(|(line, wanted)| values(&line, &wanted))
        .unwrap_or_default();
    values
        .into_iter()
        .filter(|value| value.starts_with(current.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

fn values(line: &Line, wanted: &Wanted) -> Option<Vec<String>> {
    let local = if line.global.local {
        Some(pipecat_cloud::local::default_data_dir())
    } else {
        None
    };
    let mut settings = Settings::resolve(
        &line.global,
        local.clone(),
        &Settings::process_env,
        Terminals::default(),
    )
    .ok()?;
    settings.timeout = BUDGET;
    // Nothing is printed during a Tab: every message goes nowhere.
    let mut ctx = Context::new(settings.clone(), Output::discard(settings.output));
    if let Some(data_dir) = local {
        ctx.use_local(&autostart::running(&data_dir)?).ok()?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime.block_on(async {
        tokio::time::timeout(BUDGET, fetch(&ctx, wanted))
            .await
            .ok()
            .flatten()
    })
}

async fn fetch(ctx: &Context, wanted: &Wanted) -> Option<Vec<String>> {
    let client = ctx.management_client().await.ok()?.with_retries(
        0,
        Backoff {
            base: Duration::ZERO,
            max: Duration::ZERO,
        },
    );
    let cache = Cache::for_request(&client, wanted);
    if let Some(values) = cache.as_ref().and_then(Cache::read) {
        return Some(values);
    }
    let mut values: Vec<String> = match wanted {
        Wanted::Agents => client
            .agent_names()
            .await
            .ok()?
            .into_iter()
            .filter(|name| names::check_agent_name(name).is_ok())
            .collect(),
        Wanted::ActiveSessions(agent) => super::agent::sessions::active_sessions(&client, agent)
            .await
            .ok()?
            .into_iter()
            .filter_map(|session| names::session_id(&session.session_id).ok())
            .collect(),
    };
    values.truncate(MAX_CANDIDATES);
    if let Some(cache) = cache {
        cache.write(&values);
    }
    Some(values)
}

/// One answer of the API kept on disk, named by a hash of what was asked
/// and of whom (host, organization, credential): the name tells nothing,
/// and another credential or cloud never reads it.
struct Cache {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    /// Unix seconds when it was fetched.
    at: u64,
    values: Vec<String>,
}

impl Cache {
    fn for_request(client: &Client, wanted: &Wanted) -> Option<Cache> {
        let dir = dirs::cache_dir()?.join("pipecat-cloud").join("completion");
        let credential = match client.credential() {
            Credential::PublicKey(secret)
            | Credential::PrivateKey(secret)
            | Credential::UserToken(secret) => secret,
        };
        let mut hash = Sha256::new();
        for part in [
            client.base_url().as_str(),
            client.org().unwrap_or_default(),
            credential,
            &format!("{wanted:?}"),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let name = hex::encode(hash.finalize());
        Some(Cache {
            path: dir.join(format!("{name}.json")),
        })
    }

    /// The values, if fetched less than [`FRESH`] ago.
    fn read(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let cached: Cached = serde_json::from_str(&text).ok()?;
        let age = now().checked_sub(cached.at)?;
        (age < FRESH.as_secs()).then_some(cached.values)
    }

    /// Best effort: a cache that cannot be written is only slower. The
    /// file is written whole (a temp file renamed), in a dir of its own
    /// made private.
    fn write(&self, values: &[String]) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            // Only what it creates; an existing dir keeps its mode.
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        if builder.create(dir).is_err() {
            return;
        }
        let cached = Cached {
            at: now(),
            values: values.to_vec(),
        };
        let Ok(text) = serde_json::to_string(&cached) else {
            return;
        };
        let temp = self
            .path
            .with_extension(format!("{}.tmp", std::process::id()));
        if std::fs::write(&temp, text).is_ok() && std::fs::rename(&temp, &self.path).is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
