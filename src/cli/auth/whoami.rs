//! `pipecat cloud auth whoami`: who the token belongs to, how it logs in
//! (OAuth or a personal access token) and, for OAuth, until when.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::super::context::{Context, api_failure};
use super::super::exit::CliResult;
use super::super::output::Answer;
use pipecat_cloud::api::{Credential, is_personal_access_token, redact};
use pipecat_cloud::config::user::UserConfig;

/// JSON is the official CLI's document, `{"user", "organization": {"name",
/// "verbose_name"}, "dailyApiKey"}` (the key where the API serves it, else
/// `null`), plus `authMethod` (`OAuth` or `PAT`, the official CLI's words)
/// and `tokenExpiresAt` (RFC 3339, `null` when unknown).
pub async fn run(ctx: &Context) -> CliResult {
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
    // As the official CLI: shown where the API serves it, else left out;
    // its failure is not this command's.
    let daily_api_key = client
        .daily_api_key()
        .await
        .ok()
        .and_then(|key| key.value.api_key);

    // The login as it is now: the requests above may have refreshed it.
    let stored = match &ctx.settings.token {
        Some(_) => None,
        None => UserConfig::load(config.path())
            .ok()
            .and_then(|now| now.login()),
    };
    let token = match (&stored, client.credential()) {
        (Some(login), _) => login.token().to_string(),
        (None, Credential::UserToken(token)) => token.clone(),
        _ => String::new(),
    };
    let is_pat = is_personal_access_token(&token);
    let expires_at = stored
        .as_ref()
        .filter(|_| !is_pat)
        .and_then(|login| login.expires_at());

    let document = json!({
        "user": answer.raw.get_mut("user").map(Value::take),
        "organization": {"name": org, "verbose_name": verbose_name},
        "dailyApiKey": daily_api_key,
        "authMethod": if is_pat { "PAT" } else { "OAuth" },
        "tokenExpiresAt": expires_at.map(|at| at.to_string()),
    });
    let user = &answer.value.user;
    let method = match (is_pat, expires_at) {
        (true, _) => "personal access token".to_string(),
        (false, Some(at)) => format!(
            "OAuth, refreshed automatically; the access token expires {}",
            describe_expiry(at, Timestamp::now())
        ),
        (false, None) => "OAuth".to_string(),
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
        ("Auth method", method),
        ("Token", redact(&token)),
        ("Token from", source),
    ];
    if let Some(key) = &daily_api_key {
        pairs.push((
            "Daily API key",
            format!("{} (whole with --output json)", redact(key)),
        ));
    }
    if ctx.settings.private_api_key.is_some() {
        pairs.push((
            "Agent commands use",
            "PIPECAT_PRIVATE_API_KEY (set in the environment)".to_string(),
        ));
    }
    ctx.out.answer(Answer::new(document).key_values(pairs))
}

/// `2026-01-02 10:00:00 UTC (in 23h 59m)`, or `... (3m ago)` once past.
pub fn describe_expiry(at: Timestamp, now: Timestamp) -> String {
    let when = at.strftime("%Y-%m-%d %H:%M:%S UTC");
    let left = at.duration_since(now);
    if left.is_negative() {
        format!("{when} ({} ago)", approximately(left.abs()))
    } else {
        format!("{when} (in {})", approximately(left))
    }
}

/// The two largest units of `span`: `2d 3h`, `5h 12m`, `4m 10s`, `9s`.
fn approximately(span: SignedDuration) -> String {
    let seconds = span.as_secs();
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) => format!("{m}m {}s", seconds % 60),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_reads_as_a_time_and_how_far_it_is() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert_eq!(
            describe_expiry(at("2026-01-01T23:59:30Z"), now),
            "2026-01-01 23:59:30 UTC (in 23h 59m)"
        );
        assert_eq!(
            describe_expiry(at("2026-01-03T05:00:00Z"), now),
            "2026-01-03 05:00:00 UTC (in 2d 5h)"
        );
        assert_eq!(
            describe_expiry(at("2026-01-01T00:04:10Z"), now),
            "2026-01-01 00:04:10 UTC (in 4m 10s)"
        );
        assert_eq!(
            describe_expiry(at("2025-12-31T23:59:51Z"), now),
            "2025-12-31 23:59:51 UTC (9s ago)"
        );
    }
}
