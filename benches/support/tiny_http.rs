//! A tiny HTTP/1.1 client for the benchmarks: one keep-alive connection,
//! requests written by hand, answers read by `Content-Length`. It does as
//! little as a client can, so that the server, not the client, is what a
//! benchmark measures.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

pub struct Http {
    host: String,
    connection: Mutex<Option<Connection>>,
}

struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Http {
    /// A client of `url` (`http://HOST:PORT`); it connects on first use.
    pub fn new(url: &str) -> Http {
        Http {
            host: url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string(),
            connection: Mutex::new(None),
        }
    }

    pub async fn get(&self, path: &str, key: &str) -> (u16, Vec<u8>) {
        self.request("GET", path, key, "").await
    }

    pub async fn post(&self, path: &str, key: &str, body: &str) -> (u16, Vec<u8>) {
        self.request("POST", path, key, body).await
    }

    /// Status and body; reconnects once if the server closed the
    /// connection since the last answer.
    async fn request(&self, method: &str, path: &str, key: &str, body: &str) -> (u16, Vec<u8>) {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        let mut slot = self.connection.lock().await;
        for attempt in 0..2 {
            if slot.is_none() {
                let stream = TcpStream::connect(&self.host).await.expect("connect");
                stream.set_nodelay(true).unwrap();
                *slot = Some(Connection {
                    stream,
                    buffer: Vec::with_capacity(64 * 1024),
                });
            }
            let connection = slot.as_mut().unwrap();
            match connection.exchange(request.as_bytes()).await {
                Ok(answer) => return answer,
                Err(err) if attempt == 0 => {
                    let _ = err;
                    *slot = None;
                }
                Err(err) => panic!("{method} {path}: {err}"),
            }
        }
        unreachable!()
    }
}

impl Connection {
    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            self.read_more().await?;
        };
        let head = String::from_utf8_lossy(&self.buffer[..head_end]).to_ascii_lowercase();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status line"))?;
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| std::io::Error::other("no content-length"))?;
        while self.buffer.len() < head_end + length {
            self.read_more().await?;
        }
        Ok((status, self.buffer[head_end..head_end + length].to_vec()))
    }

    async fn read_more(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed",
            ));
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
