//! The help's scroll and keys.
//!
//! Invariants: the scroll never passes the last screenful at the terminal size the app set
//! last (drawing clamps it again for the size it draws at); paging moves by the rows the body
//! shows at that size; only Esc, `q` and F1 close.

use super::layout;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

/// The help overlay: how far it is scrolled, and the terminal size to page by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Help {
    /// The first row shown.
    scroll: usize,
    /// The terminal size the app reported last.
    screen: (u16, u16),
}

impl Default for Help {
    fn default() -> Help {
        Help {
            scroll: 0,
            screen: (80, 24),
        }
    }
}

impl Help {
    /// The terminal is `(width, height)` (the app sets it before every key).
    pub fn set_screen(&mut self, screen: (u16, u16)) {
        self.screen = screen;
        self.scroll = self.scroll.min(self.max_scroll());
    }

    /// The first row to show when the body has `rows` rows for `total` rows of help.
    pub fn first_row(&self, total: usize, rows: usize) -> usize {
        self.scroll.min(total.saturating_sub(rows))
    }

    /// The rows the body shows at the reported size, and the rows of help at its width.
    fn sizes(&self) -> (usize, usize) {
        let (w, h) = self.screen;
        let body = layout::body(Rect::new(0, 0, w, h));
        (usize::from(body.height), layout::rows(body.width).len())
    }

    fn max_scroll(&self) -> usize {
        let (shown, total) = self.sizes();
        total.saturating_sub(shown)
    }

    /// Handle a key; true when it closes the help.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let page = self.sizes().0.saturating_sub(1).max(1);
        let max = self.max_scroll();
        self.scroll = match key.code {
            KeyCode::Esc | KeyCode::F(1) => return true,
            KeyCode::Char('q') if plain => return true,
            KeyCode::Up => self.scroll.saturating_sub(1),
            KeyCode::Down => self.scroll + 1,
            KeyCode::PageUp => self.scroll.saturating_sub(page),
            KeyCode::PageDown => self.scroll + page,
            KeyCode::Home => 0,
            KeyCode::End => max,
            _ => self.scroll,
        }
        .min(max);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn scrolls_within_the_help_and_closes_only_on_esc_q_or_f1() {
        let mut help = Help::default();
        help.set_screen((80, 24));
        let (shown, total) = help.sizes();
        assert!(
            total > shown,
            "80x24 cannot show it all: {total} rows, {shown} shown"
        );
        assert!(!help.on_key(key(KeyCode::Down)));
        assert_eq!(help.scroll, 1);
        assert!(!help.on_key(key(KeyCode::Up)));
        assert!(!help.on_key(key(KeyCode::Up)));
        assert_eq!(help.scroll, 0);
        assert!(!help.on_key(key(KeyCode::PageDown)));
        assert_eq!(help.scroll, (shown - 1).min(total - shown));
        for _ in 0..10 {
            help.on_key(key(KeyCode::PageDown));
        }
        assert_eq!(help.scroll, total - shown);
        help.on_key(key(KeyCode::Home));
        assert_eq!(help.scroll, 0);
        help.on_key(key(KeyCode::End));
        assert_eq!(help.scroll, total - shown);
        // A larger terminal shows more, so the scroll comes back within range.
        help.set_screen((200, 100));
        assert_eq!(help.scroll, 0);
        for code in [KeyCode::Char('x'), KeyCode::Enter, KeyCode::Char('?')] {
            assert!(!help.on_key(key(code)), "{code:?} closed the help");
        }
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert!(!help.on_key(ctrl_q));
        for code in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::F(1)] {
            assert!(help.on_key(key(code)), "{code:?} did not close the help");
        }
    }
}
