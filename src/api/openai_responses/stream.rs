//! The streaming Responses parser: one SSE event in, [`StreamEvent`]s out.
//!
//! A pure, synchronous state machine (no I/O, no clock), so tests and benchmarks drive it
//! directly. Events are told apart by their JSON `type` (the SSE `event:` name only stands
//! in when a payload has none). Invariants, which together give the contract of
//! `api::run_turn`:
//! - deltas come out in the order the server sent them; reasoning text from different
//!   summary parts, or from different reasoning items, is separated by one blank line
//!   (`"\n\n"` before the first delta of each later part), never added after the last;
//! - a tool call is emitted once, complete, when its output item is done;
//! - `response.completed`, `response.incomplete` and `response.failed` emit the usage,
//!   then the terminal event; an `error` event, malformed JSON, or the end of the body
//!   before any of those is a `Failed`;
//! - exactly one terminal event is produced, always last; after it every input is ignored.

use super::wire;
use crate::api::errors::{CLOSED_EARLY, error_in, malformed};
use crate::api::json::{function, num, text_field};
use crate::api::sse::StreamParser;
use crate::api::types::{ApiError, StreamEvent};
use serde_json::Value;

/// Which run of reasoning text a delta belongs to: (output item, raw text?, part index).
type PartKey = (u64, bool, u64);

/// Incremental parser of one streamed response.
#[derive(Debug, Default)]
pub struct EventParser {
    /// The part the last reasoning delta belonged to, once there was one.
    reasoning_part: Option<PartKey>,
    /// Non-empty answer text has come.
    answered: bool,
    /// Tool calls have been emitted.
    tools: bool,
    done: bool,
}

impl EventParser {
    pub fn new() -> EventParser {
        EventParser::default()
    }

    /// A reasoning delta; `index_field` names the part index within its output item.
    fn reasoning(&mut self, v: &Value, raw: bool, index_field: &str, out: &mut Vec<StreamEvent>) {
        let Some(delta) = text_field(v, "delta") else {
            return;
        };
        let index = |k: &str| v.get(k).and_then(num).unwrap_or(0);
        let key = (index("output_index"), raw, index(index_field));
        let text = match self.reasoning_part.replace(key) {
            Some(previous) if previous != key => format!("\n\n{delta}"),
            _ => delta.to_string(),
        };
        out.push(StreamEvent::ReasoningDelta(text));
    }
}

/// A Responses stream that breaks off fails, whatever had come: the final event never came.
impl StreamParser for EventParser {
    /// One SSE event: its `event:` name (used only when the JSON has no `type`) and its data.
    fn feed(&mut self, name: &str, data: &str) -> Vec<StreamEvent> {
        let data = data.trim();
        // `[DONE]` is not part of this API, but a proxy may add it: the end of the body
        // decides.
        if self.done || data.is_empty() || data == "[DONE]" {
            return Vec::new();
        }
        let value: Value = match serde_json::from_str(data) {
            Ok(v @ Value::Object(_)) => v,
            _ => return self.fail(malformed(data)),
        };
        let kind = text_field(&value, "type").unwrap_or(name);
        let mut out = Vec::new();
        match kind {
            "response.reasoning_summary_text.delta" => {
                self.reasoning(&value, false, "summary_index", &mut out)
            }
            "response.reasoning_text.delta" => {
                self.reasoning(&value, true, "content_index", &mut out)
            }
            "response.output_text.delta" | "response.refusal.delta" => {
                if let Some(delta) = text_field(&value, "delta") {
                    self.answered = true;
                    out.push(StreamEvent::TextDelta(delta.to_string()));
                }
            }
            "response.output_item.done" => {
                let item = value.get("item").unwrap_or(&Value::Null);
                if item.get("type").and_then(Value::as_str) == Some("function_call") {
                    self.tools = true;
                    out.push(StreamEvent::ToolCall(function(item)));
                }
            }
            "response.completed" | "response.incomplete" | "response.failed" => {
                let status = kind.trim_start_matches("response.");
                let response = value.get("response").unwrap_or(&Value::Null);
                self.done = true;
                out.extend(wire::closing(response, status, self.answered, self.tools));
            }
            "error" => return self.fail(wire::error_event(&value, data)),
            // A payload with no type that still reports an error (a proxy's own shape).
            "" | "message" => {
                if let Some(err) = error_in(&value) {
                    return self.fail(err);
                }
            }
            _ => {}
        }
        out
    }

    /// The body ended. Without a final `response.*` event the answer is incomplete: a
    /// retryable `Failed`.
    fn finish(&mut self) -> Vec<StreamEvent> {
        self.fail(ApiError {
            retryable: true,
            ..ApiError::message(CLOSED_EARLY)
        })
    }

    /// End the stream with `error` (nothing, if it has already ended).
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{FinishReason, ToolCall};
    use crate::usage::Usage;
    use StreamEvent::*;
    use serde_json::json;

    fn run(payloads: &[Value]) -> Vec<StreamEvent> {
        let mut p = EventParser::new();
        let mut out: Vec<StreamEvent> = payloads
            .iter()
            .flat_map(|d| p.feed("", &d.to_string()))
            .collect();
        out.extend(p.finish());
        out
    }

    fn summary(output_index: u64, summary_index: u64, delta: &str) -> Value {
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1",
            "output_index": output_index, "summary_index": summary_index, "delta": delta})
    }

    fn text(delta: &str) -> Value {
        json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1,
            "content_index": 0, "delta": delta})
    }

    fn completed(usage: Value) -> Value {
        json!({"type": "response.completed", "response": {"status": "completed", "usage": usage}})
    }

    #[test]
    fn summary_then_text_then_usage() {
        let got = run(&[
            json!({"type": "response.created", "response": {"status": "in_progress"}}),
            summary(0, 0, "Think"),
            summary(0, 0, "ing."),
            text("Hi"),
            text(""),
            completed(json!({"input_tokens": 3, "output_tokens": 9,
                "output_tokens_details": {"reasoning_tokens": 7}})),
            text("late"),
        ]);
        let u = Usage {
            input: 3,
            output: 9,
            reasoning: 7,
            ..Default::default()
        };
        assert_eq!(
            got,
            [
                ReasoningDelta("Think".into()),
                ReasoningDelta("ing.".into()),
                TextDelta("Hi".into()),
                Usage(u),
                Finished(FinishReason::Stop)
            ]
        );
    }

    #[test]
    fn summary_parts_and_items_become_paragraphs() {
        let got = run(&[
            json!({"type": "response.reasoning_summary_part.added", "output_index": 0, "summary_index": 0}),
            summary(0, 0, "One."),
            json!({"type": "response.reasoning_summary_part.added", "output_index": 0, "summary_index": 1}),
            summary(0, 1, "Two"),
            summary(0, 1, "."),
            json!({"type": "response.output_item.added", "output_index": 2, "item": {"type": "reasoning"}}),
            summary(2, 0, "Three."),
            json!({"type": "response.reasoning_text.delta", "output_index": 2, "content_index": 0, "delta": "raw"}),
            completed(Value::Null),
        ]);
        let reasoning: String = got
            .iter()
            .filter_map(|e| match e {
                ReasoningDelta(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(reasoning, "One.\n\nTwo.\n\nThree.\n\nraw");
        assert_eq!(got.last(), Some(&Finished(FinishReason::Stop)));
    }

    #[test]
    fn function_calls_finish_as_tool_calls_without_text() {
        let call = json!({"type": "response.output_item.done", "output_index": 1, "item": {
            "type": "function_call", "name": "weather", "arguments": "{\"location\":\"Rome\"}",
            "call_id": "call_1"}});
        let message = json!({"type": "response.output_item.done", "item": {"type": "message"}});
        let got = run(&[message.clone(), call.clone(), completed(Value::Null)]);
        let tool = ToolCall {
            name: "weather".into(),
            arguments: r#"{"location":"Rome"}"#.into(),
        };
        assert_eq!(
            got,
            [
                StreamEvent::ToolCall(tool),
                Finished(FinishReason::ToolCalls)
            ]
        );
        let got = run(&[text("Sure."), call, completed(Value::Null)]);
        assert_eq!(got.last(), Some(&Finished(FinishReason::Stop)));
    }

    #[test]
    fn incomplete_keeps_usage() {
        let got = run(&[
            summary(0, 0, "Long thought"),
            json!({"type": "response.incomplete", "response": {"status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
                "usage": {"input_tokens": 10, "output_tokens": 16,
                    "output_tokens_details": {"reasoning_tokens": 16}}}}),
        ]);
        let u = Usage {
            input: 10,
            output: 16,
            reasoning: 16,
            ..Default::default()
        };
        assert_eq!(got[1..], [Usage(u), Finished(FinishReason::Length)]);
    }

    #[test]
    fn errors_in_both_shapes_and_failed_responses() {
        let real = json!({"type": "error", "error": {"type": "invalid_request_error",
            "code": "invalid_prompt", "message": "bad prompt", "param": null}});
        let flat = json!({"type": "error", "code": "rate_limit_exceeded", "message": "slow down",
            "param": null, "sequence_number": 3});
        let failed = json!({"type": "response.failed", "response": {"status": "failed",
            "error": {"code": "server_error", "message": "The model failed."}, "usage": null}});
        let untyped = json!({"error": {"message": "proxy says no", "type": "proxy_error"}});
        for (payload, message, code, retryable) in [
            (real, "bad prompt", Some("invalid_prompt"), false),
            (flat, "slow down", Some("rate_limit_exceeded"), true),
            (failed, "The model failed.", Some("server_error"), true),
            (untyped, "proxy says no", None, false),
        ] {
            let got = run(&[text("par"), payload, text("late")]);
            let [TextDelta(_), Failed(e)] = &got[..] else {
                panic!("{got:?}")
            };
            assert_eq!(
                (e.message.as_str(), e.code.as_deref(), e.retryable),
                (message, code, retryable)
            );
        }
    }

    #[test]
    fn event_name_stands_in_for_a_missing_type() {
        let mut p = EventParser::new();
        let got = p.feed("error", r#"{"message":"overloaded","code":"server_error"}"#);
        assert!(matches!(&got[..], [Failed(e)] if e.message == "overloaded" && e.retryable));
        let mut p = EventParser::new();
        let got = p.feed("response.output_text.delta", r#"{"delta":"x"}"#);
        assert_eq!(got, [TextDelta("x".into())]);
    }

    #[test]
    fn malformed_and_unknown_payloads() {
        for bad in ["{\"type\":", "garbage", "42", "[1]"] {
            let mut p = EventParser::new();
            let got = p.feed("", bad);
            let [Failed(e)] = &got[..] else {
                panic!("{bad}: {got:?}")
            };
            assert!(e.message.starts_with("malformed data from the server: "));
            assert!(p.is_done() && p.finish().is_empty());
        }
        let got = run(&[
            json!({"type": "response.something_new", "delta": "x"}),
            json!({"type": "response.output_text.delta", "delta": 42}),
            json!({"type": "response.output_item.done"}),
            completed(Value::Null),
        ]);
        assert_eq!(got, [Finished(FinishReason::Stop)]);
        let mut p = EventParser::new();
        assert!(p.feed("", "[DONE]").is_empty() && p.feed("", "  ").is_empty());
    }

    #[test]
    fn end_before_completed_is_retryable() {
        let got = run(&[summary(0, 0, "a"), text("b")]);
        let [_, _, Failed(e)] = &got[..] else {
            panic!("{got:?}")
        };
        assert_eq!((e.message.as_str(), e.retryable), (CLOSED_EARLY, true));
    }
}
