//! Path rules shared by the unpacker and the builder: nothing is ever
//! written through a symlink, and no link may point above its root.

use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Component, Path, PathBuf};

/// Why a path was refused.
#[derive(Debug)]
pub enum PathFailure {
    /// A file or link sits where a directory is needed (relative path).
    NotADirectory(PathBuf),
    Io(PathBuf, io::Error),
}

/// Create `relative` and its missing parents under `root` as real
/// directories (mode 755). An existing symlink or file on the way is
/// refused, so a link can never redirect a write.
pub fn create_real_dirs(root: &Path, relative: &Path) -> Result<(), PathFailure> {
    let mut current = root.to_path_buf();
    for component in relative.components() {
        current.push(component);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                let shown = current.strip_prefix(root).unwrap_or(&current);
                return Err(PathFailure::NotADirectory(shown.to_path_buf()));
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .mode(0o755)
                    .create(&current)
                    .map_err(|err| PathFailure::Io(current.clone(), err))?;
            }
            Err(err) => return Err(PathFailure::Io(current.clone(), err)),
        }
    }
    Ok(())
}

/// Whether a symlink at `relative` (under some root) with `target` stays
/// at or below the root when read as written: relative, and never
/// climbing above the root. (Links met on the way are not followed; the
/// unpacker also checks the finished tree.)
pub fn link_stays_inside(relative: &Path, target: &Path) -> bool {
    if target.as_os_str().is_empty() {
        return false;
    }
    let mut depth = relative.components().count().saturating_sub(1);
    for component in target.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(up) => depth = up,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_judged_from_where_they_sit() {
        assert!(link_stays_inside(Path::new("a/l"), Path::new("../b")));
        assert!(!link_stays_inside(Path::new("a/l"), Path::new("../../b")));
        assert!(!link_stays_inside(Path::new("l"), Path::new("/etc")));
        assert!(link_stays_inside(Path::new("l"), Path::new("./x/../y")));
        assert!(!link_stays_inside(Path::new("l"), Path::new("")));
    }

    #[test]
    fn a_link_on_the_way_is_refused() {
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/tmp", root.path().join("out")).unwrap();
        match create_real_dirs(root.path(), Path::new("out/x")) {
            Err(PathFailure::NotADirectory(path)) => assert_eq!(path, Path::new("out")),
            other => panic!("{other:?}"),
        }
        create_real_dirs(root.path(), Path::new("a/b/c")).unwrap();
        assert!(root.path().join("a/b/c").is_dir());
    }
}
