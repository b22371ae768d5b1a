//! Every environment variable this program reads, named in one place.
//! The `PIPECAT_*` names shared with the official CLI keep their meaning.

/// Base URL of the API (official CLI: the only way to change it).
pub const API_HOST: &str = "PIPECAT_API_HOST";
/// User token or personal access token (`pcc_pat_...`).
pub const TOKEN: &str = "PIPECAT_TOKEN";
/// Active organization.
pub const ORG: &str = "PIPECAT_ORG";
/// Public API key for `agent start`.
pub const DEFAULT_PUBLIC_KEY: &str = "PIPECAT_DEFAULT_PUBLIC_KEY";
/// Display name of that public key.
pub const DEFAULT_PUBLIC_KEY_NAME: &str = "PIPECAT_DEFAULT_PUBLIC_KEY_NAME";
/// Path of the user config file.
pub const CONFIG_PATH: &str = "PIPECAT_CONFIG_PATH";
/// Path of `pcc-deploy.toml`.
pub const DEPLOY_CONFIG_PATH: &str = "PIPECAT_DEPLOY_CONFIG_PATH";
/// Output mode: rich, plain or json.
pub const OUTPUT: &str = "PIPECAT_OUTPUT";
/// The official CLI's log level; `DEBUG` shows what `-v` shows.
pub const CLI_LOG_LEVEL: &str = "PIPECAT_CLI_LOG_LEVEL";
/// The official CLI's refresh token (shown by `--show-cli-config` only).
pub const REFRESH_TOKEN: &str = "PIPECAT_REFRESH_TOKEN";
/// The official CLI's token expiry (shown by `--show-cli-config` only).
pub const TOKEN_EXPIRES_AT: &str = "PIPECAT_TOKEN_EXPIRES_AT";
/// Ours: a private API key, selecting the documented `/v1/agents` surface.
pub const PRIVATE_API_KEY: &str = "PIPECAT_PRIVATE_API_KEY";
/// Ours: request timeout (seconds, or a duration such as `30s`).
pub const TIMEOUT: &str = "PIPECAT_TIMEOUT";
/// Ours: `1` talks to the local cloud (like `--local`).
pub const LOCAL: &str = "PIPECAT_LOCAL";
/// Ours: the local cloud's data directory.
pub const LOCAL_DATA_DIR: &str = "PIPECAT_LOCAL_DATA_DIR";
/// Ours: `0` runs the local cloud's sessions without cgroups.
pub const LOCAL_CGROUPS: &str = "PIPECAT_LOCAL_CGROUPS";
/// Honoured everywhere: disables colour.
pub const NO_COLOR: &str = "NO_COLOR";
