//! Running a provider's `api_key_cmd`: `sh -c CMD` with stdin closed, its trimmed stdout
//! the key.
//!
//! Invariants:
//! - it never takes longer than its timeout (default [`DEFAULT_TIMEOUT`], per provider
//!   `api_key_cmd_timeout_secs`): past it, the command and everything it started (its
//!   process group, on Unix) are killed and the failure says so;
//! - its stdout is the key and appears nowhere else; its stderr (a diagnostic: "gpg:
//!   decryption failed") is captured, never written over the screen, and its last
//!   [`STDERR_SHOWN`] bytes, with control characters made visible, go into the error;
//! - what it prints is bounded: at most [`MAX_KEY_BYTES`] of stdout are kept (the rest
//!   is read and dropped), so a runaway command cannot fill memory.
//!
//! It blocks the calling thread until the key comes or the time is up: callers that must stay
//! responsive (the TUI switching model) run it off their loop.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a key command may take by default (a pinentry prompt needs a person).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The bytes of stderr an error shows (its end: where the reason usually is).
pub const STDERR_SHOWN: usize = 500;
/// The bytes of stdout kept; a key is far shorter.
pub const MAX_KEY_BYTES: usize = 64 * 1024;

/// The key `cmd` prints, or why there is none (a phrase that follows "api_key_cmd …").
pub fn run(cmd: &str, timeout: Duration) -> Result<String, String> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so a timeout can stop what it started too.
        command.process_group(0);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not be started with sh -c: {e}"))?;
    let stdout = read_in_background(child.stdout.take(), MAX_KEY_BYTES, Keep::Head);
    let stderr = read_in_background(child.stderr.take(), STDERR_SHOWN, Keep::Tail);

    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                stop(&mut child);
                return Err(format!("could not be waited for: {e}"));
            }
        }
    };
    let Some(status) = status else {
        stop(&mut child);
        let said = collect(stderr);
        return Err(format!(
            "did not finish within {} s and was stopped (set api_key_cmd_timeout_secs for \
             the provider to wait longer){}",
            timeout.as_secs_f64(),
            shown(&said)
        ));
    };
    // Pipes a leftover background process still holds must not keep us waiting.
    let out = collect(stdout);
    let said = collect(stderr);
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => format!("was stopped ({status})"),
        };
        return Err(format!("{how}{}", shown(&said)));
    }
    let key = String::from_utf8(out)
        .map_err(|_| format!("printed something that is not text{}", shown(&said)))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("printed nothing{}", shown(&said)));
    }
    Ok(key.to_string())
}

/// Which part of a long output to keep.
#[derive(Clone, Copy)]
enum Keep {
    Head,
    Tail,
}

/// Read `pipe` to its end on a thread, keeping at most `limit` bytes (the first or the last).
fn read_in_background(
    pipe: Option<impl Read + Send + 'static>,
    limit: usize,
    keep: Keep,
) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        kept.extend_from_slice(&buf[..n]);
                        if kept.len() > limit {
                            match keep {
                                Keep::Head => kept.truncate(limit),
                                Keep::Tail => {
                                    kept.drain(..kept.len() - limit);
                                }
                            }
                        }
                    }
                }
            }
            let _ = tx.send(kept);
        });
    }
    rx
}

/// What a reader got, waiting briefly: a process the command left behind may hold the pipe.
fn collect(rx: mpsc::Receiver<Vec<u8>>) -> Vec<u8> {
    rx.recv_timeout(Duration::from_millis(500))
        .unwrap_or_default()
}

/// Kill the command and, on Unix, its whole process group; reap it.
fn stop(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group we created for the
        // command (`process_group(0)` makes its id the child's pid); it touches no memory.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `: <stderr>` for an error, made safe for a terminal; empty when it said nothing.
fn shown(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let flat = text.lines().map(str::trim).collect::<Vec<_>>().join(" / ");
    format!(": {}", crate::text::sanitize(&flat))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(300);

    #[test]
    fn the_key_is_stdout_trimmed() {
        assert_eq!(run("printf '  sk-abc \\n'", SHORT), Ok("sk-abc".into()));
    }

    #[test]
    fn a_failure_shows_stderr_and_never_stdout() {
        let err = run(
            "echo sk-secret; echo 'gpg: no secret key' >&2; exit 3",
            SHORT,
        )
        .unwrap_err();
        assert_eq!(err, "exited with status 3: gpg: no secret key");
        let err = run("echo sk-secret >&1; exit 1", SHORT).unwrap_err();
        assert!(!err.contains("sk-secret"), "{err}");
    }

    #[test]
    fn stderr_is_shown_safely_and_briefly() {
        let err = run(
            "printf 'a\\033]52;c;aGk=\\007b\\n' >&2; head -c 5000 /dev/zero | tr '\\0' x >&2; exit 1",
            SHORT,
        )
        .unwrap_err();
        assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
        assert!(err.len() < STDERR_SHOWN + 100, "{} bytes", err.len());
        assert!(err.ends_with("xxx"), "the end is kept: {err}");
    }

    #[test]
    fn a_slow_command_is_stopped_with_what_it_started() {
        for cmd in [
            "sleep 30",
            "sleep 30; echo late",
            "(sleep 30; echo late) & wait",
        ] {
            let started = Instant::now();
            let err = run(cmd, SHORT).unwrap_err();
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{cmd}: took {:?}",
                started.elapsed()
            );
            assert!(err.starts_with("did not finish within 0.3 s"), "{err}");
            assert!(err.contains("api_key_cmd_timeout_secs"), "{err}");
        }
    }

    #[test]
    fn a_prompt_on_stderr_does_not_reach_the_screen_and_is_reported() {
        let err = run("echo 'Enter passphrase:' >&2; sleep 30", SHORT).unwrap_err();
        assert!(err.ends_with(": Enter passphrase:"), "{err}");
    }

    #[test]
    fn silent_and_non_text_output_fail() {
        assert_eq!(run("true", SHORT), Err("printed nothing".into()));
        assert_eq!(
            run("printf '\\377\\376'", SHORT),
            Err("printed something that is not text".into())
        );
    }

    #[test]
    fn huge_output_is_bounded() {
        let key = run(
            "head -c 1000000 /dev/zero | tr '\\0' k",
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(key.len(), MAX_KEY_BYTES);
    }
}
