//! Organizations, keys and auth against a real local cloud, and the user
//! config file they write: 0600, other tables and comments kept.

mod common;

use std::path::PathBuf;

use common::LocalCloud;
use predicates::prelude::*;
use serde_json::Value;

const AGENT: &str = "my-first-agent";

struct Setup {
    cloud: LocalCloud,
    _dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("nested/dir/pipecatcloud.toml");
        Setup {
            cloud: LocalCloud::start(),
            _dir: dir,
            config,
        }
    }

    fn cmd(&self) -> assert_cmd::Command {
        self.cloud.cmd(&self.config)
    }

    fn user(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.env("PIPECAT_TOKEN", &self.cloud.user_token);
        cmd
    }

    fn config_text(&self) -> String {
        std::fs::read_to_string(&self.config).unwrap_or_default()
    }

    fn login(&self) {
        self.cmd()
            .args(["cloud", "auth", "use-pat"])
            .write_stdin(format!("{}\n", self.cloud.user_token))
            .assert()
            .success()
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "Logged in to organization `{}`",
                self.cloud.org
            )));
    }
}

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn use_pat_stores_a_verified_token_privately_and_whoami_reads_it() {
    let setup = Setup::new();
    setup.login();
    let text = setup.config_text();
    assert!(
        text.contains(&format!("token = \"{}\"", setup.cloud.user_token)),
        "{text}"
    );
    assert!(
        text.contains(&format!("org = \"{}\"", setup.cloud.org)),
        "{text}"
    );
    assert!(text.contains("refresh_token = \"\"") && text.contains("token_expires_at = 0"));
    #[cfg(unix)]
    {
        assert_eq!(mode(&setup.config), 0o600);
        assert_eq!(mode(setup.config.parent().unwrap()), 0o700);
    }

    let whoami = stdout_of(setup.cmd().args(["cloud", "auth", "whoami"]));
    // Its display name and its ID, as the official CLI shows them.
    assert!(
        whoami.contains(&format!(
            "organization\tLocal Pipecat Cloud ({})\n",
            setup.cloud.org
        )),
        "{whoami}"
    );
    assert!(
        whoami.contains("auth_method\tpersonal access token\n"),
        "{whoami}"
    );
    assert!(
        !whoami.contains(&setup.cloud.user_token),
        "token leaked: {whoami}"
    );
    let raw: Value = serde_json::from_str(&stdout_of(
        setup.cmd().args(["cloud", "auth", "whoami", "--json"]),
    ))
    .unwrap();
    assert!(raw["user"]["userId"].is_string(), "{raw}");

    // The stored token drives the agent commands too.
    setup
        .cmd()
        .args(["cloud", "agent", "sessions", AGENT])
        .assert()
        .success();
}

#[test]
fn use_pat_refuses_a_wrong_token_and_stores_nothing() {
    let setup = Setup::new();
    setup
        .cmd()
        .args(["cloud", "auth", "use-pat"])
        .write_stdin("pcc_pat_not_a_real_token")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("was refused"))
        .stderr(predicate::str::contains("pcc_pat_not_a_real_token").not());
    assert!(!setup.config.exists());
    setup
        .cmd()
        .args(["cloud", "auth", "use-pat", "--org", "someone-else"])
        .write_stdin(setup.cloud.user_token.clone())
        .assert()
        .code(4);
    assert!(!setup.config.exists());
}

#[test]
fn logout_removes_the_token_and_keeps_everything_else() {
    let setup = Setup::new();
    std::fs::create_dir_all(setup.config.parent().unwrap()).unwrap();
    std::fs::write(
        &setup.config,
        "# written by hand\n[other]\ndefault_public_key = \"pk_other\" # keep me\n",
    )
    .unwrap();
    setup.login();
    setup
        .cmd()
        .args(["cloud", "auth", "logout"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Logged out: the login is removed from",
        ));
    let text = setup.config_text();
    assert!(!text.contains("token ="), "{text}");
    assert!(text.contains("# written by hand"), "{text}");
    assert!(
        text.contains("default_public_key = \"pk_other\" # keep me"),
        "{text}"
    );
    assert!(
        text.contains(&format!("org = \"{}\"", setup.cloud.org)),
        "{text}"
    );
    setup
        .cmd()
        .args(["cloud", "auth", "whoami"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("auth use-pat"));
}

#[test]
fn organizations_list_and_select() {
    let setup = Setup::new();
    let plain = stdout_of(setup.user().args(["cloud", "organizations", "list"]));
    // The official CLI's columns.
    assert_eq!(
        plain.lines().next(),
        Some("Organization Name\tOrganization ID\tActive")
    );
    assert!(
        plain
            .lines()
            .any(|l| l.split('\t').nth(1) == Some(setup.cloud.org.as_str())),
        "{plain}"
    );
    let rich = stdout_of(
        setup
            .user()
            .args(["cloud", "organizations", "list", "--output", "rich"]),
    );
    assert!(rich.starts_with("Organization Name "), "{rich}");
    let raw: Value = serde_json::from_str(&stdout_of(setup.user().args([
        "cloud",
        "organizations",
        "list",
        "--json",
    ])))
    .unwrap();
    assert_eq!(raw["organizations"][0]["name"], setup.cloud.org.as_str());

    setup
        .user()
        .args(["cloud", "organizations", "select", &setup.cloud.org])
        .assert()
        .success();
    assert_eq!(
        setup.config_text(),
        format!("org = \"{}\"\n", setup.cloud.org)
    );
    setup
        .user()
        .args(["cloud", "organizations", "select", "not-mine"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("not-mine"));
    setup
        .user()
        .args(["cloud", "organizations", "select"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("organizations select ORG"));
}

#[test]
fn keys_use_then_agent_start_without_a_key() {
    let setup = Setup::new();
    std::fs::create_dir_all(setup.config.parent().unwrap()).unwrap();
    std::fs::write(
        &setup.config,
        "# mine\n[custom]\nanything = [1, 2] # kept\n",
    )
    .unwrap();
    setup.login();
    setup
        .cmd()
        .args(["cloud", "agent", "start", AGENT])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("organizations keys use"));

    let listing = stdout_of(setup.cmd().args(["cloud", "organizations", "keys", "list"]));
    let row: Vec<&str> = listing
        .lines()
        .nth(1)
        .expect("a key row")
        .split('\t')
        .collect();
    // Plain output shows the key whole, as the official CLI does.
    let (name, shown_key, id) = (row[0], row[1], row[4]);
    assert_eq!(shown_key, setup.cloud.public_key, "{listing}");

    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "use", name])
        .assert()
        .success();
    let text = setup.config_text();
    assert!(text.contains(&format!("[{}]", setup.cloud.org)), "{text}");
    assert!(
        text.contains(&format!(
            "default_public_key = \"{}\"",
            setup.cloud.public_key
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("default_public_key_name = \"{name}\"")),
        "{text}"
    );
    // The comment belongs to the table below it, and stays with it.
    assert!(
        text.contains("# mine\n[custom]\nanything = [1, 2] # kept\n"),
        "{text}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&setup.config), 0o600);

    let started = stdout_of(setup.cmd().args(["cloud", "agent", "start", AGENT]));
    assert!(started.starts_with("Session ID: "), "{started}");
    // By id works too, and the list marks the default.
    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "use", id])
        .assert()
        .success();
    let listing = stdout_of(setup.cmd().args(["cloud", "organizations", "keys", "list"]));
    assert!(
        listing
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(&format!("\tActive\t{id}\tyes")),
        "{listing}"
    );
}

#[test]
fn the_default_key_is_read_from_the_effective_org() {
    // Unlike the official CLI (docs/compatibility.md): `--org` picks that
    // org's default key, not the file's active org's.
    let setup = Setup::new();
    std::fs::create_dir_all(setup.config.parent().unwrap()).unwrap();
    std::fs::write(
        &setup.config,
        format!(
            "org = \"elsewhere\"\n[elsewhere]\ndefault_public_key = \"pk_elsewhere_wrong\"\n\
             [{}]\ndefault_public_key = \"{}\"\n",
            setup.cloud.org, setup.cloud.public_key
        ),
    )
    .unwrap();
    setup
        .cmd()
        .args(["cloud", "agent", "start", AGENT])
        .assert()
        .code(3);
    setup
        .cmd()
        .args(["cloud", "agent", "start", AGENT, "--org", &setup.cloud.org])
        .assert()
        .success();
    setup
        .cmd()
        .env("PIPECAT_ORG", &setup.cloud.org)
        .args(["cloud", "agent", "start", AGENT])
        .assert()
        .success();
    setup
        .cmd()
        .env("PIPECAT_DEFAULT_PUBLIC_KEY", &setup.cloud.public_key)
        .args(["cloud", "agent", "start", AGENT])
        .assert()
        .success();
}

#[test]
fn keys_create_default_revoke() {
    let setup = Setup::new();
    setup.login();
    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "create"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--name NAME"));
    let created = stdout_of(setup.cmd().args([
        "cloud",
        "organizations",
        "keys",
        "create",
        "--name",
        "ci-key",
        "--default",
    ]));
    // The official CLI's table: Name, Key, Organization ID.
    let mut lines = created.lines();
    assert_eq!(
        lines.next(),
        Some("Name\tKey\tOrganization ID"),
        "{created}"
    );
    let row: Vec<&str> = lines
        .next()
        .expect("the new key's row")
        .split('\t')
        .collect();
    assert_eq!((row[0], row[2]), ("ci-key", setup.cloud.org.as_str()));
    let key = row[1].to_string();
    assert!(key.starts_with("pk_") && !key.contains('…'), "{created}");
    assert!(setup.config_text().contains(&key));
    setup
        .cmd()
        .args(["cloud", "agent", "start", AGENT])
        .assert()
        .success();

    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "revoke", "ci-key"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "revoke"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("keys revoke NAME|ID"));
    setup
        .cmd()
        .args([
            "cloud",
            "organizations",
            "keys",
            "revoke",
            "ci-key",
            "--force",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("it was the default key"));
    assert!(!setup.config_text().contains(&key));
    setup
        .cmd()
        .args(["cloud", "agent", "start", AGENT, "-k", &key])
        .assert()
        .code(3);
    let raw: Value = serde_json::from_str(&stdout_of(setup.cmd().args([
        "cloud",
        "organizations",
        "keys",
        "list",
        "--json",
    ])))
    .unwrap();
    let revoked = raw["public"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == key.as_str())
        .expect("revoked key still listed");
    assert_eq!(revoked["revoked"], true);
    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "use", "ci-key"])
        .assert()
        .code(4);
    setup
        .cmd()
        .args(["cloud", "organizations", "keys", "use"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("keys use NAME|ID"));
}

fn json_of(cmd: &mut assert_cmd::Command) -> Value {
    let text = stdout_of(cmd);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

#[test]
fn every_org_key_and_auth_command_prints_one_json_document_or_a_rich_view() {
    let setup = Setup::new();
    let logged_in = json_of(
        setup
            .cmd()
            .args(["cloud", "auth", "use-pat", "--json"])
            .write_stdin(setup.cloud.user_token.clone()),
    );
    assert_eq!(logged_in["org"], setup.cloud.org.as_str());

    let whoami = stdout_of(
        setup
            .cmd()
            .args(["cloud", "auth", "whoami", "--output", "rich"]),
    );
    assert!(
        whoami.contains(&format!(
            "Organization: Local Pipecat Cloud ({})",
            setup.cloud.org
        )),
        "{whoami}"
    );

    let selected = json_of(setup.cmd().args([
        "cloud",
        "organizations",
        "select",
        &setup.cloud.org,
        "--json",
    ]));
    assert_eq!(selected["org"], setup.cloud.org.as_str());

    let created = json_of(setup.cmd().args([
        "cloud",
        "organizations",
        "keys",
        "create",
        "-n",
        "json-key",
        "--json",
    ]));
    let key = created["key"]
        .as_str()
        .expect("the server's answer has the key")
        .to_string();
    let id = created["id"].as_str().unwrap().to_string();

    let rich =
        stdout_of(
            setup
                .cmd()
                .args(["cloud", "organizations", "keys", "list", "--output", "rich"]),
        );
    assert!(
        rich.starts_with("Name ") && rich.contains("json-key"),
        "{rich}"
    );
    assert!(!rich.contains(&key), "key shown in full: {rich}");

    let used = json_of(
        setup
            .cmd()
            .args(["cloud", "organizations", "keys", "use", &id, "--json"]),
    );
    assert_eq!(used["name"], "json-key");
    assert_eq!(used["org"], setup.cloud.org.as_str());

    let revoked = json_of(setup.cmd().args([
        "cloud",
        "organizations",
        "keys",
        "revoke",
        &id,
        "-f",
        "--json",
    ]));
    assert!(revoked.is_object(), "{revoked}");

    let logged_out = json_of(setup.cmd().args(["cloud", "auth", "logout", "--json"]));
    assert_eq!(logged_out["removed"], true);
}
