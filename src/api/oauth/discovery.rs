//! Finding the identity provider: `GET {api_host}/auth/config`, then the
//! provider's OpenID discovery document, checked as RFC 8414 asks before
//! anything is sent to it.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::OAuthError;
use super::http::{self, parse_json};

/// The API path that names the identity provider.
pub const AUTH_CONFIG_PATH: &str = "/auth/config";

/// Appended to the issuer to find its metadata (OpenID Connect Discovery).
pub const DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";

/// The PKCE method this client uses, and requires the provider to offer.
pub const PKCE_METHOD: &str = "S256";

/// `GET {api_host}/auth/config`: who issues tokens for this API, and as
/// which client we log in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfig {
    pub issuer: String,
    pub client_id: String,
    /// A list, or one space-separated string; both are read.
    #[serde(default, deserialize_with = "scopes")]
    pub scopes: Vec<String>,
}

fn scopes<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scopes {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Option::<Scopes>::deserialize(deserializer)? {
        Some(Scopes::List(list)) => list,
        Some(Scopes::Text(text)) => text.split_whitespace().map(str::to_string).collect(),
        None => Vec::new(),
    })
}

/// The fields of the provider's discovery document this client reads
/// (RFC 8414 / OpenID Connect Discovery names).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `none` for a public client such as a command-line program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// A discovered identity provider, checked and ready to use: what the
/// login flow and the refresh grant need.
#[derive(Debug, Clone)]
pub struct OAuthProvider {
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: Url,
    pub(crate) token_endpoint: Url,
    pub(crate) end_session_endpoint: Option<Url>,
    pub(crate) revocation_endpoint: Option<Url>,
    pub(crate) http: reqwest::Client,
}

impl OAuthProvider {
    /// Asks the API at `api_host` which provider issues its tokens, fetches
    /// that provider's discovery document and checks it. Each request waits
    /// at most `timeout`; each answer is read up to
    /// [`http::MAX_RESPONSE_BYTES`].
    pub async fn discover(api_host: &str, timeout: Duration) -> Result<OAuthProvider, OAuthError> {
        let http = http::client(timeout)?;
        let config_url = format!(
            "{}{AUTH_CONFIG_PATH}",
            api_host.trim().trim_end_matches('/')
        );
        let answer = http::send(http.get(&config_url), &config_url, "the API").await?;
        let provider_error = |problem: String| OAuthError::Provider {
            url: config_url.clone(),
            problem,
        };
        if !answer.status.is_success() {
            return Err(provider_error(format!(
                "it answered HTTP {}; this API may not offer browser login \
                 (a personal access token works instead)",
                answer.status.as_u16()
            )));
        }
        let config: AuthConfig =
            parse_json(&answer).map_err(|problem| provider_error(format!("it {problem}")))?;
        if config.client_id.trim().is_empty() {
            return Err(provider_error("its client_id is empty".into()));
        }
        let issuer = check_endpoint("issuer", &config.issuer).map_err(provider_error)?;

        let discovery_url = format!(
            "{}{DISCOVERY_SUFFIX}",
            issuer.as_str().trim_end_matches('/')
        );
        let answer = http::send(
            http.get(&discovery_url),
            &discovery_url,
            "the identity provider",
        )
        .await?;
        let metadata_error = |problem: String| OAuthError::Provider {
            url: discovery_url.clone(),
            problem,
        };
        if !answer.status.is_success() {
            return Err(metadata_error(format!(
                "its discovery document answered HTTP {}",
                answer.status.as_u16()
            )));
        }
        let metadata: ProviderMetadata =
            parse_json(&answer).map_err(|problem| metadata_error(format!("it {problem}")))?;
        Self::checked(config, metadata, http).map_err(metadata_error)
    }

    /// The provider described by `config` and `metadata`, if a safe login
    /// can use it (RFC 8414: the document's issuer is the one asked for;
    /// S256 and the code flow offered when the lists are present; every
    /// endpoint https, or http on a loopback host).
    fn checked(
        config: AuthConfig,
        metadata: ProviderMetadata,
        http: reqwest::Client,
    ) -> Result<OAuthProvider, String> {
        if !same_issuer(&metadata.issuer, &config.issuer) {
            return Err(format!(
                "its discovery document names issuer {:?}, not {:?} as the API said",
                metadata.issuer, config.issuer
            ));
        }
        if let Some(methods) = &metadata.code_challenge_methods_supported
            && !methods.iter().any(|m| m == PKCE_METHOD)
        {
            return Err(format!(
                "it does not offer PKCE with {PKCE_METHOD} (code_challenge_methods_supported: {methods:?})"
            ));
        }
        if let Some(types) = &metadata.response_types_supported
            && !types.iter().any(|t| t == "code")
        {
            return Err(format!(
                "it does not offer the authorization code flow (response_types_supported: {types:?})"
            ));
        }
        let optional = |name: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|value| check_endpoint(name, value))
                .transpose()
        };
        Ok(OAuthProvider {
            authorization_endpoint: check_endpoint(
                "authorization_endpoint",
                &metadata.authorization_endpoint,
            )?,
            token_endpoint: check_endpoint("token_endpoint", &metadata.token_endpoint)?,
            end_session_endpoint: optional("end_session_endpoint", &metadata.end_session_endpoint)?,
            revocation_endpoint: optional("revocation_endpoint", &metadata.revocation_endpoint)?,
            client_id: config.client_id,
            scopes: config.scopes,
            issuer: metadata.issuer,
            http,
        })
    }

    /// The issuer, as its discovery document names it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub fn authorization_endpoint(&self) -> &Url {
        &self.authorization_endpoint
    }

    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }

    /// Where a browser session at the provider ends, if it says.
    pub fn end_session_endpoint(&self) -> Option<&Url> {
        self.end_session_endpoint.as_ref()
    }

    /// Where tokens are revoked (RFC 7009), if it says.
    pub fn revocation_endpoint(&self) -> Option<&Url> {
        self.revocation_endpoint.as_ref()
    }
}

/// RFC 8414 asks for identical issuers; a trailing slash on one side only
/// names the same issuer and is forgiven (providers differ on it).
fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// `value` as an endpoint URL, if it is `https://`, or `http://` on a
/// loopback host (the local cloud), and has no fragment.
pub(crate) fn check_endpoint(name: &str, value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("its {name} {value:?} is not a URL ({e})"))?;
    let secure = match url.scheme() {
        "https" => true,
        "http" => is_loopback(&url),
        _ => false,
    };
    if !secure {
        return Err(format!(
            "its {name} {value:?} is not https (plain http is only accepted on 127.0.0.1, ::1 or localhost)"
        ));
    }
    if url.fragment().is_some() {
        return Err(format!("its {name} {value:?} has a #fragment"));
    }
    Ok(url)
}

/// True when `url`'s host is 127.0.0.1 (or any 127.x), ::1 or localhost:
/// where plain http stays on this machine. The local identity provider
/// uses the same rule for the redirect URIs it accepts.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(issuer: &str) -> AuthConfig {
        AuthConfig {
            issuer: issuer.into(),
            client_id: "cli".into(),
            scopes: vec!["openid".into()],
        }
    }

    fn metadata(issuer: &str, endpoint_base: &str) -> ProviderMetadata {
        ProviderMetadata {
            issuer: issuer.into(),
            authorization_endpoint: format!("{endpoint_base}/authorize"),
            token_endpoint: format!("{endpoint_base}/token"),
            code_challenge_methods_supported: Some(vec!["plain".into(), "S256".into()]),
            response_types_supported: Some(vec!["code".into()]),
            ..ProviderMetadata::default()
        }
    }

    fn check(config: AuthConfig, metadata: ProviderMetadata) -> Result<OAuthProvider, String> {
        OAuthProvider::checked(config, metadata, reqwest::Client::new())
    }

    #[test]
    fn a_well_formed_provider_is_accepted() {
        let provider = check(
            config("https://id.example"),
            metadata("https://id.example/", "https://id.example"),
        )
        .unwrap();
        assert_eq!(
            provider.token_endpoint().as_str(),
            "https://id.example/token"
        );
        assert_eq!(provider.client_id(), "cli");
    }

    #[test]
    fn a_mismatched_issuer_is_refused() {
        let err = check(
            config("https://id.example"),
            metadata("https://evil.example", "https://id.example"),
        )
        .unwrap_err();
        assert!(
            err.contains("names issuer \"https://evil.example\""),
            "{err}"
        );
    }

    #[test]
    fn a_provider_without_s256_is_refused() {
        let mut meta = metadata("https://id.example", "https://id.example");
        meta.code_challenge_methods_supported = Some(vec!["plain".into()]);
        let err = check(config("https://id.example"), meta).unwrap_err();
        assert!(err.contains("PKCE with S256"), "{err}");
    }

    #[test]
    fn absent_lists_are_not_required() {
        let mut meta = metadata("https://id.example", "https://id.example");
        meta.code_challenge_methods_supported = None;
        meta.response_types_supported = None;
        assert!(check(config("https://id.example"), meta).is_ok());
    }

    #[test]
    fn a_provider_without_the_code_flow_is_refused() {
        let mut meta = metadata("https://id.example", "https://id.example");
        meta.response_types_supported = Some(vec!["token".into()]);
        let err = check(config("https://id.example"), meta).unwrap_err();
        assert!(err.contains("authorization code flow"), "{err}");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let err = check(
            config("https://id.example"),
            metadata("https://id.example", "http://id.example"),
        )
        .unwrap_err();
        assert!(err.contains("authorization_endpoint"), "{err}");
        assert!(err.contains("is not https"), "{err}");
        for refused in [
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "ftp://127.0.0.1/x",
        ] {
            assert!(
                check_endpoint("token_endpoint", refused).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn plain_http_is_allowed_on_loopback() {
        for allowed in [
            "http://127.0.0.1:8080/token",
            "http://[::1]:8080/token",
            "http://localhost:8080/token",
            "http://LOCALHOST/token",
        ] {
            assert!(
                check_endpoint("token_endpoint", allowed).is_ok(),
                "{allowed}"
            );
        }
        let provider = check(
            config("http://127.0.0.1:9"),
            metadata("http://127.0.0.1:9", "http://127.0.0.1:9"),
        )
        .unwrap();
        assert_eq!(provider.issuer(), "http://127.0.0.1:9");
    }

    #[test]
    fn an_insecure_optional_endpoint_is_refused() {
        let mut meta = metadata("https://id.example", "https://id.example");
        meta.end_session_endpoint = Some("http://id.example/logout".into());
        let err = check(config("https://id.example"), meta).unwrap_err();
        assert!(err.contains("end_session_endpoint"), "{err}");
    }

    #[test]
    fn scopes_are_read_as_a_list_or_a_string() {
        let list: AuthConfig =
            serde_json::from_str(r#"{"issuer":"i","client_id":"c","scopes":["a","b"]}"#).unwrap();
        let text: AuthConfig =
            serde_json::from_str(r#"{"issuer":"i","client_id":"c","scopes":"a  b"}"#).unwrap();
        let none: AuthConfig = serde_json::from_str(r#"{"issuer":"i","client_id":"c"}"#).unwrap();
        assert_eq!(list.scopes, ["a", "b"]);
        assert_eq!(text.scopes, ["a", "b"]);
        assert!(none.scopes.is_empty());
    }
}
