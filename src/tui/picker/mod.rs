//! The model picker component: `state` holds the rows, the fuzzy filter and the keys;
//! `view` draws it. It never switches anything itself: Enter on a row closes it with
//! [`Command::SwitchModel`] for the app to apply; Space marks rows, and Enter with marks
//! closes it with [`Command::Compare`] (the marked models, in marking order).

mod state;
pub mod view;

pub use state::{Picker, PickerAction, PickerRow, fuzzy_score, is_chat_model};

use super::component::{Command, Component, Ctx, Outcome};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Component for Picker {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match self.on_key(key) {
            PickerAction::None => Outcome::Stay,
            PickerAction::Select { provider, model } => {
                Outcome::CloseWith(Command::SwitchModel(format!("{provider}/{model}")))
            }
            PickerAction::Compare(specs) => Outcome::CloseWith(Command::Compare(specs)),
            PickerAction::Close => Outcome::Close,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        view::render(ctx, self, frame, area);
    }
}
