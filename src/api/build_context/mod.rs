//! The build context of a cloud build: a project directory packed as a
//! deterministic gzipped tar, and its `contextHash`.
//!
//! The archive is the one the official Python client uploads for the same
//! directory, byte for byte, so the hash (the first 16 hex characters of
//! the MD5 of the gzip bytes) finds a build made by either client in the
//! build cache:
//!
//! - only regular files are members (no directory entries, so empty
//!   directories are left out), sorted by their `/`-separated path;
//! - mtime 0, uid/gid 0, empty user and group names, mode 755 for a file
//!   the current user may execute and 644 for any other;
//! - the tar layout of Python's `tarfile` (see `tar.rs`), gzip level 9 with
//!   zlib's deflate, header mtime 0, no file name, OS byte 255.
//!
//! Which files: when `.dockerignore` exists its patterns are the only
//! exclusions (it replaces both the defaults and `[build.exclude]`), as in
//! the official client; otherwise [`DEFAULT_EXCLUSIONS`] plus the extra
//! patterns. A pattern excludes a path when it matches any of its
//! components or the whole relative path, with Python's `fnmatch`
//! semantics ([`Pattern`]). A leading `./` and trailing `/` are dropped from
//! a pattern; `!` exceptions are not supported (a `!` line is a literal
//! pattern, as in the official client). An excluded directory is not
//! entered.
//!
//! Symlinks never lead out of the context: a link (to a file or a
//! directory) whose target resolves outside the context directory, or to
//! nothing, is an error naming it. A link to a file inside is packed as a
//! regular file with the target's content; a link to a directory inside is
//! not entered (both as the official client does) and is listed in
//! [`BuildContext::skipped_dir_links`] so the caller can say so. Fifos,
//! sockets and devices are errors.
//!
//! Limits: [`MAX_CONTEXT_BYTES`] of file content (checked while walking,
//! before anything is read) and [`MAX_CONTEXT_FILES`] files.

mod fnmatch;
mod tar;

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use flate2::{Compression, GzBuilder};
use md5::{Digest, Md5};

use crate::files::{self, MAX_CONFIG_FILE_BYTES};

pub use fnmatch::Pattern;

/// The largest context, in bytes of file content (before compression).
pub const MAX_CONTEXT_BYTES: u64 = 500 * 1024 * 1024;
/// The most files a context may hold.
pub const MAX_CONTEXT_FILES: u64 = 100_000;
/// The Dockerfile's path in the context when none is given.
pub const DEFAULT_DOCKERFILE: &str = "Dockerfile";
/// The file whose patterns replace the default exclusions.
pub const DOCKERIGNORE: &str = ".dockerignore";

/// What a context leaves out when it has no `.dockerignore` (the official
/// client's list).
pub const DEFAULT_EXCLUSIONS: &[&str] = &[
    // version control
    ".git",
    ".gitignore",
    ".gitattributes",
    // environment and secrets
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    // Python artifacts
    "__pycache__",
    "*.pyc",
    "*.pyo",
    "*.pyd",
    "*.so",
    ".Python",
    // virtual environments
    ".venv",
    "venv",
    "ENV",
    "env",
    // testing
    ".pytest_cache",
    ".coverage",
    "htmlcov",
    ".tox",
    ".nox",
    // type checkers and linters
    ".mypy_cache",
    ".ruff_cache",
    // editors
    ".vscode",
    ".idea",
    "*.swp",
    "*.swo",
    // build artifacts
    "dist",
    "build",
    "*.egg-info",
    "*.egg",
    ".eggs",
    "node_modules",
    ".github",
    // AI tools
    ".claude",
    ".codex",
    ".cursor",
    "pcc-deploy.toml",
    ".ipynb_checkpoints",
    ".cache",
    ".DS_Store",
    "Thumbs.db",
    "*.log",
];

/// How to pack a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOptions {
    /// The Dockerfile, relative to the context directory.
    pub dockerfile: String,
    /// `[build.exclude] patterns` of `pcc-deploy.toml` (unused when the
    /// context has a `.dockerignore`).
    pub extra_exclusions: Vec<String>,
    /// Bytes of file content allowed ([`MAX_CONTEXT_BYTES`]).
    pub max_bytes: u64,
    /// Files allowed ([`MAX_CONTEXT_FILES`]).
    pub max_files: u64,
}

impl Default for ContextOptions {
    fn default() -> Self {
        ContextOptions {
            dockerfile: DEFAULT_DOCKERFILE.to_string(),
            extra_exclusions: Vec::new(),
            max_bytes: MAX_CONTEXT_BYTES,
            max_files: MAX_CONTEXT_FILES,
        }
    }
}

/// A packed context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildContext {
    /// The gzipped tar, ready to upload as `context.tar.gz`.
    pub tarball: Vec<u8>,
    /// `contextHash`: 16 hex characters.
    pub context_hash: String,
    /// The members, in archive order.
    pub files: Vec<String>,
    /// Bytes of file content (before compression).
    pub total_bytes: u64,
    /// Whether `.dockerignore` chose the exclusions.
    pub dockerignore: bool,
    /// Links to directories inside the context, which were not entered.
    pub skipped_dir_links: Vec<String>,
}

/// Why a context could not be packed. Each message names the path.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("build context {}: {reason}", path.display())]
    ContextDir { path: PathBuf, reason: String },
    #[error(
        "Dockerfile {path} {reason} (set another with --dockerfile or `dockerfile` under [build] in pcc-deploy.toml)"
    )]
    Dockerfile { path: String, reason: String },
    #[error(
        "the build context is larger than {limit} (already {size} at {at}); leave large files out with .dockerignore or [build.exclude] patterns in pcc-deploy.toml",
        limit = format_size(*limit),
        size = format_size(*size)
    )]
    TooLarge { size: u64, limit: u64, at: String },
    #[error(
        "the build context has more than {limit} files (at {at}); leave some out with .dockerignore or [build.exclude] patterns in pcc-deploy.toml"
    )]
    TooManyFiles { limit: u64, at: String },
    #[error(
        "symlink {link} points outside the build context (to {target}); a context never follows a link out of its directory: copy what it points to into the project, or exclude the link"
    )]
    LinkOutside { link: String, target: String },
    #[error("symlink {link} points to nothing (to {target}); remove it or exclude it")]
    DanglingLink { link: String, target: String },
    #[error("{path} is a {kind}, not a regular file; exclude it from the build context")]
    NotRegular { path: String, kind: &'static str },
    #[error("{}: names in a build context must be UTF-8; rename it or exclude it", path.display())]
    NonUtf8Name { path: PathBuf },
    #[error("{path} changed while the build context was being packed; try again")]
    Changed { path: String },
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Pack `dir` as a build context.
pub fn create(dir: &Path, options: &ContextOptions) -> Result<BuildContext, ContextError> {
    let context_dir = |reason: String| ContextError::ContextDir {
        path: dir.to_path_buf(),
        reason,
    };
    let base = fs::canonicalize(dir).map_err(|err| context_dir(err.to_string()))?;
    if !base.is_dir() {
        return Err(context_dir("not a directory".into()));
    }
    let (patterns, dockerignore) = exclusions(&base, &options.extra_exclusions)?;
    check_dockerfile(&base, &options.dockerfile, &patterns)?;

    let mut walker = Walker {
        base: &base,
        patterns: &patterns,
        options,
        total: 0,
        members: Vec::new(),
        skipped_dir_links: Vec::new(),
    };
    walker.walk(&base, &mut Vec::new())?;
    let Walker {
        total,
        mut members,
        skipped_dir_links,
        ..
    } = walker;
    members.sort_by(|a, b| a.name.cmp(&b.name));

    let tarball = pack(&members)?;
    Ok(BuildContext {
        context_hash: context_hash(&tarball),
        tarball,
        files: members.into_iter().map(|m| m.name).collect(),
        total_bytes: total,
        dockerignore,
        skipped_dir_links,
    })
}

/// `contextHash` of a packed context: the first 16 hex characters of the
/// MD5 of its bytes.
pub fn context_hash(tarball: &[u8]) -> String {
    let mut hasher = ContextHasher::default();
    hasher.update(tarball);
    hasher.finish()
}

/// [`context_hash`] of a context read piece by piece (the local cloud
/// hashes an upload as it arrives).
#[derive(Debug, Clone, Default)]
pub struct ContextHasher(Md5);

impl ContextHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> String {
        hex::encode(&self.0.finalize()[..8])
    }
}

/// The exclusion patterns of the context at `base`, and whether they came
/// from its `.dockerignore`.
pub fn exclusions(base: &Path, extra: &[String]) -> Result<(Vec<Pattern>, bool), ContextError> {
    let path = base.join(DOCKERIGNORE);
    if path.exists() {
        let text = files::read_capped(&path, MAX_CONFIG_FILE_BYTES).map_err(|source| {
            ContextError::Io {
                path: path.clone(),
                source,
            }
        })?;
        let text = String::from_utf8(text).map_err(|_| ContextError::Io {
            path: path.clone(),
            source: io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"),
        })?;
        let patterns = dockerignore_patterns(&text)
            .iter()
            .map(|p| Pattern::new(p))
            .collect();
        return Ok((patterns, true));
    }
    let mut patterns: Vec<Pattern> = DEFAULT_EXCLUSIONS.iter().map(|p| Pattern::new(p)).collect();
    patterns.extend(
        extra
            .iter()
            .map(|p| normalize_pattern(p))
            .filter(|p| !p.is_empty())
            .map(|p| Pattern::new(&p)),
    );
    Ok((patterns, false))
}

/// The patterns of a `.dockerignore`: one per line, blank lines and `#`
/// comments skipped.
fn dockerignore_patterns(text: &str) -> Vec<String> {
    // Python's text files end a line at \n, \r\n or \r.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.split('\n')
        .map(python_strip)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(normalize_pattern)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Drop surrounding whitespace, a leading `./` and trailing slashes.
fn normalize_pattern(pattern: &str) -> String {
    let pattern = python_strip(pattern);
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    pattern.trim_end_matches('/').to_string()
}

/// `str.strip()`: Python also counts the separators U+001C..U+001F as
/// whitespace.
fn python_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

fn is_excluded(patterns: &[Pattern], parts: &[String], relative: &str) -> bool {
    patterns
        .iter()
        .any(|p| parts.iter().any(|part| p.matches(part)) || p.matches(relative))
}

/// The Dockerfile must be a file inside the context, and packed.
fn check_dockerfile(
    base: &Path,
    dockerfile: &str,
    patterns: &[Pattern],
) -> Result<(), ContextError> {
    let error = |reason: String| ContextError::Dockerfile {
        path: dockerfile.to_string(),
        reason,
    };
    let relative = Path::new(dockerfile);
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => {
                return Err(error(
                    "must be a relative path inside the build context".into(),
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(error("is not a file name".into()));
    }
    let path = base.join(relative);
    match fs::canonicalize(&path) {
        Ok(real) if !real.starts_with(base) => {
            return Err(error(
                "is a link to a file outside the build context".into(),
            ));
        }
        Ok(real) if !real.is_file() => return Err(error("is not a file".into())),
        Ok(_) => {}
        Err(_) => {
            return Err(error(format!(
                "does not exist in the build context {}",
                base.display()
            )));
        }
    }
    if let Some(pattern) = patterns
        .iter()
        .find(|p| is_excluded(std::slice::from_ref(p), &parts, &parts.join("/")))
    {
        return Err(error(format!(
            "is excluded from the build context by the pattern {:?}",
            pattern.as_str()
        )));
    }
    Ok(())
}

struct Member {
    name: String,
    /// What to open (a link is followed).
    path: PathBuf,
    size: u64,
    executable: bool,
}

struct Walker<'a> {
    base: &'a Path,
    patterns: &'a [Pattern],
    options: &'a ContextOptions,
    total: u64,
    members: Vec<Member>,
    skipped_dir_links: Vec<String>,
}

impl Walker<'_> {
    fn walk(&mut self, dir: &Path, parts: &mut Vec<String>) -> Result<(), ContextError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ContextError::Io { path, source }
        };
        let mut entries = fs::read_dir(dir)
            .and_then(|entries| entries.collect::<io::Result<Vec<_>>>())
            .map_err(io_error(dir))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let path = entry.path();
            let name = entry
                .file_name()
                .into_string()
                .map_err(|_| ContextError::NonUtf8Name { path: path.clone() })?;
            parts.push(name);
            let relative = parts.join("/");
            if !is_excluded(self.patterns, parts, &relative) {
                let kind = entry.file_type().map_err(io_error(&path))?;
                if kind.is_symlink() {
                    self.link(&path, &relative)?;
                } else if kind.is_dir() {
                    self.walk(&path, parts)?;
                } else if kind.is_file() {
                    let metadata = entry.metadata().map_err(io_error(&path))?;
                    self.file(path, relative, &metadata)?;
                } else {
                    return Err(ContextError::NotRegular {
                        path: relative,
                        kind: special_kind(&kind),
                    });
                }
            }
            parts.pop();
        }
        Ok(())
    }

    fn link(&mut self, path: &Path, relative: &str) -> Result<(), ContextError> {
        let target = fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let real = match fs::canonicalize(path) {
            Ok(real) => real,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(ContextError::DanglingLink {
                    link: relative.to_string(),
                    target,
                });
            }
            Err(source) => {
                return Err(ContextError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        if !real.starts_with(self.base) {
            return Err(ContextError::LinkOutside {
                link: relative.to_string(),
                target,
            });
        }
        let metadata = fs::metadata(path).map_err(|source| ContextError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if metadata.is_dir() {
            self.skipped_dir_links.push(relative.to_string());
            Ok(())
        } else if metadata.is_file() {
            self.file(path.to_path_buf(), relative.to_string(), &metadata)
        } else {
            Err(ContextError::NotRegular {
                path: relative.to_string(),
                kind: special_kind(&metadata.file_type()),
            })
        }
    }

    fn file(
        &mut self,
        path: PathBuf,
        name: String,
        metadata: &fs::Metadata,
    ) -> Result<(), ContextError> {
        self.total += metadata.len();
        if self.total > self.options.max_bytes {
            return Err(ContextError::TooLarge {
                size: self.total,
                limit: self.options.max_bytes,
                at: name,
            });
        }
        if self.members.len() as u64 >= self.options.max_files {
            return Err(ContextError::TooManyFiles {
                limit: self.options.max_files,
                at: name,
            });
        }
        // What Python's os.access(path, X_OK) answers.
        let executable = nix::unistd::access(&path, nix::unistd::AccessFlags::X_OK).is_ok();
        self.members.push(Member {
            name,
            path,
            size: metadata.len(),
            executable,
        });
        Ok(())
    }
}

fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "fifo"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "device"
    } else {
        "special file"
    }
}

fn pack(members: &[Member]) -> Result<Vec<u8>, ContextError> {
    let gzip = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    let mut tar = tar::TarWriter::new(gzip);
    let mut buffer = vec![0; 64 * 1024];
    for member in members {
        let io_error = |source| ContextError::Io {
            path: member.path.clone(),
            source,
        };
        let mode = if member.executable { 0o755 } else { 0o644 };
        tar.begin_file(&member.name, mode, member.size)
            .map_err(io_error)?;
        let mut file = File::open(&member.path).map_err(io_error)?;
        let mut left = member.size;
        while left > 0 {
            let want = buffer
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            let read = file.read(&mut buffer[..want]).map_err(io_error)?;
            if read == 0 {
                return Err(ContextError::Changed {
                    path: member.name.clone(),
                });
            }
            tar.write_content(&buffer[..read]).map_err(io_error)?;
            left -= read as u64;
        }
        tar.end_member().map_err(io_error)?;
    }
    let finish = |source| ContextError::Io {
        path: PathBuf::from("context.tar.gz"),
        source,
    };
    // No flush before finishing: a sync flush would add bytes that the
    // official client's archive does not have.
    tar.finish().map_err(finish)?.finish().map_err(finish)
}

/// `12.3 MB` (MB of 1024 × 1024 bytes, as the official client counts).
pub fn format_size(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
pub(crate) mod tests;
