//! Where earlier pages of a logs query ended, so that an `offset` which
//! continues one starts from that line's position (a keyset seek in the
//! index) instead of stepping over every line before it. Paging through N
//! lines by `offset` then costs N, not N²/page.
//!
//! This relies on what the log writer guarantees: lines are only ever
//! appended, and each new line sorts after every stored one in `(ts_ns,
//! id)` order (its timestamp is clamped to never go back, its id grows).
//! So, for one query (same agent and filters):
//!
//! - oldest first, the lines before a position never change: an anchor
//!   "offset K ends at line P" stays true forever;
//! - newest first, new lines all come before every old one: they push
//!   every anchor down by the number of new matching lines, counted from
//!   the last line the anchors knew ([`Anchored::mark`]) when the query
//!   comes back.
//!
//! Whoever ever deletes log lines must forget these anchors too.
//!
//! Bounded: [`MAX_QUERIES`] queries and [`MAX_POINTS`] anchors per query;
//! the least recently used goes. A walk deeper than [`MAX_POINTS`] pages
//! thus keeps the anchors it is making, and a second walk of the same
//! query replaces the first one's from the top as it goes (dropping the
//! shallowest instead would drop the one each page of it just made).

use std::collections::{BTreeMap, HashMap};

use super::{LogFilter, LogPosition};

/// Queries remembered at most.
pub const MAX_QUERIES: usize = 256;
/// Anchors per query at most.
pub const MAX_POINTS: usize = 64;
/// New lines counted at most to move a newest-first query's anchors;
/// past that its anchors are dropped (a fresh walk is as cheap).
pub const MAX_NEW_LINES: u64 = 100_000;

/// One logs query, without its page (`limit`, `offset`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryKey {
    agent: String,
    session_id: Option<String>,
    deployment_id: Option<String>,
    query: Option<String>,
    start_ns: Option<i64>,
    end_ns: Option<i64>,
    ascending: bool,
}

impl QueryKey {
    pub fn new(agent: &str, f: &LogFilter) -> QueryKey {
        QueryKey {
            agent: agent.to_string(),
            session_id: f.session_id.clone(),
            deployment_id: f.deployment_id.clone(),
            query: f.query.clone(),
            start_ns: f.start_ns,
            end_ns: f.end_ns,
            ascending: f.ascending,
        }
    }
}

/// Where a page begins: after `from` (or at the first match), skipping
/// `skip` lines; `base` matching lines come before `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub base: u64,
    pub from: Option<LogPosition>,
    pub skip: u64,
}

impl Start {
    pub fn at_offset(offset: u64) -> Start {
        Start {
            base: 0,
            from: None,
            skip: offset,
        }
    }
}

struct Anchored {
    /// Newest first: the newest stored line when these anchors were true.
    mark: Option<LogPosition>,
    /// Offset → the line that ends there (the last line before it).
    points: BTreeMap<u64, Point>,
    used: u64,
}

#[derive(Clone, Copy)]
struct Point {
    position: LogPosition,
    used: u64,
}

#[derive(Default)]
pub struct Anchors {
    queries: HashMap<QueryKey, Anchored>,
    clock: u64,
}

impl Anchors {
    /// The mark a newest-first query's anchors must have for `start` to
    /// use them as they are, if the query is known.
    pub fn mark(&self, key: &QueryKey) -> Option<Option<LogPosition>> {
        self.queries.get(key).map(|a| a.mark)
    }

    /// Moves a newest-first query's anchors down by `new_lines` (the lines
    /// that arrived between its mark and `mark`), or forgets them when too
    /// many arrived; nothing if another request moved them meanwhile.
    pub fn rebase(
        &mut self,
        key: &QueryKey,
        from: Option<LogPosition>,
        mark: Option<LogPosition>,
        new_lines: u64,
    ) {
        let Some(anchored) = self.queries.get_mut(key) else {
            return;
        };
        if anchored.mark != from {
            return;
        }
        if new_lines > MAX_NEW_LINES {
            self.queries.remove(key);
            return;
        }
        anchored.points = std::mem::take(&mut anchored.points)
            .into_iter()
            .map(|(offset, point)| (offset + new_lines, point))
            .collect();
        anchored.mark = mark;
    }

    /// Where the page at `offset` begins: from the deepest anchor at or
    /// before it, if any (its mark must be `mark` for a newest-first
    /// query: see [`Anchors::rebase`]).
    pub fn start(&mut self, key: &QueryKey, offset: u64, mark: Option<LogPosition>) -> Start {
        self.clock += 1;
        let clock = self.clock;
        let Some(anchored) = self.queries.get_mut(key) else {
            return Start::at_offset(offset);
        };
        if !key.ascending && anchored.mark != mark {
            return Start::at_offset(offset);
        }
        anchored.used = clock;
        match anchored.points.range_mut(..=offset).next_back() {
            Some((&base, point)) => {
                point.used = clock;
                Start {
                    base,
                    from: Some(point.position),
                    skip: offset - base,
                }
            }
            None => Start::at_offset(offset),
        }
    }

    /// Remembers that `end` matching lines come up to and including the
    /// line at `position` (for a newest-first query, as of `mark`).
    pub fn record(
        &mut self,
        key: QueryKey,
        mark: Option<LogPosition>,
        end: u64,
        position: LogPosition,
    ) {
        self.clock += 1;
        let clock = self.clock;
        if !self.queries.contains_key(&key) && self.queries.len() >= MAX_QUERIES {
            let oldest = self
                .queries
                .iter()
                .min_by_key(|(_, a)| a.used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.queries.remove(&oldest);
            }
        }
        let ascending = key.ascending;
        let anchored = self.queries.entry(key).or_insert_with(|| Anchored {
            mark,
            points: BTreeMap::new(),
            used: clock,
        });
        if !ascending && anchored.mark != mark {
            // Another request moved the anchors to a newer mark meanwhile.
            return;
        }
        anchored.used = clock;
        anchored.points.insert(
            end,
            Point {
                position,
                used: clock,
            },
        );
        if anchored.points.len() > MAX_POINTS {
            let stalest = anchored
                .points
                .iter()
                .min_by_key(|(_, point)| point.used)
                .map(|(&offset, _)| offset);
            if let Some(stalest) = stalest {
                anchored.points.remove(&stalest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ascending: bool) -> QueryKey {
        QueryKey::new(
            "agent",
            &LogFilter {
                ascending,
                ..LogFilter::default()
            },
        )
    }

    fn at(id: i64) -> LogPosition {
        LogPosition { ts_ns: id * 10, id }
    }

    #[test]
    fn an_offset_starts_from_the_deepest_anchor_before_it() {
        let mut anchors = Anchors::default();
        let key = key(true);
        assert_eq!(anchors.start(&key, 250, None), Start::at_offset(250));
        anchors.record(key.clone(), None, 100, at(100));
        anchors.record(key.clone(), None, 200, at(200));
        assert_eq!(
            anchors.start(&key, 250, None),
            Start {
                base: 200,
                from: Some(at(200)),
                skip: 50
            }
        );
        assert_eq!(anchors.start(&key, 99, None), Start::at_offset(99));
    }

    #[test]
    fn newest_first_anchors_move_down_by_the_new_lines_or_are_not_used() {
        let mut anchors = Anchors::default();
        let key = key(false);
        anchors.record(key.clone(), Some(at(1000)), 100, at(900));
        // Lines arrived: until moved, the anchors are not used.
        assert_eq!(
            anchors.start(&key, 130, Some(at(1030))),
            Start::at_offset(130)
        );
        anchors.rebase(&key, Some(at(1000)), Some(at(1030)), 30);
        assert_eq!(
            anchors.start(&key, 130, Some(at(1030))),
            Start {
                base: 130,
                from: Some(at(900)),
                skip: 0
            }
        );
        // A rebase from a mark that is no longer theirs changes nothing.
        anchors.rebase(&key, Some(at(1000)), Some(at(2000)), 5);
        assert_eq!(anchors.mark(&key), Some(Some(at(1030))));
        // Too many new lines: forgotten.
        anchors.rebase(&key, Some(at(1030)), Some(at(500_000)), MAX_NEW_LINES + 1);
        assert_eq!(anchors.mark(&key), None);
    }

    /// Paging through a query deeper than the anchors it may keep, twice:
    /// every page after the first starts where the one before ended.
    #[test]
    fn a_walk_deeper_than_the_anchors_kept_starts_every_page_from_one() {
        let mut anchors = Anchors::default();
        let key = key(true);
        let pages = MAX_POINTS as u64 * 3 / 2;
        for walk in 0..2 {
            for page in 0..pages {
                let offset = page * 100;
                let start = anchors.start(&key, offset, None);
                if page > 0 {
                    assert_eq!(start.skip, 0, "walk {walk}, page {page}: {start:?}");
                }
                let end = offset + 100;
                anchors.record(key.clone(), None, end, at(end as i64));
            }
        }
        assert_eq!(anchors.queries[&key].points.len(), MAX_POINTS);
    }

    #[test]
    fn memory_is_bounded() {
        let mut anchors = Anchors::default();
        let key = key(true);
        for n in 1..=(MAX_POINTS as i64 + 10) {
            anchors.record(key.clone(), None, n as u64, at(n));
        }
        assert_eq!(anchors.queries[&key].points.len(), MAX_POINTS);
        assert_eq!(
            anchors.queries[&key].points.keys().next(),
            Some(&11),
            "the least recently used go first"
        );
        for n in 0..(MAX_QUERIES + 5) {
            let key = QueryKey::new(
                &format!("agent-{n}"),
                &LogFilter {
                    ascending: true,
                    ..LogFilter::default()
                },
            );
            anchors.record(key, None, 1, at(1));
        }
        assert_eq!(anchors.queries.len(), MAX_QUERIES);
    }
}
