//! The Messages request body, shaped for the Claude model chosen now (see WIRE.md).
//!
//! Invariants: `max_tokens` is always present (the API requires it); when the model thinks on
//! a budget, `1,024 <= budget_tokens < max_tokens` always holds, or no `thinking` is sent at
//! all; messages alternate user/assistant (neighbours of one role are merged, blank ones
//! dropped); `system` is a plain string, sent only when it has text; `temperature` and
//! `top_p` are never sent, so thinking is never refused for them.

use crate::api::types::{ChatRequest, ImageInput, Role, ThinkingStyle};
use serde_json::{Map, Value, json};

/// The smallest thinking budget the API accepts.
pub const MIN_BUDGET: u64 = 1_024;
/// Room left for the visible answer when `max_tokens` is raised above a thinking budget.
pub const ANSWER_ROOM: u64 = 4_096;
/// `max_tokens` when the person set none: the model's own limit, at most this.
pub const DEFAULT_MAX_TOKENS: u64 = 32_000;
/// The output limit assumed for a model whose own limit is unknown.
const ASSUMED_MODEL_MAX: u64 = 64_000;

/// How a model is asked to think for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Thinking {
    /// `{"type":"enabled","budget_tokens":N}`.
    Budget(u64),
    /// `{"type":"adaptive"}` with `output_config.effort`.
    Adaptive(String),
}

/// The one mapping from a reasoning effort level to what the API is sent.
///
/// Budget models: `minimal` 1,024, `low` 2,048, `medium` 8,192, `high` 24,576, `xhigh` and
/// `max` 32,000 thinking tokens; an unknown level gets the `medium` budget. Adaptive models
/// take the level by name, except that `minimal`, which the API does not know, becomes `low`.
/// `none` (or a blank level) means no thinking on either.
pub fn thinking(effort: &str, style: ThinkingStyle) -> Option<Thinking> {
    let effort = effort.trim().to_ascii_lowercase();
    if effort.is_empty() || effort == "none" {
        return None;
    }
    Some(match style {
        ThinkingStyle::Budget => Thinking::Budget(match effort.as_str() {
            "minimal" => 1_024,
            "low" => 2_048,
            "high" => 24_576,
            "xhigh" | "max" => 32_000,
            _ => 8_192,
        }),
        ThinkingStyle::Adaptive if effort == "minimal" => Thinking::Adaptive("low".into()),
        ThinkingStyle::Adaptive => Thinking::Adaptive(effort),
    })
}

/// `max_tokens` and the thinking to send, with the budget fitted under `max_tokens`.
///
/// `max_tokens` is the person's limit, else the model's limit capped at 32,000 (64,000
/// assumed when unknown, so 32,000). With a budget:
/// 1. if `max_tokens <= budget`, `max_tokens` is raised to `budget + 4,096`, but never above
///    the model's limit (and never lowered);
/// 2. if it still cannot hold the budget, the budget shrinks to `max_tokens - 4,096`, and
///    to no less than 1,024;
/// 3. if even 1,024 does not fit under `max_tokens`, the request is sent without thinking
///    (and with `max_tokens` as it was before step 1).
pub fn fit_tokens(req: &ChatRequest) -> (u64, Option<Thinking>) {
    let cap = req.model_max_output.filter(|n| *n > 0);
    let mut max_tokens = req
        .max_output_tokens
        .filter(|n| *n > 0)
        .unwrap_or_else(|| cap.unwrap_or(ASSUMED_MODEL_MAX).min(DEFAULT_MAX_TOKENS));
    let wanted = match (req.effort.as_deref(), req.quirks.accepts_effort) {
        (Some(effort), true) => thinking(effort, req.quirks.thinking),
        _ => None,
    };
    let Some(Thinking::Budget(mut budget)) = wanted else {
        return (max_tokens, wanted);
    };
    let asked = max_tokens;
    if max_tokens <= budget {
        let raised = budget + ANSWER_ROOM;
        max_tokens = cap.map_or(raised, |cap| raised.min(cap)).max(max_tokens);
    }
    if max_tokens <= budget {
        budget = max_tokens.saturating_sub(ANSWER_ROOM).max(MIN_BUDGET);
    }
    if budget >= max_tokens {
        return (asked, None);
    }
    (max_tokens, Some(Thinking::Budget(budget)))
}

/// The history as alternating user/assistant messages: blank messages (no text, no image)
/// are dropped (the API refuses empty content) and neighbours of one role are joined with a
/// blank line, their images kept. A message with images sends them as base64 `image` blocks
/// before its text, as the API recommends.
fn messages(req: &ChatRequest) -> Vec<Value> {
    let mut merged: Vec<(Role, String, Vec<&ImageInput>)> = Vec::with_capacity(req.messages.len());
    let kept = req
        .messages
        .iter()
        .filter(|m| !m.content.trim().is_empty() || !m.images.is_empty());
    for m in kept {
        match merged.last_mut() {
            Some((role, content, images)) if *role == m.role => {
                if !m.content.trim().is_empty() {
                    if !content.is_empty() {
                        content.push_str("\n\n");
                    }
                    content.push_str(&m.content);
                }
                images.extend(&m.images);
            }
            _ => merged.push((m.role, m.content.clone(), m.images.iter().collect())),
        }
    }
    merged
        .into_iter()
        .map(|(role, content, images)| {
            let role = match role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            if images.is_empty() {
                return json!({"role": role, "content": content});
            }
            let mut blocks: Vec<Value> = images
                .iter()
                .map(|i| {
                    json!({"type": "image", "source": {
                        "type": "base64", "media_type": i.mime, "data": &*i.base64
                    }})
                })
                .collect();
            if !content.trim().is_empty() {
                blocks.push(json!({"type": "text", "text": content}));
            }
            json!({"role": role, "content": blocks})
        })
        .collect()
}

/// The JSON body of `req`; `stream` asks for an SSE answer.
pub fn build_body(req: &ChatRequest, stream: bool) -> Value {
    let (max_tokens, thinking) = fit_tokens(req);
    let mut body = Map::new();
    body.insert("model".into(), json!(req.model));
    body.insert("max_tokens".into(), json!(max_tokens));
    if let Some(system) = req.system.as_deref().filter(|s| !s.trim().is_empty()) {
        body.insert("system".into(), json!(system));
    }
    body.insert("messages".into(), Value::Array(messages(req)));
    match thinking {
        Some(Thinking::Budget(budget)) => {
            body.insert(
                "thinking".into(),
                json!({"type": "enabled", "budget_tokens": budget}),
            );
        }
        Some(Thinking::Adaptive(effort)) => {
            body.insert("thinking".into(), json!({"type": "adaptive"}));
            body.insert("output_config".into(), json!({"effort": effort}));
        }
        None => {}
    }
    if stream {
        body.insert("stream".into(), json!(true));
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Message, RequestQuirks};

    fn msg(role: Role, content: &str) -> Message {
        Message::text(role, content)
    }

    fn request(effort: Option<&str>, max: Option<u64>, model_max: Option<u64>) -> ChatRequest {
        ChatRequest {
            model: "claude-sonnet-4".into(),
            system: Some("Be brief.".into()),
            messages: vec![msg(Role::User, "What is 2+2?")],
            effort: effort.map(str::to_string),
            max_output_tokens: max,
            model_max_output: model_max,
            quirks: RequestQuirks::default(),
        }
    }

    fn budget(n: u64) -> Option<Thinking> {
        Some(Thinking::Budget(n))
    }

    #[test]
    fn effort_maps_to_budget_or_adaptive_level() {
        let b = |e| thinking(e, ThinkingStyle::Budget);
        assert_eq!(b("none"), None);
        assert_eq!(b(""), None);
        assert_eq!(b("minimal"), budget(1_024));
        assert_eq!(b("low"), budget(2_048));
        assert_eq!(b("medium"), budget(8_192));
        assert_eq!(b("High"), budget(24_576));
        assert_eq!(b("xhigh"), budget(32_000));
        assert_eq!(b("max"), budget(32_000));
        assert_eq!(b("turbo"), budget(8_192));
        let a = |e| thinking(e, ThinkingStyle::Adaptive);
        assert_eq!(a("none"), None);
        assert_eq!(a("minimal"), Some(Thinking::Adaptive("low".into())));
        for level in ["low", "medium", "high", "xhigh", "max"] {
            assert_eq!(a(level), Some(Thinking::Adaptive(level.into())));
        }
    }

    #[test]
    fn max_tokens_defaults_and_fits_the_budget() {
        let fit = |e, max, model_max| fit_tokens(&request(e, max, model_max));
        // No thinking: the person's limit, else the model's capped at 32,000.
        assert_eq!(fit(None, None, None), (32_000, None));
        assert_eq!(fit(None, None, Some(8_192)), (8_192, None));
        assert_eq!(fit(None, Some(500), Some(64_000)), (500, None));
        assert_eq!(fit(Some("none"), None, None), (32_000, None));
        // The default already exceeds the budget.
        assert_eq!(
            fit(Some("high"), None, Some(64_000)),
            (32_000, budget(24_576))
        );
        // Raised to budget + 4,096 …
        assert_eq!(
            fit(Some("max"), None, Some(64_000)),
            (36_096, budget(32_000))
        );
        assert_eq!(fit(Some("low"), Some(1_000), None), (6_144, budget(2_048)));
        assert_eq!(
            fit(Some("low"), Some(2_048), Some(64_000)),
            (6_144, budget(2_048))
        );
        // … but not above the model's limit: then the budget shrinks.
        assert_eq!(
            fit(Some("max"), None, Some(32_000)),
            (32_000, budget(27_904))
        );
        assert_eq!(
            fit(Some("high"), None, Some(24_000)),
            (24_000, budget(19_904))
        );
        assert_eq!(
            fit(Some("medium"), Some(100), Some(5_000)),
            (5_000, budget(1_024))
        );
        // No room for the smallest budget: no thinking.
        assert_eq!(fit(Some("low"), Some(512), Some(1_024)), (512, None));
        // Thinking only where the model takes an effort.
        let mut req = request(Some("high"), None, None);
        req.quirks.accepts_effort = false;
        assert_eq!(fit_tokens(&req), (32_000, None));
    }

    #[test]
    fn budget_body() {
        let mut req = request(Some("medium"), Some(4_000), Some(64_000));
        req.messages = vec![
            msg(Role::User, "q1"),
            msg(Role::Assistant, "a1"),
            msg(Role::User, "q2"),
        ];
        assert_eq!(
            build_body(&req, true),
            json!({
                "model": "claude-sonnet-4",
                "max_tokens": 12_288,
                "system": "Be brief.",
                "messages": [
                    {"role": "user", "content": "q1"},
                    {"role": "assistant", "content": "a1"},
                    {"role": "user", "content": "q2"}
                ],
                "thinking": {"type": "enabled", "budget_tokens": 8_192},
                "stream": true
            })
        );
    }

    #[test]
    fn adaptive_body() {
        let mut req = request(Some("high"), None, Some(128_000));
        req.quirks.thinking = ThinkingStyle::Adaptive;
        req.system = None;
        assert_eq!(
            build_body(&req, true),
            json!({
                "model": "claude-sonnet-4",
                "max_tokens": 32_000,
                "messages": [{"role": "user", "content": "What is 2+2?"}],
                "thinking": {"type": "adaptive"},
                "output_config": {"effort": "high"},
                "stream": true
            })
        );
    }

    #[test]
    fn plain_body_without_thinking() {
        let mut req = request(None, Some(1_000), None);
        req.system = Some("  ".into());
        assert_eq!(
            build_body(&req, false),
            json!({
                "model": "claude-sonnet-4",
                "max_tokens": 1_000,
                "messages": [{"role": "user", "content": "What is 2+2?"}]
            })
        );
    }

    #[test]
    fn history_alternates() {
        let mut req = request(None, None, None);
        req.messages = vec![
            msg(Role::User, "first"),
            msg(Role::Assistant, ""),
            msg(Role::User, "second"),
            msg(Role::Assistant, "a"),
            msg(Role::Assistant, "b"),
            msg(Role::User, "third"),
        ];
        assert_eq!(
            build_body(&req, true)["messages"],
            json!([
                {"role": "user", "content": "first\n\nsecond"},
                {"role": "assistant", "content": "a\n\nb"},
                {"role": "user", "content": "third"}
            ])
        );
    }
}
