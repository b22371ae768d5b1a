//! `pipecat cloud auth login`: the browser login of the official CLI
//! (OAuth 2 authorization code with PKCE, see `pipecat_cloud::api::oauth`).
//!
//! Discover the provider, listen for the answer on 127.0.0.1 (first free
//! of ports 8400-8404), print the login URL alone on its line on stderr and
//! open the browser (unless `--no-browser`), wait for the answer (Ctrl-C:
//! exit 130; `--timeout`, else [`DEFAULT_WAIT`]), exchange the code, choose
//! the organization with the new token, and only then store the login:
//! nothing is written before every step has worked.

use std::time::Duration;

use clap::Args;
use jiff::Timestamp;
use serde_json::json;
use tokio::signal::unix::{SignalKind, signal};

use super::super::context::{Context, api_failure, config_failure, exit_for};
use super::super::exit::{CliResult, Exit, Failure};
use super::super::output::{Answer, Output};
use super::whoami::describe_expiry;
use pipecat_cloud::api::oauth::{CallbackServer, LoginSecrets, OAuthError, OAuthProvider};
use pipecat_cloud::config::login::choose_org;

/// How long the login waits for the browser unless `--timeout` is given.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(300);

#[derive(Debug, Args)]
#[command(after_long_help = "\
How it works:
  The login page's URL is printed on stderr, alone on its line, and opened in your browser
  ($BROWSER, else the desktop's opener). After you log in there, the browser comes back to
  this command on http://127.0.0.1:8400-8404/oauth_callback and the login (an access token
  that expires, and a refresh token) is stored in the config file, mode 0600. Commands
  refresh it as it expires; `auth logout` revokes it. --timeout bounds the wait for the
  browser (default 5 minutes); Ctrl-C cancels. Nothing is stored unless the login succeeds.

Examples:
  pipecat cloud auth login
  pipecat cloud auth login --no-browser          # on a remote machine: open the URL yourself
  pipecat cloud auth login --timeout 10m
  PIPECAT_API_HOST=http://127.0.0.1:7463 pipecat cloud auth login   # a local cloud")]
pub struct LoginArgs {
    /// Do not open a browser: only print the URL to open
    #[arg(long)]
    pub no_browser: bool,
}

pub async fn run(args: LoginArgs, ctx: &Context) -> CliResult {
    if ctx.settings.local.is_some() {
        return Err(Failure::usage(
            "--local logs in with the local cloud's own token; there is nothing to log in to",
        )
        .with_hint(
            "to try the browser login against a local cloud, point at it instead: \
             `pipecat cloud auth login --api-host http://127.0.0.1:7463`",
        ));
    }
    // A config file that cannot be read or written fails now, not after
    // the person has logged in.
    let mut config = ctx.user_config()?;
    let api_host = ctx.settings.api_host();
    let wait = if ctx.settings.timeout_given {
        ctx.settings.timeout
    } else {
        DEFAULT_WAIT
    };
    let provider = OAuthProvider::discover(api_host, ctx.settings.timeout)
        .await
        .map_err(|err| login_failure(&err))?;
    let server = CallbackServer::bind().map_err(|err| login_failure(&err))?;
    let redirect_uri = server.redirect_uri();
    let secrets = LoginSecrets::generate().map_err(|err| login_failure(&err))?;
    let url = provider.authorization_url(&redirect_uri, &secrets);
    // Listening from before the URL is shown: Ctrl-C while the person is
    // in the browser ends the wait with exit 130 and frees the port.
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|err| {
        Failure::new(Exit::ApiFailure, format!("cannot listen for Ctrl-C: {err}"))
    })?;

    let waiting = format!("waiting up to {}; Ctrl-C cancels", spoken(wait));
    if args.no_browser {
        ctx.out.note(&format!(
            "Open this URL in a browser to log in ({waiting}):"
        ));
    } else {
        ctx.out.note(&format!(
            "Opening your browser to log in ({waiting}). If it does not open, open this URL:"
        ));
    }
    // Whatever -q says: without it the login cannot be finished.
    ctx.out.instruction(url.as_str());
    if !args.no_browser {
        open_browser(url.as_str(), ctx.out.clone());
    }

    let code = tokio::select! {
        code = server.wait(secrets.state(), wait) => code.map_err(|err| login_failure(&err))?,
        _ = interrupt.recv() => {
            return Err(Failure::new(Exit::Interrupted, "login cancelled; nothing was stored"));
        }
    };
    let tokens = provider
        .exchange_code(&code, &redirect_uri, secrets.verifier())
        .await
        .map_err(|err| login_failure(&err))?;

    let organizations = ctx
        .token_client(&tokens.access_token)?
        .list_organizations()
        .await
        .map_err(|err| {
            let failure = api_failure(&err);
            Failure {
                message: format!(
                    "logged in, but listing your organizations failed: {}; nothing was stored",
                    failure.message
                ),
                ..failure
            }
        })?
        .value
        .organizations;
    let org = match ctx.settings.org.as_deref() {
        Some(org) if organizations.iter().any(|o| o.name == org) => Some(org.to_string()),
        Some(org) => {
            return Err(Failure::new(
                Exit::NotFound,
                format!("you do not belong to organization `{org}`; nothing was stored"),
            )
            .with_hint("log in without --org (or PIPECAT_ORG) to use your first organization"));
        }
        None => choose_org(config.org(), &organizations).map(str::to_string),
    };

    config.set_oauth_login(&tokens);
    if let Some(org) = &org {
        config.set_org(org);
    }
    config.save().map_err(config_failure)?;

    let expiry = describe_expiry(tokens.expires_at, Timestamp::now());
    let stored = format!(
        "the login is stored in {} and refreshed automatically; this access token expires {expiry}",
        config.path().display()
    );
    let said = match &org {
        Some(org) => format!("Logged in to organization `{org}`; {stored}."),
        None => format!("Logged in; {stored}."),
    };
    ctx.out.answer(
        Answer::new(json!({
            "org": org,
            "config": config.path(),
            "authMethod": "OAuth",
            "tokenExpiresAt": tokens.expires_at.to_string(),
        }))
        .note(said),
    )?;
    if org.is_none() {
        ctx.out.warn(
            "your account belongs to no organization yet; create one in the Pipecat Cloud dashboard",
        );
    }
    if ctx.settings.token.is_some() {
        ctx.out
            .warn("PIPECAT_TOKEN is set and takes precedence over the stored login");
    }
    Ok(())
}

/// `5 min`, `90s`, `2 min 30s`: how long the login waits.
fn spoken(wait: Duration) -> String {
    let seconds = wait.as_secs().max(1);
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s}s"),
    }
}

/// Opens `url` in the browser on a thread of its own (a text browser in
/// $BROWSER runs in the foreground until it quits, while the login goes
/// on); a failure is a warning, since the URL is on the screen.
fn open_browser(url: &str, out: Output) {
    let url = url.to_string();
    let warn = out.clone();
    let opening = std::thread::Builder::new()
        .name("browser".into())
        .spawn(move || {
            let mut options = webbrowser::BrowserOptions::new();
            options.with_suppress_output(true);
            if let Err(err) =
                webbrowser::open_browser_with_options(webbrowser::Browser::Default, &url, &options)
            {
                out.warn(&format!(
                    "cannot open a browser ({err}); open the URL above yourself"
                ));
            }
        });
    if let Err(err) = opening {
        warn.warn(&format!(
            "cannot open a browser ({err}); open the URL above yourself"
        ));
    }
}

/// A failed login: the kind's exit code, the cause, what to do; nothing
/// was stored.
fn login_failure(err: &OAuthError) -> Failure {
    if let OAuthError::Http(api) = err {
        let failure = api_failure(api);
        return Failure {
            message: format!("login failed: {}; nothing was stored", failure.message),
            ..failure
        };
    }
    let hint = match err {
        OAuthError::Provider { .. } => {
            "this API's login cannot be used safely; check --api-host / PIPECAT_API_HOST, \
             or store a personal access token with `pipecat cloud auth use-pat`"
        }
        OAuthError::StateMismatch => {
            "the answer was not for this login; run `pipecat cloud auth login` again and \
             finish it in the browser it opens"
        }
        OAuthError::CallbackTimeout(_) => {
            "run `pipecat cloud auth login` again and finish in the browser in time \
             (--timeout sets how long it waits)"
        }
        OAuthError::NoFreePort { .. } => {
            "another login may be waiting; finish or cancel it, then try again"
        }
        _ => "run `pipecat cloud auth login` again",
    };
    Failure::new(
        exit_for(err.kind()),
        format!("login failed: {err}; nothing was stored"),
    )
    .with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_reads_in_minutes_and_seconds() {
        assert_eq!(spoken(DEFAULT_WAIT), "5 min");
        assert_eq!(spoken(Duration::from_secs(1)), "1s");
        assert_eq!(spoken(Duration::from_millis(300)), "1s");
        assert_eq!(spoken(Duration::from_secs(150)), "2 min 30s");
    }
}
