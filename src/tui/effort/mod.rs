//! The reasoning-effort selector component: `state` holds the levels the current model
//! accepts and the keys; `view` draws it. Choosing a level closes it with
//! [`Command::SetEffort`]; nothing is changed here.

mod state;
pub mod view;

pub use state::{EffortAction, EffortMenu, step, unavailable_reason};

use super::component::{Command, Component, Ctx, Outcome};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Component for EffortMenu {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match self.on_key(key) {
            EffortAction::None => Outcome::Stay,
            EffortAction::Set(level) => Outcome::CloseWith(Command::SetEffort(level)),
            EffortAction::Close => Outcome::Close,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        view::render(ctx, self, frame, area);
    }
}
