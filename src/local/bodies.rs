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
//! tmpfs. In it the server makes `pipecat-local-bodies-UID-HASH`, HASH
//! naming the data dir, so that the next server on the same data dir
//! finds what a crashed one left. That directory must be a real directory
//! (not a link), this user's, with mode 0700, or the data dir is used:
//! `/dev/shm` is shared by every user, and a name someone else took is
//! never used, changed or emptied. Only files named like a body file
//! (`SESSION_ID.json`) are ever removed from it.
//!
//! Each such directory holds a file naming its data dir ([`MARKER`]).
//! The server removes its directory when it stops; a directory whose
//! server was killed is emptied by the next server of that data dir, or by
//! any server of this user once the data dir is gone (a deleted temp dir).

use std::ffi::OsString;
use std::fs::DirBuilder;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The directory in the data dir used when no memory file system is.
pub const DATA_DIR_BODIES: &str = "bodies";
/// The shared memory file system most Linux systems mount.
const SHARED_MEMORY: &str = "/dev/shm";
/// In a directory on a memory file system: the data dir it serves.
const MARKER: &str = "data-dir";
/// The longest data dir path a marker may hold.
const MAX_MARKER_BYTES: usize = 4096;

#[derive(Debug)]
pub struct BodyDir {
    path: PathBuf,
    /// Outside the data dir: removed when the server stops.
    in_memory: bool,
}

impl BodyDir {
    /// Picks the directory for `data_dir` (which exists and is private)
    /// and removes the body files a previous server left in it.
    pub fn open(data_dir: &Path) -> std::io::Result<BodyDir> {
        let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
        let candidates = runtime_dir
            .filter(|dir| dir.is_absolute() && private_dir_of_mine(dir))
            .into_iter()
            .chain([PathBuf::from(SHARED_MEMORY)]);
        let data_dir = std::fs::canonicalize(data_dir)?;
        let name = memory_dir_name(&data_dir);
        let body_dir = candidates
            .filter(|parent| is_tmpfs(parent) && nobody_else_can_replace_in(parent))
            .find_map(|parent| {
                let path = parent.join(&name);
                if !make_private_dir(&path) {
                    return None;
                }
                write_marker(&path, &data_dir).ok()?;
                remove_orphans(&parent, &name);
                Some(BodyDir {
                    path,
                    in_memory: true,
                })
            });
        let body_dir = match body_dir {
            Some(dir) => {
                // Where an earlier version kept them.
                let earlier = BodyDir {
                    path: data_dir.join(DATA_DIR_BODIES),
                    in_memory: true,
                };
                if private_dir_of_mine(&earlier.path) {
                    earlier.remove_leftovers();
                    earlier.close();
                }
                dir
            }
            None => {
                let path = data_dir.join(DATA_DIR_BODIES);
                DirBuilder::new()
                    .mode(0o700)
                    .recursive(true)
                    .create(&path)?;
                BodyDir {
                    path,
                    in_memory: false,
                }
            }
        };
        body_dir.remove_leftovers();
        Ok(body_dir)
    }

    /// The body file of session `id`.
    pub fn file(&self, id: &str) -> PathBuf {
        self.path.join(format!("{id}.json"))
    }

    /// Removes the directory if it is outside the data dir and holds no
    /// body file: the last session has ended and its file is gone.
    pub fn close(&self) {
        if !self.in_memory {
            return;
        }
        let only_the_marker = std::fs::read_dir(&self.path)
            .is_ok_and(|entries| entries.flatten().all(|entry| entry.file_name() == MARKER));
        if only_the_marker {
            let _ = std::fs::remove_file(self.path.join(MARKER));
            let _ = std::fs::remove_dir(&self.path);
        }
    }

    fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
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
}

/// `pipecat-local-bodies-UID-`: what this user's directories start with.
fn memory_dir_prefix() -> String {
    format!("pipecat-local-bodies-{}-", nix::unistd::geteuid().as_raw())
}

/// `pipecat-local-bodies-UID-HASH`: one name per user and (canonical)
/// data dir.
fn memory_dir_name(data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.as_os_str().as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}{hash}", memory_dir_prefix())
}

/// Names the data dir in `dir`, unless a crashed server of it already did.
fn write_marker(dir: &Path, data_dir: &Path) -> std::io::Result<()> {
    match write_private(&dir.join(MARKER), data_dir.as_os_str().as_bytes()) {
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        written => written,
    }
}

/// Creates `path` (which must not exist) with mode 0600, whatever the
/// umask, holding `contents`.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents)
}

/// Empties and removes this user's directories in `parent` whose data dir
/// no longer exists, except `mine`.
fn remove_orphans(parent: &Path, mine: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = memory_dir_prefix();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name
            .to_str()
            .is_some_and(|name| name.starts_with(&prefix) && name != mine);
        let path = entry.path();
        if !ours || !private_dir_of_mine(&path) {
            continue;
        }
        let Some(data_dir) = read_marker(&path) else {
            continue;
        };
        let gone = matches!(
            std::fs::symlink_metadata(&data_dir),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound
        );
        if gone {
            let orphan = BodyDir {
                path,
                in_memory: true,
            };
            orphan.remove_leftovers();
            orphan.close();
        }
    }
}

fn read_marker(dir: &Path) -> Option<PathBuf> {
    let bytes = crate::files::read_capped(&dir.join(MARKER), MAX_MARKER_BYTES).ok()?;
    let path = PathBuf::from(OsString::from_vec(bytes));
    path.is_absolute().then_some(path)
}

/// Whether only this user can rename or remove what this user makes in
/// `dir`: a directory of ours closed to others' writes, or a sticky one
/// (as `/dev/shm` is).
fn nobody_else_can_replace_in(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|meta| {
        meta.is_dir()
            && (meta.mode() & 0o1000 != 0
                || (meta.uid() == nix::unistd::geteuid().as_raw() && meta.mode() & 0o022 == 0))
    })
}

fn is_tmpfs(dir: &Path) -> bool {
    nix::sys::statfs::statfs(dir)
        .is_ok_and(|fs| fs.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC)
}

/// Creates `dir` with mode 0700, or accepts an existing one that already
/// is exactly that: a directory (not a link to one) of this user that
/// nobody else may enter.
fn make_private_dir(dir: &Path) -> bool {
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(_) => return false,
    }
    private_dir_of_mine(dir)
}

fn private_dir_of_mine(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|meta| {
        meta.is_dir() && meta.uid() == nix::unistd::geteuid().as_raw() && meta.mode() & 0o077 == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_dir_has_its_own_memory_dir_name() {
        let temp = tempfile::tempdir().unwrap();
        let (one, two) = (temp.path().join("one"), temp.path().join("two"));
        assert_eq!(memory_dir_name(&one), memory_dir_name(&one));
        assert_ne!(memory_dir_name(&one), memory_dir_name(&two));
        assert!(memory_dir_name(&one).starts_with("pipecat-local-bodies-"));
    }

    #[test]
    fn only_a_private_directory_of_mine_is_used() {
        use std::os::unix::fs::PermissionsExt;

        let temp = tempfile::tempdir().unwrap();
        let made = temp.path().join("made");
        assert!(make_private_dir(&made));
        let mode = std::fs::metadata(&made).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(make_private_dir(&made), "an existing private one is reused");

        let open = temp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(!make_private_dir(&open));
        let mode = std::fs::metadata(&open).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "never changed");

        let link = temp.path().join("link");
        std::os::unix::fs::symlink(&made, &link).unwrap();
        assert!(!make_private_dir(&link), "a link, even to a private dir");

        let file = temp.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(!make_private_dir(&file));
    }

    /// This user's directories whose data dir is gone are emptied and
    /// removed; nothing else in the parent is touched.
    #[test]
    fn orphans_are_removed_once_their_data_dir_is_gone() {
        let temp = tempfile::tempdir().unwrap();
        let parent = temp.path().join("shm");
        std::fs::create_dir(&parent).unwrap();
        let alive = temp.path().join("alive");
        std::fs::create_dir(&alive).unwrap();
        let prefix = memory_dir_prefix();
        let make = |name: &str, data_dir: &Path| {
            let dir = parent.join(name);
            assert!(make_private_dir(&dir));
            write_marker(&dir, data_dir).unwrap();
            std::fs::write(dir.join("0b7c1c1e-0000-4000-8000-000000000001.json"), "{}").unwrap();
            dir
        };
        let orphan = make(&format!("{prefix}orphan"), &temp.path().join("gone"));
        let living = make(&format!("{prefix}living"), &alive);
        let mine = make(&format!("{prefix}mine"), &temp.path().join("gone"));
        let someone_elses = make("someone-else", &temp.path().join("gone"));

        remove_orphans(&parent, &format!("{prefix}mine"));
        assert!(!orphan.exists(), "emptied and removed");
        for kept in [&living, &mine, &someone_elses] {
            assert_eq!(std::fs::read_dir(kept).unwrap().count(), 2, "{kept:?}");
        }
        assert_eq!(read_marker(&living), Some(alive));
    }

    #[test]
    fn only_body_files_are_removed_as_leftovers() {
        let temp = tempfile::tempdir().unwrap();
        let dir = BodyDir {
            path: temp.path().to_path_buf(),
            in_memory: false,
        };
        let body = dir.file("0b7c1c1e-0000-4000-8000-000000000001");
        std::fs::write(&body, "{}").unwrap();
        for other in ["notes.json", "id_ed25519", "0b7c1c1e.json.bak"] {
            std::fs::write(temp.path().join(other), "keep").unwrap();
        }
        dir.remove_leftovers();
        assert!(!body.exists());
        let mut kept: Vec<_> = std::fs::read_dir(temp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        kept.sort();
        assert_eq!(kept, ["0b7c1c1e.json.bak", "id_ed25519", "notes.json"]);
    }
}
