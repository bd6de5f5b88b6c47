//! Reading what a tokenizer endpoint answers, and deciding whether a count is believable.
//! Pure functions: no I/O, nothing here panics on any input.
//!
//! Shapes read: `{"tokens": [...]}` (llama.cpp's `/tokenize`, ids or `{id, piece}` objects),
//! `{"count": N, ...}` (vLLM's `/tokenize`, llama-cpp-python's `/extras/tokenize/count`),
//! and `{"prompt": "..."}` (llama.cpp's `/apply-template`).

use serde_json::Value;

/// Tokens a chat template may add beyond the text of the messages (role markers, a default
/// system prompt) before a templated count is thought absurd.
pub const TEMPLATE_SLACK: u64 = 8192;

/// Tokens beyond one per byte a plain text count may have (special tokens such as BOS).
pub const TEXT_SLACK: u64 = 64;

/// The token count a tokenizer answered: its `count` when it is a non-negative integer,
/// else the length of its `tokens` array; `None` for anything else (an error object, not
/// JSON, a negative or fractional count).
pub fn count(body: &str) -> Option<u64> {
    let value: Value = serde_json::from_str(body).ok()?;
    let map = value.as_object()?;
    match map.get("count") {
        Some(n) => n.as_u64(),
        None => match map.get("tokens")? {
            Value::Array(tokens) => Some(tokens.len() as u64),
            _ => None,
        },
    }
}

/// The rendered prompt of an `/apply-template` answer; `None` unless it is a non-empty
/// string.
pub fn template(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let prompt = value.get("prompt")?.as_str()?;
    (!prompt.is_empty()).then(|| prompt.to_string())
}

/// `n` when it is a believable count of a text of `bytes` bytes, allowing `slack` tokens
/// more than one per byte: never 0 for a non-empty text.
pub fn plausible(n: u64, bytes: usize, slack: u64) -> Option<u64> {
    let bytes = bytes as u64;
    let most = bytes.saturating_add(slack);
    (n <= most && (bytes == 0 || n > 0)).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_servers_shape() {
        // llama.cpp: ids, or pieces with `with_pieces`.
        assert_eq!(count(r#"{"tokens":[9906,1917,0]}"#), Some(3));
        assert_eq!(
            count(r#"{"tokens":[{"id":9906,"piece":"Hello"},{"id":1917,"piece":" world"}]}"#),
            Some(2)
        );
        assert_eq!(count(r#"{"tokens":[]}"#), Some(0));
        // vLLM: the count wins over the tokens listed.
        let vllm = r#"{"count":5,"max_model_len":4096,"tokens":[1,2,3,4,5],"token_strs":null}"#;
        assert_eq!(count(vllm), Some(5));
        // llama-cpp-python.
        assert_eq!(count(r#"{"count":23}"#), Some(23));
        assert_eq!(
            template(r#"{"prompt":"<|im_start|>user\nhi<|im_end|>\n"}"#).as_deref(),
            Some("<|im_start|>user\nhi<|im_end|>\n")
        );
    }

    #[test]
    fn garbage_is_no_count() {
        for body in [
            "",
            "not json",
            "null",
            "[1,2,3]",
            r#"{"detail":"Not Found"}"#,
            r#"{"error":{"code":404,"message":"File Not Found"}}"#,
            r#"{"count":-1}"#,
            r#"{"count":2.5}"#,
            r#"{"count":"12"}"#,
            r#"{"count":null,"tokens":[1]}"#,
            r#"{"tokens":"1 2 3"}"#,
            r#"{"count":1e400}"#,
        ] {
            assert_eq!(count(body), None, "{body}");
        }
        for body in ["", "{}", r#"{"prompt":""}"#, r#"{"prompt":7}"#, "[]"] {
            assert_eq!(template(body), None, "{body}");
        }
    }

    #[test]
    fn huge_numbers_are_read_but_not_believed() {
        let huge = format!(r#"{{"count":{}}}"#, u64::MAX);
        assert_eq!(count(&huge), Some(u64::MAX));
        assert_eq!(count(r#"{"count":18446744073709551616}"#), None);
        assert_eq!(plausible(u64::MAX, 10, TEXT_SLACK), None);
        assert_eq!(
            plausible(usize::MAX as u64, usize::MAX, u64::MAX),
            Some(usize::MAX as u64)
        );
        assert_eq!(plausible(75, 10, TEXT_SLACK), None);
        assert_eq!(plausible(74, 10, TEXT_SLACK), Some(74));
        assert_eq!(
            plausible(0, 10, TEXT_SLACK),
            None,
            "a text is at least one token"
        );
        assert_eq!(plausible(0, 0, TEXT_SLACK), Some(0));
    }
}
