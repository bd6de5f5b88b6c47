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
}

/// Add one streamed fragment to a tool call: the name arrives once, arguments in pieces.
fn merge(call: &mut ToolCall, part: ToolCall) {
    if call.name.is_empty() {
        call.name = part.name;
    }
    call.arguments.push_str(&part.arguments);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Usage;

    fn run(payloads: &[&str], saw_done: bool) -> Vec<StreamEvent> {
        let mut p = ChunkParser::new();
        let mut out: Vec<StreamEvent> = payloads.iter().flat_map(|d| p.feed_data(d)).collect();
        out.extend(p.end(saw_done));
        out
    }

    fn delta(d: &str) -> String {
        format!(r#"{{"choices":[{{"index":0,"delta":{d},"finish_reason":null}}]}}"#)
    }

    fn finish(reason: &str) -> String {
        format!(r#"{{"choices":[{{"index":0,"delta":{{}},"finish_reason":"{reason}"}}]}}"#)
    }

    use StreamEvent::*;

    /// A busy local server (llama.cpp-style) may answer a second request at once with a role
    /// chunk and `[DONE]`: that is a failure worth retrying, not an empty answer.
    #[test]
    fn done_after_nothing_at_all_is_a_retryable_failure() {
        let role = delta(r#"{"role":"assistant"}"#);
        let got = run(&[&role, "[DONE]"], false);
        match got.as_slice() {
            [Failed(e)] => assert!(e.retryable && e.message == EMPTY_STREAM, "{e:?}"),
            other => panic!("{other:?}"),
        }
        // Anything at all said makes it an answer: text, a finish reason, or usage.
        let hi = delta(r#"{"content":"hi"}"#);
        assert_eq!(
            run(&[&hi, "[DONE]"], false).last(),
            Some(&Finished(FinishReason::Stop))
        );
        let stop = finish("stop");
        assert_eq!(
            run(&[&role, &stop, "[DONE]"], false),
            [Finished(FinishReason::Stop)]
        );
        let usage = r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0}}"#;
        assert!(matches!(
            run(&[usage, "[DONE]"], false).last(),
            Some(Finished(_))
        ));
        let held = delta(r#"{"content":"<thi"}"#);
        assert!(matches!(
            run(&[&held, "[DONE]"], false).last(),
            Some(Finished(_))
        ));
    }

    #[test]
    fn usage_after_finish_comes_before_finished() {
        let usage = r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"completion_tokens_details":{"reasoning_tokens":4}}}"#;
        let got = run(
            &[
                &delta(r#"{"content":"Hi"}"#),
                &finish("stop"),
                usage,
                "[DONE]",
            ],
            false,
        );
        let u = Usage {
            input: 3,
            output: 5,
            reasoning: 4,
            ..Default::default()
        };
        assert_eq!(
            got,
            [
                TextDelta("Hi".into()),
                Usage(u),
                Finished(FinishReason::Stop)
            ]
        );
    }

    #[test]
    fn repeated_usage_is_reported_once() {
        let chunk = r#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;
        let got = run(&[chunk, chunk, "[DONE]"], false);
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn usage_on_the_finish_chunk() {
        let chunk = r#"{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;
        let got = run(&[chunk, "[DONE]"], false);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], Finished(FinishReason::Length));
    }

    #[test]
    fn reasoning_spellings_and_null_content() {
        let got = run(
            &[
                &delta(r#"{"role":"assistant","content":null,"reasoning_content":"a"}"#),
                &delta(r#"{"reasoning":"b","content":""}"#),
                &delta(
                    r#"{"reasoning":"c","reasoning_details":[{"type":"reasoning.text","text":"c"}]}"#,
                ),
                &delta(r#"{"reasoning_details":[{"type":"reasoning.summary","summary":"d"}]}"#),
                &delta(
                    r#"{"content":[{"type":"thinking","thinking":[{"type":"text","text":"e"}]},{"type":"text","text":"f"}]}"#,
                ),
                &finish("stop"),
            ],
            true,
        );
        let expected = ["a", "b", "c", "d", "e"].map(|s| ReasoningDelta(s.into()));
        assert_eq!(got[..5], expected);
        assert_eq!(
            got[5..],
            [TextDelta("f".into()), Finished(FinishReason::Stop)]
        );
    }

    #[test]
    fn think_tags_in_content() {
        let got = run(
            &[
                &delta(r#"{"content":"<thi"}"#),
                &delta(r#"{"content":"nk>why</think>ok"}"#),
                "[DONE]",
            ],
            false,
        );
        assert_eq!(
            got,
            [
                ReasoningDelta("why".into()),
                TextDelta("ok".into()),
                Finished(FinishReason::Stop)
            ]
        );
    }

    #[test]
    fn azure_prompt_filter_chunk_is_ignored() {
        let got = run(
            &[
                r#"{"choices":[],"prompt_filter_results":[{"prompt_index":0}]}"#,
                &delta(r#"{"content":"ok"}"#),
                "[DONE]",
            ],
            false,
        );
        assert_eq!(got, [TextDelta("ok".into()), Finished(FinishReason::Stop)]);
    }

    #[test]
    fn tool_calls_are_assembled_by_index() {
        let got = run(
            &[
                &delta(
                    r#"{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"weather","arguments":""}}]}"#,
                ),
                &delta(
                    r#"{"tool_calls":[{"index":1,"function":{"name":"time","arguments":"{}"}}]}"#,
                ),
                &delta(r#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}"#),
                &delta(r#"{"tool_calls":[{"index":0,"function":{"arguments":"\":\"Rome\"}"}}]}"#),
                &delta(r#"{"function_call":{"name":"old","arguments":"{"}}"#),
                &delta(r#"{"function_call":{"arguments":"}"}}"#),
                &finish("tool_calls"),
            ],
            true,
        );
        let call = |n: &str, a: &str| {
            ToolCall(crate::api::types::ToolCall {
                name: n.into(),
                arguments: a.into(),
            })
        };
        assert_eq!(
            got,
            [
                call("weather", r#"{"loc":"Rome"}"#),
                call("time", "{}"),
                call("old", "{}"),
                Finished(FinishReason::ToolCalls)
            ]
        );
    }

    #[test]
    fn mid_stream_errors() {
        let got = run(
            &[
                &delta(r#"{"content":"par"}"#),
                r#"{"error":{"message":"overloaded","type":"server_error","code":null}}"#,
                &delta(r#"{"content":"late"}"#),
            ],
            true,
        );
        assert_eq!(got.len(), 2);
        let Failed(e) = &got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(
            (e.message.as_str(), e.kind.as_deref(), e.retryable),
            ("overloaded", Some("server_error"), true)
        );
        let got = run(
            &[
                r#"{"object":"error","message":"context too long","type":"BadRequestError","code":400}"#,
            ],
            false,
        );
        let [Failed(e)] = &got[..] else {
            panic!("{got:?}")
        };
        assert_eq!(
            (e.message.as_str(), e.code.as_deref()),
            ("context too long", Some("400"))
        );
    }

    #[test]
    fn malformed_payloads_fail() {
        for bad in ["{\"choices\":[", "garbage", "42", "[1,2]"] {
            let got = run(
                &[
                    &delta(r#"{"content":"a"}"#),
                    bad,
                    &delta(r#"{"content":"b"}"#),
                ],
                true,
            );
            let [TextDelta(_), Failed(e)] = &got[..] else {
                panic!("{bad}: {got:?}")
            };
            assert!(
                e.message.starts_with("malformed data from the server: "),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn end_without_done() {
        let got = run(&[&delta(r#"{"content":"a"}"#)], false);
        let [TextDelta(_), Failed(e)] = &got[..] else {
            panic!("{got:?}")
        };
        assert!(e.retryable && e.message == CLOSED_EARLY);
        let got = run(&[&delta(r#"{"content":"a"}"#), &finish("length")], false);
        assert_eq!(got[1], Finished(FinishReason::Length));
        let got = run(
            &[
                &finish("content_filter"),
                "[DONE]",
                &delta(r#"{"content":"x"}"#),
            ],
            false,
        );
        assert_eq!(got, [Finished(FinishReason::ContentFilter)]);
    }

    #[test]
    fn interrupted_after_finish_is_finished() {
        let mut p = ChunkParser::new();
        assert!(p.feed_data(&finish("stop")).is_empty());
        assert_eq!(
            p.interrupted(ApiError::message("reset")),
            [Finished(FinishReason::Stop)]
        );
        assert!(p.feed_data("[DONE]").is_empty() && p.end(true).is_empty() && p.is_done());
    }

    #[test]
    fn openrouter_error_finish_fails() {
        let got = run(&[&finish("error")], true);
        assert!(matches!(&got[..], [Failed(_)]));
    }

    #[test]
    fn held_think_text_is_released_on_failure() {
        let got = run(&[&delta(r#"{"content":"<th"}"#)], false);
        assert!(matches!(&got[..], [TextDelta(t), Failed(_)] if t == "<th"));
    }

    #[test]
    fn other_choices_and_unknown_fields_are_ignored() {
        let chunk = r#"{"obfuscation":"x","choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":"yes","extra":1},"logprobs":null}]}"#;
        assert_eq!(run(&[chunk, "[DONE]"], false)[0], TextDelta("yes".into()));
    }
}
