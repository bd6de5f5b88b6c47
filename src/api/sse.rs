//! Server-sent events over an HTTP body: bytes in, complete events out.
//!
//! Framing is `eventsource-stream`'s (it follows the HTML spec: `data:` lines joined with
//! `\n`, `:` comment lines such as keep-alives skipped, LF, CR and CRLF line ends, lines and
//! UTF-8 characters split across reads reassembled). This module adds one thing the spec
//! leaves out: when the body ends right after a complete line but without the blank line
//! that dispatches an event, that last event is still delivered. A line cut off mid-way by
//! the end of the body is never delivered, so a truncated JSON payload is not mistaken for a
//! complete one.

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt, stream};
use std::pin::Pin;

/// A piece of the body, or the blank lines added after a body that ended on a line end.
pub enum Piece<B> {
    Body(B),
    Tail,
}

impl<B: AsRef<[u8]>> AsRef<[u8]> for Piece<B> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Piece::Body(bytes) => bytes.as_ref(),
            Piece::Tail => b"\n\n",
        }
    }
}

/// The events of an SSE body, in order. Ends after the body ends or after its first error.
pub fn events<S, B, E>(body: S) -> impl Stream<Item = Result<Event, EventStreamError<E>>>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    with_tail(body).eventsource()
}

struct TailState<S> {
    body: Pin<Box<S>>,
    last_byte: Option<u8>,
    ended: bool,
}

/// The body, then `Piece::Tail` if its last byte ended a line.
fn with_tail<S, B, E>(body: S) -> impl Stream<Item = Result<Piece<B>, E>>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    let state = TailState {
        body: Box::pin(body),
        last_byte: None,
        ended: false,
    };
    stream::unfold(state, |mut st| async move {
        if st.ended {
            return None;
        }
        match st.body.next().await {
            Some(Ok(bytes)) => {
                if let Some(&b) = bytes.as_ref().last() {
                    st.last_byte = Some(b);
                }
                Some((Ok(Piece::Body(bytes)), st))
            }
            Some(Err(err)) => {
                st.ended = true;
                Some((Err(err), st))
            }
            None => {
                st.ended = true;
                let ended_on_line_end = matches!(st.last_byte, Some(b'\n' | b'\r'));
                ended_on_line_end.then_some((Ok(Piece::Tail), st))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn datas(pieces: &[&str]) -> Vec<String> {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            pieces.iter().map(|p| Ok(p.as_bytes().to_vec())).collect();
        let mut out = Vec::new();
        let mut events = Box::pin(events(stream::iter(chunks)));
        while let Some(item) = events.next().await {
            out.push(
                item.map(|e| e.data)
                    .unwrap_or_else(|e| format!("error: {e}")),
            );
        }
        out
    }

    #[tokio::test]
    async fn splits_comments_and_line_ends() {
        let got = datas(&[
            "da",
            "ta: {\"a\"",
            ":1}\r",
            "\n\r\n: keep-alive\n\n",
            "data: [DONE]\n\n",
        ])
        .await;
        assert_eq!(got, ["{\"a\":1}", "[DONE]"]);
    }

    #[tokio::test]
    async fn multibyte_characters_split_across_reads() {
        let text = "data: \u{00b0}C\n\n";
        let bytes = text.as_bytes();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            vec![Ok(bytes[..7].to_vec()), Ok(bytes[7..].to_vec())];
        let mut events = Box::pin(events(stream::iter(chunks)));
        let first = events.next().await.map(|r| r.map(|e| e.data).ok());
        assert_eq!(first, Some(Some("\u{00b0}C".to_string())));
    }

    #[tokio::test]
    async fn last_complete_line_is_delivered_without_blank_line() {
        assert_eq!(datas(&["data: a\n\ndata: b\n"]).await, ["a", "b"]);
        assert_eq!(datas(&["data: a\r\n\r\ndata: b\r\n"]).await, ["a", "b"]);
    }

    #[tokio::test]
    async fn a_line_cut_mid_way_is_dropped() {
        assert_eq!(datas(&["data: a\n\ndata: {\"trunc"]).await, ["a"]);
        assert!(datas(&[]).await.is_empty());
    }
}
