//! The usage inspector's selection, scroll and keys.
//!
//! Invariants: the state never touches the conversation — a jump is returned as
//! [`InspectorAction::JumpTo`] for the app to perform; `selected` always indexes the turns
//! (or is 0 when there are none); paging moves by `rows`, the table rows visible at the
//! current size, which the app sets before every key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the inspector asks of the app after a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InspectorAction {
    None,
    /// Show turn `index` (into the conversation's turns) in the conversation.
    JumpTo(usize),
    Close,
}

/// The inspector's selection and scroll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspector {
    selected: usize,
    /// The first turn shown in the table.
    scroll: usize,
    /// How many turns there are.
    turns: usize,
    /// Table rows shown at the last layout the app reported (a PageUp/PageDown step).
    rows: usize,
}

/// Table rows assumed until the app reports the real number.
const DEFAULT_ROWS: usize = 10;

impl Inspector {
    /// An inspector over `turns` turns, with the latest one selected.
    pub fn new(turns: usize) -> Inspector {
        let mut inspector = Inspector {
            selected: turns.saturating_sub(1),
            scroll: 0,
            turns,
            rows: DEFAULT_ROWS,
        };
        inspector.follow();
        inspector
    }

    /// Index of the selected turn.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Select turn `index` (clamped to the last turn).
    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.turns.saturating_sub(1));
        self.follow();
    }

    /// The conversation now has `turns` turns; keeps the selection in range.
    pub fn set_turns(&mut self, turns: usize) {
        self.turns = turns;
        self.select(self.selected);
    }

    /// The table shows `rows` turns at the current size (see `view::inspector::table_rows`).
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows.max(1);
        self.follow();
    }

    /// The first turn to show when the table has room for `rows` turns: the remembered
    /// scroll, moved just enough to keep the selection in view and no empty rows below.
    pub fn first_visible(&self, rows: usize) -> usize {
        window(self.scroll, self.selected, self.turns, rows)
    }

    pub fn on_key(&mut self, key: KeyEvent) -> InspectorAction {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.turns.saturating_sub(1);
        match key.code {
            KeyCode::Esc => return InspectorAction::Close,
            KeyCode::Char('q') if !ctrl => return InspectorAction::Close,
            KeyCode::Enter if self.turns > 0 => return InspectorAction::JumpTo(self.selected),
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(self.rows),
            KeyCode::PageDown => self.selected = (self.selected + self.rows).min(last),
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = last,
            _ => {}
        }
        self.follow();
        InspectorAction::None
    }

    /// Scroll just enough to keep the selection in view.
    fn follow(&mut self) {
        self.scroll = window(self.scroll, self.selected, self.turns, self.rows);
    }
}

/// The first of `rows` visible items out of `len`, starting from `scroll` and moved the least
/// to show `selected`, never leaving empty rows after the last item.
fn window(scroll: usize, selected: usize, len: usize, rows: usize) -> usize {
    if rows == 0 {
        return selected.min(len.saturating_sub(1));
    }
    let mut first = scroll.min(len.saturating_sub(rows));
    if selected < first {
        first = selected;
    } else if selected >= first + rows {
        first = selected + 1 - rows;
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_move_jump_and_close() {
        let mut i = Inspector::new(25);
        assert_eq!(i.selected(), 24);
        i.set_rows(5);
        assert_eq!(i.first_visible(5), 20);
        i.on_key(key(KeyCode::Home));
        assert_eq!((i.selected(), i.first_visible(5)), (0, 0));
        i.on_key(key(KeyCode::PageDown));
        assert_eq!((i.selected(), i.first_visible(5)), (5, 1));
        i.on_key(key(KeyCode::Up));
        i.on_key(key(KeyCode::Up));
        // Moving up inside the view does not scroll.
        assert_eq!((i.selected(), i.first_visible(5)), (3, 1));
        assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::JumpTo(3));
        i.on_key(key(KeyCode::End));
        i.on_key(key(KeyCode::Down));
        assert_eq!(i.selected(), 24);
        assert_eq!(i.on_key(key(KeyCode::Char('q'))), InspectorAction::Close);
        assert_eq!(i.on_key(key(KeyCode::Esc)), InspectorAction::Close);
        // A smaller view than the remembered one still shows the selection.
        i.on_key(key(KeyCode::Home));
        i.on_key(key(KeyCode::PageDown));
        assert_eq!(i.first_visible(2), 4);
    }

    #[test]
    fn an_empty_conversation_has_nothing_to_jump_to() {
        let mut i = Inspector::new(0);
        for code in [KeyCode::Down, KeyCode::End, KeyCode::PageDown, KeyCode::Up] {
            assert_eq!(i.on_key(key(code)), InspectorAction::None);
        }
        assert_eq!(i.on_key(key(KeyCode::Enter)), InspectorAction::None);
        assert_eq!((i.selected(), i.first_visible(3)), (0, 0));
        i.set_turns(2);
        i.select(9);
        assert_eq!(i.selected(), 1);
        i.set_turns(1);
        assert_eq!(i.selected(), 0);
    }
}
