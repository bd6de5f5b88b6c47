//! `/edit-last` and Alt+L: the last plain turn's prompt (and its attachments) back in the
//! composer; sending it replaces that turn.
//!
//! Invariants: the replaced turn is kept as an earlier version — [`TurnState::Superseded`],
//! as a retry leaves it: stored, counted in every total, never sent as history — and the
//! new turn takes its place at the end, so the request carries exactly the history before
//! it; a draft (text or attachments) is never overwritten: the edit is refused with a
//! notice; comparisons are not edited; Esc gives the edit up and keeps the draft, which then
//! goes as a new turn; a turn is superseded only when its replacement is sent, and only if
//! it is still the last turn.

use super::{App, Effect};
use crate::conversation::TurnState;

impl App {
    /// Put the last plain turn's prompt back to edit; `command`: typed as `/edit-last`, so
    /// the composer's text is the command, not a draft.
    pub(super) fn edit_last(&mut self, command: bool) -> Vec<Effect> {
        let refusal = if self.is_streaming() {
            Some("an answer is still streaming: Esc cancels it first".to_string())
        } else if (!command && !self.composer.is_empty()) || !self.composer.attachments().is_empty()
        {
            Some(
                "the composer holds a draft: send or clear it first (an edit would replace it)"
                    .to_string(),
            )
        } else if self.last_is_comparison() {
            Some(
                "the last turn is a comparison: only a single model's turn can be edited (Alt+R retries arms)"
                    .to_string(),
            )
        } else {
            None
        };
        if let Some(why) = refusal {
            self.notice = Some(why);
            return Vec::new();
        }
        let Some(turn) = self.session.conversation.turns.last() else {
            self.notice = Some("nothing to edit yet".into());
            return Vec::new();
        };
        let (id, prompt, attachments) = (turn.id, turn.prompt.clone(), turn.attachments.clone());
        let number = self.session.conversation.exchange_count();
        self.composer.set_draft(&prompt);
        for a in attachments {
            self.composer.attach(a);
        }
        self.editing = Some(id);
        self.notice = Some(format!(
            "editing turn {number}: Enter sends it in place of the old one (kept as an earlier version) · Esc gives up"
        ));
        Vec::new()
    }

    /// Sending an edit: the turn it replaces becomes an earlier version (and is saved so).
    pub(super) fn supersede_edited(&mut self) -> Vec<Effect> {
        let Some(id) = self.editing.take() else {
            return Vec::new();
        };
        let last = self.session.conversation.turns.len().checked_sub(1);
        match last.and_then(|idx| Some((idx, self.session.conversation.turns.get_mut(idx)?))) {
            Some((idx, turn)) if turn.id == id && turn.arm.is_none() && !turn.is_streaming() => {
                turn.state = TurnState::Superseded;
                self.touch(idx);
                self.save(idx)
            }
            _ => Vec::new(),
        }
    }
}
