//! What `top` shows, read from the API's polling routes: the agent list,
//! each agent's status (capacity, readiness) and active sessions, and the
//! logs of one session. Session starts and ends are found by comparing
//! one look with the previous one.

use std::collections::{HashMap, HashSet};

use pipecat_cloud::api::status::Phase;
use pipecat_cloud::api::types::{LogEntry, Session};
use pipecat_cloud::api::{ApiError, Client, ErrorKind, LogOrder, LogQuery};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::super::agent::sessions::active_sessions;

/// Agents asked about at once.
const AGENTS_AT_ONCE: usize = 8;
/// Ended sessions looked up (for how they ended) per look; the rest are
/// reported without the detail.
const ENDED_LOOKUPS: usize = 8;
/// Log lines read for the selected session.
pub const LOG_LINES: u32 = 200;

/// One agent as `top` shows it.
#[derive(Debug, Clone)]
pub struct AgentRow {
    pub name: String,
    pub phase: Option<Phase>,
    pub active: usize,
    pub capacity: Option<u32>,
}

impl AgentRow {
    /// The phase in a word or two.
    pub fn state(&self) -> &'static str {
        match self.phase {
            Some(Phase::Ready) => "ready",
            Some(Phase::DegradedAvailable) => "degraded",
            Some(Phase::ProgressingAvailable) => "rolling out",
            Some(Phase::ProgressingNew) => "deploying",
            Some(Phase::WaitingForOperator) => "waiting",
            Some(Phase::Unavailable) => "unavailable",
            None => "?",
        }
    }
}

/// An active session and its agent.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub agent: String,
    pub session: Session,
}

/// A session start or end seen between two looks.
#[derive(Debug, Clone)]
pub enum Change {
    Started(SessionRow),
    /// The session as it ended, when it could be looked up.
    Ended {
        agent: String,
        id: String,
        session: Option<Session>,
    },
}

/// One look at every agent.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub at: jiff::Timestamp,
    pub agents: Vec<AgentRow>,
    /// Active sessions by agent name, newest first within an agent.
    pub sessions: Vec<SessionRow>,
    /// Starts and ends since the previous look (none on the first).
    pub changes: Vec<Change>,
}

impl Snapshot {
    pub fn active(&self) -> usize {
        self.sessions.len()
    }

    /// The snapshot as one JSON record (`top` without a terminal).
    pub fn document(&self) -> Value {
        json!({
            "time": self.at.to_string(),
            "agents": self.agents.iter().map(|agent| json!({
                "name": agent.name,
                "state": agent.state(),
                "active": agent.active,
                "capacity": agent.capacity,
            })).collect::<Vec<_>>(),
            "sessions": self.sessions.iter().map(|row| json!({
                "agent": row.agent,
                "sessionId": row.session.session_id,
                "createdAt": row.session.created_at,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Looks at every agent again, and says what changed since `previous`.
pub struct Poller {
    client: Client,
    previous: Option<HashMap<String, String>>,
}

impl Poller {
    pub fn new(client: Client) -> Poller {
        Poller {
            client,
            previous: None,
        }
    }

    pub async fn look(&mut self) -> Result<Snapshot, ApiError> {
        let names = self.client.agent_names().await?;
        let mut agents = Vec::new();
        let mut sessions = Vec::new();
        for batch in names.chunks(AGENTS_AT_ONCE) {
            let mut looking = JoinSet::new();
            for (index, name) in batch.iter().enumerate() {
                let (client, name) = (self.client.clone(), name.clone());
                looking.spawn(async move { (index, look_at_agent(&client, &name).await) });
            }
            let mut looked = looking.join_all().await;
            looked.sort_by_key(|(index, _)| *index);
            for (_, outcome) in looked {
                match outcome {
                    Ok(Some((agent, active))) => {
                        agents.push(agent);
                        sessions.extend(active);
                    }
                    // Deleted since the list was read.
                    Ok(None) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        let now: HashMap<String, String> = sessions
            .iter()
            .map(|row| (row.session.session_id.clone(), row.agent.clone()))
            .collect();
        let changes = match self.previous.replace(now.clone()) {
            None => Vec::new(),
            Some(before) => self.changes(&before, &now, &sessions).await,
        };
        Ok(Snapshot {
            at: jiff::Timestamp::now(),
            agents,
            sessions,
            changes,
        })
    }

    async fn changes(
        &self,
        before: &HashMap<String, String>,
        now: &HashMap<String, String>,
        sessions: &[SessionRow],
    ) -> Vec<Change> {
        let mut changes: Vec<Change> = sessions
            .iter()
            .filter(|row| !before.contains_key(&row.session.session_id))
            .map(|row| Change::Started(row.clone()))
            .collect();
        let gone: HashSet<(&String, &String)> = before
            .iter()
            .filter(|(id, _)| !now.contains_key(*id))
            .collect();
        let mut gone: Vec<(&String, &String)> = gone.into_iter().collect();
        gone.sort();
        for (index, (id, agent)) in gone.into_iter().enumerate() {
            let session = if index < ENDED_LOOKUPS {
                self.client
                    .get_session(agent, id)
                    .await
                    .ok()
                    .map(|found| found.value)
            } else {
                None
            };
            changes.push(Change::Ended {
                agent: agent.clone(),
                id: id.clone(),
                session,
            });
        }
        changes
    }
}

/// One agent's row and active sessions; `None` if it no longer exists.
async fn look_at_agent(
    client: &Client,
    name: &str,
) -> Result<Option<(AgentRow, Vec<SessionRow>)>, ApiError> {
    let details = match client.get_agent(name).await {
        Ok(details) => details.value,
        Err(err) if err.kind == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let active = match active_sessions(client, name).await {
        Ok(active) => active,
        Err(err) if err.kind == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let row = AgentRow {
        name: name.to_string(),
        phase: Some(Phase::of(&details)),
        active: active.len(),
        capacity: details.max_agents(),
    };
    let sessions = active
        .into_iter()
        .map(|session| SessionRow {
            agent: name.to_string(),
            session,
        })
        .collect();
    Ok(Some((row, sessions)))
}

/// The newest log lines of a session, oldest first.
pub async fn session_logs(
    client: &Client,
    agent: &str,
    session: &str,
) -> Result<Vec<LogEntry>, ApiError> {
    let query = LogQuery {
        limit: Some(LOG_LINES),
        session_id: Some(session.to_string()),
        order: Some(LogOrder::Desc),
        ..LogQuery::default()
    };
    let mut lines = client.logs(agent, &query).await?.value.logs;
    lines.reverse();
    Ok(lines)
}
