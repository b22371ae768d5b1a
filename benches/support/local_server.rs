//! A local cloud for a benchmark: `pipecat cloud local serve` on a free
//! port of 127.0.0.1, waited for until it serves, and its state file.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub struct LocalServer {
    pub child: Child,
    /// `server.json`: the URL and the keys.
    state: Value,
}

impl LocalServer {
    /// Runs `exe cloud local serve --port 0 --data-dir DATA_DIR`, with what
    /// `configure` adds (more flags, the environment, where stderr goes),
    /// and returns once it has printed its first line (it serves by then).
    pub fn start(
        exe: impl AsRef<OsStr>,
        data_dir: &Path,
        configure: impl FnOnce(&mut Command),
    ) -> Self {
        let mut command = Command::new(exe);
        command
            .args(["cloud", "local", "serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped());
        configure(&mut command);
        let mut child = command.spawn().expect("spawn the local cloud");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let state = serde_json::from_str(
            &std::fs::read_to_string(data_dir.join("server.json")).expect("server.json"),
        )
        .unwrap();
        LocalServer { child, state }
    }

    /// A text field of `server.json`: `url`, `publicKey`, `privateKey`,
    /// `userToken`.
    pub fn text(&self, key: &str) -> String {
        self.state[key].as_str().unwrap().to_string()
    }
}
