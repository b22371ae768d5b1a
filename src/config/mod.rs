//! Configuration: the user config file, `pcc-deploy.toml`, and the names of
//! the environment variables this program reads.

pub mod env;
