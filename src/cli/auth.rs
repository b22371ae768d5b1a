//! `pipecat cloud auth ...`: store, check and remove the user token.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::context::{Context, api_failure, config_failure};
use super::exit::{CliResult, Exit, Failure};
use super::output::Answer;
use pipecat_cloud::api::{Credential, ErrorKind, redact};
use pipecat_cloud::files;

/// Personal access tokens start with this (the official CLI checks it too).
const PAT_PREFIX: &str = "pcc_pat_";

/// The most read from stdin for a token: real ones are well under 1 KiB.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Store a personal access token (read from a hidden prompt, or from
    /// stdin when it is not a terminal; never from the command line).
    UsePat,
    /// Show who the stored (or PIPECAT_TOKEN) token belongs to.
    Whoami,
    /// Remove the stored token (the active org and per-org settings stay).
    Logout,
}

pub async fn run(args: AuthArgs, ctx: &Context) -> CliResult {
    match args.command {
        AuthCommand::UsePat => use_pat(ctx).await,
        AuthCommand::Whoami => whoami(ctx).await,
        AuthCommand::Logout => logout(ctx),
    }
}

async fn use_pat(ctx: &Context) -> CliResult {
    let token = read_token(ctx)?;
    if !token.starts_with(PAT_PREFIX) {
        return Err(Failure::usage(format!(
            "that is not a personal access token: it must start with `{PAT_PREFIX}`"
        ))
        .with_hint("create one in the Pipecat Cloud dashboard"));
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

/// Who the token belongs to. JSON is the official CLI's document:
/// `{"user", "organization": {"name", "verbose_name"}, "dailyApiKey"}`;
/// the Daily API key is a secret this client does not fetch, so it is
/// always `null` (docs/compatibility.md).
async fn whoami(ctx: &Context) -> CliResult {
    let config = ctx.user_config()?;
    let client = ctx.user_client(&config).await?;
    let mut answer = client.whoami().await.map_err(|err| api_failure(&err))?;
    let org = client.org().unwrap_or_default().to_string();
    let organizations = client
        .list_organizations()
        .await
        .map_err(|err| api_failure(&err))?
        .value
        .organizations;
    let verbose_name = organizations
        .into_iter()
        .find(|o| o.name == org)
        .and_then(|o| o.verbose_name);
    let document = json!({
        "user": answer.raw.get_mut("user").map(Value::take),
        "organization": {"name": org, "verbose_name": verbose_name},
        "dailyApiKey": null,
    });
    let user = &answer.value.user;
    let token = match client.credential() {
        Credential::UserToken(token) => token.as_str(),
        _ => "",
    };
    let source = if ctx.settings.token.is_some() {
        "PIPECAT_TOKEN".to_string()
    } else {
        config.path().display().to_string()
    };
    let mut pairs = vec![
        (
            "User",
            user.emails
                .first()
                .map_or_else(|| user.user_id.clone(), |e| e.email_address.clone()),
        ),
        ("User ID", user.user_id.clone()),
        (
            "Organization",
            match &verbose_name {
                Some(name) if *name != org => format!("{name} ({org})"),
                _ => org.clone(),
            },
        ),
        (
            "Auth method",
            if token.starts_with(PAT_PREFIX) {
                "personal access token"
            } else {
                "OAuth token"
            }
            .to_string(),
        ),
        ("Token", redact(token)),
        ("Token from", source),
    ];
    if ctx.settings.private_api_key.is_some() {
        pairs.push((
            "Agent commands use",
            "PIPECAT_PRIVATE_API_KEY (set in the environment)".to_string(),
        ));
    }
    ctx.out.answer(Answer::new(document).key_values(pairs))
}

fn logout(ctx: &Context) -> CliResult {
    let mut config = ctx.user_config()?;
    let removed = config.remove_credentials();
    if removed {
        config.save().map_err(config_failure)?;
    }
    let said = if removed {
        format!(
            "Removed the stored token from {} (the active org and per-org settings stay).",
            config.path().display()
        )
    } else {
        format!("No token stored in {}.", config.path().display())
    };
    ctx.out
        .answer(Answer::new(json!({"removed": removed, "config": config.path()})).note(said))?;
    if ctx.settings.token.is_some() {
        ctx.out
            .warn("PIPECAT_TOKEN is still set in the environment and still logs you in");
    }
    Ok(())
}
