//! What to deploy: the flags merged over `pcc-deploy.toml` field by field,
//! and every rule checked, before any request. Pure functions of the
//! arguments and the file.

use std::path::{Path, PathBuf};

use super::DeployArgs;
use crate::cli::exit::{CliResult, Failure};
use pipecat_cloud::api::build_context::DEFAULT_DOCKERFILE;
use pipecat_cloud::api::limits::{
    DEFAULT_MAX_SESSION_DURATION, KRISP_VIVA_FILTERS, MAX_SESSION_DURATION, MIN_SESSION_DURATION,
};
use pipecat_cloud::api::types::{AgentSpec, AutoScalingRequest, KrispViva};
use pipecat_cloud::config::deploy::{DEFAULT_FILE_NAME, DeployConfig, DeployConfigError};
use pipecat_cloud::config::env;

/// What to deploy, merged from flags and file and checked.
#[derive(Debug)]
pub struct Plan {
    pub agent: String,
    /// Only what the user set: an update keeps everything else.
    pub spec: AgentSpec,
    /// `--no-credentials`: the image is public, on purpose.
    pub no_credentials: bool,
    /// The organization's default region, when a new agent goes there
    /// (no region given): shown in the review. Filled in by the checks.
    pub default_region: Option<String>,
    /// Where a cloud build would come from: set when neither an image
    /// nor a build id is deployed.
    pub source: Option<Source>,
}

/// A project folder to build in the cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub dir: PathBuf,
    pub dockerfile: String,
    /// `[build.exclude] patterns`.
    pub exclude: Vec<String>,
    /// Named by a flag or by `[build]` in the file: a build is wanted even
    /// when the agent exists and the folder turns out to have no
    /// Dockerfile (which is then an error).
    pub explicit: bool,
}

impl Source {
    /// The Dockerfile is where the build would look for it.
    pub fn has_dockerfile(&self) -> bool {
        self.dir.join(&self.dockerfile).is_file()
    }
}

/// `--config-file`, else `PIPECAT_DEPLOY_CONFIG_PATH`, else
/// `./pcc-deploy.toml` if there is one.
pub fn load_config(flag: Option<&Path>) -> CliResult<Option<(PathBuf, DeployConfig)>> {
    let bad = |err: DeployConfigError| {
        Failure::usage(err.to_string()).with_hint("fix the file; nothing was sent")
    };
    match flag {
        Some(path) => match DeployConfig::load(path).map_err(bad)? {
            Some(config) => Ok(Some((path.to_path_buf(), config))),
            None => Err(Failure::usage(format!(
                "deploy config {} (--config-file) does not exist",
                path.display()
            ))),
        },
        None => DeployConfig::load_current().map_err(bad),
    }
}

/// Flags over the file, field by field; then every rule checked.
pub fn merge(args: DeployArgs, loaded: Option<(PathBuf, DeployConfig)>) -> CliResult<Plan> {
    let (path, file) = loaded.unwrap_or_default();
    let in_file = |key: &str| format!("`{key}` in {}", path.display());
    let file_scaling = file.scaling.clone().unwrap_or_default();

    let agent = args
        .agent_name
        .filter(|n| !n.is_empty())
        .or(file.agent_name.clone())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            Failure::usage(format!(
                "no agent name given, and no `agent_name` in a {DEFAULT_FILE_NAME}"
            ))
            .with_hint(format!(
                "pass it: `pipecat cloud deploy NAME IMAGE:TAG`, or set {} / --config-file",
                env::DEPLOY_CONFIG_PATH
            ))
        })?;

    if let (Some(_), Some(_)) = (&args.image, &args.build_id) {
        return Err(Failure::usage("an image and --build-id were both given")
            .with_hint("deploy either an image or a cloud build, not both"));
    }
    if let (Some(_), Some(_)) = (&file.image, &file.build_id) {
        return Err(
            Failure::usage(format!("{} and `build_id` are both set", in_file("image")))
                .with_hint("keep one of them"),
        );
    }
    // A flag of either kind replaces what the file deploys.
    let (image, build_id) = if args.image.is_some() || args.build_id.is_some() {
        (args.image, args.build_id)
    } else {
        (file.image.clone(), file.build_id.clone())
    };
    let building_flag = args
        .build_dir
        .as_ref()
        .map(|_| "--build-dir")
        .or(args.dockerfile.as_ref().map(|_| "--dockerfile"));
    if let (Some(flag), true) = (building_flag, image.is_some() || build_id.is_some()) {
        return Err(Failure::usage(format!(
            "{flag} builds from a project folder, and an image or build id was given too"
        ))
        .with_hint("deploy either an image, a build id, or a folder to build"));
    }
    let file_build = file.build.clone().unwrap_or_default();
    let source = (image.is_none() && build_id.is_none()).then(|| Source {
        explicit: building_flag.is_some() || file.build.is_some(),
        dir: args
            .build_dir
            .or(file_build.context_dir.map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(".")),
        dockerfile: args
            .dockerfile
            .or(file_build.dockerfile)
            .unwrap_or_else(|| DEFAULT_DOCKERFILE.to_string()),
        exclude: file_build
            .exclude
            .and_then(|exclude| exclude.patterns)
            .unwrap_or_default(),
    });
    if let Some(image) = &image {
        check_image(image)?;
    }

    let max_session_duration = match (args.max_session_duration, file.max_session_duration) {
        (Some(secs), _) => Some(check_duration(secs, "--max-session-duration")?),
        (None, Some(secs)) => Some(check_duration(
            i64::from(secs),
            &in_file("max_session_duration"),
        )?),
        (None, None) => None,
    };
    let min_agents = match args.min_agents {
        Some(n) => Some(check_count(n, 0, "--min-agents")?),
        None => file_scaling.min_agents,
    };
    let max_agents = match args.max_agents {
        Some(n) => Some(check_count(n, 1, "--max-agents")?),
        None => match file_scaling.max_agents {
            Some(0) => {
                return Err(Failure::usage(format!(
                    "{} must be at least 1",
                    in_file("[scaling] max_agents")
                )));
            }
            other => other,
        },
    };
    if let (Some(min), Some(max)) = (min_agents, max_agents)
        && max < min
    {
        return Err(Failure::usage(format!(
            "max agents ({max}) is less than min agents ({min})"
        ))
        .with_hint("raise --max-agents or lower --min-agents"));
    }
    let krisp = match args.krisp_viva_audio_filter {
        Some(filter) => Some(check_krisp(&filter, "--krisp-viva-audio-filter")?),
        None => match file
            .krisp_viva
            .as_ref()
            .and_then(|k| k.audio_filter.clone())
        {
            Some(filter) => Some(check_krisp(&filter, &in_file("[krisp_viva] audio_filter"))?),
            None => None,
        },
    };
    let auto_scaling =
        (min_agents.is_some() || max_agents.is_some()).then_some(AutoScalingRequest {
            min_agents,
            max_agents,
        });
    let spec = AgentSpec {
        image,
        build_id,
        region: args.region.or(file.region),
        image_pull_secret_set: args.credentials.or(file.image_credentials),
        secret_set: args.secrets.or(file.secret_set),
        auto_scaling,
        krisp_viva: krisp.map(|filter| KrispViva {
            audio_filter: Some(filter),
        }),
        agent_profile: args.profile.or(file.agent_profile),
        max_session_duration,
        force_redeploy: args.force.then_some(true),
        websocket_auth: file.websocket_auth,
        architecture: file.architecture,
        ..AgentSpec::default()
    };
    Ok(Plan {
        agent,
        spec,
        no_credentials: args.no_credentials,
        default_region: None,
        source,
    })
}

/// An image needs a tag (or a digest): an untagged one silently means
/// `latest`, which is rarely what a deploy should pin.
fn check_image(image: &str) -> CliResult {
    let name = image.rsplit('/').next().unwrap_or(image);
    if image.trim().is_empty() || !(name.contains(':') || image.contains('@')) {
        return Err(Failure::usage(format!("image {image:?} has no tag"))
            .with_hint(format!("name the version to deploy, e.g. {image}:1.0")));
    }
    Ok(())
}

fn check_duration(seconds: i64, what: &str) -> CliResult<u32> {
    let bounds = i64::from(MIN_SESSION_DURATION)..=i64::from(MAX_SESSION_DURATION);
    if !bounds.contains(&seconds) {
        return Err(Failure::usage(format!(
            "{what} is {seconds}, outside {MIN_SESSION_DURATION}..{MAX_SESSION_DURATION} seconds"
        ))
        .with_hint(format!(
            "choose {MIN_SESSION_DURATION} to {MAX_SESSION_DURATION} seconds, \
             or leave it out for the default {DEFAULT_MAX_SESSION_DURATION}"
        )));
    }
    Ok(seconds as u32)
}

/// A count the API takes as an unsigned 32-bit number, at least `least`.
fn check_count(n: i64, least: i64, what: &str) -> CliResult<u32> {
    if n < least {
        return Err(Failure::usage(format!(
            "{what} is {n}; it must be at least {least}"
        )));
    }
    u32::try_from(n).map_err(|_| {
        Failure::usage(format!(
            "{what} is {n}, more than the API takes; it must be at most {}",
            u32::MAX
        ))
    })
}

fn check_krisp(filter: &str, what: &str) -> CliResult<String> {
    if KRISP_VIVA_FILTERS.contains(&filter) {
        Ok(filter.to_string())
    } else {
        Err(
            Failure::usage(format!("{what} is {filter:?}, not a Krisp VIVA filter"))
                .with_hint("use tel (telephony, up to 16 kHz) or pro (WebRTC, up to 32 kHz)"),
        )
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::exit::Exit;
    use pipecat_cloud::config::deploy::Scaling;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: DeployArgs,
    }

    fn args(words: &[&str]) -> DeployArgs {
        Cli::try_parse_from(std::iter::once("deploy").chain(words.iter().copied()))
            .unwrap()
            .args
    }

    fn file(text: &str) -> Option<(PathBuf, DeployConfig)> {
        let path = PathBuf::from("pcc-deploy.toml");
        let config = DeployConfig::parse(&path, text).unwrap();
        Some((path, config))
    }

    fn usage_error(words: &[&str], loaded: Option<(PathBuf, DeployConfig)>) -> String {
        let err = merge(args(words), loaded).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        err.message
    }

    #[test]
    fn images_need_a_tag() {
        assert!(check_image("me/bot:1.0").is_ok());
        assert!(check_image("reg:5000/me/bot:1").is_ok());
        assert!(check_image("me/bot@sha256:abc").is_ok());
        assert!(check_image("me/bot").is_err());
        assert!(check_image("reg:5000/me/bot").is_err());
    }

    #[test]
    fn flags_win_over_the_file_field_by_field() {
        let loaded = file(
            "agent_name = \"bot\"\nimage = \"me/bot:1\"\nregion = \"eu\"\n\
             max_session_duration = 600\n[scaling]\nmin_agents = 1\nmax_agents = 4\n",
        );
        let plan = merge(args(&["--max-agents", "8", "--region", "us"]), loaded).unwrap();
        assert_eq!(plan.agent, "bot");
        assert_eq!(plan.spec.image.as_deref(), Some("me/bot:1"));
        assert_eq!(plan.spec.region.as_deref(), Some("us"));
        assert_eq!(plan.spec.max_session_duration, Some(600));
        assert_eq!(
            plan.spec.auto_scaling,
            Some(AutoScalingRequest {
                min_agents: Some(1),
                max_agents: Some(8),
            })
        );
        // A build id on the command line replaces the file's image.
        let loaded = file("agent_name = \"bot\"\nimage = \"me/bot:1\"\n");
        let plan = merge(args(&["--build-id", "b1"]), loaded).unwrap();
        assert_eq!(
            (plan.spec.image, plan.spec.build_id.as_deref()),
            (None, Some("b1"))
        );
    }

    #[test]
    fn without_an_image_the_folder_to_build_comes_from_flags_then_the_file() {
        let plan = merge(args(&["bot"]), None).unwrap();
        let source = plan.source.unwrap();
        assert_eq!(
            (source.dir, source.dockerfile.as_str(), source.explicit),
            (PathBuf::from("."), "Dockerfile", false)
        );
        let loaded = file(
            "agent_name = \"bot\"\n[build]\ncontext_dir = \"app\"\ndockerfile = \"Dockerfile.prod\"\n\
             [build.exclude]\npatterns = [\"*.md\"]\n",
        );
        let source = merge(args(&[]), loaded.clone()).unwrap().source.unwrap();
        assert_eq!(source.dir, PathBuf::from("app"));
        assert_eq!(source.dockerfile, "Dockerfile.prod");
        assert_eq!(source.exclude, vec!["*.md".to_string()]);
        assert!(source.explicit);
        let source = merge(args(&["-d", "other", "--dockerfile", "D"]), loaded)
            .unwrap()
            .source
            .unwrap();
        assert_eq!(
            (source.dir, source.dockerfile),
            (PathBuf::from("other"), "D".into())
        );
        // An image or a build id deploys that: nothing to build.
        assert!(
            merge(args(&["bot", "me/bot:1"]), None)
                .unwrap()
                .source
                .is_none()
        );
        assert!(
            merge(args(&["bot", "-b", "b1"]), None)
                .unwrap()
                .source
                .is_none()
        );
        assert_eq!(
            usage_error(&["bot", "me/bot:1", "--build-dir", "."], None),
            "--build-dir builds from a project folder, and an image or build id was given too"
        );
    }

    #[test]
    fn an_update_sends_only_what_was_set() {
        let plan = merge(args(&["bot"]), None).unwrap();
        assert_eq!(plan.spec, AgentSpec::default());
        let plan = merge(args(&["bot", "--force"]), None).unwrap();
        assert_eq!(plan.spec.force_redeploy, Some(true));
    }

    #[test]
    fn every_rule_is_checked() {
        assert!(usage_error(&[], None).starts_with("no agent name given"));
        assert_eq!(
            usage_error(&["bot", "me/bot"], None),
            "image \"me/bot\" has no tag"
        );
        assert_eq!(
            usage_error(&["bot", "me/bot:1", "--build-id", "b"], None),
            "an image and --build-id were both given"
        );
        assert_eq!(
            usage_error(&["bot", "--max-session-duration", "59"], None),
            "--max-session-duration is 59, outside 60..14400 seconds"
        );
        assert_eq!(
            usage_error(&["bot", "--min-agents", "-1"], None),
            "--min-agents is -1; it must be at least 0"
        );
        assert_eq!(
            usage_error(&["bot", "--max-agents", "99999999999"], None),
            "--max-agents is 99999999999, more than the API takes; it must be at most 4294967295"
        );
        assert_eq!(
            usage_error(&["bot", "--min-agents", "3", "--max-agents", "2"], None),
            "max agents (2) is less than min agents (3)"
        );
        assert_eq!(
            usage_error(&["bot", "--krisp-viva-audio-filter", "max"], None),
            "--krisp-viva-audio-filter is \"max\", not a Krisp VIVA filter"
        );
        let loaded = file("agent_name = \"bot\"\nmax_session_duration = 20000\n");
        assert_eq!(
            usage_error(&[], loaded),
            "`max_session_duration` in pcc-deploy.toml is 20000, outside 60..14400 seconds"
        );
        let mut zero = file("agent_name = \"bot\"\n");
        if let Some((_, config)) = &mut zero {
            config.scaling = Some(Scaling {
                min_agents: None,
                max_agents: Some(0),
            });
        }
        assert_eq!(
            usage_error(&[], zero),
            "`[scaling] max_agents` in pcc-deploy.toml must be at least 1"
        );
    }
}
