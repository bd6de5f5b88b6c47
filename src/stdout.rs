//! Writing to stdout when whoever reads it may go away (`thinkbench ask … | head -1`).
//!
//! Rust ignores SIGPIPE, so a write to a pipe whose reader has gone fails with `BrokenPipe`
//! instead of killing the process. Every command writes its stdout through [`write`], which
//! tells that apart ([`StdoutError::Closed`]) from any other failure, and never panics (as
//! `print!` does). A command whose stdout closes stops what it is doing (a streaming request
//! is cancelled, its turn kept as interrupted), prints nothing more and exits with
//! [`EXIT_CLOSED`]: 141 = 128 + SIGPIPE's number 13, the status a shell reports for a
//! process killed by SIGPIPE (`yes | head -1` gives `yes` that status), so scripts and
//! `set -o pipefail` see what they see from other tools. Not 0: the output was not all
//! delivered.

use std::io::{self, Write};

/// Exit status when stdout was closed: 128 + SIGPIPE (13).
pub const EXIT_CLOSED: i32 = 141;

/// Why writing to stdout failed.
#[derive(Debug, thiserror::Error)]
pub enum StdoutError {
    /// The reader went away.
    #[error("stdout was closed")]
    Closed,
    /// Anything else (a full disk, a terminal gone).
    #[error("cannot write to stdout: {0}")]
    Failed(io::Error),
}

impl StdoutError {
    /// The exit status it ends a command with: [`EXIT_CLOSED`], or 1.
    pub fn exit_status(&self) -> i32 {
        match self {
            StdoutError::Closed => EXIT_CLOSED,
            StdoutError::Failed(_) => 1,
        }
    }

    /// What to print on stderr about it: nothing when the reader simply went away.
    pub fn message(&self) -> Option<String> {
        match self {
            StdoutError::Closed => None,
            StdoutError::Failed(_) => Some(self.to_string()),
        }
    }
}

/// Write `bytes` to stdout and flush them.
pub fn write(bytes: &[u8]) -> Result<(), StdoutError> {
    write_to(&mut io::stdout().lock(), bytes)
}

/// Write `bytes` to `out` and flush them.
pub fn write_to(out: &mut impl Write, bytes: &[u8]) -> Result<(), StdoutError> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|err| match err.kind() {
            io::ErrorKind::BrokenPipe => StdoutError::Closed,
            _ => StdoutError::Failed(err),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_pipe_is_a_closed_stdout_and_anything_else_a_failure() {
        let closed = write_to(&mut Failing(io::ErrorKind::BrokenPipe), b"x").unwrap_err();
        assert!(matches!(closed, StdoutError::Closed));
        assert_eq!((closed.exit_status(), closed.message()), (141, None));
        let full = write_to(&mut Failing(io::ErrorKind::StorageFull), b"x").unwrap_err();
        assert!(matches!(full, StdoutError::Failed(_)));
        assert_eq!(full.exit_status(), 1);
        assert!(full.message().is_some_and(|m| m.contains("cannot write")));
        let mut ok = Vec::new();
        write_to(&mut ok, b"x").unwrap();
        assert_eq!(ok, b"x");
    }
}
