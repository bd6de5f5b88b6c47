//! Counting a turn with the server's own tokenizer after it ended, when the server reported
//! no usage (see `api::tokenize`): the app remembers what the turn was sent with, asks the
//! runtime for a count ([`Effect::CountTokens`]) once the turn ends, and folds the count that
//! comes back ([`Event::TokensCounted`](super::Event::TokensCounted)) into the turn, which is
//! saved again as any change is.
//!
//! Invariants: at most one count is asked per turn, only for a plain turn (not a comparison's
//! arm) that ended by itself (done or failed, not cancelled) and produced something; a count
//! that never comes back leaves the estimate; only the last count asked for is taken, and
//! only while the conversation it was asked in is shown (a session opened since, whose turns
//! may share ids, is left alone).

use super::{App, Effect};
use crate::api::tokenize::Count;
use crate::api::{ChatRequest, Endpoint};

/// What a streaming turn was sent with, kept until it ends.
#[derive(Debug)]
pub(super) struct Sent {
    pub turn_id: u64,
    pub endpoint: Endpoint,
    pub request: ChatRequest,
}

impl App {
    /// Remember what turn `turn_id` is sent with.
    pub(super) fn remember_sent(&mut self, turn_id: u64, request: &ChatRequest) {
        self.sent = Some(Box::new(Sent {
            turn_id,
            endpoint: self.session.settings.endpoint.clone(),
            request: request.clone(),
        }));
    }

    /// Turn `turn_id` ended: the count to ask for, if it has anything to count.
    pub(super) fn count_after(&mut self, turn_id: u64) -> Option<Effect> {
        let sent = self.sent.take().filter(|s| s.turn_id == turn_id)?;
        let texts = self.session.turn(turn_id)?.texts_to_count(&sent.request)?;
        self.counting = Some((turn_id, self.changes.epoch));
        Some(Effect::CountTokens {
            turn_id,
            endpoint: Box::new(sent.endpoint),
            texts: Box::new(texts),
        })
    }

    /// The server's tokenizer counted turn `turn_id`: its usage, saved.
    pub(super) fn tokens_counted(&mut self, turn_id: u64, count: Count) -> Vec<Effect> {
        // Only the count asked for, in the conversation it was asked in.
        if self.counting.take() != Some((turn_id, self.changes.epoch)) {
            return Vec::new();
        }
        let Some(idx) = self.turn_index(turn_id) else {
            return Vec::new();
        };
        let turn = &mut self.session.conversation.turns[idx];
        if turn.arm.is_some() || !turn.apply_count(count) {
            return Vec::new();
        }
        self.touch(idx);
        self.save(idx)
    }
}
