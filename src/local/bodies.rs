//! Where sessions' body files live (`PIPECAT_SESSION_BODY_FILE`, one per
//! running session, removed when it ends): a directory of this server's
//! own on a memory file system when the user has one, else `bodies/` in
//! the data dir. On a memory file system the bodies (which may hold the
//! caller's secrets) never reach a disk, and creating and removing a file
//! takes a few microseconds instead of tens on a disk's file system, on
//! every start and every end.
//!
//! The memory candidates, in order: `$XDG_RUNTIME_DIR` (the user's own
//! runtime directory, mode 0700), then `/dev/shm`, each only if it is a
//! tmpfs in which nobody else can rename what we make (sticky, or ours).
//! In it the server makes `pipecat-local-bodies-UID-HASH`, HASH naming the
//! data dir. That directory must be a real directory (not a link), this
//! user's, closed to others, or it is not used: `/dev/shm` is shared by
//! every user, and a name someone else took is never used, changed or
//! emptied. Only files named like a body file (`SESSION_ID.json`) are ever
//! removed from such a directory.
//!
//! The server holds an exclusive `flock` on its directory while it runs.
//! A directory nobody holds is a dead server's: a server that starts
//! empties and removes this user's unheld directories (the lock, unlike a
//! path or a pid, means the same in every mount namespace and dies with
//! its holder). Files are made and removed through the directory's file
//! descriptor, so a directory removed under a running server (logind
//! cleans `/dev/shm` and the runtime dir at the user's last logout) is not
//! replaced by whatever takes its name: the write fails, and that body goes
//! to the data dir instead, as does one the memory file system has no room
//! for.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use sha2::{Digest, Sha256};

/// The directory in the data dir used when no memory file system is.
pub const DATA_DIR_BODIES: &str = "bodies";
/// The shared memory file system most Linux systems mount.
const SHARED_MEMORY: &str = "/dev/shm";
/// Dead servers' directories removed at most per start, so that a start
/// stays quick whatever a parent holds.
const MAX_ORPHANS_PER_START: usize = 64;

#[derive(Debug)]
pub struct BodyDir {
    /// `bodies/` in the data dir, made when first needed.
    on_disk: PathBuf,
    in_memory: Option<MemoryDir>,
}

/// This server's directory on a memory file system, locked.
#[derive(Debug)]
struct MemoryDir {
    path: PathBuf,
    /// Open (and `flock`ed) for the server's life.
    dir: File,
}

impl BodyDir {
    /// Picks the directory for `data_dir` (which exists and is private),
    /// and removes the body files a previous server left there and in the
    /// data dir, and dead servers' directories.
    pub fn open(data_dir: &Path) -> BodyDir {
        let data_dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        let on_disk = data_dir.join(DATA_DIR_BODIES);
        // A crashed server's, made by this version or an earlier one.
        if std::fs::symlink_metadata(&on_disk).is_ok_and(|meta| meta.is_dir()) {
            remove_body_files(&on_disk);
        }
        let name = memory_dir_name(&data_dir);
        let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
        let mut refused = None;
        let in_memory = runtime_dir
            .filter(|dir| dir.is_absolute() && private_dir_of_mine(dir))
            .into_iter()
            .chain([PathBuf::from(SHARED_MEMORY)])
            .filter(|parent| is_tmpfs(parent) && nobody_else_can_rename_in(parent))
            .find_map(|parent| {
                remove_orphans(&parent);
                MemoryDir::claim(parent.join(&name))
                    .map_err(|why| refused.get_or_insert(why).clone())
                    .ok()
            });
        // A memory file system was there but refused: say so, as a name
        // someone else took would otherwise move bodies to the disk unseen.
        if let (None, Some(why)) = (&in_memory, refused) {
            eprintln!(
                "pipecat local: session bodies go in {} on the disk: {why}",
                on_disk.display()
            );
        }
        BodyDir { on_disk, in_memory }
    }

    /// Writes session `id`'s body file (mode 0600, whatever the umask) and
    /// says where it is: in memory if it can, else in the data dir.
    pub fn write(&self, id: &str, body: &[u8]) -> std::io::Result<PathBuf> {
        let name = body_file_name(id);
        if let Some(memory) = &self.in_memory
            && memory.write(&name, body).is_ok()
        {
            return Ok(memory.path.join(name));
        }
        DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(&self.on_disk)?;
        let path = self.on_disk.join(name);
        write_private(&path, body)?;
        Ok(path)
    }

    /// Removes a body file [`BodyDir::write`] made.
    pub fn remove(&self, file: &Path) {
        if let Some(memory) = &self.in_memory
            && file.parent() == Some(memory.path.as_path())
            && let Some(name) = file.file_name()
        {
            memory.remove(name);
            return;
        }
        let _ = std::fs::remove_file(file);
    }

    /// Removes the memory directory if no body file is left in it (one of
    /// a session still running stays, and the next server removes it).
    pub fn close(&self) {
        if let Some(memory) = &self.in_memory {
            memory.remove_if_empty();
        }
    }
}

impl MemoryDir {
    /// Makes (or takes over from a dead server) the directory at `path`,
    /// and locks it; else why not: it is not a private directory of ours,
    /// or a live server holds it.
    fn claim(path: PathBuf) -> Result<MemoryDir, String> {
        match DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(format!("cannot create {}: {err}", path.display())),
        }
        let Some(dir) = open_private_dir(&path) else {
            return Err(format!(
                "{} is not a directory of yours closed to others (it is left as it is)",
                path.display()
            ));
        };
        if dir.try_lock().is_err() {
            return Err(format!("another server holds {}", path.display()));
        }
        // Still the directory at that name (not one a sweep removed
        // between our open and our lock).
        if !names(&path, &dir) {
            return Err(format!("{} was removed meanwhile", path.display()));
        }
        remove_body_files(&path);
        Ok(MemoryDir { path, dir })
    }

    fn write(&self, name: &str, body: &[u8]) -> std::io::Result<()> {
        let fd = nix::fcntl::openat(
            self.dir.as_fd(),
            name,
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::from_bits_truncate(0o600),
        )?;
        let written = File::from(fd).write_all(body);
        if written.is_err() {
            self.remove(name);
        }
        written
    }

    fn remove(&self, name: &(impl nix::NixPath + ?Sized)) {
        let _ = nix::unistd::unlinkat(
            self.dir.as_fd(),
            name,
            nix::unistd::UnlinkatFlags::NoRemoveDir,
        );
    }

    /// Removes the directory if it is empty and still the one held (not
    /// one that took its name after it was removed under us).
    fn remove_if_empty(&self) {
        if names(&self.path, &self.dir)
            && std::fs::read_dir(&self.path).is_ok_and(|mut entries| entries.next().is_none())
        {
            let _ = std::fs::remove_dir(&self.path);
        }
    }
}

/// A server that ends without a shutdown (one whose start failed, or a
/// test's) leaves no empty directory behind either.
impl Drop for MemoryDir {
    fn drop(&mut self) {
        self.remove_if_empty();
    }
}

/// Whether `path` names the directory open as `dir`.
fn names(path: &Path, dir: &File) -> bool {
    std::fs::symlink_metadata(path)
        .ok()
        .zip(dir.metadata().ok())
        .is_some_and(|(named, held)| named.dev() == held.dev() && named.ino() == held.ino())
}

fn body_file_name(id: &str) -> String {
    format!("{id}.json")
}

/// Creates `path` (which must not exist) with mode 0600, whatever the
/// umask, holding `contents`.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents)
}

/// Removes the files in `dir` named like a body file; nothing else.
fn remove_body_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_body_file = name
            .to_str()
            .and_then(|name| name.strip_suffix(".json"))
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
        if is_body_file {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `pipecat-local-bodies-UID-`: what this user's directories start with.
fn memory_dir_prefix() -> String {
    format!("pipecat-local-bodies-{}-", nix::unistd::geteuid().as_raw())
}

/// `pipecat-local-bodies-UID-HASH`: one name per user and (canonical)
/// data dir.
fn memory_dir_name(data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.as_os_str().as_bytes());
    format!("{}{}", memory_dir_prefix(), hex::encode(&digest[..8]))
}

/// Empties and removes this user's directories in `parent` that no server
/// holds.
fn remove_orphans(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = memory_dir_prefix();
    let ours = entries
        .flatten()
        .filter(|entry| entry.file_name().as_bytes().starts_with(prefix.as_bytes()));
    for entry in ours.take(MAX_ORPHANS_PER_START) {
        let path = entry.path();
        let Some(dir) = open_private_dir(&path) else {
            continue;
        };
        if dir.try_lock().is_ok() {
            remove_body_files(&path);
            let _ = std::fs::remove_dir(&path);
        }
    }
}

/// `path` opened as a directory, if it is one (not a link to one) of this
/// user, closed to others.
fn open_private_dir(path: &Path) -> Option<File> {
    let dir = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)
        .ok()?;
    dir.metadata()
        .is_ok_and(|meta| is_private_dir_of_mine(&meta))
        .then_some(dir)
}

fn private_dir_of_mine(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|meta| is_private_dir_of_mine(&meta))
}

fn is_private_dir_of_mine(meta: &std::fs::Metadata) -> bool {
    meta.is_dir() && meta.uid() == nix::unistd::geteuid().as_raw() && meta.mode() & 0o077 == 0
}

/// Whether only this user (or root) can rename or remove what this user
/// makes in `dir`: a directory of ours closed to others' writes, or a
/// sticky one that root or we own (as `/dev/shm` is).
fn nobody_else_can_rename_in(dir: &Path) -> bool {
    let me = nix::unistd::geteuid().as_raw();
    std::fs::symlink_metadata(dir).is_ok_and(|meta| {
        meta.is_dir()
            && (meta.uid() == 0 || meta.uid() == me)
            && (meta.mode() & 0o1000 != 0 || (meta.uid() == me && meta.mode() & 0o022 == 0))
    })
}

fn is_tmpfs(dir: &Path) -> bool {
    nix::sys::statfs::statfs(dir)
        .is_ok_and(|fs| fs.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn private_dir(path: &Path) {
        DirBuilder::new().mode(0o700).create(path).unwrap();
    }

    /// The bodies of a server on `data_dir` whose memory directory is
    /// `memory` (claimed here).
    fn with_memory_dir(data_dir: &Path, memory: &Path) -> BodyDir {
        BodyDir {
            on_disk: data_dir.join(DATA_DIR_BODIES),
            in_memory: Some(MemoryDir::claim(memory.to_path_buf()).unwrap()),
        }
    }

    fn body(dir: &Path) -> PathBuf {
        let file = dir.join("0b7c1c1e-0000-4000-8000-000000000001.json");
        std::fs::write(&file, "{}").unwrap();
        file
    }

    #[test]
    fn a_data_dir_has_its_own_memory_dir_name() {
        let temp = tempfile::tempdir().unwrap();
        let (one, two) = (temp.path().join("one"), temp.path().join("two"));
        assert_eq!(memory_dir_name(&one), memory_dir_name(&one));
        assert_ne!(memory_dir_name(&one), memory_dir_name(&two));
        assert!(memory_dir_name(&one).starts_with("pipecat-local-bodies-"));
    }

    #[test]
    fn only_a_private_directory_of_mine_is_claimed_and_only_once() {
        let temp = tempfile::tempdir().unwrap();
        let made = temp.path().join("made");
        let claimed = MemoryDir::claim(made.clone()).expect("made and claimed");
        let mode = std::fs::metadata(&made).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let held = MemoryDir::claim(made.clone()).err().unwrap();
        assert!(held.starts_with("another server holds"), "{held}");
        drop(claimed);
        assert!(MemoryDir::claim(made.clone()).is_ok(), "its server is gone");

        let open = temp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        let kept = body(&open);
        let refused = MemoryDir::claim(open.clone()).err().unwrap();
        assert!(
            refused.ends_with("is not a directory of yours closed to others (it is left as it is)"),
            "{refused}"
        );
        let mode = std::fs::metadata(&open).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "never changed");
        assert!(kept.exists(), "never emptied");

        let link = temp.path().join("link");
        std::os::unix::fs::symlink(&made, &link).unwrap();
        assert!(
            MemoryDir::claim(link).is_err(),
            "a link, even to a private dir"
        );

        let file = temp.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(MemoryDir::claim(file).is_err());
    }

    /// This user's directories that no server holds are emptied and
    /// removed; nothing else in the parent is touched.
    #[test]
    fn dead_servers_directories_are_removed() {
        let temp = tempfile::tempdir().unwrap();
        let prefix = memory_dir_prefix();
        let dead = temp.path().join(format!("{prefix}dead"));
        private_dir(&dead);
        body(&dead);
        let live = temp.path().join(format!("{prefix}live"));
        let held = MemoryDir::claim(live.clone()).unwrap();
        let live_body = body(&live);
        let open = temp.path().join(format!("{prefix}open"));
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        let open_body = body(&open);
        let unrelated = temp.path().join("unrelated");
        private_dir(&unrelated);
        let unrelated_body = body(&unrelated);

        remove_orphans(temp.path());
        assert!(!dead.exists(), "emptied and removed");
        assert!(live_body.exists(), "a live server's stays");
        assert!(open_body.exists(), "not a private dir: never touched");
        assert!(unrelated_body.exists(), "not named as ours");
        drop(held);
    }

    #[test]
    fn only_body_files_are_removed_as_leftovers() {
        let temp = tempfile::tempdir().unwrap();
        let file = body(temp.path());
        for other in ["notes.json", "id_ed25519", "0b7c1c1e.json.bak"] {
            std::fs::write(temp.path().join(other), "keep").unwrap();
        }
        remove_body_files(temp.path());
        assert!(!file.exists());
        let mut kept: Vec<_> = std::fs::read_dir(temp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        kept.sort();
        assert_eq!(kept, ["0b7c1c1e.json.bak", "id_ed25519", "notes.json"]);
    }

    /// Bodies go through the held directory: once it is removed (as
    /// logind does at logout), they go to the data dir, never to whatever
    /// takes the name.
    #[test]
    fn a_removed_memory_dir_sends_bodies_to_the_data_dir() {
        let temp = tempfile::tempdir().unwrap();
        let memory = temp.path().join("memory");
        let bodies = with_memory_dir(&temp.path().join("data"), &memory);
        std::fs::create_dir(temp.path().join("data")).unwrap();
        let first = bodies
            .write("0b7c1c1e-0000-4000-8000-000000000001", b"{}")
            .unwrap();
        assert_eq!(first.parent(), Some(memory.as_path()));
        let mode = std::fs::metadata(&first).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        bodies.remove(&first);
        assert!(!first.exists());

        std::fs::remove_dir(&memory).unwrap();
        private_dir(&memory);
        let second = bodies
            .write("0b7c1c1e-0000-4000-8000-000000000002", b"{}")
            .unwrap();
        assert_eq!(second.parent(), Some(bodies.on_disk.as_path()));
        assert_eq!(std::fs::read_dir(&memory).unwrap().count(), 0);
        bodies.remove(&second);
        assert!(!second.exists());
        drop(bodies);
        assert!(memory.exists(), "not the directory it made: left as it is");
    }

    /// A memory directory goes when its server does, however it ends, as
    /// long as no body file is left in it.
    #[test]
    fn an_empty_memory_dir_goes_with_its_server() {
        let temp = tempfile::tempdir().unwrap();
        let memory = temp.path().join("memory");
        let bodies = with_memory_dir(temp.path(), &memory);
        let file = bodies
            .write("0b7c1c1e-0000-4000-8000-000000000001", b"{}")
            .unwrap();
        bodies.remove(&file);
        drop(bodies);
        assert!(!memory.exists());

        let bodies = with_memory_dir(temp.path(), &memory);
        let file = bodies
            .write("0b7c1c1e-0000-4000-8000-000000000002", b"{}")
            .unwrap();
        drop(bodies);
        assert!(file.exists(), "a running session's body stays");
    }
}
