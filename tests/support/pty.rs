//! A pseudo-terminal for running the real TUI in a test: the child gets the terminal side as
//! stdin, stdout and stderr and as its controlling terminal (so closing the other side hangs
//! it up, as closing a terminal window does); the test reads everything it writes, answers
//! its one terminal query, types into it and can read the terminal's mode.
//!
//! Unix only, and only where the system hands out pseudo-terminals: [`Pty::open`] says why
//! not otherwise, and the tests that need one skip with that reason.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The primary device attributes query, and an answer a VT220 would give. crossterm asks it
/// (after the keyboard-enhancement query) and otherwise waits 2 s for a reply.
const DEVICE_ATTRIBUTES: &[u8] = b"\x1b[c";
const DEVICE_ATTRIBUTES_REPLY: &[u8] = b"\x1b[?62;1c";

pub struct Pty {
    /// Our side while the child runs; taken by the reader thread.
    master: Option<File>,
    /// The child's side, until it is handed to a child.
    slave: Option<File>,
    /// A second handle on our side, for typing and for the terminal's mode.
    writer: File,
    output: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl Pty {
    /// A new pseudo-terminal of `cols` x `rows`, or why there is none.
    pub fn open(cols: u16, rows: u16) -> Result<Pty, String> {
        // SAFETY: plain libc calls on descriptors we own; `ptsname_r` writes at most
        // `buf.len()` bytes into `buf`; every descriptor is wrapped in a `File` at once.
        unsafe {
            // Close-on-exec from the start: other tests start children at the same time, and
            // one that inherited a side of this terminal would keep it open.
            let master = libc::open(
                c"/dev/ptmx".as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
            );
            if master < 0 {
                return Err(format!(
                    "no pseudo-terminal: {}",
                    std::io::Error::last_os_error()
                ));
            }
            let master = File::from_raw_fd(master);
            let fd = master.as_raw_fd();
            if libc::grantpt(fd) != 0 || libc::unlockpt(fd) != 0 {
                return Err(format!(
                    "no pseudo-terminal: {}",
                    std::io::Error::last_os_error()
                ));
            }
            let mut buf = [0 as libc::c_char; 128];
            if libc::ptsname_r(fd, buf.as_mut_ptr(), buf.len()) != 0 {
                return Err("no pseudo-terminal: ptsname failed".to_string());
            }
            let name = std::ffi::CStr::from_ptr(buf.as_ptr());
            let slave = libc::open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
            );
            if slave < 0 {
                return Err(format!(
                    "cannot open {name:?}: {}",
                    std::io::Error::last_os_error()
                ));
            }
            let slave = File::from_raw_fd(slave);
            let size = libc::winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            libc::ioctl(fd, libc::TIOCSWINSZ, &size);
            let writer = master.try_clone().map_err(|e| e.to_string())?;
            Ok(Pty {
                master: Some(master),
                slave: Some(slave),
                writer,
                output: Arc::default(),
                stop: Arc::default(),
                reader: None,
            })
        }
    }

    /// Start `cmd` on the terminal (as a session leader whose controlling terminal it is),
    /// and start reading what it writes.
    pub fn spawn(&mut self, cmd: tokio::process::Command) -> tokio::process::Child {
        let stdout = self.slave.as_ref().expect("one child per pty").try_clone();
        self.spawn_with_stdout(cmd, Stdio::from(stdout.unwrap()))
    }

    /// Like [`Pty::spawn`], with `stdout` instead of the terminal.
    pub fn spawn_with_stdout(
        &mut self,
        mut cmd: tokio::process::Command,
        stdout: Stdio,
    ) -> tokio::process::Child {
        let slave = self.slave.take().expect("one child per pty");
        // A failing test must not leave a TUI behind, holding what its parent held.
        cmd.kill_on_drop(true);
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(stdout)
            .stderr(Stdio::from(slave));
        // SAFETY: between fork and exec the child calls only async-signal-safe functions
        // (setsid, ioctl) and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        // The child holds the terminal side now: when it exits, reading ours ends.
        let master = self.master.take().expect("spawned once");
        let (output, stop) = (self.output.clone(), self.stop.clone());
        let mut answer = self.writer.try_clone().unwrap();
        self.reader = Some(std::thread::spawn(move || {
            read_until_closed(master, &output, &stop, &mut answer);
        }));
        child
    }

    /// Everything the child wrote so far.
    pub fn output(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// What the child wrote so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output()).into_owned()
    }

    /// Wait (up to `limit`) until the child's output contains `needle`.
    pub async fn wait_for(&self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.text().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "{needle:?} never appeared; the terminal got {:?}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait (up to `limit`) until every handle on the terminal's side is closed (the child
    /// exited), so [`Pty::output`] holds all it wrote.
    pub async fn wait_closed(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.reader.as_ref().is_some_and(|r| !r.is_finished()) {
            assert!(Instant::now() < deadline, "the terminal stays open");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Type `bytes` at the terminal.
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Whether the terminal is in raw mode (no line editing, no echo) now.
    pub fn is_raw(&self) -> bool {
        // SAFETY: tcgetattr fills the termios we pass; on Linux the master side reads the
        // terminal's own settings.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(self.writer.as_raw_fd(), &mut t), 0);
            t.c_lflag & (libc::ICANON | libc::ECHO) == 0
        }
    }

    /// Close our side, as a terminal window does when it is closed: the kernel sends SIGHUP
    /// to the child, whose terminal this is.
    pub fn hang_up(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Read `master` into `output` until the terminal closes or `stop` is set (then drop it),
/// answering the device-attributes query.
fn read_until_closed(
    mut master: File,
    output: &Mutex<Vec<u8>>,
    stop: &AtomicBool,
    answer: &mut File,
) {
    let mut answered = false;
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let mut poll = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd, for a descriptor we own.
        let ready = unsafe { libc::poll(&mut poll, 1, 50) };
        if ready <= 0 {
            continue;
        }
        match master.read(&mut buf) {
            // EIO: every handle on the terminal's side is closed (the child exited).
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let mut all = output.lock().unwrap();
                all.extend_from_slice(&buf[..n]);
                if !answered && contains(&all, DEVICE_ATTRIBUTES) {
                    answered = true;
                    let _ = answer.write_all(DEVICE_ATTRIBUTES_REPLY);
                }
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
