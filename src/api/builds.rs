//! Following a cloud build: its status, and the log lines it wrote since
//! the last look.
//!
//! The logs endpoint has no offset or cursor to ask for: each poll asks for
//! up to [`MAX_BUILD_LOG_LINES`] lines and takes those past the ones already
//! handed out. That holds while a build's log only grows, oldest line
//! first, as the API describes it; a log that got shorter (the API keeps a
//! window of the newest lines) is taken as it is, from its new end.

use super::client::{Client, Raw};
use super::error::ApiError;
use super::limits::MAX_BUILD_LOG_LINES;
use super::types::Build;

/// Where a build is, and what it logged since the last poll.
#[derive(Debug, Clone)]
pub struct BuildPoll {
    pub build: Raw<Build>,
    /// New log lines, oldest first (empty when logs were not asked for).
    pub new_lines: Vec<String>,
}

/// A build being followed.
pub struct BuildFollower {
    client: Client,
    id: String,
    /// How many of the build's log lines were handed out.
    handed_out: usize,
}

impl BuildFollower {
    /// Follows build `id`; `already_seen` of its log lines were shown
    /// before (e.g. by a first `build logs` page).
    pub fn new(client: Client, id: impl Into<String>, already_seen: usize) -> BuildFollower {
        BuildFollower {
            client,
            id: id.into(),
            handed_out: already_seen,
        }
    }

    /// The build's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The build's status, and with `logs` its lines not handed out yet.
    /// The logs are read after the status, so once a poll says the build
    /// ended, it also carried the build's last lines.
    pub async fn poll(&mut self, logs: bool) -> Result<BuildPoll, ApiError> {
        let build = self.client.get_build(&self.id).await?;
        let new_lines = if logs {
            let lines = self.lines().await?;
            self.take_new(lines)
        } else {
            Vec::new()
        };
        Ok(BuildPoll { build, new_lines })
    }

    /// The last `count` lines of the build's log.
    pub async fn last_lines(&self, count: usize) -> Result<Vec<String>, ApiError> {
        let mut lines = self.lines().await?;
        let skip = lines.len().saturating_sub(count);
        Ok(lines.split_off(skip))
    }

    async fn lines(&self) -> Result<Vec<String>, ApiError> {
        Ok(self
            .client
            .build_logs(&self.id, Some(MAX_BUILD_LOG_LINES))
            .await?
            .value
            .logs)
    }

    fn take_new(&mut self, mut lines: Vec<String>) -> Vec<String> {
        if lines.len() < self.handed_out {
            // The log was cut to a window: nothing to tell which lines
            // are new but its length, so take the window's new end.
            self.handed_out = lines.len();
            return Vec::new();
        }
        let new = lines.split_off(self.handed_out);
        self.handed_out += new.len();
        new
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::Credential;

    fn follower(seen: usize) -> BuildFollower {
        let client = Client::new(
            "http://127.0.0.1:9",
            Credential::PrivateKey("sk_x".into()),
            None,
            Duration::from_secs(1),
        )
        .unwrap();
        BuildFollower::new(client, "b", seen)
    }

    fn lines(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("line {i}")).collect()
    }

    #[test]
    fn each_line_is_handed_out_once_in_order() {
        let mut follower = follower(0);
        assert_eq!(follower.take_new(lines(2)), lines(2));
        assert!(follower.take_new(lines(2)).is_empty());
        assert_eq!(follower.take_new(lines(4)), vec!["line 3", "line 4"]);
        let mut after_a_page = follower(3);
        assert_eq!(after_a_page.take_new(lines(4)), vec!["line 4"]);
    }

    #[test]
    fn a_log_that_got_shorter_is_followed_from_its_new_end() {
        let mut follower = follower(0);
        follower.take_new(lines(5));
        assert!(follower.take_new(lines(3)).is_empty());
        assert_eq!(follower.take_new(lines(4)), vec!["line 4"]);
    }
}
