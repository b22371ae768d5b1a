//! Following logs as they are written, by polling the documented logs
//! endpoint: `order=asc` from a `startTime`, paged with `offset`.
//!
//! The endpoint filters by whole seconds, so every poll asks again for the
//! current second and drops what was already handed out. Entries are told
//! apart by timestamp, text, deployment and session; identical entries are
//! counted, so two equal lines written in the same instant are both shown
//! once, and none twice.

use std::collections::HashMap;

use super::client::{Client, LogOrder, LogQuery};
use super::error::ApiError;
use super::types::{LogEntry, LogsResponse};

/// How many entries one poll asks for per request.
pub const PAGE_SIZE: u32 = 500;

/// Where log entries come from: the API client, or a fake in tests.
pub trait LogSource {
    fn fetch(
        &self,
        agent: &str,
        query: &LogQuery,
    ) -> impl std::future::Future<Output = Result<LogsResponse, ApiError>>;
}

impl LogSource for Client {
    async fn fetch(&self, agent: &str, query: &LogQuery) -> Result<LogsResponse, ApiError> {
        Ok(self.logs(agent, query).await?.value)
    }
}

type EntryKey = (String, String, Option<String>, Option<String>);

fn key(entry: &LogEntry) -> EntryKey {
    (
        entry.timestamp.clone(),
        entry.log.clone(),
        entry.deployment_id.clone(),
        entry.session_id.clone(),
    )
}

fn instant(timestamp: &str) -> Option<jiff::Timestamp> {
    timestamp.parse().ok()
}

/// Whole Unix seconds of an RFC 3339 timestamp; unparseable ones count as
/// the epoch, so they are never mistaken for new.
fn second_of(timestamp: &str) -> i64 {
    instant(timestamp).map_or(0, |t| t.as_second())
}

/// A resumable position in an agent's log stream.
pub struct LogFollower<S> {
    source: S,
    agent: String,
    filter: LogQuery,
    page_size: u32,
    /// The second every poll starts from.
    second: i64,
    /// How many times each entry of `second` and later was handed out.
    seen: HashMap<EntryKey, usize>,
}

impl<S: LogSource> LogFollower<S> {
    /// Follows the logs of `agent` matching `filter` (its session,
    /// deployment and query; its order, paging and times are managed here).
    pub fn new(source: S, agent: impl Into<String>, filter: LogQuery) -> Self {
        LogFollower {
            source,
            agent: agent.into(),
            filter,
            page_size: PAGE_SIZE,
            second: 0,
            seen: HashMap::new(),
        }
    }

    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// What already exists: the last `tail` entries (from `since`, Unix
    /// seconds, when given), oldest first. Later polls return only what
    /// comes after them.
    pub async fn start(
        &mut self,
        since: Option<i64>,
        tail: u32,
    ) -> Result<Vec<LogEntry>, ApiError> {
        let query = LogQuery {
            limit: Some(tail),
            offset: None,
            order: Some(LogOrder::Desc),
            start_time: since,
            end_time: None,
            ..self.filter.clone()
        };
        let mut existing = self.source.fetch(&self.agent, &query).await?.logs;
        existing.reverse();
        self.second = since.unwrap_or(0);
        self.seen.clear();
        if let Some(last) = existing.last() {
            // Everything up to the last shown entry counts as seen, shown or
            // older than the tail; anything later is new.
            let last_instant = instant(&last.timestamp);
            self.second = second_of(&last.timestamp);
            for entry in self.fetch_from(self.second).await? {
                if instant(&entry.timestamp) <= last_instant {
                    *self.seen.entry(key(&entry)).or_default() += 1;
                }
            }
        }
        Ok(existing)
    }

    /// Entries written since the last call, oldest first, each once.
    pub async fn poll(&mut self) -> Result<Vec<LogEntry>, ApiError> {
        let fetched = self.fetch_from(self.second).await?;
        let mut occurrences: HashMap<EntryKey, usize> = HashMap::new();
        let mut fresh = Vec::new();
        for entry in &fetched {
            let k = key(entry);
            let count = occurrences.entry(k.clone()).or_default();
            *count += 1;
            if *count > self.seen.get(&k).copied().unwrap_or(0) {
                fresh.push(entry.clone());
            }
        }
        let newest = fetched
            .iter()
            .map(|e| second_of(&e.timestamp))
            .max()
            .unwrap_or(self.second)
            .max(self.second);
        self.second = newest;
        self.seen = occurrences
            .into_iter()
            .filter(|(k, _)| second_of(&k.0) >= newest)
            .collect();
        Ok(fresh)
    }

    /// Every entry from `second` on, oldest first, across pages.
    async fn fetch_from(&self, second: i64) -> Result<Vec<LogEntry>, ApiError> {
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let query = LogQuery {
                limit: Some(self.page_size),
                offset: Some(offset),
                order: Some(LogOrder::Asc),
                // One second early: whether the API's bound is inclusive or
                // not, the whole of `second` is in the answer.
                start_time: Some(second - 1),
                end_time: None,
                ..self.filter.clone()
            };
            let page = self.source.fetch(&self.agent, &query).await?.logs;
            let full = page.len() as u32 >= self.page_size;
            offset += page.len() as u32;
            all.extend(
                page.into_iter()
                    .filter(|e| second_of(&e.timestamp) >= second),
            );
            if !full {
                return Ok(all);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// An in-memory log store that answers like the API (asc/desc, startTime
    /// exclusive to exercise the one-second margin, limit, offset).
    #[derive(Default)]
    struct Store {
        entries: RefCell<Vec<LogEntry>>,
    }

    impl Store {
        fn write(&self, timestamp: &str, log: &str) {
            self.entries.borrow_mut().push(LogEntry {
                log: log.into(),
                timestamp: timestamp.into(),
                ..Default::default()
            });
        }
    }

    impl LogSource for &Store {
        async fn fetch(&self, _agent: &str, q: &LogQuery) -> Result<LogsResponse, ApiError> {
            let mut logs: Vec<LogEntry> = self
                .entries
                .borrow()
                .iter()
                .filter(|e| q.start_time.is_none_or(|t| second_of(&e.timestamp) > t))
                .cloned()
                .collect();
            if q.order != Some(LogOrder::Asc) {
                logs.reverse();
            }
            let offset = q.offset.unwrap_or(0) as usize;
            let limit = q.limit.unwrap_or(10) as usize;
            Ok(LogsResponse {
                total: None,
                logs: logs.into_iter().skip(offset).take(limit).collect(),
            })
        }
    }

    fn texts(entries: &[LogEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.log.as_str()).collect()
    }

    #[tokio::test]
    async fn tails_then_shows_each_new_line_once() {
        let store = Store::default();
        for i in 0..5 {
            store.write(
                &format!("2026-01-01T00:00:0{i}.000000000Z"),
                &format!("old {i}"),
            );
        }
        let mut follower = LogFollower::new(&store, "bot", LogQuery::default()).with_page_size(3);
        let first = follower.start(None, 2).await.unwrap();
        assert_eq!(texts(&first), ["old 3", "old 4"]);
        assert!(follower.poll().await.unwrap().is_empty());

        // Same second as the last line, then a burst larger than a page,
        // with several lines sharing one timestamp and two identical ones.
        store.write("2026-01-01T00:00:04.500000000Z", "same second");
        for i in 0..7 {
            store.write("2026-01-01T00:00:05.000000000Z", &format!("burst {i}"));
        }
        store.write("2026-01-01T00:00:05.000000000Z", "twin");
        store.write("2026-01-01T00:00:05.000000000Z", "twin");
        let new = follower.poll().await.unwrap();
        let mut expected = vec!["same second".to_string()];
        expected.extend((0..7).map(|i| format!("burst {i}")));
        expected.extend(["twin".to_string(), "twin".to_string()]);
        assert_eq!(texts(&new), expected);
        assert!(follower.poll().await.unwrap().is_empty());

        store.write("2026-01-01T00:00:05.000000000Z", "twin");
        assert_eq!(texts(&follower.poll().await.unwrap()), ["twin"]);
    }

    #[tokio::test]
    async fn an_empty_start_shows_everything_that_comes_later() {
        let store = Store::default();
        let mut follower = LogFollower::new(&store, "bot", LogQuery::default());
        assert!(follower.start(None, 100).await.unwrap().is_empty());
        store.write("2026-01-01T00:00:00.100000000Z", "a");
        store.write("2026-01-01T00:00:00.100000000Z", "b");
        assert_eq!(texts(&follower.poll().await.unwrap()), ["a", "b"]);
    }

    #[tokio::test]
    async fn lines_older_than_the_tail_in_the_same_second_stay_hidden() {
        let store = Store::default();
        store.write("2026-01-01T00:00:01.100000000Z", "hidden");
        store.write("2026-01-01T00:00:01.200000000Z", "shown");
        let mut follower = LogFollower::new(&store, "bot", LogQuery::default());
        assert_eq!(texts(&follower.start(None, 1).await.unwrap()), ["shown"]);
        store.write("2026-01-01T00:00:01.300000000Z", "new");
        assert_eq!(texts(&follower.poll().await.unwrap()), ["new"]);
    }
}
