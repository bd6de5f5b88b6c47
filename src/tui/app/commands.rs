//! Slash commands typed in the composer, dispatched from the keymap's one table.

use super::{App, Effect, Overlay, PersistOp, Persistence};
use crate::tui::help::Help;
use crate::tui::keymap::{self, Cmd};

impl App {
    /// A slash command in the composer; `None` when the text is a prompt.
    pub(super) fn command(&mut self, text: &str) -> Option<Vec<Effect>> {
        let (cmd, arg) = keymap::command(text)?;
        let effects = match cmd {
            Cmd::New => self.new_session(),
            Cmd::Sessions => self.open_browser(),
            Cmd::Help => {
                self.overlay = Some(Overlay::Help(Help::default()));
                Vec::new()
            }
            Cmd::Meter => {
                self.toggle_meter();
                Vec::new()
            }
            Cmd::Usage => {
                self.open_inspector();
                Vec::new()
            }
            Cmd::Model if arg.is_empty() => self.open_picker(),
            Cmd::Model => self.switch_model(arg),
            Cmd::Effort if arg.is_empty() => {
                self.open_efforts();
                Vec::new()
            }
            Cmd::Effort => {
                self.set_effort(arg);
                Vec::new()
            }
            Cmd::Max => {
                self.set_max(arg);
                Vec::new()
            }
            Cmd::Title => {
                if arg.is_empty() {
                    self.notice = Some("/title needs the new title: /title My session".into());
                    return Some(Vec::new());
                }
                if let Persistence::On { title, .. } = &mut self.persistence {
                    *title = Some(arg.to_string());
                }
                self.persist(PersistOp::SetTitle(arg.to_string()))
            }
        };
        self.composer.set_draft("");
        Some(effects)
    }
}
