//! The local Pipecat Cloud: HTTP routes, store and session runtime.

pub mod autostart;
