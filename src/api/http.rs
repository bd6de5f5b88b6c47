//! The HTTP exchange every wire protocol shares: send the POST, turn what came back into
//! [`StreamEvent`]s. Each API module brings only what is its own (URL, auth, body, error-body
//! reading, rate-limit headers, parsers) in a [`Wire`].
//!
//! Invariants, which together give the contract of `api::run_turn`:
//! - every wait on the server (response headers, an error body, a whole body, each piece of a
//!   stream) is bounded by the idle timeout;
//! - rate-limit state, when the headers carry any, is emitted first;
//! - a non-2xx answer fails with the API's reading of its body, the `Retry-After` hints
//!   applied; a web page where the API should be fails as not retryable, naming the URL;
//! - whether the body is streamed goes by its content type, not by what was asked, since some
//!   servers ignore `stream`;
//! - exactly one terminal event, last, and no panic on anything received.

use super::openai_chat::errors::{parse_error_body, root_cause, send_error};
use super::openai_chat::stream::CLOSED_EARLY;
use super::{ApiError, ChatRequest, Endpoint, RateLimitInfo, StreamEvent, retry, sse};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use std::time::Duration;

/// Most bytes of an error response body that are read.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// What one API brings to the shared exchange.
pub struct Wire<P> {
    /// The parser of a streamed body.
    pub parser: P,
    /// Rate-limit state from the response headers, when any is present.
    pub rate_limit: fn(&HeaderMap) -> Option<RateLimitInfo>,
    /// The error a non-2xx response describes: status, body, endpoint, URL.
    pub http_error: fn(u16, &str, &Endpoint, &str) -> ApiError,
    /// Whether a 2xx body with this (lower-case) content type is an SSE stream, given
    /// whether one was asked for.
    pub streams: fn(&str, bool) -> bool,
    /// The events of a whole, non-streamed body.
    pub parse_whole: fn(&str) -> Vec<StreamEvent>,
}

/// `{base}/{path}`, with no doubled slash.
pub fn url(endpoint: &Endpoint, path: &str) -> String {
    format!("{}/{path}", endpoint.base_url.trim_end_matches('/'))
}

/// The endpoint's API key, when one is set and not empty.
pub fn api_key(endpoint: &Endpoint) -> Option<&str> {
    endpoint.api_key.as_deref().filter(|k| !k.is_empty())
}

/// Streamed when the server says SSE, or when a stream was asked for and the body is not
/// JSON.
pub fn sse_or_asked(content_type: &str, asked: bool) -> bool {
    content_type.contains("text/event-stream") || (asked && !content_type.contains("json"))
}

/// Streamed unless the body is JSON and not SSE, whatever was asked.
pub fn sse_unless_json(content_type: &str, _asked: bool) -> bool {
    !content_type.contains("json") || content_type.contains("event-stream")
}

/// Send `builder` (a POST to `url` with the body and the API's auth; the endpoint's own
/// headers are added here) and emit what came back (see the module docs).
pub async fn exchange<P: sse::StreamParser>(
    builder: reqwest::RequestBuilder,
    url: &str,
    endpoint: &Endpoint,
    request: &ChatRequest,
    mut wire: Wire<P>,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let mut builder = builder;
    for (name, value) in &endpoint.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let idle = sse::idle_timeout(endpoint, request);
    let response = match sse::within_idle(idle, builder.send()).await {
        Some(Ok(response)) => response,
        Some(Err(err)) => return emit(StreamEvent::Failed(send_error(&err, &endpoint.base_url))),
        None => return emit(StreamEvent::Failed(sse::no_response_error(idle))),
    };
    if let Some(info) = (wire.rate_limit)(response.headers()) {
        emit(StreamEvent::RateLimit(info));
    }
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = read_body(response, idle).await;
        let mut err = (wire.http_error)(status.as_u16(), &body, endpoint, url);
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
        let page = read_body(response, idle).await;
        let mut err = parse_error_body(status.as_u16(), &page);
        err.message = format!(
            "{url} answered with a web page, not the API ({}): is the base URL right?",
            err.message
        );
        (err.status, err.retryable) = (None, false);
        return emit(StreamEvent::Failed(err));
    }
    if (wire.streams)(&content_type, request.quirks.can_stream) {
        sse::read_events(response.bytes_stream(), idle, &mut wire.parser, emit).await;
    } else {
        match sse::within_idle(idle, response.text()).await {
            Some(Ok(text)) => (wire.parse_whole)(&text).into_iter().for_each(&mut *emit),
            Some(Err(err)) => emit(StreamEvent::Failed(body_error(&err))),
            None => emit(StreamEvent::Failed(sse::idle_error(idle))),
        }
    }
}

/// Up to [`ERROR_BODY_LIMIT`] bytes of the body, waiting no longer than `idle` for them.
async fn read_body(response: reqwest::Response, idle: Duration) -> String {
    sse::within_idle(idle, read_limited(response, ERROR_BODY_LIMIT))
        .await
        .unwrap_or_default()
}

/// The error for a body that broke off while being read.
pub fn body_error(err: &(dyn std::error::Error + 'static)) -> ApiError {
    let message = format!("{CLOSED_EARLY} ({})", root_cause(err));
    ApiError {
        message,
        retryable: true,
        ..Default::default()
    }
}

/// Up to `limit` bytes of the body as text; whatever arrived if the body breaks off.
pub async fn read_limited(mut response: reqwest::Response, limit: usize) -> String {
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
