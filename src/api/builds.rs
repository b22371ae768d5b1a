//! Following a cloud build: its status, and the log lines it wrote since
//! the last look.
//!
//! Log lines come oldest first, a page at a time; a page that is not the
//! last carries a `nextToken` that asks for the lines after it. The
//! follower stays on the last page it reached (the token that started it,
//! and how many of its lines were handed out) and moves to the next page
//! when one is announced, so each line is handed out once, in order,
//! however long the log grows. A server without tokens always answers its
//! first page, which the follower then reads as the whole log.

use super::client::{Client, Raw};
use super::error::ApiError;
use super::limits::MAX_BUILD_LOG_LINES;
use super::types::{Build, GetBuildLogsResponse};

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
    /// The token of the page being read (`None`: the first).
    page: Option<String>,
    /// How many of that page's lines were handed out.
    handed_out: usize,
    /// The last lines handed out, for [`BuildFollower::last_lines`].
    recent: std::collections::VecDeque<String>,
}

/// Lines [`BuildFollower::last_lines`] can give back.
const RECENT_LINES: usize = 100;

impl BuildFollower {
    /// Follows build `id`; the first `already_seen` lines of its log were
    /// shown before (e.g. a first `build logs` page) and are skipped.
    pub fn new(client: Client, id: impl Into<String>, already_seen: usize) -> BuildFollower {
        BuildFollower {
            client,
            id: id.into(),
            page: None,
            handed_out: already_seen,
            recent: std::collections::VecDeque::new(),
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
        let mut new_lines = Vec::new();
        if logs {
            loop {
                let page = self
                    .client
                    .build_logs(&self.id, Some(MAX_BUILD_LOG_LINES), self.page.as_deref())
                    .await?
                    .value;
                if !self.take(page, &mut new_lines) {
                    break;
                }
            }
        }
        for line in &new_lines {
            if self.recent.len() == RECENT_LINES {
                self.recent.pop_front();
            }
            self.recent.push_back(line.clone());
        }
        Ok(BuildPoll { build, new_lines })
    }

    /// The last lines of the log (at most `count`, and at most 100),
    /// oldest first: what a failed build shows of its log. Lines not
    /// handed out yet are read first.
    pub async fn last_lines(&mut self, count: usize) -> Result<Vec<String>, ApiError> {
        self.poll(true).await?;
        let skip = self.recent.len().saturating_sub(count);
        Ok(self.recent.iter().skip(skip).cloned().collect())
    }

    /// Adds the page's lines not handed out yet to `into`; true when a
    /// next page follows (then it is the one read from now on).
    fn take(&mut self, page: GetBuildLogsResponse, into: &mut Vec<String>) -> bool {
        let mut lines = page.logs;
        let total = lines.len();
        // A page that got shorter (a server that keeps a window of the
        // newest lines): only its length tells what is new, so go on
        // from its end.
        let skip = self.handed_out.min(total);
        into.extend(lines.split_off(skip));
        match page.next_token.filter(|token| !token.is_empty()) {
            Some(next) if Some(&next) != self.page.as_ref() => {
                self.page = Some(next);
                self.handed_out = 0;
                true
            }
            _ => {
                self.handed_out = total;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::Credential;

    fn new_follower(seen: usize) -> BuildFollower {
        let client = Client::new(
            "http://127.0.0.1:9",
            Credential::PrivateKey("sk_x".into()),
            None,
            Duration::from_secs(1),
        )
        .unwrap();
        BuildFollower::new(client, "b", seen)
    }

    fn page(from: usize, to: usize, next: Option<&str>) -> GetBuildLogsResponse {
        GetBuildLogsResponse {
            logs: (from..=to).map(|i| format!("line {i}")).collect(),
            next_token: next.map(str::to_string),
        }
    }

    fn take(follower: &mut BuildFollower, page: GetBuildLogsResponse) -> (Vec<String>, bool) {
        let mut into = Vec::new();
        let more = follower.take(page, &mut into);
        (into, more)
    }

    #[test]
    fn each_line_is_handed_out_once_in_order() {
        let mut follower = new_follower(0);
        assert_eq!(
            take(&mut follower, page(1, 2, None)).0,
            vec!["line 1", "line 2"]
        );
        assert!(take(&mut follower, page(1, 2, None)).0.is_empty());
        assert_eq!(
            take(&mut follower, page(1, 4, None)).0,
            vec!["line 3", "line 4"]
        );
        let mut after_a_page = new_follower(3);
        assert_eq!(take(&mut after_a_page, page(1, 4, None)).0, vec!["line 4"]);
    }

    #[test]
    fn a_next_page_is_read_from_its_token_on() {
        let mut follower = new_follower(1);
        let (lines, more) = take(&mut follower, page(1, 3, Some("3")));
        assert_eq!(
            (lines, more),
            (vec!["line 2".into(), "line 3".into()], true)
        );
        assert_eq!(follower.page.as_deref(), Some("3"));
        let (lines, more) = take(&mut follower, page(4, 5, None));
        assert_eq!(
            (lines, more),
            (vec!["line 4".into(), "line 5".into()], false)
        );
        // The same page again, grown: only what is new.
        assert_eq!(take(&mut follower, page(4, 6, None)).0, vec!["line 6"]);
        // A token that repeats is not followed forever.
        assert!(!take(&mut follower, page(4, 6, Some("3"))).1);
    }

    #[test]
    fn a_log_that_got_shorter_is_followed_from_its_new_end() {
        let mut follower = new_follower(0);
        take(&mut follower, page(1, 5, None));
        assert!(take(&mut follower, page(1, 3, None)).0.is_empty());
        assert_eq!(take(&mut follower, page(1, 4, None)).0, vec!["line 4"]);
    }
}
