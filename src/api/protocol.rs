//! The one seam between the shared HTTP exchange and a wire protocol: [`Protocol`]. An API
//! (Chat Completions, Responses, Anthropic Messages) is a unit type implementing it; the
//! exchange (`api::exchange`), the retry layer and the model listing are generic over it.
//!
//! Invariants every implementation keeps (together they give the contract of
//! `api::run_turn`):
//! - [`Protocol::parser`] starts a fresh [`StreamParser`] that produces exactly one terminal
//!   event over its life, last, and [`Protocol::parse_whole`] returns events ending with
//!   exactly one terminal event, last;
//! - nothing here panics on anything the server sends: malformed input is a `Failed`;
//! - the body a turn sends is [`request_body`] (the one function the exchange and
//!   `api::request_body` both use).
//!
//! Layering: this module imports only `api`'s types, `api::errors`, `api::http` and
//! `api::sse`; the API modules import it, never the other way round.

use crate::api::errors;
use crate::api::http;
use crate::api::sse::StreamParser;
use crate::api::types::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent};
use reqwest::RequestBuilder;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// What one wire protocol brings to the shared exchange: where to send, how to sign, what
/// to send, and how to read what comes back. Every method is an associated function (an API
/// has no state of its own; a turn's state lives in its parser).
pub trait Protocol {
    /// The incremental parser of a streamed answer.
    type Parser: StreamParser + Send;

    /// The path of the turn endpoint under the base URL, e.g. `chat/completions`.
    const PATH: &'static str;

    /// The URL a turn is POSTed to.
    fn url(endpoint: &Endpoint) -> String {
        http::url(endpoint, Self::PATH)
    }

    /// Add the API's own headers (the key, when one is set, and any version header) to a
    /// request to `endpoint`. By default the key goes as a Bearer token.
    fn authorize(builder: RequestBuilder, endpoint: &Endpoint) -> RequestBuilder {
        match http::api_key(endpoint) {
            Some(key) => builder.bearer_auth(key),
            None => builder,
        }
    }

    /// The JSON body of `request`; `stream` asks for an SSE answer. Call it through
    /// [`request_body`], which decides `stream`.
    fn build_body(request: &ChatRequest, stream: bool) -> Value;

    /// A fresh parser for one streamed answer.
    fn parser() -> Self::Parser;

    /// The events of a whole, non-streamed answer body.
    fn parse_whole(body: &str) -> Vec<StreamEvent>;

    /// Rate-limit state from the response headers, when any is present. By default the
    /// `x-ratelimit-*` headers of OpenAI and the servers compatible with it.
    fn rate_limit(headers: &HeaderMap) -> Option<RateLimitInfo> {
        http::x_ratelimit(headers)
    }

    /// The error a non-2xx response (`status`, `body`) from `url` describes, with what the
    /// person can do about it.
    fn http_error(status: u16, body: &str, endpoint: &Endpoint, url: &str) -> ApiError {
        errors::http_error(status, body, endpoint, url)
    }

    /// Whether a 2xx body with this (lower-case) content type is an SSE stream, given
    /// whether one was asked for. By default: SSE when the server says so, or when a stream
    /// was asked for and the body is not JSON.
    fn streams(content_type: &str, asked: bool) -> bool {
        http::sse_or_asked(content_type, asked)
    }
}

/// The JSON body a turn sends in `P`'s protocol: streaming unless the model cannot stream.
pub fn request_body<P: Protocol>(request: &ChatRequest) -> Value {
    P::build_body(request, request.quirks.can_stream)
}

/// Test support: read `pieces` (each one read of the body), optionally ending with a
/// transport error, with `P`'s parser through the SSE reader the exchange uses; checks the
/// stream contract (exactly one terminal event, last).
#[cfg(test)]
pub(crate) async fn replay<P: Protocol>(pieces: &[&[u8]], broken: bool) -> Vec<StreamEvent> {
    let mut chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        pieces.iter().map(|p| Ok(p.to_vec())).collect();
    if broken {
        chunks.push(Err(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset,
        )));
    }
    let mut out = Vec::new();
    let mut parser = P::parser();
    crate::api::sse::read_events(
        futures_util::stream::iter(chunks),
        std::time::Duration::ZERO,
        crate::api::types::Limits::DEFAULT,
        &mut parser,
        &mut |e| out.push(e),
    )
    .await;
    assert_eq!(out.iter().filter(|e| e.is_terminal()).count(), 1, "{out:?}");
    assert!(out.last().is_some_and(StreamEvent::is_terminal), "{out:?}");
    out
}
