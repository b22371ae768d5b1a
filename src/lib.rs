//! `pipecat_cloud`: a typed client for the Pipecat Cloud REST API, the user
//! configuration it shares with the official CLI, and a local Pipecat Cloud
//! that serves the same API on one machine.
//!
//! - [`api`]: the typed async client and the wire types.
//! - [`config`]: the user config file, `pcc-deploy.toml`, environment names.
//! - [`files`]: reading the files a user points at, with a cap.
//! - [`local`]: the local Pipecat Cloud (`pipecat cloud local serve`).
//! - [`sanitize`]: text from a server without its terminal escapes.

pub mod api;
pub mod config;
pub mod files;
pub mod local;
pub mod sanitize;
