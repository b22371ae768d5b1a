//! Who may call what. Keys live in memory (refreshed whenever one is
//! created or revoked) so a request is authorised without touching the
//! store, and every comparison is constant-time.
//!
//! - the public key (`pk_...`) may only start sessions;
//! - the private key (`sk_...`) and the user token (`pcc_pat_...`) may
//!   manage, on both the `/v1/agents` and `/v1/organizations/{org}` surfaces;
//! - anything else, or none, is 401 `Unauthorized / token expired`.

use std::sync::{Arc, RwLock};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;

use super::cloud::Cloud;
use super::http::ApiError;
use super::store::{KeyKind, KeyRecord};

/// The usable (not revoked) keys.
#[derive(Default)]
pub struct KeyCache {
    keys: RwLock<Vec<(KeyKind, Vec<u8>)>>,
}

impl KeyCache {
    pub fn replace(&self, records: &[KeyRecord]) {
        let usable = records
            .iter()
            .filter(|k| !k.revoked)
            .map(|k| (k.kind, k.secret.as_bytes().to_vec()))
            .collect();
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = usable;
    }

    /// The kind of the key `token` is, if any. Compares against every key
    /// without stopping early, so timing does not tell which one matched.
    pub fn kind_of(&self, token: &str) -> Option<KeyKind> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let mut found = None;
        for (kind, secret) in keys.iter() {
            if bool::from(secret.as_slice().ct_eq(token.as_bytes())) {
                found = Some(*kind);
            }
        }
        found
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn caller_kind(parts: &Parts, cloud: &Cloud) -> Option<KeyKind> {
    bearer(parts).and_then(|token| cloud.keys().kind_of(token))
}

/// A caller holding the private key or the user token.
pub struct Manager;

impl FromRequestParts<Arc<Cloud>> for Manager {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, cloud: &Arc<Cloud>) -> Result<Self, ApiError> {
        match caller_kind(parts, cloud) {
            Some(KeyKind::Private | KeyKind::UserToken) => Ok(Manager),
            _ => Err(ApiError::unauthorized()),
        }
    }
}

/// A caller holding a public key (the only credential that starts sessions).
pub struct Starter;

impl FromRequestParts<Arc<Cloud>> for Starter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, cloud: &Arc<Cloud>) -> Result<Self, ApiError> {
        match caller_kind(parts, cloud) {
            Some(KeyKind::Public) => Ok(Starter),
            _ => Err(ApiError::unauthorized()),
        }
    }
}
