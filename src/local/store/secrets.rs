//! Secret sets and their values, and organization properties.
//!
//! Values are written here and read back only by [`Store::secret_values`],
//! for the environment of a session: no other query selects them.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreResult};
use crate::api::types::{IMAGE_PULL_SECRET_TYPE, SECRET_SET_TYPE, SecretValue};

/// What a secret set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// Keys and values that sessions get as environment variables.
    Regular,
    /// Credentials for an image registry.
    ImagePull,
}

impl SecretKind {
    /// The API's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Regular => SECRET_SET_TYPE,
            SecretKind::ImagePull => IMAGE_PULL_SECRET_TYPE,
        }
    }

    fn parse(text: &str) -> SecretKind {
        if text == IMAGE_PULL_SECRET_TYPE {
            SecretKind::ImagePull
        } else {
            SecretKind::Regular
        }
    }
}

/// A secret set without its values.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretSetRecord {
    pub name: String,
    pub kind: SecretKind,
    pub region: String,
    /// Image pull secrets: the registry.
    pub host: Option<String>,
    pub created_ns: i64,
    pub updated_ns: i64,
}

const SET_COLUMNS: &str = "name, kind, region, host, created_ns, updated_ns";

fn set_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<SecretSetRecord> {
    Ok(SecretSetRecord {
        name: r.get(0)?,
        kind: SecretKind::parse(&r.get::<_, String>(1)?),
        region: r.get(2)?,
        host: r.get(3)?,
        created_ns: r.get(4)?,
        updated_ns: r.get(5)?,
    })
}

impl Store {
    /// Every secret set, by name.
    pub fn secret_sets(&self) -> StoreResult<Vec<SecretSetRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {SET_COLUMNS} FROM secret_sets ORDER BY name"
        ))?;
        let rows = stmt.query_map([], set_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn secret_set(&self, name: &str) -> StoreResult<Option<SecretSetRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {SET_COLUMNS} FROM secret_sets WHERE name = ?1"),
                [name],
                set_from,
            )
            .optional()?)
    }

    /// The keys of a set, in the order they were first stored.
    pub fn secret_keys(&self, name: &str) -> StoreResult<Vec<String>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT key FROM secret_values WHERE set_name = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([name], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Each key of a set with its size in bytes (to bound the set).
    pub fn secret_sizes(&self, name: &str) -> StoreResult<Vec<(String, usize)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT key, length(CAST(value AS BLOB)) FROM secret_values WHERE set_name = ?1",
        )?;
        let rows = stmt.query_map([name], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as usize))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The keys and values of a set, in the order they were first stored:
    /// what a session's environment gets.
    pub fn secret_values(&self, name: &str) -> StoreResult<Vec<(String, SecretValue)>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT key, value FROM secret_values WHERE set_name = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([name], |r| {
            Ok((r.get(0)?, SecretValue::new(r.get::<_, String>(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates `set` (or touches it) and stores `values`, replacing those
    /// of keys it has, in one transaction. An existing key keeps its place.
    pub fn store_secrets(
        &self,
        set: &SecretSetRecord,
        values: &[(String, SecretValue)],
    ) -> StoreResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO secret_sets(name, kind, region, host, created_ns, updated_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(name) DO UPDATE SET host = excluded.host, updated_ns = excluded.updated_ns",
            params![
                set.name,
                set.kind.as_str(),
                set.region,
                set.host,
                set.created_ns,
                set.updated_ns
            ],
        )?;
        for (key, value) in values {
            tx.execute(
                "INSERT INTO secret_values(set_name, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT(set_name, key) DO UPDATE SET value = excluded.value",
                params![set.name, key, value.expose()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes a set and its values; false if there is no such set.
    pub fn delete_secret_set(&self, name: &str) -> StoreResult<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM secret_values WHERE set_name = ?1", [name])?;
        let deleted = tx.execute("DELETE FROM secret_sets WHERE name = ?1", [name])?;
        tx.commit()?;
        Ok(deleted > 0)
    }

    /// Deletes one key of a set; false if the set has no such key.
    pub fn delete_secret(&self, name: &str, key: &str, now_ns: i64) -> StoreResult<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let deleted = tx.execute(
            "DELETE FROM secret_values WHERE set_name = ?1 AND key = ?2",
            [name, key],
        )?;
        tx.execute(
            "UPDATE secret_sets SET updated_ns = ?2 WHERE name = ?1",
            params![name, now_ns],
        )?;
        tx.commit()?;
        Ok(deleted > 0)
    }

    // --- organization properties --------------------------------------------

    pub fn property(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM properties WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_property(&self, name: &str, value: &str) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO properties(name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [name, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, kind: SecretKind) -> SecretSetRecord {
        SecretSetRecord {
            name: name.into(),
            kind,
            region: "local".into(),
            host: None,
            created_ns: 1,
            updated_ns: 1,
        }
    }

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, SecretValue)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), SecretValue::new(*v)))
            .collect()
    }

    #[test]
    fn values_are_replaced_in_place_and_deleted_with_their_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let keys = set("keys", SecretKind::Regular);
        store
            .store_secrets(&keys, &values(&[("B", "1"), ("A", "2")]))
            .unwrap();
        store
            .store_secrets(&keys, &values(&[("A", "3"), ("C", "4")]))
            .unwrap();
        assert_eq!(store.secret_keys("keys").unwrap(), ["B", "A", "C"]);
        let stored: Vec<(String, String)> = store
            .secret_values("keys")
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.expose().to_string()))
            .collect();
        assert_eq!(
            stored,
            [
                ("B".into(), "1".into()),
                ("A".into(), "3".into()),
                ("C".into(), "4".into())
            ]
        );
        assert!(store.delete_secret("keys", "B", 2).unwrap());
        assert!(!store.delete_secret("keys", "B", 3).unwrap());
        assert_eq!(store.secret_keys("keys").unwrap(), ["A", "C"]);
        assert!(store.delete_secret_set("keys").unwrap());
        assert!(store.secret_set("keys").unwrap().is_none());
        assert!(store.secret_values("keys").unwrap().is_empty());
        assert!(!store.delete_secret_set("keys").unwrap());
    }

    #[test]
    fn the_database_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local-cloud.sqlite3");
        // A database an earlier release left readable by others.
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .store_secrets(&set("keys", SecretKind::Regular), &values(&[("A", "1")]))
            .unwrap();
        for file in ["local-cloud.sqlite3", "local-cloud.sqlite3-wal"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
        }
    }
}
