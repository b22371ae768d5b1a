//! Reading a child process's output as bounded lines: a line longer than
//! the cap is cut (and marked), the rest of it skipped, so a program that
//! never writes a newline cannot grow the server's memory.

use tokio::io::{self, AsyncBufReadExt, AsyncRead, BufReader};

/// Appended to a line that was cut.
pub const CUT_MARK: &str = " […]";

pub struct LineReader<R> {
    inner: BufReader<R>,
    max_bytes: usize,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R, max_bytes: usize) -> Self {
        LineReader {
            inner: BufReader::new(inner),
            max_bytes,
        }
    }

    /// The next line without its `\n` (or `\r\n`), at most `max_bytes`
    /// bytes of it; invalid UTF-8 is replaced. `None` at the end.
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let mut cut = false;
        let mut read_any = false;
        loop {
            let buffer = self.inner.fill_buf().await?;
            if buffer.is_empty() {
                return Ok(read_any.then(|| finish(line, cut)));
            }
            read_any = true;
            let (chunk, consumed, done) = match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => (&buffer[..at], at + 1, true),
                None => (buffer, buffer.len(), false),
            };
            let room = self.max_bytes - line.len();
            if chunk.len() > room {
                line.extend_from_slice(&chunk[..room]);
                cut = true;
            } else {
                line.extend_from_slice(chunk);
            }
            self.inner.consume(consumed);
            if done {
                return Ok(Some(finish(line, cut)));
            }
        }
    }
}

fn finish(mut line: Vec<u8>, cut: bool) -> String {
    if !cut && line.last() == Some(&b'\r') {
        line.pop();
    }
    let mut text = String::from_utf8_lossy(&line).into_owned();
    if cut {
        text.push_str(CUT_MARK);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = LineReader::new(input, max);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().await.unwrap() {
            out.push(line);
        }
        out
    }

    #[tokio::test]
    async fn long_lines_are_cut_and_the_rest_skipped() {
        let mut input = vec![b'x'; 100_000];
        input.extend_from_slice(b"\nnext\r\nlast");
        let out = lines(&input, 10).await;
        assert_eq!(
            out,
            vec![
                format!("xxxxxxxxxx{CUT_MARK}"),
                "next".into(),
                "last".into()
            ]
        );
        assert_eq!(lines(b"", 10).await, Vec::<String>::new());
        assert_eq!(lines(b"\n\n", 10).await, vec!["", ""]);
        assert_eq!(
            lines(b"caf\xc3\xa9 \xff\n", 64).await,
            vec!["café \u{fffd}"]
        );
    }
}
