//! JSON shapes shared by the streaming and the non-streaming Responses parsers: the usage
//! object, the error shapes, and how a response's final status becomes a terminal event.
//!
//! Invariants: every function here takes any `serde_json::Value` without panicking, ignores
//! fields it does not know, and treats a missing number as 0; a terminal event is derived
//! from the response's status alone (plus whether answer text or tool calls came), so the
//! stream and the whole-body paths end a turn the same way.

use crate::api::errors::error_in;
use crate::api::json::{excerpt, num, str_or_num, text_field};
use crate::api::types::{ApiError, FinishReason, StreamEvent};
use crate::usage::Usage;
use serde_json::{Value, json};

/// Usage from a Responses `usage` object; `None` for `null` or an object without counts.
pub fn usage(v: &Value) -> Option<Usage> {
    let o = v.as_object()?;
    if !["input_tokens", "output_tokens", "total_tokens"]
        .iter()
        .any(|k| o.contains_key(*k))
    {
        return None;
    }
    let field = |k: &str| o.get(k).and_then(num).unwrap_or(0);
    let nested = |outer: &str, inner: &str| {
        o.get(outer)
            .and_then(|d| d.get(inner))
            .and_then(num)
            .unwrap_or(0)
    };
    Some(Usage {
        input: field("input_tokens"),
        cached_input: nested("input_tokens_details", "cached_tokens"),
        output: field("output_tokens"),
        reasoning: nested("output_tokens_details", "reasoning_tokens"),
        ..Default::default()
    })
}

/// The error an `error` event carries: `{"error":{type,code,message,param}}` (what the API
/// sends) or the flat `{code,message}` (what its spec shows). `raw` is the payload, for an
/// excerpt when neither shape fits.
pub fn error_event(v: &Value, raw: &str) -> ApiError {
    let inner = match v.get("error") {
        Some(e @ (Value::Object(_) | Value::String(_))) => e,
        _ => v,
    };
    let said_something = inner.as_str().is_some_and(|s| !s.is_empty())
        || ["message", "code", "type"]
            .iter()
            .any(|k| str_or_num(inner.get(*k)).is_some_and(|t| t != "error"));
    match error_in(&json!({ "error": inner })) {
        Some(err) if said_something => err,
        _ => ApiError::message(excerpt(raw, 300)),
    }
}

/// The events that end a response whose final status is `status` (`completed`,
/// `incomplete`, `failed` …): its usage when reported, then exactly one terminal event.
/// `answered` tells whether answer text came, `tools` whether tool calls did.
pub fn closing(response: &Value, status: &str, answered: bool, tools: bool) -> Vec<StreamEvent> {
    let mut out = Vec::with_capacity(2);
    if let Some(u) = response.get("usage").and_then(usage) {
        out.push(StreamEvent::Usage(u));
    }
    out.push(match status {
        "completed" if tools && !answered => StreamEvent::Finished(FinishReason::ToolCalls),
        "completed" => StreamEvent::Finished(FinishReason::Stop),
        "incomplete" => {
            let reason = response
                .get("incomplete_details")
                .and_then(|d| text_field(d, "reason"))
                .unwrap_or("incomplete");
            StreamEvent::Finished(FinishReason::parse(reason))
        }
        "failed" => StreamEvent::Failed(
            error_in(response).unwrap_or_else(|| ApiError::message("the response failed")),
        ),
        other => StreamEvent::Failed(ApiError::message(format!(
            "the response ended with status `{other}`"
        ))),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_fields() {
        let u = usage(
            &json!({"input_tokens": 63, "input_tokens_details": {"cached_tokens": 5},
            "output_tokens": 121, "output_tokens_details": {"reasoning_tokens": 64},
            "total_tokens": 184}),
        );
        assert_eq!(
            u,
            Some(Usage {
                input: 63,
                cached_input: 5,
                output: 121,
                reasoning: 64,
                ..Default::default()
            })
        );
        let u = usage(&json!({"input_tokens": 3, "input_tokens_details": null}));
        assert_eq!(
            u.map(|u| (u.input, u.cached_input, u.output)),
            Some((3, 0, 0))
        );
        assert_eq!(usage(&json!(null)), None);
        assert_eq!(usage(&json!({"prompt_tokens": 3})), None);
    }

    #[test]
    fn error_shapes() {
        let real = json!({"type": "error", "error": {"type": "invalid_request_error",
            "code": "context_length_exceeded", "message": "too long", "param": "input"},
            "sequence_number": 2});
        let e = error_event(&real, "");
        assert_eq!(
            (e.message.as_str(), e.kind.as_deref(), e.code.as_deref()),
            (
                "too long",
                Some("invalid_request_error"),
                Some("context_length_exceeded")
            )
        );
        let flat =
            json!({"type": "error", "code": "server_error", "message": "boom", "param": null});
        let e = error_event(&flat, "");
        assert_eq!(
            (e.message.as_str(), e.kind, e.code.as_deref(), e.retryable),
            ("boom", None, Some("server_error"), true)
        );
        let untyped = json!({"message": "plain", "code": "x"});
        assert_eq!(error_event(&untyped, "").message, "plain");
        let empty = json!({"type": "error"});
        assert_eq!(
            error_event(&empty, r#"{"type":"error"}"#).message,
            r#"{"type":"error"}"#
        );
    }

    #[test]
    fn closing_statuses() {
        let r = json!({"usage": {"input_tokens": 1, "output_tokens": 2}});
        let stop = closing(&r, "completed", true, true);
        assert_eq!(stop.len(), 2);
        assert_eq!(stop[1], StreamEvent::Finished(FinishReason::Stop));
        assert_eq!(
            closing(&json!({}), "completed", false, true),
            [StreamEvent::Finished(FinishReason::ToolCalls)]
        );
        let incomplete = |reason: Value| {
            closing(
                &json!({"incomplete_details": {"reason": reason}}),
                "incomplete",
                false,
                false,
            )
        };
        assert_eq!(
            incomplete(json!("max_output_tokens")),
            [StreamEvent::Finished(FinishReason::Length)]
        );
        assert_eq!(
            incomplete(json!("content_filter")),
            [StreamEvent::Finished(FinishReason::ContentFilter)]
        );
        assert_eq!(
            incomplete(json!("something_new")),
            [StreamEvent::Finished(FinishReason::Other(
                "something_new".into()
            ))]
        );
        assert_eq!(
            incomplete(Value::Null),
            [StreamEvent::Finished(FinishReason::Other(
                "incomplete".into()
            ))]
        );
        let failed = json!({"error": {"code": "server_error", "message": "oops"}});
        let [StreamEvent::Failed(e)] = &closing(&failed, "failed", false, false)[..] else {
            panic!()
        };
        assert_eq!((e.message.as_str(), e.retryable), ("oops", true));
        let [StreamEvent::Failed(e)] =
            &closing(&json!({"error": null}), "failed", false, false)[..]
        else {
            panic!()
        };
        assert_eq!(e.message, "the response failed");
        assert!(matches!(
            &closing(&json!({}), "in_progress", false, false)[..],
            [StreamEvent::Failed(_)]
        ));
    }
}
