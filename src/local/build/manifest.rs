//! A built image directory and its manifest: what the runtime needs to
//! start the agent host of an image.
//!
//! ```text
//! IMAGE_DIR/
//!   manifest.json   this file's [`Manifest`], written last (an image
//!                   without it is incomplete)
//!   agent_host.py   the agent host (see agent_host.py)
//!   venv/           the build's Python virtual environment
//!   root/           the container's filesystem: `/app/bot.py` in the
//!                   Dockerfile is `root/app/bot.py` here
//! ```

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const HOST_FILE: &str = "agent_host.py";
pub const VENV_DIR: &str = "venv";
pub const ROOT_DIR: &str = "root";
/// The manifest format this program writes and reads.
pub const FORMAT: u32 = 1;

/// What a built image is, as JSON in `manifest.json` (paths relative to the
/// image directory, except `workdir`, a container path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: u32,
    /// The `FROM` reference.
    pub base_image: String,
    /// The venv's interpreter, e.g. `venv/bin/python`.
    pub python: String,
    /// `3.11.7`.
    pub python_version: String,
    /// `uv` or `pip`: what installed the requirements.
    pub installer: String,
    /// The container filesystem, e.g. `root`.
    pub root: String,
    /// The working directory inside the container, e.g. `/app`.
    pub workdir: String,
    /// The agent host, e.g. `agent_host.py`.
    pub agent_host: String,
    /// `ENV` of the Dockerfile, given to every session.
    pub env: BTreeMap<String, String>,
}

/// How to start an image's agent host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLaunch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The working directory (the host imports `bot` from it).
    pub cwd: PathBuf,
    /// Set on top of the inherited environment (the runtime adds the
    /// session's own variables and secrets after these).
    pub env: Vec<(OsString, OsString)>,
}

impl HostLaunch {
    /// A command for this launch, without the server's own `PYTHONPATH`
    /// and `PYTHONHOME` (stdio and process group are the caller's choice;
    /// one pipe for both stdout and stderr keeps the lines in order).
    pub fn command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.cwd)
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }
}

impl Manifest {
    /// Read `IMAGE_DIR/manifest.json`.
    pub fn load(image_dir: &Path) -> io::Result<Manifest> {
        let path = image_dir.join(MANIFEST_FILE);
        let mut text = String::new();
        fs::File::open(&path)?
            .take(1024 * 1024)
            .read_to_string(&mut text)?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|err| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {err}", path.display()),
            )
        })?;
        if manifest.format != FORMAT {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: image format {} is not {FORMAT}; rebuild the image",
                    path.display(),
                    manifest.format
                ),
            ));
        }
        Ok(manifest)
    }

    /// Write it as the last file of the image (temp file, then rename).
    pub fn save(&self, image_dir: &Path) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        let temp = image_dir.join(format!("{MANIFEST_FILE}.tmp"));
        fs::write(&temp, text + "\n")?;
        fs::rename(&temp, image_dir.join(MANIFEST_FILE))
    }

    /// The working directory on this machine.
    pub fn workdir_path(&self, image_dir: &Path) -> PathBuf {
        image_dir
            .join(&self.root)
            .join(self.workdir.trim_start_matches('/'))
    }

    /// How to start the agent host on `port`: the venv's Python running
    /// `agent_host.py` in the working directory, with the Dockerfile's
    /// `ENV`, `PORT`, the venv first on `PATH`, unbuffered output and no
    /// bytecode written into the image.
    pub fn host_launch(&self, image_dir: &Path, port: u16) -> HostLaunch {
        let venv_bin = image_dir.join(&self.python).parent().map(Path::to_path_buf);
        let path = self
            .env
            .get("PATH")
            .map(OsString::from)
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let path = match &venv_bin {
            Some(bin) => std::env::join_paths(
                std::iter::once(bin.clone()).chain(std::env::split_paths(&path)),
            )
            .unwrap_or(path),
            None => path,
        };
        let mut env: Vec<(OsString, OsString)> = self
            .env
            .iter()
            .filter(|(key, _)| key.as_str() != "PATH")
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        env.push(("PORT".into(), port.to_string().into()));
        env.push(("PATH".into(), path));
        env.push((
            "VIRTUAL_ENV".into(),
            image_dir.join(VENV_DIR).into_os_string(),
        ));
        env.push(("PYTHONUNBUFFERED".into(), "1".into()));
        env.push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
        HostLaunch {
            program: image_dir.join(&self.python),
            args: vec![image_dir.join(&self.agent_host).into_os_string()],
            cwd: self.workdir_path(image_dir),
            env,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT,
            base_image: "dailyco/pipecat-base:latest".into(),
            python: "venv/bin/python".into(),
            python_version: "3.11.7".into(),
            installer: "pip".into(),
            root: ROOT_DIR.into(),
            workdir: "/app".into(),
            agent_host: HOST_FILE.into(),
            env: BTreeMap::from([("GREETING".to_string(), "hi".to_string())]),
        }
    }

    #[test]
    fn round_trips_and_launches_in_the_workdir() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = manifest();
        manifest.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), manifest);
        let text = fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
        assert!(
            text.contains("\"baseImage\": \"dailyco/pipecat-base:latest\""),
            "{text}"
        );

        let launch = manifest.host_launch(dir.path(), 4321);
        assert_eq!(launch.program, dir.path().join("venv/bin/python"));
        assert_eq!(launch.cwd, dir.path().join("root/app"));
        assert_eq!(
            launch.args,
            vec![dir.path().join("agent_host.py").into_os_string()]
        );
        let env: BTreeMap<_, _> = launch.env.iter().cloned().collect();
        assert_eq!(env[&OsString::from("PORT")], "4321");
        assert_eq!(env[&OsString::from("GREETING")], "hi");
        let path = env[&OsString::from("PATH")].to_string_lossy().into_owned();
        assert!(
            path.starts_with(&dir.path().join("venv/bin").display().to_string()),
            "{path}"
        );
    }

    #[test]
    fn another_format_asks_for_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = manifest();
        manifest.format = 99;
        manifest.save(dir.path()).unwrap();
        let err = Manifest::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("rebuild the image"), "{err}");
    }
}
