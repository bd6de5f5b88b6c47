//! The fake server's side of OpenAI Responses: builders of realistic Responses SSE events
//! (`event: <type>` line plus JSON data carrying the same `type` and a `sequence_number`),
//! replies made of them, and running one attempt of the exchange in that protocol
//! (`api::exchange::run_attempt::<Responses>`).
//!
//! Invariants: every builder produces an event a real server could have sent, with the
//! fields the API documents; a stream built by [`stream`] is framed exactly like the
//! recorded fixture (`event:` line, `data:` line, blank line) and carries no `[DONE]`.
#![allow(dead_code)]

use super::fake_server::Reply;
use super::turn::{Outcome, outcome};
use serde_json::{Value, json};
use thinkbench::api::exchange::run_attempt;
use thinkbench::api::openai_responses::Responses;
use thinkbench::api::{ApiKind, ChatRequest, Endpoint};
use thinkbench::usage::Usage;

/// An OpenAI Responses endpoint at `base_url` (key hint `OPENAI_API_KEY`, one attempt).
pub fn responses_endpoint(base_url: &str, key: Option<&str>) -> Endpoint {
    Endpoint {
        provider: "openai".into(),
        api: ApiKind::Responses,
        base_url: base_url.to_string(),
        api_key: key.map(str::to_string),
        key_hint: Some("OPENAI_API_KEY".into()),
        headers: Vec::new(),
        max_attempts: 1,
        idle_timeout: None,
        limits: Default::default(),
    }
}

/// Run one attempt with `api::exchange::run_attempt::<Responses>` and collect its outcome.
pub async fn run_responses(endpoint: &Endpoint, request: &ChatRequest) -> Outcome {
    let client = thinkbench::api::client().unwrap();
    let mut events = Vec::new();
    run_attempt::<Responses>(&client, endpoint, request, &mut |e| events.push(e)).await;
    outcome(events)
}

/// `payloads` as one SSE body, each framed `event: <type>\ndata: <json>\n\n`, numbered in
/// order (`sequence_number`).
pub fn sse_body(payloads: &[Value]) -> String {
    let mut body = String::new();
    for (n, payload) in payloads.iter().enumerate() {
        let mut payload = payload.clone();
        if let Some(o) = payload.as_object_mut() {
            o.entry("sequence_number").or_insert(json!(n));
        }
        let kind = payload["type"].as_str().unwrap_or("message").to_string();
        body.push_str(&format!("event: {kind}\ndata: {payload}\n\n"));
    }
    body
}

/// A streamed reply of `payloads`, written in one piece.
pub fn stream(payloads: &[Value]) -> Reply {
    Reply::RawSse(vec![sse_body(payloads).into_bytes()])
}

/// A streamed reply of `payloads`, written in pieces of `size` bytes.
pub fn stream_in_pieces(payloads: &[Value], size: usize) -> Reply {
    let body = sse_body(payloads).into_bytes();
    Reply::RawSse(body.chunks(size.max(1)).map(<[u8]>::to_vec).collect())
}

/// Builders of Responses stream events.
pub mod event {
    use super::*;

    /// The response object as `response.created` and the final events carry it.
    fn response(status: &str, extra: Value) -> Value {
        let mut r = json!({"id": "resp_fake", "object": "response", "created_at": 1_782_321_745,
            "status": status, "model": "gpt-5-fake", "output": [], "error": null,
            "incomplete_details": null, "usage": null, "store": false});
        if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(extra.clone());
        }
        r
    }

    pub fn created() -> Value {
        json!({"type": "response.created", "response": response("in_progress", json!({}))})
    }

    /// A reasoning output item starts at `output_index`.
    pub fn reasoning_item(output_index: u64) -> Value {
        json!({"type": "response.output_item.added", "output_index": output_index,
            "item": {"id": format!("rs_{output_index}"), "type": "reasoning", "summary": []}})
    }

    /// A summary part starts.
    pub fn summary_part(output_index: u64, summary_index: u64) -> Value {
        json!({"type": "response.reasoning_summary_part.added", "item_id": format!("rs_{output_index}"),
            "output_index": output_index, "summary_index": summary_index,
            "part": {"type": "summary_text", "text": ""}})
    }

    pub fn summary_delta(output_index: u64, summary_index: u64, delta: &str) -> Value {
        json!({"type": "response.reasoning_summary_text.delta", "item_id": format!("rs_{output_index}"),
            "output_index": output_index, "summary_index": summary_index, "delta": delta,
            "obfuscation": "xyz"})
    }

    /// A message output item starts at `output_index`.
    pub fn message_item(output_index: u64) -> Value {
        json!({"type": "response.output_item.added", "output_index": output_index,
            "item": {"id": "msg_1", "type": "message", "status": "in_progress", "content": [],
                "role": "assistant"}})
    }

    pub fn text_delta(output_index: u64, delta: &str) -> Value {
        json!({"type": "response.output_text.delta", "item_id": "msg_1",
            "output_index": output_index, "content_index": 0, "delta": delta, "logprobs": []})
    }

    /// A finished function call item.
    pub fn function_call(output_index: u64, name: &str, arguments: &str) -> Value {
        json!({"type": "response.output_item.done", "output_index": output_index,
            "item": {"id": "fc_1", "type": "function_call", "status": "completed",
                "arguments": arguments, "call_id": "call_1", "name": name}})
    }

    /// The Responses `usage` object for `u`.
    pub fn usage_json(u: &Usage) -> Value {
        json!({"input_tokens": u.input, "input_tokens_details": {"cached_tokens": u.cached_input},
            "output_tokens": u.output, "output_tokens_details": {"reasoning_tokens": u.reasoning},
            "total_tokens": u.input + u.output})
    }

    pub fn completed(u: &Usage) -> Value {
        json!({"type": "response.completed",
            "response": response("completed", json!({"usage": usage_json(u)}))})
    }

    pub fn incomplete(reason: &str, u: &Usage) -> Value {
        json!({"type": "response.incomplete", "response": response("incomplete",
            json!({"usage": usage_json(u), "incomplete_details": {"reason": reason}}))})
    }

    pub fn failed(code: &str, message: &str) -> Value {
        json!({"type": "response.failed", "response": response("failed",
            json!({"error": {"code": code, "message": message}}))})
    }

    /// An `error` event as the API sends it: the details nested under `error`.
    pub fn error_nested(kind: &str, code: &str, message: &str) -> Value {
        json!({"type": "error", "error": {"type": kind, "code": code, "message": message,
            "param": null}})
    }

    /// An `error` event as the API's spec shows it: the details flat.
    pub fn error_flat(code: &str, message: &str) -> Value {
        json!({"type": "error", "code": code, "message": message, "param": null})
    }
}
