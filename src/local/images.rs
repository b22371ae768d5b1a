//! Which local command an image reference runs.
//!
//! The built-in `pipecat-local/demo-bot` (any tag) runs this program's
//! hidden `cloud local demo-bot` subcommand. `--image NAME=COMMAND` maps
//! other references to shell commands: a `NAME` with a tag matches exactly
//! that tag, a `NAME` without one matches every tag of the repository.
//! Exact matches win over repository matches, which win over the built-in.

use std::path::PathBuf;

/// The repository of the built-in demo bot.
pub const DEMO_BOT_REPOSITORY: &str = "pipecat-local/demo-bot";
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
}

/// The images this server knows.
#[derive(Debug, Clone)]
pub struct ImageCatalog {
    mappings: Vec<ImageMapping>,
    demo_bot_program: PathBuf,
}

impl ImageCatalog {
    pub fn new(mappings: Vec<ImageMapping>, demo_bot_program: PathBuf) -> Self {
        ImageCatalog {
            mappings,
            demo_bot_program,
        }
    }

    /// What `image` runs, or `None` when this server cannot run it (the
    /// agent is then not ready).
    pub fn resolve(&self, image: &str) -> Option<Launch> {
        let (repository, _) = split_reference(image);
        let exact = self.mappings.iter().find(|m| m.name == image);
        let by_repository = || {
            self.mappings
                .iter()
                .find(|m| split_reference(&m.name).1.is_none() && m.name == repository)
        };
        if let Some(mapping) = exact.or_else(by_repository) {
            return Some(Launch::Shell(mapping.command.clone()));
        }
        (repository == DEMO_BOT_REPOSITORY).then(|| Launch::DemoBot(self.demo_bot_program.clone()))
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
        ImageCatalog::new(mappings, PathBuf::from("/bin/pipecat"))
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
    }
}
