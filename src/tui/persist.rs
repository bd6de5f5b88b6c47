//! The runtime's side of persistence: performs the app's [`PersistOp`]s on the store, in
//! order and at once (short SQLite transactions, fast enough for the UI thread), and reports
//! back as app events.
//!
//! Invariants: the session is created lazily, by the first turn saved into it, so an opened
//! and abandoned TUI leaves no empty session behind; a failing store turns persistence off
//! (one `StoreFailed` event) instead of failing the UI, and nothing is retried silently.

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
                Err(err) => return self.failed(err),
            },
        };
        self.perform(PersistOp::OpenSession(id))
    }

    /// Do `op`; what the app should hear about it.
    pub fn perform(&mut self, op: PersistOp) -> Vec<Event> {
        let Some(store) = self.store.as_mut() else {
            return Vec::new();
        };
        let result = match op {
            PersistOp::SaveTurn(turn) => Self::session(store, &mut self.current).and_then(|id| {
                store.save_turn(id, &turn, now_ms())?;
                Ok(vec![Event::SessionSaved { id }])
            }),
            PersistOp::NewSession => {
                self.current = None;
                Ok(Vec::new())
            }
            PersistOp::OpenSession(id) => store.load(id).map(|(summary, turns)| {
                self.current = Some(id);
                vec![Event::SessionOpened {
                    id,
                    title: summary.title,
                    turns,
                }]
            }),
            PersistOp::SetTitle(title) => Self::session(store, &mut self.current).and_then(|id| {
                store
                    .set_title(id, &title)
                    .map(|()| vec![Event::SessionSaved { id }])
            }),
            PersistOp::DeleteSession(id) => store.delete(id).map(|()| {
                if self.current == Some(id) {
                    self.current = None;
                }
                Vec::new()
            }),
            PersistOp::ListSessions(query) => {
                let query = query.filter(|q| !q.trim().is_empty());
                store
                    .list(query.as_deref(), 500)
                    .map(|list| vec![Event::Sessions(list)])
            }
        };
        match result {
            Ok(events) => events,
            // A session that is gone (deleted by another process) is no reason to stop saving.
            Err(StoreError::NoSession(id)) => {
                if self.current == Some(id) {
                    self.current = None;
                }
                vec![Event::Sessions(Vec::new())]
            }
            Err(err) => self.failed(err),
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

    fn failed(&mut self, err: StoreError) -> Vec<Event> {
        self.store = None;
        vec![Event::StoreFailed(err.to_string())]
    }
}
