//! OpenAI Responses (`POST {base}/responses`).
//!
//! The pieces: [`build_body`] shapes the request (history as `input`, instructions apart,
//! reasoning with a summary, `store: false`); [`EventParser`] turns SSE events into stream
//! events; [`parse_response`] reads a non-streamed answer; [`run_turn`] names the URL, key
//! and parsers for the shared exchange (`api::http`, with the Chat Completions error
//! reading), which keeps the contract of `api::run_turn`: events in server order, usage and
//! tool calls before the terminal event, exactly one terminal event, last, and no panic on
//! anything received. Every wait on the server (headers, an error body, each piece of the
//! stream) is bounded by the idle timeout.

mod body;
mod response;
mod stream;
mod wire;

pub use body::build_body;
pub use response::parse_response;
pub use stream::EventParser;

use super::openai_chat::{http_error, rate_limit};
use super::{ApiError, ChatRequest, Endpoint, StreamEvent, http, sse};
use futures_util::Stream;
use std::time::Duration;

/// Run one turn (see the module docs for the contract). Cancel by dropping the future.
pub async fn run_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    request: &ChatRequest,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) {
    let url = http::url(endpoint, "responses");
    let body = build_body(request, request.quirks.can_stream);
    let mut builder = client.post(&url).json(&body);
    if let Some(key) = http::api_key(endpoint) {
        builder = builder.bearer_auth(key);
    }
    let wire = http::Wire {
        parser: EventParser::new(),
        rate_limit,
        http_error,
        streams: http::sse_or_asked,
        parse_whole: parse_response,
    };
    http::exchange(builder, &url, endpoint, request, wire, emit).await;
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
    sse::read_events(body, idle, &mut EventParser::new(), emit).await
}

/// A Responses stream that breaks off fails, whatever had come: the final event never came.
impl sse::StreamParser for EventParser {
    fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent> {
        self.feed_event(event, data)
    }

    fn fail(&mut self, error: ApiError) -> Vec<StreamEvent> {
        EventParser::fail(self, error)
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        EventParser::finish(self)
    }

    fn is_done(&self) -> bool {
        EventParser::is_done(self)
    }
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
