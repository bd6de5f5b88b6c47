//! Counting a turn with the server's own tokenizer, for local servers that report no usage
//! in their streams (llama-cpp-python's server ignores `include_usage`).
//!
//! Which tokenizer endpoint a server has is probed once per server (its root: the base URL
//! without a trailing `/v1`) and remembered for the process:
//! - llama.cpp: `POST /tokenize` `{"content"}` -> `{"tokens": [...]}`, and `/apply-template`
//!   `{"messages"}` -> `{"prompt"}` for the prompt as the model sees it;
//! - vLLM: `POST /tokenize` `{"model", "prompt"}` or `{"model", "messages"}` -> `{"count"}`;
//! - llama-cpp-python: `POST /extras/tokenize/count` `{"input", "model"}` -> `{"count"}`
//!   (text only: its chat template cannot be applied, so the prompt count is a lower bound,
//!   [`ServerCount::TextOnly`]).
//!
//! Invariants: only Chat Completions endpoints are asked; every request goes to the origin
//! of the endpoint's base URL (and redirects stay in it, as for every request: `origin`),
//! signed as a turn is, bounded by [`REQUEST_TIMEOUT`] and [`BODY_LIMIT`], and a whole
//! count by [`COUNT_TIMEOUT`] after the probe (at most four requests); any failure (no endpoint, an error status, a timeout, garbage,
//! an absurd number, see `parse::plausible`) gives `None` and the caller keeps its estimate;
//! nothing here panics on what a server sends. Layering: imports `api`'s types, `http`,
//! `openai_chat` (to sign as it does) and `crate::usage`.

pub mod parse;

use crate::api::http;
use crate::api::openai_chat::Chat;
use crate::api::protocol::Protocol;
use crate::api::types::{ApiKind, Endpoint, Message, Role};
use crate::usage::ServerCount;
use reqwest::Url;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// The longest one tokenizer request may take, connection and body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest a whole count may take, once the server has been probed.
pub const COUNT_TIMEOUT: Duration = Duration::from_secs(20);

/// Most bytes of a tokenizer's answer that are read (a token list of a long prompt is large).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The text a probe counts.
const PROBE_TEXT: &str = "Hello world";

/// A server's tokenizer endpoint, as the probe found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tokenizer {
    /// llama.cpp's server (`/tokenize` with `content`, `/apply-template`).
    LlamaCpp,
    /// vLLM (`/tokenize` with `prompt` or `messages`).
    Vllm,
    /// llama-cpp-python (`/extras/tokenize/count`); `base` is what it counts for an empty
    /// text (a BOS token it adds), taken off every count.
    LlamaCppPython { base: u64 },
}

/// What to count of one turn.
#[derive(Clone, Debug, PartialEq)]
pub struct Texts {
    pub model: String,
    /// The request's system instructions, if any.
    pub system: Option<String>,
    /// The request's messages, the prompt last.
    pub messages: Vec<Message>,
    /// The shared reasoning text.
    pub reasoning: String,
    /// What the model wrote besides its reasoning: the answer, each tool call's name and
    /// arguments; counted one by one and summed.
    pub output: Vec<String>,
}

/// A turn as the server's tokenizer counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub input: u64,
    /// Output besides the reasoning.
    pub output: u64,
    pub reasoning: u64,
    /// Whether the input includes the server's chat template.
    pub prompt: ServerCount,
}

/// Count `texts` with `endpoint`'s server's tokenizer; `None` when it has none that works
/// (see the module docs). Probes the server the first time this process asks it.
pub async fn count(client: &reqwest::Client, endpoint: &Endpoint, texts: &Texts) -> Option<Count> {
    if endpoint.api != ApiKind::Chat {
        return None;
    }
    let server = Server::new(client, endpoint)?;
    // The probe is bounded by its requests' timeouts and runs to its end, so that a count
    // cut short never leaves a server to be probed again.
    let cell = probed(&server.root);
    let kind = (*cell.get_or_init(|| server.probe(&texts.model)).await)?;
    tokio::time::timeout(COUNT_TIMEOUT, server.count(kind, texts))
        .await
        .ok()
        .flatten()
}

/// The root tokenizer endpoints live under: the base URL without its trailing `/v1`.
/// `None` for a base URL that does not parse or is not http(s).
pub fn root(base_url: &str) -> Option<String> {
    let url = Url::parse(base_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let base = base_url.trim_end_matches('/');
    Some(base.strip_suffix("/v1").unwrap_or(base).to_string())
}

/// What the probe of one root found, once it has run.
type Probe = Arc<OnceCell<Option<Tokenizer>>>;

/// What the probe found, per root, for the life of the process (each probed once).
fn probed(root: &str) -> Probe {
    static PROBED: OnceLock<Mutex<HashMap<String, Probe>>> = OnceLock::new();
    let map = PROBED.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(root.to_string()).or_default().clone()
}

/// One server's tokenizer endpoints, reached as `endpoint` is.
struct Server<'a> {
    client: &'a reqwest::Client,
    endpoint: &'a Endpoint,
    root: String,
}

impl<'a> Server<'a> {
    fn new(client: &'a reqwest::Client, endpoint: &'a Endpoint) -> Option<Server<'a>> {
        Some(Server {
            client,
            endpoint,
            root: root(&endpoint.base_url)?,
        })
    }

    async fn count(&self, kind: Tokenizer, texts: &Texts) -> Option<Count> {
        let reasoning = self.text(kind, &texts.model, &texts.reasoning).await?;
        let mut output = 0u64;
        for text in &texts.output {
            output = output.saturating_add(self.text(kind, &texts.model, text).await?);
        }
        let (input, prompt) = self.prompt(kind, texts).await?;
        Some(Count {
            input,
            output,
            reasoning,
            prompt,
        })
    }

    /// Which tokenizer endpoint the server has, trying each in turn.
    async fn probe(&self, model: &str) -> Option<Tokenizer> {
        for kind in [Tokenizer::LlamaCpp, Tokenizer::Vllm] {
            if self.text(kind, model, PROBE_TEXT).await.is_some() {
                return Some(kind);
            }
        }
        let python = Tokenizer::LlamaCppPython { base: 0 };
        self.text(python, model, PROBE_TEXT).await?;
        // Counted with its BOS when the model adds one: learn how many an empty text has.
        let base = self.raw(python, model, "").await.unwrap_or(0);
        Some(Tokenizer::LlamaCppPython {
            base: parse::plausible(base, 0, 4).unwrap_or(0),
        })
    }

    /// The tokens of `text`, special tokens not added; `Some(0)` for an empty text.
    async fn text(&self, kind: Tokenizer, model: &str, text: &str) -> Option<u64> {
        if text.is_empty() {
            return Some(0);
        }
        let n = self.raw(kind, model, text).await?;
        let n = match kind {
            Tokenizer::LlamaCppPython { base } => n.saturating_sub(base),
            Tokenizer::LlamaCpp | Tokenizer::Vllm => n,
        };
        parse::plausible(n, text.len(), parse::TEXT_SLACK)
    }

    /// What the server answers for `text`, unchecked.
    async fn raw(&self, kind: Tokenizer, model: &str, text: &str) -> Option<u64> {
        let (path, body) = match kind {
            Tokenizer::LlamaCpp => ("tokenize", json!({"content": text, "add_special": false})),
            Tokenizer::Vllm => (
                "tokenize",
                json!({"model": model, "prompt": text, "add_special_tokens": false}),
            ),
            Tokenizer::LlamaCppPython { .. } => (
                "extras/tokenize/count",
                json!({"input": text, "model": model}),
            ),
        };
        parse::count(&self.post(path, &body).await?)
    }

    /// The prompt's tokens: with the chat template applied where the server can, else the
    /// messages' text alone.
    async fn prompt(&self, kind: Tokenizer, texts: &Texts) -> Option<(u64, ServerCount)> {
        let messages = messages(texts);
        let bytes: usize = (messages.iter())
            .filter_map(|m| m["content"].as_str())
            .map(str::len)
            .sum();
        let templated = match kind {
            Tokenizer::LlamaCpp => self.llama_cpp_template(&messages).await,
            Tokenizer::Vllm => {
                let body = json!({
                    "model": texts.model,
                    "messages": messages,
                    "add_generation_prompt": true,
                });
                let n = parse::count(&self.post("tokenize", &body).await?);
                n.and_then(|n| parse::plausible(n, bytes, parse::TEMPLATE_SLACK))
            }
            Tokenizer::LlamaCppPython { .. } => None,
        };
        if let Some(n) = templated {
            return Some((n, ServerCount::Templated));
        }
        let joined: Vec<&str> = messages
            .iter()
            .filter_map(|m| m["content"].as_str())
            .collect();
        let n = self.text(kind, &texts.model, &joined.join("\n")).await?;
        Some((n, ServerCount::TextOnly))
    }

    /// llama.cpp: render the chat template, then count the rendered prompt as a completion
    /// counts it (special tokens added and parsed).
    async fn llama_cpp_template(&self, messages: &[Value]) -> Option<u64> {
        let rendered = self
            .post("apply-template", &json!({ "messages": messages }))
            .await?;
        let prompt = parse::template(&rendered)?;
        let body = json!({"content": prompt, "add_special": true, "parse_special": true});
        let n = parse::count(&self.post("tokenize", &body).await?)?;
        parse::plausible(n, prompt.len(), parse::TEXT_SLACK)
    }

    /// POST `body` to `{root}/{path}`: the answer's text when the status is 2xx.
    async fn post(&self, path: &str, body: &Value) -> Option<String> {
        let url = format!("{}/{path}", self.root);
        let (Ok(to), Ok(base)) = (Url::parse(&url), Url::parse(&self.endpoint.base_url)) else {
            return None;
        };
        if !crate::api::origin::same_origin(&to, &base) {
            return None;
        }
        let request = self.client.post(url).timeout(REQUEST_TIMEOUT).json(body);
        let mut request = Chat::authorize(request, self.endpoint);
        for (name, value) in &self.endpoint.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        http::read_whole(response, BODY_LIMIT).await.ok()
    }
}

/// The request's messages as Chat Completions sends them, the system instructions first.
fn messages(texts: &Texts) -> Vec<Value> {
    let system = (texts.system.iter())
        .filter(|s| !s.is_empty())
        .map(|s| json!({"role": "system", "content": s}));
    let rest = texts.messages.iter().map(|m| {
        let role = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        json!({"role": role, "content": m.content})
    });
    system.chain(rest).collect()
}

#[cfg(test)]
mod tests;
