//! The session browser's state and keys: a list of stored sessions, filtered by what the
//! person types (full-text search in the store), opened with Enter, deleted after a yes.
//!
//! Invariants: it never talks to the store itself — every change it wants is returned as a
//! [`BrowserAction`] for the app to turn into effects; `selected` always indexes `sessions`
//! (or is 0 when the list is empty); a letter typed is always search text, never a command:
//! a delete is asked for with Del or Ctrl+D and happens only after an explicit `y`.

use crate::store::SessionSummary;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the browser asks of the app after a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserAction {
    None,
    /// The search text changed: list again.
    Search(String),
    Open(i64),
    Delete(i64),
    Close,
}

#[derive(Clone, Debug, Default)]
pub struct Browser {
    /// What the person typed to search.
    pub query: String,
    pub sessions: Vec<SessionSummary>,
    pub selected: usize,
    /// The session waiting for a yes/no before it is deleted.
    pub confirm_delete: Option<i64>,
    /// A list for the current search was asked for and has not come yet (the store runs on
    /// its own thread; the browser stays usable meanwhile).
    pub loading: bool,
}

/// Rows a PageUp/PageDown moves.
const PAGE: usize = 10;

impl Browser {
    pub fn new() -> Browser {
        Browser {
            loading: true,
            ..Browser::default()
        }
    }

    /// Results for `query` arrived (`None`: every session); keep the selection on the same
    /// session when it is still there. Results for an older search are shown too (they are
    /// better than none) but the browser goes on saying it searches.
    pub fn set_sessions(&mut self, query: Option<&str>, sessions: Vec<SessionSummary>) {
        let keep = self.selected_session().map(|s| s.id);
        self.sessions = sessions;
        let current = Some(self.query.trim()).filter(|q| !q.is_empty());
        self.loading = query.map(str::trim) != current;
        self.selected = keep
            .and_then(|id| self.sessions.iter().position(|s| s.id == id))
            .unwrap_or(0);
    }

    pub fn selected_session(&self) -> Option<&SessionSummary> {
        self.sessions.get(self.selected)
    }

    pub fn on_key(&mut self, key: KeyEvent) -> BrowserAction {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(id) = self.confirm_delete.take() {
            // Only `y` deletes. `n` and Esc just keep the session; another letter keeps it
            // and goes on into the search (the person was typing); any other key only keeps it.
            return match key.code {
                KeyCode::Char('y' | 'Y') if !ctrl => BrowserAction::Delete(id),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => BrowserAction::None,
                KeyCode::Char(_) if !ctrl => self.on_key(key),
                _ => BrowserAction::None,
            };
        }
        let last = self.sessions.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => BrowserAction::Close,
            KeyCode::Enter => match self.selected_session() {
                Some(s) => BrowserAction::Open(s.id),
                None => BrowserAction::None,
            },
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                BrowserAction::None
            }
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(last);
                BrowserAction::None
            }
            KeyCode::PageUp => {
                self.selected = self.selected.saturating_sub(PAGE);
                BrowserAction::None
            }
            KeyCode::PageDown => {
                self.selected = (self.selected + PAGE).min(last);
                BrowserAction::None
            }
            KeyCode::Delete => self.ask_delete(),
            KeyCode::Char('d') if ctrl => self.ask_delete(),
            KeyCode::Backspace => {
                if self.query.pop().is_some() {
                    self.loading = true;
                    BrowserAction::Search(self.query.clone())
                } else {
                    BrowserAction::None
                }
            }
            KeyCode::Char('u') if ctrl => {
                self.query.clear();
                self.loading = true;
                BrowserAction::Search(String::new())
            }
            KeyCode::Char(c) if !ctrl => {
                self.query.push(c);
                self.loading = true;
                BrowserAction::Search(self.query.clone())
            }
            _ => BrowserAction::None,
        }
    }

    fn ask_delete(&mut self) -> BrowserAction {
        self.confirm_delete = self.selected_session().map(|s| s.id);
        BrowserAction::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: i64) -> SessionSummary {
        SessionSummary {
            id,
            title: format!("session {id}"),
            created_ms: 0,
            updated_ms: 0,
            turns: 1,
            models: vec!["o3".into()],
            cost: 0.0,
            cost_unknown: false,
            fork: None,
        }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Every letter is search text, `d` and `y` included, even with an empty search.
    #[test]
    fn letters_always_search_and_never_delete() {
        let mut b = Browser::new();
        b.set_sessions(None, vec![summary(3), summary(2), summary(1)]);
        b.on_key(key(KeyCode::Down));
        let mut typed = String::new();
        for c in "dyn".chars() {
            typed.push(c);
            assert_eq!(
                b.on_key(key(KeyCode::Char(c))),
                BrowserAction::Search(typed.clone())
            );
            assert_eq!(b.confirm_delete, None);
        }
        assert_eq!(b.query, "dyn");
    }

    #[test]
    fn del_or_ctrl_d_asks_and_only_y_deletes() {
        let mut b = Browser::new();
        b.set_sessions(None, vec![summary(3), summary(2), summary(1)]);
        assert_eq!(b.on_key(key(KeyCode::Down)), BrowserAction::None);
        assert_eq!(b.on_key(key(KeyCode::Delete)), BrowserAction::None);
        assert_eq!(b.confirm_delete, Some(2));
        // `n` keeps it and is not typed.
        assert_eq!(b.on_key(key(KeyCode::Char('n'))), BrowserAction::None);
        assert_eq!((b.confirm_delete, b.query.as_str()), (None, ""));
        // Another letter keeps it and goes on searching.
        b.on_key(ctrl('d'));
        assert_eq!(b.confirm_delete, Some(2));
        assert_eq!(
            b.on_key(key(KeyCode::Char('x'))),
            BrowserAction::Search("x".into())
        );
        assert_eq!(b.confirm_delete, None);
        // Enter under the question keeps the session and opens nothing.
        b.on_key(key(KeyCode::Delete));
        assert_eq!(b.on_key(key(KeyCode::Enter)), BrowserAction::None);
        assert_eq!(b.confirm_delete, None);
        b.on_key(key(KeyCode::Delete));
        assert_eq!(b.on_key(key(KeyCode::Char('y'))), BrowserAction::Delete(2));
        assert_eq!(
            b.on_key(key(KeyCode::Char('d'))),
            BrowserAction::Search("xd".into())
        );
        assert_eq!(
            b.on_key(key(KeyCode::Backspace)),
            BrowserAction::Search("x".into())
        );
        assert_eq!(b.on_key(key(KeyCode::Enter)), BrowserAction::Open(2));
        // The selection follows its session when the list changes.
        b.set_sessions(None, vec![summary(1), summary(2)]);
        assert_eq!(b.selected, 1);
        assert_eq!(b.on_key(key(KeyCode::Esc)), BrowserAction::Close);
    }
}
