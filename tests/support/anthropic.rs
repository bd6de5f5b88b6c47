//! Anthropic Messages on the fake server: SSE frames the way Anthropic writes them (an
//! `event:` line naming the JSON `type`, then the `data:` line), whole streams as script
//! replies, an endpoint pointing at the server, and a runner for one attempt of the exchange
//! (`api::exchange::run_attempt::<Anthropic>`).
//!
//! Invariants: every builder produces a payload a real Messages stream could carry (the
//! field names and nesting of the recorded fixture); a stream reply is written one frame per
//! write, so tests that want odd splits use `Reply::fixture_in_pieces` or [`in_pieces`].
#![allow(dead_code)]

use super::fake_server::Reply;
use super::turn::{Outcome, outcome};
use serde_json::{Value, json};
use thinkbench::api::anthropic::Anthropic;
use thinkbench::api::exchange::run_attempt;
use thinkbench::api::{ApiKind, ChatRequest, Endpoint, Message, RequestQuirks, Role};

/// An Anthropic endpoint at `base_url` (key hint `ANTHROPIC_API_KEY`, one attempt).
pub fn endpoint(base_url: &str, key: Option<&str>) -> Endpoint {
    Endpoint {
        provider: "anthropic".into(),
        api: ApiKind::Anthropic,
        base_url: base_url.to_string(),
        api_key: key.map(str::to_string),
        key_hint: Some("ANTHROPIC_API_KEY".into()),
        headers: Vec::new(),
        max_attempts: 1,
        idle_timeout: None,
        limits: Default::default(),
    }
}

/// A one-question request to a Claude model that thinks on a budget.
pub fn request(effort: Option<&str>, max_output_tokens: Option<u64>) -> ChatRequest {
    ChatRequest {
        model: "claude-sonnet-4-20250514".into(),
        system: Some("You are a helpful assistant".into()),
        messages: vec![Message {
            role: Role::User,
            content: "What's the weather in Florence, Italy?".into(),
            images: Vec::new(),
        }],
        effort: effort.map(str::to_string),
        max_output_tokens,
        model_max_output: Some(64_000),
        quirks: RequestQuirks::default(),
    }
}

/// Run one attempt with `api::exchange::run_attempt::<Anthropic>` and collect its outcome.
pub async fn run(endpoint: &Endpoint, request: &ChatRequest) -> Outcome {
    let client = thinkbench::api::client().unwrap();
    let mut events = Vec::new();
    run_attempt::<Anthropic>(&client, endpoint, request, &mut |e| events.push(e)).await;
    outcome(events)
}

/// One SSE frame: `event: <type>`, `data: <json>`, blank line.
pub fn frame(data: &Value) -> String {
    let name = data
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("message");
    format!("event: {name}\ndata: {data}\n\n")
}

/// A stream of these events, one frame per write; the connection closes after the last.
pub fn stream(events: &[Value]) -> Reply {
    Reply::RawSse(events.iter().map(|e| frame(e).into_bytes()).collect())
}

/// A stream of these events written in pieces of `size` bytes.
pub fn in_pieces(events: &[Value], size: usize) -> Reply {
    let body: String = events.iter().map(frame).collect();
    Reply::RawSse(
        body.as_bytes()
            .chunks(size.max(1))
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

/// A complete answer: thinking (when given) and text blocks, `end_turn`, usage.
pub fn answer(thinking: &str, text: &str, input: u64, output: u64) -> Vec<Value> {
    let mut events = vec![event::message_start(input, 0, 0), event::ping()];
    let mut index = 0;
    if !thinking.is_empty() {
        events.extend([
            event::block_start(
                index,
                json!({"type": "thinking", "thinking": "", "signature": ""}),
            ),
            event::thinking(index, thinking),
            event::signature(index),
            event::block_stop(index),
        ]);
        index += 1;
    }
    events.extend([
        event::block_start(index, json!({"type": "text", "text": ""})),
        event::text(index, text),
        event::block_stop(index),
        event::message_delta(Some("end_turn"), json!({"output_tokens": output})),
        event::message_stop(),
    ]);
    events
}

/// Builders of the event payloads of a Messages stream.
pub mod event {
    use serde_json::{Value, json};

    /// `message_start` with these counts (and `output_tokens: 1`, as real streams start).
    pub fn message_start(input: u64, cache_read: u64, cache_write: u64) -> Value {
        json!({"type": "message_start", "message": {"model": "claude-sonnet-4-20250514",
            "id": "msg_fake", "type": "message", "role": "assistant", "content": [],
            "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input, "cache_creation_input_tokens": cache_write,
                "cache_read_input_tokens": cache_read, "output_tokens": 1,
                "service_tier": "standard"}}})
    }

    pub fn block_start(index: u64, block: Value) -> Value {
        json!({"type": "content_block_start", "index": index, "content_block": block})
    }

    pub fn redacted(index: u64) -> Value {
        block_start(
            index,
            json!({"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"}),
        )
    }

    pub fn tool_use(index: u64, name: &str) -> Value {
        block_start(
            index,
            json!({"type": "tool_use", "id": "toolu_fake", "name": name, "input": {}}),
        )
    }

    fn delta(index: u64, delta: Value) -> Value {
        json!({"type": "content_block_delta", "index": index, "delta": delta})
    }

    pub fn thinking(index: u64, text: &str) -> Value {
        delta(index, json!({"type": "thinking_delta", "thinking": text}))
    }

    pub fn text(index: u64, text: &str) -> Value {
        delta(index, json!({"type": "text_delta", "text": text}))
    }

    pub fn signature(index: u64) -> Value {
        delta(
            index,
            json!({"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA"}),
        )
    }

    pub fn input_json(index: u64, partial: &str) -> Value {
        delta(
            index,
            json!({"type": "input_json_delta", "partial_json": partial}),
        )
    }

    pub fn block_stop(index: u64) -> Value {
        json!({"type": "content_block_stop", "index": index})
    }

    /// `message_delta` with a stop reason (or none yet) and cumulative `usage`.
    pub fn message_delta(stop_reason: Option<&str>, usage: Value) -> Value {
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
            "usage": usage})
    }

    pub fn message_stop() -> Value {
        json!({"type": "message_stop"})
    }

    pub fn ping() -> Value {
        json!({"type": "ping"})
    }

    /// The `error` event: `{"type":"error","error":{"type":kind,"message":message}}`.
    pub fn error(kind: &str, message: &str) -> Value {
        json!({"type": "error", "error": {"type": kind, "message": message}})
    }
}
