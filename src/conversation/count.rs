//! A turn counted by the server's own tokenizer after it ended, when the server reported
//! no usage (see `api::tokenize`).
//!
//! Invariants: a count never replaces usage the server reported, and only an ended turn that
//! produced something is counted; the count is kept as the turn's usage (`reported_usage`
//! with `Usage::counted` set, never `estimated`), so the meter, totals, exports and the store
//! read it like any usage.

use super::Turn;
use crate::api::ChatRequest;
use crate::api::tokenize::{Count, Texts};
use crate::usage::Usage;

impl Turn {
    /// What to count of this turn, sent as `request`: `None` when there is nothing to count
    /// (the server reported usage, the turn still streams, or it failed before anything
    /// came back).
    pub fn texts_to_count(&self, request: &ChatRequest) -> Option<Texts> {
        if self.reported_usage.is_some() || self.is_streaming() || self.refused() {
            return None;
        }
        let mut output = vec![self.answer.clone()];
        for call in &self.tool_calls {
            output.push(call.name.clone());
            output.push(call.arguments.clone());
        }
        Some(Texts {
            model: request.model.clone(),
            system: request.system.clone(),
            messages: request.messages.clone(),
            reasoning: self.reasoning.clone(),
            output,
        })
    }

    /// The server's tokenizer counted this turn: the count becomes its usage. Ignored (false)
    /// when the server reported usage or the turn still streams.
    pub fn apply_count(&mut self, count: Count) -> bool {
        if self.reported_usage.is_some() || self.is_streaming() {
            return false;
        }
        self.reported_usage = Some(Usage {
            input: count.input,
            output: count.output.saturating_add(count.reasoning),
            reasoning: count.reasoning,
            counted: Some(count.prompt),
            ..Default::default()
        });
        true
    }
}
