//! A scripted HTTP server on 127.0.0.1 for contract and fault-injection
//! tests: it answers each request path with the next reply of its script,
//! byte for byte (so it can send HTML, cut a body short, or hang), and
//! records what it received.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Declare this many more bytes than are sent, then close: a cut-off body.
    truncate_by: usize,
    /// Wait this long before answering (to trip a client timeout).
    delay: Duration,
    /// Send the body, then blank chunks for as long as the client reads.
    endless: bool,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            truncate_by: 0,
            delay: Duration::ZERO,
            endless: false,
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            truncate_by: 0,
            delay: Duration::ZERO,
            endless: false,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn truncated(mut self, missing: usize) -> Reply {
        self.truncate_by = missing;
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// A chunked body that never ends: the body, then whitespace chunks
    /// until the client hangs up.
    pub fn endless(mut self) -> Reply {
        self.endless = true;
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

pub struct Scripted {
    pub url: String,
    recorded: Arc<Mutex<Vec<Recorded>>>,
}

impl Scripted {
    /// Serves `script`: for each path (without query), the replies to give
    /// in order; the last one repeats. Unscripted paths get a 404 JSON.
    pub fn start(script: Vec<(&str, Vec<Reply>)>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        Self::serve(listener, script)
    }

    /// Like [`Scripted::start`], for answers that name the server's own
    /// URL (which `script` is given).
    pub fn start_for(script: impl FnOnce(&str) -> Vec<(&'static str, Vec<Reply>)>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script = script(&url);
        Self::serve(listener, script)
    }

    /// Like [`Scripted::start`], but nothing listens (connections are
    /// refused) until `delay` has passed. Returns at once.
    pub fn start_later(delay: Duration, script: Vec<(&str, Vec<Reply>)>) -> Scripted {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind 127.0.0.1:0")
            .local_addr()
            .unwrap()
            .port();
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let seen = recorded.clone();
        let script = owned(script);
        thread::spawn(move || {
            thread::sleep(delay);
            let listener =
                TcpListener::bind(("127.0.0.1", port)).expect("bind the same port again");
            accept_loop(listener, script, seen);
        });
        Scripted {
            url: format!("http://127.0.0.1:{port}"),
            recorded,
        }
    }

    fn serve(listener: TcpListener, script: Vec<(&str, Vec<Reply>)>) -> Scripted {
        let url = format!("http://{}", listener.local_addr().unwrap());
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let script = owned(script);
        let seen = recorded.clone();
        thread::spawn(move || accept_loop(listener, script, seen));
        Scripted { url, recorded }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }
}

type Script = Arc<Mutex<HashMap<String, Vec<Reply>>>>;

fn owned(script: Vec<(&str, Vec<Reply>)>) -> Script {
    Arc::new(Mutex::new(
        script
            .into_iter()
            .map(|(path, replies)| (path.to_string(), replies))
            .collect(),
    ))
}

fn accept_loop(listener: TcpListener, script: Script, seen: Arc<Mutex<Vec<Recorded>>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let script = script.clone();
        let seen = seen.clone();
        thread::spawn(move || serve_one(stream, &script, &seen));
    }
}

fn serve_one(
    mut stream: TcpStream,
    script: &Mutex<HashMap<String, Vec<Reply>>>,
    seen: &Mutex<Vec<Recorded>>,
) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    let path = request.target.split('?').next().unwrap_or("").to_string();
    seen.lock().unwrap().push(request);
    let reply = {
        let mut script = script.lock().unwrap();
        match script.get_mut(&path) {
            Some(replies) if replies.len() > 1 => replies.remove(0),
            Some(replies) if replies.len() == 1 => replies[0].clone(),
            _ => Reply::json(404, r#"{"error":"not scripted","code":"404"}"#),
        }
    };
    thread::sleep(reply.delay);
    let mut head = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.endless {
        head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(head.as_bytes());
        let blank = vec![b' '; 64 * 1024];
        let mut chunk = reply.body.clone();
        // Until the client hangs up, which fails the write. (An empty
        // chunk would end the body.)
        loop {
            if chunk.is_empty() {
                chunk.clone_from(&blank);
            }
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            if stream.write_all(&framed).is_err() {
                return;
            }
            chunk.clone_from(&blank);
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len() + reply.truncate_by
    ));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}

fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}
