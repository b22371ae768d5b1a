//! Builds in the local cloud: an uploaded build context becomes an image
//! directory that the runtime runs through the agent container contract.
//!
//! - [`unpack`]: the uploaded context, unpacked safely into a build dir;
//! - [`dockerfile`]: the Dockerfile subset built natively;
//! - [`builder`]: the native builder (a Python venv per image);
//! - [`manifest`]: the image directory's layout and how to start its
//!   agent host;
//! - [`AGENT_HOST`]: the agent host itself, written into every image.

pub mod builder;
pub mod dockerfile;
pub mod manifest;
mod paths;
pub mod unpack;

/// The agent host (a Python program, standard library only), written into
/// each image as `agent_host.py`; its docstring is its contract.
pub const AGENT_HOST: &str = include_str!("agent_host.py");

#[cfg(test)]
mod tests;
