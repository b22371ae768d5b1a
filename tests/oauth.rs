//! The OAuth library against a scripted identity provider on 127.0.0.1:
//! discovery, the callback server (the test plays the browser), the code
//! exchange, refresh before expiry and after a 401, personal access tokens
//! left alone, logout, and concurrent refreshers that must spend a rotating
//! refresh token exactly once.

mod common;

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pipecat_cloud::api::oauth::{
    CallbackServer, LoginSecrets, OAuthError, OAuthProvider, TokenSet, logout, s256_challenge,
};
use pipecat_cloud::api::{Client, Credential, ErrorKind};
use pipecat_cloud::config::login::{ConfigTokenSource, choose_org};
use pipecat_cloud::config::user::UserConfig;
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);
const CLIENT_ID: &str = "pipecat-cli";

// ---- the scripted identity provider ---------------------------------------

/// What the provider knows and counts.
#[derive(Default)]
struct Provider {
    issuer: String,
    /// Served instead of the real discovery document when set.
    discovery_override: Option<Value>,
    /// `expires_in` of the tokens it issues.
    lifetime: u64,
    /// How long a refresh takes (widens the window two refreshers could
    /// race in).
    refresh_delay: Duration,
    next: usize,
    /// Authorization code -> (code challenge, redirect URI).
    codes: HashMap<String, (String, String)>,
    used_codes: HashSet<String>,
    valid_access: HashSet<String>,
    valid_refresh: HashSet<String>,
    /// Refresh tokens already rotated away or revoked.
    spent_refresh: HashSet<String>,
    /// The protected resource answers 401 to every token.
    refuse_all: bool,
    /// The bearer token of every request to the protected resource.
    protected_requests: Vec<String>,
    logouts: Vec<String>,
}

#[derive(Clone)]
struct Idp {
    url: String,
    state: Arc<Mutex<Provider>>,
    refreshes: Arc<AtomicUsize>,
    reused_refresh_tokens: Arc<AtomicUsize>,
    _stop: Arc<StopOnDrop>,
}

struct StopOnDrop(Mutex<Option<tokio::sync::oneshot::Sender<()>>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.lock().unwrap().take() {
            let _ = stop.send(());
        }
    }
}

impl Idp {
    /// Serves on an ephemeral 127.0.0.1 port from a thread of its own, so
    /// tests can call it from any runtime or thread.
    fn start() -> Idp {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(Provider {
            issuer: url.clone(),
            lifetime: 3600,
            ..Provider::default()
        }));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let idp = Idp {
            url,
            state,
            refreshes: Arc::default(),
            reused_refresh_tokens: Arc::default(),
            _stop: Arc::new(StopOnDrop(Mutex::new(Some(stop_tx)))),
        };
        let app = Router::new()
            .route("/auth/config", get(auth_config))
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/auth/logout", post(logout_route))
            .route("/v1/organizations", get(organizations))
            .with_state(idp.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        idp
    }

    fn with<R>(&self, f: impl FnOnce(&mut Provider) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Tokens as after a login, without the browser.
    fn issue(&self) -> (String, String) {
        self.with(|p| p.issue_pair())
    }

    fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }

    fn reused(&self) -> usize {
        self.reused_refresh_tokens.load(Ordering::SeqCst)
    }

    fn protected_requests(&self) -> Vec<String> {
        self.with(|p| p.protected_requests.clone())
    }
}

impl Provider {
    fn issue_pair(&mut self) -> (String, String) {
        self.next += 1;
        let access = format!("access-{}", self.next);
        let refresh = format!("refresh-{}", self.next);
        self.valid_access.insert(access.clone());
        self.valid_refresh.insert(refresh.clone());
        (access, refresh)
    }

    fn tokens(&mut self) -> Value {
        let (access, refresh) = self.issue_pair();
        json!({
            "access_token": access,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "expires_in": self.lifetime,
        })
    }
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn auth_config(State(idp): State<Idp>) -> Json<Value> {
    let issuer = idp.with(|p| p.issuer.clone());
    Json(json!({"issuer": issuer, "client_id": CLIENT_ID, "scopes": ["openid", "offline_access"]}))
}

async fn discovery(State(idp): State<Idp>) -> Json<Value> {
    let (issuer, custom) = idp.with(|p| (p.issuer.clone(), p.discovery_override.clone()));
    Json(custom.unwrap_or_else(|| {
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{}/authorize", idp.url),
            "token_endpoint": format!("{}/token", idp.url),
            "code_challenge_methods_supported": ["S256"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        })
    }))
}

/// Approves at once: redirects to the callback with a fresh code.
async fn authorize(State(idp): State<Idp>, Query(q): Query<HashMap<String, String>>) -> Response {
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || q.get("response_type").map(String::as_str) != Some("code")
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let redirect = q["redirect_uri"].clone();
    let code = idp.with(|p| {
        p.next += 1;
        let code = format!("code-{}", p.next);
        p.codes.insert(
            code.clone(),
            (q["code_challenge"].clone(), redirect.clone()),
        );
        code
    });
    let location = format!("{redirect}?code={code}&state={}", q["state"]);
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn token(State(idp): State<Idp>, Form(form): Form<HashMap<String, String>>) -> Response {
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_error("invalid_client", "unknown client");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => idp.with(|p| {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some((challenge, redirect)) = p.codes.get(&code).cloned() else {
                return oauth_error("invalid_grant", "unknown code");
            };
            if !p.used_codes.insert(code) {
                return oauth_error("invalid_grant", "code already used");
            }
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            if s256_challenge(&verifier) != challenge {
                return oauth_error("invalid_grant", "PKCE verification failed");
            }
            if form.get("redirect_uri") != Some(&redirect) {
                return oauth_error("invalid_grant", "redirect_uri differs");
            }
            Json(p.tokens()).into_response()
        }),
        Some("refresh_token") => {
            let delay = idp.with(|p| p.refresh_delay);
            tokio::time::sleep(delay).await;
            let presented = form.get("refresh_token").cloned().unwrap_or_default();
            idp.with(|p| {
                if p.spent_refresh.contains(&presented) {
                    idp.reused_refresh_tokens.fetch_add(1, Ordering::SeqCst);
                    return oauth_error("invalid_grant", "refresh token already used");
                }
                if !p.valid_refresh.remove(&presented) {
                    return oauth_error("invalid_grant", "unknown refresh token");
                }
                p.spent_refresh.insert(presented);
                idp.refreshes.fetch_add(1, Ordering::SeqCst);
                Json(p.tokens()).into_response()
            })
        }
        _ => oauth_error("unsupported_grant_type", "no such grant"),
    }
}

async fn logout_route(State(idp): State<Idp>, Json(body): Json<Value>) -> StatusCode {
    let refresh = body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    idp.with(|p| {
        p.valid_refresh.remove(&refresh);
        p.spent_refresh.insert(refresh.clone());
        p.logouts.push(refresh);
    });
    StatusCode::NO_CONTENT
}

async fn organizations(State(idp): State<Idp>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let valid = idp.with(|p| {
        p.protected_requests.push(bearer.clone());
        !p.refuse_all && p.valid_access.contains(&bearer)
    });
    if !valid {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "Unauthorized"})),
        )
            .into_response();
    }
    Json(json!({"organizations": [{"name": "first"}, {"name": "acme"}]})).into_response()
}

// ---- helpers ----------------------------------------------------------------

/// Plays the browser: follows the authorization URL to the provider, which
/// redirects to our callback, and returns the callback's page.
async fn browse(url: &str) -> (u16, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = http.get(url).send().await.unwrap();
    assert_eq!(redirect.status(), 302, "{:?}", redirect.text().await);
    let location = redirect.headers()[header::LOCATION.as_str()]
        .to_str()
        .unwrap()
        .to_string();
    get_page(&location).await
}

async fn get_page(url: &str) -> (u16, String) {
    let answer = reqwest::get(url).await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

fn epoch_now() -> f64 {
    jiff::Timestamp::now().as_millisecond() as f64 / 1000.0
}

/// A config file as the official CLI writes it after its login, plus a
/// comment and an org table that must survive every write.
fn write_config(dir: &Path, token: &str, refresh: &str, expires_at: f64) -> PathBuf {
    let path = dir.join("pipecatcloud.toml");
    std::fs::write(
        &path,
        format!(
            "# mine\ntoken = \"{token}\"\norg = \"acme\"\nrefresh_token = \"{refresh}\"\n\
             token_expires_at = {expires_at:?}\n\n[acme]\ndefault_public_key = \"pk_acme\"\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// A client as the CLI builds one for a token from the config file.
fn config_client(idp: &Idp, path: &Path) -> (Client, Arc<ConfigTokenSource>) {
    let config = UserConfig::load(path).unwrap();
    let login = config.login().unwrap();
    let source = Arc::new(ConfigTokenSource::new(&config, &idp.url, TIMEOUT).unwrap());
    let client = Client::new(
        &idp.url,
        Credential::UserToken(login.token().to_string()),
        None,
        TIMEOUT,
    )
    .unwrap()
    .with_token_source(source.clone());
    (client, source)
}

fn port_is_free(port: u16) -> bool {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_ok()
}

// ---- login ------------------------------------------------------------------

#[tokio::test]
async fn a_login_gets_a_code_through_the_callback_and_exchanges_it_once() {
    // One login at a time holds the callback ports (they are checked freed).
    let _ports = common::login::CallbackPorts::lock();
    let idp = Idp::start();
    let provider = OAuthProvider::discover(&idp.url, TIMEOUT).await.unwrap();
    assert_eq!(provider.client_id(), CLIENT_ID);
    let server = CallbackServer::bind().unwrap();
    let port = server.port();
    assert!((8400..=8404).contains(&port), "{port}");
    let redirect_uri = server.redirect_uri();
    assert_eq!(
        redirect_uri,
        format!("http://127.0.0.1:{port}/oauth_callback")
    );
    let secrets = LoginSecrets::generate().unwrap();
    let url = provider.authorization_url(&redirect_uri, &secrets);

    let state = secrets.state().to_string();
    let waiting = tokio::spawn(async move { server.wait(&state, TIMEOUT).await });
    let (status, page) = browse(url.as_str()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You are logged in"), "{page}");
    let code = waiting.await.unwrap().unwrap();
    assert!(port_is_free(port), "the callback port is still taken");

    let tokens = provider
        .exchange_code(&code, &redirect_uri, secrets.verifier())
        .await
        .unwrap();
    let client = Client::new(
        &idp.url,
        Credential::UserToken(tokens.access_token.clone()),
        None,
        TIMEOUT,
    )
    .unwrap();
    let orgs = client
        .list_organizations()
        .await
        .unwrap()
        .value
        .organizations;
    assert_eq!(choose_org(Some("acme"), &orgs), Some("acme"));
    assert!(tokens.refresh_token.is_some());
    let lifetime = tokens.expires_at.as_second() - jiff::Timestamp::now().as_second();
    assert!((3500..=3600).contains(&lifetime), "{lifetime}");

    // A code works once.
    let again = provider
        .exchange_code(&code, &redirect_uri, secrets.verifier())
        .await
        .unwrap_err();
    assert_eq!(again.oauth_code(), Some("invalid_grant"), "{again}");
    assert_eq!(again.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused_and_frees_the_port() {
    // One login at a time holds the callback ports (they are checked freed).
    let _ports = common::login::CallbackPorts::lock();
    let server = CallbackServer::bind().unwrap();
    let port = server.port();
    let redirect_uri = server.redirect_uri();
    let waiting = tokio::spawn(async move { server.wait("the-real-state", TIMEOUT).await });
    let (status, page) = get_page(&format!("{redirect_uri}?code=stolen&state=forged")).await;
    assert_eq!(status, 400);
    assert!(page.contains("state does not match"), "{page}");
    let err = waiting.await.unwrap().unwrap_err();
    assert!(matches!(err, OAuthError::StateMismatch), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(port_is_free(port));
}

#[tokio::test]
async fn a_denied_login_says_why() {
    // One login at a time holds the callback ports (they are checked freed).
    let _ports = common::login::CallbackPorts::lock();
    let server = CallbackServer::bind().unwrap();
    let redirect_uri = server.redirect_uri();
    let waiting = tokio::spawn(async move { server.wait("s", TIMEOUT).await });
    let (status, page) = get_page(&format!(
        "{redirect_uri}?state=s&error=access_denied&error_description=%3Cb%3Enope%3C%2Fb%3E"
    ))
    .await;
    assert_eq!(status, 400);
    assert!(
        page.contains("access_denied (&lt;b&gt;nope&lt;/b&gt;)"),
        "{page}"
    );
    let err = waiting.await.unwrap().unwrap_err();
    assert_eq!(err.oauth_code(), Some("access_denied"), "{err:?}");
}

#[tokio::test]
async fn waiting_ends_on_timeout_or_when_dropped_and_frees_the_port() {
    // One login at a time holds the callback ports (they are checked freed).
    let _ports = common::login::CallbackPorts::lock();
    let server = CallbackServer::bind().unwrap();
    let port = server.port();
    let err = server
        .wait("s", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::CallbackTimeout(_)), "{err:?}");
    assert!(port_is_free(port));

    let server = CallbackServer::bind().unwrap();
    let port = server.port();
    tokio::select! {
        _ = server.wait("s", TIMEOUT) => panic!("nothing called back"),
        _ = tokio::time::sleep(Duration::from_millis(200)) => {}
    }
    assert!(port_is_free(port));
}

#[tokio::test]
async fn discovery_refuses_a_mismatched_issuer_and_a_plain_http_endpoint() {
    let idp = Idp::start();
    let document = |issuer: &str, token_endpoint: &str| {
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{}/authorize", idp.url),
            "token_endpoint": token_endpoint,
        })
    };
    idp.with(|p| {
        p.discovery_override = Some(document(
            "https://evil.example",
            &format!("{}/token", idp.url),
        ))
    });
    let err = OAuthProvider::discover(&idp.url, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
    assert!(err.to_string().contains("https://evil.example"), "{err}");

    let issuer = idp.url.clone();
    idp.with(|p| p.discovery_override = Some(document(&issuer, "http://id.example/token")));
    let err = OAuthProvider::discover(&idp.url, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
    assert!(err.to_string().contains("token_endpoint"), "{err}");

    // Nothing answers: a connection failure.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let err = OAuthProvider::discover(&dead, TIMEOUT).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---- refresh ----------------------------------------------------------------

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_the_request() {
    let idp = Idp::start();
    let (access, refresh) = idp.issue();
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), &access, &refresh, epoch_now() + 30.0);
    let (client, source) = config_client(&idp, &path);

    client.list_organizations().await.unwrap();

    assert_eq!(idp.refreshes(), 1);
    let sent = idp.protected_requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_ne!(sent[0], access, "the request went out with the old token");
    let config = UserConfig::load(&path).unwrap();
    let login = config.login().unwrap();
    assert_eq!(login.token(), sent[0]);
    assert_eq!(source.login().await, login);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(&refresh),
        "the spent refresh token is still stored:\n{text}"
    );
    assert!(text.starts_with("# mine\n"), "{text}");
    assert!(
        text.contains("[acme]\ndefault_public_key = \"pk_acme\""),
        "{text}"
    );
    let lifetime = login.expires_at().unwrap().as_second() - jiff::Timestamp::now().as_second();
    assert!((3500..=3600).contains(&lifetime), "{lifetime}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Fresh now: the next request does not refresh again.
    client.list_organizations().await.unwrap();
    assert_eq!(idp.refreshes(), 1);
}

#[tokio::test]
async fn a_401_gets_one_refresh_and_one_retry() {
    let idp = Idp::start();
    let (access, refresh) = idp.issue();
    let dir = tempfile::tempdir().unwrap();
    // The file says a day to go, but the server has expired the token.
    let path = write_config(dir.path(), &access, &refresh, epoch_now() + 86_400.0);
    idp.with(|p| p.valid_access.remove(&access));
    let (client, _) = config_client(&idp, &path);

    let orgs = client.list_organizations().await.unwrap();
    assert_eq!(orgs.value.organizations.len(), 2);

    assert_eq!(idp.refreshes(), 1);
    let sent = idp.protected_requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0], access);
    assert_eq!(
        UserConfig::load(&path).unwrap().login().unwrap().token(),
        sent[1]
    );

    // A token the server refuses even when fresh: one refresh, one retry,
    // then the 401 stands.
    idp.with(|p| p.refuse_all = true);
    let err = client.list_organizations().await.unwrap_err();
    assert_eq!(err.status, Some(401), "{err}");
    assert_eq!(idp.refreshes(), 2);
    assert_eq!(idp.protected_requests().len(), 4);
}

#[tokio::test]
async fn a_personal_access_token_is_never_refreshed() {
    let idp = Idp::start();
    let dir = tempfile::tempdir().unwrap();
    let (_, refresh) = idp.issue();
    for (token, stored_refresh, expires_at) in [
        // As `auth use-pat` writes it.
        ("pcc_pat_personal", "", 0.0),
        // A PAT beside a leftover refresh token, past its "expiry".
        ("pcc_pat_personal", refresh.as_str(), 1.0),
        // Any token marked as `use-pat` marks it.
        ("opaque-token", refresh.as_str(), 0.0),
    ] {
        let path = write_config(dir.path(), token, stored_refresh, expires_at);
        let before = std::fs::read(&path).unwrap();
        let (client, _) = config_client(&idp, &path);
        let err = client.list_organizations().await.unwrap_err();
        assert_eq!(err.status, Some(401), "{token}: {err}");
        assert_eq!(idp.refreshes(), 0, "{token}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{token}");
    }
    assert_eq!(idp.protected_requests().len(), 3);
}

#[tokio::test]
async fn a_revoked_refresh_token_fails_as_auth_and_writes_nothing() {
    let idp = Idp::start();
    let (access, refresh) = idp.issue();
    idp.with(|p| {
        p.valid_refresh.remove(&refresh);
        p.valid_access.remove(&access);
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), &access, &refresh, epoch_now() - 10.0);
    let before = std::fs::read(&path).unwrap();
    let (client, _) = config_client(&idp, &path);

    let err = client.list_organizations().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert_eq!(err.code.as_deref(), Some("invalid_grant"), "{err}");
    assert!(
        err.message.contains("cannot refresh the login stored in"),
        "{err}"
    );
    assert!(!err.message.contains(&refresh), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The expired token was not even sent.
    assert!(idp.protected_requests().is_empty());

    // A provider that cannot be reached: a transport error, nothing written.
    let (client, _) = {
        let config = UserConfig::load(&path).unwrap();
        let dead = format!("http://127.0.0.1:{}", free_port());
        let source = Arc::new(ConfigTokenSource::new(&config, &dead, TIMEOUT).unwrap());
        let client = Client::new(
            &idp.url,
            Credential::UserToken(access.clone()),
            None,
            TIMEOUT,
        )
        .unwrap()
        .with_token_source(source.clone());
        (client, source)
    };
    let err = client.list_organizations().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connect, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn eight_concurrent_refreshers_spend_the_refresh_token_once() {
    let idp = Idp::start();
    let (access, refresh) = idp.issue();
    idp.with(|p| {
        p.valid_access.remove(&access);
        p.refresh_delay = Duration::from_millis(300);
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), &access, &refresh, epoch_now() - 5.0);
    let start = Arc::new(Barrier::new(8));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (idp, path, start) = (idp.clone(), path.clone(), start.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    // Each worker: its own config read, lock handle and client.
                    let (client, source) = config_client(&idp, &path);
                    start.wait();
                    client.list_organizations().await.map(|_| ())?;
                    Ok::<_, pipecat_cloud::api::ApiError>(source.login().await.token().to_string())
                })
            })
        })
        .collect();
    let tokens: Vec<String> = workers
        .into_iter()
        .map(|worker| worker.join().unwrap().unwrap())
        .collect();

    assert_eq!(
        idp.refreshes(),
        1,
        "the refresh token was spent more than once"
    );
    assert_eq!(
        idp.reused(),
        0,
        "a rotated refresh token was presented again"
    );
    let stored = UserConfig::load(&path).unwrap().login().unwrap();
    assert_ne!(stored.token(), access);
    assert!(
        tokens.iter().all(|token| token == stored.token()),
        "{tokens:?}"
    );
    let sent = idp.protected_requests();
    assert_eq!(sent.len(), 8, "{sent:?}");
    assert!(sent.iter().all(|token| token == stored.token()), "{sent:?}");
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let idp = Idp::start();
    let (access, refresh) = idp.issue();
    logout(&idp.url, &access, &refresh).await.unwrap();
    assert_eq!(idp.with(|p| p.logouts.clone()), vec![refresh.clone()]);
    let provider = OAuthProvider::discover(&idp.url, TIMEOUT).await.unwrap();
    let err = provider.refresh(&refresh).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"), "{err}");

    let dead = format!("http://127.0.0.1:{}", free_port());
    let err = logout(&dead, &access, &refresh).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
}

#[tokio::test]
async fn a_refresh_rotates_and_a_rotated_token_is_refused() {
    let idp = Idp::start();
    let (_, refresh) = idp.issue();
    let provider = OAuthProvider::discover(&idp.url, TIMEOUT).await.unwrap();
    let TokenSet { refresh_token, .. } = provider.refresh(&refresh).await.unwrap();
    assert_ne!(refresh_token.as_deref(), Some(refresh.as_str()));
    let err = provider.refresh(&refresh).await.unwrap_err();
    assert_eq!(err.oauth_code(), Some("invalid_grant"));
    assert_eq!(idp.reused(), 1);
}
