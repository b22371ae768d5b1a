//! Cloud builds: upload slots, builds and their log lines.
//!
//! An upload slot goes `pending` (answered by `upload-url`) → `receiving`
//! (one upload request holds it) → `uploaded` (the file is in the data dir)
//! → `used` (a build took it), or `expired`. Every change is a conditional
//! update from the state it expects, so two requests never both win.

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreResult};
use crate::api::types::BuildStatus;

pub const UPLOAD_PENDING: &str = "pending";
pub const UPLOAD_RECEIVING: &str = "receiving";
pub const UPLOAD_UPLOADED: &str = "uploaded";
pub const UPLOAD_USED: &str = "used";
pub const UPLOAD_EXPIRED: &str = "expired";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub id: String,
    pub region: String,
    /// SHA-256 (hex) of the upload's token.
    pub token_hash: String,
    pub created_ns: i64,
    pub expires_ns: i64,
    pub state: String,
    pub size_bytes: Option<i64>,
    pub context_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRecord {
    pub id: String,
    pub region: String,
    pub status: BuildStatus,
    pub context_hash: String,
    pub dockerfile_path: String,
    pub context_size_bytes: i64,
    pub image_size_bytes: Option<i64>,
    pub error_message: Option<String>,
    pub created_ns: i64,
    pub updated_ns: i64,
    pub started_ns: Option<i64>,
    pub completed_ns: Option<i64>,
}

/// Which builds a list shows (newest first).
#[derive(Debug, Clone, Default)]
pub struct BuildFilter {
    pub context_hash: Option<String>,
    pub status: Option<BuildStatus>,
    pub region: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

const UPLOAD_COLUMNS: &str =
    "id, region, token_hash, created_ns, expires_ns, state, size_bytes, context_hash";

fn upload_from(r: &Row<'_>) -> rusqlite::Result<UploadRecord> {
    Ok(UploadRecord {
        id: r.get(0)?,
        region: r.get(1)?,
        token_hash: r.get(2)?,
        created_ns: r.get(3)?,
        expires_ns: r.get(4)?,
        state: r.get(5)?,
        size_bytes: r.get(6)?,
        context_hash: r.get(7)?,
    })
}

const BUILD_COLUMNS: &str = "id, region, status, context_hash, dockerfile_path, context_size_bytes,
    image_size_bytes, error_message, created_ns, updated_ns, started_ns, completed_ns";

fn build_from(r: &Row<'_>) -> rusqlite::Result<BuildRecord> {
    let status: String = r.get(2)?;
    Ok(BuildRecord {
        id: r.get(0)?,
        region: r.get(1)?,
        status: parse_status(&status),
        context_hash: r.get(3)?,
        dockerfile_path: r.get(4)?,
        context_size_bytes: r.get(5)?,
        image_size_bytes: r.get(6)?,
        error_message: r.get(7)?,
        created_ns: r.get(8)?,
        updated_ns: r.get(9)?,
        started_ns: r.get(10)?,
        completed_ns: r.get(11)?,
    })
}

fn parse_status(text: &str) -> BuildStatus {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .unwrap_or(BuildStatus::Other)
}

impl Store {
    pub fn insert_upload(&self, upload: &UploadRecord) -> StoreResult<()> {
        self.conn().execute(
            &format!(
                "INSERT INTO build_uploads({UPLOAD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                upload.id,
                upload.region,
                upload.token_hash,
                upload.created_ns,
                upload.expires_ns,
                upload.state,
                upload.size_bytes,
                upload.context_hash
            ],
        )?;
        Ok(())
    }

    pub fn upload(&self, id: &str) -> StoreResult<Option<UploadRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {UPLOAD_COLUMNS} FROM build_uploads WHERE id = ?1"),
                [id],
                upload_from,
            )
            .optional()?)
    }

    /// Moves an upload from state `from` to `to` (with what was received,
    /// when given); false if it was not in `from`.
    pub fn move_upload(
        &self,
        id: &str,
        from: &str,
        to: &str,
        received: Option<(i64, &str)>,
    ) -> StoreResult<bool> {
        let (size, hash) = received.map_or((None, None), |(size, hash)| (Some(size), Some(hash)));
        let changed = self.conn().execute(
            "UPDATE build_uploads SET state = ?3,
                    size_bytes = COALESCE(?4, size_bytes), context_hash = COALESCE(?5, context_hash)
             WHERE id = ?1 AND state = ?2",
            params![id, from, to, size, hash],
        )?;
        Ok(changed > 0)
    }

    /// Marks expired every upload not taken by a build whose time is up
    /// (and any left `receiving` by a server that stopped), returning
    /// their ids so that their files can go.
    pub fn expire_uploads(&self, now_ns: i64, interrupted_too: bool) -> StoreResult<Vec<String>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT id FROM build_uploads
                 WHERE (state IN ('pending', 'uploaded') AND expires_ns <= ?1)
                    OR (?2 AND state = 'receiving')",
            )?;
            let rows = stmt.query_map(params![now_ns, interrupted_too], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for id in &ids {
            tx.execute(
                "UPDATE build_uploads SET state = ?2 WHERE id = ?1",
                params![id, UPLOAD_EXPIRED],
            )?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Upload slots not yet taken by a build nor expired.
    pub fn open_uploads(&self) -> StoreResult<i64> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM build_uploads WHERE state IN ('pending', 'receiving', 'uploaded')",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn insert_build(&self, build: &BuildRecord) -> StoreResult<()> {
        self.conn().execute(
            &format!(
                "INSERT INTO builds({BUILD_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ),
            params![
                build.id,
                build.region,
                build.status.as_str(),
                build.context_hash,
                build.dockerfile_path,
                build.context_size_bytes,
                build.image_size_bytes,
                build.error_message,
                build.created_ns,
                build.updated_ns,
                build.started_ns,
                build.completed_ns
            ],
        )?;
        Ok(())
    }

    pub fn build(&self, id: &str) -> StoreResult<Option<BuildRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {BUILD_COLUMNS} FROM builds WHERE id = ?1"),
                [id],
                build_from,
            )
            .optional()?)
    }

    /// The newest successful build of this context in `region` with this
    /// Dockerfile.
    pub fn cached_build(
        &self,
        context_hash: &str,
        region: &str,
        dockerfile_path: &str,
    ) -> StoreResult<Option<BuildRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {BUILD_COLUMNS} FROM builds
                     WHERE context_hash = ?1 AND region = ?2 AND dockerfile_path = ?3 AND status = 'success'
                     ORDER BY created_ns DESC LIMIT 1"
                ),
                params![context_hash, region, dockerfile_path],
                build_from,
            )
            .optional()?)
    }

    /// The builds `filter` selects, newest first, and how many there are
    /// in all.
    pub fn builds(&self, filter: &BuildFilter) -> StoreResult<(u64, Vec<BuildRecord>)> {
        let conn = self.conn();
        let status = filter.status.as_ref().map(BuildStatus::as_str);
        let condition = "(?1 IS NULL OR context_hash = ?1) AND (?2 IS NULL OR status = ?2)
                         AND (?3 IS NULL OR region = ?3)";
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM builds WHERE {condition}"),
            params![filter.context_hash, status, filter.region],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {BUILD_COLUMNS} FROM builds WHERE {condition}
             ORDER BY created_ns DESC, rowid DESC LIMIT ?4 OFFSET ?5"
        ))?;
        let rows = stmt.query_map(
            params![
                filter.context_hash,
                status,
                filter.region,
                filter.limit,
                filter.offset
            ],
            build_from,
        )?;
        Ok((total.max(0) as u64, rows.collect::<Result<_, _>>()?))
    }

    pub fn mark_build_started(&self, id: &str, at_ns: i64) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE builds SET status = 'building', started_ns = ?2, updated_ns = ?2
             WHERE id = ?1 AND status = 'pending'",
            params![id, at_ns],
        )?;
        Ok(())
    }

    /// Records how a build ended (only once).
    pub fn mark_build_finished(
        &self,
        id: &str,
        status: &BuildStatus,
        error_message: Option<&str>,
        image_size_bytes: Option<i64>,
        at_ns: i64,
    ) -> StoreResult<()> {
        self.conn().execute(
            "UPDATE builds SET status = ?2, error_message = ?3, image_size_bytes = ?4,
                    completed_ns = ?5, updated_ns = ?5
             WHERE id = ?1 AND status IN ('pending', 'building')",
            params![id, status.as_str(), error_message, image_size_bytes, at_ns],
        )?;
        Ok(())
    }

    /// Fails every build that was waiting or running (the server that had
    /// them stopped), returning their ids.
    pub fn fail_unfinished_builds(&self, message: &str, at_ns: i64) -> StoreResult<Vec<String>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let ids: Vec<String> = {
            let mut stmt =
                tx.prepare("SELECT id FROM builds WHERE status IN ('pending', 'building')")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for id in &ids {
            tx.execute(
                "UPDATE builds SET status = 'failed', error_message = ?2, completed_ns = ?3, updated_ns = ?3
                 WHERE id = ?1",
                params![id, message, at_ns],
            )?;
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn append_build_log(
        &self,
        build_id: &str,
        seq: i64,
        ts_ns: i64,
        line: &str,
    ) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO build_logs(build_id, seq, ts_ns, line) VALUES (?1, ?2, ?3, ?4)",
            params![build_id, seq, ts_ns, line],
        )?;
        Ok(())
    }

    /// Up to `limit` log lines of a build from line `from` on, as
    /// `(seq, line)`, and whether more follow.
    pub fn build_logs(
        &self,
        build_id: &str,
        from: i64,
        limit: u32,
    ) -> StoreResult<(Vec<(i64, String)>, bool)> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT seq, line FROM build_logs WHERE build_id = ?1 AND seq >= ?2
             ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![build_id, from, i64::from(limit) + 1], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        let mut lines: Vec<(i64, String)> = rows.collect::<Result<_, _>>()?;
        let more = lines.len() > limit as usize;
        lines.truncate(limit as usize);
        Ok((lines, more))
    }
}
