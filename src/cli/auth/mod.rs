//! `pipecat cloud auth ...`: log in (in the browser, or with a personal
//! access token), check who you are, log out.

mod login;
mod logout;
mod whoami;

use clap::{Args, Subcommand};
use serde_json::json;

use super::context::{Context, api_failure, config_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::Answer;
use pipecat_cloud::api::{ErrorKind, PERSONAL_ACCESS_TOKEN_PREFIX as PAT_PREFIX, redact};
use pipecat_cloud::files;

/// The most read from stdin for a token: real ones are well under 1 KiB.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Credentials:
  `auth login` stores an OAuth login (a token that expires after about a day and is
  refreshed automatically); `auth use-pat` stores a personal access token (pcc_pat_...,
  never refreshed). Both go in the config file the official CLI uses, so one login serves
  both. PIPECAT_TOKEN overrides the stored token for one run.")]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in with your browser (OAuth); the login is stored and refreshed
    /// automatically.
    Login(login::LoginArgs),
    /// Store a personal access token (read from a hidden prompt, or from
    /// stdin when it is not a terminal; never from the command line).
    UsePat,
    /// Show who you are logged in as, how, and until when.
    #[command(after_long_help = "\
Examples:
  pipecat cloud auth whoami
  pipecat cloud auth whoami --output json | jq -r .organization.name")]
    Whoami,
    /// Log out: revoke the login and remove it from the config file (the
    /// active org and per-org settings stay).
    #[command(after_long_help = "\
Examples:
  pipecat cloud auth logout
  pipecat cloud auth logout --output json   # {\"removed\", \"revoked\", \"kept\", \"config\"}")]
    Logout,
}

pub async fn run(args: AuthArgs, ctx: &Context) -> CliResult {
    match args.command {
        AuthCommand::Login(args) => login::run(args, ctx).await,
        AuthCommand::UsePat => use_pat(ctx).await,
        AuthCommand::Whoami => whoami::run(ctx).await,
        AuthCommand::Logout => logout::run(ctx).await,
    }
}

async fn use_pat(ctx: &Context) -> CliResult {
    let token = read_token(ctx)?;
    if !token.starts_with(PAT_PREFIX) {
        return Err(Failure::usage(format!(
            "that is not a personal access token: it must start with `{PAT_PREFIX}`"
        ))
        .with_hint(
            "create one in the Pipecat Cloud dashboard, or log in with your browser: `pipecat cloud auth login`",
        ));
    }
    let mut config = ctx.user_config()?;
    let organizations = ctx
        .token_client(&token)?
        .list_organizations()
        .await
        .map_err(|err| match err.kind {
            ErrorKind::Auth => Failure::new(
                Exit::Auth,
                format!("the token {} was refused: {err}", redact(&token)),
            )
            .with_hint("check that it is not revoked or expired; nothing was stored"),
            _ => api_failure(&err),
        })?
        .value
        .organizations;
    let is_member = |org: &str| organizations.iter().any(|o| o.name == org);
    // The org asked for, else the one already active if the token can use
    // it, else the token's first.
    let org = match ctx.settings.org.as_deref() {
        Some(org) if is_member(org) => org.to_string(),
        Some(org) => {
            return Err(Failure::new(
                Exit::NotFound,
                format!("the token does not belong to organization `{org}`; nothing was stored"),
            ));
        }
        None => match config.org().filter(|org| is_member(org)) {
            Some(org) => org.to_string(),
            None => organizations
                .first()
                .map(|org| org.name.clone())
                .ok_or_else(|| {
                    Failure::new(
                        Exit::NotFound,
                        "the token belongs to no organization; nothing was stored",
                    )
                })?,
        },
    };
    config.set_personal_access_token(&token, &org);
    config.save().map_err(config_failure)?;
    ctx.out.answer(
        Answer::new(json!({"org": org, "config": config.path()})).note(format!(
            "Logged in to organization `{org}`; the token is stored in {}.",
            config.path().display()
        )),
    )?;
    if ctx.settings.token.is_some() {
        ctx.out
            .warn("PIPECAT_TOKEN is set and takes precedence over the stored token");
    }
    Ok(())
}

/// The token from a hidden prompt on a terminal, else all of stdin.
fn read_token(ctx: &Context) -> CliResult<String> {
    let token = if ctx.out.stdin_is_terminal() {
        ctx.out.ask_secret("Personal access token", "the token")?
    } else {
        let bytes = files::read_capped_from(std::io::stdin(), MAX_TOKEN_BYTES)
            .map_err(|err| Failure::usage(format!("cannot read the token from stdin: {err}")))?;
        String::from_utf8(bytes)
            .map_err(|_| Failure::usage("the token on stdin is not UTF-8 text"))?
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(Failure::usage("no token given").with_hint(
            "type it at the prompt, or pipe it: `pipecat cloud auth use-pat < token.txt`",
        ));
    }
    Ok(token)
}
