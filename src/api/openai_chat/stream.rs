//! The streaming Chat Completions parser: one SSE `data:` payload in, [`StreamEvent`]s out.
//!
//! A pure, synchronous state machine (no I/O, no clock), so tests and benchmarks drive it
//! directly. Invariants, which together give the contract of `api::run_turn`:
//! - deltas come out in the order the server sent them; within one delta reasoning comes
//!   before answer text;
//! - `Finished` is held until the stream ends (`[DONE]` or end of body), so a usage chunk
//!   that follows the finish chunk is emitted before it; tool calls, assembled from their
//!   fragments, are emitted just before `Finished`;
//! - exactly one terminal event is produced, always last; after it every input is ignored;
//! - malformed input becomes `Failed`, never a panic.

use super::think::ThinkSplitter;
use super::wire::{self, Content};
use crate::api::errors::{CLOSED_EARLY, error_in, malformed};
use crate::api::json::{excerpt, function, num, text_field};
use crate::api::sse::StreamParser;
use crate::api::types::{ApiError, FinishReason, StreamEvent, ToolCall};
use serde_json::Value;
use std::collections::BTreeMap;

/// Why a stream that said nothing at all fails.
pub const EMPTY_STREAM: &str =
    "the server ended the answer without sending anything (no text, no finish reason)";

/// Incremental parser of one streamed chat completion.
#[derive(Debug, Default)]
pub struct ChunkParser {
    think: ThinkSplitter,
    /// Tool calls by their `index`, fragments joined.
    tools: BTreeMap<u64, ToolCall>,
    /// The legacy `function_call`, fragments joined.
    function_call: Option<ToolCall>,
    /// The usage last reported.
    usage: Option<crate::usage::Usage>,
    finish: Option<FinishReason>,
    done: bool,
    /// Some delta carried text, reasoning or a tool call.
    said_something: bool,
    /// Read every chunk the general way (to test the plain reading against it).
    general_only: bool,
}

impl ChunkParser {
    pub fn new() -> ChunkParser {
        ChunkParser::default()
    }

    /// Parse one SSE `data:` payload (a JSON chunk, or `[DONE]`).
    pub fn feed_data(&mut self, data: &str) -> Vec<StreamEvent> {
        let data = data.trim();
        if self.done || data.is_empty() {
            return Vec::new();
        }
        if data == "[DONE]" {
            return self.end(true);
        }
        if self.general_only {
            return self.feed_value(data);
        }
        match plain::plain(data) {
            Some(delta) => self.plain_delta(delta.as_deref()),
            None => self.feed_value(data),
        }
    }

    /// A plain chunk's delta text (`None`: no delta), as [`choice`](Self::choice) reads it.
    fn plain_delta(&mut self, delta: Option<&str>) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if let Some(text) = delta {
            let held = !text.is_empty();
            if held {
                self.think.push(text, &mut out);
            }
            self.said_something |=
                !out.is_empty() || held || !self.tools.is_empty() || self.function_call.is_some();
        }
        out
    }

    /// A chunk read the general way, as a JSON value.
    fn feed_value(&mut self, data: &str) -> Vec<StreamEvent> {
        let value: Value = match serde_json::from_str(data) {
            Ok(v @ Value::Object(_)) => v,
            _ => return self.fail(malformed(data)),
        };
        if let Some(err) = error_in(&value) {
            return self.fail(err);
        }
        let mut out = Vec::new();
        if let Some(choices) = value.get("choices").and_then(Value::as_array) {
            for (position, choice) in choices.iter().enumerate() {
                let index = choice.get("index").and_then(num).unwrap_or(position as u64);
                if index == 0 {
                    self.choice(choice, &mut out);
                }
            }
        }
        // Some servers repeat the usage on every chunk; report each change once.
        if let Some(usage) = value.get("usage").and_then(wire::usage)
            && self.usage != Some(usage)
        {
            self.usage = Some(usage);
            out.push(StreamEvent::Usage(usage));
        }
        out
    }

    /// The stream ended, after `[DONE]` when `saw_done`. Produces the terminal event:
    /// `Finished` when the server said why it stopped (or sent `[DONE]`), otherwise a
    /// retryable `Failed`.
    fn end(&mut self, saw_done: bool) -> Vec<StreamEvent> {
        if self.done {
            return Vec::new();
        }
        let reason = match self.finish.take() {
            Some(reason) => reason,
            // `[DONE]` after nothing at all (no text, no finish reason, no usage): some
            // servers answer a request they cannot serve now (a busy local server) so.
            None if saw_done && !self.said_something && self.usage.is_none() => {
                return self.fail(ApiError {
                    retryable: true,
                    ..ApiError::message(EMPTY_STREAM)
                });
            }
            None if saw_done => FinishReason::Stop,
            None => {
                return self.fail(ApiError {
                    retryable: true,
                    ..ApiError::message(CLOSED_EARLY)
                });
            }
        };
        if let Some(err) = wire::finish_error(&reason) {
            return self.fail(err);
        }
        let mut out = self.release();
        let tools = std::mem::take(&mut self.tools)
            .into_values()
            .chain(self.function_call.take());
        out.extend(
            tools
                .filter(|t| !t.name.is_empty() || !t.arguments.is_empty())
                .map(StreamEvent::ToolCall),
        );
        out.push(StreamEvent::Finished(reason));
        out
    }

    /// Mark the stream done and release text held back by the `<think>` splitter.
    fn release(&mut self) -> Vec<StreamEvent> {
        self.done = true;
        let mut out = Vec::new();
        self.think.finish(&mut out);
        out
    }

    fn choice(&mut self, choice: &Value, out: &mut Vec<StreamEvent>) {
        if let Some(delta) = choice.get("delta").filter(|d| d.is_object()) {
            let before = out.len();
            if let Some(reasoning) = wire::reasoning(delta) {
                out.push(StreamEvent::ReasoningDelta(reasoning));
            }
            let pieces = wire::content(delta.get("content"));
            let held = !pieces.is_empty();
            for piece in pieces {
                match piece {
                    Content::Text(text) => self.think.push(&text, out),
                    Content::Thinking(text) => out.push(StreamEvent::ReasoningDelta(text)),
                }
            }
            if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
                for (position, call) in calls.iter().enumerate() {
                    let index = call.get("index").and_then(num).unwrap_or(position as u64);
                    let part = call.get("function").map(function).unwrap_or_default();
                    merge(self.tools.entry(index).or_default(), part);
                }
            }
            if let Some(f) = delta.get("function_call").filter(|f| f.is_object()) {
                merge(
                    self.function_call.get_or_insert_with(ToolCall::default),
                    function(f),
                );
            }
            self.said_something |= out.len() > before
                || held
                || !self.tools.is_empty()
                || self.function_call.is_some();
        }
        if let Some(reason) = text_field(choice, "finish_reason") {
            self.finish = Some(FinishReason::parse(reason));
        }
    }
}

/// Chat Completions sends data only; an `error` event carries an error object (or text).
impl StreamParser for ChunkParser {
    fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent> {
        if event == "error" {
            let err = error_in(&serde_json::from_str(data).unwrap_or_default())
                .unwrap_or_else(|| ApiError::message(excerpt(data, 300)));
            return self.fail(err);
        }
        self.feed_data(data)
    }

    /// The body broke off with `error`. If the server had already said why it stopped, the
    /// answer is complete and finishes normally; otherwise the turn fails with `error`.
    fn interrupted(&mut self, error: ApiError) -> Vec<StreamEvent> {
        if self.finish.is_some() {
            self.end(false)
        } else {
            self.fail(error)
        }
    }

    /// End the stream with `error` (held text is released first).
    fn fail(&mut self, error: ApiError) -> Vec<StreamEvent> {
        if self.done {
            return Vec::new();
        }
        let mut out = self.release();
        out.push(StreamEvent::Failed(error));
        out
    }

    /// The body ended without `[DONE]`.
    fn finish(&mut self) -> Vec<StreamEvent> {
        self.end(false)
    }

    fn is_done(&self) -> bool {
        self.done
    }

    /// Text the `<think>` splitter holds back, and the tool calls' fragments so far.
    fn held(&self) -> usize {
        let call = |c: &ToolCall| c.name.len() + c.arguments.len();
        self.think.held()
            + self.tools.values().map(call).sum::<usize>()
            + self.function_call.as_ref().map_or(0, call)
    }
}

/// Add one streamed fragment to a tool call: the name arrives once, arguments in pieces.
fn merge(call: &mut ToolCall, part: ToolCall) {
    if call.name.is_empty() {
        call.name = part.name;
    }
    call.arguments.push_str(&part.arguments);
}

mod plain;
#[cfg(test)]
mod tests;
