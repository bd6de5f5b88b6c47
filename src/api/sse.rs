//! Server-sent events over an HTTP body: bytes in, complete events out; and the idle-stream
//! timeout that ends a body (or a wait for response headers) when the server goes silent.
//!
//! Framing is `eventsource-stream`'s (it follows the HTML spec: `data:` lines joined with
//! `\n`, `:` comment lines such as keep-alives skipped, LF, CR and CRLF line ends, lines and
//! UTF-8 characters split across reads reassembled). This module adds one thing the spec
//! leaves out: when the body ends right after a complete line but without the blank line
//! that dispatches an event, that last event is still delivered. A line cut off mid-way by
//! the end of the body is never delivered, so a truncated JSON payload is not mistaken for a
//! complete one.
//!
//! Idle timeout: [`events_with_idle`] ends the events with [`ReadError::Idle`] when no byte
//! arrives for the given time (keep-alive comments count as bytes: the server is alive), and
//! [`within_idle`] bounds any other wait (response headers, an error body) the same way. A
//! zero duration means no limit. Time is tokio's, so tests drive it with a paused clock.
//!
//! Parsing: [`read_events`] is the one loop every API's stream goes through. It feeds each
//! event to the API's [`StreamParser`], hands a silent or broken body to
//! [`StreamParser::interrupted`] and malformed framing to [`StreamParser::fail`], stops once
//! the parser is done, and asks it to [`finish`](StreamParser::finish) when the body ends.
//!
//! Layering: this module knows no API; it imports only `api`'s types and `api::errors`.

use crate::api::errors::body_error;
use crate::api::types::{ApiError, ChatRequest, Endpoint, StreamEvent};
use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt, stream};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long a stream may stay silent by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a stream may stay silent for a model the catalog marks slow (deep reasoning).
pub const SLOW_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// The idle timeout of one request: the endpoint's own when set, else the default for the
/// model (longer for slow ones).
pub fn idle_timeout(endpoint: &Endpoint, request: &ChatRequest) -> Duration {
    match endpoint.idle_timeout {
        Some(idle) => idle,
        None if request.quirks.slow => SLOW_IDLE_TIMEOUT,
        None => DEFAULT_IDLE_TIMEOUT,
    }
}

/// `fut`'s output, or `None` when it took longer than `idle` (zero: no limit).
pub async fn within_idle<F: Future>(idle: Duration, fut: F) -> Option<F::Output> {
    if idle.is_zero() {
        Some(fut.await)
    } else {
        tokio::time::timeout(idle, fut).await.ok()
    }
}

/// Why reading the body stopped: the body's own error, or silence for too long.
#[derive(Debug)]
pub enum ReadError<E> {
    Body(E),
    /// No byte arrived for this long.
    Idle(Duration),
}

impl<E: fmt::Display> fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Body(err) => err.fmt(f),
            ReadError::Idle(idle) => f.write_str(&idle_message(*idle)),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for ReadError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Body(err) => Some(err),
            ReadError::Idle(_) => None,
        }
    }
}

fn idle_message(idle: Duration) -> String {
    format!(
        "no data from the server for {}; the stream was ended",
        seconds(idle)
    )
}

/// The failure of a stream that went silent for `idle` (retryable: the retry layer still
/// retries it only when no output had come).
pub fn idle_error(idle: Duration) -> ApiError {
    ApiError {
        retryable: true,
        ..ApiError::message(idle_message(idle))
    }
}

/// The failure of a request whose response (headers or error body) did not come within
/// `idle`.
pub fn no_response_error(idle: Duration) -> ApiError {
    ApiError {
        retryable: true,
        ..ApiError::message(format!(
            "no data from the server for {}; no response came, the request was abandoned",
            seconds(idle)
        ))
    }
}

/// `d` for people: `120 s`, `1.5 s`, `250 ms`.
pub fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// An API's incremental parser of a streamed answer: events in, [`StreamEvent`]s out, with
/// exactly one terminal event over its life, last.
pub trait StreamParser {
    /// One SSE event: its name (`message` when unnamed) and its data.
    fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent>;
    /// The body went silent or broke off with `error` (by default: fail with it).
    fn interrupted(&mut self, error: ApiError) -> Vec<StreamEvent> {
        self.fail(error)
    }
    /// End the stream with `error`.
    fn fail(&mut self, error: ApiError) -> Vec<StreamEvent>;
    /// The body ended.
    fn finish(&mut self) -> Vec<StreamEvent>;
    /// True once the terminal event has been produced.
    fn is_done(&self) -> bool;
}

/// Parse an SSE body with `parser`, emitting its events, ending with exactly one terminal
/// event; fail when no byte arrives for `idle` (zero: no limit). Stops reading once the
/// parser is done.
pub async fn read_events<S, B, E, P>(
    body: S,
    idle: Duration,
    parser: &mut P,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::error::Error + 'static,
    P: StreamParser + ?Sized,
{
    let mut events = Box::pin(events_with_idle(body, idle));
    while let Some(item) = events.next().await {
        let out = match item {
            Ok(event) => parser.feed(&event.event, &event.data),
            Err(EventStreamError::Transport(ReadError::Idle(idle))) => {
                parser.interrupted(idle_error(idle))
            }
            Err(EventStreamError::Transport(ReadError::Body(err))) => {
                parser.interrupted(body_error(&err))
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

/// Like [`events`], but the events end with `Transport(ReadError::Idle(idle))` when no byte
/// arrives for `idle` (zero: no limit).
pub fn events_with_idle<S, B, E>(
    body: S,
    idle: Duration,
) -> impl Stream<Item = Result<Event, EventStreamError<ReadError<E>>>>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    with_tail(idle_guard(body, idle)).eventsource()
}

/// The body's pieces, ending with `ReadError::Idle` after `idle` of silence.
fn idle_guard<S, B, E>(body: S, idle: Duration) -> impl Stream<Item = Result<B, ReadError<E>>>
where
    S: Stream<Item = Result<B, E>>,
{
    stream::unfold(Some(Box::pin(body)), move |state| async move {
        let mut body = state?;
        match within_idle(idle, body.next()).await {
            None => Some((Err(ReadError::Idle(idle)), None)),
            Some(Some(Ok(bytes))) => Some((Ok(bytes), Some(body))),
            Some(Some(Err(err))) => Some((Err(ReadError::Body(err)), None)),
            Some(None) => None,
        }
    })
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

    /// `first`, then silence for `silence` (tokio time), then `[DONE]`, read with `idle`.
    async fn with_silence(silence: Duration, idle: Duration) -> Vec<String> {
        let first = stream::iter([Ok::<_, std::io::Error>(b"data: a\n\n".to_vec())]);
        let late = stream::once(async move {
            tokio::time::sleep(silence).await;
            Ok(b"data: [DONE]\n\n".to_vec())
        });
        let mut events = Box::pin(events_with_idle(first.chain(late), idle));
        let mut out = Vec::new();
        while let Some(item) = events.next().await {
            out.push(match item {
                Ok(e) => e.data,
                Err(EventStreamError::Transport(e @ ReadError::Idle(_))) => e.to_string(),
                Err(e) => format!("other error: {e}"),
            });
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn silence_longer_than_idle_ends_the_stream() {
        let start = tokio::time::Instant::now();
        let got = with_silence(Duration::from_secs(200), Duration::from_secs(120)).await;
        assert_eq!(
            got,
            [
                "a",
                "no data from the server for 120 s; the stream was ended"
            ]
        );
        assert_eq!(start.elapsed(), Duration::from_secs(120));
    }

    #[tokio::test(start_paused = true)]
    async fn silence_shorter_than_idle_or_no_limit_is_fine() {
        let got = with_silence(Duration::from_secs(119), Duration::from_secs(120)).await;
        assert_eq!(got, ["a", "[DONE]"]);
        let got = with_silence(Duration::from_secs(3600), Duration::ZERO).await;
        assert_eq!(got, ["a", "[DONE]"]);
    }

    #[tokio::test(start_paused = true)]
    async fn within_idle_bounds_a_wait() {
        let slow = tokio::time::sleep(Duration::from_secs(5));
        assert_eq!(within_idle(Duration::from_secs(1), slow).await, None);
        let quick = async { 7 };
        assert_eq!(within_idle(Duration::from_secs(1), quick).await, Some(7));
        let slow = tokio::time::sleep(Duration::from_secs(5));
        assert_eq!(within_idle(Duration::ZERO, slow).await, Some(()));
    }

    #[test]
    fn idle_timeout_defaults_and_messages() {
        let mut endpoint = Endpoint {
            provider: "p".into(),
            api: crate::api::types::ApiKind::Chat,
            base_url: "http://127.0.0.1:1".into(),
            api_key: None,
            key_hint: None,
            headers: Vec::new(),
            max_attempts: 1,
            idle_timeout: None,
        };
        let mut request = ChatRequest {
            model: "m".into(),
            system: None,
            messages: Vec::new(),
            effort: None,
            max_output_tokens: None,
            model_max_output: None,
            quirks: Default::default(),
        };
        assert_eq!(idle_timeout(&endpoint, &request), DEFAULT_IDLE_TIMEOUT);
        request.quirks.slow = true;
        assert_eq!(idle_timeout(&endpoint, &request), SLOW_IDLE_TIMEOUT);
        endpoint.idle_timeout = Some(Duration::from_secs(30));
        assert_eq!(idle_timeout(&endpoint, &request), Duration::from_secs(30));
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
        let e = no_response_error(Duration::from_secs(600));
        assert!(e.retryable && e.message.starts_with("no data from the server for 600 s"));
        assert!(idle_error(Duration::from_secs(2)).retryable);
    }

    #[tokio::test]
    async fn a_line_cut_mid_way_is_dropped() {
        assert_eq!(datas(&["data: a\n\ndata: {\"trunc"]).await, ["a"]);
        assert!(datas(&[]).await.is_empty());
    }
}
