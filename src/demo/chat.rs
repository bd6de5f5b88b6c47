//! The demo's OpenAI Chat Completions replies, in the shapes of the recorded streams
//! (`tests/fixtures/wire`): a role chunk, the reasoning as `reasoning_content` deltas
//! (DeepSeek R1 style) or nothing while hidden reasoning takes its time (o-series), the
//! answer as `content` deltas, a finish chunk, then the usage (`completion_tokens_details.
//! reasoning_tokens`) as OpenAI sends it: a chunk of its own with `choices: []`, only when
//! `stream_options.include_usage` asks for it; R1 style always, in the finish chunk, as
//! DeepSeek does. A request with `"stream": false` gets one `chat.completion` object.
//!
//! Invariant: an unknown model is a 404 in OpenAI's error shape, never an answer.

use super::reply::{self, CHUNK_MS, Reply};
use super::script::{self, Family, Finish, Level, Script};
use serde_json::{Value, json};

/// `created` of every demo reply (a fixed time: the demo has no clock).
const CREATED: u64 = 1_767_225_600;

/// The reply to a Chat Completions request `body`.
pub fn reply(body: &Value) -> Reply {
    let model = body["model"].as_str().unwrap_or_default();
    let Some(family) = Family::of(model) else {
        return not_found(model);
    };
    let level = Some(Level::from_effort(body["reasoning_effort"].as_str()));
    let max_tokens = (body.get("max_completion_tokens"))
        .or_else(|| body.get("max_tokens"))
        .and_then(Value::as_u64);
    let script = script::build(&reply::ask(family, level, max_tokens, body));
    let shared_usage = family != Family::Hidden && family != Family::Plain;
    if body["stream"].as_bool() == Some(true) {
        let include = body["stream_options"]["include_usage"].as_bool() == Some(true);
        stream(model, &script, include, shared_usage)
    } else {
        whole(model, &script)
    }
}

/// The 404 OpenAI answers for a model it does not have.
pub fn not_found(model: &str) -> Reply {
    let message = format!(
        "The model `{model}` does not exist in the offline demo; its models are demo-o, \
         demo-r1, demo-claude and demo-chat."
    );
    Reply::json(
        404,
        &json!({"error": {"message": message, "type": "invalid_request_error",
            "param": null, "code": "model_not_found"}}),
        0,
    )
}

fn usage(script: &Script) -> Value {
    json!({
        "prompt_tokens": script.input_tokens,
        "completion_tokens": script.output_tokens(),
        "total_tokens": script.input_tokens + script.output_tokens(),
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": script.reasoning_tokens,
            "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    })
}

fn finish_reason(script: &Script) -> &'static str {
    match script.finish {
        Finish::Stop => "stop",
        Finish::Length => "length",
    }
}

/// A streamed reply (`usage_chunk`: the usage chunk was asked for; `in_finish`: the usage
/// rides on the finish chunk, DeepSeek style).
fn stream(model: &str, script: &Script, usage_chunk: bool, in_finish: bool) -> Reply {
    let id = reply::id("chatcmpl-", script);
    let chunk = |delta: Value, finish: Option<&str>, usage: Value| {
        json!({"id": id, "object": "chat.completion.chunk", "created": CREATED,
            "model": model, "system_fingerprint": "fp_demo",
            "choices": [{"index": 0, "delta": delta, "logprobs": null,
                "finish_reason": finish}],
            "usage": usage})
        .to_string()
    };
    let mut out = Reply::sse();
    let role = if in_finish {
        json!({"role": "assistant", "content": null, "reasoning_content": ""})
    } else {
        json!({"role": "assistant", "content": "", "refusal": null})
    };
    out.event(reply::FIRST_BYTE_MS, None, &chunk(role, None, Value::Null));
    for piece in &script.reasoning {
        let delta = json!({"content": null, "reasoning_content": piece});
        out.event(CHUNK_MS, None, &chunk(delta, None, Value::Null));
    }
    let mut wait = reply::think_ms(script) - reply::FIRST_BYTE_MS;
    for piece in &script.answer {
        let delta = json!({"content": piece});
        out.event(wait + CHUNK_MS, None, &chunk(delta, None, Value::Null));
        wait = 0;
    }
    let finish_usage = if in_finish {
        usage(script)
    } else {
        Value::Null
    };
    let last = chunk(json!({}), Some(finish_reason(script)), finish_usage);
    out.event(wait + CHUNK_MS, None, &last);
    if usage_chunk && !in_finish {
        let body = json!({"id": id, "object": "chat.completion.chunk", "created": CREATED,
            "model": model, "system_fingerprint": "fp_demo", "choices": [],
            "usage": usage(script)});
        out.event(0, None, &body.to_string());
    }
    out.event(0, None, "[DONE]");
    out
}

/// A reply to a request that did not ask to stream: one `chat.completion`.
fn whole(model: &str, script: &Script) -> Reply {
    let mut message = json!({"role": "assistant", "content": script.answer_text(),
        "refusal": null});
    if !script.reasoning.is_empty() {
        message["reasoning_content"] = json!(script.reasoning_text());
    }
    let pieces = (script.reasoning.len() + script.answer.len()) as u64;
    let body = json!({"id": reply::id("chatcmpl-", script), "object": "chat.completion",
        "created": CREATED, "model": model, "system_fingerprint": "fp_demo",
        "choices": [{"index": 0, "message": message, "logprobs": null,
            "finish_reason": finish_reason(script)}],
        "usage": usage(script)});
    Reply::json(200, &body, reply::think_ms(script) + pieces * CHUNK_MS)
}
