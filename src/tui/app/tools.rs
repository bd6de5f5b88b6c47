//! The composer's text in the person's editor: Ctrl+G and `/edit` ask the runtime for it
//! ([`Effect::EditInEditor`]); what comes back ([`Event::Edited`]) replaces the text, and a
//! failure keeps the text and says why in the status line.

use super::{App, Effect};

impl App {
    /// Ctrl+G, `/edit`: the composer's text goes to the editor.
    pub(super) fn edit_in_editor(&mut self) -> Vec<Effect> {
        self.completing = None;
        vec![Effect::EditInEditor { text: self.draft() }]
    }

    /// What the editor left replaces the text; on failure the text stays as it was.
    pub(super) fn edited(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) => {
                self.composer.set_draft(&text);
                self.notice = None;
            }
            Err(why) => self.notice = Some(format!("⚠ {why} — the message is unchanged")),
        }
    }
}
