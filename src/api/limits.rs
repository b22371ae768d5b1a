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
/// Most rows one list or logs request may ask for (its `limit`).
pub const MAX_PAGE: u32 = 10_000;
/// Rows a list or logs request returns when it gives no `limit`.
pub const DEFAULT_PAGE: u32 = 10;
/// Largest request body accepted (a start's `body` may be up to 1 MB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The Krisp VIVA noise filters an agent may use.
pub const KRISP_VIVA_FILTERS: [&str; 2] = ["tel", "pro"];
