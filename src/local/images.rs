//! Which local command an image reference runs.
//!
//! The built-in `pipecat-local/demo-bot` (any tag) runs this program's
//! hidden `cloud local demo-bot` subcommand. `pipecat-local/builds:<build
//! id>` (a cloud build's `imageUri`) runs the agent host of that built
//! image, when the build succeeded. `--image NAME=COMMAND` maps other
//! references to shell commands, and `--image NAME=http:COMMAND` to a
//! command that serves the agent container contract on `$PORT`: a `NAME`
//! with a tag matches exactly that tag, a `NAME` without one matches every
//! tag of the repository. Exact matches win over repository matches, which
//! win over the built-ins.

use std::path::PathBuf;

use super::build::manifest::{MANIFEST_FILE, Manifest};

/// The repository of the built-in demo bot.
pub const DEMO_BOT_REPOSITORY: &str = "pipecat-local/demo-bot";
/// The repository of cloud builds; the tag is the build id.
pub const BUILD_IMAGE_REPOSITORY: &str = "pipecat-local/builds";
/// What a mapping's command starts with when it serves the contract.
pub const HTTP_PREFIX: &str = "http:";

/// The `imageUri` of a successful build.
pub fn build_image_uri(build_id: &str) -> String {
    format!("{BUILD_IMAGE_REPOSITORY}:{build_id}")
}
/// The image the seeded agent runs.
pub const DEMO_BOT_IMAGE: &str = "pipecat-local/demo-bot:latest";

/// One `--image NAME=COMMAND` mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMapping {
    pub name: String,
    pub command: String,
}

impl std::str::FromStr for ImageMapping {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, command) = text
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=COMMAND, got {text:?}"))?;
        let (name, command) = (name.trim(), command.trim());
        if name.is_empty() || command.is_empty() {
            return Err(format!(
                "expected NAME=COMMAND with both parts, got {text:?}"
            ));
        }
        if command
            .strip_prefix(HTTP_PREFIX)
            .is_some_and(|rest| rest.trim().is_empty())
        {
            return Err(format!(
                "expected NAME=http:COMMAND with a command after `http:`, got {text:?}"
            ));
        }
        Ok(ImageMapping {
            name: name.to_string(),
            command: command.to_string(),
        })
    }
}

/// How to start a session's process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// `PROGRAM cloud local demo-bot`.
    DemoBot(PathBuf),
    /// `/bin/sh -c COMMAND`.
    Shell(String),
    /// A built image (its directory): its agent host, through the contract.
    Built(PathBuf),
    /// `/bin/sh -c COMMAND` with `PORT` set, through the contract.
    Http(String),
}

impl Launch {
    /// Whether sessions are driven through the agent container contract
    /// (`/readyz`, then `POST /bot`).
    pub fn speaks_contract(&self) -> bool {
        matches!(self, Launch::Built(_) | Launch::Http(_))
    }
}

/// The images this server knows.
#[derive(Debug, Clone)]
pub struct ImageCatalog {
    mappings: Vec<ImageMapping>,
    demo_bot_program: PathBuf,
    /// Built images, one directory per build id.
    images_dir: PathBuf,
}

impl ImageCatalog {
    pub fn new(
        mappings: Vec<ImageMapping>,
        demo_bot_program: PathBuf,
        images_dir: PathBuf,
    ) -> Self {
        ImageCatalog {
            mappings,
            demo_bot_program,
            images_dir,
        }
    }

    /// What `image` runs, or `None` when this server cannot run it (the
    /// agent is then not ready).
    pub fn resolve(&self, image: &str) -> Option<Launch> {
        let (repository, tag) = split_reference(image);
        let exact = self.mappings.iter().find(|m| m.name == image);
        let by_repository = || {
            self.mappings
                .iter()
                .find(|m| split_reference(&m.name).1.is_none() && m.name == repository)
        };
        if let Some(mapping) = exact.or_else(by_repository) {
            return Some(match mapping.command.strip_prefix(HTTP_PREFIX) {
                Some(command) => Launch::Http(command.trim().to_string()),
                None => Launch::Shell(mapping.command.clone()),
            });
        }
        match repository {
            DEMO_BOT_REPOSITORY => Some(Launch::DemoBot(self.demo_bot_program.clone())),
            BUILD_IMAGE_REPOSITORY => self.built_image(tag?),
            _ => None,
        }
    }

    /// The directory of a successful build (its manifest is written last).
    fn built_image(&self, build_id: &str) -> Option<Launch> {
        // Only a UUID names a directory: no tag can point elsewhere.
        let id = uuid::Uuid::parse_str(build_id)
            .ok()?
            .hyphenated()
            .to_string();
        let dir = self.images_dir.join(id);
        dir.join(MANIFEST_FILE)
            .is_file()
            .then(|| Manifest::load(&dir).ok())
            .flatten()
            .map(|_| Launch::Built(dir))
    }
}

/// `registry/repo:tag@digest` → (`registry/repo`, `Some("tag")`). A colon
/// before the last slash is a registry port, not a tag.
fn split_reference(image: &str) -> (&str, Option<&str>) {
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (&without_digest[..at], Some(&without_digest[at + 1..]))
        }
        None => (without_digest, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(mappings: &[&str]) -> ImageCatalog {
        let mappings = mappings.iter().map(|m| m.parse().unwrap()).collect();
        ImageCatalog::new(
            mappings,
            PathBuf::from("/bin/pipecat"),
            PathBuf::from("/nonexistent/images"),
        )
    }

    #[test]
    fn demo_bot_matches_any_tag() {
        let c = catalog(&[]);
        assert!(matches!(
            c.resolve("pipecat-local/demo-bot:latest"),
            Some(Launch::DemoBot(_))
        ));
        assert!(matches!(
            c.resolve("pipecat-local/demo-bot:0.1"),
            Some(Launch::DemoBot(_))
        ));
        assert!(matches!(
            c.resolve("pipecat-local/demo-bot"),
            Some(Launch::DemoBot(_))
        ));
        assert_eq!(c.resolve("someone/else:1"), None);
    }

    #[test]
    fn mappings_match_by_tag_or_repository() {
        let c = catalog(&[
            "me/bot:1=echo one",
            "me/bot=echo any",
            "reg:5000/x=echo port",
        ]);
        assert_eq!(
            c.resolve("me/bot:1"),
            Some(Launch::Shell("echo one".into()))
        );
        assert_eq!(
            c.resolve("me/bot:2"),
            Some(Launch::Shell("echo any".into()))
        );
        assert_eq!(
            c.resolve("reg:5000/x:3"),
            Some(Launch::Shell("echo port".into()))
        );
        assert_eq!(c.resolve("reg:5000/y:3"), None);
    }

    #[test]
    fn rejects_malformed_mappings() {
        assert!("no-equals".parse::<ImageMapping>().is_err());
        assert!("=cmd".parse::<ImageMapping>().is_err());
        assert!("name=".parse::<ImageMapping>().is_err());
        assert!("name=http:".parse::<ImageMapping>().is_err());
    }

    #[test]
    fn http_mappings_speak_the_contract() {
        let c = catalog(&["me/srv=http: python3 server.py", "me/sh=echo http:"]);
        let launch = c.resolve("me/srv:1").unwrap();
        assert_eq!(launch, Launch::Http("python3 server.py".into()));
        assert!(launch.speaks_contract());
        assert_eq!(
            c.resolve("me/sh").unwrap(),
            Launch::Shell("echo http:".into())
        );
    }

    #[test]
    fn builds_resolve_to_their_image_directory_only_once_built() {
        let images = tempfile::tempdir().unwrap();
        let c = ImageCatalog::new(
            Vec::new(),
            PathBuf::from("/bin/pipecat"),
            images.path().into(),
        );
        let id = "5b0c1e9e-7a55-4b1e-9a43-0d6c2f1e8a11";
        assert_eq!(c.resolve(&build_image_uri(id)), None);
        let dir = images.path().join(id);
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(c.resolve(&build_image_uri(id)), None, "no manifest yet");
        crate::local::build::manifest::Manifest {
            format: crate::local::build::manifest::FORMAT,
            base_image: "dailyco/pipecat-base".into(),
            python: "venv/bin/python".into(),
            python_version: "3.11.2".into(),
            installer: "pip".into(),
            root: "root".into(),
            workdir: "/app".into(),
            agent_host: "agent_host.py".into(),
            env: Default::default(),
        }
        .save(&dir)
        .unwrap();
        assert_eq!(c.resolve(&build_image_uri(id)), Some(Launch::Built(dir)));
        // Upper case is the same id; anything else names no directory.
        assert!(c.resolve(&build_image_uri(&id.to_uppercase())).is_some());
        assert_eq!(c.resolve("pipecat-local/builds:../../etc"), None);
        assert_eq!(c.resolve("pipecat-local/builds"), None);
    }
}
