//! Anthropic Messages (`POST {base}/messages`), Claude with extended or adaptive thinking.
//!
//! The pieces: [`build_body`] shapes the request (with [`thinking`] the one mapping from a
//! reasoning effort to a thinking budget or level, and [`fit_tokens`] fitting the budget
//! under `max_tokens`); [`MessageParser`] turns SSE events into [`StreamEvent`]s;
//! [`parse_message`] reads a non-streamed answer; [`Anthropic`] puts them together as a
//! [`Protocol`] for the shared exchange (`api::exchange`), with its own headers, error reading
//! (529 and `overloaded_error` retryable) and rate-limit headers. Together they keep the
//! contract of `api::run_turn`: events in server order, usage and tool calls before the
//! terminal event, exactly one terminal event, last, and no panic on anything received.
//! The key goes in `x-api-key`, never in `Authorization`, and only when one is set.

mod body;
mod response;
mod stream;

pub use body::{Thinking, build_body, fit_tokens, thinking};
pub use response::parse_message;
pub use stream::{MessageParser, REDACTED, stop_reason};

use crate::api::errors;
use crate::api::http;
use crate::api::protocol::Protocol;
use crate::api::types::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent};
use reqwest::RequestBuilder;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// The API version every request names.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The Anthropic Messages protocol.
#[derive(Clone, Copy, Debug)]
pub struct Anthropic;

impl Protocol for Anthropic {
    type Parser = MessageParser;
    const PATH: &'static str = "messages";

    /// `anthropic-version`, and the key in `x-api-key` when one is set.
    fn authorize(builder: RequestBuilder, endpoint: &Endpoint) -> RequestBuilder {
        let builder = builder.header("anthropic-version", ANTHROPIC_VERSION);
        match http::api_key(endpoint) {
            Some(key) => builder.header("x-api-key", key),
            None => builder,
        }
    }

    fn build_body(request: &ChatRequest, stream: bool) -> Value {
        build_body(request, stream)
    }

    fn parser() -> MessageParser {
        MessageParser::new()
    }

    fn parse_whole(body: &str) -> Vec<StreamEvent> {
        parse_message(body)
    }

    /// Rate-limit state from Anthropic's `anthropic-ratelimit-*` response headers, when any
    /// is present. Resets are RFC 3339 times, kept as sent.
    fn rate_limit(headers: &HeaderMap) -> Option<RateLimitInfo> {
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

    /// The shared reading of an error body, with what the person can do about it; Anthropic's
    /// overloaded status (529) and `overloaded_error` are worth a retry.
    fn http_error(status: u16, body: &str, endpoint: &Endpoint, url: &str) -> ApiError {
        let mut err = errors::http_error(status, body, endpoint, url);
        if status == 529 || err.kind.as_deref() == Some("overloaded_error") {
            err.retryable = true;
        }
        err
    }

    /// Not streamed only when JSON came back (asked so, or a proxy that ignores `stream`).
    fn streams(content_type: &str, asked: bool) -> bool {
        http::sse_unless_json(content_type, asked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ApiKind;

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
            limits: Default::default(),
        }
    }

    #[test]
    fn http_errors() {
        let overloaded =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let e = Anthropic::http_error(529, overloaded, &endpoint(), "u");
        assert_eq!(
            (e.status, e.kind.as_deref(), e.message.as_str(), e.retryable),
            (Some(529), Some("overloaded_error"), "Overloaded", true)
        );
        let bad_key = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        let e = Anthropic::http_error(401, bad_key, &endpoint(), "u");
        assert_eq!(
            e.message,
            "the API key was rejected: set ANTHROPIC_API_KEY (invalid x-api-key)"
        );
        assert!(!e.retryable);
        let e = Anthropic::http_error(
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
        assert_eq!(Anthropic::rate_limit(&h), None);
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
            Anthropic::rate_limit(&h),
            Some(RateLimitInfo {
                remaining_requests: Some(49),
                remaining_tokens: Some(39_000),
                reset_requests: None,
                reset_tokens: Some("2026-05-01T12:00:30Z".into()),
            })
        );
    }
}
