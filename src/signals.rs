//! Stopping on a signal: the ones thinkbench answers, and the exit status each one means.
//!
//! Invariants: a command listens with a [`Listener`] from before its first request leaves;
//! once it listens, a signal no longer kills the process at once (that default is replaced
//! for the rest of the run): the command stops what streams, saves it (as cancelled for
//! SIGINT, the person's Ctrl+C; as interrupted for the others), puts the terminal back and
//! exits with [`Signal::exit_status`], 128 + the signal's number — what a shell reports for
//! a process the signal killed, so scripts see the same status as before.

/// A signal that stops a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl+C at a shell (a full-screen terminal in raw mode sends a key instead).
    Interrupt,
    /// SIGTERM: `kill PID`, a service manager, `timeout`.
    Terminate,
    /// SIGHUP: the terminal was closed.
    Hangup,
    /// SIGQUIT: Ctrl+\ at a shell.
    Quit,
}

impl Signal {
    /// Every signal a command listens for.
    pub const ALL: [Signal; 4] = [
        Signal::Interrupt,
        Signal::Terminate,
        Signal::Hangup,
        Signal::Quit,
    ];

    /// The signal's number (the same on every Unix for these four).
    pub fn number(self) -> i32 {
        match self {
            Signal::Hangup => 1,
            Signal::Interrupt => 2,
            Signal::Quit => 3,
            Signal::Terminate => 15,
        }
    }

    /// `SIGTERM`, ...
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hangup => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Quit => "SIGQUIT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 + the signal's number: 130 INT, 143 TERM, 129 HUP, 131 QUIT.
    pub fn exit_status(self) -> i32 {
        128 + self.number()
    }

    /// A headless command told to stop by this signal: one line on stderr (the terminal may
    /// be gone, so its failure goes unseen) naming the session that keeps the turn; the
    /// exit status.
    pub fn stopped(self, session: Option<i64>) -> i32 {
        use std::io::Write;
        let kept = session.map_or(String::new(), |id| format!("; kept in session {id}"));
        let _ = writeln!(
            std::io::stderr(),
            "thinkbench: stopped by {}{kept}",
            self.name()
        );
        self.exit_status()
    }
}

/// The signals a command listens for; see [`Listener::recv`].
pub struct Listener {
    #[cfg(unix)]
    streams: Vec<(Signal, tokio::signal::unix::Signal)>,
    #[cfg(not(unix))]
    interrupt: bool,
}

impl Listener {
    /// Listen for `signals` from now on (needs a Tokio runtime). A signal that cannot be
    /// listened for keeps its default action.
    #[cfg(unix)]
    pub fn new(signals: &[Signal]) -> Listener {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = signals
            .iter()
            .filter_map(|&s| {
                let kind = match s {
                    Signal::Interrupt => SignalKind::interrupt(),
                    Signal::Terminate => SignalKind::terminate(),
                    Signal::Hangup => SignalKind::hangup(),
                    Signal::Quit => SignalKind::quit(),
                };
                signal(kind).ok().map(|stream| (s, stream))
            })
            .collect();
        Listener { streams }
    }

    /// Listen for `signals` from now on; only Ctrl+C exists here.
    #[cfg(not(unix))]
    pub fn new(signals: &[Signal]) -> Listener {
        Listener {
            interrupt: signals.contains(&Signal::Interrupt),
        }
    }

    /// The next signal received (never resolves when none is listened for).
    #[cfg(unix)]
    pub async fn recv(&mut self) -> Signal {
        std::future::poll_fn(|cx| {
            for (signal, stream) in &mut self.streams {
                if stream.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(*signal);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }

    /// The next signal received (never resolves when none is listened for).
    #[cfg(not(unix))]
    pub async fn recv(&mut self) -> Signal {
        if self.interrupt && tokio::signal::ctrl_c().await.is_ok() {
            return Signal::Interrupt;
        }
        std::future::pending().await
    }

    /// The signals received and not yet taken, without waiting (each once).
    #[cfg(unix)]
    pub fn take_pending(&mut self) -> Vec<Signal> {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut got = Vec::new();
        for (signal, stream) in &mut self.streams {
            while let std::task::Poll::Ready(Some(())) = stream.poll_recv(&mut cx) {
                if !got.contains(signal) {
                    got.push(*signal);
                }
            }
        }
        got
    }

    /// The signals received and not yet taken (Ctrl+C is only ever waited for here).
    #[cfg(not(unix))]
    pub fn take_pending(&mut self) -> Vec<Signal> {
        Vec::new()
    }

    /// A signal received now or within `wait`, if one is.
    pub async fn within(&mut self, wait: std::time::Duration) -> Option<Signal> {
        tokio::time::timeout(wait, self.recv()).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_128_plus_the_signal_number() {
        let statuses: Vec<i32> = Signal::ALL.iter().map(|s| s.exit_status()).collect();
        assert_eq!(statuses, [130, 143, 129, 131]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_signal_sent_to_the_process_is_received_and_does_not_kill_it() {
        let mut listener = Listener::new(&[Signal::Hangup]);
        assert_eq!(listener.within(std::time::Duration::ZERO).await, None);
        // SAFETY: raise(3) sends a signal to this process; the listener replaced its default.
        unsafe {
            libc::raise(libc::SIGHUP);
        }
        let got = listener.within(std::time::Duration::from_secs(5)).await;
        assert_eq!(got, Some(Signal::Hangup));
    }
}
