//! The runtime's side of persistence: [`Persister`] performs the app's [`PersistOp`]s on the
//! store and reports back as app events; [`worker::StoreWorker`] runs it on a thread of its
//! own, so the UI never waits for SQLite (a file another process holds locked, a search).
//!
//! Invariants: the session is created lazily, by the first turn saved into it, so an opened
//! and abandoned TUI leaves no empty session behind; a failing operation never turns
//! persistence off — a save that fails is kept and retried by the worker (see there), any
//! other failure is reported as [`Event::StoreError`]. A fork becomes the session turns are
//! saved into once it is made; the session it came from is only read.

pub mod worker;

use super::app::{Event, PersistOp};
use crate::store::{SessionChoice, Store, StoreError, now_ms};

pub struct Persister {
    store: Option<Store>,
    /// The session turns are saved into; `None` until the first save creates one.
    current: Option<i64>,
}

impl Persister {
    pub fn new(store: Option<Store>) -> Persister {
        Persister {
            store,
            current: None,
        }
    }

    /// The events that open the session to resume, if any.
    pub fn resume(&mut self, resume: SessionChoice) -> Vec<Event> {
        let id = match (resume, &self.store) {
            (SessionChoice::New, _) | (_, None) => return Vec::new(),
            (SessionChoice::Id(id), Some(_)) => id,
            (SessionChoice::Latest, Some(store)) => match store.latest() {
                Ok(Some(id)) => id,
                Ok(None) => return Vec::new(),
                Err(err) => return vec![Event::StoreError(err.to_string())],
            },
        };
        self.perform(PersistOp::OpenSession(id))
    }

    /// Do `op`; what the app should hear about it (a failure as [`Event::StoreError`]).
    pub fn perform(&mut self, op: PersistOp) -> Vec<Event> {
        self.try_perform(&op)
            .unwrap_or_else(|err| vec![Event::StoreError(err.to_string())])
    }

    /// Do `op`; what the app should hear about it, or the store's error (the op can be
    /// tried again: a failed write changed nothing).
    pub fn try_perform(&mut self, op: &PersistOp) -> Result<Vec<Event>, StoreError> {
        let Some(store) = self.store.as_mut() else {
            return Ok(Vec::new());
        };
        let result = match op {
            PersistOp::SaveTurn(turn) => {
                let mut saved = Self::session(store, &mut self.current)
                    .and_then(|id| Ok((id, store.save_turn(id, turn, now_ms())?)));
                if let Err(StoreError::NoSession(_)) = saved {
                    // Deleted by another process: the turn starts a new session.
                    self.current = None;
                    saved = Self::session(store, &mut self.current)
                        .and_then(|id| Ok((id, store.save_turn(id, turn, now_ms())?)));
                }
                saved.map(|(id, saved)| {
                    let mut events = vec![Event::SessionSaved { id }];
                    if saved.others {
                        events.push(Event::OthersAdded { id });
                    }
                    events
                })
            }
            PersistOp::NewSession => {
                self.current = None;
                Ok(Vec::new())
            }
            PersistOp::OpenSession(id) => store.load(*id).map(|(summary, turns)| {
                self.current = Some(*id);
                vec![Event::SessionOpened {
                    id: *id,
                    title: summary.title,
                    turns,
                }]
            }),
            PersistOp::SetTitle(title) => Self::session(store, &mut self.current).and_then(|id| {
                store
                    .set_title(id, title)
                    .map(|()| vec![Event::SessionSaved { id }])
            }),
            PersistOp::DeleteSession(id) => store.delete(*id).map(|()| {
                if self.current == Some(*id) {
                    self.current = None;
                }
                Vec::new()
            }),
            PersistOp::Fork { from, upto } => match store.fork(*from, *upto, now_ms()) {
                Ok(id) => store.load(id).map(|(summary, turns)| {
                    self.current = Some(id);
                    vec![Event::Forked {
                        id,
                        title: summary.title,
                        turns,
                        from: crate::store::ForkOrigin {
                            session: *from,
                            turn: *upto,
                        },
                    }]
                }),
                // Said as it is: the source is gone or shorter than the app thought.
                Err(err @ (StoreError::NoSession(_) | StoreError::NoTurn { .. })) => {
                    Ok(vec![Event::StoreError(err.to_string())])
                }
                Err(err) => Err(err),
            },
            PersistOp::ListSessions(query) => {
                let query = query.as_deref().filter(|q| !q.trim().is_empty());
                store.list(query, 500).map(|list| {
                    vec![Event::Sessions {
                        query: query.map(str::to_string),
                        list,
                    }]
                })
            }
        };
        match result {
            // A session that is gone (deleted by another process) is no reason to stop saving.
            Err(StoreError::NoSession(id)) => {
                if self.current == Some(id) {
                    self.current = None;
                }
                Ok(vec![Event::Sessions {
                    query: None,
                    list: Vec::new(),
                }])
            }
            other => other,
        }
    }

    /// The open session, created now if there is none yet.
    fn session(store: &mut Store, current: &mut Option<i64>) -> Result<i64, StoreError> {
        match current {
            Some(id) => Ok(*id),
            None => {
                let id = store.create_session(now_ms())?;
                *current = Some(id);
                Ok(id)
            }
        }
    }
}
