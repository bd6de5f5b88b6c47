//! The fake server's tokenizer endpoints, in the shapes of the real servers: llama.cpp
//! (`/tokenize` `{"content"}` -> `{"tokens"}`, `/apply-template` `{"messages"}` ->
//! `{"prompt"}`), vLLM (`/tokenize` `{"prompt"|"messages"}` -> `{"count", "tokens"}`) and
//! llama-cpp-python (`/extras/tokenize/count` `{"input"}` -> `{"count"}`, a BOS included).
//!
//! A token here is a whitespace-separated word, so tests can count by hand. The chat
//! template writes each message as `[role] content`, then `[assistant]`, and adds a default
//! system prompt (`[system] You are a helpful assistant.`, 6 tokens) when there is none, as
//! llama-cpp-python's does. Paths a kind does not serve answer 404.

use serde_json::{Value, json};

/// Which server's tokenizer endpoints the fake server has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FakeTokenizer {
    /// llama.cpp; `template: false` is an older one without `/apply-template`.
    LlamaCpp {
        template: bool,
    },
    Vllm,
    LlamaCppPython,
    /// llama-cpp-python's path, answering counts no text could have.
    Absurd,
    /// llama-cpp-python's path, answering nothing for a minute.
    Silent,
}

/// The paths tokenizer endpoints live at (under the server's root, not `/v1`).
pub fn is_tokenizer_path(path: &str) -> bool {
    matches!(
        path,
        "/tokenize" | "/apply-template" | "/extras/tokenize/count"
    )
}

/// Tokens of `text`: its words.
pub fn tokens(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The prompt the fake chat template renders for `messages`.
pub fn render(messages: &[Value]) -> String {
    let mut out = String::new();
    let has_system = messages.iter().any(|m| m["role"] == "system");
    if !has_system {
        out.push_str("[system] You are a helpful assistant.\n");
    }
    for m in messages {
        let role = m["role"].as_str().unwrap_or("user");
        let content = m["content"].as_str().unwrap_or("");
        out.push_str(&format!("[{role}] {content}\n"));
    }
    out.push_str("[assistant]");
    out
}

/// How long `kind` waits before answering.
pub fn delay_ms(kind: Option<FakeTokenizer>) -> u64 {
    match kind {
        Some(FakeTokenizer::Silent) => 60_000,
        _ => 0,
    }
}

/// The status and JSON body `kind` answers a POST of `body` to `path` with (`None` for the
/// server, `kind`, that has no tokenizer at all).
pub fn answer(kind: Option<FakeTokenizer>, path: &str, body: &Value) -> (u16, Value) {
    let not_found = (404, json!({"detail": "Not Found"}));
    let ids = |n: usize| json!((0..n as u64).collect::<Vec<_>>());
    match (kind, path) {
        (Some(FakeTokenizer::LlamaCpp { template }), "/apply-template") if template => {
            let messages = body["messages"].as_array().cloned().unwrap_or_default();
            (200, json!({"prompt": render(&messages)}))
        }
        (Some(FakeTokenizer::LlamaCpp { .. }), "/tokenize") => {
            // Without `content`, llama.cpp answers an empty list.
            let content = body["content"].as_str().unwrap_or("");
            let special = usize::from(body["add_special"] == true);
            (200, json!({"tokens": ids(tokens(content) + special)}))
        }
        (Some(FakeTokenizer::Vllm), "/tokenize") => {
            let n = match (body["prompt"].as_str(), body["messages"].as_array()) {
                (Some(prompt), _) => tokens(prompt),
                (None, Some(messages)) => tokens(&render(messages)),
                (None, None) => return (400, json!({"error": "prompt or messages required"})),
            };
            (
                200,
                json!({"count": n, "max_model_len": 4096, "tokens": ids(n)}),
            )
        }
        (Some(FakeTokenizer::LlamaCppPython), "/extras/tokenize/count") => {
            let input = body["input"].as_str().unwrap_or("");
            (200, json!({"count": tokens(input) + 1}))
        }
        (Some(FakeTokenizer::Silent), "/extras/tokenize/count") => (200, json!({"count": 1})),
        (Some(FakeTokenizer::Absurd), "/extras/tokenize/count") => {
            (200, json!({"count": u64::MAX}))
        }
        _ => not_found,
    }
}
