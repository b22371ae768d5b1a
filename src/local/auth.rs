//! Who may call what. Keys live in memory (refreshed whenever one is
//! created or revoked) so a request is authorised without touching the
//! store, and every comparison is constant-time. The router checks every
//! request once, before its handler (see `routes.rs`).
//!
//! - the public key (`pk_...`) may only start sessions;
//! - the private key (`sk_...`) and the user token (`pcc_pat_...`) may
//!   manage, on both the `/v1/agents` and `/v1/organizations/{org}` surfaces;
//! - so may the access token of a browser login while the identity provider
//!   says it is valid: issued by it, not expired, its login not revoked
//!   (looked up in the store, only for a bearer that is no key);
//! - anything else, or none, is 401 `Unauthorized / token expired`: an
//!   expired access token on every guarded route.

use std::sync::RwLock;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use subtle::ConstantTimeEq;

use super::error::CloudError;
use super::identity::Identity;
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

    /// Whether `token` is a usable key of one of the `accepted` kinds.
    /// Compares against every key of those kinds without stopping early,
    /// so timing does not tell which one matched (only how many keys of
    /// those kinds there are).
    pub fn accepts(&self, token: &str, accepted: &[KeyKind]) -> bool {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let mut found = subtle::Choice::from(0);
        for (_, secret) in keys.iter().filter(|(kind, _)| accepted.contains(kind)) {
            found |= secret.as_slice().ct_eq(token.as_bytes());
        }
        found.into()
    }
}

/// Which credential a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The public key: starting sessions (and the public session routes).
    PublicKey,
    /// The private key or the user token: everything else.
    ManagementKey,
}

/// Whether the request's bearer credential is one of the kinds `needs`.
pub fn authorize(
    headers: &HeaderMap,
    keys: &KeyCache,
    identity: &Identity,
    needs: Needs,
) -> Result<(), CloudError> {
    let token = bearer(headers);
    let accepted: &[KeyKind] = match needs {
        Needs::PublicKey => &[KeyKind::Public],
        Needs::ManagementKey => &[KeyKind::Private, KeyKind::UserToken],
    };
    match token {
        Some(token) if keys.accepts(token, accepted) => Ok(()),
        // A browser login's access token may manage too.
        Some(token)
            if needs == Needs::ManagementKey && identity.is_valid_access_token(token)? =>
        {
            Ok(())
        }
        _ => Err(CloudError::Unauthorized),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
