//! Browser logins without a browser: run `auth login`, read the URL it
//! prints, and play the browser with an HTTP client; or log in by hand
//! against a local cloud's identity provider (as the official CLI would)
//! to get tokens without our CLI.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use pipecat_cloud::api::oauth::s256_challenge;
use reqwest::blocking::Client;
use serde_json::Value;

use super::LocalCloud;

/// Generous: the machine is shared and noisy.
pub const WAIT: Duration = Duration::from_secs(60);

/// Holds the callback ports (127.0.0.1:8400-8404) for one login at a time
/// across every test of every test binary: a login binds the first free
/// one, and tests check that a finished login frees its port.
pub struct CallbackPorts(File);

impl CallbackPorts {
    pub fn lock() -> CallbackPorts {
        let path = std::env::temp_dir().join("pipecat-tests-oauth-callback-ports.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .expect("open the callback ports' lock file");
        file.lock().expect("lock the callback ports");
        CallbackPorts(file)
    }
}

/// An HTTP client that does not follow redirects (the test follows them).
pub fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(WAIT)
        .build()
        .unwrap()
}

/// A running `pipecat cloud auth login`, its stderr read line by line.
pub struct LoginRun {
    child: Child,
    lines: Receiver<String>,
    pub stderr: String,
    stdout: Option<std::process::ChildStdout>,
}

impl LoginRun {
    /// Starts `cmd` (an `auth login` command) with stdout and stderr piped.
    pub fn start(mut cmd: std::process::Command) -> LoginRun {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pipecat cloud auth login");
        let stderr = child.stderr.take().unwrap();
        let stdout = child.stdout.take();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        LoginRun {
            child,
            lines,
            stderr: String::new(),
            stdout,
        }
    }

    /// The next stderr line that is only a URL: the login page.
    pub fn url(&mut self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stderr.push_str(&line);
                    self.stderr.push('\n');
                    if line.starts_with("http") && !line.contains(' ') {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no login URL within {WAIT:?}; stderr so far:\n{}",
                        self.stderr
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("login ended without a URL; stderr:\n{}", self.stderr)
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the end: the status, stdout, and all of stderr.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "login did not end within {WAIT:?}; stderr:\n{}",
                    self.stderr
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = String::new();
        if let Some(mut out) = self.stdout.take() {
            out.read_to_string(&mut stdout).unwrap();
        }
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push_str(&line);
            self.stderr.push('\n');
        }
        (status, stdout, std::mem::take(&mut self.stderr))
    }
}

impl Drop for LoginRun {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Plays the browser on the login page: the authorization endpoint
/// redirects to the callback, which answers with a page. Returns the
/// callback's status and page.
pub fn follow(login_url: &str) -> (u16, String) {
    let location = authorize(login_url);
    let page = browser().get(&location).send().expect("reach the callback");
    (page.status().as_u16(), page.text().unwrap())
}

/// GETs the authorization URL and returns where it redirects (the
/// callback URL with `code` and `state`).
pub fn authorize(login_url: &str) -> String {
    let answer = browser().get(login_url).send().expect("reach the provider");
    assert_eq!(answer.status(), 302, "{:?}", answer.text());
    answer.headers()["location"].to_str().unwrap().to_string()
}

/// One query parameter of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `url` with query parameter `name` set to `value`.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(key, old)| {
            let new = if key == name {
                value.to_string()
            } else {
                old.into_owned()
            };
            (key.into_owned(), new)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// Tokens from a login made by hand.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub expires_in: u64,
}

/// The identity provider's endpoints, found as a client finds them.
pub struct Provider {
    pub client_id: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
}

pub fn discover(cloud: &LocalCloud) -> Provider {
    let http = browser();
    let config: Value = http
        .get(format!("{}/auth/config", cloud.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let issuer = config["issuer"].as_str().unwrap();
    let metadata: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(metadata["issuer"], config["issuer"]);
    Provider {
        client_id: config["client_id"].as_str().unwrap().to_string(),
        authorization_endpoint: metadata["authorization_endpoint"]
            .as_str()
            .unwrap()
            .to_string(),
        token_endpoint: metadata["token_endpoint"].as_str().unwrap().to_string(),
    }
}

/// A whole login without our CLI: authorize with PKCE (the redirect is
/// read, not followed: nothing listens there), then exchange the code.
pub fn login_by_hand(cloud: &LocalCloud) -> Tokens {
    let provider = discover(cloud);
    let verifier = "a-test-verifier-that-is-long-enough-for-pkce-0123456789";
    let redirect = "http://127.0.0.1:9/callback";
    let mut url = reqwest::Url::parse(&provider.authorization_endpoint).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("state", "by-hand")
        .append_pair("code_challenge", &s256_challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    let location = authorize(url.as_str());
    assert_eq!(query_param(&location, "state").as_deref(), Some("by-hand"));
    let code = query_param(&location, "code").expect("a code");
    let (status, answer) = token_request(
        cloud,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &provider.client_id),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    );
    assert_eq!(status, 200, "{answer}");
    tokens(&answer)
}

/// `POST` a form to the token endpoint: status and JSON answer.
pub fn token_request(cloud: &LocalCloud, form: &[(&str, &str)]) -> (u16, Value) {
    let provider = discover(cloud);
    let answer = browser()
        .post(&provider.token_endpoint)
        .form(form)
        .send()
        .unwrap();
    (answer.status().as_u16(), answer.json().unwrap())
}

/// Spends `refresh` at the token endpoint, as a client refreshing would.
pub fn refresh_by_hand(cloud: &LocalCloud, refresh: &str) -> (u16, Value) {
    token_request(
        cloud,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "pipecat-cli"),
            ("refresh_token", refresh),
        ],
    )
}

pub fn tokens(answer: &Value) -> Tokens {
    Tokens {
        access: answer["access_token"].as_str().unwrap().to_string(),
        refresh: answer["refresh_token"].as_str().unwrap().to_string(),
        expires_in: answer["expires_in"].as_u64().unwrap(),
    }
}

/// The status of `GET path` with `token` as the bearer.
pub fn status_with(cloud: &LocalCloud, path: &str, token: &str) -> u16 {
    browser()
        .get(format!("{}{path}", cloud.url))
        .bearer_auth(token)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// The lines of the server's access log once `ready` holds for them (it
/// is written behind a short buffer), or as they are after [`WAIT`].
pub fn access_log_when(cloud: &LocalCloud, ready: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let lines: Vec<String> = std::fs::read_to_string(cloud.data_dir.join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if ready(&lines) || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The config file as TOML.
pub fn read_config(path: &Path) -> toml::Table {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .parse()
        .expect("the config file is TOML")
}
