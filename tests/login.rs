//! Logging in like the official CLI, black-box: the real binary against a
//! real local cloud acting as identity provider, the test playing the
//! browser. `auth login`, stored logins refreshed as they expire (also
//! when the official CLI wrote them, also by eight commands at once),
//! `auth logout` revoking, and every way a login must fail without
//! writing anything.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::LocalCloud;
use common::login::{
    CallbackPorts, LoginRun, WAIT, access_log_when, authorize, follow, login_by_hand, query_param,
    read_config, refresh_by_hand, status_with, token_request, with_param,
};
use common::scripted::{Reply, Scripted};
use serde_json::Value;

fn config_path(dir: &Path) -> PathBuf {
    dir.join("pipecatcloud.toml")
}

/// A config file with things a login must keep: a comment, the active
/// org's table with its default key, and a personal access token.
fn write_user_config(path: &Path, cloud: &LocalCloud) -> String {
    let text = format!(
        "# my settings\ntoken = \"{}\"\norg = \"local\"\nrefresh_token = \"\"\ntoken_expires_at = 0\n\n\
         [local]\ndefault_public_key = \"{}\"\ndefault_public_key_name = \"mine\"\n",
        cloud.user_token, cloud.public_key
    );
    std::fs::write(path, &text).unwrap();
    set_private(path);
    text
}

/// A config file as the official CLI writes it after its login: the
/// three keys (the expiry a float) and the org, then the org's table.
fn write_official_login(path: &Path, access: &str, refresh: &str, expires_at: f64) {
    std::fs::write(
        path,
        format!(
            "token = \"{access}\"\norg = \"local\"\nrefresh_token = \"{refresh}\"\n\
             token_expires_at = {expires_at:?}\n\n[local]\ndefault_public_key = \"pk_kept\"\n"
        ),
    )
    .unwrap();
    set_private(path);
}

fn set_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn now_epoch() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn string(config: &toml::Table, key: &str) -> String {
    config
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn login_command(cloud: &LocalCloud, config: &Path) -> Command {
    let mut cmd = cloud.process(config);
    cmd.args(["cloud", "auth", "login", "--no-browser"]);
    cmd
}

/// `auth login --no-browser` against `cloud`, finished by following the
/// URL it prints: (status, stdout, stderr, the URL).
fn login(cloud: &LocalCloud, config: &Path) -> (std::process::ExitStatus, String, String, String) {
    let mut run = LoginRun::start(login_command(cloud, config));
    let url = run.url();
    let (status, page) = follow(&url);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You are logged in"), "{page}");
    let (status, stdout, stderr) = run.finish();
    (status, stdout, stderr, url)
}

fn requests_since<'a>(lines: &'a [String], before: usize, what: &str) -> Vec<&'a String> {
    lines[before..]
        .iter()
        .filter(|line| line.contains(what))
        .collect()
}

#[test]
fn logging_in_without_a_browser_stores_the_login_privately_and_whoami_says_oauth() {
    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    write_user_config(&config, &cloud);

    let (status, _stdout, stderr, url) = login(&cloud, &config);
    assert!(status.success(), "{stderr}");
    // The URL is alone on its line, and it is the local provider's.
    assert!(stderr.lines().any(|line| line == url), "{stderr}");
    assert!(
        url.starts_with(&format!("{}/auth/authorize?", cloud.url)),
        "{url}"
    );
    assert!(
        stderr.contains("Logged in to organization `local`"),
        "{stderr}"
    );

    let stored = read_config(&config);
    let token = string(&stored, "token");
    let refresh = string(&stored, "refresh_token");
    assert!(!token.is_empty() && token != cloud.user_token, "{stored:?}");
    assert!(!refresh.is_empty(), "{stored:?}");
    let expires_at = stored["token_expires_at"]
        .as_float()
        .unwrap_or_else(|| panic!("token_expires_at is not a float: {stored:?}"));
    let lifetime = expires_at - now_epoch();
    assert!((86_000.0..=86_400.0).contains(&lifetime), "{lifetime}");
    assert_eq!(string(&stored, "org"), "local");
    assert_eq!(mode(&config), 0o600);
    // What the file held besides the credentials is still there.
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("# my settings"), "{text}");
    assert_eq!(
        stored["local"]["default_public_key_name"].as_str(),
        Some("mine")
    );
    // The stored token works, and is no key: it is the login's.
    assert_eq!(status_with(&cloud, "/v1/organizations", &token), 200);

    let whoami = cloud
        .cmd(&config)
        .args(["cloud", "auth", "whoami"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&whoami.stdout);
    assert!(whoami.status.success(), "{whoami:?}");
    assert!(shown.contains("OAuth"), "{shown}");
    assert!(
        shown.contains("expires") && shown.contains("(in 23h"),
        "{shown}"
    );
    let json = cloud
        .cmd(&config)
        .args(["cloud", "auth", "whoami", "--output", "json"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["authMethod"], "OAuth");
    assert_eq!(document["organization"]["name"], "local");
    assert!(document["dailyApiKey"].is_null(), "{document}");
    let expires: jiff::Timestamp = document["tokenExpiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((expires.as_second() as f64 - expires_at).abs() < 1.0);

    // Nothing secret of the login reached the access log.
    let state = query_param(&url, "state").unwrap();
    let challenge = query_param(&url, "code_challenge").unwrap();
    let log = access_log_when(&cloud, |lines| {
        lines.iter().any(|line| line.contains("/auth/authorize"))
    })
    .join("\n");
    assert!(log.contains("GET /auth/authorize?"), "{log}");
    for secret in [&state, &challenge, &token, &refresh] {
        assert!(
            !log.contains(secret.as_str()),
            "{secret} in the access log:\n{log}"
        );
    }
}

#[test]
fn an_expired_login_is_refreshed_before_the_request_and_its_refresh_token_rotated() {
    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start_with(&["--min-session-duration", "1", "--token-ttl", "2"]);
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let (status, _, stderr, _) = login(&cloud, &config);
    assert!(status.success(), "{stderr}");
    let before = read_config(&config);
    let (old_token, old_refresh) = (string(&before, "token"), string(&before, "refresh_token"));

    // The server's rule: once expired, the token is refused everywhere.
    let deadline = Instant::now() + WAIT;
    while status_with(&cloud, "/v1/organizations", &old_token) == 200 {
        assert!(Instant::now() < deadline, "the access token never expired");
        std::thread::sleep(Duration::from_millis(200));
    }
    for path in [
        "/v1/organizations",
        "/v1/users",
        "/v1/agents",
        "/v1/organizations/local/services",
        "/v1/organizations/local/apiKeys",
    ] {
        assert_eq!(status_with(&cloud, path, &old_token), 401, "{path}");
    }

    let list = cloud
        .cmd(&config)
        .args(["cloud", "agent", "list"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
    assert!(String::from_utf8_lossy(&list.stdout).contains("my-first-agent"));
    let after = read_config(&config);
    let (new_token, new_refresh) = (string(&after, "token"), string(&after, "refresh_token"));
    assert!(!new_token.is_empty() && new_token != old_token, "{after:?}");
    assert!(
        !new_refresh.is_empty() && new_refresh != old_refresh,
        "{after:?}"
    );
    assert!(
        after["token_expires_at"].as_float().unwrap()
            > before["token_expires_at"].as_float().unwrap()
    );
    assert_eq!(mode(&config), 0o600);

    // The rotated refresh token is spent: presenting it again is refused,
    // and revokes the whole login (the newer refresh token too).
    let (status, answer) = refresh_by_hand(&cloud, &old_refresh);
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "{answer}"
    );
    let (status, answer) = refresh_by_hand(&cloud, &new_refresh);
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "{answer}"
    );
}

#[test]
fn a_login_written_by_the_official_cli_is_refreshed_when_past_its_expiry() {
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let tokens = login_by_hand(&cloud);
    write_official_login(
        &config,
        &tokens.access,
        &tokens.refresh,
        now_epoch() - 120.5,
    );
    let before = access_log_when(&cloud, |lines| {
        lines.iter().any(|line| line.contains("POST /auth/token"))
    })
    .len();

    let list = cloud
        .cmd(&config)
        .args(["cloud", "agent", "list"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
    let after = read_config(&config);
    assert_ne!(string(&after, "token"), tokens.access);
    assert_ne!(string(&after, "refresh_token"), tokens.refresh);
    let expires_at = after["token_expires_at"].as_float().unwrap();
    assert!(expires_at > now_epoch() + 3600.0, "{expires_at}");
    assert_eq!(
        after["local"]["default_public_key"].as_str(),
        Some("pk_kept")
    );
    let log = access_log_when(&cloud, |lines| {
        lines
            .iter()
            .skip(before)
            .any(|line| line.contains("/services"))
    });
    let refreshes = requests_since(&log, before, "POST /auth/token");
    assert_eq!(refreshes.len(), 1, "{log:#?}");
    assert!(refreshes[0].contains(" 200 "), "{refreshes:?}");
}

#[test]
fn eight_concurrent_commands_on_an_expired_login_refresh_it_exactly_once() {
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let tokens = login_by_hand(&cloud);
    // Expired as far as the file says: every command must refresh first.
    write_official_login(&config, &tokens.access, &tokens.refresh, now_epoch() - 5.0);
    let before = access_log_when(&cloud, |lines| {
        lines.iter().any(|line| line.contains("POST /auth/token"))
    })
    .len();

    let children: Vec<_> = (0..8)
        .map(|_| {
            cloud
                .process(&config)
                .args(["cloud", "agent", "list"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("my-first-agent"));
    }

    let log = access_log_when(&cloud, |lines| {
        requests_since(lines, before, "/services").len() == 8
    });
    let refreshes = requests_since(&log, before, "POST /auth/token");
    assert_eq!(refreshes.len(), 1, "one refresh expected:\n{log:#?}");
    assert!(refreshes[0].contains(" 200 "), "{refreshes:?}");
    assert!(
        requests_since(&log, before, " 401 ").is_empty(),
        "no request may have been refused:\n{log:#?}"
    );
    // No rotated token was presented again: the login is intact, and the
    // refresh token stored is the current one.
    let stored = read_config(&config);
    let (status, answer) = refresh_by_hand(&cloud, &string(&stored, "refresh_token"));
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn a_login_answered_with_another_state_is_refused_and_writes_nothing() {
    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let original = write_user_config(&config, &cloud);

    let mut run = LoginRun::start(login_command(&cloud, &config));
    let url = run.url();
    let (status, page) = follow(&with_param(&url, "state", "forged-state"));
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("state does not match"), "{page}");
    let (status, _, stderr) = run.finish();
    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("state does not match"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

#[test]
fn a_reused_authorization_code_is_refused_and_writes_nothing() {
    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let original = write_user_config(&config, &cloud);

    let mut run = LoginRun::start(login_command(&cloud, &config));
    let url = run.url();
    let callback = authorize(&url);
    let code = query_param(&callback, "code").unwrap();
    let redirect = query_param(&url, "redirect_uri").unwrap();
    // Someone else redeems the code first (without the verifier).
    let (status, answer) = token_request(
        &cloud,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "pipecat-cli"),
            ("code", &code),
            ("redirect_uri", &redirect),
            (
                "code_verifier",
                "an-attackers-guess-at-the-verifier-0123456789abc",
            ),
        ],
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "{answer}"
    );
    let page = common::login::browser().get(&callback).send().unwrap();
    assert_eq!(page.status(), 200);
    let (status, _, stderr) = run.finish();
    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("invalid_grant"), "{stderr}");
    assert!(stderr.contains("already used"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

#[test]
fn a_revoked_refresh_token_fails_with_a_login_hint_and_writes_nothing() {
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let tokens = login_by_hand(&cloud);
    let revoked = common::login::browser()
        .post(format!("{}/auth/logout", cloud.url))
        .json(&serde_json::json!({"refresh_token": tokens.refresh}))
        .send()
        .unwrap();
    assert_eq!(revoked.status(), 200);
    write_official_login(&config, &tokens.access, &tokens.refresh, now_epoch() - 60.0);
    let original = std::fs::read_to_string(&config).unwrap();

    let list = cloud
        .cmd(&config)
        .args(["cloud", "agent", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert_eq!(list.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot refresh the login"), "{stderr}");
    assert!(stderr.contains("invalid_grant"), "{stderr}");
    assert!(stderr.contains("pipecat cloud auth login"), "{stderr}");
    assert!(!stderr.contains(&tokens.refresh) && !stderr.contains(&tokens.access));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

/// A scripted API whose identity provider (issuer: its own URL) serves
/// the discovery document `discovery(issuer)`.
fn scripted_provider(discovery: fn(&str) -> String) -> Scripted {
    Scripted::start_for(|url| {
        let config =
            format!(r#"{{"issuer": "{url}", "client_id": "pipecat-cli", "scopes": ["openid"]}}"#);
        vec![
            ("/auth/config", vec![Reply::json(200, &config)]),
            (
                "/.well-known/openid-configuration",
                vec![Reply::json(200, &discovery(url))],
            ),
        ]
    })
}

#[test]
fn unsafe_discovery_documents_are_refused_before_anything_is_sent_or_written() {
    type Document = fn(&str) -> String;
    let cases: [(&str, Document, &str); 2] = [
        (
            "a non-loopback http endpoint",
            |issuer| {
                format!(
                    r#"{{"issuer": "{issuer}", "authorization_endpoint": "http://login.example/authorize",
                        "token_endpoint": "https://login.example/token", "code_challenge_methods_supported": ["S256"]}}"#
                )
            },
            "is not https",
        ),
        (
            "a mismatched issuer",
            |_| {
                r#"{"issuer": "https://evil.example", "authorization_endpoint": "https://evil.example/authorize",
                    "token_endpoint": "https://evil.example/token"}"#
                    .to_string()
            },
            "names issuer \"https://evil.example\"",
        ),
    ];
    for (case, discovery, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let config = config_path(dir.path());
        std::fs::write(
            &config,
            "org = \"acme\"\n\n[acme]\ndefault_public_key = \"pk_1\"\n",
        )
        .unwrap();
        set_private(&config);
        let original = std::fs::read_to_string(&config).unwrap();
        let server = scripted_provider(discovery);
        let output = common::pipecat_at(&server.url, dir.path())
            .args(["cloud", "auth", "login", "--no-browser"])
            .env("PIPECAT_CONFIG_PATH", &config)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(5), "{case}: {stderr}");
        assert!(stderr.contains(expected), "{case}: {stderr}");
        assert!(stderr.contains("nothing was stored"), "{case}: {stderr}");
        assert!(
            !stderr.contains("/authorize?"),
            "{case}: a login URL was shown: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            original,
            "{case}"
        );
    }
}

#[test]
fn auth_logout_revokes_the_login_and_keeps_the_rest_of_the_file() {
    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    write_user_config(&config, &cloud);
    let (status, _, stderr, _) = login(&cloud, &config);
    assert!(status.success(), "{stderr}");
    let stored = read_config(&config);
    let (access, refresh) = (string(&stored, "token"), string(&stored, "refresh_token"));

    let logout = cloud
        .cmd(&config)
        .args(["cloud", "auth", "logout", "--output", "json"])
        .output()
        .unwrap();
    assert!(logout.status.success(), "{logout:?}");
    let document: Value = serde_json::from_slice(&logout.stdout).unwrap();
    assert_eq!(document["removed"], true);
    assert_eq!(document["revoked"], true);
    assert_eq!(document["kept"]["org"], "local");
    assert_eq!(document["kept"]["tables"], serde_json::json!(["local"]));

    let after = read_config(&config);
    for key in ["token", "refresh_token", "token_expires_at"] {
        assert!(!after.contains_key(key), "{key} left: {after:?}");
    }
    assert_eq!(string(&after, "org"), "local");
    assert_eq!(
        after["local"]["default_public_key_name"].as_str(),
        Some("mine")
    );
    // Revoked at the server: the refresh token and the access token are dead.
    let (status, answer) = refresh_by_hand(&cloud, &refresh);
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "{answer}"
    );
    assert_eq!(status_with(&cloud, "/v1/organizations", &access), 401);

    // A person is told what was kept.
    write_official_login(&config, "pcl_at_x", "pcl_rt_x", now_epoch() + 3600.0);
    let logout = cloud
        .cmd(&config)
        .args(["cloud", "auth", "logout"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&logout.stderr);
    assert!(logout.status.success(), "{said}");
    assert!(
        said.contains("Kept the active organization `local` and the settings of [local]"),
        "{said}"
    );
}

#[test]
fn ctrl_c_or_the_timeout_ends_the_wait_frees_the_port_and_writes_nothing() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    let original = write_user_config(&config, &cloud);

    let mut run = LoginRun::start(login_command(&cloud, &config));
    let url = run.url();
    let redirect = query_param(&url, "redirect_uri").unwrap();
    let port = reqwest::Url::parse(&redirect).unwrap().port().unwrap();
    kill(Pid::from_raw(run.pid() as i32), Signal::SIGINT).unwrap();
    let (status, _, stderr) = run.finish();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("login cancelled"), "{stderr}");
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "port {port} still taken"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);

    let timed_out = cloud
        .cmd(&config)
        .args(["cloud", "auth", "login", "--no-browser", "--timeout", "1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&timed_out.stderr);
    assert_eq!(timed_out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no login arrived within 1s"), "{stderr}");
    assert!(stderr.contains("(waiting up to 1s;"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

#[test]
fn the_browser_named_by_browser_is_opened_with_the_login_url() {
    let _ports = CallbackPorts::lock();
    let cloud = LocalCloud::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_path(dir.path());
    // A "browser" that writes down the URL it was asked to open.
    let opened = dir.path().join("opened-url");
    let browser = dir.path().join("fake-browser");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
            opened.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = cloud.process(&config);
    cmd.args(["cloud", "auth", "login"])
        .env("BROWSER", &browser);
    let mut run = LoginRun::start(cmd);
    let printed = run.url();
    let deadline = Instant::now() + WAIT;
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the browser was not opened");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = std::fs::read_to_string(&opened).unwrap();
    assert_eq!(url, printed);
    let (status, page) = follow(&url);
    assert_eq!(status, 200, "{page}");
    let (status, _, stderr) = run.finish();
    assert!(status.success(), "{stderr}");
    assert!(!string(&read_config(&config), "refresh_token").is_empty());
}

#[test]
fn the_login_prompt_asks_before_approving_and_codes_never_leave_the_machine() {
    let cloud = LocalCloud::start_with(&["--min-session-duration", "1", "--login-prompt"]);
    let provider = common::login::discover(&cloud);
    let authorize_url = |redirect: &str| {
        let mut url = reqwest::Url::parse(&provider.authorization_endpoint).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", "pipecat-cli")
            .append_pair("redirect_uri", redirect)
            .append_pair("state", "s<1>")
            .append_pair(
                "code_challenge",
                &pipecat_cloud::api::oauth::s256_challenge(&"v".repeat(43)),
            )
            .append_pair("code_challenge_method", "S256");
        url.to_string()
    };
    let http = common::login::browser();

    let page = http
        .get(authorize_url("http://127.0.0.1:9/cb"))
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().unwrap();
    assert!(
        html.contains("<button type=\"submit\">Log in</button>"),
        "{html}"
    );
    assert!(html.contains("local@localhost"), "{html}");
    assert!(
        html.contains("value=\"s&lt;1&gt;\""),
        "the state is escaped: {html}"
    );
    assert!(
        !html.contains("pcl_ac_"),
        "a code before the button: {html}"
    );

    // Pressing the button posts the same request back.
    let form: Vec<(String, String)> = reqwest::Url::parse(&authorize_url("http://127.0.0.1:9/cb"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let approved = http
        .post(&provider.authorization_endpoint)
        .form(&form)
        .send()
        .unwrap();
    assert_eq!(approved.status(), 303);
    let location = approved.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://127.0.0.1:9/cb?code="),
        "{location}"
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("s<1>"));

    // A redirect_uri off the machine gets a page, never a redirect.
    for redirect in ["http://login.example/cb", "https://127.0.0.1/cb"] {
        for answer in [
            http.get(authorize_url(redirect)).send().unwrap(),
            http.post(&provider.authorization_endpoint)
                .form(&[
                    ("client_id", "pipecat-cli"),
                    ("redirect_uri", redirect),
                    ("response_type", "code"),
                ])
                .send()
                .unwrap(),
        ] {
            assert_eq!(answer.status(), 400, "{redirect}");
            assert!(answer.headers().get("location").is_none(), "{redirect}");
            let html = answer.text().unwrap();
            assert!(
                html.contains("redirect_uri") && html.contains("is refused"),
                "{html}"
            );
        }
    }
}
