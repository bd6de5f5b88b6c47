//! JSON shapes shared by the streaming and the non-streaming parsers: usage, error objects,
//! reasoning fields in their several spellings, content parts, tool calls.
//!
//! Invariants: every function here takes any `serde_json::Value` without panicking, ignores
//! fields it does not know, and treats a missing number as 0 and a missing string as absent.

use crate::api::{ApiError, FinishReason, ToolCall};
use crate::usage::Usage;
use serde_json::Value;

/// A non-negative integer, also when a server sends it as a float.
pub fn num(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// A string, or a number written as one (vLLM sends numeric error codes).
pub fn str_or_num(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Non-empty string field `key` of `v`.
pub fn text_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

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
    })
}

/// The error a JSON document reports, in any shape servers use:
/// `{"error":{..}}`, `{"error":"text"}`, vLLM's `{"object":"error",..}`, a flat
/// `{"type":"error",..}`. `None` when the document is not an error.
pub fn error_in(v: &Value) -> Option<ApiError> {
    let o = v.as_object()?;
    match o.get("error") {
        Some(e @ Value::Object(_)) => Some(error_object(e)),
        Some(Value::String(s)) => Some(ApiError::message(s.clone())),
        _ if o.get("object").and_then(Value::as_str) == Some("error")
            || o.get("type").and_then(Value::as_str) == Some("error") =>
        {
            Some(error_object(v))
        }
        _ => None,
    }
}

/// `{message, type, code}` of one error object (the type `error` itself is no detail).
fn error_object(e: &Value) -> ApiError {
    let kind = str_or_num(e.get("type")).filter(|t| t != "error");
    let code = str_or_num(e.get("code"));
    let message = text_field(e, "message")
        .map(str::to_string)
        .unwrap_or_else(|| {
            kind.clone()
                .or_else(|| code.clone())
                .unwrap_or_else(|| "the server reported an error".to_string())
        });
    let retryable = stream_error_retryable(kind.as_deref(), code.as_deref());
    ApiError {
        status: None,
        kind,
        code,
        message,
        retryable,
        ..Default::default()
    }
}

/// Whether an error reported inside a 200 response may go away on a retry.
fn stream_error_retryable(kind: Option<&str>, code: Option<&str>) -> bool {
    if [kind, code]
        .iter()
        .flatten()
        .any(|s| *s == "insufficient_quota")
    {
        return false;
    }
    if let Some(status) = code.and_then(|c| c.parse::<u16>().ok()) {
        return super::errors::retryable_status(status);
    }
    [kind, code].iter().flatten().any(|s| {
        s.contains("server_error")
            || s.contains("overloaded")
            || s.contains("rate_limit")
            || *s == "timeout"
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

/// A tool call's `function` object: `name` and `arguments` (a string, or an object some
/// servers send instead).
pub fn function(f: &Value) -> ToolCall {
    let name = f
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let arguments = match f.get("arguments") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    ToolCall { name, arguments }
}

/// At most `max` characters of `s`, trimmed, with `…` when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
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
    fn error_shapes() {
        let e =
            error_in(&json!({"error": {"message": "m", "type": "t", "code": "c", "param": null}}));
        assert_eq!(
            e.map(|e| (e.message, e.kind, e.code)),
            Some(("m".into(), Some("t".into()), Some("c".into())))
        );
        let e = error_in(
            &json!({"object": "error", "message": "bad", "type": "BadRequestError", "code": 400}),
        );
        assert_eq!(e.as_ref().map(|e| e.code.as_deref()), Some(Some("400")));
        assert_eq!(e.map(|e| e.retryable), Some(false));
        let e = error_in(&json!({"error": {"message": "busy", "type": "server_error"}}));
        assert_eq!(e.map(|e| e.retryable), Some(true));
        assert_eq!(
            error_in(&json!({"error": "boom"})).map(|e| e.message),
            Some("boom".into())
        );
        assert_eq!(error_in(&json!({"error": null, "choices": []})), None);
        assert_eq!(error_in(&json!([1])), None);
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

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("  ééé  ", 2), "éé…");
        assert_eq!(excerpt("abc", 3), "abc");
    }
}
