//! The non-streamed Messages answer (`{"type":"message","content":[..],..}`), read whole.
//!
//! Invariant: it goes through the same [`MessageParser`] as a stream, replayed as the events
//! a stream of the same message would have had, so both read a message the same way and
//! keep the same contract: content in order, tool calls and usage before exactly one
//! terminal event, last.

use super::stream::MessageParser;
use crate::api::errors::{error_in, malformed};
use crate::api::sse::StreamParser;
use crate::api::types::{ApiError, StreamEvent};
use serde_json::{Value, json};

/// Events of a complete (non-streamed) response body.
pub fn parse_message(body: &str) -> Vec<StreamEvent> {
    let message: Value = match serde_json::from_str(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return vec![StreamEvent::Failed(malformed(body))],
    };
    if let Some(err) = error_in(&message) {
        return vec![StreamEvent::Failed(err)];
    }
    let Some(content) = message.get("content").and_then(Value::as_array) else {
        return vec![StreamEvent::Failed(ApiError::message(
            "the server's answer had no content",
        ))];
    };
    let mut parser = MessageParser::new();
    let usage = message.get("usage").cloned().unwrap_or(Value::Null);
    let mut events = vec![json!({"type": "message_start", "message": {"usage": usage}})];
    for (index, block) in content.iter().enumerate() {
        events.push(json!({"type": "content_block_start", "index": index, "content_block": block}));
        events.push(json!({"type": "content_block_stop", "index": index}));
    }
    let stop = message.get("stop_reason").cloned().unwrap_or(Value::Null);
    events.push(json!({"type": "message_delta", "delta": {"stop_reason": stop}}));
    events.push(json!({"type": "message_stop"}));
    events
        .iter()
        .flat_map(|e| parser.feed("", &e.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{FinishReason, ToolCall};
    use StreamEvent::*;

    #[test]
    fn message_with_thinking_text_and_tool() {
        let body = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4",
            "content":[{"type":"thinking","thinking":"Hmm.","signature":"s"},
                {"type":"redacted_thinking","data":"x"},
                {"type":"text","text":"Rome."},
                {"type":"tool_use","id":"t","name":"weather","input":{"city":"Rome"}}],
            "stop_reason":"tool_use","usage":{"input_tokens":10,"cache_read_input_tokens":5,
                "cache_creation_input_tokens":0,"output_tokens":40}}"#;
        let got = parse_message(body);
        assert_eq!(
            got[..4],
            [
                ReasoningDelta("Hmm.".into()),
                ReasoningDelta("\n\n(redacted)".into()),
                TextDelta("Rome.".into()),
                ToolCall(ToolCall {
                    name: "weather".into(),
                    arguments: r#"{"city":"Rome"}"#.into()
                }),
            ]
        );
        let Usage(u) = &got[4] else { panic!("{got:?}") };
        assert_eq!((u.input, u.cached_input, u.output), (15, 5, 40));
        assert!(u.reasoning_estimated && u.reasoning > 0);
        assert_eq!(got[5], Finished(FinishReason::ToolCalls));
    }

    #[test]
    fn failures() {
        let err = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert!(matches!(&parse_message(err)[..], [Failed(e)] if e.retryable));
        assert!(
            matches!(&parse_message("nope")[..], [Failed(e)] if e.message.contains("malformed"))
        );
        assert!(
            matches!(&parse_message("{}")[..], [Failed(e)] if e.message.contains("no content"))
        );
    }
}
