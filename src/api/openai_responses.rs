//! OpenAI Responses (`POST {base}/responses`).
//!
//! The pieces: [`build_body`] shapes the request (history as `input`, instructions apart,
//! reasoning with a summary, `store: false`); [`EventParser`] turns SSE events into stream
//! events; [`parse_response`] reads a non-streamed answer; [`Responses`] puts them together
//! as a [`Protocol`] for the shared exchange (`api::exchange`), with the defaults for the rest
//! (a Bearer key, `api::errors` reading error bodies, `x-ratelimit-*` headers). Together they
//! keep the contract of `api::run_turn`: events in server order, usage and tool calls before
//! the terminal event, exactly one terminal event, last, and no panic on anything received.

mod body;
mod response;
mod stream;
mod wire;

pub use body::build_body;
pub use response::parse_response;
pub use stream::EventParser;

use crate::api::protocol::Protocol;
use crate::api::types::{ChatRequest, StreamEvent};
use serde_json::Value;

/// The Responses protocol.
#[derive(Clone, Copy, Debug)]
pub struct Responses;

impl Protocol for Responses {
    type Parser = EventParser;
    const PATH: &'static str = "responses";

    fn build_body(request: &ChatRequest, stream: bool) -> Value {
        build_body(request, stream)
    }

    fn parser() -> EventParser {
        EventParser::new()
    }

    fn parse_whole(body: &str) -> Vec<StreamEvent> {
        parse_response(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::errors::CLOSED_EARLY;
    use crate::api::types::FinishReason;

    async fn events_of(pieces: &[&str], broken: bool) -> Vec<StreamEvent> {
        let pieces: Vec<&[u8]> = pieces.iter().map(|p| p.as_bytes()).collect();
        crate::api::protocol::replay::<Responses>(&pieces, broken).await
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
            assert!(e.retryable && e.message.starts_with(CLOSED_EARLY));
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
