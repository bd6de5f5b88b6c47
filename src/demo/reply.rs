//! What the demo server writes back, as data: a status, a content type and the body in
//! pieces, each after a delay at realistic pace (scaled by the pace when written). Shared by
//! the wire shapes (`chat`, `anthropic`), with the reading of a request's messages they both
//! need.
//!
//! Invariant: pure data; nothing here sleeps or writes.

use super::script::{Ask, Family, Level, Script};
use crate::usage::{MESSAGE_OVERHEAD_TOKENS, estimate_tokens};
use serde_json::Value;

/// Before the first byte of a body: the request is read, the model starts.
pub const FIRST_BYTE_MS: u64 = 250;
/// Between two streamed chunks of text (a few tokens each: ~150 tokens a second).
pub const CHUNK_MS: u64 = 20;
/// Per hidden reasoning token, while nothing streams (~500 tokens a second).
pub const HIDDEN_TOKEN_US: u64 = 2_000;

/// A reply: status, content type and the body's pieces with the delay before each.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    /// `(milliseconds to wait at realistic pace, bytes)`.
    pub pieces: Vec<(u64, Vec<u8>)>,
}

impl Reply {
    /// A whole JSON body.
    pub fn json(status: u16, body: &Value, delay_ms: u64) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            pieces: vec![(delay_ms, body.to_string().into_bytes())],
        }
    }

    /// An empty SSE body, filled with [`Reply::event`].
    pub fn sse() -> Reply {
        Reply {
            status: 200,
            content_type: "text/event-stream",
            pieces: Vec::new(),
        }
    }

    /// One SSE event (`event: NAME` first when named) after `delay_ms`.
    pub fn event(&mut self, delay_ms: u64, name: Option<&str>, data: &str) {
        let mut text = String::new();
        if let Some(name) = name {
            text.push_str(&format!("event: {name}\n"));
        }
        text.push_str(&format!("data: {data}\n\n"));
        self.pieces.push((delay_ms, text.into_bytes()));
    }

    /// The body, every piece joined (what a client reads, without the waits).
    pub fn body(&self) -> Vec<u8> {
        self.pieces.iter().flat_map(|(_, p)| p.clone()).collect()
    }
}

/// How long the model is silent before its first output: the request's latency, plus the
/// hidden reasoning's time.
pub fn think_ms(script: &Script) -> u64 {
    let hidden = if script.hidden {
        script.reasoning_tokens * HIDDEN_TOKEN_US / 1_000
    } else {
        0
    };
    FIRST_BYTE_MS + hidden
}

/// The text of a message's `content`: a string, or the `text` (and `thinking`) of its parts.
pub fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").or_else(|| p.get("thinking"))?.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// What a request asks, from its messages (and `system`, for Anthropic): the last user
/// message, the number of user messages and the prompt's tokens.
pub fn ask(family: Family, level: Option<Level>, max_tokens: Option<u64>, body: &Value) -> Ask {
    let messages = body["messages"].as_array().map_or(&[][..], Vec::as_slice);
    let mut input_tokens = 3 + estimate_tokens(&content_text(&body["system"]));
    let mut prompt = String::new();
    let mut user_turns = 0;
    for m in messages {
        let text = content_text(&m["content"]);
        input_tokens += MESSAGE_OVERHEAD_TOKENS + estimate_tokens(&text);
        if m["role"] == "user" {
            user_turns += 1;
            prompt = text;
        }
    }
    Ask {
        family,
        level,
        max_tokens,
        prompt,
        user_turns,
        input_tokens,
    }
}

/// An id for a response, the same for the same script (`chatcmpl-demo…`, `msg_demo…`).
pub fn id(prefix: &str, script: &Script) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in script
        .answer_text()
        .bytes()
        .chain(script.input_tokens.to_le_bytes())
    {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{prefix}demo{h:016x}")
}
