//! OpenAI Chat Completions (`POST {base}/chat/completions`) and the dialects of the servers
//! compatible with it: OpenAI, Azure, DeepSeek, OpenRouter, Ollama, llama.cpp, vLLM, xAI.
//!
//! The pieces: [`build_body`] shapes the request for the model's quirks; [`ChunkParser`]
//! turns SSE payloads into events; [`parse_response`] reads a non-streamed answer;
//! [`parse_error_body`] reads HTTP error bodies; [`run_turn`] names the URL, key, error
//! reading and parsers for the shared exchange (`api::http`), which keeps the contract of
//! `api::run_turn`: events in server order, usage and tool calls before the terminal event,
//! exactly one terminal event, last, and no panic on anything received.

mod body;
pub(crate) mod errors;
mod response;
pub(crate) mod stream;
mod think;
pub(crate) mod wire;

#[cfg(test)]
mod tests;

pub use body::build_body;
pub use errors::{parse_error_body, retryable_status};
pub use response::parse_response;
pub use stream::{CLOSED_EARLY, ChunkParser};
pub use think::ThinkSplitter;

use super::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent, http, sse};
use futures_util::Stream;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// Run one turn (see the module docs for the contract). Cancel by dropping the future.
pub async fn run_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let url = http::url(endpoint, "chat/completions");
    let body = build_body(request, request.quirks.can_stream);
    let mut builder = client.post(&url).json(&body);
    if let Some(key) = http::api_key(endpoint) {
        builder = builder.bearer_auth(key);
    }
    let wire = http::Wire {
        parser: ChunkParser::new(),
        rate_limit,
        http_error,
        streams: http::sse_or_asked,
        parse_whole: parse_response,
    };
    http::exchange(builder, &url, endpoint, request, wire, emit).await;
}

/// The error an HTTP error response describes, with what the person can do about it.
pub fn http_error(status: u16, body: &str, endpoint: &Endpoint, url: &str) -> ApiError {
    errors::with_hint(parse_error_body(status, body), endpoint, url)
}

/// Parse an SSE body into events, ending with exactly one terminal event. Stops reading at
/// `[DONE]` or at the first failure.
pub async fn read_stream<S, B, E>(body: S, emit: &mut (dyn FnMut(StreamEvent) + Send))
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::error::Error + 'static,
{
    read_stream_within(body, Duration::ZERO, emit).await
}

/// [`read_stream`], failing when no byte arrives for `idle` (zero: no limit).
pub async fn read_stream_within<S, B, E>(
    body: S,
    idle: Duration,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::error::Error + 'static,
{
    sse::read_events(body, idle, &mut ChunkParser::new(), emit).await
}

/// Chat Completions sends data only; an `error` event carries an error object (or text).
impl sse::StreamParser for ChunkParser {
    fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent> {
        if event == "error" {
            let err = wire::error_in(&serde_json::from_str(data).unwrap_or_default())
                .unwrap_or_else(|| ApiError::message(wire::excerpt(data, 300)));
            return self.fail(err);
        }
        self.feed_data(data)
    }

    fn interrupted(&mut self, error: ApiError) -> Vec<StreamEvent> {
        ChunkParser::interrupted(self, error)
    }

    fn fail(&mut self, error: ApiError) -> Vec<StreamEvent> {
        ChunkParser::fail(self, error)
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        ChunkParser::finish(self, false)
    }

    fn is_done(&self) -> bool {
        ChunkParser::is_done(self)
    }
}

/// Rate-limit state from OpenAI's `x-ratelimit-*` response headers, when any is present.
pub fn rate_limit(headers: &HeaderMap) -> Option<RateLimitInfo> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
    };
    let number = |name: &str| text(name).and_then(|s| s.parse::<u64>().ok());
    let info = RateLimitInfo {
        remaining_requests: number("x-ratelimit-remaining-requests"),
        remaining_tokens: number("x-ratelimit-remaining-tokens"),
        reset_requests: text("x-ratelimit-reset-requests"),
        reset_tokens: text("x-ratelimit-reset-tokens"),
    };
    (info != RateLimitInfo::default()).then_some(info)
}
