//! Builds in the local cloud: an uploaded build context becomes an image
//! directory that the runtime runs through the agent container contract.
//!
//! - [`unpack`]: the uploaded context, unpacked safely into a build dir;
//! - [`dockerfile`]: the Dockerfile subset built natively.

pub mod dockerfile;
mod paths;
pub mod unpack;
