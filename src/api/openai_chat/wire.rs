//! Chat Completions JSON shapes shared by the streaming and the non-streaming parsers: usage,
//! reasoning fields in their several spellings, content parts, the `error` finish reason.
//! (Error objects, tool-call functions and the small readers every API uses are in
//! `api::errors` and `api::json`.)
//!
//! Invariants: every function here takes any `serde_json::Value` without panicking, ignores
//! fields it does not know, and treats a missing number as 0 and a missing string as absent.

use crate::api::json::{num, text_field};
use crate::api::types::{ApiError, FinishReason};
use crate::usage::Usage;
use serde_json::Value;

/// Usage from a `usage` object; `None` for `null` or an object without token counts.
pub fn usage(v: &Value) -> Option<Usage> {
    let o = v.as_object()?;
    if !["prompt_tokens", "completion_tokens", "total_tokens"]
        .iter()
        .any(|k| o.contains_key(*k))
    {
        return None;
    }
    let field = |k: &str| o.get(k).and_then(num);
    let nested = |outer: &str, inner: &str| o.get(outer).and_then(|d| d.get(inner)).and_then(num);
    Some(Usage {
        input: field("prompt_tokens").unwrap_or(0),
        cached_input: nested("prompt_tokens_details", "cached_tokens")
            .or_else(|| field("prompt_cache_hit_tokens"))
            .unwrap_or(0),
        cache_write: 0,
        output: field("completion_tokens").unwrap_or(0),
        reasoning: nested("completion_tokens_details", "reasoning_tokens").unwrap_or(0),
        estimated: false,
        reasoning_estimated: false,
        reported_cost: o
            .get("cost")
            .and_then(Value::as_f64)
            .filter(|c| c.is_finite() && *c >= 0.0),
        counted: None,
    })
}

/// The failure a finish reason stands for: OpenRouter ends a broken answer with `error`.
pub fn finish_error(reason: &FinishReason) -> Option<ApiError> {
    (reason.as_str() == "error")
        .then(|| ApiError::message("the server stopped the answer with an error"))
}

/// Reasoning text of a delta or message, preferring `reasoning_content`, then `reasoning`,
/// then OpenRouter's `reasoning_details` (only when neither plain field has text, so the
/// same text sent twice is counted once).
pub fn reasoning(v: &Value) -> Option<String> {
    if let Some(s) = text_field(v, "reasoning_content").or_else(|| text_field(v, "reasoning")) {
        return Some(s.to_string());
    }
    let details = v.get("reasoning_details")?.as_array()?;
    let joined: String = details
        .iter()
        .filter_map(|d| match d.get("type").and_then(Value::as_str) {
            Some("reasoning.text") => d.get("text").and_then(Value::as_str),
            Some("reasoning.summary") => d.get("summary").and_then(Value::as_str),
            _ => None,
        })
        .collect();
    (!joined.is_empty()).then_some(joined)
}

/// One piece of `content`: a plain string, or an array of parts (`text` parts are answer,
/// `thinking` parts are reasoning).
pub enum Content {
    Text(String),
    Thinking(String),
}

/// The pieces of a `content` field, in order; empty for `null`.
pub fn content(v: Option<&Value>) -> Vec<Content> {
    match v {
        Some(Value::String(s)) if !s.is_empty() => vec![Content::Text(s.clone())],
        Some(Value::Array(parts)) => parts.iter().filter_map(content_part).collect(),
        _ => Vec::new(),
    }
}

fn content_part(part: &Value) -> Option<Content> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => text_field(part, "text").map(|t| Content::Text(t.to_string())),
        Some("thinking") => {
            let thinking = match part.get("thinking")? {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.get("text")?.as_str())
                    .collect(),
                _ => return None,
            };
            (!thinking.is_empty()).then_some(Content::Thinking(thinking))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usage_spellings() {
        let u = usage(&json!({"prompt_tokens": 87, "completion_tokens": 2,
            "prompt_tokens_details": null, "prompt_cache_hit_tokens": 80,
            "completion_tokens_details": {"reasoning_tokens": 2}}));
        assert_eq!(
            u,
            Some(Usage {
                input: 87,
                cached_input: 80,
                output: 2,
                reasoning: 2,
                ..Default::default()
            })
        );
        let u = usage(
            &json!({"prompt_tokens": 10, "prompt_tokens_details": {"cached_tokens": 4},
            "prompt_cache_hit_tokens": 9}),
        );
        assert_eq!(u.map(|u| (u.cached_input, u.output)), Some((4, 0)));
        assert_eq!(usage(&json!(null)), None);
        assert_eq!(usage(&json!({})), None);
        assert_eq!(
            usage(&json!({"total_tokens": 3.0})).map(|u| u.input),
            Some(0)
        );
    }

    #[test]
    fn reasoning_is_counted_once() {
        let d = json!({"reasoning": "abc", "reasoning_details": [{"type": "reasoning.text", "text": "abc"}]});
        assert_eq!(reasoning(&d).as_deref(), Some("abc"));
        let d = json!({"reasoning": null, "reasoning_details": [
            {"type": "reasoning.summary", "summary": "s"}, {"type": "reasoning.encrypted", "data": "x"},
            {"type": "reasoning.text", "text": "t"}]});
        assert_eq!(reasoning(&d).as_deref(), Some("st"));
        let d = json!({"reasoning_content": "a", "reasoning": "a"});
        assert_eq!(reasoning(&d).as_deref(), Some("a"));
        assert_eq!(reasoning(&json!({"reasoning_content": ""})), None);
    }
}
