//! OpenAI Responses (`POST {base}/responses`).
//!
//! The pieces: [`build_body`] shapes the request (history as `input`, instructions apart,
//! reasoning with a summary, `store: false`); [`EventParser`] turns SSE events into stream
//! events; [`parse_response`] reads a non-streamed answer; [`run_turn`] does the HTTP the way
//! the Chat Completions client does (and shares its error helpers) and keeps the contract of
//! `api::run_turn`: events in server order, usage and tool calls before the terminal event,
//! exactly one terminal event, last, and no panic on anything received. Every wait on the
//! server (headers, an error body, each piece of the stream) is bounded by the idle timeout.

mod body;
mod response;
mod stream;
mod wire;

pub use body::build_body;
pub use response::parse_response;
pub use stream::EventParser;

use super::openai_chat::errors::{send_error, with_hint};
use super::openai_chat::{
    ERROR_BODY_LIMIT, body_error, parse_error_body, rate_limit, read_limited,
};
use super::{ApiError, ChatRequest, Endpoint, StreamEvent, retry, sse};
use eventsource_stream::EventStreamError;
use futures_util::{Stream, StreamExt};
use reqwest::header::CONTENT_TYPE;
use std::time::Duration;

/// Run one turn (see the module docs for the contract). Cancel by dropping the future.
pub async fn run_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let stream = request.quirks.can_stream;
    let url = format!("{}/responses", endpoint.base_url.trim_end_matches('/'));
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
        Some(Err(err)) => return emit(StreamEvent::Failed(send_error(&err, &endpoint.base_url))),
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
        let mut err = with_hint(parse_error_body(status.as_u16(), &body), endpoint, &url);
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
    // Some servers ignore `stream`; go by what was sent back.
    if content_type.contains("text/event-stream") || (stream && !content_type.contains("json")) {
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
/// the response's final event or at the first failure.
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
    let mut parser = EventParser::new();
    let mut events = Box::pin(sse::events_with_idle(body, idle));
    while let Some(item) = events.next().await {
        let out = match item {
            Ok(event) => parser.feed_event(&event.event, &event.data),
            Err(EventStreamError::Transport(sse::ReadError::Idle(idle))) => {
                parser.fail(sse::idle_error(idle))
            }
            Err(EventStreamError::Transport(sse::ReadError::Body(err))) => {
                parser.fail(body_error(&err))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FinishReason;
    use futures_util::stream;

    async fn events_of(pieces: &[&str], broken: bool) -> Vec<StreamEvent> {
        let mut chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            pieces.iter().map(|p| Ok(p.as_bytes().to_vec())).collect();
        if broken {
            chunks.push(Err(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            )));
        }
        let mut out = Vec::new();
        read_stream(stream::iter(chunks), &mut |e| out.push(e)).await;
        assert_eq!(out.iter().filter(|e| e.is_terminal()).count(), 1, "{out:?}");
        assert!(out.last().is_some_and(StreamEvent::is_terminal), "{out:?}");
        out
    }

    const DELTA: &str = "event: response.output_text.delta\n\
        data: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n";

    #[tokio::test]
    async fn framing_split_anywhere() {
        let body = format!(
            ": keep-alive\n\n{DELTA}event: response.completed\r\n\
             data: {{\"type\":\"response.completed\",\"response\":{{}}}}\r\n\r\n"
        );
        let pieces: Vec<String> = body
            .as_bytes()
            .chunks(5)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        assert_eq!(
            events_of(&pieces, false).await,
            [
                StreamEvent::TextDelta("Hi".into()),
                StreamEvent::Finished(FinishReason::Stop)
            ]
        );
    }

    #[tokio::test]
    async fn broken_and_ended_bodies_fail_retryably() {
        for broken in [true, false] {
            let got = events_of(&[DELTA], broken).await;
            let [StreamEvent::TextDelta(_), StreamEvent::Failed(e)] = &got[..] else {
                panic!("{got:?}")
            };
            assert!(
                e.retryable
                    && e.message
                        .starts_with(super::super::openai_chat::CLOSED_EARLY)
            );
        }
    }

    #[tokio::test]
    async fn error_event_without_type_uses_the_event_name() {
        let got = events_of(
            &["event: error\ndata: {\"message\":\"Overloaded\"}\n\n"],
            false,
        )
        .await;
        assert!(matches!(&got[..], [StreamEvent::Failed(e)] if e.message == "Overloaded"));
    }
}
