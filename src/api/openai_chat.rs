//! OpenAI Chat Completions (`POST {base}/chat/completions`) and the dialects of the servers
//! compatible with it: OpenAI, Azure, DeepSeek, OpenRouter, Ollama, llama.cpp, vLLM, xAI.
//!
//! The pieces: [`build_body`] shapes the request for the model's quirks; [`ChunkParser`]
//! turns SSE payloads into events; [`parse_response`] reads a non-streamed answer; [`Chat`]
//! puts them together as a [`Protocol`] for the shared exchange (`api::exchange`), with the
//! defaults for the rest (a Bearer key, `api::errors` reading error bodies, `x-ratelimit-*`
//! headers). Together they keep the contract of `api::run_turn`: events in server order,
//! usage and tool calls before the terminal event, exactly one terminal event, last, and no
//! panic on anything received.

mod body;
mod response;
mod stream;
mod think;
mod wire;

#[cfg(test)]
mod tests;

pub use body::build_body;
pub use response::parse_response;
pub use stream::ChunkParser;
pub use think::ThinkSplitter;

use crate::api::protocol::Protocol;
use crate::api::types::{ChatRequest, StreamEvent};
use serde_json::Value;

/// The Chat Completions protocol.
#[derive(Clone, Copy, Debug)]
pub struct Chat;

impl Protocol for Chat {
    type Parser = ChunkParser;
    const PATH: &'static str = "chat/completions";

    fn build_body(request: &ChatRequest, stream: bool) -> Value {
        build_body(request, stream)
    }

    fn parser() -> ChunkParser {
        ChunkParser::new()
    }

    fn parse_whole(body: &str) -> Vec<StreamEvent> {
        parse_response(body)
    }
}
