use std::collections::HashMap;

use super::*;

struct Provider {
    identity: Identity,
    _dir: tempfile::TempDir,
}

fn provider(settings: Settings) -> Provider {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let identity = Identity::new(store, settings);
    identity.set_server_url("http://127.0.0.1:7463/");
    Provider {
        identity,
        _dir: dir,
    }
}

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const REDIRECT: &str = "http://127.0.0.1:8400/oauth_callback";

fn request() -> AuthorizationRequest {
    AuthorizationRequest {
        response_type: Some("code".into()),
        client_id: Some(CLIENT_ID.into()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some("openid offline_access".into()),
        state: Some("st".into()),
        code_challenge: Some(s256_challenge(VERIFIER)),
        code_challenge_method: Some("S256".into()),
    }
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// Authorizes and returns the code the redirect carries.
fn code(identity: &Identity) -> String {
    let approval = identity.check_authorization(&request()).unwrap();
    let url = identity.approve(&approval).unwrap();
    assert!(url.as_str().starts_with(REDIRECT), "{url}");
    let query = query(&url);
    assert_eq!(query["state"], "st");
    query["code"].clone()
}

fn exchange(identity: &Identity, code: &str, verifier: &str) -> CloudResult<TokenResponse> {
    identity.token(&TokenRequest {
        grant_type: Some("authorization_code".into()),
        client_id: Some(CLIENT_ID.into()),
        code: Some(code.into()),
        redirect_uri: Some(REDIRECT.into()),
        code_verifier: Some(verifier.into()),
        refresh_token: None,
    })
}

fn refresh(identity: &Identity, refresh_token: &str) -> CloudResult<TokenResponse> {
    identity.token(&TokenRequest {
        grant_type: Some("refresh_token".into()),
        client_id: Some(CLIENT_ID.into()),
        refresh_token: Some(refresh_token.into()),
        ..TokenRequest::default()
    })
}

fn refused(result: CloudResult<TokenResponse>) -> (&'static str, String) {
    match result {
        Err(CloudError::OAuth(refusal)) => (refusal.error, refusal.description),
        other => panic!("expected an OAuth refusal, got {other:?}"),
    }
}

fn login(identity: &Identity) -> TokenResponse {
    exchange(identity, &code(identity), VERIFIER).unwrap()
}

#[test]
fn discovery_names_the_issuer_under_the_server_url() {
    let p = provider(Settings::default());
    let config = p.identity.auth_config().unwrap();
    assert_eq!(config.issuer, "http://127.0.0.1:7463/auth");
    assert_eq!(config.client_id, CLIENT_ID);
    let metadata = p.identity.metadata().unwrap();
    assert_eq!(metadata.issuer, config.issuer);
    assert_eq!(
        metadata.authorization_endpoint,
        "http://127.0.0.1:7463/auth/authorize"
    );
    assert_eq!(metadata.token_endpoint, "http://127.0.0.1:7463/auth/token");
    assert_eq!(
        metadata.code_challenge_methods_supported,
        Some(vec!["S256".to_string()])
    );
}

#[test]
fn a_code_is_exchanged_once_with_its_verifier() {
    let p = provider(Settings::default());
    let code = code(&p.identity);
    assert!(code.starts_with(CODE_PREFIX));
    let tokens = exchange(&p.identity, &code, VERIFIER).unwrap();
    assert!(tokens.access_token.starts_with(ACCESS_PREFIX));
    assert_eq!(tokens.expires_in, Some(86_400.into()));
    assert!(
        p.identity
            .is_valid_access_token(&tokens.access_token)
            .unwrap()
    );

    let (error, description) = refused(exchange(&p.identity, &code, VERIFIER));
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("already used"), "{description}");
    // The reuse revoked the login the code started.
    assert!(
        !p.identity
            .is_valid_access_token(&tokens.access_token)
            .unwrap()
    );
    let (error, _) = refused(refresh(
        &p.identity,
        tokens.refresh_token.as_deref().unwrap(),
    ));
    assert_eq!(error, "invalid_grant");
}

#[test]
fn a_wrong_verifier_fails_and_consumes_the_code() {
    let p = provider(Settings::default());
    let code = code(&p.identity);
    let (error, description) = refused(exchange(&p.identity, &code, &"x".repeat(43)));
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("PKCE"), "{description}");
    let (error, description) = refused(exchange(&p.identity, &code, VERIFIER));
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("already used"), "{description}");
}

#[test]
fn a_refresh_rotates_and_a_reused_refresh_token_revokes_the_family() {
    let p = provider(Settings::default());
    let first = login(&p.identity);
    let old = first.refresh_token.clone().unwrap();
    let second = refresh(&p.identity, &old).unwrap();
    let newer = second.refresh_token.clone().unwrap();
    assert_ne!(newer, old);
    assert_ne!(second.access_token, first.access_token);
    assert!(
        p.identity
            .is_valid_access_token(&second.access_token)
            .unwrap()
    );

    let (error, description) = refused(refresh(&p.identity, &old));
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("already used"), "{description}");
    // Every token of the family is now dead, the newest too.
    let (error, description) = refused(refresh(&p.identity, &newer));
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("revoked"), "{description}");
    for access in [&first.access_token, &second.access_token] {
        assert!(!p.identity.is_valid_access_token(access).unwrap());
    }
    // Another login is not affected.
    let other = login(&p.identity);
    assert!(refresh(&p.identity, other.refresh_token.as_deref().unwrap()).is_ok());
}

#[test]
fn logout_revokes_the_login_and_unknown_tokens_are_no_error() {
    let p = provider(Settings::default());
    let tokens = login(&p.identity);
    let refresh_token = tokens.refresh_token.unwrap();
    p.identity.logout(&refresh_token).unwrap();
    assert!(
        !p.identity
            .is_valid_access_token(&tokens.access_token)
            .unwrap()
    );
    let (error, _) = refused(refresh(&p.identity, &refresh_token));
    assert_eq!(error, "invalid_grant");
    p.identity.logout("pcl_rt_unknown").unwrap();
}

#[test]
fn an_access_token_expires_after_its_lifetime() {
    let p = provider(Settings {
        access_ttl: Duration::from_millis(1),
        login_prompt: false,
    });
    let tokens = login(&p.identity);
    assert_eq!(tokens.expires_in, Some(0.into()));
    std::thread::sleep(Duration::from_millis(5));
    assert!(
        !p.identity
            .is_valid_access_token(&tokens.access_token)
            .unwrap()
    );
    // The refresh token still works and gives a new one.
    assert!(refresh(&p.identity, tokens.refresh_token.as_deref().unwrap()).is_ok());
}

#[test]
fn keys_and_garbage_are_not_access_tokens() {
    let p = provider(Settings::default());
    for token in ["", "pcc_pat_abc", "pcl_at_", "pcl_rt_x", "Bearer"] {
        assert!(!p.identity.is_valid_access_token(token).unwrap(), "{token}");
    }
}

#[test]
fn only_loopback_http_redirect_uris_are_accepted() {
    let p = provider(Settings::default());
    for accepted in [
        "http://127.0.0.1:8400/oauth_callback",
        "http://[::1]:9/cb",
        "http://localhost/cb?keep=1",
    ] {
        let mut r = request();
        r.redirect_uri = Some(accepted.into());
        assert!(p.identity.check_authorization(&r).is_ok(), "{accepted}");
    }
    for refused in [
        "https://127.0.0.1/cb",
        "http://evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "http://10.0.0.1/cb",
        "http://user:pw@127.0.0.1/cb",
        "http://127.0.0.1/cb#frag",
        "not a url",
        "javascript:alert(1)",
    ] {
        let mut r = request();
        r.redirect_uri = Some(refused.into());
        assert!(
            matches!(
                p.identity.check_authorization(&r),
                Err(AuthorizeError::Unredirectable(_))
            ),
            "{refused}"
        );
    }
    let mut r = request();
    r.client_id = Some("someone-else".into());
    assert!(matches!(
        p.identity.check_authorization(&r),
        Err(AuthorizeError::Unredirectable(_))
    ));
}

#[test]
fn other_request_errors_go_back_to_the_client_with_the_state() {
    let p = provider(Settings::default());
    type Change = fn(&mut AuthorizationRequest);
    let cases: [(Change, &str); 4] = [
        (
            |r| r.response_type = Some("token".into()),
            "unsupported_response_type",
        ),
        (
            |r| r.code_challenge_method = Some("plain".into()),
            "invalid_request",
        ),
        (|r| r.code_challenge = None, "invalid_request"),
        (
            |r| r.code_challenge = Some("short".into()),
            "invalid_request",
        ),
    ];
    for (change, expected) in cases {
        let mut r = request();
        change(&mut r);
        match p.identity.check_authorization(&r) {
            Err(AuthorizeError::Redirect(url)) => {
                assert!(url.as_str().starts_with(REDIRECT), "{url}");
                let query = query(&url);
                assert_eq!(query["error"], expected);
                assert_eq!(query["state"], "st");
                assert!(!query.contains_key("code"));
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
}

#[test]
fn waiting_codes_are_bounded() {
    let p = provider(Settings::default());
    let approval = p.identity.check_authorization(&request()).unwrap();
    for _ in 0..MAX_PENDING_CODES {
        p.identity.approve(&approval).unwrap();
    }
    match p.identity.approve(&approval) {
        Err(AuthorizeError::Redirect(url)) => {
            assert_eq!(query(&url)["error"], "temporarily_unavailable");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_token_endpoint_names_what_is_missing() {
    let p = provider(Settings::default());
    let mut request = TokenRequest {
        client_id: Some("other".into()),
        grant_type: Some("refresh_token".into()),
        ..TokenRequest::default()
    };
    assert_eq!(refused(p.identity.token(&request)).0, "invalid_client");
    request.client_id = Some(CLIENT_ID.into());
    assert_eq!(refused(p.identity.token(&request)).0, "invalid_request");
    request.grant_type = Some("password".into());
    assert_eq!(
        refused(p.identity.token(&request)).0,
        "unsupported_grant_type"
    );
    request.grant_type = Some("authorization_code".into());
    let (error, description) = refused(p.identity.token(&request));
    assert_eq!(error, "invalid_request");
    assert!(description.contains("code"), "{description}");
}

#[test]
fn secrets_are_stored_only_as_hashes() {
    let p = provider(Settings::default());
    let code = code(&p.identity);
    let tokens = exchange(&p.identity, &code, VERIFIER).unwrap();
    let conn = p.identity.store.conn();
    let dump: Vec<String> = conn
        .prepare(
            "SELECT code_hash FROM oauth_codes UNION ALL SELECT token_hash FROM oauth_access_tokens
             UNION ALL SELECT token_hash FROM oauth_refresh_tokens",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(dump.len(), 3);
    for secret in [
        code.as_str(),
        tokens.access_token.as_str(),
        tokens.refresh_token.as_deref().unwrap(),
    ] {
        assert!(dump.contains(&digest(secret)));
        assert!(!dump.iter().any(|stored| stored.contains(secret)));
    }
}
