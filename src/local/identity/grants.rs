//! The identity provider's tables (migration 3 of the store): codes,
//! grants, access and refresh tokens, each keyed by the hash of its value.
//! Every decision that reads and then writes runs in one transaction under
//! the store's connection lock, so two requests presenting the same code or
//! refresh token cannot both win.

use rusqlite::{OptionalExtension, Transaction, params};

use crate::local::store::{Store, StoreResult, new_id};

/// An authorization code as issued (its hash is the key).
#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub expires_ns: i64,
}

/// What presenting a code found.
#[derive(Debug)]
pub enum CodeRedemption {
    Unknown,
    Expired,
    /// Presented before: refused, and the grant it started is revoked.
    AlreadyUsed,
    /// First presentation: now consumed, whatever the caller decides.
    Fresh(CodeRecord),
}

/// The hashes and expiries of a new access and refresh token.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_hash: String,
    pub access_expires_ns: i64,
    pub refresh_hash: String,
    pub refresh_expires_ns: i64,
}

/// What presenting a refresh token found.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// It was current: it is spent and the new tokens are stored.
    Rotated,
    Unknown,
    Expired,
    /// Its grant was revoked (logout, or a reuse seen before).
    Revoked,
    /// It was rotated before: its grant is now revoked.
    Reused,
}

impl Store {
    /// Stores a new code, first deleting expired ones. `false` (nothing
    /// stored) when `max_pending` unredeemed codes already wait.
    pub fn insert_code(
        &self,
        code_hash: &str,
        record: &CodeRecord,
        now_ns: i64,
        max_pending: u32,
    ) -> StoreResult<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM oauth_codes WHERE expires_ns <= ?1", [now_ns])?;
        let pending: u32 = tx.query_row(
            "SELECT COUNT(*) FROM oauth_codes WHERE used_ns IS NULL",
            [],
            |r| r.get(0),
        )?;
        if pending >= max_pending {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO oauth_codes(code_hash, client_id, redirect_uri, code_challenge, scope, created_ns, expires_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                code_hash,
                record.client_id,
                record.redirect_uri,
                record.code_challenge,
                record.scope,
                now_ns,
                record.expires_ns
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Presents a code: consumes it on its first presentation; on a later
    /// one, revokes the grant it started.
    pub fn redeem_code(&self, code_hash: &str, now_ns: i64) -> StoreResult<CodeRedemption> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let found = tx
            .query_row(
                "SELECT client_id, redirect_uri, code_challenge, scope, expires_ns, used_ns, grant_id
                 FROM oauth_codes WHERE code_hash = ?1",
                [code_hash],
                |r| {
                    Ok((
                        CodeRecord {
                            client_id: r.get(0)?,
                            redirect_uri: r.get(1)?,
                            code_challenge: r.get(2)?,
                            scope: r.get(3)?,
                            expires_ns: r.get(4)?,
                        },
                        r.get::<_, Option<i64>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?;
        let redemption = match found {
            None => CodeRedemption::Unknown,
            Some((_, Some(_), grant)) => {
                if let Some(grant) = grant {
                    revoke_grant(&tx, &grant, now_ns)?;
                }
                CodeRedemption::AlreadyUsed
            }
            Some((record, None, _)) if record.expires_ns <= now_ns => CodeRedemption::Expired,
            Some((record, None, _)) => {
                tx.execute(
                    "UPDATE oauth_codes SET used_ns = ?2 WHERE code_hash = ?1",
                    params![code_hash, now_ns],
                )?;
                CodeRedemption::Fresh(record)
            }
        };
        tx.commit()?;
        Ok(redemption)
    }

    /// Starts the grant of a redeemed code with its first tokens, and
    /// deletes what has expired (tokens, then grants left with none).
    pub fn start_grant(
        &self,
        code_hash: &str,
        tokens: &IssuedTokens,
        now_ns: i64,
    ) -> StoreResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM oauth_access_tokens WHERE expires_ns <= ?1",
            [now_ns],
        )?;
        tx.execute(
            "DELETE FROM oauth_refresh_tokens WHERE expires_ns <= ?1",
            [now_ns],
        )?;
        tx.execute(
            "DELETE FROM oauth_grants WHERE
                 NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens r WHERE r.grant_id = oauth_grants.id)
             AND NOT EXISTS (SELECT 1 FROM oauth_access_tokens a WHERE a.grant_id = oauth_grants.id)
             AND NOT EXISTS (SELECT 1 FROM oauth_codes c WHERE c.grant_id = oauth_grants.id)",
            [],
        )?;
        let grant = new_id();
        tx.execute(
            "INSERT INTO oauth_grants(id, created_ns) VALUES (?1, ?2)",
            params![grant, now_ns],
        )?;
        tx.execute(
            "UPDATE oauth_codes SET grant_id = ?2 WHERE code_hash = ?1",
            params![code_hash, grant],
        )?;
        insert_tokens(&tx, &grant, tokens, now_ns)?;
        tx.commit()?;
        Ok(())
    }

    /// Presents a refresh token: if it is current, spends it and stores
    /// `tokens` in its grant; if it was spent before, revokes the grant.
    pub fn rotate_refresh(
        &self,
        refresh_hash: &str,
        tokens: &IssuedTokens,
        now_ns: i64,
    ) -> StoreResult<Rotation> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let found = tx
            .query_row(
                "SELECT r.grant_id, r.expires_ns, r.rotated_ns, g.revoked_ns
                 FROM oauth_refresh_tokens r JOIN oauth_grants g ON g.id = r.grant_id
                 WHERE r.token_hash = ?1",
                [refresh_hash],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                },
            )
            .optional()?;
        let rotation = match found {
            None => Rotation::Unknown,
            Some((_, _, _, Some(_))) => Rotation::Revoked,
            Some((grant, _, Some(_), None)) => {
                revoke_grant(&tx, &grant, now_ns)?;
                Rotation::Reused
            }
            Some((_, expires_ns, None, None)) if expires_ns <= now_ns => Rotation::Expired,
            Some((grant, _, None, None)) => {
                tx.execute(
                    "UPDATE oauth_refresh_tokens SET rotated_ns = ?2 WHERE token_hash = ?1",
                    params![refresh_hash, now_ns],
                )?;
                insert_tokens(&tx, &grant, tokens, now_ns)?;
                Rotation::Rotated
            }
        };
        tx.commit()?;
        Ok(rotation)
    }

    /// Revokes the grant of a refresh token (current or rotated); false
    /// when no grant has it.
    pub fn revoke_grant_of_refresh(&self, refresh_hash: &str, now_ns: i64) -> StoreResult<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let grant: Option<String> = tx
            .query_row(
                "SELECT grant_id FROM oauth_refresh_tokens WHERE token_hash = ?1",
                [refresh_hash],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(grant) = &grant {
            revoke_grant(&tx, grant, now_ns)?;
        }
        tx.commit()?;
        Ok(grant.is_some())
    }

    /// True when the access token is known, unexpired, and its grant is
    /// not revoked.
    pub fn access_token_valid(&self, access_hash: &str, now_ns: i64) -> StoreResult<bool> {
        let found = self
            .conn()
            .query_row(
                "SELECT 1 FROM oauth_access_tokens a JOIN oauth_grants g ON g.id = a.grant_id
                 WHERE a.token_hash = ?1 AND a.expires_ns > ?2 AND g.revoked_ns IS NULL",
                params![access_hash, now_ns],
                |_| Ok(()),
            )
            .optional()?;
        Ok(found.is_some())
    }
}

fn insert_tokens(
    tx: &Transaction<'_>,
    grant: &str,
    tokens: &IssuedTokens,
    now_ns: i64,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO oauth_access_tokens(token_hash, grant_id, expires_ns) VALUES (?1, ?2, ?3)",
        params![tokens.access_hash, grant, tokens.access_expires_ns],
    )?;
    tx.execute(
        "INSERT INTO oauth_refresh_tokens(token_hash, grant_id, created_ns, expires_ns)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            tokens.refresh_hash,
            grant,
            now_ns,
            tokens.refresh_expires_ns
        ],
    )?;
    Ok(())
}

/// Revokes a grant (once: the first revocation's time stays).
fn revoke_grant(tx: &Transaction<'_>, grant: &str, now_ns: i64) -> StoreResult<()> {
    tx.execute(
        "UPDATE oauth_grants SET revoked_ns = ?2 WHERE id = ?1 AND revoked_ns IS NULL",
        params![grant, now_ns],
    )?;
    Ok(())
}
