//! The app's side of sessions: the browser, `/new`, opening a stored session, and the
//! store operations it asks the runtime for (saving turns as they stream).
//!
//! Invariant: nothing here touches the store; every wish is an [`Effect::Persist`], and
//! none is emitted while persistence is off.

use super::{App, Effect, Overlay, PersistOp, Persistence};
use crate::conversation::{Conversation, Turn};
use crate::tui::browser::Browser;

impl App {
    /// Ctrl+O or `/sessions`: the browser, filled by the store.
    pub(super) fn open_browser(&mut self) -> Vec<Effect> {
        if let Persistence::Off(why) = &self.persistence {
            self.notice = Some(format!("no sessions: persistence is off ({why})"));
            return Vec::new();
        }
        self.overlay = Some(Overlay::Browser(Browser::new()));
        self.persist(PersistOp::ListSessions(None))
    }

    /// The browser's search text changed: list again.
    pub(super) fn list_sessions(&mut self, query: Option<String>) -> Vec<Effect> {
        self.persist(PersistOp::ListSessions(query))
    }

    /// The browser confirmed a delete: delete, start anew if it was the open session, and
    /// list again with the browser's search.
    pub(super) fn delete_session(&mut self, id: i64) -> Vec<Effect> {
        let mut effects = self.persist(PersistOp::DeleteSession(id));
        if matches!(self.persistence, Persistence::On { session: Some(open), .. } if open == id) {
            effects.extend(self.new_session());
        }
        let query = match &self.overlay {
            Some(Overlay::Browser(b)) => Some(b.query.clone()),
            _ => None,
        };
        effects.extend(self.persist(PersistOp::ListSessions(query)));
        effects
    }

    /// `/new`: an empty conversation; the store starts a new session with its first turn.
    pub(super) fn new_session(&mut self) -> Vec<Effect> {
        if self.is_streaming() {
            self.notice = Some("an answer is still streaming: Esc cancels it first".into());
            return Vec::new();
        }
        self.load_turns(Vec::new());
        if let Persistence::On { session, title } = &mut self.persistence {
            *session = None;
            *title = None;
        }
        self.notice = Some("new session".into());
        self.persist(PersistOp::NewSession)
    }

    pub(super) fn request_open(&mut self, id: i64) -> Vec<Effect> {
        if self.is_streaming() {
            self.notice = Some("an answer is still streaming: Esc cancels it first".into());
            return Vec::new();
        }
        self.persist(PersistOp::OpenSession(id))
    }

    /// Show a stored session: its turns replace the conversation; new turns continue it.
    pub(super) fn open_session(&mut self, id: i64, title: String, turns: Vec<Turn>) {
        for turn in &turns {
            self.composer.remember(&turn.prompt);
        }
        self.load_turns(turns);
        self.persistence = Persistence::On {
            session: Some(id),
            title: Some(title),
        };
        self.notice = std::mem::take(&mut self.reopened_for_others)
            .then(|| "turns another thinkbench added to this session are shown in order".into());
    }

    /// Replace the conversation with `turns`; the view rebuilds every cache from them.
    pub(super) fn load_turns(&mut self, turns: Vec<Turn>) {
        self.session.conversation = Conversation::restored(turns);
        self.editing = None;
        self.changes.replaced();
        self.thinking.clear();
        self.scroll.top = None;
        self.scroll.jump = None;
        self.setup_hint = None;
    }

    /// Another process added turns to session `id`: if it is the open one, reopen it (after
    /// the answer streaming now, whose last save goes first) so they show.
    pub(super) fn others_added(&mut self, id: i64) -> Vec<Effect> {
        if !matches!(self.persistence, Persistence::On { session: Some(open), .. } if open == id) {
            return Vec::new();
        }
        self.others_pending = Some(id);
        if self.is_streaming() {
            self.notice = Some(
                "another thinkbench added turns to this session: they show when this answer ends"
                    .into(),
            );
            return Vec::new();
        }
        self.show_others()
    }

    /// Reopen the session another process added to, if one waits for it.
    pub(super) fn show_others(&mut self) -> Vec<Effect> {
        match self.others_pending.take() {
            Some(id) => {
                self.reopened_for_others = true;
                self.persist(PersistOp::OpenSession(id))
            }
            None => Vec::new(),
        }
    }

    /// `op` as an effect, unless persistence is off.
    pub(super) fn persist(&self, op: PersistOp) -> Vec<Effect> {
        match self.persistence {
            Persistence::On { .. } => vec![Effect::Persist(op)],
            Persistence::Off(_) => Vec::new(),
        }
    }

    /// Save the turn at `idx` as it stands.
    pub(super) fn save(&self, idx: usize) -> Vec<Effect> {
        match self.session.conversation.turns.get(idx) {
            Some(turn) => self.persist(PersistOp::SaveTurn(Box::new(turn.clone()))),
            None => Vec::new(),
        }
    }
}
