//! A pseudo-terminal harness: runs the real `pipecat` binary in a pty of a
//! given size and keeps a terminal parser (`vt100`) fed with everything it
//! draws, so tests look at the screen a person would see (cells, cursor
//! visibility, alternate screen, scrollback) instead of at raw bytes.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Lines of scrollback kept by the parser.
const SCROLLBACK: usize = 10_000;

/// How to start a program in a terminal.
pub struct PtyCommand {
    builder: CommandBuilder,
    rows: u16,
    cols: u16,
    /// The size the pty tells the program, when not `rows` x `cols`.
    reported: Option<(u16, u16)>,
}

impl PtyCommand {
    /// The `pipecat` binary under test with `args`, in a terminal of
    /// `rows` x `cols`, with a scrubbed environment (no `PIPECAT_*`, no
    /// colour overrides, `TERM=xterm-256color`, times in UTC).
    pub fn pipecat(args: &[&str], rows: u16, cols: u16) -> PtyCommand {
        PtyCommand::program(super::pipecat_bin(), args, rows, cols)
    }

    /// `line` run by `sh -c`, with the same scrubbed environment (the
    /// caller puts the binary under test on the PATH if the line needs it).
    pub fn shell(line: &str, rows: u16, cols: u16) -> PtyCommand {
        PtyCommand::program("sh".into(), &["-c", line], rows, cols)
    }

    fn program(program: std::path::PathBuf, args: &[&str], rows: u16, cols: u16) -> PtyCommand {
        let mut builder = CommandBuilder::new(program);
        builder.args(args);
        builder.env_clear();
        for (key, value) in std::env::vars() {
            let scrubbed = key.starts_with("PIPECAT_")
                || matches!(
                    key.as_str(),
                    "NO_COLOR" | "CLICOLOR_FORCE" | "COLUMNS" | "LINES" | "TERM" | "BROWSER" | "TZ"
                );
            if !scrubbed {
                builder.env(key, value);
            }
        }
        builder.env("TERM", "xterm-256color");
        builder.env("TZ", "UTC");
        PtyCommand {
            builder,
            rows,
            cols,
            reported: None,
        }
    }

    /// The pty tells the program it is `rows` x `cols` (0 x 0: no size, as
    /// under `script` or some CI terminals) while the parser still draws
    /// the screen at the size given to [`PtyCommand::pipecat`].
    pub fn reporting_size(mut self, rows: u16, cols: u16) -> Self {
        self.reported = Some((rows, cols));
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.builder.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.builder.env_remove(key);
        self
    }

    pub fn cwd(mut self, dir: &Path) -> Self {
        self.builder.cwd(dir);
        self
    }

    /// Starts it. Panics if the pty or the process cannot be created.
    pub fn spawn(self) -> Pty {
        let (rows, cols) = self.reported.unwrap_or((self.rows, self.cols));
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pair
            .slave
            .spawn_command(self.builder)
            .expect("spawn in pty");
        // The child holds the slave side now; ours must close so that the
        // reader sees EOF when the child exits.
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            size(self.rows),
            size(self.cols),
            SCROLLBACK,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let reader_thread = {
            let parser = parser.clone();
            let raw = raw.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                loop {
                    match reader.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            lock(&raw).extend_from_slice(&buffer[..n]);
                            lock(&parser).process(&buffer[..n]);
                        }
                    }
                }
            })
        };
        let writer = pair.master.take_writer().expect("pty writer");
        Pty {
            master: pair.master,
            writer,
            child,
            parser,
            raw,
            reader_thread: Some(reader_thread),
        }
    }
}

fn size(cells: u16) -> NonZeroU16 {
    NonZeroU16::new(cells).expect("a terminal size is at least 1")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A program running in a pseudo-terminal. Killed on drop if still running.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    reader_thread: Option<JoinHandle<()>>,
}

impl Pty {
    /// The visible screen's text, rows joined by `\n` (trailing blanks
    /// trimmed per row).
    pub fn screen(&self) -> String {
        lock(&self.parser).screen().contents()
    }

    /// The visible screen's rows.
    pub fn rows(&self) -> Vec<String> {
        let parser = lock(&self.parser);
        let (_, cols) = parser.screen().size();
        parser.screen().rows(0, cols.get()).collect()
    }

    /// Every line that scrolled off the top plus the visible screen, as a
    /// person scrolling back would see them.
    pub fn scrollback_and_screen(&self) -> String {
        let mut parser = lock(&self.parser);
        let mut lines = Vec::new();
        // Walk the scrollback from its oldest line down to the screen.
        parser.screen_mut().set_scrollback(usize::MAX);
        let depth = parser.screen().scrollback();
        let (rows, cols) = parser.screen().size();
        for offset in (1..=depth).rev() {
            parser.screen_mut().set_scrollback(offset);
            if let Some(top) = parser.screen().rows(0, cols.get()).next() {
                lines.push(top);
            }
        }
        parser.screen_mut().set_scrollback(0);
        lines.extend(
            parser
                .screen()
                .rows(0, cols.get())
                .take(usize::from(rows.get())),
        );
        lines.join("\n")
    }

    /// Everything the program wrote, escape codes included.
    pub fn raw(&self) -> Vec<u8> {
        lock(&self.raw).clone()
    }

    pub fn cursor_hidden(&self) -> bool {
        lock(&self.parser).screen().hide_cursor()
    }

    pub fn alternate_screen(&self) -> bool {
        lock(&self.parser).screen().alternate_screen()
    }

    /// Waits until the screen satisfies `check`, or panics after `timeout`
    /// showing the screen.
    pub fn wait_for_screen(&self, what: &str, timeout: Duration, check: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if check(&screen) {
                return;
            }
            if Instant::now() > deadline {
                panic!("timed out after {timeout:?} waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until `text` is on the screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) {
        self.wait_for_screen(&format!("{text:?}"), timeout, |screen| {
            screen.contains(text)
        });
    }

    /// Types `bytes` as if on the keyboard.
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Ctrl-C: the terminal sends SIGINT to the foreground process group.
    pub fn ctrl_c(&mut self) {
        self.send(b"\x03");
    }

    /// Changes the terminal's size (the program gets SIGWINCH).
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        lock(&self.parser)
            .screen_mut()
            .set_size(size(rows), size(cols));
    }

    /// True once the program has exited.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits for the program to exit and for its last output to be read;
    /// returns its exit code. Panics after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait().expect("poll child") {
                Some(status) => {
                    if let Some(reader) = self.reader_thread.take() {
                        let _ = reader.join();
                    }
                    return status.exit_code();
                }
                None if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    panic!(
                        "did not exit within {timeout:?}; screen:\n{}",
                        self.screen()
                    );
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
