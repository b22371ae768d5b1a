//! Reading an agent's logs page by page on the documented logs endpoint,
//! exactly (no line twice, none missed, in order) while lines are being
//! written, with memory bounded by a page.
//!
//! The endpoint pages with `offset` over a list that moves: new lines land
//! at the top of the default newest-first order and push every offset
//! down. In oldest-first order (`order=asc`) from a fixed `startTime`, new
//! lines land at the end instead, so positions never move: that is how
//! lines are read forwards here ([`Forward`]). The newest N lines are read
//! by asking for the oldest page of them first (newest first, from offset
//! N minus a page: [`newest_beginning`]) and then reading forwards from its
//! newest line. Reading
//! newest first ([`Backward`]) pins `endTime` after its first page and
//! recognises lines that moved into a page it already read.
//!
//! What this relies on, as the local cloud guarantees (its log writer
//! never stores a line earlier than one it stored before): a new line's
//! timestamp is at or after every stored line's, and lines sharing a
//! timestamp keep the order they were written in, in both orders. The
//! documented `startTime` and `endTime` are whole seconds whose bounds may
//! be inclusive or not; each use here either works with every reading or
//! checks the answer and falls back.

use std::future::Future;
use std::ops::Range;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use serde_json::Value;

use super::client::{Client, LogOrder, LogQuery, LogsBody};
use super::error::{ApiError, ErrorKind};
use super::limits;
use super::types::{LogEntry, LogEntryRef, LogTotal, LogsPage};

/// Lines asked for per request: the most the API gives at once.
pub const PAGE: u32 = limits::MAX_PAGE;

/// Lines looked at, per request, past the first line of a window for other
/// lines sharing its timestamp.
const EDGE: u32 = 100;

/// Past this offset a forward read moves its `startTime` up to the second
/// of its last line, so that the server never skips far (a position on the
/// new anchor is checked by one line of overlap).
const REANCHOR_AFTER: u32 = PAGE;

/// A follower that has had more lines waiting than one request brings for
/// this long, and more than [`MAX_BACKLOG`] of them, cannot keep up: it
/// skips to the newest line.
pub const MAX_BEHIND: Duration = Duration::from_secs(5);

/// See [`MAX_BEHIND`]: a burst smaller than this is always shown whole.
pub const MAX_BACKLOG: u64 = 100_000;

/// Requests a follower that is far behind makes to count its backlog when
/// the server stops counting: each asks past twice the last count, so this
/// reaches billions of lines.
const COUNT_PROBES: u32 = 20;

/// One page, fetched on another task so that the last one can be shown
/// meanwhile.
fn fetch(
    client: &Client,
    agent: &str,
    query: &LogQuery,
) -> impl Future<Output = Result<LogsBody, ApiError>> + Send + 'static {
    let (client, agent, query) = (client.clone(), agent.to_string(), query.clone());
    async move { client.logs_body(&agent, &query).await }
}

/// Why a read stopped early: the API failed, or whoever took the lines did.
#[derive(Debug)]
pub enum ReadError<E> {
    Api(ApiError),
    Sink(E),
}

impl<E> From<ApiError> for ReadError<E> {
    fn from(err: ApiError) -> Self {
        ReadError::Api(err)
    }
}

/// Lines of one page to hand on, in the order they are to be shown.
pub struct Batch<'p> {
    body: &'p LogsBody,
    entries: &'p [LogEntryRef<'p>],
    range: Range<usize>,
    /// The page came newest first and is shown oldest first.
    reversed: bool,
}

impl<'p> Batch<'p> {
    /// The lines, in the order to show them.
    pub fn iter(&self) -> impl Iterator<Item = &'p LogEntryRef<'p>> + use<'p> {
        let lines = self.entries[self.range.clone()].iter();
        let (forward, backward) = if self.reversed {
            (None, Some(lines.rev()))
        } else {
            (Some(lines), None)
        };
        forward
            .into_iter()
            .flatten()
            .chain(backward.into_iter().flatten())
    }

    /// The same lines as the server sent them (JSON), in the same order.
    pub fn raw(&self) -> Result<Vec<Value>, ApiError> {
        let mut document = self.body.document()?;
        let mut lines = match document.get_mut("logs").map(Value::take) {
            Some(Value::Array(lines)) => lines,
            _ => Vec::new(),
        };
        let end = self.range.end.min(lines.len());
        lines.truncate(end);
        let mut lines = lines.split_off(self.range.start.min(end));
        if self.reversed {
            lines.reverse();
        }
        Ok(lines)
    }

    /// The page's answer as the server sent it (JSON), lines included.
    pub fn document(&self) -> Result<Value, ApiError> {
        self.body.document()
    }
}

/// `true` to go on reading, `false` when enough lines were taken.
pub type Flow = bool;

fn instant(timestamp: &str) -> Option<jiff::Timestamp> {
    timestamp.parse().ok()
}

/// The second a timestamp falls in, as its text without the fraction, in
/// two parts (`...:17.1537Z` gives `...:17` and `Z`): telling two lines'
/// seconds apart, or showing a time to the second, this way parses nothing.
pub fn second_of(timestamp: &str) -> (&str, &str) {
    match timestamp.find('.') {
        Some(dot) => {
            let rest = &timestamp[dot + 1..];
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            (&timestamp[..dot], &rest[digits..])
        }
        None => (timestamp, ""),
    }
}

fn same_entry(a: &LogEntryRef<'_>, b: &LogEntry) -> bool {
    a.timestamp == b.timestamp.as_str()
        && a.log == b.log.as_str()
        && a.session_id.as_deref() == b.session_id.as_deref()
        && a.deployment_id.as_deref() == b.deployment_id.as_deref()
}

/// A line whose time cannot be read: nothing can be placed around it.
fn timeless_line() -> ApiError {
    ApiError {
        kind: ErrorKind::Malformed,
        status: Some(200),
        code: None,
        message: "the API answered a log line without a valid timestamp".into(),
        retry_after: None,
        url: String::new(),
    }
}

/// Where a forward read begins: lines before `at` are left out, and so are
/// the first `ties` lines at exactly `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub at: jiff::Timestamp,
    pub ties: u32,
}

/// The oldest lines of the newest `count` matching `filter`, in one
/// request (a page, minus a few more lines looked at past them), handed on
/// oldest first; then where the rest of them begin, for a [`Forward`] read,
/// and how many were handed on. No start when fewer lines match than
/// `count` minus a page: they are all the newest, read them forwards from
/// the first.
pub async fn newest_beginning<E>(
    client: &Client,
    agent: &str,
    filter: &LogQuery,
    count: u32,
    consume: impl FnOnce(Batch<'_>) -> Result<(), E>,
) -> Result<(Option<Start>, u64), ReadError<E>> {
    let first = count.min(PAGE - EDGE);
    let offset = count - first;
    let query = LogQuery {
        limit: Some(first + EDGE),
        offset: (offset > 0).then_some(offset),
        order: Some(LogOrder::Desc),
        ..filter.clone()
    };
    let body = fetch(client, agent, &query).await?;
    let page = body.page()?;
    let Some(newest) = page.logs.first() else {
        return Ok((None, 0));
    };
    // The rest begins after the newest line handed on: lines before its
    // time, and those at its time from it on down (shown, or older than
    // them all), are behind.
    let at = instant(&newest.timestamp).ok_or_else(timeless_line)?;
    let mut ties = page
        .logs
        .iter()
        .take_while(|e| instant(&e.timestamp) == Some(at))
        .count() as u32;
    if ties == first + EDGE {
        ties += count_ties(client, agent, filter, offset + first + EDGE, at).await?;
    }
    let shown = page.logs.len().min(first as usize);
    consume(Batch {
        body: &body,
        entries: &page.logs,
        range: 0..shown,
        reversed: true,
    })
    .map_err(ReadError::Sink)?;
    Ok((Some(Start { at, ties }), shown as u64))
}

/// Where a forward read of what comes after the newest line begins, from
/// a newest-first page of `limit` lines: everything up to that line is
/// behind (lines before its time, and those at its time). `None` when
/// there are no lines.
async fn after_newest(
    client: &Client,
    agent: &str,
    filter: &LogQuery,
    page: &LogsPage<'_>,
    limit: u32,
) -> Result<Option<Start>, ApiError> {
    let Some(newest) = page.logs.first() else {
        return Ok(None);
    };
    let at = instant(&newest.timestamp).ok_or_else(timeless_line)?;
    let mut ties = page
        .logs
        .iter()
        .take_while(|e| instant(&e.timestamp) == Some(at))
        .count() as u32;
    if ties == limit {
        ties += count_ties(client, agent, filter, limit, at).await?;
    }
    Ok(Some(Start { at, ties }))
}

/// How many lines at `offset` and after, newest first, have timestamp `at`
/// (they share it with the line just before `offset`).
async fn count_ties(
    client: &Client,
    agent: &str,
    filter: &LogQuery,
    mut offset: u32,
    at: jiff::Timestamp,
) -> Result<u32, ApiError> {
    let mut ties = 0;
    loop {
        let query = LogQuery {
            limit: Some(PAGE),
            offset: Some(offset),
            order: Some(LogOrder::Desc),
            ..filter.clone()
        };
        let body = fetch(client, agent, &query).await?;
        let page = body.page()?;
        let same = page
            .logs
            .iter()
            .take_while(|e| instant(&e.timestamp) == Some(at))
            .count() as u32;
        ties += same;
        if same < PAGE {
            return Ok(ties);
        }
        offset += PAGE;
    }
}

/// The last line a forward read received, and how many lines before it
/// (itself included) fall in its second.
struct Tail {
    entry: LogEntry,
    run: u32,
    /// The run is all of the second's lines from the anchor (not so right
    /// after a skip, until the next second begins).
    whole: bool,
}

/// One request of a forward read.
#[derive(Debug, Clone, Copy)]
struct Plan {
    anchor: Option<i64>,
    offset: u32,
    limit: u32,
    /// A new anchor: the first line answered must be the tail.
    overlap: bool,
}

/// A forward (oldest first) read from a fixed `startTime`, the anchor,
/// paged by offset: positions from the anchor never move, as new lines
/// land after them.
pub struct Forward {
    client: Client,
    agent: String,
    filter: LogQuery,
    anchor: Option<i64>,
    offset: u32,
    start: Option<Start>,
    /// The anchor is the start's second and may step back one second if
    /// the server reads `startTime` as "after this second".
    may_step_back: bool,
    remaining: Option<u64>,
    tail: Option<Tail>,
    reanchor: bool,
    /// Lines were skipped (see [`Follower`]): the tail's second may have
    /// begun before them.
    skipped: bool,
    total: Option<LogTotal>,
    finished: bool,
    /// The next page, asked for while the last one is handed on.
    pending: Option<(Plan, JoinHandle<Result<LogsBody, ApiError>>)>,
}

/// What one page of a forward read was.
struct Absorbed {
    keep: Range<usize>,
    /// More lines than this page may be waiting now.
    more: bool,
}

impl Forward {
    /// Every line matching `filter` from its `start_time` (its order and
    /// paging are managed here; its `end_time` is kept).
    pub fn new(client: Client, agent: impl Into<String>, filter: LogQuery) -> Self {
        let filter = LogQuery {
            limit: None,
            offset: None,
            order: None,
            ..filter
        };
        Forward {
            client,
            agent: agent.into(),
            anchor: filter.start_time,
            filter,
            offset: 0,
            start: None,
            may_step_back: false,
            remaining: None,
            tail: None,
            reanchor: true,
            skipped: false,
            total: None,
            finished: false,
            pending: None,
        }
    }

    /// Begins at `start` instead (a line at or after the filter's
    /// `start_time`).
    pub fn from_start(mut self, start: Start) -> Self {
        let second = start.at.as_second();
        if self.filter.start_time.is_none_or(|since| since < second) {
            self.anchor = Some(second);
            self.may_step_back = true;
        }
        self.start = Some(start);
        self
    }

    /// At most `count` lines.
    pub fn take(mut self, count: u64) -> Self {
        self.remaining = Some(count);
        self.finished = count == 0;
        self
    }

    fn plan(&self) -> Plan {
        let limit = match self.remaining {
            Some(left) if self.start.is_none() => left.clamp(1, u64::from(PAGE)) as u32,
            _ => PAGE,
        };
        if self.reanchor
            && self.start.is_none()
            && self.offset >= REANCHOR_AFTER
            && let Some(tail) = self.tail.as_ref().filter(|tail| tail.whole)
            && let Some(at) = instant(&tail.entry.timestamp)
            && self.anchor.is_none_or(|anchor| anchor < at.as_second())
        {
            return Plan {
                anchor: Some(at.as_second()),
                offset: tail.run - 1,
                limit: (limit + 1).min(PAGE),
                overlap: true,
            };
        }
        Plan {
            anchor: self.anchor,
            offset: self.offset,
            limit,
            overlap: false,
        }
    }

    fn query(&self, plan: &Plan) -> LogQuery {
        LogQuery {
            limit: Some(plan.limit),
            offset: (plan.offset > 0).then_some(plan.offset),
            order: Some(LogOrder::Asc),
            start_time: plan.anchor,
            ..self.filter.clone()
        }
    }

    fn fetch(&self, plan: &Plan) -> JoinHandle<Result<LogsBody, ApiError>> {
        tokio::spawn(fetch(&self.client, &self.agent, &self.query(plan)))
    }

    /// Takes in one answer to `plan`; `None` when it must be asked again
    /// (the anchor moved).
    fn absorb(&mut self, plan: &Plan, page: &LogsPage<'_>) -> Option<Absorbed> {
        let entries = &page.logs;
        let mut from = 0;
        if plan.overlap {
            let tail = self.tail.as_ref()?;
            if !entries.first().is_some_and(|e| same_entry(e, &tail.entry)) {
                // This server reads `startTime` in another way: stay on the
                // old anchor for the rest of the read.
                self.reanchor = false;
                return None;
            }
            self.anchor = plan.anchor;
            self.offset = tail.run;
            from = 1;
        }
        if self.may_step_back && plan.offset == 0 {
            self.may_step_back = false;
            let at = self.start.map(|start| start.at);
            let covered = entries.first().is_some_and(|e| instant(&e.timestamp) <= at);
            if !covered {
                self.anchor = self.anchor.map(|anchor| anchor - 1);
                return None;
            }
        }
        let mut keep_from = from;
        if let Some(start) = &mut self.start {
            while let Some(entry) = entries.get(keep_from) {
                let at = instant(&entry.timestamp);
                if at < Some(start.at) {
                    keep_from += 1;
                } else if at == Some(start.at) && start.ties > 0 {
                    start.ties -= 1;
                    keep_from += 1;
                } else {
                    self.start = None;
                    break;
                }
            }
        }
        let mut keep_to = entries.len();
        if let Some(left) = &mut self.remaining {
            let taken = (keep_to - keep_from).min(*left as usize);
            keep_to = keep_from + taken;
            *left -= taken as u64;
        }
        self.offset += (entries.len() - from) as u32;
        self.note_tail(&entries[from..]);
        if page.total.is_some() {
            self.total.clone_from(&page.total);
        }
        let full = entries.len() as u32 >= plan.limit;
        if self.remaining == Some(0) || (!full && self.remaining.is_some()) {
            self.finished = true;
        }
        Some(Absorbed {
            keep: keep_from..keep_to,
            more: full && !self.finished,
        })
    }

    fn note_tail(&mut self, received: &[LogEntryRef<'_>]) {
        let Some(last) = received.last() else {
            return;
        };
        let second = second_of(&last.timestamp);
        let run = received
            .iter()
            .rev()
            .take_while(|e| second_of(&e.timestamp) == second)
            .count() as u32;
        let within = run as usize == received.len();
        let (carried, whole) = match &self.tail {
            Some(tail) if within && second_of(&tail.entry.timestamp) == second => {
                (tail.run, tail.whole)
            }
            Some(_) => (0, true),
            None => (0, !within || !self.skipped),
        };
        if whole {
            self.skipped = false;
        }
        self.tail = Some(Tail {
            entry: last.to_owned_entry(),
            run: carried + run,
            whole,
        });
    }

    /// Reads one page and hands it on; the next is already on its way
    /// while `consume` runs when this one came back full. Returns whether
    /// more lines are waiting now.
    async fn next_page<E>(
        &mut self,
        consume: impl FnOnce(Batch<'_>) -> Result<Flow, E>,
    ) -> Result<(bool, Flow), ReadError<E>> {
        let (mut plan, mut pending) = match self.pending.take() {
            Some(pending) => pending,
            None => {
                let plan = self.plan();
                (plan, self.fetch(&plan))
            }
        };
        loop {
            let body = joined(pending.await)?;
            let page = body.page()?;
            let Some(absorbed) = self.absorb(&plan, &page) else {
                plan = self.plan();
                pending = self.fetch(&plan);
                continue;
            };
            if absorbed.more {
                let next = self.plan();
                self.pending = Some((next, self.fetch(&next)));
            }
            let batch = Batch {
                body: &body,
                entries: &page.logs,
                range: absorbed.keep,
                reversed: false,
            };
            let wanted = consume(batch).map_err(ReadError::Sink)?;
            if !wanted {
                self.finished = true;
                self.pending = None;
            }
            return Ok((absorbed.more && wanted, wanted));
        }
    }

    /// Reads to the end (the count, or the last line), or until `consume`
    /// has enough, handing on each page.
    pub async fn read<E>(
        &mut self,
        mut consume: impl FnMut(Batch<'_>) -> Result<Flow, E>,
    ) -> Result<(), ReadError<E>> {
        while !self.finished {
            let (more, _) = self.next_page(&mut consume).await?;
            if !more {
                break;
            }
        }
        Ok(())
    }

    /// How many lines the last answer counted past what was read (from its
    /// `total`), and whether that is all of them: a server may stop
    /// counting (relation `gte`), and then there are at least that many.
    fn backlog(&self) -> Option<(u64, bool)> {
        let total = self.total.as_ref()?;
        let lines = total.value.saturating_sub(u64::from(self.offset));
        Some((lines, total.relation != "gte"))
    }

    /// Makes the last answer's count exact when the server stopped
    /// counting (a `gte` total): asks for one line at ever larger offsets
    /// from the anchor until an answer counts to the end, at most
    /// [`COUNT_PROBES`] times. False when the lines still outrun the count.
    async fn count_exactly(&mut self) -> Result<bool, ApiError> {
        let mut probe = 0u64;
        for _ in 0..COUNT_PROBES {
            let Some(total) = &self.total else {
                return Ok(false);
            };
            if total.relation != "gte" {
                return Ok(true);
            }
            probe = total.value.max(probe * 2);
            let query = LogQuery {
                limit: Some(1),
                offset: Some(u32::try_from(probe).unwrap_or(u32::MAX)),
                order: Some(LogOrder::Asc),
                start_time: self.anchor,
                ..self.filter.clone()
            };
            let body = fetch(&self.client, &self.agent, &query).await?;
            let Some(total) = body.page()?.total else {
                return Ok(false);
            };
            self.total = Some(total);
        }
        Ok(self
            .total
            .as_ref()
            .is_some_and(|total| total.relation != "gte"))
    }

    /// Moves to the end of what the last answer counted (`total`), skipping
    /// the lines in between; returns how many were skipped.
    fn skip_to_counted_end(&mut self) -> u64 {
        let Some(total) = &self.total else {
            return 0;
        };
        let end = u32::try_from(total.value).unwrap_or(u32::MAX);
        if end <= self.offset {
            return 0;
        }
        let skipped = u64::from(end - self.offset);
        self.offset = end;
        self.start = None;
        self.tail = None;
        self.skipped = true;
        self.pending = None;
        skipped
    }
}

fn joined(
    outcome: Result<Result<LogsBody, ApiError>, tokio::task::JoinError>,
) -> Result<LogsBody, ApiError> {
    outcome.map_err(|err| ApiError {
        kind: ErrorKind::Api,
        status: None,
        code: None,
        message: format!("a page request failed: {err}"),
        retry_after: None,
        url: String::new(),
    })?
}

/// The newest lines first, paged by offset below an `endTime` pinned after
/// the first page. Lines written in the pinned second after the first page
/// push the rest down; they are recognised (by the API's count, else by the
/// last line read) and not shown twice.
pub struct Backward {
    client: Client,
    agent: String,
    filter: LogQuery,
    offset: u32,
    first: bool,
    oldest: Option<LogEntry>,
    total: Option<LogTotal>,
    remaining: Option<u64>,
}

impl Backward {
    pub fn new(client: Client, agent: impl Into<String>, filter: LogQuery) -> Self {
        Backward {
            client,
            agent: agent.into(),
            filter: LogQuery {
                limit: None,
                offset: None,
                order: None,
                ..filter
            },
            offset: 0,
            first: true,
            oldest: None,
            total: None,
            remaining: None,
        }
    }

    /// At most `count` lines.
    pub fn take(mut self, count: u64) -> Self {
        self.remaining = Some(count);
        self
    }

    /// Reads newest first until `consume` has enough, the count is reached
    /// or the oldest line is read.
    pub async fn read<E>(
        &mut self,
        mut consume: impl FnMut(Batch<'_>) -> Result<Flow, E>,
    ) -> Result<(), ReadError<E>> {
        loop {
            if self.remaining == Some(0) {
                return Ok(());
            }
            // After the first page, whole pages: some of a page may be lines
            // read before, pushed down into it.
            let limit = match self.remaining {
                Some(left) if self.first => left.clamp(1, u64::from(PAGE)) as u32,
                _ => PAGE,
            };
            let query = LogQuery {
                limit: Some(limit),
                offset: (self.offset > 0).then_some(self.offset),
                order: Some(LogOrder::Desc),
                ..self.filter.clone()
            };
            let body = fetch(&self.client, &self.agent, &query).await?;
            let page = body.page()?;
            let entries = &page.logs;
            let moved = self.moved_down(&page);
            if self.first {
                self.first = false;
                if self.filter.end_time.is_none()
                    && let Some(newest) = entries.first().and_then(|e| instant(&e.timestamp))
                {
                    self.filter.end_time = Some(newest.as_second() + 1);
                }
            }
            let mut keep = moved.min(entries.len())..entries.len();
            if let Some(left) = &mut self.remaining {
                keep.end = keep.start + keep.len().min(*left as usize);
                *left -= keep.len() as u64;
            }
            self.offset += entries.len() as u32;
            if let Some(last) = entries.last() {
                self.oldest = Some(last.to_owned_entry());
            }
            self.total.clone_from(&page.total);
            let batch = Batch {
                body: &body,
                entries,
                range: keep,
                reversed: false,
            };
            let wanted = consume(batch).map_err(ReadError::Sink)?;
            if !wanted || (entries.len() as u32) < limit {
                return Ok(());
            }
        }
    }

    /// How many lines at the top of this page were read before (they moved
    /// down since: lines were written in the pinned second).
    fn moved_down(&self, page: &LogsPage<'_>) -> usize {
        let Some(oldest) = &self.oldest else {
            return 0;
        };
        let entries = &page.logs;
        let counted = match (&self.total, &page.total) {
            (Some(before), Some(now)) if before.relation == "eq" && now.relation == "eq" => {
                Some(now.value.saturating_sub(before.value) as usize)
            }
            _ => None,
        };
        if let Some(moved) = counted
            && (moved == 0 || entries.get(moved - 1).is_none_or(|e| same_entry(e, oldest)))
        {
            return moved;
        }
        entries
            .iter()
            .position(|e| same_entry(e, oldest))
            .map_or(0, |at| at + 1)
    }
}

/// The newest `count` lines matching `filter`, in one request (at most a
/// page), handed on oldest first.
pub async fn newest_page<E>(
    client: &Client,
    agent: &str,
    filter: &LogQuery,
    count: u32,
    consume: impl FnOnce(Batch<'_>) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    let query = LogQuery {
        limit: Some(count.min(PAGE)),
        offset: None,
        order: Some(LogOrder::Desc),
        ..filter.clone()
    };
    let body = fetch(client, agent, &query).await?;
    let page = body.page()?;
    consume(Batch {
        body: &body,
        entries: &page.logs,
        range: 0..page.logs.len(),
        reversed: true,
    })
    .map_err(ReadError::Sink)
}

/// What one poll of a [`Follower`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polled {
    /// More lines are waiting: poll again at once.
    pub more: bool,
    /// It could not keep up and skipped this many lines to the newest.
    pub skipped: u64,
    /// `skipped` is the exact count (else at least that many: the server
    /// stopped counting).
    pub exact: bool,
}

/// Follows an agent's logs as they are written: the last lines first, then
/// every new line once, in order, a page per request.
pub struct Follower {
    client: Client,
    agent: String,
    filter: LogQuery,
    forward: Option<Forward>,
    behind_since: Option<Instant>,
}

impl Follower {
    /// Follows the lines of `agent` matching `filter` (its session,
    /// deployment and query, and `start_time` as `--since`).
    pub fn new(client: Client, agent: impl Into<String>, filter: LogQuery) -> Self {
        Follower {
            client,
            agent: agent.into(),
            filter: LogQuery {
                end_time: None,
                ..filter
            },
            forward: None,
            behind_since: None,
        }
    }

    /// Hands on the last `tail` lines (at most a page), oldest first; later
    /// polls bring only what comes after them. May be called again after
    /// a failure: nothing is handed on before every request succeeded.
    pub async fn start<E>(
        &mut self,
        tail: u32,
        consume: impl FnOnce(Batch<'_>) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        let limit = tail.clamp(1, PAGE);
        let query = LogQuery {
            limit: Some(limit),
            offset: None,
            order: Some(LogOrder::Desc),
            ..self.filter.clone()
        };
        let body = fetch(&self.client, &self.agent, &query).await?;
        let page = body.page()?;
        let forward = Forward::new(self.client.clone(), self.agent.clone(), self.filter.clone());
        let forward =
            match after_newest(&self.client, &self.agent, &self.filter, &page, limit).await? {
                None => forward,
                Some(start) => forward.from_start(start),
            };
        consume(Batch {
            body: &body,
            entries: &page.logs,
            range: 0..page.logs.len(),
            reversed: true,
        })
        .map_err(ReadError::Sink)?;
        self.forward = Some(forward);
        self.behind_since = None;
        Ok(())
    }

    /// New lines since the last poll, oldest first, at most a page at a
    /// time handed on; skips to the newest line when it has been behind
    /// for too long.
    pub async fn poll<E>(
        &mut self,
        consume: impl FnMut(Batch<'_>) -> Result<Flow, E>,
    ) -> Result<Polled, ReadError<E>> {
        let (client, agent, filter) = (&self.client, &self.agent, &self.filter);
        // Without a start, everything from `--since` is new.
        let forward = self
            .forward
            .get_or_insert_with(|| Forward::new(client.clone(), agent.clone(), filter.clone()));
        let asked = Instant::now();
        let (more, _) = forward.next_page(consume).await?;
        if !more {
            // A page that took long to show (a slow terminal) left what
            // was written meanwhile behind it.
            if asked.elapsed() < MAX_BEHIND {
                self.behind_since = None;
            } else {
                self.behind_since.get_or_insert(asked);
            }
            return Ok(Polled {
                more,
                skipped: 0,
                exact: true,
            });
        }
        // Behind since the first full page came (not since it was shown:
        // showing it may be what takes long).
        let since = *self.behind_since.get_or_insert(asked);
        let backlog = forward.backlog();
        // A count the server cut short may hide a backlog of any size.
        let maybe_far = backlog.is_some_and(|(lines, exact)| lines >= MAX_BACKLOG || !exact);
        if since.elapsed() < MAX_BEHIND || !maybe_far {
            return Ok(Polled {
                more,
                skipped: 0,
                exact: true,
            });
        }
        self.behind_since = None;
        let exact = match backlog {
            Some((_, true)) => true,
            _ => forward.count_exactly().await?,
        };
        let far_behind = forward
            .backlog()
            .is_some_and(|(lines, _)| lines >= MAX_BACKLOG);
        Ok(Polled {
            more,
            skipped: if far_behind || !exact {
                forward.skip_to_counted_end()
            } else {
                0
            },
            exact,
        })
    }
}
