//! `pcc-deploy.toml`, the per-project deploy config of the official CLI
//! (its schema is in docs/deploy.md): `PIPECAT_DEPLOY_CONFIG_PATH`, else
//! `pcc-deploy.toml` in the current directory.
//!
//! Unlike the official CLI, which silently ignores a file with a syntax
//! error, the file is read strictly: a syntax error, an unknown key or a
//! value of the wrong type is an error naming the file and the line.

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{env, line_and_column};
use crate::files::{self, MAX_CONFIG_FILE_BYTES};

/// The default file name, looked up in the current directory.
pub const DEFAULT_FILE_NAME: &str = "pcc-deploy.toml";

/// Why `pcc-deploy.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DeployConfigError {
    #[error("deploy config {} does not exist (set by {})", path.display(), env::DEPLOY_CONFIG_PATH)]
    Missing { path: PathBuf },
    #[error("cannot read deploy config {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("deploy config {}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The whole file. Every field is optional; unknown keys are errors.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    pub agent_name: Option<String>,
    pub image: Option<String>,
    pub build_id: Option<String>,
    pub image_credentials: Option<String>,
    pub secret_set: Option<String>,
    pub region: Option<String>,
    pub agent_profile: Option<String>,
    pub websocket_auth: Option<String>,
    pub max_session_duration: Option<u32>,
    pub architecture: Option<String>,
    pub scaling: Option<Scaling>,
    pub krisp_viva: Option<KrispViva>,
    pub resources: Option<Resources>,
    pub git: Option<Git>,
    /// Read by `docker build-push`; free-form in the official CLI.
    pub docker: Option<toml::Table>,
    pub build: Option<Build>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scaling {
    pub min_agents: Option<u32>,
    pub max_agents: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KrispViva {
    pub audio_filter: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Git {
    pub repo: Option<String>,
    pub branch: Option<String>,
    pub dockerfile_path: Option<String>,
    pub subdirectory: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Build {
    pub context_dir: Option<String>,
    pub dockerfile: Option<String>,
    pub exclude: Option<BuildExclude>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BuildExclude {
    pub patterns: Option<Vec<String>>,
}

impl DeployConfig {
    /// Load the deploy config of the current project: the file named by
    /// `PIPECAT_DEPLOY_CONFIG_PATH` (which must exist), else
    /// `pcc-deploy.toml` in the current directory. `Ok(None)` when there is
    /// no such file in the current directory.
    pub fn load_current() -> Result<Option<(PathBuf, DeployConfig)>, DeployConfigError> {
        match std::env::var_os(env::DEPLOY_CONFIG_PATH) {
            Some(path) if !path.is_empty() => {
                let path = PathBuf::from(path);
                match Self::load(&path)? {
                    Some(config) => Ok(Some((path, config))),
                    None => Err(DeployConfigError::Missing { path }),
                }
            }
            _ => {
                let path = PathBuf::from(DEFAULT_FILE_NAME);
                Ok(Self::load(&path)?.map(|config| (path, config)))
            }
        }
    }

    /// Load `path`; `Ok(None)` if it does not exist. One larger than
    /// [`MAX_CONFIG_FILE_BYTES`] is refused unread.
    pub fn load(path: &Path) -> Result<Option<DeployConfig>, DeployConfigError> {
        let text = match files::read_capped_to_string(path, MAX_CONFIG_FILE_BYTES) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(DeployConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Self::parse(path, &text).map(Some)
    }

    /// Parse `text` as the content of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<DeployConfig, DeployConfigError> {
        toml::from_str(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_and_column(text, span.start));
            DeployConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().replace('\n', " "),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_official_schema() {
        let text = r#"
agent_name = "my-agent"
image = "me/bot:1.0"
secret_set = "my-agent-secrets"
agent_profile = "agent-1x"
max_session_duration = 600

[scaling]
min_agents = 1
max_agents = 5

[krisp_viva]
audio_filter = "tel"

[docker]
registry = "dockerhub"
auto_latest = true

[build]
context_dir = "."
[build.exclude]
patterns = ["*.md"]
"#;
        let config = DeployConfig::parse(Path::new("pcc-deploy.toml"), text).unwrap();
        assert_eq!(config.agent_name.as_deref(), Some("my-agent"));
        assert_eq!(config.scaling.unwrap().max_agents, Some(5));
        assert_eq!(config.max_session_duration, Some(600));
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = "agent_name = \"a\"\nenable_krisp = true\n";
        let err = DeployConfig::parse(Path::new("pcc-deploy.toml"), text).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("deploy config pcc-deploy.toml:2:"),
            "{message}"
        );
        assert!(message.contains("enable_krisp"), "{message}");
    }

    #[test]
    fn syntax_error_names_line() {
        let text = "agent_name = \"a\"\n\nimage = \n";
        let err = DeployConfig::parse(Path::new("x/pcc-deploy.toml"), text).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("deploy config x/pcc-deploy.toml:3:"),
            "{err}"
        );
    }

    #[test]
    fn missing_default_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            DeployConfig::load(&dir.path().join("pcc-deploy.toml")).unwrap(),
            None
        );
    }
}
