//! PKCE (RFC 7636, method S256), the `state` value, and the authorization
//! URL of one login.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRng;
use reqwest::Url;
use sha2::{Digest, Sha256};

use super::OAuthError;
use super::discovery::{OAuthProvider, PKCE_METHOD};
use crate::api::redact;

/// Random bytes behind a verifier or a state: 32, as RFC 7636 recommends,
/// which base64url-encode to 43 characters.
const RANDOM_BYTES: usize = 32;

/// The shortest and longest verifier RFC 7636 allows.
pub const VERIFIER_LENGTH: std::ops::RangeInclusive<usize> = 43..=128;

/// The S256 code challenge of `verifier`: base64url (no padding) of its
/// SHA-256. The identity provider computes the same to check a code
/// exchange.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// True when `verifier` has the length and alphabet RFC 7636 allows
/// (`A-Z a-z 0-9 - . _ ~`, 43 to 128 characters).
pub fn is_valid_verifier(verifier: &str) -> bool {
    VERIFIER_LENGTH.contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// A fresh random string of [`RANDOM_BYTES`] from the operating system's
/// generator, base64url-encoded.
fn random_token() -> Result<String, OAuthError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| OAuthError::Randomness(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// One login's secrets: the PKCE verifier (sent only with the code
/// exchange) and the `state` the callback must echo. `Debug` redacts both.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginSecrets {
    verifier: String,
    state: String,
}

impl LoginSecrets {
    /// Fresh secrets from the operating system's random number generator.
    pub fn generate() -> Result<LoginSecrets, OAuthError> {
        Ok(LoginSecrets {
            verifier: random_token()?,
            state: random_token()?,
        })
    }

    /// The PKCE code verifier.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// Its S256 challenge, sent in the authorization URL.
    pub fn challenge(&self) -> String {
        s256_challenge(&self.verifier)
    }

    /// The `state` the callback must carry back.
    pub fn state(&self) -> &str {
        &self.state
    }
}

impl fmt::Debug for LoginSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginSecrets")
            .field("verifier", &redact(&self.verifier))
            .field("state", &redact(&self.state))
            .finish()
    }
}

impl OAuthProvider {
    /// The URL to open in the browser: the provider's authorization
    /// endpoint with `response_type=code`, `client_id`, `redirect_uri`,
    /// `scope` (when the API names scopes), `state`, `code_challenge` and
    /// `code_challenge_method=S256`. Query parameters the endpoint already
    /// has are kept.
    pub fn authorization_url(&self, redirect_uri: &str, secrets: &LoginSecrets) -> Url {
        let mut url = self.authorization_endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri);
            if !self.scopes.is_empty() {
                query.append_pair("scope", &self.scopes.join(" "));
            }
            query
                .append_pair("state", &secrets.state)
                .append_pair("code_challenge", &secrets.challenge())
                .append_pair("code_challenge_method", PKCE_METHOD);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn secrets_are_fresh_valid_and_redacted() {
        let a = LoginSecrets::generate().unwrap();
        let b = LoginSecrets::generate().unwrap();
        assert_ne!(a.verifier(), b.verifier());
        assert_ne!(a.state(), b.state());
        assert_ne!(a.verifier(), a.state());
        assert!(is_valid_verifier(a.verifier()), "{}", a.verifier());
        assert_eq!(a.verifier().len(), 43);
        let shown = format!("{a:?}");
        assert!(
            !shown.contains(a.verifier()) && !shown.contains(a.state()),
            "{shown}"
        );
    }

    #[test]
    fn verifier_rules() {
        assert!(is_valid_verifier(&"a".repeat(43)));
        assert!(is_valid_verifier(&"a-._~".repeat(26)[..128]));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(42))));
    }

    #[test]
    fn the_authorization_url_carries_every_parameter() {
        let provider = OAuthProvider {
            client_id: "cli id".into(),
            scopes: vec!["openid".into(), "offline_access".into()],
            issuer: "https://id.example".into(),
            authorization_endpoint: Url::parse("https://id.example/authorize?tenant=t1").unwrap(),
            token_endpoint: Url::parse("https://id.example/token").unwrap(),
            end_session_endpoint: None,
            revocation_endpoint: None,
            http: reqwest::Client::new(),
        };
        let secrets = LoginSecrets::generate().unwrap();
        let redirect = "http://127.0.0.1:8400/oauth_callback";
        let url = provider.authorization_url(redirect, &secrets);
        assert_eq!(url.path(), "/authorize");
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["tenant"], "t1");
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "cli id");
        assert_eq!(query["redirect_uri"], redirect);
        assert_eq!(query["scope"], "openid offline_access");
        assert_eq!(query["state"], secrets.state());
        assert_eq!(query["code_challenge"], s256_challenge(secrets.verifier()));
        assert_eq!(query["code_challenge_method"], "S256");
        assert!(!url.as_str().contains(secrets.verifier()));
        assert_eq!(query.len(), 8);
    }
}
