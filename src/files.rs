//! Reading the files a user points the client at (the config file,
//! `pcc-deploy.toml`, data files, ignore files) with a cap enforced while
//! reading: `/dev/zero`, a named pipe that never ends or a huge file is
//! refused at the cap, never read whole and then measured.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The most a config file (the user config, `pcc-deploy.toml`, an ignore
/// file) may hold. Real ones are a few hundred bytes.
pub const MAX_CONFIG_FILE_BYTES: usize = 1024 * 1024;

/// The whole file at `path`, at most `limit` bytes. A longer one is an
/// error of kind [`io::ErrorKind::FileTooLarge`] that names the limit
/// ("larger than 1 MiB").
pub fn read_capped(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    read_capped_from(File::open(path)?, limit)
}

/// [`read_capped`] as UTF-8 text; other bytes are an error of kind
/// [`io::ErrorKind::InvalidData`].
pub fn read_capped_to_string(path: &Path, limit: usize) -> io::Result<String> {
    String::from_utf8(read_capped(path, limit)?).map_err(|err| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                err.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Everything `reader` gives (stdin, say), at most `limit` bytes, with
/// the error of [`read_capped`] past it.
pub fn read_capped_from(reader: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {}", human_size(limit)),
        ));
    }
    Ok(bytes)
}

/// A size as a person writes it: `64 MiB`, `1 MiB`, `64 KiB`, else bytes.
pub fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_at_the_limit_is_read_and_one_past_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'x'; 1024]).unwrap();
        assert_eq!(read_capped(&path, 1024).unwrap().len(), 1024);
        let err = read_capped(&path, 1023).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "larger than 1023 bytes");
    }

    #[test]
    fn an_endless_source_is_cut_at_the_limit() {
        let err = read_capped(Path::new("/dev/zero"), MAX_CONFIG_FILE_BYTES).unwrap_err();
        assert_eq!(err.to_string(), "larger than 1 MiB");
        let endless = io::repeat(b'{');
        assert!(read_capped_from(endless, 64 * 1024).is_err());
    }

    #[test]
    fn text_must_be_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"ok\xff").unwrap();
        let err = read_capped_to_string(&path, 100).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("offset 2"), "{err}");
    }

    #[test]
    fn sizes_read_as_a_person_writes_them() {
        assert_eq!(human_size(64 * 1024 * 1024), "64 MiB");
        assert_eq!(human_size(MAX_CONFIG_FILE_BYTES), "1 MiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
