//! `--help` of every deploy, build, agent, organization, secrets, regions and auth command, and
//! of `local serve`, under
//! snapshot: a changed flag or help text is a visible diff in review.

mod common;

fn help(path: &[&str]) -> String {
    let mut cmd = assert_cmd::Command::new(common::pipecat_bin());
    common::scrub_env(&mut cmd);
    // A fixed width so wrapping does not depend on the terminal.
    cmd.env("COLUMNS", "100").args(path).arg("--help");
    let output = cmd.output().expect("run pipecat --help");
    assert!(output.status.success(), "{path:?} --help failed");
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

macro_rules! help_snapshot {
    ($name:ident, [$($arg:expr),*]) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(help(&[$($arg),*]));
        }
    };
}

help_snapshot!(pipecat, []);
help_snapshot!(help_topics, ["help"]);
help_snapshot!(man, ["man"]);
help_snapshot!(cloud, ["cloud"]);
help_snapshot!(deploy, ["cloud", "deploy"]);
help_snapshot!(build, ["cloud", "build"]);
help_snapshot!(build_list, ["cloud", "build", "list"]);
help_snapshot!(build_status, ["cloud", "build", "status"]);
help_snapshot!(build_logs, ["cloud", "build", "logs"]);
help_snapshot!(agent, ["cloud", "agent"]);
help_snapshot!(agent_list, ["cloud", "agent", "list"]);
help_snapshot!(agent_status, ["cloud", "agent", "status"]);
help_snapshot!(agent_deployments, ["cloud", "agent", "deployments"]);
help_snapshot!(agent_delete, ["cloud", "agent", "delete"]);
help_snapshot!(agent_start, ["cloud", "agent", "start"]);
help_snapshot!(agent_stop, ["cloud", "agent", "stop"]);
help_snapshot!(agent_sessions, ["cloud", "agent", "sessions"]);
help_snapshot!(agent_logs, ["cloud", "agent", "logs"]);
help_snapshot!(organizations, ["cloud", "organizations"]);
help_snapshot!(organizations_list, ["cloud", "organizations", "list"]);
help_snapshot!(organizations_select, ["cloud", "organizations", "select"]);
help_snapshot!(organizations_keys, ["cloud", "organizations", "keys"]);
help_snapshot!(
    organizations_keys_list,
    ["cloud", "organizations", "keys", "list"]
);
help_snapshot!(
    organizations_keys_create,
    ["cloud", "organizations", "keys", "create"]
);
help_snapshot!(
    organizations_keys_revoke,
    ["cloud", "organizations", "keys", "revoke"]
);
help_snapshot!(
    organizations_keys_use,
    ["cloud", "organizations", "keys", "use"]
);
help_snapshot!(local_serve, ["cloud", "local", "serve"]);
help_snapshot!(auth, ["cloud", "auth"]);
help_snapshot!(auth_login, ["cloud", "auth", "login"]);
help_snapshot!(auth_use_pat, ["cloud", "auth", "use-pat"]);
help_snapshot!(auth_whoami, ["cloud", "auth", "whoami"]);
help_snapshot!(auth_logout, ["cloud", "auth", "logout"]);
help_snapshot!(top, ["cloud", "top"]);
help_snapshot!(
    organizations_default_region,
    ["cloud", "organizations", "default-region"]
);
help_snapshot!(
    organizations_properties,
    ["cloud", "organizations", "properties"]
);
help_snapshot!(
    organizations_properties_set,
    ["cloud", "organizations", "properties", "set"]
);
help_snapshot!(secrets, ["cloud", "secrets"]);
help_snapshot!(secrets_set, ["cloud", "secrets", "set"]);
help_snapshot!(secrets_unset, ["cloud", "secrets", "unset"]);
help_snapshot!(secrets_list, ["cloud", "secrets", "list"]);
help_snapshot!(secrets_delete, ["cloud", "secrets", "delete"]);
help_snapshot!(
    secrets_image_pull_secret,
    ["cloud", "secrets", "image-pull-secret"]
);
help_snapshot!(regions, ["cloud", "regions"]);
help_snapshot!(regions_list, ["cloud", "regions", "list"]);
