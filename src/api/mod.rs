//! The typed REST client: the only place that speaks HTTP to the cloud.

pub mod types;
