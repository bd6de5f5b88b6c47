//! The demo's Anthropic Messages replies, in the shape of the recorded stream
//! (`tests/fixtures/wire/anthropic-sonnet4-thinking.sse`): `message_start` with the input
//! tokens, a `thinking` block (its deltas, then a `signature_delta`) when the request asks for
//! thinking, a `text` block, `message_delta` with the stop reason (`end_turn`, or
//! `max_tokens` when the budget ran out) and the output tokens, `message_stop`. Anthropic
//! counts thinking inside `output_tokens` and reports no number of its own, as here. A
//! request with `"stream": false` gets one `message` object.
//!
//! Invariant: an unknown model is a 404 in Anthropic's error shape, never an answer.

use super::reply::{self, CHUNK_MS, Reply};
use super::script::{self, Family, Finish, Level, Script};
use serde_json::{Value, json};

/// The reply to a Messages request `body`.
pub fn reply(body: &Value) -> Reply {
    let model = body["model"].as_str().unwrap_or_default();
    let Some(family) = Family::of(model) else {
        let message = format!("model: {model} (the offline demo has demo-claude)");
        return Reply::json(
            404,
            &json!({"type": "error", "error": {"type": "not_found_error", "message": message}}),
            0,
        );
    };
    let thinking = &body["thinking"];
    let level = match thinking["type"].as_str() {
        Some("enabled") => Some(Level::from_budget(
            thinking["budget_tokens"].as_u64().unwrap_or(0),
        )),
        Some("adaptive") => Some(Level::from_effort(body["output_config"]["effort"].as_str())),
        _ => None,
    };
    let max_tokens = body["max_tokens"].as_u64();
    let script = script::build(&reply::ask(family, level, max_tokens, body));
    if body["stream"].as_bool() == Some(true) {
        stream(model, &script)
    } else {
        whole(model, &script)
    }
}

fn stop_reason(script: &Script) -> &'static str {
    match script.finish {
        Finish::Stop => "end_turn",
        Finish::Length => "max_tokens",
    }
}

/// The signature of a thinking block (opaque to clients; the demo's says what it is).
fn signature(script: &Script) -> String {
    reply::id("sig_", script)
}

fn stream(model: &str, script: &Script) -> Reply {
    let mut out = Reply::sse();
    let mut event = |delay: u64, value: Value| {
        let name = value["type"].as_str().unwrap_or_default().to_string();
        out.event(delay, Some(&name), &value.to_string());
    };
    event(
        reply::FIRST_BYTE_MS,
        json!({"type": "message_start", "message": {"id": reply::id("msg_", script),
            "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": script.input_tokens, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0, "output_tokens": 1}}}),
    );
    let mut index = 0;
    if !script.reasoning.is_empty() {
        event(
            0,
            json!({"type": "content_block_start", "index": index,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        );
        event(0, json!({"type": "ping"}));
        for piece in &script.reasoning {
            event(
                CHUNK_MS,
                json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "thinking_delta", "thinking": piece}}),
            );
        }
        event(
            0,
            json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "signature_delta", "signature": signature(script)}}),
        );
        event(0, json!({"type": "content_block_stop", "index": index}));
        index += 1;
    }
    if !script.answer.is_empty() {
        event(
            0,
            json!({"type": "content_block_start", "index": index,
                "content_block": {"type": "text", "text": ""}}),
        );
        for piece in &script.answer {
            event(
                CHUNK_MS,
                json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "text_delta", "text": piece}}),
            );
        }
        event(0, json!({"type": "content_block_stop", "index": index}));
    }
    event(
        CHUNK_MS,
        json!({"type": "message_delta",
            "delta": {"stop_reason": stop_reason(script), "stop_sequence": null},
            "usage": {"output_tokens": script.output_tokens()}}),
    );
    event(0, json!({"type": "message_stop"}));
    out
}

fn whole(model: &str, script: &Script) -> Reply {
    let mut content = Vec::new();
    if !script.reasoning.is_empty() {
        content.push(
            json!({"type": "thinking", "thinking": script.reasoning_text(),
            "signature": signature(script)}),
        );
    }
    if !script.answer.is_empty() {
        content.push(json!({"type": "text", "text": script.answer_text()}));
    }
    let body = json!({"id": reply::id("msg_", script), "type": "message", "role": "assistant",
        "model": model, "content": content, "stop_reason": stop_reason(script),
        "stop_sequence": null,
        "usage": {"input_tokens": script.input_tokens, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0, "output_tokens": script.output_tokens()}});
    let pieces = (script.reasoning.len() + script.answer.len()) as u64;
    Reply::json(200, &body, reply::FIRST_BYTE_MS + pieces * CHUNK_MS)
}
