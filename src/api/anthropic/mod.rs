//! Anthropic Messages (`POST {base}/messages`), Claude with extended or adaptive thinking.
//!
//! The pieces: [`build_body`] shapes the request (with [`thinking`] the one mapping from a
//! reasoning effort to a thinking budget or level, and [`fit_tokens`] fitting the budget
//! under `max_tokens`); [`MessageParser`] turns SSE events into [`StreamEvent`]s;
//! [`parse_message`] reads a non-streamed answer; [`http_error`] reads error bodies (529
//! and `overloaded_error` retryable); [`run_turn`] names the URL, headers and parsers for the
//! shared exchange (`api::http`), which keeps the contract of `api::run_turn`: events in
//! server order, usage and tool calls before the terminal event, exactly one terminal event,
//! last, and no panic on anything received.
//! The key goes in `x-api-key`, never in `Authorization`, and only when one is set.

mod body;
mod response;
mod stream;

pub use body::{Thinking, build_body, fit_tokens, thinking};
pub use response::parse_message;
pub use stream::{MessageParser, REDACTED, stop_reason};

use super::openai_chat::{errors, parse_error_body};
use super::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent, http, sse};
use futures_util::Stream;
use reqwest::header::HeaderMap;
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
    let url = http::url(endpoint, "messages");
    let mut builder = client
        .post(&url)
        .header("anthropic-version", ANTHROPIC_VERSION)
        .json(&build_body(request, request.quirks.can_stream));
    if let Some(key) = http::api_key(endpoint) {
        builder = builder.header("x-api-key", key);
    }
    let wire = http::Wire {
        parser: MessageParser::new(),
        rate_limit,
        http_error,
        // Not streamed only when JSON came back (asked so, or a proxy that ignores `stream`).
        streams: http::sse_unless_json,
        parse_whole: parse_message,
    };
    http::exchange(builder, &url, endpoint, request, wire, emit).await;
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
    sse::read_events(body, idle, &mut MessageParser::new(), emit).await
}

/// The parser's own methods, for [`sse::read_events`].
impl sse::StreamParser for MessageParser {
    fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent> {
        MessageParser::feed(self, event, data)
    }

    fn interrupted(&mut self, error: ApiError) -> Vec<StreamEvent> {
        MessageParser::interrupted(self, error)
    }

    fn fail(&mut self, error: ApiError) -> Vec<StreamEvent> {
        MessageParser::fail(self, error)
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        MessageParser::finish(self)
    }

    fn is_done(&self) -> bool {
        MessageParser::is_done(self)
    }
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
