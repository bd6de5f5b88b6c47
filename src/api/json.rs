//! Small readers of JSON values that every API's parsers share: numbers, strings, text
//! fields, a tool call's `{name, arguments}`, and excerpts of server text for messages.
//!
//! Invariants: every function here takes any `serde_json::Value` (or any string) without
//! panicking, ignores fields it does not know, and treats a missing value as absent.
//! This module imports nothing from `api` but its types.

use crate::api::types::ToolCall;
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

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("  ééé  ", 2), "éé…");
        assert_eq!(excerpt("abc", 3), "abc");
    }
}
