//! `pipecat cloud --show-cli-config`: every setting of the official CLI
//! (and ours) with the value in effect and where it came from, then the
//! deploy config as JSON (or why it cannot be read).
//!
//! Tokens and private keys are shortened the official way: their first 8
//! characters and `****`, or `****` alone when they are 12 characters or
//! fewer. The values come from the same lookups the commands use
//! ([`super::settings`], [`super::context`]); the environment is the one
//! [`Settings::resolve`] read.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::exit::CliResult;
use super::output::{Answer, Column, Table, Terminals};
use super::settings::{self, GlobalArgs, Settings, Source};
use pipecat_cloud::api::DEFAULT_API_HOST;
use pipecat_cloud::config::deploy::{DEFAULT_FILE_NAME, DeployConfig};
use pipecat_cloud::config::env;
use pipecat_cloud::config::user::{self, Place, UserConfig};
use pipecat_cloud::files::{self, MAX_CONFIG_FILE_BYTES};

/// One setting as shown.
struct Row {
    name: &'static str,
    value: Option<String>,
    source: Option<Source>,
}

impl Row {
    fn new(name: &'static str, found: Option<(String, Source)>) -> Row {
        let (value, source) = found.unzip();
        Row {
            name,
            value,
            source,
        }
    }

    fn secret(mut self) -> Row {
        self.value = self.value.map(|value| shorten(&value));
        self
    }
}

/// The official CLI's redaction of a credential.
fn shorten(secret: &str) -> String {
    let prefix: String = if secret.chars().count() > 12 {
        secret.chars().take(8).collect()
    } else {
        String::new()
    };
    format!("{prefix}****")
}

/// The answer of `--show-cli-config`.
pub fn report<'a>(
    flags: &GlobalArgs,
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
    terminals: Terminals,
) -> CliResult<Answer<'a>> {
    // A config file that cannot be read shows as empty here, with why.
    let (file, unreadable) = match settings.config_path.as_deref().map(UserConfig::load) {
        Some(Ok(config)) => (Some(config), None),
        Some(Err(err)) => (None, Some(err.to_string())),
        None => (None, None),
    };
    let file = file.as_ref();
    let from_file = |key: &str| {
        file.and_then(|config| config.setting(key))
            .map(|(value, place)| (value, Source::File(place)))
    };
    let flag_or_env = |value: &Option<String>, flag: &'static str, name: &'static str| {
        value.clone().map(|value| {
            let source = if env(name).as_deref() == Some(value.as_str()) {
                Source::Env(name)
            } else {
                Source::Flag(flag)
            };
            (value, source)
        })
    };
    let local = settings.local.as_ref().map(|dir| dir.display().to_string());

    let api_host = match &local {
        Some(dir) => Some((format!("the local cloud in {dir}"), Source::Flag("--local"))),
        None => flag_or_env(&settings.api_host, "--api-host", env::API_HOST)
            .or_else(|| Some((DEFAULT_API_HOST.to_string(), Source::Default))),
    };
    let config_path = settings.config_path.as_ref().map(|path| {
        let source = match (&local, env(env::CONFIG_PATH)) {
            (Some(_), _) => Source::Flag("--local"),
            (None, Some(_)) => Source::Env(env::CONFIG_PATH),
            (None, None) => Source::Default,
        };
        (path.display().to_string(), source)
    });
    let token = settings
        .token
        .clone()
        .map(|token| (token, Source::Env(env::TOKEN)))
        .or_else(|| from_file(user::TOKEN));
    let org = flag_or_env(&settings.org, "--org", env::ORG).or_else(|| {
        file.and_then(UserConfig::org)
            .map(|org| (org.to_string(), Source::File(Place::TopLevel)))
    });
    let secret_from_env_or_file = |name: &'static str, key: &str| {
        settings
            .local
            .is_none()
            .then(|| env(name))
            .flatten()
            .map(|value| (value, Source::Env(name)))
            .or_else(|| from_file(key))
    };
    // The public key `agent start` would use, and its name.
    let (public_key, public_key_name) = match &settings.default_public_key {
        Some(key) => (
            Some((key.clone(), Source::Env(env::DEFAULT_PUBLIC_KEY))),
            settings
                .default_public_key_name
                .clone()
                .map(|name| (name, Source::Env(env::DEFAULT_PUBLIC_KEY_NAME))),
        ),
        None => {
            let stored = org.as_ref().and_then(|(org, _)| {
                let stored = file?.default_public_key(org)?;
                Some((stored, Source::File(Place::OrgTable(org.clone()))))
            });
            match stored {
                Some((stored, source)) => (
                    Some((stored.key, source.clone())),
                    stored.name.map(|name| (name, source)),
                ),
                None => (None, None),
            }
        }
    };
    let log_level =
        settings::log_level(env, file).or_else(|| Some(("INFO".to_string(), Source::Default)));
    let (mode, mode_source) = settings::output_mode(flags, env, file, terminals.stdout)?;
    let output = Some((format!("{mode:?}").to_lowercase(), mode_source));
    let deploy_config_path = Some(match env(env::DEPLOY_CONFIG_PATH) {
        Some(path) => (path, Source::Env(env::DEPLOY_CONFIG_PATH)),
        None => (format!("./{DEFAULT_FILE_NAME}"), Source::Default),
    });
    let timeout = Some((
        format!("{}s", settings.timeout.as_secs_f64()),
        if env(env::TIMEOUT).is_some() {
            Source::Env(env::TIMEOUT)
        } else if settings.timeout == DEFAULT_TIMEOUT {
            Source::Default
        } else {
            Source::Flag("--timeout")
        },
    ));

    let rows = [
        Row::new("api_host", api_host),
        Row::new("user_config_path", config_path),
        Row::new("token", token).secret(),
        Row::new("org", org),
        Row::new(
            "refresh_token",
            secret_from_env_or_file(env::REFRESH_TOKEN, "refresh_token"),
        )
        .secret(),
        Row::new(
            "token_expires_at",
            secret_from_env_or_file(env::TOKEN_EXPIRES_AT, "token_expires_at"),
        ),
        Row::new("default_public_key", public_key),
        Row::new("default_public_key_name", public_key_name),
        Row::new("cli_log_level", log_level),
        Row::new("output", output),
        // Ours.
        Row::new(
            "private_api_key",
            settings
                .private_api_key
                .clone()
                .map(|key| (key, Source::Env(env::PRIVATE_API_KEY))),
        )
        .secret(),
        Row::new("deploy_config_path", deploy_config_path),
        Row::new("timeout", timeout),
        Row::new("local", local.map(|dir| (dir, Source::Flag("--local")))),
    ];

    let mut table = Table::new([
        Column::name("Setting").key(),
        Column::text("Value"),
        Column::label("Source"),
    ]);
    let mut document = Map::new();
    for row in rows {
        table.push(vec![
            row.name.to_string(),
            row.value.clone().unwrap_or_else(|| "-".into()),
            row.source
                .as_ref()
                .map_or_else(|| "not set".into(), Source::to_string),
        ]);
        document.insert(
            row.name.to_string(),
            json!({
                "value": row.value,
                "source": row.source.map(|source| source.to_string()),
            }),
        );
    }
    let deploy = deploy_config();
    let mut answer = Answer::new(json!({
        "settings": document,
        "deployConfig": deploy.document(),
    }))
    .table(table);
    if let Some(error) = unreadable {
        answer = answer.warn(format!("{error}; its settings are not shown"));
    }
    match deploy {
        Deploy::Loaded { path, config } => {
            let text = serde_json::to_string_pretty(&config).unwrap_or_default();
            answer = answer.lines(move |_| format!("Deploy config ({path}):\n{text}\n"));
        }
        Deploy::Malformed { error, .. } => {
            answer = answer.warn(format!("malformed deploy config: {error}"));
        }
        Deploy::None => {}
    }
    Ok(answer)
}

/// clap's default of `--timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The project's deploy config, as far as it can be read.
enum Deploy {
    None,
    Loaded { path: String, config: Value },
    Malformed { path: Option<String>, error: String },
}

impl Deploy {
    /// `{"path", "config"}`, `{"path", "error"}`, or `null`.
    fn document(&self) -> Value {
        match self {
            Deploy::None => Value::Null,
            Deploy::Loaded { path, config } => json!({"path": path, "config": config}),
            Deploy::Malformed { path, error } => json!({"path": path, "error": error}),
        }
    }
}

/// The deploy config the deploy-config commands would read, checked as
/// they check it, and shown as the file has it.
fn deploy_config() -> Deploy {
    match DeployConfig::load_current() {
        Ok(None) => Deploy::None,
        Err(err) => Deploy::Malformed {
            path: None,
            error: err.to_string(),
        },
        Ok(Some((path, _))) => {
            let shown = path.display().to_string();
            // It parsed as a deploy config a moment ago: as TOML it reads.
            match files::read_capped_to_string(&path, MAX_CONFIG_FILE_BYTES)
                .map_err(|err| err.to_string())
                .and_then(|text| toml::from_str::<toml::Table>(&text).map_err(|e| e.to_string()))
                .and_then(|table| serde_json::to_value(table).map_err(|e| e.to_string()))
            {
                Ok(config) => Deploy::Loaded {
                    path: shown,
                    config,
                },
                Err(error) => Deploy::Malformed {
                    path: Some(shown),
                    error,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_shortened_the_official_way() {
        assert_eq!(shorten("pcc_pat_0123456789abcdef"), "pcc_pat_****");
        assert_eq!(shorten("0123456789abc"), "01234567****");
        assert_eq!(shorten("0123456789ab"), "****");
        assert_eq!(shorten("short"), "****");
    }
}
