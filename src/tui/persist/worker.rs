//! The store's own thread: it owns the [`Persister`] (and so the SQLite connection), takes
//! [`PersistOp`]s from the UI without ever blocking it, and sends what comes of them back as
//! app events.
//!
//! Invariants:
//! - operations that change the store run one at a time in the order they were sent; a
//!   session list (a search, one per keystroke) runs as soon as it is read and only the
//!   latest of those waiting runs, since the browser shows only the latest;
//! - a save (a turn, a title) that fails is not dropped: it stays at the head of the queue
//!   and is tried again with growing pauses ([`Backoff`]) while the app hears
//!   [`Event::StoreBacklog`] with how many turns wait and why; when all are written it hears
//!   a backlog of 0. Later saves of the same turn replace the waiting one in place, so a long
//!   outage holds one entry per turn, not one per flush;
//! - any other failed operation (open, delete, list) is reported as [`Event::StoreError`]
//!   and dropped: the person can ask again;
//! - [`StoreWorker::finish`] (at quit) makes one last attempt at whatever waits and reports
//!   how many turns could not be saved.

use super::Persister;
use crate::tui::app::{Event, PersistOp};
use std::collections::VecDeque;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Pauses between attempts at a failing save: `first`, doubling up to `max`.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(15),
        }
    }
}

enum Msg {
    Op(PersistOp),
    /// Open the session to start in (its events go back like any other).
    Resume(crate::store::SessionChoice),
}

/// The handle the runtime keeps: send operations, finish at quit.
pub struct StoreWorker {
    tx: Option<mpsc::Sender<Msg>>,
    thread: Option<JoinHandle<usize>>,
}

impl StoreWorker {
    /// Start the thread; `emit` carries events back to the app.
    pub fn start(
        persister: Persister,
        backoff: Backoff,
        emit: impl Fn(Event) + Clone + Send + 'static,
    ) -> StoreWorker {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                let worker = Worker::new(persister, backoff, emit.clone());
                let run = std::panic::AssertUnwindSafe(|| worker.run(rx));
                std::panic::catch_unwind(run).unwrap_or_else(|payload| {
                    let what = crate::tui::tasks::panic_text(payload.as_ref());
                    emit(Event::StoreFailed(format!(
                        "internal error in the session store: {what}"
                    )));
                    0
                })
            })
            .ok();
        StoreWorker {
            tx: Some(tx),
            thread,
        }
    }

    /// Queue `op`; returns at once.
    pub fn send(&self, op: PersistOp) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Op(op));
        }
    }

    /// Open the session `choice` names.
    pub fn resume(&self, choice: crate::store::SessionChoice) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Resume(choice));
        }
    }

    /// Stop taking work, try once more to write what waits, and wait for the thread; the
    /// number of turns that could not be saved.
    pub fn finish(mut self) -> usize {
        self.stop()
    }

    fn stop(&mut self) -> usize {
        self.tx = None;
        self.thread
            .take()
            .map_or(0, |thread| thread.join().unwrap_or(0))
    }
}

/// Leaving by any path (an error, say) still writes what waits.
impl Drop for StoreWorker {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Worker<F> {
    persister: Persister,
    backoff: Backoff,
    emit: F,
    /// Operations that change the store, oldest first; the head is tried next.
    queue: VecDeque<PersistOp>,
    /// The pause before the next attempt at a failed head (`None`: nothing failed).
    pause: Option<Duration>,
    /// The app was told that saves wait (so it hears when none do any more).
    behind: bool,
}

impl<F: Fn(Event)> Worker<F> {
    fn new(persister: Persister, backoff: Backoff, emit: F) -> Worker<F> {
        Worker {
            persister,
            backoff,
            emit,
            queue: VecDeque::new(),
            pause: None,
            behind: false,
        }
    }

    fn run(mut self, rx: mpsc::Receiver<Msg>) -> usize {
        loop {
            let first = match self.pause {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(pause) => rx.recv_timeout(pause),
            };
            let mut batch = Vec::new();
            match first {
                Ok(msg) => {
                    batch.push(msg);
                    batch.extend(rx.try_iter());
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.take(batch);
            self.work();
        }
        self.pause = None;
        self.work();
        unsaved(&self.queue)
    }

    /// Queue what arrived; run the latest session list now.
    fn take(&mut self, batch: Vec<Msg>) {
        let mut list = None;
        for msg in batch {
            match msg {
                Msg::Resume(choice) => {
                    for event in self.persister.resume(choice) {
                        (self.emit)(event);
                    }
                }
                Msg::Op(op @ PersistOp::ListSessions(_)) => list = Some(op),
                Msg::Op(PersistOp::SaveTurn(turn)) => self.queue_save(turn),
                Msg::Op(op) => self.queue.push_back(op),
            }
        }
        if let Some(op) = list {
            for event in self.persister.perform(op) {
                (self.emit)(event);
            }
        }
    }

    /// Queue a save, replacing a waiting save of the same turn (and arm) when no other
    /// operation (a new session, say) stands between them.
    fn queue_save(&mut self, turn: Box<crate::conversation::Turn>) {
        let key = (turn.id, turn.arm_index());
        for waiting in self.queue.iter_mut().rev() {
            match waiting {
                PersistOp::SaveTurn(old) if (old.id, old.arm_index()) == key => {
                    *old = turn;
                    return;
                }
                PersistOp::SaveTurn(_) => {}
                _ => break,
            }
        }
        self.queue.push_back(PersistOp::SaveTurn(turn));
    }

    /// Run the queue from its head until it is empty or a save fails.
    fn work(&mut self) {
        while let Some(op) = self.queue.front() {
            match self.persister.try_perform(op) {
                Ok(events) => {
                    self.queue.pop_front();
                    for event in events {
                        (self.emit)(event);
                    }
                }
                Err(err) if retried(op) => {
                    let pause = match self.pause {
                        None => self.backoff.first,
                        Some(p) => (p * 2).min(self.backoff.max),
                    };
                    self.pause = Some(pause);
                    self.behind = true;
                    (self.emit)(Event::StoreBacklog {
                        unsaved: unsaved(&self.queue),
                        error: Some(err.to_string()),
                    });
                    return;
                }
                Err(err) => {
                    self.queue.pop_front();
                    (self.emit)(Event::StoreError(err.to_string()));
                }
            }
        }
        self.pause = None;
        if self.behind {
            self.behind = false;
            (self.emit)(Event::StoreBacklog {
                unsaved: 0,
                error: None,
            });
        }
    }
}

/// Whether a failure of `op` keeps it for another attempt.
fn retried(op: &PersistOp) -> bool {
    matches!(op, PersistOp::SaveTurn(_) | PersistOp::SetTitle(_))
}

/// Turns waiting to be written.
fn unsaved(queue: &VecDeque<PersistOp>) -> usize {
    queue
        .iter()
        .filter(|op| matches!(op, PersistOp::SaveTurn(_)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use std::sync::{Arc, Mutex};

    #[test]
    fn of_the_searches_waiting_only_the_latest_runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("thinkbench.db")).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let emit = move |e: Event| sink.lock().unwrap().push(e);
        let mut worker = Worker::new(Persister::new(Some(store)), Backoff::default(), emit);
        let search = |q: &str| Msg::Op(PersistOp::ListSessions(Some(q.into())));
        worker.take(vec![search("h"), search("he"), search("hea")]);
        let seen = seen.lock().unwrap();
        assert_eq!(
            *seen,
            [Event::Sessions {
                query: Some("hea".into()),
                list: Vec::new()
            }]
        );
    }
}
