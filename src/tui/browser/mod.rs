//! The session browser component: `state` holds the listed sessions, the search text and
//! the keys; `view` draws it. It never talks to the store: searching, opening and deleting
//! are [`Command`]s the app turns into store effects.

mod state;
mod view;

pub use state::{Browser, BrowserAction};

use super::component::{Command, Component, Ctx, Outcome};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Component for Browser {
    fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        match self.on_key(key) {
            BrowserAction::None => Outcome::Stay,
            BrowserAction::Search(query) => Outcome::Run(Command::SearchSessions(query)),
            BrowserAction::Open(id) => Outcome::CloseWith(Command::OpenSession(id)),
            BrowserAction::Delete(id) => Outcome::Run(Command::DeleteSession(id)),
            BrowserAction::Close => Outcome::Close,
        }
    }

    fn render(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        view::render(ctx, self, frame, area);
    }
}
