//! The native builder: a `FROM dailyco/pipecat-base` project (an unpacked
//! build context) becomes an image directory (see [`super::manifest`])
//! without Docker.
//!
//! Steps, each reported as build log lines:
//! 1. read and check the whole Dockerfile (see [`super::dockerfile`]);
//!    nothing runs if any line is unsupported;
//! 2. find Python 3.8+: `python3.X` when the base tag asks for `-py3.X`
//!    and it runs here, else `python3` (none: the build fails saying so);
//! 3. create the image's virtual environment: `uv venv` when `uv` is on
//!    `PATH`, else `python3 -m venv` (with its own pip);
//! 4. play the instructions in order: `COPY`/`ADD` lay files out under
//!    `root/` (the container's `/`), `WORKDIR` moves (default `/app`),
//!    `ENV` adds to the environment, `RUN pip install` runs the venv's pip
//!    (or `uv pip install --python` the venv) in the working directory;
//!    absolute paths in its arguments are container paths, so they are
//!    read under `root/`;
//! 5. check that the working directory holds the `bot` module, write the
//!    agent host and, last, `manifest.json`.
//!
//! `COPY` follows Docker: a directory source copies its contents, several
//! sources need a destination ending in `/`, a file onto an existing
//! directory lands inside it, wildcards match per path component, symlinks
//! are copied as links (refused if they would climb above the image root)
//! and nothing is ever written through one. Every command runs in its own
//! process group with a timeout ([`BuildOptions::step_timeout`]); its
//! output lines become log lines (cut at [`BuildOptions::max_line_bytes`],
//! at most [`BuildOptions::max_lines_per_step`] per step). A failed or
//! dropped build removes the image directory.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::AGENT_HOST;
use super::dockerfile::{self, BASE_WORKDIR, Copy, Dockerfile, DockerfileError, Instruction, Step};
use super::manifest::{FORMAT, HOST_FILE, Manifest, ROOT_DIR, VENV_DIR};
use super::paths::{PathFailure, create_real_dirs, link_stays_inside};
use crate::api::build_context::{MAX_CONTEXT_BYTES, Pattern};
use crate::local::lines::LineReader;

/// The largest Dockerfile read.
const MAX_DOCKERFILE_BYTES: u64 = 1024 * 1024;
/// What `COPY`/`ADD` may write in all, across a build.
const MAX_COPY_BYTES: u64 = 4 * MAX_CONTEXT_BYTES;
/// How long a dead command's output may take to drain.
const DRAIN: Duration = Duration::from_secs(2);
/// Probing an interpreter.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);
/// The oldest Python the agent host runs on.
const MIN_PYTHON: (u32, u32) = (3, 8);

/// Which tool creates the venv and installs requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installer {
    /// `uv` when it is on `PATH`, else pip.
    Auto,
    /// `python -m venv` and the venv's pip.
    Pip,
    /// This `uv` program.
    Uv(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// The Python to build with; `None` picks one (see the module doc).
    pub python: Option<PathBuf>,
    pub installer: Installer,
    /// pip's and uv's caches (`PIP_CACHE_DIR`, `UV_CACHE_DIR`); `None`
    /// leaves the tools' own defaults.
    pub cache_dir: Option<PathBuf>,
    /// The longest any one command may run.
    pub step_timeout: Duration,
    pub max_line_bytes: usize,
    pub max_lines_per_step: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            python: None,
            installer: Installer::Auto,
            cache_dir: None,
            step_timeout: Duration::from_secs(15 * 60),
            max_line_bytes: 4096,
            max_lines_per_step: 5000,
        }
    }
}

/// Why a build failed; the message is the build's `errorMessage`.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// An unsupported line, or a step that failed: names the line.
    #[error(transparent)]
    Dockerfile(#[from] DockerfileError),
    #[error("Dockerfile {path}: {reason}")]
    NoDockerfile { path: String, reason: String },
    #[error(
        "no Python 3 on this machine ({tried}): the local cloud builds agents in a Python virtual environment; install Python {}.{} or newer",
        MIN_PYTHON.0,
        MIN_PYTHON.1
    )]
    NoPython { tried: String },
    #[error("{what} failed: {message}")]
    Tool { what: String, message: String },
    #[error(
        "no `bot` module in the working directory {workdir} after the build: COPY your bot.py there (the agent host imports `bot` and calls bot(args))"
    )]
    NoBot { workdir: String },
    #[error("cannot write the image at {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Build the context at `context` with its Dockerfile `dockerfile` (a
/// path inside it) into `image_dir`, which must not exist. Log lines go
/// to `log` as they happen.
pub async fn build(
    context: &Path,
    dockerfile: &str,
    image_dir: &Path,
    options: &BuildOptions,
    log: &mut (dyn FnMut(String) + Send),
) -> Result<Manifest, BuildError> {
    let started = Instant::now();
    let context = &fs::canonicalize(context).map_err(|err| BuildError::NoDockerfile {
        path: dockerfile.to_string(),
        reason: format!("the build context {}: {err}", context.display()),
    })?;
    let file = read_dockerfile(context, dockerfile)?;
    let parsed = dockerfile::parse(&file)?;
    let steps = parsed.instructions.len() + 1;
    log(format!("[1/{steps}] FROM {}", parsed.base.reference));
    let python = find_python(options, parsed.base.python.as_deref(), log).await?;
    let installer = match &options.installer {
        Installer::Auto => find_on_path("uv").map_or(Installer::Pip, Installer::Uv),
        other => other.clone(),
    };
    fs::create_dir(image_dir).map_err(io_error(image_dir))?;
    // Removed again unless the build completes, also when this future is
    // dropped half-way.
    let mut unfinished = RemoveOnDrop(Some(image_dir.to_path_buf()));
    let manifest = Builder {
        context,
        image_dir,
        root: image_dir.join(ROOT_DIR),
        options,
        installer,
        python,
        workdir: container_path(&[], BASE_WORKDIR),
        env: BTreeMap::new(),
        copied: 0,
        log,
    }
    .run(parsed, steps)
    .await?;
    unfinished.0 = None;
    log(format!(
        "build finished in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(manifest)
}

struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// The Dockerfile's text; `context` is canonical.
fn read_dockerfile(context: &Path, dockerfile: &str) -> Result<String, BuildError> {
    let error = |reason: String| BuildError::NoDockerfile {
        path: dockerfile.to_string(),
        reason,
    };
    let relative = inside_context(dockerfile)
        .ok_or_else(|| error("must be a relative path inside the build context".into()))?;
    let real = fs::canonicalize(context.join(&relative))
        .map_err(|_| error("does not exist in the build context".into()))?;
    if !real.starts_with(context) || !real.is_file() {
        return Err(error("is not a file inside the build context".into()));
    }
    let mut text = String::new();
    fs::File::open(&real)
        .and_then(|file| file.take(MAX_DOCKERFILE_BYTES).read_to_string(&mut text))
        .map_err(|err| error(err.to_string()))?;
    Ok(text)
}

struct Python {
    executable: PathBuf,
    version: String,
}

async fn find_python(
    options: &BuildOptions,
    wanted: Option<&str>,
    log: &mut (dyn FnMut(String) + Send),
) -> Result<Python, BuildError> {
    let candidates: Vec<PathBuf> = match &options.python {
        Some(python) => vec![python.clone()],
        None => wanted
            .map(|version| PathBuf::from(format!("python{version}")))
            .into_iter()
            .chain([PathBuf::from("python3")])
            .collect(),
    };
    let mut tried = Vec::new();
    for candidate in &candidates {
        tried.push(candidate.display().to_string());
        let Some(python) = probe_python(candidate).await else {
            continue;
        };
        if let Some(wanted) = wanted
            && !python.version.starts_with(&format!("{wanted}."))
        {
            log(format!(
                "  the base image asks for Python {wanted}, which is not on this machine: building with Python {}",
                python.version
            ));
        }
        log(format!(
            "  Python {} ({})",
            python.version,
            python.executable.display()
        ));
        return Ok(python);
    }
    Err(BuildError::NoPython {
        tried: format!("tried {}", tried.join(", ")),
    })
}

/// The interpreter's real path and version, if it runs and is new enough.
async fn probe_python(candidate: &Path) -> Option<Python> {
    let output = Command::new(candidate)
        .args([
            "-c",
            "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])",
        ])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(PROBE_TIMEOUT, output)
        .await
        .ok()?
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let mut lines = text.lines();
    let executable = PathBuf::from(lines.next()?);
    let version = lines.next()?.to_string();
    let mut numbers = version.split('.').map(|n| n.parse::<u32>().ok());
    let major_minor = (numbers.next()??, numbers.next()??);
    (major_minor >= MIN_PYTHON && executable.is_absolute()).then_some(Python {
        executable,
        version,
    })
}

/// A program on `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

struct Builder<'a> {
    context: &'a Path,
    image_dir: &'a Path,
    root: PathBuf,
    options: &'a BuildOptions,
    installer: Installer,
    python: Python,
    /// The container's working directory, as components.
    workdir: Vec<String>,
    env: BTreeMap<String, String>,
    copied: u64,
    log: &'a mut (dyn FnMut(String) + Send),
}

impl Builder<'_> {
    async fn run(mut self, parsed: Dockerfile, steps: usize) -> Result<Manifest, BuildError> {
        fs::create_dir(&self.root).map_err(io_error(&self.root))?;
        self.create_venv().await?;
        self.enter_workdir().map_err(|message| BuildError::Tool {
            what: "creating the working directory".into(),
            message,
        })?;
        for (index, instruction) in parsed.instructions.iter().enumerate() {
            (self.log)(format!("[{}/{steps}] {}", index + 2, instruction.text));
            self.step(instruction)
                .await
                .map_err(|message| DockerfileError {
                    line: instruction.line,
                    text: instruction.text.clone(),
                    message,
                })?;
        }
        let workdir = self.workdir_path();
        if !workdir.join("bot.py").is_file() && !workdir.join("bot/__init__.py").is_file() {
            return Err(BuildError::NoBot {
                workdir: self.workdir_text(),
            });
        }
        let host = self.image_dir.join(HOST_FILE);
        fs::write(&host, AGENT_HOST).map_err(io_error(&host))?;
        let manifest = Manifest {
            format: FORMAT,
            base_image: parsed.base.reference,
            python: format!("{VENV_DIR}/bin/python"),
            python_version: self.python.version.clone(),
            installer: match self.installer {
                Installer::Uv(_) => "uv".into(),
                _ => "pip".into(),
            },
            root: ROOT_DIR.into(),
            workdir: self.workdir_text(),
            agent_host: HOST_FILE.into(),
            env: self.env.clone(),
        };
        manifest
            .save(self.image_dir)
            .map_err(io_error(self.image_dir))?;
        Ok(manifest)
    }

    async fn create_venv(&mut self) -> Result<(), BuildError> {
        let venv = self.image_dir.join(VENV_DIR);
        let mut command = match &self.installer {
            Installer::Uv(uv) => {
                (self.log)(format!(
                    "  creating the virtual environment with {}",
                    uv.display()
                ));
                let mut command = Command::new(uv);
                command
                    .arg("venv")
                    .arg("--python")
                    .arg(&self.python.executable)
                    .arg(&venv);
                command
            }
            _ => {
                (self.log)("  creating the virtual environment (python -m venv)".into());
                let mut command = Command::new(&self.python.executable);
                command.args(["-m", "venv"]).arg(&venv);
                command
            }
        };
        self.tool_env(&mut command);
        command.current_dir(self.image_dir);
        self.run_logged(command)
            .await
            .map_err(|message| BuildError::Tool {
                what: "creating the virtual environment".into(),
                message,
            })
    }

    async fn step(&mut self, instruction: &Instruction) -> Result<(), String> {
        match &instruction.step {
            Step::Copy(copy) => self.copy(copy),
            Step::Env(pairs) => {
                for (key, value) in pairs {
                    self.env.insert(key.clone(), value.clone());
                }
                let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
                (self.log)(format!("  environment: {}", names.join(", ")));
                Ok(())
            }
            Step::Workdir(dir) => {
                self.workdir = container_path(&self.workdir, dir);
                self.enter_workdir()?;
                let line = format!("  working directory {}", self.workdir_text());
                (self.log)(line);
                Ok(())
            }
            Step::PipInstall(args) => self.pip_install(args).await,
            Step::Note(note) => {
                (self.log)(format!("  {note}"));
                Ok(())
            }
        }
    }

    fn workdir_path(&self) -> PathBuf {
        self.root.join(self.workdir.join("/"))
    }

    fn workdir_text(&self) -> String {
        format!("/{}", self.workdir.join("/"))
    }

    fn enter_workdir(&self) -> Result<(), String> {
        let relative = PathBuf::from(self.workdir.join("/"));
        create_real_dirs(&self.root, &relative).map_err(|failure| describe(&failure))
    }

    fn copy(&mut self, copy: &Copy) -> Result<(), String> {
        for flag in &copy.ignored_flags {
            (self.log)(format!(
                "  ignoring {flag}: files belong to the server's user"
            ));
        }
        let dest = container_path(&self.workdir, &copy.dest);
        let dest_is_dir = copy.dest.ends_with('/') || copy.dest == "." || copy.dest.ends_with("/.");
        let mut sources = Vec::new();
        for source in &copy.sources {
            sources.extend(self.resolve_source(source)?);
        }
        if sources.len() > 1 && !dest_is_dir {
            return Err(format!(
                "with several sources the destination must be a directory ending in `/` (got {})",
                copy.dest
            ));
        }
        let mut count = 0u64;
        for source in &sources {
            let meta = fs::symlink_metadata(source).map_err(|err| err.to_string())?;
            if meta.is_dir() {
                self.make_dirs(&dest)?;
                count += self.copy_dir(source, &dest, copy.chmod)?;
                continue;
            }
            if copy.add && meta.is_file() && looks_like_archive(source) {
                return Err(format!(
                    "ADD would unpack the archive {}, which the local cloud does not do: unpack it in the project and COPY the files",
                    self.context_name(source)
                ));
            }
            let dest_host = self.root.join(dest.join("/"));
            let into_dir = dest_is_dir
                || sources.len() > 1
                || fs::symlink_metadata(&dest_host).is_ok_and(|m| m.is_dir());
            let mut target = dest.clone();
            if into_dir {
                let name = source
                    .file_name()
                    .ok_or("a source without a name")?
                    .to_string_lossy()
                    .into_owned();
                target.push(name);
            }
            self.copy_entry(source, &target, copy.chmod)?;
            count += 1;
        }
        (self.log)(format!(
            "  copied {count} file{} to /{}",
            if count == 1 { "" } else { "s" },
            dest.join("/")
        ));
        Ok(())
    }

    /// The context paths a `COPY` source names (wildcards expanded).
    fn resolve_source(&self, source: &str) -> Result<Vec<PathBuf>, String> {
        let parts = inside_context(source)
            .ok_or_else(|| format!("{source} is outside the build context"))?;
        let mut matches = vec![self.context.to_path_buf()];
        for part in parts.components() {
            let part = part.as_os_str().to_string_lossy();
            if part.contains(['*', '?', '[']) {
                let pattern = Pattern::new(&part);
                let mut next = Vec::new();
                for dir in matches.iter().filter(|m| m.is_dir()) {
                    let mut names: Vec<String> = fs::read_dir(dir)
                        .map_err(|err| err.to_string())?
                        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                        .filter(|name| pattern.matches(name))
                        .collect();
                    names.sort();
                    next.extend(names.into_iter().map(|name| dir.join(name)));
                }
                matches = next;
            } else {
                for path in &mut matches {
                    path.push(part.as_ref());
                }
            }
        }
        matches.retain(|path| fs::symlink_metadata(path).is_ok());
        // A path through a link must still be inside the context.
        matches.retain(|path| {
            path == self.context
                || path
                    .parent()
                    .and_then(|parent| fs::canonicalize(parent).ok())
                    .is_some_and(|parent| parent.starts_with(self.context))
        });
        if matches.is_empty() {
            return Err(format!("{source}: no such file in the build context"));
        }
        Ok(matches)
    }

    fn copy_dir(
        &mut self,
        source: &Path,
        dest: &[String],
        chmod: Option<u32>,
    ) -> Result<u64, String> {
        let mut entries: Vec<_> = fs::read_dir(source)
            .map_err(|err| err.to_string())?
            .collect::<Result<_, _>>()
            .map_err(|err| err.to_string())?;
        entries.sort_by_key(|entry| entry.file_name());
        let mut count = 0;
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut target = dest.to_vec();
            target.push(name);
            let kind = entry.file_type().map_err(|err| err.to_string())?;
            if kind.is_dir() {
                self.make_dirs(&target)?;
                count += self.copy_dir(&entry.path(), &target, chmod)?;
            } else {
                self.copy_entry(&entry.path(), &target, chmod)?;
                count += 1;
            }
        }
        if let Some(mode) = chmod {
            set_mode(&self.root.join(dest.join("/")), mode)?;
        }
        Ok(count)
    }

    /// Copy one file or symlink to the container path `target`, replacing
    /// a file or link there (never writing through it).
    fn copy_entry(
        &mut self,
        source: &Path,
        target: &[String],
        chmod: Option<u32>,
    ) -> Result<(), String> {
        let (_, parent) = target.split_last().ok_or("cannot copy onto /")?;
        self.make_dirs(parent)?;
        let host = self.root.join(target.join("/"));
        if let Ok(existing) = fs::symlink_metadata(&host) {
            if existing.is_dir() {
                return Err(format!("/{} is a directory", target.join("/")));
            }
            fs::remove_file(&host).map_err(|err| err.to_string())?;
        }
        let meta = fs::symlink_metadata(source).map_err(|err| err.to_string())?;
        if meta.file_type().is_symlink() {
            let link = fs::read_link(source).map_err(|err| err.to_string())?;
            if !link_stays_inside(&PathBuf::from(target.join("/")), &link) {
                return Err(format!(
                    "the symlink {} -> {} would point outside the image at /{}",
                    self.context_name(source),
                    link.display(),
                    target.join("/")
                ));
            }
            std::os::unix::fs::symlink(&link, &host).map_err(|err| err.to_string())?;
            return Ok(());
        }
        if !meta.is_file() {
            return Err(format!(
                "{} is not a regular file",
                self.context_name(source)
            ));
        }
        self.copied += meta.len();
        if self.copied > MAX_COPY_BYTES {
            return Err(format!(
                "COPY and ADD wrote more than {} in all",
                crate::api::build_context::format_size(MAX_COPY_BYTES)
            ));
        }
        fs::copy(source, &host).map_err(|err| format!("{}: {err}", self.context_name(source)))?;
        if let Some(mode) = chmod {
            set_mode(&host, mode)?;
        }
        Ok(())
    }

    fn make_dirs(&self, container: &[String]) -> Result<(), String> {
        create_real_dirs(&self.root, &PathBuf::from(container.join("/")))
            .map_err(|failure| describe(&failure))
    }

    fn context_name(&self, source: &Path) -> String {
        source
            .strip_prefix(self.context)
            .unwrap_or(source)
            .display()
            .to_string()
    }

    async fn pip_install(&mut self, args: &[String]) -> Result<(), String> {
        let venv_python = self.image_dir.join(VENV_DIR).join("bin/python");
        let args: Vec<OsString> = args
            .iter()
            .map(|arg| container_arg(arg, &self.root))
            .collect();
        let uv = match &self.installer {
            Installer::Uv(uv) => Some(uv.clone()),
            _ => None,
        };
        let mut command = match uv {
            Some(uv) => {
                let mut command = Command::new(uv);
                command
                    .args(["pip", "install", "--python"])
                    .arg(&venv_python)
                    .args(self.for_uv(args));
                command
            }
            None => {
                let mut command = Command::new(&venv_python);
                command.args(["-m", "pip", "install"]).args(args);
                command
            }
        };
        self.tool_env(&mut command);
        command
            .envs(&self.env)
            .env("VIRTUAL_ENV", self.image_dir.join(VENV_DIR))
            .env("PATH", self.path_with_venv())
            .current_dir(self.workdir_path());
        self.run_logged(command).await
    }

    /// pip options that uv does not take and that change nothing that is
    /// installed are left out (and said so).
    fn for_uv(&mut self, args: Vec<OsString>) -> Vec<OsString> {
        const DROPPED: &[&str] = &[
            "--no-warn-script-location",
            "--no-input",
            "--prefer-binary",
            "--use-pep517",
            "--no-use-pep517",
        ];
        const DROPPED_WITH_VALUE: &[&str] = &["--root-user-action", "--progress-bar"];
        let mut kept = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let text = arg.to_string_lossy().into_owned();
            let name = text.split('=').next().unwrap_or_default();
            if DROPPED.contains(&text.as_str()) || DROPPED_WITH_VALUE.contains(&name) {
                if DROPPED_WITH_VALUE.contains(&name) && !text.contains('=') {
                    args.next();
                }
                (self.log)(format!("  uv: leaving out pip's {name}"));
                continue;
            }
            kept.push(arg);
        }
        kept
    }

    fn path_with_venv(&self) -> OsString {
        let bin = self.image_dir.join(VENV_DIR).join("bin");
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path)))
            .unwrap_or(path)
    }

    /// What every tool gets: no stray Python paths from the server's
    /// environment, no prompts, no version checks, no Python downloads, the
    /// chosen caches.
    fn tool_env(&self, command: &mut Command) {
        command
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INPUT", "1")
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env("PYTHONUNBUFFERED", "1");
        if let Some(cache) = &self.options.cache_dir {
            command
                .env("PIP_CACHE_DIR", cache.join("pip"))
                .env("UV_CACHE_DIR", cache.join("uv"));
        }
    }

    /// Run a command to its end, its output as log lines; `Err` says how
    /// it failed, with its last lines.
    async fn run_logged(&mut self, mut command: Command) -> Result<(), String> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        // SAFETY: only prctl(2) runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from)
            });
        }
        let program = command
            .as_std()
            .get_program()
            .to_string_lossy()
            .into_owned();
        let mut child = command
            .spawn()
            .map_err(|err| format!("cannot run {program}: {err}"))?;
        let _group = child.id().map(|pid| GroupKill(Pid::from_raw(pid as i32)));
        let (sender, mut lines) = mpsc::channel::<String>(256);
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sender = sender.clone();
            let max = self.options.max_line_bytes;
            tokio::spawn(async move {
                let mut reader = LineReader::new(stream, max);
                while let Ok(Some(line)) = reader.next_line().await {
                    if sender.send(line).await.is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);

        let deadline = Instant::now() + self.options.step_timeout;
        let mut status: Option<ExitStatus> = None;
        let mut drain_until = deadline;
        let mut shown = 0usize;
        let mut hidden = 0usize;
        let mut tail: VecDeque<String> = VecDeque::new();
        loop {
            tokio::select! {
                line = lines.recv() => match line {
                    Some(line) => {
                        if tail.len() == 3 {
                            tail.pop_front();
                        }
                        tail.push_back(line.clone());
                        if shown < self.options.max_lines_per_step {
                            (self.log)(line);
                            shown += 1;
                        } else {
                            hidden += 1;
                        }
                    }
                    None => break,
                },
                exit = child.wait(), if status.is_none() => {
                    status = Some(exit.map_err(|err| err.to_string())?);
                    drain_until = (Instant::now() + DRAIN).min(deadline);
                }
                _ = tokio::time::sleep_until(drain_until) => break,
            }
        }
        if hidden > 0 {
            (self.log)(format!("  ({hidden} more lines not shown)"));
        }
        let status = match status {
            Some(status) => status,
            None => {
                // Output ended first: the process is on its way out.
                match tokio::time::timeout_at(deadline, child.wait()).await {
                    Ok(exit) => exit.map_err(|err| err.to_string())?,
                    Err(_) => {
                        return Err(format!(
                            "{program} did not finish within {} s and was stopped",
                            self.options.step_timeout.as_secs()
                        ));
                    }
                }
            }
        };
        if status.success() {
            return Ok(());
        }
        let last: Vec<String> = tail.into_iter().filter(|l| !l.trim().is_empty()).collect();
        Err(format!(
            "{program} exited with {}{}",
            describe_status(status),
            if last.is_empty() {
                String::new()
            } else {
                format!(": {}", last.join(" / "))
            }
        ))
    }
}

/// Kills a command's whole process group when dropped (done, failed,
/// timed out or cancelled), so nothing it started outlives the step.
struct GroupKill(Pid);

impl Drop for GroupKill {
    fn drop(&mut self) {
        let _ = killpg(self.0, Signal::SIGKILL);
    }
}

fn describe_status(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("code {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        _ => "an unknown status".into(),
    }
}

fn describe(failure: &PathFailure) -> String {
    match failure {
        PathFailure::NotADirectory(path) => format!(
            "/{} is not a directory (a file or a symlink is in the way)",
            path.display()
        ),
        PathFailure::Io(path, err) => format!("{}: {err}", path.display()),
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|err| err.to_string())
}

/// A path of the build context, relative and clean (a leading `/` means
/// the context's root), or `None` when it climbs out.
fn inside_context(path: &str) -> Option<PathBuf> {
    let mut out: Vec<&std::ffi::OsStr> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop()?;
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Some(out.iter().collect())
}

/// A container path as components: `path` read from `base` (absolute
/// paths from `/`), `.` dropped, `..` stopping at `/`.
fn container_path(base: &[String], path: &str) -> Vec<String> {
    let mut out = if path.starts_with('/') {
        Vec::new()
    } else {
        base.to_vec()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            part => out.push(part.to_string()),
        }
    }
    out
}

/// A pip argument with container paths (`/x`, `--opt=/x`, `-r/x`) read
/// under the image root.
fn container_arg(arg: &str, root: &Path) -> OsString {
    let under_root = |path: &str| root.join(path.trim_start_matches('/')).into_os_string();
    if arg.starts_with('/') {
        return under_root(arg);
    }
    if arg.starts_with("--")
        && let Some((name, value)) = arg.split_once('=')
        && value.starts_with('/')
    {
        let mut out = OsString::from(format!("{name}="));
        out.push(under_root(value));
        return out;
    }
    let bytes = arg.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'-' && b"rcef".contains(&bytes[1]) && bytes[2] == b'/' {
        let mut out = OsString::from(&arg[..2]);
        out.push(under_root(&arg[2..]));
        return out;
    }
    arg.into()
}

/// Whether a file starts like an archive that `ADD` would unpack.
fn looks_like_archive(path: &Path) -> bool {
    let mut head = [0u8; 512];
    let Ok(read) = fs::File::open(path).and_then(|mut file| {
        let mut total = 0;
        while total < head.len() {
            match file.read(&mut head[total..])? {
                0 => break,
                n => total += n,
            }
        }
        Ok(total)
    }) else {
        return false;
    };
    let head = &head[..read];
    head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(b"BZh")
        || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || head.get(257..262) == Some(b"ustar")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_paths_resolve_like_docker() {
        let app = container_path(&[], "/app");
        assert_eq!(app, vec!["app"]);
        assert_eq!(container_path(&app, "."), vec!["app"]);
        assert_eq!(container_path(&app, "src/"), vec!["app", "src"]);
        assert_eq!(container_path(&app, "/opt/x"), vec!["opt", "x"]);
        assert_eq!(container_path(&app, "../../../etc"), vec!["etc"]);
        assert_eq!(inside_context("./bot.py"), Some(PathBuf::from("bot.py")));
        assert_eq!(inside_context("/bot.py"), Some(PathBuf::from("bot.py")));
        assert_eq!(inside_context("a/../b"), Some(PathBuf::from("b")));
        assert_eq!(inside_context("../x"), None);
    }

    #[test]
    fn pip_paths_are_container_paths() {
        let root = Path::new("/img/root");
        assert_eq!(container_arg("-r", root), "-r");
        assert_eq!(container_arg("requirements.txt", root), "requirements.txt");
        assert_eq!(container_arg("/app/req.txt", root), "/img/root/app/req.txt");
        assert_eq!(
            container_arg("--requirement=/app/r.txt", root),
            "--requirement=/img/root/app/r.txt"
        );
        assert_eq!(container_arg("-r/app/r.txt", root), "-r/img/root/app/r.txt");
        assert_eq!(
            container_arg("pipecat-ai[daily]>=1", root),
            "pipecat-ai[daily]>=1"
        );
    }
}
