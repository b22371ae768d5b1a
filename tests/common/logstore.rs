//! A logs API over a log store the test controls: `GET /v1/agents/{agent}/logs`
//! with the local cloud's semantics (filters, `order`, `limit` up to 10,000,
//! `offset`, `startTime`/`endTime` in Unix seconds, `total`), over lines
//! whose timestamps the test chooses, so that pages, ties at a window's
//! edge and lines written while a command reads are all reproducible.
//! Lines can be added while it serves; it records every request's target.

#![allow(dead_code)]

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use pipecat_cloud::api::types::{LogEntry, LogTotal, LogsResponse, Session};

/// How `startTime` is read: the local cloud's way (at or after that
/// instant), or a stricter reading the documented API allows ("after this
/// Unix timestamp", compared in whole seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartTime {
    AtOrAfter,
    AfterTheWholeSecond,
}

#[derive(Clone, Debug)]
pub struct Line {
    pub ts_ns: i64,
    pub log: String,
    pub session_id: Option<String>,
    pub deployment_id: Option<String>,
}

impl Line {
    pub fn new(ts_ns: i64, log: impl Into<String>) -> Line {
        Line {
            ts_ns,
            log: log.into(),
            session_id: None,
            deployment_id: Some("dep-1".into()),
        }
    }

    pub fn session(mut self, id: &str) -> Line {
        self.session_id = Some(id.into());
        self
    }
}

/// RFC 3339 with nanoseconds, as the local cloud writes log times.
pub fn rfc3339_nanos(ns: i64) -> String {
    let ts = jiff::Timestamp::from_nanosecond(i128::from(ns)).unwrap();
    format!(
        "{}.{:09}Z",
        ts.strftime("%Y-%m-%dT%H:%M:%S"),
        ns.rem_euclid(1_000_000_000)
    )
}

struct State {
    lines: Vec<Line>,
    start_time: StartTime,
    requests: Vec<String>,
    /// Answers for `GET .../sessions/{id}`, by session id.
    sessions: Vec<Session>,
    /// The next this many logs requests answer 503.
    failures: usize,
    /// Lines written just before each logs request is answered.
    growth: usize,
    /// Sessions started just before each sessions list is answered.
    session_growth: usize,
}

pub struct LogStore {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl LogStore {
    pub fn serve(lines: Vec<Line>) -> LogStore {
        Self::serve_with(lines, StartTime::AtOrAfter)
    }

    pub fn serve_with(lines: Vec<Line>, start_time: StartTime) -> LogStore {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            lines,
            start_time,
            requests: Vec::new(),
            sessions: Vec::new(),
            failures: 0,
            growth: 0,
            session_growth: 0,
        }));
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let state = shared.clone();
                thread::spawn(move || {
                    let Some(request) = super::scripted::read_request(&mut stream) else {
                        return;
                    };
                    let (status, body) = answer(&state, &request.target);
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body.as_bytes());
                });
            }
        });
        LogStore { url, state }
    }

    pub fn push(&self, line: Line) {
        self.state.lock().unwrap().lines.push(line);
    }

    pub fn set_session(&self, session: Session) {
        let mut state = self.state.lock().unwrap();
        state
            .sessions
            .retain(|s| s.session_id != session.session_id);
        state.sessions.push(session);
    }

    /// From now on, `count` new lines are written just before each logs
    /// request is answered (three to a timestamp, after every stored
    /// line), as if a chatty session wrote them while a command reads.
    pub fn grow_on_every_request(&self, count: usize) {
        self.state.lock().unwrap().growth = count;
    }

    /// Adds sessions, oldest first (ids not checked).
    pub fn add_sessions(&self, sessions: impl IntoIterator<Item = Session>) {
        self.state.lock().unwrap().sessions.extend(sessions);
    }

    /// From now on, `count` sessions start just before each list of
    /// sessions is answered.
    pub fn start_sessions_on_every_list(&self, count: usize) {
        self.state.lock().unwrap().session_growth = count;
    }

    /// The next `count` logs requests fail with a 500 (which the client
    /// does not retry by itself).
    pub fn fail_next(&self, count: usize) {
        self.state.lock().unwrap().failures = count;
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn lines(&self) -> Vec<Line> {
        self.state.lock().unwrap().lines.clone()
    }
}

fn answer(state: &Mutex<State>, target: &str) -> (u16, String) {
    let mut state = state.lock().unwrap();
    state.requests.push(target.to_string());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["v1", "agents", _, "sessions"] => {
            for _ in 0..state.session_growth {
                let n = state.sessions.len();
                state.sessions.push(numbered_session(n));
            }
            let mut limit = 10usize;
            let mut offset = 0usize;
            for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                match key.as_ref() {
                    "limit" => limit = value.parse().unwrap_or(10),
                    "offset" => offset = value.parse().unwrap_or(0),
                    _ => {}
                }
            }
            if limit > 10_000 {
                return (400, r#"{"error":"limit must be at most 10000"}"#.into());
            }
            let sessions: Vec<&Session> = state
                .sessions
                .iter()
                .rev()
                .skip(offset)
                .take(limit)
                .collect();
            let body =
                serde_json::json!({"total_count": state.sessions.len(), "sessions": sessions});
            (200, body.to_string())
        }
        ["v1", "agents", _, "sessions", id] => {
            match state.sessions.iter().find(|s| s.session_id == *id) {
                Some(session) => (200, serde_json::to_string(session).unwrap()),
                None => (
                    404,
                    r#"{"error":"Session not found","code":"NOT_FOUND"}"#.into(),
                ),
            }
        }
        ["v1", "agents", _, "logs"] => {
            grow(&mut state);
            if state.failures > 0 {
                state.failures -= 1;
                return (500, r#"{"error":"internal error","code":"500"}"#.into());
            }
            match logs(&state, query) {
                Ok(body) => (200, body),
                Err(message) => (400, serde_json::json!({"error": message}).to_string()),
            }
        }
        _ => (404, r#"{"error":"not here","code":"404"}"#.into()),
    }
}

/// Session number `n`, with an id that tells its number.
pub fn numbered_session(n: usize) -> Session {
    Session {
        session_id: format!("00000000-0000-4000-8000-{n:012}"),
        created_at: Some(rfc3339_nanos(
            1_767_225_600_000_000_000 + n as i64 * 1_000_000,
        )),
        ..Session::default()
    }
}

fn grow(state: &mut State) {
    let last = state.lines.iter().map(|l| l.ts_ns).max().unwrap_or(0);
    let first = state.lines.len();
    for k in 0..state.growth {
        let ts = last + 1 + (k as i64 / 3) * 1_000;
        state
            .lines
            .push(Line::new(ts, format!("grown {}", first + k)));
    }
}

fn seconds_ns(text: &str) -> Result<i64, String> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: i64 = whole.parse().map_err(|_| format!("bad time {text:?}"))?;
    let mut digits: String = fraction.chars().take(9).collect();
    while digits.len() < 9 {
        digits.push('0');
    }
    let nanos: i64 = digits.parse().map_err(|_| format!("bad time {text:?}"))?;
    Ok(whole * 1_000_000_000 + nanos)
}

fn logs(state: &State, query: &str) -> Result<String, String> {
    let mut limit = 10usize;
    let mut offset = 0usize;
    let mut ascending = false;
    let (mut start, mut end) = (None, None);
    let (mut session, mut deployment, mut text) = (None, None, None);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "limit" => limit = value.parse().map_err(|_| "bad limit")?,
            "offset" => offset = value.parse().map_err(|_| "bad offset")?,
            "order" => ascending = value == "asc",
            "startTime" => start = Some(seconds_ns(&value)?),
            "endTime" => end = Some(seconds_ns(&value)?),
            "sessionId" => session = Some(value.to_string()),
            "deploymentId" => deployment = Some(value.to_string()),
            "query" => text = Some(value.to_lowercase()),
            _ => {}
        }
    }
    if limit > 10_000 {
        return Err(format!("limit must be at most 10000, got {limit}"));
    }
    let mut matching: Vec<&Line> = state
        .lines
        .iter()
        .filter(|l| {
            session
                .as_ref()
                .is_none_or(|s| l.session_id.as_ref() == Some(s))
        })
        .filter(|l| {
            deployment
                .as_ref()
                .is_none_or(|d| l.deployment_id.as_ref() == Some(d))
        })
        .filter(|l| {
            text.as_ref()
                .is_none_or(|t| l.log.to_lowercase().contains(t))
        })
        .filter(|l| match (start, state.start_time) {
            (None, _) => true,
            (Some(s), StartTime::AtOrAfter) => l.ts_ns >= s,
            (Some(s), StartTime::AfterTheWholeSecond) => {
                l.ts_ns.div_euclid(1_000_000_000) > s.div_euclid(1_000_000_000)
            }
        })
        .filter(|l| end.is_none_or(|e| l.ts_ns <= e))
        .collect();
    // Insertion order breaks ties, as the local cloud's row ids do.
    matching.sort_by_key(|l| l.ts_ns);
    if !ascending {
        matching.reverse();
    }
    let total = matching.len() as u64;
    let logs = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|l| LogEntry {
            log: l.log.clone(),
            timestamp: rfc3339_nanos(l.ts_ns),
            deployment_id: l.deployment_id.clone(),
            session_id: l.session_id.clone(),
        })
        .collect();
    Ok(serde_json::to_string(&LogsResponse {
        total: Some(LogTotal {
            value: total,
            relation: "eq".into(),
        }),
        logs,
    })
    .unwrap())
}
