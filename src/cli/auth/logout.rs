//! `pipecat cloud auth logout`: revoke the stored login at the API, then
//! remove it from the config file. Unlike the official CLI, which deletes
//! the whole file, the rest of it (the active organization, each
//! organization's default key and settings) stays, and the command says so.

use serde_json::json;

use super::super::context::{Context, config_failure};
use super::super::exit::CliResult;
use super::super::output::Answer;
use pipecat_cloud::api::oauth;

pub async fn run(ctx: &Context) -> CliResult {
    let mut config = ctx.user_config()?;
    let login = config.login();
    // An OAuth login is revoked first, so the refresh token stops working
    // everywhere. A failure is only a warning: removing it from this
    // machine is what was asked, and still happens.
    let revoked = match login
        .as_ref()
        .and_then(|login| Some((login.token(), login.refresh_token()?)))
    {
        Some((access, refresh)) => {
            match oauth::logout(ctx.settings.api_host(), access, refresh).await {
                Ok(()) => Some(true),
                Err(err) => {
                    ctx.out.warn(&format!(
                        "could not revoke the login at the API ({err}); it is removed from this machine anyway"
                    ));
                    Some(false)
                }
            }
        }
        None => None,
    };
    let removed = config.remove_credentials();
    if removed {
        config.save().map_err(config_failure)?;
    }
    let kept = config.kept_settings();
    let path = config.path().display().to_string();
    let mut said = match (removed, revoked) {
        (false, _) => format!("No login stored in {path}."),
        (true, Some(true)) => format!("Logged out: the login is revoked and removed from {path}."),
        (true, _) => format!("Logged out: the login is removed from {path}."),
    };
    if removed {
        let mut what = Vec::new();
        if let Some(org) = &kept.org {
            what.push(format!("the active organization `{org}`"));
        }
        if !kept.tables.is_empty() {
            let tables: Vec<String> = kept.tables.iter().map(|t| format!("[{t}]")).collect();
            what.push(format!("the settings of {}", tables.join(", ")));
        }
        if !what.is_empty() {
            said.push_str(&format!(" Kept {}.", what.join(" and ")));
        }
    }
    ctx.out.answer(
        Answer::new(json!({
            "removed": removed,
            "revoked": revoked,
            "config": config.path(),
            "kept": {"org": kept.org, "tables": kept.tables},
        }))
        .note(said),
    )?;
    if ctx.settings.token.is_some() {
        ctx.out
            .warn("PIPECAT_TOKEN is still set in the environment and still logs you in");
    }
    Ok(())
}
