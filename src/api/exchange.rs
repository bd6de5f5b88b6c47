//! The HTTP exchange every wire protocol shares, generic over [`Protocol`]: send the POST,
//! turn what came back into [`StreamEvent`]s. [`run_attempt`] is one attempt (the retry
//! layer runs it once per attempt); [`read_stream`] is how it reads a streamed body, and the
//! one way tests read one.
//!
//! Invariants, which together give the contract of `api::run_turn`:
//! - the body sent is `protocol::request_body`, signed by [`Protocol::authorize`], the
//!   endpoint's own headers added last;
//! - every wait on the server (response headers, an error body, a whole body, each piece of a
//!   stream) is bounded by the idle timeout; for a non-streaming request such a timeout is
//!   final, never retried (the server may still be working on it, and bill it);
//! - what is read is bounded by the endpoint's `Limits`: an error body by
//!   [`ERROR_BODY_LIMIT`], a whole body by `max_body_bytes`, a stream's events by
//!   `max_event_bytes`, the answer by `max_answer_bytes` (its text before the limit kept);
//! - rate-limit state, when the headers carry any, is emitted first;
//! - a non-2xx answer fails with the API's reading of its body, the `Retry-After` hints
//!   applied; a web page where the API should be fails as not retryable, naming the URL;
//! - whether the body is streamed goes by its content type, not by what was asked, since some
//!   servers ignore `stream`;
//! - exactly one terminal event, last, and no panic on anything received.
//!
//! Layering: below the retry layer, above the protocols' trait and the shared helpers; it
//! knows no API by name.

use crate::api::errors::{body_error, parse_error_body, send_error};
use crate::api::http::{WholeBodyError, read_limited, read_whole};
use crate::api::protocol::{Protocol, request_body};
use crate::api::retry::policy::apply_headers;
use crate::api::sse;
use crate::api::sse::limits::{AnswerBudget, body_too_large};
use crate::api::types::{ChatRequest, Endpoint, Limits, StreamEvent};
use futures_util::Stream;
use reqwest::header::CONTENT_TYPE;
use std::time::Duration;

/// Most bytes of an error response body that are read.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// One attempt at a turn in `P`'s protocol, without retries: emit what came back (see the
/// module docs). Cancel by dropping the future.
pub async fn run_attempt<P: Protocol>(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let url = P::url(endpoint);
    let mut builder = P::authorize(
        client.post(&url).json(&request_body::<P>(request)),
        endpoint,
    );
    for (name, value) in &endpoint.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let idle = sse::idle_timeout(endpoint, request);
    let streaming = request.quirks.can_stream;
    let response = match sse::within_idle(idle, builder.send()).await {
        Some(Ok(response)) => response,
        Some(Err(err)) => return emit(StreamEvent::Failed(send_error(&err, &endpoint.base_url))),
        None => return emit(StreamEvent::Failed(sse::no_response_error(idle, streaming))),
    };
    if let Some(info) = P::rate_limit(response.headers()) {
        emit(StreamEvent::RateLimit(info));
    }
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = read_body(response, idle).await;
        let mut err = P::http_error(status.as_u16(), &body, endpoint, &url);
        apply_headers(&mut err, &headers);
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
    let limits = endpoint.limits;
    if P::streams(&content_type, streaming) {
        read_stream::<P>(response.bytes_stream(), idle, limits, emit).await;
    } else {
        let whole = read_whole(response, limits.max_body_bytes);
        match sse::within_idle(idle, whole).await {
            Some(Ok(text)) => {
                AnswerBudget::new(limits.max_answer_bytes).pass(P::parse_whole(&text), emit)
            }
            Some(Err(WholeBodyError::Body(err))) => emit(StreamEvent::Failed(body_error(&err))),
            Some(Err(WholeBodyError::TooLarge)) => {
                emit(StreamEvent::Failed(body_too_large(limits.max_body_bytes)))
            }
            None if streaming => emit(StreamEvent::Failed(sse::idle_error(idle))),
            None => emit(StreamEvent::Failed(sse::no_response_error(idle, false))),
        }
    }
}

/// Read an SSE `body` with a fresh [`Protocol::parser`], emitting its events and ending with
/// exactly one terminal event; fail when no byte arrives for `idle` (zero: no limit) or a
/// limit of `limits` is passed. Stops reading once the parser is done.
pub async fn read_stream<P: Protocol>(
    body: impl Stream<Item = Result<impl AsRef<[u8]>, impl std::error::Error + 'static>>,
    idle: Duration,
    limits: Limits,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    sse::read_events(body, idle, limits, &mut P::parser(), emit).await
}

/// Up to [`ERROR_BODY_LIMIT`] bytes of the body, waiting no longer than `idle` for them.
async fn read_body(response: reqwest::Response, idle: Duration) -> String {
    sse::within_idle(idle, read_limited(response, ERROR_BODY_LIMIT))
        .await
        .unwrap_or_default()
}
