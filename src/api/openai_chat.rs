//! OpenAI Chat Completions (`POST {base}/chat/completions`) and the dialects of the servers
//! compatible with it: OpenAI, Azure, DeepSeek, OpenRouter, Ollama, llama.cpp, vLLM, xAI.
//!
//! The pieces: [`build_body`] shapes the request for the model's quirks; [`ChunkParser`]
//! turns SSE payloads into events; [`parse_response`] reads a non-streamed answer;
//! [`parse_error_body`] reads HTTP error bodies; [`run_turn`] does the HTTP and keeps the
//! contract of `api::run_turn`: events in server order, usage and tool calls before the
//! terminal event, exactly one terminal event, last, and no panic on anything received.

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

use super::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent, retry, sse};
use eventsource_stream::EventStreamError;
use futures_util::{Stream, StreamExt};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use std::time::Duration;

/// Most bytes of an error response body that are read.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Run one turn (see the module docs for the contract). Cancel by dropping the future.
pub async fn run_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let stream = request.quirks.can_stream;
    let url = format!(
        "{}/chat/completions",
        endpoint.base_url.trim_end_matches('/')
    );
    let mut builder = client.post(&url).json(&build_body(request, stream));
    if let Some(key) = endpoint.api_key.as_deref().filter(|k| !k.is_empty()) {
        builder = builder.bearer_auth(key);
    }
    for (name, value) in &endpoint.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // Every wait on the server (headers, error body, each piece of the stream) is bounded.
    let idle = sse::idle_timeout(endpoint, request);
    let response = match sse::within_idle(idle, builder.send()).await {
        Some(Ok(response)) => response,
        Some(Err(err)) => {
            return emit(StreamEvent::Failed(errors::send_error(
                &err,
                &endpoint.base_url,
            )));
        }
        None => return emit(StreamEvent::Failed(sse::no_response_error(idle))),
    };
    if let Some(info) = rate_limit(response.headers()) {
        emit(StreamEvent::RateLimit(info));
    }
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = sse::within_idle(idle, read_limited(response, ERROR_BODY_LIMIT))
            .await
            .unwrap_or_default();
        let mut err = errors::with_hint(parse_error_body(status.as_u16(), &body), endpoint, &url);
        retry::apply_headers(&mut err, &headers);
        return emit(StreamEvent::Failed(err));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.contains("text/html") {
        // A web page where an API should be: the base URL points somewhere else.
        let page = sse::within_idle(idle, read_limited(response, ERROR_BODY_LIMIT))
            .await
            .unwrap_or_default();
        let mut err = parse_error_body(status.as_u16(), &page);
        err.message = format!(
            "{url} answered with a web page, not the API ({}): is the base URL right?",
            err.message
        );
        (err.status, err.retryable) = (None, false);
        return emit(StreamEvent::Failed(err));
    }
    let is_sse = content_type.contains("text/event-stream");
    // Some servers ignore `stream`; go by what was sent back.
    if is_sse || (stream && !content_type.contains("json")) {
        read_stream_within(response.bytes_stream(), idle, emit).await;
    } else {
        match sse::within_idle(idle, response.text()).await {
            Some(Ok(text)) => parse_response(&text).into_iter().for_each(&mut *emit),
            Some(Err(err)) => emit(StreamEvent::Failed(body_error(&err))),
            None => emit(StreamEvent::Failed(sse::idle_error(idle))),
        }
    }
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
    let mut parser = ChunkParser::new();
    let mut events = Box::pin(sse::events_with_idle(body, idle));
    while let Some(item) = events.next().await {
        let out = match item {
            Ok(event) if event.event == "error" => {
                let err = wire::error_in(&serde_json::from_str(&event.data).unwrap_or_default())
                    .unwrap_or_else(|| ApiError::message(wire::excerpt(&event.data, 300)));
                parser.fail(err)
            }
            Ok(event) => parser.feed_data(&event.data),
            Err(EventStreamError::Transport(sse::ReadError::Idle(idle))) => {
                parser.interrupted(sse::idle_error(idle))
            }
            Err(EventStreamError::Transport(sse::ReadError::Body(err))) => {
                parser.interrupted(body_error(&err))
            }
            Err(err) => parser.fail(ApiError::message(format!(
                "malformed data from the server: {err}"
            ))),
        };
        out.into_iter().for_each(&mut *emit);
        if parser.is_done() {
            return;
        }
    }
    parser.finish(false).into_iter().for_each(emit);
}

/// The error for a body that broke off while being read.
pub(crate) fn body_error(err: &(dyn std::error::Error + 'static)) -> ApiError {
    let message = format!("{CLOSED_EARLY} ({})", errors::root_cause(err));
    ApiError {
        message,
        retryable: true,
        ..Default::default()
    }
}

/// Up to `limit` bytes of the body as text; whatever arrived if the body breaks off.
pub(crate) async fn read_limited(mut response: reqwest::Response, limit: usize) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    bytes.truncate(limit);
    String::from_utf8_lossy(&bytes).into_owned()
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
