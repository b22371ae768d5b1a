//! `secrets set NAME (--file PATH | KEY=VALUE...)`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::dotenv::{self, Entry};
use super::{SKIP_FLAG, Skip, refused};
use crate::cli::context::{Context, api_failure};
use crate::cli::exit::{CliResult, Failure};
use crate::cli::output::{KeyValues, Question};
use crate::cli::regions::check_region;
use pipecat_cloud::api::limits::{MAX_SECRET_SET_BYTES, MAX_SECRET_VALUE_BYTES};
use pipecat_cloud::api::names::{check_secret_key, check_secret_set_name};
use pipecat_cloud::api::types::{SecretPair, SecretSet, SecretValue};
use pipecat_cloud::api::{Client, ErrorKind};
use pipecat_cloud::files;

/// The largest dotenv file read: twice what a set may hold, for comments.
const MAX_FILE_BYTES: usize = 2 * MAX_SECRET_SET_BYTES;

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The secret set (3 to 63 lowercase letters, digits, hyphens and dots)
    pub name: String,
    /// KEY=VALUE pairs. Prefer --file: arguments are visible to other users
    /// of this machine and stay in shell history
    #[arg(value_name = "KEY=VALUE", conflicts_with = "file")]
    pub secrets: Vec<String>,
    /// Read the keys and values from a dotenv file (`-`: from stdin)
    #[arg(short = 'f', long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Region of a new set [default: the organization's]; a set's region
    /// cannot change, and agents can use only sets in their region
    #[arg(short = 'r', long)]
    pub region: Option<String>,
    #[command(flatten)]
    pub skip: Skip,
}

pub async fn run(args: SetArgs, ctx: &Context) -> CliResult {
    check_secret_set_name(&args.name).map_err(Failure::usage)?;
    let pairs = read_pairs(&args, ctx)?;
    if args.skip.asks() && !ctx.out.can_prompt() {
        return ctx.out.confirm(&question(String::new()));
    }
    let client = ctx.management_client().await?;
    let region = args.region.clone().filter(|r| !r.is_empty());
    if let Some(region) = &region {
        check_region(&client, region, "--region").await?;
    }
    let existing = existing_set(ctx, &client, &args.name).await?;
    if let (Some(set), Some(wanted)) = (&existing, &region)
        && set.region.as_deref().is_some_and(|r| r != wanted)
    {
        return Err(Failure::usage(format!(
            "secret set `{}` is in region `{}`; a set's region cannot change",
            args.name,
            set.region.as_deref().unwrap_or_default()
        ))
        .with_hint(format!(
            "leave out --region, or use a new set for `{wanted}`"
        )));
    }
    if args.skip.asks() {
        let shown_region = match (&existing, &region) {
            (Some(set), _) => set.region.clone().unwrap_or_else(|| "-".into()),
            (None, Some(region)) => region.clone(),
            (None, None) => match client
                .properties()
                .await
                .ok()
                .and_then(|p| p.value.default_region().map(str::to_string))
            {
                Some(region) => format!("{region} (organization default)"),
                None => "the organization's default".into(),
            },
        };
        ctx.out.review(
            "Secret set:",
            &review(&args.name, shown_region, &pairs, existing.as_ref()),
        );
        let verb = if existing.is_some() {
            "Update"
        } else {
            "Create"
        };
        ctx.out.confirm(&question(format!(
            "{verb} secret set {} with {} key(s)?",
            args.name,
            pairs.len()
        )))?;
    }
    let stored = client
        .set_secrets(&args.name, &pairs, region.as_deref())
        .await
        .map_err(|err| refused(&args.name, &err))?;
    let region = stored.value.region.or(region).unwrap_or_default();
    let keys: Vec<&str> = pairs.iter().map(|p| p.secret_key.as_str()).collect();
    let created = existing.is_none();
    ctx.out.answer(
        crate::cli::output::Answer::new(json!({
            "name": args.name,
            "region": region,
            "created": created,
            "keys": keys,
        }))
        .note(format!(
            "{} secret set `{}` in `{region}`: {}.",
            if created { "Created" } else { "Updated" },
            args.name,
            keys.join(", ")
        )),
    )?;
    if created {
        ctx.out.note(&format!(
            "Agents get these as environment variables: `{}`.",
            ctx.settings
                .suggest(&["deploy", "AGENT", "IMAGE:TAG", "--secrets", &args.name])
        ));
    } else {
        ctx.out.note(
            "Agents that use the set get the new values after a redeploy \
             (`pipecat cloud deploy AGENT --force`).",
        );
    }
    Ok(())
}

fn question(prompt: String) -> Question {
    Question {
        action: "storing secrets",
        prompt,
        default_yes: true,
        skip_flag: SKIP_FLAG,
        declined: "nothing stored",
    }
}

/// The set as it is now: `None` when there is none.
async fn existing_set(ctx: &Context, client: &Client, name: &str) -> CliResult<Option<SecretSet>> {
    match client.get_secret_set(name).await {
        Ok(found) => {
            if found.value.source.as_deref() == Some("referenced") {
                return Err(Failure::usage(format!(
                    "secret set `{name}` is a referenced secret set: its contents live in your cluster and are managed there"
                )));
            }
            Ok(Some(found.value))
        }
        Err(err) if err.kind == ErrorKind::NotFound => Ok(None),
        // The API reads only regular sets by name.
        Err(err) if err.kind == ErrorKind::BadRequest => Err(Failure::usage(format!(
            "`{name}` is an image pull secret, not a secret set"
        ))
        .with_hint(format!(
            "choose another name, or delete it first: `{}`",
            ctx.settings.suggest(&["secrets", "delete", name])
        ))),
        Err(err) => Err(api_failure(&err)),
    }
}

/// Which keys the set gets, and which of them replace a value. Never a
/// value, nor its length.
fn review(
    name: &str,
    region: String,
    pairs: &[SecretPair],
    existing: Option<&SecretSet>,
) -> KeyValues {
    let replaced =
        |key: &str| existing.is_some_and(|set| set.secrets.iter().any(|s| s.field_name == key));
    let keys: Vec<String> = pairs
        .iter()
        .map(|p| {
            if replaced(&p.secret_key) {
                format!("{} (replaces its value)", p.secret_key)
            } else {
                format!("{} (new)", p.secret_key)
            }
        })
        .collect();
    let kept = existing.map_or(0, |set| {
        set.secrets
            .iter()
            .filter(|s| !pairs.iter().any(|p| p.secret_key == s.field_name))
            .count()
    });
    let mut rows = vec![
        ("Name", name.to_string()),
        ("Region", region),
        ("Keys", keys.join(", ")),
    ];
    if kept > 0 {
        rows.push(("Kept", format!("{kept} other key(s), unchanged")));
    }
    KeyValues::from(rows)
}

/// The pairs to store, from the file (or stdin) or the arguments, checked
/// against the platform's rules. A key given twice keeps its last value.
fn read_pairs(args: &SetArgs, ctx: &Context) -> CliResult<Vec<SecretPair>> {
    // Where each entry came from, for messages: the file, else arguments.
    let (entries, file) = match &args.file {
        Some(path) => {
            let name = if path == Path::new("-") {
                "stdin".to_string()
            } else {
                path.display().to_string()
            };
            let text = read_file(path, &name)?;
            let entries = dotenv::parse(&name, &text)
                .map_err(|err| Failure::usage(err).with_hint("fix the file; nothing was sent"))?;
            (entries, Some(name))
        }
        None => (
            dotenv::parse_pairs(&args.secrets).map_err(Failure::usage)?,
            None,
        ),
    };
    let place = |entry: &Entry| match &file {
        Some(name) => format!("{name}:{}", entry.line),
        None => format!("secret {}", entry.line),
    };
    if entries.is_empty() {
        return Err(Failure::usage(match &args.file {
            Some(_) => "the file holds no KEY=VALUE line",
            None => "no secrets given",
        })
        .with_hint("pass a dotenv file: `--file .env`"));
    }
    let mut pairs: Vec<SecretPair> = Vec::new();
    let mut first_line: HashMap<String, String> = HashMap::new();
    for entry in &entries {
        let at = place(entry);
        check_secret_key(&entry.key).map_err(|err| Failure::usage(format!("{at}: {err}")))?;
        if entry.value.is_empty() {
            return Err(Failure::usage(format!(
                "{at}: {} has an empty value, which the platform does not store",
                entry.key
            ))
            .with_hint("give it a value, or leave the key out"));
        }
        if entry.value.len() > MAX_SECRET_VALUE_BYTES {
            return Err(Failure::usage(format!(
                "{at}: the value of {} is {} bytes; the limit is {MAX_SECRET_VALUE_BYTES}",
                entry.key,
                entry.value.len()
            )));
        }
        if entry.value.contains('\0') {
            return Err(Failure::usage(format!(
                "{at}: the value of {} contains a NUL character, which no environment variable can hold",
                entry.key
            )));
        }
        let value = SecretValue::new(entry.value.clone());
        match pairs.iter_mut().find(|p| p.secret_key == entry.key) {
            Some(pair) => {
                ctx.out.warn(&format!(
                    "{at}: {} is set again (first at {}); the last value is used",
                    entry.key, first_line[&entry.key]
                ));
                pair.secret_value = value;
            }
            None => {
                first_line.insert(entry.key.clone(), at);
                pairs.push(SecretPair {
                    secret_key: entry.key.clone(),
                    secret_value: value,
                });
            }
        }
    }
    let total: usize = pairs
        .iter()
        .map(|p| p.secret_key.len() + p.secret_value.len())
        .sum();
    if total > MAX_SECRET_SET_BYTES {
        return Err(Failure::usage(format!(
            "these secrets are {total} bytes; a set holds at most {MAX_SECRET_SET_BYTES}"
        ))
        .with_hint("split them into several sets"));
    }
    Ok(pairs)
}

/// At most [`MAX_FILE_BYTES`] of UTF-8 text from `path` (`-`: stdin).
fn read_file(path: &Path, name: &str) -> CliResult<String> {
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|err| Failure::usage(format!("cannot read {name}: {err}")))?,
        )
    };
    let bytes = files::read_capped_from(reader, MAX_FILE_BYTES).map_err(|err| {
        Failure::usage(if err.kind() == std::io::ErrorKind::FileTooLarge {
            format!(
                "{name} is larger than {MAX_FILE_BYTES} bytes; a secret set holds at most {MAX_SECRET_SET_BYTES}"
            )
        } else {
            format!("cannot read {name}: {err}")
        })
    })?;
    String::from_utf8(bytes).map_err(|err| {
        Failure::usage(format!(
            "{name} is not UTF-8 text (at byte {})",
            err.utf8_error().valid_up_to()
        ))
    })
}
