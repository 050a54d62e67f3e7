//! The real binary in a pseudo-terminal, read through a vt100 screen parser, typed into
//! like a person would.

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

pub const ENTER: &str = "\r";
pub const TAB: &str = "\t";
pub const BACKSPACE: &str = "\x7f";
pub const CTRL_S: &str = "\x13";
pub const DOWN: &str = "\x1b[B";

impl Tui {
    /// Starts `sinhke` with these arguments in a terminal of `cols` x `rows`.
    pub fn start(args: &[&str], envs: &[(&str, &str)], cols: u16, rows: u16) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(super::bin());
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("SINHKE_DB");
        cmd.env("SINHKE_TODAY", super::TODAY);
        cmd.env("SINHKE_USER", super::USER);
        cmd.env("SINHKE_PASSPHRASE", super::PASSPHRASE);
        cmd.env("SINHKE_KDF", "test");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn sinhke");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let feed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut parser) = feed.lock() {
                    parser.process(&buf[..n]);
                }
            }
        });
        Tui {
            child,
            writer,
            screen,
            _master: pair.master,
        }
    }

    /// Opens a database with no credentials given: the officer must sign in on screen.
    pub fn sign_in_screen(db: &Path, lang: &str) -> Tui {
        let db = db.to_str().expect("utf-8 path");
        Tui::start(
            &["--db", db, "--lang", lang],
            &[("SINHKE_USER", ""), ("SINHKE_PASSPHRASE", "")],
            100,
            30,
        )
    }

    pub fn open(db: &Path, lang: &str) -> Tui {
        let db = db.to_str().expect("utf-8 path");
        Tui::start(&["--db", db, "--lang", lang], &[], 100, 30)
    }

    pub fn contents(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Waits until the screen shows `text`; panics with the screen if it never does.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; the screen shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Types keys. Each call is one write, so escape sequences stay whole.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
        // Let the program take each key on its own, as a person's typing would arrive.
        std::thread::sleep(Duration::from_millis(40));
    }

    /// Types text one character at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    /// Esc on its own, so it is not read as the start of an escape sequence.
    pub fn esc(&mut self) {
        std::thread::sleep(Duration::from_millis(60));
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(120));
    }

    /// Quits with q, declining the backup offered when there has been none this week,
    /// and returns the exit code.
    pub fn quit(&mut self) -> u32 {
        self.send("q");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.exit_code();
            }
            let screen = self.contents();
            if screen.contains("The last backup is") || screen.contains("Lần sao lưu gần nhất")
            {
                self.send("n");
                break;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        self.wait_exit()
    }

    /// Waits for the program to end and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "sinhke did not exit; the screen shows:\n{}",
                    self.contents()
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
