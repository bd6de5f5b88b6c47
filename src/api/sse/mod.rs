//! Server-sent events over an HTTP body: bytes in, complete events out, fed to an API's
//! parser; and the idle-stream timeout that ends a body (or a wait for response headers)
//! when the server goes silent.
//!
//! Framing is [`framer`]'s: the HTML spec's (`data:` lines joined with `\n`, `:` comment
//! lines such as keep-alives skipped, LF, CR and CRLF line ends, lines and UTF-8 characters
//! split across reads reassembled, `event:` names, a leading BOM dropped), in time linear in
//! the bytes received. It adds one thing the spec leaves out: when the body ends right after
//! a complete line but without the blank line that dispatches an event, that last event is
//! still delivered. A line cut off mid-way by the end of the body is never delivered, so a
//! truncated JSON payload is not mistaken for a complete one.
//!
//! Idle timeout: [`read_events`] ends the events with [`idle_error`] when no byte arrives for
//! the given time (keep-alive comments count as bytes: the server is alive), and
//! [`within_idle`] bounds any other wait (response headers, an error body) the same way. A
//! zero duration means no limit. Time is tokio's, so tests drive it with a paused clock. A
//! timeout before any output is retried for a streaming request; for a non-streaming one it
//! is final ([`no_response_error`]): the server may still be working on it, and bill it.
//!
//! Memory: what one answer may make us hold is bounded by the endpoint's
//! [`Limits`](crate::api::Limits) — one event (the framer's limit), the answer's text and
//! what the parser holds back ([`limits::AnswerBudget`]); passing one ends the stream with an
//! error that names the limit, the text before it kept.
//!
//! Parsing: [`read_events`] is the one loop every API's stream goes through. It feeds each
//! event to the API's [`StreamParser`], hands a silent or broken body to
//! [`StreamParser::interrupted`] and a limit passed to [`StreamParser::fail`], stops once
//! the parser is done, and asks it to [`finish`](StreamParser::finish) when the body ends.
//!
//! Layering: this module knows no API; it imports only `api`'s types and `api::errors`.

pub mod framer;
pub mod limits;

use crate::api::errors::body_error;
use crate::api::types::{ApiError, ChatRequest, Endpoint, Limits, StreamEvent};
use framer::Framer;
use futures_util::{Stream, StreamExt};
use limits::AnswerBudget;
use std::future::Future;
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

/// The failure of a request whose response (headers, or a whole body) did not come within
/// `idle`. Retryable for a `streaming` request (a stream that has not begun has cost
/// nothing); final for a non-streaming one, which the server may still be working on and may
/// bill: the person decides whether to send it again.
pub fn no_response_error(idle: Duration, streaming: bool) -> ApiError {
    let mut message = format!(
        "no data from the server for {}; no response came, the request was abandoned",
        seconds(idle)
    );
    if !streaming {
        // Shown by `ask` and the TUI alike: how to send it again is theirs to say.
        message.push_str(" (not retried automatically: the server may still finish and bill it)");
    }
    ApiError {
        retryable: streaming,
        ..ApiError::message(message)
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
    /// Bytes of the answer held back, not emitted yet (tool-call fragments, text that may be
    /// part of a tag): they count against the answer's limit.
    fn held(&self) -> usize {
        0
    }
}

/// Parse an SSE body with `parser`, emitting its events, ending with exactly one terminal
/// event; fail when no byte arrives for `idle` (zero: no limit) or when a limit of `limits`
/// is passed (see the module docs). Stops reading once the parser is done.
pub async fn read_events<S, B, E, P>(
    body: S,
    idle: Duration,
    limits: Limits,
    parser: &mut P,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::error::Error + 'static,
    P: StreamParser + ?Sized,
{
    let mut body = std::pin::pin!(body);
    let mut framer = Framer::new(limits.max_event_bytes);
    let mut budget = AnswerBudget::new(limits.max_answer_bytes);
    let mut events = Vec::new();
    loop {
        let framed = match within_idle(idle, body.next()).await {
            Some(Some(Ok(bytes))) => framer.push(bytes.as_ref(), &mut events),
            Some(Some(Err(err))) => {
                return budget.pass(parser.interrupted(body_error(&err)), emit);
            }
            Some(None) => break,
            None => return budget.pass(parser.interrupted(idle_error(idle)), emit),
        };
        for event in events.drain(..) {
            if feed(parser, &mut budget, &event, emit) {
                return;
            }
        }
        if let Err(too_large) = framed {
            return budget.pass(parser.fail(limits::event_too_large(too_large.limit)), emit);
        }
    }
    if let Some(event) = framer.finish()
        && feed(parser, &mut budget, &event, emit)
    {
        return;
    }
    budget.pass(parser.finish(), emit);
}

/// Feed one event to `parser` and pass what it says through `budget`, failing the stream
/// when the answer passes the limit; true once the parser is done.
fn feed<P: StreamParser + ?Sized>(
    parser: &mut P,
    budget: &mut AnswerBudget,
    event: &framer::Event,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) -> bool {
    budget.pass(parser.feed(&event.event, &event.data), emit);
    if !parser.is_done() && budget.holds_too_much(parser.held()) {
        budget.pass(parser.fail(budget.error()), emit);
    }
    parser.is_done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::FinishReason;
    use futures_util::stream;

    /// A parser that says each event's data as answer text, and finishes at the end.
    #[derive(Default)]
    struct Echo {
        done: bool,
        held: usize,
    }

    impl StreamParser for Echo {
        fn feed(&mut self, event: &str, data: &str) -> Vec<StreamEvent> {
            self.held += data.len();
            vec![StreamEvent::TextDelta(format!("{event}:{data};"))]
        }
        fn fail(&mut self, error: ApiError) -> Vec<StreamEvent> {
            self.done = true;
            vec![StreamEvent::Failed(error)]
        }
        fn finish(&mut self) -> Vec<StreamEvent> {
            self.done = true;
            vec![StreamEvent::Finished(FinishReason::Stop)]
        }
        fn is_done(&self) -> bool {
            self.done
        }
        fn held(&self) -> usize {
            self.held
        }
    }

    /// What `read_events` says of `body` with `limits`, as text: the answer, then how it ended.
    async fn read<S, E>(body: S, idle: Duration, limits: Limits) -> (String, String)
    where
        S: Stream<Item = Result<Vec<u8>, E>>,
        E: std::error::Error + 'static,
    {
        let mut out = Vec::new();
        read_events(body, idle, limits, &mut Echo::default(), &mut |e| {
            out.push(e)
        })
        .await;
        assert_eq!(out.iter().filter(|e| e.is_terminal()).count(), 1, "{out:?}");
        let mut text = String::new();
        let mut end = String::new();
        for e in out {
            match e {
                StreamEvent::TextDelta(t) => text.push_str(&t),
                StreamEvent::Finished(_) => end = "finished".into(),
                StreamEvent::Failed(e) => end = e.message,
                other => panic!("{other:?}"),
            }
        }
        (text, end)
    }

    fn body(pieces: &[&str]) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + use<> {
        let chunks: Vec<_> = pieces.iter().map(|p| Ok(p.as_bytes().to_vec())).collect();
        stream::iter(chunks)
    }

    #[tokio::test]
    async fn events_reach_the_parser_and_the_body_end_finishes_it() {
        let got = read(
            body(&[
                "da",
                "ta: {\"a\"",
                ":1}\r",
                "\n\r\n: keep-alive\n\n",
                "event: x\ndata: b\n",
            ]),
            Duration::ZERO,
            Limits::DEFAULT,
        )
        .await;
        assert_eq!(got, ("message:{\"a\":1};x:b;".into(), "finished".into()));
        let got = read(
            body(&["data: a\n\ndata: {\"trunc"]),
            Duration::ZERO,
            Limits::DEFAULT,
        )
        .await;
        assert_eq!(got, ("message:a;".into(), "finished".into()));
    }

    #[tokio::test]
    async fn a_broken_body_interrupts_the_parser() {
        let chunks = vec![
            Ok(b"data: a\n\n".to_vec()),
            Err(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
        ];
        let (text, end) = read(stream::iter(chunks), Duration::ZERO, Limits::DEFAULT).await;
        assert_eq!(text, "message:a;");
        assert!(end.starts_with(crate::api::errors::CLOSED_EARLY), "{end}");
    }

    #[tokio::test]
    async fn an_event_past_its_limit_ends_the_stream_after_the_ones_before() {
        let limits = Limits {
            max_event_bytes: 16,
            ..Limits::DEFAULT
        };
        let (text, end) = read(
            body(&["data: ok\n\ndata: 0123456789abcdef\n\ndata: never\n\n"]),
            Duration::ZERO,
            limits,
        )
        .await;
        assert_eq!(text, "message:ok;");
        assert_eq!(end, limits::event_too_large(16).message);
    }

    #[tokio::test]
    async fn an_answer_past_its_limit_is_cut_and_fails() {
        let limits = Limits {
            max_answer_bytes: 20,
            ..Limits::DEFAULT
        };
        let (text, end) = read(
            body(&["data: 12345\n\ndata: 67890\n\ndata: never\n\n"]),
            Duration::ZERO,
            limits,
        )
        .await;
        assert_eq!(text, "message:12345;messag");
        assert_eq!(end, limits::answer_too_large(20).message);
    }

    #[tokio::test]
    async fn what_the_parser_holds_back_counts_against_the_answer_limit() {
        let limits = Limits {
            max_answer_bytes: 28,
            ..Limits::DEFAULT
        };
        // Each event says 12 bytes and holds 3 more: 12 + 3, then 24 + 6 = 30 > 28.
        let (text, end) = read(
            body(&["data: abc\n\ndata: def\n\ndata: ghi\n\n"]),
            Duration::ZERO,
            limits,
        )
        .await;
        assert_eq!(text, "message:abc;message:def;");
        assert_eq!(end, limits::answer_too_large(28).message);
    }

    /// `data: a`, then silence for `silence` (tokio time), then `data: b`, read with `idle`.
    async fn with_silence(silence: Duration, idle: Duration) -> (String, String) {
        let first = stream::iter([Ok::<_, std::io::Error>(b"data: a\n\n".to_vec())]);
        let late = stream::once(async move {
            tokio::time::sleep(silence).await;
            Ok(b"data: b\n\n".to_vec())
        });
        read(first.chain(late), idle, Limits::DEFAULT).await
    }

    #[tokio::test(start_paused = true)]
    async fn silence_longer_than_idle_ends_the_stream() {
        let start = tokio::time::Instant::now();
        let got = with_silence(Duration::from_secs(200), Duration::from_secs(120)).await;
        assert_eq!(
            got,
            (
                "message:a;".into(),
                "no data from the server for 120 s; the stream was ended".into()
            )
        );
        assert_eq!(start.elapsed(), Duration::from_secs(120));
    }

    #[tokio::test(start_paused = true)]
    async fn silence_shorter_than_idle_or_no_limit_is_fine() {
        let both = ("message:a;message:b;".to_string(), "finished".to_string());
        let got = with_silence(Duration::from_secs(119), Duration::from_secs(120)).await;
        assert_eq!(got, both);
        let got = with_silence(Duration::from_secs(3600), Duration::ZERO).await;
        assert_eq!(got, both);
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
            limits: Limits::DEFAULT,
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
        let e = no_response_error(Duration::from_secs(600), true);
        assert!(e.retryable && e.message.starts_with("no data from the server for 600 s"));
        assert!(idle_error(Duration::from_secs(2)).retryable);
    }

    #[test]
    fn a_non_streaming_request_that_timed_out_is_final_and_says_why() {
        let e = no_response_error(Duration::from_secs(600), false);
        assert!(!e.retryable);
        assert!(crate::api::retry::policy::should_retry(&no_response_error(
            Duration::ZERO,
            true
        )));
        assert!(!crate::api::retry::policy::should_retry(&e));
        assert!(
            e.message.contains("may still finish and bill it"),
            "{}",
            e.message
        );
        // The message reaches `ask` and the TUI alike: it names no key of either.
        assert!(!e.message.contains("Alt+R"), "{}", e.message);
        assert!(e.message.ends_with("bill it)"), "{}", e.message);
    }
}
