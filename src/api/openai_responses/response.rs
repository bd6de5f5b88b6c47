//! The non-streaming Responses answer (`"object":"response"`), read whole.
//!
//! Invariant: the events follow the same contract as a stream's — items in `output` order
//! (reasoning summaries as paragraphs, answer text, tool calls), then usage, then exactly one
//! terminal event, last, decided by the response's `status` as a stream's final event is.

use super::wire;
use crate::api::errors::{error_in, malformed};
use crate::api::json::{function, text_field};
use crate::api::types::{ApiError, StreamEvent};
use serde_json::Value;

/// Events of a complete (non-streamed) response body.
pub fn parse_response(body: &str) -> Vec<StreamEvent> {
    let value: Value = match serde_json::from_str(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return vec![StreamEvent::Failed(malformed(body))],
    };
    let status = text_field(&value, "status").unwrap_or_default();
    if status.is_empty() || value.get("output").is_none() {
        let err = error_in(&value)
            .unwrap_or_else(|| ApiError::message("the server's answer was not a response"));
        return vec![StreamEvent::Failed(err)];
    }
    let mut out = Vec::new();
    let mut reasoning = Vec::new();
    let (mut answered, mut tools) = (false, false);
    let items = value.get("output").and_then(Value::as_array);
    for item in items.into_iter().flatten() {
        match item.get("type").and_then(Value::as_str) {
            Some("reasoning") => {
                // The summary when there is one, else raw reasoning text.
                let parts = texts(item.get("summary"), "summary_text");
                let parts = if parts.is_empty() {
                    texts(item.get("content"), "reasoning_text")
                } else {
                    parts
                };
                reasoning.extend(parts);
            }
            Some("message") => {
                for part in item
                    .get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let text = match part.get("type").and_then(Value::as_str) {
                        Some("output_text") => text_field(part, "text"),
                        Some("refusal") => text_field(part, "refusal"),
                        _ => None,
                    };
                    if let Some(text) = text {
                        flush(&mut reasoning, &mut out);
                        answered = true;
                        out.push(StreamEvent::TextDelta(text.to_string()));
                    }
                }
            }
            Some("function_call") => {
                flush(&mut reasoning, &mut out);
                tools = true;
                out.push(StreamEvent::ToolCall(function(item)));
            }
            _ => {}
        }
    }
    flush(&mut reasoning, &mut out);
    out.extend(wire::closing(&value, status, answered, tools));
    out
}

/// The non-empty `text` of each part of type `kind` in `parts`.
fn texts(parts: Option<&Value>, kind: &str) -> Vec<String> {
    let parts = parts.and_then(Value::as_array).into_iter().flatten();
    parts
        .filter(|p| p.get("type").and_then(Value::as_str) == Some(kind))
        .filter_map(|p| text_field(p, "text"))
        .map(str::to_string)
        .collect()
}

/// Emit the reasoning gathered so far as one delta, its parts as paragraphs.
fn flush(reasoning: &mut Vec<String>, out: &mut Vec<StreamEvent>) {
    if !reasoning.is_empty() {
        out.push(StreamEvent::ReasoningDelta(reasoning.join("\n\n")));
        reasoning.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{FinishReason, ToolCall};
    use crate::usage::Usage;
    use StreamEvent::{Failed, Finished, ReasoningDelta, TextDelta};

    #[test]
    fn reasoning_text_usage_finish() {
        let body = r#"{"id":"resp_1","object":"response","status":"completed","output":[
            {"type":"reasoning","summary":[{"type":"summary_text","text":"One."},{"type":"summary_text","text":"Two."}]},
            {"type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"raw"}]},
            {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Paris.","annotations":[]}]}],
            "usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":8},"output_tokens":20,
            "output_tokens_details":{"reasoning_tokens":18},"total_tokens":29}}"#;
        let u = Usage {
            input: 9,
            cached_input: 8,
            output: 20,
            reasoning: 18,
            ..Default::default()
        };
        assert_eq!(
            parse_response(body),
            [
                ReasoningDelta("One.\n\nTwo.\n\nraw".into()),
                TextDelta("Paris.".into()),
                StreamEvent::Usage(u),
                Finished(FinishReason::Stop)
            ]
        );
    }

    #[test]
    fn tool_calls_and_incomplete() {
        let body = r#"{"object":"response","status":"completed","output":[
            {"type":"function_call","name":"f","arguments":"{\"a\":1}","call_id":"c"}]}"#;
        let call = ToolCall {
            name: "f".into(),
            arguments: r#"{"a":1}"#.into(),
        };
        assert_eq!(
            parse_response(body),
            [
                StreamEvent::ToolCall(call),
                Finished(FinishReason::ToolCalls)
            ]
        );
        let body = r#"{"object":"response","status":"incomplete","output":[],
            "incomplete_details":{"reason":"max_output_tokens"}}"#;
        assert_eq!(parse_response(body), [Finished(FinishReason::Length)]);
    }

    #[test]
    fn failures() {
        assert!(
            matches!(&parse_response("<html>")[..], [Failed(e)] if e.message.contains("malformed"))
        );
        let err = r#"{"error":{"message":"nope","type":"invalid_request_error"}}"#;
        assert!(matches!(&parse_response(err)[..], [Failed(e)] if e.message == "nope"));
        let failed = r#"{"object":"response","status":"failed","output":[],
            "error":{"code":"server_error","message":"broke"}}"#;
        assert!(matches!(&parse_response(failed)[..], [Failed(e)] if e.message == "broke"));
        assert!(
            matches!(&parse_response(r#"{"choices":[]}"#)[..], [Failed(e)] if e.message.contains("not a response"))
        );
    }
}
