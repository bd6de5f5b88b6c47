//! The Responses request body, shaped for the model chosen now (see WIRE.md).
//!
//! Invariants: the history goes in `input` as plain `{role, content}` messages (reasoning is
//! never part of it; a message with images has `input_text` and `input_image` parts); the instructions go in `instructions`, never as a message; `reasoning`
//! is sent only to models that take it, and then always asks for a summary; `store` is always
//! false (the history lives here, not on the server); `temperature` and `top_p` are never
//! sent.

use crate::api::types::{ChatRequest, Role};
use serde_json::{Map, Value, json};

/// The JSON body of `req`; `stream` asks for an SSE answer.
pub fn build_body(req: &ChatRequest, stream: bool) -> Value {
    let input: Vec<Value> = req
        .messages
        .iter()
        .map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            if m.images.is_empty() {
                return json!({"role": role, "content": m.content});
            }
            let mut parts = vec![json!({"type": "input_text", "text": m.content})];
            parts.extend(m.images.iter().map(
                |i| json!({"type": "input_image", "image_url": i.data_url(), "detail": "auto"}),
            ));
            json!({"role": role, "content": parts})
        })
        .collect();

    let mut body = Map::new();
    body.insert("model".into(), json!(req.model));
    body.insert("input".into(), Value::Array(input));
    if let Some(system) = req.system.as_deref().filter(|s| !s.trim().is_empty()) {
        body.insert("instructions".into(), json!(system));
    }
    if req.quirks.accepts_effort {
        let reasoning = match req.effort.as_deref() {
            Some(effort) => json!({"effort": effort, "summary": "auto"}),
            None => json!({"summary": "auto"}),
        };
        body.insert("reasoning".into(), reasoning);
    }
    if let Some(n) = req.max_output_tokens {
        body.insert("max_output_tokens".into(), json!(n));
    }
    body.insert("stream".into(), json!(stream));
    body.insert("store".into(), json!(false));
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Message, RequestQuirks};

    fn request() -> ChatRequest {
        let message = |role, content: &str| Message::text(role, content);
        ChatRequest {
            model: "gpt-5".into(),
            system: Some("Be brief.".into()),
            messages: vec![
                message(Role::User, "q1"),
                message(Role::Assistant, "a1"),
                message(Role::User, "q2"),
            ],
            effort: Some("high".into()),
            max_output_tokens: Some(4000),
            model_max_output: Some(128_000),
            quirks: RequestQuirks::default(),
        }
    }

    #[test]
    fn reasoning_model_streaming() {
        assert_eq!(
            build_body(&request(), true),
            json!({
                "model": "gpt-5",
                "input": [
                    {"role": "user", "content": "q1"},
                    {"role": "assistant", "content": "a1"},
                    {"role": "user", "content": "q2"}
                ],
                "instructions": "Be brief.",
                "reasoning": {"effort": "high", "summary": "auto"},
                "max_output_tokens": 4000,
                "stream": true,
                "store": false
            })
        );
    }

    #[test]
    fn no_effort_still_asks_for_summaries() {
        let mut req = request();
        req.effort = None;
        req.system = None;
        req.max_output_tokens = None;
        assert_eq!(
            build_body(&req, true),
            json!({
                "model": "gpt-5",
                "input": [
                    {"role": "user", "content": "q1"},
                    {"role": "assistant", "content": "a1"},
                    {"role": "user", "content": "q2"}
                ],
                "reasoning": {"summary": "auto"},
                "stream": true,
                "store": false
            })
        );
    }

    #[test]
    fn model_without_reasoning_not_streaming() {
        let mut req = request();
        req.quirks.accepts_effort = false;
        req.quirks.can_stream = false;
        req.system = Some("  ".into());
        req.messages.truncate(1);
        assert_eq!(
            build_body(&req, false),
            json!({
                "model": "gpt-5",
                "input": [{"role": "user", "content": "q1"}],
                "max_output_tokens": 4000,
                "stream": false,
                "store": false
            })
        );
    }
}
