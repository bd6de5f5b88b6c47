//! The non-streaming Chat Completions answer (`"object":"chat.completion"`), read whole.
//!
//! Invariant: the events follow the same contract as a stream's — reasoning, then answer
//! text, then usage, then tool calls, then exactly one terminal event, last.

use super::think::ThinkSplitter;
use super::wire::{self, Content};
use crate::api::errors::{error_in, malformed};
use crate::api::json::{function, text_field};
use crate::api::types::{ApiError, FinishReason, StreamEvent};
use serde_json::Value;

/// Events of a complete (non-streamed) response body.
pub fn parse_response(body: &str) -> Vec<StreamEvent> {
    let value: Value = match serde_json::from_str(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return vec![StreamEvent::Failed(malformed(body))],
    };
    if let Some(err) = error_in(&value) {
        return vec![StreamEvent::Failed(err)];
    }
    let Some(choice) = value.get("choices").and_then(|c| c.get(0)) else {
        return vec![StreamEvent::Failed(ApiError::message(
            "the server's answer had no choices",
        ))];
    };
    let mut out = Vec::new();
    let empty = Value::Null;
    let message = choice.get("message").unwrap_or(&empty);
    if let Some(reasoning) = wire::reasoning(message) {
        out.push(StreamEvent::ReasoningDelta(reasoning));
    }
    let mut think = ThinkSplitter::new();
    for piece in wire::content(message.get("content")) {
        match piece {
            Content::Text(text) => think.push(&text, &mut out),
            Content::Thinking(text) => out.push(StreamEvent::ReasoningDelta(text)),
        }
    }
    think.finish(&mut out);
    if let Some(usage) = value.get("usage").and_then(wire::usage) {
        out.push(StreamEvent::Usage(usage));
    }
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let calls = calls
        .filter_map(|c| c.get("function"))
        .chain(message.get("function_call").filter(|f| f.is_object()));
    out.extend(calls.map(function).map(StreamEvent::ToolCall));
    let reason = text_field(choice, "finish_reason")
        .map(FinishReason::parse)
        .unwrap_or(FinishReason::Stop);
    out.push(match wire::finish_error(&reason) {
        Some(err) => StreamEvent::Failed(err),
        None => StreamEvent::Finished(reason),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ToolCall;
    use crate::usage::Usage;
    use StreamEvent::{Failed, Finished, ReasoningDelta, TextDelta};

    #[test]
    fn reasoning_text_usage_finish() {
        let body = r#"{"object":"chat.completion","choices":[{"index":0,"finish_reason":"length",
            "message":{"role":"assistant","content":"Paris.","reasoning_content":"Hmm."}}],
            "usage":{"prompt_tokens":9,"completion_tokens":20,"completion_tokens_details":{"reasoning_tokens":18},
            "prompt_tokens_details":{"cached_tokens":8}}}"#;
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
                ReasoningDelta("Hmm.".into()),
                TextDelta("Paris.".into()),
                StreamEvent::Usage(u),
                Finished(FinishReason::Length)
            ]
        );
    }

    #[test]
    fn think_tags_and_tool_calls() {
        let body = r#"{"choices":[{"message":{"content":"<think>\nwhy\n</think>\n\nok","tool_calls":[
            {"id":"1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
            "finish_reason":"tool_calls"}]}"#;
        let call = ToolCall {
            name: "f".into(),
            arguments: r#"{"a":1}"#.into(),
        };
        assert_eq!(
            parse_response(body),
            [
                ReasoningDelta("why\n".into()),
                TextDelta("ok".into()),
                StreamEvent::ToolCall(call),
                Finished(FinishReason::ToolCalls)
            ]
        );
    }

    #[test]
    fn null_content_and_missing_finish_reason() {
        let body =
            r#"{"choices":[{"message":{"role":"assistant","content":null,"reasoning":"r"}}]}"#;
        assert_eq!(
            parse_response(body),
            [ReasoningDelta("r".into()), Finished(FinishReason::Stop)]
        );
    }

    #[test]
    fn failures() {
        assert!(
            matches!(&parse_response("<html>")[..], [Failed(e)] if e.message.contains("malformed"))
        );
        assert!(
            matches!(&parse_response(r#"{"choices":[]}"#)[..], [Failed(e)] if e.message.contains("no choices"))
        );
        let err = r#"{"error":{"message":"nope","type":"invalid_request_error"}}"#;
        assert!(matches!(&parse_response(err)[..], [Failed(e)] if e.message == "nope"));
    }
}
