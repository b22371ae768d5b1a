//! `pipecat cloud secrets ...`: secret sets (keys and values that an
//! agent's sessions get as environment variables) and image pull secrets
//! (registry credentials). No command prints, logs or echoes a value:
//! reviews and answers name keys only.

mod dotenv;
mod list;
mod pull;
mod set;

use clap::{Args, Subcommand};
use serde_json::json;

use super::context::{Context, api_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::{Answer, Question};
use pipecat_cloud::api::names::{check_secret_key, check_secret_set_name};
use pipecat_cloud::api::{ApiError, ErrorKind};

#[derive(Debug, Args)]
pub struct SecretsArgs {
    #[command(subcommand)]
    pub command: SecretsCommand,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Create a secret set, or add and replace keys in one (other keys
    /// stay). Values are read from a dotenv file (or stdin with `--file -`)
    /// and never shown.
    Set(set::SetArgs),
    /// Remove one key from a secret set.
    Unset(UnsetArgs),
    /// List the secret sets and image pull secrets, or the keys of one set
    /// (never a value).
    List(list::ListArgs),
    /// Delete a secret set or an image pull secret, with everything in it.
    Delete(DeleteArgs),
    /// Create or update an image pull secret: credentials for a private
    /// image registry (asked on a terminal, else read from stdin).
    ImagePullSecret(pull::PullArgs),
}

/// `--skip`/`-s` (the official spelling) or `--yes`/`-y`.
#[derive(Debug, Args)]
pub struct Skip {
    /// Do not ask for confirmation (needed when stdin is not a terminal)
    #[arg(short = 's', long = "skip")]
    pub skip: bool,
    /// The same as --skip
    #[arg(short = 'y', long)]
    pub yes: bool,
}

impl Skip {
    fn asks(&self) -> bool {
        !(self.skip || self.yes)
    }
}

const SKIP_FLAG: &str = "--skip (-s) or --yes (-y)";

#[derive(Debug, Args)]
pub struct UnsetArgs {
    /// The secret set
    pub name: String,
    /// The key to remove
    pub key: String,
    #[command(flatten)]
    pub skip: Skip,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The secret set or image pull secret
    pub name: String,
    #[command(flatten)]
    pub skip: Skip,
}

pub async fn run(args: SecretsArgs, ctx: &Context) -> CliResult {
    match args.command {
        SecretsCommand::Set(args) => set::run(args, ctx).await,
        SecretsCommand::Unset(args) => unset(args, ctx).await,
        SecretsCommand::List(args) => list::run(args, ctx).await,
        SecretsCommand::Delete(args) => delete(args, ctx).await,
        SecretsCommand::ImagePullSecret(args) => pull::run(args, ctx).await,
    }
}

async fn unset(args: UnsetArgs, ctx: &Context) -> CliResult {
    check_secret_set_name(&args.name).map_err(Failure::usage)?;
    check_secret_key(&args.key).map_err(Failure::usage)?;
    if args.skip.asks() {
        ctx.out.confirm(&Question {
            action: "removing a secret",
            prompt: format!(
                "Remove key {} from secret set {}? Agents using the set lose it when redeployed",
                args.key, args.name
            ),
            default_yes: false,
            skip_flag: SKIP_FLAG,
            declined: "not removed",
        })?;
    }
    let client = ctx.management_client().await?;
    client
        .delete_secret(&args.name, &args.key)
        .await
        .map_err(|err| match err.kind {
            ErrorKind::NotFound => Failure::new(
                Exit::NotFound,
                format!(
                    "secret set `{}` has no key `{}` (or there is no such set)",
                    args.name, args.key
                ),
            )
            .with_hint(format!(
                "its keys: `{}`",
                ctx.settings.suggest(&["secrets", "list", &args.name])
            )),
            _ => refused(&args.name, &err),
        })?;
    ctx.out.answer(
        Answer::new(json!({"name": args.name, "key": args.key, "deleted": true})).note(format!(
            "Removed key `{}` from secret set `{}`.",
            args.key, args.name
        )),
    )
}

async fn delete(args: DeleteArgs, ctx: &Context) -> CliResult {
    check_secret_set_name(&args.name).map_err(Failure::usage)?;
    if args.skip.asks() {
        ctx.out.confirm(&Question {
            action: "deleting a secret set",
            prompt: format!("Delete secret set {} and every key in it?", args.name),
            default_yes: false,
            skip_flag: SKIP_FLAG,
            declined: "not deleted",
        })?;
    }
    let client = ctx.management_client().await?;
    client
        .delete_secret_set(&args.name)
        .await
        .map_err(|err| match err.kind {
            ErrorKind::NotFound => missing_set(ctx, &args.name),
            _ => refused(&args.name, &err),
        })?;
    ctx.out.answer(
        Answer::new(json!({"name": args.name, "deleted": true}))
            .note(format!("Deleted secret set `{}`.", args.name)),
    )
}

/// A set that does not exist (exit 4), and how to see which do.
fn missing_set(ctx: &Context, name: &str) -> Failure {
    Failure::new(Exit::NotFound, format!("there is no secret set `{name}`")).with_hint(format!(
        "list them: `{}`",
        ctx.settings.suggest(&["secrets", "list"])
    ))
}

/// The API refused a change to set `name`. A 409 here is a conflict
/// with the set's state (a deployment uses it), not a wait: exit 1.
fn refused(name: &str, err: &ApiError) -> Failure {
    match err.status {
        Some(409) => Failure::new(
            Exit::ApiFailure,
            format!("secret set `{name}` cannot be changed now: {}", err.message),
        ),
        _ => api_failure(err),
    }
}
