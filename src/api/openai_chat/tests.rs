//! Stream tests through the SSE reader with the protocol's parser, as the exchange reads a
//! stream (`sse::read_events` with `Chat::parser()`): bytes split anywhere in, events out.

use super::*;
use crate::api::errors::CLOSED_EARLY;
use crate::api::sse::read_events;
use crate::api::types::{FinishReason, Limits, RateLimitInfo, StreamEvent};
use crate::usage::Usage;
use futures_util::{StreamExt, stream};
use reqwest::header::{HeaderMap, HeaderValue};
use std::time::Duration;

/// Read `pieces` (each one read), optionally ending with a transport error.
async fn events_of(pieces: &[&[u8]], broken: bool) -> Vec<StreamEvent> {
    crate::api::protocol::replay::<Chat>(pieces, broken).await
}

fn text_of(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|e| {
            if let StreamEvent::TextDelta(t) = e {
                Some(t.as_str())
            } else {
                None
            }
        })
        .collect()
}

const STREAM: &str = concat!(
    ": OPENROUTER PROCESSING\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"Think.\"}}]}\n\n",
    ": keep-alive\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello, \"}}]}\r\n\r\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\u{00f6}rld\"}}]}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":9,",
    "\"completion_tokens_details\":{\"reasoning_tokens\":4}}}\n\n",
    "data: [DONE]\n\n",
);

fn expected() -> Vec<StreamEvent> {
    vec![
        StreamEvent::ReasoningDelta("Think.".into()),
        StreamEvent::TextDelta("Hello, ".into()),
        StreamEvent::TextDelta("w\u{00f6}rld".into()),
        StreamEvent::Usage(Usage {
            input: 7,
            output: 9,
            reasoning: 4,
            ..Default::default()
        }),
        StreamEvent::Finished(FinishReason::Stop),
    ]
}

#[tokio::test]
async fn whole_stream_in_one_read() {
    assert_eq!(events_of(&[STREAM.as_bytes()], false).await, expected());
}

#[tokio::test]
async fn stream_split_at_every_size() {
    let bytes = STREAM.as_bytes();
    for size in 1..40 {
        let pieces: Vec<&[u8]> = bytes.chunks(size).collect();
        assert_eq!(
            events_of(&pieces, false).await,
            expected(),
            "pieces of {size}"
        );
    }
}

#[tokio::test]
async fn stream_split_mid_line_at_every_point() {
    let bytes = STREAM.as_bytes();
    for at in 1..bytes.len() {
        assert_eq!(
            events_of(&[&bytes[..at], &bytes[at..]], false).await,
            expected(),
            "split at {at}"
        );
    }
}

#[tokio::test]
async fn missing_done_after_finish_is_fine() {
    let without_done = STREAM.trim_end_matches("data: [DONE]\n\n");
    assert_eq!(
        events_of(&[without_done.as_bytes()], false).await,
        expected()
    );
}

#[tokio::test]
async fn missing_usage_is_fine() {
    let got = events_of(
        &[b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"],
        false,
    )
    .await;
    assert_eq!(
        got,
        [
            StreamEvent::TextDelta("a".into()),
            StreamEvent::Finished(FinishReason::Stop)
        ]
    );
}

#[tokio::test]
async fn cut_before_finish_keeps_text_and_fails_retryably() {
    let got = events_of(
        &[b"data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\ndata: {\"choi"],
        false,
    )
    .await;
    assert_eq!(text_of(&got), "par");
    let Some(StreamEvent::Failed(e)) = got.last() else {
        panic!("{got:?}")
    };
    assert_eq!((e.message.as_str(), e.retryable), (CLOSED_EARLY, true));
}

#[tokio::test]
async fn transport_error_mid_stream() {
    let got = events_of(
        &[b"data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n"],
        true,
    )
    .await;
    let Some(StreamEvent::Failed(e)) = got.last() else {
        panic!("{got:?}")
    };
    assert!(
        e.retryable && e.message.contains("closed before the answer finished"),
        "{}",
        e.message
    );
    assert!(e.message.contains("connection reset"), "{}", e.message);
}

#[tokio::test]
async fn garbage_line_fails_and_later_events_are_dropped() {
    let got = events_of(
        &[
            b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
            b"data: <html>oops</html>\n\n",
            b"data: {\"choices\":[{\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
        ],
        false,
    )
    .await;
    assert_eq!(text_of(&got), "a");
    assert!(
        matches!(got.last(), Some(StreamEvent::Failed(e)) if e.message.contains("<html>oops</html>"))
    );
}

#[tokio::test]
async fn non_data_lines_are_ignored() {
    let got =
        events_of(&[b"id: 1\nretry: 10\nfoo\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n"], false)
            .await;
    assert_eq!(
        got,
        [
            StreamEvent::TextDelta("a".into()),
            StreamEvent::Finished(FinishReason::Stop)
        ]
    );
}

#[tokio::test]
async fn error_events() {
    let got = events_of(
        &[b"data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n"],
        false,
    )
    .await;
    assert!(
        matches!(&got[..], [StreamEvent::Failed(e)] if e.message == "Overloaded" && e.retryable)
    );
    let got = events_of(&[b"event: error\ndata: upstream went away\n\n"], false).await;
    assert!(matches!(&got[..], [StreamEvent::Failed(e)] if e.message == "upstream went away"));
}

#[tokio::test]
async fn think_tags_split_across_reads() {
    let body = concat!(
        "data: {\"choices\":[{\"delta\":{\"content\":\"<thi\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"nk>Hmm</thi\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"nk>\\n\\nYes\"},\"finish_reason\":\"stop\"}]}\n\n",
    );
    let pieces: Vec<&[u8]> = body.as_bytes().chunks(5).collect();
    let got = events_of(&pieces, false).await;
    assert_eq!(
        got,
        [
            StreamEvent::ReasoningDelta("Hmm".into()),
            StreamEvent::TextDelta("Yes".into()),
            StreamEvent::Finished(FinishReason::Stop)
        ]
    );
}

#[test]
fn rate_limit_headers() {
    let mut h = HeaderMap::new();
    assert_eq!(Chat::rate_limit(&h), None);
    h.insert(
        "x-ratelimit-remaining-requests",
        HeaderValue::from_static("59"),
    );
    h.insert(
        "x-ratelimit-remaining-tokens",
        HeaderValue::from_static("149984"),
    );
    h.insert("x-ratelimit-reset-tokens", HeaderValue::from_static("6ms"));
    let info = Chat::rate_limit(&h);
    assert_eq!(
        info,
        Some(RateLimitInfo {
            remaining_requests: Some(59),
            remaining_tokens: Some(149984),
            reset_requests: None,
            reset_tokens: Some("6ms".into()),
        })
    );
}

/// A delta, then silence: the idle limit ends the stream with a clear failure.
#[tokio::test(start_paused = true)]
async fn silence_after_output_fails_with_the_idle_message() {
    let first = stream::iter([Ok::<_, std::io::Error>(
        b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n".to_vec(),
    )]);
    let body = first.chain(stream::pending());
    let mut out = Vec::new();
    let idle = Duration::from_secs(120);
    read_events(body, idle, Limits::DEFAULT, &mut Chat::parser(), &mut |e| {
        out.push(e)
    })
    .await;
    let [StreamEvent::TextDelta(_), StreamEvent::Failed(e)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(
        e.message,
        "no data from the server for 120 s; the stream was ended"
    );
    assert!(e.retryable);
}

/// What `body` gives with an answer limit of `limit` bytes.
async fn with_answer_limit(body: &str, limit: usize) -> Vec<StreamEvent> {
    let limits = Limits {
        max_answer_bytes: limit,
        ..Limits::DEFAULT
    };
    let body = stream::iter([Ok::<_, std::io::Error>(body.as_bytes().to_vec())]);
    let mut out = Vec::new();
    read_events(
        body,
        Duration::ZERO,
        limits,
        &mut Chat::parser(),
        &mut |e| out.push(e),
    )
    .await;
    out
}

/// Tool-call fragments are held until the end; they count against the answer limit as they
/// arrive, so endless fragments cannot grow without bound.
#[tokio::test]
async fn tool_call_fragments_count_against_the_answer_limit() {
    let fragment = r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"0123456789"}}]}}]}"#;
    let body = format!("{fragment}\n\n").repeat(200);
    let out = with_answer_limit(&body, 1000).await;
    let [StreamEvent::Failed(e)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(e, &crate::api::sse::limits::answer_too_large(1000));
    // Within the limit, the call comes out whole.
    let out = with_answer_limit(&format!("{body}data: [DONE]\n\n"), 4000).await;
    assert!(
        matches!(&out[..], [StreamEvent::ToolCall(c), StreamEvent::Finished(_)] if c.arguments.len() == 2000),
        "{out:?}"
    );
}

/// Text held back while it may still open `<think>` counts too: endless blanks stop being
/// read once they pass the limit.
#[tokio::test]
async fn text_held_by_the_think_splitter_counts_against_the_answer_limit() {
    let blank = r#"data: {"choices":[{"index":0,"delta":{"content":"          "}}]}"#;
    let event = format!("{blank}\n\n").into_bytes();
    let pulled = std::cell::Cell::new(0usize);
    let body = stream::iter((0..100_000).map(|_| {
        pulled.set(pulled.get() + 1);
        Ok::<_, std::io::Error>(event.clone())
    }));
    let limits = Limits {
        max_answer_bytes: 1000,
        ..Limits::DEFAULT
    };
    let mut out = Vec::new();
    read_events(
        body,
        Duration::ZERO,
        limits,
        &mut Chat::parser(),
        &mut |e| out.push(e),
    )
    .await;
    let [.., StreamEvent::Failed(e)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(e, &crate::api::sse::limits::answer_too_large(1000));
    assert!(text_of(&out).len() <= 1000);
    assert_eq!(pulled.get(), 101, "read no further than the limit");
}
