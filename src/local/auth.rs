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
            found |= same_secret(secret, token.as_bytes());
        }
        found.into()
    }
}

/// Whether `a` and `b` are equal, in a time that depends only on their
/// lengths: the difference is folded over every 8-byte word and only the
/// fold is compared, through `subtle` so that the compiler cannot branch
/// on it early. (`subtle`'s own slice comparison hides every byte from the
/// optimizer, eight times the work; every request that needs a key
/// passes here.)
fn same_secret(a: &[u8], b: &[u8]) -> subtle::Choice {
    if a.len() != b.len() {
        return subtle::Choice::from(0);
    }
    let word = |chunk: &[u8]| {
        let mut bytes = [0u8; 8];
        bytes[..chunk.len()].copy_from_slice(chunk);
        u64::from_ne_bytes(bytes)
    };
    let difference = a
        .chunks(8)
        .zip(b.chunks(8))
        .fold(0u64, |difference, (a, b)| difference | (word(a) ^ word(b)));
    difference.ct_eq(&0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_equal_only_when_every_byte_is() {
        let key = "pk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let same = |a: &str, b: &str| bool::from(same_secret(a.as_bytes(), b.as_bytes()));
        assert!(same(key, key));
        assert!(same("", ""));
        for at in 0..key.len() {
            let mut other = key.as_bytes().to_vec();
            other[at] ^= 1;
            assert!(
                !same(key, std::str::from_utf8(&other).unwrap()),
                "byte {at}"
            );
        }
        assert!(!same(key, &key[..key.len() - 1]), "a prefix");
        assert!(
            !same(&key[..9], &format!("{}\0", &key[..8])),
            "zero padding"
        );
        assert!(!same(key, &format!("{key}0")));
    }
}
