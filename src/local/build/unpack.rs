//! Unpacking an uploaded build context (a gzipped tar) into a build
//! directory, refusing anything that could reach outside it.
//!
//! Rules, each failure an [`UnpackError`] naming the entry:
//! - paths are relative and stay inside: no absolute path, no `..`;
//! - regular files (mode 755 when any execute bit is set, else 644; no
//!   owners, no set-id bits), directories, symlinks and hard links only:
//!   devices, fifos and sparse files are refused;
//! - a symlink is absolute-free and must resolve inside the directory once
//!   everything is unpacked, and never dangle; nothing is ever written
//!   through a symlink (an entry below a link is refused), so a link cannot
//!   redirect a later entry;
//! - a hard link names a regular file unpacked before it (its content is
//!   copied);
//! - an entry may not replace another (directories may repeat);
//! - at most [`UnpackLimits::max_bytes`] of content and
//!   [`UnpackLimits::max_entries`] entries; the decompressed stream itself
//!   is capped a little above that, so a gzip bomb of headers stops too.
//!
//! The destination must not exist; it is created, and removed again when
//! unpacking fails, so a failure leaves nothing behind.

use std::cell::Cell;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use flate2::read::GzDecoder;
use tar::EntryType;

use super::paths::{PathFailure, create_real_dirs, link_stays_inside};
use crate::api::build_context::{MAX_CONTEXT_BYTES, MAX_CONTEXT_FILES, format_size};

/// Bounds on what an archive may unpack to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Bytes of file content.
    pub max_bytes: u64,
    /// Entries of any kind.
    pub max_entries: u64,
}

impl Default for UnpackLimits {
    /// The limits the client applies to the contexts it packs.
    fn default() -> Self {
        UnpackLimits {
            max_bytes: MAX_CONTEXT_BYTES,
            max_entries: MAX_CONTEXT_FILES,
        }
    }
}

impl UnpackLimits {
    /// The most decompressed bytes read: content plus room for headers,
    /// padding and PAX records.
    fn max_stream_bytes(&self) -> u64 {
        self.max_bytes
            .saturating_add(self.max_entries.saturating_mul(4 * 512))
            .saturating_add(1024 * 1024)
    }
}

/// What an archive unpacked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpacked {
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("build context entry {entry:?}: {reason}")]
    Entry { entry: String, reason: String },
    #[error("the build context unpacks to more than {}", format_size(*limit))]
    TooLarge { limit: u64 },
    #[error("the build context has more than {limit} entries")]
    TooManyEntries { limit: u64 },
    #[error("the build context is not a valid gzipped tar: {0}")]
    Corrupt(String),
    #[error("cannot unpack into {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Unpack the gzipped tar read from `archive` into `dest` (which must not
/// exist yet).
pub fn unpack(
    archive: impl Read,
    dest: &Path,
    limits: &UnpackLimits,
) -> Result<Unpacked, UnpackError> {
    fs::DirBuilder::new()
        .mode(0o755)
        .create(dest)
        .map_err(|source| UnpackError::Io {
            path: dest.to_path_buf(),
            source,
        })?;
    let result = unpack_into(archive, dest, limits);
    if result.is_err() {
        let _ = fs::remove_dir_all(dest);
    }
    result
}

fn unpack_into(
    archive: impl Read,
    dest: &Path,
    limits: &UnpackLimits,
) -> Result<Unpacked, UnpackError> {
    let root = fs::canonicalize(dest).map_err(|source| UnpackError::Io {
        path: dest.to_path_buf(),
        source,
    })?;
    let exceeded = Rc::new(Cell::new(false));
    let stream = Capped {
        inner: GzDecoder::new(archive),
        left: limits.max_stream_bytes(),
        exceeded: exceeded.clone(),
    };
    let read_error = |err: io::Error| {
        if exceeded.get() {
            UnpackError::TooLarge {
                limit: limits.max_bytes,
            }
        } else {
            UnpackError::Corrupt(err.to_string())
        }
    };
    let mut archive = tar::Archive::new(stream);
    let mut state = State {
        root: &root,
        files: HashSet::new(),
        links: Vec::new(),
        unpacked: Unpacked { files: 0, bytes: 0 },
        limits,
    };
    let mut entries_seen = 0u64;
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        entries_seen += 1;
        if entries_seen > limits.max_entries {
            return Err(UnpackError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match state.entry(&mut entry, &name) {
            Ok(()) => {}
            Err(EntryFailure::Refused(reason)) => {
                return Err(UnpackError::Entry {
                    entry: name,
                    reason,
                });
            }
            Err(EntryFailure::Read(err)) => return Err(read_error(err)),
            Err(EntryFailure::TooLarge) => {
                return Err(UnpackError::TooLarge {
                    limit: limits.max_bytes,
                });
            }
            Err(EntryFailure::Write(path, source)) => return Err(UnpackError::Io { path, source }),
        }
    }
    state.check_links()?;
    Ok(state.unpacked)
}

enum EntryFailure {
    Refused(String),
    Read(io::Error),
    TooLarge,
    Write(PathBuf, io::Error),
}

fn refused(reason: impl Into<String>) -> EntryFailure {
    EntryFailure::Refused(reason.into())
}

struct State<'a> {
    root: &'a Path,
    /// Regular files unpacked so far (relative paths), for hard links.
    files: HashSet<PathBuf>,
    /// Symlinks created, checked once everything is unpacked.
    links: Vec<(String, PathBuf)>,
    unpacked: Unpacked,
    limits: &'a UnpackLimits,
}

impl State<'_> {
    fn entry<R: Read>(
        &mut self,
        entry: &mut tar::Entry<R>,
        name: &str,
    ) -> Result<(), EntryFailure> {
        let kind = entry.header().entry_type();
        if kind == EntryType::XGlobalHeader {
            return Ok(());
        }
        let path = entry.path().map_err(EntryFailure::Read)?;
        let relative = inside_path(&path)?;
        if relative.as_os_str().is_empty() {
            return if kind == EntryType::Directory {
                Ok(())
            } else {
                Err(refused("names the build directory itself"))
            };
        }
        match kind {
            EntryType::Regular | EntryType::Continuous => {
                let size = entry.size();
                self.count(size)?;
                let executable = entry.header().mode().map_err(EntryFailure::Read)? & 0o111 != 0;
                let mut file = self.create_file(&relative, executable)?;
                let copied = io::copy(entry, &mut file).map_err(EntryFailure::Read)?;
                if copied != size {
                    return Err(EntryFailure::Read(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the archive ends inside a file",
                    )));
                }
                self.files.insert(relative);
                Ok(())
            }
            EntryType::Directory => self.create_dirs(&relative),
            EntryType::Symlink => {
                let target = entry
                    .link_name()
                    .map_err(EntryFailure::Read)?
                    .ok_or_else(|| refused("a symlink without a target"))?
                    .into_owned();
                if !link_stays_inside(&relative, &target) {
                    return Err(refused(format!(
                        "a symlink to {} leaves the build directory",
                        target.display()
                    )));
                }
                self.prepare_parent(&relative)?;
                let full = self.root.join(&relative);
                std::os::unix::fs::symlink(&target, &full)
                    .map_err(|err| self.exists_or(err, &full))?;
                self.links.push((name.to_string(), relative));
                Ok(())
            }
            EntryType::Link => {
                let target = entry
                    .link_name()
                    .map_err(EntryFailure::Read)?
                    .ok_or_else(|| refused("a hard link without a target"))?;
                let target = inside_path(&target)?;
                if !self.files.contains(&target) {
                    return Err(refused(format!(
                        "a hard link to {}, which is not a file unpacked before it",
                        target.display()
                    )));
                }
                let source = self.root.join(&target);
                let size = fs::metadata(&source)
                    .map_err(|err| EntryFailure::Write(source.clone(), err))?
                    .len();
                self.count(size)?;
                let executable = is_executable(&source);
                let mut file = self.create_file(&relative, executable)?;
                let mut original =
                    File::open(&source).map_err(|err| EntryFailure::Write(source.clone(), err))?;
                io::copy(&mut original, &mut file)
                    .map_err(|err| EntryFailure::Write(source, err))?;
                self.files.insert(relative);
                Ok(())
            }
            EntryType::Char | EntryType::Block => Err(refused("a device file is not allowed")),
            EntryType::Fifo => Err(refused("a fifo is not allowed")),
            EntryType::GNUSparse => Err(refused("a sparse file is not supported")),
            other => Err(refused(format!(
                "entry type {:?} is not supported",
                other.as_byte() as char
            ))),
        }
    }

    fn count(&mut self, size: u64) -> Result<(), EntryFailure> {
        let total = self.unpacked.bytes.saturating_add(size);
        if total > self.limits.max_bytes {
            return Err(EntryFailure::TooLarge);
        }
        self.unpacked.bytes = total;
        self.unpacked.files += 1;
        Ok(())
    }

    fn create_file(&self, relative: &Path, executable: bool) -> Result<File, EntryFailure> {
        self.prepare_parent(relative)?;
        let full = self.root.join(relative);
        // create_new never follows or replaces what is there.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(if executable { 0o755 } else { 0o644 })
            .open(&full)
            .map_err(|err| self.exists_or(err, &full))
    }

    fn exists_or(&self, err: io::Error, full: &Path) -> EntryFailure {
        if err.kind() == io::ErrorKind::AlreadyExists {
            refused("appears twice in the archive")
        } else {
            EntryFailure::Write(full.to_path_buf(), err)
        }
    }

    fn prepare_parent(&self, relative: &Path) -> Result<(), EntryFailure> {
        match relative.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => self.create_dirs(parent),
            _ => Ok(()),
        }
    }

    fn create_dirs(&self, relative: &Path) -> Result<(), EntryFailure> {
        create_real_dirs(self.root, relative).map_err(|failure| match failure {
            PathFailure::NotADirectory(path) => refused(format!(
                "{} on its path is not a directory (a file or a symlink)",
                path.display()
            )),
            PathFailure::Io(path, err) => EntryFailure::Write(path, err),
        })
    }

    /// Each symlink, resolved on the finished tree, stays inside.
    fn check_links(&self) -> Result<(), UnpackError> {
        for (name, relative) in &self.links {
            let entry = |reason: String| UnpackError::Entry {
                entry: name.clone(),
                reason,
            };
            match fs::canonicalize(self.root.join(relative)) {
                Ok(real) if real.starts_with(self.root) => {}
                Ok(_) => {
                    return Err(entry(
                        "the symlink resolves outside the build directory".into(),
                    ));
                }
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    return Err(entry(
                        "the symlink points to nothing in the build context".into(),
                    ));
                }
                Err(err) => return Err(entry(format!("the symlink cannot be resolved: {err}"))),
            }
        }
        Ok(())
    }
}

/// `path` as a clean relative path, or why it is refused.
fn inside_path(path: &Path) -> Result<PathBuf, EntryFailure> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(refused("a `..` path would leave the build directory"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(refused("an absolute path is not allowed"));
            }
        }
    }
    Ok(out)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o111 != 0)
}

/// A reader that fails once it has given `left` bytes.
struct Capped<R> {
    inner: R,
    left: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // Only an error if there is more to read.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.exceeded.set(true);
                    Err(io::Error::other("decompressed size limit reached"))
                }
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..want])?;
        self.left -= read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    /// A hand-made archive: raw headers, so hostile names are possible.
    struct Hostile {
        tar: Vec<u8>,
    }

    impl Hostile {
        fn new() -> Self {
            Hostile { tar: Vec::new() }
        }

        fn member(mut self, name: &str, kind: u8, link: &str, content: &[u8]) -> Self {
            let mut header = [0u8; 512];
            header[..name.len()].copy_from_slice(name.as_bytes());
            header[100..108].copy_from_slice(b"0000644\0");
            header[108..116].copy_from_slice(b"0000000\0");
            header[116..124].copy_from_slice(b"0000000\0");
            header[124..136].copy_from_slice(format!("{:011o}\0", content.len()).as_bytes());
            header[136..148].copy_from_slice(b"00000000000\0");
            header[156] = kind;
            header[157..157 + link.len()].copy_from_slice(link.as_bytes());
            header[257..265].copy_from_slice(b"ustar\x0000");
            header[148..156].copy_from_slice(b"        ");
            let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
            header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
            self.tar.extend_from_slice(&header);
            self.tar.extend_from_slice(content);
            let pad = (512 - content.len() % 512) % 512;
            self.tar.extend(std::iter::repeat_n(0, pad));
            self
        }

        fn file(self, name: &str, content: &[u8]) -> Self {
            self.member(name, b'0', "", content)
        }

        fn gzip(mut self) -> Vec<u8> {
            self.tar.extend([0; 1024]);
            let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
            encoder.write_all(&self.tar).unwrap();
            encoder.finish().unwrap()
        }
    }

    fn try_unpack(
        archive: &[u8],
        limits: UnpackLimits,
    ) -> (tempfile::TempDir, Result<Unpacked, UnpackError>) {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("ctx");
        let result = unpack(archive, &dest, &limits);
        if result.is_err() {
            assert!(!dest.exists(), "a failed unpack leaves nothing behind");
        }
        (parent, result)
    }

    fn refused_entry(archive: Vec<u8>) -> (String, String) {
        match try_unpack(&archive, UnpackLimits::default()).1 {
            Err(UnpackError::Entry { entry, reason }) => (entry, reason),
            other => panic!("expected a refused entry, got {other:?}"),
        }
    }

    #[test]
    fn a_context_packed_by_the_client_unpacks_whole() {
        let project = tempfile::tempdir().unwrap();
        fs::write(
            project.path().join("Dockerfile"),
            "FROM dailyco/pipecat-base\n",
        )
        .unwrap();
        fs::create_dir_all(project.path().join("pkg/sub")).unwrap();
        fs::write(project.path().join("pkg/sub/x.py"), "x = 1\n").unwrap();
        let run = project.path().join("run.sh");
        fs::write(&run, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let context =
            crate::api::build_context::create(project.path(), &Default::default()).unwrap();

        let (parent, result) = try_unpack(&context.tarball, UnpackLimits::default());
        let unpacked = result.unwrap();
        assert_eq!(unpacked.files, 3);
        let dest = parent.path().join("ctx");
        assert_eq!(
            fs::read_to_string(dest.join("pkg/sub/x.py")).unwrap(),
            "x = 1\n"
        );
        assert!(is_executable(&dest.join("run.sh")));
        assert!(!is_executable(&dest.join("Dockerfile")));
    }

    #[test]
    fn a_parent_path_is_refused_by_name() {
        let (entry, reason) = refused_entry(
            Hostile::new()
                .file("ok.txt", b"ok")
                .file("../x", b"evil")
                .gzip(),
        );
        assert_eq!(entry, "../x");
        assert!(reason.contains("`..`"), "{reason}");
        let (entry, _) = refused_entry(Hostile::new().file("a/../../x", b"evil").gzip());
        assert_eq!(entry, "a/../../x");
    }

    #[test]
    fn an_absolute_path_is_refused() {
        let (entry, reason) = refused_entry(Hostile::new().file("/etc/x", b"evil").gzip());
        assert_eq!(entry, "/etc/x");
        assert!(reason.contains("absolute"), "{reason}");
    }

    #[test]
    fn a_symlink_out_is_refused_and_nothing_writes_through_one() {
        let (entry, reason) = refused_entry(Hostile::new().member("root", b'2', "/", b"").gzip());
        assert_eq!(entry, "root");
        assert!(reason.contains("leaves the build directory"), "{reason}");

        let (_, reason) = refused_entry(Hostile::new().member("sub/up", b'2', "../..", b"").gzip());
        assert!(reason.contains("leaves"), "{reason}");

        // A link that is fine on its own cannot carry a later entry.
        let (entry, reason) = refused_entry(
            Hostile::new()
                .member("dir", b'5', "", b"")
                .member("alias", b'2', "dir", b"")
                .file("alias/x", b"through the link")
                .gzip(),
        );
        assert_eq!(entry, "alias/x");
        assert!(
            reason.contains("alias on its path is not a directory"),
            "{reason}"
        );

        // A link that only escapes once another link exists is caught on
        // the finished tree: `here -> .` makes `up -> here/..` the parent.
        let (entry, reason) = refused_entry(
            Hostile::new()
                .member("up", b'2', "here/..", b"")
                .member("here", b'2', ".", b"")
                .gzip(),
        );
        assert_eq!(entry, "up");
        assert!(reason.contains("resolves outside"), "{reason}");
    }

    #[test]
    fn links_inside_are_kept() {
        let archive = Hostile::new()
            .file("bot.py", b"print(1)\n")
            .member("alias.py", b'2', "bot.py", b"")
            .member("copy.py", b'1', "bot.py", b"")
            .gzip();
        let (parent, result) = try_unpack(&archive, UnpackLimits::default());
        result.unwrap();
        let dest = parent.path().join("ctx");
        assert_eq!(
            fs::read_link(dest.join("alias.py")).unwrap(),
            Path::new("bot.py")
        );
        assert_eq!(fs::read(dest.join("copy.py")).unwrap(), b"print(1)\n");

        let (entry, reason) =
            refused_entry(Hostile::new().member("l", b'2', "nowhere", b"").gzip());
        assert_eq!(entry, "l");
        assert!(reason.contains("points to nothing"), "{reason}");

        let (_, reason) =
            refused_entry(Hostile::new().member("h", b'1', "/etc/passwd", b"").gzip());
        assert!(reason.contains("absolute"), "{reason}");
    }

    #[test]
    fn devices_and_fifos_are_refused() {
        let (entry, reason) =
            refused_entry(Hostile::new().member("dev/null", b'3', "", b"").gzip());
        assert_eq!(entry, "dev/null");
        assert!(reason.contains("device"), "{reason}");
        let (_, reason) = refused_entry(Hostile::new().member("disk", b'4', "", b"").gzip());
        assert!(reason.contains("device"), "{reason}");
        let (_, reason) = refused_entry(Hostile::new().member("pipe", b'6', "", b"").gzip());
        assert!(reason.contains("fifo"), "{reason}");
    }

    #[test]
    fn a_duplicate_entry_is_refused() {
        let (entry, reason) = refused_entry(Hostile::new().file("a", b"1").file("a", b"2").gzip());
        assert_eq!(entry, "a");
        assert!(reason.contains("twice"), "{reason}");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        // 64 MiB of zeros in one member: a few dozen KiB compressed.
        let big = vec![0u8; 64 * 1024 * 1024];
        let archive = Hostile::new().file("bomb", &big).gzip();
        assert!(archive.len() < 1024 * 1024);
        let limits = UnpackLimits {
            max_bytes: 1024 * 1024,
            max_entries: 10,
        };
        let (_, result) = try_unpack(&archive, limits);
        assert!(
            matches!(result, Err(UnpackError::TooLarge { .. })),
            "{result:?}"
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "the build context unpacks to more than 1.0 MB"
        );

        // Many small files add up the same way.
        let mut many = Hostile::new();
        for i in 0..5 {
            many = many.file(&format!("f{i}"), &vec![1u8; 300 * 1024]);
        }
        let (_, result) = try_unpack(&many.gzip(), limits);
        assert!(
            matches!(result, Err(UnpackError::TooLarge { .. })),
            "{result:?}"
        );

        // A bomb hidden in a PAX header (read before any member) stops at
        // the stream cap.
        let archive = Hostile::new()
            .member("././@PaxHeader", b'x', "", &big)
            .file("a", b"")
            .gzip();
        let (_, result) = try_unpack(&archive, limits);
        assert!(
            matches!(result, Err(UnpackError::TooLarge { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn the_entry_count_is_bounded() {
        let mut archive = Hostile::new();
        for i in 0..11 {
            archive = archive.file(&format!("f{i}"), b"");
        }
        let limits = UnpackLimits {
            max_bytes: 1024,
            max_entries: 10,
        };
        let (_, result) = try_unpack(&archive.gzip(), limits);
        assert!(
            matches!(result, Err(UnpackError::TooManyEntries { limit: 10 })),
            "{result:?}"
        );
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let (_, result) = try_unpack(b"not a gzip stream at all", UnpackLimits::default());
        let err = result.unwrap_err();
        assert!(matches!(err, UnpackError::Corrupt(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("the build context is not a valid gzipped tar")
        );
    }
}
