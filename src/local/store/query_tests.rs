//! What the store's queries must keep while they get faster: every query
//! served by an index (checked on SQLite's own plans), log pages in a
//! total order with no line twice and none missed whether they are asked
//! for by offset (with or without anchors) or by position, `total`'s
//! meaning, and session ends that could not be written.

use std::collections::BTreeSet;

use super::reads::TOTAL_LOOKAHEAD;
use super::*;

const AGENT: &str = "agent";
const OTHER: &str = "other";
const SESSIONS: [&str; 3] = [
    "00000000-0000-4000-8000-000000000001",
    "00000000-0000-4000-8000-000000000002",
    "00000000-0000-4000-8000-000000000003",
];
const DEPLOYMENTS: [&str; 2] = ["deployment-1", "deployment-2"];

/// One stored line, as the test knows it.
#[derive(Debug, Clone)]
struct Line {
    agent: &'static str,
    deployment: Option<&'static str>,
    session: Option<&'static str>,
    ts_ns: i64,
    text: String,
}

/// A store holding `lines` (in this order) and the rows they became.
fn store_with(lines: &[Line]) -> (tempfile::TempDir, Store, Vec<(Line, LogRow)>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let rows = add_lines(&store, lines);
    (dir, store, rows)
}

fn add_lines(store: &Store, lines: &[Line]) -> Vec<(Line, LogRow)> {
    let mut conn = store.conn();
    let tx = conn.transaction().unwrap();
    let mut rows = Vec::new();
    for line in lines {
        tx.execute(
            "INSERT INTO logs(agent_name, deployment_id, session_id, ts_ns, line) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![line.agent, line.deployment, line.session, line.ts_ns, line.text],
        )
        .unwrap();
        let row = LogRow {
            position: LogPosition {
                ts_ns: line.ts_ns,
                id: tx.last_insert_rowid(),
            },
            line: line.text.clone(),
            deployment_id: line.deployment.map(str::to_string),
            session_id: line.session.map(str::to_string),
        };
        rows.push((line.clone(), row));
    }
    tx.commit().unwrap();
    rows
}

/// `count` lines of `AGENT` (and every seventh of `OTHER`), spread over the
/// sessions and deployments, three to a timestamp so that ties are
/// common, one in five holding "Needle".
fn varied_lines(count: usize, first_ns: i64) -> Vec<Line> {
    (0..count)
        .map(|i| Line {
            agent: if i % 7 == 3 { OTHER } else { AGENT },
            deployment: (i % 11 != 0).then(|| DEPLOYMENTS[i % 2]),
            session: (i % 13 != 0).then(|| SESSIONS[i % 3]),
            ts_ns: first_ns + (i / 3) as i64 * 1_000,
            text: if i % 5 == 0 {
                format!("INFO Needle {i}")
            } else {
                format!("INFO line {i}")
            },
        })
        .collect()
}

/// The lines a filter matches, in its order, worked out by hand.
fn expected(rows: &[(Line, LogRow)], agent: &str, f: &LogFilter) -> Vec<LogRow> {
    let mut matching: Vec<LogRow> = rows
        .iter()
        .filter(|(line, _)| {
            line.agent == agent
                && f.session_id
                    .as_deref()
                    .is_none_or(|s| line.session == Some(s))
                && f.deployment_id
                    .as_deref()
                    .is_none_or(|d| line.deployment == Some(d))
                && f.start_ns.is_none_or(|start| line.ts_ns >= start)
                && f.end_ns.is_none_or(|end| line.ts_ns <= end)
                && f.query.as_deref().is_none_or(|q| {
                    line.text
                        .to_ascii_lowercase()
                        .contains(&q.to_ascii_lowercase())
                })
        })
        .map(|(_, row)| row.clone())
        .collect();
    matching.sort_by_key(|row| row.position);
    if !f.ascending {
        matching.reverse();
    }
    matching
}

/// Every combination of the filters a logs request can have.
fn every_log_filter(first_ns: i64, last_ns: i64) -> Vec<LogFilter> {
    let mut filters = Vec::new();
    for bits in 0..32u32 {
        for ascending in [false, true] {
            let on = |bit: u32| bits & (1 << bit) != 0;
            filters.push(LogFilter {
                session_id: on(0).then(|| SESSIONS[1].to_string()),
                deployment_id: on(1).then(|| DEPLOYMENTS[0].to_string()),
                query: on(2).then(|| "needle".to_string()),
                start_ns: on(3).then_some(first_ns + (last_ns - first_ns) / 4),
                end_ns: on(4).then_some(last_ns - (last_ns - first_ns) / 4),
                ascending,
                ..LogFilter::default()
            });
        }
    }
    filters
}

fn page(store: &Store, f: &LogFilter) -> LogPage {
    let f = f.clone();
    store.read_blocking(move |r| r.logs(AGENT, &f)).unwrap()
}

#[test]
fn offset_pages_equal_keyset_pages_and_the_whole_list() {
    let lines = varied_lines(900, 1_000_000);
    let (first_ns, last_ns) = (lines[0].ts_ns, lines[lines.len() - 1].ts_ns);
    let (_dir, store, rows) = store_with(&lines);
    for filter in every_log_filter(first_ns, last_ns) {
        let all = expected(&rows, AGENT, &filter);
        let limit = 37;
        // By offset, one page after the other (each continues the last one
        // from its anchor).
        let mut by_offset = Vec::new();
        loop {
            let got = page(
                &store,
                &LogFilter {
                    limit,
                    offset: by_offset.len() as u32,
                    ..filter.clone()
                },
            );
            let n = got.rows.len();
            by_offset.extend(got.rows);
            if n < limit as usize {
                break;
            }
        }
        assert_eq!(by_offset, all, "offset pages of {filter:?}");
        // By position: each page after the last line of the one before.
        let mut by_position: Vec<LogRow> = Vec::new();
        loop {
            let got = page(
                &store,
                &LogFilter {
                    limit,
                    after: by_position.last().map(|row| row.position),
                    ..filter.clone()
                },
            );
            let n = got.rows.len();
            by_position.extend(got.rows);
            if n < limit as usize {
                break;
            }
        }
        assert_eq!(by_position, all, "position pages of {filter:?}");
        // Any offset, anchored or not, in any order of asking.
        for offset in [
            0usize,
            1,
            36,
            37,
            38,
            200,
            111,
            5,
            all.len().saturating_sub(3),
            all.len() + 4,
        ] {
            let got = page(
                &store,
                &LogFilter {
                    limit: 10,
                    offset: offset as u32,
                    ..filter.clone()
                },
            );
            let want: Vec<LogRow> = all.iter().skip(offset).take(10).cloned().collect();
            assert_eq!(got.rows, want, "offset {offset} of {filter:?}");
        }
    }
}

#[test]
fn newest_first_offsets_stay_right_while_lines_arrive() {
    let lines = varied_lines(300, 1_000_000);
    let (_dir, store, mut rows) = store_with(&lines);
    let filter = LogFilter {
        limit: 25,
        ..LogFilter::default()
    };
    let mut next_ns = lines[lines.len() - 1].ts_ns;
    for (round, offset) in [0u32, 25, 50, 75, 50, 100, 0, 125].into_iter().enumerate() {
        let got = page(
            &store,
            &LogFilter {
                offset,
                ..filter.clone()
            },
        );
        let want: Vec<LogRow> = expected(&rows, AGENT, &filter)
            .into_iter()
            .skip(offset as usize)
            .take(25)
            .collect();
        assert_eq!(got.rows, want, "round {round}, offset {offset}");
        // New lines (some of them the agent's) land before every old one.
        let mut arriving = varied_lines(round * 4 + 1, next_ns);
        for line in &mut arriving {
            line.ts_ns = next_ns;
            next_ns += 500;
        }
        rows.extend(add_lines(&store, &arriving));
    }
}

#[test]
fn total_is_exact_up_to_the_lookahead_and_a_lower_bound_past_it() {
    let count = TOTAL_LOOKAHEAD as usize + 150;
    let lines: Vec<Line> = (0..count)
        .map(|i| Line {
            agent: AGENT,
            deployment: Some(DEPLOYMENTS[0]),
            session: Some(if i < 40 { SESSIONS[0] } else { SESSIONS[1] }),
            ts_ns: 1_000 + i as i64,
            text: format!("line {i}"),
        })
        .collect();
    let (_dir, store, _rows) = store_with(&lines);
    let count = count as u64;
    let total = |limit: u32, offset: u32, session: Option<&str>| {
        let got = page(
            &store,
            &LogFilter {
                limit,
                offset,
                session_id: session.map(str::to_string),
                ..LogFilter::default()
            },
        );
        (got.total, got.total_exact)
    };
    // More than the lookahead past the page: a lower bound.
    assert_eq!(total(100, 0, None), (100 + TOTAL_LOOKAHEAD, false));
    assert_eq!(total(10, 50, None), (60 + TOTAL_LOOKAHEAD, false));
    // Within it: exact.
    assert_eq!(total(200, 0, None), (count, true));
    assert_eq!(total(100, 10_100, None), (count, true));
    assert_eq!(total(100, 20_000, None), (count, true));
    assert_eq!(total(10, 0, Some(SESSIONS[0])), (40, true));
    assert_eq!(total(10, 100, Some(SESSIONS[0])), (40, true));
    // limit 0 asks for the count alone.
    assert_eq!(total(0, 0, None), (TOTAL_LOOKAHEAD, false));
    assert_eq!(total(0, 500, None), (count, true));
    assert_eq!(total(0, 0, Some(SESSIONS[0])), (40, true));
}

#[test]
fn a_session_end_that_cannot_be_written_is_shown_and_written_later() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let agent = store.live_agents().unwrap().remove(0);
    let session = SessionRecord {
        id: SESSIONS[0].into(),
        agent_name: agent.name.clone(),
        agent_id: agent.id.clone(),
        deployment_id: agent.deployment.id.clone(),
        max_session_duration: 60,
        requested_ns: 1_000,
        process_started_ns: None,
        stop_requested_ns: None,
        ended_ns: None,
        updated_ns: 1_000,
        completion_status: None,
        end_state: "active".into(),
    };
    store.insert_session(&session).unwrap();
    // The database refuses writes, as on a full disk.
    store
        .conn()
        .pragma_update(None, "query_only", true)
        .unwrap();
    assert!(
        store
            .mark_ended(&session.id, 5_000, "TERMINATED", "terminated")
            .is_err()
    );
    assert!(store.write_failure().is_some());
    let (name, id, agent_id) = (agent.name.clone(), session.id.clone(), agent.id.clone());
    let (shown, active) = store
        .read_blocking(move |r| {
            let shown = r.session(&name, &id)?.unwrap();
            let active = r.sessions(
                &agent_id,
                &SessionFilter {
                    active: Some(true),
                    limit: 10,
                    ..SessionFilter::default()
                },
            )?;
            Ok((shown, active))
        })
        .unwrap();
    assert_eq!(shown.ended_ns, Some(5_000));
    assert_eq!(shown.completion_status.as_deref(), Some("TERMINATED"));
    assert_eq!(shown.end_state, "terminated");
    assert_eq!(active.0, 0, "not counted as running");
    assert!(active.1.is_empty(), "not listed as running");
    assert!(store.needs_retry());
    assert_eq!(store.retry(), 1, "still unwritable");
    // Writable again: the end is written as it was, and starts may resume.
    store
        .conn()
        .pragma_update(None, "query_only", false)
        .unwrap();
    assert_eq!(store.retry(), 0);
    assert_eq!(store.write_failure(), None);
    assert!(!store.needs_retry());
    let stored: (Option<i64>, Option<String>) = store
        .conn()
        .query_row(
            "SELECT ended_ns, completion_status FROM sessions WHERE id = ?1",
            [&session.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored, (Some(5_000), Some("TERMINATED".to_string())));
}

/// Tables whose whole content one query may read: none. (A query that
/// needs every row of a table must still read it through an index, in
/// order, without a sort.)
#[test]
fn every_query_the_store_makes_uses_an_index_and_no_sort() {
    let lines = varied_lines(200, 1_000_000);
    let (first_ns, last_ns) = (lines[0].ts_ns, lines[lines.len() - 1].ts_ns);
    let (_dir, store, _rows) = store_with(&lines);
    exercise_every_query(&store, first_ns, last_ns);

    let issued: BTreeSet<String> = lock(&store.shared.issued).clone();
    let conn = store.conn();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for sql in &issued {
        let word = sql
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        // Transactions, settings, and the schema checks at open.
        if !["SELECT", "INSERT", "UPDATE", "DELETE"].contains(&word.as_str())
            || sql.contains("sqlite_master")
        {
            continue;
        }
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .raw_query()
            .mapped(|r| r.get::<_, String>(3))
            .collect::<Result<_, _>>()
            .unwrap();
        checked += 1;
        let full_scan = plan.iter().any(|step| {
            tables.iter().any(|table| {
                step == &format!("SCAN {table}")
                    || (step.starts_with(&format!("SCAN {table} ")) && !step.contains(" USING "))
            })
        });
        let sorts = plan.iter().any(|step| step.contains("TEMP B-TREE"));
        let filters = sql.contains(" WHERE ");
        let indexed = plan.iter().any(|step| step.contains(" USING "));
        if full_scan || sorts || (filters && !indexed) {
            failures.push(format!("{sql}\n    {}", plan.join("\n    ")));
        }
        // A query narrowed by a session, a deployment, an end state or
        // "running" must use an index on one of them, not scan the agent's.
        let narrowing: Vec<&str> = [
            ("session_id = ?", "session_id=?"),
            ("deployment_id = ?", "deployment_id=?"),
            ("end_state = ?", "end_state=?"),
            ("agent_id = ? AND ended_ns IS NULL", "sessions_running"),
        ]
        .into_iter()
        .filter(|(condition, _)| {
            sql.split_once(" WHERE ")
                .is_some_and(|(_, conditions)| conditions.contains(condition))
        })
        .map(|(_, in_plan)| in_plan)
        .collect();
        if !narrowing.is_empty()
            && !plan
                .iter()
                .any(|step| narrowing.iter().any(|index| step.contains(index)))
        {
            failures.push(format!(
                "{sql}\n    uses no index on {narrowing:?}:\n    {}",
                plan.join("\n    ")
            ));
        }
    }
    assert!(checked > 60, "only {checked} statements were seen");
    assert!(
        failures.is_empty(),
        "queries without their index:\n{}",
        failures.join("\n")
    );
}

/// Calls every method of the store, with every filter a request can give.
fn exercise_every_query(store: &Store, first_ns: i64, last_ns: i64) {
    let agent = store.live_agents().unwrap().remove(0);
    let mut second = agent.clone();
    second.id = new_id();
    second.name = "second".into();
    second.deployment.id = new_id();
    second.deployment.agent_id = second.id.clone();
    store.insert_agent(&second).unwrap();
    second.deployment.id = new_id();
    store.update_agent(&second, true).unwrap();
    store.update_agent(&second, false).unwrap();
    store.delete_agent(&second.id).unwrap();
    store.credentials().unwrap();
    let key = store.insert_key(KeyKind::Public, Some("extra")).unwrap();
    store.revoke_public_key(&key.id).unwrap();
    store.meta("org_id").unwrap();
    for (n, id) in SESSIONS.iter().enumerate() {
        store
            .insert_session(&SessionRecord {
                id: id.to_string(),
                agent_name: agent.name.clone(),
                agent_id: agent.id.clone(),
                deployment_id: agent.deployment.id.clone(),
                max_session_duration: 60,
                requested_ns: 1_000 + n as i64,
                process_started_ns: None,
                stop_requested_ns: None,
                ended_ns: None,
                updated_ns: 1_000,
                completion_status: None,
                end_state: "active".into(),
            })
            .unwrap();
    }
    let running = SessionRecord {
        id: new_id(),
        agent_name: agent.name.clone(),
        agent_id: agent.id.clone(),
        deployment_id: agent.deployment.id.clone(),
        max_session_duration: 60,
        requested_ns: 2_000,
        process_started_ns: Some(2_000),
        stop_requested_ns: None,
        ended_ns: None,
        updated_ns: 2_000,
        completion_status: None,
        end_state: "active".into(),
    };
    let process = SessionProcess {
        session_id: running.id.clone(),
        pid: 1,
        start_ticks: Some(1),
        boot_id: None,
        cgroup: None,
    };
    store.insert_running_session(&running, &process).unwrap();
    store.session_processes().unwrap();
    store.forget_session_process(&running.id).unwrap();
    store.beat(2_500).unwrap();
    store.last_heartbeat().unwrap();
    store.mark_running_stop_requested(2_600).unwrap();
    store.mark_stop_requested(SESSIONS[0], 3_000).unwrap();
    store
        .mark_ended(SESSIONS[0], 4_000, "TERMINATED", "terminated")
        .unwrap();
    store
        .end_orphaned_sessions("SERVER_RESTARTED", "terminated")
        .unwrap();
    // The probe write of a retry.
    *lock(&store.shared.write_failure) = Some("test".into());
    store.retry();

    let (name, id) = (agent.name.clone(), agent.id.clone());
    store
        .read_blocking(move |r| {
            r.session(&name, SESSIONS[1])?;
            r.has_sessions(&name)?;
            r.newest_agent_id(&name)?;
            r.newest_agent_id("second")?;
            r.deployments(&id)?;
            for bits in 0..32u32 {
                let on = |bit: u32| bits & (1 << bit) != 0;
                for active in [None, Some(true), Some(false)] {
                    r.sessions(
                        &id,
                        &SessionFilter {
                            active,
                            end_state: on(0).then(|| "terminated".into()),
                            deployment_id: on(1).then(|| id.clone()),
                            start_ns: on(2).then_some(1),
                            end_ns: on(3).then_some(i64::MAX),
                            limit: 10,
                            offset: if on(4) { 1 } else { 0 },
                        },
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
    for filter in every_log_filter(first_ns, last_ns) {
        // A full page (a count past it, an anchor), a page past the end, a
        // bare count, an anchored page, a page after a position, and (newest
        // first) anchors moved by a new line.
        for (limit, offset) in [(5, 0), (5, 5), (5, 10_000), (0, 0), (0, 3)] {
            page(
                store,
                &LogFilter {
                    limit,
                    offset,
                    ..filter.clone()
                },
            );
        }
        page(
            store,
            &LogFilter {
                limit: 5,
                after: Some(LogPosition {
                    ts_ns: first_ns + 1_000,
                    id: 3,
                }),
                ..filter.clone()
            },
        );
    }
    add_lines(
        store,
        &[Line {
            agent: AGENT,
            deployment: None,
            session: None,
            ts_ns: last_ns + 1,
            text: "late".into(),
        }],
    );
    for filter in every_log_filter(first_ns, last_ns) {
        page(
            store,
            &LogFilter {
                limit: 5,
                offset: 5,
                ..filter
            },
        );
    }
}
