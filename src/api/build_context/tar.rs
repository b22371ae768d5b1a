//! The tar layout of a build context, byte for byte as Python's `tarfile`
//! writes it in its default (PAX) format, which is what the official client
//! uploads: the context's hash covers these bytes, so every field's
//! formatting matters (zero-padded octal with a trailing NUL, a checksum of
//! six octal digits, NUL and space, empty user and group names, device
//! fields left empty, a `././@PaxHeader` record before a member whose name
//! is not ASCII or longer than 100 characters, and zero blocks up to a
//! 10240-byte record at the end).
//!
//! The `tar` crate formats several of these fields differently (and writes
//! GNU long-name records), so the writer is ours; reading is left to it.

use std::io::{self, Write};

pub const BLOCK: usize = 512;
/// `tarfile` pads the archive to a multiple of 20 blocks.
pub const RECORD: usize = BLOCK * 20;

const NAME_LEN: usize = 100;
const REGULAR: u8 = b'0';
const PAX: u8 = b'x';

/// Writes members into `out`, counting bytes for the final padding.
pub struct TarWriter<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        TarWriter { out, written: 0 }
    }

    /// The header(s) of a regular file; its `size` bytes of content must
    /// follow through [`TarWriter::write_content`], then
    /// [`TarWriter::end_member`].
    pub fn begin_file(&mut self, name: &str, mode: u32, size: u64) -> io::Result<()> {
        let mut records: Vec<(&str, String)> = Vec::new();
        if !name.is_ascii() || name.chars().count() > NAME_LEN {
            records.push(("path", name.to_string()));
        }
        // 11 octal digits hold sizes below 8 GiB.
        let header_size = if size < 8u64.pow(11) {
            size
        } else {
            records.push(("size", size.to_string()));
            0
        };
        if !records.is_empty() {
            let payload = pax_records(&records);
            let header = header("././@PaxHeader", 0, payload.len() as u64, PAX);
            self.write(&header)?;
            self.write(&payload)?;
            self.pad()?;
        }
        self.write(&header(name, mode, header_size, REGULAR))
    }

    pub fn write_content(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write(bytes)
    }

    /// Zero-fill the member's last block.
    pub fn end_member(&mut self) -> io::Result<()> {
        self.pad()
    }

    /// Two zero blocks, then zeros up to the record size; returns the
    /// underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.write(&[0; BLOCK * 2])?;
        let rest = (RECORD - (self.written % RECORD as u64) as usize) % RECORD;
        self.write(&vec![0; rest])?;
        Ok(self.out)
    }

    fn pad(&mut self) -> io::Result<()> {
        let rest = (BLOCK - (self.written % BLOCK as u64) as usize) % BLOCK;
        self.write(&[0; BLOCK][..rest])
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

/// One ustar header block. Text fields that do not fit are cut (a PAX
/// record carries the full value); characters outside ASCII become `?`.
fn header(name: &str, mode: u32, size: u64, kind: u8) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    let ascii: Vec<u8> = name
        .chars()
        .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
        .collect();
    let len = ascii.len().min(NAME_LEN);
    block[..len].copy_from_slice(&ascii[..len]);
    octal(&mut block[100..108], u64::from(mode & 0o7777));
    octal(&mut block[108..116], 0); // uid
    octal(&mut block[116..124], 0); // gid
    octal(&mut block[124..136], size);
    octal(&mut block[136..148], 0); // mtime
    block[148..156].copy_from_slice(b"        ");
    block[156] = kind;
    // linkname (157..257) stays empty.
    block[257..265].copy_from_slice(b"ustar\x0000");
    // uname, gname, devmajor, devminor and prefix stay empty (NULs).
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    let checksum = format!("{sum:06o}\0");
    block[148..155].copy_from_slice(checksum.as_bytes());
    block
}

/// `value` as zero-padded octal filling all but the field's last byte,
/// which is NUL. Callers keep values within the field.
fn octal(field: &mut [u8], value: u64) {
    let last = field.len() - 1;
    let digits = format!("{value:0last$o}");
    field[..last].copy_from_slice(digits.as_bytes());
    field[last] = 0;
}

/// PAX records `"<len> <key>=<value>\n"`, where `<len>` counts the whole
/// record including its own digits.
fn pax_records(records: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let base = key.len() + value.len() + 3;
        let mut len = 0;
        loop {
            let next = base + len.to_string().len();
            if next == len {
                break;
            }
            len = next;
        }
        out.extend_from_slice(format!("{len} {key}={value}\n").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_are_formatted_as_tarfile_does() {
        let block = header("bot.py", 0o644, 10, REGULAR);
        assert_eq!(&block[..6], b"bot.py");
        assert_eq!(&block[100..108], b"0000644\0");
        assert_eq!(&block[124..136], b"00000000012\0");
        assert_eq!(&block[136..148], b"00000000000\0");
        assert_eq!(block[155], b' ');
        assert_eq!(block[154], 0);
        assert_eq!(&block[257..265], b"ustar\x0000");
        assert!(block[329..345].iter().all(|&b| b == 0), "device fields");
        // The checksum is the byte sum with its own field as spaces.
        let mut copy = block;
        copy[148..156].copy_from_slice(b"        ");
        let sum: u32 = copy.iter().map(|&b| u32::from(b)).sum();
        let text = std::str::from_utf8(&block[148..154]).unwrap();
        assert_eq!(u32::from_str_radix(text, 8).unwrap(), sum);
    }

    #[test]
    fn pax_record_length_counts_its_own_digits() {
        assert_eq!(pax_records(&[("a", "bcd".into())]), b"8 a=bcd\n");
        // 95 bytes without the length, 97 with its two digits.
        let record = pax_records(&[("path", "x".repeat(88))]);
        assert_eq!(record.len(), 97);
        assert!(record.starts_with(b"97 path="));
        // 98 bytes without it: two digits would make 100, which has three.
        let record = pax_records(&[("path", "x".repeat(91))]);
        assert_eq!(record.len(), 101);
        assert!(record.starts_with(b"101 path="));
    }

    #[test]
    fn archive_ends_on_a_record_boundary() {
        let mut writer = TarWriter::new(Vec::new());
        writer.begin_file("a", 0o644, 3).unwrap();
        writer.write_content(b"abc").unwrap();
        writer.end_member().unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(bytes.len(), RECORD);
        assert_eq!(&bytes[BLOCK..BLOCK + 3], b"abc");
    }
}
