//! The help overlay component: every key and every slash command, from the keymap's own
//! tables (so the help cannot drift from what the keys do). `state` holds the scroll and the
//! keys (arrows, PgUp/PgDn, Home/End scroll; Esc, q or F1 close; other keys do nothing);
//! `view` lays the rows out at a width (descriptions wrap under their own column) and draws.

mod layout;
mod state;
mod view;

pub use state::Help;

use crate::tui::component::{Component, Ctx, Outcome};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Component for Help {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        if self.on_key(key) {
            Outcome::Close
        } else {
            Outcome::Stay
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        view::render(ctx, self, frame, area);
    }
}
