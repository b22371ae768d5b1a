//! The reads requests make, on a read connection (see `pool.rs`): log
//! lines and sessions. Each query names only the conditions it has, and
//! the index that serves the narrowest of them (`INDEXED BY`: without
//! statistics SQLite may prefer a time range, and a plan should not depend
//! on its guess); see the indexes of migration 3 and the query-plan test
//! in `store/query_tests.rs`.
//!
//! Log pages are keyset seeks on `(ts_ns, id)`: from a position the caller
//! gives ([`LogFilter::after`]), else from where an earlier page of the same
//! query ended (`anchors.rs`), so an `offset` that continues a walk does
//! not step over the lines before it. `total` counts at most
//! [`TOTAL_LOOKAHEAD`] lines past the page.

use std::sync::MutexGuard;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::anchors::{Anchors, QueryKey, Start};
use super::{
    DeploymentRecord, LogFilter, LogPage, LogPosition, LogRow, SESSION_COLUMNS, SessionFilter,
    SessionRecord, Shared, StoreResult, deployment_from, session_from,
};

/// How many matching lines past a page `total` counts at most; beyond that
/// it is a lower bound (`relation: "gte"`).
pub const TOTAL_LOOKAHEAD: u64 = 10_000;

/// A read connection and the state reads share.
pub struct Reader<'a> {
    pub(super) conn: &'a Connection,
    pub(super) shared: &'a Shared,
}

impl Reader<'_> {
    // --- logs ---------------------------------------------------------------

    /// A page of `agent`'s lines matching `f`, in `(ts_ns, id)` order (or
    /// its reverse), and how many match (see [`LogPage`]).
    pub fn logs(&self, agent: &str, f: &LogFilter) -> StoreResult<LogPage> {
        // One snapshot for the page, its count and the anchors' mark.
        let tx = self.conn.unchecked_transaction()?;
        let key = f.after.is_none().then(|| QueryKey::new(agent, f));
        let mark = if f.ascending { None } else { last_line(&tx)? };
        let offset = u64::from(f.offset);
        let start = match &key {
            None => Start {
                base: 0,
                from: f.after,
                skip: offset,
            },
            Some(key) => {
                if !f.ascending {
                    let known = self.anchors().mark(key);
                    if let Some(known) = known.filter(|known| *known != mark) {
                        let new_lines = count(
                            &tx,
                            agent,
                            f,
                            known,
                            true,
                            super::anchors::MAX_NEW_LINES + 1,
                        )?;
                        self.anchors().rebase(key, known, mark, new_lines);
                    }
                }
                self.anchors().start(key, offset, mark)
            }
        };
        let rows = page(&tx, agent, f, start)?;
        let limit = u64::from(f.limit);
        let got = rows.len() as u64;
        let (total, exact) = match rows.last() {
            Some(last) if got == limit => {
                let more = count(
                    &tx,
                    agent,
                    f,
                    Some(last.position),
                    f.ascending,
                    TOTAL_LOOKAHEAD + 1,
                )?;
                let seen = start.base + start.skip + got;
                (seen + more.min(TOTAL_LOOKAHEAD), more <= TOTAL_LOOKAHEAD)
            }
            Some(_) => (start.base + start.skip + got, true),
            None if limit == 0 => {
                let cap = start.skip + TOTAL_LOOKAHEAD;
                let after = count(&tx, agent, f, start.from, f.ascending, cap + 1)?;
                (start.base + after.min(cap), after <= cap)
            }
            None if start.skip == 0 => (start.base, true),
            // The offset is past the end: fewer than `skip` lines follow.
            None => (
                start.base + count(&tx, agent, f, start.from, f.ascending, start.skip)?,
                true,
            ),
        };
        if let (Some(key), Some(last)) = (key, rows.last()) {
            self.anchors()
                .record(key, mark, start.base + start.skip + got, last.position);
        }
        Ok(LogPage {
            rows,
            total,
            total_exact: exact,
        })
    }

    fn anchors(&self) -> MutexGuard<'_, Anchors> {
        super::lock(&self.shared.anchors)
    }

    // --- sessions -----------------------------------------------------------

    /// Matching sessions of an agent, newest first, and how many match in
    /// all. Sessions whose end is still waiting to be written (the store
    /// failed) show as ended.
    pub fn sessions(
        &self,
        agent_id: &str,
        f: &SessionFilter,
    ) -> StoreResult<(u64, Vec<SessionRecord>)> {
        let (from, mut values) = session_conditions(agent_id, f);
        let tx = self.conn.unchecked_transaction()?;
        let total: i64 = tx
            .prepare_cached(&format!("SELECT count(*) FROM {from}"))?
            .query_row(params_from_iter(&values), |r| r.get(0))?;
        values.push(Value::from(i64::from(f.limit)));
        values.push(Value::from(i64::from(f.offset)));
        let mut records: Vec<SessionRecord> = tx
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM {from}
                 ORDER BY requested_ns DESC, rowid DESC LIMIT ? OFFSET ?"
            ))?
            .query_map(params_from_iter(&values), session_from)?
            .collect::<Result<_, _>>()?;
        let mut total = total.max(0) as u64;
        self.shared.overlay_ends(&mut records);
        if f.active == Some(true) {
            let before = records.len();
            records.retain(|s| s.ended_ns.is_none());
            total = total.saturating_sub((before - records.len()) as u64);
        }
        Ok((total, records))
    }

    /// A session of any agent that had the name `agent_name`.
    pub fn session(&self, agent_name: &str, id: &str) -> StoreResult<Option<SessionRecord>> {
        let mut record = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE agent_name = ?1 AND id = ?2"
            ))?
            .query_row([agent_name, id], session_from)
            .optional()?;
        if let Some(record) = record.as_mut() {
            self.shared.overlay_ends(std::slice::from_mut(record));
        }
        Ok(record)
    }

    pub fn has_sessions(&self, agent_name: &str) -> StoreResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM sessions WHERE agent_name = ?1 LIMIT 1")?
            .query_row([agent_name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    // --- agents -------------------------------------------------------------

    /// The id of the live agent called `name`, else of the last one deleted.
    pub fn newest_agent_id(&self, name: &str) -> StoreResult<Option<String>> {
        let live = self
            .conn
            .prepare_cached("SELECT id FROM agents WHERE name = ?1 AND deleted_ns IS NULL")?
            .query_row([name], |r| r.get(0))
            .optional()?;
        if live.is_some() {
            return Ok(live);
        }
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM agents WHERE name = ?1 AND deleted_ns IS NOT NULL
                 ORDER BY deleted_ns DESC, created_ns DESC LIMIT 1",
            )?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }

    /// All deployments of an agent, newest first.
    pub fn deployments(&self, agent_id: &str) -> StoreResult<Vec<DeploymentRecord>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, agent_id, image, min_agents, max_agents, max_session_duration, created_ns,
                        secret_set, image_pull_secret_set, krisp_viva_filter, node_type,
                        websocket_auth, architecture, build_id
                 FROM deployments WHERE agent_id = ?1 ORDER BY created_ns DESC, rowid DESC",
            )?
            .query_map([agent_id], |r| deployment_from(r, 0))?
            .collect::<Result<_, _>>()?)
    }
}

/// The newest stored line (every new line sorts after it).
pub fn last_line(conn: &Connection) -> rusqlite::Result<Option<LogPosition>> {
    conn.prepare_cached("SELECT ts_ns, id FROM logs WHERE id = (SELECT max(id) FROM logs)")?
        .query_row([], |r| {
            Ok(LogPosition {
                ts_ns: r.get(0)?,
                id: r.get(1)?,
            })
        })
        .optional()
}

/// The page itself: up to `limit` lines after `start.from`, skipping
/// `start.skip`.
fn page(conn: &Connection, agent: &str, f: &LogFilter, start: Start) -> StoreResult<Vec<LogRow>> {
    let (from, mut values) = log_conditions(agent, f, start.from, f.ascending);
    let order = if f.ascending { "ASC" } else { "DESC" };
    values.push(Value::from(i64::from(f.limit)));
    values.push(Value::from(i64::try_from(start.skip).unwrap_or(i64::MAX)));
    let rows = conn
        .prepare_cached(&format!(
            "SELECT ts_ns, id, line, deployment_id, session_id FROM {from}
             ORDER BY ts_ns {order}, id {order} LIMIT ? OFFSET ?"
        ))?
        .query_map(params_from_iter(&values), |r| {
            Ok(LogRow {
                position: LogPosition {
                    ts_ns: r.get(0)?,
                    id: r.get(1)?,
                },
                line: r.get(2)?,
                deployment_id: r.get(3)?,
                session_id: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// How many lines match `f` beyond `from` (in the direction `forward`
/// says: towards later lines, or earlier ones), at most `cap`.
fn count(
    conn: &Connection,
    agent: &str,
    f: &LogFilter,
    from: Option<LogPosition>,
    forward: bool,
    cap: u64,
) -> rusqlite::Result<u64> {
    let (from, mut values) = log_conditions(agent, f, from, forward);
    values.push(Value::from(i64::try_from(cap).unwrap_or(i64::MAX)));
    let n: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM {from} LIMIT ?)"
        ))?
        .query_row(params_from_iter(&values), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// `logs INDEXED BY ... WHERE ...` of a logs query and its parameters, in
/// order: only the conditions the filter has.
fn log_conditions(
    agent: &str,
    f: &LogFilter,
    from: Option<LogPosition>,
    forward: bool,
) -> (String, Vec<Value>) {
    let index = if f.session_id.is_some() {
        "logs_agent_session"
    } else if f.deployment_id.is_some() {
        "logs_agent_deployment"
    } else {
        "logs_agent_time"
    };
    let mut sql = format!("logs INDEXED BY {index} WHERE agent_name = ?");
    let mut values = vec![Value::from(agent.to_string())];
    if let Some(session) = &f.session_id {
        sql.push_str(" AND session_id = ?");
        values.push(Value::from(session.clone()));
    }
    if let Some(deployment) = &f.deployment_id {
        sql.push_str(" AND deployment_id = ?");
        values.push(Value::from(deployment.clone()));
    }
    if let Some(start) = f.start_ns {
        sql.push_str(" AND ts_ns >= ?");
        values.push(Value::from(start));
    }
    if let Some(end) = f.end_ns {
        sql.push_str(" AND ts_ns <= ?");
        values.push(Value::from(end));
    }
    if let Some(from) = from {
        sql.push_str(if forward {
            " AND (ts_ns, id) > (?, ?)"
        } else {
            " AND (ts_ns, id) < (?, ?)"
        });
        values.push(Value::from(from.ts_ns));
        values.push(Value::from(from.id));
    }
    if let Some(query) = &f.query {
        sql.push_str(" AND instr(lower(line), lower(?)) > 0");
        values.push(Value::from(query.clone()));
    }
    (sql, values)
}

/// `sessions INDEXED BY ... WHERE ...` of a sessions query and its
/// parameters.
fn session_conditions(agent_id: &str, f: &SessionFilter) -> (String, Vec<Value>) {
    let index = if f.active == Some(true) {
        "sessions_running"
    } else if f.end_state.is_some() {
        "sessions_agent_state"
    } else if f.deployment_id.is_some() {
        "sessions_agent_deployment"
    } else {
        "sessions_agent_id"
    };
    let mut sql = format!("sessions INDEXED BY {index} WHERE agent_id = ?");
    let mut values = vec![Value::from(agent_id.to_string())];
    match f.active {
        Some(true) => sql.push_str(" AND ended_ns IS NULL"),
        Some(false) => sql.push_str(" AND ended_ns IS NOT NULL"),
        None => {}
    }
    if let Some(state) = &f.end_state {
        sql.push_str(" AND end_state = ?");
        values.push(Value::from(state.clone()));
    }
    if let Some(deployment) = &f.deployment_id {
        sql.push_str(" AND deployment_id = ?");
        values.push(Value::from(deployment.clone()));
    }
    if let Some(start) = f.start_ns {
        sql.push_str(" AND requested_ns >= ?");
        values.push(Value::from(start));
    }
    if let Some(end) = f.end_ns {
        sql.push_str(" AND requested_ns <= ?");
        values.push(Value::from(end));
    }
    (sql, values)
}
