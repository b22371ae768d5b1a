//! The platform's limits, one definition each: the client checks input
//! against them before sending, and the local cloud enforces them.

/// Lowest max session duration an agent may set, in seconds.
pub const MIN_SESSION_DURATION: u32 = 60;
/// Highest max session duration an agent may set, in seconds.
pub const MAX_SESSION_DURATION: u32 = 14_400;
/// Max session duration of an agent that does not set one, in seconds.
pub const DEFAULT_MAX_SESSION_DURATION: u32 = 7200;
/// Session limit (`maxAgents`) of an agent that does not set one: the
/// next start beyond it is answered 429.
pub const DEFAULT_MAX_AGENTS: u32 = 50;
/// Longest agent name, in characters.
pub const MAX_AGENT_NAME_CHARS: usize = 54;
/// Most rows one list or logs request may ask for (its `limit`).
pub const MAX_PAGE: u32 = 10_000;
/// Rows a list or logs request returns when it gives no `limit`.
pub const DEFAULT_PAGE: u32 = 10;
/// Largest request body accepted (a start's `body` may be up to 1 MB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The Krisp VIVA noise filters an agent may use.
pub const KRISP_VIVA_FILTERS: [&str; 2] = ["tel", "pro"];
/// Longest secret key, in characters.
pub const MAX_SECRET_KEY_CHARS: usize = 64;
/// Largest secret value, in bytes: it becomes an environment variable, and
/// Linux refuses to start a process with one over 128 KiB.
pub const MAX_SECRET_VALUE_BYTES: usize = 64 * 1024;
/// Largest secret set (keys and values), in bytes: all of it goes into
/// the environment of each session, which must stay well under the
/// kernel's limit for a process's arguments and environment.
pub const MAX_SECRET_SET_BYTES: usize = 512 * 1024;
/// Shortest and longest secret set name, in characters.
pub const SECRET_SET_NAME_CHARS: std::ops::RangeInclusive<usize> = 3..=63;
/// The CPU architectures a deployment may ask for.
pub const ARCHITECTURES: [&str; 2] = ["amd64", "arm64"];
/// Builds a `GET /builds` answers when it gives no `limit`, and the most it may ask for.
pub const DEFAULT_BUILD_PAGE: u32 = 20;
pub const MAX_BUILD_PAGE: u32 = 100;
/// Build log lines a `GET /builds/{id}/logs` answers by default, and at most.
pub const DEFAULT_BUILD_LOG_LINES: u32 = 500;
pub const MAX_BUILD_LOG_LINES: u32 = 10_000;
