//! The usage inspector component: `state` holds the selection, the scroll and the keys,
//! `rows` the numbers of each turn, `view` draws the table, the chart and the totals.
//! Enter closes it with [`Command::JumpTo`] the selected turn.

pub mod rows;
mod state;
pub mod view;

pub use rows::{DASH, RowMood, TurnRow, rows};
pub use state::{Inspector, InspectorAction};

use super::component::{Command, Component, Ctx, Outcome};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Component for Inspector {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match self.on_key(key) {
            InspectorAction::None => Outcome::Stay,
            InspectorAction::JumpTo(idx) => Outcome::CloseWith(Command::JumpTo(idx)),
            InspectorAction::Close => Outcome::Close,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        view::render(ctx, self, frame, area);
    }
}
