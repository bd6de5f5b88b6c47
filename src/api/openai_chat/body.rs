//! The Chat Completions request body, shaped for the model chosen now (see WIRE.md).
//!
//! Invariants: the history is sent as given (reasoning is never part of it; a message with
//! images sends `content` as text and `image_url` parts); instructions go
//! where the model accepts them; optional fields (`max_*tokens`, `reasoning_effort`,
//! `stream_options`) appear only when set and accepted; `temperature` and `top_p` are never
//! sent, so a reasoning model never rejects them.

use crate::api::types::{
    ChatRequest, EffortField, ImageInput, InstructionRole, MaxTokensField, Role,
};
use serde_json::{Map, Value, json};

/// A message's `content`: its text alone, or text and `image_url` parts (data URLs).
fn with_images(text: String, images: &[ImageInput]) -> Value {
    if images.is_empty() {
        return json!(text);
    }
    let mut parts = vec![json!({"type": "text", "text": text})];
    parts.extend(
        images
            .iter()
            .map(|i| json!({"type": "image_url", "image_url": {"url": i.data_url()}})),
    );
    Value::Array(parts)
}

/// The JSON body of `req`; `stream` asks for an SSE answer.
pub fn build_body(req: &ChatRequest, stream: bool) -> Value {
    let quirks = &req.quirks;
    let system = req.system.as_deref().filter(|s| !s.trim().is_empty());
    let mut messages = Vec::with_capacity(req.messages.len() + 1);
    let mut fold = None;
    match (system, quirks.instruction_role) {
        (None, _) => {}
        (Some(s), InstructionRole::System) => {
            messages.push(json!({"role": "system", "content": s}))
        }
        (Some(s), InstructionRole::Developer) => {
            messages.push(json!({"role": "developer", "content": s}))
        }
        (Some(s), InstructionRole::FoldIntoUser) => fold = Some(s),
    }
    for m in &req.messages {
        let role = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        let content = match fold {
            Some(s) if m.role == Role::User => {
                fold = None;
                format!("{s}\n\n{}", m.content)
            }
            _ => m.content.clone(),
        };
        messages.push(json!({"role": role, "content": with_images(content, &m.images)}));
    }
    if let Some(s) = fold {
        // No user message to fold into: the instructions become one.
        messages.push(json!({"role": "user", "content": s}));
    }

    let mut body = Map::new();
    body.insert("model".into(), json!(req.model));
    body.insert("messages".into(), Value::Array(messages));
    if let Some(n) = req.max_output_tokens {
        let field = match quirks.max_tokens_field {
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
            MaxTokensField::MaxTokens => "max_tokens",
        };
        body.insert(field.into(), json!(n));
    }
    if let (Some(effort), true) = (req.effort.as_deref(), quirks.accepts_effort) {
        match quirks.effort_field {
            EffortField::ReasoningEffort => body.insert("reasoning_effort".into(), json!(effort)),
            EffortField::ReasoningObject => {
                body.insert("reasoning".into(), json!({ "effort": effort }))
            }
        };
    }
    if stream {
        body.insert("stream".into(), json!(true));
        if quirks.stream_usage {
            body.insert("stream_options".into(), json!({"include_usage": true}));
        }
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Message, RequestQuirks};

    fn request(quirks: RequestQuirks) -> ChatRequest {
        ChatRequest {
            model: "o3-mini".into(),
            system: Some("Be brief.".into()),
            messages: vec![
                Message {
                    role: Role::User,
                    content: "q1".into(),
                    images: Vec::new(),
                },
                Message {
                    role: Role::Assistant,
                    content: "a1".into(),
                    images: Vec::new(),
                },
                Message {
                    role: Role::User,
                    content: "q2".into(),
                    images: Vec::new(),
                },
            ],
            effort: Some("high".into()),
            max_output_tokens: Some(4000),
            model_max_output: None,
            quirks,
        }
    }

    #[test]
    fn openai_reasoning_model_streaming() {
        let quirks = RequestQuirks {
            instruction_role: InstructionRole::Developer,
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            ..RequestQuirks::default()
        };
        assert_eq!(
            build_body(&request(quirks), true),
            json!({
                "model": "o3-mini",
                "messages": [
                    {"role": "developer", "content": "Be brief."},
                    {"role": "user", "content": "q1"},
                    {"role": "assistant", "content": "a1"},
                    {"role": "user", "content": "q2"}
                ],
                "max_completion_tokens": 4000,
                "reasoning_effort": "high",
                "stream": true,
                "stream_options": {"include_usage": true}
            })
        );
    }

    #[test]
    fn o1_mini_folds_instructions_and_takes_no_effort() {
        let quirks = RequestQuirks {
            instruction_role: InstructionRole::FoldIntoUser,
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            accepts_effort: false,
            can_stream: false,
            stream_usage: false,
            ..Default::default()
        };
        assert_eq!(
            build_body(&request(quirks), false),
            json!({
                "model": "o3-mini",
                "messages": [
                    {"role": "user", "content": "Be brief.\n\nq1"},
                    {"role": "assistant", "content": "a1"},
                    {"role": "user", "content": "q2"}
                ],
                "max_completion_tokens": 4000
            })
        );
    }

    #[test]
    fn compatible_server_defaults() {
        let mut req = request(RequestQuirks {
            stream_usage: false,
            ..RequestQuirks::default()
        });
        req.effort = None;
        req.max_output_tokens = None;
        req.system = None;
        assert_eq!(
            build_body(&req, true),
            json!({
                "model": "o3-mini",
                "messages": [
                    {"role": "user", "content": "q1"},
                    {"role": "assistant", "content": "a1"},
                    {"role": "user", "content": "q2"}
                ],
                "stream": true
            })
        );
        req.system = Some("S".into());
        req.max_output_tokens = Some(10);
        let body = build_body(&req, false);
        assert_eq!(
            body["messages"][0],
            json!({"role": "system", "content": "S"})
        );
        assert_eq!(body["max_tokens"], json!(10));
        assert!(body.get("stream").is_none() && body.get("temperature").is_none());
    }

    #[test]
    fn fold_without_user_message() {
        let mut req = request(RequestQuirks {
            instruction_role: InstructionRole::FoldIntoUser,
            ..Default::default()
        });
        req.messages.clear();
        assert_eq!(
            build_body(&req, false)["messages"],
            json!([{"role": "user", "content": "Be brief."}])
        );
    }
}
