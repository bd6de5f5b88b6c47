//! The streaming Messages parser: one SSE event (its name and JSON data) in, [`StreamEvent`]s
//! out.
//!
//! A pure, synchronous state machine (no I/O, no clock), so tests drive it directly.
//! Invariants, which together give the contract of `api::run_turn`:
//! - thinking and answer text come out in the order the server sent them; the text of two
//!   thinking blocks is kept apart by a blank line, and a redacted block shows as
//!   `(redacted)`, once;
//! - a tool call comes out whole when its block stops (or, if it never stops, before the end);
//! - usage counts are cumulative on the wire, so the latest count of each field wins; `Usage`
//!   comes out once, just before `Finished`, with `input` counting cached and cache-written
//!   tokens and `reasoning` estimated from the thinking text (Anthropic reports no number),
//!   counted as it passes: the parser keeps no copy of it;
//! - exactly one terminal event is produced, always last; after it every input is ignored;
//! - malformed input becomes `Failed`, never a panic.

use crate::api::errors::{CLOSED_EARLY, error_in, malformed};
use crate::api::json::{num, text_field};
use crate::api::sse::StreamParser;
use crate::api::types::{ApiError, FinishReason, StreamEvent, ToolCall};
use crate::usage::{TokenTally, Usage};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a redacted thinking block shows.
pub const REDACTED: &str = "(redacted)";

/// Token counts as Anthropic names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    input: u64,
    cache_read: u64,
    cache_write: u64,
    output: u64,
}

impl Counts {
    /// Take every count present in a `usage` object (each is cumulative: the latest wins).
    fn update(&mut self, usage: &Value) {
        let fields = [
            ("input_tokens", &mut self.input),
            ("cache_read_input_tokens", &mut self.cache_read),
            ("cache_creation_input_tokens", &mut self.cache_write),
            ("output_tokens", &mut self.output),
        ];
        for (key, slot) in fields {
            if let Some(n) = usage.get(key).and_then(num) {
                *slot = n;
            }
        }
    }
}

/// One content block of the message, by its `index`.
#[derive(Debug, Default)]
struct Block {
    /// The block's `type` (`thinking`, `text`, `tool_use` …).
    kind: String,
    /// Some reasoning of this block is out already (so no separator goes before the next).
    reasoned: bool,
    /// Tool name, and `input_json_delta` fragments joined.
    tool: ToolCall,
    /// The `input` of the block's start, for a tool call whose input never streams.
    input: Option<Value>,
}

impl Block {
    fn tool_call(self) -> Option<ToolCall> {
        if self.kind != "tool_use" {
            return None;
        }
        let mut call = self.tool;
        if call.arguments.is_empty() {
            call.arguments = self
                .input
                .unwrap_or_else(|| Value::Object(Default::default()))
                .to_string();
        }
        Some(call)
    }
}

/// The finish reason a Messages `stop_reason` stands for.
pub fn stop_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    }
}

/// Incremental parser of one streamed message.
#[derive(Debug, Default)]
pub struct MessageParser {
    blocks: BTreeMap<u64, Block>,
    /// The counts last reported, once any was.
    counts: Option<Counts>,
    /// The token estimate of the thinking text so far (the text itself is not kept).
    thinking: TokenTally,
    /// A thinking block (redacted or not) was seen.
    saw_thinking: bool,
    /// Some reasoning text is out already.
    reasoned: bool,
    stop: Option<FinishReason>,
    done: bool,
}

impl MessageParser {
    pub fn new() -> MessageParser {
        MessageParser::default()
    }

    /// End the stream normally: tool calls still open, the usage, then `Finished`.
    fn complete(&mut self, reason: FinishReason) -> Vec<StreamEvent> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        let blocks = std::mem::take(&mut self.blocks).into_values();
        let mut out: Vec<StreamEvent> = blocks
            .filter_map(Block::tool_call)
            .map(StreamEvent::ToolCall)
            .collect();
        if let Some(usage) = self.usage() {
            out.push(StreamEvent::Usage(usage));
        }
        out.push(StreamEvent::Finished(reason));
        out
    }

    /// Our [`Usage`] from the counts last reported.
    fn usage(&self) -> Option<Usage> {
        let c = self.counts?;
        Some(Usage {
            input: c
                .input
                .saturating_add(c.cache_read)
                .saturating_add(c.cache_write),
            cached_input: c.cache_read,
            cache_write: c.cache_write,
            output: c.output,
            reasoning: self.thinking.total().min(c.output),
            estimated: false,
            reasoning_estimated: self.saw_thinking,
            ..Default::default()
        })
    }

    fn start_block(&mut self, index: u64, block: &Value, out: &mut Vec<StreamEvent>) {
        let kind = block.get("type").and_then(Value::as_str).unwrap_or("");
        let entry = Block {
            kind: kind.to_string(),
            tool: ToolCall {
                name: text_field(block, "name").unwrap_or("").to_string(),
                arguments: String::new(),
            },
            input: block.get("input").filter(|i| i.is_object()).cloned(),
            ..Default::default()
        };
        self.blocks.insert(index, entry);
        match kind {
            "thinking" => {
                self.saw_thinking = true;
                if let Some(text) = text_field(block, "thinking") {
                    self.thinking.push(text);
                    self.reason(index, text, out);
                }
            }
            "redacted_thinking" => {
                self.saw_thinking = true;
                self.reason(index, REDACTED, out);
            }
            "text" => {
                if let Some(text) = text_field(block, "text") {
                    out.push(StreamEvent::TextDelta(text.to_string()));
                }
            }
            _ => {}
        }
    }

    fn delta(&mut self, index: u64, delta: &Value, out: &mut Vec<StreamEvent>) {
        match delta.get("type").and_then(Value::as_str) {
            Some("thinking_delta") => {
                if let Some(text) = text_field(delta, "thinking") {
                    self.saw_thinking = true;
                    self.thinking.push(text);
                    self.reason(index, text, out);
                }
            }
            Some("text_delta") => {
                if let Some(text) = text_field(delta, "text") {
                    out.push(StreamEvent::TextDelta(text.to_string()));
                }
            }
            Some("input_json_delta") => {
                if let Some(json) = delta.get("partial_json").and_then(Value::as_str) {
                    let block = self.blocks.entry(index).or_default();
                    block.tool.arguments.push_str(json);
                }
            }
            // `signature_delta`, `citations_delta` and anything newer carry nothing to show.
            _ => {}
        }
    }

    /// Emit reasoning `text` of block `index`, after a blank line when it opens a new block.
    fn reason(&mut self, index: u64, text: &str, out: &mut Vec<StreamEvent>) {
        let block = self.blocks.entry(index).or_default();
        let text = if self.reasoned && !block.reasoned {
            format!("\n\n{text}")
        } else {
            text.to_string()
        };
        block.reasoned = true;
        self.reasoned = true;
        out.push(StreamEvent::ReasoningDelta(text));
    }
}

/// The parser as the SSE reader drives it.
impl StreamParser for MessageParser {
    /// Parse one SSE event: its `event:` name and its `data:` payload. The JSON `type`
    /// decides what the event is; the name is used only when the payload has none.
    fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent> {
        let data = data.trim();
        if self.done || data.is_empty() {
            return Vec::new();
        }
        let value: Value = match serde_json::from_str(data) {
            Ok(v @ Value::Object(_)) => v,
            _ => return self.fail(malformed(data)),
        };
        let kind = value.get("type").and_then(Value::as_str).unwrap_or(event);
        let index = value.get("index").and_then(num).unwrap_or(0);
        let mut out = Vec::new();
        match kind {
            "message_start" => {
                let usage = value.get("message").and_then(|m| m.get("usage"));
                if let Some(usage) = usage.filter(|u| u.is_object()) {
                    self.counts.get_or_insert_default().update(usage);
                }
            }
            "content_block_start" => {
                let block = value.get("content_block").unwrap_or(&Value::Null);
                self.start_block(index, block, &mut out);
            }
            "content_block_delta" => {
                let delta = value.get("delta").unwrap_or(&Value::Null);
                self.delta(index, delta, &mut out);
            }
            "content_block_stop" => {
                if let Some(call) = self.blocks.remove(&index).and_then(Block::tool_call) {
                    out.push(StreamEvent::ToolCall(call));
                }
            }
            "message_delta" => {
                if let Some(reason) = value
                    .get("delta")
                    .and_then(|d| text_field(d, "stop_reason"))
                {
                    self.stop = Some(stop_reason(reason));
                }
                if let Some(usage) = value.get("usage").filter(|u| u.is_object()) {
                    self.counts.get_or_insert_default().update(usage);
                }
            }
            "message_stop" => {
                let reason = self.stop.take().unwrap_or(FinishReason::Stop);
                return self.complete(reason);
            }
            "error" => return self.fail(stream_error(&value, data)),
            // `ping`, and event types added after this was written.
            _ => {}
        }
        out
    }

    /// The body ended. `Finished` when the server had said why it stopped, otherwise a
    /// retryable `Failed`.
    fn finish(&mut self) -> Vec<StreamEvent> {
        match self.stop.take() {
            _ if self.done => Vec::new(),
            Some(reason) => self.complete(reason),
            None => self.fail(ApiError {
                retryable: true,
                ..ApiError::message(CLOSED_EARLY)
            }),
        }
    }

    /// The body broke off with `error`: a finished answer if the server had already said why
    /// it stopped, otherwise a failure with `error`.
    fn interrupted(&mut self, error: ApiError) -> Vec<StreamEvent> {
        if self.stop.is_some() {
            self.finish()
        } else {
            self.fail(error)
        }
    }

    /// End the stream with `error`.
    fn fail(&mut self, error: ApiError) -> Vec<StreamEvent> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        vec![StreamEvent::Failed(error)]
    }

    fn is_done(&self) -> bool {
        self.done
    }

    /// The tool calls' fragments so far.
    fn held(&self) -> usize {
        let block = |b: &Block| b.kind.len() + b.tool.name.len() + b.tool.arguments.len();
        self.blocks.values().map(block).sum()
    }
}

/// The failure an `error` event reports (`{"type":"error","error":{type,message}}`).
/// `overloaded_error`, `api_error` and rate limits are worth a retry.
fn stream_error(value: &Value, data: &str) -> ApiError {
    let mut err = error_in(value).unwrap_or_else(|| malformed(data));
    if matches!(
        err.kind.as_deref(),
        Some("overloaded_error" | "api_error" | "rate_limit_error")
    ) {
        err.retryable = true;
    }
    err
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
