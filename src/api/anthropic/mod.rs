//! Anthropic Messages (`POST {base}/messages`), Claude with extended or adaptive thinking.
//!
//! The pieces: [`build_body`] shapes the request (with [`thinking`] the one mapping from a
//! reasoning effort to a thinking budget or level, and [`fit_tokens`] fitting the budget
//! under `max_tokens`); [`MessageParser`] turns SSE events into [`StreamEvent`]s;
//! [`parse_message`] reads a non-streamed answer; [`run_turn`] does the HTTP and keeps the
//! contract of `api::run_turn`: events in server order, usage and tool calls before the
//! terminal event, exactly one terminal event, last, and no panic on anything received.
//! The key goes in `x-api-key`, never in `Authorization`, and only when one is set.

mod body;
mod response;
mod stream;

pub use body::{Thinking, build_body, fit_tokens, thinking};
pub use response::parse_message;
pub use stream::{MessageParser, REDACTED, stop_reason};

use super::openai_chat::{self, ERROR_BODY_LIMIT, errors, parse_error_body};
use super::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent, retry, sse};
use eventsource_stream::EventStreamError;
use futures_util::{Stream, StreamExt};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use std::time::Duration;

/// The API version every request names.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Run one turn (see the module docs for the contract). Cancel by dropping the future.
pub async fn run_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let stream = request.quirks.can_stream;
    let url = format!("{}/messages", endpoint.base_url.trim_end_matches('/'));
    let mut builder = client
        .post(&url)
        .header("anthropic-version", ANTHROPIC_VERSION)
        .json(&build_body(request, stream));
    if let Some(key) = endpoint.api_key.as_deref().filter(|k| !k.is_empty()) {
        builder = builder.header("x-api-key", key);
    }
    for (name, value) in &endpoint.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // Every wait on the server (headers, error body, each piece of the stream) is bounded.
    let idle = sse::idle_timeout(endpoint, request);
    let response = match sse::within_idle(idle, builder.send()).await {
        Some(Ok(response)) => response,
        Some(Err(err)) => {
            let err = errors::send_error(&err, &endpoint.base_url);
            return emit(StreamEvent::Failed(err));
        }
        None => return emit(StreamEvent::Failed(sse::no_response_error(idle))),
    };
    if let Some(info) = rate_limit(response.headers()) {
        emit(StreamEvent::RateLimit(info));
    }
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !status.is_success() {
        let body = read_body(response, idle).await;
        let mut err = http_error(status.as_u16(), &body, endpoint, &url);
        retry::apply_headers(&mut err, &headers);
        return emit(StreamEvent::Failed(err));
    }
    if content_type.contains("text/html") {
        // A web page where an API should be: the base URL points somewhere else.
        let page = read_body(response, idle).await;
        let mut err = parse_error_body(status.as_u16(), &page);
        err.message = format!(
            "{url} answered with a web page, not the API ({}): is the base URL right?",
            err.message
        );
        (err.status, err.retryable) = (None, false);
        return emit(StreamEvent::Failed(err));
    }
    if content_type.contains("json") && !content_type.contains("event-stream") {
        // Not streamed (asked so, or a proxy that ignores `stream`): one message, read whole.
        return match sse::within_idle(idle, response.text()).await {
            Some(Ok(text)) => parse_message(&text).into_iter().for_each(&mut *emit),
            Some(Err(err)) => emit(StreamEvent::Failed(openai_chat::body_error(&err))),
            None => emit(StreamEvent::Failed(sse::idle_error(idle))),
        };
    }
    read_stream(response.bytes_stream(), idle, emit).await;
}

/// The error an HTTP error response describes, with what the person can do about it.
/// Anthropic's overloaded status (529) and `overloaded_error` are worth a retry.
pub fn http_error(status: u16, body: &str, endpoint: &Endpoint, url: &str) -> ApiError {
    let mut err = errors::with_hint(parse_error_body(status, body), endpoint, url);
    if status == 529 || err.kind.as_deref() == Some("overloaded_error") {
        err.retryable = true;
    }
    err
}

/// Up to the error-body limit of the body, waiting no longer than `idle` for it.
async fn read_body(response: reqwest::Response, idle: Duration) -> String {
    sse::within_idle(idle, openai_chat::read_limited(response, ERROR_BODY_LIMIT))
        .await
        .unwrap_or_default()
}

/// Parse an SSE body into events, ending with exactly one terminal event; fail when no byte
/// arrives for `idle` (zero: no limit). Stops reading at `message_stop` or the first failure.
pub async fn read_stream<S, B, E>(
    body: S,
    idle: Duration,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::error::Error + 'static,
{
    let mut parser = MessageParser::new();
    let mut events = Box::pin(sse::events_with_idle(body, idle));
    while let Some(item) = events.next().await {
        let out = match item {
            Ok(event) => parser.feed(&event.event, &event.data),
            Err(EventStreamError::Transport(sse::ReadError::Idle(idle))) => {
                parser.interrupted(sse::idle_error(idle))
            }
            Err(EventStreamError::Transport(sse::ReadError::Body(err))) => {
                parser.interrupted(openai_chat::body_error(&err))
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
    parser.finish().into_iter().for_each(emit);
}

/// Rate-limit state from Anthropic's `anthropic-ratelimit-*` response headers, when any is
/// present. Resets are RFC 3339 times, kept as sent.
pub fn rate_limit(headers: &HeaderMap) -> Option<RateLimitInfo> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let number = |name: &str| text(name).and_then(|s| s.parse::<u64>().ok());
    let info = RateLimitInfo {
        remaining_requests: number("anthropic-ratelimit-requests-remaining"),
        remaining_tokens: number("anthropic-ratelimit-tokens-remaining"),
        reset_requests: text("anthropic-ratelimit-requests-reset"),
        reset_tokens: text("anthropic-ratelimit-tokens-reset"),
    };
    (info != RateLimitInfo::default()).then_some(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiKind;

    fn endpoint() -> Endpoint {
        Endpoint {
            provider: "anthropic".into(),
            api: ApiKind::Anthropic,
            base_url: "http://x/v1".into(),
            api_key: None,
            key_hint: Some("ANTHROPIC_API_KEY".into()),
            headers: Vec::new(),
            max_attempts: 1,
            idle_timeout: None,
        }
    }

    #[test]
    fn http_errors() {
        let overloaded =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let e = http_error(529, overloaded, &endpoint(), "u");
        assert_eq!(
            (e.status, e.kind.as_deref(), e.message.as_str(), e.retryable),
            (Some(529), Some("overloaded_error"), "Overloaded", true)
        );
        let bad_key = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        let e = http_error(401, bad_key, &endpoint(), "u");
        assert_eq!(
            e.message,
            "the API key was rejected: set ANTHROPIC_API_KEY (invalid x-api-key)"
        );
        assert!(!e.retryable);
        let e = http_error(
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be greater than thinking.budget_tokens"}}"#,
            &endpoint(),
            "u",
        );
        assert_eq!(e.kind.as_deref(), Some("invalid_request_error"));
        assert!(!e.retryable);
    }

    #[test]
    fn rate_limit_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(rate_limit(&h), None);
        h.insert(
            "anthropic-ratelimit-requests-remaining",
            "49".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-tokens-remaining",
            "39000".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-tokens-reset",
            "2026-05-01T12:00:30Z".parse().unwrap(),
        );
        assert_eq!(
            rate_limit(&h),
            Some(RateLimitInfo {
                remaining_requests: Some(49),
                remaining_tokens: Some(39_000),
                reset_requests: None,
                reset_tokens: Some("2026-05-01T12:00:30Z".into()),
            })
        );
    }
}
